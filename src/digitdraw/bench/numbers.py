"""Handwritten-number benchmark: digit strings drawn as pen strokes, for a number reader.

A reader takes the strokes of a whole number (any count of digits, written left to right on a pad
PAD_UNITS tall and as wide as needed) and returns its digits. Each item here is such a number with
its true segmentation: which strokes make up which digit.

What it is: strings generated here from drawn digits that no model trains on — MNIST *test*
digits traced into strokes, the held-out Hershey fonts (synth.BENCH_FONTS), and the European
style (1s with a flag, 7s with a crossbar) — set side by side the way one writer would: one
slant and width, one size, one kind of spacing (wide, normal, touching or overlapping), a
baseline that drifts, and sometimes a stroke added late (the crossbar of a 7 drawn after the next
digit). Random strings of 1–10 digits, years and 3-3-4 phone numbers.

What it is not: numbers written by people. The digits of one string come from different MNIST
writers (made upright and re-slanted to one slant, but their shapes still differ), and the
spacing, drift and late-stroke shares are chosen here, not measured. Use the figures to compare
methods with each other, not as the accuracy to expect on real handwriting.

Items whose index % 10 < 3 form the dev part (for choices and tuning); the rest is the final
part, used only for reported figures — as in bench/drawn.py.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..config import PAD_PEN, PAD_UNITS
from ..drawn import synth
from .drawn import BENCH_SEED, DEV_FRACTION_MOD

PAD = float(PAD_UNITS)
SOURCES = ("traced-mnist", "stroke-fonts", "european")
TEMPLATES = ("random", "year", "phone")
TEMPLATE_WEIGHTS = (0.8, 0.1, 0.1)  # most strings random, so every length stays common
MAX_LENGTH = 10
YEARS = (1900, 2099)
PHONE_BLOCKS = (3, 3, 4)
PHONE_BLOCK_GAP = (0.4, 0.9)  # added to the string's gap between phone blocks, in digit heights
# Horizontal gap between neighbouring digits' point bounding boxes, in digit heights (the mean
# bounding-box height of the string's digits); negative: their x-extents overlap.
GAPS = {"wide": (0.35, 0.7), "normal": (0.1, 0.35), "touching": (-0.05, 0.1), "overlapping": (-0.25, -0.05)}

DIGIT_HEIGHT = (0.45, 0.7)  # of the pad's height, one per string
HEIGHT_JITTER = 0.05  # ± relative, per digit
ROTATION_DEG = 4.0  # ± per string: the whole line's letters lean alike
SLANT = 0.3  # ± shear per string
ASPECT = (0.85, 1.2)  # width factor per string
MAX_DESKEW = 0.5  # traced MNIST digits are made upright first, but never sheared more than this
BASELINE_DRIFT = 0.15  # the line rises or falls by up to this many digit heights across the string
BASELINE_JITTER = 0.03  # per digit, in digit heights (standard deviation)
ELASTIC = 0.02
TREMOR = 0.0015
POINT_SPACING = 0.02  # strokes resampled this densely (digit heights) so bending bends straight lines
BASE_SERIF_SHARE = 0.35  # European writers who put a base under every 1 (as synth.add_flag's default)
LATE_SHARE = 0.25  # strings in which one digit gets its last stroke after the next digit
LEFT_MARGIN = 20.0
SINGLES_PER_SOURCE = 1000  # single drawn digits per source in the benchmark (dev and final parts)

Method = Callable[[list[np.ndarray]], str]


@dataclass(frozen=True)
class NumberItem:
    strokes: list[np.ndarray]  # pad units, y down, in the order they were written
    digits: str
    groups: tuple[tuple[int, ...], ...]  # per digit, left to right: indices into `strokes`
    source: str  # one of SOURCES
    template: str  # one of TEMPLATES
    gap: str  # a key of GAPS
    index: int

    @property
    def part(self) -> str:
        return "dev" if self.index % 10 < DEV_FRACTION_MOD else "final"

    @property
    def width(self) -> int:
        """The pad width the number needs: its ink and the same margin on the right as on the left."""
        right = max(float(s[:, 0].max()) for s in self.strokes)
        return int(np.ceil(right + PAD_PEN / 2 + LEFT_MARGIN))

    def group_strokes(self, position: int) -> list[np.ndarray]:
        return [self.strokes[k] for k in self.groups[position]]


# ---- digit shapes ---------------------------------------------------------------------------


class DigitShapes:
    """Where the digits' shapes come from: MNIST test images by label (traced once each) and the
    benchmark fonts' glyphs."""

    def __init__(self, mnist_test):
        self.images = mnist_test.images
        self.by_label = [np.flatnonzero(mnist_test.labels == d) for d in range(10)]
        self.traced: dict[int, list[np.ndarray]] = {}
        self.glyphs = {(font, character): strokes for strokes, character, font in synth.hershey_digits()}

    def mnist(self, digit: int, rng) -> list[np.ndarray]:
        """A random test image of `digit`, traced; one that traces to nothing is replaced."""
        while True:
            image = int(rng.choice(self.by_label[digit]))
            if image not in self.traced:
                self.traced[image] = synth.traced(self.images[image : image + 1])[0]
            if self.traced[image]:
                return upright(self.traced[image])

    def glyph(self, font: str, digit: int) -> list[np.ndarray]:
        return self.glyphs[(font, str(digit))]


def upright(strokes) -> list[np.ndarray]:
    """Undo the digit's own slant (the points' x–y moment), so the string's one slant applies to
    digits traced from different writers."""
    every = np.vstack(strokes)
    centred = every - every.mean(axis=0)
    slope = (centred[:, 0] * centred[:, 1]).sum() / max((centred[:, 1] ** 2).sum(), 1e-9)
    slope = float(np.clip(slope, -MAX_DESKEW, MAX_DESKEW))
    middle = every[:, 1].mean()
    return [s - np.outer(s[:, 1] - middle, (slope, 0.0)) for s in strokes]


def densified(strokes, spacing: float) -> list[np.ndarray]:
    """Points every `spacing` along each stroke (font glyphs are a few straight segments)."""
    out = []
    for stroke in strokes:
        steps = np.linalg.norm(np.diff(stroke, axis=0), axis=1)
        along = np.concatenate([[0.0], np.cumsum(steps)])
        if len(stroke) < 2 or along[-1] == 0:
            out.append(stroke)
            continue
        at = np.linspace(0.0, along[-1], max(2, int(np.ceil(along[-1] / spacing)) + 1))
        out.append(np.stack([np.interp(at, along, stroke[:, k]) for k in range(2)], axis=1))
    return out


@dataclass(frozen=True)
class _Writer:
    """One writer's habits for one string."""

    matrix: np.ndarray  # rotation · slant · aspect, applied to every digit
    height: float  # pad units
    gap: tuple[float, float]  # range of gaps, digit heights
    drift: float  # baseline change from first to last digit, digit heights
    font: str  # for stroke-font strings
    base_serif: bool  # for European 1s


def _writer(rng, gap: str) -> _Writer:
    angle = np.radians(rng.uniform(-ROTATION_DEG, ROTATION_DEG))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    # x += shear · y with y down: a negative shear leans the tops right, a positive one left.
    slant = np.array([[1.0, rng.uniform(-SLANT, SLANT)], [0.0, 1.0]])
    return _Writer(
        matrix=rotation @ slant @ np.diag([rng.uniform(*ASPECT), 1.0]),
        height=rng.uniform(*DIGIT_HEIGHT) * PAD,
        gap=GAPS[gap],
        drift=rng.uniform(-BASELINE_DRIFT, BASELINE_DRIFT),
        font=str(rng.choice(synth.BENCH_FONTS)),
        base_serif=bool(rng.uniform() < BASE_SERIF_SHARE),
    )


def _digit_shape(digit: int, source: str, writer: _Writer, shapes: DigitShapes, rng, flag) -> list[np.ndarray]:
    """One digit's strokes before styling, 1 unit tall; `flag`: a European 1's (angles, lengths)."""
    if source == "stroke-fonts":
        return synth.normalised(shapes.glyph(writer.font, digit))
    strokes = shapes.mnist(digit, rng)
    if source == "european" and digit == 1:
        return synth.add_flag(strokes, rng, float(writer.base_serif), *flag)
    if source == "european" and digit == 7:
        return synth.add_crossbar(strokes, rng)
    return synth.normalised(strokes)


def _styled(unit_strokes, writer: _Writer, rng) -> list[np.ndarray]:
    """The writer's slant and size, then this digit's own bending and jitter."""
    leaned = synth.normalised([s @ writer.matrix.T for s in densified(unit_strokes, POINT_SPACING)])
    height = writer.height * (1 + rng.uniform(-HEIGHT_JITTER, HEIGHT_JITTER))
    return synth.tremor(synth.elastic([s * height for s in leaned], rng, ELASTIC), rng, TREMOR)


# ---- layout ---------------------------------------------------------------------------------


def _digits_for(template: str, rng) -> str:
    if template == "year":
        return str(rng.integers(YEARS[0], YEARS[1] + 1))
    length = sum(PHONE_BLOCKS) if template == "phone" else int(rng.integers(1, MAX_LENGTH + 1))
    return "".join(str(d) for d in rng.integers(0, 10, size=length))


def _gaps(count: int, template: str, writer: _Writer, rng) -> np.ndarray:
    """The gap before each digit after the first, in digit heights."""
    gaps = rng.uniform(*writer.gap, size=max(count - 1, 0))
    if template == "phone":
        for end in np.cumsum(PHONE_BLOCKS)[:-1]:
            gaps[end - 1] += rng.uniform(*PHONE_BLOCK_GAP)
    return gaps


def _laid_out(digits: list[list[np.ndarray]], template: str, writer: _Writer, rng) -> list[list[np.ndarray]]:
    """Place the digits left to right at the drawn gaps, bottoms on a drifting baseline, then fit
    the line on the pad."""
    unit = float(np.mean([np.ptp(np.vstack(d)[:, 1]) for d in digits]))
    gaps = _gaps(len(digits), template, writer, rng)
    placed, right = [], 0.0
    for position, strokes in enumerate(digits):
        x0, _, _, y1 = synth.bounds(strokes)
        left = 0.0 if position == 0 else right + gaps[position - 1] * unit
        along = position / max(len(digits) - 1, 1)
        baseline = (writer.drift * along + rng.normal(0, BASELINE_JITTER)) * unit
        offset = np.array([left - x0, baseline - y1])
        moved = [s + offset for s in strokes]
        right = synth.bounds(moved)[2]
        placed.append(moved)
    return _fitted(placed, rng)


def _fitted(digits: list[list[np.ndarray]], rng) -> list[list[np.ndarray]]:
    """Start the line at LEFT_MARGIN and put it at a random height where its ink stays on the pad;
    a line too tall for the pad (big digits on a steep baseline) is scaled down, gaps and all."""
    x0, y0, _, y1 = synth.bounds([s for d in digits for s in d])
    room = PAD - PAD_PEN
    scale = min(1.0, room / (y1 - y0))
    top = PAD_PEN / 2 + rng.uniform(0, room - (y1 - y0) * scale)
    return [[(s - (x0, y0)) * scale + (LEFT_MARGIN, top) for s in d] for d in digits]


def _late_digit(digits: list[list[np.ndarray]], rng) -> int | None:
    """Which digit's last stroke is written after the next digit, if any in this string.

    The last stroke is a 7's crossbar or a European 1's base; for traced digits, whose strokes
    come longest first, the shortest (a 4's or 5's bar).
    """
    candidates = [k for k, strokes in enumerate(digits[:-1]) if len(strokes) > 1]
    if not candidates or rng.uniform() >= LATE_SHARE:
        return None
    return int(rng.choice(candidates))


def _time_ordered(
    digits: list[list[np.ndarray]], late: int | None
) -> tuple[list[np.ndarray], tuple[tuple[int, ...], ...]]:
    """Strokes in writing order and each digit's indices into them."""
    order: list[tuple[int, int]] = []  # (digit, stroke within the digit)
    for position, strokes in enumerate(digits):
        now = len(strokes) - 1 if position == late else len(strokes)
        order += [(position, k) for k in range(now)]
        if late is not None and position == late + 1:
            order.append((late, len(digits[late]) - 1))
    strokes = [digits[d][k] for d, k in order]
    groups = tuple(tuple(i for i, (d, _) in enumerate(order) if d == position) for position in range(len(digits)))
    return strokes, groups


def _item(index: int, shapes: DigitShapes, seed: int, flag=synth.STEEP_FLAG) -> NumberItem:
    rng = np.random.default_rng([seed, index])
    template = str(rng.choice(TEMPLATES, p=TEMPLATE_WEIGHTS))
    source = str(rng.choice(SOURCES))
    gap = str(rng.choice(list(GAPS)))
    writer = _writer(rng, gap)
    text = _digits_for(template, rng)
    digits = [_styled(_digit_shape(int(c), source, writer, shapes, rng, flag), writer, rng) for c in text]
    digits = _laid_out(digits, template, writer, rng)
    strokes, groups = _time_ordered(digits, _late_digit(digits, rng))
    return NumberItem(strokes, text, groups, source, template, gap, index)


def build(count: int, mnist_test, seed: int = BENCH_SEED, flag=synth.STEEP_FLAG) -> list[NumberItem]:
    """`count` numbers. Each item has its own random stream from (seed, index), so a larger count
    only adds items: build(300) is the start of build(600). `flag`: the European 1s' flags
    (angles, lengths; synth.LONG_FLAG for writers whose 1s the models read as 7s)."""
    shapes = DigitShapes(mnist_test)
    return [_item(index, shapes, seed, flag) for index in range(count)]


def single_digits(count: int, mnist_test, seed: int = BENCH_SEED) -> list[NumberItem]:
    """Single drawn digits as one-digit numbers: `count` per source, from bench/drawn.py's
    benchmarks of the same names (their centred layout: the vector recipe reads both alike), with
    those benchmarks' dev and final parts. Most drawings on the pad are one digit, and a reader
    that cuts an 8 written in two strokes into "51" reads worse than reading the whole drawing did."""
    from . import drawn

    return [
        NumberItem(
            [np.asarray(s, dtype=np.float64) for s in it.strokes],
            str(it.label),
            (tuple(range(len(it.strokes))),),
            source,
            "single",
            "none",
            it.index,
        )
        for source in SOURCES
        for it in drawn.build(source, count, mnist_test, seed)
        if it.layout == "centred"
    ]


# ---- the usual segmentation -----------------------------------------------------------------


def usual_split(strokes) -> list[tuple[int, ...]]:
    """What digit demos usually do: strokes whose inked x-extents overlap or touch are one digit.

    Each stroke's ink reaches PAD_PEN / 2 beyond its points. Groups come left to right, each
    listing its stroke indices in writing order. Strokes without points belong to no group.
    """
    spans = sorted(
        (float(s[:, 0].min()) - PAD_PEN / 2, float(s[:, 0].max()) + PAD_PEN / 2, k)
        for k, s in enumerate(strokes)
        if len(s)
    )
    groups: list[list[int]] = []
    reach = -np.inf  # right end of the current group's ink
    for left, right, k in spans:
        if groups and left <= reach:
            groups[-1].append(k)
            reach = max(reach, right)
        else:
            groups.append([k])
            reach = right
    return [tuple(sorted(g)) for g in groups]


# ---- scoring --------------------------------------------------------------------------------


def _common_digits(truth: str, predicted: str) -> int:
    """Length of the longest common subsequence: the digits an optimal alignment matches."""
    row = [0] * (len(predicted) + 1)
    for t in truth:
        previous_diagonal = 0
        for j, p in enumerate(predicted, start=1):
            previous_diagonal, row[j] = row[j], previous_diagonal + 1 if t == p else max(row[j], row[j - 1])
    return row[-1]


def _figures(pairs: Sequence[tuple[str, str]]) -> dict:
    """The four figures for (truth, prediction) pairs; shares are None where nothing was counted."""

    def share(numerator, denominator):
        return round(numerator / denominator, 4) if denominator else None

    right_count = [(t, p) for t, p in pairs if len(t) == len(p)]
    return {
        "strings": len(pairs),
        "string_accuracy": share(sum(t == p for t, p in pairs), len(pairs)),
        "count_accuracy": share(len(right_count), len(pairs)),
        "digit_accuracy_count_right": share(
            sum(a == b for t, p in right_count for a, b in zip(t, p)), sum(len(t) for t, _ in right_count)
        ),
        "digit_accuracy_aligned": share(
            sum(_common_digits(t, p) for t, p in pairs), sum(max(len(t), len(p)) for t, p in pairs)
        ),
    }


def _table(pairs, keys, field: str, values) -> list[dict]:
    """One record per value present: {field: value, **figures}."""
    return [
        {field: value, **_figures([pair for pair, key in zip(pairs, keys) if key == value])}
        for value in values
        if value in keys
    ]


def score(items: Sequence[NumberItem], predictions: Sequence[str]) -> dict:
    """How well `predictions` (one digit string per item, same order) read the items.

    Figures, each overall, for lengths 2–10 together (the headline: one digit needs no
    segmenting), and by length, gap bucket, source and template:
    - string_accuracy: the whole string exactly right;
    - count_accuracy: the right number of digits;
    - digit_accuracy_count_right: over strings with the right count, the share of digit
      positions right (pooled over digits, not averaged per string);
    - digit_accuracy_aligned: over all strings, digits matched by an optimal alignment (longest
      common subsequence, computed exactly rather than with difflib's heuristic) divided by the
      longer of truth and prediction, pooled — every wrong, missing or extra digit costs one.
    """
    if len(items) != len(predictions):
        raise ValueError(f"{len(items)} items but {len(predictions)} predictions")
    pairs = [(item.digits, str(p)) for item, p in zip(items, predictions)]
    lengths = [len(item.digits) for item in items]
    return {
        "overall": _figures(pairs),
        "lengths_2_to_10": _figures([pair for pair, n in zip(pairs, lengths) if n >= 2]),
        "by_length": _table(pairs, lengths, "length", range(1, MAX_LENGTH + 1)),
        "by_gap": _table(pairs, [item.gap for item in items], "gap", GAPS),
        "by_source": _table(pairs, [item.source for item in items], "source", SOURCES),
        "by_template": _table(pairs, [item.template for item in items], "template", TEMPLATES),
    }


def run(
    methods: dict[str, Method],
    items: Sequence[NumberItem],
    part: str = "final",
    true_split: Method | None = None,
) -> dict:
    """Score each method (strokes of a number → its digits) on the items of `part`.

    `true_split`, if given, classifies one digit's strokes; it is scored reading each item's true
    groups, as "true split": the figure a perfect segmenter would reach with that classifier.
    """
    chosen = [item for item in items if item.part == part]
    report = {"part": part, "strings": len(chosen), "methods": {}}
    for name, method in methods.items():
        report["methods"][name] = score(chosen, [method(item.strokes) for item in chosen])
    if true_split is not None:
        predictions = ["".join(true_split(item.group_strokes(k)) for k in range(len(item.groups))) for item in chosen]
        report["methods"]["true split"] = score(chosen, predictions)
    return report


# ---- the command line -----------------------------------------------------------------------


class DigitClassifier:
    """A digit model as a function of one digit's strokes, through the vector recipe.

    Calling the model once per digit is slow, so `prime` reads many groups in one batch and keeps
    the answers by the strokes' content; a call for a group not primed reads it alone.
    """

    def __init__(self, model):
        self.model = model
        self.known: dict[tuple[bytes, ...], str] = {}

    @staticmethod
    def _key(strokes) -> tuple[bytes, ...]:
        return tuple(np.asarray(s, dtype=np.float64).tobytes() for s in strokes)

    def prime(self, groups: Sequence[list[np.ndarray]]) -> None:
        from .. import preprocess
        from ..models import digit_probabilities

        new = list({self._key(g): g for g in groups if self._key(g) not in self.known}.items())
        if not new:
            return
        inputs = np.stack([preprocess.mnist_from_strokes(g) for _, g in new])
        probabilities = self.model.predict(preprocess.to_model_input(inputs), batch_size=512, verbose=0)
        for (key, _), digit in zip(new, digit_probabilities(probabilities).argmax(axis=-1)):
            self.known[key] = str(int(digit))

    def __call__(self, strokes: list[np.ndarray]) -> str:
        if self._key(strokes) not in self.known:
            self.prime([strokes])
        return self.known[self._key(strokes)]


def usual_split_method(classify: Method) -> Method:
    """A reader: the usual split, then `classify` on each group."""
    return lambda strokes: "".join(classify([strokes[k] for k in group]) for group in usual_split(strokes))


def number_reader_method(reader) -> Method:
    """The number reader (digitdraw.numbers) as a method: strokes → the digits it reads."""
    return lambda strokes: reader.read_strokes(strokes).text


# Values tried for each setting when tuning on the dev part, one setting at a time.
TUNING_GRID = {
    "segment_bonus": (-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0),
    "not_a_digit_weight": (0.0, 0.5, 1.0, 2.0, 4.0, 8.0),
    "max_strokes_per_digit": (4, 6, 8),
    "gap_weight": (0.0, 2.0, 4.0, 8.0),
    "join_gap": (0.2, 0.35, 0.5, 0.8),
    "min_height": (0.25, 0.4, 0.55),
    "height_weight": (2.0, 6.0, 12.0),
    "max_width": (0.9, 1.1, 1.4, 1.7, 2.0),
    "width_weight": (2.0, 6.0, 12.0),
}
TUNING_PASSES = 2


def tune(items: Sequence[NumberItem], segmenter, classifier, start=None) -> tuple[object, float]:
    """The number reader's settings that read the most strings right on `items` (the dev part of
    the numbers and of the single digits), by coordinate descent over TUNING_GRID from `start`
    (default: config.json's). Candidate scores are shared across all the settings tried, so each
    try costs only the search."""
    from dataclasses import replace

    from .. import numbers

    settings = start or numbers.DEFAULT
    scores, readings = {}, {}

    def accuracy(candidate) -> float:
        reader = numbers.NumberReader(segmenter, classifier, candidate, scores, readings, cache_limit=10**9)
        return float(np.mean([reader.read_strokes(item.strokes).text == item.digits for item in items]))

    widest = {
        "join_gap": max(TUNING_GRID["join_gap"]),
        "max_strokes_per_digit": max(TUNING_GRID["max_strokes_per_digit"]),
    }
    accuracy(replace(settings, **widest))  # every candidate scored once
    best = accuracy(settings)
    for _ in range(TUNING_PASSES):
        for name, values in TUNING_GRID.items():
            for value in values:
                candidate = replace(settings, **{name: value})
                found = accuracy(candidate)
                if found > best:
                    settings, best = candidate, found
        print(f"  tuning pass: {best:.2%} of dev strings with {settings}", flush=True)
    return settings, best


def _summary(name: str, scores: dict) -> str:
    head = scores["lengths_2_to_10"]
    per_length = " ".join(f"{row['length']}:{row['string_accuracy']:.0%}" for row in scores["by_length"])
    return (
        f"{name:<14} lengths 2–10: strings {head['string_accuracy']:.1%}, count {head['count_accuracy']:.1%}, "
        f"digits {head['digit_accuracy_aligned']:.1%} aligned / {head['digit_accuracy_count_right']:.1%} "
        f"when the count is right\n{'':<14} strings right by length: {per_length}"
    )


def single_digit_scores(items: Sequence[NumberItem], reader: Method, whole: Method) -> list[dict]:
    """Per source, the share of one-digit items the number reader reads right, beside `whole`
    reading the whole drawing as one digit (what the page did before it read numbers)."""
    rows = []
    for source in SOURCES:
        chosen = [item for item in items if item.source == source]
        if not chosen:  # e.g. --singles 0: no row rather than a share of nothing
            continue
        rows.append(
            {
                "source": source,
                "digits": len(chosen),
                "number_reader": float(np.mean([reader(item.strokes) == item.digits for item in chosen])),
                "whole_drawing": float(np.mean([whole(item.strokes) == item.digits for item in chosen])),
            }
        )
    return rows


def benchmark(
    model,
    segmenter,
    mnist_test,
    count: int,
    part: str = "final",
    tune_first: bool = False,
    singles: int = SINGLES_PER_SOURCE,
) -> dict:
    """Build `count` numbers and `singles` single drawn digits per source, and score on `part`:
    the usual split and the true split with `model`, and the number reader (`segmenter` cuts,
    `model` reads); with `tune_first`, the reader's settings are first chosen on the dev part of
    both, every drawing counting once."""
    from .. import numbers

    items = build(count, mnist_test)
    one_digit = single_digits(singles, mnist_test) if singles else []
    classify = DigitClassifier(model)
    reader = numbers.NumberReader.for_model(model, segmenter)
    report = {"seed": BENCH_SEED, "count": count, "settings": asdict(reader.settings)}
    if tune_first:
        dev = [item for item in [*items, *one_digit] if item.part == "dev"]
        settings, accuracy = tune(dev, reader.segmenter, reader.classifier)
        reader.settings = settings
        report |= {"settings": asdict(settings), "tuned_dev_accuracy": accuracy}
    chosen = [item for item in items if item.part == part]
    chosen_singles = [item for item in one_digit if item.part == part]
    classify.prime(
        [[item.strokes[k] for k in group] for item in chosen for group in [*item.groups, *usual_split(item.strokes)]]
        + [item.strokes for item in chosen_singles]
    )
    methods = {"usual split": usual_split_method(classify), "number reader": number_reader_method(reader)}
    report |= run(methods, items, part, true_split=classify)
    report["single_digits"] = single_digit_scores(chosen_singles, methods["number reader"], classify)
    long_flags = build(count, mnist_test, flag=synth.LONG_FLAG)
    report["convention"] = convention_scores(reader, chosen, [i for i in long_flags if i.part == part])
    return report


def convention_scores(reader, steep: Sequence[NumberItem], long: Sequence[NumberItem]) -> list[dict]:
    """The crossed-7 convention (numbers.crossed_sevens) on and off, on numbers of 2–10 digits:
    all of `steep` (built with steep, short flags on the European 1s, as robust-cnn trains on) and
    their European ones, and the European ones of `long` (the same numbers with long, shallow
    flags, as the real writers whose 1s it reads as 7)."""
    from dataclasses import replace

    def several(items):
        return [i for i in items if len(i.digits) >= 2]

    def european(items):
        return [i for i in several(items) if i.source == "european"]

    off = replace(reader, writer_convention=False)
    rows = []
    for flags, name, chosen in (
        ("steep", "european", european(steep)),
        ("steep", "all", several(steep)),
        ("long", "european", european(long)),
    ):
        right = {
            label: float(np.mean([r.read_strokes(i.strokes).text == i.digits for i in chosen]))
            for label, r in (("with", reader), ("without", off))
        }
        rows.append({"numbers": name, "flags": flags, "strings": len(chosen), **right})
    return rows


def main(argv=None) -> int:
    """`python -m digitdraw.bench.numbers --out FILE`: the number benchmark, as JSON."""
    from .. import data, tfjs
    from ..app import catalog
    from ..config import DEFAULT_MODEL, SEGMENTER

    parser = argparse.ArgumentParser(prog="python -m digitdraw.bench.numbers", description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="JSON file to write")
    parser.add_argument("--count", type=int, default=1000, help="numbers to build (dev and final parts together)")
    parser.add_argument("--part", choices=("dev", "final"), default="final")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="bundled name or folder of the digit classifier")
    parser.add_argument("--segmenter", default=SEGMENTER, help="bundled name or folder of the number segmenter")
    parser.add_argument("--singles", type=int, default=SINGLES_PER_SOURCE, help="single drawn digits per source")
    parser.add_argument("--tune", action="store_true", help="first choose the reader's settings on the dev part")
    args = parser.parse_args(argv)

    model, segmenter = (tfjs.load(catalog.resolve(name)) for name in (args.model, args.segmenter))
    report = {"model": args.model, "segmenter": args.segmenter}
    report |= benchmark(model, segmenter, data.load_mnist().test, args.count, args.part, args.tune, args.singles)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(json.dumps(report["settings"]))
    for name, scores in report["methods"].items():
        print(_summary(name, scores))
    for row in report["single_digits"]:
        print(
            f"single {row['source']:<12} number reader {row['number_reader']:.2%}, "
            f"whole drawing {row['whole_drawing']:.2%} ({row['digits']} digits)"
        )
    for row in report["convention"]:
        print(f"convention {row['numbers']} {row['flags']} flags: {row['with']:.2%} with, {row['without']:.2%} without")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
