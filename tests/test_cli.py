"""The command line on bad input: clear messages and exit codes, Ctrl-C handled, nothing lost."""

import shutil
import subprocess
import sys
import urllib.request

import numpy as np
import pytest
from PIL import Image

from digitdraw import cli, data, evaluate

BAD_NUMBERS = [
    (["train", "cnn", "--epochs", "0"], "must be at least 1, not 0"),
    (["train", "cnn", "--epochs", "-1"], "must be at least 1, not -1"),
    (["train", "cnn", "--batch-size", "-5"], "must be at least 1, not -5"),
    (["train", "cnn", "--epochs", "two"], "'two' is not a whole number"),
    (["serve", "--port", "99999"], "a port is 1 to 65535, not 99999"),
    (["serve", "--port", "0"], "a port is 1 to 65535, not 0"),
]


@pytest.mark.parametrize("argv, message", BAD_NUMBERS)
def test_bad_numbers_are_refused_by_argparse(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_train_refuses_zero_epochs_from_python_too():
    from digitdraw import train

    with pytest.raises(ValueError, match="at least 1"):
        train.train("cnn", "unused", epochs=0)


@pytest.mark.parametrize("command", ["serve", "models"])
def test_a_missing_models_folder_is_an_error_not_an_empty_server(command, tmp_path, capsys):
    assert cli.main([command, "--models", str(tmp_path / "no" / "such" / "dir")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_developer_tools_are_not_user_commands(capsys):
    for tool in ("golden", "bench-drawn"):
        with pytest.raises(SystemExit):
            cli.main([tool])
        assert "invalid choice" in capsys.readouterr().err


def test_ctrl_c_in_evaluate_is_one_line_and_exit_130(monkeypatch, capsys, mnist):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(evaluate, "score_with_probabilities", interrupt)
    assert cli.main(["evaluate", "cnn"]) == 130
    err = capsys.readouterr().err
    assert err.strip() == "interrupted" and "Traceback" not in err


class InterruptedDownload:
    """A response that delivers one block, then the user presses Ctrl-C."""

    def __init__(self):
        self.headers = {"Content-Length": "1000000"}
        self.blocks = [b"x" * 65536]

    def read(self, size):
        if self.blocks:
            return self.blocks.pop()
        raise KeyboardInterrupt

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_ctrl_c_during_download_leaves_no_part_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: InterruptedDownload())
    assert cli.main(["data", "--data-dir", str(tmp_path)]) == 130
    assert list(tmp_path.iterdir()) == [], "the partial download must be removed"
    assert "Traceback" not in capsys.readouterr().err


def test_a_bad_mnist_file_is_moved_aside_not_deleted(tmp_path, monkeypatch, capsys, mnist):
    good = data.resolve_data_dir()
    for name, _ in data.FILES.values():
        shutil.copy(good / name, tmp_path / name)
    victim = tmp_path / data.FILES["test_labels"][0]
    victim.write_bytes(b"my own file, not MNIST")
    monkeypatch.setattr(data, "download", lambda name, target, md5: shutil.copy(good / name, target))
    assert cli.main(["data", "--data-dir", str(tmp_path)]) == 0
    aside = tmp_path / (victim.name + ".bad")
    assert aside.read_bytes() == b"my own file, not MNIST"
    assert data.md5_of(victim) == data.FILES["test_labels"][1]
    assert f"moved it to {aside}" in capsys.readouterr().err


def test_tensorflow_start_up_noise_is_silenced_and_real_errors_are_not(tmp_path):
    digit = np.zeros((60, 60), np.uint8)
    digit[10:50, 28:33] = 255
    Image.fromarray(digit).save(tmp_path / "one.png")
    (tmp_path / "broken.png").write_bytes(b"not a png")
    result = subprocess.run(
        [sys.executable, "-m", "digitdraw", "predict", "cnn", str(tmp_path / "one.png"), str(tmp_path / "broken.png")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    assert "one.png: 1\n" in result.stdout and "digit 1: 1 (" in result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "broken.png" in lines[0], result.stderr
