"""MNIST: find, verify, download and parse the four official IDX files.

Pipeline stage 1 (data). Everything returned is uint8, exactly as stored in the files;
scaling to [0, 1] happens in one place, preprocess.to_model_input.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# The official files and their MD5s (the values published with the data set).
FILES = {
    "train_images": ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    "train_labels": ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
    "test_images": ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
    "test_labels": ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
}
EXPECTED_COUNTS = {"train": 60_000, "test": 10_000}
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
VALIDATION_SIZE = 5_000  # the last 5,000 training images; the test set is never used for choices
IMAGE_MAGIC = 0x00000803  # unsigned byte, 3 dimensions
LABEL_MAGIC = 0x00000801  # unsigned byte, 1 dimension
DOWNLOAD_ATTEMPTS = 3


class DataError(RuntimeError):
    """MNIST could not be found, verified or parsed; the message says what to do."""


@dataclass(frozen=True)
class Split:
    images: np.ndarray  # (n, 28, 28) uint8, ink high
    labels: np.ndarray  # (n,) uint8

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class Mnist:
    train: Split
    validation: Split
    test: Split
    md5: dict[str, str]


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("digitdraw")) / "mnist"


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """`--data-dir`, then `$DIGITDRAW_DATA`, then the per-user cache."""
    chosen = data_dir or os.environ.get("DIGITDRAW_DATA")
    return Path(chosen) if chosen else default_cache_dir()


def md5_of(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, expected_md5: str) -> None:
    actual = md5_of(path)
    if actual != expected_md5:
        raise DataError(
            f"{path}: MD5 is {actual}, expected {expected_md5} — the file is corrupt or truncated. "
            "Delete it and run `digitdraw data` again to fetch a fresh copy."
        )


def parse_idx(raw: bytes, magic: int, name: str) -> np.ndarray:
    """Parse a decompressed IDX file, checking magic, dimensions and length."""
    if len(raw) < 8:
        raise DataError(f"{name}: only {len(raw)} bytes, too short for an IDX header")
    (found_magic,) = struct.unpack(">I", raw[:4])
    if found_magic != magic:
        raise DataError(f"{name}: wrong magic number 0x{found_magic:08x}, expected 0x{magic:08x}")
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{name}: header truncated ({len(raw)} bytes, need {header})")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    expected = int(np.prod(dims, dtype=np.int64))
    body = len(raw) - header
    if body != expected:
        raise DataError(f"{name}: header promises {expected} bytes of data for shape {dims}, file has {body}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _read_gz(path: Path) -> bytes:
    try:
        with gzip.open(path, "rb") as stream:
            return stream.read()
    except (OSError, EOFError) as error:
        raise DataError(f"{path}: not a readable gzip file ({error}); delete it and fetch it again") from error


def _fetch(url: str, name: str, folder: Path) -> Path:
    """Stream `url` into a .part file in `folder`; the .part file is removed if anything goes wrong,
    Ctrl-C included."""
    from tqdm import tqdm

    with tempfile.NamedTemporaryFile(dir=folder, delete=False, prefix=f".{name}.", suffix=".part") as part:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                total = int(response.headers.get("Content-Length") or 0) or None
                with tqdm(total=total, unit="B", unit_scale=True, desc=name) as bar:
                    for block in iter(lambda: response.read(1 << 16), b""):
                        part.write(block)
                        bar.update(len(block))
        except BaseException:
            part.close()
            Path(part.name).unlink(missing_ok=True)
            raise
    return Path(part.name)


def download(name: str, target: Path, expected_md5: str) -> None:
    """Fetch one file from the mirrors with retries and a progress bar; write it atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    errors = []
    for attempt in range(DOWNLOAD_ATTEMPTS):
        for mirror in MIRRORS:
            url = mirror + name
            try:
                fetched = _fetch(url, name, target.parent)
            except (urllib.error.URLError, OSError, TimeoutError) as error:
                errors.append(f"{url}: {error}")
                continue
            if md5_of(fetched) != expected_md5:
                fetched.unlink()
                errors.append(f"{url}: checksum mismatch")
                continue
            os.replace(fetched, target)
            return
        time.sleep(2**attempt)
    raise DataError(
        f"could not download {name} ({'; '.join(errors[-2:])}). Without network, point digitdraw at a local "
        "copy of the four MNIST .gz files: `--data-dir DIR` or `export DIGITDRAW_DATA=DIR`."
    )


def set_aside(path: Path) -> Path:
    """Move a file that failed its checksum to NAME.bad (never delete a user's file), and say so."""
    aside = path.with_name(path.name + ".bad")
    os.replace(path, aside)
    print(f"warning: {path.name} failed its MD5 check; moved it to {aside} and fetching a fresh copy", file=sys.stderr)
    return aside


def ensure_files(data_dir: Path) -> dict[str, Path]:
    """Return verified paths of the four files, downloading any that are missing or corrupt."""
    paths = {}
    for key, (name, expected_md5) in FILES.items():
        path = data_dir / name
        if path.exists():
            try:
                verify(path, expected_md5)
            except DataError:
                if not os.access(data_dir, os.W_OK):
                    raise
                set_aside(path)
                download(name, path, expected_md5)
        else:
            if data_dir.exists() and not os.access(data_dir, os.W_OK):
                raise DataError(f"{path} is missing and {data_dir} is read-only; copy the MNIST files there")
            download(name, path, expected_md5)
        paths[key] = path
    return paths


def load_split(images_path: Path, labels_path: Path, expected_count: int) -> Split:
    images = parse_idx(_read_gz(images_path), IMAGE_MAGIC, images_path.name)
    labels = parse_idx(_read_gz(labels_path), LABEL_MAGIC, labels_path.name)
    if images.shape[1:] != (28, 28):
        raise DataError(f"{images_path.name}: images are {images.shape[1:]}, expected 28×28")
    if len(images) != expected_count or len(labels) != expected_count:
        raise DataError(
            f"{images_path.name}/{labels_path.name}: {len(images)} images and {len(labels)} labels, "
            f"expected {expected_count} of each"
        )
    if labels.max() > 9:
        raise DataError(f"{labels_path.name}: label {labels.max()} is not a digit")
    return Split(images, labels)


def load_mnist(data_dir: str | os.PathLike | None = None) -> Mnist:
    """Load MNIST as train (55,000) / validation (last 5,000 of train) / test (10,000)."""
    folder = resolve_data_dir(data_dir)
    paths = ensure_files(folder)
    full_train = load_split(paths["train_images"], paths["train_labels"], EXPECTED_COUNTS["train"])
    test = load_split(paths["test_images"], paths["test_labels"], EXPECTED_COUNTS["test"])
    cut = len(full_train) - VALIDATION_SIZE
    return Mnist(
        train=Split(full_train.images[:cut], full_train.labels[:cut]),
        validation=Split(full_train.images[cut:], full_train.labels[cut:]),
        test=test,
        md5={name: md5 for name, md5 in FILES.values()},
    )
