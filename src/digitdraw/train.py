"""Train one model and write it as a TF.js Layers folder with its metadata.

Pipeline stage 3 (train). Validation uses the last 5,000 training images; the test set is
touched once, after training, to report the final figures in metadata.json.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

import keras
import numpy as np

from . import data as mnist_data
from . import evaluate, tfjs
from .models import RECIPES, Recipe


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


def to_model_input(images: np.ndarray) -> np.ndarray:
    """uint8 (n, 28, 28) → float32 (n, 28, 28, 1) in [0, 1], the input every model takes."""
    return (images.astype(np.float32) / 255.0)[..., None]


def library_versions() -> dict[str, str]:
    import tensorflow as tf

    return {"python": platform.python_version(), "tensorflow": tf.__version__, "keras": keras.__version__,
            "numpy": np.__version__}


def train(
    model_name: str,
    out_dir: str | os.PathLike,
    *,
    epochs: int | None = None,
    batch_size: int | None = None,
    seed: int = 1,
    data_dir: str | None = None,
    quantize: str | None = "recipe",
    verbose: int | None = None,
) -> dict:
    """Train `model_name` from scratch and write it to `out_dir`; return its metadata.

    `quantize`: "float16", "uint8", None for float32, or "recipe" for the recipe's own choice.
    """
    recipe: Recipe = RECIPES[model_name]
    if verbose is None:  # a live progress bar on a terminal, one line per epoch in a log
        verbose = 1 if sys.stdout.isatty() else 2
    if quantize == "recipe":
        quantize = recipe.quantize
    epochs = epochs or recipe.epochs
    batch_size = batch_size or recipe.batch_size
    keras.utils.set_random_seed(seed)
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()

    mnist = mnist_data.load_mnist(data_dir)
    x_val, y_val = to_model_input(mnist.validation.images), mnist.validation.labels
    model = recipe.build()
    if recipe.augment:
        from . import augment

        train_data = augment.training_dataset(mnist.train, batch_size=batch_size, seed=seed, kind=recipe.augment)
        fit_args = {"x": train_data, "shuffle": False}  # the dataset shuffles itself
    else:
        fit_args = {"x": to_model_input(mnist.train.images), "y": mnist.train.labels,
                    "batch_size": batch_size, "shuffle": True}
    steps_per_epoch = (int(fit_args["x"].cardinality()) if recipe.augment
                       else -(-len(mnist.train) // batch_size))
    optimizer = recipe.optimizer(epochs * steps_per_epoch)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    best = KeepBestWeights()
    started = time.perf_counter()
    interrupted = False
    try:
        model.fit(**fit_args, epochs=epochs, validation_data=(x_val, y_val), callbacks=[best], verbose=verbose)
    except KeyboardInterrupt:
        interrupted = True
        print(f"\ninterrupted after {best.epochs_done} epoch(s); keeping the best one so far")
    seconds = time.perf_counter() - started
    if best.best_weights is None:
        raise SystemExit("stopped before the first epoch finished: nothing to save")
    model.set_weights(best.best_weights)

    if quantize:  # report what ships: the accuracy of the quantised weights
        tfjs.save(model, Path(out_dir), quantize=quantize)
        model = tfjs.load(Path(out_dir))
    scores = evaluate.score(model, mnist.test)
    metadata = {
        "name": model_name,
        "description": recipe.description,
        "layers": [layer.__class__.__name__ for layer in model.layers],
        "parameters": int(model.count_params()),
        "input": {"shape": [28, 28, 1], "dtype": "float32", "range": [0.0, 1.0],
                  "normalisation": "pixel / 255, ink = 1.0, background = 0.0, MNIST preprocessing"},
        "test_accuracy": scores["accuracy"],
        "per_class_accuracy": scores["per_class_recall"],
        "validation_accuracy": float(best.best_accuracy),
        "training": {
            "epochs": epochs, "epochs_completed": best.epochs_done, "best_epoch": best.best_epoch,
            "interrupted": interrupted, "batch_size": batch_size, "seed": seed,
            "optimizer": optimizer.__class__.__name__, "augmented": recipe.augment,
            "seconds": round(seconds, 1), "seconds_per_epoch": round(seconds / max(best.epochs_done, 1), 2),
            "train_images": len(mnist.train), "validation_images": len(mnist.validation),
            "command": f"digitdraw train {model_name} --epochs {epochs} --batch-size {batch_size} --seed {seed}"
                       + (f" --quantize {quantize}" if quantize else ""),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        },
        "mnist_md5": mnist.md5,
        "versions": library_versions(),
    }
    if recipe.reported_accuracy is not None:
        metadata["reported_accuracy"] = recipe.reported_accuracy
    tfjs.save(model, Path(out_dir), metadata=metadata, quantize=quantize)
    return tfjs.read_metadata(Path(out_dir))
