"""The page for everyone: axe-core finds nothing, the keyboard reaches everything, pictures of a
written number are read (choose, paste, drop), redo, downloads, the model in the address, and the
answer in view above the pad on a phone."""

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from written_numbers import photo_of, strokes_of

from digitdraw.bench import browser as drive

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ONE = [[(140, 50), (140, 90), (141, 130), (141, 170), (142, 230)]]
ZERO = [[(300 + 50 * np.sin(a), 140 - 85 * np.cos(a)) for a in np.linspace(0, 2 * np.pi, 30)]]
PHONE = drive.PHONE


def number(page) -> str:
    return page.get_attribute('[data-testid="prediction"]', "data-number")


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is. The page's CSP lets only its own scripts run,
    so axe is evaluated through the DevTools protocol (Playwright's evaluate), which CSP does not govern."""
    if not AXE.is_file():
        pytest.skip(f"{AXE} is missing: run `npm ci` (axe-core is a pinned dev dependency)")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]
    ]


def photo_png(text: str, seed: int = 0) -> bytes:
    """A photo of `text` written in a plain hand: grey paper, uneven light, grain (written_numbers)."""
    strokes = strokes_of(text)
    width = int(max(float(s[:, 0].max()) for s in strokes) + 40)
    buffer = io.BytesIO()
    Image.fromarray(photo_of(strokes, 270, width, 14.0, seed=seed)).save(buffer, format="PNG")
    return buffer.getvalue()


def open_page(browser, server_url, path="/", **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.goto(server_url + path)
    page.wait_for_selector(drive.READY, timeout=30_000)
    return page


@pytest.mark.parametrize(
    "context_options",
    [{}, {"color_scheme": "dark"}, {"viewport": PHONE, "has_touch": True, "device_scale_factor": 2}],
    ids=["light", "dark", "phone"],
)
def test_axe_finds_no_violations_ready_and_after_a_reading(browser, server_url, context_options):
    page = open_page(browser, server_url, **context_options)
    assert axe_violations(page) == [], "the ready page"
    drive.wait_for_sequence(page, drive.draw(page, ONE + ZERO))
    assert number(page) == "10"
    assert axe_violations(page) == [], "after a reading"
    page.context.close()


def test_the_keyboard_reaches_the_pad_and_every_control_in_order(ready_page):
    page = ready_page
    reached = []
    for _ in range(30):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.dataset.testid ?? document.activeElement.id"))
        if reached[-1] == "pad":
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline == "solid", "the focused pad shows it"
    expected = ["pad", "clear", "undo", "predict", "image-input", "download-png", "download-strokes", "model"]
    expected += ["calibrate", "export-examples", "import-examples", "forget", "compare"]
    positions = [reached.index(testid) for testid in expected]
    assert positions == sorted(positions), reached
    pad = page.locator('[data-testid="pad"]')
    assert pad.get_attribute("role") == "application"
    help_text = page.locator(f"#{pad.get_attribute('aria-describedby')}").inner_text()
    assert "paste" in help_text and "choose" in help_text


def test_a_photo_of_a_number_is_read_when_chosen_pasted_or_dropped(ready_page):
    page = ready_page
    for text, how in (("407", "choose"), ("25", "paste"), ("96", "drop")):
        before = drive.sequence(page)
        png = photo_png(text, seed=len(text))
        if how == "choose":
            page.set_input_files(
                '[data-testid="image-input"]', {"name": "n.png", "mimeType": "image/png", "buffer": png}
            )
        else:
            page.evaluate(
                """([bytes, how]) => {
                const transfer = new DataTransfer();
                transfer.items.add(new File([new Uint8Array(bytes)], 'photo.png', {type: 'image/png'}));
                if (how === 'paste') document.dispatchEvent(new ClipboardEvent('paste', {clipboardData: transfer}));
                else document.querySelector('[data-testid="pad"]').dispatchEvent(
                    new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));
            }""",
                [list(png), how],
            )
        drive.wait_for_sequence(page, before + 1, timeout_ms=20_000)
        assert number(page) == text, how
        cells = page.locator('[data-testid="probabilities"] td').all_inner_texts()
        assert len(cells) == 10 and abs(sum(float(c) for c in cells) - 100) < 1, "the probabilities (%) as text too"
    page.set_input_files('[data-testid="image-input"]', {"name": "a.txt", "mimeType": "text/plain", "buffer": b"x"})
    page.wait_for_selector("#status.error")
    assert "not an image" in page.inner_text("#status")
    assert page.problems == []


def test_redo_after_undo_by_button_and_keys_until_a_new_stroke(ready_page):
    page = ready_page
    drive.wait_for_sequence(page, drive.draw(page, ONE + ZERO))
    redo = page.locator('[data-testid="redo"]')
    assert redo.is_disabled()
    steps = [
        (lambda: page.click('[data-testid="undo"]'), "1"),
        (lambda: redo.click(), "10"),
        (lambda: page.keyboard.press("Control+z"), "1"),
        (lambda: page.keyboard.press("Control+y"), "10"),
        (lambda: page.keyboard.press("Control+z"), "1"),
        (lambda: page.keyboard.press("Control+Shift+Z"), "10"),
        (lambda: page.keyboard.press("Control+z"), "1"),
    ]
    for act, expected in steps:
        before = drive.sequence(page)
        act()
        drive.wait_for_sequence(page, before + 1)
        assert number(page) == expected
    assert redo.is_enabled()
    drive.wait_for_sequence(page, drive.draw(page, [[(400, 60), (402, 230)]]))
    assert redo.is_disabled(), "a new stroke starts a new history"
    before = drive.sequence(page)
    page.keyboard.press("Control+y")
    page.wait_for_timeout(200)
    assert drive.sequence(page) == before, "nothing to redo"


def test_the_drawing_downloads_as_png_and_as_strokes(ready_page, tmp_path):
    page = ready_page
    drive.wait_for_sequence(page, drive.draw(page, ONE + ZERO))
    with page.expect_download() as download:
        page.click('[data-testid="download-png"]')
    picture = np.asarray(Image.open(download.value.path()).convert("L"), dtype=float) / 255
    assert picture.shape[0] == 280 and picture.shape[1] > 280
    assert picture[140, 141] < 0.2 and picture[140, 220] > 0.9, "dark ink where the 1 is, white paper beside it"
    with page.expect_download() as download:
        page.click('[data-testid="download-strokes"]')
    saved = json.loads(Path(download.value.path()).read_text())
    assert (saved["format"], saved["units"], saved["y"], saved["pad"]["height"]) == (
        "digitdraw-strokes",
        "pad",
        "down",
        280,
    )
    assert len(saved["strokes"]) == 2
    first = np.array(saved["strokes"][0])
    assert abs(first[:, 0].mean() - 141) < 3 and first[:, 1].min() < 60 and first[:, 1].max() > 220


def test_the_chosen_model_is_kept_in_the_address(ready_page, server_url):
    page = ready_page
    page.goto(server_url + "/?model=cnn&recipe=vector")
    page.wait_for_selector(drive.READY, timeout=30_000)
    assert page.input_value('[data-testid="model"]') == "cnn"
    page.select_option('[data-testid="model"]', "mlp")
    page.wait_for_function("() => new URL(location.href).searchParams.get('model') === 'mlp'")
    assert "recipe=vector" in page.url
    page.reload()
    page.wait_for_selector(drive.READY, timeout=30_000)
    assert page.input_value('[data-testid="model"]') == "mlp"


def test_on_a_phone_the_answer_is_in_view_above_the_pad_while_drawing(browser, server_url):
    page = open_page(browser, server_url, viewport=PHONE, has_touch=True, device_scale_factor=2)
    pad = page.locator('[data-testid="pad"]').bounding_box()
    stroke = [drive.to_screen(pad, x, y) for x, y in drive.resample(ONE[0])]
    page.mouse.move(*stroke[0])
    page.mouse.down()
    for point in stroke[1:]:
        page.mouse.move(*point)
    page.wait_for_function("() => document.querySelector('[data-testid=prediction]').dataset.number === '1'")
    assert page.evaluate("window.scrollY") == 0
    digits = page.locator("#digits").bounding_box()
    detail = page.locator("#detail").bounding_box()
    assert page.locator("#detail").inner_text().endswith("sure"), "the top probability is shown"
    for box in (digits, detail, pad):
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert max(digits["y"] + digits["height"], detail["y"] + detail["height"]) <= pad["y"], "above the pad"
    page.mouse.up()
    page.context.close()


def test_a_result_never_moves_the_pad(ready_page):
    page = ready_page
    top = page.locator('[data-testid="pad"]').bounding_box()["y"]
    long_number = [[(40 + 60 * k, 60), (42 + 60 * k, 230)] for k in range(12)]
    drive.wait_for_sequence(page, drive.draw(page, long_number))
    assert len(number(page)) >= 8
    assert page.locator('[data-testid="pad"]').bounding_box()["y"] == top
