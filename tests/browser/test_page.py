"""The page in a real browser: drawing, controls, models, offline, accessibility hooks."""

import shutil

import numpy as np

from digitdraw.app import catalog
from digitdraw.bench import browser as drive

ONE = [[(140, 50), (140, 90), (141, 130), (141, 170), (142, 230)]]
SEVEN = [[(80, 60), (130, 60), (200, 60), (170, 120), (140, 180), (120, 230)]]
ZERO = [[(140 + 60 * np.sin(a), 140 - 90 * np.cos(a)) for a in np.linspace(0, 2 * np.pi, 40)]]


def prediction(page):
    element = page.locator('[data-testid="prediction"]')
    return {key: element.get_attribute(f"data-{key}") for key in ("digit", "number", "confidence", "seq", "unsure")}


def ink_at(page, x, y) -> int:
    """Alpha of the pad's canvas at a point in pad units (the pad is 280 units tall)."""
    return page.evaluate(
        """([x, y]) => {
        const c = document.querySelector('[data-testid="pad"]');
        const unit = c.height / 280;
        return c.getContext('2d').getImageData(Math.floor(x * unit), Math.floor(y * unit), 1, 1).data[3];
    }""",
        [x, y],
    )


def scrolled_page(page, server_url):
    page.set_viewport_size({"width": 700, "height": 420})
    page.goto(server_url + "/")
    page.wait_for_selector(drive.READY)
    page.evaluate("window.scrollTo(0, 130)")
    assert page.evaluate("window.scrollY") > 100
    return page.locator('[data-testid="pad"]').bounding_box()


def test_page_is_ready_offline_with_no_errors(ready_page):
    page = ready_page
    assert page.get_attribute("body", "data-ready") == "true"
    assert "on wasm" in page.inner_text("#status")
    assert drive.classify(page, ONE)[0] == "1"
    assert drive.classify(page, ZERO)[0] == "0"
    assert page.external_requests == [], "the page must not reach beyond this machine"
    assert page.problems == []


def test_empty_pad_shows_a_hint_not_a_prediction(ready_page):
    page = ready_page
    before = drive.sequence(page)
    page.click('[data-testid="predict"]')
    drive.wait_for_sequence(page, before + 1)
    assert prediction(page)["digit"] == ""
    assert "Draw a digit" in page.inner_text("#detail")


def test_mouse_drawing_lands_where_the_pointer_was_while_scrolled(watched_page, server_url):
    page = watched_page
    box = scrolled_page(page, server_url)
    before = drive.sequence(page)
    page.mouse.move(*drive.to_screen(box, 140, 40))
    page.mouse.down()
    for y in np.linspace(40, 240, 15):
        page.mouse.move(*drive.to_screen(box, 140, y))
    page.mouse.up()
    drive.wait_for_sequence(page, before + 1)
    assert ink_at(page, 140, 140) > 200 and ink_at(page, 400, 140) == 0 and ink_at(page, 140, 14) == 0
    assert prediction(page)["digit"] == "1"


def test_touch_drawing_while_scrolled(browser, server_url):
    context = browser.new_context(has_touch=True)
    page = context.new_page()
    box = scrolled_page(page, server_url)
    cdp = context.new_cdp_session(page)
    before = drive.sequence(page)
    # a "7": top bar left to right, then the stem down to the lower left, in one touch
    path = [(80, 60), (140, 60), (200, 60), (170, 125), (140, 180), (118, 238)]
    points = [dict(zip(("x", "y"), drive.to_screen(box, x, y))) for x, y in path]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [points[0]]})
    for point in points[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    drive.wait_for_sequence(page, before + 1)
    assert ink_at(page, 140, 60) > 200 and ink_at(page, 60, 220) == 0
    assert prediction(page)["digit"] == "7"
    context.close()


def test_clear_undo_and_keyboard_shortcuts(ready_page):
    page = ready_page
    drive.clear(page)
    drive.wait_for_sequence(page, drive.draw(page, ONE))
    target = drive.draw(page, [[(60, 140), (220, 140)]])  # a cross-stroke turns the 1 into something else
    drive.wait_for_sequence(page, target)
    page.click('[data-testid="undo"]')
    drive.wait_for_sequence(page, target + 1)
    assert prediction(page)["digit"] == "1" and ink_at(page, 80, 140) == 0
    page.keyboard.press("Control+z")
    drive.wait_for_sequence(page, target + 2)
    assert prediction(page)["digit"] == ""
    drive.wait_for_sequence(page, drive.draw(page, ZERO))
    page.keyboard.press("Escape")
    drive.wait_for_sequence(page, target + 4)
    assert prediction(page)["digit"] == "" and ink_at(page, 140, 60) == 0


def test_model_switching_and_compare_view(ready_page):
    page = ready_page
    options = page.eval_on_selector_all('[data-testid="model"] option', "os => os.map(o => o.value)")
    assert {"mlp", "cnn", "keras-cnn"} <= set(options)
    drive.classify(page, SEVEN)
    for name in ("mlp", "keras-cnn"):
        page.select_option('[data-testid="model"]', name)
        page.wait_for_selector(drive.READY)
        assert name in page.inner_text("#status")
        assert drive.classify(page, SEVEN)[0] == "7"
    page.check('[data-testid="compare"]')
    page.wait_for_function("n => document.querySelectorAll('#compare-rows tr').length === n", arg=len(options))
    rows = page.eval_on_selector_all("#compare-rows tr", "rs => rs.map(r => [r.dataset.model, r.dataset.digit])")
    assert sorted(name for name, _ in rows) == sorted(options)
    assert all(digit == "7" for _, digit in rows)


def test_unsure_result_names_the_two_likeliest_digits(ready_page):
    page = ready_page
    rng = np.random.default_rng(3)
    for _ in range(20):  # random scribbles until one is read as a doubtful digit
        strokes = [np.clip(np.cumsum(rng.normal(0, 25, (25, 2)), axis=0) + 140, 20, 260).tolist()]
        drive.classify(page, strokes)
        if prediction(page)["unsure"] == "true" and float(prediction(page)["confidence"]) < 0.9:
            break
    result = prediction(page)
    assert result["unsure"] == "true", "no scribble out of 20 was read as a doubtful digit"
    detail = page.inner_text("#detail")
    assert detail.startswith(f"Unsure: {result['digit']} or ")
    assert float(result["confidence"]) < 0.9  # classifier.js UNSURE_BELOW


def test_a_prediction_asked_for_during_loading_waits(watched_page, server_url):
    page = watched_page
    delayed = []

    def slow_model(route):
        delayed.append(route.request.url)
        page.wait_for_timeout(1500)
        route.continue_()

    page.route("**/models/**/model.json*", slow_model)
    page.goto(server_url + "/")
    page.wait_for_selector('[data-testid="pad"]')
    target = drive.draw(page, ONE)
    page.click('[data-testid="predict"]')
    assert page.get_attribute("body", "data-ready") != "true"
    drive.wait_for_sequence(page, target + 1, timeout_ms=30_000)
    assert prediction(page)["digit"] == "1" and delayed
    assert page.problems == []


def test_accessible_names_and_live_region(ready_page):
    page = ready_page
    for testid in ("pad", "clear", "undo", "predict", "model", "compare"):
        name = page.locator(f'[data-testid="{testid}"]').evaluate(
            "e => e.getAttribute('aria-label') || e.labels?.[0]?.textContent || e.textContent"
        )
        assert name and name.strip(), testid
    drive.classify(page, ONE)
    assert page.locator('[aria-live="polite"]').inner_text().startswith("Looks like 1")


def test_phone_width_layout(browser, server_url):
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True, device_scale_factor=3)
    page = context.new_page()
    page.goto(server_url + "/")
    page.wait_for_selector(drive.READY)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    pad = page.locator('[data-testid="pad"]')
    box = pad.bounding_box()
    assert box["width"] >= 300
    assert pad.evaluate("c => c.width") == round(box["width"] * 3), "the pad is sharp on a 3x screen"
    context.close()


def test_screenshot_of_a_drawn_digit_with_its_chart(ready_page, artifacts):
    page = ready_page
    page.set_viewport_size({"width": 900, "height": 760})
    drive.classify(page, SEVEN)
    path = artifacts / "screenshot.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    shutil.copy(path, artifacts / "screenshot-latest.png")


def test_a_model_that_fails_to_load_does_not_break_compare_for_the_others(browser, tmp_path):
    """A model folder broken after the page listed it: its row says so, every other model still answers."""
    for name in ("robust-cnn", "cnn"):
        shutil.copytree(catalog.BUNDLED_DIR / name, tmp_path / name)
    with drive.running_server(tmp_path) as url:
        page = browser.new_page()
        page.goto(url + "/")
        page.wait_for_selector(drive.READY, timeout=30_000)
        assert page.eval_on_selector('[data-testid="model"]', "s => s.value") == "robust-cnn"
        (tmp_path / "cnn" / "group1-shard1of1.bin").unlink()  # the server now leaves cnn out
        before = drive.sequence(page)
        page.check('[data-testid="compare"]')
        drive.wait_for_sequence(page, before + 1)  # the compare view's result for the empty pad
        drive.wait_for_sequence(page, drive.draw(page, ONE))
        page.wait_for_function("() => document.querySelectorAll('#compare-rows tr').length === 2")
        rows = page.eval_on_selector_all(
            "#compare-rows tr", "rs => rs.map(r => [r.dataset.model, r.dataset.digit, r.innerText])"
        )
        assert rows[0][:2] == ["robust-cnn", "1"]
        assert rows[1][0] == "cnn" and rows[1][1] == "" and "failed" in rows[1][2]
        assert prediction(page)["digit"] == "1"
        page.close()
