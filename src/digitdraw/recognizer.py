"""The Python API: load a model once, then read digits and whole numbers from images or strokes.

    from digitdraw import Recognizer

    recognizer = Recognizer.load()  # the default model; the bundled segmenter cuts numbers into digits
    reading = recognizer.read_image("number.png")  # or bytes, a NumPy array, a PIL image
    reading.number, reading.digits[0].digit, reading.digits[0].probabilities
    recognizer.read_strokes([[(20, 60), (23, 230)]])  # pen strokes in pad units, y down
    reading.to_dict()  # the JSON `digitdraw predict --json` prints and POST /api/read answers

TensorFlow is imported by `Recognizer.load`, not by `import digitdraw`. A Recognizer may be used
from many threads at once: each thread reads with its own NumberReader (whose caches are not
thread-safe), and they share the models.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image

from . import adapt, calibration, images, numbers, rejection
from .config import DEFAULT_MODEL, SEGMENTER
from .numbers import DigitReading, NumberReader, NumberReading, Predict

NO_INK_IMAGE = "no ink found: the image is empty"
NO_INK_STROKES = "no ink found: there are no points in the strokes"
BYTES_NAME = "image"  # how messages name an image given as bytes

ImageSource = str | Path | bytes | bytearray | memoryview | np.ndarray | Image.Image
Strokes = Sequence[Sequence[Sequence[float]] | np.ndarray]


@dataclass(frozen=True)
class Reading:
    """What was read. `number` is the digits left to right ("" when there was no ink, and then
    `error` says so); each of `digits` has `.digit`, `.probabilities` (the ten digits', summing
    to 1), `.confidence`, `.unsure`, `.box` (x0, y0, x1, y1 in the input's units: pixels or pad
    units), `.parts` (the strokes, or ink marks, it is made of) and `.doubted_seven` (read as a
    7 without a crossbar from a writer who crosses 7s, so read again: numbers.crossed_sevens;
    "doubted_seven" in the JSON, only when true). `alternative` is how the
    runner-up way of cutting the number reads, when it reads differently. `run_together`: the
    digits' strokes all join into one piece, as a letter's do (rejection.run_together);
    `maybe_not_a_digit`: the segmenter finds the one or two digits read fairly likely not digits
    at all (rejection.doubtful). Either makes the reading doubtful even where each digit is sure."""

    number: str
    digits: tuple[DigitReading, ...]
    alternative: str | None = None
    error: str | None = None
    rejected: str | None = None  # why it is not a digit (rejection.py: "tap", "scribble", "not-a-digit")
    run_together: bool = False
    maybe_not_a_digit: bool = False

    @classmethod
    def of(
        cls,
        reading: NumberReading,
        empty_reason: str,
        rejected: str | None = None,
        run_together: bool = False,
        maybe_not_a_digit: bool = False,
    ) -> Reading:
        if rejected:
            return cls("", (), None, rejection.MESSAGES[rejected], rejected)
        error = None if reading.digits else empty_reason
        return cls(reading.text, reading.digits, reading.alternative, error, None, run_together, maybe_not_a_digit)

    @property
    def unsure(self) -> bool:
        """Doubtful: a digit is unsure, the digits run together, or they may not be digits at all."""
        return self.run_together or self.maybe_not_a_digit or any(d.unsure for d in self.digits)

    @property
    def digit(self) -> int | None:
        """The digit when exactly one was read, else None."""
        return self.digits[0].digit if len(self.digits) == 1 else None

    def to_dict(self) -> dict:
        """The reading as JSON-ready data, rounded as `digitdraw predict --json` prints it."""
        data = {
            "number": self.number,
            "digit": self.digit,
            "alternative": self.alternative,
            "digits": [
                {
                    "digit": d.digit,
                    "confidence": round(d.confidence, 6),
                    "unsure": d.unsure,
                    "probabilities": [round(p, 6) for p in d.probabilities],
                    "box": [round(v, 1) for v in d.box],
                }
                | ({"doubted_seven": True} if d.doubted_seven else {})
                for d in self.digits
            ],
        }
        if self.error:
            data["error"] = self.error
        if self.rejected:
            data["rejected"] = self.rejected
        if self.run_together:
            data["run_together"] = True
        if self.maybe_not_a_digit:
            data["maybe_not_a_digit"] = True
        return data


class Recognizer:
    """Reads digits and numbers with one model (and a segmenter that cuts numbers into digits).

    Make one with `Recognizer.load(...)`; `Recognizer(reader)` takes a ready NumberReader, whose
    settings and model functions every thread's reader copies.
    """

    def __init__(self, reader: NumberReader, name: str = "model", adapter: adapt.Adapter | None = None):
        self.name = name
        self.adapter = adapter  # the writer's taught examples, when there are any
        self._template = reader
        self._local = threading.local()

    @classmethod
    def load(
        cls,
        model: str | Path = DEFAULT_MODEL,
        segmenter: str | Path | None = SEGMENTER,
        examples: str | Path | Sequence[adapt.Example] = (),
    ) -> Recognizer:
        """Load a model: a bundled model's name (`digitdraw models` lists them) or a model folder
        (what `digitdraw train` and `digitdraw export` write).

        `segmenter` cuts numbers into digits: by default the bundled 11-class model, which also
        says "not one digit" (left out if it is not installed, or is `model` itself); a name or
        folder picks another; None lets `model` cut too. Raises digitdraw.tfjs.ModelFormatError
        when a model is missing or broken.

        `examples`: a writer's taught examples (the JSON file the page exports, or adapt.Example
        objects); `model` then reads digits adapted to that writer, as the page does (adapt.py).
        Raises adapt.ExamplesError when the file cannot be used.
        """
        from . import tfjs

        folder = _model_folder(model)
        cutter = _segmenter_folder(folder, segmenter)
        if isinstance(examples, str | Path):
            examples = adapt.load_examples(examples)
        classifier, cutting = tfjs.load(folder), tfjs.load(cutter) if cutter else None
        temperatures = (calibration.temperature_of(folder), calibration.temperature_of(cutter) if cutter else 1.0)
        return cls.from_models(classifier, cutting, folder.name, examples, temperatures)

    @classmethod
    def from_models(
        cls,
        model,
        segmenter=None,
        name: str = "model",
        examples: Sequence[adapt.Example] = (),
        temperatures: tuple[float, float] = (1.0, 1.0),
    ) -> Recognizer:
        """A Recognizer for Keras models already loaded: `model` reads the digits (adapted to
        `examples` when there are any), `segmenter` (default: `model`) cuts numbers into them.
        `temperatures`: the two models' calibration (calibration.py; 1.0 leaves them as they are)."""

        def honest(keras_model, temperature):
            return keras_model if temperature == 1.0 else calibration.Calibrated(keras_model, temperature)

        reader = NumberReader.for_model(
            honest(model, temperatures[0]), honest(segmenter, temperatures[1]) if segmenter is not None else None
        )
        if not examples:
            return cls(reader, name)
        # Cutting stays the model's own; only reading the chosen digits adapts, as in the page.
        adapter = adapt.Adapter.from_examples(model, examples, temperature=temperatures[0])
        crosses = numbers.crosses_sevens([e.strokes for e in examples if e.digit == 7])
        return cls(replace(reader, classifier=adapter.predict, writer_crosses_sevens=crosses), name, adapter)

    def with_predict(self, wrap: Callable[[Predict], Predict]) -> Recognizer:
        """The same models, with each model call going through `wrap(predict)` (e.g. a batcher)."""
        reader = self._template
        classifier = wrap(reader.classifier) if reader.classifier is not None else None
        wrapped = replace(reader, segmenter=wrap(reader.segmenter), classifier=classifier)
        return Recognizer(wrapped, self.name, self.adapter)

    @property
    def reader(self) -> NumberReader:
        """This thread's NumberReader (its caches make a drawing read again, stroke by stroke, cheap)."""
        if not hasattr(self._local, "reader"):
            self._local.reader = replace(self._template, scores={}, readings={})
        return self._local.reader

    def read_image(
        self,
        image: ImageSource,
        *,
        max_pixels: int = images.MAX_PIXELS,
        formats: Sequence[str] | None = None,
        max_parts: int | None = None,
    ) -> Reading:
        """Read the digit or number in an image: a file path, a file's bytes, a NumPy array
        ((h, w) grey, or (h, w, 2|3|4) grey + alpha, RGB, RGBA; 0–255, or the range of an unsigned
        type) or a PIL image. Dark ink on light paper or the other way round; scans and photos.

        Raises images.ImageError (a ValueError saying what to do) when the image cannot be read
        or has more than `max_pixels` pixels (ImageTooLargeError) or is not one of `formats`
        (PIL's names, e.g. "PNG"), and numbers.TooManyPartsError past `max_parts` ink marks.
        """
        reading = self.reader.read_ink(_ink(image, max_pixels, formats), max_parts)
        not_a_digit = [d.not_a_digit for d in reading.digits]
        reason = rejection.rejected(not_a_digit)
        doubt = not reason and rejection.doubtful(not_a_digit)
        return Reading.of(reading, NO_INK_IMAGE, reason, maybe_not_a_digit=doubt)

    def read_strokes(self, strokes: Strokes) -> Reading:
        """Read the number drawn by `strokes`: each a sequence of (x, y) points (pad units, y down,
        as the page records them; any units work), in the order written. Raises ValueError naming
        the stroke when one is not a list of finite (x, y) pairs."""
        drawn = [_points(s, k) for k, s in enumerate(strokes)]
        reading = self.reader.read_strokes(drawn)
        not_a_digit = [d.not_a_digit for d in reading.digits]
        reason = rejection.rejected(not_a_digit, drawn)
        doubt = not reason and rejection.doubtful(not_a_digit)
        if (reason or doubt) and self.adapter is not None:  # a drawing like a taught example is a digit
            similarity = self.adapter.nearest_similarity(drawn)
            reason = rejection.rejected(not_a_digit, drawn, similarity)
            doubt = not reason and rejection.doubtful(not_a_digit, similarity)
        written = [s for s in drawn if len(s)]  # the strokes a digit's parts count
        joined = not reason and rejection.run_together(written, [d.parts for d in reading.digits])
        return Reading.of(reading, NO_INK_STROKES, reason, joined, doubt)


def _model_folder(model: str | Path) -> Path:
    from .app import catalog

    return catalog.resolve(str(model))


def _segmenter_folder(model_folder: Path, segmenter: str | Path | None) -> Path | None:
    """The segmenter's folder, or None when the model cuts numbers itself."""
    from .app import catalog

    if segmenter is None:
        return None
    if segmenter == SEGMENTER and not (catalog.BUNDLED_DIR / SEGMENTER).is_dir():
        return None  # an installation without the bundled segmenter: the model cuts
    folder = _model_folder(segmenter)
    return None if folder.resolve() == model_folder.resolve() else folder


def _ink(image: ImageSource, max_pixels: int, formats: Sequence[str] | None) -> np.ndarray:
    if isinstance(image, np.ndarray):
        if image.ndim not in (2, 3) or image.size == 0 or (image.ndim == 3 and image.shape[2] not in (1, 2, 3, 4)):
            raise images.ImageError(
                f"an image array is (height, width) or (height, width, 1 to 4 channels), not {image.shape}"
            )
        if image.dtype.kind not in "uif":
            raise images.ImageError(f"an image array holds numbers (e.g. uint8 0–255), not {image.dtype} values")
        if image.dtype.kind == "f" and not np.isfinite(image).all():
            raise images.ImageError("the image array has NaN or infinite values; give finite numbers, 0–255")
        return images.ink_from_image(image)
    if isinstance(image, (bytes, bytearray, memoryview)):
        return images.load_image(io.BytesIO(image), name=BYTES_NAME, max_pixels=max_pixels, formats=formats)
    return images.load_image(image, max_pixels=max_pixels, formats=formats)


def _points(stroke, index: int) -> np.ndarray:
    """A stroke as an (n, 2) float array, or ValueError naming the stroke."""
    try:
        points = np.asarray(stroke, dtype=np.float64)
    except (TypeError, ValueError):
        points = None
    if points is None or not (points.size == 0 or (points.ndim == 2 and points.shape[1] == 2)):
        raise ValueError(f"stroke {index} is not a list of (x, y) points; give each point as two numbers")
    if not np.isfinite(points).all():
        raise ValueError(f"stroke {index} has a point that is not a finite number (NaN or infinity)")
    return points.reshape(-1, 2)
