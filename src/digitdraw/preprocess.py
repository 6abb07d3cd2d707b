"""Turn a drawing into the 28×28 input the models were trained on — the MNIST recipe.

Pure functions of NumPy arrays, no I/O. The page's JavaScript (`app/web/js/preprocess.js`)
mirrors this module line for line and is tested against golden vectors that
tests/golden/generate.py writes from it, so change both or neither. The sizes, pens and
thresholds come from the file both languages read (config.py).

Two recipes:
- raster (`mnist_from_ink`): crop the ink's bounding box, fit its longer side into 20 px with
  area averaging, scale so the darkest ink is 1.0, and place it in 28×28 so the ink's centre of
  mass sits on pixel (14, 14) — where MNIST's sits (measured: 13.99, 14.00).
- vector (`mnist_from_strokes`): fit the stroke points' bounding box into 20 px and draw the
  strokes there at one canonical pen width, so a small and a large drawing give the same input
  whatever pen the pad used; then centre the mass exactly (sub-pixel, by redrawing shifted).

Rounding is always half-up (`floor(x + 0.5)`) because JavaScript's Math.round is, and
NumPy's round is half-to-even.
"""

from __future__ import annotations

import numpy as np

from .config import CANONICAL_PEN, CENTRE, FIT, INK_THRESHOLD, INPUT_SHAPE
from .config import INPUT_SIZE as SIZE

MIN_VECTOR_EXTENT = 1e-6
RENDER_CHUNK = 2_000_000  # pixel × segment distances computed at once


class NoInkError(ValueError):
    """The drawing is empty: there is nothing to classify."""

    def __init__(self, message: str = "no ink found: the drawing is empty"):
        super().__init__(message)


def to_model_input(images: np.ndarray) -> np.ndarray:
    """Digits → what every model takes: float32 (n, 28, 28, 1), ink 1.0, background 0.0.

    The one place pixels are scaled: uint8 images (MNIST as stored) are divided by 255; float
    images (this module's output) are taken as already in [0, 1]. A single (28, 28) image
    becomes a batch of one.
    """
    images = np.asarray(images)
    scaled = images.astype(np.float32) / 255.0 if images.dtype == np.uint8 else images.astype(np.float32)
    if scaled.shape[-len(INPUT_SHAPE) :] != INPUT_SHAPE:
        scaled = scaled[..., None]
    if scaled.ndim == len(INPUT_SHAPE):
        scaled = scaled[None]
    if scaled.shape[1:] != INPUT_SHAPE:
        raise ValueError(f"expected images of shape {INPUT_SHAPE[:2]}, got {images.shape}")
    return scaled


def round_half_up(value: float) -> int:
    """Half-up rounding, after snapping to 1e-6: centres of mass of symmetric shapes fall on .5
    exactly, and NumPy's pairwise sums and JavaScript's running sums miss it on different sides."""
    snapped = np.floor(value * 1e6 + 0.5) / 1e6
    return int(np.floor(snapped + 0.5))


def area_weights(source: int, target: int) -> np.ndarray:
    """(target, source) matrix whose rows average the source cells each target cell covers."""
    weights = np.zeros((target, source))
    step = source / target
    for out in range(target):
        start, end = out * step, (out + 1) * step
        first, last = int(np.floor(start)), min(int(np.ceil(end)), source)
        for cell in range(first, last):
            overlap = min(end, cell + 1) - max(start, cell)
            if overlap > 0:
                weights[out, cell] = overlap / step
    return weights


def fitted_size(height: int, width: int, fit: int = FIT) -> tuple[int, int]:
    longer = max(height, width)
    return (max(1, round_half_up(height * fit / longer)), max(1, round_half_up(width * fit / longer)))


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    total = image.sum()
    rows = np.arange(image.shape[0])
    cols = np.arange(image.shape[1])
    return float((image.sum(axis=1) * rows).sum() / total), float((image.sum(axis=0) * cols).sum() / total)


def place_by_mass(box: np.ndarray) -> np.ndarray:
    """Put `box` (at most 28×28) into a 28×28 frame with its centre of mass nearest pixel (14, 14)."""
    height, width = box.shape
    mass_row, mass_col = centre_of_mass(box)
    top = min(max(round_half_up(CENTRE - mass_row), 0), SIZE - height)
    left = min(max(round_half_up(CENTRE - mass_col), 0), SIZE - width)
    frame = np.zeros((SIZE, SIZE), dtype=np.float64)
    frame[top : top + height, left : left + width] = box
    return frame


def ink_bounds(ink: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right), inclusive, of the pixels above INK_THRESHOLD, or None."""
    mask = ink > INK_THRESHOLD
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])


def mnist_from_ink(ink: np.ndarray) -> np.ndarray:
    """Raster recipe. `ink`: 2-D array in [0, 1], ink high, any size. Returns float32 (28, 28)."""
    ink = np.asarray(ink, dtype=np.float64)
    if ink.ndim != 2:
        raise ValueError(f"expected a 2-D ink raster, got shape {ink.shape}")
    bounds = ink_bounds(ink)
    if bounds is None:
        raise NoInkError()
    top, bottom, left, right = bounds
    crop = ink[top : bottom + 1, left : right + 1]
    height, width = fitted_size(*crop.shape)
    box = area_weights(crop.shape[0], height) @ crop @ area_weights(crop.shape[1], width).T
    box /= box.max()
    return place_by_mass(box).astype(np.float32)


# ---- strokes -------------------------------------------------------------------------------


def render_strokes(strokes, height: int, width: int, pen_width: float) -> np.ndarray:
    """Anti-aliased coverage of round-capped, round-joined strokes on a height×width raster.

    A pixel's ink is the pen's coverage estimated from the distance d between the pixel centre
    and the nearest segment: clamp(pen_width / 2 + 0.5 - d, 0, 1). No canvas API, so the JS twin
    gives the same numbers. `strokes`: sequence of (n, 2) arrays of (x, y) in pixel units,
    pixel (row r, column c) has its centre at (c + 0.5, r + 0.5).
    """
    segments = _segments(strokes)
    if len(segments) == 0:
        return np.zeros((height, width))
    reach = pen_width / 2 + 0.5
    # Only the rows and columns some segment can reach, and segments in chunks, to bound memory.
    r0 = max(int(np.floor(segments[:, [1, 3]].min() - reach)), 0)
    r1 = min(int(np.ceil(segments[:, [1, 3]].max() + reach)) + 1, height)
    c0 = max(int(np.floor(segments[:, [0, 2]].min() - reach)), 0)
    c1 = min(int(np.ceil(segments[:, [0, 2]].max() + reach)) + 1, width)
    ink = np.zeros((height, width))
    if r0 >= r1 or c0 >= c1:
        return ink
    ys = (np.arange(r0, r1) + 0.5)[:, None, None]
    xs = (np.arange(c0, c1) + 0.5)[None, :, None]
    chunk = max(1, RENDER_CHUNK // ((r1 - r0) * (c1 - c0)))
    nearest = np.full((r1 - r0, c1 - c0), np.inf)
    for first in range(0, len(segments), chunk):
        x0, y0, x1, y1 = segments[first : first + chunk].T
        dx, dy = x1 - x0, y1 - y0
        length2 = dx * dx + dy * dy
        px, py = xs - x0, ys - y0
        t = np.clip((px * dx + py * dy) / np.where(length2 > 0, length2, 1.0), 0, 1) * (length2 > 0)
        distance = np.hypot(px - t * dx, py - t * dy).min(axis=2)
        np.minimum(nearest, distance, out=nearest)
    ink[r0:r1, c0:c1] = np.clip(reach - nearest, 0.0, 1.0)
    return ink


def _segments(strokes) -> np.ndarray:
    """(n, 4) array of x0, y0, x1, y1; a one-point stroke is a zero-length segment (a dot)."""
    parts = []
    for stroke in strokes:
        points = np.asarray(stroke, dtype=np.float64).reshape(-1, 2)
        if len(points) == 1:
            points = np.vstack([points, points])
        if len(points):
            parts.append(np.hstack([points[:-1], points[1:]]))
    return np.vstack(parts) if parts else np.zeros((0, 4))


def stroke_bounds(strokes) -> tuple[float, float, float, float] | None:
    points = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes if len(s)]
    if not points:
        return None
    every = np.vstack(points)
    return float(every[:, 0].min()), float(every[:, 1].min()), float(every[:, 0].max()), float(every[:, 1].max())


def mnist_from_strokes(strokes, pen_width: float = CANONICAL_PEN) -> np.ndarray:
    """Vector recipe: strokes (lists of (x, y) points, any units) → float32 (28, 28).

    The points' bounding box is scaled so its longer side spans FIT - pen_width pixels (the ink,
    with the pen's width, then spans about 20 px like MNIST), drawn at `pen_width`, then moved so
    its centre of mass lands on (14, 14) and drawn again there.
    """
    bounds = stroke_bounds(strokes)
    if bounds is None:
        raise NoInkError()
    min_x, min_y, max_x, max_y = bounds
    extent = max(max_x - min_x, max_y - min_y, MIN_VECTOR_EXTENT)
    scale = (FIT - pen_width) / extent
    fitted = [(np.asarray(s, dtype=np.float64).reshape(-1, 2) - (min_x, min_y)) * scale for s in strokes if len(s)]
    # First draw with the box centred, then shift by the exact centre-of-mass error and redraw.
    offset_x = (SIZE - (max_x - min_x) * scale) / 2
    offset_y = (SIZE - (max_y - min_y) * scale) / 2
    first = render_strokes([s + np.array([offset_x, offset_y]) for s in fitted], SIZE, SIZE, pen_width)
    mass_row, mass_col = centre_of_mass(first)
    offset_x += CENTRE - mass_col
    offset_y += CENTRE - mass_row
    image = render_strokes([s + np.array([offset_x, offset_y]) for s in fitted], SIZE, SIZE, pen_width)
    return (image / image.max()).astype(np.float32)
