"""Check a strategy: ``/check`` (choose a document, see the table), ``/check/download`` (Word or
a printable page) and ``GET /api/check``.

An officer refreshing the council's corporate parenting strategy, or a councillor reading it
for a panel, wants to see at a glance which principles and partners it acts on, which it only
names and which it leaves out. ``cpguide.assistant.gapcheck`` decides that; here it is shown
and offered as files. Like the brief, nothing is stored: the check is described by the
document and the place, so the page is a plain GET form (a link that can be shared) and each
download rebuilds it. The printable page carries its own stylesheet and is served under a
policy admitting exactly that stylesheet by hash (see ``web/routes/brief.py``).
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from cpguide.assistant.gapcheck import NATIONAL_KINDS, GapCheck, check_document
from cpguide.assistant.gapcheck_render import (HEADERS, STATUS_LABELS, gap_groups, render_docx, render_html,
                                               row_cells, summary, target_name, title)
from cpguide.errors import DocumentNotFound, UsageError
from cpguide.web.deps import LibraryDep, RuntimeDep, SearcherDep, SettingsDep, TemplatesDep
from cpguide.web.papers import check_format, download, download_links

router = APIRouter(tags=["check"])

AGAINST_CHOICES = (("", "The document's own place"), ("england", "England's seven principles"),
                   ("wales", "The Welsh charter's eleven principles"))
FORMATS = ("html", "docx")
STATUS_BADGES = {"covered": "good-practice", "mentioned": "may", "not found": "must"}  # colours repeat the words

DocParam = Annotated[str | None, Query(max_length=200, description="The document's id (see /api/documents).",
                                       examples=["telford-partners"])]
AgainstParam = Annotated[str | None, Query(max_length=20, description="england or wales; by default the "
                                           "document's own place.")]


def clean_against(raw: str | None) -> str | None:
    value = (raw or "").strip().lower()
    if value in ("", "own", "default"):
        return None
    if value not in ("england", "wales"):
        raise UsageError(f"Unknown place {value[:20]!r} to check against.",
                         hint="Use england or wales, or leave it out for the document's own place.")
    return value


def documents(library) -> list[tuple[str, list[tuple[str, str]]]]:
    """The choices, local documents first: they are what a check is for."""
    local, national = [], []
    for doc_id, info in library.docs.items():
        meta = info.meta
        label = f"{meta.title} ({', '.join(b for b in (meta.publisher, str(meta.year or '')) if b)})"
        (national if meta.kind in NATIONAL_KINDS else local).append((doc_id, label))
    return [(name, items) for name, items in (("Local documents", local), ("National documents", national)) if items]


def make_check(runtime, searcher, library, settings, doc_id: str, against: str | None) -> GapCheck:
    """One check; the lock keeps it from racing a chat answer over the embedder."""
    with runtime.answer_lock:
        return check_document(library, searcher.embedder, doc_id, against=against, stale_years=settings.stale_years)


def query(doc_id: str, against: str | None, **extra) -> str:
    pairs = [("doc", doc_id)] + ([("against", against)] if against else [])
    return urlencode(pairs + [(k, v) for k, v in extra.items() if v is not None])


def filename(check: GapCheck, fmt: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", check.doc_id.lower()).strip("-")[:60] or "document"
    return f"strategy-check-{slug}-{check.against}.{fmt}"


def view(check: GapCheck) -> dict:
    """What the template shows beside the check: row names, status words, grouped gaps, sources."""
    rows = [{"row": r, "name": target_name(r), "status": STATUS_LABELS[r.status], "badge": STATUS_BADGES[r.status]}
            for r in check.rows]
    return {"rows": rows, "gap_groups": gap_groups(check), "summary": summary(check), "title": title(check),
            "headers": HEADERS}


@router.get("/check", response_class=HTMLResponse, include_in_schema=False)
def check_page(request: Request, runtime: RuntimeDep, searcher: SearcherDep, library: LibraryDep,
               settings: SettingsDep, templates: TemplatesDep, doc: DocParam = None,
               against: AgainstParam = None) -> Response:
    """The form; with a document chosen, its check and the downloads. An unknown document or a
    document whose place is unclear is shown as a form error (422) beside the field."""
    place = clean_against(against)
    errors, check = [], None
    if doc is not None:
        try:
            if not doc.strip():
                raise UsageError("Choose a document to check.")
            check = make_check(runtime, searcher, library, settings, doc.strip(), place)
        except (UsageError, DocumentNotFound) as exc:
            errors.append(exc.message)
    context = {"page_title": title(check) if check else "Check a strategy", "documents": documents(library),
               "chosen": (doc or "").strip(), "against": place or "", "places": AGAINST_CHOICES, "errors": errors,
               "check": check}
    if check:
        context.update(view(check), downloads=download_links(
            "/check/download", lambda **extra: query(check.doc_id, place, **extra)))
    return templates.TemplateResponse(request, "check.html", context, status_code=422 if errors else 200)


@router.get("/check/download", include_in_schema=False)
def check_download(runtime: RuntimeDep, searcher: SearcherDep, library: LibraryDep, settings: SettingsDep,
                   doc: DocParam = None, against: AgainstParam = None,
                   fmt: Annotated[str, Query(alias="format", max_length=10)] = "html",
                   view_only: Annotated[str | None, Query(alias="view", max_length=2)] = None) -> Response:
    """The check as a file: ``format`` html (printable; ``view=1`` opens it in the browser) or docx."""
    check_format(fmt)
    if not (doc or "").strip():
        raise UsageError("Say which document to check.", hint="Add ?doc=ID; /api/documents lists the ids.")
    check = make_check(runtime, searcher, library, settings, doc.strip(), clean_against(against))
    return download(check, fmt, view_only, render_html=render_html, render_docx=render_docx,
                    filename=lambda ext: filename(check, ext))


@router.get("/api/check", summary="A local document checked against the principles and partners' national duties")
def api_check(runtime: RuntimeDep, searcher: SearcherDep, library: LibraryDep, settings: SettingsDep,
              doc: DocParam = None, against: AgainstParam = None) -> dict:
    """Each row: a principle or partner, its status (covered, mentioned, not found), the local and
    national passages (``cite`` is the ``n`` of an entry in ``citations``, whose ``quote`` is the
    document's ``text[start:end]``) and how the status was decided; then the gaps by partner."""
    if not (doc or "").strip():
        raise UsageError("Say which document to check.", hint="Add ?doc=ID; /api/documents lists the ids.")
    return make_check(runtime, searcher, library, settings, doc.strip(), clean_against(against)).to_dict()


__all__ = ["router", "row_cells"]
