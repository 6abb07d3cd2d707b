"""Numbers written on the served page: the number benchmark's strings replayed as mouse strokes
on a desktop, or as touches on a phone, read through the test contract (`prediction[data-number]`)
and timed from pen-up to the result shown. Shared by `make bench` and the browser tests."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import browser
from .numbers import PAD, NumberItem

PAGE_WIDTH_UNITS = 3 * PAD  # the desktop pad is 3:1
PAGE_MARGIN = 20.0

# Records, for each final result the page shows, the time from the pen lifting to the result and
# how many digits it read. The capture phase on window runs before the pad's own handler, which
# shows the result within the same event dispatch.
LATENCY_PROBE = """() => {
    window.__latencies = []; let upAt = 0;
    const pad = document.querySelector('[data-testid="pad"]');
    const result = document.querySelector('[data-testid="prediction"]');
    window.addEventListener('pointerup', (e) => { if (e.target === pad) upAt = performance.now(); }, { capture: true });
    new MutationObserver(() => {
        if (upAt) { window.__latencies.push([performance.now() - upAt, result.dataset.number.length]); upAt = 0; }
    }).observe(result, { attributeFilter: ['data-seq'] });
}"""


def fitted_to_page(item: NumberItem, pad_width: float = PAGE_WIDTH_UNITS) -> list[np.ndarray]:
    """The item's strokes scaled (about their left edge) to fit a pad `pad_width` units wide (the
    desktop pad's, or `browser.pad_width(page)` for the page at hand), as a writer makes a long
    number smaller on a narrow pad; the reader does not depend on size."""
    scale = min(1.0, (pad_width - 2 * PAGE_MARGIN) / max(item.width, 1.0))
    left = min(float(s[:, 0].min()) for s in item.strokes)
    return [np.column_stack([PAGE_MARGIN + (s[:, 0] - left) * scale, s[:, 1] * scale]) for s in item.strokes]


def replay_spacing(pad_width: float) -> float:
    """The replay's point spacing (browser.resample) for numbers fitted to a pad `pad_width` units
    wide: as many points per digit as on the desktop pad. A number fitted to a phone's narrower
    pad is written smaller, and at the desktop's spacing its digits lose shape (on the first 40
    final-part numbers, Python read 28 right that way against 31 on the desktop pad)."""
    return browser.REPLAY_SPACING * min(1.0, pad_width / PAGE_WIDTH_UNITS)


def replay(page, items: Sequence[NumberItem], reader, touch: bool = False) -> tuple[list[str], list[str]]:
    """Write each item on the open page (a new writer each time), fitted to its pad, with the mouse
    or by `touch`; return what the page read (`prediction[data-number]`) and what `reader` reads
    from the same strokes, item by item."""
    width = browser.pad_width(page)
    spacing = replay_spacing(width)
    shown, python = [], []
    for item in items:
        strokes = fitted_to_page(item, width)
        browser.clear(page, new_writer=True)  # each number is another writer's, as in Python
        browser.wait_for_sequence(page, browser.draw(page, strokes, touch=touch, spacing=spacing))
        shown.append(page.get_attribute('[data-testid="prediction"]', "data-number"))
        python.append(reader.read_strokes([np.array(browser.resample(s, spacing)) for s in strokes]).text)
    return shown, python


def page_figures(url: str, items: Sequence[NumberItem], reader, phone: bool = False) -> dict:
    """Replay numbers as mouse strokes on the served page (default model and segmenter), or with
    `phone` as touches on a phone-sized page (browser.PHONE, a 2× screen) scaled to its narrower
    pad: the page's readings against the truth and against the Python reader on the same strokes,
    and the time from pen-up to the result shown with 1 and with 10 digits read."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        if phone:
            page = chromium.new_page(viewport=browser.PHONE, has_touch=True, device_scale_factor=2)
        else:
            page = chromium.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url + "/")
        page.wait_for_selector(browser.READY, timeout=60_000)
        page.evaluate(LATENCY_PROBE)
        shown, python = replay(page, items, reader, touch=phone)
        latencies = page.evaluate("window.__latencies")
        chromium.close()
    truth = [item.digits for item in items]
    return {
        "strings": len(items),
        "string_accuracy": float(np.mean([a == b for a, b in zip(shown, truth)])),
        "python_string_accuracy": float(np.mean([a == b for a, b in zip(python, truth)])),
        "agreement_with_python": float(np.mean([a == b for a, b in zip(shown, python)])),
        "latency_ms_1_digit": browser.latency_spread([ms for ms, digits in latencies if digits == 1]),
        "latency_ms_10_digits": browser.latency_spread([ms for ms, digits in latencies if digits >= 10]),
    }
