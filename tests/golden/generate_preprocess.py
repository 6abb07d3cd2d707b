"""Golden vectors: what the Python preprocessing makes of varied drawings.

`make golden` (python tests/golden/generate_preprocess.py) writes preprocess.json beside this
file; tests/js/preprocess.test.js feeds the same drawings to the JavaScript twin and requires the
same 28×28 images (max |Δ| ≤ 1e-3), and tests/test_preprocess.py::test_golden_file_is_up_to_date
requires the committed file to match what this module makes today.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from digitdraw import preprocess
from digitdraw.config import PAD_PEN as PEN
from digitdraw.config import PAD_UNITS as PAD

GOLDEN_FILE = Path(__file__).with_name("preprocess.json")
DECIMALS = 6


def _arc(cx, cy, rx, ry, start, end, n=40):
    angles = np.linspace(start, end, n)
    return np.stack([cx + rx * np.cos(angles), cy + ry * np.sin(angles)], axis=1)


def _line(*points):
    return np.array(points, dtype=float)


def drawings() -> list[tuple[str, list[np.ndarray], float]]:
    """(name, strokes in pad units, pen width): hand-made digits plus seeded random scribbles."""
    cases = [
        ("one-bar", [_line((140, 50), (142, 230))], PEN),
        ("one-flag-base", [_line((110, 90), (150, 50), (150, 230)), _line((115, 230), (185, 230))], PEN),
        ("seven-crossbar", [_line((80, 60), (200, 60), (120, 230)), _line((105, 145), (185, 145))], PEN),
        ("zero", [_arc(140, 140, 60, 90, 0, 2 * np.pi)], PEN),
        (
            "small-offcentre-two",
            [_arc(60, 50, 15, 12, np.pi, 2.2 * np.pi, 20), _line((72, 58), (45, 85), (78, 85))],
            PEN,
        ),
        ("huge-eight", [_arc(140, 75, 70, 65, 0, 2 * np.pi), _arc(140, 205, 80, 70, 0, 2 * np.pi)], PEN),
        ("four-open", [_line((150, 40), (70, 170), (210, 170)), _line((170, 110), (170, 250))], PEN),
        (
            "thin-pen-three",
            [_arc(140, 90, 55, 45, -np.pi * 0.9, np.pi * 0.5), _arc(140, 185, 60, 50, -np.pi * 0.5, np.pi * 0.9)],
            3.0,
        ),
        ("thick-pen-six", [_arc(150, 180, 55, 55, 0, 2 * np.pi), _line((190, 40), (100, 170))], 40.0),
        ("single-dot", [_line((200, 200))], PEN),
        ("wide-dash", [_line((30, 140), (250, 142))], PEN),
        ("edge-touching-nine", [_arc(230, 40, 45, 40, 0, 2 * np.pi), _line((275, 40), (265, 279))], PEN),
    ]
    rng = np.random.default_rng(7)
    for index in range(12):
        strokes = []
        for _ in range(rng.integers(1, 4)):
            steps = rng.normal(0, 12, size=(rng.integers(2, 30), 2)).cumsum(axis=0)
            strokes.append(np.clip(steps + rng.uniform(60, 220, size=2), 0, PAD - 1))
        cases.append((f"scribble-{index}", strokes, float(rng.uniform(4, 30))))
    return cases


def rasters() -> list[tuple[str, np.ndarray]]:
    """Ink rasters that are not pad strokes: non-square, blocky, grey, low-contrast."""
    rng = np.random.default_rng(11)
    block = np.zeros((40, 90))
    block[5:35, 10:80] = 1.0
    grey = np.zeros((50, 50))
    grey[10:40, 20:24] = 0.4
    noisy = np.clip(rng.normal(0, 0.02, (33, 61)), 0, 1)
    noisy[8:25, 12:50] += rng.uniform(0.2, 1.0, (17, 38))
    tiny = np.zeros((9, 7))
    tiny[4, 3] = 1.0
    return [("block-nonsquare", block), ("grey-bar", grey), ("noisy", np.clip(noisy, 0, 1)), ("tiny-dot", tiny)]


def _round(image: np.ndarray) -> list[float]:
    return [float(v) if v else 0 for v in np.round(image.astype(np.float64).ravel(), DECIMALS)]


def build() -> dict:
    stroke_cases = []
    for name, strokes, pen in drawings():
        strokes = [np.round(s, 3) for s in strokes]  # exactly the points the JSON carries
        pad_ink = preprocess.render_strokes(strokes, PAD, PAD, pen)
        stroke_cases.append(
            {
                "name": name,
                "pen": pen,
                "pad": PAD,
                "strokes": [s.tolist() for s in strokes],
                "ink_sum": round(float(pad_ink.sum()), 3),
                "raster": _round(preprocess.mnist_from_ink(pad_ink)),
                "vector": _round(preprocess.mnist_from_strokes(strokes)),
            }
        )
    raster_cases = [
        {
            "name": name,
            "height": ink.shape[0],
            "width": ink.shape[1],
            "ink": _round(ink),
            "expected": _round(preprocess.mnist_from_ink(ink)),
        }
        for name, ink in rasters()
    ]
    return {"tolerance": 1e-3, "strokes": stroke_cases, "rasters": raster_cases}


def write(path: Path = GOLDEN_FILE) -> Path:
    path.write_text(json.dumps(build(), separators=(",", ":")))
    return path


if __name__ == "__main__":
    print(f"wrote {write()}")
