"""Read image files (scans, photos, screenshots of a written digit) as ink rasters.

An ink raster is a 2-D float array in [0, 1], ink high, any size: what
`preprocess.mnist_from_ink` turns into a model's input. `load_image` reads a file (or a file's
bytes, or a PIL image) in four steps:

1. Open it lazily and refuse more than MAX_PIXELS pixels before any is decoded.
2. Decode it small: a JPEG at a reduced scale, anything else box-averaged while still 8- or
   16-bit, so that the longer side is at most MAX_SIDE. A stroke thinner than the reduction
   fades but stays, because the ink is rescaled to its strokes' level afterwards.
3. Bring any mode (1-bit, palette, grey, grey + alpha, RGB(A), 16-bit, float) to grey in [0, 1]
   using the mode's own range, showing transparent pixels over a colour that makes them
   background.
4. Tell the ink from the paper (`ink_from_image`, which takes arrays from elsewhere too).

Every problem with one file raises ImageError, a ValueError whose message names the file, so a
caller reading many files can report it and go on with the next.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, UnidentifiedImageError
from scipy import ndimage
from skimage.filters import threshold_otsu

MAX_PIXELS = 50_000_000  # a 48-megapixel phone photo passes; beyond that decoding alone costs GBs
MAX_SIDE = 1024  # longer side once decoded: plenty for a digit that ends up 20 px tall

# Full scale of the modes that are not 8-bit; every other mode is decoded as 8-bit (255). Only
# transparency needs the scale right (it is 8-bit); the ink is the same at any scale, so a 16-bit
# image that an older Pillow opens as "I" reads correctly too.
SIXTEEN_BIT_MODES = ("I;16", "I;16L", "I;16B", "I;16N")
FULL_SCALE = {**dict.fromkeys(SIXTEEN_BIT_MODES, 65535.0), "I": 2.0**31 - 1, "F": 1.0}
GREY_MODES = ("1", "L", "LA", "La")
ALPHA_MODES = ("LA", "La", "PA", "RGBA", "RGBa")

OPAQUE = 0.5  # alpha from which a pixel counts as drawn rather than see-through
OWN_BACKGROUND = 0.5  # mean alpha from which the picture has an opaque background of its own

PAPER_SAMPLES = 16_384  # pixels the paper is fitted to, on a grid: a quadratic needs few
PAPER_FITS = 10  # at most; each fit leaves out what the previous one showed to be ink
NOISE_SIGMAS = 3.0  # paper grain stays below this many standard deviations of the paper
MAD_TO_SIGMA = 1.4826  # median absolute deviation → standard deviation, for Gaussian noise
NOISE_BLUR = 1.0  # px; a blur this wide averages single noisy pixels away
CLEAN = 1 / 255  # grain under this share of the ink's contrast is rounding (or the fit's), not grain
FLAT = 1e-6  # less contrast than this is a blank picture (and float rounding), not ink


class ImageError(ValueError):
    """One image file cannot be read; the message names the file and says what to do."""


class ImageTooLargeError(ImageError):
    """The image has more pixels than the limit; refused before any pixel is decoded."""


Source = str | Path | BinaryIO | Image.Image


def load_image(
    source: Source, *, name: str | None = None, max_pixels: int = MAX_PIXELS, formats: Sequence[str] | None = None
) -> np.ndarray:
    """Read an image into an ink raster; raises ImageError naming it if it cannot.

    `source`: a path, a binary file object (e.g. io.BytesIO of a file's bytes) or a PIL image.
    `name` names it in messages (default: the path). `formats` limits the file formats accepted
    (PIL's names, e.g. ("PNG", "JPEG")); None accepts any PIL reads.
    """
    name = str(source) if name is None else name
    if isinstance(source, Image.Image):
        return _ink_from_picture(source, name, max_pixels)
    with _opened(source, name, max_pixels, formats) as picture:
        return _ink_from_picture(picture, name, max_pixels)


def ink_from_image(pixels: np.ndarray) -> np.ndarray:
    """Any grey or grey+alpha or RGB(A) image, dark-on-light or light-on-dark → ink in [0, 1].

    Unsigned integers use their type's range (255 for uint8, 65535 for uint16); other numbers
    are taken on the 8-bit scale, 0–255. Channels: (h, w) grey, (h, w, 2) grey + alpha,
    (h, w, 3) RGB, (h, w, 4) RGBA.

    The paper is what the border shows; the ink is on the side of it (darker or lighter) where
    the picture reaches further. An uneven light on the paper is fitted and subtracted; in a
    grainy picture (a photo) the grain is then told from the ink, while a clean picture keeps
    every shade above the paper, anti-aliased edges included.
    """
    pixels = np.asarray(pixels)
    full_scale = float(np.iinfo(pixels.dtype).max) if pixels.dtype.kind == "u" else 255.0
    return _ink_from_unit(pixels.astype(np.float64) / full_scale)


# ---- reading the file ----------------------------------------------------------------------


def _opened(source: str | Path | BinaryIO, name: str, max_pixels: int, formats: Sequence[str] | None) -> Image.Image:
    """The file opened lazily (only the header is read), or ImageError."""
    try:
        # PIL warns, then raises, on sizes past its own (higher) limit; both are our refusal.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(source, formats=formats)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageTooLargeError(
            f"{name}: too large to read ({error}); the limit is {max_pixels:,} pixels, "
            f"so scale the image down (a digit needs about {MAX_SIDE} px)"
        ) from error
    except FileNotFoundError as error:
        raise ImageError(f"{name}: no such file; check the path") from error
    except UnidentifiedImageError as error:
        known = "not a format PIL knows" if formats is None else f"not {' or '.join(formats)}"
        raise ImageError(f"{name}: not a readable image ({known}); save it as PNG or JPEG") from error
    except OSError as error:
        raise ImageError(f"{name}: cannot open the file ({error.strerror or error})") from error


def _ink_from_picture(picture: Image.Image, name: str, max_pixels: int) -> np.ndarray:
    _check_size(picture, name, max_pixels)
    try:
        pixels = _unit_pixels(_decoded_small(picture), FULL_SCALE.get(picture.mode, 255.0))
    except (OSError, SyntaxError, EOFError, ValueError) as error:  # what PIL raises on bad data
        raise ImageError(f"{name}: not a readable image ({error}); save it as PNG or JPEG") from error
    return _ink_from_unit(pixels)


def _check_size(picture: Image.Image, name: str, max_pixels: int) -> None:
    width, height = picture.size
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"{name}: the image is {width}×{height} = {width * height:,} pixels, more than "
            f"the limit of {max_pixels:,}; scale it down (a digit needs about {MAX_SIDE} px)"
        )


def _decoded_small(picture: Image.Image) -> Image.Image:
    """Decode the picture in a mode NumPy and Image.reduce take, its longer side ≤ MAX_SIDE."""
    factor = _reduction(picture.size)
    # A JPEG can decode straight at 1/2, 1/4 or 1/8 scale; other formats ignore the draft.
    picture.draft(picture.mode, (picture.width // factor, picture.height // factor))
    working = _working_mode(picture)
    if picture.mode != working:
        picture = picture.convert(working)
    factor = _reduction(picture.size)
    return picture.reduce(factor) if factor > 1 else picture  # box average: thin strokes fade, stay


def _reduction(size: tuple[int, int]) -> int:
    return math.ceil(max(size) / MAX_SIDE)


def _working_mode(picture: Image.Image) -> str:
    """Grey or RGB, with alpha when the file has transparency; 16-bit as "I", which reduce takes."""
    if picture.mode in SIXTEEN_BIT_MODES or picture.mode == "I":
        return "I"
    if picture.mode == "F":
        return "F"
    grey = picture.mode in GREY_MODES
    if picture.mode in ALPHA_MODES or "transparency" in picture.info:
        return "LA" if grey else "RGBA"
    return "L" if grey else "RGB"


def _unit_pixels(picture: Image.Image, full_scale: float) -> np.ndarray:
    """Pixels as floats, 1.0 the mode's full scale; (h, w) or (h, w, channels)."""
    return np.asarray(picture, dtype=np.float64) / full_scale


# ---- from pixels to ink --------------------------------------------------------------------


def _ink_from_unit(pixels: np.ndarray) -> np.ndarray:
    grey = _grey(pixels)
    if _dark_on_light(grey):
        grey = 1.0 - grey
    return _ink_above_paper(grey - _paper(grey))


def _grey(pixels: np.ndarray) -> np.ndarray:
    """Mean of the colour channels, transparent pixels shown over a background colour."""
    if pixels.ndim == 2:
        return pixels
    has_alpha = pixels.shape[2] in (2, 4)
    colour = pixels[..., : pixels.shape[2] - has_alpha].mean(axis=2)
    return _over_background(colour, pixels[..., -1]) if has_alpha else colour


def _over_background(grey: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Composite onto the colour that makes transparent pixels background.

    A picture that is mostly opaque has its own background, so what shows through takes its
    colour (the median drawn grey). A picture that is mostly transparent is ink alone, drawn in
    any colour: put it over black or white, whichever is further from the ink, so that white
    ink on a transparent background reads as well as black.
    """
    drawn = grey[alpha >= OPAQUE]
    drawn_grey = float(np.median(drawn)) if drawn.size else 1.0
    contrasting = 0.0 if drawn_grey > 0.5 else 1.0
    background = drawn_grey if alpha.mean() >= OWN_BACKGROUND else contrasting
    return grey * alpha + background * (1.0 - alpha)


def _dark_on_light(grey: np.ndarray) -> bool:
    """Whether the ink is darker than the paper: the paper (the border's median) lies nearer the
    lightest end of the picture than the darkest. Blurred first, so noise is not an end."""
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    paper = float(np.median(border))
    smooth = ndimage.gaussian_filter(grey, NOISE_BLUR)
    return float(smooth.max()) - paper < paper - float(smooth.min())


def _paper(grey: np.ndarray) -> np.ndarray:
    """The paper's brightness under ink-high `grey`: a quadratic surface (an uneven light),
    least-squares fitted to a grid of pixels that are not ink, refitted as ink shows up."""
    step = max(1, math.isqrt(grey.size // PAPER_SAMPLES))
    sample = grey[::step, ::step]
    rows, cols = np.indices(sample.shape)
    terms = np.column_stack(_quadratic_terms(rows.ravel() * step / grey.shape[0], cols.ravel() * step / grey.shape[1]))
    values = sample.ravel()
    paper = values <= threshold_otsu(values)  # first guess: the darker of two classes
    for _ in range(PAPER_FITS):
        coefficients = np.linalg.lstsq(terms[paper], values[paper], rcond=None)[0]
        residual = values - terms @ coefficients
        on_paper = residual[paper]
        fitted = residual <= np.median(on_paper) + max(NOISE_SIGMAS * _noise(on_paper), FLAT)
        if np.array_equal(fitted, paper):
            break
        paper = fitted
    rows, cols = np.ogrid[: grey.shape[0], : grey.shape[1]]
    return sum(c * t for c, t in zip(coefficients, _quadratic_terms(rows / grey.shape[0], cols / grey.shape[1])))


def _quadratic_terms(row: np.ndarray, col: np.ndarray) -> list[np.ndarray]:
    """1, y, x, y², xy, x² at coordinates that broadcast together."""
    ones = np.ones(np.broadcast_shapes(row.shape, col.shape))
    return [ones, row, col, row * row, row * col, col * col]


def _noise(values: np.ndarray) -> float:
    """Robust standard deviation (ink and outliers barely move it); 0 for a clean picture."""
    return MAD_TO_SIGMA * float(np.median(np.abs(values - np.median(values)))) if values.size else 0.0


def _ink_above_paper(residual: np.ndarray) -> np.ndarray:
    """Ink in [0, 1] from brightness above the paper (ink high), its strokes at 1."""
    peak = float(residual.max())
    if peak < FLAT:
        return np.zeros_like(residual)
    floor = NOISE_SIGMAS * _noise(residual[residual <= threshold_otsu(residual)])
    return _clean_ink(residual, peak) if floor < CLEAN * peak else _grainy_ink(residual, floor)


def _clean_ink(residual: np.ndarray, peak: float) -> np.ndarray:
    """No grain: everything above the paper is ink as drawn, anti-aliased edges and faint specks
    included, scaled so that the darkest ink is 1."""
    return np.maximum(residual, 0.0) / peak


def _grainy_ink(residual: np.ndarray, floor: float) -> np.ndarray:
    """Grain: ink is what stands above it (`floor`) and is connected to sure ink (above Otsu's
    threshold once blurred), so specks away from the strokes drop out. Scaled so that the
    strokes' median is 1: their peak is the grain on top of them."""
    blurred = ndimage.gaussian_filter(residual, NOISE_BLUR)
    sure = blurred > max(threshold_otsu(blurred), floor)
    pieces, _ = ndimage.label(residual > floor)
    inked = np.unique(pieces[sure])
    drawn = np.isin(pieces, inked[inked > 0])
    if not (sure & drawn).any():
        return np.zeros_like(residual)
    level = float(np.median(residual[sure & drawn]))
    return np.where(drawn, np.clip(residual / level, 0.0, 1.0), 0.0)
