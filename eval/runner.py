"""The evaluation runner behind ``cpguide eval``.

Retrieval: for every answerable gold question, each method (hybrid, BM25 only, dense only)
retrieves ten passages; a passage *matches* when it contains most of the gold quote's word
trigrams (so a quote cut across two chunks still counts for either half that holds most of
it, and a near-duplicate folded into a hit's "also in" counts too). We report Recall@1/3/5/10,
MRR@10 and nDCG@10 (binary relevance, first match), and the questions each method misses.

Answers: the assistant answers every gold question; we measure abstention on the
unanswerable ones and answering on the rest (with the trade-off over thresholds), citation
precision (cited quotes that overlap the gold passage), gold recall among citations, and
Recall@5 on follow-up turns of the dialogues with and without the conversation.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from cpguide.index.lexical import fold

KS = (1, 3, 5, 10)
MATCH = 0.5  # share of the gold quote's word trigrams a passage must contain


def gold_path(name: str = "gold.jsonl") -> Path:
    return Path(str(resources.files("cpguide.eval").joinpath(name)))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def _grams(words: list[str], n: int = 3) -> set[tuple[str, ...]]:
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


class QuoteMatcher:
    """Does a passage hold the gold quote? By shared word trigrams, robust to chunk edges."""

    def __init__(self, quote: str):
        self.grams = _grams(_words(quote))

    def share(self, text: str) -> float:
        if not self.grams:
            return 0.0
        return len(self.grams & _grams(_words(text))) / len(self.grams)

    def matches(self, text: str, threshold: float = MATCH) -> bool:
        return self.share(text) >= threshold


@dataclass
class MethodScores:
    method: str
    recall: dict = field(default_factory=dict)
    mrr10: float = 0.0
    ndcg10: float = 0.0
    misses: list = field(default_factory=list)  # ids with no match in the top 5
    ms_per_query: float = 0.0
    by_style: dict = field(default_factory=dict)  # style -> {"n", "recall@5", "mrr@10"}

    def to_dict(self) -> dict:
        return {"method": self.method, **{f"recall@{k}": round(v, 3) for k, v in self.recall.items()},
                "mrr@10": round(self.mrr10, 3), "ndcg@10": round(self.ndcg10, 3),
                "missed@5": self.misses, "ms_per_query": round(self.ms_per_query, 1), "by_style": self.by_style}


def first_match_rank(hits, matcher: QuoteMatcher, chunk_text: dict[str, str]) -> int | None:
    for h in hits:
        texts = [h.text] + [chunk_text.get(a["chunk_id"], "") for a in h.also_in]
        if any(matcher.matches(t) for t in texts):
            return h.rank
    return None


def evaluate_retrieval(searcher, items: list[dict], methods=("hybrid", "bm25", "dense")) -> list[MethodScores]:
    chunk_text = {c.chunk_id: c.text for c in searcher.library.chunks}
    results = []
    for method in methods:
        ranks: dict[str, int | None] = {}
        t0 = time.perf_counter()
        for item in items:
            hits = searcher.search(item["question"], k=10, method=method)
            ranks[item["id"]] = first_match_rank(hits, QuoteMatcher(item["quote"]), chunk_text)
        elapsed = time.perf_counter() - t0
        n = len(items) or 1
        s = MethodScores(method)
        s.recall = {k: sum(1 for r in ranks.values() if r and r <= k) / n for k in KS}
        s.mrr10 = sum(1 / r for r in ranks.values() if r) / n
        s.ndcg10 = sum(1 / math.log2(r + 1) for r in ranks.values() if r) / n
        s.misses = [i for i, r in ranks.items() if not r or r > 5]
        s.ms_per_query = elapsed * 1000 / n
        # Paraphrased questions share no key word with their passage; direct ones do.
        for style in sorted({i.get("style", "") for i in items} - {""}):
            sub = [ranks[i["id"]] for i in items if i.get("style") == style]
            s.by_style[style] = {"n": len(sub),
                                 "recall@5": round(sum(1 for r in sub if r and r <= 5) / len(sub), 3),
                                 "mrr@10": round(sum(1 / r for r in sub if r) / len(sub), 3)}
        results.append(s)
    return results


def _cites_gold(citation, matcher: QuoteMatcher) -> bool:
    """A citation is on target when it quotes a good part of the gold passage (or lies inside it)."""
    cited = _grams(_words(citation.quote))
    if not cited or not matcher.grams:
        return False
    shared = len(cited & matcher.grams)
    return shared / len(matcher.grams) >= 0.2 or shared / len(cited) >= 0.5


def evaluate_answers(assistant, answerable: list[dict], unanswerable: list[dict],
                     thresholds=(0.25, 0.3, 0.33, 0.35, 0.38, 0.4, 0.42, 0.45, 0.5)) -> dict:
    """Abstention, citation precision and gold recall; plus the threshold trade-off."""
    relevance: dict[str, float] = {}
    cited = on_target = gold_found = answered = 0
    abstained_unans = 0
    latencies = []
    for item in answerable + unanswerable:
        t0 = time.perf_counter()
        answer = assistant.ask(item["question"])
        latencies.append((time.perf_counter() - t0) * 1000)
        hits = assistant.searcher.search(item["question"], k=8)
        relevance[item["id"]] = assistant.relevance(hits)
        if not item["answerable"]:
            abstained_unans += answer.abstained
            continue
        if answer.abstained:
            continue
        answered += 1
        matcher = QuoteMatcher(item["quote"])
        hits_gold = [_cites_gold(c, matcher) for c in answer.citations]
        cited += len(hits_gold)
        on_target += sum(hits_gold)
        gold_found += any(hits_gold)
    trade = []
    for t in thresholds:
        trade.append({
            "threshold": t,
            "answered_answerable": round(sum(relevance[i["id"]] >= t for i in answerable) / max(1, len(answerable)), 3),
            "abstained_unanswerable": round(sum(relevance[i["id"]] < t for i in unanswerable) / max(1, len(unanswerable)), 3),
        })
    latencies.sort()
    return {
        "threshold": assistant.abstain_threshold,
        "answered_answerable": round(answered / max(1, len(answerable)), 3),
        "abstained_unanswerable": round(abstained_unans / max(1, len(unanswerable)), 3),
        "citation_precision": round(on_target / max(1, cited), 3),
        "gold_recall_in_citations": round(gold_found / max(1, answered), 3),
        "citations_per_answer": round(cited / max(1, answered), 2),
        "ask_ms_p50": round(latencies[len(latencies) // 2], 1) if latencies else 0.0,
        "ask_ms_p95": round(latencies[int(len(latencies) * 0.95) - 1], 1) if latencies else 0.0,
        "trade_off": trade,
    }


def evaluate_dialogues(assistant, dialogues: list[dict]) -> dict:
    """Recall@5 of follow-up turns (2nd onwards), with and without the conversation."""
    from cpguide.assistant.conversation import Conversation, Turn
    from cpguide.index.search import Filters

    chunk_text = {c.chunk_id: c.text for c in assistant.library.chunks}
    with_ctx = without = total = 0
    misses = []
    for d in dialogues:
        conversation = Conversation()
        for i, turn in enumerate(d["turns"]):
            answer = assistant.ask(turn["question"], conversation)
            if i > 0:
                total += 1
                matcher = QuoteMatcher(turn["quote"])
                place = conversation.jurisdiction
                filters = Filters(jurisdiction=(place,)) if place else None
                hits = assistant.searcher.search(answer.resolved_question, k=5, filters=filters)
                ok = first_match_rank(hits, matcher, chunk_text) is not None
                with_ctx += ok
                if not ok:
                    misses.append(f"{d['id']} turn {i + 1}")
                raw = assistant.searcher.search(turn["question"], k=5)
                without += first_match_rank(raw, matcher, chunk_text) is not None
            conversation.turns.append(Turn(turn["question"], answer.resolved_question, answer))
    return {
        "follow_up_turns": total,
        "recall@5_with_context": round(with_ctx / max(1, total), 3),
        "recall@5_without_context": round(without / max(1, total), 3),
        "missed_with_context": misses,
    }
