"""The two embedding backends side by side: torch (sentence-transformers) against ONNX Runtime (int8).

Everything is measured in one run with the two backends interleaved in the same rounds (the
order alternating from round to round), so a burst of other work on the machine falls on both:

- ingest: ``run_ingest`` of the starter corpus into a fresh index, and the bare
  ``embedder.embed`` of exactly the texts the pipeline embeds, in passages per second;
- query embedding: one question at a time (the gold questions, after a warm-up), median and p95;
- cold ``cpguide ask``: the wall time of the real command in a fresh process (import, load the
  model and index, answer), on the starter index built with that backend;
- loaded RSS: a fresh process that loads the model, the index and the assistant and answers one
  question, and which heavy libraries it imported;
- agreement: cosine between the two backends' stored vectors of every starter passage;
- retrieval quality: ``cpguide eval --skip-answers --json --backend B`` on the dev and test sets
  (hybrid and dense-only Recall@5 and MRR@10), each backend on its own index.

The report gives each figure for both backends and their ratio, against the targets: ONNX
ingest at least twice torch's passages/s, cold ``ask`` at most 1.5 s, R@5 and MRR@10 within
0.01 of torch.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import benchlib
from benchlib import lap

import numpy as np

BACKENDS = ("torch", "onnx")
QUESTION = "what should housing services do for care leavers?"
CLI = [sys.executable, "-m", "cpguide"]

# A fresh interpreter that loads what `cpguide serve` loads, answers once and reports its memory.
RSS_PROBE = """
import json, resource, sys
from cpguide.app import Services
from cpguide.settings import Settings
s = Settings.resolve(index_dir=sys.argv[1], backend=sys.argv[2], llm_url="")
services = Services(s)
services.assistant.ask(sys.argv[3])
rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:")) / 1024
print(json.dumps({"rss_mb": round(rss, 1),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                  "imported": sorted(m for m in ("torch", "sentence_transformers", "transformers", "onnxruntime")
                                     if m in sys.modules)}))
"""


def rounds_order(r: int) -> tuple[str, ...]:
    return BACKENDS if r % 2 == 0 else BACKENDS[::-1]


def ingest_once(embedder, index_dir: Path, settings):
    from cpguide.ingest.pipeline import run_ingest
    from cpguide.ingest.sources import discover
    from cpguide.settings import PACKAGED_MODEL

    if index_dir.exists():
        shutil.rmtree(index_dir)
    with lap() as t:
        report = run_ingest(discover([]), index_dir=index_dir, model=PACKAGED_MODEL, backend=embedder.backend,
                            embedder_factory=lambda: embedder, batch_size=settings.batch_size,
                            chunk_words=settings.chunk_words, chunk_max_words=settings.chunk_max_words,
                            approx_above=settings.approx_above, post_build=benchlib.post_build_hooks())
    return report, t


def pipeline_texts(index_dir: Path) -> list[str]:
    """The texts the pipeline embedded, rebuilt from the index it wrote (same order as the vectors)."""
    from cpguide.index.library import Library
    from cpguide.ingest.chunk import embedding_text

    lib = Library.open(index_dir)
    try:
        return [embedding_text(c, lib.meta(c.doc_id).title) for c in lib.chunks]
    finally:
        lib.close()


def median(xs):
    return round(float(np.median(xs)), 3) if xs else None


def measure(args, out: Path, quiet: bool) -> dict:
    from cpguide.index import store

    settings = benchlib.defaults()
    embedders, load_s = {}, {}
    for b in BACKENDS:
        benchlib.progress(f"loading the {b} backend", quiet)
        embedders[b], load_s[b] = benchlib.load_model(b)
    res: dict = {"load_seconds_in_process": {b: round(load_s[b], 2) for b in BACKENDS},
                 "batch_size": settings.batch_size}

    # 1. Ingest: pipeline and bare embed, interleaved.
    index = {b: out / f"index-{b}" for b in BACKENDS}
    ingest = {b: {"pipeline_pps": [], "embed_seconds": [], "raw_pps": [], "wall": [], "cpu_per_wall": []}
              for b in BACKENDS}
    texts = None
    for r in range(args.rounds):
        for b in rounds_order(r):
            e = embedders[b]
            report, t = ingest_once(e, index[b], settings)
            if texts is None:
                texts = pipeline_texts(index[b])
                e.embed(texts[: settings.batch_size], batch_size=settings.batch_size)  # warm
            with lap() as traw:
                e.embed(texts, batch_size=settings.batch_size)
            n = report.chunks_embedded
            ingest[b]["pipeline_pps"].append(n / t.wall)
            ingest[b]["embed_seconds"].append(report.embed_seconds)
            ingest[b]["wall"].append(t.wall)
            ingest[b]["cpu_per_wall"].append(t.cpu_per_wall)
            ingest[b]["raw_pps"].append(len(texts) / traw.wall)
            benchlib.progress(f"round {r + 1} {b}: ingest {t.wall:.2f} s ({n / t.wall:.1f} passages/s, "
                              f"cpu/wall {t.cpu_per_wall:.2f}), bare embed {len(texts) / traw.wall:.1f} passages/s",
                              quiet)
    res["passages"] = len(texts)
    res["ingest"] = {b: {"pipeline_passages_per_s": round(median(v["pipeline_pps"]), 1),
                         "embed_passages_per_s": round(median(v["raw_pps"]), 1),
                         "ingest_wall_s": round(median(v["wall"]), 2), "cpu_per_wall": round(median(v["cpu_per_wall"]), 2),
                         "runs": len(v["wall"]),
                         "rounds": [{"pipeline_pps": round(p, 1), "embed_pps": round(e, 1), "cpu_per_wall": round(c, 2)}
                                    for p, e, c in zip(v["pipeline_pps"], v["raw_pps"], v["cpu_per_wall"])]}
                     for b, v in ingest.items()}

    # 2. Agreement between the two backends' stored vectors (same corpus, same chunk order).
    vecs = {b: np.load(store.current_generation(index[b]) / "vectors.npy") for b in BACKENDS}
    cos = np.sum(vecs["torch"] * vecs["onnx"], axis=1)
    res["cosine_onnx_to_torch"] = {"min": round(float(cos.min()), 4), "mean": round(float(cos.mean()), 4)}

    # 3. Query embedding, one question at a time, in alternating blocks.
    questions = [g["question"] for g in benchlib.gold_questions()]
    queries = benchlib.repeat_to(questions, args.queries)[: args.queries]
    for b in BACKENDS:
        for q in questions[:20]:
            embedders[b].embed([q])
    qms = {b: [] for b in BACKENDS}
    block = 50
    for i, start in enumerate(range(0, len(queries), block)):
        for b in rounds_order(i):
            for q in queries[start:start + block]:
                t0 = time.perf_counter()
                embedders[b].embed([q])
                qms[b].append((time.perf_counter() - t0) * 1000)
    res["query_embed_ms"] = {b: benchlib.summary_ms(v) for b, v in qms.items()}
    benchlib.progress("query embedding: " + ", ".join(f"{b} p50 {res['query_embed_ms'][b]['p50']} ms"
                                                      for b in BACKENDS), quiet)
    del embedders  # the subprocess measurements below should not compete with two loaded models

    # 4. Cold `cpguide ask` in a fresh process, and 5. RSS of a loaded process.
    env = {**os.environ, "CPGUIDE_LLM_URL": ""}
    cold = {b: [] for b in BACKENDS}
    rss = {b: [] for b in BACKENDS}
    for r in range(args.cold_rounds):
        for b in rounds_order(r):
            t0 = time.perf_counter()
            p = subprocess.run(CLI + ["ask", QUESTION, "--index-dir", str(index[b]), "--backend", b],
                               capture_output=True, text=True, env=env)
            wall = time.perf_counter() - t0
            if p.returncode != 0:
                raise SystemExit(f"cpguide ask --backend {b} failed: {p.stderr[-800:]}")
            cold[b].append(wall)
            probe = subprocess.run([sys.executable, "-c", RSS_PROBE, str(index[b]), b, QUESTION],
                                   capture_output=True, text=True, env=env)
            if probe.returncode != 0:
                raise SystemExit(f"RSS probe for {b} failed: {probe.stderr[-800:]}")
            rss[b].append(json.loads(probe.stdout.strip().splitlines()[-1]))
            benchlib.progress(f"round {r + 1} {b}: cold ask {wall:.2f} s, loaded RSS {rss[b][-1]['rss_mb']} MiB", quiet)
    t0 = time.perf_counter()
    subprocess.run(CLI + ["--help"], capture_output=True, check=True)
    res["help_seconds"] = round(time.perf_counter() - t0, 3)
    res["cold_ask_s"] = {b: {"median": round(median(v), 2), "min": round(min(v), 2), "max": round(max(v), 2),
                             "runs": len(v), "each": [round(x, 2) for x in v]}
                         for b, v in cold.items()}
    res["loaded_rss_mb"] = {b: {"median": median([x["rss_mb"] for x in v]),
                                "peak_median": median([x["peak_rss_mb"] for x in v]),
                                "imported": v[-1]["imported"]} for b, v in rss.items()}

    # 6. Retrieval quality with each backend on its own index.
    quality = {}
    if not args.skip_eval:
        for b in BACKENDS:
            benchlib.progress(f"cpguide eval --skip-answers --backend {b}", quiet)
            p = subprocess.run(CLI + ["eval", "--skip-answers", "--json", "--backend", b, "--index-dir", str(index[b])],
                               capture_output=True, text=True, env=env)
            if p.returncode != 0:
                raise SystemExit(f"cpguide eval --backend {b} failed: {p.stderr[-800:]}")
            data = json.loads(p.stdout)
            quality[b] = {s: {r["method"]: {"recall@5": r["recall@5"], "mrr@10": r["mrr@10"]}
                              for r in data[s]["retrieval"]} for s in data if isinstance(data[s], dict)}
    res["retrieval"] = quality
    return res


def ratios(res: dict) -> dict:
    i, q, c, m = res["ingest"], res["query_embed_ms"], res["cold_ask_s"], res["loaded_rss_mb"]
    out = {
        "ingest_pipeline_onnx_over_torch": round(i["onnx"]["pipeline_passages_per_s"] / i["torch"]["pipeline_passages_per_s"], 2),
        "embed_onnx_over_torch": round(i["onnx"]["embed_passages_per_s"] / i["torch"]["embed_passages_per_s"], 2),
        "query_median_torch_over_onnx": round(q["torch"]["p50"] / q["onnx"]["p50"], 1),
        "cold_ask_torch_over_onnx": round(c["torch"]["median"] / c["onnx"]["median"], 1),
        "rss_onnx_over_torch": round(m["onnx"]["median"] / m["torch"]["median"], 2),
    }
    deltas = {}
    for s, methods in res["retrieval"].get("onnx", {}).items():
        for method, fig in methods.items():
            ref = res["retrieval"]["torch"][s][method]
            deltas[f"{s}/{method}"] = {k: round(fig[k] - ref[k], 3) for k in ("recall@5", "mrr@10")}
    out["retrieval_onnx_minus_torch"] = deltas
    return out


def text_report(res: dict) -> list[str]:
    i, q, c, m, r = res["ingest"], res["query_embed_ms"], res["cold_ask_s"], res["loaded_rss_mb"], res["ratios"]
    lines = ["Embedding backends: torch (sentence-transformers) vs ONNX Runtime int8, interleaved in the same rounds",
             *benchlib.env_lines(res["environment"]), ""]
    rows = [
        ["ingest, starter corpus (passages/s)", i["torch"]["pipeline_passages_per_s"], i["onnx"]["pipeline_passages_per_s"],
         f"{r['ingest_pipeline_onnx_over_torch']}x", ">= 2x"],
        [f"bare embed, bs{res['batch_size']} (passages/s)", i["torch"]["embed_passages_per_s"],
         i["onnx"]["embed_passages_per_s"], f"{r['embed_onnx_over_torch']}x", ""],
        ["query embed median / p95 (ms)", f"{q['torch']['p50']} / {q['torch']['p95']}",
         f"{q['onnx']['p50']} / {q['onnx']['p95']}", f"{r['query_median_torch_over_onnx']}x faster", ""],
        ["cold `cpguide ask` median (s)", c["torch"]["median"], c["onnx"]["median"],
         f"{r['cold_ask_torch_over_onnx']}x faster", "<= 1.5 s"],
        ["loaded RSS, one answer (MiB)", m["torch"]["median"], m["onnx"]["median"], f"{r['rss_onnx_over_torch']}x", ""],
        ["imports", ",".join(m["torch"]["imported"]), ",".join(m["onnx"]["imported"]), "", ""],
    ]
    lines += benchlib.table(["what", "torch", "onnx int8", "ratio", "target"], rows)
    quiet = [k for k, (t, o) in enumerate(zip(i["torch"].get("rounds", []), i["onnx"].get("rounds", [])))
             if min(t["cpu_per_wall"], o["cpu_per_wall"]) >= 1.8]
    if quiet:
        t_pps = median([i["torch"]["rounds"][k]["pipeline_pps"] for k in quiet])
        o_pps = median([i["onnx"]["rounds"][k]["pipeline_pps"] for k in quiet])
        lines += ["", f"Ingest in the {len(quiet)} round(s) where both backends had the two cores (cpu/wall >= 1.8): "
                  f"torch {t_pps:.1f}, onnx {o_pps:.1f} passages/s ({o_pps / t_pps:.2f}x)."]
    cos = res["cosine_onnx_to_torch"]
    lines += ["", f"Cosine of ONNX to torch vectors over {res['passages']} starter passages: min {cos['min']}, "
              f"mean {cos['mean']}.  `cpguide --help`: {res['help_seconds']} s."]
    if res["retrieval"]:
        lines += ["", "Retrieval (cpguide eval --skip-answers), Recall@5 / MRR@10:"]
        qrows = []
        for s, methods in res["retrieval"]["onnx"].items():
            for method in methods:
                t, o = res["retrieval"]["torch"][s][method], res["retrieval"]["onnx"][s][method]
                d = r["retrieval_onnx_minus_torch"][f"{s}/{method}"]
                qrows.append([f"{s} {method}", f"{t['recall@5']:.3f} / {t['mrr@10']:.3f}",
                              f"{o['recall@5']:.3f} / {o['mrr@10']:.3f}", f"{d['recall@5']:+.3f} / {d['mrr@10']:+.3f}"])
        lines += benchlib.table(["set, method", "torch", "onnx int8", "onnx - torch"], qrows)
    lines += ["", f"({res['total_seconds']} s; indexes in {res['out_dir']})"]
    if res.get("note"):
        lines += ["", res["note"]]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = benchlib.parser(__doc__, "the indexes built")
    ap.add_argument("--rounds", type=int, default=3, help="ingest rounds, each backend once per round (default 3)")
    ap.add_argument("--queries", type=int, default=300, help="single-question embeddings per backend (default 300)")
    ap.add_argument("--cold-rounds", type=int, default=5, help="cold `cpguide ask` runs per backend (default 5)")
    ap.add_argument("--skip-eval", action="store_true", help="leave out the retrieval-quality runs")
    args = ap.parse_args(argv)
    if benchlib.replay(args, text_report):
        return 0
    with lap() as total:
        env = benchlib.environment()
        out = benchlib.out_dir(args.out, "backends-bench")
        res = measure(args, out, args.quiet)
    res.update({"benchmark": "backends", "environment": env, "out_dir": str(out),
                "total_seconds": round(total.wall, 1)})
    res["ratios"] = ratios(res)
    res["note"] = benchlib.load_note(env)
    benchlib.emit(res, text_report(res), args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
