"""Score a model on MNIST test: accuracy, per-class precision/recall, confusion matrix, plots.

Pipeline stage 5 (evaluate).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from .models import NOT_A_DIGIT, NUM_CLASSES, digit_probabilities
from .preprocess import to_model_input


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """Rows are true digits, columns predicted digits."""
    matrix = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    np.add.at(matrix, (labels.astype(int), predicted.astype(int)), 1)
    return matrix


def summarise(labels: np.ndarray, predicted: np.ndarray) -> dict:
    matrix = confusion_matrix(labels, predicted)
    correct = np.diag(matrix)
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.nan_to_num(correct / matrix.sum(axis=1))
        precision = np.nan_to_num(correct / matrix.sum(axis=0))
    return {
        "accuracy": float(correct.sum() / max(len(labels), 1)),
        "count": len(labels),
        "per_class_recall": [round(float(v), 5) for v in recall],
        "per_class_precision": [round(float(v), 5) for v in precision],
        "confusion": matrix.tolist(),
    }


def predict_probabilities(model, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """images: uint8 (n, 28, 28) as stored, or float (n, 28, 28[, 1]) in [0, 1]."""
    return model.predict(to_model_input(images), batch_size=batch_size, verbose=0)


def score_with_probabilities(model, split) -> tuple[dict, np.ndarray]:
    """Scores on `split`, and the digit probabilities they came from (for plots, without predicting
    twice). An 11-class model is scored on its digit reading — the best of the ten digits, as a
    number reader reads a group it has taken for a digit — and `not_a_digit_share` says how often
    its top output was NOT_A_DIGIT instead."""
    started = time.perf_counter()
    probabilities = predict_probabilities(model, split.images)
    seconds = time.perf_counter() - started
    digits = digit_probabilities(probabilities)
    result = summarise(split.labels, digits.argmax(axis=1))
    result["images_per_second"] = round(len(split) / seconds, 1)
    if probabilities.shape[1] > NUM_CLASSES:
        result["not_a_digit_share"] = round(float((probabilities.argmax(axis=1) == NOT_A_DIGIT).mean()), 5)
    return result, digits


def score(model, split) -> dict:
    return score_with_probabilities(model, split)[0]


def format_report(name: str, result: dict) -> str:
    lines = [
        f"{name}: test accuracy {result['accuracy']:.2%} on {result['count']} images"
        + (f", {result['images_per_second']:.0f} images/s" if "images_per_second" in result else ""),
        "",
        "digit  precision  recall",
    ]
    for digit in range(NUM_CLASSES):
        lines.append(
            f"{digit:>5}  {result['per_class_precision'][digit]:>9.2%}  {result['per_class_recall'][digit]:>6.2%}"
        )
    lines += [
        "",
        "confusion (rows = true, columns = predicted)",
        "     " + "".join(f"{d:>6}" for d in range(NUM_CLASSES)),
    ]
    for digit, row in enumerate(result["confusion"]):
        lines.append(f"{digit:>5}" + "".join(f"{v:>6}" for v in row))
    return "\n".join(lines)


def plot(result: dict, split, probabilities: np.ndarray, folder: Path, name: str) -> list[Path]:
    """Write confusion.png and misclassified.png into `folder`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    matrix = np.array(result["confusion"])
    figure, axes = plt.subplots(figsize=(6, 5))
    image = axes.imshow(np.log1p(matrix), cmap="Blues")
    for (row, col), value in np.ndenumerate(matrix):
        axes.text(col, row, str(value), ha="center", va="center", fontsize=7, color="white" if row == col else "black")
    axes.set(
        xticks=range(10),
        yticks=range(10),
        xlabel="predicted",
        ylabel="true",
        title=f"{name}: {result['accuracy']:.2%} on MNIST test",
    )
    figure.colorbar(image, ax=axes, label="log(1 + count)")
    confusion_path = folder / "confusion.png"
    figure.savefig(confusion_path, dpi=120, bbox_inches="tight")
    plt.close(figure)

    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != split.labels)[:100]
    columns = 10
    rows = max(1, -(-len(wrong) // columns))
    figure, grid = plt.subplots(rows, columns, figsize=(columns * 1.1, rows * 1.3), squeeze=False)
    for axes in grid.flat:
        axes.axis("off")
    for axes, index in zip(grid.flat, wrong):
        axes.imshow(split.images[index], cmap="gray_r")
        axes.set_title(f"{split.labels[index]}→{predicted[index]}", fontsize=8)
    figure.suptitle(f"{name}: {len(np.flatnonzero(predicted != split.labels))} misclassified (true→predicted)")
    wrong_path = folder / "misclassified.png"
    figure.savefig(wrong_path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return [confusion_path, wrong_path]
