"""Which files to ingest, and what a citation will say about each.

Metadata comes, in order of precedence, from flags given to ``cpguide ingest``, from a
``manifest.toml`` in the file's folder (the starter corpus has one), and finally from the file
itself (PDF title, first heading) or its name. A document without a manifest entry still gets
sensible values and can be corrected later by ingesting it again with flags.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
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


# Files a folder holds that are nobody's document: Office lock files, thumbnails caches.
_JUNK_NAMES = {"thumbs.db", "desktop.ini", MANIFEST_NAME}


@dataclass(frozen=True)
class Scan:
    """What a set of paths holds: the files to ingest, and the files found in folders that
    cpguide does not read (listed once in the run's summary rather than failing the run)."""

    sources: list[Source]
    not_read: list[Path] = field(default_factory=list)


def _walk(folder: Path) -> tuple[list[Path], list[Path]]:
    files, others = [], []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if any(part.startswith((".", "__", "~$")) for part in rel.parts) or not p.is_file():
            continue
        name = p.name.lower()
        if name in _SKIP_NAMES or name in _JUNK_NAMES:
            continue
        (files if p.suffix.lower() in SUPPORTED_SUFFIXES else others).append(p)
    return files, others


def _distinct_ids(found: list[tuple[Path, str, DocMeta, bool]]) -> list[DocMeta]:
    """Ids that are unique, derived the same way on every run.

    Only ids made from file names change: two ``annual-report.pdf`` in ``2023/`` and ``2024/``
    become ``2023-annual-report`` and ``2024-annual-report``; ``strategy.md`` beside
    ``strategy.txt`` become ``strategy-md`` and ``strategy-txt``. Ids given in a manifest or
    with ``--doc-id`` are the user's and are kept (a clash between two of them is reported).
    """
    metas = [meta for _, _, meta, _ in found]
    groups: dict[str, list[int]] = {}
    for i, meta in enumerate(metas):
        groups.setdefault(meta.doc_id, []).append(i)
    for members in groups.values():
        renamed = [i for i in members if found[i][3]]
        if len(members) < 2 or not renamed:
            continue
        others = {m.doc_id for j, m in enumerate(metas) if j not in renamed}
        for level in (1, 2, 3):
            ids = [_derived_id(found[i][0], found[i][1], level) for i in renamed]
            if len(set(ids)) == len(ids) and not set(ids) & others:
                break
        for i, new_id in zip(renamed, ids):
            metas[i] = dataclasses.replace(metas[i], doc_id=new_id)
    return metas


def _derived_id(path: Path, where: str, level: int) -> str:
    """1: folder and name ("2023-annual-report"); 2: with the suffix ("strategy-md");
    3: with a short hash of the full path, for anything still alike."""
    if level == 1:
        return slugify(f"{where} {path.stem}")
    slug = slugify(f"{where} {path.stem} {path.suffix.lstrip('.')}")
    if level == 2:
        return slug
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:6]
    return f"{slug[:72]}-{digest}"


def scan(paths: list[Path], overrides: dict | None = None) -> Scan:
    """Expand folders, attach metadata, and note what folders hold that cannot be read.

    Files named explicitly are kept even if unsupported, so that the run reports them instead
    of silently ignoring them; so is a folder with no readable file in it.
    """
    overrides = {k: v for k, v in (overrides or {}).items() if v not in (None, "", ())}
    if not paths:
        paths = [starter_corpus_dir()]
    files: list[tuple[Path, str]] = []  # a file and the folder path that tells it apart from a namesake
    not_read: list[Path] = []
    for p in paths:
        p = Path(p).expanduser()
        if p.is_dir():
            found, others = _walk(p)
            files.extend((f, str(f.parent.relative_to(p))) for f in found)
            not_read.extend(others)
            if not found:
                files.append((p, ""))
        else:
            files.append((p, p.parent.name))
    if "doc_id" in overrides and len(files) > 1:
        raise UsageError("--doc-id names one document, but several files were given.",
                         hint="Ingest that file on its own to give it an id.")
    if "title" in overrides and len(files) > 1:
        raise UsageError("--title names one document, but several files were given.",
                         hint="Ingest that file on its own to give it a title.")
    manifests: dict[Path, dict[str, DocMeta]] = {}
    found_meta: list[tuple[Path, str, DocMeta, bool]] = []
    for f, where in files:
        folder = f.parent.resolve()
        if folder not in manifests:
            manifests[folder] = read_manifest(folder) if folder.is_dir() else {}
        listed = manifests[folder].get(f.name)
        meta = listed or DocMeta(doc_id=slugify(f.stem if not f.is_dir() else f.name), title="")
        derived = listed is None
        if overrides:
            fields = {k: v for k, v in overrides.items() if k in DocMeta.__dataclass_fields__}
            if "audience" in fields and isinstance(fields["audience"], str):
                fields["audience"] = tuple(a.strip() for a in fields["audience"].split(",") if a.strip())
            meta = _check(dataclasses.replace(meta, **fields), str(f))
            derived = derived and "doc_id" not in fields
        found_meta.append((f, "" if where == "." else where, meta, derived))
    metas = _distinct_ids(found_meta)
    return Scan([Source(f, meta) for (f, *_), meta in zip(found_meta, metas)], not_read)


def discover(paths: list[Path], overrides: dict | None = None) -> list[Source]:
    """The files to ingest under ``paths`` (see :func:`scan`)."""
    return scan(paths, overrides).sources
