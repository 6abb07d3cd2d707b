"""Training: deterministic for a seed, and Ctrl-C keeps the best epoch so far."""

import numpy as np
import pytest

from digitdraw import tfjs, train


def weights_of(folder):
    return [w for w in tfjs.load(folder).get_weights()]


@pytest.mark.slow
def test_same_seed_same_model(tmp_path, mnist):
    first = train.train("cnn", tmp_path / "a", epochs=1, seed=7, verbose=0)
    second = train.train("cnn", tmp_path / "b", epochs=1, seed=7, verbose=0)
    assert first["test_accuracy"] == second["test_accuracy"]
    for a, b in zip(weights_of(tmp_path / "a"), weights_of(tmp_path / "b")):
        np.testing.assert_array_equal(a, b)
    assert (tmp_path / "a" / "group1-shard1of1.bin").read_bytes() == (
        tmp_path / "b" / "group1-shard1of1.bin"
    ).read_bytes()


@pytest.mark.slow
def test_ctrl_c_keeps_the_best_epoch_so_far(tmp_path, monkeypatch, mnist):
    original = train.KeepBestWeights.on_epoch_end

    def interrupt_after_second(self, epoch, logs=None):
        original(self, epoch, logs)
        if epoch == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(train.KeepBestWeights, "on_epoch_end", interrupt_after_second)
    metadata = train.train("mlp", tmp_path / "m", epochs=10, seed=2, verbose=0)
    assert metadata["training"]["interrupted"] is True
    assert metadata["training"]["epochs_completed"] == 2
    assert metadata["training"]["best_epoch"] in (1, 2)
    assert metadata["test_accuracy"] > 0.95
    assert tfjs.load(tmp_path / "m").count_params() == metadata["parameters"]
