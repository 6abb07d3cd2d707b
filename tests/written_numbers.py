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
