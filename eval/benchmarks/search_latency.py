"""Warm search latency, per query and per stage, at the starter size and at 100,000 chunks.

In one process with the real model loaded once, this measures ``Searcher.search`` (hybrid,
k = the ``top_k`` setting) over the questions of eval/gold.jsonl (answerable and not),
repeated to at least 300 queries after 20 warm-up queries, and reports p50 / p95 of the
total and of each stage in ``Searcher.last_timings``: query embedding, FAISS (dense), BM25,
and fusion + de-duplication + building the hits ("other" is the rest: query checks,
vocabulary expansion, tokenising).

Three indexes are measured:

* the starter corpus (5 documents), ingested with the real model;
* a synthetic library of about 100,000 chunks, built through ``run_ingest`` from Markdown
  files whose paragraphs recombine the starter corpus's real sentences, so BM25 sees the real
  vocabulary and realistic chunk lengths. It is above ``approx_above`` (50,000), so the
  pipeline builds the HNSW index;
* the same library with an exact (flat) FAISS index instead, built from the generation's
  own ``vectors.npy`` by the project's ``vectors.build`` with ``approx_above`` above the size.

Vectors of the 100k library: the script first times the real model on a sample of the
library's chunks. If embedding all of them would take under ``--all-real-under`` seconds
(6 minutes), all are embedded for real. Otherwise ``--real`` chunks (default 10,000, spread
evenly) are embedded with the model and the rest are derived from real vectors: each is the
word-weighted mean of the real embeddings of the sentences, headings and title it is made of,
renormalised. The report gives the cosine between derived and true vectors on the really
embedded chunks, so you can judge how close the stand-in is.

    python eval/benchmarks/search_latency.py                  # full run (under 10 minutes)
    python eval/benchmarks/search_latency.py --chunks 20000   # quicker (flat index only: below approx_above)
    python eval/benchmarks/search_latency.py --skip-large     # starter index only
    python eval/benchmarks/search_latency.py --json --out /tmp/bench-search
"""

from __future__ import annotations

import gc
import json
import math
import random
import re
import shutil
import sys
import time
from pathlib import Path

import benchlib
from benchlib import lap

import numpy as np

STAGES = ("embed_ms", "dense_ms", "bm25_ms", "fusion_ms", "other_ms", "total_ms")
STAGE_NAMES = {"embed_ms": "query embedding", "dense_ms": "FAISS (dense)", "bm25_ms": "BM25",
               "fusion_ms": "fusion + dedupe + hits", "other_ms": "other (checks, expansion, tokens)",
               "total_ms": "total search()"}


def _ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# -- the synthetic library -----------------------------------------------------------------------------
class SentencePool:
    """Real sentences and headings of the starter corpus, in document order, by the project's own
    load -> clean steps and sentence splitter."""

    def __init__(self, settings):
        from cpguide.ingest.pipeline import prepare
        from cpguide.ingest.sentences import sentence_spans
        from cpguide.ingest.sources import discover

        self.sentences: list[str] = []
        self.headings: list[str] = []
        self.metas = []
        for s in discover([]):
            doc, _ = prepare(s, s.path.read_bytes(), max_bytes=settings.max_file_mb * 1024 * 1024,
                             max_pages=settings.max_pages, chunk_words=settings.chunk_words,
                             chunk_max_words=settings.chunk_max_words)
            self.metas.append(doc.meta)
            for sec in doc.sections:
                text = doc.text[sec.start:sec.end]
                if sec.kind == "heading":
                    h = _ws(text)
                    if 1 <= len(h.split()) <= 12 and not h.startswith(("#", "-", "*", "|", ">")):
                        self.headings.append(h)
                    continue
                for a, b in sentence_spans(text):
                    sent = _ws(text[a:b])
                    if len(sent.split()) >= 4 and self._recombinable(sent):
                        self.sentences.append(sent)

    @staticmethod
    def _recombinable(sent: str) -> bool:
        """Prose that reads back as the same sentence wherever it is put in a paragraph.

        Markdown would read leading markers as list items, tables or headings; runs of web
        addresses are not prose; and a sentence that starts in lower case or ends without a full
        stop (a list item) would merge with its neighbours when the splitter reads it back.
        """
        from cpguide.ingest.sentences import sentence_spans

        if re.match(r"^([-+>]|\d{1,9}[.)])", sent) or re.search(r"[*_`\[\]<>\\|#]|https?://|www\.", sent):
            return False

        def split(text: str) -> list[str]:
            return [text[a:b] for a, b in sentence_spans(text)]

        return (split(sent) == [sent] and split(f"{sent} The end.") == [sent, "The end."]
                and split(f"The start. {sent}") == ["The start.", sent])


def write_library(pool: SentencePool, dest: Path, files: int, seed: int, paragraphs_per_file: int) -> None:
    """Markdown files of ``##`` headings and ~70-115-word paragraphs (about one chunk each), each
    paragraph a few runs of consecutive real sentences; a manifest with real metadata."""
    dest.mkdir(parents=True, exist_ok=True)
    manifest = ["# Synthetic library recombined from the starter corpus (eval/benchmarks/search_latency.py)."]
    sents, heads = pool.sentences, pool.headings
    for i in range(files):
        rng = random.Random(f"cpguide-search-{seed}-{i}")
        meta = rng.choice(pool.metas)
        lines: list[str] = []
        p = 0
        while p < paragraphs_per_file:
            lines += [f"## {rng.choice(heads)}", ""]
            for _ in range(rng.randint(2, 6)):
                want = rng.randint(70, 115)
                para: list[str] = []
                words = 0
                while words < want:
                    start = rng.randrange(len(sents))
                    for s in sents[start:start + rng.randint(1, 4)]:
                        para.append(s)
                        words += len(s.split())
                lines += [" ".join(para), ""]
                p += 1
        name = f"library-{i:04d}.md"
        (dest / name).write_text("\n".join(lines), encoding="utf-8")
        volume = i % 20 + 1
        manifest += ["", "[[document]]", f'id = "library-{i:04d}"', f'file = "{name}"',
                     f"title = {json.dumps(f'{meta.title}, volume {volume}', ensure_ascii=False)}",
                     f"publisher = {json.dumps(meta.publisher, ensure_ascii=False)}", f"year = {meta.year or 2020}",
                     f'jurisdiction = "{meta.jurisdiction}"', f'kind = "{meta.kind}"']
    (dest / "manifest.toml").write_text("\n".join(manifest) + "\n", encoding="utf-8")


class LibraryEmbedder:
    """The embedder handed to ``run_ingest`` for the 100k library.

    It carries the real model's name, dimension and fingerprint (so the index is the real
    model's index and the real embedder can query it), embeds the texts the pipeline gives it
    with the real model where the time allows and derives the rest from real sentence vectors
    (see the module docstring). It records what it did for the report.
    """

    def __init__(self, real, *, n_real: int, all_real_under: float, sample: int, quiet: bool):
        self.real = real
        self.name, self.dimension, self.fingerprint = real.name, real.dimension, real.fingerprint
        self.backend = real.backend
        self.n_real = n_real
        self.all_real_under = all_real_under
        self.sample = sample
        self.quiet = quiet
        self.pieces: dict[str, np.ndarray] = {}
        self.stats: dict = {}

    def _piece_vectors(self, pieces: set[str], batch_size: int) -> float:
        missing = sorted(p for p in pieces if p not in self.pieces)
        t0 = time.perf_counter()
        if missing:
            vecs = self.real.embed(missing, batch_size=batch_size)
            self.pieces.update(zip(missing, vecs))
        return time.perf_counter() - t0

    @staticmethod
    def _split(text: str) -> list[str]:
        from cpguide.ingest.sentences import sentence_spans

        context, _, body = text.partition("\n")
        pieces = [_ws(p) for p in context.split(" > ") if p.strip()]
        pieces += [_ws(body[a:b]) for a, b in sentence_spans(body)]
        return [p for p in pieces if p]

    def _derive(self, text: str) -> np.ndarray:
        acc = np.zeros(self.dimension, dtype=np.float64)
        for p in self._split(text):
            acc += len(p.split()) * self.pieces[p]
        n = np.linalg.norm(acc)
        return (acc / n if n else acc).astype(np.float32)

    def embed(self, texts, *, batch_size: int = 64, progress=None) -> np.ndarray:
        n = len(texts)
        out = np.zeros((n, self.dimension), dtype=np.float32)
        sample_idx = np.unique(np.linspace(0, n - 1, min(self.sample, n)).astype(int))
        t0, c0 = time.perf_counter(), benchlib.cpu_seconds()
        out[sample_idx] = self.real.embed([texts[i] for i in sample_idx], batch_size=batch_size)
        rate = len(sample_idx) / (time.perf_counter() - t0)
        sample_cpu_per_wall = (benchlib.cpu_seconds() - c0) / (time.perf_counter() - t0)
        projected = n / rate
        all_real = projected <= self.all_real_under or self.n_real >= n
        real_idx = np.arange(n) if all_real else np.unique(
            np.concatenate([sample_idx, np.linspace(0, n - 1, min(self.n_real, n)).astype(int)]))
        benchlib.progress(f"model rate on a sample of {len(sample_idx)} chunks: {rate:.1f} chunks/s; all {n} would "
                          f"take {projected / 60:.1f} min -> embedding {len(real_idx)} for real"
                          + ("" if all_real else ", deriving the rest"), self.quiet)
        rest_real = np.setdiff1d(real_idx, sample_idx)
        if len(rest_real):
            out[rest_real] = self.real.embed([texts[i] for i in rest_real], batch_size=batch_size)
        real_seconds = time.perf_counter() - t0
        real_cpu_per_wall = (benchlib.cpu_seconds() - c0) / real_seconds
        derived_idx = np.setdiff1d(np.arange(n), real_idx)
        cosines = None
        piece_seconds = derive_seconds = 0.0
        if len(derived_idx):
            # Real vectors of every distinct sentence, heading and title the chunks are made of.
            pieces: set[str] = set()
            for t in texts:
                pieces.update(self._split(t))
            piece_seconds = self._piece_vectors(pieces, batch_size)
            t2 = time.perf_counter()
            for i in derived_idx:
                out[i] = self._derive(texts[i])
            # How close is a derived vector to the model's own? Measured on the real ones.
            check = [int(i) for i in real_idx]
            derived_check = np.stack([self._derive(texts[i]) for i in check])
            cosines = np.sum(derived_check * out[check], axis=1)
            derive_seconds = time.perf_counter() - t2
            # Are derived vectors packed more tightly than real ones? Mean cosine to the nearest other
            # vector of the library, for up to 300 of each (denser neighbourhoods are harder for HNSW).
            rng = np.random.default_rng(0)
            nn = {}
            for kind, idx in (("real", real_idx), ("derived", derived_idx)):
                pick = rng.choice(idx, size=min(300, len(idx)), replace=False)
                sims = out[pick] @ out.T
                sims[np.arange(len(pick)), pick] = -1.0
                nn[kind] = round(float(sims.max(axis=1).mean()), 4)
            self.stats_nn = nn
        self.stats = {
            "chunks": n, "sample": int(len(sample_idx)), "model_chunks_per_second": round(rate, 1),
            "sample_cpu_per_wall": round(sample_cpu_per_wall, 2), "real_cpu_per_wall": round(real_cpu_per_wall, 2),
            "projected_all_real_seconds": round(projected, 1), "all_real": bool(all_real),
            "real_vectors": int(len(real_idx)), "derived_vectors": int(len(derived_idx)),
            "real_seconds": round(real_seconds, 1), "distinct_pieces": len(self.pieces),
            "piece_embed_seconds": round(piece_seconds, 1), "derive_seconds": round(derive_seconds, 1),
            "nearest_neighbour_cosine": getattr(self, "stats_nn", None),
            "derived_vs_true_cosine": None if cosines is None else {
                "n": int(len(cosines)), "mean": round(float(cosines.mean()), 4),
                "p5": round(float(np.percentile(cosines, 5)), 4), "min": round(float(cosines.min()), 4)},
        }
        if progress:
            progress(n)
        return out


def build_large(out: Path, embedder, settings, args) -> tuple[Path, dict]:
    from cpguide.ingest.pipeline import prepare, run_ingest
    from cpguide.ingest.sources import discover
    from cpguide.settings import PACKAGED_MODEL

    info: dict = {}
    with lap() as tg:
        pool = SentencePool(settings)
        corpus = out / "corpus-large"
        if corpus.exists():
            shutil.rmtree(corpus)
        per_file = 100
        # Calibrate chunks per file on a few files with the pipeline's own chunker, then write enough files
        # (with 2% to spare, so that the library reaches the size asked for).
        write_library(pool, corpus, 20, args.seed, per_file)
        cal = 0
        for s in discover([corpus]):
            cal += len(prepare(s, s.path.read_bytes(), max_bytes=settings.max_file_mb * 1024 * 1024,
                               max_pages=settings.max_pages, chunk_words=settings.chunk_words,
                               chunk_max_words=settings.chunk_max_words)[1])
        files = max(1, math.ceil(1.02 * args.chunks / (cal / 20)))
        shutil.rmtree(corpus)
        write_library(pool, corpus, files, args.seed, per_file)
    info.update(files=files, source_sentences=len(pool.sentences), source_headings=len(pool.headings),
                generate_seconds=round(tg.wall, 1),
                bytes=sum(f.stat().st_size for f in corpus.glob("*.md")))
    benchlib.progress(f"wrote {files} Markdown files ({info['bytes'] / 1e6:.0f} MB); ingesting", args.quiet)

    index_dir = out / "index-large-hnsw"
    if index_dir.exists():
        shutil.rmtree(index_dir)
    lib_embedder = LibraryEmbedder(embedder, n_real=args.real, all_real_under=args.all_real_under,
                                   sample=args.sample, quiet=args.quiet)
    with lap() as ti:
        report = run_ingest(discover([corpus]), index_dir=index_dir, model=PACKAGED_MODEL,
                            embedder_factory=lambda: lib_embedder, backend=lib_embedder.backend, chunk_words=settings.chunk_words,
                            chunk_max_words=settings.chunk_max_words, batch_size=settings.batch_size,
                            max_bytes=settings.max_file_mb * 1024 * 1024, max_pages=settings.max_pages,
                            approx_above=settings.approx_above,
                            post_build=benchlib.post_build_hooks() if args.with_duties else ())
    if report.failed:
        raise SystemExit(f"ingest failed: {[o.path for o in report.failed][:5]}")
    info.update(chunks=report.chunks, documents=report.documents, vector_index=report.vector_index,
                post_build_hooks=bool(args.with_duties),
                ingest_seconds=round(ti.wall, 1), ingest_embed_seconds=round(report.embed_seconds, 1),
                ingest_other_seconds=round(ti.wall - report.embed_seconds, 1), vectors=lib_embedder.stats)
    benchlib.progress(f"ingested {report.chunks} chunks in {ti.wall:.0f} s ({report.vector_index} index)", args.quiet)
    return index_dir, info


def flat_copy(src: Path, dest: Path) -> tuple[Path, float]:
    """The same generation with an exact FAISS index, built by the project's vectors.build."""
    from cpguide.index import store, vectors

    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("lock"))
    gen = store.current_generation(dest)
    with lap() as t:
        vecs = np.load(gen / "vectors.npy")
        index = vectors.build(vecs, approx_above=len(vecs) + 1)
        vectors.save(index, gen / "vectors.faiss")
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest["vector_index"] = vectors.kind_of(index)
    (gen / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return dest, t.wall


# -- measuring search -------------------------------------------------------------------------------------
def disk_sizes(index_dir: Path) -> dict:
    from cpguide.index import store

    gen = store.current_generation(index_dir)

    def size(p: Path) -> int:
        return sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.is_dir() else p.stat().st_size

    return {name: round(size(gen / name) / 2**20, 1) for name in ("vectors.faiss", "vectors.npy", "lexical", "library.sqlite")}


_RSS_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[2])
import benchlib
import numpy, faiss, bm25s  # libraries first, so the delta below is the index's own data
from cpguide.index.library import Library
before = benchlib.rss_mb()
library = Library.open(sys.argv[1])
after = benchlib.rss_mb()
print(json.dumps({"rss_before_open_mb": round(before, 1), "rss_after_open_mb": round(after, 1),
                  "open_delta_mb": round(after - before, 1), "chunks": len(library.chunks)}))
"""


def fresh_process_rss(index_dir: Path) -> dict | None:
    """RSS before/after Library.open in a new process, where no earlier work's freed memory hides the cost."""
    import subprocess

    here = Path(__file__).resolve().parent
    # Run from this folder: from the repository root, ``-c`` would import the cpguide/ folder there
    # rather than the cpguide that this process imports (e.g. another checkout on PYTHONPATH).
    proc = subprocess.run([sys.executable, "-c", _RSS_PROBE, str(index_dir), str(here)],
                          capture_output=True, text=True, timeout=600, cwd=here)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(label: str, index_dir: Path, embedder, queries: list[str], warmup: list[str], k: int, quiet: bool) -> dict:
    from cpguide.index.library import Library
    from cpguide.index.search import Searcher

    gc.collect()
    rss0 = benchlib.rss_mb()
    with lap() as to:
        library = Library.open(index_dir)
    rss1 = benchlib.rss_mb()
    searcher = Searcher(library, embedder)
    for q in warmup:
        searcher.search(q, k=k)
    rows = {s: [] for s in STAGES}
    hits_returned = 0
    benchlib.progress(f"{label}: {len(queries)} queries", quiet)
    with lap() as tq:
        for q in queries:
            t0 = time.perf_counter()
            hits = searcher.search(q, k=k)
            total = (time.perf_counter() - t0) * 1000
            t = searcher.last_timings
            rows["embed_ms"].append(t.embed_ms)
            rows["dense_ms"].append(t.dense_ms)
            rows["bm25_ms"].append(t.bm25_ms)
            rows["fusion_ms"].append(t.fusion_ms)
            rows["other_ms"].append(total - t.embed_ms - t.dense_ms - t.bm25_ms - t.fusion_ms)
            rows["total_ms"].append(total)
            hits_returned += len(hits)
    rss2 = benchlib.rss_mb()
    res = {
        "label": label, "index_dir": str(index_dir), "chunks": len(library.chunks), "documents": len(library.docs),
        "vector_index": library.manifest.get("vector_index"), "faiss_class": type(library.vector_index).__name__,
        "open_seconds": round(to.wall, 2), "rss_before_open_mb": round(rss0, 1), "rss_after_open_mb": round(rss1, 1),
        "rss_open_delta_mb": round(rss1 - rss0, 1), "rss_after_queries_mb": round(rss2, 1),
        "disk_mb": disk_sizes(index_dir), "queries": len(queries), "warmup_queries": len(warmup), "k": k,
        "mean_hits": round(hits_returned / len(queries), 2), "cpu_per_wall": round(tq.cpu_per_wall, 2),
        "stages_ms": {s: benchlib.summary_ms(v) for s, v in rows.items()},
    }
    res["fresh_process"] = fresh_process_rss(index_dir)
    res["_searcher"] = searcher  # dropped before the report; used for the HNSW/flat comparison
    return res


def dense_agreement(a, b, questions: list[str]) -> dict:
    """How often the HNSW index's dense top-10/top-100 equals the exact index's (recall vs flat)."""
    from cpguide.index import vectors
    from cpguide.index.search import CANDIDATES

    r10, r100 = [], []
    for q in questions:
        qv = a.embed_query(a.vocabulary.expand(q))
        _, ra = vectors.search(a.library.vector_index, qv, CANDIDATES)
        _, rb = vectors.search(b.library.vector_index, qv, CANDIDATES)
        r10.append(len(set(ra[:10]) & set(rb[:10])) / max(1, min(10, len(rb))))
        r100.append(len(set(ra) & set(rb)) / max(1, len(rb)))
    return {"questions": len(questions), "recall_at_10": round(float(np.mean(r10)), 4),
            "recall_at_100": round(float(np.mean(r100)), 4)}


# -- report -----------------------------------------------------------------------------------------------------
def text_report(res: dict) -> list[str]:
    env = res["environment"]
    lines = ["cpguide search latency (warm, one process)", "=" * 42, *benchlib.env_lines(env),
             f"Queries: {res['query_count']} = the {res['gold_questions']} gold questions ({res['answerable']} "
             f"answerable, {res['gold_questions'] - res['answerable']} not) repeated, after {res['warmup']} warm-up "
             f"queries; hybrid, k={res['k']}",
             f"Model load {res['model_load_seconds']:.2f} s; out dir {res['out_dir']}", ""]
    if res.get("large"):
        L = res["large"]
        v = L["vectors"]
        lines.append(f"Large library: {L['chunks']} chunks in {L['documents']} Markdown documents ({L['bytes'] / 1e6:.0f} MB) "
                     f"recombining {L['source_sentences']} real starter sentences under {L['source_headings']} real headings")
        if L.get("reused_from_earlier_run"):
            lines.append("  (built by an earlier run and reused with --reuse; the build figures below are that run's)")
        lines.append(f"  built by run_ingest in {L['ingest_seconds']:.0f} s ({L['ingest_embed_seconds']:.0f} s vectors, "
                     f"{L['ingest_other_seconds']:.0f} s load/clean/chunk/SQLite/BM25/FAISS"
                     + (", duty extraction" if L["post_build_hooks"] else "; duty extraction hook not run") + ")"
                     + (f"; the flat copy's FAISS index built in {L['flat_build_seconds']:.1f} s"
                        if L["flat_build_seconds"] else ""))
        if v.get("all_real"):
            lines.append(f"  vectors: all {v['real_vectors']} embedded with the real model ({v['real_seconds']:.0f} s)")
        else:
            c = v["derived_vs_true_cosine"]
            lines.append(f"  vectors: model ran at {v['model_chunks_per_second']} chunks/s on a sample of {v['sample']} "
                         f"(cpu/wall {v.get('sample_cpu_per_wall')}), so all {v['chunks']} would take "
                         f"{v['projected_all_real_seconds'] / 60:.0f} min; {v['real_vectors']} were embedded with the real model "
                         f"({v['real_seconds']:.0f} s, cpu/wall {v.get('real_cpu_per_wall')}) and {v['derived_vectors']} DERIVED as "
                         f"word-weighted means of the real vectors of their {v['distinct_pieces']} distinct "
                         f"sentences/headings/titles ({v['piece_embed_seconds']:.0f} s to embed those)")
            lines.append(f"  derived vs true vector cosine on the {c['n']} real ones: mean {c['mean']}, p5 {c['p5']}, "
                         f"min {c['min']}")
            nn = v.get("nearest_neighbour_cosine") or {}
            if nn:
                lines.append(f"  mean cosine to the nearest other vector: real {nn.get('real')}, derived {nn.get('derived')} "
                             "(derived vectors sit closer together, which can make HNSW's job harder than on real data)")
        if res.get("hnsw_vs_flat"):
            a = res["hnsw_vs_flat"]
            lines.append(f"  HNSW dense results vs exact (flat), {a['questions']} questions: recall@10 {a['recall_at_10']}, "
                         f"recall@100 {a['recall_at_100']}")
        lines.append("")
    for m in res["measurements"]:
        d = m["disk_mb"]
        lines.append(f"{m['label']}: {m['chunks']} chunks, {m['vector_index']} index ({m['faiss_class']}); "
                     f"opened in {m['open_seconds']:.2f} s; RSS {m['rss_before_open_mb']:.0f} -> "
                     f"{m['rss_after_open_mb']:.0f} MiB (+{m['rss_open_delta_mb']:.0f}), {m['rss_after_queries_mb']:.0f} "
                     f"after the queries; on disk faiss {d['vectors.faiss']} MiB, bm25 {d['lexical']} MiB, sqlite "
                     f"{d['library.sqlite']} MiB; cpu/wall {m['cpu_per_wall']}")
        rows = [[STAGE_NAMES[s], m["stages_ms"][s]["p50"], m["stages_ms"][s]["p95"], m["stages_ms"][s]["mean"],
                 m["stages_ms"][s]["max"]] for s in STAGES]
        lines += benchlib.table(["stage (ms)", "p50", "p95", "mean", "max"], rows)
        fp = m.get("fresh_process") or {}
        if "open_delta_mb" in fp:
            lines.append(f"  Library.open in a fresh process: RSS {fp['rss_before_open_mb']:.0f} -> "
                         f"{fp['rss_after_open_mb']:.0f} MiB (+{fp['open_delta_mb']:.0f} MiB for the loaded index)")
        lines.append("")
    lines.append(f"Peak RSS (ru_maxrss) {res['peak_rss_mb']:.0f} MiB; total benchmark time {res['total_seconds']:.0f} s")
    if res.get("note"):
        lines.append(res["note"])
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = benchlib.parser(__doc__, "the corpora and indexes built")
    ap.add_argument("--backend", choices=("onnx", "torch"), default=None,
                    help="embedding backend (default: the setting, onnx); backends.py compares the two")
    ap.add_argument("--chunks", type=int, default=100_000, help="size of the synthetic library (default 100000)")
    ap.add_argument("--real", type=int, default=10_000,
                    help="chunks of the large library embedded with the real model when embedding all would be too "
                         "slow (default 10000)")
    ap.add_argument("--all-real-under", type=float, default=360.0,
                    help="embed every chunk for real if the model's measured rate says it takes under this many "
                         "seconds (default 360)")
    ap.add_argument("--sample", type=int, default=256, help="chunks timed to measure the model's rate (default 256)")
    ap.add_argument("--queries", type=int, default=300, help="at least this many timed queries per index (default 300)")
    ap.add_argument("--warmup", type=int, default=20, help="warm-up queries per index (default 20)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-large", action="store_true", help="measure the starter index only")
    ap.add_argument("--reuse", action="store_true",
                    help="reuse the large library (and its flat copy) an earlier run built in --out, "
                         "instead of building it again (it takes most of the run)")
    ap.add_argument("--no-flat", action="store_true", help="do not measure the exact index at the large size")
    ap.add_argument("--with-duties", action="store_true",
                    help="run the ingest's post-build hooks (duty extraction) for the large library too; they do "
                         "not affect search but add minutes at 100k chunks")
    args = ap.parse_args(argv)
    if benchlib.replay(args, text_report):
        return 0

    with lap() as total:
        env = benchlib.environment()
        settings = benchlib.defaults()
        out = benchlib.out_dir(args.out, "search-bench")
        benchlib.progress(f"out dir {out}; loading the model", args.quiet)
        embedder, load_s = benchlib.load_model(args.backend)
        embedder.embed(["What should housing services do for care leavers?"] * 8)

        gold = benchlib.gold_questions()
        questions = [g["question"] for g in gold]
        queries = benchlib.repeat_to(questions, args.queries)
        warmup = questions[: args.warmup]
        k = settings.top_k

        from cpguide.ingest.pipeline import run_ingest
        from cpguide.ingest.sources import discover
        from cpguide.settings import PACKAGED_MODEL

        starter_dir = out / "index-starter"
        if starter_dir.exists():
            shutil.rmtree(starter_dir)
        benchlib.progress("ingesting the starter corpus", args.quiet)
        run_ingest(discover([]), index_dir=starter_dir, model=PACKAGED_MODEL, embedder_factory=lambda: embedder,
                   backend=embedder.backend,
                   batch_size=settings.batch_size, chunk_words=settings.chunk_words,
                   chunk_max_words=settings.chunk_max_words, approx_above=settings.approx_above,
                   post_build=benchlib.post_build_hooks())
        measurements = []
        m = measure("starter", starter_dir, embedder, queries, warmup, k, args.quiet)
        m.pop("_searcher").library.close()
        measurements.append(m)

        large = None
        agreement = None
        if not args.skip_large:
            from cpguide.index import store

            info_file = out / "large-info.json"
            large_dir, flat_dir = out / "index-large-hnsw", out / "index-large-flat"
            if args.reuse and info_file.is_file() and store.current_generation(large_dir) is not None:
                large = json.loads(info_file.read_text())
                large["reused_from_earlier_run"] = True
                benchlib.progress(f"reusing the {large['chunks']}-chunk library in {large_dir}", args.quiet)
            else:
                large_dir, large = build_large(out, embedder, settings, args)
                large["flat_build_seconds"] = 0.0
                info_file.write_text(json.dumps(large))
            if args.no_flat or large["vector_index"] == "flat":
                flat_dir = None
            elif not (args.reuse and store.current_generation(flat_dir) is not None):
                flat_dir, fs = flat_copy(large_dir, flat_dir)
                large["flat_build_seconds"] = round(fs, 2)
                info_file.write_text(json.dumps(large))
            gc.collect()
            m1 = measure(f"{large['chunks'] // 1000}k, {large['vector_index']}", large_dir, embedder, queries, warmup, k,
                         args.quiet)
            s1 = m1.pop("_searcher")
            measurements.append(m1)
            if flat_dir is not None:
                # Measure the exact index with the HNSW library still open, then compare their dense results.
                m2 = measure(f"{large['chunks'] // 1000}k, flat (exact)", flat_dir, embedder, queries, warmup, k,
                             args.quiet)
                s2 = m2.pop("_searcher")
                measurements.append(m2)
                agreement = dense_agreement(s1, s2, questions)
                s2.library.close()
            s1.library.close()
    res = {
        "benchmark": "search_latency", "environment": env, "k": k, "gold_questions": len(gold),
        "answerable": sum(bool(g.get("answerable")) for g in gold), "query_count": len(queries),
        "warmup": len(warmup), "model_load_seconds": round(load_s, 2), "out_dir": str(out),
        "settings": {"approx_above": settings.approx_above, "top_k": k, "batch_size": settings.batch_size},
        "large": large, "hnsw_vs_flat": agreement, "measurements": measurements,
        "peak_rss_mb": round(benchlib.peak_rss_mb(), 1), "total_seconds": round(total.wall, 1),
    }
    res["note"] = benchlib.load_note(env)
    if len(measurements) == 3:
        res["note"] = ("The flat (exact) library was opened while the HNSW one was still open, so its RSS delta is "
                       "its own memory on top of the other's. " + res["note"]).strip()
    benchlib.emit(res, text_report(res), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
