"""Model architectures and their training recipes: the one registry of model names.

Pipeline stage 2 (models). Every model takes a (28, 28, 1) float32 image with ink = 1.0 and
background = 0.0 (preprocess.to_model_input) and returns ten softmax probabilities, so the page
feeds all of them alike. Layers are named explicitly because those names become the TF.js weight
names. Keras is imported inside the builders, so the CLI can list the recipes without TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .config import INPUT_SHAPE

if TYPE_CHECKING:
    import keras

NUM_CLASSES = 10  # the digits
NOT_A_DIGIT = 10  # the extra class of 11-class models: a fragment, two digits, a mark, not one digit


@dataclass(frozen=True)
class Recipe:
    """How a model is built and trained: the defaults `digitdraw train` uses."""

    name: str
    build: Callable[[], keras.Model]
    optimizer: Callable[[int], keras.optimizers.Optimizer]  # given the total number of training steps
    epochs: int
    batch_size: int
    description: str
    augment: str | None = None  # None, "shift" or "drawn": see drawn/augment.py
    quantize: str | None = None  # how the shipped files store the weights
    reported_accuracy: float | None = None  # the blog posts' figure, for comparison
    classes: int = NUM_CLASSES  # NUM_CLASSES + 1: the last output is NOT_A_DIGIT


def build_mlp() -> keras.Model:
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE, name="image"),
            layers.Flatten(name="flatten"),
            layers.Dense(512, activation="relu", name="dense1"),
            layers.Dense(256, activation="relu", name="dense2"),
            layers.Dropout(0.2, name="dropout"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities"),
        ],
        name="mlp",
    )


def build_cnn() -> keras.Model:
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE, name="image"),
            layers.Conv2D(32, 5, activation="relu", padding="valid", name="conv1"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Dropout(0.2, name="dropout"),
            layers.Flatten(name="flatten"),
            layers.Dense(128, activation="relu", name="dense1"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities"),
        ],
        name="cnn",
    )


def build_keras_cnn() -> keras.Model:
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE, name="image"),
            layers.Conv2D(64, 3, activation="relu", name="conv1"),
            layers.Conv2D(32, 3, activation="relu", name="conv2"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Dropout(0.25, name="dropout1"),
            layers.Flatten(name="flatten"),
            layers.Dense(128, activation="relu", name="dense1"),
            layers.Dropout(0.5, name="dropout2"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities"),
        ],
        name="keras_cnn",
    )


def _conv_block(filters: int, index: int, padding: str = "same") -> list:
    from keras import layers

    return [
        layers.Conv2D(filters, 3, padding=padding, use_bias=False, name=f"conv{index}"),
        layers.BatchNormalization(name=f"norm{index}"),
        layers.Activation("relu", name=f"relu{index}"),
    ]


def build_robust_cnn(classes: int = NUM_CLASSES) -> keras.Model:
    """A small CNN for drawn digits: ~89k parameters, ~178 KB as float16, about 1 ms per digit in
    the browser's WASM backend (docs/benchmarks.md). Its head flattens the last 5×5 map instead of
    averaging it: where a stroke is (a flag left of a 1's top, a bar across a 7) matters. With
    `classes` = 11 the last output says "not one digit" (drawn/nondigits.py): segment-cnn."""
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE, name="image"),
            *_conv_block(24, 1),
            *_conv_block(32, 2),
            layers.MaxPooling2D(2, name="pool1"),
            *_conv_block(48, 3),
            *_conv_block(64, 4),
            layers.MaxPooling2D(2, name="pool2"),
            *_conv_block(48, 5, padding="valid"),
            layers.Flatten(name="flatten"),
            layers.Dropout(0.3, name="dropout"),
            layers.Dense(classes, activation="softmax", name="probabilities"),
        ],
        name="robust_cnn",
    )


def build_segment_cnn() -> keras.Model:
    """robust-cnn with an 11th output for "not one digit": it scores the candidate digits of a number."""
    return build_robust_cnn(NUM_CLASSES + 1)


def _rmsprop(steps: int):
    import keras

    return keras.optimizers.RMSprop()


def _adam(steps: int):
    import keras

    return keras.optimizers.Adam()


def _adam_cosine(steps: int):
    import keras

    return keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(3e-3, steps, alpha=0.01))


RECIPES: dict[str, Recipe] = {
    "mlp": Recipe(
        "mlp",
        build_mlp,
        _rmsprop,
        epochs=25,
        batch_size=64,
        description="Dense 512-256-10 MLP (blog post 2)",
        reported_accuracy=0.9828,
    ),
    "cnn": Recipe(
        "cnn",
        build_cnn,
        _adam,
        epochs=10,
        batch_size=200,
        description="Conv 32@5x5 + Dense 128 (blog post 2), trained with ±2 px random shifts",
        reported_accuracy=0.9904,
        augment="shift",
    ),
    "keras-cnn": Recipe(
        "keras-cnn",
        build_keras_cnn,
        _adam,
        epochs=12,
        batch_size=32,
        description="Keras MNIST example CNN (blog post 1)",
    ),
    "robust-cnn": Recipe(
        "robust-cnn",
        build_robust_cnn,
        _adam_cosine,
        epochs=8,
        batch_size=128,
        description="Small CNN for digits drawn on a pad: MNIST + traced-and-redrawn digits, European 1s "
        "and 7s, stroke fonts, with affine and thickness augmentation",
        augment="drawn",
        quantize="float16",
    ),
    "segment-cnn": Recipe(
        "segment-cnn",
        build_segment_cnn,
        _adam_cosine,
        epochs=8,
        batch_size=128,
        description="robust-cnn's architecture and data with an 11th output, 'not one digit', trained on "
        "fragments of digits, touching pairs, dots, dashes and scribbles: scores candidate digits when a "
        "whole number is cut into digits",
        augment="drawn",
        quantize="float16",
        classes=NUM_CLASSES + 1,
    ),
}


def digit_probabilities(probabilities):
    """The ten digits' probabilities, renormalised: what a 10- or 11-class model says the digit is,
    given that it is one."""
    import numpy as np

    digits = np.asarray(probabilities)[..., :NUM_CLASSES]
    return digits / np.maximum(digits.sum(axis=-1, keepdims=True), 1e-12)
