"""What Python and the page share, read from the one file both use: app/web/config.json.

The page imports the same JSON as an ES module, so a pad size, pen width, input size or
threshold changed there changes both languages at once.
"""

from __future__ import annotations

import json
from pathlib import Path

CONFIG_FILE = Path(__file__).parent / "app" / "web" / "config.json"
_config = json.loads(CONFIG_FILE.read_text(encoding="utf-8"))

PAD_UNITS: int = _config["pad"]["units"]  # the pad's width and height in its own units
PAD_PEN: float = float(_config["pad"]["pen_width"])  # the pad's pen width in pad units

INPUT_SIZE: int = _config["input"]["size"]  # models take INPUT_SIZE × INPUT_SIZE × 1
INPUT_PIXELS: int = INPUT_SIZE * INPUT_SIZE
INPUT_SHAPE: tuple[int, int, int] = (INPUT_SIZE, INPUT_SIZE, 1)
FIT: int = _config["input"]["fit"]  # MNIST fits each digit's longer side into FIT × FIT
CENTRE: float = float(_config["input"]["centre"])  # where MNIST's centre of mass sits
INK_THRESHOLD: float = _config["input"]["ink_threshold"]  # fainter is anti-aliasing halo, not ink
CANONICAL_PEN: float = _config["input"]["canonical_pen"]  # the vector recipe's pen, in input pixels

DEFAULT_MODEL: str = _config["recognition"]["default_model"]
SEGMENTER: str = _config["recognition"]["segmenter"]  # the 11-class model that cuts numbers into digits
DEFAULT_RECIPE: str = _config["recognition"]["default_recipe"]
UNSURE_BELOW: float = _config["recognition"]["unsure_below"]  # top probability below which a result is unsure

# How numbers are cut into digits (numbers.py and web/js/numbers.js): candidate limits, the
# geometric priors' weights and the per-digit bonus, chosen on the dev part of the number benchmark.
NUMBERS: dict = _config["numbers"]

# A straight stroke much wider than tall (numbers.is_flat_line): a dash alone, a 7's crossbar in a digit.
FLAT_LINE: dict = _config["flat_line"]
# How a crossed 7 (taught, in the same number, or the last one read) changes how uncrossed 7s are
# read (numbers.crossed_sevens); the odds were chosen on the dev writers (bench/writers.py).
CROSSED_SEVENS: dict = _config["crossed_sevens"]

# How taught examples move a model's probabilities (adapt.py and web/js/adapt.js), chosen on the
# dev writers of the writer benchmark (bench/writers.py).
ADAPTATION: dict = _config["adaptation"]
EXAMPLE_LIMITS: dict = _config["examples"]  # what an examples file (exported by the page) may hold
# When a drawing is "not a digit" (rejection.py and web/js/rejection.js), chosen on the dev parts
# of the drawn-digit and non-digit benchmarks (docs/benchmarks.md).
REJECTION: dict = _config["rejection"]
