"""Honest answers: how often "that is not a digit" is said, to what, and how calibrated confidence is.

- Not a digit: the Python reader (Recognizer, the page's twin) on the non-digit benchmark's
  letters and scribbles, on taps, dashes and filled blobs made here, and on real digits and
  numbers (the drawn-digit and number benchmarks). "Rejected": the reader says it is not a
  digit; "flagged": rejected, or a digit shown as unsure.
- Calibration: expected calibration error (ECE, 15 bins) before and after the model's temperature
  on the page-like validation digits it was fitted on, on the drawn-digit benchmarks' dev part
  (vector recipe) and on MNIST test; a reliability diagram; and the unsure threshold's trade-off
  after calibration, on the same dev part, from which config.json's `unsure_below` is chosen.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import calibration, preprocess
from ..config import UNSURE_BELOW
from ..models import digit_probabilities
from . import drawn
from . import numbers as bench_numbers

MARKS = 150  # of each kind
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def marks(seed: int = 20261122) -> dict[str, list[list[np.ndarray]]]:
    """Taps and dots, dashes, and filled blobs, on the pad (pad units)."""
    rng = np.random.default_rng(seed)

    def tap():
        return [rng.normal(rng.uniform(40, 240, size=2), 1.5, size=(int(rng.integers(1, 5)), 2))]

    def dash():
        angle, length = rng.uniform(-0.4, 0.4), rng.uniform(40, 180)
        return [
            rng.uniform(100, 180, size=2)
            + np.outer(np.linspace(-length / 2, length / 2, 12), [np.cos(angle), np.sin(angle)])
        ]

    def blob():
        size, turns = rng.uniform(30, 100), int(rng.integers(12, 30))
        zigzag = [[(k % 2) * size, k * size / turns] for k in range(turns + 1)]
        return [np.array(zigzag) + rng.uniform(60, 140, size=2)]

    return {
        "taps": [tap() for _ in range(MARKS)],
        "dashes": [dash() for _ in range(MARKS)],
        "blobs": [blob() for _ in range(MARKS)],
    }


def _shares(recognizer, drawings) -> dict:
    readings = [recognizer.read_strokes(strokes) for strokes in drawings]
    rejected = [r.rejected is not None for r in readings]
    flagged = [r.rejected is not None or r.unsure for r in readings]
    return {"count": len(readings), "rejected": float(np.mean(rejected)), "flagged": float(np.mean(flagged))}


def not_a_digit_figures(recognizer, mnist_test, count: int) -> dict:
    """Rejected and flagged shares per kind of drawing (dev and final parts together for marks;
    final parts of the benchmarks)."""
    figures = {name: _shares(recognizer, drawings) for name, drawings in marks().items()}
    for name in ("non-digits", "traced-mnist", "european", "stroke-fonts"):
        items = [it for it in drawn.build(name, count, mnist_test) if it.part == "final" and it.strokes is not None]
        figures[name] = _shares(recognizer, [it.strokes for it in items])
    numbers = [it for it in bench_numbers.build(count, mnist_test) if it.part == "final"]
    figures["numbers (2–10 digits)"] = _shares(recognizer, [it.strokes for it in numbers if len(it.digits) > 1])
    return figures


def _drawn_dev(mnist_test, count: int) -> tuple[np.ndarray, np.ndarray]:
    items = [
        it
        for name in ("traced-mnist", "european", "stroke-fonts")
        for it in drawn.build(name, count, mnist_test)
        if it.part == "dev"
    ]
    inputs = np.stack([drawn.model_input(it, "vector") for it in items])
    return inputs, np.array([it.label for it in items])


def calibration_figures(model, folder: Path, mnist, count: int, plot_path: Path) -> dict:
    """ECE before and after the folder's temperature, a reliability diagram, and unsure trade-offs."""
    temperature = calibration.temperature_of(folder)
    inputs, labels = _drawn_dev(mnist.test, count)
    sets = {
        "page-like validation (fitted on)": calibration.page_like(mnist.validation),
        "drawn digits, dev part": (inputs, labels),
        "MNIST test": (mnist.test.images, mnist.test.labels),
    }
    figures: dict = {"temperature": temperature, "sets": {}}
    curves = {}
    for name, (images, truth) in sets.items():
        raw = digit_probabilities(model.predict(preprocess.to_model_input(images), verbose=0))
        honest = calibration.calibrated(raw, temperature)
        figures["sets"][name] = {
            "count": len(truth),
            "ece_before": calibration.expected_calibration_error(raw, truth),
            "ece_after": calibration.expected_calibration_error(honest, truth),
        }
        if name == "drawn digits, dev part":
            curves = {"before": (raw, truth), f"after (T = {temperature:.3f})": (honest, truth)}
            right = honest.argmax(axis=1) == truth
            confidence = honest.max(axis=1)
            figures["unsure"] = [
                {
                    "below": t,
                    "wrong_flagged": float((confidence[~right] < t).mean()) if (~right).any() else None,
                    "right_flagged": float((confidence[right] < t).mean()),
                }
                for t in THRESHOLDS
            ]
    figures["plot"] = str(calibration.plot_reliability(curves, plot_path, "robust-cnn on drawn digits (dev part)"))
    figures["unsure_below"] = UNSURE_BELOW
    return figures


def markdown(figures: dict, plot_name: str) -> list[str]:
    def pct(value):
        return "–" if value is None else f"{100 * value:.1f}%"

    out = [
        "## Not a digit",
        "",
        "Share of drawings the reader turns down (“That does not look like a digit”) and share turned down "
        "or shown as unsure — a digit below the unsure threshold, or digits whose strokes all run together "
        "as a letter's do (rejection.run_together) — through the Python twin of the page's reader (final "
        "parts; marks made here):",
        "",
        "| drawings | count | rejected | rejected or unsure |",
        "|---|---|---|---|",
    ]
    for name, row in figures["not_a_digit"].items():
        out.append(f"| {name} | {row['count']} | {pct(row['rejected'])} | {pct(row['flagged'])} |")
    cal = figures["calibration"]
    out += [
        "",
        "## Calibration",
        "",
        f"robust-cnn's temperature, fitted by `digitdraw calibrate robust-cnn`: **T = {cal['temperature']:.4f}**. "
        "Expected calibration error (15 bins), before and after:",
        "",
        "| digits | count | ECE before | ECE after |",
        "|---|---|---|---|",
    ]
    for name, row in cal["sets"].items():
        out.append(f"| {name} | {row['count']:,} | {row['ece_before']:.4f} | {row['ece_after']:.4f} |")
    out += [
        "",
        f"![Reliability diagram]({plot_name})",
        "",
        f"Unsure threshold after calibration (drawn digits, dev part); the page uses **{cal['unsure_below']}**:",
        "",
        "| unsure below | wrong answers flagged | right answers flagged |",
        "|---|---|---|",
    ]
    for row in cal["unsure"]:
        out.append(f"| {row['below']} | {pct(row['wrong_flagged'])} | {pct(row['right_flagged'])} |")
    return [*out, ""]
