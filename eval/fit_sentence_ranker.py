"""Fit the answer-sentence scorer on the dev set, with cross-validation, and write its numbers.

    python -m cpguide.eval.fit_sentence_ranker [--index-dir DIR] [--write]

For every answerable dev question (``gold.jsonl``) the assistant's own retrieval gives the
candidate sentences; a sentence is a positive when it quotes a gold passage. A regularised
logistic regression over the features in ``cpguide.assistant.selection.FEATURES`` is fitted;
its strength is chosen by 5-fold cross-validation grouped by question (so no question's
sentences are both trained and judged on), repeated over three seeds, and compared with the
hand-set weights on the same folds by how often the top sentence quotes the gold passage.
``--write`` stores the model fitted on all of dev in ``assistant/sentence_ranker.toml``; the
held-out test set is never read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from cpguide.assistant.selection import FEATURES, HAND_WEIGHTS

STRENGTHS = (0.001, 0.003, 0.01, 0.03, 0.1, 1.0)
PASSAGES = 6


class _Quote:
    def __init__(self, text: str):
        self.quote = text


def gather(assistant, items: list[dict]):
    """(features, labels, question index) over the candidate sentences of every item."""
    from cpguide.eval.runner import QuoteMatcher, _cites_gold, gold_quotes

    xs, ys, groups = [], [], []
    for n, item in enumerate(items):
        q = item["question"]
        qvec = assistant.searcher.embed_query(assistant.searcher.vocabulary.expand(q))
        hits = assistant.searcher.search(q, k=8, query_vector=qvec, max_chars=10_000)[:PASSAGES]
        cands = assistant.selector.candidates(hits)
        if not cands:
            continue
        matchers = [QuoteMatcher(g) for g in gold_quotes(item)]
        xs.append(assistant.selector.features(q, qvec, cands))
        ys.append(np.array([any(_cites_gold(_Quote(c.text), m) for m in matchers) for c in cands], dtype=int))
        groups.append(np.full(len(cands), n))
    return np.vstack(xs), np.concatenate(ys), np.concatenate(groups)


def top1(scores: np.ndarray, y: np.ndarray, groups: np.ndarray, keep: set[int]) -> float:
    """Share of questions (with a positive candidate) whose best-scored sentence is a positive."""
    wins = total = 0
    for g in keep:
        m = groups == g
        if y[m].any():
            total += 1
            wins += int(y[m][np.argmax(scores[m])])
    return wins / max(1, total)


def fit(x: np.ndarray, y: np.ndarray, groups: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """Pairwise weights: within each question, a gold sentence should outscore every other.

    Pointwise classification mixes easy and hard questions; ranking only compares sentences
    that compete for the same answer. Features are standardised inside, so a strength means
    the same for all of them; the weights returned apply to raw features.
    """
    from sklearn.linear_model import LogisticRegression

    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    z = (x - means) / scales
    diffs = []
    rng = np.random.default_rng(0)
    for g in np.unique(groups):
        m = groups == g
        pos, neg = z[m][y[m] == 1], z[m][y[m] == 0]
        if not len(pos) or not len(neg):
            continue
        for p in pos:
            for n in neg[rng.permutation(len(neg))[:15]]:
                diffs.append(p - n)
    d = np.array(diffs)
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=2000).fit(
        np.vstack([d, -d]), np.concatenate([np.ones(len(d)), np.zeros(len(d))]))
    return model.coef_[0] / scales, 0.0


def cross_validate(x, y, groups, c: float | None, seeds=(0, 1, 2)) -> float:
    """Mean top-1 accuracy over held-out folds; ``c`` None scores with the hand-set weights."""
    ids = np.unique(groups)
    results = []
    for seed in seeds:
        order = np.random.default_rng(seed).permutation(ids)
        for fold in np.array_split(order, 5):
            test = np.isin(groups, fold)
            if c is None:
                w, b = np.array(HAND_WEIGHTS), 0.0
            else:
                w, b = fit(x[~test], y[~test], groups[~test], c)
            results.append(top1(x @ w + b, y, groups, set(fold.tolist())))
    return float(np.mean(results))


def main(argv=None) -> None:
    from cpguide.app import Services
    from cpguide.eval.runner import gold_path
    from cpguide.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir")
    ap.add_argument("--write", action="store_true", help="store the model in assistant/sentence_ranker.toml")
    args = ap.parse_args(argv)
    assistant = Services(Settings.resolve(index_dir=args.index_dir)).assistant
    items = [json.loads(line) for line in gold_path("gold.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    items = [i for i in items if i["answerable"]]
    x, y, groups = gather(assistant, items)
    print(f"dev: {len(items)} questions, {len(y)} candidate sentences, {int(y.sum())} quote gold")
    hand = cross_validate(x, y, groups, None)
    print(f"  hand-set weights: top sentence quotes gold for {hand:.3f} of questions")
    best = (hand, None)
    for c in STRENGTHS:
        score = cross_validate(x, y, groups, c)
        print(f"  fitted, C={c:<5} cross-validated: {score:.3f}")
        best = max(best, (score, c), key=lambda t: t[0])
    score, c = best
    if c is None:
        print("the hand-set weights are not beaten; nothing written")
        return
    w, b = fit(x, y, groups, c)
    print(f"chosen C={c} ({score:.3f} vs hand-set {hand:.3f})")
    for name, weight in zip(FEATURES, w):
        print(f"  {name:<26} {weight:+.3f}")
    if args.write:
        out = Path(__file__).resolve().parents[1] / "assistant" / "sentence_ranker.toml"
        out.write_text("\n".join([
            "# Answer-sentence scorer: a logistic model over the features in selection.py (raw units).",
            "# Written by `python -m cpguide.eval.fit_sentence_ranker --write` from the dev set",
            f"# (eval/gold.jsonl), 5-fold cross-validation grouped by question over 3 seeds: C={c};",
            f"# top sentence quotes gold for {score:.3f} of questions (hand-set weights {hand:.3f}).",
            "[model]",
            f"features = {json.dumps(list(FEATURES))}",
            f"weights = {json.dumps([round(float(v), 5) for v in w])}",
            f"bias = {round(b, 5)}",
            "",
        ]), encoding="utf-8")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
