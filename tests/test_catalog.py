"""The model catalog: every malformed folder is a named problem, left out, and the others still list.

Each case below broke `digitdraw serve` / `digitdraw models` (a traceback) or was listed although
the browser could not load it, before the checks in tfjs/format.py.
"""

import json
import os
import shutil
import time

import pytest

from digitdraw import cli, tfjs
from digitdraw.app import catalog
from digitdraw.config import DEFAULT_MODEL
from digitdraw.models import RECIPES
from digitdraw.tfjs import format as tfjs_format

GOOD, VICTIM = "cnn", "mlp"


@pytest.fixture
def models_dir(tmp_path):
    for name in (GOOD, VICTIM):
        shutil.copytree(catalog.BUNDLED_DIR / name, tmp_path / name)
    return tmp_path


def edit_json(path, change):
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def only_problem(models_dir):
    models, problems = catalog.scan(models_dir)
    assert [m.name for m in models] == [GOOD], problems
    assert len(problems) == 1, problems
    assert str(models_dir) not in problems[0], "problems name the model folder, not server paths"
    return problems[0]


def first_layer_with(document, key):
    return next(layer for layer in document["modelTopology"]["config"]["layers"] if key in layer["config"])


BREAKAGES = {
    "metadata is a list": (
        lambda d: (d / "metadata.json").write_text("[]"),
        "mlp/metadata.json: must hold a JSON object, not list",
    ),
    "manifest group without paths": (
        lambda d: edit_json(d / "model.json", lambda doc: doc["weightsManifest"][0].pop("paths")),
        "mlp/model.json: a weightsManifest group needs a list of shard `paths`",
    ),
    "files entry without bytes": (
        lambda d: edit_json(
            d / "metadata.json", lambda doc: doc["format"]["files"]["group1-shard1of1.bin"].pop("bytes")
        ),
        "mlp/metadata.json: files entry 'group1-shard1of1.bin' needs a byte count",
    ),
    "model.json not UTF-8": (
        lambda d: (d / "model.json").write_bytes(b'{"format": "\xff\xfe layers"}'),
        "mlp/model.json: not UTF-8 text",
    ),
    "metadata.json not UTF-8": (
        lambda d: (d / "metadata.json").write_bytes(b"\x89PNG\r\n"),
        "mlp/metadata.json: not UTF-8 text",
    ),
    "unknown layer class": (
        lambda d: edit_json(
            d / "model.json",
            lambda doc: doc["modelTopology"]["config"]["layers"][1].update(class_name="FancyAttention"),
        ),
        "mlp/model.json: unknown layer type 'FancyAttention'",
    ),
    "kernel shape against the topology": (
        lambda d: edit_json(
            d / "model.json",
            lambda doc: first_layer_with(doc, "units").update(
                config={**first_layer_with(doc, "units")["config"], "units": 300}
            ),
        ),
        "mlp/model.json: weight dense1/kernel has shape [784, 512], the layer needs [784, 300]",
    ),
    "unknown activation": (
        lambda d: edit_json(
            d / "model.json", lambda doc: first_layer_with(doc, "activation")["config"].update(activation="zigzag")
        ),
        "unknown activation 'zigzag'",
    ),
    "layers not a list": (
        lambda d: edit_json(d / "model.json", lambda doc: doc["modelTopology"]["config"].update(layers={})),
        "mlp/model.json: the topology has no list of layers",
    ),
    "weight without shape": (
        lambda d: edit_json(d / "model.json", lambda doc: doc["weightsManifest"][0]["weights"][0].pop("shape")),
        "has no valid shape",
    ),
    "missing model.json": (lambda d: (d / "model.json").unlink(), "mlp/model.json: missing"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_malformed_folder_is_a_named_problem_and_the_others_list(models_dir, breakage):
    damage, expected = BREAKAGES[breakage]
    damage(models_dir / VICTIM)
    assert expected in only_problem(models_dir)


def test_the_cli_lists_the_good_models_and_reports_the_broken_one(models_dir, capsys):
    (models_dir / VICTIM / "metadata.json").write_text("[]")
    assert cli.main(["models", "--models", str(models_dir)]) == 0
    out, err = capsys.readouterr()
    assert GOOD in out and VICTIM not in out
    assert "broken: mlp/metadata.json: must hold a JSON object" in err


def test_a_shard_linked_from_outside_the_folder_is_refused(models_dir, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "weights.bin"
    shard = models_dir / VICTIM / "group1-shard1of1.bin"
    shutil.move(shard, outside)
    os.symlink(outside, shard)
    assert "mlp/group1-shard1of1.bin: a weight shard must be a regular file, not a link" in only_problem(models_dir)


def test_a_huge_shard_is_judged_by_its_size_before_a_byte_is_read(models_dir, monkeypatch):
    shard = models_dir / VICTIM / "group1-shard1of1.bin"
    with open(shard, "r+b") as stream:
        stream.truncate(2 * 1024**3)  # sparse: 2 GB on paper, nothing on disk
    real_sha256 = tfjs_format.sha256_of

    def sha256_unless_victim(path):
        if VICTIM in path.parts:
            pytest.fail(f"{path} was read")
        return real_sha256(path)

    monkeypatch.setattr(tfjs_format, "sha256_of", sha256_unless_victim)
    started = time.perf_counter()
    problem = only_problem(models_dir)
    assert "2147483648 bytes, metadata.json says" in problem
    assert time.perf_counter() - started < 5


def test_a_shard_too_long_for_its_manifest_is_refused_without_metadata(models_dir):
    (models_dir / VICTIM / "metadata.json").unlink()
    shard = models_dir / VICTIM / "group1-shard1of1.bin"
    shard.write_bytes(shard.read_bytes() + b"\0" * 64)
    assert "64 bytes left over after the last weight" in only_problem(models_dir)


def test_every_listed_bundled_model_passes_the_browser_level_checks():
    models, problems = catalog.scan()
    assert problems == []
    assert {m.name for m in models} >= {"mlp", "cnn", "keras-cnn", "robust-cnn"}
    assert models[0].name == DEFAULT_MODEL


def test_the_catalog_follows_the_files(models_dir):
    live = catalog.Catalog(models_dir)
    before = {m.name: m.version for m in live.current()[0]}
    shutil.rmtree(models_dir / VICTIM)
    shutil.copytree(catalog.BUNDLED_DIR / "keras-cnn", models_dir / VICTIM)  # a re-export under the same name
    after = {m.name: m.version for m in live.current()[0]}
    assert after[GOOD] == before[GOOD] and after[VICTIM] != before[VICTIM]
    shard = models_dir / VICTIM / "group1-shard1of1.bin"
    shard.write_bytes(shard.read_bytes()[:-10])
    models, problems = live.current()
    assert [m.name for m in models] == [GOOD] and "truncated" in problems[0]


def test_version_follows_the_weights_not_the_folder_name(models_dir):
    version = catalog.inspect(models_dir / GOOD).version
    model = tfjs.load(models_dir / GOOD)
    tfjs.save(model, models_dir / "copy", metadata=tfjs.read_metadata(models_dir / GOOD), quantize="float16")
    assert catalog.inspect(models_dir / "copy").version != version


def test_the_configured_default_model_has_a_recipe():
    assert DEFAULT_MODEL in RECIPES
