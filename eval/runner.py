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


def gold_quotes(item: dict) -> list[str]:
    """Every gold passage of an item: a list answer holds one quote per item, in order.

    Files differ in how they write a list: some repeat the main ``quote`` inside ``quotes``,
    others (as ``eval/check.py`` documents) give only the further passages there. Both mean
    the same set, so the main quote leads unless ``quotes`` already holds it.
    """
    quotes = [q["quote"] for q in item.get("quotes") or () if q.get("quote")]
    main = item.get("quote")
    if main and _words(main) not in [_words(q) for q in quotes]:
        quotes.insert(0, main)
    return quotes


@dataclass
class AnswerTally:
    """Counts behind the answer figures, kept apart so dev and test read the same way."""

    answered: int = 0
    cited: int = 0
    on_target: int = 0
    gold_found: int = 0
    multi: int = 0  # answered items whose gold is several passages
    completeness: float = 0.0  # summed share of those passages cited

    def add(self, answer, item: dict) -> None:
        matchers = [QuoteMatcher(q) for q in gold_quotes(item)]
        self.answered += 1
        hits = [any(_cites_gold(c, m) for m in matchers) for c in answer.citations]
        self.cited += len(hits)
        self.on_target += sum(hits)
        self.gold_found += any(hits)
        if len(matchers) > 1:
            self.multi += 1
            self.completeness += sum(any(_cites_gold(c, m) for c in answer.citations) for m in matchers) / len(matchers)


def evaluate_answers(assistant, answerable: list[dict], unanswerable: list[dict]) -> dict:
    """Answering and declining, citation precision, gold recall and list completeness.

    With several gold passages (a list answer), a citation is on target when it quotes any of
    them, and completeness is the share of them the answer cites.
    """
    tally = AnswerTally()
    declined_by_kind: dict[str, list[int]] = {}
    latencies = []
    missed, wrongly_answered = [], []
    for item in answerable + unanswerable:
        t0 = time.perf_counter()
        answer = assistant.ask(item["question"])
        latencies.append((time.perf_counter() - t0) * 1000)
        if not item["answerable"]:
            kind = declined_by_kind.setdefault(item.get("miss_kind") or "other", [0, 0])
            kind[0] += answer.abstained
            kind[1] += 1
            if not answer.abstained:
                wrongly_answered.append(item["id"])
            continue
        if answer.abstained:
            missed.append(item["id"])
            continue
        tally.add(answer, item)
    latencies.sort()
    declined = sum(k[0] for k in declined_by_kind.values())
    return {
        "answered_answerable": round(tally.answered / max(1, len(answerable)), 3),
        "abstained_unanswerable": round(declined / max(1, len(unanswerable)), 3),
        "abstained_by_kind": {k: f"{v[0]}/{v[1]}" for k, v in sorted(declined_by_kind.items())},
        "citation_precision": round(tally.on_target / max(1, tally.cited), 3),
        "gold_recall_in_citations": round(tally.gold_found / max(1, tally.answered), 3),
        "list_items": tally.multi,
        "list_completeness": round(tally.completeness / max(1, tally.multi), 3),
        "citations_per_answer": round(tally.cited / max(1, tally.answered), 2),
        "declined_answerable": missed,
        "answered_unanswerable": wrongly_answered,
        "ask_ms_p50": round(latencies[len(latencies) // 2], 1) if latencies else 0.0,
        "ask_ms_p95": round(latencies[int(len(latencies) * 0.95) - 1], 1) if latencies else 0.0,
    }


def evaluate_dialogues(assistant, dialogues: list[dict]) -> dict:
    """Follow-ups and topic switches, turn by turn.

    Every turn's answer should cite its gold passage. A follow-up (``standalone`` false or
    absent after the first turn) is also searched with its resolved question and with the
    bare question (Recall@5 with and without the conversation). A topic switch
    (``standalone`` true after the first turn) must be left as asked: not rewritten, and
    without the place of the turns before it unless it names one.
    """
    from cpguide.assistant.conversation import Conversation, Turn, place_in
    from cpguide.index.search import Filters

    chunk_text = {c.chunk_id: c.text for c in assistant.library.chunks}
    with_ctx = without = total = 0
    turns = turns_citing = 0
    switches = switches_kept = 0
    misses, switch_misses = [], []
    for d in dialogues:
        conversation = Conversation()
        for i, turn in enumerate(d["turns"]):
            answer = assistant.ask(turn["question"], conversation)
            matcher = QuoteMatcher(turn["quote"])
            turns += 1
            turns_citing += (not answer.abstained) and any(_cites_gold(c, matcher) for c in answer.citations)
            if i > 0 and turn.get("standalone"):
                switches += 1
                kept = (answer.resolved_question or turn["question"]) == turn["question"] and (
                    conversation.jurisdiction in (None, place_in(turn["question"])))
                switches_kept += kept
                if not kept:
                    switch_misses.append(f"{d['id']} turn {i + 1}")
            elif i > 0:
                total += 1
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
        "turns": turns,
        "turns_citing_gold": round(turns_citing / max(1, turns), 3),
        "follow_up_turns": total,
        "recall@5_with_context": round(with_ctx / max(1, total), 3),
        "recall@5_without_context": round(without / max(1, total), 3),
        "missed_with_context": misses,
        "topic_switches": switches,
        "switches_kept_standalone": switches_kept,
        "switches_rewritten": switch_misses,
    }
