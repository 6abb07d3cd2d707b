"""Drawings that are not one digit: what a number reader must be able to turn down.

Reading a written number means trying groups of strokes as digits. Without a class for "this is
not one digit", a lone stroke of a 4 reads as a confident 1, two touching digits read as one, and
a merge-or-split decision by confidence fails. These generators make that class from MNIST
*training* digits traced into strokes (in any units):
- fragments: a strict subset of a digit's strokes, or a piece of one stroke — except pieces that
  are digits in their own right (a straight upright stroke is a 1; a closed loop is a 0);
- pairs: two digits side by side, from a clear gap to overlapping;
- marks: dots, dashes and scribbles.
"""

from __future__ import annotations

import numpy as np

from . import synth

ONE_LIKE_ANGLE = 40.0  # degrees from upright: a straight stroke this steep is a 1, not a fragment
STRAIGHT = 0.9  # ends at least this share of the path length apart: a straight stroke
LOOP_CLOSURE = 0.25  # ends this close (of the size) on a long path: a closed loop, a 0
MOST_OF_IT = 0.65  # a fragment keeps at most this share of the digit's ink: the rest is missing
PAIR_GAPS = (-0.3, 0.12)  # second digit's left edge against the first's right, in heights
PIECE_RANGE = (0.2, 0.65)  # share of a stroke's points kept as a piece of it


def _size(strokes) -> tuple[float, float]:
    x0, y0, x1, y1 = synth.bounds(strokes)
    return x1 - x0, y1 - y0


def _path_length(stroke: np.ndarray) -> float:
    return float(np.hypot(*np.diff(stroke, axis=0).T).sum()) if len(stroke) > 1 else 0.0


def looks_like_a_digit(strokes) -> bool:
    """A fragment that a person would read as a digit itself: a straight, steep line (a 1, upright
    or slanted) or a closed loop (a 0). Those are not taught as "not a digit"."""
    width, height = _size(strokes)
    if len(strokes) == 1 and len(strokes[0]) > 1:
        stroke = strokes[0]
        length = _path_length(stroke)
        dx, dy = np.abs(stroke[-1] - stroke[0])
        if np.hypot(dx, dy) > STRAIGHT * length and np.degrees(np.arctan2(dx, dy)) < ONE_LIKE_ANGLE:
            return True
        if length > 2.5 * max(width, height) and np.hypot(dx, dy) < LOOP_CLOSURE * max(width, height):
            return True
    return False


def fragment(strokes, rng) -> list[np.ndarray] | None:
    """Part of a digit: some of its strokes, or a piece of one; None when every part is a digit."""
    whole_height = max(_size(strokes)[1], 1e-6)
    whole_length = sum(_path_length(s) for s in strokes)
    for _ in range(4):
        if len(strokes) > 1 and rng.uniform() < 0.5:
            keep = rng.choice(len(strokes), rng.integers(1, len(strokes)), replace=False)
            part = [strokes[k] for k in sorted(keep)]
        else:
            stroke = max(strokes, key=len)
            if len(stroke) < 6:
                continue
            count = max(2, int(len(stroke) * rng.uniform(*PIECE_RANGE)))
            start = rng.integers(0, len(stroke) - count + 1)
            part = [stroke[start : start + count]]
        enough_missing = sum(_path_length(s) for s in part) <= MOST_OF_IT * whole_length
        if enough_missing and max(_size(part)) > 0.15 * whole_height and not looks_like_a_digit(part):
            return part
    return None


def pair(first, second, rng) -> list[np.ndarray]:
    """Two digits written side by side as one group, from a small gap to overlapping."""
    left = synth.normalised(first)
    right = [s * rng.uniform(0.8, 1.2) for s in synth.normalised(second)]
    gap = rng.uniform(*PAIR_GAPS)
    shift = np.array([synth.bounds(left)[2] + gap, rng.uniform(-0.1, 0.1)])
    return [*left, *[s + shift for s in right]]


def mark(rng) -> list[np.ndarray]:
    """A dot, a dash (a 7's crossbar or a 5's flag left alone) or a scribble."""
    kind = rng.integers(0, 3)
    if kind == 0:
        return [rng.normal(0, 0.01, size=(rng.integers(1, 4), 2))]
    if kind == 1:
        angle = rng.uniform(-0.5, 0.5)
        length = rng.uniform(0.5, 1.0)
        return [np.outer(np.linspace(0, length, 8), [np.cos(angle), np.sin(angle)])]
    return synth.scribble(rng)
