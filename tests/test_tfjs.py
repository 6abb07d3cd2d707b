"""The TF.js Layers writer and reader: round trips, quantisation, and broken folders."""

import json

import numpy as np
import pytest

from digitdraw import tfjs
from digitdraw.models import RECIPES


@pytest.fixture(scope="module")
def inputs():
    rng = np.random.default_rng(0)
    return rng.uniform(0, 1, (16, 28, 28, 1)).astype(np.float32)


@pytest.fixture(scope="module")
def cnn_folder(tmp_path_factory):
    import keras

    keras.utils.set_random_seed(3)
    model = RECIPES["cnn"].build()
    folder = tmp_path_factory.mktemp("cnn")
    tfjs.save(model, folder, metadata={"name": "cnn"})
    return model, folder


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_round_trip_gives_identical_predictions(name, inputs, tmp_path):
    import keras

    keras.utils.set_random_seed(5)
    model = RECIPES[name].build()
    tfjs.save(model, tmp_path, metadata={"name": name})
    loaded = tfjs.load(tmp_path)
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    np.testing.assert_array_equal(loaded.predict(inputs, verbose=0), model.predict(inputs, verbose=0))


def test_model_json_is_the_keras2_dialect_tfjs_reads(cnn_folder):
    _, folder = cnn_folder
    document = json.loads((folder / "model.json").read_text())
    assert document["format"] == "layers-model"
    layers = document["modelTopology"]["config"]["layers"]
    assert layers[0]["config"]["batch_input_shape"] == [None, 28, 28, 1]
    assert all(layer["config"]["dtype"] == "float32" for layer in layers)
    names = [w["name"] for w in document["weightsManifest"][0]["weights"]]
    assert names == [
        "conv1/kernel",
        "conv1/bias",
        "dense1/kernel",
        "dense1/bias",
        "probabilities/kernel",
        "probabilities/bias",
    ]


@pytest.mark.parametrize("quantize, tolerance, bytes_per_weight", [("float16", 2e-3, 2), ("uint8", 0.05, 1)])
def test_quantised_export_is_close_and_smaller(cnn_folder, inputs, tmp_path, quantize, tolerance, bytes_per_weight):
    model, _ = cnn_folder
    tfjs.save(model, tmp_path, quantize=quantize)
    metadata = tfjs.read_metadata(tmp_path)
    assert metadata["format"]["weight_bytes"] == model.count_params() * bytes_per_weight
    loaded = tfjs.load(tmp_path)
    difference = np.abs(loaded.predict(inputs, verbose=0) - model.predict(inputs, verbose=0)).max()
    assert 0 < difference < tolerance


def test_large_models_are_split_into_4mb_shards(tmp_path):
    import keras

    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Flatten(name="f"),
            keras.layers.Dense(2000, name="big"),
            keras.layers.Dense(10, name="out"),
        ]
    )
    tfjs.save(model, tmp_path)
    shards = sorted(p.name for p in tmp_path.glob("*.bin"))
    assert shards == ["group1-shard1of2.bin", "group1-shard2of2.bin"]
    assert (tmp_path / shards[0]).stat().st_size == tfjs.SHARD_BYTES
    x = np.random.default_rng(1).uniform(size=(2, 28, 28, 1)).astype(np.float32)
    np.testing.assert_array_equal(tfjs.load(tmp_path).predict(x, verbose=0), model.predict(x, verbose=0))


def copy_folder(source, target):
    target.mkdir()
    for path in source.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    return target


def test_missing_shard_names_the_file(cnn_folder, tmp_path):
    broken = copy_folder(cnn_folder[1], tmp_path / "m")
    (broken / "group1-shard1of1.bin").unlink()
    with pytest.raises(tfjs.ModelFormatError, match=r"group1-shard1of1.bin: weight shard missing"):
        tfjs.load(broken)


def test_short_shard_is_detected_even_without_metadata(cnn_folder, tmp_path):
    broken = copy_folder(cnn_folder[1], tmp_path / "m")
    (broken / "metadata.json").unlink()
    shard = broken / "group1-shard1of1.bin"
    shard.write_bytes(shard.read_bytes()[:-400])
    with pytest.raises(
        tfjs.ModelFormatError, match="too short — the weights need 2368296 bytes, the shards hold 2367896"
    ):
        tfjs.load(broken)


def test_changed_weights_fail_the_sha256_check(cnn_folder, tmp_path):
    broken = copy_folder(cnn_folder[1], tmp_path / "m")
    shard = broken / "group1-shard1of1.bin"
    blob = bytearray(shard.read_bytes())
    blob[100] ^= 0xFF
    shard.write_bytes(bytes(blob))
    with pytest.raises(tfjs.ModelFormatError, match=r"SHA-256 .* does not match metadata.json"):
        tfjs.load(broken)


def test_unknown_layer_is_named(cnn_folder, tmp_path):
    broken = copy_folder(cnn_folder[1], tmp_path / "m")
    document = json.loads((broken / "model.json").read_text())
    document["modelTopology"]["config"]["layers"][1]["class_name"] = "FancyAttention"
    (broken / "model.json").write_text(json.dumps(document))
    with pytest.raises(tfjs.ModelFormatError, match=r"model.json: unknown layer type 'FancyAttention'"):
        tfjs.load(broken)


def test_shape_mismatch_is_named(cnn_folder, tmp_path):
    broken = copy_folder(cnn_folder[1], tmp_path / "m")
    document = json.loads((broken / "model.json").read_text())
    document["modelTopology"]["config"]["layers"][4]["config"]["units"] = 64  # dense1 was 128
    (broken / "model.json").write_text(json.dumps(document))
    with pytest.raises(
        tfjs.ModelFormatError, match=r"weight dense1/kernel has shape \[4608, 128\], the layer needs \[4608, 64\]"
    ):
        tfjs.load(broken)


def test_missing_or_garbled_model_json(cnn_folder, tmp_path):
    broken = copy_folder(cnn_folder[1], tmp_path / "m")
    (broken / "model.json").write_text("{not json")
    with pytest.raises(tfjs.ModelFormatError, match=r"model.json: not valid JSON"):
        tfjs.load(broken)
    (broken / "model.json").unlink()
    with pytest.raises(tfjs.ModelFormatError, match=r"model.json: missing"):
        tfjs.load(broken)


def test_unsupported_layer_is_refused_at_export(tmp_path):
    import keras

    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Flatten(name="f"),
            keras.layers.UnitNormalization(name="norm"),
            keras.layers.Dense(10, name="out"),
        ]
    )
    with pytest.raises(tfjs.ModelFormatError, match="'norm' is a UnitNormalization"):
        tfjs.save(model, tmp_path)


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failed_save_leaves_the_old_model_as_it_was(cnn_folder, inputs, tmp_path, monkeypatch, failure):
    from digitdraw.tfjs import keras_io

    model, source = cnn_folder
    target = copy_folder(source, tmp_path / "model")
    before = {p.name: p.read_bytes() for p in target.iterdir()}

    def fail(path):
        raise failure

    monkeypatch.setattr(keras_io, "sha256_of", fail)  # after the new shards are written, before metadata
    with pytest.raises(type(failure)):
        tfjs.save(model, target, quantize="uint8")
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"], "no staging folder may be left behind"
    np.testing.assert_array_equal(tfjs.load(target).predict(inputs, verbose=0), model.predict(inputs, verbose=0))


def test_saving_over_a_model_replaces_it_whole(cnn_folder, tmp_path):
    import keras

    _model, source = cnn_folder
    target = copy_folder(source, tmp_path / "model")
    (target / "stale-notes.txt").write_text("left from an old export")
    small = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(name="f"), keras.layers.Dense(10, name="out")]
    )
    tfjs.save(small, target)
    assert sorted(p.name for p in target.iterdir()) == ["group1-shard1of1.bin", "metadata.json", "model.json"]
    assert tfjs.load(target).count_params() == small.count_params()
