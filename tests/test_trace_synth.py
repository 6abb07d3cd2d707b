"""Stroke tracing on crafted and real images, and the drawn-digit generators."""

import numpy as np
import pytest
from scipy import ndimage

from digitdraw import preprocess
from digitdraw.bench import drawn as drawn_bench
from digitdraw.drawn import synth, trace


def length(stroke):
    return float(np.linalg.norm(np.diff(stroke, axis=0), axis=1).sum())


def test_blank_image_has_no_strokes():
    assert trace.trace(np.zeros((28, 28))) == []


def test_horizontal_bar_is_one_straight_stroke():
    image = np.zeros((28, 28))
    image[13:16, 5:23] = 1.0
    strokes = trace.trace(image)
    assert len(strokes) == 1
    stroke = strokes[0]
    assert 14 <= length(stroke) <= 20
    assert np.ptp(stroke[:, 1]) < 1.5 and abs(stroke[:, 1].mean() - 14.5) < 1


def test_ring_is_one_loop_on_the_circle():
    rows, cols = np.mgrid[:28, :28]
    radius = np.hypot(rows + 0.5 - 14, cols + 0.5 - 14)
    image = ((radius > 7) & (radius < 10)).astype(float)
    strokes = trace.trace(image)
    points = np.vstack(strokes)
    distance = np.hypot(points[:, 0] - 14, points[:, 1] - 14)
    assert np.abs(distance - 8.5).max() < 1.2
    assert sum(length(s) for s in strokes) > 0.85 * 2 * np.pi * 8.5


def test_cross_keeps_both_arms():
    image = np.zeros((28, 28))
    image[13:15, 4:24] = 1.0
    image[4:24, 13:15] = 1.0
    strokes = trace.trace(image)
    total = sum(length(s) for s in strokes)
    assert 30 <= total <= 44
    points = np.vstack(strokes)
    assert np.ptp(points[:, 0]) > 15 and np.ptp(points[:, 1]) > 15


def test_traced_mnist_digits_cover_their_ink(mnist):
    """Redrawing the traced strokes puts ink where the digit had it, and little elsewhere."""
    covered, spilled = [], []
    for image in mnist.test.images[:100]:
        strokes = trace.trace(image / 255.0)
        drawn = preprocess.render_strokes(strokes, 28, 28, 2.0) > 0.3
        ink = image > 128
        near_drawn = ndimage.binary_dilation(drawn, iterations=2)
        covered.append((ink & near_drawn).sum() / ink.sum())
        spilled.append((drawn & ~ndimage.binary_dilation(ink, iterations=2)).sum() / drawn.sum())
    assert np.mean(covered) > 0.95 and np.mean(spilled) < 0.02


def test_flag_goes_down_and_left_from_the_top_of_a_one():
    rng = np.random.default_rng(0)
    one = [np.array([[10.0, 0.0], [10.0, 20.0]])]
    for _ in range(20):
        flagged = synth.add_flag(one, rng, base_probability=0)
        points = np.vstack(flagged)
        top = points[np.argmin(points[:, 1])]
        flag_end = min(flagged, key=lambda s: s[0, 0])[0]  # the flag starts left of the stem
        assert flag_end[0] < top[0] and flag_end[1] > top[1]


def test_crossbar_crosses_the_stem_of_a_seven():
    rng = np.random.default_rng(1)
    seven = [np.array([[0.0, 0.0], [12.0, 0.0], [5.0, 20.0]])]
    barred = synth.add_crossbar(seven, rng)
    bar = barred[-1]
    assert abs(bar[0, 1] - bar[-1, 1]) < 0.15  # nearly horizontal, in drawing-height units
    stem_x_at_bar = 12 - 7 * bar[:, 1].mean()  # the stem's x at the bar's height, normalised units are /20
    assert bar[:, 0].min() < stem_x_at_bar / 20 < bar[:, 0].max()


@pytest.mark.parametrize("layout, low, high", [("centred", 0.6, 0.75), ("sloppy", 0.35, 0.85)])
def test_digits_are_placed_on_the_pad_as_the_layout_says(layout, low, high):
    rng = np.random.default_rng(2)
    digit = [np.array([[0.0, 0.0], [8.0, 0.0], [3.0, 20.0]])]
    for _ in range(50):
        placed = synth.place_on_pad(digit, rng, layout)
        x0, y0, x1, y1 = synth.bounds(placed)
        assert low * synth.PAD - 1e-6 <= y1 - y0 <= high * synth.PAD + 1e-6
        assert x0 >= synth.PAD_PEN / 2 - 1e-6 and x1 <= synth.PAD - synth.PAD_PEN / 2 + 1e-6
        assert y0 >= synth.PAD_PEN / 2 - 1e-6 and y1 <= synth.PAD - synth.PAD_PEN / 2 + 1e-6


def test_benchmarks_are_reproducible_and_split_into_dev_and_final(mnist):
    first = drawn_bench.build("european", 40, mnist.test)
    again = drawn_bench.build("european", 40, mnist.test)
    assert len(first) == 80 and {it.layout for it in first} == {"centred", "sloppy"}
    assert all(np.array_equal(a, b) for x, y in zip(first, again) for a, b in zip(x.strokes, y.strokes))
    assert {it.label for it in first} == {1, 7}
    assert {it.style for it in first} == {"plain", "flag", "crossbar"}
    parts = [it.part for it in first if it.layout == "centred"]
    assert parts.count("dev") == 12 and parts.count("final") == 28


def test_unsure_table_counts_flagged_answers():
    correct = np.array([True, True, False, False])
    confidence = np.array([0.95, 0.65, 0.55, 0.9])
    rows = {r["threshold"]: r for r in drawn_bench.unsure_table(correct, confidence, (0.6, 0.7))}
    assert rows[0.6] == {"threshold": 0.6, "wrong_flagged": 0.5, "right_flagged": 0.0}
    assert rows[0.7] == {"threshold": 0.7, "wrong_flagged": 0.5, "right_flagged": 0.5}
