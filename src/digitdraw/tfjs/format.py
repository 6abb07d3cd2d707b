"""The TensorFlow.js Layers format on disk, checked the way tfjs-layers 4.x will read it.

No TensorFlow here: this is what the server needs to decide, at start-up and whenever a folder
changes, whether the browser can load a model. A folder passes only if model.json parses as a
Sequential topology of layer classes tfjs knows, every weight in the manifest has the shape
those layers will ask for, and every shard is a regular file inside the folder with the size
(checked before reading) and SHA-256 that metadata.json records.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

MODEL_FILE = "model.json"
METADATA_FILE = "metadata.json"
SHARD_BYTES = 4 * 1024 * 1024  # tfjs's own default shard size
QUANTIZATIONS = ("float16", "uint8")
DTYPE_BYTES = {"float32": 4, "float16": 2, "uint8": 1}
MAX_JSON_BYTES = 4 * 1024 * 1024  # a model.json or metadata.json larger than this is not ours

# Config keys each supported layer carries; everything else (initialisers, regularisers, Keras 3
# dtype policies) is irrelevant for inference and confuses tfjs.
LAYER_KEYS = {
    "Dense": ("units", "activation", "use_bias"),
    "Conv2D": (
        "filters",
        "kernel_size",
        "strides",
        "padding",
        "data_format",
        "dilation_rate",
        "activation",
        "use_bias",
    ),
    "MaxPooling2D": ("pool_size", "strides", "padding", "data_format"),
    "AveragePooling2D": ("pool_size", "strides", "padding", "data_format"),
    "GlobalAveragePooling2D": ("data_format",),
    "Flatten": ("data_format",),
    "Dropout": ("rate",),
    "Activation": ("activation",),
    "BatchNormalization": ("axis", "momentum", "epsilon", "center", "scale"),
}
# The activations tfjs-layers 4.22 can deserialise.
ACTIVATIONS = {
    "elu",
    "hard_sigmoid",
    "linear",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "softmax",
    "softplus",
    "softsign",
    "tanh",
    "swish",
    "mish",
    "gelu",
    "gelu_new",
}


class ModelFormatError(ValueError):
    """A model folder is broken. `path` is the file at fault, `reason` what is wrong with it."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


@dataclass(frozen=True)
class WeightSpec:
    name: str
    shape: tuple[int, ...]
    storage: str  # how the bytes are stored: float32, float16 or uint8
    quantization: dict

    @property
    def byte_count(self) -> int:
        return math.prod(self.shape) * DTYPE_BYTES[self.storage]


@dataclass(frozen=True)
class WeightGroup:
    paths: tuple[str, ...]
    weights: tuple[WeightSpec, ...]

    @property
    def byte_count(self) -> int:
        return sum(w.byte_count for w in self.weights)


@dataclass(frozen=True)
class ModelFolder:
    """A checked folder: its topology, its weight groups and its metadata."""

    folder: Path
    document: dict
    groups: tuple[WeightGroup, ...]
    metadata: dict
    version: str  # follows the files: a hash of model.json and every shard's SHA-256

    @property
    def layers(self) -> list[dict]:
        return self.document["modelTopology"]["config"]["layers"]

    @property
    def shard_names(self) -> list[str]:
        return [name for group in self.groups for name in group.paths]


# ---- reading JSON safely --------------------------------------------------------------------


def read_json(path: Path):
    """Parse a small UTF-8 JSON file; any problem is a ModelFormatError naming the file."""
    try:
        size = path.stat().st_size
        if size > MAX_JSON_BYTES:
            raise ModelFormatError(path, f"{size} bytes, more than a model's JSON can be ({MAX_JSON_BYTES})")
        return json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ModelFormatError(path, f"not UTF-8 text ({error.reason} at byte {error.start})") from error
    except json.JSONDecodeError as error:
        raise ModelFormatError(path, f"not valid JSON ({error.msg}, line {error.lineno})") from error
    except OSError as error:
        raise ModelFormatError(path, f"cannot be read ({error.strerror or error})") from error


def _expect(condition: bool, path: Path, reason: str) -> None:
    if not condition:
        raise ModelFormatError(path, reason)


def read_metadata(folder: Path) -> dict:
    """metadata.json as a dict ({} when there is none), with its `format.files` entries checked."""
    path = Path(folder) / METADATA_FILE
    if not path.exists():
        return {}
    metadata = read_json(path)
    _expect(isinstance(metadata, dict), path, f"must hold a JSON object, not {type(metadata).__name__}")
    written = metadata.get("format", {})  # what the writer records; a hand-written file may lack it
    files = written.get("files", {}) if isinstance(written, dict) else None
    _expect(isinstance(files, dict), path, "`format` must be an object whose `files` is an object")
    for name, entry in files.items():
        _expect(
            isinstance(entry, dict)
            and isinstance(entry.get("bytes"), int)
            and entry["bytes"] >= 0
            and isinstance(entry.get("sha256"), str),
            path,
            f"files entry {name!r} needs a byte count `bytes` and a `sha256` — re-export the model",
        )
    return metadata


def _weight_spec(entry, path: Path) -> WeightSpec:
    _expect(
        isinstance(entry, dict) and isinstance(entry.get("name"), str),
        path,
        f"weightsManifest entry {entry!r:.80} has no name",
    )
    name = entry["name"]
    shape = entry.get("shape")
    _expect(
        isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape),
        path,
        f"weight {name} has no valid shape ({shape!r:.40})",
    )
    quantization = entry.get("quantization") or {}
    _expect(isinstance(quantization, dict), path, f"weight {name}: quantization must be an object")
    storage = quantization.get("dtype", entry.get("dtype", "float32"))
    _expect(storage in DTYPE_BYTES, path, f"weight {name} has unsupported dtype {storage!r}")
    if storage == "uint8":
        _expect(
            all(isinstance(quantization.get(k), (int, float)) for k in ("min", "scale")),
            path,
            f"weight {name}: uint8 quantization needs numeric `min` and `scale`",
        )
    return WeightSpec(name, tuple(shape), storage, quantization)


def read_model_json(folder: Path) -> tuple[dict, tuple[WeightGroup, ...]]:
    """Parse folder/model.json, checking it is a Sequential TF.js layers model with a usable manifest."""
    path = Path(folder) / MODEL_FILE
    _expect(path.is_file(), path, "missing — a model folder needs model.json beside its weight shards")
    document = read_json(path)
    _expect(
        isinstance(document, dict)
        and isinstance(document.get("modelTopology"), dict)
        and isinstance(document.get("weightsManifest"), list),
        path,
        "not a TF.js layers model (needs `modelTopology` and `weightsManifest`)",
    )
    topology = document["modelTopology"]
    _expect(
        topology.get("class_name") == "Sequential",
        path,
        f"topology {topology.get('class_name')!r} is not supported (Sequential only)",
    )
    layers = topology.get("config", {}).get("layers") if isinstance(topology.get("config"), dict) else None
    _expect(isinstance(layers, list) and len(layers) > 0, path, "the topology has no list of layers")
    for spec in layers:
        _expect(
            isinstance(spec, dict)
            and isinstance(spec.get("config"), dict)
            and isinstance(spec["config"].get("name"), str),
            path,
            f"layer {spec!r:.80} has no config and name",
        )
    groups = []
    for group in document["weightsManifest"]:
        _expect(
            isinstance(group, dict)
            and isinstance(group.get("paths"), list)
            and group["paths"]
            and all(isinstance(p, str) for p in group["paths"])
            and isinstance(group.get("weights"), list),
            path,
            "a weightsManifest group needs a list of shard `paths` and a list of `weights`",
        )
        groups.append(WeightGroup(tuple(group["paths"]), tuple(_weight_spec(w, path) for w in group["weights"])))
    return document, tuple(groups)


# ---- the topology as tfjs-layers builds it --------------------------------------------------


def _pair(value, name: str, path: Path) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value) if isinstance(value, list) else ()
    _expect(
        len(pair) == 2 and all(isinstance(v, int) and v > 0 for v in pair),
        path,
        f"{name} must be a positive integer or a pair of them, not {value!r}",
    )
    return pair


def _spatial(size: int, window: int, stride: int, dilation: int, padding: str) -> int:
    if padding == "same":
        return -(-size // stride)
    return (size - (window - 1) * dilation - 1) // stride + 1


def _layer_weights(kind: str, config: dict, shape: tuple, path: Path) -> tuple[tuple, dict[str, tuple]]:
    """(output shape without batch, {weight name: shape}) of one layer, as tfjs-layers computes them."""
    name = config["name"]
    if config.get("data_format", "channels_last") != "channels_last":
        raise ModelFormatError(path, f"layer {name!r}: only channels_last data is supported")
    if "activation" in config:
        _expect(
            config["activation"] in ACTIVATIONS, path, f"layer {name!r}: unknown activation {config['activation']!r}"
        )
    if "padding" in config:
        _expect(config["padding"] in ("valid", "same"), path, f"layer {name!r}: padding {config['padding']!r}")
    if kind == "Dense":
        units = config.get("units")
        _expect(isinstance(units, int) and units > 0 and len(shape) >= 1, path, f"layer {name!r}: bad Dense units")
        weights = {"kernel": (shape[-1], units)} | ({"bias": (units,)} if config.get("use_bias", True) else {})
        return (*shape[:-1], units), weights
    if kind in ("Dropout", "Activation"):
        return shape, {}
    if kind == "Flatten":
        return (math.prod(shape),), {}
    _expect(len(shape) == 3, path, f"layer {name!r} ({kind}) needs height × width × channels input, gets {list(shape)}")
    height, width, channels = shape
    if kind == "BatchNormalization":
        _expect(config.get("axis", -1) in (-1, 3), path, f"layer {name!r}: only the channel axis is supported")
        weights = ({"gamma": (channels,)} if config.get("scale", True) else {}) | (
            {"beta": (channels,)} if config.get("center", True) else {}
        )
        return shape, weights | {"moving_mean": (channels,), "moving_variance": (channels,)}
    if kind == "GlobalAveragePooling2D":
        return (channels,), {}
    padding = config.get("padding", "valid")
    if kind == "Conv2D":
        filters = config.get("filters")
        _expect(isinstance(filters, int) and filters > 0, path, f"layer {name!r}: bad filter count {filters!r}")
        kernel = _pair(config.get("kernel_size"), f"layer {name!r} kernel_size", path)
        strides = _pair(config.get("strides", 1), f"layer {name!r} strides", path)
        dilation = _pair(config.get("dilation_rate", 1), f"layer {name!r} dilation_rate", path)
        out = tuple(_spatial(s, k, st, d, padding) for s, k, st, d in zip((height, width), kernel, strides, dilation))
        weights = {"kernel": (*kernel, channels, filters)} | (
            {"bias": (filters,)} if config.get("use_bias", True) else {}
        )
        result = (*out, filters)
    else:  # pooling
        pool = _pair(config.get("pool_size", 2), f"layer {name!r} pool_size", path)
        strides = _pair(config.get("strides") or pool, f"layer {name!r} strides", path)
        out = tuple(_spatial(s, k, st, 1, padding) for s, k, st in zip((height, width), pool, strides))
        weights, result = {}, (*out, channels)
    _expect(all(d > 0 for d in out), path, f"layer {name!r}: its input {list(shape)} is too small")
    return result, weights


def expected_weights(layers: list[dict], path: Path) -> dict[str, tuple[int, ...]]:
    """Every weight tfjs-layers will look for in the manifest, by name, with its shape."""
    input_shape = layers[0]["config"].get("batch_input_shape")
    _expect(
        isinstance(input_shape, list)
        and len(input_shape) >= 2
        and all(isinstance(d, int) and d > 0 for d in input_shape[1:]),
        path,
        "the first layer needs a batch_input_shape like [null, 28, 28, 1]",
    )
    shape, expected = tuple(input_shape[1:]), {}
    for spec in layers:
        kind, config = spec.get("class_name"), spec["config"]
        _expect(kind in LAYER_KEYS, path, f"unknown layer type {kind!r} (supported: {', '.join(LAYER_KEYS)})")
        shape, weights = _layer_weights(kind, config, shape, path)
        expected |= {f"{config['name']}/{weight}": tuple(dims) for weight, dims in weights.items()}
    return expected


def check_manifest(document: dict, groups: tuple[WeightGroup, ...], path: Path) -> None:
    """Names and shapes of the manifest's weights against what the topology's layers need."""
    expected = expected_weights(document["modelTopology"]["config"]["layers"], path)
    found = {w.name: w for group in groups for w in group.weights}
    for name, shape in expected.items():
        _expect(name in found, path, f"weight {name} is missing from the manifest")
        _expect(
            found[name].shape == shape,
            path,
            f"weight {name} has shape {list(found[name].shape)}, the layer needs {list(shape)}",
        )
    extra = sorted(set(found) - set(expected))
    _expect(not extra, path, f"weights {extra} belong to no layer of the topology")


# ---- shards ---------------------------------------------------------------------------------


def shard_path(folder: Path, name: str) -> Path:
    """A shard named in model.json: a plain file name, a regular file, not a link out of the folder."""
    shard = folder / name
    _expect(
        Path(name).name == name and name not in ("", ".", ".."),
        folder / MODEL_FILE,
        f"shard name {name!r} is not a plain file name",
    )
    _expect(not shard.is_symlink(), shard, "a weight shard must be a regular file, not a link")
    _expect(shard.is_file(), shard, f"weight shard missing (listed in {MODEL_FILE})")
    return shard


def check_shards(folder: Path, groups: tuple[WeightGroup, ...], metadata: dict) -> dict[str, str]:
    """Sizes first (from the file system, before reading a byte), then SHA-256 against what metadata.json
    records; returns every shard's SHA-256 by name."""
    recorded = metadata.get("format", {}).get("files", {})
    digests = {}
    for group in groups:
        shards = [shard_path(folder, name) for name in group.paths]
        sizes = [shard.stat().st_size for shard in shards]
        for shard, size in zip(shards, sizes):
            expected = recorded.get(shard.name)
            if expected and size != expected["bytes"]:
                raise ModelFormatError(
                    shard,
                    f"{size} bytes, metadata.json says {expected['bytes']} "
                    "— the file is truncated or replaced; re-export the model",
                )
        if sum(sizes) < group.byte_count:
            raise ModelFormatError(
                shards[-1], f"too short — the weights need {group.byte_count} bytes, the shards hold {sum(sizes)}"
            )
        if sum(sizes) > group.byte_count:
            raise ModelFormatError(
                shards[-1],
                f"{sum(sizes) - group.byte_count} bytes left over after the last "
                "weight — the shard does not belong to this model.json",
            )
        for shard in shards:
            digests[shard.name] = digest = sha256_of(shard)
            expected = recorded.get(shard.name)
            if expected and digest != expected["sha256"]:
                raise ModelFormatError(
                    shard,
                    f"SHA-256 {digest[:12]}… does not match metadata.json "
                    f"({expected['sha256'][:12]}…) — the weights were changed; re-export",
                )
    return digests


def check_folder(folder: str | Path) -> ModelFolder:
    """Everything the browser will need from a model folder, checked; raises ModelFormatError."""
    folder = Path(folder)
    _expect(folder.is_dir(), folder, "not a folder")
    document, groups = read_model_json(folder)
    metadata = read_metadata(folder)
    check_manifest(document, groups, folder / MODEL_FILE)
    digests = check_shards(folder, groups, metadata)
    version = hashlib.sha256(json.dumps([document, digests], sort_keys=True).encode()).hexdigest()[:16]
    return ModelFolder(folder, document, groups, metadata, version)


def read_weight_bytes(checked: ModelFolder) -> dict[str, tuple[WeightSpec, bytes]]:
    """Each weight's stored bytes, by name, from a checked folder's shards."""
    out = {}
    for group in checked.groups:
        payload = b"".join((checked.folder / name).read_bytes() for name in group.paths)
        offset = 0
        for spec in group.weights:
            out[spec.name] = (spec, payload[offset : offset + spec.byte_count])
            offset += spec.byte_count
    return out


def sha256_of(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()
