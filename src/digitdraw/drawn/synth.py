"""Drawn digits that can be made here, as strokes on the page's pad (or, for fonts, as rasters).

Sources: MNIST digits traced into strokes, single-stroke Hershey fonts, handwriting fonts from
Debian, and the writing styles MNIST lacks (1s with a flag and a base, 7s with a crossbar).
Every generator takes a NumPy Generator, so a seed fixes the whole set. Training uses MNIST
*training* digits and TRAIN_FONTS; benchmarks use MNIST *test* digits and BENCH_FONTS.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..config import PAD_PEN, PAD_UNITS
from . import trace

PAD = float(PAD_UNITS)
TRAIN_FONTS = ("futural", "futuram", "rowmans", "rowmand", "timesr", "timesi", "scriptc", "cyrilc_1")
BENCH_FONTS = ("scripts", "cursive", "rowmant", "timesrb", "timesib", "gothicger", "gothicita", "greek")
HANDWRITING_FONT_DIRS = ("/usr/share/fonts/truetype", "/usr/share/fonts/opentype")
HANDWRITING_FONT_NAMES = ("dkg", "humor", "comic", "bwht", "breip", "femke", "klee", "kristi")
NON_DIGIT_LETTERS = "AEFHKMNRWX"  # letters no digit resembles, for the "unsure" check


# ---- geometry on strokes --------------------------------------------------------------------


def bounds(strokes) -> tuple[float, float, float, float]:
    every = np.vstack(strokes)
    return every[:, 0].min(), every[:, 1].min(), every[:, 0].max(), every[:, 1].max()


def normalised(strokes) -> list[np.ndarray]:
    """Scale so the drawing is 1 unit tall, with its top-left bounding-box corner at the origin."""
    x0, y0, _x1, y1 = bounds(strokes)
    height = max(y1 - y0, 1e-6)
    return [(s - (x0, y0)) / height for s in strokes]


def affine(strokes, rng, rotation_deg=10.0, shear=0.25, aspect=(0.8, 1.25)) -> list[np.ndarray]:
    """Random rotation, slant (shear) and aspect change about the drawing's centre."""
    angle = np.radians(rng.uniform(-rotation_deg, rotation_deg))
    ratio = rng.uniform(*aspect)
    matrix = (
        np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        @ np.array([[1.0, rng.uniform(-shear, shear)], [0.0, 1.0]])
        @ np.diag([ratio, 1.0])
    )
    centre = np.vstack(strokes).mean(axis=0)
    return [(s - centre) @ matrix.T + centre for s in strokes]


def elastic(strokes, rng, amount=0.04) -> list[np.ndarray]:
    """Smooth random bending: each point moves by a sum of low-frequency waves (drawing-height units)."""
    x0, y0, x1, y1 = bounds(strokes)
    size = max(x1 - x0, y1 - y0, 1e-6)
    waves = [(rng.normal(0, 2.5, size=2), rng.uniform(0, 2 * np.pi), rng.normal(0, amount, size=2)) for _ in range(3)]

    def bend(points):
        relative = (points - (x0, y0)) / size
        shift = sum(np.sin(relative @ freq + phase)[:, None] * amp for freq, phase, amp in waves)
        return points + shift * size

    return [bend(s) for s in strokes]


def tremor(strokes, rng, sigma=0.004) -> list[np.ndarray]:
    """A little hand jitter, smoothed so the line stays a line."""
    x0, y0, x1, y1 = bounds(strokes)
    size = max(x1 - x0, y1 - y0, 1e-6)
    out = []
    for s in strokes:
        noise = rng.normal(0, sigma * size, size=s.shape)
        if len(s) > 4:
            kernel = np.ones(3) / 3
            noise = np.stack([np.convolve(noise[:, k], kernel, mode="same") for k in range(2)], axis=1)
        out.append(s + noise)
    return out


def place_on_pad(strokes, rng, layout: str) -> list[np.ndarray]:
    """Put a drawing on the 280-unit pad as a person would: 'centred' (60–75% tall, in the middle)
    or 'sloppy' (35–85% tall, off-centre by up to 15% of the pad)."""
    unit = normalised(strokes)
    x0, y0, x1, y1 = bounds(unit)
    if layout == "centred":
        height = rng.uniform(0.60, 0.75) * PAD
        centre = np.array([PAD / 2, PAD / 2])
    elif layout == "sloppy":
        height = rng.uniform(0.35, 0.85) * PAD
        centre = PAD / 2 + rng.uniform(-0.15, 0.15, size=2) * PAD
    else:
        raise ValueError(f"unknown layout {layout!r}")
    height = min(height, (PAD - PAD_PEN) / max(x1 - x0, y1 - y0))  # a very wide digit still fits
    placed = [s * height for s in unit]
    px0, py0, px1, py1 = bounds(placed)
    shift = centre - ((px0 + px1) / 2, (py0 + py1) / 2)
    low = PAD_PEN / 2 - np.array([px0, py0])
    high = PAD - PAD_PEN / 2 - np.array([px1, py1])
    shift = np.clip(shift, low, np.maximum(low, high))
    return [s + shift for s in placed]


# ---- the styles MNIST lacks -----------------------------------------------------------------


FLAG_ANGLE_DEG = (35.0, 65.0)  # below the horizontal
FLAG_LENGTH = (0.2, 0.5)  # of the digit's height
STEEP_FLAG = (FLAG_ANGLE_DEG, FLAG_LENGTH)  # add_flag's defaults: the flags robust-cnn trains on
# Long, almost level flags (degrees below the horizontal, heights), as the real writers whose 1s
# our models read as 7 draw them; benchmarks only (bench/writers.py, bench/numbers.py).
LONG_FLAG = ((8.0, 30.0), (0.45, 0.8))


def add_flag(strokes, rng, base_probability=0.35, angle_deg=FLAG_ANGLE_DEG, length=FLAG_LENGTH) -> list[np.ndarray]:
    """A "1" as much of Europe writes it: an upstroke flag into the top, maybe a base serif.
    `angle_deg` and `length` are ranges the flag's angle and length are drawn from."""
    unit = normalised(strokes)
    main = max(unit, key=lambda s: np.ptp(s[:, 1]))
    top = main[np.argmin(main[:, 1])]
    bottom = main[np.argmax(main[:, 1])]
    # Steeper and shorter than a 7's top bar: flatter, longer flags are read as 7s by people too,
    # and training on them turned short-barred MNIST 7s into 1s.
    angle = np.radians(rng.uniform(*angle_deg))
    start = top + rng.uniform(*length) * np.array([-np.cos(angle), np.sin(angle)])
    flag = np.linspace(start, top, 8)
    if rng.uniform() < 0.5:  # drawn in one go: up the flag, then down the stem
        ordered = main if main[0, 1] <= main[-1, 1] else main[::-1]
        out = [np.vstack([flag, ordered]), *[s for s in unit if s is not main]]
    else:
        out = [flag, *unit]
    if rng.uniform() < base_probability:
        half = rng.uniform(0.15, 0.35)
        out.append(np.linspace(bottom - (half, 0), bottom + np.array([half, 0]), 8))
    return out


def add_crossbar(strokes, rng) -> list[np.ndarray]:
    """A "7" with the bar across its stem, as much of Europe writes it."""
    unit = normalised(strokes)
    every = np.vstack(unit)
    level = rng.uniform(0.45, 0.62)
    near = every[np.abs(every[:, 1] - level) < 0.08]
    stem_x = np.median(near[:, 0]) if len(near) else every[:, 0].mean()
    half = rng.uniform(0.15, 0.3)
    tilt = rng.uniform(-0.05, 0.05)
    return [*unit, np.linspace((stem_x - half, level + tilt), (stem_x + half, level - tilt), 8)]


# ---- sources --------------------------------------------------------------------------------


def traced(images: np.ndarray) -> list[list[np.ndarray]]:
    """Trace uint8 MNIST digits into strokes (in 28-pixel units)."""
    return [trace.trace(image / 255.0) for image in images]


def hershey_digits(fonts=BENCH_FONTS, characters="0123456789") -> list[tuple[list[np.ndarray], str, str]]:
    """(strokes, character, font) for each character of each single-stroke Hershey font."""
    from HersheyFonts import HersheyFonts

    renderer = HersheyFonts()
    out = []
    for font in fonts:
        renderer.load_default_font(font)
        for character in characters:
            strokes = [np.array(s, dtype=np.float64) for s in renderer.strokes_for_text(character)]
            strokes = [s for s in strokes if len(s)]
            if strokes:
                out.append((strokes, character, font))
    return out


def handwriting_fonts() -> list[Path]:
    """Handwriting-style font files installed from Debian (see the Makefile's SYSTEM_PACKAGES)."""
    found = []
    for folder in HANDWRITING_FONT_DIRS:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix.lower() in (".ttf", ".otf") and any(n in path.name.lower() for n in HANDWRITING_FONT_NAMES):
                found.append(path)
    return found


def font_raster(font_path: Path, character: str, rng, layout: str) -> np.ndarray:
    """A filled glyph on a 280×280 ink raster at a random size, weight and position."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    size = int(rng.uniform(0.45, 0.8) * PAD) if layout == "sloppy" else int(rng.uniform(0.6, 0.75) * PAD)
    font = ImageFont.truetype(str(font_path), size)
    canvas = Image.new("L", (int(PAD), int(PAD)), 0)
    draw = ImageDraw.Draw(canvas)
    left, top, right, bottom = draw.textbbox((0, 0), character, font=font)
    width, height = right - left, bottom - top
    spare_x, spare_y = max(PAD - width, 0), max(PAD - height, 0)
    if layout == "sloppy":
        x, y = rng.uniform(0, spare_x), rng.uniform(0, spare_y)
    else:
        x, y = spare_x / 2, spare_y / 2
    draw.text((x - left, y - top), character, fill=255, font=font)
    weight = rng.integers(-1, 3)  # thinner or bolder than the font's own weight
    if weight > 0:
        canvas = canvas.filter(ImageFilter.MaxFilter(2 * weight + 1))
    elif weight < 0:
        canvas = canvas.filter(ImageFilter.MinFilter(3))
    return np.asarray(canvas, dtype=np.float64) / 255.0


def scribble(rng) -> list[np.ndarray]:
    """A random non-digit scribble: a few wandering strokes."""
    strokes = []
    for _ in range(rng.integers(1, 4)):
        steps = rng.normal(0, 1, size=(rng.integers(8, 40), 2))
        strokes.append(np.cumsum(steps * rng.uniform(0.5, 3), axis=0) + rng.uniform(0, 20, size=2))
    return strokes
