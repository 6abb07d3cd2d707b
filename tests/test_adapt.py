"""Learning a writer's hand (adapt.py): the rule, the examples file, and a real model taught a real hand."""

import json

import numpy as np
import pytest

from digitdraw import adapt, tfjs
from digitdraw.app import catalog
from digitdraw.drawn import synth


def test_golden_file_is_up_to_date(golden_generator):
    """The JS tests check against this file; it must be what adapt.py makes today."""
    golden = golden_generator("adapt")
    assert json.loads(golden.GOLDEN_FILE.read_text()) == json.loads(json.dumps(golden.build(), separators=(",", ":")))


def test_nearest_similarities_take_the_closest_example_of_each_digit():
    examples = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    similarities = adapt.nearest_similarities(np.array([2.0, 0.0]), examples, [1, 7, 7])[0]
    assert similarities[1] == pytest.approx(1.0)
    assert similarities[7] == pytest.approx(np.sqrt(0.5))  # [1, 1] is nearer than [0, 1]
    assert np.isnan(np.delete(similarities, [1, 7])).all()


def test_blend_only_moves_digits_close_to_their_examples():
    probabilities = np.array([[0.0, 0.3, 0, 0, 0, 0, 0, 0.7, 0, 0]])
    far = np.full((1, 10), np.nan)
    far[0, 1] = adapt.DEFAULT.floor - 0.1
    assert adapt.blend(probabilities, far) == pytest.approx(probabilities)
    near = far.copy()
    near[0, 1] = adapt.DEFAULT.floor + 0.2
    adapted = adapt.blend(probabilities, near)
    assert adapted.argmax() == 1 and adapted.sum() == pytest.approx(1.0)


def test_fine_tuning_fits_the_taught_examples_a_little_and_nothing_taught_changes_nothing():
    rng = np.random.default_rng(0)
    weights, bias = rng.normal(0, 0.3, (6, 10)), rng.normal(0, 0.1, 10)
    examples, digits = np.maximum(rng.normal(0, 1, (4, 6)), 0), [1, 1, 7, 3]
    same = adapt.fine_tuned(weights, bias, np.zeros((0, 6)), [])
    assert np.array_equal(same[0], weights) and np.array_equal(same[1], bias)
    assert np.array_equal(adapt.fine_tuned(weights, bias, examples, digits, adapt.Settings(steps=0))[0], weights)

    def loss(layer) -> float:
        return -float(np.log(adapt.layer_probabilities(examples, *layer)[np.arange(4), digits]).mean())

    tuned = adapt.fine_tuned(weights, bias, examples, digits)
    longer = adapt.fine_tuned(weights, bias, examples, digits, adapt.Settings(steps=4 * adapt.DEFAULT.steps))
    assert loss(longer) < loss(tuned) < loss((weights, bias))
    last_two = adapt.fine_tuned(weights, bias, examples, digits, adapt.Settings(tuned_examples=2))
    assert np.array_equal(last_two[0], adapt.fine_tuned(weights, bias, examples[-2:], digits[-2:])[0])
    hot, cool = adapt.layer_probabilities(examples, *tuned), adapt.layer_probabilities(examples, *tuned, 2.0)
    assert hot.sum(axis=1) == pytest.approx(np.ones(4)) and (cool.max(axis=1) < hot.max(axis=1)).all()


def test_a_bad_examples_file_names_itself_and_the_problem(tmp_path):
    broken = tmp_path / "mine.json"
    broken.write_text('{"format": "digitdraw-examples", "version": 1, "examples": [')
    with pytest.raises(adapt.ExamplesError, match=r"mine\.json: not valid JSON"):
        adapt.load_examples(broken)
    broken.write_text(json.dumps({"format": "digitdraw-examples", "version": 1, "examples": [{"digit": 1}]}))
    with pytest.raises(adapt.ExamplesError, match=r"mine\.json: example 1: \"strokes\""):
        adapt.load_examples(broken)
    with pytest.raises(adapt.ExamplesError, match="cannot read"):
        adapt.load_examples(tmp_path / "missing.json")


def _long_flag_one(rng) -> list[np.ndarray]:
    stem = [np.array([[100.0, 40.0], [100.0, 240.0]])]
    return synth.affine(synth.add_flag(stem, rng, 0.0, angle_deg=(12, 16), length=(0.6, 0.7)), rng, 4, 0.05)


def test_teaching_one_long_flag_one_reads_the_writers_other_ones_and_leaves_their_sevens():
    """A writer whose 1s have a long, almost level flag: the model alone reads several as 7; one
    taught example fixes them, and the writer's 7s (taught too) stay 7s."""
    model = tfjs.load(catalog.BUNDLED_DIR / "robust-cnn")
    rng = np.random.default_rng(3)
    ones = [[s * 1.0 for s in synth.normalised(_long_flag_one(rng))] for _ in range(12)]
    seven = [np.array([[0.0, 0.0], [0.7, 0.0], [0.3, 1.0]])]
    sevens = [synth.affine(seven, rng, 4, 0.05) for _ in range(6)]
    taught = [adapt.Example(1, tuple(ones[0])), adapt.Example(7, tuple(sevens[0]))]
    plain = adapt.Adapter.from_examples(model, [])
    adapter = adapt.Adapter.from_examples(model, taught)
    batch = adapt_inputs(ones[1:] + sevens[1:])
    before = plain.predict(batch).argmax(axis=1)
    after = adapter.predict(batch).argmax(axis=1)
    assert (before[:11] == 1).mean() <= 0.2  # the model alone reads these 1s as 7s
    assert (after[:11] == 1).mean() >= 0.9
    assert (after[11:] == 7).all()


def adapt_inputs(drawings) -> np.ndarray:
    from digitdraw import preprocess

    return preprocess.to_model_input(np.stack([preprocess.mnist_from_strokes(d) for d in drawings]))


def test_the_writer_benchmark_reads_uncrossed_sevens_after_a_crossed_one_as_the_page_does():
    from digitdraw.bench import writers

    stem = np.array([[40, 62], [135, 60], [80, 232]], dtype=float)
    crossed, plain = [stem, np.array([[65, 148], [125, 144]], dtype=float)], [stem]
    unsure = np.array([0, 0.05, 0, 0, 0, 0, 0, 0.95, 0, 0])  # a long-flag 1 is read so
    sure = np.array([0, 1e-5, 0, 0, 0, 0, 0, 1 - 1e-5, 0, 0])  # a plain 7 the model is certain of

    def read(*pairs):
        drawings = [writers.Drawing(0, 7, k, strokes) for k, (strokes, _) in enumerate(pairs)]
        return writers.seen_sevens(np.stack([p for _, p in pairs]), drawings).tolist()

    assert read((plain, unsure), (crossed, unsure), (plain, unsure), (plain, unsure)) == [7, 7, 1, 1]
    assert read((crossed, unsure), (plain, sure), (plain, unsure)) == [7, 7, 7]  # a 7 read uncrossed ends it
