"""Read image files (scans, photos, screenshots of a written digit) as ink rasters."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def ink_from_image(pixels: np.ndarray) -> np.ndarray:
    """Any grey or RGB(A) image, dark-on-light or light-on-dark → ink in [0, 1], ink high.

    The background is the median grey of the border (photos and scans have no pure white);
    if it is lighter than the middle grey the image is inverted.
    """
    image = np.asarray(pixels, dtype=np.float64)
    if image.ndim == 3:
        if image.shape[2] == 4:  # transparent pixels are background, whatever their colour
            alpha = image[..., 3:4] / 255.0
            image = image[..., :3] * alpha + 255.0 * (1 - alpha)
        image = image[..., :3].mean(axis=2)
    image = image / 255.0
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    background = float(np.median(border))
    if background > 0.5:
        image, background = 1.0 - image, 1.0 - background
    peak = float(image.max())
    if peak - background < 1e-6:
        return np.zeros_like(image)
    return np.clip((image - background) / (peak - background), 0.0, 1.0)


def load_image(path: str | Path) -> np.ndarray:
    """Read a PNG/JPEG into an ink raster; raises ValueError naming the file if it cannot."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as picture:
            picture = picture.convert("RGBA")
            return ink_from_image(np.asarray(picture))
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"{path}: not a readable image ({error})") from error
