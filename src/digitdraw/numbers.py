"""Read a whole number: strokes (or an ink raster) in, digits out, left to right.

The Python twin of app/web/js/numbers.js; tests/golden/generate_numbers.py writes the vectors
both are checked against, so change both or neither. The method:

1. Parts: the strokes (or, in an image, the connected ink components), ordered by the middle of
   their x-extent — not by time, because people go back to cross a 7 or finish a 4.
2. Candidates: 1 to MAX_STROKES_PER_DIGIT x-adjacent parts, joined only while the next part
   starts within JOIN_GAP line heights of the candidate so far.
3. Scores: the classifier's log-probability of the candidate's best digit — an 11-class model
   also says "not one digit", which a lone stroke of a 4 or two touching digits get — plus
   geometric priors against the line height (the 20×20 fit throws absolute size away, so a dot
   blown up looks like a digit): too short, too wide, or a gap inside.
4. Search: the best segmentation by dynamic programming over the ordered parts, keeping the
   runner-up for the unsure display.
Candidate scores are cached by part set, so a new stroke costs only the few candidates it joins.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import preprocess
from .config import NUMBERS, UNSURE_BELOW
from .models import NUM_CLASSES

MAX_PARTS = NUMBERS["max_strokes_per_digit"]
JOIN_GAP = NUMBERS["join_gap"]  # in line heights: a wider gap never joins two parts into one digit
MIN_HEIGHT = NUMBERS["min_height"]  # a digit is at least this share of the line height
MAX_WIDTH = NUMBERS["max_width"]  # and at most this many line heights wide
GAP_WEIGHT = NUMBERS["gap_weight"]  # log-probability lost per line height of gap inside a digit
HEIGHT_WEIGHT = NUMBERS["height_weight"]  # ... per line height missing below MIN_HEIGHT
WIDTH_WEIGHT = NUMBERS["width_weight"]  # ... per line height beyond MAX_WIDTH
SEGMENT_BONUS = NUMBERS["segment_bonus"]  # per digit read: log-probabilities alone favour fewer digits
FLOOR = 1e-9  # probabilities are clipped here before the log
SPECK_SHARE = 0.02  # an ink component with less than this share of the largest one's pixels is dust

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Predict = Callable[[np.ndarray], np.ndarray]  # (n, 28, 28, 1) inputs → (n, 10 or 11) probabilities


@dataclass(frozen=True)
class DigitReading:
    """One digit of a number: what it is, how sure, and which strokes (or ink parts) it is made of."""

    digit: int
    probabilities: tuple[float, ...]  # the ten digits', renormalised
    parts: tuple[int, ...]  # indices into the strokes (or ink components) given
    box: Box
    not_a_digit: float  # the model's "not one digit" probability (0 for 10-class models)

    @property
    def confidence(self) -> float:
        return self.probabilities[self.digit]

    @property
    def runner_up(self) -> int:
        return int(np.argsort(self.probabilities)[-2])

    @property
    def unsure(self) -> bool:
        return self.confidence < UNSURE_BELOW


@dataclass(frozen=True)
class NumberReading:
    digits: tuple[DigitReading, ...]
    alternative: str | None = None  # the runner-up segmentation's reading, when it reads differently

    @property
    def text(self) -> str:
        return "".join(str(d.digit) for d in self.digits)


@dataclass
class _Scored:
    log_score: float
    probabilities: np.ndarray  # as the model gave them, 10 or 11


def box_of(points: np.ndarray) -> Box:
    return float(points[:, 0].min()), float(points[:, 1].min()), float(points[:, 0].max()), float(points[:, 1].max())


def union(boxes: Sequence[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def reading_order(boxes: Sequence[Box]) -> list[int]:
    """Parts left to right by the middle of their x-extent (ties: by top)."""
    return sorted(range(len(boxes)), key=lambda k: ((boxes[k][0] + boxes[k][2]) / 2, boxes[k][1]))


def line_height(boxes: Sequence[Box], order: Sequence[int]) -> float:
    """The writing's digit height: the median height of the groups the parts form where their
    x-extents overlap, never below half the tallest group (fragments and dashes are short)."""
    groups: list[Box] = []
    for k in order:
        box = boxes[k]
        if groups and box[0] <= groups[-1][2]:
            groups[-1] = union([groups[-1], box])
        else:
            groups.append(box)
    heights = sorted(g[3] - g[1] for g in groups)
    return max(heights[len(heights) // 2], 0.5 * heights[-1], 1e-6)


def candidates(boxes: Sequence[Box], order: Sequence[int], height: float) -> list[tuple[int, int]]:
    """(start, end) runs of the ordered parts that may be one digit: at most MAX_PARTS parts, each
    starting within JOIN_GAP line heights of the run before it."""
    runs = []
    for start in range(len(order)):
        right = boxes[order[start]][2]
        for end in range(start + 1, min(start + MAX_PARTS, len(order)) + 1):
            if end > start + 1:
                box = boxes[order[end - 1]]
                if box[0] - right > JOIN_GAP * height:
                    break
                right = max(right, box[2])
            runs.append((start, end))
    return runs


def inner_gap(boxes: Sequence[Box]) -> float:
    """The widest empty x-interval inside a group of parts (0 when their extents chain together)."""
    widest, right = 0.0, None
    for box in sorted(boxes, key=lambda b: b[0]):
        if right is not None:
            widest = max(widest, box[0] - right)
        right = box[2] if right is None else max(right, box[2])
    return widest


def prior(boxes: Sequence[Box], height: float) -> float:
    """Log-prior of a group of parts being one digit, from its shape against the line height."""
    x0, y0, x1, y1 = union(boxes)
    short = max(0.0, MIN_HEIGHT - (y1 - y0) / height)
    wide = max(0.0, (x1 - x0) / height - MAX_WIDTH)
    return -(GAP_WEIGHT * inner_gap(boxes) / height + HEIGHT_WEIGHT * short + WIDTH_WEIGHT * wide)


def digit_log_score(probabilities: np.ndarray) -> float:
    """log P(the best digit) under the model's own softmax: "not one digit" takes mass away."""
    return math.log(max(float(probabilities[:NUM_CLASSES].max()), FLOOR))


def best_segmentations(count: int, score: Callable[[int, int], float | None]) -> list[tuple[float, list]]:
    """The two best ways to cut `count` ordered parts into runs, by dynamic programming.

    `score(start, end)` is a run's score, or None when the run cannot be one digit. Returns up to
    two (total, [(start, end), ...]) from best to second best.
    """
    best: list[list[tuple[float, list]]] = [[(0.0, [])]] + [[] for _ in range(count)]
    for end in range(1, count + 1):
        options = []
        for start in range(max(0, end - MAX_PARTS), end):
            run_score = score(start, end)
            if run_score is None:
                continue
            options += [(total + run_score, [*runs, (start, end)]) for total, runs in best[start]]
        best[end] = sorted(options, key=lambda option: -option[0])[:2]
    return best[count]


@dataclass
class NumberReader:
    """Reads numbers with one classifier; remembers candidate scores by part set between calls."""

    predict: Predict
    cache: dict = field(default_factory=dict)

    @classmethod
    def for_model(cls, model) -> NumberReader:
        """A reader for a Keras model (e.g. `digitdraw.tfjs.load(folder)`)."""
        return cls(lambda batch: np.asarray(model(batch, training=False)))

    def _scores(self, keys: list, make_input: Callable[[object], np.ndarray]) -> None:
        missing = [key for key in keys if key not in self.cache]
        if missing:
            batch = preprocess.to_model_input(np.stack([make_input(key) for key in missing]))
            for key, probabilities in zip(missing, self.predict(batch)):
                self.cache[key] = _Scored(digit_log_score(probabilities), np.asarray(probabilities))

    def read_parts(
        self, boxes: Sequence[Box], keys: Sequence, make_input: Callable[[tuple], np.ndarray]
    ) -> NumberReading:
        """Read parts whose boxes are `boxes`; `keys[k]` identifies part k for the cache, and
        `make_input(part indices)` draws a group of parts as a 28×28 input."""
        if not boxes:
            return NumberReading(())
        order = reading_order(boxes)
        height = line_height(boxes, order)
        runs = candidates(boxes, order, height)
        group_of = {run: tuple(sorted(order[run[0] : run[1]])) for run in runs}
        key_of = {run: frozenset(keys[k] for k in group_of[run]) for run in runs}
        self._scores(list(dict.fromkeys(key_of.values())), lambda key: make_input(_indices(key, keys)))

        def score(start: int, end: int) -> float | None:
            run = (start, end)
            if run not in group_of:
                return None
            return self.cache[key_of[run]].log_score + prior([boxes[k] for k in group_of[run]], height) + SEGMENT_BONUS

        found = best_segmentations(len(order), score)
        if not found:  # cannot happen: a single part is always a candidate
            return NumberReading(())
        readings = [
            tuple(self._digit(group_of[run], boxes, self.cache[key_of[run]]) for run in runs) for _, runs in found
        ]
        texts = ["".join(str(d.digit) for d in reading) for reading in readings]
        alternative = texts[1] if len(texts) > 1 and texts[1] != texts[0] else None
        return NumberReading(readings[0], alternative)

    @staticmethod
    def _digit(parts: tuple[int, ...], boxes: Sequence[Box], scored: _Scored) -> DigitReading:
        probabilities = scored.probabilities
        digits = probabilities[:NUM_CLASSES] / max(float(probabilities[:NUM_CLASSES].sum()), FLOOR)
        not_a_digit = float(probabilities[NUM_CLASSES]) if len(probabilities) > NUM_CLASSES else 0.0
        return DigitReading(
            int(digits.argmax()), tuple(float(p) for p in digits), parts, union([boxes[k] for k in parts]), not_a_digit
        )

    def read_strokes(self, strokes: Sequence) -> NumberReading:
        """Read a number from strokes: lists of (x, y) points in any units, in the order written."""
        strokes = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes]
        strokes = [s for s in strokes if len(s)]
        keys = [_stroke_key(s) for s in strokes]
        by_key = dict(zip(keys, strokes))
        return self.read_parts(
            [box_of(s) for s in strokes],
            keys,
            lambda indices: preprocess.mnist_from_strokes([by_key[keys[k]] for k in indices]),
        )

    def read_ink(self, ink: np.ndarray) -> NumberReading:
        """Read a number from an ink raster (ink high, in [0, 1]): its connected ink components are
        the parts, and a group of them is cropped and fitted as MNIST was (the raster recipe)."""
        from scipy import ndimage

        mask = ink > preprocess.INK_THRESHOLD
        labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
        sizes = ndimage.sum_labels(mask, labels, range(1, count + 1)) if count else np.zeros(0)
        specks = [k + 1 for k, size in enumerate(sizes) if size < SPECK_SHARE * sizes.max()]
        if specks:  # dust and noise, not strokes: left out before they could be read as digits
            labels[np.isin(labels, specks)] = 0
            labels, count = ndimage.label(labels > 0, structure=np.ones((3, 3)))
        slices = ndimage.find_objects(labels)
        boxes = [(float(s[1].start), float(s[0].start), float(s[1].stop - 1), float(s[0].stop - 1)) for s in slices]
        keys = [("ink", k) for k in range(count)]

        def make_input(indices):
            return preprocess.mnist_from_ink(np.where(np.isin(labels, [k + 1 for k in indices]), ink, 0.0))

        self.cache.clear()  # component numbers mean nothing from one image to the next
        return self.read_parts(boxes, keys, make_input)


def _stroke_key(stroke: np.ndarray) -> bytes:
    """A stroke's identity for the cache: its points (the same stroke drawn again is the same)."""
    return np.round(stroke, 3).tobytes()


def _indices(key: frozenset, keys: Sequence) -> tuple[int, ...]:
    return tuple(k for k, part in enumerate(keys) if part in key)
