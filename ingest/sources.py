"""Which files to ingest, and what a citation will say about each.

Metadata comes, in order of precedence, from flags given to ``cpguide ingest``, from a
``manifest.toml`` in the file's folder (the starter corpus has one), and finally from the file
itself (PDF title, first heading) or its name. A document without a manifest entry still gets
sensible values and can be corrected later by ingesting it again with flags.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from cpguide.errors import UsageError
from cpguide.ingest.loaders import SUPPORTED_SUFFIXES
from cpguide.records import JURISDICTIONS, KINDS, DocMeta

MANIFEST_NAME = "manifest.toml"
_SKIP_NAMES = {"readme.md", "readme.txt", "license", "license.txt", "licence.txt"}


@dataclass(frozen=True)
class Source:
    """A file to ingest and the metadata it will carry (``title`` may be filled in later)."""

    path: Path
    meta: DocMeta


def starter_corpus_dir() -> Path:
    return Path(str(resources.files("cpguide.corpus")))


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80] or "document"


def _check(meta: DocMeta, where: str) -> DocMeta:
    if meta.jurisdiction not in JURISDICTIONS:
        raise UsageError(
            f"{where}: jurisdiction {meta.jurisdiction!r} is not one of {', '.join(JURISDICTIONS)}."
        )
    if meta.kind not in KINDS:
        raise UsageError(f"{where}: kind {meta.kind!r} is not one of: {', '.join(KINDS)}.")
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,99}", meta.doc_id):
        raise UsageError(
            f"{where}: document id {meta.doc_id!r} must be lower-case letters, digits, '.', '_' or '-'."
        )
    return meta


def read_manifest(folder: Path) -> dict[str, DocMeta]:
    """Manifest entries by file name."""
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} is not valid TOML: {exc}", hint="Fix the manifest and run again.") from None
    entries: dict[str, DocMeta] = {}
    for i, entry in enumerate(data.get("document", []), 1):
        where = f"{path} (document {i})"
        if "file" not in entry:
            raise UsageError(f"{where} has no 'file'.")
        meta = DocMeta(
            doc_id=str(entry.get("id") or slugify(Path(entry["file"]).stem)),
            title=str(entry.get("title", "")),
            publisher=str(entry.get("publisher", "")),
            year=int(entry["year"]) if entry.get("year") else None,
            date=str(entry.get("date", "")),
            jurisdiction=str(entry.get("jurisdiction", "unknown")).lower(),
            kind=str(entry.get("kind", "other")).lower(),
            audience=tuple(entry.get("audience", ())),
            source_url=str(entry.get("source_url", "")),
        )
        entries[entry["file"]] = _check(meta, where)
    return entries


def _walk(folder: Path) -> list[Path]:
    files = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if any(part.startswith((".", "__")) for part in rel.parts):
            continue
        if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and p.name.lower() not in _SKIP_NAMES:
            files.append(p)
    return files


def discover(paths: list[Path], overrides: dict | None = None) -> list[Source]:
    """Expand folders, attach metadata. Files named explicitly are kept even if unsupported,
    so that the run reports them instead of silently ignoring them."""
    overrides = {k: v for k, v in (overrides or {}).items() if v not in (None, "", ())}
    if not paths:
        paths = [starter_corpus_dir()]
    files: list[Path] = []
    for p in paths:
        p = Path(p).expanduser()
        if p.is_dir():
            files.extend(_walk(p))
        else:
            files.append(p)
    if "doc_id" in overrides and len(files) > 1:
        raise UsageError("--doc-id names one document, but several files were given.",
                         hint="Ingest that file on its own to give it an id.")
    if "title" in overrides and len(files) > 1:
        raise UsageError("--title names one document, but several files were given.",
                         hint="Ingest that file on its own to give it a title.")
    manifests: dict[Path, dict[str, DocMeta]] = {}
    sources = []
    for f in files:
        folder = f.parent.resolve()
        if folder not in manifests:
            manifests[folder] = read_manifest(folder) if folder.is_dir() else {}
        meta = manifests[folder].get(f.name) or DocMeta(doc_id=slugify(f.stem), title="")
        if overrides:
            fields = {k: v for k, v in overrides.items() if k in DocMeta.__dataclass_fields__}
            if "audience" in fields and isinstance(fields["audience"], str):
                fields["audience"] = tuple(a.strip() for a in fields["audience"].split(",") if a.strip())
            meta = _check(dataclasses.replace(meta, **fields), str(f))
        sources.append(Source(f, meta))
    return sources
