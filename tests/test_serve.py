"""The server: API, static files, model files, security headers, caching and broken models."""

import logging
import shutil

import pytest
from fastapi.testclient import TestClient

from digitdraw.app import catalog, serve


@pytest.fixture(scope="module")
def client():
    return TestClient(serve.create_app())


def test_healthz_and_model_list(client):
    assert client.get("/healthz").json()["status"] == "ok"
    listing = client.get("/api/models").json()
    names = [m["name"] for m in listing["models"]]
    assert {"mlp", "cnn", "keras-cnn"} <= set(names)
    assert listing["default"] == names[0]
    for model in listing["models"]:
        assert 0.98 < model["test_accuracy"] < 1 and model["parameters"] > 0 and model["size_bytes"] > 0
        assert model["url"].startswith(f"/models/{model['name']}/model.json?v=")
        assert model["path"] is None, "the server must not reveal file-system paths"


def test_page_and_vendored_libraries_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200 and 'data-testid="pad"' in page.text
    assert "http" not in page.text.split("<body")[0].replace("http-equiv", ""), "no external URLs in <head>"
    wasm = client.get("/vendor/tfjs-backend-wasm-simd.wasm")
    assert wasm.status_code == 200 and wasm.headers["content-type"] == "application/wasm"
    assert client.get("/js/preprocess.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/config.json").headers["content-type"] == "application/json"


def test_security_headers_and_compression(client):
    response = client.get("/vendor/tf.es2017.min.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "'unsafe-eval'" not in policy.replace("'wasm-unsafe-eval'", "")
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/../pyproject.toml",
        "/%2e%2e/%2e%2e/pyproject.toml",
        "/js/../../serve.py",
        "/models/cnn/..%2f..%2fserve.py",
        "/models/cnn/%2e%2e",
        "/models/nope/model.json",
        "/vendor/",
        "/models/cnn/metadata.json/x",
        "/vendor",
        "/js",
        "/js/",
        "/models/cnn/",
        "/models/cnn/.",
    ],
)
def test_path_traversal_and_unknown_files_are_404(client, path):
    assert client.get(path).status_code == 404


def test_huge_url_is_refused(client):
    assert client.get("/" + "a" * 5000).status_code == 414


def test_model_files_are_cached_by_content_hash(client):
    model = client.get("/api/models").json()["models"][0]
    versioned = client.get(model["url"])
    assert versioned.status_code == 200 and "immutable" in versioned.headers["cache-control"]
    plain = client.get(f"/models/{model['name']}/model.json")
    assert plain.headers["cache-control"] == "no-cache"
    again = client.get(f"/models/{model['name']}/model.json", headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304


def test_a_broken_model_is_reported_and_left_out(tmp_path, caplog):
    for model in catalog.scan()[0][:2]:
        shutil.copytree(model.path, tmp_path / model.name)
    good, victim = sorted(p.name for p in tmp_path.iterdir())
    shard = next((tmp_path / victim).glob("*.bin"))
    shard.write_bytes(shard.read_bytes()[:-100])
    (tmp_path / "not-a-model").mkdir()
    (tmp_path / "not-a-model" / "notes.txt").write_text("hello")
    with caplog.at_level("WARNING"):
        client = TestClient(serve.create_app(tmp_path))
    names = [m["name"] for m in client.get("/api/models").json()["models"]]
    assert names == [good]
    problems = client.get("/api/models").json()["problems"]
    assert any(shard.name in p and "truncated" in p for p in problems)
    assert any("not-a-model" in p and "model.json: missing" in p for p in problems)
    assert shard.name in caplog.text
    assert client.get(f"/models/{victim}/model.json").status_code == 404


def _model_file_urls(client) -> tuple[str, str]:
    """The default model's model.json and first weight shard."""
    folder = f"/models/{client.get('/api/models').json()['default']}/"
    shard = client.get(folder + "model.json").json()["weightsManifest"][0]["paths"][0]
    return folder + "model.json", folder + shard


@pytest.mark.parametrize("path", ["/", "/style.css", "/js/main.js", "/config.json", "/vendor/tf.es2017.min.js"])
def test_page_files_revalidate_with_304(client, path):
    first = client.get(path)
    assert first.status_code == 200 and first.headers["cache-control"] == "no-cache"
    for condition in ({"If-None-Match": first.headers["etag"]}, {"If-Modified-Since": first.headers["last-modified"]}):
        again = client.get(path, headers=condition)
        assert again.status_code == 304 and again.content == b""
        assert again.headers["cache-control"] == "no-cache" and again.headers["etag"] == first.headers["etag"]
        assert "default-src 'self'" in again.headers["content-security-policy"]


@pytest.mark.parametrize(
    "path", ["/", "/style.css", "/vendor/tfjs-backend-wasm.wasm", "/api/models", "/healthz", "MODEL_JSON", "SHARD"]
)
def test_head_answers_headers_without_a_body(client, path):
    path = dict(zip(("MODEL_JSON", "SHARD"), _model_file_urls(client))).get(path, path)
    head, get = client.head(path), client.get(path)
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 0
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-security-policy"] == get.headers["content-security-policy"]


@pytest.mark.parametrize(
    "path", ["/js/%00.js", "/%00", "/models/cnn/%00", "/models/cnn/model.json%00", "/models/%00/model.json"]
)
def test_a_null_byte_in_the_path_is_404_without_a_traceback(path, caplog):
    client = TestClient(serve.create_app(), raise_server_exceptions=False)
    with caplog.at_level(logging.DEBUG):
        assert client.get(path).status_code == 404
    assert not any(record.exc_info for record in caplog.records) and "Traceback" not in caplog.text


def test_only_compressible_files_are_gzipped(client):
    """Weights are dense (gzip saves ~8% for 2.5× less throughput); text and WebAssembly shrink ~3×."""
    gzip = {"Accept-Encoding": "gzip"}
    for path in _model_file_urls(client)[1:]:
        response = client.get(path, headers=gzip)
        assert response.status_code == 200 and "content-encoding" not in response.headers, path
    for path in [
        "/",
        "/vendor/tf.es2017.min.js",
        "/vendor/tfjs-backend-wasm-simd.wasm",
        "/style.css",
        _model_file_urls(client)[0],
    ]:
        assert client.get(path, headers=gzip).headers["content-encoding"] == "gzip", path


def test_missing_vendored_libraries_are_reported(tmp_path, monkeypatch, caplog):
    (tmp_path / "index.html").write_text("<!doctype html>")
    monkeypatch.setattr(serve, "WEB_DIR", tmp_path)
    with caplog.at_level("WARNING"):
        serve.create_app()
    assert "vendored libraries missing" in caplog.text and "tf.es2017.min.js" in caplog.text


def test_run_prints_the_url_and_bounds_request_headers(monkeypatch, capsys):
    import uvicorn

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(options))
    assert serve.run(host="0.0.0.0", port=8123) == 0
    assert "at http://127.0.0.1:8123/" in capsys.readouterr().out
    assert started["http"] == "h11" and started["h11_max_incomplete_event_size"] == serve.MAX_HEADER_BYTES
