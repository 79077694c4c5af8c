"""The panel brief: ``/brief`` (make one and read it), ``/brief/download`` (to print or for Word)
and ``GET /api/brief``.

A councillor with an agenda item ("placement stability") wants, on one page, what the
guidance says must happen, the figures it gives and questions to put to officers, each line
cited so it can be checked. ``cpguide.assistant.brief`` gathers all of that; here it is shown
in the page and offered as files.

Nothing is stored: a brief is fully described by its topic and place, so the page, each
download and the API rebuild it from those (a fraction of a second). The form is a plain GET
form, so a brief is a link that can be shared before the meeting. The printable page is the
exporter's own standalone HTML; it carries an inline stylesheet, so it is served under a
policy of its own that admits exactly that stylesheet, by hash, and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from cpguide.assistant.brief import Brief, BriefDuty, build_brief, render_docx, render_html
from cpguide.assistant.currency import authority_label
from cpguide.assistant.duties import STRENGTH_LABELS, actor_vocabulary, principle_title
from cpguide.errors import UsageError
from cpguide.web.papers import check_format, download, download_links
from cpguide.web.deps import LibraryDep, RuntimeDep, SearcherDep, SettingsDep, TemplatesDep

router = APIRouter(tags=["brief"])

MAX_TOPIC_CHARS = 200  # an agenda item, not a paragraph: longer topics only dilute the search
SUGGESTIONS = ("placement stability", "care leavers' housing", "health assessments", "mental health", "staying put")
PLACE_CHOICES = (("", "All places"), ("england", "England"), ("wales", "Wales"))
PLACES = dict(PLACE_CHOICES[1:])

TopicParam = Annotated[str | None, Query(description=f"The agenda item, up to {MAX_TOPIC_CHARS} characters.",
                                         examples=["placement stability"])]
PlaceParam = Annotated[str | None, Query(max_length=20, description="england or wales; leave out for both.")]


def clean_topic(raw: str | None) -> str:
    """The topic with spacing tidied, or a UsageError saying what to type instead."""
    topic = re.sub(r"\s+", " ", "".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in raw or "")).strip()
    if not topic:
        raise UsageError("Enter a topic, for example placement stability.",
                         hint="A brief is made for one agenda item: a few words are enough.")
    if len(topic) > MAX_TOPIC_CHARS:
        raise UsageError(f"The topic is {len(topic)} characters long; the limit is {MAX_TOPIC_CHARS}.",
                         hint="Shorten it to the agenda item itself, for example care leavers' housing.")
    if not re.search(r"\w", topic):
        raise UsageError("The topic has no words in it.", hint="Type the agenda item in words.")
    return topic


def clean_place(raw: str | None) -> str | None:
    place = (raw or "").strip().lower()
    if place in ("", "all", "any"):
        return None
    if place not in PLACES:
        raise UsageError(f"Unknown place {place[:20]!r}.",
                         hint="Use england or wales, or leave the place out for both.")
    return place


def query(topic: str, place: str | None, **extra) -> str:
    pairs = [("topic", topic)] + ([("jurisdiction", place)] if place else [])
    return urlencode(pairs + [(k, v) for k, v in extra.items() if v is not None])


def make_brief(runtime, searcher, library, settings, topic: str, place: str | None) -> Brief:
    """One brief; the lock keeps it from racing a chat answer over the searcher's caches."""
    with runtime.answer_lock:
        return build_brief(searcher, library, topic, jurisdiction=place, settings_stale_years=settings.stale_years)


def title(brief: Brief) -> str:
    place = f" ({PLACES.get(brief.jurisdiction, brief.jurisdiction)})" if brief.jurisdiction else ""
    return f"Panel brief: {brief.topic}{place}"


def filename(brief: Brief, fmt: str) -> str:
    """An ASCII file name from the topic, safe to put in a Content-Disposition header as it is."""
    slug = re.sub(r"[^a-z0-9]+", "-", brief.topic.lower().replace("'", "").replace("’", "")).strip("-")[:60]
    place = f"-{brief.jurisdiction}" if brief.jurisdiction else ""
    return f"panel-brief-{slug or 'topic'}{place}.{fmt}"


# -- what the page shows beside each line -----------------------------------------------------------
@dataclass(frozen=True)
class BriefDutyRow:
    item: BriefDuty
    strength_label: str
    who: tuple[str, ...]
    principle: str


def view(brief: Brief) -> dict:
    """Labels the template needs and the brief does not carry: who must act, principles, standing."""
    vocab = actor_vocabulary()
    rows = [BriefDutyRow(bd, STRENGTH_LABELS.get(bd.duty.strength, bd.duty.strength.upper()),
                         tuple(vocab.label(a) for a in bd.duty.actors),
                         principle_title(bd.duty.principles[0]) if bd.duty.principles else "")
            for bd in brief.duties]
    return {"rows": rows, "authority": {c.n: authority_label(c.kind) for c in brief.citations},
            "title": title(brief)}


# -- pages, files and the API ---------------------------------------------------------------------------
@router.get("/brief", response_class=HTMLResponse, include_in_schema=False)
def brief_page(request: Request, runtime: RuntimeDep, searcher: SearcherDep, library: LibraryDep,
               settings: SettingsDep, templates: TemplatesDep, topic: TopicParam = None,
               jurisdiction: PlaceParam = None) -> Response:
    """The form; with a topic, the brief and its downloads. A topic that cannot be used is shown
    as a form error (422) beside the field, keeping what was typed."""
    place = clean_place(jurisdiction)
    errors, brief, shown = [], None, (topic or "")[:MAX_TOPIC_CHARS * 2]
    if topic is not None:
        try:
            cleaned = clean_topic(topic)
        except UsageError as exc:
            errors.append(exc.message)
        else:
            brief = make_brief(runtime, searcher, library, settings, cleaned, place)
    context = {"page_title": title(brief) if brief else "Panel brief", "topic": brief.topic if brief else shown,
               "place": place or "", "errors": errors, "brief": brief, "max_chars": MAX_TOPIC_CHARS,
               "places": PLACE_CHOICES,
               "suggestions": [(s, f"/brief?{query(s, place)}#brief") for s in SUGGESTIONS]}
    if brief:
        context.update(view(brief), downloads=download_links(
            "/brief/download", lambda **extra: query(brief.topic, place, **extra)))
    return templates.TemplateResponse(request, "brief.html", context, status_code=422 if errors else 200)


@router.get("/brief/download", include_in_schema=False)
def brief_download(runtime: RuntimeDep, searcher: SearcherDep, library: LibraryDep, settings: SettingsDep,
                   topic: TopicParam = None, jurisdiction: PlaceParam = None,
                   fmt: Annotated[str, Query(alias="format", max_length=10)] = "html",
                   view_only: Annotated[str | None, Query(alias="view", max_length=2)] = None) -> Response:
    """The brief as a file: ``format`` html (printable; ``view=1`` opens it in the browser) or docx."""
    check_format(fmt)
    brief = make_brief(runtime, searcher, library, settings, clean_topic(topic), clean_place(jurisdiction))
    return download(brief, fmt, view_only, render_html=render_html, render_docx=render_docx,
                    filename=lambda ext: filename(brief, ext))


@router.get("/api/brief", summary="A panel brief on a topic: duties, key facts and questions, all cited")
def api_brief(runtime: RuntimeDep, searcher: SearcherDep, library: LibraryDep, settings: SettingsDep,
              topic: TopicParam = None, jurisdiction: PlaceParam = None) -> dict:
    """The brief as data. Every ``cite`` is the ``n`` of an entry in ``citations``, whose ``quote``
    is the document's ``text[start:end]``; generated questions cite the duty they rephrase."""
    brief = make_brief(runtime, searcher, library, settings, clean_topic(topic), clean_place(jurisdiction))
    return brief.to_dict()
