"""Numbers written with a clean single-stroke Hershey font, as strokes on the pad and as images:
inputs whose true digits are known, for the Python API and the read endpoint's tests."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from digitdraw.drawn import synth
from digitdraw.preprocess import render_strokes

FONT = "futural"  # a plain sans-serif: its digits are what the models must read
HEIGHT = 150.0  # pad units, as a digit drawn on the page is
GAP = 0.35  # between digits, in digit heights: clearly apart
LEFT, TOP = 20.0, 60.0
PEN = 14.0  # pixels, for images


def strokes_of(number: str, font: str = FONT) -> list[np.ndarray]:
    """`number` written left to right, in pad units with y down."""
    glyphs = {character: strokes for strokes, character, _ in synth.hershey_digits(fonts=(font,))}
    written, x = [], LEFT
    for character in number:
        placed = [s * HEIGHT + (x, TOP) for s in synth.normalised(glyphs[character])]
        written += placed
        x = max(float(s[:, 0].max()) for s in placed) + GAP * HEIGHT
    return written


def image_of(number: str, file_format: str = "PNG") -> bytes:
    """`number` rendered dark on white, as the bytes of an image file."""
    strokes = strokes_of(number)
    width = int(max(float(s[:, 0].max()) for s in strokes) + LEFT)
    ink = render_strokes(strokes, int(TOP * 2 + HEIGHT), width, PEN)
    buffer = io.BytesIO()
    Image.fromarray((255 * (1 - ink)).astype(np.uint8)).save(buffer, format=file_format)
    return buffer.getvalue()


def photo_of(strokes, height: int, width: int, pen: float, seed: int = 0, light_on_dark: bool = False) -> np.ndarray:
    """Strokes (pixel units) as a photo of writing: RGB uint8, grey slightly tinted paper under an
    uneven light (brighter at one corner, falling off across the sheet), camera grain, dark ink —
    or chalk on a board with `light_on_dark`."""
    rng = np.random.default_rng(seed)
    ink = render_strokes(strokes, height, width, pen)
    rows, cols = np.mgrid[0:height, 0:width]
    light = 0.7 + 0.3 * (1 - cols / width) * (1 - 0.5 * rows / height) + 0.05 * (rows / height) ** 2
    paper, drawn = (0.25, 0.85) if light_on_dark else (0.78, 0.18)
    grey = light * (paper * (1 - ink) + drawn * ink)
    tint = np.array([1.0, 0.97, 0.92])
    pixels = grey[..., None] * tint + rng.normal(0, 0.025, size=(height, width, 3))
    return np.clip(np.round(pixels * 255), 0, 255).astype(np.uint8)
