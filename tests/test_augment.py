"""Training data for the robust model: redrawn digits, the styles MNIST lacks, the tf.data pipeline."""

import numpy as np

from digitdraw import data
from digitdraw.drawn import augment, nondigits
from digitdraw.models import NOT_A_DIGIT


def small_split(mnist, count=120):
    return data.Split(mnist.train.images[:count], mnist.train.labels[:count])


def test_drawn_digits_add_restyled_ones_and_sevens(mnist):
    split = small_split(mnist)
    images, labels = augment.drawn_digits(split, seed=3, cache=False)
    fonts = len(augment.synth.hershey_digits(augment.synth.TRAIN_FONTS)) * augment.FONT_VARIANTS
    fat = len(augment.thickened(split.images, split.labels, seed=3)[0])
    ones, sevens = int((split.labels == 1).sum()), int((split.labels == 7).sum())
    most = len(split) + augment.FLAGGED_PER_ONE * ones + sevens + fonts + fat
    assert 0.9 * most <= len(images) <= most  # a few redrawings that filled their loops are dropped
    assert images.dtype == np.uint8 and images.shape[1:] == (28, 28)
    redrawn = labels[: len(images) - fonts - fat]  # order: redrawn, fonts, fat-pen copies
    assert np.bincount(redrawn, minlength=10)[1] >= 0.9 * (1 + augment.FLAGGED_PER_ONE) * ones
    # every redrawn digit is centred on its mass and fills the 20-pixel box, like MNIST
    rows = np.flatnonzero(images[0].max(axis=1) > 30)
    cols = np.flatnonzero(images[0].max(axis=0) > 30)
    assert 18 <= max(np.ptp(rows), np.ptp(cols)) + 1 <= 22
    again, _ = augment.drawn_digits(split, seed=3, cache=False)
    assert np.array_equal(images, again), "the same seed must give the same data"


def test_training_pipeline_batches_augmented_images(mnist):
    split = small_split(mnist, 64)
    dataset = augment.training_dataset(split, batch_size=32, seed=1, kind="shift")
    batches = list(dataset)
    assert len(batches) == 2
    images, _labels = batches[0]
    assert images.shape == (32, 28, 28, 1) and float(images.numpy().min()) >= 0 and float(images.numpy().max()) <= 1
    assert sorted(np.concatenate([b[1].numpy() for b in batches]).tolist()) == sorted(split.labels.tolist())


def test_thinning_augmentation_thins_some_and_never_thickens():
    import tensorflow as tf

    image = np.zeros((1, 28, 28, 1), np.float32)
    image[0, 8:20, 12:16] = 1.0
    out = augment._thin(tf.constant(np.repeat(image, 64, axis=0)), tf.constant([1, 2], tf.int64)).numpy()
    ink = out.sum(axis=(1, 2, 3))
    assert ink.max() <= image.sum() + 1e-4, "never thicker: dilation fills loops"
    assert ink.min() < image.sum() * 0.8 and (np.abs(ink - image.sum()) < 1e-4).sum() > 10


def test_thickened_copies_keep_their_loops(mnist):
    images, labels = augment.thickened(mnist.train.images[:300], mnist.train.labels[:300], seed=0)
    assert 0.25 * 300 <= len(images) <= augment.THICKENED_SHARE * 300
    originals = mnist.train.images[:300]
    assert images.astype(int).sum() > 1.3 * originals.astype(int).sum() * len(images) / 300
    assert all(augment.holes(x) >= 1 for x, y in zip(images, labels) if y == 0)


def test_holes_counts_enclosed_loops():
    rows, cols = np.mgrid[:28, :28]
    ring = (np.abs(np.hypot(rows - 14, cols - 10) - 5) < 1.5) * 255
    eight = np.maximum(ring, (np.abs(np.hypot(rows - 14, cols - 19) - 4) < 1.5) * 255)
    bar = np.zeros((28, 28))
    bar[4:24, 12:16] = 255
    assert [augment.holes(x.astype(np.uint8)) for x in (ring, eight, bar)] == [1, 2, 0]


def test_no_redrawn_digit_lost_its_loops(mnist):
    looped = [i for i in np.flatnonzero(mnist.train.labels == 0)[:200] if augment.holes(mnist.train.images[i]) >= 1][
        :40
    ]
    images, _labels, _ = augment._drawn_chunk((mnist.train.images[looped], mnist.train.labels[looped], 5, False))
    assert len(images) >= 0.8 * len(looped)
    assert all(augment.holes(image) >= 1 for image in images)


def test_non_digit_drawings_are_added_only_for_11_class_recipes(mnist):
    images, labels = mnist.train.images[:60], mnist.train.labels[:60]
    _, plain, _ = augment._drawn_chunk((images, labels, 3, False))
    drawn, with_non_digits, styles = augment._drawn_chunk((images, labels, 3, True))
    assert NOT_A_DIGIT not in plain
    assert (with_non_digits == NOT_A_DIGIT).sum() >= 15, "fragments, pairs and marks are made"
    assert set(styles[with_non_digits == NOT_A_DIGIT]) <= {3, 4, 5}
    assert drawn.shape[1:] == (28, 28) and drawn.dtype == np.uint8


def test_fragments_that_are_digits_themselves_are_not_taught_as_non_digits():
    upright = [np.array([[0.0, 0.0], [0.05, 1.0]])]
    slanted_one = [np.array([[0.3, 0.0], [0.0, 1.0]])]
    loop = [np.array([[np.cos(a), np.sin(a)] for a in np.linspace(0, 2 * np.pi, 30)])]
    corner = [np.array([[0.0, 0.0], [0.0, 1.0], [0.8, 1.0]])]
    dash = [np.array([[0.0, 0.0], [1.0, 0.05]])]
    assert nondigits.looks_like_a_digit(upright) and nondigits.looks_like_a_digit(slanted_one)
    assert nondigits.looks_like_a_digit(loop)
    assert not nondigits.looks_like_a_digit(corner) and not nondigits.looks_like_a_digit(dash)
