"""Honest confidence: temperature scaling fitted as documented, recorded in metadata, used by the API."""

import json
import shutil

import numpy as np
import pytest

from digitdraw import calibration
from digitdraw.app import catalog
from digitdraw.recognizer import Recognizer


def synthetic(temperature: float, count: int = 20_000, seed: int = 0):
    """Probabilities from random logits, and labels drawn from those logits divided by
    `temperature`: the truth is `temperature` times less sure than the model."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 4, size=(count, 10))
    truth = calibration.calibrated(np.exp(logits), temperature)
    labels = np.array([rng.choice(10, p=row) for row in truth])
    return calibration.calibrated(np.exp(logits), 1.0), labels


def test_the_fitted_temperature_is_the_one_that_made_the_labels():
    probabilities, labels = synthetic(2.0)
    assert calibration.fit_temperature(probabilities, labels) == pytest.approx(2.0, rel=0.05)
    before = calibration.expected_calibration_error(probabilities, labels)
    after = calibration.expected_calibration_error(calibration.calibrated(probabilities, 2.0), labels)
    assert after < before / 3


def test_calibration_keeps_every_answer():
    probabilities, _ = synthetic(1.0, count=500)
    for temperature in (0.5, 1.7, 6.0):
        scaled = calibration.calibrated(probabilities, temperature)
        assert np.array_equal(scaled.argmax(axis=1), probabilities.argmax(axis=1))
        assert scaled.sum(axis=1) == pytest.approx(np.ones(len(scaled)))


def test_reliability_diagram_is_written(tmp_path):
    probabilities, labels = synthetic(2.0, count=2000)
    path = calibration.plot_reliability({"model": (probabilities, labels)}, tmp_path / "r.png", "test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_calibrating_a_folder_records_the_temperature_and_the_api_uses_it(tmp_path, mnist):
    folder = tmp_path / "robust-cnn"
    shutil.copytree(catalog.BUNDLED_DIR / "robust-cnn", folder)
    metadata = json.loads((folder / "metadata.json").read_text())
    metadata.pop("calibration", None)
    (folder / "metadata.json").write_text(json.dumps(metadata))
    assert calibration.temperature_of(folder) == 1.0

    small = type(mnist.validation)(mnist.validation.images[:600], mnist.validation.labels[:600])
    record = calibration.calibrate_folder(folder, small)
    assert calibration.temperature_of(folder) == record["temperature"] > 0
    assert catalog.inspect(folder).summary()["temperature"] == record["temperature"]

    # Force a clearly different temperature: the API's probabilities follow it, its answer does not.
    metadata = json.loads((folder / "metadata.json").read_text())
    metadata["calibration"]["temperature"] = 3.0
    (folder / "metadata.json").write_text(json.dumps(metadata))
    drawing = [np.array([[120.0, 60.0], [180.0, 60.0], [140.0, 230.0]])]
    plain = Recognizer.load(folder, segmenter=None).read_strokes(drawing).digits[0]
    metadata["calibration"]["temperature"] = 1.0
    (folder / "metadata.json").write_text(json.dumps(metadata))
    sharp = Recognizer.load(folder, segmenter=None).read_strokes(drawing).digits[0]
    assert plain.digit == sharp.digit
    assert plain.confidence < sharp.confidence
