"""Training data for models that must read digits drawn on a pad, not scanned pen writing.

Two kinds (a recipe's `augment`):
- "shift": MNIST with random ±2 px shifts.
- "drawn": MNIST plus the same training digits traced into strokes and redrawn through the page's
  vector recipe (random slant, rotation, aspect, elastic bending, hand tremor, pen width), the
  styles MNIST lacks made from its own 1s and 7s (flagged 1s with or without a base, 7s with a
  crossbar), single-stroke font digits (synth.TRAIN_FONTS, disjoint from the benchmark's), and
  for 11-class recipes drawings that are not one digit (nondigits.py: fragments, pairs, marks)
  labelled NOT_A_DIGIT; then, every epoch, random rotation, zoom, shift and stroke thinning.
Only MNIST *training* digits are used; validation and test are never touched.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from .. import preprocess
from ..models import NOT_A_DIGIT
from . import nondigits, synth

CACHE_VERSION = 5
THICKENED_SHARE = 0.4  # of the raw MNIST digits, also given as a fat-pen copy
FLAGGED_PER_ONE = 2  # flagged 1s are what MNIST lacks most; plain-bar 7s are their look-alikes
PEN_RANGE = (1.6, 3.2)  # around preprocess.CANONICAL_PEN, so thin and bold pens both appear
FONT_VARIANTS = 40
CHUNK = 2_000
WORKERS = 2
FRAGMENT_SHARE = 0.4  # of the traced digits, also given as a fragment labelled NOT_A_DIGIT
PAIR_SHARE = 0.3  # of the traced digits, also written touching the next one, NOT_A_DIGIT
MARK_SHARE = 0.05  # dots, dashes and scribbles, per traced digit


def redraw(strokes, rng) -> np.ndarray:
    """One traced digit → a new drawing of it through the vector recipe, as uint8 28×28."""
    bent = synth.tremor(
        synth.elastic(synth.affine(strokes, rng, rotation_deg=12, shear=0.3, aspect=(0.75, 1.3)), rng), rng
    )
    image = preprocess.mnist_from_strokes(bent, pen_width=rng.uniform(*PEN_RANGE))
    return np.round(image * 255).astype(np.uint8)


def holes(image: np.ndarray) -> int:
    """Enclosed background regions (the loops of 0, 6, 8, 9, 4 ...) in a uint8 digit."""
    from scipy import ndimage

    regions, count = ndimage.label(image < 80)
    touching_border = set(np.unique(np.concatenate([regions[0], regions[-1], regions[:, 0], regions[:, -1]])))
    return len(set(range(1, count + 1)) - touching_border)


def _drawn_chunk(task) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    images, labels, seed, with_non_digits = task
    rng = np.random.default_rng(seed)
    out, out_labels, styles = [], [], []

    def keep(image, label, style, loops):
        # A redrawing that filled in the original's loops (a narrow 0 drawn with a fat pen) is a
        # blob with the wrong label: it taught an earlier model that thick 1s are 0s.
        if holes(image) >= loops:
            out.append(image)
            out_labels.append(label)
            styles.append(style)

    traced = synth.traced(images)
    for index, (original, strokes, label) in enumerate(zip(images, traced, labels)):
        if not strokes:
            continue
        loops = holes(original)
        keep(redraw(strokes, rng), label, 0, loops)
        if label == 1:
            for _ in range(FLAGGED_PER_ONE):
                keep(redraw(synth.add_flag(strokes, rng), rng), 1, 1, loops)
        elif label == 7:
            keep(redraw(synth.add_crossbar(strokes, rng), rng), 7, 2, loops)
        if not with_non_digits:
            continue
        part = nondigits.fragment(strokes, rng) if rng.uniform() < FRAGMENT_SHARE else None
        if part:
            keep(redraw(part, rng), NOT_A_DIGIT, 3, 0)
        neighbour = traced[(index + 1) % len(traced)]
        if neighbour and rng.uniform() < PAIR_SHARE:
            keep(redraw(nondigits.pair(strokes, neighbour, rng), rng), NOT_A_DIGIT, 4, 0)
        if rng.uniform() < MARK_SHARE:
            keep(redraw(nondigits.mark(rng), rng), NOT_A_DIGIT, 5, 0)
    return np.stack(out), np.array(out_labels, dtype=np.uint8), np.array(styles, dtype=np.uint8)


def thickened(images: np.ndarray, labels: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fat-pen copies of a share of the MNIST digits: grey dilation by 1–2 pixels, kept only where
    every loop survived (MNIST has few very thick digits; its test set has more)."""
    from scipy import ndimage

    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(images), int(THICKENED_SHARE * len(images)), replace=False)
    out, out_labels = [], []
    for index in chosen:
        image = images[index]
        size = int(rng.integers(2, 4))  # a 2×2 or 3×3 structuring element
        fat = ndimage.grey_dilation(image, size=(size, size))
        if holes(fat) >= holes(image):
            out.append(fat)
            out_labels.append(labels[index])
    return np.stack(out), np.array(out_labels, dtype=np.uint8)


def font_digits(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for strokes, character, _font in synth.hershey_digits(synth.TRAIN_FONTS):
        for _ in range(FONT_VARIANTS):
            images.append(redraw(strokes, rng))
            labels.append(int(character))
    return np.stack(images), np.array(labels, dtype=np.uint8)


def cache_path(split, seed: int, non_digits: bool) -> Path:
    from platformdirs import user_cache_dir

    digest = hashlib.sha256(split.images[:: max(1, len(split) // 500)].tobytes()).hexdigest()[:12]
    kind = "-with-non-digits" if non_digits else ""
    return Path(user_cache_dir("digitdraw")) / f"drawn-train-v{CACHE_VERSION}{kind}-{len(split)}-{digest}-{seed}.npz"


def drawn_digits(split, seed: int, non_digits: bool = False, cache: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The redrawn, restyled and font digits for `split` (uint8 images, labels), and with
    `non_digits` the drawings labelled NOT_A_DIGIT; cached on disk."""
    path = cache_path(split, seed, non_digits)
    if cache and path.exists():
        with np.load(path) as stored:
            return stored["images"], stored["labels"]
    tasks = [
        (split.images[i : i + CHUNK], split.labels[i : i + CHUNK], seed * 100_003 + i, non_digits)
        for i in range(0, len(split), CHUNK)
    ]
    # Tracing and rendering are NumPy-bound; two processes use both cores. Spawned, not forked:
    # the parent may hold TensorFlow's threads.
    with ProcessPoolExecutor(WORKERS, mp_context=get_context("spawn")) as pool:
        parts = list(pool.map(_drawn_chunk, tasks))
    font_images, font_labels = font_digits(seed)
    fat_images, fat_labels = thickened(split.images, split.labels, seed)
    images = np.concatenate([p[0] for p in parts] + [font_images, fat_images])
    labels = np.concatenate([p[1] for p in parts] + [font_labels, fat_labels])
    if cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part.npz")
        np.savez_compressed(temporary, images=images, labels=labels)
        temporary.replace(path)
    return images, labels


def _thin(images, rng_seed):
    """Randomly thin some images (towards a 3×3 erosion).

    No thickening here: dilation fills the loops of small 0s, 6s and 8s, and taught an earlier
    model that any fat blob (a thick 1 among them) is a 0. Fat pens come from `thickened`, which
    can check the loops.
    """
    import tensorflow as tf

    eroded = -tf.nn.max_pool2d(-images, 3, 1, "SAME")
    amount = tf.random.stateless_uniform([tf.shape(images)[0], 1, 1, 1], rng_seed, -0.5, 0.5)
    return tf.where(amount < 0, images - amount * (eroded - images), images)


def training_dataset(split, *, batch_size: int, seed: int, kind: str, non_digits: bool = False):
    """A shuffled, batched, augmented tf.data pipeline of (image, label) for `split`; with
    `non_digits` (kind "drawn" only) it also holds drawings labelled NOT_A_DIGIT."""
    import keras
    import tensorflow as tf

    images, labels = split.images, split.labels
    if kind == "drawn":
        extra_images, extra_labels = drawn_digits(split, seed, non_digits)
        images = np.concatenate([images, extra_images])
        labels = np.concatenate([labels, extra_labels])
    elif kind != "shift":
        raise ValueError(f"unknown augmentation {kind!r}")

    if kind == "shift":
        geometry = keras.Sequential([keras.layers.RandomTranslation(2 / 28, 2 / 28, fill_mode="constant", seed=seed)])
    else:
        geometry = keras.Sequential(
            [
                keras.layers.RandomRotation(0.025, fill_mode="constant", seed=seed),
                keras.layers.RandomZoom((-0.1, 0.1), fill_mode="constant", seed=seed + 1),
                keras.layers.RandomTranslation(0.06, 0.06, fill_mode="constant", seed=seed + 2),
            ]
        )

    def transform(batch_images, batch_labels, batch_index):
        x = geometry(batch_images, training=True)
        if kind == "drawn":
            x = _thin(x, tf.stack([tf.cast(seed, tf.int64), batch_index]))
        return tf.clip_by_value(x, 0.0, 1.0), batch_labels

    dataset = (
        tf.data.Dataset.from_tensor_slices((preprocess.to_model_input(images), labels))
        .shuffle(len(labels), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .enumerate()
        .map(
            lambda index, batch: transform(batch[0], batch[1], index),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )
        .prefetch(tf.data.AUTOTUNE)
    )
    return dataset
