"""Reading whole numbers: the method on crafted stroke sets with the shipped model, and the
golden vectors the JS twin is checked against."""

import json
from dataclasses import replace

import numpy as np
import pytest

from digitdraw import numbers, tfjs
from digitdraw.app import catalog
from digitdraw.config import DEFAULT_MODEL, SEGMENTER, UNSURE_BELOW


@pytest.fixture(scope="module")
def reader():
    """The shipped pair: the segmenter cuts, the default model reads."""
    return numbers.NumberReader.for_model(
        tfjs.load(catalog.resolve(DEFAULT_MODEL)), tfjs.load(catalog.resolve(SEGMENTER))
    )


def line(*points):
    return np.array(points, dtype=float)


def one(x, top=60, bottom=230):
    return [line((x, top), (x + 3, bottom))]


def two_stroke_four(x):
    return [line((x + 45, 60), (x + 5, 165), (x + 95, 165)), line((x + 70, 95), (x + 70, 235))]


def two_stroke_five(x):
    body = [(x + 15, 62), (x + 10, 130)] + [
        (x + 45 + 45 * np.cos(a), 175 + 50 * np.sin(a)) for a in np.linspace(-2.3, 2.4, 16)
    ]
    return [line(*body), line((x + 15, 60), (x + 90, 58))]


def seven(x):
    return [line((x, 62), (x + 95, 60), (x + 40, 232))]


def crossbar(x):
    return [line((x + 25, 148), (x + 85, 144))]


def zero(x):
    return [line(*[(x + 45 + 42 * np.cos(a), 145 - 82 * np.sin(a)) for a in np.linspace(0, 2 * np.pi, 40)])]


def test_a_two_stroke_four_and_five_are_one_digit_each(reader):
    assert reader.read_strokes(two_stroke_four(40)).text == "4"
    assert reader.read_strokes(two_stroke_five(40)).text == "5"
    assert reader.read_strokes([*one(30), *two_stroke_four(110), *two_stroke_five(260)]).text == "145"


def sketched_zero(x, strokes=8):
    """A 0 drawn as `strokes` short arcs with small gaps between them, as when sketching."""
    angles = np.linspace(0, 2 * np.pi, 6 * strokes + 1)
    points = np.column_stack([x + 45 + 42 * np.cos(angles), 145 - 82 * np.sin(angles)])
    return [points[6 * k : 6 * k + 5] for k in range(strokes)]


def test_a_digit_of_eight_strokes_is_one_digit(reader):
    # Past max_strokes_per_digit no candidate holds the whole 0 (at 6 it read "13"); the
    # blackletter fonts draw their 0s and 2s with as many.
    assert reader.read_strokes(sketched_zero(40)).text == "0"
    assert reader.read_strokes([*one(20), *sketched_zero(110)]).text == "10"


def test_a_crossbar_added_after_the_next_digit_still_belongs_to_its_seven(reader):
    strokes = [*seven(40), *one(200), *crossbar(40)]  # crossbar written last, after the 1
    reading = reader.read_strokes(strokes)
    assert reading.text == "71"
    assert reading.digits[0].parts == (0, 2)


def flag_one(x, rise=12, flag=60):
    """A 1 with a long, almost level flag, as many Europeans write it: robust-cnn reads it as 7."""
    return [line((x, 60 + rise), (x + flag, 60), (x + flag + 4, 230))]


def test_a_crossed_seven_tells_the_writers_long_flag_ones_from_sevens(reader):
    assert reader.read_strokes(flag_one(40)).text == "7"  # alone, it looks like an American 7
    crossed = [*seven(40), *crossbar(40)]
    assert reader.read_strokes([*crossed, *flag_one(200)]).text == "71"  # beside the writer's crossed 7
    assert reader.read_strokes([*seven(40), *flag_one(200)]).text == "77"  # an uncrossed 7 says nothing
    off = replace(reader, writer_convention=False, scores={}, readings={})
    assert off.read_strokes([*crossed, *flag_one(200)]).text == "77"


def test_the_writers_taught_sevens_decide_how_an_uncrossed_seven_is_read(reader):
    crossed, plain = [*seven(40), *crossbar(40)], seven(40)
    assert numbers.has_crossbar(crossed) and not numbers.has_crossbar(plain)
    assert numbers.crosses_sevens([]) is None
    assert numbers.crosses_sevens([crossed, crossed]) is True
    assert numbers.crosses_sevens([crossed, plain]) is False
    crosser = replace(reader, writer_crosses_sevens=True, scores={}, readings={})
    assert crosser.read_strokes(flag_one(40)).text == "1"
    assert crosser.read_strokes([*crossed, *flag_one(200)]).text == "71"
    mixed = replace(reader, writer_crosses_sevens=False, scores={}, readings={})
    assert mixed.read_strokes([*crossed, *flag_one(200)]).text == "77"


def test_a_crossed_seven_read_before_makes_the_next_uncrossed_sevens_doubtful(reader):
    crossed = [*seven(40), *crossbar(40)]
    read_crossed = reader.read_strokes(crossed)
    assert numbers.seen_crossed_seven(False, read_crossed.digits, crossed) is True
    read_plain = reader.read_strokes(flag_one(40))
    assert read_plain.text == "7"
    assert numbers.seen_crossed_seven(True, read_plain.digits, flag_one(40)) is False  # an uncrossed 7 read
    zero_read = reader.read_strokes(zero(40))
    assert numbers.seen_crossed_seven(True, zero_read.digits, zero(40)) is True  # no 7: nothing new
    seen = replace(reader, seen_crossed_seven=True, scores={}, readings={})
    flagged = seen.read_strokes(flag_one(40))
    assert flagged.text == "1" and flagged.digits[0].doubted_seven
    taught_plain = replace(seen, writer_crosses_sevens=False)  # a taught uncrossed 7 outweighs what was seen
    assert taught_plain.read_strokes(flag_one(40)).text == "7"


def test_a_seven_seen_crossed_doubts_more_mildly_than_a_taught_one():
    fairly_sure = numbers.DigitReading(7, (0.0, 0.0004, *[0.0] * 5, 0.9996, 0.0, 0.0), (0,), (0, 0, 1, 1), 0.0)
    plain = seven(40)
    assert numbers.crossed_sevens([fairly_sure], plain, writer_crosses=True)[0].digit == 1
    assert numbers.crossed_sevens([fairly_sure], plain, None, seen_crossed=True)[0].digit == 7
    assert numbers.crossed_sevens([fairly_sure], plain, None, seen_crossed=False)[0].digit == 7
    nine_like = numbers.DigitReading(7, (0.0, 1e-4, *[0.0] * 5, 0.98, 0.0, 0.0199), (0,), (0, 0, 1, 1), 0.0)
    assert numbers.crossed_sevens([nine_like], plain, writer_crosses=True)[0].digit == 9  # the taught rule's
    kept = numbers.crossed_sevens([nine_like], plain, None, seen_crossed=True)
    assert kept[0].digit == 7 and numbers.seen_crossed_seven(True, kept, plain) is False  # a plain 7: seen ends


def test_touching_digits_are_split(reader):
    strokes = [*zero(30), *one(118)]  # the 1 touches the 0's right side
    assert reader.read_strokes(strokes).text == "01"


def test_a_drawing_cut_up_though_its_strokes_chain_is_read_whole_when_sure(reader, mnist):
    from digitdraw.bench import drawn

    # A traced MNIST test 8 in two strokes (the drawn benchmark's item 21): its pieces are a sure
    # 5 and 1, and the search alone read "51".
    eight = next(it for it in drawn.build("traced-mnist", 60, mnist.test) if it.index == 21 and it.layout == "centred")
    assert eight.label == 8 and len(eight.strokes) == 2
    reading = reader.read_strokes(eight.strokes)
    assert (reading.text, reading.alternative) == ("8", "51")
    assert reading.digits[0].parts == (0, 1) and reading.digits[0].confidence >= UNSURE_BELOW


def test_a_digit_written_over_is_one_digit(reader):
    zero_twice = [*zero(40), zero(40)[0] + (3.0, 2.0)]  # the pen went round again
    assert numbers.retraced_groups(zero_twice) == [[0, 1]]
    reading = reader.read_strokes([*zero_twice, *one(160)])
    assert reading.text == "01" and reading.digits[0].parts == (0, 1)


def test_a_long_number(reader):
    makers = [one, two_stroke_four, zero, seven, two_stroke_five, one, zero, two_stroke_four, one, seven]
    strokes, x = [], 30
    for make in makers:
        strokes += make(x)
        x += 130
    assert reader.read_strokes(strokes).text == "1407510417"


def test_reading_again_classifies_only_new_candidates(reader):
    calls = []
    counting = numbers.NumberReader(lambda batch: calls.append(len(batch)) or reader.segmenter(batch))
    strokes = [*one(30), *zero(120), *seven(240)]
    counting.read_strokes(strokes[:-1])
    counting.read_strokes(strokes)
    counting.read_strokes(strokes)
    assert len(calls) == 2 and calls[1] <= numbers.DEFAULT.max_strokes_per_digit


def test_an_empty_drawing_reads_as_no_digits(reader):
    assert reader.read_strokes([]).text == ""
    assert reader.read_strokes([[]]).digits == ()


def test_golden_file_is_up_to_date(golden_generator):
    """The JS tests check against this file; it must be what numbers.py makes today."""
    golden = golden_generator("numbers")
    assert json.loads(golden.GOLDEN_FILE.read_text()) == json.loads(json.dumps(golden.build(), separators=(",", ":")))


def test_ink_golden_file_is_up_to_date(golden_generator):
    """tests/js/ink.test.js checks the JS image reader against this file: it must be what
    images.py and numbers.py make today."""
    golden = golden_generator("ink")
    assert json.loads(golden.GOLDEN_FILE.read_text()) == json.loads(json.dumps(golden.build(), separators=(",", ":")))


def test_predict_reads_a_number_in_an_image(tmp_path, capsys):
    """A scan-like image of a written number: read by segmenting the raster, as the CLI does."""
    from PIL import Image

    from digitdraw import cli, preprocess

    strokes = [*one(30), *zero(120), *seven(250), *two_stroke_four(390)]
    ink = preprocess.render_strokes(strokes, 300, 540, 14.0)
    Image.fromarray((255 - ink * 200).astype(np.uint8)).save(tmp_path / "number.png")  # grey pen on white
    assert cli.main(["predict", DEFAULT_MODEL, "--json", str(tmp_path / "number.png")]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["number"] == "1074"
    assert len(result["digits"]) == 4 and all(len(d["probabilities"]) == 10 for d in result["digits"])
