"""``cpguide serve``: the web chat and JSON API on this machine."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request

import click

from cpguide.cli import index_options, make_settings, setting_option
from cpguide.commands.ask import llm_options
from cpguide.settings import SETTINGS


def _browse_address(host: str, port: int) -> str:
    """Where a browser on this machine reaches the server (0.0.0.0 and :: are not addresses to visit)."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def _wait_until_up(url: str, timeout: float = 300.0) -> bool:
    """Poll /healthz until the server answers at all (a 503 for a missing index counts as up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "healthz", timeout=2):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.3)
    return False


def _announce(url: str, open_browser: bool) -> None:
    if not _wait_until_up(url):
        click.echo("The server did not answer; see the messages above.", err=True)
        return
    click.echo(f"cpguide is serving the web chat at {url}  (Ctrl-C to stop)")
    if open_browser:
        import webbrowser

        try:
            webbrowser.get()
        except webbrowser.Error:
            click.echo(f"No web browser found here; open {url} in one.", err=True)
            return
        webbrowser.open(url)


@click.command()
@index_options
@llm_options
@setting_option("host", metavar="ADDRESS")
@setting_option("port", metavar="PORT")
@setting_option("rate_limit", metavar="N")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes; each loads its own copy of the model and index.")
@click.option("--open", "open_browser", is_flag=True, help="Open the chat in a web browser once the server is up.")
def serve(workers, open_browser, **flags):
    """Serve the web chat, the document reader and the JSON API.

    The model and the index are loaded once at start-up. If no index has been built yet the
    server still starts, and its pages say how to build one (`cpguide ingest`).

    \b
    Examples:
      cpguide serve                      http://127.0.0.1:8000
      cpguide serve --open               and open it in a browser
      cpguide serve --host 0.0.0.0 --port 8080 --workers 2
    \b
    The API reference is at /docs; the JSON endpoints are /api/chat, /api/search,
    /api/documents and /healthz.
    """
    import os

    import uvicorn

    settings = make_settings(**flags)
    url = _browse_address(settings.host, settings.port)
    click.echo(f"Loading the model and the index from {settings.index_dir}...", err=True)
    threading.Thread(target=_announce, args=(url, open_browser), daemon=True).start()
    options = dict(host=settings.host, port=settings.port, log_level="warning", access_log=False,
                   proxy_headers=True, timeout_graceful_shutdown=5)
    if workers == 1:
        from cpguide.web.app import create_app

        uvicorn.run(create_app(settings), **options)
        return
    # Each worker process imports the app by name, so the settings travel as CPGUIDE_* variables.
    for spec in SETTINGS:
        value = getattr(settings, spec.name)
        os.environ[spec.env] = "" if value is None else str(value)
    uvicorn.run("cpguide.web.app:app_from_env", factory=True, workers=workers, **options)


COMMANDS = (serve,)
