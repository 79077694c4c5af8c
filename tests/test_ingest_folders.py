"""Ingest as a council officer meets it: a first run where nothing can be read, folders full of
other files, two files with the same name, sizes and limits.

The command is run through ``cpguide.cli.main``, as a user runs it, with the hashing embedder
(``CPGUIDE_MODEL=hashing:64``): these tests are about what the run reports, not about meaning.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cpguide.cli import main
from cpguide.index import store
from cpguide.index.library import Library
from tests.pdf_factory import make_pdf


@pytest.fixture(autouse=True)
def _hashing_model(monkeypatch):
    monkeypatch.setenv("CPGUIDE_MODEL", "hashing:64")


def run(capsys, *args) -> tuple[int, str, str]:
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_no_index(index: Path) -> None:
    assert store.current_generation(index) is None
    assert not (index / "lock").exists()
    assert not list(index.glob("gen-*")) if index.exists() else True


# --- a first ingest where nothing can be read ---------------------------------------------------


def test_first_ingest_of_unreadable_pdfs_reports_each_reason(capsys, tmp_path, realworld_pdfs):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("libreoffice-writer-password.pdf", "pdf-with-jbig2.pdf"):
        (folder / name).symlink_to(realworld_pdfs / name)
    index = tmp_path / "index"
    code, out, err = run(capsys, "ingest", folder, "--index-dir", index)
    assert code == 1
    assert "Documents: 0 added, 0 updated, 0 unchanged, 2 failed" in out
    assert "password-protected" in err and "scanned" in err
    assert "bug" not in err and "TypeError" not in err
    assert "No index was written" in out
    assert_no_index(index)


def test_first_ingest_of_unreadable_pdfs_as_json(capsys, tmp_path, realworld_pdfs):
    index = tmp_path / "index"
    code, out, _ = run(capsys, "ingest", realworld_pdfs / "libreoffice-writer-password.pdf",
                       realworld_pdfs / "pdf-with-jbig2.pdf", "--index-dir", index, "--json")
    assert code == 1
    data = json.loads(out)
    assert data["summary"] == {"added": 0, "updated": 0, "unchanged": 0, "failed": 2}
    assert data["wrote_index"] is False
    assert all(o["reason"] for o in data["outcomes"])
    assert_no_index(index)


def test_first_ingest_of_an_empty_folder(capsys, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    index = tmp_path / "index"
    code, out, err = run(capsys, "ingest", empty, "--index-dir", index)
    assert code == 1
    assert "0 added, 0 updated, 0 unchanged, 1 failed" in out
    assert "no documents cpguide can read" in err
    assert_no_index(index)


def test_first_ingest_of_a_missing_path(capsys, tmp_path):
    index = tmp_path / "index"
    code, out, err = run(capsys, "ingest", tmp_path / "nowhere.pdf", "--index-dir", index)
    assert code == 1
    assert "0 added, 0 updated, 0 unchanged, 1 failed" in out
    assert "nowhere.pdf: file not found" in err
    assert_no_index(index)


def test_a_failed_run_on_an_existing_index_leaves_it_as_it_was(capsys, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Care leavers should have a suitable home and support to keep it.\n")
    index = tmp_path / "index"
    assert run(capsys, "ingest", good, "--index-dir", index)[0] == 0
    gen = store.current_generation(index)
    code, out, _ = run(capsys, "ingest", tmp_path / "nowhere.pdf", "--index-dir", index)
    assert code == 1 and "1 failed" in out
    assert store.current_generation(index) == gen
    assert list(Library.open(index).docs) == ["good"]


@pytest.mark.parametrize("flag", ["--max-file-mb", "--max-pages"])
@pytest.mark.parametrize("value", ["0", "-5"])
def test_limits_must_be_positive(capsys, tmp_path, flag, value):
    good = tmp_path / "good.txt"
    good.write_text("Care leavers should have a suitable home.\n")
    code, _, err = run(capsys, "ingest", good, "--index-dir", tmp_path / "index", flag, value)
    assert code == 2
    assert f"{flag} must be a positive whole number" in err
    assert not (tmp_path / "index").exists()


def test_limit_from_the_environment_must_be_positive(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CPGUIDE_MAX_FILE_MB", "0")
    code, _, err = run(capsys, "ingest", tmp_path, "--index-dir", tmp_path / "index")
    assert code == 2 and "CPGUIDE_MAX_FILE_MB" in err


# --- messy folders ------------------------------------------------------------------------------


def test_files_it_does_not_read_are_listed_once_with_a_hint(capsys, tmp_path):
    folder = tmp_path / "docs"
    (folder / "old").mkdir(parents=True)
    (folder / "strategy.txt").write_text("Councils should make sure care leavers have a home.\n")
    (folder / "old" / "minutes.doc").write_bytes(b"\xd0\xcf\x11\xe0 old word")
    (folder / "old" / "plan.doc").write_bytes(b"\xd0\xcf\x11\xe0 old word")
    (folder / "figures.xlsx").write_bytes(b"PK\x03\x04")
    (folder / "logo.png").write_bytes(b"\x89PNG")
    (folder / "Thumbs.db").write_bytes(b"x")
    index = tmp_path / "index"
    code, out, err = run(capsys, "ingest", folder, "--index-dir", index)
    assert code == 0  # the readable file went in; the others are listed, not failures
    assert "1 added" in out
    assert "Not read: 4 files of types cpguide does not read (.doc 2, .png 1, .xlsx 1)" in err
    assert "save it as .docx" in err
    assert err.count("minutes.doc") == 1 and "Thumbs.db" not in err
    data = json.loads(run(capsys, "ingest", folder, "--index-dir", index, "--json")[1])
    assert sorted(Path(o["path"]).name for o in data["not_read"]) == ["figures.xlsx", "logo.png", "minutes.doc",
                                                                      "plan.doc"]


def test_same_file_name_in_two_folders_gets_two_stable_ids(capsys, tmp_path):
    folder = tmp_path / "reports"
    for year in ("2023", "2024"):
        (folder / year).mkdir(parents=True)
        make_pdf(folder / year / "annual-report.pdf", [[f"Annual report {year}",
                                                        f"In {year} the panel met six times to hear from care leavers."]])
    (folder / "strategy.md").write_text("# Strategy\n\nWe will support care leavers into work.\n")
    (folder / "strategy.txt").write_text("Strategy\n\nCouncils should make sure care leavers have a home.\n")
    (folder / "plan.txt").write_text("Our plan for care leavers.\n")
    index = tmp_path / "index"
    code, out, _ = run(capsys, "ingest", folder, "--index-dir", index)
    assert code == 0 and "5 added" in out
    ids = set(Library.open(index).docs)
    assert ids == {"2023-annual-report", "2024-annual-report", "strategy-md", "strategy-txt", "plan"}
    code, out, _ = run(capsys, "ingest", folder, "--index-dir", index)
    assert code == 0 and "5 unchanged" in out  # the same ids on the next run


def test_added_documents_are_named_with_their_ids(capsys, tmp_path):
    (tmp_path / "strategy.txt").write_text("Councils should make sure care leavers have a home.\n")
    code, out, _ = run(capsys, "ingest", tmp_path / "strategy.txt", "--index-dir", tmp_path / "index",
                       "--doc-id", "anytown-strategy", "--title", "Anytown Corporate Parenting Strategy")
    assert code == 0
    assert "added anytown-strategy: Anytown Corporate Parenting Strategy (strategy.txt)" in out


def test_readme_example_adds_and_removes_anytown_strategy(capsys, tmp_path):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = readme.split("## Add your own documents", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = " ".join(block.replace("\\\n", " ").splitlines())
    example = next(part for part in lines.split("cpguide ")[1:] if part.startswith("ingest strategy.pdf"))
    import shlex

    args = shlex.split(example.split("#", 1)[0])
    make_pdf(tmp_path / "strategy.pdf", [["Our pledge", "We will support care leavers into work."]])
    index = tmp_path / "index"
    code, _, _ = run(capsys, *[a if a != "strategy.pdf" else tmp_path / "strategy.pdf" for a in args],
                     "--index-dir", index)
    assert code == 0
    removed = next(part for part in lines.split("cpguide ")[1:] if part.startswith("remove "))
    doc_id = removed.split()[1]
    assert doc_id in Library.open(index).docs
    code, out, _ = run(capsys, "remove", doc_id, "--index-dir", index)
    assert code == 0 and f"Removed {doc_id}" in out


def test_size_limit_message_uses_one_unit(tmp_path):
    from cpguide.ingest.pipeline import run_ingest
    from cpguide.ingest.sources import discover

    limit = 100 * 1024 * 1024
    reasons = {}
    for name, size in (("big.txt", 110 * 1024 * 1024), ("just-over.txt", limit + 300 * 1024)):
        with open(tmp_path / name, "wb") as fh:
            fh.truncate(size)  # sparse: the size is checked before anything is read
        report = run_ingest(discover([tmp_path / name]), index_dir=tmp_path / "index", model="hashing:64",
                            embedder_factory=None, max_bytes=limit)
        reasons[name] = report.failed[0].reason
    assert reasons == {"big.txt": "file is too large (110 MB; the limit is 100 MB)",
                       "just-over.txt": "file is too large (100.3 MB; the limit is 100 MB)"}
