"""Warm ``Assistant.ask`` latency at the starter size, offline (extractive) mode.

The assistant scores the sentences of the top passages against the question with the
embedding model, and keeps their vectors in a process-wide cache. So the latency of a
question depends on whether its passages' sentences were seen before. This script reports
the two states separately, in one process with the model, library and searcher loaded once
(the way ``cpguide serve`` holds them in ``Services``):

(a) COLD sentence cache: a first pass over the gold questions starting from an empty cache
    (later questions profit from sentences earlier ones embedded, as after a server start);
    and, unless ``--no-each-cold``, each question with the cache emptied just before it.
(b) WARM sentence cache: after a warm-up that embeds every sentence of the library once (the
    state of a long-running server), the gold questions again, ``--warm-passes`` times.

Before either, the model is warmed with a small encode, the searcher with a few searches and
the documents are read once, so only the sentence cache differs between (a) and (b).
Stage times come from timing wrappers put on the live objects (query embedding, search with
FAISS/BM25/fusion inside it, sentence embedding); "other" is sentence splitting, scoring and
composing the cited answer.

    python eval/benchmarks/ask_latency.py                    # full run (a few minutes)
    python eval/benchmarks/ask_latency.py --limit 40 --warm-passes 1 --no-each-cold   # quick
    python eval/benchmarks/ask_latency.py --json --out /tmp/bench-ask
"""

from __future__ import annotations

import shutil
import sys
import time

import benchlib
from benchlib import lap

STAGES = ("query_embed_ms", "search_ms", "dense_ms", "bm25_ms", "fusion_ms", "sentence_embed_ms", "other_ms", "total_ms")
STAGE_NAMES = {"query_embed_ms": "query embedding", "search_ms": "search (hybrid, k=8)", "dense_ms": "  of which FAISS",
               "bm25_ms": "  of which BM25", "fusion_ms": "  of which fusion+dedupe", "sentence_embed_ms": "sentence embedding",
               "other_ms": "other (split, score, compose)", "total_ms": "total ask()"}


class StageClock:
    """Times the stages of ``Assistant.ask`` by wrapping the live objects' methods (no stand-ins)."""

    def __init__(self, assistant):
        self.assistant = assistant
        self.current: dict = {}
        searcher = assistant.searcher
        selector = assistant.selector
        embed_query, search, embed_sentences = searcher.embed_query, searcher.search, selector.embed_sentences

        def timed_embed_query(text):
            t0 = time.perf_counter()
            try:
                return embed_query(text)
            finally:
                self.current["query_embed_ms"] += (time.perf_counter() - t0) * 1000

        def timed_search(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return search(*args, **kwargs)
            finally:
                self.current["search_ms"] += (time.perf_counter() - t0) * 1000
                t = searcher.last_timings
                self.current["dense_ms"] += t.dense_ms
                self.current["bm25_ms"] += t.bm25_ms
                self.current["fusion_ms"] += t.fusion_ms

        def timed_embed_sentences(texts):
            from cpguide.assistant.selection import _SENTENCE_VECTORS

            key = searcher.embedder.fingerprint
            missing = sum(1 for t in set(texts) if _SENTENCE_VECTORS.get((key, t)) is None)
            t0 = time.perf_counter()
            try:
                return embed_sentences(texts)
            finally:
                self.current["sentence_embed_ms"] += (time.perf_counter() - t0) * 1000
                self.current["sentences_scored"] += len(texts)
                self.current["sentences_embedded"] += missing

        searcher.embed_query = timed_embed_query
        searcher.search = timed_search
        selector.embed_sentences = timed_embed_sentences

    def ask(self, question: str):
        self.current = {s: 0.0 for s in STAGES} | {"sentences_scored": 0, "sentences_embedded": 0}
        t0 = time.perf_counter()
        answer = self.assistant.ask(question)
        c = self.current
        c["total_ms"] = (time.perf_counter() - t0) * 1000
        c["other_ms"] = c["total_ms"] - c["query_embed_ms"] - c["search_ms"] - c["sentence_embed_ms"]
        c["abstained"] = answer.abstained
        c["citations"] = len(answer.citations)
        return c


def run_pass(clock: StageClock, questions: list[str], clear_each: bool = False) -> dict:
    from cpguide.assistant.selection import _SENTENCE_VECTORS

    rows = []
    with lap() as t:
        for q in questions:
            if clear_each:
                _SENTENCE_VECTORS.clear()
            rows.append(clock.ask(q))
    return {
        "asks": len(rows), "wall_seconds": round(t.wall, 2), "cpu_per_wall": round(t.cpu_per_wall, 2),
        "abstained": sum(r["abstained"] for r in rows), "answered": sum(not r["abstained"] for r in rows),
        "sentences_embedded": sum(r["sentences_embedded"] for r in rows),
        "sentences_scored": sum(r["sentences_scored"] for r in rows),
        "asks_that_embedded": sum(r["sentences_embedded"] > 0 for r in rows),
        "cache_size_after": len(_SENTENCE_VECTORS),
        "stages_ms": {s: benchlib.summary_ms([r[s] for r in rows]) for s in STAGES},
        "answered_total_ms": benchlib.summary_ms([r["total_ms"] for r in rows if not r["abstained"]]),
        "abstained_total_ms": benchlib.summary_ms([r["total_ms"] for r in rows if r["abstained"]]),
    }


def warm_all_sentences(assistant) -> dict:
    """Embed every sentence the assistant could score, exactly as it would pick them from a hit."""
    from cpguide.assistant.selection import _SENTENCE_VECTORS

    with lap() as t:
        embedded = assistant.warm_up()  # what `cpguide serve` does at start
    return {"sentences": embedded, "seconds": round(t.wall, 2), "cpu_per_wall": round(t.cpu_per_wall, 2),
            "sentences_per_second": round(embedded / t.wall, 1) if t.wall else None,
            "cache_size_after": len(_SENTENCE_VECTORS)}


def text_report(res: dict) -> list[str]:
    env = res["environment"]
    lines = ["cpguide ask latency (Assistant.ask, offline extractive mode, warm process)", "=" * 72,
             *benchlib.env_lines(env),
             f"Library: starter corpus, {res['chunks']} chunks, {res['documents']} documents; "
             f"{res['questions']} gold questions ({res['answerable']} answerable); LLM: {res['llm']}",
             f"Model load {res['model_load_seconds']:.2f} s; ingest {res['ingest_seconds']:.1f} s; out dir {res['out_dir']}",
             ""]

    def block(title: str, p: dict) -> None:
        lines.append(title)
        lines.append(f"  {p['asks']} asks in {p['wall_seconds']:.1f} s (cpu/wall {p['cpu_per_wall']}); "
                     f"{p['answered']} answered, {p['abstained']} abstained; {p['sentences_embedded']} sentence "
                     f"vectors computed for {p['sentences_scored']} scored ({p['asks_that_embedded']} asks had to embed)")
        rows = [[STAGE_NAMES[s], p["stages_ms"][s]["p50"], p["stages_ms"][s]["p95"], p["stages_ms"][s]["mean"],
                 p["stages_ms"][s]["max"]] for s in STAGES]
        lines.extend(benchlib.table(["stage (ms)", "p50", "p95", "mean", "max"], rows))
        a, b = p["answered_total_ms"], p["abstained_total_ms"]
        lines.append(f"  total, answered only: p50 {a['p50']} / p95 {a['p95']} ms; abstained only: "
                     f"p50 {b['p50']} / p95 {b['p95']} ms")
        lines.append("")

    block("(a) COLD sentence cache: first pass from an empty cache (fills as it goes)", res["cold_first_pass"])
    if res.get("cold_each"):
        block("(a') COLD sentence cache: cache emptied before every question", res["cold_each"])
    w = res["warmup_all_sentences"]
    lines.append(f"Warm-up: embedded all {w['sentences']} library sentences once in {w['seconds']:.1f} s "
                 f"({w['sentences_per_second']} sentences/s); cache now holds {w['cache_size_after']}")
    lines.append("")
    block(f"(b) WARM sentence cache (long-running server): {res['warm_passes']} pass(es)", res["warm"])
    lines.append(f"Peak RSS (ru_maxrss) {res['peak_rss_mb']:.0f} MiB; total benchmark time {res['total_seconds']:.0f} s")
    if res.get("note"):
        lines.append(res["note"])
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = benchlib.parser(__doc__, "the index built")
    ap.add_argument("--warm-passes", type=int, default=2, help="passes over the gold questions when warm (default 2)")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N gold questions (default: all)")
    ap.add_argument("--no-each-cold", action="store_true", help="skip the pass with the cache emptied per question")
    args = ap.parse_args(argv)
    if benchlib.replay(args, text_report):
        return 0

    with lap() as total:
        env = benchlib.environment()
        out = benchlib.out_dir(args.out, "ask-bench")
        index_dir = out / "index-starter"
        if index_dir.exists():
            shutil.rmtree(index_dir)
        from cpguide.app import Services
        from cpguide.assistant.selection import _SENTENCE_VECTORS
        from cpguide.ingest.pipeline import run_ingest
        from cpguide.ingest.sources import discover

        # Offline answers: no LLM endpoint, whatever the environment says.
        settings = benchlib.defaults().replace(index_dir=str(index_dir), llm_url="")
        services = Services(settings)
        benchlib.progress(f"out dir {out}; loading the model", args.quiet)
        with lap() as tl:
            embedder = services.embedder
        embedder.embed(["What should housing services do for care leavers?"] * 8)
        with lap() as ti:
            run_ingest(discover([]), index_dir=index_dir, model=settings.model, embedder_factory=lambda: services.embedder,
                       batch_size=settings.batch_size, chunk_words=settings.chunk_words,
                       chunk_max_words=settings.chunk_max_words, approx_above=settings.approx_above,
                       post_build=benchlib.post_build_hooks())
        assistant = services.assistant
        assert assistant.llm is None, "an LLM is configured; this benchmark measures the extractive mode"

        gold = benchlib.gold_questions()
        if args.limit:
            gold = gold[: args.limit]
        questions = [g["question"] for g in gold]

        # Warm everything except the sentence cache: model, search path, documents.
        for q in questions[:5]:
            assistant.searcher.search(q, k=8)
        for doc_id in assistant.library.docs:
            assistant.library.document(doc_id)
        _SENTENCE_VECTORS.clear()
        clock = StageClock(assistant)

        benchlib.progress(f"(a) cold first pass: {len(questions)} questions", args.quiet)
        cold = run_pass(clock, questions)
        cold_each = None
        if not args.no_each_cold:
            benchlib.progress("(a') cold, cache emptied before each question", args.quiet)
            cold_each = run_pass(clock, questions, clear_each=True)
        _SENTENCE_VECTORS.clear()
        benchlib.progress("warm-up: embedding all library sentences", args.quiet)
        warm_up = warm_all_sentences(assistant)
        benchlib.progress(f"(b) warm: {args.warm_passes} x {len(questions)} questions", args.quiet)
        warm = run_pass(clock, questions * args.warm_passes)

    res = {
        "benchmark": "ask_latency", "environment": env, "out_dir": str(out), "llm": "none (extractive)",
        "chunks": len(assistant.library.chunks), "documents": len(assistant.library.docs),
        "questions": len(questions), "answerable": sum(bool(g.get("answerable")) for g in gold),
        "model_load_seconds": round(tl.wall, 2), "ingest_seconds": round(ti.wall, 1),
        "abstain_threshold": settings.abstain_threshold,
        "cold_first_pass": cold, "cold_each": cold_each, "warmup_all_sentences": warm_up,
        "warm_passes": args.warm_passes, "warm": warm,
        "peak_rss_mb": round(benchlib.peak_rss_mb(), 1), "total_seconds": round(total.wall, 1),
    }
    res["note"] = benchlib.load_note(env)
    benchlib.emit(res, text_report(res), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
