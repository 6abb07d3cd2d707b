"""Golden vectors for reading images: what images.py and numbers.py make of small generated pictures.

`make golden` (python tests/golden/generate_ink.py) writes ink.json beside this file;
tests/js/ink.test.js runs the JavaScript twin (web/js/ink.js and NumberReader.readParts) on the
same pixels and requires the same ink raster, parts, boxes, 28×28 crops and reading, and
tests/test_numbers.py requires the committed file to match what the Python code makes today.
As in generate_numbers.py the classifier is a table of seeded probabilities, here per group of
ink parts (found by its crop), so the vectors test the method, not a model.
"""

from __future__ import annotations

import base64
import json
import sys
import zlib
from pathlib import Path

import numpy as np

from digitdraw import images, numbers, preprocess

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the picture generator
from written_numbers import photo_of

GOLDEN_FILE = Path(__file__).with_name("ink.json")
CLASSES = 11
DECIMALS = 9
SCALE = 0.25  # pad units → pixels: pictures 72 px tall keep the file small
PEN = 5.0


def _bar(x, top=60, bottom=220):
    return np.array([[x, top], [x + 2, (top + bottom) / 2], [x + 4, bottom]], dtype=float)


def _four(x):
    return [np.array([[x + 40, 60], [x, 170], [x + 90, 170]], dtype=float), _bar(x + 60, 90, 230)]


def _seven(x):
    return [np.array([[x, 60], [x + 100, 60], [x + 40, 230]], dtype=float), np.array([[x + 20, 145], [x + 90, 140]])]


def _oval(x):
    return np.array([[x + 40 * np.cos(a), 140 - 80 * np.sin(a)] for a in np.linspace(0, 2 * np.pi, 30)])


def _scaled(strokes):
    return [np.asarray(s, dtype=float) * SCALE for s in strokes]


def _rgba(rgb: np.ndarray, alpha: np.ndarray | None = None) -> np.ndarray:
    alpha = np.full(rgb.shape[:2], 255, np.uint8) if alpha is None else alpha
    return np.dstack([rgb, alpha]).astype(np.uint8)


def pictures() -> list[tuple[str, np.ndarray]]:
    """RGBA pictures (what a canvas gives the page): photos (grey paper, uneven light, grain) of
    dark writing and of chalk, a clean scan, dust specks, and ink alone on a transparent background."""
    height, width = 72, 128
    one_four = _scaled([_bar(40), *_four(140)])
    seven_oh = _scaled([*_seven(40), _oval(260)])
    clean = preprocess.render_strokes(_scaled([_bar(60), _oval(200), _bar(330)]), height, width, PEN)
    specks = clean.copy()
    for row, col in ((8, 8), (66, 120), (36, 112)):
        specks[row, col] = 1.0
    blue = np.zeros((height, width, 3), np.uint8)
    blue[..., 2] = 200
    return [
        ("photo-14", _rgba(photo_of(one_four, height, width, PEN, seed=1))),
        ("photo-70-uneven", _rgba(photo_of(seven_oh, height, width, PEN, seed=2))),
        ("chalk-14", _rgba(photo_of(one_four, height, width, PEN, seed=3, light_on_dark=True))),
        ("clean-101", _rgba(np.repeat(np.round(255 * (1 - clean))[..., None], 3, axis=2))),
        ("clean-with-specks", _rgba(np.repeat(np.round(255 * (1 - specks))[..., None], 3, axis=2))),
        ("transparent-blue-ink", _rgba(blue, np.round(255 * clean).astype(np.uint8))),
    ]


def _encode(array: np.ndarray, dtype) -> str:
    """Little-endian bytes of the array, zlib-compressed, as base64: the file stays small."""
    raw = np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<")).tobytes()
    return base64.b64encode(zlib.compress(raw, 9)).decode()


def case(name: str, rgba: np.ndarray, seed: int) -> dict:
    ink = images.ink_from_image(rgba)
    labels, count = numbers.ink_parts(ink)
    boxes = numbers.ink_boxes(labels)
    order = numbers.reading_order(boxes)
    height = numbers.line_height(boxes, order) if boxes else 0.0
    runs = numbers.candidates(boxes, order, height) if boxes else []
    rng = np.random.default_rng(seed)
    crops, table = {}, {}
    for start, end in runs:
        key = ",".join(map(str, sorted(order[start:end])))
        wanted = [k + 1 for k in sorted(order[start:end])]
        crops[key] = preprocess.mnist_from_ink(np.where(np.isin(labels, wanted), ink, 0.0))
        table[key] = [round(float(p), DECIMALS) for p in rng.dirichlet(np.full(CLASSES, 0.3))]

    def predict(batch):  # the table as a model: each input is the crop of one group of parts
        found = [next(k for k, crop in crops.items() if np.allclose(crop, x[..., 0], atol=1e-6)) for x in batch]
        return np.array([table[k] for k in found])

    reading = numbers.NumberReader(predict).read_ink(ink)
    return {
        "name": name,
        "height": int(rgba.shape[0]),
        "width": int(rgba.shape[1]),
        "rgba": _encode(rgba, np.uint8),
        "ink": _encode(ink, np.float32),
        "parts": count,
        "boxes": [list(b) for b in boxes],
        "crops": {key: _encode(crop, np.float32) for key, crop in crops.items()},
        "probabilities": table,
        "text": reading.text,
        "alternative": reading.alternative,
        "digit_parts": [list(d.parts) for d in reading.digits],
    }


def build() -> dict:
    cases = [case(name, rgba, seed) for seed, (name, rgba) in enumerate(pictures())]
    return {"ink_tolerance": 1e-5, "crop_tolerance": 1e-5, "cases": cases}


def write(path: Path = GOLDEN_FILE) -> Path:
    path.write_text(json.dumps(build(), separators=(",", ":")))
    return path


if __name__ == "__main__":
    print(f"wrote {write()}")
