"""Read a whole number: strokes (or an ink raster) in, digits out, left to right.

The Python twin of app/web/js/numbers.js; tests/golden/generate_numbers.py writes the vectors
both are checked against, so change both or neither. The method:

1. Parts: the strokes — a stroke that goes over another's line is one part with it — or, in an
   image, the connected ink components; ordered by the middle of their x-extent, not by time,
   because people go back to cross a 7 or finish a 4.
2. Candidates: 1 to `max_strokes_per_digit` x-adjacent parts, joined only while the next part
   starts within `join_gap` line heights of the candidate so far (Settings, from config.json).
3. Scores: the classifier's log-probability of the candidate's best digit — an 11-class model
   also says "not one digit", which a lone stroke of a 4 or two touching digits get — plus
   geometric priors against the line height (the 20×20 fit throws absolute size away, so a dot
   blown up looks like a digit): too short, too wide, or a gap inside.
4. Search: the best segmentation by dynamic programming over the ordered parts, keeping the
   runner-up for the unsure display. A drawing cut into several digits though its parts chain
   together in x is read whole instead when that whole is a sure digit the segmenter accepts
   (`whole_not_a_digit_below`): a two-stroke 8 or 4 whose pieces each look like a sure digit.
5. The writer's convention: for a writer who crosses their 7s (their taught 7s are all crossed,
   or, with none taught, the number holds a crossed 7, or, more weakly, the last 7 read before
   was crossed), a digit read as an uncrossed 7 is probably their flagged 1 (`crossed_sevens`).
Candidate scores are cached by part set, so a new stroke costs only the few candidates it joins.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from . import preprocess
from .config import CROSSED_SEVENS, FLAT_LINE, NUMBERS, UNSURE_BELOW
from .models import NUM_CLASSES

FLOOR = 1e-9  # probabilities are clipped here before the log
CACHE_LIMIT = 5000  # candidate scores kept between reads
RETRACE_SHARE = 0.8  # a stroke with this share of its length on another's line retraces it
RETRACE_SAMPLES = 16  # points along a stroke at which that share is measured
RETRACE_REACH = 0.05  # "on the line": within this share of the drawing's height
SPECK_SHARE = 0.02  # an ink component with less than this share of the largest one's pixels is dust

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Predict = Callable[[np.ndarray], np.ndarray]  # (n, 28, 28, 1) inputs → (n, 10 or 11) probabilities


@dataclass(frozen=True)
class Settings:
    """How numbers are cut into digits; the defaults are config.json's, chosen on the dev part of
    the number benchmark (bench/numbers.py)."""

    max_strokes_per_digit: int  # parts in one candidate digit
    join_gap: float  # in line heights: a wider gap never joins two parts into one digit
    min_height: float  # a digit is at least this share of the line height
    max_width: float  # and at most this many line heights wide
    gap_weight: float  # log-probability lost per line height of gap inside a digit
    height_weight: float  # ... per line height missing below min_height
    width_weight: float  # ... per line height beyond max_width
    segment_bonus: float  # per digit read: log-probabilities alone favour fewer digits
    not_a_digit_weight: float  # how much the "not one digit" output counts: 0 ignores it, 1 is the softmax
    whole_not_a_digit_below: float  # a drawing cut up whose parts chain in x is one digit if sure whole and below this


DEFAULT = Settings(**NUMBERS)


class TooManyPartsError(ValueError):
    """An image has more separate ink marks than the caller allows (reading costs grow with them)."""


@dataclass(frozen=True)
class DigitReading:
    """One digit of a number: what it is, how sure, and which strokes (or ink parts) it is made of."""

    digit: int
    probabilities: tuple[float, ...]  # the ten digits', renormalised
    parts: tuple[int, ...]  # indices into the strokes (or ink components) given
    box: Box
    not_a_digit: float  # the model's "not one digit" probability (0 for 10-class models)
    doubted_seven: bool = False  # read as 7, then as another digit by `crossed_sevens`

    @property
    def confidence(self) -> float:
        return self.probabilities[self.digit]

    @property
    def runner_up(self) -> int:
        """The second likeliest digit (among ties, the lowest, as the JS twin picks)."""
        return sorted(range(len(self.probabilities)), key=lambda d: -self.probabilities[d])[1]

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


def candidates(
    boxes: Sequence[Box], order: Sequence[int], height: float, settings: Settings = DEFAULT
) -> list[tuple[int, int]]:
    """(start, end) runs of the ordered parts that may be one digit: at most max_strokes_per_digit
    parts, each starting within join_gap line heights of the run before it."""
    runs = []
    for start in range(len(order)):
        right = boxes[order[start]][2]
        for end in range(start + 1, min(start + settings.max_strokes_per_digit, len(order)) + 1):
            if end > start + 1:
                box = boxes[order[end - 1]]
                if box[0] - right > settings.join_gap * height:
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


def prior(boxes: Sequence[Box], height: float, settings: Settings = DEFAULT) -> float:
    """Log-prior of a group of parts being one digit, from its shape against the line height."""
    x0, y0, x1, y1 = union(boxes)
    short = max(0.0, settings.min_height - (y1 - y0) / height)
    wide = max(0.0, (x1 - x0) / height - settings.max_width)
    return -(
        settings.gap_weight * inner_gap(boxes) / height + settings.height_weight * short + settings.width_weight * wide
    )


def digit_log_score(probabilities: np.ndarray, settings: Settings = DEFAULT) -> float:
    """log P(the best digit), with the "not one digit" output (of 11-class models) counted at
    not_a_digit_weight: 1 is the model's own softmax, 0 ignores that output."""
    digits = probabilities[:NUM_CLASSES]
    rest = float(probabilities[NUM_CLASSES]) if len(probabilities) > NUM_CLASSES else 0.0
    total = float(digits.sum()) + settings.not_a_digit_weight * rest
    return math.log(max(float(digits.max()), FLOOR) / max(total, FLOOR))


def best_segmentations(
    count: int, score: Callable[[int, int], float | None], settings: Settings = DEFAULT
) -> list[tuple[float, list]]:
    """The two best ways to cut `count` ordered parts into runs, by dynamic programming.

    `score(start, end)` is a run's score, or None when the run cannot be one digit. Returns up to
    two (total, [(start, end), ...]) from best to second best.
    """
    best: list[list[tuple[float, list]]] = [[(0.0, [])]] + [[] for _ in range(count)]
    for end in range(1, count + 1):
        options = []
        for start in range(max(0, end - settings.max_strokes_per_digit), end):
            run_score = score(start, end)
            if run_score is None:
                continue
            options += [(total + run_score, [*runs, (start, end)]) for total, runs in best[start]]
        best[end] = sorted(options, key=lambda option: -option[0])[:2]
    return best[count]


def compiled_predict(keras_model, batch: np.ndarray):
    """keras_model.predict_on_batch(batch) with the batch padded to a power of two.

    predict_on_batch runs a compiled graph (~3.5 ms for a few crops where an eager call costs ~20
    ms of Python overhead), traced once per batch size: padding keeps the sizes, and the traces,
    to a handful. Returns what the model returns (an array, or a list for several outputs).
    """
    count = len(batch)
    size = 1 << max(count - 1, 0).bit_length()
    padded = np.concatenate([batch, np.zeros((size - count, *batch.shape[1:]), batch.dtype)]) if size > count else batch
    output = keras_model.predict_on_batch(padded)
    if isinstance(output, list | tuple):
        return [np.asarray(o)[:count] for o in output]
    return np.asarray(output)[:count]


def path_length(stroke: np.ndarray) -> float:
    """How far the pen travelled along the stroke."""
    return float(np.hypot(*np.diff(stroke, axis=0).T).sum()) if len(stroke) > 1 else 0.0


def is_flat_line(stroke: np.ndarray, flatness: float = FLAT_LINE["flatness"]) -> bool:
    """One straight stroke (its ends at least `straightness` of its length apart) less than
    `flatness` as tall as it is wide: a dash alone, a crossbar within a digit."""
    stroke = np.asarray(stroke, dtype=np.float64).reshape(-1, 2)
    if len(stroke) < 2:
        return False
    width, height = np.ptp(stroke, axis=0)
    straight = float(np.hypot(*(stroke[-1] - stroke[0]))) >= FLAT_LINE["straightness"] * path_length(stroke)
    return bool(straight and height < flatness * width)


def has_crossbar(strokes: Sequence[np.ndarray]) -> bool:
    """Whether a digit of two or more strokes has a flat line across its middle (`crossbar_band`
    of its height, at least `crossbar_least_width` of its height wide), as a crossed 7 has. A
    crossbar may lean more than a dash alone (`crossbar_flatness`): it is flicked through the stem,
    and at the dash's 0.5, 3 of the writer benchmark's 4 missed crossbars were missed for leaning."""
    if len(strokes) < 2:
        return False
    _, top, _, bottom = union([box_of(s) for s in strokes])
    height = max(bottom - top, 1e-9)
    low, high = CROSSED_SEVENS["crossbar_band"]
    return any(
        is_flat_line(s, CROSSED_SEVENS["crossbar_flatness"])
        and low <= (float(np.mean(s[:, 1])) - top) / height <= high
        and float(np.ptp(s[:, 0])) >= CROSSED_SEVENS["crossbar_least_width"] * height
        for s in strokes
    )


def crosses_sevens(sevens: Sequence[Sequence[np.ndarray]]) -> bool | None:
    """What a writer's taught 7s (each one drawing's strokes) say of how they write 7: True when
    every one has a crossbar, False when one has none, None when no 7 was taught."""
    if not sevens:
        return None
    return all(has_crossbar([np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in seven]) for seven in sevens)


def doubt_seven(probabilities, odds: float = CROSSED_SEVENS["uncrossed_seven_odds"]) -> np.ndarray:
    """Ten probabilities of a drawing that looks like a 7 without its crossbar, from a writer who
    crosses their 7s: 7's is multiplied by `odds` (the odds that such a writer leaves a 7
    uncrossed) and all are renormalised. A drawing the model is all but certain is a 7 stays one;
    a less certain one (a long-flag 1 is read as 7 at 0.99, not 0.99999) goes to the next
    likeliest digit, usually 1. (Moving 7's probability to 1 instead turned the crossed 7s whose
    bar was missed into 1s: worse on the dev writers.)"""
    probabilities = np.array(probabilities, dtype=np.float64)
    probabilities[7] *= odds
    return probabilities / probabilities.sum()


def crossed_sevens(
    digits: Sequence[DigitReading],
    strokes: Sequence[np.ndarray],
    writer_crosses: bool | None = None,
    seen_crossed: bool = False,
) -> tuple[DigitReading, ...]:
    """A writer who crosses their 7s writes a 1 with a flag, often a long, almost level one that
    the models read as 7 (the writer benchmark's long-flag 1s: robust-cnn reads 15% of them as 1).
    So for a writer known to cross 7s, every digit read as a 7 without a crossbar is read again
    with `doubt_seven`. Known from `writer_crosses` (crosses_sevens of their taught 7s) or, when
    they taught none, from a crossed 7 in this number. Failing both, `seen_crossed` (the last 7
    read before this drawing was crossed: `seen_crossed_seven`) is weaker evidence, so the doubt
    is milder (`seen_uncrossed_seven_odds`) and only a 7 it makes a 1 is read again: one it makes
    a 9 or a 4 is a plain 7 (on the drawn benchmarks, a crossed 7 followed by other writers' plain
    7s sent them to 9). `strokes`: the drawing's; a digit's `parts` index them."""
    crossed = [d.digit == 7 and has_crossbar([strokes[k] for k in d.parts]) for d in digits]
    odds, only_to_one = CROSSED_SEVENS["uncrossed_seven_odds"], False
    if writer_crosses is not None:
        doubting = writer_crosses
    elif any(crossed):
        doubting = True
    else:
        doubting, odds, only_to_one = seen_crossed, CROSSED_SEVENS["seen_uncrossed_seven_odds"], True
    if not doubting:
        return tuple(digits)

    def doubted(d: DigitReading) -> DigitReading:
        probabilities = doubt_seven(d.probabilities, odds)
        digit = int(probabilities.argmax())
        if only_to_one and digit != 1:  # not a flagged 1 after all: a plain 7, which ends what was seen
            return d
        return replace(d, digit=digit, probabilities=tuple(float(p) for p in probabilities), doubted_seven=digit != 7)

    return tuple(doubted(d) if d.digit == 7 and not cross else d for d, cross in zip(digits, crossed))


def seen_crossed_seven(previous: bool, digits: Sequence[DigitReading], strokes: Sequence[np.ndarray]) -> bool:
    """What the page remembers of a writer who taught no 7, after reading `digits` (final, after
    `crossed_sevens`) from `strokes`: whether the last 7 it read was crossed. A drawing with no 7
    leaves `previous`; one with 7s says whether all of them are crossed. Teaching no 7 but writing
    a crossed one then makes the writer's next uncrossed 7s doubtful, until a 7 is read uncrossed."""
    sevens = [[strokes[k] for k in d.parts] for d in digits if d.digit == 7]
    return all(has_crossbar(seven) for seven in sevens) if sevens else previous


@dataclass
class NumberReader:
    """Reads numbers: `segmenter` scores the candidate digits (an 11-class model says "not one
    digit" too), `classifier` reads the digits chosen (default: the segmenter). Both models'
    answers are remembered by part set between calls."""

    segmenter: Predict
    classifier: Predict | None = None
    settings: Settings = DEFAULT
    scores: dict = field(default_factory=dict)
    readings: dict = field(default_factory=dict)
    cache_limit: int = CACHE_LIMIT  # answers kept per model; past it, that model's cache starts again
    writer_convention: bool = True  # read strokes with `crossed_sevens` (False: benchmarks, for comparison)
    writer_crosses_sevens: bool | None = None  # crosses_sevens of the writer's taught 7s
    seen_crossed_seven: bool = False  # seen_crossed_seven: the last 7 read, in an earlier drawing, was crossed

    @classmethod
    def for_model(cls, model, segmenter=None) -> NumberReader:
        """A reader for Keras models (e.g. `digitdraw.tfjs.load(folder)`): `model` reads the digits,
        `segmenter` (default: `model`) cuts the number into them."""

        def predict(keras_model) -> Predict:
            return lambda batch: compiled_predict(keras_model, batch)

        return cls(predict(segmenter or model), predict(model) if segmenter is not None else None)

    def _ask(self, predict: Predict, cache: dict, keys: list, make_input: Callable[[object], np.ndarray]) -> None:
        """Fill `cache` with `predict`'s answers for the keys it lacks, in one batch."""
        if len(cache) + len(keys) > self.cache_limit:
            cache.clear()
        missing = [key for key in keys if key not in cache]
        if missing:
            batch = preprocess.to_model_input(np.stack([make_input(key) for key in missing]))
            for key, probabilities in zip(missing, predict(batch)):
                cache[key] = np.asarray(probabilities, dtype=np.float64)  # as the JS twin computes

    def read_parts(
        self, boxes: Sequence[Box], keys: Sequence, make_input: Callable[[tuple], np.ndarray]
    ) -> NumberReading:
        """Read parts whose boxes are `boxes`; `keys[k]` identifies part k for the caches, and
        `make_input(part indices)` draws a group of parts as a 28×28 input."""
        if not boxes:
            return NumberReading(())
        order = reading_order(boxes)
        height = line_height(boxes, order)
        runs = candidates(boxes, order, height, self.settings)
        group_of = {run: tuple(sorted(order[run[0] : run[1]])) for run in runs}
        key_of = {run: frozenset(keys[k] for k in group_of[run]) for run in runs}

        def draw(key: frozenset) -> np.ndarray:
            return make_input(_indices(key, keys))

        self._ask(self.segmenter, self.scores, list(dict.fromkeys(key_of.values())), draw)

        def score(start: int, end: int) -> float | None:
            run = (start, end)
            if run not in group_of:
                return None
            parts = [boxes[k] for k in group_of[run]]
            return (
                digit_log_score(self.scores[key_of[run]], self.settings)
                + prior(parts, height, self.settings)
                + self.settings.segment_bonus
            )

        found = best_segmentations(len(order), score, self.settings)
        chosen = [run for _, runs in found for run in runs]
        if self.classifier is not None:
            self._ask(self.classifier, self.readings, list(dict.fromkeys(key_of[run] for run in chosen)), draw)
        read = self.readings if self.classifier is not None else self.scores
        digits = [
            tuple(self._digit(group_of[run], boxes, read[key_of[run]], self.scores[key_of[run]]) for run in runs)
            for _, runs in found
        ]
        texts = ["".join(str(d.digit) for d in reading) for reading in digits]
        if len(digits[0]) > 1 and inner_gap(boxes) <= 0:
            whole = self._sure_whole(boxes, keys, draw)
            if whole is not None:
                return NumberReading((whole,), texts[0])
        alternative = texts[1] if len(texts) > 1 and texts[1] != texts[0] else None
        return NumberReading(digits[0], alternative)

    def _sure_whole(self, boxes: Sequence[Box], keys: Sequence, draw: Callable) -> DigitReading | None:
        """The drawing read whole as one digit, if that digit is sure (the page's unsure threshold)
        and the segmenter finds it unlikely (below `whole_not_a_digit_below`) not to be one digit.

        Why: the search cut it into several digits though its parts chain together in x, as one
        digit's strokes do (a two-stroke 8 or 4, a 1's base, a font's double lines). Scored part by
        part, each piece may be a sure 1 or 3; read whole, a sure digit the segmenter accepts is
        the likelier story. Two digits written touching are a pair the segmenter was trained to
        call "not one digit", so they stay cut."""
        key = frozenset(keys)
        self._ask(self.segmenter, self.scores, [key], draw)
        if len(self.scores[key]) <= NUM_CLASSES:  # a 10-class segmenter cannot tell a touching pair
            return None
        if self.classifier is not None:
            self._ask(self.classifier, self.readings, [key], draw)
        read = self.readings[key] if self.classifier is not None else self.scores[key]
        whole = self._digit(tuple(range(len(boxes))), boxes, read, self.scores[key])
        sure = whole.confidence >= UNSURE_BELOW and whole.not_a_digit < self.settings.whole_not_a_digit_below
        return whole if sure else None

    @staticmethod
    def _digit(parts: tuple[int, ...], boxes: Sequence[Box], read: np.ndarray, scored: np.ndarray) -> DigitReading:
        digits = read[:NUM_CLASSES] / max(float(read[:NUM_CLASSES].sum()), FLOOR)
        not_a_digit = float(scored[NUM_CLASSES]) if len(scored) > NUM_CLASSES else 0.0
        return DigitReading(
            int(digits.argmax()), tuple(float(p) for p in digits), parts, union([boxes[k] for k in parts]), not_a_digit
        )

    def read_strokes(self, strokes: Sequence, draw_strokes=None) -> NumberReading:
        """Read a number from strokes: lists of (x, y) points in any units, in the order written.
        A digit's `parts` are indices into the (non-empty) strokes. `draw_strokes(indices)` makes
        a group of strokes' 28×28 input (default: the vector recipe)."""
        strokes = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes]
        strokes = [s for s in strokes if len(s)]
        groups = retraced_groups(strokes)
        keys = [tuple(sorted(_stroke_key(strokes[k]) for k in group)) for group in groups]

        def draw(indices: tuple[int, ...]) -> np.ndarray:
            chosen = sorted(k for part in indices for k in groups[part])
            if draw_strokes is not None:
                return draw_strokes(chosen)
            return preprocess.mnist_from_strokes([strokes[k] for k in chosen])

        boxes = [union([box_of(strokes[k]) for k in group]) for group in groups]
        reading = self.read_parts(boxes, keys, draw)
        as_strokes = [
            replace(d, parts=tuple(sorted(k for part in d.parts for k in groups[part]))) for d in reading.digits
        ]
        digits = tuple(as_strokes)
        if self.writer_convention:
            digits = crossed_sevens(digits, strokes, self.writer_crosses_sevens, self.seen_crossed_seven)
        read = NumberReading(digits, reading.alternative)
        return read if read.alternative != read.text else NumberReading(read.digits)

    def read_ink(self, ink: np.ndarray, max_parts: int | None = None) -> NumberReading:
        """Read a number from an ink raster (ink high, in [0, 1]): its connected ink components are
        the parts (`ink_parts`), and a group of them is cropped and fitted as MNIST was (the
        raster recipe). More than `max_parts` components raise TooManyPartsError."""
        labels, count = ink_parts(ink)
        if max_parts is not None and count > max_parts:
            raise TooManyPartsError(f"the image has {count} separate marks; at most {max_parts} are read")
        keys = [("ink", k) for k in range(count)]

        def make_input(indices):
            return preprocess.mnist_from_ink(np.where(np.isin(labels, [k + 1 for k in indices]), ink, 0.0))

        self.scores.clear()  # component numbers mean nothing from one image to the next
        self.readings.clear()
        return self.read_parts(ink_boxes(labels), keys, make_input)


def ink_parts(ink: np.ndarray) -> tuple[np.ndarray, int]:
    """The parts of an ink raster: its connected ink components (8-neighbours, above the ink
    threshold), dust left out, numbered 1..count in `labels` (0: no part). The JS twin is ink.js."""
    from scipy import ndimage

    mask = ink > preprocess.INK_THRESHOLD
    labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
    sizes = ndimage.sum_labels(mask, labels, range(1, count + 1)) if count else np.zeros(0)
    specks = [k + 1 for k, size in enumerate(sizes) if size < SPECK_SHARE * sizes.max()]
    if specks:  # dust and noise, not strokes: left out before they could be read as digits
        labels[np.isin(labels, specks)] = 0
        labels, count = ndimage.label(labels > 0, structure=np.ones((3, 3)))
    return labels, count


def ink_boxes(labels: np.ndarray) -> list[Box]:
    """Each part's box (x0, y0, x1, y1), inclusive pixel indices, in label order."""
    from scipy import ndimage

    return [
        (float(s[1].start), float(s[0].start), float(s[1].stop - 1), float(s[0].stop - 1))
        for s in ndimage.find_objects(labels)
    ]


def distances(points: np.ndarray, polyline: np.ndarray) -> np.ndarray:
    """Each point's distance to the polyline (a one-point polyline is a dot)."""
    ends = polyline if len(polyline) > 1 else np.vstack([polyline, polyline])
    start, step = ends[:-1][None], np.diff(ends, axis=0)[None]
    offset = points[:, None] - start
    along = np.clip((offset * step).sum(-1) / np.maximum((step * step).sum(-1), 1e-12), 0.0, 1.0)
    return np.hypot(*np.moveaxis(offset - along[..., None] * step, -1, 0)).min(axis=1)


def samples(stroke: np.ndarray, count: int = RETRACE_SAMPLES) -> np.ndarray:
    """`count` points evenly spaced along the stroke, ends included (a dot: itself)."""
    lengths = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(stroke, axis=0).T))])
    if lengths[-1] <= 0:
        return stroke[:1]
    at = np.linspace(0.0, lengths[-1], count)
    return np.column_stack([np.interp(at, lengths, stroke[:, 0]), np.interp(at, lengths, stroke[:, 1])])


def _retraces(stroke: np.ndarray, other: np.ndarray, reach: float) -> bool:
    return float((distances(samples(stroke), other) <= reach).mean()) >= RETRACE_SHARE


def retraced_groups(strokes: Sequence[np.ndarray]) -> list[list[int]]:
    """Strokes grouped where one goes over another's line for most of its length (a line drawn
    twice, a digit written over, a font's double lines): such strokes are one part of one digit.
    Groups are listed by their first stroke; each holds its strokes in the order written."""
    if not strokes:
        return []
    reach = RETRACE_REACH * max(float(np.ptp(np.vstack(strokes)[:, 1])), 1e-6)
    boxes = [box_of(s) for s in strokes]

    def retraced(a: int, b: int) -> bool:
        near = all(boxes[a][i] - reach <= boxes[b][i + 2] and boxes[b][i] - reach <= boxes[a][i + 2] for i in (0, 1))
        return near and (_retraces(strokes[b], strokes[a], reach) or _retraces(strokes[a], strokes[b], reach))

    return linked_groups(len(strokes), retraced)


def linked_groups(count: int, linked: Callable[[int, int], bool]) -> list[list[int]]:
    """Items 0..count-1 grouped where `linked(a, b)` (a < b) joins two of them, directly or through
    others; each group ascending, the groups by their first item."""
    root = list(range(count))

    def find(k: int) -> int:
        while root[k] != k:
            k = root[k]
        return k

    for a in range(count):
        for b in range(a + 1, count):
            if find(a) != find(b) and linked(a, b):
                root[find(b)] = find(a)
    groups: dict[int, list[int]] = {}
    for k in range(count):
        groups.setdefault(find(k), []).append(k)
    return sorted(groups.values())


def _stroke_key(stroke: np.ndarray) -> bytes:
    """A stroke's identity for the cache: its points (the same stroke drawn again is the same)."""
    return np.round(stroke, 3).tobytes()


def _indices(key: frozenset, keys: Sequence) -> tuple[int, ...]:
    return tuple(k for k, part in enumerate(keys) if part in key)
