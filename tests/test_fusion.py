"""Learned fusion: the shipped numbers load, a broken file falls back to RRF, and it orders by its signals."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from cpguide.index.fusion import FEATURES, FUSION_FILE, FusionModel, load_fusion, question_place


def _model(**weights) -> FusionModel:
    w = np.array([weights.get(n, 0.0) for n in FEATURES])
    return FusionModel(FEATURES, w, 0.0, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), 30)


def test_the_shipped_fusion_loads_with_every_feature():
    model = load_fusion()
    assert FUSION_FILE.is_file(), "index/fusion.toml ships with the package"
    assert model is not None and model.features == FEATURES and model.pool >= 10
    assert "fit_fusion" in FUSION_FILE.read_text()  # says how it was made


def test_a_missing_file_means_reciprocal_rank_fusion(tmp_path):
    assert load_fusion(tmp_path / "none.toml") is None


def test_a_broken_or_mismatched_file_is_ignored_with_a_warning(tmp_path, caplog):
    bad = tmp_path / "fusion.toml"
    bad.write_text("pool = 30\nbias = 0\n[weights]\nrrf = 1\n[means]\nrrf = 0\n[scales]\nrrf = 1\n")
    with caplog.at_level(logging.WARNING):
        assert load_fusion(bad) is None
    assert "reciprocal rank fusion" in caplog.text
    bad.write_text("pool = [")
    assert load_fusion(bad) is None


def test_a_fitted_model_survives_writing_and_reading(tmp_path):
    model = _model(dense=2.0, overlap=-0.5)
    path = tmp_path / "fusion.toml"
    path.write_text(model.to_toml("written by a test"))
    again = load_fusion(path)
    x = np.random.default_rng(0).normal(size=(5, len(FEATURES)))
    assert np.allclose(again.score(x), model.score(x), atol=1e-6)


def test_a_question_names_at_most_one_nation():
    assert question_place("What does the Welsh charter ask of housing?") == "wales"
    assert question_place("what must councils in England do") == "england"
    assert question_place("how do England and Wales differ?") is None
    assert question_place("what should housing do?") is None


@pytest.mark.model
def test_without_a_fitted_model_search_is_plain_rrf_and_the_top_of_the_list_is_reordered(library, embedder):
    from cpguide.index.lexical import tokenize
    from cpguide.index.search import Searcher

    rrf = Searcher(library, embedder, fusion=None)
    q = "what should housing services do for care leavers?"
    plain = [h.chunk_id for h in rrf.search(q, k=30, dedupe=False)]
    # A model that only trusts BM25 puts BM25's best first; the rows it reorders are RRF's top 30.
    by_words = Searcher(library, embedder, fusion=_model(bm25_rel=5.0))
    words = [h.chunk_id for h in by_words.search(q, k=30, dedupe=False)]
    tokens = tokenize(by_words.vocabulary.expand(q))
    assert words[0] == library.chunks[by_words.bm25(tokens, None, 1)[0][0]].chunk_id
    assert set(words) == set(plain)
    assert words != plain


@pytest.mark.model
def test_the_shipped_fusion_keeps_direct_questions_on_target(searcher):
    hits = searcher.search("Care leavers should not be placed in bed and breakfast accommodation", k=3)
    assert "bed and breakfast" in hits[0].text
    assert hits[0].score > hits[1].score  # scores follow the order shown


def test_the_passage_token_cache_stays_bounded(library):
    from cpguide.index.fusion import Features

    features = Features(library, cache_rows=10)
    for row in range(40):
        features._tokens(row)
    assert len(features._tokens_of) == 10
    assert features._tokens(39) == features._tokens(39)
