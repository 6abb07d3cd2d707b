"""The MNIST preprocessing recipe on crafted images, and against MNIST itself."""

import json

import numpy as np
import pytest
from PIL import Image

from digitdraw import images, preprocess


def bar(height=200, width=120, top=20, bottom=180, left=55, right=65):
    ink = np.zeros((height, width))
    ink[top:bottom, left:right] = 1.0
    return ink


def ink_box(image):
    rows = np.flatnonzero(image.max(axis=1) > preprocess.INK_THRESHOLD)
    cols = np.flatnonzero(image.max(axis=0) > preprocess.INK_THRESHOLD)
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def test_empty_image_is_no_ink_not_a_guess():
    with pytest.raises(preprocess.NoInkError, match="no ink found"):
        preprocess.mnist_from_ink(np.zeros((50, 80)))
    with pytest.raises(preprocess.NoInkError):
        preprocess.mnist_from_ink(np.full((50, 80), preprocess.INK_THRESHOLD / 2))  # only faint haze
    with pytest.raises(preprocess.NoInkError):
        preprocess.mnist_from_strokes([])


def test_output_is_28x28_ink_one_longer_side_20_centred_on_mass():
    out = preprocess.mnist_from_ink(bar())
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.max() == pytest.approx(1.0) and out.min() >= 0
    assert ink_box(out)[0] == 20
    row, col = preprocess.centre_of_mass(out)
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5


def test_single_dot_becomes_a_centred_blob():
    ink = np.zeros((100, 100))
    ink[10, 90] = 1.0
    out = preprocess.mnist_from_ink(ink)
    assert out.sum() > 0
    row, col = preprocess.centre_of_mass(out)
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5


@pytest.mark.parametrize("stroke", [2, 40])
def test_thin_and_very_thick_strokes_keep_the_aspect_ratio(stroke):
    ink = np.zeros((300, 300))
    ink[40:260, 150 - stroke // 2 : 150 + stroke // 2 + 1] = 1.0
    height, width = ink_box(preprocess.mnist_from_ink(ink))
    assert height == 20
    expected = 20 * (stroke + 1) / 220
    assert abs(width - max(1, expected)) <= 1.5


def test_small_offcentre_digit_equals_the_same_digit_large_and_centred():
    big = bar(200, 200, 20, 180, 80, 100)
    small = np.zeros((400, 400))
    small[10:50, 350:355] = 1.0  # the same 8:1 bar, a quarter of the size, in a corner
    np.testing.assert_allclose(preprocess.mnist_from_ink(small), preprocess.mnist_from_ink(big), atol=0.02)


def test_inverted_colours_and_rgb_give_the_same_ink(tmp_path):
    ink = bar()
    dark_on_light = Image.fromarray(((1 - ink) * 255).astype(np.uint8)).convert("RGB")
    light_on_dark = Image.fromarray((ink * 255).astype(np.uint8))
    dark_on_light.save(tmp_path / "a.png")
    light_on_dark.save(tmp_path / "b.jpg", quality=95)
    a = preprocess.mnist_from_ink(images.load_image(tmp_path / "a.png"))
    b = preprocess.mnist_from_ink(images.load_image(tmp_path / "b.jpg"))
    np.testing.assert_allclose(a, preprocess.mnist_from_ink(ink), atol=1e-6)
    np.testing.assert_allclose(a, b, atol=0.05)


def test_non_square_image_and_grey_background():
    wide = np.full((60, 500), 200.0)  # light grey paper
    wide[10:50, 240:246] = 30.0  # dark pen
    out = preprocess.mnist_from_ink(images.ink_from_image(wide))
    assert ink_box(out)[0] == 20
    assert out.max() == pytest.approx(1.0)


def test_unreadable_image_is_a_clear_error(tmp_path):
    bogus = tmp_path / "digit.png"
    bogus.write_bytes(b"not an image")
    with pytest.raises(ValueError, match=r"digit.png: not a readable image"):
        images.load_image(bogus)


def test_area_weights_preserve_mass():
    for source, target in [(7, 3), (100, 20), (3, 20), (20, 20)]:
        weights = preprocess.area_weights(source, target)
        np.testing.assert_allclose(weights.sum(axis=1), 1.0)


def test_reprocessing_mnist_reproduces_mnist(mnist):
    """MNIST digits were made with this recipe, so running it again barely changes them."""
    digits = mnist.test.images[:500].astype(np.float64) / 255.0
    redone = np.stack([preprocess.mnist_from_ink(image) for image in digits])
    originals = digits / digits.max(axis=(1, 2), keepdims=True)
    mean_error = np.abs(redone - originals).mean()
    assert mean_error < 0.03, mean_error
    shifted = [np.abs(np.array(preprocess.centre_of_mass(r)) - 14).max() for r in redone]
    assert max(shifted) <= 0.5


def test_render_strokes_coverage():
    ink = preprocess.render_strokes([np.array([[2.0, 5.5], [18.0, 5.5]])], 11, 20, 3.0)
    # a horizontal pen 3 px wide through row 5: rows 4-6 full ink, rows 3 and 7 none beyond the half-pixel edge
    assert ink[4:7, 3:17].min() == pytest.approx(1.0)
    assert ink[2].max() == 0 and ink[8].max() == 0


def test_vector_recipe_ignores_size_position_and_pen():
    shape = [np.array([[0.0, 0.0], [10.0, 0.0], [3.0, 25.0]]), np.array([[1.0, 12.0], [9.0, 12.0]])]
    big = [s * 9 + 40 for s in shape]
    np.testing.assert_allclose(preprocess.mnist_from_strokes(shape), preprocess.mnist_from_strokes(big), atol=1e-5)
    row, col = preprocess.centre_of_mass(preprocess.mnist_from_strokes(big))
    assert abs(row - 14) < 0.05 and abs(col - 14) < 0.05


def test_golden_file_is_up_to_date(golden_generator):
    """The JS tests check against this file; it must be what the Python recipe makes today."""
    golden = golden_generator("preprocess")
    assert json.loads(golden.GOLDEN_FILE.read_text()) == json.loads(json.dumps(golden.build(), separators=(",", ":")))
