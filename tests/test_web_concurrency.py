"""Many people asking at once: a real server on loopback, answers computed side by side.

Every concurrent request must succeed with the answer the question gets when asked alone,
and answers must not queue behind one another (one slow answer would otherwise hold up
everyone's). Bounded: a fixed number of requests, loopback only.
"""

from __future__ import annotations

import json
import sys
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cpguide.settings import Settings
from cpguide.web.app import create_app

sys.path.insert(0, str(Path(__file__).parent))
from web_server import LiveServer, services_for  # noqa: E402

pytestmark = pytest.mark.model

QUESTIONS = [
    "what should housing services do for care leavers?",
    "what can businesses do?",
    "what are the corporate parenting principles?",
    "how can schools support looked after children?",
    "what is a corporate parenting panel?",
    "what should health services do for children in care?",
]


def post(url: str, body: dict) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:  # no cookie jar: each is a new conversation
        return resp.status, json.loads(resp.read())


def answer_view(payload: dict) -> tuple:
    return payload["answer"], [(c["doc_id"], c["quote"]) for c in payload["citations"]], payload["abstained"]


@pytest.fixture(scope="module")
def server(tmp_path_factory, starter_index, embedder):
    """The app on its own copy of the conversations file, with answers watched for overlap."""
    settings = Settings.resolve(env={}, index_dir=str(starter_index), rate_limit=100_000)
    services = services_for(settings, embedder)
    app = create_app(settings, services)
    with LiveServer(app) as live:
        yield live, services


def test_concurrent_chat_requests_all_succeed_with_their_own_answers(server):
    live, services = server
    url = f"{live.url}/api/chat"
    alone = {q: answer_view(post(url, {"message": q})[1]) for q in QUESTIONS}

    assistant = services.assistant
    real_ask = assistant.ask
    lock = threading.Lock()
    state = {"in_flight": 0, "most": 0}
    two_at_once = threading.Event()

    def watched(*args, **kwargs):
        with lock:
            state["in_flight"] += 1
            state["most"] = max(state["most"], state["in_flight"])
            if state["in_flight"] >= 2:
                two_at_once.set()
        try:
            two_at_once.wait(timeout=10)  # the first answer waits for a second to start beside it
            return real_ask(*args, **kwargs)
        finally:
            with lock:
                state["in_flight"] -= 1

    assistant.ask = watched
    try:
        work = QUESTIONS * 4
        with ThreadPoolExecutor(max_workers=12) as pool:
            results = list(pool.map(lambda q: (q, *post(url, {"message": q})), work))
    finally:
        del assistant.ask

    assert [status for _, status, _ in results] == [200] * len(work)
    for q, _, payload in results:
        assert answer_view(payload) == alone[q], q
    assert len({payload["conversation_id"] for _, _, payload in results}) == len(work)
    assert state["most"] >= 2, "answers were computed one at a time"
