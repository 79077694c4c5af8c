"""Web load: concurrent clients against ``POST /api/chat`` of a real ``cpguide serve``, on loopback.

The script builds an index of the starter corpus with ``cpguide ingest`` (or reuses one given
with ``--index-dir``), starts ``cpguide serve`` as a child process on a free port of 127.0.0.1
(1 worker unless ``--workers N``), waits for ``/healthz``, and then:

* a baseline: the same number of clients call ``GET /healthz`` for a few seconds, which shows
  what the server costs per request before any question is answered;
* a few warm-up questions, one at a time, not counted;
* the load: ``--clients`` threads (default 20), each with its own connection and cookies,
  send the questions of eval/gold.jsonl in a loop (each client starts at a different place
  in the list) for ``--seconds`` (default 30). By default every request is a new conversation
  (no cookie is kept, so the server gives each one a new client key). With ``--conversations``
  each client keeps its cookie for a conversation: a gold question, then ``--follow-ups``
  follow-up questions taken from eval/dialogues.jsonl (such as "And what about health?"),
  sent with the ``conversation_id`` the server returned; a new cookie starts the next one.

A client stops starting requests at the deadline, after ``--max-requests`` in all, or on
Ctrl-C; a request still in flight at the deadline may finish (within ``--timeout``) and is
counted, and the report says how long that drain took. Throughput is completed requests
divided by the time from the start to the last completion.

Every non-200 answer and every exception counts as an error, by kind (``HTTP 429``,
``ReadTimeout``, ...), with the first bodies kept; a 200 whose JSON lacks the answer's fields,
or (in conversations) comes back in another conversation or out of turn, counts as well. The
server's memory is the sum of VmRSS from /proc over its process and all its children (the
uvicorn workers with ``--workers N``), read after start-up, before and after each phase, and
sampled every 0.25 s during the load for the peak; its CPU time per phase comes from the same
place. The benchmark's own CPU time is reported too, because the clients share the machine's
cores with the server.

The server runs with the project's defaults: CPGUIDE_* variables of this shell are not passed
on, except CPGUIDE_RATE_LIMIT, which is set to ``--rate-limit`` (default 1,000,000 a minute).
The per-client limit (60 a minute by default) counts by IP address, and every client here
comes from 127.0.0.1, so at the default the load would measure mostly 429 answers. The server
is stopped at the end (SIGTERM, then SIGKILL to its process group), also after an error or
Ctrl-C; its output is kept in ``server.log`` in the out dir.

    python eval/benchmarks/web_load.py                        # 20 clients x 30 s, 1 worker
    python eval/benchmarks/web_load.py --workers 2            # two server processes
    python eval/benchmarks/web_load.py --conversations        # follow-up questions too
    python eval/benchmarks/web_load.py --index-dir ~/.local/share/cpguide/index --clients 5 --seconds 10
    python eval/benchmarks/web_load.py --json --out /tmp/bench-web
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import benchlib

import httpx
import numpy as np

ANSWER_FIELDS = ("answer", "citations", "abstained", "conversation_id", "turn")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


# -- the server's processes ----------------------------------------------------------------------
def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user + system CPU seconds) of one process, from /proc/PID/stat."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            raw = fh.read()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()  # the name in parentheses may hold spaces
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_tree(root: int) -> list[int]:
    """``root`` and every process descended from it."""
    parents: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = _stat(int(name))
            if st is not None:
                parents.setdefault(st[0], []).append(int(name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(parents.get(pid, []))
    return tree


def _status(pid: int, key: str) -> int:
    """One number from /proc/PID/status (``VmRSS`` in KiB, ``Threads``); 0 if the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def vm_rss_kib(pid: int) -> int:
    return _status(pid, "VmRSS")


def server_probe(root: int) -> dict:
    """Memory (sum of VmRSS, MiB) and CPU seconds of the server and its children, right now."""
    pids = process_tree(root)
    rss = [vm_rss_kib(p) for p in pids]
    cpu = sum((_stat(p) or (0, 0.0))[1] for p in pids)
    return {"rss_mb": round(sum(rss) / 1024, 1), "processes": len(pids),
            "threads": sum(_status(p, "Threads") for p in pids),
            "per_process_mb": [round(r / 1024, 1) for r in rss], "cpu_seconds": round(cpu, 2)}


class RssSampler(threading.Thread):
    """Samples the server tree's RSS every ``interval`` seconds: ``peak_mb`` is the highest seen,
    ``timeline`` holds (seconds since start, MiB) once a second, to tell growth from a plateau."""

    def __init__(self, root: int, interval: float = 0.25):
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak_mb = 0.0
        self.samples = 0
        self.timeline: list[tuple[float, float]] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        t0 = time.monotonic()
        while not self._stop_event.is_set():
            pids = process_tree(self.root)
            mb = sum(vm_rss_kib(p) for p in pids) / 1024
            self.peak_mb = max(self.peak_mb, mb)
            now = time.monotonic() - t0
            if not self.timeline or now - self.timeline[-1][0] >= 1.0:
                self.timeline.append((round(now, 1), round(mb, 1)))
            self.samples += 1
            self._stop_event.wait(self.interval)

    def stop(self) -> float:
        self._stop_event.set()
        self.join(5)
        return round(self.peak_mb, 1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpguide_command() -> list[str]:
    """The ``cpguide`` script of this interpreter's environment, or ``python -m cpguide``."""
    script = Path(sys.executable).with_name("cpguide")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cpguide"]


def child_env(rate_limit: int | None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CPGUIDE_")}
    if rate_limit is not None:
        env["CPGUIDE_RATE_LIMIT"] = str(rate_limit)
    return env


class Server:
    """``cpguide serve`` in its own process group, stopped for sure by ``stop()``."""

    def __init__(self, index_dir: Path, port: int, workers: int, rate_limit: int, log_path: Path):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.command = cpguide_command() + ["serve", "--host", "127.0.0.1", "--port", str(port),
                                            "--workers", str(workers), "--index-dir", str(index_dir)]
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(self.command, env=child_env(rate_limit), stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.proc.pid
        self.exit_code: int | None = None

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_healthy(self, timeout: float) -> dict:
        """Poll /healthz until it answers 200; raise with the log's tail if the server dies or never does."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        with httpx.Client(timeout=5) as client:
            while time.monotonic() < deadline:
                if not self.alive():
                    raise RuntimeError(f"cpguide serve exited with code {self.proc.returncode} before answering "
                                       f"/healthz:\n{self.log_tail()}")
                try:
                    r = client.get(self.url + "/healthz")
                    if r.status_code == 200:
                        return r.json()
                    last = f"HTTP {r.status_code}: {r.text[:300]}"
                except httpx.HTTPError as exc:
                    last = type(exc).__name__
                time.sleep(0.25)
        raise RuntimeError(f"/healthz did not answer 200 within {timeout:.0f} s (last: {last}):\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            if not self._log.closed:
                self._log.flush()
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM to the whole group (uvicorn shuts down gracefully), SIGKILL after ``grace`` seconds."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.pid, signal.SIGKILL)  # workers left behind, if any
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self.exit_code = self.proc.returncode
        self._log.close()


# -- clients ---------------------------------------------------------------------------------------
class Shared:
    """What all clients of one phase write to, under one lock."""

    def __init__(self, deadline: float, max_requests: int, stop: threading.Event):
        self.deadline = deadline
        self.max_requests = max_requests
        self.stop = stop
        self.lock = threading.Lock()
        self.started = 0
        self.latencies_ms: list[float] = []
        self.errors: Counter = Counter()
        self.error_samples: dict[str, list[str]] = {}
        self.last_done = 0.0
        self.in_flight_at_deadline = 0
        self.abstained = 0
        self.turn_counts: Counter = Counter()

    def may_start(self) -> bool:
        with self.lock:
            if self.stop.is_set() or time.monotonic() >= self.deadline or self.started >= self.max_requests:
                return False
            self.started += 1
            return True

    def done(self, ms: float, error: str | None = None, detail: str = "", abstained: bool = False,
             turn: int | None = None) -> None:
        now = time.monotonic()
        with self.lock:
            self.last_done = max(self.last_done, now)
            if error is None:
                self.latencies_ms.append(ms)
                self.abstained += abstained
                if turn is not None:
                    self.turn_counts[turn] += 1
            else:
                self.errors[error] += 1
                samples = self.error_samples.setdefault(error, [])
                if len(samples) < 3:
                    samples.append(detail[:500])


def _request(shared: Shared, client: httpx.Client, method: str, path: str, body: dict | None = None,
             expect: dict | None = None) -> dict | None:
    """One timed request; records its latency or its error; returns the JSON of a good answer."""
    t0 = time.perf_counter()
    try:
        r = client.request(method, path, json=body)
        ms = (time.perf_counter() - t0) * 1000
        if r.status_code != 200:
            shared.done(ms, f"HTTP {r.status_code}", r.text)
            return None
        data = r.json()
    except httpx.HTTPError as exc:
        shared.done((time.perf_counter() - t0) * 1000, type(exc).__name__, repr(exc))
        return None
    except ValueError as exc:  # the body was not JSON
        shared.done((time.perf_counter() - t0) * 1000, "bad JSON", repr(exc))
        return None
    finally:
        if time.monotonic() >= shared.deadline:
            with shared.lock:
                shared.in_flight_at_deadline += 1
    if expect is not None:
        missing = [f for f in ANSWER_FIELDS if f not in data]
        if missing:
            shared.done(ms, "answer without " + ", ".join(missing), str(data))
            return None
        if "conversation_id" in expect and data["conversation_id"] != expect["conversation_id"]:
            shared.done(ms, "answer in another conversation", f"sent {expect['conversation_id']}, got "
                        f"{data['conversation_id']}")
            return None
        if "turn" in expect and data["turn"] != expect["turn"]:
            shared.done(ms, "answer out of turn", f"expected turn {expect['turn']}, got {data['turn']}")
            return None
        shared.done(ms, abstained=bool(data.get("abstained")), turn=data.get("turn"))
    else:
        shared.done(ms)
    return data


def chat_client(shared: Shared, base_url: str, timeout: float, number: int, clients: int, questions: list[str],
                follow_ups: list[str], n_follow: int, conversations: bool) -> None:
    i = number * len(questions) // clients  # clients start spread over the list
    f = number * len(follow_ups) // clients
    with httpx.Client(base_url=base_url, timeout=timeout) as client:
        while True:
            client.cookies.clear()  # a new client key, so the server starts a new conversation
            if not shared.may_start():
                return
            question = questions[i % len(questions)]
            i += 1
            data = _request(shared, client, "POST", "/api/chat", {"message": question}, expect={"turn": 1})
            if not conversations or data is None:
                continue
            conversation_id = data["conversation_id"]
            for turn in range(2, n_follow + 2):
                if not shared.may_start():
                    return
                message = follow_ups[f % len(follow_ups)]
                f += 1
                data = _request(shared, client, "POST", "/api/chat",
                                {"message": message, "conversation_id": conversation_id},
                                expect={"conversation_id": conversation_id, "turn": turn})
                if data is None:
                    break


def health_client(shared: Shared, base_url: str, timeout: float, number: int, clients: int) -> None:
    with httpx.Client(base_url=base_url, timeout=timeout) as client:
        while shared.may_start():
            _request(shared, client, "GET", "/healthz")


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None, "mean": None}
    a = np.asarray(values, dtype=float)
    p50, p95, p99 = np.percentile(a, [50, 95, 99])
    return {"p50": round(float(p50), 1), "p95": round(float(p95), 1), "p99": round(float(p99), 1),
            "max": round(float(a.max()), 1), "mean": round(float(a.mean()), 1)}


def run_phase(name: str, server: Server, clients: int, seconds: float, max_requests: int, timeout: float,
              stop: threading.Event, quiet: bool, target, **kwargs) -> dict:
    """``clients`` threads running ``target`` for ``seconds``; latencies, errors, server memory and CPU."""
    before = server_probe(server.pid)
    sampler = RssSampler(server.pid)
    sampler.start()
    own0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    shared = Shared(t0 + seconds, max_requests, stop)
    threads = [threading.Thread(target=target, args=(shared, server.url, timeout, c, clients), kwargs=kwargs,
                                daemon=True, name=f"{name}-{c}")
               for c in range(clients)]
    benchlib.progress(f"{name}: {clients} clients for {seconds:g} s", quiet)
    for t in threads:
        t.start()
    hard_stop = t0 + seconds + timeout + 10
    for t in threads:
        while t.is_alive() and time.monotonic() < hard_stop:
            t.join(0.5)  # short joins, so Ctrl-C reaches the main thread
    stuck = sum(t.is_alive() for t in threads)
    if stuck:
        stop.set()
    t_end = shared.last_done or time.monotonic()
    wall = max(t_end - t0, 1e-9)
    own1 = resource.getrusage(resource.RUSAGE_SELF)
    peak = sampler.stop()
    after = server_probe(server.pid)
    with shared.lock:
        completed = len(shared.latencies_ms)
        errors = dict(shared.errors)
        res = {
            "phase": name, "clients": clients, "seconds": seconds, "wall_seconds": round(wall, 2),
            "drain_seconds": round(max(0.0, t_end - shared.deadline), 2), "requests_started": shared.started,
            "requests_completed": completed, "errors": errors, "error_count": sum(errors.values()),
            "error_samples": shared.error_samples,
            "finished_after_deadline": shared.in_flight_at_deadline,
            "throughput_rps": round(completed / wall, 2), "latency_ms": percentiles(shared.latencies_ms),
            "stopped_by_max_requests": shared.started >= max_requests, "clients_still_running": stuck,
            "server_rss_before_mb": before["rss_mb"], "server_rss_after_mb": after["rss_mb"],
            "server_rss_peak_mb": max(peak, before["rss_mb"], after["rss_mb"]),
            "server_rss_timeline": sampler.timeline,
            "server_processes": after["processes"], "server_threads_before": before["threads"],
            "server_threads_after": after["threads"], "server_rss_after_per_process_mb": after["per_process_mb"],
            "server_cpu_seconds": round(after["cpu_seconds"] - before["cpu_seconds"], 2),
            "client_cpu_seconds": round(own1.ru_utime + own1.ru_stime - own0.ru_utime - own0.ru_stime, 2),
            "server_alive_after": server.alive(),
        }
        if shared.turn_counts:
            res["answers_by_turn"] = {str(k): v for k, v in sorted(shared.turn_counts.items())}
            res["abstained"] = shared.abstained
    res["server_cpu_per_wall"] = round(res["server_cpu_seconds"] / wall, 2)
    res["client_cpu_per_wall"] = round(res["client_cpu_seconds"] / wall, 2)
    benchlib.progress(f"{name}: {completed} requests in {wall:.1f} s, {res['error_count']} errors", quiet)
    return res


# -- inputs --------------------------------------------------------------------------------------------
def follow_up_questions() -> list[str]:
    """The later turns of eval/dialogues.jsonl: questions that only make sense after another."""
    rows = benchlib.gold_questions(benchlib.REPO / "eval" / "dialogues.jsonl")
    return [t["question"] for d in rows for t in d["turns"][1:]]


def ensure_index(index_dir: Path, quiet: bool) -> dict:
    """Reuse the index in ``index_dir`` if it has one, else build the starter corpus there with ``cpguide ingest``."""
    from cpguide.index import store

    if store.current_generation(index_dir) is not None:
        benchlib.progress(f"reusing the index in {index_dir}", quiet)
        return {"built": False, "seconds": 0.0}
    benchlib.progress(f"building the starter index in {index_dir} (cpguide ingest)", quiet)
    t0 = time.perf_counter()
    done = subprocess.run(cpguide_command() + ["ingest", "--index-dir", str(index_dir)], env=child_env(None),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"cpguide ingest failed with code {done.returncode}:\n{done.stdout[-2000:]}"
                           f"\n{done.stderr[-2000:]}")
    return {"built": True, "seconds": round(seconds, 1), "summary": done.stdout.strip().splitlines()}


def environment() -> dict:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {"python": platform.python_version(), "machine": platform.machine(), "cpu_count": os.cpu_count(),
            "cpus_usable": usable, "httpx": httpx.__version__,
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


# -- report -----------------------------------------------------------------------------------------------
def phase_lines(p: dict) -> list[str]:
    lat = p["latency_ms"]
    lines = [f"{p['label']}: {p['clients']} clients x {p['seconds']:g} s",
             f"  completed {p['requests_completed']} requests in {p['wall_seconds']:.1f} s "
             f"({p['finished_after_deadline']} finished after the deadline, drained in {p['drain_seconds']:.1f} s): "
             f"{p['throughput_rps']:.1f} req/s"]
    lines += benchlib.table(["latency (ms)", "p50", "p95", "p99", "max", "mean"],
                            [["", lat["p50"], lat["p95"], lat["p99"], lat["max"], lat["mean"]]], indent="  ")
    if p["error_count"]:
        lines.append(f"  ERRORS: {p['error_count']}: " + ", ".join(f"{k} x{v}" for k, v in sorted(p["errors"].items())))
        for kind, samples in p["error_samples"].items():
            lines.append(f"    {kind}: {samples[0][:200]!r}")
    else:
        lines.append("  errors: none")
    if p.get("answers_by_turn"):
        lines.append("  answers by turn: " + ", ".join(f"{k}: {v}" for k, v in p["answers_by_turn"].items())
                     + f"; {p['abstained']} abstained")
    elif "abstained" in p:
        lines.append(f"  {p['abstained']} of the answers abstained")
    lines.append(f"  server RSS {p['server_rss_before_mb']:.0f} MiB before, peak {p['server_rss_peak_mb']:.0f}, "
                 f"{p['server_rss_after_mb']:.0f} after ({p['server_processes']} process(es): "
                 f"{p['server_rss_after_per_process_mb']}, {p['server_threads_before']} -> {p['server_threads_after']} "
                 f"threads); server CPU {p['server_cpu_seconds']:.1f} s "
                 f"({p['server_cpu_per_wall']:.2f} cores), benchmark clients' CPU {p['client_cpu_seconds']:.1f} s "
                 f"({p['client_cpu_per_wall']:.2f} cores)")
    every = max(1.0, p["seconds"] / 6)
    marks, seen = [], set()
    for t, mb in p["server_rss_timeline"]:
        if int(t // every) not in seen:
            seen.add(int(t // every))
            marks.append(f"{t:.0f}s {mb:.0f}")
    if len(marks) > 2:
        lines.append("  server RSS during the phase (MiB): " + ", ".join(marks))
    if p["stopped_by_max_requests"]:
        lines.append("  stopped early: --max-requests reached")
    if p["clients_still_running"]:
        lines.append(f"  {p['clients_still_running']} client(s) were still waiting when the phase was cut off")
    if not p["server_alive_after"]:
        lines.append("  THE SERVER HAD EXITED by the end of this phase")
    return lines


def text_report(res: dict) -> list[str]:
    env = res["environment"]
    idx = res["index"]
    lines = ["cpguide web load (loopback, one machine)", "=" * 40,
             f"Python {env['python']} on {env['machine']}, {env['cpus_usable']} usable CPUs; httpx {env['httpx']}; "
             f"load average at start {env['load_average_at_start']}",
             f"Server: {' '.join(res['server_command'])}",
             f"  with CPGUIDE_RATE_LIMIT={res['rate_limit']} (the per-address limit; every client here is 127.0.0.1); "
             f"start-up to a healthy /healthz {res['startup_seconds']:.1f} s",
             f"Index: {res['index_dir']} ({'built by cpguide ingest in ' + str(idx['seconds']) + ' s' if idx['built'] else 'reused'}); "
             f"{res['health']['documents']} documents, {res['health']['chunks']} chunks",
             f"Questions: {res['questions']} from eval/gold.jsonl; "
             + (f"conversations of 1 gold question + {res['follow_ups']} follow-ups from eval/dialogues.jsonl"
                if res["conversations"] else "a new conversation per request"),
             f"Server RSS after start-up: {res['rss_startup_mb']:.0f} MiB", ""]
    for p in res["phases"]:
        lines += phase_lines(p)
        lines.append("")
    w = res.get("warmup")
    if w:
        lines.append(f"Warm-up before the load: {w['requests']} questions one at a time, {w['seconds']:.1f} s")
    chat = res["phases"][-1]
    lines.append(f"Server RSS: {res['rss_startup_mb']:.0f} MiB after start-up, {chat['server_rss_before_mb']:.0f} "
                 f"before the chat load, {chat['server_rss_after_mb']:.0f} after it (+"
                 f"{chat['server_rss_after_mb'] - chat['server_rss_before_mb']:.0f}), peak {chat['server_rss_peak_mb']:.0f}")
    lines.append(f"Server stopped (exit code {res['server_exit_code']}); its log: {res['server_log']}")
    lines.append(f"Total benchmark time {res['total_seconds']:.0f} s")
    if res.get("server_log_tail"):
        lines += ["Last lines of the server log:", *("  " + x for x in res["server_log_tail"].splitlines())]
    lines.append(f"RESULT: {'OK, no errors' if res['ok'] else 'ERRORS, see above'}")
    if res.get("note"):
        lines.append(res["note"])
    return lines


def _interrupt(signum, frame):
    """SIGTERM ends the run as Ctrl-C does, so the server is stopped either way."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", help="folder for the index and the server log (default: a new temp dir)")
    ap.add_argument("--index-dir", help="reuse the index in this folder (built there if it has none)")
    ap.add_argument("--json", action="store_true", help="print the results as one JSON object")
    ap.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    ap.add_argument("--seconds", type=float, default=30.0, help="length of the chat load (default 30)")
    ap.add_argument("--health-seconds", type=float, default=5.0,
                    help="length of the GET /healthz baseline, 0 to skip (default 5)")
    ap.add_argument("--workers", type=int, default=1, help="server processes (cpguide serve --workers, default 1)")
    ap.add_argument("--conversations", action="store_true",
                    help="keep each client's cookie and ask follow-ups in the same conversation")
    ap.add_argument("--follow-ups", type=int, default=2, help="follow-ups per conversation with --conversations (default 2)")
    ap.add_argument("--max-requests", type=int, default=100_000, help="stop a phase after this many requests (default 100000)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds one request may take (default 120)")
    ap.add_argument("--warmup", type=int, default=3, help="questions asked one at a time before the load (default 3)")
    ap.add_argument("--rate-limit", type=int, default=1_000_000,
                    help="CPGUIDE_RATE_LIMIT for the server, requests a minute per address (default 1000000)")
    ap.add_argument("--startup-timeout", type=float, default=300.0, help="seconds to wait for /healthz (default 300)")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    args = ap.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.workers < 1:
        ap.error("--clients and --workers must be at least 1, --seconds above 0")

    signal.signal(signal.SIGTERM, _interrupt)
    t_total = time.perf_counter()
    env = environment()
    out = benchlib.out_dir(args.out, "web-load")
    index_dir = Path(args.index_dir).expanduser().resolve() if args.index_dir else out / "index"
    questions = [g["question"] for g in benchlib.gold_questions()]
    follow_ups = follow_up_questions()
    index = ensure_index(index_dir, args.quiet)

    port = free_port()
    stop = threading.Event()
    server = Server(index_dir, port, args.workers, args.rate_limit, out / "server.log")
    benchlib.progress(f"started {' '.join(server.command)} (pid {server.pid})", args.quiet)
    phases: list[dict] = []
    failure = None
    try:
        t0 = time.perf_counter()
        health = server.wait_healthy(args.startup_timeout)
        startup = time.perf_counter() - t0
        rss_startup = server_probe(server.pid)["rss_mb"]
        if args.health_seconds > 0:
            p = run_phase("GET /healthz", server, args.clients, args.health_seconds, args.max_requests, args.timeout,
                          stop, args.quiet, health_client)
            p["label"] = "Baseline, GET /healthz"
            phases.append(p)
        warmup = None
        if args.warmup:
            tw = time.perf_counter()
            with httpx.Client(base_url=server.url, timeout=args.timeout) as client:
                for q in questions[: args.warmup]:
                    r = client.post("/api/chat", json={"message": q})
                    client.cookies.clear()
                    if r.status_code != 200:
                        raise RuntimeError(f"a warm-up question failed: HTTP {r.status_code}: {r.text[:500]}")
            warmup = {"requests": args.warmup, "seconds": round(time.perf_counter() - tw, 2)}
        p = run_phase("POST /api/chat", server, args.clients, args.seconds, args.max_requests, args.timeout, stop,
                      args.quiet, chat_client, questions=questions, follow_ups=follow_ups,
                      n_follow=args.follow_ups, conversations=args.conversations)
        p["label"] = "Load, POST /api/chat" + (" (conversations)" if args.conversations else "")
        phases.append(p)
    except KeyboardInterrupt:
        stop.set()
        failure = "interrupted"
        print("\nInterrupted; stopping the server.", file=sys.stderr)
    except Exception as exc:
        stop.set()
        failure = f"{type(exc).__name__}: {exc}"
    finally:
        stop.set()
        server.stop()
        benchlib.progress(f"server stopped (exit code {server.exit_code})", args.quiet)
    if failure:
        print(f"web_load failed: {failure}", file=sys.stderr)
        tail = server.log_tail()
        if tail:
            print(f"Last lines of {server.log_path}:\n{tail}", file=sys.stderr)
        return 130 if failure == "interrupted" else 1

    res = {
        "benchmark": "web_load", "environment": env, "out_dir": str(out), "index_dir": str(index_dir),
        "index": index, "health": health, "server_command": server.command, "rate_limit": args.rate_limit,
        "workers": args.workers, "startup_seconds": round(startup, 2), "rss_startup_mb": rss_startup,
        "questions": len(questions), "conversations": args.conversations,
        "follow_ups": args.follow_ups if args.conversations else 0, "warmup": warmup, "phases": phases,
        "server_exit_code": server.exit_code, "server_log": str(server.log_path),
        "total_seconds": round(time.perf_counter() - t_total, 1),
    }
    res["ok"] = all(p["error_count"] == 0 and p["server_alive_after"] for p in phases)
    if not res["ok"]:
        res["server_log_tail"] = server.log_tail(40)
    res["note"] = benchlib.load_note(env)
    benchlib.emit(res, text_report(res), args.json)
    return 0 if res["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
