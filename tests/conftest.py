import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

from digitdraw.preprocess import to_model_input

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"
if not os.environ.get("DIGITDRAW_DATA") and SHARED_MNIST.is_dir():
    os.environ["DIGITDRAW_DATA"] = str(SHARED_MNIST)  # as the Makefile does, for a bare `pytest`


@pytest.fixture(scope="session")
def mnist():
    """The real MNIST (from $DIGITDRAW_DATA, set by the Makefile and .ci/run, or the user cache)."""
    from digitdraw import data

    return data.load_mnist()


@pytest.fixture(scope="session")
def test_sample(mnist):
    """200 real MNIST test digits, spread over the file, as model input."""
    index = np.linspace(0, len(mnist.test) - 1, 200).astype(int)
    return to_model_input(mnist.test.images[index]), mnist.test.labels[index]


@pytest.fixture(scope="session")
def golden_generator():
    """Load tests/golden/generate_NAME.py, a script beside the vectors it writes, as a module."""

    def load(name: str):
        path = ROOT / "tests" / "golden" / f"generate_{name}.py"
        spec = importlib.util.spec_from_file_location(f"generate_{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
