"""Fit the answer-or-decline model on the dev set, with cross-validation, and write its numbers.

    python -m cpguide.eval.fit_answerability [--index-dir DIR] [--write]

Signals come from ``cpguide.assistant.answerability`` for every dev question (``gold.jsonl``:
answerable and unanswerable). A regularised logistic regression is fitted; its strength and the
decision threshold are chosen from out-of-fold predictions (stratified 5-fold, repeated over
seeds), never from the held-out test set. The threshold is the highest that still answers at
least ``--min-answered`` of the answerable questions out of fold, so declining is bought only
with slack the answerable side can spare. ``--write`` stores the model, fitted on all of dev, in
``assistant/answerability.toml``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from cpguide.assistant.answerability import FEATURES

STRENGTHS = (0.03, 0.1, 0.3, 1.0, 3.0)


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _standardise(x: np.ndarray):
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales == 0] = 1.0
    return means, scales


def _fit(x: np.ndarray, y: np.ndarray, c: float):
    from sklearn.linear_model import LogisticRegression

    means, scales = _standardise(x)
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=1000)
    model.fit((x - means) / scales, y)
    return model, means, scales


def out_of_fold(x: np.ndarray, y: np.ndarray, c: float, seeds=(0, 1, 2)) -> np.ndarray:
    """Mean out-of-fold P(answerable) over stratified 5-fold splits with several seeds."""
    from sklearn.model_selection import StratifiedKFold

    probs = np.zeros((len(seeds), len(y)))
    for k, seed in enumerate(seeds):
        for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y):
            model, means, scales = _fit(x[train], y[train], c)
            probs[k, test] = model.predict_proba((x[test] - means) / scales)[:, 1]
    return probs.mean(axis=0)


def pick_threshold(p: np.ndarray, y: np.ndarray, min_answered: float) -> tuple[float, float, float]:
    """(threshold, answered, declined): the threshold declining most while answering enough.

    Several thresholds often tie; the middle of the tied range is taken, so that the fitted
    model on all of dev, whose probabilities differ a little from the out-of-fold ones, lands
    inside the range rather than on its edge.
    """
    rows = []
    for t in np.unique(np.round(p, 3)):
        answered = float((p[y == 1] >= t).mean())
        declined = float((p[y == 0] < t).mean())
        if answered >= min_answered:
            rows.append((float(t), answered, declined))
    if not rows:
        return (0.0, 1.0, 0.0)
    best = max(r[2] for r in rows)
    tied = [r for r in rows if r[2] == best]
    low, high = tied[0][0], tied[-1][0]
    middle = (low + high) / 2
    answered = float((p[y == 1] >= middle).mean())
    declined = float((p[y == 0] < middle).mean())
    return (middle, answered, declined)


def main(argv=None) -> None:
    from cpguide.app import Services
    from cpguide.eval.runner import gold_path
    from cpguide.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir")
    ap.add_argument("--min-answered", type=float, default=0.95)
    ap.add_argument("--write", action="store_true", help="store the model in assistant/answerability.toml")
    args = ap.parse_args(argv)
    settings = Settings.resolve(index_dir=args.index_dir)
    services = Services(settings)
    assistant = services.assistant
    items = _load(gold_path("gold.jsonl"))
    x = np.array([assistant.signals(i["question"]).features() for i in items], dtype=float)
    y = np.array([1 if i["answerable"] else 0 for i in items])
    print(f"dev: {int(y.sum())} answerable, {int((1 - y).sum())} unanswerable; features: {', '.join(FEATURES)}")
    results = []
    for c in STRENGTHS:
        p = out_of_fold(x, y, c)
        t, answered, declined = pick_threshold(p, y, args.min_answered)
        results.append((declined + answered, c, t, answered, declined))
        print(f"  C={c:<5} out-of-fold at threshold {t:.3f}: answered {answered:.3f}, declined {declined:.3f}")
    _, c, t, answered, declined = max(results)
    model, means, scales = _fit(x, y, c)
    weights = model.coef_[0]
    print(f"chosen C={c}, threshold {t:.3f} (cross-validated: answered {answered:.3f}, declined {declined:.3f})")
    for name, w in zip(FEATURES, weights):
        print(f"  {name:<18} {w:+.3f}")
    if args.write:
        out = Path(__file__).resolve().parents[1] / "assistant" / "answerability.toml"
        lines = [
            "# Answer or decline: a logistic model over the signals in answerability.py.",
            "# Written by `python -m cpguide.eval.fit_answerability --write` from the dev set (eval/gold.jsonl)",
            f"# with stratified 5-fold cross-validation over 3 seeds: C={c}, out-of-fold answered {answered:.3f},",
            f"# declined {declined:.3f}. Refit after changing the signals; never fit on the test set.",
            "[model]",
            f"features = {json.dumps(list(FEATURES))}",
            f"weights = {json.dumps([round(float(w), 5) for w in weights])}",
            f"bias = {round(float(model.intercept_[0]), 5)}",
            f"means = {json.dumps([round(float(m), 5) for m in means])}",
            f"scales = {json.dumps([round(float(s), 5) for s in scales])}",
            f"threshold = {round(t, 4)}",
            "",
        ]
        out.write_text("\n".join(lines), encoding="utf-8")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
