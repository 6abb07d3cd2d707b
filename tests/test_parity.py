"""Parity: the exported files in real @tensorflow/tfjs 4.22 (Node, the page's WASM backend) give Keras's answers."""

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from digitdraw import adapt, tfjs
from digitdraw.app import catalog

ROOT = Path(__file__).resolve().parents[1]

NODE_SCRIPT = ROOT / "tests" / "js" / "tfjs_predict.mjs"


def tfjs_probabilities(model_dir, images, tmp_path) -> dict:
    inputs = tmp_path / "inputs.f32"
    inputs.write_bytes(images.astype("<f4").tobytes())
    result = subprocess.run(
        ["node", str(NODE_SCRIPT), str(model_dir), str(inputs)], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    output["probabilities"] = np.array(output["probabilities"], dtype=np.float32).reshape(len(images), -1)
    return output


def bundled_names():
    return [m.name for m in catalog.scan()[0]]


@pytest.mark.parametrize("name", bundled_names())
def test_tfjs_matches_keras_on_real_mnist(name, test_sample, tmp_path):
    images, labels = test_sample
    folder = catalog.resolve(name)
    keras_probabilities = tfjs.load(folder).predict(images, verbose=0)
    output = tfjs_probabilities(folder, images, tmp_path)
    assert output["version"] == "4.22.0"
    assert output["backend"] == "wasm", "the page's backend"
    assert output["leaked_tensors"] == 0, "a prediction must not leak tensors"
    difference = np.abs(output["probabilities"] - keras_probabilities).max()
    assert difference <= 1e-5, f"max abs difference {difference:.2e}"
    assert np.array_equal(output["probabilities"].argmax(1), keras_probabilities.argmax(1))
    assert (keras_probabilities.argmax(1) == labels).mean() > 0.95
    # The features writer adaptation compares (adapt.feature_model ≡ Classifier.predictWithFeatures).
    keras_features, _ = adapt.feature_model(tfjs.load(folder))(images, training=False)
    assert np.abs(np.array(output["features"]) - np.asarray(keras_features)).max() <= 1e-4
    assert np.abs(np.array(output["feature_probabilities"]) - keras_probabilities).max() <= 1e-5


@pytest.mark.parametrize("quantize", ["float16", "uint8"])
def test_quantised_model_in_tfjs(quantize, test_sample, tmp_path):
    """tfjs decodes our quantised shards as our reader does; accuracy change reported in the bench."""
    images, labels = test_sample
    source = catalog.resolve(bundled_names()[0])
    model = tfjs.load(source)
    tfjs.save(model, tmp_path / quantize, quantize=quantize)
    python_side = tfjs.load(tmp_path / quantize).predict(images, verbose=0)
    output = tfjs_probabilities(tmp_path / quantize, images, tmp_path)
    assert np.abs(output["probabilities"] - python_side).max() <= 1e-5
    full = (model.predict(images, verbose=0).argmax(1) == labels).mean()
    quantised = (output["probabilities"].argmax(1) == labels).mean()
    assert abs(full - quantised) <= 0.01
