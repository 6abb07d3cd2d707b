"""Weight and speed of the page as published: bytes over the network until the first answer, bytes
on a reload, and navigation → ready time, each the median of RUNS cold-cache runs in headless Chromium.

Counted: every response the page or its service worker gets from the network (headers included,
as sent, i.e. compressed when the server compresses); not counted: answers from the browser's
HTTP cache or the service worker's cache. Not a test: nothing here asserts.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from ..app import catalog, site
from . import browser

RUNS = 5
ONE = [[(140, 50), (140, 110), (141, 170), (142, 230)]]
SETTLE_MS = 200  # late responses (the service worker's precache) that still belong to the visit
WORKER_READY_MS = 20_000


class NetworkMeter:
    """Bytes the page and its service worker receive from the network, from `reset()` on."""

    def __init__(self, context, page):
        self.total = 0
        self._from_worker: set[str] = set()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.responseReceived", self._on_response)
        cdp.on("Network.loadingFinished", self._on_page_finished)
        context.on("requestfinished", self._on_worker_finished)

    def reset(self) -> None:
        self.total = 0

    def _on_response(self, event) -> None:
        if event["response"].get("fromServiceWorker"):
            self._from_worker.add(event["requestId"])  # answered by the worker: its own fetch counts

    def _on_page_finished(self, event) -> None:
        if event["requestId"] not in self._from_worker:
            self.total += event["encodedDataLength"]

    def _on_worker_finished(self, request) -> None:
        if request.service_worker is not None:
            sizes = request.sizes()
            self.total += sizes["responseBodySize"] + sizes["responseHeadersSize"]


def _answer(page) -> None:
    browser.wait_for_sequence(page, browser.draw(page, ONE))
    page.wait_for_timeout(SETTLE_MS)


def measure(url: str, runs: int = RUNS) -> dict:
    """Ready time, bytes to the first answer and reload bytes of the page at `url`."""
    from playwright.sync_api import sync_playwright

    ready, first, reload, status = [], [], [], ""
    with sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        for _ in range(runs):
            context = chromium.new_context()  # cold cache, no service worker
            page = context.new_page()
            meter = NetworkMeter(context, page)
            started = time.perf_counter()
            page.goto(url)
            page.wait_for_selector(browser.READY, timeout=60_000)
            ready.append(time.perf_counter() - started)
            _answer(page)
            first.append(meter.total)
            status = page.inner_text("#status")
            page.evaluate(
                "ms => 'serviceWorker' in navigator && "
                "Promise.race([navigator.serviceWorker.ready, new Promise((r) => setTimeout(r, ms))])",
                WORKER_READY_MS,
            )
            page.wait_for_timeout(SETTLE_MS)
            meter.reset()
            page.reload()
            page.wait_for_selector(browser.READY, timeout=60_000)
            _answer(page)
            reload.append(meter.total)
            context.close()
        chromium.close()
    return {
        "url": url,
        "status": status,
        "ready_seconds": ready,
        "ready_median_seconds": statistics.median(ready),
        "bytes_to_first_answer": statistics.median(first),
        "reload_bytes": statistics.median(reload),
        "runs": runs,
    }


def site_figures(models_dir: Path | None = None, runs: int = RUNS) -> dict:
    """The built site as `digitdraw serve` serves it (gzipped copies, cache headers) and as a bare
    static host serves it under a sub-path (`python -m http.server`: no compression)."""
    models_dir = Path(models_dir) if models_dir else catalog.BUNDLED_DIR
    figures = {}
    with browser.running_server(models_dir) as url:
        figures["digitdraw serve"] = measure(url + "/", runs)
    with tempfile.TemporaryDirectory(prefix="digitdraw-site-") as parent:
        folder = Path(parent) / "digitdraw"
        listing = site.build(folder, models_dir)
        with browser.static_server(Path(parent)) as url:
            figures["http.server, sub-path"] = measure(f"{url}/digitdraw/", runs)
    figures["startup_models"] = {
        m["name"]: {"bytes": m["size_bytes"], "quantization": m["quantization"]}
        for m in listing["models"]
        if m["name"] in listing["startup"]
    }
    return figures


if __name__ == "__main__":  # python -m digitdraw.bench.weight [URL]: one page's figures
    import json
    import sys

    print(json.dumps(measure(sys.argv[1]) if len(sys.argv) > 1 else site_figures(), indent=1))
