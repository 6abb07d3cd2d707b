"""Find model folders: the bundled ones, or any folder of TF.js Layers models.

Each folder is checked the way the browser will need it (tfjs/format.py) without loading
TensorFlow, so the server starts fast, a broken model is reported and left out instead of
failing on first use, and whatever is listed loads in the page. `Catalog` re-checks a folder
whenever its files change, so a model re-exported while the server runs is served under its
new version.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from .. import calibration
from ..config import DEFAULT_MODEL
from ..models import RECIPES
from ..tfjs import MODEL_FILE, ModelFormatError, check_folder

BUNDLED_DIR = Path(__file__).resolve().parents[1] / "bundled"


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: Path
    metadata: dict
    version: str  # changes whenever model.json or a shard does
    size_bytes: int  # what the browser downloads: model.json and the shards

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
            "temperature": calibration.temperature_in(meta),
            "version": self.version,
        }


def inspect(folder: Path) -> ModelInfo:
    """Check one model folder; raises ModelFormatError naming the file and the problem."""
    checked = check_folder(folder)
    size = sum((folder / name).stat().st_size for name in [MODEL_FILE, *checked.shard_names])
    return ModelInfo(folder.name, folder, checked.metadata, checked.version, size)


def problem_text(folder: Path, error: ModelFormatError) -> str:
    """The problem as the folder's name and the file inside it: no server paths."""
    try:  # absolute(), not resolve(): a shard that links elsewhere is still named by its own name
        relative = error.path.absolute().relative_to(folder.absolute())
        where = folder.name if str(relative) == "." else f"{folder.name}/{relative}"
    except ValueError:
        where = folder.name
    return f"{where}: {error.reason}"


def _default_rank(name: str) -> tuple[int, str]:
    """The configured default first, then the registry's order, then the rest by name."""
    order = [DEFAULT_MODEL, *[n for n in RECIPES if n != DEFAULT_MODEL]]
    return (order.index(name) if name in order else len(order), name)


def scan(directory: Path = BUNDLED_DIR) -> tuple[list[ModelInfo], list[str]]:
    """All valid models below `directory` (one level), default first, and the problems found."""
    directory = Path(directory)
    if not directory.is_dir():
        return [], [f"{directory.name}: models folder does not exist"]
    models, problems = [], []
    for folder in sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            models.append(inspect(folder))
        except ModelFormatError as error:
            problems.append(problem_text(folder, error))
        except OSError as error:
            problems.append(f"{folder.name}: cannot be read ({error.strerror or error})")
    models.sort(key=lambda m: _default_rank(m.name))
    return models, problems


def resolve(name_or_path: str, directory: Path = BUNDLED_DIR) -> Path:
    """A bundled model's name, or a folder path → the folder."""
    candidate = Path(name_or_path)
    if candidate.is_dir():
        return candidate
    bundled = Path(directory) / name_or_path
    if bundled.is_dir() and not name_or_path.startswith("."):
        return bundled
    names = ", ".join(m.name for m in scan(directory)[0]) or "none"
    raise ModelFormatError(candidate, f"no such model: not a folder, and not a bundled model ({names})")


def _signature(directory: Path) -> tuple:
    """Cheap fingerprint of every file one level below `directory`: names, sizes and mtimes."""
    entries = []
    try:
        with os.scandir(directory) as folders:
            for folder in folders:
                if not folder.is_dir() or folder.name.startswith("."):
                    continue
                entries.append((folder.name, folder.stat().st_mtime_ns))
                with os.scandir(folder.path) as files:
                    entries += [(folder.name, f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files]
    except OSError:
        return ("unreadable",)
    return tuple(sorted(entries, key=str))


class Catalog:
    """The models in a folder, re-checked when the files change (a few stat calls per look)."""

    def __init__(self, directory: Path = BUNDLED_DIR):
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._seen: tuple | None = None
        self._state: tuple[list[ModelInfo], list[str]] = ([], [])

    def current(self) -> tuple[list[ModelInfo], list[str]]:
        """(models, problems) as the folder is now; rescans only when something changed."""
        signature = _signature(self.directory)
        with self._lock:
            if signature != self._seen:
                self._state = scan(self.directory)
                self._seen = signature
            return self._state

    def find(self, name: str) -> ModelInfo | None:
        return next((m for m in self.current()[0] if m.name == name), None)
