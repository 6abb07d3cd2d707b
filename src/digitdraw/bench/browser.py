"""Drive the real page in headless Chromium: start the server, draw strokes as a person would.

Shared by the browser tests and the benchmarks. Uses Debian's /usr/bin/chromium through
Playwright (never Playwright's own browser download, which cannot work offline).
"""

from __future__ import annotations

import contextlib
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from ..config import PAD_UNITS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
READY = "body[data-ready=true]"
PHONE = {"width": 390, "height": 844}  # a common phone's viewport, in CSS pixels
STROKE_STEPS = 1  # Playwright mouse steps between two recorded points
REPLAY_SPACING = 10.0  # pad units between replayed points: each mouse move waits for a frame


def resample(stroke, spacing: float = REPLAY_SPACING) -> list[tuple[float, float]]:
    """Keep the first and last point and points at least `spacing` apart: the shape, fewer moves."""
    kept = [tuple(stroke[0])]
    for point in stroke[1:-1]:
        if (point[0] - kept[-1][0]) ** 2 + (point[1] - kept[-1][1]) ** 2 >= spacing**2:
            kept.append(tuple(point))
    if len(stroke) > 1:
        kept.append(tuple(stroke[-1]))
    return kept


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_server(models_dir: Path | None = None, extra_args: list[str] | None = None):
    """Start `digitdraw serve` (with `extra_args`) on a free loopback port; yield its base URL;
    stop it afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "digitdraw", "serve", "--port", str(port), *(extra_args or [])]
    if models_dir:
        command += ["--models", str(models_dir)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + "/healthz", process)
        yield url
    finally:
        _stop(process)


@contextlib.contextmanager
def static_server(folder: Path):
    """Serve `folder` with Python's plain `http.server` (no compression, no cache headers: a bare
    static host) on a free loopback port; yield its base URL; stop it afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + "/", process)
        yield url
    finally:
        _stop(process)


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read() if process.stdout else ""
                raise RuntimeError(f"the server did not start: {output}") from None
            time.sleep(0.1)


def latency_spread(milliseconds: list[float]) -> dict:
    """How many timings, their median and their 95th percentile (None when there are none)."""
    ordered = sorted(milliseconds)
    return {
        "count": len(ordered),
        "median": statistics.median(ordered) if ordered else None,
        "p95": ordered[int(0.95 * (len(ordered) - 1))] if ordered else None,
    }


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def sequence(page) -> int:
    return int(page.get_attribute('[data-testid="prediction"]', "data-seq") or 0)


def wait_for_sequence(page, at_least: int, timeout_ms: int = 10_000) -> None:
    page.wait_for_function(
        "n => Number(document.querySelector('[data-testid=\"prediction\"]').dataset.seq) >= n",
        arg=at_least,
        timeout=timeout_ms,
    )


def to_screen(box: dict, x: float, y: float) -> tuple[float, float]:
    """A point in pad units (the pad is PAD_UNITS tall, the same scale across) → page pixels."""
    unit = box["height"] / PAD_UNITS
    return box["x"] + x * unit, box["y"] + y * unit


def pad_width(page) -> float:
    """The pad's width in pad units (it is PAD_UNITS tall): 3:1 on a desktop, narrower on a phone."""
    box = page.locator('[data-testid="pad"]').bounding_box()
    return box["width"] / box["height"] * PAD_UNITS


def draw(page, strokes, touch: bool = False, spacing: float = REPLAY_SPACING) -> int:
    """Draw `strokes` (pad units, `resample`d at `spacing`) with the mouse, or with a finger
    (`touch`: the page must have been opened with has_touch); return the data-seq the last
    stroke will show."""
    pad = page.locator('[data-testid="pad"]')
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    start = sequence(page)
    finger = page.context.new_cdp_session(page) if touch else None
    for stroke in strokes:
        points = [to_screen(box, x, y) for x, y in resample(stroke, spacing)]
        if finger:
            _touch_stroke(finger, points)
            continue
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:] or points[:1]:
            page.mouse.move(*point, steps=STROKE_STEPS)
        page.mouse.up()
    if finger:
        finger.detach()
    return start + len(strokes)


def _touch_stroke(session, points: list[tuple[float, float]]) -> None:
    """One stroke as a touch: Playwright's touchscreen only taps, so the DevTools protocol moves it."""
    touches = [{"x": x, "y": y} for x, y in points]
    session.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": touches[:1]})
    for touch in touches[1:] or touches[:1]:
        session.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [touch]})
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def clear(page, new_writer: bool = False) -> None:
    """Clear the pad; `new_writer`: then make the page forget the writer too (their examples, the
    7s it saw), as before a drawing by someone else (the pad is empty, so nothing is read again)."""
    before = sequence(page)
    page.click('[data-testid="clear"]')
    wait_for_sequence(page, before + 1)
    if new_writer:
        page.click('[data-testid="forget"]')


def classify(page, strokes, new_writer: bool = False) -> tuple[str, float]:
    """Clear the pad, draw `strokes`, wait for their prediction; return (digit, confidence).
    `new_writer`: the page forgets the writer first (`clear`)."""
    clear(page, new_writer)
    wait_for_sequence(page, draw(page, strokes))
    result = page.locator('[data-testid="prediction"]')
    return result.get_attribute("data-digit"), float(result.get_attribute("data-confidence"))
