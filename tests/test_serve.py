"""The server: API, static files, model files, security headers, caching and broken models."""
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


def test_security_headers_and_compression(client):
    response = client.get("/vendor/tf.es2017.min.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "'unsafe-eval'" not in policy.replace("'wasm-unsafe-eval'", "")
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/../pyproject.toml", "/%2e%2e/%2e%2e/pyproject.toml", "/js/../../serve.py",
                                  "/models/cnn/..%2f..%2fserve.py", "/models/cnn/%2e%2e", "/models/nope/model.json",
                                  "/vendor/", "/models/cnn/metadata.json/x"])
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
