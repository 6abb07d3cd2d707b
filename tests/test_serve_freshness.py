"""Models changed while the server runs: the listing, versions, ETags and caching follow the files,
and what the server reports names model folders, never server paths."""

import json
import logging
import shutil
from pathlib import Path, PurePosixPath

import pytest
from fastapi.testclient import TestClient

from digitdraw.app import catalog, serve


@pytest.fixture
def models_dir(tmp_path) -> Path:
    """Two bundled models, copied where a test may change them."""
    for model in catalog.scan()[0][:2]:
        shutil.copytree(model.path, tmp_path / model.name)
    return tmp_path


def _names(models_dir: Path) -> tuple[str, str]:
    return tuple(sorted(p.name for p in models_dir.iterdir()))


def _shard_name(folder: Path) -> str:
    return json.loads((folder / "model.json").read_text())["weightsManifest"][0]["paths"][0]


def _version(client, name: str) -> str | None:
    return next((m["version"] for m in client.get("/api/models").json()["models"] if m["name"] == name), None)


def _reexport(source: Path, target: Path) -> None:
    """Replace `target`'s files with `source`'s: new bytes and mtimes, still a valid model."""
    for old in target.iterdir():
        old.unlink()
    for new in source.iterdir():
        shutil.copyfile(new, target / new.name)


def test_a_reexported_model_is_served_under_its_new_version(models_dir):
    source, victim = _names(models_dir)
    client = TestClient(serve.create_app(models_dir))
    old_version = _version(client, victim)
    model_json, shard = f"/models/{victim}/model.json", f"/models/{victim}/{_shard_name(models_dir / victim)}"
    before = {path: client.get(path) for path in (model_json, shard)}

    _reexport(models_dir / source, models_dir / victim)

    new_version = _version(client, victim)
    assert new_version not in (None, old_version)
    assert client.get(f"{model_json}?v={old_version}").headers["cache-control"] == "no-cache"
    assert "immutable" in client.get(f"{model_json}?v={new_version}").headers["cache-control"]
    for path, old in before.items():
        again = client.get(path, headers={"If-None-Match": old.headers["etag"]})
        assert again.status_code == 200 and again.headers["etag"] != old.headers["etag"], path
        assert again.content == (models_dir / victim / PurePosixPath(path).name).read_bytes()


def test_a_model_broken_while_serving_is_left_out_and_reported_once(models_dir, caplog):
    keeper, victim = _names(models_dir)
    client = TestClient(serve.create_app(models_dir))
    shard = models_dir / victim / _shard_name(models_dir / victim)
    assert client.get(f"/models/{victim}/{shard.name}").status_code == 200
    intact = shard.read_bytes()

    shard.write_bytes(intact[:-100])
    with caplog.at_level(logging.WARNING, logger="digitdraw"):
        listings = [client.get("/api/models").json() for _ in range(3)]
        assert client.get("/healthz").json() == {"status": "ok", "models": 1, "broken_models": 1}
    assert all([m["name"] for m in listing["models"]] == [keeper] for listing in listings)
    [problem] = listings[-1]["problems"]
    assert shard.name in problem
    assert [r.getMessage() for r in caplog.records].count(f"left out a broken model: {problem}") == 1
    for path in (f"/models/{victim}/model.json", f"/models/{victim}/{shard.name}"):
        assert client.get(path).status_code == 404, path

    shard.write_bytes(intact)
    assert _version(client, victim) is not None and client.get("/api/models").json()["problems"] == []


def _break_in_every_way(models_dir: Path) -> None:
    """One folder per kind of problem the catalog reports."""
    template = next(p for p in models_dir.iterdir() if p.is_dir())
    broken = {name: models_dir / name for name in ("truncated", "no-shard", "bad-json", "linked", "not-a-model")}
    for folder in broken.values():
        shutil.copytree(template, folder)
    shard = _shard_name(template)
    (broken["truncated"] / shard).write_bytes(b"\0" * 10)
    (broken["no-shard"] / shard).unlink()
    (broken["bad-json"] / "model.json").write_text("{not json")
    (broken["linked"] / shard).unlink()
    (broken["linked"] / shard).symlink_to(template / shard)
    for file in broken["not-a-model"].iterdir():
        file.unlink()


def test_problems_name_model_folders_not_server_paths(models_dir, tmp_path):
    _break_in_every_way(models_dir)
    problems = TestClient(serve.create_app(models_dir)).get("/api/models").json()["problems"]
    missing = TestClient(serve.create_app(tmp_path / "nowhere")).get("/api/models").json()["problems"]
    assert len(problems) == 5 and len(missing) == 1
    for problem in problems + missing:
        assert str(tmp_path) not in problem and str(tmp_path.resolve()) not in problem, problem
        assert not any(PurePosixPath(word.strip("'\"(),:")).is_absolute() for word in problem.split()), problem


def _site_entry(client, name: str) -> dict | None:
    return next((m for m in client.get("/models.json").json()["models"] if m["name"] == name), None)


def test_the_site_model_list_follows_a_reexported_model(models_dir):
    source, victim = _names(models_dir)
    client = TestClient(serve.create_app(models_dir))
    old = _site_entry(client, victim)
    old_files = {url: client.get("/" + url) for url in old["files"]}
    assert all(response.status_code == 200 for response in old_files.values())

    _reexport(models_dir / source, models_dir / victim)

    new = _site_entry(client, victim)
    assert new["version"] == _version(client, victim) and new["version"] != old["version"]
    assert new["url"] == f"models/{victim}/{new['version']}/model.json"
    for url in new["files"]:
        served = client.get("/" + url)
        assert served.status_code == 200 and "immutable" in served.headers["cache-control"]
        assert served.content == (models_dir / victim / PurePosixPath(url).name).read_bytes()
    assert all(client.get("/" + url).status_code == 404 for url in old_files), "old versions are dropped"
