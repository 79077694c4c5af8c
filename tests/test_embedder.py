"""The embedding model: the packaged one, a local folder of the user's, clear errors, and the two backends
(ONNX, the default, and torch) that must agree and must never be mixed in one index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cpguide.errors import IndexMismatch, ModelLoadError, UsageError
from cpguide.index.embedder import HashingEmbedder, load_embedder, model_identity, resolve_model_path
from cpguide.settings import PACKAGED_MODEL, Settings


def test_real_model_gives_unit_vectors_that_mean_something(embedder):
    vecs = embedder.embed(["dental check-ups for children in care", "teeth checks for looked-after kids",
                           "the council's parking enforcement policy"])
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.2


def test_a_local_model_folder_can_be_named_instead(embedder):
    folder = str(resolve_model_path(PACKAGED_MODEL))
    other = load_embedder(folder)  # the same weights, given as a folder path
    assert other.fingerprint == embedder.fingerprint == model_identity(folder)["fingerprint"]
    assert np.allclose(other.embed(["care leavers"]), embedder.embed(["care leavers"]), atol=1e-5)


def test_a_missing_model_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ModelLoadError) as err:
        load_embedder(str(tmp_path / "no-model-here"))
    assert "Model folder not found" in err.value.message and "nothing is downloaded" in err.value.hint


def test_a_folder_that_is_not_a_model_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ModelLoadError) as err:
        load_embedder(str(tmp_path))
    assert "Could not load the embedding model" in err.value.message


def test_hashing_embedder_is_deterministic_and_counts():
    e = HashingEmbedder(32)
    a, b = e.embed(["care leavers housing"]), e.embed(["care leavers housing"])
    assert np.array_equal(a, b) and e.calls == 2 and e.texts_embedded == 2


# --- the two backends -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def torch_embedder():
    """The torch backend, loaded once: the only tests in the suite that import torch."""
    return load_embedder(PACKAGED_MODEL, backend="torch")


def _real_passages(n: int = 32) -> list[str]:
    from cpguide.ingest.sources import starter_corpus_dir

    paras = []
    for f in sorted(starter_corpus_dir().glob("*.txt")):
        paras += [p.strip() for p in f.read_text(encoding="utf-8").split("\n\n") if len(p.split()) >= 12]
    step = max(1, len(paras) // n)
    return paras[::step][:n] + [" ".join(paras[:6])]  # and one longer than the model's 256 tokens


def test_onnx_is_the_default_backend_and_runs_without_torch(embedder):
    assert Settings.resolve(env={}).backend == "onnx"
    assert embedder.backend == "onnx" and embedder.fingerprint.endswith("+onnx-int8")
    identity = model_identity(PACKAGED_MODEL)
    assert identity["fingerprint"] == embedder.fingerprint
    assert (identity["backend"], identity["quantization"]) == ("onnx", "int8")


def test_both_backends_give_the_same_meaning_on_real_passages(embedder, torch_embedder):
    texts = _real_passages()
    a = embedder.embed(texts, batch_size=16)
    b = torch_embedder.embed(texts, batch_size=16)
    cosines = np.sum(a * b, axis=1)
    assert cosines.min() >= 0.98, f"lowest cosine {cosines.min():.4f}"
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    # Past the packaged tokenizer.json's 128 tokens (but within the model's 256) the words still count.
    words = texts[-1].split()[:150]
    ends = [" ".join(words), " ".join(words[:-12] + ["dental check-ups and teeth for every child in care"])]
    assert float(np.prod(embedder.embed(ends), axis=0).sum()) < 0.999
    # The fingerprints differ (so indexes never mix them), but name the same model.
    assert torch_embedder.fingerprint == embedder.fingerprint.partition("+")[0]
    assert torch_embedder.fingerprint == model_identity(PACKAGED_MODEL, "torch")["fingerprint"]


def test_batching_does_not_change_a_passage_vector_from_run_to_run(embedder):
    texts = _real_passages(20)
    assert np.array_equal(embedder.embed(texts, batch_size=8), embedder.embed(list(texts), batch_size=8))


def test_an_index_is_only_searched_with_the_backend_that_built_it(starter_index, embedder, torch_embedder):
    from cpguide.index.library import Library

    lib = Library.open(starter_index)
    assert lib.model["backend"] == "onnx" and lib.model["quantization"] == "int8"
    lib.check_embedder(embedder)
    with pytest.raises(IndexMismatch) as err:
        lib.check_embedder(torch_embedder)
    msg, hint = err.value.message, err.value.hint
    assert "embedded with the onnx (int8) backend; the configured backend is torch" in msg
    assert "`cpguide ingest --backend torch`" in hint and "--backend onnx (CPGUIDE_BACKEND=onnx)" in hint


def test_changing_backend_re_embeds_everything_and_the_wrong_embedder_is_refused(tmp_path, embedder, torch_embedder):
    from cpguide.ingest.pipeline import run_ingest
    from cpguide.ingest.sources import discover

    doc = tmp_path / "housing.md"
    doc.write_text("# Housing\n\nCare leavers should be helped to find suitable housing.\n\n"
                   "# Health\n\nHealth services should check every child's teeth each year.\n")
    index = tmp_path / "index"
    first = run_ingest(discover([doc]), index_dir=index, model=PACKAGED_MODEL, backend="torch",
                       embedder_factory=lambda: torch_embedder)
    again = run_ingest(discover([doc]), index_dir=index, model=PACKAGED_MODEL, backend="onnx",
                       embedder_factory=lambda: embedder)
    assert first.chunks_embedded == again.chunks_embedded == again.chunks > 0
    from cpguide.index.library import Library

    Library.open(index).check_embedder(embedder)
    with pytest.raises(IndexMismatch, match="is not the configured one"):
        run_ingest(discover([doc]), index_dir=index, model=PACKAGED_MODEL, backend="torch", rebuild=True,
                   embedder_factory=lambda: embedder)


def test_setup_model_exports_into_a_cache_atomically(tmp_path, torch_embedder):
    """The export itself (torch is already loaded by the fixture, so this costs a few seconds)."""
    import json

    from click.testing import CliRunner

    from cpguide.cli import _register, cli

    _register()
    cache = tmp_path / "cache"
    run = lambda: CliRunner().invoke(cli, ["setup-model", "--cache-dir", str(cache), "--json"])
    result = run()
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["cached"] is False and out["fingerprint"].endswith("+onnx-int8") and 10 < out["megabytes"] < 40
    assert [p.name for p in (cache / "onnx").iterdir()] == [Path(out["onnx"]).parent.name]  # no temp folder left
    assert json.loads(run().stdout)["cached"] is True
    fresh = load_embedder(PACKAGED_MODEL, cache_dir=cache)
    texts = _real_passages(8)
    assert np.sum(fresh.embed(texts) * torch_embedder.embed(texts), axis=1).min() >= 0.98


def test_without_an_export_and_without_exporting_the_error_says_what_to_run(tmp_path):
    from cpguide.index.embedder import onnx_embedder

    with pytest.raises(ModelLoadError) as err:
        onnx_embedder(PACKAGED_MODEL, tmp_path / "empty-cache", export=False)
    assert "not been exported to ONNX" in err.value.message and "cpguide setup-model" in err.value.hint


def test_an_unknown_backend_is_a_clear_error():
    with pytest.raises(UsageError, match="CPGUIDE_BACKEND / --backend must be one of onnx, torch"):
        Settings.resolve(env={"CPGUIDE_BACKEND": "tensorflow"})


def test_search_on_the_onnx_backend_imports_neither_torch_nor_sentence_transformers(starter_index):
    import os
    import subprocess
    import sys

    code = ("import sys\nfrom cpguide.cli import main\n"
            "try:\n    main(['search', 'housing for care leavers', '--k', '1', '--json'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))")
    env = {**os.environ, "CPGUIDE_INDEX_DIR": str(starter_index)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert '"hits"' in lines[0] and lines[-1] == "[]", result.stdout[-500:]


def test_the_process_exits_cleanly_while_a_background_thread_is_embedding():
    """As the web server's warm-up thread may be when the server stops: no abort (status 134)."""
    import subprocess
    import sys

    code = ("import threading, time\nfrom cpguide.index.embedder import load_embedder\n"
            "from cpguide.settings import PACKAGED_MODEL\ne = load_embedder(PACKAGED_MODEL)\n"
            "texts = ['corporate parents and care leavers ' * 20] * 64\n"
            "threading.Thread(target=lambda: [e.embed(texts) for _ in range(100)], daemon=True).start()\n"
            "time.sleep(0.3)\nprint('bye')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "bye", result.stderr[-500:]


def test_long_passages_go_in_smaller_batches_to_bound_memory():
    from cpguide.index.onnx_embedder import MAX_BATCH_ATTENTION, _batches

    lengths = [10] * 100 + [256] * 40
    batches = _batches(list(range(140)), lengths, 64)
    assert sorted(i for b in batches for i in b) == list(range(140))
    assert [len(b) for b in batches[:2]] == [64, 36]  # short texts: full batches
    assert all(len(b) * max(lengths[i] for i in b) ** 2 <= MAX_BATCH_ATTENTION for b in batches[2:])
