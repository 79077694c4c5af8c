"""The trainers' quiz: make one (``/quiz``), download it, or take it in the browser (``/quiz/take``).

Nothing about a quiz is stored on the server. A quiz is fully described by its filters, its
size, its kinds and its seed, so every link and form carries those and the server rebuilds
the same quiz from the shipped question bank whenever it is needed: for the preview, each
download, the answer form and the marking. Without a seed the page picks one and redirects
to an address that holds it, so a preview can be bookmarked and its downloads match it.

Every page works without JavaScript (plain links and forms); every value is escaped by the
templates' autoescaping, and the printable sheet is escaped by its exporter.
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from cpguide.errors import UsageError
from cpguide.eval.check import load_taxonomy
from cpguide.eval.quiz import AUDIENCE_NAMES, KIND_NAMES, KINDS, Quiz, build_quiz, library_documents, load_bank, mark
from cpguide.eval.quiz_export import EXPORTS, LETTERS, export, filename, print_css_hash
from cpguide.web.deps import LibraryDep, TemplatesDep

router = APIRouter(tags=["quiz"])

MAX_WEB_QUESTIONS = 50
MAX_SEED = 2**31 - 1
DOWNLOADS = ("gift", "csv", "html")
DOWNLOAD_LABELS = {"gift": "Moodle (GIFT)", "csv": "Spreadsheet or form tool (CSV)", "html": "Printable sheet (HTML)"}
SHEET_POLICY = ("default-src 'none'; style-src {hash}; img-src 'none'; base-uri 'none'; form-action 'none'; "
                "frame-ancestors 'none'")


@dataclass(frozen=True)
class QuizParams:
    """What makes a quiz, as read from a query string or a form."""

    topic: str | None = None
    audience: str | None = None
    doc_id: str | None = None
    n: int = 10
    seed: int | None = None
    kinds: tuple[str, ...] = KINDS

    def query(self, **extra) -> str:
        pairs = [(k, v) for k, v in (("topic", self.topic), ("audience", self.audience), ("doc_id", self.doc_id))
                 if v]
        pairs += [("n", self.n)] + ([("seed", self.seed)] if self.seed is not None else [])
        pairs += [("kinds", k) for k in self.kinds]
        pairs += [(k, v) for k, v in extra.items() if v is not None]
        return urlencode(pairs)

    def hidden_fields(self) -> list[tuple[str, str]]:
        """The same values as form fields, so a posted answer sheet can rebuild its quiz."""
        out = [(k, v) for k, v in (("topic", self.topic), ("audience", self.audience), ("doc_id", self.doc_id)) if v]
        out += [("n", str(self.n)), ("seed", str(self.seed))] + [("kinds", k) for k in self.kinds]
        return out


def _number(raw: str | None, name: str, default: int | None, low: int, high: int) -> int | None:
    if raw is None or not str(raw).strip():
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise UsageError(f"The {name} must be a whole number, not {str(raw)[:20]!r}.",
                         hint=f"Use a number from {low} to {high}.") from None
    if not low <= value <= high:
        raise UsageError(f"The {name} must be from {low} to {high}, not {value}.",
                         hint=f"Use a number from {low} to {high}.")
    return value


def read_params(values, *, kinds_required: bool = False) -> tuple[QuizParams, list[str]]:
    """Parse query or form values; bad numbers raise, a form slip (no kinds ticked) is returned."""
    errors = []
    kinds = [k for k in values.getlist("kinds") if k]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise UsageError(f"Unknown question kind {unknown[0][:20]!r}.", hint="Use mc, tf or source.")
    if not kinds and kinds_required:
        errors.append("Choose at least one kind of question.")
    params = QuizParams(
        topic=(values.get("topic") or "").strip() or None,
        audience=(values.get("audience") or "").strip() or None,
        doc_id=(values.get("doc_id") or "").strip() or None,
        n=_number(values.get("n"), "number of questions", 10, 1, MAX_WEB_QUESTIONS),
        seed=_number(values.get("seed"), "seed", None, 0, MAX_SEED),
        kinds=tuple(k for k in KINDS if k in kinds) or KINDS)
    return params, errors


# -- the bank, checked once per loaded library -----------------------------------------------------
_bank_lock = threading.Lock()
_bank_cache: dict[str, object] = {}


def _bank(library):
    """The library's documents and the checked shipped bank, worked out once per loaded index."""
    with _bank_lock:
        if _bank_cache.get("library") is not library:
            docs = library_documents(library)
            items, _problems = load_bank([], docs.text)  # `cpguide eval check` reports any problems
            _bank_cache.update(library=library, docs=docs, items=items)
        return _bank_cache["docs"], _bank_cache["items"]


def _build(library, params: QuizParams) -> Quiz:
    docs, items = _bank(library)
    return build_quiz(items, docs.meta, docs.text, documents_sections=docs.sections, topic=params.topic,
                      audience=params.audience, doc_id=params.doc_id, n=params.n, seed=params.seed or 0,
                      kinds=params.kinds)


def _with_seed(path: str, params: QuizParams, **extra) -> RedirectResponse:
    seeded = QuizParams(params.topic, params.audience, params.doc_id, params.n, secrets.randbelow(100_000),
                        params.kinds)
    return RedirectResponse(f"{path}?{seeded.query(**extra)}", status_code=303)


def _form_options(library) -> dict:
    docs, items = _bank(library)
    topics, audiences = load_taxonomy()
    counts = Counter(i["topic"] for i in items if i.get("answerable"))
    return {
        "topics": [(slug, slug.replace("-", " ").capitalize(), counts.get(slug, 0)) for slug in sorted(topics)],
        "audiences": [(slug, AUDIENCE_NAMES.get(slug, slug).capitalize()) for slug in audiences],
        "documents": sorted(((d, m.title) for d, m in docs.meta.items()), key=lambda d: d[1].lower()),
        "kinds": [(k, KIND_NAMES[k]) for k in KINDS],
        "max_n": MAX_WEB_QUESTIONS,
    }


# -- pages -------------------------------------------------------------------------------------------
@router.get("/quiz", response_class=HTMLResponse, include_in_schema=False)
def quiz_page(request: Request, library: LibraryDep, templates: TemplatesDep) -> Response:
    """The trainer's form; with ``build=1`` also the preview, the downloads and a link to take it."""
    building = request.query_params.get("build") == "1"
    params, errors = read_params(request.query_params, kinds_required=building)
    if building and not errors and params.seed is None:
        return _with_seed("/quiz", params, build="1")
    quiz = _build(library, params) if building and not errors else None
    context = {"page_title": "Make a quiz", "params": params, "errors": errors, "quiz": quiz,
               "options": _form_options(library), "letters": LETTERS, "building": building,
               "downloads": [(fmt, DOWNLOAD_LABELS[fmt], f"/quiz/download?{params.query(format=fmt)}")
                             for fmt in DOWNLOADS],
               "sheet_url": f"/quiz/download?{params.query(format='html', view='1')}",
               "take_url": f"/quiz/take?{params.query()}"}
    return templates.TemplateResponse(request, "quiz.html", context)


@router.get("/quiz/download", include_in_schema=False)
def quiz_download(request: Request, library: LibraryDep) -> Response:
    """The quiz as a file: ``format`` gift, csv, html, json or text; ``view=1`` shows the sheet in the browser."""
    fmt = request.query_params.get("format", "gift")
    if fmt not in EXPORTS:
        raise UsageError(f"Unknown quiz format {fmt[:20]!r}.", hint="Use one of: " + ", ".join(EXPORTS) + ".")
    params, _ = read_params(request.query_params)
    if params.seed is None:
        return _with_seed("/quiz/download", params, format=fmt, view=request.query_params.get("view"))
    quiz = _build(library, params)
    content = export(quiz, fmt)
    media = EXPORTS[fmt][1]
    headers = {}
    if fmt == "html" and request.query_params.get("view") == "1":
        headers["Content-Disposition"] = "inline"
    else:
        headers["Content-Disposition"] = f'attachment; filename="{filename(quiz, fmt)}"'
    if fmt == "html":
        headers["Content-Security-Policy"] = SHEET_POLICY.format(hash=print_css_hash())
    if fmt == "csv":
        content = "\ufeff" + content  # lets spreadsheet programs read the curly quotes as UTF-8
    return Response(content, media_type=media, headers=headers)


@router.get("/quiz/take", response_class=HTMLResponse, include_in_schema=False)
def quiz_take(request: Request, library: LibraryDep, templates: TemplatesDep) -> Response:
    """The quiz as a form: one fieldset per question, one radio button per option."""
    params, _ = read_params(request.query_params)
    if params.seed is None:
        return _with_seed("/quiz/take", params)
    quiz = _build(library, params)
    context = {"page_title": f"Take the quiz: {quiz.title}", "quiz": quiz, "params": params, "letters": LETTERS,
               "back_url": f"/quiz?{params.query(build='1')}"}
    return templates.TemplateResponse(request, "quiz_take.html", context)


@router.post("/quiz/take", response_class=HTMLResponse, include_in_schema=False)
async def quiz_mark(request: Request, library: LibraryDep, templates: TemplatesDep) -> Response:
    """Mark the posted answers and show, for each question, whether it was right and its source."""
    form = await request.form()
    params, _ = read_params(form)
    if params.seed is None:
        raise UsageError("The answer sheet does not say which quiz it belongs to.",
                         hint="Open the quiz again from /quiz and mark your answers from there.")
    quiz = await run_in_threadpool(_build, library, params)
    answers: dict[str, int | None] = {}
    for number, q in enumerate(quiz.questions, 1):
        raw = form.get(f"q{number}")
        answers[q.id] = int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 3 else None
    marks, score = mark(quiz, answers)
    context = {"page_title": f"Your results: {quiz.title}", "quiz": quiz, "marks": marks, "score": score,
               "letters": LETTERS, "again_url": f"/quiz/take?{params.query()}",
               "back_url": f"/quiz?{params.query(build='1')}"}
    return templates.TemplateResponse(request, "quiz_result.html", context)
