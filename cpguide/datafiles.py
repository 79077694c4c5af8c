"""The vocabularies a council edits by hand (``index/vocabulary.toml``, ``assistant/actors.toml``,
``assistant/places.toml``), read with an error that names the file and the line.

The README invites councils to add their own terms to these files; a name listed twice or a
missing quote must then read as a mistake in that file, not as a bug in cpguide.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from cpguide.errors import CpguideError


class DataFileError(CpguideError):
    """A hand-edited vocabulary file that is not valid TOML."""


def read_toml(package: str, name: str, path: Path | None = None) -> dict:
    """``name`` from the installed ``package`` (or ``path`` when given), parsed."""
    source = Path(path) if path is not None else resources.files(package).joinpath(name)
    try:
        return tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"{source} is not valid TOML: {exc}.",
                            hint="Fix that line (a name listed twice, a missing quote or comma) and run the "
                                 "command again.") from exc
