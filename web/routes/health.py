"""``GET /healthz``: is the index loaded, and what is in it (503 with the reason when not)."""

from __future__ import annotations

from fastapi import APIRouter

from cpguide import __version__
from cpguide.web.deps import LibraryDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Whether the library is loaded, and its size")
def health(library: LibraryDep) -> dict:
    return {"status": "ok", "documents": len(library.docs), "chunks": len(library.chunks),
            "model": library.model.get("name", ""), "version": __version__}
