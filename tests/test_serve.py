"""The server: API, the built site's files, model files, security headers, caching and broken models."""

import logging
import re
import shutil

import pytest
from fastapi.testclient import TestClient

from digitdraw.app import catalog, serve, site


@pytest.fixture(scope="module")
def client():
    return TestClient(serve.create_app())


def located(client, path: str) -> str:
    """`path` with APP/ or LIB/ replaced by the versioned folder the served page loads them from."""
    page = client.get("/").text
    folders = {kind: re.search(rf'"({kind.lower()}/[0-9a-f]+)/', page).group(1) for kind in ("APP", "LIB")}
    kind, _, rest = path.partition("/")
    return f"/{folders[kind]}/{rest}" if kind in folders else path


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
    assert re.search(r'(src|href)="/', page.text) is None, "relative URLs only, so any sub-path works"
    wasm = client.get(located(client, "LIB/tfjs-backend-wasm-simd.wasm"))
    assert wasm.status_code == 200 and wasm.headers["content-type"] == "application/wasm"
    assert client.get(located(client, "APP/js/preprocess.js")).headers["content-type"].startswith("text/javascript")
    assert client.get(located(client, "APP/config.json")).headers["content-type"] == "application/json"
    listing = client.get("/models.json").json()
    assert listing["default"] == listing["models"][0]["name"]
    assert [m["name"] for m in listing["models"]] == [m["name"] for m in client.get("/api/models").json()["models"]]
    for model in listing["models"]:
        assert model["url"] == f"models/{model['name']}/{model['version']}/model.json" and model["path"] is None
        assert client.get("/" + model["url"]).json()["weightsManifest"]


def test_security_headers_and_compression(client):
    response = client.get(located(client, "LIB/tfjs.min.js"), headers={"Accept-Encoding": "gzip"})
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


@pytest.mark.parametrize("path", ["/", "/index.html", "/models.json", "/sw.js", "/manifest.webmanifest"])
def test_unversioned_files_revalidate_with_304(client, path):
    first = client.get(path)
    assert first.status_code == 200 and first.headers["cache-control"] == "no-cache"
    for condition in ({"If-None-Match": first.headers["etag"]}, {"If-Modified-Since": first.headers["last-modified"]}):
        again = client.get(path, headers=condition)
        assert again.status_code == 304 and again.content == b""
        assert again.headers["cache-control"] == "no-cache" and again.headers["etag"] == first.headers["etag"]
        assert "default-src 'self'" in again.headers["content-security-policy"]


@pytest.mark.parametrize("path", ["APP/style.css", "APP/js/main.js", "LIB/tfjs.min.js", "LIB/tfjs-backend-wasm.wasm"])
def test_versioned_files_are_cached_for_good(client, path):
    response = client.get(located(client, path))
    assert response.status_code == 200 and "immutable" in response.headers["cache-control"]
    model = client.get("/models.json").json()["models"][0]
    assert "immutable" in client.get("/" + model["files"][-1]).headers["cache-control"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "APP/style.css",
        "LIB/tfjs-backend-wasm.wasm",
        "/models.json",
        "/api/models",
        "/healthz",
        "MODEL_JSON",
        "SHARD",
    ],
)
def test_head_answers_headers_without_a_body(client, path):
    path = dict(zip(("MODEL_JSON", "SHARD"), _model_file_urls(client))).get(path, located(client, path))
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
    shard = client.get("/models.json").json()["models"][0]["files"][-1]
    assert "content-encoding" not in client.get("/" + shard, headers=gzip).headers
    for path in ["/", "LIB/tfjs.min.js", "LIB/tfjs-backend-wasm-simd.wasm", "APP/style.css", "/models.json"]:
        path = located(client, path)
        packed, plain = client.get(path, headers=gzip), client.get(path, headers={"Accept-Encoding": "identity"})
        assert packed.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers, path
        assert packed.headers["content-type"] == plain.headers["content-type"] and packed.content == plain.content
        assert int(packed.headers["content-length"]) < int(plain.headers["content-length"]), path
    assert client.get(_model_file_urls(client)[0], headers=gzip).headers["content-encoding"] == "gzip"


def test_missing_bundled_libraries_stop_the_server_with_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(site, "VENDOR_DIR", tmp_path)
    with pytest.raises(site.SiteError, match=r"missing .*tfjs\.min\.js.*run `make web`"):
        serve.create_app()


def test_run_prints_the_url_and_bounds_request_headers(monkeypatch, capsys):
    import uvicorn

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(options))
    assert serve.run(host="0.0.0.0", port=8123) == 0
    assert "at http://127.0.0.1:8123/" in capsys.readouterr().out
    assert started["http"] == "h11" and started["h11_max_incomplete_event_size"] == serve.MAX_HEADER_BYTES


def test_static_files_allow_cross_origin_reads_and_the_api_does_not(client):
    listing = client.get("/models.json").json()
    for path in [
        "/models.json",
        "/" + listing["models"][0]["files"][-1],
        located(client, "LIB/tfjs.min.js"),
        "/digit-pad.js",
    ]:
        for method in ("GET", "HEAD"):
            response = client.request(method, path)
            assert response.status_code == 200 and response.headers["access-control-allow-origin"] == "*", path
    assert "access-control-allow-origin" not in client.get("/api/models").headers
    assert "access-control-allow-origin" not in client.post("/api/read", json={}).headers


@pytest.mark.parametrize(
    ("given", "policy"),
    [(None, "'none'"), ("'self'", "'self'"), ("https://example.org  'self'", "https://example.org 'self'"),
     ("https: http://127.0.0.1:*", "https: http://127.0.0.1:*")],
)  # fmt: skip
def test_frame_ancestors_sources(given, policy):
    assert serve.frame_ancestors_policy(given) == policy


@pytest.mark.parametrize("given", ["", "https://a.org; script-src *", "https://a.org,https://b.org", "'unsafe-inline'",
                                   "'none' https://a.org"])  # fmt: skip
def test_frame_ancestors_that_are_not_sources_are_refused(given, capsys):
    with pytest.raises(ValueError, match="--frame-ancestors"):
        serve.frame_ancestors_policy(given)
    from digitdraw import cli

    assert cli.main(["serve", "--frame-ancestors", given]) != 0
    assert "--frame-ancestors" in capsys.readouterr().err
