"""``POST /api/search``: ranked passages with where they are, for programs and for checking answers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from cpguide.index.search import Filters
from cpguide.web.deps import SearcherDep, SettingsDep

router = APIRouter(tags=["search"])


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    query: str = Field(description="Plain words; abbreviations such as LAC or PA are understood.",
                       examples=["dental checks for children in care"])
    k: int | None = Field(None, ge=1, le=50, description="How many passages (default: the top_k setting).")
    filters: dict[str, Any] | None = Field(
        None, description="Any of jurisdiction, doc_id, kind, audience.", examples=[{"jurisdiction": "england"}])


@router.post("/api/search", summary="Find the passages that answer a query, best first")
def api_search(body: SearchRequest, searcher: SearcherDep, settings: SettingsDep) -> dict:
    filters = Filters.from_dict(body.filters)
    hits = searcher.search(body.query, k=body.k or settings.top_k, filters=filters,
                           max_chars=settings.max_query_chars)
    return {"query": body.query, "filters": filters.to_dict(), "hits": [h.to_dict() for h in hits]}
