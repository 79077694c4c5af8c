"""The command line teaches itself, and the README cannot drift from the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cpguide.cli import _register, cli
from cpguide.settings import SETTINGS, Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
_register()


def test_every_setting_is_documented_in_the_readme():
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in README]
    assert not missing, f"add these to the README's configuration table: {missing}"


def test_every_command_is_documented_in_the_readme():
    missing = [name for name in cli.commands if f"cpguide {name}" not in README]
    assert not missing, f"the README never shows: {missing}"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_each_command_has_help_with_an_example(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.output and (f"cpguide {name}" in result.output or "Examples" in result.output)


def test_settings_resolve_from_env_then_flags():
    s = Settings.resolve(env={"CPGUIDE_TOP_K": "7", "CPGUIDE_INDEX_DIR": "/tmp/a"})
    assert (s.top_k, s.index_dir) == (7, "/tmp/a")
    assert Settings.resolve(env={"CPGUIDE_TOP_K": "7"}, top_k=3).top_k == 3
    from cpguide.errors import UsageError

    with pytest.raises(UsageError, match="CPGUIDE_TOP_K"):
        Settings.resolve(env={"CPGUIDE_TOP_K": "many"})


def test_help_is_instant_because_heavy_libraries_are_not_imported():
    code = "import sys; from cpguide.cli import _register, cli; _register(); " \
           "print(sorted(m for m in ('torch', 'sentence_transformers', 'faiss', 'fastapi') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_missing_index_is_a_clear_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "cpguide", "docs", "--index-dir", str(tmp_path / "none")],
                            capture_output=True, text=True)
    assert result.returncode == 3
    assert "No index found" in result.stderr and "cpguide ingest" in result.stderr
    assert "Traceback" not in result.stderr
