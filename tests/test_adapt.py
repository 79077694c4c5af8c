"""`cpguide adapt`: training pairs, the adapted model kept with its index, and nothing half-written."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from cpguide.index import adapt, store
from cpguide.settings import PACKAGED_MODEL, Settings

PASSAGES = [
    ("Guide > Housing", "Care leavers should not be placed in bed and breakfast accommodation. "
     "The pathway plan must say where the young person will live. Housing officers should know every care leaver."),
    ("Guide > Health", "Every child in care has a health assessment each year. Dental checks happen every six months."),
    ("Guide > Short", "Councillors ask questions at the corporate parenting panel."),
    ("Guide > Empty", "Yes."),
]


def test_each_round_takes_one_sentence_from_each_passage_and_cuts_it_out():
    pairs = adapt.round_pairs(PASSAGES, random.Random(0), remove_sentence=1.0)
    assert sorted(p.group for p in pairs) == [0, 1, 2]  # no passage twice; none without a whole sentence
    for p in pairs:
        context, text = PASSAGES[p.group]
        assert p.query in text and p.passage.startswith(context + "\n")
        if p.group in (0, 1):
            assert p.query not in p.passage  # found by its neighbours' words, not by itself
        else:
            assert p.query in p.passage  # a passage of one sentence keeps it: there is nothing else


def _fake_adapted_index(tmp_path: Path) -> tuple[Path, Path]:
    index_dir = tmp_path / "index"
    gen = index_dir / "gen-1"
    folder = index_dir / "models" / "m-adapted-1"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    gen.mkdir()
    (gen / "manifest.json").write_text(json.dumps({"adaptation": {"model_folder": "models/m-adapted-1"}}))
    (index_dir / "CURRENT").write_text("gen-1\n")
    return index_dir, folder


def test_an_adapted_index_is_searched_with_its_model_unless_another_is_named(tmp_path):
    index_dir, folder = _fake_adapted_index(tmp_path)
    assert Settings.resolve(env={}, index_dir=str(index_dir)).model == str(folder)
    assert Settings.resolve(env={}, index_dir=str(index_dir), model="/my/model").model == "/my/model"
    assert Settings.resolve(env={"CPGUIDE_MODEL": "/env/model"}, index_dir=str(index_dir)).model == "/env/model"
    assert Settings.resolve(env={}, index_dir=str(tmp_path / "other")).model == PACKAGED_MODEL


def test_an_ingest_keeps_the_adaptation_record_while_its_model_is_used(tmp_path, hashing_embedder):
    from cpguide.ingest.pipeline import run_ingest
    from cpguide.ingest.sources import scan

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Housing officers should know every care leaver in the area.\n")
    index_dir = tmp_path / "index"
    record = {"objective": adapt.OBJECTIVE, "model_folder": "models/x"}

    def ingest(model="hashing:64", adaptation=None):
        run_ingest(scan([docs], {}).sources, index_dir=index_dir, model=model,
                   embedder_factory=lambda: __import__("cpguide.index.embedder", fromlist=["x"]).load_embedder(model),
                   adaptation=adaptation)
        return store.read_manifest(store.current_generation(index_dir))

    assert ingest(adaptation=record)["adaptation"] == record
    (docs / "b.txt").write_text("Dental checks happen every six months for children in care.\n")
    assert ingest()["adaptation"] == record  # a new document, embedded by the same model
    assert "adaptation" not in ingest(model="hashing:32")  # another model: the record goes


def test_an_interrupted_adaptation_leaves_no_model_behind(tmp_path, monkeypatch):
    def interrupted(base_path, passages, out_dir, config, progress=None):
        (out_dir / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(adapt, "train", interrupted)
    with pytest.raises(KeyboardInterrupt):
        adapt.adapt_into(tmp_path, Path("base"), PASSAGES, adapt.AdaptConfig(), base_name="m")
    assert list((tmp_path / adapt.MODELS_FOLDER).iterdir()) == []


@pytest.mark.model
def test_adapt_trains_keeps_the_model_in_the_index_and_can_be_undone(tmp_path, monkeypatch):
    """A tiny adaptation (one round over a few passages): end to end, as a user runs it."""
    from cpguide.cli import _register, cli

    _register()
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("housing", "health", "education"):
        (docs / f"{name}.txt").write_text(
            f"# {name.title()} and care leavers\n\n" + " ".join(
                f"The {name} service should support care leavers with point {i} of the local offer."
                for i in range(40)) + "\n")
    index_dir = tmp_path / "index"
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(docs), "--index-dir", str(index_dir), "-q"]).exit_code == 0
    before = store.read_manifest(store.current_generation(index_dir))

    monkeypatch.setenv("CPGUIDE_CACHE_DIR", str(tmp_path / "cache"))  # the adapted export stays in the test
    result = runner.invoke(cli, ["adapt", "--index-dir", str(index_dir), "--rounds", "1", "--minutes", "1", "-q"])
    assert result.exit_code == 0, result.output
    assert "this index now searches with" in result.output
    manifest = store.read_manifest(store.current_generation(index_dir))
    rec = manifest["adaptation"]
    assert rec["objective"] == "inverse-cloze" and rec["config"]["rounds"] == 1
    assert rec["trained_on"]["passages"] == before["chunks"] and rec["base_model"]["setting"] == PACKAGED_MODEL
    assert (index_dir / rec["model_folder"] / "config.json").is_file()
    assert manifest["model"]["fingerprint"] != before["model"]["fingerprint"]

    found = runner.invoke(cli, ["search", "dental", "--index-dir", str(index_dir), "--json"])
    assert found.exit_code == 0, found.output  # no --model: the index's own model is used

    monkeypatch.delenv("CPGUIDE_CACHE_DIR")
    undone = runner.invoke(cli, ["adapt", "--remove", "--index-dir", str(index_dir)])
    assert undone.exit_code == 0, undone.output
    manifest = store.read_manifest(store.current_generation(index_dir))
    assert "adaptation" not in manifest and manifest["model"]["fingerprint"] == before["model"]["fingerprint"]
    assert list((index_dir / "models").iterdir()) == []
