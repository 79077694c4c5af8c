"""Every error the web app shows goes through :func:`error_response`.

Library code raises :class:`~cpguide.errors.CpguideError` subclasses that already carry an
HTTP status, a message and a hint; here they become ``{"error", "hint"}`` JSON for the API
and an HTML page for people. FastAPI's own validation errors and Starlette's 404/405 are
turned into the same shape first, so a client never has to parse two error formats and a
bad request is never a 500.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from cpguide.errors import CpguideError

log = logging.getLogger("cpguide.web")

JSON_PATHS = ("/api/", "/healthz", "/openapi.json")
API_HINT = "The API reference is at /docs."

TITLES = {
    400: "There is a problem with the request",
    404: "Page not found",
    405: "That action is not allowed here",
    413: "The request is too large",
    415: "The request is not in a format this page accepts",
    422: "There is a problem with the request",
    429: "Too many requests",
    500: "Something went wrong",
    503: "The library is not available",
}


class WebError(CpguideError):
    """A problem found by the web layer itself, with its own status and response headers."""

    def __init__(self, message: str, *, hint: str | None = None, status: int = 400,
                 headers: dict[str, str] | None = None):
        super().__init__(message, hint=hint)
        self.http_status = status
        self.headers = headers or {}


class RequestTooLarge(WebError):
    def __init__(self, limit: int):
        super().__init__(f"The request body is larger than {limit // 1024} KiB.",
                         hint="Send a shorter question; questions are limited to a few thousand characters.",
                         status=413)


class RateLimited(WebError):
    def __init__(self, retry_after: int, limit: int):
        super().__init__(f"Too many requests: the limit is {limit} a minute from one address.",
                         hint=f"Wait {retry_after} second(s) and try again.", status=429,
                         headers={"Retry-After": str(retry_after)})


class ConversationNotFound(WebError):
    def __init__(self):
        super().__init__("No conversation with that id belongs to this client.",
                         hint="Leave out conversation_id to continue this client's own conversation, and keep "
                         "the cpguide_client cookie between requests to ask follow-up questions.", status=404)


class NotJson(WebError):
    def __init__(self, sent: str):
        super().__init__(f"The content type must be application/json, not {sent[:60] or 'missing'}.",
                         hint="Send the body as JSON with the header Content-Type: application/json, for "
                         "example curl -H 'Content-Type: application/json' -d '{\"message\": \"...\"}'.",
                         status=415)


def sent_as_other_than_json(request: Request) -> str | None:
    """The content type of a JSON API body sent as something else (a form, text), or None.

    FastAPI only parses JSON bodies sent as JSON, so such a request fails validation as if
    its body were not an object; the content type is the real mistake and worth naming.
    A body with no content type at all is read as JSON, as FastAPI does.
    """
    if not request.url.path.startswith("/api/") or request.method not in ("POST", "PUT", "PATCH"):
        return None
    sent = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not sent or sent == "application/json" or (sent.startswith("application/") and sent.endswith("+json")):
        return None
    return sent


def wants_json(path: str) -> bool:
    return path.startswith(JSON_PATHS)


def error_response(request: Request, exc: CpguideError) -> Response:
    """The one place an error becomes a response: JSON for the API, a page for people."""
    status = exc.http_status
    headers = dict(getattr(exc, "headers", {}) or {})
    if wants_json(request.url.path):
        return JSONResponse({"error": exc.message, "hint": exc.hint}, status_code=status, headers=headers)
    templates = request.app.state.templates
    context = {"title": TITLES.get(status, TITLES[400]), "message": exc.message, "hint": exc.hint,
               "status": status}
    return templates.TemplateResponse(request, "error.html", context, status_code=status, headers=headers)


async def cpguide_error_handler(request: Request, exc: CpguideError) -> Response:
    if exc.http_status >= 500:
        log.info("%s %s: %s", request.method, request.url.path, exc.message)
    return error_response(request, exc)


async def validation_error_handler(request: Request, exc: RequestValidationError) -> Response:
    """Pydantic's error list, summarised into one sentence a person can act on."""
    sent = sent_as_other_than_json(request)
    if sent is not None:
        return await cpguide_error_handler(request, NotJson(sent))
    return await cpguide_error_handler(request, WebError(describe(exc.errors()), hint=API_HINT, status=422))


async def http_error_handler(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code == 404:
        message = f"There is nothing at {request.url.path}."
        hint = "Check the address, or start from the chat page at /."
    else:
        message, hint = str(exc.detail), API_HINT if wants_json(request.url.path) else None
    return await cpguide_error_handler(
        request, WebError(message, hint=hint, status=exc.status_code, headers=dict(exc.headers or {})))


def describe(errors) -> str:
    """'query: Input should be a valid string; k: ...' from pydantic's structured errors."""
    parts = []
    for error in list(errors)[:3]:
        kind = error.get("type", "")
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "form"))
        if kind == "json_invalid":
            return "The request body is not valid JSON."
        if kind == "missing" and not where:
            return "The request has no body; send a JSON object."
        if kind in ("model_attributes_type", "dict_type") and not where:
            return "The request body must be a JSON object."
        parts.append(f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg", "invalid")))
    return "Invalid request: " + "; ".join(parts) + "."


def install(app: FastAPI) -> None:
    app.add_exception_handler(CpguideError, cpguide_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
