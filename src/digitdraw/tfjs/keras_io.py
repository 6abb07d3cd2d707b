"""Write a Keras model as a TF.js Layers folder, and read one back into Keras.

Hand-written on purpose: the `tensorflowjs` converter pulls ~2.9 GB, pins TF 2.19, and writes
Keras 3 configs that tfjs-layers 4.x cannot parse. The format is small: a Keras-2-style
Sequential topology (`batch_input_shape`, plain "float32" dtypes) and a `weightsManifest` of
little-endian shards whose entries are matched by name (`conv1/kernel`). A parity test against
the real @tensorflow/tfjs 4.22 guards this module. Keras is imported inside the functions: the
server and the CLI's listings must not wait for TensorFlow.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .format import (
    LAYER_KEYS,
    METADATA_FILE,
    MODEL_FILE,
    QUANTIZATIONS,
    SHARD_BYTES,
    ModelFormatError,
    check_folder,
    read_weight_bytes,
    sha256_of,
)

KERAS2_VERSION = "2.15.0"  # the topology dialect tfjs-layers 4.x understands
STORED_AS = {"float32": "<f4", "float16": "<f2", "uint8": "u1"}


def _jsonable(value):
    return [_jsonable(v) for v in value] if isinstance(value, (tuple, list)) else value


def layer_config(layer) -> dict:
    kind = layer.__class__.__name__
    if kind not in LAYER_KEYS:
        raise ModelFormatError(
            Path(MODEL_FILE),
            f"layer {layer.name!r} is a {kind}, which the TF.js writer does "
            f"not support (supported: {', '.join(LAYER_KEYS)})",
        )
    source = layer.get_config()
    config = {"name": layer.name, "trainable": True, "dtype": "float32"}
    for key in LAYER_KEYS[kind]:
        if key in source:
            config[key] = _jsonable(source[key])
    if kind == "BatchNormalization" and isinstance(config.get("axis"), list):
        config["axis"] = config["axis"][0]
    return {"class_name": kind, "config": config}


def _encode(values: np.ndarray, quantize: str | None) -> tuple[bytes, dict | None]:
    values = np.asarray(values, dtype=np.float32)
    if quantize in (None, "float32"):
        return values.astype("<f4").tobytes(), None
    if quantize == "float16":
        return values.astype("<f2").tobytes(), {"dtype": "float16", "original_dtype": "float32"}
    if quantize == "uint8":
        low, high = float(values.min()), float(values.max())
        scale = (high - low) / 255.0 or 1.0
        codes = np.clip(np.round((values - low) / scale), 0, 255).astype(np.uint8)
        return codes.tobytes(), {"dtype": "uint8", "min": low, "scale": scale, "original_dtype": "float32"}
    raise ValueError(f"unknown quantisation {quantize!r}; choose one of {QUANTIZATIONS} or float32")


def _write_folder(model, folder: Path, metadata: dict | None, quantize: str | None) -> None:
    import keras

    input_shape = [None, *model.inputs[0].shape[1:]]
    layer_configs, entries, blobs = [], [], []
    for index, layer in enumerate(model.layers):
        config = layer_config(layer)
        if index == 0:
            config["config"]["batch_input_shape"] = input_shape
        layer_configs.append(config)
        for variable in layer.weights:
            blob, quantization = _encode(keras.ops.convert_to_numpy(variable), quantize)
            entry = {"name": f"{layer.name}/{variable.name}", "shape": list(variable.shape), "dtype": "float32"}
            if quantization:
                entry["quantization"] = quantization
            entries.append(entry)
            blobs.append(blob)

    payload = b"".join(blobs)
    shard_count = max(1, -(-len(payload) // SHARD_BYTES))
    paths = [f"group1-shard{index + 1}of{shard_count}.bin" for index in range(shard_count)]
    for index, name in enumerate(paths):
        (folder / name).write_bytes(payload[index * SHARD_BYTES : (index + 1) * SHARD_BYTES])

    document = {
        "format": "layers-model",
        "generatedBy": f"keras v{keras.__version__}",
        "convertedBy": "digitdraw tfjs writer",
        "modelTopology": {
            "class_name": "Sequential",
            "config": {"name": model.name, "layers": layer_configs},
            "keras_version": KERAS2_VERSION,
            "backend": "tensorflow",
        },
        "weightsManifest": [{"paths": paths, "weights": entries}],
    }
    (folder / MODEL_FILE).write_text(json.dumps(document, indent=1), encoding="utf-8")
    metadata = dict(metadata or {})
    metadata["format"] = {
        "quantization": quantize or "float32",
        "files": {
            path: {"bytes": (folder / path).stat().st_size, "sha256": sha256_of(folder / path)} for path in paths
        },
        "model_json_bytes": (folder / MODEL_FILE).stat().st_size,
        "weight_bytes": len(payload),
    }
    (folder / METADATA_FILE).write_text(json.dumps(metadata, indent=2), encoding="utf-8")


def save(model, folder: str | Path, *, metadata: dict | None = None, quantize: str | None = None) -> None:
    """Write Keras `model` as model.json + group1-shard*.bin + metadata.json into `folder`.

    Atomic: everything is written to a temporary folder beside `folder`, checked, and only then
    swapped in, so a failure at any point (a full disk, Ctrl-C) leaves the old model as it was.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".new", dir=folder.parent))
    try:
        _write_folder(model, staging, metadata, quantize)
        check_folder(staging)
        _swap_in(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_in(staging: Path, folder: Path) -> None:
    """Replace `folder` with `staging`: two renames, with the old folder kept until the second one worked."""
    if not folder.exists():
        staging.rename(folder)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".old", dir=folder.parent))
    retired.rmdir()
    folder.rename(retired)
    try:
        staging.rename(folder)
    except BaseException:
        retired.rename(folder)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _decode(spec, blob: bytes) -> np.ndarray:
    values = np.frombuffer(blob, dtype=STORED_AS[spec.storage]).astype(np.float32)
    if spec.storage == "uint8":
        values = spec.quantization["min"] + spec.quantization["scale"] * values
    return values.reshape(spec.shape)


def load(folder: str | Path):
    """Load a TF.js Layers folder back into a Keras model, after the checks the browser would need."""
    import keras

    checked = check_folder(folder)
    specs = checked.layers
    input_shape = tuple(specs[0]["config"]["batch_input_shape"][1:])
    layers = []
    for spec in specs:
        config = spec["config"]
        kwargs = {key: config[key] for key in LAYER_KEYS[spec["class_name"]] if key in config}
        layers.append(getattr(keras.layers, spec["class_name"])(name=config["name"], **kwargs))
    model = keras.Sequential(
        [keras.Input(shape=input_shape), *layers], name=checked.document["modelTopology"]["config"].get("name", "model")
    )
    stored = read_weight_bytes(checked)
    for layer in model.layers:
        values = [_decode(*stored[f"{layer.name}/{variable.name}"]) for variable in layer.weights]
        if values:
            layer.set_weights(values)
    return model
