"""Fit the learned fusion on the dev set, cross-validated by question, and write its numbers.

    python -m cpguide.eval.fit_fusion [--index-dir DIR] [--seeds 0 1 2] [--write]

For every answerable dev question (``gold.jsonl``) the top ``--pool`` candidates of reciprocal
rank fusion are collected with their features (``cpguide.index.fusion.FEATURES``) and marked
when they hold the gold quote. A logistic regression is fitted on four fifths of the questions
(its strength chosen by an inner split of those) and judged on the fifth it never saw, by the
same search and matching ``cpguide eval`` uses; this is repeated for each seed of the split, and
the figures are reported with their spread beside fixed reciprocal rank fusion. ``--write``
fits on all of dev and stores the model in ``index/fusion.toml``. The held-out test set is
never read here.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from cpguide.index.fusion import FEATURES, FUSION_FILE, FusionModel

STRENGTHS = (0.01, 0.03, 0.1, 0.3, 1.0)
POOL = 30
METRICS = ("recall@1", "recall@5", "recall@10", "mrr@10")


def collect(searcher, items: list[dict], pool: int):
    """(features, labels, question index per row) for the RRF pool of every item."""
    from cpguide.eval.runner import QuoteMatcher

    xs, ys, groups, found = [], [], [], 0
    for q, item in enumerate(items):
        rows, x = searcher.fusion_pool(item["question"], pool)
        matcher = QuoteMatcher(item["quote"])
        y = np.array([matcher.matches(searcher.library.chunks[r].text) for r in rows], dtype=int)
        found += bool(y.any())
        xs.append(x)
        ys.append(y)
        groups.append(np.full(len(rows), q))
    return np.vstack(xs), np.concatenate(ys), np.concatenate(groups), found / max(1, len(items))


def fit(x: np.ndarray, y: np.ndarray, c: float, pool: int) -> FusionModel:
    from sklearn.linear_model import LogisticRegression

    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=2000).fit((x - means) / scales, y)
    return FusionModel(FEATURES, model.coef_[0].copy(), float(model.intercept_[0]), means, scales, pool)


def pool_mrr(model: FusionModel, x, y, groups, qs) -> float:
    """MRR@10 within the pool (no de-duplication): quick, for choosing the strength."""
    total = 0.0
    for q in qs:
        m = groups == q
        order = np.argsort(-model.score(x[m]), kind="stable")
        hits = np.flatnonzero(y[m][order][:10])
        total += 1 / (hits[0] + 1) if len(hits) else 0.0
    return total / max(1, len(qs))


def choose_strength(x, y, groups, qs: np.ndarray, seed: int, pool: int) -> float:
    """The strength with the best inner cross-validated pool MRR on these questions."""
    from sklearn.model_selection import KFold

    scores = {}
    for c in STRENGTHS:
        s = []
        for train, test in KFold(4, shuffle=True, random_state=seed).split(qs):
            m = np.isin(groups, qs[train])
            s.append(pool_mrr(fit(x[m], y[m], c, pool), x, y, groups, qs[test]))
        scores[c] = float(np.mean(s))
    return max(STRENGTHS, key=lambda c: (round(scores[c], 4), -c))


def evaluate(searcher, items: list[dict], fusion) -> dict:
    from cpguide.eval.runner import evaluate_retrieval

    searcher.fusion = fusion
    return evaluate_retrieval(searcher, items, methods=("hybrid",))[0].to_dict()


def cross_validate(searcher, items, x, y, groups, seed: int, pool: int, folds: int = 5) -> tuple[dict, list]:
    """Figures on each held-out fold, pooled over the folds (each question judged once)."""
    from sklearn.model_selection import KFold

    qs = np.arange(len(items))
    totals = {k: 0.0 for k in METRICS}
    strengths = []
    for train, test in KFold(folds, shuffle=True, random_state=seed).split(qs):
        c = choose_strength(x, y, groups, qs[train], seed, pool)
        strengths.append(c)
        m = np.isin(groups, qs[train])
        scores = evaluate(searcher, [items[i] for i in test], fit(x[m], y[m], c, pool))
        for k in METRICS:
            totals[k] += scores[k] * len(test) / len(items)
    return totals, strengths


def load_dev(services) -> list[dict]:
    from cpguide.eval import runner
    from cpguide.eval.check import check_items

    documents = {d: services.library.document(d).text for d in services.library.docs}
    items, _ = check_items(runner.gold_path("gold.jsonl"), documents)
    return [i for i in items if i["answerable"]]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index-dir")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--pool", type=int, default=POOL)
    parser.add_argument("--write", action="store_true", help=f"Fit on all of dev and write {FUSION_FILE.name}.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from cpguide.app import Services
    from cpguide.settings import Settings

    services = Services(Settings.resolve(index_dir=args.index_dir))
    searcher = services.searcher
    items = load_dev(services)
    t0 = time.perf_counter()
    x, y, groups, pool_recall = collect(searcher, items, args.pool)
    out = {"questions": len(items), "pool": args.pool, "pool_recall": round(pool_recall, 3),
           "rrf": {k: round(v, 3) for k, v in evaluate(searcher, items, None).items() if k in METRICS}}
    runs = []
    for seed in args.seeds:
        totals, strengths = cross_validate(searcher, items, x, y, groups, seed, args.pool)
        runs.append({"seed": seed, **{k: round(v, 3) for k, v in totals.items()}, "strengths": strengths})
    out["learned_cv"] = runs
    out["learned_cv_mean"] = {k: round(float(np.mean([r[k] for r in runs])), 3) for k in METRICS}
    out["learned_cv_spread"] = {k: round(float(np.ptp([r[k] for r in runs])), 3) for k in METRICS}
    if args.write:
        c = choose_strength(x, y, groups, np.arange(len(items)), 0, args.pool)
        model = fit(x, y, c, args.pool)
        mean = out["learned_cv_mean"]
        header = (f"Learned fusion, written by `python -m cpguide.eval.fit_fusion --write`; do not edit by hand.\n"
                  f"Logistic regression (C={c}) over the top {args.pool} RRF candidates of {len(items)} dev questions.\n"
                  f"Dev, 5-fold cross-validated by question, seeds {args.seeds}: "
                  + ", ".join(f"{k} {mean[k]:.3f}" for k in METRICS)
                  + f"\n(fixed RRF: " + ", ".join(f"{k} {out['rrf'][k]:.3f}" for k in METRICS) + ").")
        FUSION_FILE.write_text(model.to_toml(header), encoding="utf-8")
        out["written"] = str(FUSION_FILE)
        out["weights"] = dict(zip(FEATURES, np.round(model.weights, 3).tolist()))
    out["seconds"] = round(time.perf_counter() - t0, 1)
    if args.json:
        print(json.dumps(out))
        return
    print(f"{len(items)} dev questions; gold in the RRF top {args.pool} for {pool_recall:.3f}")
    print(f"{'':<28}" + "".join(f"{k:>11}" for k in METRICS))
    print(f"{'fixed RRF':<28}" + "".join(f"{out['rrf'][k]:>11.3f}" for k in METRICS))
    for r in runs:
        print(f"{'learned, CV seed ' + str(r['seed']):<28}" + "".join(f"{r[k]:>11.3f}" for k in METRICS))
    print(f"{'learned, CV mean (spread)':<28}" + "".join(
        f"{out['learned_cv_mean'][k]:>6.3f} ({out['learned_cv_spread'][k]:.3f})" for k in METRICS))
    if args.write:
        print(f"Wrote {FUSION_FILE}: " + ", ".join(f"{k} {v:+.3f}" for k, v in out["weights"].items()))


if __name__ == "__main__":
    main()
