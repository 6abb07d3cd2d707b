"""The Python API: Recognizer reads numbers written in a font, as strokes and as images of every
kind it takes, answers with the CLI's JSON, and refuses bad input with errors that say what to do."""

import io
import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image
from written_numbers import image_of, strokes_of

from digitdraw import adapt, cli, images
from digitdraw.numbers import TooManyPartsError
from digitdraw.recognizer import NO_INK_IMAGE, NO_INK_STROKES, Reading, Recognizer
from digitdraw.tfjs import ModelFormatError

NUMBERS = ["7", "31", "2024", "9586"]


@pytest.fixture(scope="module")
def recognizer():
    return Recognizer.load()


@pytest.mark.parametrize("number", NUMBERS)
def test_reads_the_number_in_strokes(recognizer, number):
    reading = recognizer.read_strokes(strokes_of(number))
    assert isinstance(reading, Reading) and reading.number == number and reading.error is None
    assert reading.digit == (int(number) if len(number) == 1 else None)
    for d in reading.digits:
        assert len(d.probabilities) == 10 and sum(d.probabilities) == pytest.approx(1.0)
        assert d.confidence == max(d.probabilities) and d.unsure == (d.confidence < 0.9)
    lefts = [d.box[0] for d in reading.digits]
    assert lefts == sorted(lefts), "digits come left to right"


def test_strokes_as_plain_lists_read_the_same(recognizer):
    strokes = strokes_of("2024")
    as_lists = [[tuple(point) for point in stroke.tolist()] for stroke in strokes]
    assert recognizer.read_strokes(as_lists).to_dict() == recognizer.read_strokes(strokes).to_dict()


@pytest.mark.parametrize("number", NUMBERS)
def test_reads_the_number_in_an_image_of_any_kind(recognizer, number, tmp_path):
    png = image_of(number)
    path = tmp_path / "number.png"
    path.write_bytes(png)
    picture = Image.open(io.BytesIO(png))
    kinds = {
        "path": path,
        "str path": str(path),
        "bytes": png,
        "jpeg bytes": image_of(number, "JPEG"),
        "PIL image": picture,
        "array": np.asarray(picture),
        "light on dark RGB array": 255 - np.repeat(np.asarray(picture)[..., None], 3, axis=2),
    }
    for kind, image in kinds.items():
        assert recognizer.read_image(image).number == number, kind


def test_to_dict_is_what_predict_json_prints(recognizer, tmp_path, capsys):
    path = tmp_path / "2024.png"
    path.write_bytes(image_of("2024"))
    assert cli.main(["predict", "robust-cnn", str(path), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == {"image": str(path), **recognizer.read_image(path).to_dict()}
    assert printed["number"] == "2024" and len(printed["digits"]) == 4


def test_nothing_to_read_is_an_empty_reading_that_says_so(recognizer):
    assert recognizer.read_strokes([]).to_dict() == {
        "number": "",
        "digit": None,
        "alternative": None,
        "digits": [],
        "error": NO_INK_STROKES,
    }
    assert recognizer.read_strokes([[]]).error == NO_INK_STROKES
    assert recognizer.read_image(np.full((40, 60), 255, np.uint8)).error == NO_INK_IMAGE


@pytest.mark.parametrize(
    "strokes, message",
    [
        ([[(1, 2, 3)]], "stroke 0 is not a list of (x, y) points"),
        ([[(1, 2)], [1, 2, 3]], "stroke 1 is not a list of (x, y) points"),
        ([[("a", "b")]], "stroke 0 is not a list of (x, y) points"),
        ([[(1, 2), (float("nan"), 2)]], "stroke 0 has a point that is not a finite number"),
        ([[(1, 2)], [(float("inf"), 2)]], "stroke 1 has a point that is not a finite number"),
    ],
)
def test_bad_strokes_are_refused_naming_the_stroke(recognizer, strokes, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        recognizer.read_strokes(strokes)


def test_bad_images_are_refused_with_what_to_do(recognizer):
    with pytest.raises(images.ImageError, match=r"not a readable image.*save it as PNG or JPEG"):
        recognizer.read_image(b"not an image at all")
    with pytest.raises(images.ImageError, match=r"not a readable image \(not JPEG\)"):
        recognizer.read_image(image_of("7"), formats=("JPEG",))
    with pytest.raises(images.ImageTooLargeError, match="pixels, more than the limit of 1,000; scale it down"):
        recognizer.read_image(image_of("7"), max_pixels=1000)
    with pytest.raises(TooManyPartsError, match="4 separate marks; at most 3"):
        recognizer.read_image(image_of("2024"), max_parts=3)
    with pytest.raises(images.ImageError, match=r"not \(2, 3, 5\)"):
        recognizer.read_image(np.zeros((2, 3, 5)))
    with pytest.raises(images.ImageError, match="NaN or infinite"):
        recognizer.read_image(np.full((8, 8), np.nan))
    with pytest.raises(images.ImageError, match="no such file"):
        recognizer.read_image("no/such/file.png")


def test_a_missing_model_is_a_model_format_error():
    with pytest.raises(ModelFormatError, match="no such model"):
        Recognizer.load("no-such-model")


def test_without_a_segmenter_the_model_cuts_numbers_itself():
    assert Recognizer.load("cnn", segmenter=None).read_strokes(strokes_of("31")).number == "31"


def test_threads_can_share_one_recognizer(recognizer):
    numbers = NUMBERS * 3
    with ThreadPoolExecutor(max_workers=6) as pool:
        read = list(pool.map(lambda n: recognizer.read_strokes(strokes_of(n)).number, numbers))
    assert read == numbers


def test_importing_digitdraw_does_not_import_tensorflow():
    code = (
        "import sys, digitdraw\n"
        "from digitdraw import Recognizer\n"
        "assert Recognizer.__module__ == 'digitdraw.recognizer'\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_a_writers_examples_file_adapts_the_reading_in_python_and_the_cli(recognizer, tmp_path):
    """Teach the drawing of a 4 as the digit the model ranks second: read with the examples file
    (as the page exports it), it is that digit; the model's own cutting into digits is unchanged."""
    drawing = strokes_of("4")
    plain = recognizer.read_strokes(drawing).digits[0]
    meant = plain.runner_up
    examples = tmp_path / "examples.json"
    entry = {"digit": meant, "strokes": [s.tolist() for s in drawing]}
    examples.write_text(json.dumps({"format": "digitdraw-examples", "version": 1, "examples": [entry]}))
    adapted = Recognizer.load(examples=examples)
    assert adapted.read_strokes(drawing).number == str(meant)
    assert adapted.read_strokes(strokes_of("31")).number == "31"

    image = tmp_path / "four.png"
    image.write_bytes(image_of("4"))
    command = [sys.executable, "-m", "digitdraw", "predict", "robust-cnn", str(image), "--json"]
    taught = subprocess.run([*command, "--examples", str(examples)], capture_output=True, text=True, timeout=300)
    assert taught.returncode == 0, taught.stderr
    assert json.loads(taught.stdout)["number"] == str(meant)

    examples.write_text('{"format": "digitdraw-examples", "version": 1, "examples": [{"digit": 11}]}')
    refused = subprocess.run([*command, "--examples", str(examples)], capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2
    assert "examples.json: example 1" in refused.stderr and "Traceback" not in refused.stderr


def test_a_writer_who_taught_a_crossed_seven_has_their_long_flag_one_read_as_one():
    """The crossed-7 convention from taught examples (numbers.crossed_sevens), as in the page."""
    flag_one = [[(40, 72), (100, 60), (104, 230)]]
    crossed_seven = [[(200, 62), (295, 60), (240, 232)], [(225, 148), (285, 144)]]
    plain_seven = [[(200, 62), (295, 60), (240, 232)]]

    def taught(*sevens):
        return Recognizer.load(
            examples=[adapt.Example(7, tuple(np.array(s, float) for s in seven)) for seven in sevens]
        )

    assert taught().read_strokes(flag_one).number == "7"
    crosser = taught(crossed_seven).read_strokes(flag_one)
    assert crosser.number == "1" and crosser.to_dict()["digits"][0]["doubted_seven"] is True
    assert "doubted_seven" not in taught().read_strokes(flag_one).to_dict()["digits"][0]
    assert taught(crossed_seven, plain_seven).read_strokes(flag_one).number == "7"
