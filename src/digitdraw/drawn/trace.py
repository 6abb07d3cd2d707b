"""Trace a digit image into pen strokes: skeletonise, then walk the skeleton's pixel graph.

scikit-image does the thinning; walking the skeleton is written here because no maintained
library turns a skeleton into ordered polylines without heavy dependencies (skan needs numba).
The walk keeps going straight through junctions, as a pen would, so a "4" or an "8" comes out
as a few long strokes rather than many stubs.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

UPSCALE = 3  # thin at 3× resolution: smoother, better-connected skeletons than at 28×28
INK_LEVEL = 0.35
SMOOTHING = 2  # moving-average half-width, in upscaled pixels
MIN_STROKE_POINTS = 3

NEIGHBOURS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def skeleton(image: np.ndarray) -> np.ndarray:
    from skimage.morphology import skeletonize

    ink = np.asarray(image, dtype=np.float64)
    if ink.max() <= 0:
        return np.zeros((ink.shape[0] * UPSCALE, ink.shape[1] * UPSCALE), dtype=bool)
    big = ndimage.zoom(ink / ink.max(), UPSCALE, order=1)
    return skeletonize(big > INK_LEVEL)


def _walk_graph(mask: np.ndarray) -> list[list[tuple[int, int]]]:
    pixels = set(zip(*np.nonzero(mask)))

    def neighbours(p):
        return [(p[0] + dr, p[1] + dc) for dr, dc in NEIGHBOURS if (p[0] + dr, p[1] + dc) in pixels]

    degree = {p: len(neighbours(p)) for p in pixels}
    used: set[frozenset] = set()
    paths = []

    def walk(start, step):
        path = [start, step]
        used.add(frozenset((start, step)))
        while True:
            here, previous = path[-1], path[-2]
            options = [n for n in neighbours(here) if frozenset((here, n)) not in used]
            if not options:
                return path
            direction = np.subtract(here, previous)
            # straightest continuation; among equals, the orthogonal step (fewer diagonal shortcuts)
            best = max(
                options,
                key=lambda n: (
                    np.dot(np.subtract(n, here), direction) / np.linalg.norm(np.subtract(n, here)),
                    -abs(n[0] - here[0]) - abs(n[1] - here[1]),
                ),
            )
            if np.dot(np.subtract(best, here), direction) < 0 and len(path) > 2:
                return path  # do not turn back on ourselves
            used.add(frozenset((here, best)))
            # edges of the little triangles 8-connected skeletons make at corners count as used too
            for other in options:
                if other != best and max(abs(other[0] - best[0]), abs(other[1] - best[1])) <= 1:
                    used.add(frozenset((here, other)))
            path.append(best)

    order = sorted(pixels, key=lambda p: (degree[p] != 1, degree[p] < 3, p))
    for start in order:
        for step in neighbours(start):
            if frozenset((start, step)) not in used:
                paths.append(walk(start, step))
    isolated = [p for p in pixels if degree[p] == 0]
    paths.extend([[p] for p in isolated])
    return paths


def _smooth(points: np.ndarray) -> np.ndarray:
    if len(points) <= 2 * SMOOTHING + 1:
        return points
    kernel = np.ones(2 * SMOOTHING + 1) / (2 * SMOOTHING + 1)
    padded = np.pad(points, ((SMOOTHING, SMOOTHING), (0, 0)), mode="edge")
    smoothed = np.stack([np.convolve(padded[:, k], kernel, mode="valid") for k in range(2)], axis=1)
    smoothed[0], smoothed[-1] = points[0], points[-1]
    return smoothed


def trace(image: np.ndarray) -> list[np.ndarray]:
    """Strokes as (n, 2) arrays of (x, y) in the image's pixel units (pixel centres at +0.5)."""
    paths = _walk_graph(skeleton(image))
    strokes = []
    total = sum(len(p) for p in paths)
    for path in sorted(paths, key=len, reverse=True):
        if len(path) < MIN_STROKE_POINTS and (strokes or total > len(path)):
            continue  # spurs and corner stubs; a lone dot is kept only if it is all there is
        rows_cols = np.array(path, dtype=np.float64)
        xy = (rows_cols[:, ::-1] + 0.5) / UPSCALE
        strokes.append(_smooth(xy)[:: max(1, UPSCALE // 2)] if len(xy) > 3 else xy)
    return strokes
