"""A conversation's turns as JSON and back, so any server process can pick a conversation up.

The web app keeps conversations in SQLite (see :mod:`cpguide.web.conversations`); a follow-up
question may reach a different worker, or a restarted server, than the one that answered
the question before it, and "tell me more about the second point" needs the earlier answer
with its citations. So each turn's :class:`~cpguide.records.Answer` is stored whole.

Records are rebuilt field by field from what their dataclasses declare today: a field that
a later version adds is left at its default when an older stored turn lacks it, and a stored
field that no longer exists is ignored. A turn that cannot be rebuilt at all raises
:class:`UnreadableTurn`, and the store treats its conversation as gone rather than failing
the request.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from cpguide.assistant.conversation import Turn
from cpguide.records import Answer, Citation, Hit, Span

# Fields holding tuples of records rather than plain values.
_NESTED: dict[type, dict[str, type]] = {Answer: {"citations": Citation, "related": Hit}, Hit: {"highlights": Span}}


class UnreadableTurn(ValueError):
    """A stored turn written by a version of cpguide whose records no longer fit."""


def encode_answer(answer: Answer | None) -> str | None:
    """The whole answer as JSON (``dataclasses.asdict``: every field, not the API's view of it)."""
    return None if answer is None else json.dumps(dataclasses.asdict(answer), ensure_ascii=False)


def decode_answer(text: str | None) -> Answer | None:
    if text is None:
        return None
    try:
        return _record(Answer, json.loads(text))
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise UnreadableTurn(f"a stored answer could not be read: {exc}") from exc


def turn_from_row(question: str, resolved: str, answer: str | None) -> Turn:
    return Turn(question=question, resolved=resolved, answer=decode_answer(answer))


def _record(cls: type, data: dict[str, Any]):
    nested = _NESTED.get(cls, {})
    values = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue  # added since this turn was stored: its default applies
        value = data[f.name]
        if f.name in nested:
            value = tuple(_record(nested[f.name], item) for item in value)
        elif isinstance(value, list) and str(f.type).startswith("tuple"):
            value = tuple(value)
        values[f.name] = value
    return cls(**values)
