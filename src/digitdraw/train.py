"""Train one model and write it as a TF.js Layers folder with its metadata.

Pipeline stage 3 (train). Validation uses the last 5,000 training images; the test set is
touched once, after training, to report the final figures in metadata.json.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from . import data as mnist_data
from . import evaluate, tfjs
from .config import INPUT_SHAPE
from .models import NUM_CLASSES, RECIPES, Recipe
from .preprocess import to_model_input


class KeepBestWeights(keras.callbacks.Callback):
    """Remembers the weights of the epoch with the best validation accuracy.

    Keras's EarlyStopping restores only in on_train_end, which never runs when Ctrl-C
    interrupts fit(); this keeps the copy where train() can reach it either way.
    """

    def __init__(self):
        super().__init__()
        self.best_accuracy = -1.0
        self.best_weights = None
        self.best_epoch = 0
        self.epochs_done = 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_done = epoch + 1
        accuracy = (logs or {}).get("val_accuracy", -1.0)
        if accuracy > self.best_accuracy:
            self.best_accuracy, self.best_epoch = accuracy, epoch + 1
            self.best_weights = self.model.get_weights()


def library_versions() -> dict[str, str]:
    import tensorflow as tf

    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
    }


@dataclass
class TrainingInputs:
    """What model.fit needs, and how many steps an epoch takes (for learning-rate schedules)."""

    fit_args: dict
    steps_per_epoch: int
    validation: tuple[np.ndarray, np.ndarray]


@dataclass
class FitOutcome:
    best: KeepBestWeights
    seconds: float
    interrupted: bool


def training_inputs(recipe: Recipe, mnist, batch_size: int, seed: int) -> TrainingInputs:
    """The recipe's training data (augmented or plain MNIST train) and the validation split."""
    validation = (to_model_input(mnist.validation.images), mnist.validation.labels)
    if recipe.augment:
        from .drawn import augment

        dataset = augment.training_dataset(
            mnist.train, batch_size=batch_size, seed=seed, kind=recipe.augment, non_digits=recipe.classes > NUM_CLASSES
        )
        return TrainingInputs(
            {"x": dataset, "shuffle": False}, int(dataset.cardinality()), validation
        )  # it shuffles itself
    fit_args = {
        "x": to_model_input(mnist.train.images),
        "y": mnist.train.labels,
        "batch_size": batch_size,
        "shuffle": True,
    }
    return TrainingInputs(fit_args, -(-len(mnist.train) // batch_size), validation)


def fit_keeping_best(model, inputs: TrainingInputs, epochs: int, verbose: int) -> FitOutcome:
    """Fit, then keep the epoch with the best validation accuracy; Ctrl-C ends training early and
    keeps the best epoch so far. Raises SystemExit when stopped before any epoch finished."""
    best = KeepBestWeights()
    started = time.perf_counter()
    interrupted = False
    try:
        model.fit(
            **inputs.fit_args, epochs=epochs, validation_data=inputs.validation, callbacks=[best], verbose=verbose
        )
    except KeyboardInterrupt:
        interrupted = True
        print(f"\ninterrupted after {best.epochs_done} epoch(s); keeping the best one so far")
    if best.best_weights is None:
        raise SystemExit("stopped before the first epoch finished: nothing to save")
    model.set_weights(best.best_weights)
    return FitOutcome(best, time.perf_counter() - started, interrupted)


def describe(
    model_name: str,
    model,
    *,
    recipe: Recipe,
    outcome: FitOutcome,
    scores: dict,
    mnist,
    epochs: int,
    batch_size: int,
    seed: int,
    quantize: str | None,
    optimizer,
) -> dict:
    """metadata.json: what the model is, how well it does, and exactly how it was made."""
    best = outcome.best
    metadata = {
        "name": model_name,
        "description": recipe.description,
        "layers": [layer.__class__.__name__ for layer in model.layers],
        "parameters": int(model.count_params()),
        "input": {
            "shape": list(INPUT_SHAPE),
            "dtype": "float32",
            "range": [0.0, 1.0],
            "normalisation": "pixel / 255, ink = 1.0, background = 0.0, MNIST preprocessing",
        },
        "test_accuracy": scores["accuracy"],
        "per_class_accuracy": scores["per_class_recall"],
        "validation_accuracy": float(best.best_accuracy),
        "training": {
            "epochs": epochs,
            "epochs_completed": best.epochs_done,
            "best_epoch": best.best_epoch,
            "interrupted": outcome.interrupted,
            "batch_size": batch_size,
            "seed": seed,
            "optimizer": optimizer.__class__.__name__,
            "augmented": recipe.augment,
            "seconds": round(outcome.seconds, 1),
            "seconds_per_epoch": round(outcome.seconds / max(best.epochs_done, 1), 2),
            "train_images": len(mnist.train),
            "validation_images": len(mnist.validation),
            "command": f"digitdraw train {model_name} --epochs {epochs} --batch-size {batch_size} --seed {seed}"
            + (f" --quantize {quantize}" if quantize else ""),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        },
        "mnist_md5": mnist.md5,
        "versions": library_versions(),
    }
    if recipe.reported_accuracy is not None:
        metadata["reported_accuracy"] = recipe.reported_accuracy
    return metadata


def train(
    model_name: str,
    out_dir: str | os.PathLike,
    *,
    epochs: int | None = None,
    batch_size: int | None = None,
    seed: int = 1,
    data_dir: str | None = None,
    quantize: str | None = None,
    verbose: int | None = None,
) -> dict:
    """Train `model_name` from scratch and write it to `out_dir`; return its metadata.

    `epochs`, `batch_size`, `quantize`: None means the recipe's own. `quantize` is "float16",
    "uint8" or "float32" (no quantisation).
    """
    recipe: Recipe = RECIPES[model_name]
    epochs = recipe.epochs if epochs is None else epochs
    batch_size = recipe.batch_size if batch_size is None else batch_size
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch size must be at least 1 (got {epochs} and {batch_size})")
    quantize = recipe.quantize if quantize is None else quantize
    if quantize == "float32":
        quantize = None
    if verbose is None:  # a live progress bar on a terminal, one line per epoch in a log
        verbose = 1 if sys.stdout.isatty() else 2
    keras.utils.set_random_seed(seed)
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()

    mnist = mnist_data.load_mnist(data_dir)
    inputs = training_inputs(recipe, mnist, batch_size, seed)
    model = recipe.build()
    optimizer = recipe.optimizer(epochs * inputs.steps_per_epoch)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    outcome = fit_keeping_best(model, inputs, epochs, verbose)

    out = Path(out_dir)
    if quantize:  # report what ships: the accuracy of the quantised weights
        tfjs.save(model, out, quantize=quantize)
        model = tfjs.load(out)
    scores = evaluate.score(model, mnist.test)
    metadata = describe(
        model_name,
        model,
        recipe=recipe,
        outcome=outcome,
        scores=scores,
        mnist=mnist,
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        quantize=quantize,
        optimizer=optimizer,
    )
    tfjs.save(model, out, metadata=metadata, quantize=quantize)
    return tfjs.read_metadata(out)
