"""Honest confidence: temperature scaling fitted on the validation split, and how to measure it.

A network trained to ~99.5% says "100%" even when wrong; dividing its log-probabilities by one
temperature T > 1, fitted to minimise the negative log-likelihood on held-out images, makes "90%
sure" right about 90% of the time without changing any answer (Guo et al., 2017, "On
Calibration of Modern Neural Networks"). T is fitted on the validation split (never trained on,
never the test set) and stored in the model's metadata.json, where the page and the Python API
(web/js/classifier.js `calibrated`, recognizer.py) read it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

BINS = 15
CALIBRATION_SEED = 7
TEMPERATURE_RANGE = (0.05, 20.0)


def calibrated(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log p / T) over the last axis: the same ranking, softer (T > 1) or sharper."""
    logits = np.log(np.maximum(np.asarray(probabilities, dtype=np.float64), 1e-30)) / temperature
    logits -= logits.max(axis=-1, keepdims=True)
    scaled = np.exp(logits)
    return scaled / scaled.sum(axis=-1, keepdims=True)


def negative_log_likelihood(probabilities: np.ndarray, labels: np.ndarray) -> float:
    return float(-np.log(np.maximum(probabilities[np.arange(len(labels)), labels], 1e-30)).mean())


def fit_temperature(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The T that minimises the negative log-likelihood of `labels` under calibrated(probabilities, T)."""
    from scipy.optimize import minimize_scalar

    low, high = np.log(TEMPERATURE_RANGE)
    result = minimize_scalar(
        lambda log_t: negative_log_likelihood(calibrated(probabilities, np.exp(log_t)), labels),
        bounds=(low, high),
        method="bounded",
    )
    return float(np.exp(result.x))


def reliability(probabilities: np.ndarray, labels: np.ndarray, bins: int = BINS) -> list[dict]:
    """Per confidence bin: how many answers, their mean confidence, and how many were right."""
    confidence = probabilities.max(axis=1)
    right = probabilities.argmax(axis=1) == labels
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    return [
        {
            "low": float(edges[b]),
            "high": float(edges[b + 1]),
            "count": int((which == b).sum()),
            "confidence": float(confidence[which == b].mean()) if (which == b).any() else None,
            "accuracy": float(right[which == b].mean()) if (which == b).any() else None,
        }
        for b in range(bins)
    ]


def expected_calibration_error(probabilities: np.ndarray, labels: np.ndarray, bins: int = BINS) -> float:
    """Mean |accuracy − confidence| over confidence bins, weighted by the answers in each."""
    table = reliability(probabilities, labels, bins)
    return float(sum(b["count"] * abs(b["accuracy"] - b["confidence"]) for b in table if b["count"]) / len(labels))


def plot_reliability(curves: dict[str, tuple[np.ndarray, np.ndarray]], path: Path, title: str) -> Path:
    """A reliability diagram: accuracy against confidence per bin for each named (probabilities,
    labels) pair, with the diagonal a calibrated model lies on."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(5, 5))
    axis.plot([0, 1], [0, 1], color="grey", linestyle="--", label="calibrated")
    for name, (probabilities, labels) in curves.items():
        table = [b for b in reliability(probabilities, labels) if b["count"]]
        ece = expected_calibration_error(probabilities, labels)
        points = ([b["confidence"] for b in table], [b["accuracy"] for b in table])
        axis.plot(*points, marker="o", label=f"{name} (ECE {ece:.4f})")
    axis.set(xlabel="confidence (top probability)", ylabel="accuracy", title=title, xlim=(0, 1), ylim=(0, 1))
    axis.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


class Calibrated:
    """A Keras model whose predict_on_batch answers calibrated probabilities (as the page's Classifier)."""

    def __init__(self, model, temperature: float):
        self.model = model
        self.temperature = temperature

    def predict_on_batch(self, batch: np.ndarray) -> np.ndarray:
        return calibrated(np.asarray(self.model.predict_on_batch(batch)), self.temperature)


def temperature_in(metadata: dict) -> float:
    """The calibration temperature a model's metadata records (1.0 when it has none)."""
    record = metadata.get("calibration") if isinstance(metadata, dict) else None
    value = record.get("temperature") if isinstance(record, dict) else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) and value > 0 else 1.0


def temperature_of(folder: Path) -> float:
    """The temperature in a model folder's metadata.json (1.0: not calibrated, or no metadata)."""
    try:
        return temperature_in(json.loads((Path(folder) / "metadata.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return 1.0


def page_like(validation, seed: int = CALIBRATION_SEED) -> tuple[np.ndarray, np.ndarray]:
    """The validation digits as scanned, and each also traced and redrawn through the page's
    vector recipe (drawn/augment.redraw): on MNIST alone the models are already calibrated, on
    drawn digits they are overconfident, and the page reads drawn digits."""
    from .drawn import augment, synth

    rng = np.random.default_rng(seed)
    traced = synth.traced(validation.images)
    redrawn = [(augment.redraw(s, rng), label) for s, label in zip(traced, validation.labels) if s]
    images = np.concatenate([validation.images, np.stack([image for image, _ in redrawn])])
    return images, np.concatenate([validation.labels, np.array([label for _, label in redrawn])])


def digit_probabilities_of(folder: Path, images: np.ndarray) -> np.ndarray:
    from . import evaluate, tfjs
    from .models import digit_probabilities

    return digit_probabilities(evaluate.predict_probabilities(tfjs.load(folder), images))


def calibrate_folder(folder: Path, validation) -> dict:
    """Fit T for the model in `folder` on the page-like validation digits (page_like) and record
    it in its metadata.json (written whole, then swapped in, so a failure leaves the old file)."""
    folder = Path(folder)
    images, labels = page_like(validation)
    probabilities = digit_probabilities_of(folder, images)
    temperature = fit_temperature(probabilities, labels)
    record = {
        "temperature": round(temperature, 4),
        "fitted_on": f"the validation split, scanned and redrawn ({len(labels):,} digits never trained on)",
        "ece_before": round(expected_calibration_error(probabilities, labels), 5),
        "ece_after": round(expected_calibration_error(calibrated(probabilities, temperature), labels), 5),
        "command": f"digitdraw calibrate {folder.name}",
    }
    path = folder / "metadata.json"
    metadata = json.loads(path.read_text(encoding="utf-8"))
    metadata["calibration"] = record
    staging = path.with_suffix(".json.part")
    staging.write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    os.replace(staging, path)
    return record
