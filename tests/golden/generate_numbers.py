"""Golden vectors for reading numbers: what the Python number reader makes of crafted stroke sets.

`make golden` (python tests/golden/generate_numbers.py) writes numbers.json beside this file;
tests/js/numbers.test.js reads the same strokes with the JavaScript twin and requires the same
order, line height, candidates, priors and readings, and tests/test_numbers.py requires the
committed file to match what numbers.py makes today. The classifier is replaced by a table of
seeded probabilities per group of strokes, so the vectors test the method, not a model.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from digitdraw import numbers, rejection

GOLDEN_FILE = Path(__file__).with_name("numbers.json")
CLASSES = 11
DECIMALS = 9


def _bar(x, top=60, bottom=220):
    return np.array([[x, top], [x + 2, (top + bottom) / 2], [x + 4, bottom]], dtype=float)


def _four(x):
    return [np.array([[x + 40, 60], [x, 170], [x + 90, 170]], dtype=float), _bar(x + 60, 90, 230)]


def _seven(x):
    return [
        np.array([[x, 60], [x + 100, 60], [x + 40, 230]], dtype=float),
        np.array([[x + 20, 145], [x + 90, 140]], dtype=float),
    ]


def _oval(x):
    return np.array([[x + 40 * np.cos(a), 140 - 80 * np.sin(a)] for a in np.linspace(0, 2 * np.pi, 30)])


def _wander(rng, points):
    return np.round(np.array([140.0, 140.0]) + rng.normal(0, 8, size=(points, 2)).cumsum(axis=0), 3)


def stroke_sets() -> list[tuple[str, list[np.ndarray]]]:
    """Crafted sets (a two-stroke 4, a crossed 7 with a late crossbar, a touching pair, a dot, a
    tap, a filled blob, a dash, a wandering scribble, a long number) and seeded random ones."""
    sets = [
        ("three-bars", [_bar(40), _bar(160), _bar(280)]),
        ("two-stroke-four", _four(40)),
        ("one-four-seven-late-bar", [_bar(30), *_four(100), _seven(240)[0], _bar(400), _seven(240)[1]]),
        (
            "touching-pair",
            [
                np.array([[40, 60], [120, 60], [80, 140], [40, 220], [125, 220]], dtype=float),
                np.array([[118, 60], [122, 220]], dtype=float),
            ],
        ),
        ("dot-after-digit", [_bar(40), np.array([[120, 215]], dtype=float)]),
        ("retraced-zero-and-one", [_bar(40), *[_oval(150 + shift) for shift in (0, 3)]]),
        ("a-tap", [np.array([[140.0, 140.0], [141.5, 141.0]])]),
        ("a-filled-blob", [np.array([[100 + 40 * (k % 2), 100 + 2.0 * k] for k in range(40)])]),
        ("a-dash", [np.array([[60.0, 140.0], [140.0, 142.0], [220.0, 141.0]])]),
        ("a-flat-wave", [np.array([[60 + 8 * k, 140 + 20 * np.sin(k)] for k in range(21)])]),  # not straight
        ("a-wandering-scribble", [_wander(np.random.default_rng(5), 60)]),
        ("long-number", [bar for k in range(10) for bar in ([_bar(30 + 90 * k)] if k % 3 else _four(30 + 90 * k))]),
    ]
    rng = np.random.default_rng(17)
    for index in range(8):
        strokes = []
        for _ in range(rng.integers(1, 12)):
            start = rng.uniform([0, 40], [900, 200])
            strokes.append(np.round(start + rng.normal(0, 25, size=(rng.integers(1, 8), 2)).cumsum(axis=0), 3))
        sets.append((f"random-{index}", strokes))
    # After the random sets, so their seeds (their place in the list) stay as they were.
    return [*sets, ("four-cut-but-sure-whole", _four(40)), ("four-cut-whole-a-pair", _four(40))]


def parts_of(strokes: list[np.ndarray]):
    """The reader's parts (retraced strokes grouped), their boxes, order, line height and candidates."""
    groups = numbers.retraced_groups(strokes)
    boxes = [numbers.union([numbers.box_of(strokes[k]) for k in group]) for group in groups]
    order = numbers.reading_order(boxes)
    height = numbers.line_height(boxes, order)
    return groups, boxes, order, height, numbers.candidates(boxes, order, height)


# Cases whose pieces are sure 1s, so the search cuts them, and whose whole is a 4 the classifier
# is sure of (0.5 of 0.53) with "not one digit" just below (0.47) or above (0.6) the threshold.
SURE_ONE = [0.0] + [0.995] + [0.0005] * 8 + [0.001]
OVERRIDES = {
    "four-cut-but-sure-whole": {"0": SURE_ONE, "1": SURE_ONE, "0,1": [0.005] * 4 + [0.5] + [0.005] * 5 + [0.47]},
    "four-cut-whole-a-pair": {"0": SURE_ONE, "1": SURE_ONE, "0,1": [0.004] * 4 + [0.38] + [0.004] * 5 + [0.6]},
}


def fake_probabilities(strokes: list[np.ndarray], seed: int, name: str = "") -> dict[str, list[float]]:
    """Seeded, peaky probabilities for every group of strokes the reader will ask about, keyed by
    the group's stroke indices "i,j,…": the candidates, then all the strokes (read whole when
    they are cut though they chain in x), then the case's OVERRIDES."""
    groups, _, order, _, runs = parts_of(strokes)
    rng = np.random.default_rng(seed)
    table = {}
    for start, end in runs:
        members = sorted(k for part in order[start:end] for k in groups[part])
        table[",".join(map(str, members))] = [round(float(p), DECIMALS) for p in rng.dirichlet(np.full(CLASSES, 0.3))]
    every = ",".join(map(str, range(len(strokes))))
    if every not in table:
        table[every] = [round(float(p), DECIMALS) for p in rng.dirichlet(np.full(CLASSES, 0.3))]
    return table | OVERRIDES.get(name, {})


def read_with_table(strokes: list[np.ndarray], table: dict[str, list[float]]) -> numbers.NumberReading:
    """The Python reader with the table as its classifier: an input image carries its group's
    stroke indices as lit pixels, and the fake model looks the group up."""

    def draw_strokes(indices):
        image = np.zeros((28, 28), dtype=np.float32)
        image.flat[list(indices)] = 1.0
        return image

    def predict(batch):
        return np.array([table[",".join(str(k) for k in np.flatnonzero(x.ravel()))] for x in batch])

    return numbers.NumberReader(predict).read_strokes(strokes, draw_strokes)


def build() -> dict:
    cases = []
    for seed, (name, strokes) in enumerate(stroke_sets()):
        groups, boxes, order, height, runs = parts_of(strokes)
        table = fake_probabilities(strokes, seed, name)
        reading = read_with_table(strokes, table)
        cases.append(
            {
                "name": name,
                "strokes": [s.tolist() for s in strokes],
                "retraced_groups": groups,
                "order": order,
                "line_height": round(height, DECIMALS),
                "candidates": [list(run) for run in runs],
                "priors": [round(numbers.prior([boxes[k] for k in order[a:b]], height), DECIMALS) for a, b in runs],
                "probabilities": table,
                "text": reading.text,
                "alternative": reading.alternative,
                "parts": [list(d.parts) for d in reading.digits],
                "turns": round(rejection.turns(strokes), DECIMALS),
                "rejected": rejection.rejected([d.not_a_digit for d in reading.digits], strokes),
                "doubtful": rejection.doubtful([d.not_a_digit for d in reading.digits]),
                "run_together": rejection.run_together(strokes, [d.parts for d in reading.digits]),
            }
        )
    joined = [
        {"name": name, "strokes": [s.tolist() for s in strokes], "digits": parts, "run_together": verdict}
        for name, strokes, parts in joined_sets()
        for verdict in [rejection.run_together(strokes, parts)]
    ]
    # The "not one digit" probabilities of the digits read, around both thresholds.
    doubts = [[0.5], [0.8], [0.99], [0.99, 0.9], [0.99, 0.2], [0.8, 0.8, 0.99], [0.99, 0.99, 0.99]]
    not_a_digit = [
        {"not_a_digit": row, "rejected": rejection.rejected(row), "doubtful": rejection.doubtful(row)} for row in doubts
    ]
    return {
        "tolerance": 1e-6,
        "cases": cases,
        "run_together": joined,
        "not_a_digit": not_a_digit,
        "crossed_sevens": crossed_seven_cases(),
    }


def _flag_one(x):
    return [np.array([[x, 72], [x + 60, 60], [x + 64, 230]], dtype=float)]


def crossed_seven_cases() -> list[dict]:
    """Numbers read as 7s and 1s, with and without crossbars, under each thing the writer's taught
    7s may say (crossed, not, none taught) and, with none taught, whether the last 7 read before
    was crossed: `crossed_sevens`'s verdict and probabilities; and what `seen_crossed_seven`
    remembers after each reading."""
    crossed, plain, flag_one = _seven(40), [_seven(200)[0]], _flag_one(380)
    tilted_bar = np.array([[60, 160], [90, 140], [120, 121]], dtype=float)  # flicked up through the stem
    strokes = [*crossed, *plain, *flag_one]
    sure_seven = [1e-7] * 7 + [1 - 1e-6] + [1e-7] * 2  # more than `uncrossed_seven_odds` against the rest
    unsure_seven = [0.001, 0.0085, 0.0005] + [0.0] * 4 + [0.99, 0.0, 0.0]
    # Between the two odds: doubted by a crossed 7 taught or in the number, not by one seen before.
    fairly_sure_seven = [0.0, 0.0004] + [0.0] * 5 + [0.9996, 0.0, 0.0]
    nine_like_seven = [0.0, 0.0001] + [0.0] * 5 + [0.98, 0.0, 0.0199]  # doubted, it would be a 9

    def reading(parts, probabilities):
        digit = int(np.argmax(probabilities))
        return numbers.DigitReading(digit, tuple(probabilities), parts, numbers.union([(0, 0, 1, 1)]), 0.0)

    cases = []
    for name, digits in (
        ("crossed-7, sure plain 7, flagged 1", [((0, 1), sure_seven), ((2,), sure_seven), ((3,), unsure_seven)]),
        ("no crossed 7", [((2,), unsure_seven), ((3,), unsure_seven)]),
        ("no crossed 7, fairly sure 7", [((2,), fairly_sure_seven), ((3,), unsure_seven)]),
        ("no crossed 7, 9-like 7", [((2,), nine_like_seven), ((3,), unsure_seven)]),
    ):
        readings = [reading(parts, probabilities) for parts, probabilities in digits]
        for writer, seen in ((None, False), (None, True), (True, False), (False, True)):
            result = numbers.crossed_sevens(readings, strokes, writer, seen)
            cases.append(
                {
                    "name": f"{name}, taught 7s crossed: {writer}, last 7 seen crossed: {seen}",
                    "digits": [{"parts": list(d.parts), "probabilities": list(d.probabilities)} for d in readings],
                    "writer_crosses": writer,
                    "seen_crossed": seen,
                    "read": [d.digit for d in result],
                    "doubted": [d.doubted_seven for d in result],
                    "probabilities": [[round(p, DECIMALS) for p in d.probabilities] for d in result],
                    "seen_after": numbers.seen_crossed_seven(seen, result, strokes),
                }
            )
    return [
        {
            "strokes": [s.tolist() for s in strokes],
            "flat_lines": [numbers.is_flat_line(s) for s in strokes],
            "crossbar": {
                "crossed": numbers.has_crossbar(crossed),
                "plain": numbers.has_crossbar(plain),
                "tilted": numbers.has_crossbar([crossed[0], tilted_bar]),
            },
            "tilted_crossbar": tilted_bar.tolist(),
            "tilted_crossbar_is_a_dash": numbers.is_flat_line(tilted_bar),
            "crosses_sevens": [
                numbers.crosses_sevens(sevens) for sevens in ([], [crossed], [crossed, crossed], [crossed, plain])
            ],
            "cases": cases,
        }
    ]


def _letter_a(x):
    return [
        np.array([[x, 220], [x + 50, 60]], dtype=float),
        np.array([[x + 50, 60], [x + 100, 220]], dtype=float),
        np.array([[x + 22, 150], [x + 78, 150]], dtype=float),
    ]


def joined_sets() -> list[tuple[str, list[np.ndarray], list[list[int]]]]:
    """Drawings cut into digits (stroke indices per digit), to say whether those digits run together."""
    four = _four(40)
    return [
        ("letter-A-as-1-1", _letter_a(40), [[0], [1, 2]]),
        ("letter-A-as-1-1-1", _letter_a(40), [[0], [2], [1]]),
        ("two-ones-apart", [_bar(40), _bar(160)], [[0], [1]]),
        ("one-digit", four, [[0, 1]]),
        ("four-cut-in-two", four, [[0], [1]]),
        ("crossing-far-from-any-point", [_bar(40), np.array([[0.0, 140], [90, 141]])], [[0], [1]]),
        ("seven-touching-a-one-and-a-one-apart", [*_seven(40), _bar(135), _bar(300)], [[0, 1], [2], [3]]),
        ("seven-touching-a-one", [*_seven(40), _bar(135)], [[0, 1], [2]]),
    ]


def write(path: Path = GOLDEN_FILE) -> Path:
    path.write_text(json.dumps(build(), separators=(",", ":")))
    return path


if __name__ == "__main__":
    print(f"wrote {write()}")
