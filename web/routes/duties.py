"""The duty finder: ``/duties`` (who must do what, as tables by principle) and ``GET /api/duties``.

A housing officer asked "what is expected of us?" or a councillor reading a partner's report
needs the sentences that place an obligation on a service, quoted exactly, with how strong
the wording is and how much weight the document carries. The duty statements are found once,
when the index is built (``cpguide.assistant.duties``); here they are filtered and laid out.

The page is a plain GET form, so a filtered list is a link that can be bookmarked or shared
and works without JavaScript. Filters are read once, by :func:`read_filters`, for the page
and the API alike: an unknown service, place, strength or principle is a 422 whose hint lists
the values that do exist, through the app's one error handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from cpguide.assistant.currency import authority_label, notes_for
from cpguide.assistant.duties import (STRENGTH_LABELS, STRENGTHS, Duty, actor_vocabulary, find_duties,
                                      group_by_principle, principle_title, principles, resolve_principle)
from cpguide.errors import UsageError
from cpguide.records import DocMeta
from cpguide.web.deps import LibraryDep, SettingsDep, TemplatesDep

router = APIRouter(tags=["duties"])

PLACES = {"england": "England", "wales": "Wales"}
PLACE_CHOICES = (("", "All places"), ("england", "England"), ("wales", "Wales"))
MAX_FILTER_CHARS = 100  # the longest service or principle name is well under this
NO_TABLE = ("This library holds no duty statements yet: its index was built before they were extracted. "
            "Run `cpguide ingest --rebuild` to add them (your documents are kept).")
STRENGTH_MEANINGS = (
    ("must", "the text says must, shall, has a duty or is required to."),
    ("should", "the text says should, is expected to or is responsible for."),
    ("may", "the text suggests something to consider (may wish to, can also)."),
    ("good-practice", "an instruction or example of good practice (“Make sure…”, “Consider how…”)."),
)

FilterParam = Annotated[str | None, Query(max_length=MAX_FILTER_CHARS)]


@dataclass(frozen=True)
class DutyFilters:
    """The finder's filters, checked and in their canonical form (slugs and ids), or None."""

    actor: str | None = None
    jurisdiction: str | None = None
    strength: str | None = None
    principle: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}

    def describe(self) -> str:
        """ "for housing services … in Wales (must)" - what the results heading says was asked."""
        parts = []
        if self.actor:
            parts.append(f"for {actor_vocabulary().label(self.actor)}")
        if self.jurisdiction:
            parts.append(f"in {PLACES.get(self.jurisdiction, self.jurisdiction.title())}")
        if self.strength:
            parts.append(f"worded as {STRENGTH_LABELS[self.strength]}")
        if self.principle:
            parts.append(f"serving {principle_title(self.principle)}")
        return " ".join(parts)


def read_filters(actor: str | None, jurisdiction: str | None, strength: str | None,
                 principle: str | None) -> DutyFilters:
    """Check each filter and turn what a person typed ("NHS", "Wales", "good practice") into its id.

    Empty values mean "any", so the form's blank options and a bare ``/api/duties`` both work.
    """
    actor, jurisdiction, strength, principle = (
        (v or "").strip() or None for v in (actor, jurisdiction, strength, principle))
    slug = actor_vocabulary().resolve(actor) if actor else None
    if jurisdiction:
        jurisdiction = jurisdiction.lower()
        if jurisdiction in ("all", "any"):
            jurisdiction = None
        elif jurisdiction not in ("england", "wales", "uk"):
            raise UsageError(f"Unknown place {jurisdiction!r}.",
                             hint="Use england or wales, or leave the place out for both.")
    if strength:
        strength = strength.lower().replace(" ", "-").replace("_", "-")
        if strength not in STRENGTHS:
            raise UsageError(f"Unknown strength {strength!r}.", hint=f"Use one of: {', '.join(STRENGTHS)}.")
    pid = resolve_principle(principle) if principle else None
    return DutyFilters(slug, jurisdiction, strength, pid)


@dataclass(frozen=True)
class DutyRow:
    """One duty with everything a reader needs beside the quote to judge it."""

    duty: Duty
    meta: DocMeta
    who: tuple[str, ...]  # labels of the actors who must act
    notes: tuple[str, ...]  # "check this is current" notes

    @property
    def strength_label(self) -> str:
        return STRENGTH_LABELS.get(self.duty.strength, self.duty.strength.upper())

    @property
    def authority(self) -> str:
        return authority_label(self.meta.kind)

    @property
    def dated(self) -> str:
        return self.meta.date or (str(self.meta.year) if self.meta.year else "Not dated")

    @property
    def link(self) -> str:
        return f"/documents/{quote(self.duty.doc_id, safe='')}?start={self.duty.start}&end={self.duty.end}#passage"

    def to_dict(self) -> dict:
        d, m = self.duty, self.meta
        return {**d.to_dict(), "strength_label": self.strength_label, "actor_labels": list(self.who),
                "principle_titles": [principle_title(p) for p in d.principles], "title": m.title,
                "publisher": m.publisher, "year": m.year, "date": m.date, "kind": m.kind,
                "authority": self.authority, "notes": list(self.notes), "url": self.link}


@dataclass(frozen=True)
class DutyGroup:
    principle: str  # principle id, "" for duties that name none
    title: str
    rows: tuple[DutyRow, ...]

    @property
    def anchor(self) -> str:
        return f"principle-{self.principle or 'none'}"


def duty_rows(library, duties: list[Duty], stale_years: int) -> list[DutyRow]:
    vocab = actor_vocabulary()
    rows = []
    for d in duties:
        meta = library.meta(d.doc_id)
        rows.append(DutyRow(d, meta, tuple(vocab.label(a) for a in d.actors),
                            notes_for(meta, d.text, stale_years=stale_years)))
    return rows


def group_rows(rows: list[DutyRow], principle: str | None) -> list[DutyGroup]:
    """Rows under the principle each serves best; asked for one principle, all of them under it."""
    if principle:
        return [DutyGroup(principle, principle_title(principle), tuple(rows))] if rows else []
    by_id = {r.duty.duty_id: r for r in rows}
    return [DutyGroup(pid, principle_title(pid) if pid else "Other duties (no principle named)",
                      tuple(by_id[d.duty_id] for d in group))
            for pid, group in group_by_principle(r.duty for r in rows)]


def lookup(library, filters: DutyFilters, stale_years: int) -> tuple[list[DutyRow], list[str]]:
    """The matching duties, and notices (an index without a duty table finds none, and says why)."""
    notices = [] if library.table_exists("duties") else [NO_TABLE]
    duties = find_duties(library, actor=filters.actor, jurisdiction=filters.jurisdiction,
                         strength=filters.strength, principle=filters.principle)
    return duty_rows(library, duties, stale_years), notices


def form_options() -> dict:
    """The choices the form offers, each with the label a person reads."""
    ps = principles()
    return {
        "actors": [(a.slug, a.label) for a in actor_vocabulary().actors],
        "places": PLACE_CHOICES,
        "strengths": [("", "Any strength")] + [(s, STRENGTH_LABELS[s].capitalize()) for s in STRENGTHS],
        "principles": [(place, [(p.id, p.title) for p in ps if p.jurisdiction == place.lower()])
                       for place in ("England", "Wales")],
        "meanings": [(STRENGTH_LABELS[s], s, text) for s, text in STRENGTH_MEANINGS],
    }


# -- the page and the API -------------------------------------------------------------------------
@router.get("/duties", response_class=HTMLResponse, include_in_schema=False)
def duties_page(request: Request, library: LibraryDep, templates: TemplatesDep, settings: SettingsDep,
                actor: FilterParam = None, jurisdiction: FilterParam = None, strength: FilterParam = None,
                principle: FilterParam = None) -> Response:
    """The finder's form; once it has been sent (any filter in the address, even blank), the tables."""
    filters = read_filters(actor, jurisdiction, strength, principle)
    searched = any(k in request.query_params for k in ("actor", "jurisdiction", "strength", "principle"))
    rows, notices = lookup(library, filters, settings.stale_years) if searched else ([], [])
    context = {"page_title": "Who must do what", "filters": filters, "options": form_options(),
               "searched": searched, "groups": group_rows(rows, filters.principle), "count": len(rows),
               "documents": len({r.duty.doc_id for r in rows}), "described": filters.describe(),
               "notices": notices}
    return templates.TemplateResponse(request, "duties.html", context)


@router.get("/api/duties", summary="Duty statements: who must do what, quoted from the guidance")
def api_duties(library: LibraryDep, settings: SettingsDep,
               actor: Annotated[str | None, Query(max_length=MAX_FILTER_CHARS, description=(
                   "Who must act: a slug such as housing, health, councillors, or a name such as NHS."),
                   examples=["housing"])] = None,
               jurisdiction: Annotated[str | None, Query(max_length=MAX_FILTER_CHARS, description=(
                   "england or wales (UK-wide guidance is included in both); leave out for all."))] = None,
               strength: Annotated[str | None, Query(max_length=MAX_FILTER_CHARS, description=(
                   "must, should, may or good-practice."))] = None,
               principle: Annotated[str | None, Query(max_length=MAX_FILTER_CHARS, description=(
                   "A corporate parenting principle id such as wales-8 or england-6."))] = None) -> dict:
    """Every matching duty, quoted verbatim (``text`` equals the document's ``text[start:end]``),
    ordered by principle then strength, with the document's standing and any currency notes."""
    filters = read_filters(actor, jurisdiction, strength, principle)
    rows, notices = lookup(library, filters, settings.stale_years)
    return {"filters": filters.to_dict(), "count": len(rows), "duties": [r.to_dict() for r in rows],
            "notices": notices}
