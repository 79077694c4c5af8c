"""Running the real web app for tests: on a free loopback port, in a background thread.

Also builds the small "probe" index whose document is full of markup that must never run,
shared by the API tests and the browser tests.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

PROBE_ID = "xss-probe"
PROBE_TITLE = "<script>alert('title')</script> Probe guidance"
PROBE_PUBLISHER = "<img src=x onerror=alert('publisher')>"
PROBE_TEXT = """Probe guidance for escaping

<script>alert(1)</script> Corporate parents must keep the probe passage about dental checks safe.

<img src=x onerror=alert(1)> Care leavers should see this image markup as plain text, never as an image.

A third paragraph says <b>bold</b> and "quotes" & ampersands, which must appear exactly as written.
"""


def build_probe_index(folder: Path, embedder) -> Path:
    """An index holding one text document whose text, title and publisher are hostile markup."""
    from cpguide.ingest.pipeline import run_ingest
    from cpguide.ingest.sources import discover
    from cpguide.settings import PACKAGED_MODEL

    source = folder / "probe.txt"
    source.write_text(PROBE_TEXT, encoding="utf-8")
    index_dir = folder / "index"
    overrides = {"doc_id": PROBE_ID, "title": PROBE_TITLE, "publisher": PROBE_PUBLISHER, "year": 2024,
                 "jurisdiction": "england", "kind": "other", "source_url": "javascript:alert('url')"}
    report = run_ingest(discover([source], overrides), index_dir=index_dir, model=PACKAGED_MODEL,
                        embedder_factory=lambda: embedder)
    assert report.count("failed") == 0, report.to_dict()
    return index_dir


def services_for(settings, embedder):
    """``Services`` with the already-loaded model injected, so no test loads it twice."""
    from cpguide.app import Services

    services = Services(settings)
    services.__dict__["embedder"] = embedder
    return services


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """``with LiveServer(app) as server: server.url`` - uvicorn serving ``app`` until the block ends."""

    def __init__(self, app, host: str = "127.0.0.1"):
        import uvicorn

        self.host = host
        self.port = free_port()
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning", access_log=False,
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.server.run, name="cpguide-test-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> "LiveServer":
        self._thread.start()
        deadline = time.monotonic() + 120
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test web server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)
