"""The embedding model: the packaged one, a local folder of the user's, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from cpguide.errors import ModelLoadError
from cpguide.index.embedder import HashingEmbedder, load_embedder, model_identity, resolve_model_path
from cpguide.settings import PACKAGED_MODEL


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
