"""Embedding: the example page's <digit-pad> (from `digitdraw serve`, and from the built site under a
sub-path on a bare static host) reads what is drawn on it and says so in events; a page on another
site imports the element across origins (CORS) and frames the page when `--frame-ancestors` lets it."""

import json
import urllib.request

import pytest
from test_site import MODELS, SEVEN, SUB_PATH

from digitdraw.bench import browser as drive

READY = "body[data-ready=true], body[data-ready=error]"
PAD = "digit-pad"
ONE = [[(100, 50), (100, 90), (101, 130), (101, 170), (102, 230)]]
SEVEN_RIGHT = [[(x + 120, y) for x, y in SEVEN[0]]]


def open_embed(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(READY, timeout=30_000)
    assert page.get_attribute("body", "data-ready") == "true", page.inner_text("body")


def draw_on_pad(page, strokes, selector: str = PAD) -> str:
    """Draw `strokes` (pad units) on the element's canvas; return the number its last
    `digitdraw-read` event carried (the example page keeps it on <body>)."""
    reads = int(page.get_attribute("body", "data-reads"))
    canvas = page.locator(f"{selector} >> canvas")  # Playwright's CSS pierces the open shadow root
    box = canvas.bounding_box()
    for stroke in strokes:
        points = [drive.to_screen(box, x, y) for x, y in drive.resample(stroke)]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point, steps=drive.STROKE_STEPS)
        page.mouse.up()
    page.wait_for_function("n => Number(document.body.dataset.reads) >= n", arg=reads + len(strokes), timeout=10_000)
    return page.get_attribute("body", "data-number")


def test_the_example_page_reads_a_number_drawn_on_the_element(watched_page, server_url):
    page = watched_page
    open_embed(page, server_url + "/embed.html")
    assert "digitdraw-ready: robust-cnn on wasm" in page.inner_text('[data-testid="events"]')
    assert draw_on_pad(page, ONE + SEVEN_RIGHT) == "17"
    assert "Read: 17" in page.locator(f"{PAD} >> output").inner_text()
    events = page.inner_text('[data-testid="events"]')
    assert "digitdraw-read: 17 · 1 " in events, events
    reads = int(page.get_attribute("body", "data-reads"))
    page.evaluate("document.querySelector('digit-pad').undo()")
    page.wait_for_function("n => Number(document.body.dataset.reads) > n", arg=reads)
    assert page.get_attribute("body", "data-number") == "1"
    assert page.external_requests == [] and page.problems == []


def test_the_example_page_works_from_the_built_site_under_a_sub_path(watched_page, tmp_path_factory):
    from digitdraw.app import site

    root = tmp_path_factory.mktemp("host")
    site.build(root / SUB_PATH, names=MODELS)
    with drive.static_server(root) as host:
        page = watched_page
        open_embed(page, f"{host}/{SUB_PATH}/embed.html")
        assert draw_on_pad(page, SEVEN) == "7"
    assert page.external_requests == [] and page.problems == []


@pytest.fixture
def framing_server():
    """`digitdraw serve` letting any page on 127.0.0.1 frame it."""
    with drive.running_server(extra_args=["--frame-ancestors", "'self' http://127.0.0.1:*"]) as url:
        yield url


def headers(url: str, method: str = "GET") -> dict:
    with urllib.request.urlopen(urllib.request.Request(url, method=method)) as response:
        return {name.lower(): value for name, value in response.headers.items()}


def test_static_files_are_readable_across_origins_and_framing_is_opt_in(server_url, framing_server):
    listing = json.loads(urllib.request.urlopen(server_url + "/models.json").read())
    shard = f"{server_url}/{listing['models'][0]['files'][-1]}"
    for url in [server_url + "/models.json", shard, server_url + "/digit-pad.js"]:
        for method in ("GET", "HEAD"):
            assert headers(url, method)["access-control-allow-origin"] == "*", (url, method)
    assert "access-control-allow-origin" not in headers(server_url + "/api/models")
    assert "frame-ancestors 'none';" in headers(server_url + "/embed.html")["content-security-policy"]
    framed = headers(framing_server + "/embed.html")["content-security-policy"]
    assert "frame-ancestors 'self' http://127.0.0.1:*;" in framed
    assert framed.replace("'self' http://127.0.0.1:*", "'none'") == headers(server_url + "/")["content-security-policy"]


def test_another_site_imports_the_element_and_frames_the_page(watched_page, server_url, framing_server, tmp_path):
    """A page on another origin (another port): <digit-pad> imported from the server (module,
    JSON module, WebAssembly and models all cross-origin), and both servers' pages in frames."""
    (tmp_path / "host.html").write_text(
        f"""<!doctype html><meta charset="utf-8"><title>elsewhere</title>
<body data-ready="false" data-reads="0" data-number="">
<script type="module" src="{framing_server}/digit-pad.js"></script>
<script>
document.addEventListener('digitdraw-ready', () => document.body.dataset.ready = 'true');
document.addEventListener('digitdraw-error', (e) => {{
  document.body.dataset.ready = 'error';
  console.error(e.detail.message);
}});
document.addEventListener('digitdraw-read', (e) => {{
  document.body.dataset.number = e.detail.number ?? '';
  document.body.dataset.reads = String(Number(document.body.dataset.reads) + 1);
}});
</script>
<digit-pad models="{framing_server}/models.json"></digit-pad>
<iframe id="allowed" src="{framing_server}/embed.html" width="600" height="300"></iframe>
<iframe id="refused" src="{server_url}/embed.html" width="600" height="300"></iframe>
</body>""",
        encoding="utf-8",
    )
    with drive.static_server(tmp_path) as elsewhere:
        page = watched_page
        open_embed(page, f"{elsewhere}/host.html")
        assert draw_on_pad(page, SEVEN) == "7"
        allowed = page.frame_locator("#allowed")
        allowed.locator("body[data-ready=true]").wait_for(timeout=30_000)
        refused = page.locator("#refused").element_handle().content_frame()
        assert refused.url.startswith("chrome-error:"), refused.url
    assert page.external_requests == []
    assert [p for p in page.problems if "frame-ancestors" not in p] == [], page.problems
    assert any("frame-ancestors" in p for p in page.problems), "Chromium says why it refused the frame"
