"""digitdraw: handwritten-digit recognition in the browser, trained with Keras.

`from digitdraw import Recognizer` is the Python API (recognizer.py). It is imported on first
use, so `import digitdraw` (and the CLI's listings) stays free of TensorFlow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .recognizer import Reading, Recognizer

__version__ = "0.1.0"
__all__ = ["Reading", "Recognizer", "__version__"]
_LAZY = {"Reading": "recognizer", "Recognizer": "recognizer"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
