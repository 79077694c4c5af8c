"""The web app: the chat page, the document reader and the JSON API, from one factory.

``create_app(settings)`` builds everything; the embedding model and the index are loaded
once, in the lifespan, and live on ``app.state.runtime`` for the life of the process. A
missing index does not stop the server: pages explain how to build one, and the API answers
503 until it exists. ``app_from_env`` is the same factory reading ``CPGUIDE_*`` variables,
for uvicorn's multi-worker mode, which must import the app by name in each worker.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from cpguide import __version__
from cpguide.app import Services
from cpguide.settings import Settings
from cpguide.web import errors
from cpguide.web.conversations import ConversationStore
from cpguide.web.deps import Runtime
from cpguide.web.head import HeadAsGet
from cpguide.web.routes import NAV, ROUTERS
from cpguide.web.security import GuardMiddleware, RateLimiter

HERE = Path(__file__).resolve().parent
PLACES = {"england": "England", "wales": "Wales", "uk": "UK", "unknown": "Not stated"}

DESCRIPTION = """Cited answers from corporate parenting guidance.

Every answer sentence is quoted from the library and carries `[n]` markers pointing at
`citations`, each with the document, page, section and the verbatim quote. Errors are JSON
`{"error": ..., "hint": ...}` with a 4xx status (503 while no index has been built).
Conversations belong to the client that started them: keep the `cpguide_client` cookie
between requests to ask follow-up questions.
"""

SWAGGER_UI_URL = "/static/swagger-ui"


def swagger_ui_folder() -> Path | None:
    """Swagger UI's own files as the ``swagger-ui-py`` package ships them (with their licence).

    Served from this app, so the API reference works offline and under the same strict
    Content-Security-Policy as every other page. Found without importing the package, whose
    ``__init__`` pulls in YAML and framework adapters this app never uses.
    """
    from importlib.util import find_spec

    spec = find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def code_spans(text: str):
    """Escape ``text``, then show `backticked` commands in messages and hints as <code>."""
    import re

    from markupsafe import Markup, escape

    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


def make_templates() -> Jinja2Templates:
    """Jinja2 with autoescaping on for every template: all text is escaped unless marked safe."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["code_spans"] = code_spans
    env.filters["place"] = lambda j: PLACES.get(j or "unknown", str(j).title())
    env.globals["version"] = __version__
    env.globals["nav_items"] = NAV
    return Jinja2Templates(env=env)


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    """The app for ``settings``; pass ``services`` to reuse an already-loaded model."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        runtime = Runtime(services or Services(settings))
        await run_in_threadpool(runtime.load)  # the model and index, once, off the event loop
        app.state.runtime = runtime
        yield
        app.state.conversations.close()

    app = FastAPI(title="cpguide", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.templates = make_templates()
    # Shared by every worker and kept across restarts (see web/conversations.py); opened on first use.
    app.state.conversations = ConversationStore.beside_index(settings.index_path)
    app.add_middleware(GuardMiddleware, limiter=RateLimiter(settings.rate_limit))
    app.add_middleware(HeadAsGet)  # outermost, so the guard and every route see an ordinary GET
    errors.install(app)
    swagger = swagger_ui_folder()
    if swagger is not None:  # mounted before /static, which would otherwise claim the path
        app.mount(SWAGGER_UI_URL, StaticFiles(directory=swagger), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/docs", include_in_schema=False)
    def api_reference(request: Request):
        """Swagger UI for /openapi.json, its files served by this app (see ``swagger_ui_folder``)."""
        context = {"swagger_ui": SWAGGER_UI_URL if swagger is not None else None}
        return app.state.templates.TemplateResponse(request, "api_docs.html", context)

    return app


def app_from_env() -> FastAPI:
    """``uvicorn --factory cpguide.web.app:app_from_env``: settings from ``CPGUIDE_*`` variables."""
    return create_app(Settings.resolve())
