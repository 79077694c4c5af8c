"""Domain errors, raised by library code and translated at the edges.

The CLI turns a :class:`CpguideError` into its message on stderr and ``exit_code``;
the web app turns it into a 4xx page or JSON body from one exception handler.
Every message says what went wrong *and* what to do about it.
"""

from __future__ import annotations


class CpguideError(Exception):
    """Base class: a problem the user can act on, never a bug."""

    exit_code = 1
    http_status = 400

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  {self.hint}" if self.hint else self.message


class UsageError(CpguideError):
    """A bad flag, filter or query."""

    exit_code = 2
    http_status = 422


class IndexMissing(CpguideError):
    """No index has been built in the index folder yet."""

    exit_code = 3
    http_status = 503


class IndexMismatch(CpguideError):
    """The index was built by another model or an incompatible version."""

    exit_code = 3
    http_status = 503


class IndexBusy(CpguideError):
    """Another process holds the index's write lock."""

    exit_code = 4
    http_status = 503


class ModelLoadError(CpguideError):
    """The embedding model folder is missing or unreadable."""

    exit_code = 3
    http_status = 503


class DocumentNotFound(CpguideError):
    """A document id that the index does not hold."""

    exit_code = 2
    http_status = 404


class LoadError(CpguideError):
    """One input file cannot be read; the ingest run skips it and goes on."""

    def __init__(self, message: str, *, hint: str | None = None, path: str | None = None):
        super().__init__(message, hint=hint)
        self.path = path
