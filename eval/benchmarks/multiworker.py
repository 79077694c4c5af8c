"""Conversations across workers and a restart: a real ``cpguide serve --workers N`` on loopback.

Checks what an IT team would try first when scaling the web chat: ``--clients`` browsers
(default 20), each with its own cookie jar, each ask a question from eval/gold.jsonl and then
``--follow-ups`` follow-up questions (default 2, from eval/dialogues.jsonl) in the same
conversation, all at once, against ``cpguide serve --workers 2``. Uvicorn hands each request
to whichever worker is free, so follow-ups routinely reach a worker that did not answer the
question before; they must continue the conversation (same ``conversation_id``, the next turn
number, a resolved question). Then the server is stopped and started again, and every client
asks one more follow-up in its conversation: it must still be there, at the next turn.

Each client makes a bounded number of requests (1 + follow-ups, then 1 after the restart),
all to 127.0.0.1. Every non-200 answer, exception, wrong conversation or wrong turn number is
an error, by kind. The rate limit is switched off for the server (every client here is
127.0.0.1, so the per-address limit would otherwise answer 429).

    python eval/benchmarks/multiworker.py                  # 20 clients, 2 workers
    python eval/benchmarks/multiworker.py --clients 5 --json
    python eval/benchmarks/multiworker.py --index-dir ~/.local/share/cpguide/index
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import benchlib
import httpx
import numpy as np
from web_load import Server, ensure_index, follow_up_questions, free_port

ANSWER_FIELDS = ("answer", "citations", "conversation_id", "turn", "resolved_question")


class Client:
    """One browser: its own cookies, its conversation, what went wrong."""

    def __init__(self, number: int, question: str, follow_ups: list[str], timeout: float):
        self.number = number
        self.question = question
        self.follow_ups = follow_ups
        self.http = httpx.Client(timeout=timeout)
        self.conversation_id: str | None = None
        self.turn = 0
        self.errors: list[str] = []
        self.latencies_ms: list[float] = []

    def ask(self, base_url: str, message: str) -> None:
        body = {"message": message}
        if self.conversation_id:
            body["conversation_id"] = self.conversation_id
        t0 = time.perf_counter()
        try:
            response = self.http.post(base_url + "/api/chat", json=body)
        except httpx.HTTPError as exc:
            self.errors.append(type(exc).__name__)
            return
        self.latencies_ms.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            self.errors.append(f"HTTP {response.status_code}: {response.text[:160]}")
            return
        data = response.json()
        if any(k not in data for k in ANSWER_FIELDS):
            self.errors.append("answer without its fields")
        elif self.conversation_id and data["conversation_id"] != self.conversation_id:
            self.errors.append("another conversation")
        elif data["turn"] != self.turn + 1:
            self.errors.append(f"turn {data['turn']}, expected {self.turn + 1}")
        else:
            self.conversation_id, self.turn = data["conversation_id"], data["turn"]


def run_all(clients: list[Client], base_url: str, messages: dict[int, list[str]]) -> float:
    """Every client sends its messages in order, all clients at once; returns the wall time."""

    def work(client: Client) -> None:
        for message in messages[client.number]:
            client.ask(base_url, message)
            if client.errors:
                return

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


def phase(name: str, clients: list[Client], seconds: float, before: dict[int, int]) -> dict:
    latencies = [ms for c in clients for ms in c.latencies_ms[before.get(c.number, 0):]]
    errors = Counter(e.split(":")[0] for c in clients for e in c.errors)
    return {"phase": name, "requests": len(latencies), "seconds": round(seconds, 1),
            "p50_ms": round(float(np.percentile(latencies, 50)), 1) if latencies else None,
            "p95_ms": round(float(np.percentile(latencies, 95)), 1) if latencies else None,
            "errors": dict(errors), "error_samples": [e for c in clients for e in c.errors][:5]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--follow-ups", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--index-dir", type=Path, help="an existing index (default: build the starter corpus)")
    parser.add_argument("--out", type=Path, help="folder for the index and server logs (default: a new temp folder)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    out = args.out or Path(tempfile.mkdtemp(prefix="cpguide-multiworker-"))
    out.mkdir(parents=True, exist_ok=True)
    index_dir = args.index_dir or out / "index"
    ensure_index(index_dir, quiet=args.json)
    (index_dir / "conversations.sqlite").unlink(missing_ok=True)  # start with no conversations

    questions = [q["question"] for q in benchlib.gold_questions(benchlib.REPO / "eval" / "gold.jsonl")
                 if q.get("answerable")]
    follow = follow_up_questions()
    clients = [Client(i, questions[i * 7 % len(questions)],
                      [follow[(i + k) % len(follow)] for k in range(args.follow_ups)], args.timeout)
               for i in range(args.clients)]
    port = free_port()
    results = {"clients": args.clients, "workers": args.workers, "follow_ups": args.follow_ups,
               "index_dir": str(index_dir), "load_average": list(__import__("os").getloadavg())}

    server = Server(index_dir, port, args.workers, 0, out / "server-1.log")
    try:
        server.wait_healthy(300)
        seconds = run_all(clients, server.url, {c.number: [c.question, *c.follow_ups] for c in clients})
        results["before_restart"] = phase("question and follow-ups", clients, seconds, {})
    finally:
        server.stop()
    counted = {c.number: len(c.latencies_ms) for c in clients}
    server = Server(index_dir, port, args.workers, 0, out / "server-2.log")
    try:
        server.wait_healthy(300)
        alive = [c for c in clients if not c.errors]
        seconds = run_all(alive, server.url, {c.number: ["and in Wales?"] for c in alive})
        results["after_restart"] = phase("one more follow-up after a restart", alive, seconds, counted)
        results["after_restart"]["continued"] = sum(c.turn == args.follow_ups + 2 for c in alive)
    finally:
        server.stop()
    results["errors"] = sum(len(c.errors) for c in clients)

    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"cpguide serve --workers {args.workers}: {args.clients} clients, a question and "
              f"{args.follow_ups} follow-ups each, then a restart and one more follow-up")
        for key in ("before_restart", "after_restart"):
            p = results[key]
            print(f"  {p['phase']}: {p['requests']} requests in {p['seconds']} s, p50 {p['p50_ms']} ms, "
                  f"p95 {p['p95_ms']} ms, errors {p['errors'] or 0}")
        print(f"  conversations continued after the restart: {results['after_restart']['continued']} of "
              f"{args.clients}")
        print(f"  errors in all: {results['errors']}  (logs in {out})")
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
