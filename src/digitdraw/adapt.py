"""Learn one writer's hand from a few taught examples (Python twin of web/js/adapt.js).

A model maps each drawing to features (the input of its last Dense layer: what the final
softmax reads) and ten probabilities. A taught example is a drawing with the digit its writer
meant. Two steps, both on those features:

1. The last layer is trained on for `steps` full-batch gradient steps (cross-entropy, learning
   rate `rate`) on the taught examples, starting from the model's own weights (`fine_tuned`); the
   drawing's probabilities come from that layer (`layer_probabilities`).
2. For a new drawing, each digit that has examples gets the cosine similarity of the nearest
   one; a digit whose nearest example is closer than `floor` gets a log-probability bonus growing
   with the similarity above the floor:

    log p'(d) = log p(d) + strength · max(0, similarity(d) − floor),   then renormalised.

Why this rule: a writer's own 1s lie far closer to their taught 1 than anything else they draw,
so a bonus only above a high floor fixes the writer's systematic mistakes (long-flag 1s read as
7) without pulling their other digits towards the few taught ones — which a plain mixture with a
nearest-prototype softmax does when only corrections are taught. Digits without examples keep
the model's probabilities. `strength` and `floor` (config.json "adaptation") were chosen on the
dev writers of the writer benchmark (bench/writers.py, docs/benchmarks.md).

Why the fine-tuning too: the bonus only helps drawings close to one example, and with only the
corrections taught, a writer's next 1 often is not; a few gradient steps move the whole decision
boundary a little towards the writer. A few steps from the model's weights, not training to
convergence: with ten examples, the layer would learn them by heart. `steps` and `rate` were chosen
on the dev writers with the bonus on (docs/benchmarks.md, "Learning the writer's hand").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .calibration import calibrated
from .config import ADAPTATION, EXAMPLE_LIMITS
from .models import NUM_CLASSES

EXAMPLES_FORMAT = "digitdraw-examples"
EXAMPLES_VERSION = 1
MAX_EXAMPLES: int = EXAMPLE_LIMITS["max_examples"]  # past this, not one person teaching by hand
MAX_POINTS: int = EXAMPLE_LIMITS["max_points"]  # per example, summed over its strokes


@dataclass(frozen=True)
class Settings:
    strength: float = ADAPTATION["strength"]
    floor: float = ADAPTATION["floor"]
    steps: int = ADAPTATION["steps"]  # gradient steps on the last layer (0: the model's own layer)
    rate: float = ADAPTATION["rate"]
    # The most recent examples the layer is fine-tuned on: in the page each one costs ~0.3 ms a
    # teach, so 200 keep a teach near 60 ms (2,000 would take 0.7 s); the bonus still uses them all.
    tuned_examples: int = ADAPTATION["tuned_examples"]


DEFAULT = Settings()


def normalised(features: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (all-zero rows stay zero), so dot products are cosine similarities."""
    features = np.asarray(features, dtype=np.float64)
    norms = np.linalg.norm(features, axis=-1, keepdims=True)
    return features / np.maximum(norms, 1e-12)


def nearest_similarities(
    features: np.ndarray, example_features: np.ndarray, example_digits: Sequence[int]
) -> np.ndarray:
    """(n, 10): for each drawing and digit, the cosine similarity of that digit's nearest example;
    NaN for digits with no example. Features need not be normalised."""
    features = normalised(np.atleast_2d(features))
    result = np.full((len(features), NUM_CLASSES), np.nan)
    if len(example_digits) == 0:
        return result
    similarity = features @ normalised(example_features).T
    digits = np.asarray(example_digits)
    for digit in np.unique(digits):
        result[:, digit] = similarity[:, digits == digit].max(axis=1)
    return result


def blend(probabilities: np.ndarray, similarities: np.ndarray, settings: Settings = DEFAULT) -> np.ndarray:
    """The model's ten probabilities moved towards digits whose taught examples the drawing is close to."""
    probabilities = np.atleast_2d(np.asarray(probabilities, dtype=np.float64))[:, :NUM_CLASSES]
    bonus = settings.strength * np.maximum(0.0, np.nan_to_num(similarities, nan=settings.floor) - settings.floor)
    scores = np.log(np.maximum(probabilities, 1e-30)) + bonus
    scores -= scores.max(axis=1, keepdims=True)
    adapted = np.exp(scores)
    return adapted / adapted.sum(axis=1, keepdims=True)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, in float64."""
    logits = np.asarray(logits, dtype=np.float64)
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return weights / weights.sum(axis=-1, keepdims=True)


def fine_tuned(
    weights: np.ndarray, bias: np.ndarray, features: np.ndarray, digits: Sequence[int], settings: Settings = DEFAULT
) -> tuple[np.ndarray, np.ndarray]:
    """The last layer (`weights` (features, 10), `bias` (10,)) after `settings.steps` full-batch
    gradient-descent steps on the cross-entropy of the taught examples (`features`, `digits`, in
    the order taught; the last `settings.tuned_examples` of them)."""
    weights, bias = np.array(weights, dtype=np.float64), np.array(bias, dtype=np.float64)
    if not len(digits):
        return weights, bias
    features = np.asarray(features, dtype=np.float64).reshape(len(digits), -1)[-settings.tuned_examples :]
    digits = np.asarray(digits)[-settings.tuned_examples :]
    targets = np.eye(weights.shape[1])[digits]
    for _ in range(settings.steps):
        error = (softmax(features @ weights + bias) - targets) / len(digits)
        weights -= settings.rate * (features.T @ error)
        bias -= settings.rate * error.sum(axis=0)
    return weights, bias


def layer_probabilities(features: np.ndarray, weights: np.ndarray, bias: np.ndarray, temperature: float = 1.0):
    """The ten probabilities a last layer gives features, at the model's calibration temperature."""
    return softmax((np.asarray(features, dtype=np.float64) @ weights + bias) / temperature)


def feature_model(model):
    """A Keras model that returns (features, probabilities) for `model`: the features are the
    input of its last layer (a Dense softmax for every recipe)."""
    import keras

    # Rebuilt layer by layer: a Sequential model read from a TF.js folder has never been called,
    # so it has no symbolic outputs to reuse. Our recipes are all Sequential.
    inputs = keras.Input(shape=model.input_shape[1:])
    features = inputs
    for layer in model.layers[:-1]:
        features = layer(features)
    return keras.Model(inputs, [features, model.layers[-1](features)])


class ExamplesError(ValueError):
    """An examples file that cannot be used; the message says what is wrong with it."""


@dataclass(frozen=True)
class Example:
    digit: int
    strokes: tuple[np.ndarray, ...]  # pad units, y down, as the page stores them


def parse_examples(data) -> list[Example]:
    """Examples from the JSON the page exports ({"format", "version", "examples": [{"digit", "strokes"}]}),
    checked as strictly as the page's import (web/js/examples.js)."""
    if not isinstance(data, dict) or data.get("format") != EXAMPLES_FORMAT:
        raise ExamplesError(f'not a digitdraw examples file (expected "format": "{EXAMPLES_FORMAT}")')
    if data.get("version") != EXAMPLES_VERSION:
        raise ExamplesError(f"examples file version {data.get('version')!r} is not supported (expected 1)")
    entries = data.get("examples")
    if not isinstance(entries, list):
        raise ExamplesError('"examples" must be a list')
    if len(entries) > MAX_EXAMPLES:
        raise ExamplesError(f"{len(entries)} examples is more than the {MAX_EXAMPLES} a file may hold")
    return [_parse_example(entry, position) for position, entry in enumerate(entries)]


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value)


def _is_point(point) -> bool:
    return isinstance(point, list) and len(point) == 2 and all(_is_number(v) for v in point)


def _parse_example(entry, position: int) -> Example:
    where = f"example {position + 1}"
    if not isinstance(entry, dict):
        raise ExamplesError(f"{where} is not an object")
    digit = entry.get("digit")
    # JSON has one number type: 3.0 is the whole number 3, as JavaScript reads it too.
    if not _is_number(digit) or digit != int(digit) or not 0 <= digit < NUM_CLASSES:
        raise ExamplesError(f'{where}: "digit" must be a whole number from 0 to 9, not {json.dumps(digit)}')
    strokes = entry.get("strokes")
    if not isinstance(strokes, list) or not strokes:
        raise ExamplesError(f'{where}: "strokes" must be a non-empty list of strokes')
    for stroke in strokes:
        if not isinstance(stroke, list) or not stroke or not all(_is_point(p) for p in stroke):
            raise ExamplesError(f"{where}: a stroke is not a non-empty list of finite [x, y] points")
    points = sum(len(stroke) for stroke in strokes)
    if points > MAX_POINTS:
        raise ExamplesError(f"{where} has {points} points, more than {MAX_POINTS}")
    return Example(int(digit), tuple(np.array(stroke, dtype=np.float64) for stroke in strokes))


def load_examples(path: str | Path) -> list[Example]:
    """Read an examples file exported by the page; ExamplesError names the file and the problem."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ExamplesError(f"{path}: cannot read it ({error.strerror or error})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ExamplesError(f"{path}: not valid JSON ({error}); export the examples from the page again") from None
    try:
        return parse_examples(data)
    except ExamplesError as error:
        raise ExamplesError(f"{path}: {error}") from None


class Adapter:
    """A Keras model plus a writer's taught examples: `predict(batch)` gives adapted probabilities,
    so it can stand in for the model wherever a batch → probabilities function is taken
    (numbers.NumberReader)."""

    def __init__(
        self,
        model,
        example_inputs: np.ndarray,
        example_digits: Sequence[int],
        settings: Settings = DEFAULT,
        temperature: float = 1.0,
    ):
        self.features = feature_model(model)
        self.settings = settings
        self.temperature = temperature  # the model's (calibration.py): its probabilities as the page sees them
        self.example_digits = np.asarray(example_digits, dtype=int)
        self.example_features = self._features(example_inputs)[0] if len(example_digits) else np.zeros((0, 1))
        weights, bias = model.layers[-1].get_weights()
        self.layer = fine_tuned(weights, bias, self.example_features, self.example_digits, settings)

    @classmethod
    def from_examples(
        cls, model, examples: Sequence[Example], settings: Settings = DEFAULT, temperature: float = 1.0
    ) -> Adapter:
        """An Adapter taught `examples` (strokes drawn through the page's vector recipe)."""
        from . import preprocess

        inputs = [preprocess.mnist_from_strokes(list(e.strokes)) for e in examples]
        batch = preprocess.to_model_input(np.stack(inputs)) if inputs else np.zeros((0, *model.input_shape[1:]))
        return cls(model, batch, [e.digit for e in examples], settings, temperature)

    def _features(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if len(batch) == 0:
            return np.zeros((0, 1)), np.zeros((0, NUM_CLASSES))
        from .numbers import compiled_predict

        features, probabilities = compiled_predict(self.features, batch)
        return np.asarray(features, dtype=np.float64), calibrated(np.asarray(probabilities), self.temperature)

    def nearest_similarity(self, strokes) -> float:
        """How alike a drawing (strokes) is to its nearest taught example, as a cosine similarity."""
        from . import preprocess

        if not len(self.example_digits):
            return -1.0
        features, _ = self._features(preprocess.to_model_input(preprocess.mnist_from_strokes(strokes)[None]))
        return float(np.nanmax(nearest_similarities(features, self.example_features, self.example_digits)))

    def predict(self, batch: np.ndarray) -> np.ndarray:
        features, probabilities = self._features(batch)
        if len(self.example_digits):
            probabilities = layer_probabilities(features, *self.layer, self.temperature)
        similarities = nearest_similarities(features, self.example_features, self.example_digits)
        return blend(probabilities, similarities, self.settings)
