"""The built static site in Chromium, served under a sub-path by Python's bare `http.server` (no
compression, no cache headers, no API): ready, reads digits, stays on this machine, says so when a
file is missing, works offline after one visit and picks up a new model version."""

import json
import shutil
from pathlib import Path

import pytest

from digitdraw.app import catalog, site
from digitdraw.bench import browser as drive

SUB_PATH = "digitdraw"
MODELS = ["robust-cnn", "segment-cnn"]
SEVEN = [[(80, 60), (130, 60), (200, 60), (170, 120), (140, 180), (120, 230)]]
ONE = [[(140, 50), (140, 90), (141, 130), (141, 170), (142, 230)]]
SETTLED = "body[data-ready=true], body[data-ready=error]"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A site built once; tests that break it copy it first."""
    out = tmp_path_factory.mktemp("built") / SUB_PATH
    site.build(out, names=MODELS)
    return out


@pytest.fixture
def hosted(built, tmp_path):
    """A fresh copy of the site under /digitdraw/ of a static server: (its folder, its URL)."""
    folder = tmp_path / SUB_PATH
    shutil.copytree(built, folder)
    with drive.static_server(tmp_path) as url:
        yield folder, f"{url}/{SUB_PATH}/"


def open_site(page, url: str) -> str:
    page.goto(url)
    page.wait_for_selector(SETTLED, timeout=30_000)
    return page.get_attribute("body", "data-ready")


def test_the_site_reads_digits_under_a_sub_path_on_a_bare_static_host(watched_page, hosted):
    page = watched_page
    assert open_site(page, hosted[1]) == "true", page.inner_text("main")
    assert "robust-cnn ready" in page.inner_text("#status") and "on wasm" in page.inner_text("#status")
    assert drive.classify(page, SEVEN)[0] == "7"
    assert drive.classify(page, ONE)[0] == "1"
    assert page.external_requests == [], "the page must not reach beyond this machine"
    assert page.problems == []


@pytest.mark.parametrize("broken", ["model shard", "model list", "library", "page module"])
def test_a_missing_file_is_reported_on_the_page_not_left_loading(watched_page, hosted, broken):
    folder, url = hosted
    listing = json.loads((folder / site.MODEL_LIST).read_text())
    victim = {
        "model shard": folder / listing["models"][0]["files"][-1],
        "model list": folder / site.MODEL_LIST,
        "library": next(folder.glob("lib/*/chart.min.js")),
        "page module": next(folder.glob("app/*/js/pad.js")),
    }[broken]
    victim.unlink()
    assert open_site(watched_page, url) == "error"
    shown = " ".join(watched_page.locator(".status.error").all_inner_texts())
    expected = "could not load" if broken in ("library", "page module") else "could not start"
    assert expected in shown, shown
    # A module's failure fails the whole module graph: the page can name only the script that started it.
    named = {"library": victim.name, "page module": "main.js"}.get(broken)
    if named:
        assert named in shown, shown


def _visit_until_controlled(page, url: str) -> None:
    assert open_site(page, url) == "true"
    activated = (
        "ms => Promise.race([navigator.serviceWorker.ready.then(() => true), new Promise((r) => setTimeout(r, ms))])"
    )
    assert page.evaluate(activated, 20_000), "no service worker became active"
    page.reload()  # the worker takes over from the next load (it claims clients, but be certain)
    assert open_site(page, url) == "true"
    assert page.evaluate("navigator.serviceWorker.controller !== null")


def test_after_one_visit_the_page_works_with_the_network_cut(watched_page, built, tmp_path):
    page = watched_page
    shutil.copytree(built, tmp_path / SUB_PATH)
    with drive.static_server(tmp_path) as host:
        url = f"{host}/{SUB_PATH}/"
        _visit_until_controlled(page, url)
    # The host is gone, and the browser is offline too.
    page.context.set_offline(True)
    try:
        page.reload()
        assert open_site(page, url) == "true", page.inner_text("main")
        assert drive.classify(page, SEVEN)[0] == "7"
    finally:
        page.context.set_offline(False)
    assert page.problems == []


def test_a_rebuilt_site_with_a_new_model_version_is_picked_up(watched_page, hosted, tmp_path):
    """Rebuild with other weights under the default model's name: the next visit loads those."""
    folder, url = hosted
    page = watched_page
    _visit_until_controlled(page, url)
    old = json.loads((folder / site.MODEL_LIST).read_text())["models"][0]

    models = tmp_path / "models"
    bundled = {m.name: m.path for m in catalog.scan()[0]}
    shutil.copytree(bundled["segment-cnn"], models / "segment-cnn")
    shutil.copytree(bundled["cnn"], models / old["name"])  # same name, other weights: a new version
    new = site.build(folder, models_dir=models, names=MODELS)["models"][0]
    assert new["name"] == old["name"] and new["version"] != old["version"]

    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.reload()
    assert open_site(page, url) == "true", page.inner_text("main")
    assert url + new["url"] in asked and url + old["url"] not in asked
    size_kb = f"{round(new['size_bytes'] / 1024)} KB"
    assert size_kb in page.locator('[data-testid="model"] option').first.inner_text()
    assert drive.classify(page, ONE)[0] == "1"
    assert page.problems == []
