"""Ingest throughput: the whole pipeline against the bare model on exactly the same texts.

For the starter corpus (5 documents) and a synthetic corpus built from it (default 250 files,
about 50 times its bytes), this measures in one process, with one loaded model:

* the wall time of ``run_ingest`` into a fresh index, its chunks and chunks/s, and the
  pipeline's own ``embed_seconds``;
* the raw encode time of ``embedder.embed(texts)`` on the very texts the pipeline embeds
  (obtained by the same load -> clean -> chunk -> ``embedding_text`` steps, same batch size,
  same embedder object), and the overhead % = (pipeline - raw) / raw;
* a re-ingest of the unchanged corpus and a re-ingest after changing one file;
* current and peak resident memory after each corpus.

The model is warmed with one batch before anything is timed, and raw and pipeline runs
alternate (raw, pipeline, pipeline, raw, ...) so that neither side always goes first.

    python eval/benchmarks/ingest_throughput.py                 # full run (about 10 minutes)
    python eval/benchmarks/ingest_throughput.py --files 25      # quick check (5x corpus)
    python eval/benchmarks/ingest_throughput.py --json --out /tmp/bench-ingest
"""

from __future__ import annotations

import json
import random
import re
import shutil
import statistics
import sys
from pathlib import Path

import benchlib
from benchlib import lap

import numpy as np

CHANGE_NOTE = "\n\nThis paragraph was added to measure the cost of re-ingesting one changed file.\n"

# Per-file word substitutions for the synthetic corpus: each file applies a few of these, so
# its text (and every chunk's text) differs from the other files built from the same paragraphs.
SUBSTITUTIONS = [
    ("council", "local authority"), ("councillors", "elected members"), ("partners", "partner agencies"),
    ("support", "help"), ("important", "vital"), ("ensure", "make sure"), ("services", "provision"),
    ("young people", "young adults"), ("should", "ought to"), ("work", "collaborate"),
    ("outcomes", "results"), ("children", "youngsters"), ("responsibility", "duty"), ("local", "area"),
    ("help", "assist"), ("needs", "requirements"), ("understand", "appreciate"), ("role", "part"),
]


# -- corpora ---------------------------------------------------------------------------------------
def copy_starter(dest: Path) -> Path:
    """A private copy of the starter corpus (files and manifest), so one file can be changed."""
    from cpguide.ingest.sources import starter_corpus_dir

    src = starter_corpus_dir()
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for f in sorted(src.iterdir()):
        if f.suffix in (".txt", ".toml"):
            shutil.copy2(f, dest / f.name)
    return dest


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid TOML basic string here


def make_synthetic(dest: Path, files: int, seed: int) -> Path:
    """``files`` text files recombining runs of the starter corpus's paragraphs.

    Each file is about the size of an average starter file (so 250 files are about 50 times the
    corpus), is made of runs of 3-10 consecutive paragraphs from randomly chosen starter
    documents, and has 3-6 word substitutions of its own. A manifest gives each file an id,
    a title and the metadata of the document its first run came from. Deterministic for a seed.
    """
    from cpguide.ingest.sources import read_manifest, starter_corpus_dir

    src = starter_corpus_dir()
    metas = read_manifest(src)
    docs = []
    for f in sorted(src.glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        paras = [p.strip("\n") for p in re.split(r"\n[ \t]*\n", text) if p.strip()]
        docs.append((f.name, paras, len(text.encode("utf-8"))))
    total_bytes = sum(d[2] for d in docs)
    target = total_bytes / len(docs)
    weights = [d[2] for d in docs]

    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    manifest = ["# Synthetic corpus recombined from the starter corpus (eval/benchmarks/ingest_throughput.py)."]
    for i in range(files):
        rng = random.Random(f"cpguide-synthetic-{seed}-{i}")
        subs = rng.sample(SUBSTITUTIONS, rng.randint(3, 6))
        parts: list[str] = []
        size = 0
        first = None
        while size < target:
            name, paras, _ = rng.choices(docs, weights=weights)[0]
            first = first or name
            start = rng.randrange(len(paras))
            run = paras[start:start + rng.randint(3, 10)]
            parts.extend(run)
            size += sum(len(p.encode("utf-8")) + 2 for p in run)
        body = "\n\n".join(parts) + "\n"
        for old, new in subs:
            body = re.sub(rf"\b{re.escape(old)}\b", new, body)
        fname = f"synthetic-{i:03d}.txt"
        (dest / fname).write_text(body, encoding="utf-8")
        m = metas[first]
        manifest += [
            "", "[[document]]", f'id = "synthetic-{i:03d}"', f'file = "{fname}"',
            f"title = {_toml_str(f'{m.title} (compiled edition {i + 1})')}",
            f"publisher = {_toml_str(m.publisher)}", f"year = {m.year or 2020}",
            f'jurisdiction = "{m.jurisdiction}"', f'kind = "{m.kind}"',
        ]
    (dest / "manifest.toml").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    return dest


# -- measuring -------------------------------------------------------------------------------------
def embedding_texts(sources, settings) -> tuple[list[str], int]:
    """The texts run_ingest embeds for a fresh index, by the same steps: prepare -> embedding_text."""
    from cpguide.ingest.chunk import embedding_text
    from cpguide.ingest.pipeline import prepare

    texts: list[str] = []
    docs = 0
    for s in sources:
        doc, chunks = prepare(s, s.path.read_bytes(), max_bytes=settings.max_file_mb * 1024 * 1024,
                              max_pages=settings.max_pages, chunk_words=settings.chunk_words,
                              chunk_max_words=settings.chunk_max_words)
        texts.extend(embedding_text(c, doc.meta.title) for c in chunks)
        docs += 1
    return texts, docs


def ingest(sources, index_dir: Path, embedder, settings):
    from cpguide.ingest.pipeline import run_ingest
    from cpguide.settings import PACKAGED_MODEL

    with lap() as t:
        report = run_ingest(
            sources, index_dir=index_dir, model=PACKAGED_MODEL, embedder_factory=lambda: embedder,
            backend=embedder.backend, chunk_words=settings.chunk_words, chunk_max_words=settings.chunk_max_words,
            batch_size=settings.batch_size, max_bytes=settings.max_file_mb * 1024 * 1024,
            max_pages=settings.max_pages, approx_above=settings.approx_above,
            post_build=benchlib.post_build_hooks(),
        )
    failed = [o.path for o in report.failed]
    if failed:
        raise SystemExit(f"ingest failed for {failed}")
    return report, t


def _run_dict(report, t) -> dict:
    return {
        "wall_seconds": round(t.wall, 3), "cpu_seconds": round(t.cpu, 3), "cpu_per_wall": round(t.cpu_per_wall, 2),
        "report_seconds": round(report.seconds, 3), "embed_seconds": round(report.embed_seconds, 3),
        "chunks": report.chunks, "chunks_embedded": report.chunks_embedded,
        "chunks_per_second": round(report.chunks_embedded / t.wall, 1) if t.wall and report.chunks_embedded else 0.0,
        "documents": report.documents, "wrote_index": report.wrote_index, "vector_index": report.vector_index,
        "summary": {s: report.count(s) for s in ("added", "updated", "unchanged", "failed")},
        "stage_seconds": {k: round(v, 3) for k, v in getattr(report, "stage_seconds", {}).items()},
        "reused": getattr(report, "reused", {}),
    }


def measure_corpus(label: str, corpus: Path, work: Path, embedder, settings, repeats: int,
                   model_encode: bool, quiet: bool) -> dict:
    from cpguide.index import store
    from cpguide.ingest.sources import discover

    sources = discover([corpus])
    files = len(sources)
    nbytes = sum(s.path.stat().st_size for s in sources)
    benchlib.progress(f"{label}: preparing texts of {files} files ({nbytes / 1e6:.2f} MB)", quiet)
    with lap() as tp:
        texts, _ = embedding_texts(sources, settings)
    n = len(texts)
    est = 2 * repeats * n / 50
    benchlib.progress(f"{label}: {n} chunks; timing raw encode and pipeline x{repeats} "
                      f"(roughly {est / 60:.1f} min at 50 chunks/s)", quiet)

    raw_runs: list[dict] = []
    pipe_runs: list[dict] = []
    raw_vectors = None
    last_index = None
    order = []
    for r in range(repeats):
        order += ["raw", "pipeline"] if r % 2 == 0 else ["pipeline", "raw"]
    for i, kind in enumerate(order):
        if kind == "raw":
            with lap() as t:
                raw_vectors = embedder.embed(texts, batch_size=settings.batch_size)
            raw_runs.append({"wall_seconds": round(t.wall, 3), "cpu_seconds": round(t.cpu, 3),
                             "cpu_per_wall": round(t.cpu_per_wall, 2),
                             "chunks_per_second": round(n / t.wall, 1) if t.wall else 0.0})
            benchlib.progress(f"{label}: raw encode {t.wall:.1f} s ({n / t.wall:.1f} chunks/s)", quiet)
        else:
            index_dir = work / f"index-{label}-{len(pipe_runs) + 1}"
            if index_dir.exists():
                shutil.rmtree(index_dir)
            report, t = ingest(sources, index_dir, embedder, settings)
            pipe_runs.append(_run_dict(report, t))
            last_index = index_dir
            benchlib.progress(f"{label}: run_ingest {t.wall:.1f} s (embed {report.embed_seconds:.1f} s, "
                              f"{report.chunks} chunks)", quiet)

    # The pipeline embedded exactly these texts: its stored vectors equal the raw ones.
    stored = np.load(store.current_generation(last_index) / "vectors.npy")
    same = stored.shape == raw_vectors.shape
    max_diff = float(np.abs(stored - raw_vectors).max()) if same and stored.size else None

    encode_direct = None
    if model_encode and hasattr(embedder, "_model"):  # the torch backend's SentenceTransformer
        # The library's own call on the whole list at once (it sorts by length internally), to see
        # whether the embedder's own batching loop costs anything.
        with lap() as t:
            embedder._model.encode(list(texts), batch_size=settings.batch_size, normalize_embeddings=True,
                                   convert_to_numpy=True, show_progress_bar=False)
        encode_direct = {"wall_seconds": round(t.wall, 3), "cpu_seconds": round(t.cpu, 3),
                         "cpu_per_wall": round(t.cpu_per_wall, 2), "chunks_per_second": round(n / t.wall, 1)}
        benchlib.progress(f"{label}: SentenceTransformer.encode on all texts {t.wall:.1f} s", quiet)

    # Re-ingest with nothing changed: should embed nothing and write nothing.
    report, t = ingest(sources, last_index, embedder, settings)
    unchanged = _run_dict(report, t)
    benchlib.progress(f"{label}: unchanged re-ingest {t.wall:.2f} s", quiet)

    # Change one file (the one of median size) and re-ingest.
    changed = sorted(sources, key=lambda s: s.path.stat().st_size)[len(sources) // 2]
    with open(changed.path, "a", encoding="utf-8") as fh:
        fh.write(CHANGE_NOTE)
    report, t = ingest(discover([corpus]), last_index, embedder, settings)
    one = _run_dict(report, t)
    one["file"] = changed.path.name
    benchlib.progress(f"{label}: one-file change {t.wall:.2f} s (embed {report.embed_seconds:.2f} s)", quiet)

    raw_wall = statistics.median(r["wall_seconds"] for r in raw_runs)
    pipe_wall = statistics.median(r["wall_seconds"] for r in pipe_runs)
    pipe_embed = statistics.median(r["embed_seconds"] for r in pipe_runs)
    raw_cpu = statistics.median(r["cpu_seconds"] for r in raw_runs)
    pipe_cpu = statistics.median(r["cpu_seconds"] for r in pipe_runs)
    return {
        "corpus": str(corpus), "files": files, "bytes": nbytes, "chunks": n,
        "prepare_seconds": round(tp.wall, 3),
        "raw_encode": raw_runs, "pipeline": pipe_runs,
        "raw_encode_seconds": round(raw_wall, 3), "raw_chunks_per_second": round(n / raw_wall, 1),
        "pipeline_seconds": round(pipe_wall, 3), "pipeline_chunks_per_second": round(n / pipe_wall, 1),
        "pipeline_embed_seconds": round(pipe_embed, 3),
        "pipeline_non_embed_seconds": round(pipe_wall - pipe_embed, 3),
        "overhead_pct": round(100 * (pipe_wall - raw_wall) / raw_wall, 1),
        "raw_encode_cpu_seconds": round(raw_cpu, 3), "pipeline_cpu_seconds": round(pipe_cpu, 3),
        "overhead_cpu_pct": round(100 * (pipe_cpu - raw_cpu) / raw_cpu, 1) if raw_cpu else None,
        "embed_in_pipeline_vs_raw_pct": round(100 * (pipe_embed - raw_wall) / raw_wall, 1),
        "stored_vectors_equal_raw": bool(same and max_diff is not None and max_diff < 1e-5),
        "stored_vs_raw_max_abs_diff": max_diff,
        "sentence_transformers_encode": encode_direct,
        "reingest_unchanged": unchanged, "reingest_one_file_changed": one,
        "rss_mb": round(benchlib.rss_mb(), 1), "peak_rss_mb": round(benchlib.peak_rss_mb(), 1),
    }


# -- report ----------------------------------------------------------------------------------------------
def text_report(res: dict) -> list[str]:
    env = res["environment"]
    lines = ["cpguide ingest throughput", "=" * 25, *benchlib.env_lines(env),
             f"Settings: batch_size={res['settings']['batch_size']}, chunk_words={res['settings']['chunk_words']}, "
             f"chunk_max_words={res['settings']['chunk_max_words']}, approx_above={res['settings']['approx_above']}",
             f"Model load {res['model_load_seconds']:.2f} s; warm-up encode of {res['warmup_texts']} texts "
             f"{res['warmup_seconds']:.2f} s (not counted below); RSS after load {res['rss_after_model_mb']:.0f} MiB",
             f"Out dir: {res['out_dir']}", ""]
    for label, c in res["corpora"].items():
        lines.append(f"{label}: {c['files']} files, {c['bytes'] / 1e6:.2f} MB, {c['chunks']} chunks "
                     f"(load+clean+chunk alone: {c['prepare_seconds']:.2f} s)")
        rows = []
        for i, r in enumerate(c["raw_encode"], 1):
            rows.append([f"raw embedder.embed #{i}", f"{r['wall_seconds']:.3f}", "", r["chunks_per_second"],
                         f"{r['cpu_seconds']:.2f}", r["cpu_per_wall"]])
        for i, r in enumerate(c["pipeline"], 1):
            rows.append([f"run_ingest (fresh) #{i}", f"{r['wall_seconds']:.3f}", f"{r['embed_seconds']:.3f}",
                         r["chunks_per_second"], f"{r['cpu_seconds']:.2f}", r["cpu_per_wall"]])
        if c["sentence_transformers_encode"]:
            e = c["sentence_transformers_encode"]
            rows.append(["SentenceTransformer.encode", f"{e['wall_seconds']:.3f}", "", e["chunks_per_second"],
                         f"{e['cpu_seconds']:.2f}", e["cpu_per_wall"]])
        u, o = c["reingest_unchanged"], c["reingest_one_file_changed"]
        rows.append(["re-ingest, unchanged", f"{u['wall_seconds']:.3f}", f"{u['embed_seconds']:.3f}",
                     f"{u['chunks_embedded']} embedded", f"{u['cpu_seconds']:.2f}", u["cpu_per_wall"]])
        rows.append(["re-ingest, 1 file changed", f"{o['wall_seconds']:.3f}", f"{o['embed_seconds']:.3f}",
                     f"{o['chunks_embedded']} embedded", f"{o['cpu_seconds']:.2f}", o["cpu_per_wall"]])
        lines += benchlib.table(["run", "wall s", "embed s", "chunks/s", "cpu s", "cpu/wall"], rows)
        lines.append(f"  => pipeline {c['pipeline_seconds']:.2f} s vs raw encode {c['raw_encode_seconds']:.2f} s: "
                     f"overhead {c['overhead_pct']:+.1f}% (embed step inside the pipeline "
                     f"{c['embed_in_pipeline_vs_raw_pct']:+.1f}% vs raw; everything else "
                     f"{c['pipeline_non_embed_seconds']:.2f} s); in CPU time {c['pipeline_cpu_seconds']:.1f} s vs "
                     f"{c['raw_encode_cpu_seconds']:.1f} s = {c['overhead_cpu_pct']:+.1f}%")
        lines.append(f"  => stored vectors equal the raw ones: {c['stored_vectors_equal_raw']} "
                     f"(max |diff| {c['stored_vs_raw_max_abs_diff']})")
        lines.append(f"  => one-file change re-embedded {o['chunks_embedded']} chunks of {o['chunks']} "
                     f"({o['file']}); {o['wall_seconds'] - o['embed_seconds']:.2f} s of it was not embedding")
        if o.get("stage_seconds"):
            st = ", ".join(f"{k} {v:.2f}" for k, v in o["stage_seconds"].items())
            reused = o.get("reused") or {}
            lines.append(f"     stages (s): {st}; reused from the live generation: "
                         f"{reused.get('documents', 0)} documents' duties and passages, "
                         f"{reused.get('bm25_rows', 0)} passages' BM25 tokens")
        lines.append(f"  => memory: RSS {c['rss_mb']:.0f} MiB now, peak so far (ru_maxrss) {c['peak_rss_mb']:.0f} MiB")
        lines.append("")
    lines.append(f"Total benchmark time {res['total_seconds']:.0f} s")
    if res.get("note"):
        lines.append(res["note"])
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = benchlib.parser(__doc__, "the corpora and indexes built")
    ap.add_argument("--files", type=int, default=250,
                    help="synthetic corpus files, each about 1/5 of the starter corpus (default 250 = ~50x)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the synthetic corpus (default 0)")
    ap.add_argument("--starter-repeats", type=int, default=2,
                    help="raw/pipeline pairs on the starter corpus, alternating order (default 2)")
    ap.add_argument("--synthetic-repeats", type=int, default=1,
                    help="raw/pipeline pairs on the synthetic corpus (default 1)")
    ap.add_argument("--backend", choices=("onnx", "torch"), default=None,
                    help="embedding backend (default: the setting, onnx); backends.py compares the two")
    ap.add_argument("--batch-size", type=int, default=None, help="embedding batch size (default: the setting, 64)")
    ap.add_argument("--model-encode", action="store_true",
                    help="also time SentenceTransformer.encode on the synthetic texts (always done for the starter)")
    ap.add_argument("--skip-synthetic", action="store_true", help="measure the starter corpus only")
    args = ap.parse_args(argv)
    if benchlib.replay(args, text_report):
        return 0
    quiet = args.quiet

    with lap() as total:
        env = benchlib.environment()
        settings = benchlib.defaults()
        if args.batch_size:
            settings = settings.replace(batch_size=args.batch_size)
        out = benchlib.out_dir(args.out, "ingest-bench")
        benchlib.progress(f"out dir {out}; loading the model", quiet)
        embedder, load_s = benchlib.load_model(args.backend)
        rss_model = benchlib.rss_mb()

        from cpguide.ingest.sources import discover

        starter = copy_starter(out / "corpus-starter")
        warm_texts, _ = embedding_texts(discover([starter]), settings)
        warm_texts = warm_texts[: settings.batch_size]
        with lap() as tw:
            embedder.embed(warm_texts, batch_size=settings.batch_size)

        corpora = {"starter": measure_corpus("starter", starter, out, embedder, settings, args.starter_repeats,
                                             True, quiet)}
        if not args.skip_synthetic:
            benchlib.progress(f"generating the synthetic corpus ({args.files} files)", quiet)
            synth = make_synthetic(out / "corpus-synthetic", args.files, args.seed)
            corpora["synthetic"] = measure_corpus("synthetic", synth, out, embedder, settings,
                                                  args.synthetic_repeats, args.model_encode, quiet)
    res = {
        "benchmark": "ingest_throughput",
        "environment": env,
        "backend": embedder.backend,
        "settings": {k: getattr(settings, k) for k in ("batch_size", "chunk_words", "chunk_max_words", "approx_above")},
        "synthetic_files": None if args.skip_synthetic else args.files, "seed": args.seed,
        "model_load_seconds": round(load_s, 3), "warmup_texts": len(warm_texts),
        "warmup_seconds": round(tw.wall, 3), "rss_after_model_mb": round(rss_model, 1),
        "out_dir": str(out), "corpora": corpora, "total_seconds": round(total.wall, 1),
    }
    res["note"] = benchlib.load_note(env)
    benchlib.emit(res, text_report(res), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
