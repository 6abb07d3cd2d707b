"""Write and read the TensorFlow.js Layers format (model.json + binary weight shards).

Pipeline stage 4 (export). Hand-written on purpose: the `tensorflowjs` converter pulls ~2.9 GB,
pins TF 2.19, and writes Keras 3 configs that tfjs-layers 4.x cannot parse. The format is small:
a Keras-2-style Sequential topology (`batch_input_shape`, plain "float32" dtypes) and a
`weightsManifest` of little-endian shards whose entries are matched by name (`conv1/kernel`).
A parity test against the real @tensorflow/tfjs 4.22 guards this module.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

MODEL_FILE = "model.json"
METADATA_FILE = "metadata.json"
SHARD_BYTES = 4 * 1024 * 1024  # tfjs's own default shard size
QUANTIZATIONS = ("float16", "uint8")
KERAS2_VERSION = "2.15.0"  # the topology dialect tfjs-layers 4.x understands

# Config keys each supported layer carries over; everything else (initialisers, regularisers,
# Keras 3 dtype policies) is irrelevant for inference and confuses tfjs.
LAYER_KEYS = {
    "Dense": ("units", "activation", "use_bias"),
    "Conv2D": ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
               "activation", "use_bias"),
    "MaxPooling2D": ("pool_size", "strides", "padding", "data_format"),
    "AveragePooling2D": ("pool_size", "strides", "padding", "data_format"),
    "GlobalAveragePooling2D": ("data_format",),
    "Flatten": ("data_format",),
    "Dropout": ("rate",),
    "Activation": ("activation",),
    "BatchNormalization": ("axis", "momentum", "epsilon", "center", "scale"),
}


class ModelFormatError(ValueError):
    """A model folder is broken; the message names the file and the problem."""


def _jsonable(value):
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def layer_config(layer) -> dict:
    kind = layer.__class__.__name__
    if kind not in LAYER_KEYS:
        raise ModelFormatError(f"layer {layer.name!r} is a {kind}, which the TF.js writer does not support "
                               f"(supported: {', '.join(LAYER_KEYS)})")
    source = layer.get_config()
    config = {"name": layer.name, "trainable": True, "dtype": "float32"}
    for key in LAYER_KEYS[kind]:
        if key in source:
            config[key] = _jsonable(source[key])
    if kind == "BatchNormalization" and isinstance(config.get("axis"), list):
        config["axis"] = config["axis"][0]
    return {"class_name": kind, "config": config}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _encode(values: np.ndarray, quantize: str | None) -> tuple[bytes, dict | None]:
    values = np.asarray(values, dtype=np.float32)
    if quantize is None:
        return values.astype("<f4").tobytes(), None
    if quantize == "float16":
        return values.astype("<f2").tobytes(), {"dtype": "float16", "original_dtype": "float32"}
    if quantize == "uint8":
        low, high = float(values.min()), float(values.max())
        scale = (high - low) / 255.0 or 1.0
        codes = np.clip(np.round((values - low) / scale), 0, 255).astype(np.uint8)
        return codes.tobytes(), {"dtype": "uint8", "min": low, "scale": scale, "original_dtype": "float32"}
    raise ModelFormatError(f"unknown quantisation {quantize!r}; choose one of {QUANTIZATIONS}")


def save(model, folder: Path, *, metadata: dict | None = None, quantize: str | None = None) -> None:
    """Write Keras `model` as model.json + group1-shard*.bin (+ metadata.json) into `folder`."""
    import keras  # here, not at the top: the server and CLI listings must not wait for TensorFlow

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
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
    for old in folder.glob("group1-shard*.bin"):
        old.unlink()
    paths = []
    for index in range(shard_count):
        name = f"group1-shard{index + 1}of{shard_count}.bin"
        (folder / name).write_bytes(payload[index * SHARD_BYTES:(index + 1) * SHARD_BYTES])
        paths.append(name)

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
    (folder / MODEL_FILE).write_text(json.dumps(document, indent=1))

    metadata = dict(metadata or {})
    metadata["format"] = {
        "quantization": quantize or "float32",
        "files": {path: {"bytes": (folder / path).stat().st_size, "sha256": _sha256(folder / path)}
                  for path in paths},
        "model_json_bytes": (folder / MODEL_FILE).stat().st_size,
        "weight_bytes": len(payload),
    }
    (folder / METADATA_FILE).write_text(json.dumps(metadata, indent=2))


def read_metadata(folder: Path) -> dict:
    path = Path(folder) / METADATA_FILE
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ModelFormatError(f"{path}: not valid JSON ({error})") from error


def read_model_json(folder: Path) -> dict:
    """Parse folder/model.json, checking it is a Sequential TF.js layers model."""
    path = folder / MODEL_FILE
    if not path.is_file():
        raise ModelFormatError(f"{path}: missing — a model folder needs model.json beside its weight shards")
    try:
        document = json.loads(path.read_text())
        topology = document["modelTopology"]
        manifest = document["weightsManifest"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ModelFormatError(f"{path}: not a TF.js layers model ({error!r})") from error
    if topology.get("class_name") != "Sequential":
        raise ModelFormatError(f"{path}: topology {topology.get('class_name')!r} is not supported (Sequential only)")
    return document


def _build_layer(spec: dict, path: Path):
    import keras

    kind = spec.get("class_name")
    if kind not in LAYER_KEYS:
        raise ModelFormatError(f"{path}: unknown layer type {kind!r} (supported: {', '.join(LAYER_KEYS)})")
    config = spec["config"]
    kwargs = {key: config[key] for key in LAYER_KEYS[kind] if key in config}
    return getattr(keras.layers, kind)(name=config["name"], **kwargs)


def read_shards(folder: Path, names: list[str], metadata: dict) -> list[bytes]:
    """Read weight shards, checking each against the size and SHA-256 that metadata.json records."""
    expected_files = metadata.get("format", {}).get("files", {})
    blobs = []
    for name in names:
        shard = folder / name
        if Path(name).name != name or not shard.is_file():
            raise ModelFormatError(f"{shard}: weight shard missing (listed in {MODEL_FILE})")
        blob = shard.read_bytes()
        expected = expected_files.get(name)
        if expected:
            if len(blob) != expected["bytes"]:
                raise ModelFormatError(f"{shard}: {len(blob)} bytes, metadata.json says {expected['bytes']} "
                                       "— the file is truncated or replaced; re-export the model")
            digest = hashlib.sha256(blob).hexdigest()
            if digest != expected["sha256"]:
                raise ModelFormatError(f"{shard}: SHA-256 {digest[:12]}… does not match metadata.json "
                                       f"({expected['sha256'][:12]}…) — the weights were changed; re-export")
        blobs.append(blob)
    return blobs


def _decode_weights(folder: Path, manifest: list, metadata: dict) -> dict[str, np.ndarray]:
    weights: dict[str, np.ndarray] = {}
    for group in manifest:
        chunks = read_shards(folder, group["paths"], metadata)
        payload = b"".join(chunks)
        offset = 0
        for entry in group["weights"]:
            shape = tuple(entry["shape"])
            count = int(np.prod(shape, dtype=np.int64))
            quantization = entry.get("quantization") or {}
            kind = quantization.get("dtype", entry.get("dtype", "float32"))
            width = {"float32": 4, "float16": 2, "uint8": 1}.get(kind)
            if width is None:
                raise ModelFormatError(f"{folder / MODEL_FILE}: weight {entry['name']} has unsupported dtype {kind!r}")
            end = offset + count * width
            if end > len(payload):
                raise ModelFormatError(f"{folder / group['paths'][-1]}: too short — weight {entry['name']} needs bytes "
                                       f"{offset}..{end}, the shards hold {len(payload)}")
            raw = np.frombuffer(payload[offset:end], dtype={"float32": "<f4", "float16": "<f2", "uint8": "u1"}[kind])
            values = raw.astype(np.float32)
            if kind == "uint8":
                values = quantization["min"] + quantization["scale"] * values
            weights[entry["name"]] = values.reshape(shape)
            offset = end
        if offset != len(payload):
            raise ModelFormatError(f"{folder / group['paths'][-1]}: {len(payload) - offset} bytes left over after "
                                   "the last weight — the shard does not belong to this model.json")
    return weights


def load(folder: str | Path):
    """Load a TF.js Layers folder back into a Keras model, checking every weight against the topology."""
    import keras

    folder = Path(folder)
    if not folder.is_dir():
        raise ModelFormatError(f"{folder}: not a folder")
    document = read_model_json(folder)
    path = folder / MODEL_FILE
    specs = document["modelTopology"]["config"]["layers"]
    if not specs or "batch_input_shape" not in specs[0]["config"]:
        raise ModelFormatError(f"{path}: the first layer has no batch_input_shape")
    input_shape = tuple(specs[0]["config"]["batch_input_shape"][1:])
    layers = [_build_layer(spec, path) for spec in specs]
    model = keras.Sequential([keras.Input(shape=input_shape), *layers],
                             name=document["modelTopology"]["config"].get("name", "model"))
    weights = _decode_weights(folder, document["weightsManifest"], read_metadata(folder))
    used = set()
    for layer in model.layers:
        values = []
        for variable in layer.weights:
            name = f"{layer.name}/{variable.name}"
            if name not in weights:
                raise ModelFormatError(f"{path}: weight {name} is missing from the manifest")
            if tuple(weights[name].shape) != tuple(variable.shape):
                raise ModelFormatError(f"{path}: weight {name} has shape {list(weights[name].shape)}, "
                                       f"the layer needs {list(variable.shape)}")
            values.append(weights[name])
            used.add(name)
        if values:
            layer.set_weights(values)
    extra = sorted(set(weights) - used)
    if extra:
        raise ModelFormatError(f"{path}: weights {extra} belong to no layer of the topology")
    return model
