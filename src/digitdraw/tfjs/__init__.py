"""The TensorFlow.js Layers format: `format` checks folders without TensorFlow (what the server
needs); `keras_io` writes Keras models into that format and reads them back."""

from .format import METADATA_FILE, MODEL_FILE, QUANTIZATIONS, SHARD_BYTES, ModelFormatError, check_folder, read_metadata
from .keras_io import load, save

__all__ = [
    "METADATA_FILE",
    "MODEL_FILE",
    "QUANTIZATIONS",
    "SHARD_BYTES",
    "ModelFormatError",
    "check_folder",
    "load",
    "read_metadata",
    "save",
]
