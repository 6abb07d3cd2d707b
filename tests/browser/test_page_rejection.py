"""The page says "That does not look like a digit" for taps and scribbles, and a writer can teach it otherwise."""

from digitdraw.bench import browser as drive

TAP = [[(140, 140)]]
BLOB = [[(100 + 50 * (k % 2), 90 + 2.5 * k) for k in range(40)]]
DASH = [[(60, 150), (140, 148), (220, 151)]]


def result(page) -> dict:
    element = page.locator('[data-testid="prediction"]')
    return {key: element.get_attribute(f"data-{key}") for key in ("digit", "number", "rejected")}


def draw_alone(page, strokes) -> dict:
    drive.clear(page)
    drive.wait_for_sequence(page, drive.draw(page, strokes))
    return result(page)


def test_a_tap_and_a_scribble_are_not_digits(ready_page):
    page = ready_page
    assert draw_alone(page, TAP) == {"digit": "", "number": "", "rejected": "tap"}
    assert "does not look like a digit" in page.inner_text("#detail")
    assert draw_alone(page, BLOB) == {"digit": "", "number": "", "rejected": "scribble"}
    one = draw_alone(page, [[(140, 50), (141, 140), (142, 230)]])
    assert one == {"digit": "1", "number": "1", "rejected": None}
    assert page.problems == []


def test_a_taught_dash_is_read_as_what_the_writer_said(ready_page):
    page = ready_page
    assert draw_alone(page, DASH)["rejected"] == "not-a-digit"
    before = drive.sequence(page)
    page.click('[data-testid="teach-1"]')
    drive.wait_for_sequence(page, before + 1)
    assert result(page) == {"digit": "1", "number": "1", "rejected": None}
    assert draw_alone(page, DASH)["digit"] == "1"
