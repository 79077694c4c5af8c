"""Shared pieces of the benchmark scripts in this folder (not part of the installed package).

The scripts run as ``python eval/benchmarks/NAME.py``, which puts this folder on ``sys.path``,
so they import this module as ``benchlib``. Everything measured goes through the project's
own components (``run_ingest``, ``Library``, ``Searcher``, ``Assistant``); this module only
holds timers, memory probes, the environment summary and report formatting.
"""

from __future__ import annotations

import argparse

import json
import os
import platform
import resource
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# Same offline settings the embedder sets for itself, applied before anything imports
# transformers, so that no benchmark can try to reach a model hub.
for _k, _v in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("TOKENIZERS_PARALLELISM", "false"),
               ("HF_HUB_DISABLE_PROGRESS_BARS", "1"), ("TRANSFORMERS_VERBOSITY", "error")):
    os.environ.setdefault(_k, _v)

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


# -- memory and time -----------------------------------------------------------------------
def rss_mb() -> float:
    """Current resident set size of this process, in MiB (Linux /proc)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def peak_rss_mb() -> float:
    """High-water mark of the resident set size since the process started, in MiB.

    ``ru_maxrss`` never goes down: a figure read after a phase is the peak of everything so far.
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU time of this process, summed over all its threads."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


@dataclass
class Lap:
    wall: float = 0.0
    cpu: float = 0.0

    @property
    def cpu_per_wall(self) -> float:
        """About the number of busy cores; well under the thread count means the CPU was shared."""
        return self.cpu / self.wall if self.wall else 0.0


@contextmanager
def lap():
    """``with lap() as t: ...`` then ``t.wall`` / ``t.cpu`` in seconds."""
    t = Lap()
    w0, c0 = time.perf_counter(), cpu_seconds()
    try:
        yield t
    finally:
        t.wall = time.perf_counter() - w0
        t.cpu = cpu_seconds() - c0


def summary_ms(values_ms: list[float]) -> dict:
    """p50 / p95 / mean / max of a list of milliseconds."""
    if not values_ms:
        return {"n": 0, "p50": None, "p95": None, "mean": None, "max": None}
    a = np.asarray(values_ms, dtype=float)
    return {"n": int(a.size), "p50": round(float(np.percentile(a, 50)), 2),
            "p95": round(float(np.percentile(a, 95)), 2), "mean": round(float(a.mean()), 2),
            "max": round(float(a.max()), 2)}


# -- environment ------------------------------------------------------------------------------
def environment() -> dict:
    """Versions and thread counts, without importing torch or sentence-transformers when the
    run has not (an ONNX-backend process must not carry them, or its memory figures lie)."""
    from importlib import metadata

    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    try:
        import faiss

        faiss_threads = faiss.omp_get_max_threads()
        faiss_version = faiss.__version__
    except Exception:  # pragma: no cover - faiss is a dependency, but keep the report going
        faiss_threads, faiss_version = None, None
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    torch_threads = sys.modules["torch"].get_num_threads() if "torch" in sys.modules else affinity

    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": affinity,
        "torch": version("torch"),
        "torch_threads": torch_threads,
        "onnxruntime": version("onnxruntime"),
        "faiss": faiss_version,
        "faiss_omp_threads": faiss_threads,
        "sentence_transformers": version("sentence-transformers"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def load_note(env: dict) -> str:
    """A warning when other processes were competing for the cores during the run."""
    start = env.get("load_average_at_start", [0])[0]
    end = os.getloadavg()[0]
    env["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    cores = env.get("cpus_usable") or 1
    if max(start, end) > cores + 0.5:
        return (f"NOTE: the 1-minute load average was {start:.1f} at the start and {end:.1f} at the end on "
                f"{cores} cores: other processes shared the CPU, so times are pessimistic. "
                "The cpu/wall figures show how many cores this process actually got.")
    return ""


def env_lines(env: dict) -> list[str]:
    return [
        f"Python {env['python']} on {env['machine']}, {env['cpus_usable']} usable CPUs; "
        f"torch {env['torch']} with {env['torch_threads']} threads; faiss {env['faiss']} with "
        f"{env['faiss_omp_threads']} OpenMP threads; sentence-transformers {env['sentence_transformers']}; "
        f"onnxruntime {env.get('onnxruntime')}",
        f"Load average at start: {env['load_average_at_start']}",
    ]


# -- inputs and outputs -------------------------------------------------------------------------
def out_dir(arg: str | None, prefix: str) -> Path:
    if arg:
        p = Path(arg).expanduser().resolve()
        p.mkdir(parents=True, exist_ok=True)
        return p
    return Path(tempfile.mkdtemp(prefix=f"cpguide-{prefix}-"))


def gold_questions(path: Path | None = None) -> list[dict]:
    path = path or REPO / "eval" / "gold.jsonl"
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def repeat_to(items: list, at_least: int) -> list:
    """``items`` repeated whole until there are at least ``at_least`` of them."""
    if not items:
        return []
    out = []
    while len(out) < at_least:
        out.extend(items)
    return out


def defaults():
    """The project's default settings (ignoring CPGUIDE_* variables, so runs are comparable)."""
    from cpguide.settings import Settings

    return Settings.resolve(env={})


def load_model(backend: str | None = None):
    """The real packaged all-MiniLM-L6-v2 on ``backend`` (default: the project's), and how long loading took."""
    from cpguide.index.embedder import load_embedder
    from cpguide.settings import PACKAGED_MODEL

    settings = defaults()
    with lap() as t:
        embedder = load_embedder(PACKAGED_MODEL, backend=backend or settings.backend, cache_dir=settings.cache_dir)
    return embedder, t.wall


def post_build_hooks():
    """The same extra tables ``cpguide ingest`` writes, so the measured ingest is the CLI's."""
    from cpguide.commands.ingest import post_build_hooks as hooks

    return hooks()


def fmt_s(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f} s"


def table(headers: list[str], rows: list[list], indent: str = "  ") -> list[str]:
    cells = [[str(h) for h in headers]] + [["-" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, r in enumerate(cells):
        lines.append(indent + "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))))
        if n == 0:
            lines.append(indent + "  ".join("-" * w for w in widths))
    return lines


def emit(result: dict, text_lines: list[str], as_json: bool) -> None:
    if as_json:
        json.dump(result, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        print("\n".join(text_lines))


def progress(message: str, quiet: bool) -> None:
    """Progress goes to stderr so that ``--json`` output stays clean."""
    if not quiet:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parser(doc: str, out_help: str) -> argparse.ArgumentParser:
    """The options every benchmark has: where to build, JSON out, quiet, and replaying a saved result."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--out", help=f"folder for {out_help} (default: a new temp dir)")
    ap.add_argument("--json", action="store_true", help="print the results as one JSON object")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    ap.add_argument("--from-json", metavar="FILE", help="only print the readable report of a saved --json result")
    return ap


def replay(args, text_report) -> bool:
    """With --from-json, print the readable report of a saved result and say so."""
    if not args.from_json:
        return False
    with open(args.from_json, encoding="utf-8") as fh:
        print("\n".join(text_report(json.load(fh))))
    return True
