"""Find model folders: the bundled ones, or any folder of TF.js Layers models.

Checks each folder the way a browser would need it (model.json parses, every shard is there
with the size and SHA-256 metadata.json records) without loading TensorFlow, so the server
starts fast and a broken model is reported and left out instead of failing on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import tfjs
from .tfjs import METADATA_FILE, MODEL_FILE, ModelFormatError

BUNDLED_DIR = Path(__file__).parent / "bundled"
DEFAULT_ORDER = ("robust-cnn", "cnn", "keras-cnn", "mlp")  # the first one present is the page's default


@dataclass
class ModelInfo:
    name: str
    path: Path
    metadata: dict = field(default_factory=dict)

    @property
    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.path.iterdir() if f.is_file() and f.name != METADATA_FILE)

    def summary(self) -> dict:
        meta = self.metadata
        return {
            "name": self.name,
            "description": meta.get("description", ""),
            "path": str(self.path),
            "test_accuracy": meta.get("test_accuracy"),
            "parameters": meta.get("parameters"),
            "size_bytes": self.size_bytes,
            "quantization": meta.get("format", {}).get("quantization", "float32"),
            "input": meta.get("input", {}),
        }


def check_folder(folder: Path) -> ModelInfo:
    """Validate a model folder without TensorFlow; raise ModelFormatError naming file and problem."""
    document = tfjs.read_model_json(folder)
    metadata = tfjs.read_metadata(folder)
    tfjs.read_shards(folder, [p for group in document["weightsManifest"] for p in group["paths"]], metadata)
    return ModelInfo(metadata.get("name", folder.name), folder, metadata)


def scan(directory: Path = BUNDLED_DIR) -> tuple[list[ModelInfo], list[str]]:
    """All valid models below `directory` (one level), in default order, and the problems found."""
    models, problems = [], []
    if not directory.is_dir():
        return [], [f"{directory}: models folder does not exist"]
    for folder in sorted(p for p in directory.iterdir() if p.is_dir()):
        if not (folder / MODEL_FILE).exists() and not any(folder.iterdir()):
            continue
        try:
            info = check_folder(folder)
            info.name = folder.name
            models.append(info)
        except ModelFormatError as error:
            problems.append(str(error))
    rank = {name: index for index, name in enumerate(DEFAULT_ORDER)}
    models.sort(key=lambda m: (rank.get(m.name, len(rank)), m.name))
    return models, problems


def resolve(name_or_path: str, directory: Path = BUNDLED_DIR) -> Path:
    """A bundled model's name, or a folder path → the folder."""
    candidate = Path(name_or_path)
    if candidate.is_dir():
        return candidate
    bundled = directory / name_or_path
    if bundled.is_dir():
        return bundled
    names = ", ".join(m.name for m in scan(directory)[0]) or "none"
    raise ModelFormatError(f"no model called {name_or_path!r}: not a folder, and not a bundled model ({names})")
