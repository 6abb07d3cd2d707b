""" "That does not look like a digit": when a drawing is turned down instead of read (Python twin
of web/js/rejection.js).

Five tests, in order, each measured on the dev parts of the drawn-digit and non-digit
benchmarks (docs/benchmarks.md, "Not a digit"):
- a tap or a dot: the ink spans less than `tap_extent` of the pad's height. The models fit every
  drawing to 20×20 pixels, so a dot blown up looks like a 0 or a 1 to them: size must be judged
  before that.
- a dash: one stroke that is a flat line (numbers.is_flat_line: straight, less than half as tall
  as wide; config.json "flat_line"). A 1 is a straight stroke too, but upright: on the dev parts
  no digit drawing was flatter than 0.44, and none was turned down as a dash.
- a scribble or a filled shape, for one or two digits read (`most_digits`): the pen travelled more
  than `scribble_ink` times the drawing's size (digits: at most ~4×, or ~7× for outlined font
  glyphs; filling a blob: 15× and more). Not for more digits: a long number of outlined glyphs
  is as wide as ~0.6 of its height per digit, so its ink reached 10–13× its width (17 of the
  number benchmark's 1000 numbers were turned down so; 8 still are, by the next test, all of
  them read as too few digits), while no letter, scribble or blob read as more than two digits
  was turned down by this test alone.
- a wandering scribble: the pen turned more than `scribble_turns` full turns per digit read. A
  digit turns at most ~4 times (an 8 twice, a font's outlined 3 four times), a wandering
  scribble 5 to 25 times. On the dev parts no digit and no number was turned down by it, and
  non-digits rejected or flagged went from 93.3% to 96.2%. The pen is followed in steps of
  `turn_spacing` of the drawing's height, and never finer than that share of `turn_least_height`
  of the pad, so a small digit's jitter and a mouse's whole-pixel steps do not count as turning.
- the digits read are, to the segmenter, on average at least `not_a_digit_from` likely "not one
  digit" (letters, crossbars and flags alone, scribbles). The average, not every digit: letters
  get cut into strokes that each look a little like a digit (an H into 1, -, 1). Only for one or
  two digits read (`most_digits`): a long number has a few doubtful digits, not no digits.
None of them applies to a drawing the writer has taught (its nearest taught example is at least
`taught_similarity` alike): a writer's own short 1 or small 0 is a digit.

Short of turning a drawing down, a reading is flagged as unsure when
- the segmenter finds its one or two digits on average at least `doubtful_from` likely "not one
  digit" (`doubtful`). Turning those down from 0.7, as before 2026-12-03, turned down 0.7% of
  the traced MNIST and European digits on the dev parts (900 of each, count 1500); from 0.97, 0.4%
  and 0%, while non-digits rejected or flagged stayed 95.6%: the segmenter is sometimes fairly sure
  a real digit is not one, so between the two it says "unsure", not "no".
- its digits' strokes all run together into one piece (`run_together`): the letters A, M, N, H...
  are cut into strokes that each look like a 1, but the digits of a written number stand apart. On
  the dev parts, 138 of 200 letters (all ten letters since 2026-12-03; before, the dev part held
  only A and M) were read as two or more joined digits, against 16 of 278 numbers (touching or
  overlapping ones), and their "not one digit" scores did not tell them apart — so it flags, never
  rejects.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .config import PAD_UNITS, REJECTION
from .numbers import distances, is_flat_line, linked_groups, path_length, samples

TAP = "tap"
DASH = "dash"
SCRIBBLE = "scribble"
NOT_A_DIGIT = "not-a-digit"
MESSAGES = {
    TAP: "That does not look like a digit: it is too small (a tap or a dot).",
    DASH: "That does not look like a digit: it is a dash, a flat line.",
    SCRIBBLE: "That does not look like a digit: it looks like a scribble or a filled shape.",
    NOT_A_DIGIT: "That does not look like a digit.",
}


def _stepped(stroke: np.ndarray, step: float) -> np.ndarray:
    """The stroke's points at least `step` apart, each from the one kept before it. Unlike
    resampling along the path, jitter smaller than a step cannot turn the heading."""
    kept = [stroke[0]]
    for point in stroke[1:]:
        if math.hypot(point[0] - kept[-1][0], point[1] - kept[-1][1]) >= step:
            kept.append(point)
    return np.array(kept)


def turns(strokes: Sequence[np.ndarray]) -> float:
    """How many full turns the pen makes over the drawing: the absolute changes of its heading,
    summed along every stroke followed in steps (see the module's docstring)."""
    every = np.vstack(strokes)
    height = max(float(np.ptp(every[:, 1])), REJECTION["turn_least_height"] * PAD_UNITS)
    total = 0.0
    for stroke in strokes:
        moves = np.diff(_stepped(stroke, REJECTION["turn_spacing"] * height), axis=0)
        before, after = moves[:-1], moves[1:]
        cross = before[:, 0] * after[:, 1] - before[:, 1] * after[:, 0]
        total += float(np.abs(np.arctan2(cross, (before * after).sum(axis=1))).sum())
    return total / (2 * math.pi)


def rejected(
    not_a_digit: Sequence[float], strokes: Sequence[np.ndarray] | None = None, taught_similarity: float = -1.0
) -> str | None:
    """Why the drawing is not a digit (TAP, DASH, SCRIBBLE or NOT_A_DIGIT), or None to read it.

    `not_a_digit`: each digit read's "not one digit" probability (DigitReading.not_a_digit);
    `strokes`: the drawing in pad units, when it was drawn (images have no pen path to judge);
    `taught_similarity`: how alike the drawing is to its nearest taught example (adapt.py).
    """
    if taught_similarity >= REJECTION["taught_similarity"]:
        return None
    if strokes is not None:
        drawn = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes if len(s)]
        if drawn:
            every = np.vstack(drawn)
            extent = float(max(np.ptp(every[:, 0]), np.ptp(every[:, 1])))
            if extent < REJECTION["tap_extent"] * PAD_UNITS:
                return TAP
            if len(drawn) == 1 and is_flat_line(drawn[0]):
                return DASH
            few = len(not_a_digit) <= REJECTION["most_digits"]
            if few and sum(path_length(s) for s in drawn) > REJECTION["scribble_ink"] * extent:
                return SCRIBBLE
            if turns(drawn) > REJECTION["scribble_turns"] * max(len(not_a_digit), 1):
                return SCRIBBLE
    return NOT_A_DIGIT if _mostly_not_a_digit(not_a_digit, REJECTION["not_a_digit_from"]) else None


def doubtful(not_a_digit: Sequence[float], taught_similarity: float = -1.0) -> bool:
    """Whether the one or two digits read are, on average, at least `doubtful_from` likely "not one
    digit" to the segmenter: read, but flagged as unsure (see the module's docstring). Never for a
    drawing like a taught example. Arguments as `rejected`'s."""
    if taught_similarity >= REJECTION["taught_similarity"]:
        return False
    return _mostly_not_a_digit(not_a_digit, REJECTION["doubtful_from"])


def _mostly_not_a_digit(not_a_digit: Sequence[float], threshold: float) -> bool:
    few = 0 < len(not_a_digit) <= REJECTION["most_digits"]
    return few and float(np.mean(not_a_digit)) >= threshold


def _touch(a: np.ndarray, b: np.ndarray, reach: float) -> bool:
    apart = (a.min(axis=0) - reach > b.max(axis=0)).any() or (b.min(axis=0) - reach > a.max(axis=0)).any()
    if apart:
        return False
    # Points at most reach / 2 apart along `a`: where it crosses `b`, one of them is within reach.
    along_a = samples(a, max(2, math.ceil(path_length(a) / (reach / 2)) + 1))
    return bool((distances(along_a, b) <= reach).any())


def run_together(strokes: Sequence[np.ndarray], digit_parts: Sequence[Sequence[int]]) -> bool:
    """Whether two or more digits were read and their strokes all join into one piece: a stroke of
    one digit comes within `joined_reach` of the drawing's height of a stroke of another, and
    those links connect every digit. `digit_parts`: each digit's stroke indices."""
    if len(digit_parts) < 2:
        return False
    drawn = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes]
    reach = REJECTION["joined_reach"] * max(float(np.ptp(np.vstack(drawn)[:, 1])), 1e-6)

    def joined(i: int, j: int) -> bool:
        return any(_touch(drawn[a], drawn[b], reach) for a in digit_parts[i] for b in digit_parts[j])

    return len(linked_groups(len(digit_parts), joined)) == 1
