"""What every request passes through before it reaches a route.

One small ASGI middleware, so that nothing depends on a route remembering to do it:

* security headers on every response, error pages and static files included (a strict
  Content-Security-Policy means even a missed escape could not run a script);
* a request body limit, checked against Content-Length up front and counted while reading,
  so a chunked upload cannot get round it;
* a per-address token bucket on the API and on every POST, because each question costs
  real CPU time (an embedding and sentence scoring) on a small machine.

Errors leave through :func:`cpguide.web.errors.error_response`, like every other error.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from typing import Callable

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cpguide.web.errors import RateLimited, RequestTooLarge, WebError, error_response

log = logging.getLogger("cpguide.web")

MAX_BODY_BYTES = 64 * 1024

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class BodyTooLarge(StarletteHTTPException):
    """Raised from ``receive`` mid-body; FastAPI re-raises HTTP exceptions met while parsing."""

    def __init__(self, limit: int):
        self.error = RequestTooLarge(limit)
        super().__init__(status_code=413, detail=self.error.message)


class RateLimiter:
    """A token bucket per client: ``per_minute`` requests, refilled evenly over the minute.

    Bursts up to the full allowance are fine (a person asking three quick follow-ups); a
    script hammering the API is slowed to the steady rate. Only the most recently seen
    ``max_clients`` addresses are remembered, so memory stays bounded.
    """

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic, max_clients: int = 10_000):
        self.capacity = float(per_minute)
        self.per_second = per_minute / 60.0
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait_seconds(self, client: str) -> int:
        """0 when the request may go ahead (and is counted); else whole seconds to wait."""
        if self.capacity <= 0:
            return 0
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.per_second)
            wait = 0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = max(1, math.ceil((1 - tokens) / self.per_second))
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            return wait


def is_limited(method: str, path: str) -> bool:
    return path.startswith("/api/") or method == "POST"


class GuardMiddleware:
    def __init__(self, app: ASGIApp, *, limiter: RateLimiter, max_body: int = MAX_BODY_BYTES):
        self.app = app
        self.limiter = limiter
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_guarded(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if not scope["path"].startswith("/static/"):
                    headers.setdefault("Cache-Control", "no-store")  # answers and threads are private
            await send(message)

        request = Request(scope)
        problem = self._refusal(scope)
        try:
            if problem is None:
                await self.app(scope, self._counted(receive), send_guarded)
                return
        except BodyTooLarge as exc:
            problem = exc.error
        except Exception:
            log.exception("Unhandled error on %s %s", scope.get("method"), scope["path"])
            problem = WebError("The server could not complete this request.",
                               hint="This is a bug in cpguide; the server log has the details.", status=500)
        if not started:
            await error_response(request, problem)(scope, receive, send_guarded)

    def _refusal(self, scope: Scope) -> WebError | None:
        """Refuse before any work: an oversized declared body, or a client over its rate."""
        headers = dict(scope.get("headers") or ())
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_body:
            return RequestTooLarge(self.max_body)
        if is_limited(scope.get("method", "GET"), scope["path"]):
            client = (scope.get("client") or ("unknown", 0))[0]
            wait = self.limiter.wait_seconds(client)
            if wait:
                return RateLimited(wait, int(self.limiter.capacity))
        return None

    def _counted(self, receive: Receive) -> Receive:
        seen = 0

        async def receive_counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        return receive_counted
