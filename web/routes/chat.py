"""The chat: the page at ``/``, its no-JavaScript form posts, and ``POST /api/chat``.

The page works with plain HTML forms (Post/Redirect/Get back to ``/#turn-N``); ``chat.js``
sends the same question to ``/api/chat`` and fetches the new turn's HTML from
``/chat/turns/N``, so both paths render answers with the one template, ``_turn.html``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from cpguide.assistant.citations import same_place, source_heads
from cpguide.assistant.conversation import Turn
from cpguide.index.search import Filters, check_query
from cpguide.records import Answer, Citation, Hit
from cpguide.web.conversations import ConversationStore, Thread
from cpguide.web.deps import (AssistantDep, ClientKeyDep, ConversationsDep, LibraryDep, RuntimeDep, SettingsDep,
                              TemplatesDep)
from cpguide.web.errors import ConversationNotFound, WebError

router = APIRouter(tags=["chat"])

PLACES = {"england": "England", "wales": "Wales", "uk": "UK", "unknown": "place not stated"}
FORM_FILTERS = ("jurisdiction", "doc_id", "audience")


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    message: str = Field(description="The question, or a follow-up such as 'and in Wales?'.",
                         examples=["What should housing services do for care leavers?"])
    conversation_id: str | None = Field(
        None, description="Continue this conversation (it must belong to this client); "
        "leave out to continue the client's current one.")
    filters: dict[str, Any] | None = Field(
        None, description="Any of jurisdiction, doc_id, kind, audience.", examples=[{"jurisdiction": "wales"}])


# -- turning an Answer into what the template shows ----------------------------------------------
@dataclass
class Part:
    text: str
    cite: int | None = None  # a [n] marker pointing at citation n


@dataclass
class Block:
    kind: str  # "para", "lead" (e.g. "In Wales:") or "list"
    items: list[list[Part]] = field(default_factory=list)
    subitems: dict[int, list[list[Part]]] = field(default_factory=dict)  # a lead-in's list, under its item


@dataclass
class TurnView:
    number: int
    question: str
    resolved: str
    answer: Answer
    blocks: list[Block]
    copy_text: str
    same_as: dict[int, int] = field(default_factory=dict)  # a source at the place of the one before: its run's first


def _parts(line: str, cited: set[int]) -> list[Part]:
    parts: list[Part] = []
    for i, piece in enumerate(re.split(r"\[(\d+)\]", line)):
        if i % 2 and int(piece) in cited:
            parts.append(Part(f"[{piece}]", cite=int(piece)))
        elif piece:
            parts.append(Part(piece if not i % 2 else f"[{piece}]"))
    return parts


def answer_blocks(answer: Answer) -> list[Block]:
    """Lines of the answer as paragraphs and lists, with [n] markers split out for linking."""
    cited = {c.n for c in answer.citations}
    blocks: list[Block] = []
    for raw in answer.answer.splitlines():
        line = raw.strip()
        if not line:
            continue
        bullet = re.match(r"^[-*•]\s+", line)
        if bullet and raw.startswith((" ", "\t")) and blocks and blocks[-1].kind == "list" and blocks[-1].items:
            # "  - item": one of the list items a lead-in sentence brings, nested under it
            blocks[-1].subitems.setdefault(len(blocks[-1].items) - 1, []).append(_parts(line[bullet.end():], cited))
        elif bullet:
            if not blocks or blocks[-1].kind != "list":
                blocks.append(Block("list"))
            blocks[-1].items.append(_parts(line[bullet.end():], cited))
        else:
            kind = "lead" if line.endswith(":") and len(line) < 60 else "para"
            blocks.append(Block(kind, [_parts(line, cited)]))
    return blocks


def where(item: Citation | Hit) -> str:
    """'Title (Publisher, 2019, England), p. 4, § Section' for the copied text."""
    bits = [f"{item.title} ({', '.join(str(b) for b in (item.publisher, item.year) if b)}"
            f"{', ' if item.publisher or item.year else ''}{PLACES.get(item.jurisdiction, item.jurisdiction)})"]
    page = item.page_text if isinstance(item, Citation) else (f"p. {item.page}" if item.page else "")
    if page:
        bits.append(page)
    if item.section:
        bits.append(f"§ {item.section}")
    return ", ".join(bits)


def copy_text(view_question: str, resolved: str, answer: Answer) -> str:
    """The answer as plain text, with numbered sources and their quotes, for the clipboard."""
    lines = [f"Question: {view_question}"]
    if resolved:
        lines.append(f"Understood as: {resolved}")
    lines += ["", answer.answer]
    if answer.citations:
        lines += ["", "Sources:"]
        for c, head in zip(answer.citations, source_heads(answer.citations, where)):
            lines.append(head)
            lines.append(f"    “{c.quote}”")
            lines += [f"    Note: {note}" for note in c.notes]
    if answer.abstained and answer.related:
        lines += ["", "May be related:"] + [f"- {where(h)}" for h in answer.related]
    return "\n".join(lines)


def turn_views(thread: Thread | None) -> list[TurnView]:
    if thread is None:
        return []
    views = []
    for i, turn in enumerate(thread.turns, thread.dropped_turns + 1):
        answer = turn.answer
        resolved = answer.resolved_question if answer.resolved_question not in ("", answer.question) else ""
        views.append(TurnView(i, turn.question, resolved, answer, answer_blocks(answer),
                              copy_text(turn.question, resolved, answer), same_place(answer.citations, where)))
    return views


def filter_options(library) -> dict:
    metas = [info.meta for info in library.docs.values()]
    return {
        "jurisdiction": [(j, PLACES.get(j, j)) for j in sorted({m.jurisdiction for m in metas})],
        "doc_id": sorted(((m.doc_id, m.title) for m in metas), key=lambda d: d[1].lower()),
        "audience": [(a, a[:1].upper() + a[1:]) for a in sorted({a.lower() for m in metas for a in m.audience})],
    }


# -- asking ---------------------------------------------------------------------------------------
def ask(runtime, assistant, conversations: ConversationStore, thread: Thread, message: str,
        filters: Filters) -> tuple[int, Answer]:
    """One question in one thread. A few answers are computed side by side (see
    ``deps.answer_slots``): the assistant's caches take concurrent readers and writers, and one
    onnxruntime session runs several callers' batches at once. The store numbers the turns, so
    two requests in one conversation still keep them in order."""
    with runtime.answer_slots:
        answer = assistant.ask(message, thread.conversation, filters)
    number = conversations.add_turn(thread, Turn(answer.question, answer.resolved_question, answer))
    return number, answer


@router.post("/api/chat", summary="Ask a question (or a follow-up) and get a cited answer")
def api_chat(body: ChatRequest, request: Request, client: ClientKeyDep, conversations: ConversationsDep,
             assistant: AssistantDep, runtime: RuntimeDep, settings: SettingsDep) -> JSONResponse:
    check_query(body.message, settings.max_query_chars)
    filters = Filters.from_dict(body.filters)
    if body.conversation_id:
        thread = conversations.get(body.conversation_id, client.value)
        if thread is None:
            raise ConversationNotFound()
    else:
        thread = conversations.current_or_new(client.value)
    thread.filters = {k: v for k, v in (body.filters or {}).items() if k in FORM_FILTERS and isinstance(v, str)}
    number, answer = ask(runtime, assistant, conversations, thread, body.message, filters)
    payload = {**answer.to_dict(), "conversation_id": thread.id, "turn": number}
    return client.remember(request, JSONResponse(payload))


@router.post("/chat", include_in_schema=False)
def chat_form(request: Request, client: ClientKeyDep, conversations: ConversationsDep, assistant: AssistantDep,
              runtime: RuntimeDep, settings: SettingsDep, message: Annotated[str, Form()] = "",
              jurisdiction: Annotated[str, Form()] = "", doc_id: Annotated[str, Form()] = "",
              audience: Annotated[str, Form()] = "") -> Response:
    """The no-JavaScript path: answer, then redirect to the page at the new turn."""
    check_query(message, settings.max_query_chars)
    chosen = {k: v for k, v in (("jurisdiction", jurisdiction), ("doc_id", doc_id), ("audience", audience)) if v}
    filters = Filters.from_dict(chosen)
    thread = conversations.current_or_new(client.value)
    thread.filters = chosen
    number, _ = ask(runtime, assistant, conversations, thread, message, filters)
    return client.remember(request, RedirectResponse(f"/#turn-{number}", status_code=303))


@router.post("/chat/new", include_in_schema=False)
def new_conversation(request: Request, client: ClientKeyDep, conversations: ConversationsDep) -> Response:
    current = conversations.current(client.value)
    conversations.new(client.value, filters=current.filters if current else None)
    return client.remember(request, RedirectResponse("/", status_code=303))


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def chat_page(request: Request, client: ClientKeyDep, conversations: ConversationsDep, library: LibraryDep,
              templates: TemplatesDep, settings: SettingsDep) -> Response:
    thread = conversations.current(client.value)
    context = {"turns": turn_views(thread), "dropped": thread.dropped_turns if thread else 0,
               "filters": thread.filters if thread else {}, "options": filter_options(library),
               "max_chars": settings.max_query_chars, "page_title": "Ask about corporate parenting"}
    return client.remember(request, templates.TemplateResponse(request, "chat.html", context))


@router.get("/chat/turns/{number}", response_class=HTMLResponse, include_in_schema=False)
def chat_turn(number: int, request: Request, client: ClientKeyDep, conversations: ConversationsDep,
              templates: TemplatesDep) -> Response:
    """One turn of this browser's current conversation, as HTML, for chat.js to insert."""
    views = [v for v in turn_views(conversations.current(client.value)) if v.number == number]
    if not views:
        raise WebError(f"There is no question {number} in this conversation.", status=404,
                       hint="Reload the chat page.")
    return templates.TemplateResponse(request, "_turn_fragment.html", {"t": views[0]})
