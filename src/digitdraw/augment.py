"""Training data for models that must read digits drawn on a pad, not scanned pen writing.

Two kinds (a recipe's `augment`):
- "shift": MNIST with random ±2 px shifts.
- "drawn": MNIST plus the same training digits traced into strokes and redrawn through the page's
  vector recipe (random slant, rotation, aspect, elastic bending, hand tremor, pen width), the
  styles MNIST lacks made from its own 1s and 7s (flagged 1s with or without a base, 7s with a
  crossbar), and single-stroke font digits (synth.TRAIN_FONTS, disjoint from the benchmark's);
  then, every epoch, random rotation, zoom, shift and stroke thickening or thinning.
Only MNIST *training* digits are used; validation and test are never touched.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from . import preprocess, synth

CACHE_VERSION = 1
PEN_RANGE = (1.7, 2.9)  # around preprocess.CANONICAL_PEN, so thin and bold pens both appear
FONT_VARIANTS = 40
CHUNK = 2_000
WORKERS = 2


def redraw(strokes, rng) -> np.ndarray:
    """One traced digit → a new drawing of it through the vector recipe, as uint8 28×28."""
    bent = synth.tremor(synth.elastic(synth.affine(strokes, rng, rotation_deg=12, shear=0.3,
                                                   aspect=(0.75, 1.3)), rng), rng)
    image = preprocess.mnist_from_strokes(bent, pen_width=rng.uniform(*PEN_RANGE))
    return np.round(image * 255).astype(np.uint8)


def _drawn_chunk(task) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    images, labels, seed = task
    rng = np.random.default_rng(seed)
    out, out_labels, styles = [], [], []
    for strokes, label in zip(synth.traced(images), labels):
        if not strokes:
            continue
        out.append(redraw(strokes, rng))
        out_labels.append(label)
        styles.append(0)
        if label == 1:
            out.append(redraw(synth.add_flag(strokes, rng), rng))
            out_labels.append(1)
            styles.append(1)
        elif label == 7:
            out.append(redraw(synth.add_crossbar(strokes, rng), rng))
            out_labels.append(7)
            styles.append(2)
    return np.stack(out), np.array(out_labels, dtype=np.uint8), np.array(styles, dtype=np.uint8)


def font_digits(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for strokes, character, _font in synth.hershey_digits(synth.TRAIN_FONTS):
        for _ in range(FONT_VARIANTS):
            images.append(redraw(strokes, rng))
            labels.append(int(character))
    return np.stack(images), np.array(labels, dtype=np.uint8)


def cache_path(split, seed: int) -> Path:
    from platformdirs import user_cache_dir

    digest = hashlib.sha256(split.images[:: max(1, len(split) // 500)].tobytes()).hexdigest()[:12]
    return Path(user_cache_dir("digitdraw")) / f"drawn-train-v{CACHE_VERSION}-{len(split)}-{digest}-{seed}.npz"


def drawn_digits(split, seed: int, cache: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The redrawn, restyled and font digits for `split` (uint8 images, labels); cached on disk."""
    path = cache_path(split, seed)
    if cache and path.exists():
        with np.load(path) as stored:
            return stored["images"], stored["labels"]
    tasks = [(split.images[i:i + CHUNK], split.labels[i:i + CHUNK], seed * 100_003 + i)
             for i in range(0, len(split), CHUNK)]
    # Tracing and rendering are NumPy-bound; two processes use both cores. Spawned, not forked:
    # the parent may hold TensorFlow's threads.
    with ProcessPoolExecutor(WORKERS, mp_context=get_context("spawn")) as pool:
        parts = list(pool.map(_drawn_chunk, tasks))
    font_images, font_labels = font_digits(seed)
    images = np.concatenate([p[0] for p in parts] + [font_images])
    labels = np.concatenate([p[1] for p in parts] + [font_labels])
    if cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part.npz")
        np.savez_compressed(temporary, images=images, labels=labels)
        temporary.replace(path)
    return images, labels


def _thickness(images, rng_seed):
    """Randomly thicken (towards a 3×3 dilation) or thin (towards an erosion) each image."""
    import tensorflow as tf

    dilated = tf.nn.max_pool2d(images, 3, 1, "SAME")
    eroded = -tf.nn.max_pool2d(-images, 3, 1, "SAME")
    amount = tf.random.stateless_uniform([tf.shape(images)[0], 1, 1, 1], rng_seed, -0.5, 0.7)
    return tf.where(amount > 0, images + amount * (dilated - images), images - amount * (eroded - images))


def training_dataset(split, *, batch_size: int, seed: int, kind: str):
    """A shuffled, batched, augmented tf.data pipeline of (image, label) for `split`."""
    import keras
    import tensorflow as tf

    images, labels = split.images, split.labels
    if kind == "drawn":
        extra_images, extra_labels = drawn_digits(split, seed)
        images = np.concatenate([images, extra_images])
        labels = np.concatenate([labels, extra_labels])
    elif kind != "shift":
        raise ValueError(f"unknown augmentation {kind!r}")

    if kind == "shift":
        geometry = keras.Sequential([keras.layers.RandomTranslation(2 / 28, 2 / 28, fill_mode="constant", seed=seed)])
    else:
        geometry = keras.Sequential([
            keras.layers.RandomRotation(0.03, fill_mode="constant", seed=seed),
            keras.layers.RandomZoom((-0.12, 0.12), fill_mode="constant", seed=seed + 1),
            keras.layers.RandomTranslation(0.07, 0.07, fill_mode="constant", seed=seed + 2),
        ])

    def transform(batch_images, batch_labels, batch_index):
        x = tf.cast(batch_images, tf.float32)[..., None] / 255.0
        x = geometry(x, training=True)
        if kind == "drawn":
            x = _thickness(x, tf.stack([tf.cast(seed, tf.int64), batch_index]))
        return tf.clip_by_value(x, 0.0, 1.0), batch_labels

    dataset = (tf.data.Dataset.from_tensor_slices((images, labels))
               .shuffle(len(labels), seed=seed, reshuffle_each_iteration=True)
               .batch(batch_size)
               .enumerate()
               .map(lambda index, batch: transform(batch[0], batch[1], index), num_parallel_calls=tf.data.AUTOTUNE,
                    deterministic=True)
               .prefetch(tf.data.AUTOTUNE))
    return dataset
