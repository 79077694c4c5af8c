"""HEAD is answered wherever GET is: the GET response's status and headers, without its body.

Uptime monitors and link checkers send HEAD. FastAPI's routes list only the methods they are
declared with, so a ``@router.get`` page would answer HEAD with 405. Declaring HEAD on every
route would also put a second operation for each in the OpenAPI reference; instead this
middleware hands the app a GET and drops the body on the way out, so every GET (pages, the
JSON API, static files) gets HEAD for free and a path without GET still refuses it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # a streamed body: only its final (empty) message goes out
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        # Content-Length stays the GET body's length, as HTTP asks of a HEAD response.
        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
