"""Golden vectors for learning a writer's hand: what adapt.py makes of seeded features and files.

`make golden` (python tests/golden/generate_adapt.py) writes adapt.json beside this file;
tests/js/adapt.test.js requires the JavaScript twin (web/js/adapt.js, examples.js) to give the
same similarities, the same adapted probabilities, the same verdict on every examples file and
the same calibrated probabilities (classifier.js `calibrated` ≡ calibration.calibrated),
and tests/test_adapt.py requires the committed file to match what adapt.py makes today.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from digitdraw import adapt, calibration

GOLDEN_FILE = Path(__file__).with_name("adapt.json")
FEATURES = 24
DECIMALS = 12


def _rounded(values) -> list:
    return np.round(np.asarray(values, dtype=np.float64), DECIMALS).tolist()


MILD = adapt.Settings(strength=4.0, floor=0.3)  # so adapted probabilities are not all near 0 or 1


def _case(name: str, rng, taught_digits: list[int], classes: int = 10, settings=adapt.DEFAULT) -> dict:
    # ReLU features, as the models' are: non-negative, some exactly zero.
    examples = np.maximum(rng.normal(0, 1, (len(taught_digits), FEATURES)), 0)
    drawing = np.maximum(rng.normal(0, 1, FEATURES), 0)
    if taught_digits:  # make the drawing near one example, so the bonus is not always zero
        drawing = 0.8 * examples[0] + 0.2 * drawing
    drawing, examples = _rounded(drawing), [_rounded(e) for e in examples]
    probabilities = _rounded(rng.dirichlet(np.full(classes, 0.3)))
    similarities = adapt.nearest_similarities(
        np.array(drawing), np.array(examples).reshape(-1, FEATURES), taught_digits
    )[0]
    return {
        "name": name,
        "settings": {"strength": settings.strength, "floor": settings.floor},
        "features": drawing,
        "examples": [{"digit": d, "features": e} for d, e in zip(taught_digits, examples)],
        "probabilities": probabilities,
        "similarities": [None if np.isnan(s) else round(float(s), DECIMALS) for s in similarities],
        "adapted": _rounded(adapt.blend(np.array(probabilities), similarities[None], settings)[0]),
    }


def _fine_tuning_case(name: str, rng, taught_digits: list[int], settings=adapt.DEFAULT) -> dict:
    """A last layer fine-tuned on seeded examples, and the probabilities it gives a drawing."""
    weights = _rounded(rng.normal(0, 0.3, (FEATURES, 10)))
    bias = _rounded(rng.normal(0, 0.1, 10))
    examples = np.array(_rounded(np.maximum(rng.normal(0, 1, (len(taught_digits), FEATURES)), 0))).reshape(-1, FEATURES)
    drawing = _rounded(np.maximum(rng.normal(0, 1, FEATURES), 0))
    tuned = adapt.fine_tuned(np.array(weights), np.array(bias), examples, taught_digits, settings)
    temperature = 1.1025
    return {
        "name": name,
        "settings": {"steps": settings.steps, "rate": settings.rate, "tuned_examples": settings.tuned_examples},
        "weights": np.array(weights).ravel().tolist(),
        "bias": bias,
        "examples": [{"digit": d, "features": e} for d, e in zip(taught_digits, examples.tolist())],
        "tuned_weights": _rounded(tuned[0].ravel()),
        "tuned_bias": _rounded(tuned[1]),
        "features": drawing,
        "temperature": temperature,
        "probabilities": _rounded(adapt.layer_probabilities(np.array(drawing), *tuned, temperature)),
    }


def _files() -> list[dict]:
    stroke = [[10, 20], [30.5, 40]]
    good = {"format": "digitdraw-examples", "version": 1, "examples": [{"digit": 7, "strokes": [stroke]}]}

    def variant(**change):
        return {**good, **change}

    def example(**change):
        return variant(examples=[{"digit": 7, "strokes": [stroke], **change}])

    cases = {
        "valid": good,
        "valid, none": variant(examples=[]),
        "valid, digit as 3.0": example(digit=3.0),
        "wrong format": variant(format="something-else"),
        "not an object": [good],
        "version 2": variant(version=2),
        "examples not a list": variant(examples={"digit": 1}),
        "digit 10": example(digit=10),
        "digit 2.5": example(digit=2.5),
        "digit as text": example(digit="7"),
        "digit true": example(digit=True),
        "no strokes": example(strokes=[]),
        "empty stroke": example(strokes=[[]]),
        "point of three": example(strokes=[[[1, 2, 3]]]),
        "point as text": example(strokes=[[["1", 2]]]),
        "point true": example(strokes=[[[True, 2]]]),
        "too many points": example(strokes=[[[1, 2]] * (adapt.MAX_POINTS + 1)]),
        "too many examples": variant(examples=good["examples"] * (adapt.MAX_EXAMPLES + 1)),
    }
    out = []
    for name, data in cases.items():
        try:
            adapt.parse_examples(data)
            valid = True
        except adapt.ExamplesError:
            valid = False
        out.append({"name": name, "data": data, "valid": valid})
    return out


def _calibration_cases(rng) -> list[dict]:
    cases = []
    for temperature in (1.0, 1.1025, 2.5, 0.7):
        probabilities = _rounded(rng.dirichlet(np.full(10, 0.2)))
        expected = calibration.calibrated(np.array(probabilities), temperature)
        cases.append({"temperature": temperature, "probabilities": probabilities, "calibrated": _rounded(expected)})
    return cases


def build() -> dict:
    rng = np.random.default_rng(20261122)
    cases = [
        _case("nothing taught", rng, []),
        _case("one example", rng, [3]),
        _case("one per digit", rng, list(range(10))),
        _case("three of one digit, one of another", rng, [1, 1, 1, 7]),
        _case("eleven classes", rng, [4, 9], classes=11),
    ]
    for k in range(8):
        taught = sorted(rng.integers(0, 10, size=int(rng.integers(1, 15))).tolist())
        cases.append(_case(f"random {k}", rng, taught, settings=MILD if k % 2 else adapt.DEFAULT))
    fine_tuning = [
        _fine_tuning_case("nothing taught", rng, []),
        _fine_tuning_case("one example", rng, [7]),
        _fine_tuning_case("one per digit", rng, list(range(10))),
        _fine_tuning_case("corrections", rng, [1, 1, 4], adapt.Settings(steps=50, rate=0.2)),
        _fine_tuning_case("only the last two", rng, [3, 5, 8, 8], adapt.Settings(tuned_examples=2)),
    ]
    return {
        "tolerance": 1e-9,
        "cases": cases,
        "fine_tuning": fine_tuning,
        "files": _files(),
        "calibration": _calibration_cases(rng),
    }


if __name__ == "__main__":
    GOLDEN_FILE.write_text(json.dumps(build(), separators=(",", ":")) + "\n")
    print(f"wrote {GOLDEN_FILE}")
