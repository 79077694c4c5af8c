"""Downloading a printable paper (a panel brief, a strategy check) as HTML or Word.

Both papers leave the app the same way: a Word file as an attachment, or a standalone HTML
page whose only styles are its own, allowed by hash in a policy that permits nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import re
import tempfile
from pathlib import Path
from typing import Callable

from fastapi.responses import Response

from cpguide.errors import UsageError

DOCX_MEDIA = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = ("html", "docx")
SHEET_POLICY = ("default-src 'none'; style-src {hashes}; img-src 'none'; base-uri 'none'; form-action 'none'; "
                "frame-ancestors 'none'")


def style_hashes(page: str) -> str:
    """CSP sources allowing exactly the page's own <style> blocks: the exporter escapes all text,
    so every <style> in its output is its own stylesheet."""
    blocks = re.findall(r"<style>(.*?)</style>", page, re.S)
    return " ".join("'sha256-" + base64.b64encode(hashlib.sha256(b.encode("utf-8")).digest()).decode("ascii") + "'"
                    for b in blocks) or "'none'"


def download_links(path: str, query: Callable[..., str]) -> dict[str, str]:
    """The page's links to its paper: Word, HTML, and HTML opened in the browser to print.
    ``query(**extra)`` is the paper's own query string with those extra parameters."""
    return {"docx": f"{path}?{query(format='docx')}", "html": f"{path}?{query(format='html')}",
            "print": f"{path}?{query(format='html', view='1')}"}


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"Unknown format {fmt!r}.", hint="Use html or docx.")


def download(paper, fmt: str, view_only: str | None, *, render_html: Callable, render_docx: Callable,
             filename: Callable[[str], str]) -> Response:
    """The paper as a file: ``fmt`` docx, or html (``view_only`` "1" opens it in the browser)."""
    if fmt == "docx":
        with tempfile.TemporaryDirectory(prefix="cpguide-paper-") as folder:
            path = Path(folder) / "paper.docx"
            render_docx(paper, path)  # the exporter wants a path; read it back for the response
            body = path.read_bytes()
        return Response(body, media_type=DOCX_MEDIA,
                        headers={"Content-Disposition": f'attachment; filename="{filename("docx")}"'})
    page = render_html(paper)
    disposition = "inline" if view_only == "1" else f'attachment; filename="{filename("html")}"'
    return Response(page, media_type="text/html; charset=utf-8", headers={
        "Content-Disposition": disposition, "Content-Security-Policy": SHEET_POLICY.format(hashes=style_hashes(page))})
