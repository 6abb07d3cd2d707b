"""`digitdraw build-site`: what the folder holds, and clear refusals that lose nothing."""

import json
import re

import pytest

from digitdraw import cli
from digitdraw.app import site


def build(out, *args) -> int:
    return cli.main(["build-site", str(out), *args])


def test_the_site_is_self_contained_with_relative_versioned_urls(tmp_path):
    out = tmp_path / "public"
    assert build(out, "--models", "segment-cnn", "robust-cnn") == 0
    page = (out / "index.html").read_text()
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert urls and all(re.match(r"(app|lib)/[0-9a-f]{12}/", u) or u == site.MANIFEST for u in urls), urls
    assert all((out / u).is_file() for u in urls), "every file the page names is in the site"
    listing = json.loads((out / site.MODEL_LIST).read_text())
    assert listing["default"] == "robust-cnn" and listing["startup"] == ["robust-cnn", "segment-cnn"]
    for model in listing["models"]:
        assert all((out / f).is_file() for f in model["files"]) and model["path"] is None
    shell = json.loads(re.search(r"const BUILD = (\{.*?\});", (out / "sw.js").read_text(), re.S).group(1))["shell"]
    assert all((out / f).is_file() for f in shell if f != "./")
    assert json.loads((out / site.MANIFEST).read_text())["start_url"] == "./"
    assert (out / "index.html.gz").is_file() and (next(out.glob("lib/*/tfjs.min.js.gz"))).is_file()
    assert not list(out.glob("models/*/*/*.bin.gz")), "dense weights are not gzipped"


def test_base_path_pins_the_installed_app_and_nothing_else(tmp_path):
    assert build(tmp_path / "a", "--models", "robust-cnn", "--base-path", "/digitdraw/") == 0
    manifest = json.loads((tmp_path / "a" / site.MANIFEST).read_text())
    assert manifest["start_url"] == manifest["scope"] == "/digitdraw/"
    assert "/digitdraw/" not in (tmp_path / "a" / "index.html").read_text()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--models", "robust-cnn", "nonsense"], "no valid model called nonsense"),
        (["--base-path", "digitdraw"], "--base-path digitdraw: give the path"),
        (["--models-dir", "/nowhere"], "--models-dir /nowhere: no such folder"),
    ],
)
def test_bad_arguments_are_refused_with_what_to_do(tmp_path, capsys, args, message):
    assert build(tmp_path / "out", *args) == cli.EXIT_USAGE
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_folder_that_is_not_a_site_is_left_alone_and_a_site_is_replaced(tmp_path, capsys):
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "notes.txt").write_text("precious")
    assert build(keep, "--models", "robust-cnn") == cli.EXIT_USAGE
    assert "not empty and not a digitdraw site" in capsys.readouterr().err
    assert [p.name for p in keep.iterdir()] == ["notes.txt"]

    out = tmp_path / "public"
    assert build(out, "--models", "robust-cnn") == 0
    assert build(out, "--models", "segment-cnn") == 0
    assert [m["name"] for m in json.loads((out / site.MODEL_LIST).read_text())["models"]] == ["segment-cnn"]
    assert not (out / "models" / "robust-cnn").exists()


def test_the_embedding_entries_and_example_page(tmp_path):
    out = tmp_path / "public"
    assert build(out, "--models", "robust-cnn", "segment-cnn") == 0
    entries = {name: (out / name).read_text() for name in site.EMBED_ENTRIES}
    targets = [u for text in entries.values() for u in re.findall(r"'\./((?:app|lib)/[0-9a-f]{12}/[^']+)'", text)]
    assert len(targets) == 3 and all((out / u).is_file() for u in targets), entries
    assert re.search(r"new URL\('(lib/[0-9a-f]{12}/tfjs\.min\.js)'", entries["digitdraw.js"])
    assert (out / re.search(r"new URL\('(lib/[^']+)'", entries["digitdraw.js"]).group(1)).is_file()
    page = (out / "embed.html").read_text()
    urls = [u for u in re.findall(r'(?:src|href)="([^"]+)"', page) if u != "./" and "YOUR-HOST" not in u]
    assert "digit-pad.js" in urls and all((out / u).is_file() for u in urls), urls
    preloaded = set(re.findall(r'modulepreload" href="app/[0-9a-f]{12}/js/([^"]+)"', page))
    assert {"digit-pad.js", "digitdraw.js", "recognizer.js", "pad.js", "embed-page.js"} <= preloaded
    assert "main.js" not in preloaded and "view.js" not in preloaded, "only what the page loads"
    assert "digit-pad.js" not in (out / "index.html").read_text(), "the main page preloads only its own modules"
