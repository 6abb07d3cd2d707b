"""Reading image files as ink: photos of paper, every pixel format, transparency, huge files."""

import io
import tracemalloc

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digitdraw import images, preprocess
from digitdraw.preprocess import mnist_from_ink, to_model_input

PHOTOS = 40
# The photos' paper: light grey, lit unevenly (this much lighter on one side than the other),
# a pen that is not quite black, and sensor noise (standard deviation, grey in [0, 1]).
PAPER = (0.7, 0.9)
LIGHTING = 0.3
PEN = (0.1, 0.3)
NOISE = 0.06
JPEG_QUALITY = 75


@pytest.fixture(scope="module")
def model():
    from digitdraw import tfjs
    from digitdraw.app import catalog

    return tfjs.load(catalog.resolve("robust-cnn"))


@pytest.fixture(scope="module")
def digits(mnist):
    """PHOTOS real MNIST test digits, spread over the file: (uint8 images, labels)."""
    index = np.linspace(0, len(mnist.test) - 1, PHOTOS).astype(int)
    return mnist.test.images[index], mnist.test.labels[index]


def upscaled(digit: np.ndarray, side: int) -> np.ndarray:
    """An MNIST digit as smooth, anti-aliased ink in [0, 1], side × side, on 8-bit levels."""
    return np.asarray(Image.fromarray(digit).resize((side, side), Image.Resampling.BICUBIC)) / 255.0


def photo(ink: np.ndarray, rng: np.random.Generator, dark_ink: bool) -> np.ndarray:
    """`ink` as a photo of it on paper (uint8 grey): off-centre on a larger sheet, light grey
    paper lit unevenly from a random side, a grey pen, Gaussian noise; or all of it inverted."""
    height, width = (int(side * rng.uniform(1.3, 1.8)) for side in ink.shape)
    top, left = rng.integers(0, height - ink.shape[0]), rng.integers(0, width - ink.shape[1])
    sheet = np.zeros((height, width))
    sheet[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
    rows, cols = np.mgrid[-0.5 : 0.5 : height * 1j, -0.5 : 0.5 : width * 1j]
    angle = rng.uniform(0, 2 * np.pi)
    paper = rng.uniform(*PAPER) + LIGHTING * (np.cos(angle) * rows + np.sin(angle) * cols)
    grey = paper * (1 - sheet) + rng.uniform(*PEN) * sheet + rng.normal(0, NOISE, sheet.shape)
    if not dark_ink:
        grey = 1 - grey
    return np.round(np.clip(grey, 0, 1) * 255).astype(np.uint8)


def accuracy(model, inputs: list[np.ndarray], labels: np.ndarray) -> float:
    predicted = model.predict(to_model_input(np.stack(inputs)), verbose=0).argmax(axis=1)
    return float((predicted == labels).mean())


def read(path) -> np.ndarray:
    return mnist_from_ink(images.load_image(path))


def test_photos_of_digits_read_nearly_as_well_as_clean_digits(digits, model, tmp_path):
    rng = np.random.default_rng(7)
    clean, photographed = [], []
    for number, digit in enumerate(digits[0]):
        ink = upscaled(digit, int(rng.integers(200, 401)))
        path = tmp_path / f"{number}.{'jpg' if number % 3 == 0 else 'png'}"
        Image.fromarray(photo(ink, rng, dark_ink=number % 2 == 0)).save(path, quality=JPEG_QUALITY)
        clean.append(mnist_from_ink(ink))
        photographed.append(read(path))
    clean_accuracy = accuracy(model, clean, digits[1])
    photo_accuracy = accuracy(model, photographed, digits[1])
    # Noise and JPEG blocks move a few pixels of the 28×28 input, which can tip an ambiguous
    # digit, so allow 2 of the 40 to differ (measured: none do). Reading the noise as ink gets
    # most of them wrong (measured: 15% right), because the ink's box then spans the whole
    # photo and the digit shrinks inside it.
    assert photo_accuracy >= clean_accuracy - 0.05, (photo_accuracy, clean_accuracy)
    # Measured: 0.026 per pixel; 0.12 when the noise is read as ink.
    difference = np.abs(np.stack(photographed) - np.stack(clean)).mean()
    assert difference < 0.05, difference


def test_blank_noisy_paper_has_no_ink(tmp_path):
    rng = np.random.default_rng(3)
    Image.fromarray(photo(np.zeros((300, 300)), rng, dark_ink=True)).save(tmp_path / "blank.png")
    with pytest.raises(preprocess.NoInkError):
        read(tmp_path / "blank.png")


@pytest.mark.parametrize("dark_ink", [True, False])
def test_clean_digit_reads_exactly_as_drawn(digits, tmp_path, dark_ink):
    """No noise, flat paper: the anti-aliased edges are kept as they are."""
    ink = upscaled(digits[0][5], 280)
    grey = 1 - ink if dark_ink else ink
    Image.fromarray(np.round(grey * 255).astype(np.uint8)).save(tmp_path / "clean.png")
    np.testing.assert_allclose(read(tmp_path / "clean.png"), mnist_from_ink(ink), atol=1e-6)


def sixteen_bit_files(grey: np.ndarray, folder):
    """The 8-bit `grey` saved in each wider format PIL writes: (path, mode it opens in)."""
    wide = grey.astype(np.uint16) * 257  # 255 → 65535: the same levels on the 16-bit scale
    png = folder / "16.png"
    Image.fromarray(wide).save(png)
    big_endian = folder / "16b.tiff"
    Image.frombytes("I;16B", grey.shape[::-1], wide.astype(">u2").tobytes()).save(big_endian)
    floats = folder / "float.tiff"
    Image.fromarray((grey / 255).astype(np.float32)).save(floats)
    return [(png, "I;16"), (big_endian, "I;16B"), (floats, "F")]


def test_sixteen_bit_and_float_images_read_like_their_8_bit_version(digits, tmp_path):
    grey = np.round((1 - upscaled(digits[0][0], 200)) * 255).astype(np.uint8)
    Image.fromarray(grey).save(tmp_path / "8.png")
    expected = images.load_image(tmp_path / "8.png")
    for path, mode in sixteen_bit_files(grey, tmp_path):
        assert Image.open(path).mode == mode  # really that format on disk
        np.testing.assert_allclose(images.load_image(path), expected, atol=1e-6, err_msg=mode)


def grey_alike(grey: np.ndarray) -> dict[str, Image.Image]:
    """The 8-bit dark-on-white `grey` in other modes with the same look."""
    picture = Image.fromarray(grey)
    opaque = Image.new("L", picture.size, 255)
    see_through_paper = picture.convert("P")
    see_through_paper.info["transparency"] = 255  # the paper's palette entry
    return {
        "P": picture.convert("P"),
        "P, paper transparent": see_through_paper,
        "LA": Image.merge("LA", (picture, opaque)),
        "RGBA": Image.merge("RGBA", (picture, picture, picture, opaque)),
        "1": picture.convert("1", dither=Image.Dither.NONE),
    }


def test_palette_grey_alpha_and_rgba_read_like_grey(digits, tmp_path):
    grey = np.round((1 - upscaled(digits[0][1], 200)) * 255).astype(np.uint8)
    Image.fromarray(grey).save(tmp_path / "grey.png")
    expected = read(tmp_path / "grey.png")
    for mode, picture in grey_alike(grey).items():
        path = tmp_path / "alike.png"
        picture.save(path)
        if mode == "1":  # thresholded, so only close
            assert np.abs(read(path) - expected).mean() < 0.05, mode
        else:
            np.testing.assert_allclose(read(path), expected, atol=1e-6, err_msg=mode)


def transparent(ink: np.ndarray, mode: str, colour: tuple[int, int, int], hidden: tuple[int, int, int]):
    """Ink as alpha: `colour` where drawn, `hidden` under the fully transparent pixels."""
    alpha = np.round(ink * 255).astype(np.uint8)
    rgb = np.where((alpha > 0)[..., None], colour, hidden).astype(np.uint8)
    if mode == "LA":
        return Image.fromarray(np.dstack([rgb[..., 0], alpha]), "LA")
    return Image.fromarray(np.dstack([rgb, alpha]), "RGBA")


@pytest.mark.parametrize(
    "mode, colour, hidden",
    [
        ("RGBA", (255, 255, 255), (0, 0, 0)),  # white ink, transparent pixels stored black
        ("RGBA", (255, 255, 255), (255, 255, 255)),  # white ink, and white where it is transparent
        ("RGBA", (0, 0, 0), (0, 0, 0)),
        ("RGBA", (0, 0, 0), (255, 255, 255)),
        ("RGBA", (200, 30, 30), (255, 255, 255)),  # red
        ("RGBA", (128, 128, 128), (0, 0, 0)),  # mid grey
        ("LA", (255, 255, 255), (255, 255, 255)),
        ("LA", (0, 0, 0), (0, 0, 0)),
    ],
)
def test_ink_on_a_transparent_background_is_what_is_opaque(digits, tmp_path, mode, colour, hidden):
    ink = np.round(upscaled(digits[0][2], 200) * 255) / 255
    transparent(ink, mode, colour, hidden).save(tmp_path / "cutout.png")
    np.testing.assert_allclose(read(tmp_path / "cutout.png"), mnist_from_ink(ink), atol=1e-6)


def test_white_ink_in_a_palette_with_a_transparent_background(digits, tmp_path):
    ink = upscaled(digits[0][3], 200) > 0.5
    picture = Image.fromarray(ink.astype(np.uint8), "P")
    picture.putpalette([0, 0, 0, 255, 255, 255])  # 0: black, transparent; 1: white ink
    picture.info["transparency"] = 0
    picture.save(tmp_path / "white.png")
    np.testing.assert_allclose(read(tmp_path / "white.png"), mnist_from_ink(ink.astype(float)), atol=1e-6)


def test_transparent_margins_around_an_opaque_page_are_background(digits, tmp_path):
    ink = np.round(upscaled(digits[0][4], 200) * 255) / 255
    page = np.zeros((260, 260, 4), dtype=np.uint8)  # transparent black around the page
    page[30:230, 30:230, :3] = np.round((1 - ink) * 255)[..., None]
    page[30:230, 30:230, 3] = 255
    Image.fromarray(page, "RGBA").save(tmp_path / "page.png")
    np.testing.assert_allclose(read(tmp_path / "page.png"), mnist_from_ink(ink), atol=1e-6)


@pytest.mark.parametrize(
    "side",
    [
        8_000,  # past our limit only
        10_000,  # past PIL's warning too
        20_000,  # past PIL's own error
    ],
)
def test_too_many_pixels_is_a_clear_error(tmp_path, side):
    path = tmp_path / "huge.png"
    Image.new("1", (side, side)).save(path)  # a few KB on disk
    with pytest.raises(ValueError, match=r"huge\.png") as raised:
        images.load_image(path)
    message = str(raised.value).replace(",", "")
    assert "limit" in message and str(images.MAX_PIXELS) in message and str(side * side) in message


def test_large_sparse_image_is_read_small_and_keeps_the_digit(tmp_path):
    side, reduction = 6000, 6  # → 1000 × 1000
    picture = Image.new("L", (side, side), 255)
    corners = [(2000, 1500), (3400, 1500), (2600, 3500)]  # a 7, in strokes half a reduced pixel wide
    ImageDraw.Draw(picture).line(corners, fill=0, width=3)
    path = tmp_path / "big.png"
    picture.save(path)
    expected = mnist_from_ink(1 - np.asarray(picture) / 255.0)  # at full size, before measuring

    tracemalloc.start()  # traces NumPy's buffers (not PIL's, which stay 8-bit)
    try:
        ink = images.load_image(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Measured: 50 MB; converting the whole image to floats first took 3.6 GB.
    full_size_float = side * side * np.dtype(np.float64).itemsize  # 288 MB
    assert peak < full_size_float / 4, f"{peak / 1e6:.0f} MB"

    assert max(ink.shape) <= images.MAX_SIDE
    top, bottom, left, right = preprocess.ink_bounds(ink)
    (x0, y0), (x1, _), (_, y1) = corners
    assert abs(top - y0 / reduction) <= 2 and abs(bottom - y1 / reduction) <= 2
    assert abs(left - x0 / reduction) <= 2 and abs(right - x1 / reduction) <= 2
    assert np.abs(mnist_from_ink(ink) - expected).mean() < 0.02


def half_a_png() -> bytes:
    whole = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200), dtype=np.uint8)).save(whole, "PNG")
    return whole.getvalue()[: len(whole.getvalue()) // 2]


@pytest.mark.parametrize(
    "content",
    [
        b"not an image",
        b"\x89PNG\r\n\x1a\n" + b"\0" * 40,  # a PNG signature and then nothing valid
        half_a_png(),  # the header reads, the pixels run out
    ],
    ids=["text", "bad header", "truncated"],
)
def test_unreadable_file_is_a_clear_error_naming_the_file(tmp_path, content):
    path = tmp_path / "digit.png"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"digit\.png: not a readable image"):
        images.load_image(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match=r"nothing\.png: no such file"):
        images.load_image(tmp_path / "nothing.png")
