"""Garbled text layers (fonts without a usable character map) are left out, real text never is."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpguide.index.library import Library
from cpguide.ingest.pipeline import run_ingest
from cpguide.ingest.loaders import load
from cpguide.ingest.readable import is_garbled, screen
from cpguide.ingest.sources import discover
from tests.pdf_factory import make_pdf

ENGLISH = (
    "Corporate parenting is the collective responsibility of the council, elected members, employees "
    "and partner agencies, for providing the best possible care and safeguarding for the children who "
    "are looked after by the council. A child in the care of the council looks to the whole council to "
    "be the best parent it can be to that child."
)
WELSH = (
    "Mae'r Cod Ymarfer hwn yn nodi'r ffordd y dylai awdurdodau lleol weithredu eu swyddogaethau "
    "gwasanaethau cymdeithasol mewn perthynas â phlant sy'n derbyn gofal a'r rhai sy'n gadael gofal. "
    "Dylai rhianta corfforaethol fod yn gyfrifoldeb i bawb yn y cyngor, gan gynnwys aelodau etholedig."
)
URLS = "\n".join([
    "https://www.gov.uk/government/publications/applying-corporate-parenting-principles-to-looked-after-children",
    "www.local.gov.uk/corporate-parenting-resource-pack", "corporateparenting@anytown.gov.uk",
    "http://socialmedia.21st.cc/", "https://gov.wales/corporate-parenting-charter-toolkit-html",
] * 3)
TABLE = "\n".join([
    "Year 2019/20 2020/21 2021/22 2022/23", "CLA 412 437 455 471", "Care leavers 18-21 210 225 231 240",
    "NEET % 38.5 41.2 39.9 37.0", "UASC 12 18 25 31", "IRO caseload 55 61 58 57", "Q1 Q2 Q3 Q4 £1.2m £0.9m",
] * 2)
ACRONYMS = "LAC CiC IRO VSH PA SGO NEET UASC CAMHS ICB CCG NHS CQC DfE LGA ONS YOT YJB DWP HMRC GP " * 3
# What a font with a non-Unicode CMap gives: every glyph shifted, the spaces lost.
ISSUE_SAMPLE = "3HQČåQtSURVWĜHGN\\QD~þWHFK"


def shifted(text: str, by: int = 29) -> str:
    """The common CMap garble: each character code off by a constant, spaces falling out."""
    return "".join(chr(ord(c) - by) for c in text if ord(c) - by >= 0x21)


@pytest.mark.parametrize("text", [ENGLISH, WELSH, URLS, TABLE, ACRONYMS, "Corporate Parenting Strategy 2024-2027",
                                  "CORPORATE PARENTING PRINCIPLES WHICH APPLY TO HOUSING SERVICES",
                                  "Councillor Jane Smith, Lead Member for Children's Services, 01952 380000\n" * 6],
                         ids=["english", "welsh", "urls", "table", "acronyms", "heading", "caps", "contacts"])
def test_real_text_is_not_garbled(text):
    assert not is_garbled(text)


@pytest.mark.parametrize("text", [(ISSUE_SAMPLE + " ") * 4, shifted(ENGLISH), shifted(WELSH),
                                  " ".join(shifted(w) for w in ENGLISH.split())],
                         ids=["issue-sample", "shifted-english", "shifted-welsh", "shifted-keeping-spaces"])
def test_garbled_text_is_garbled(text):
    assert is_garbled(text)


def _ingest(paths, index):
    from cpguide.index.embedder import HashingEmbedder

    return run_ingest(discover(paths), index_dir=index, model="hashing:64",
                      embedder_factory=lambda: HashingEmbedder(64))


def _lines(text: str, width: int = 80) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) > width:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    return lines + [line]


def test_a_pdf_made_only_of_garbled_pages_is_refused_with_the_reason(tmp_path):
    garble = "".join(shifted(ENGLISH))
    pdf = make_pdf(tmp_path / "garbled.pdf", [[garble[i:i + 70] for i in range(0, len(garble), 70)]] * 2)
    report = _ingest([pdf], tmp_path / "index")
    (failed,) = report.failed
    assert failed.reason == "the text layer is unreadable; run OCR"
    assert "ocrmypdf" in failed.hint


def test_garbled_pages_are_left_out_and_named(tmp_path):
    garble = "".join(shifted(ENGLISH))
    pdf = make_pdf(tmp_path / "mixed.pdf", [_lines(ENGLISH), [garble[i:i + 70] for i in range(0, len(garble), 70)],
                                            _lines(ENGLISH.replace("council", "authority"))])
    report = _ingest([pdf], tmp_path / "index")
    (outcome,) = report.outcomes
    assert outcome.status == "added"
    assert any("page 2: the text layer is unreadable" in w for w in outcome.warnings)
    lib = Library.open(tmp_path / "index")
    assert garble[:20] not in lib.document("mixed").text
    assert {c.page_start for c in lib.chunks} <= {1, 3}


def test_real_world_pdfs_keep_every_page(realworld_pdfs):
    """The awkward real PDFs (German maths lecture notes, Latin filler, a form) lose nothing."""
    names = ["GeoTopo-komprimiert.pdf", "002-trivial-libre-office-writer.pdf", "multicolumn.pdf", "crazyones.pdf",
             "libreoffice-form.pdf", "zen_of_python_corrupted.pdf", "with-attachment.pdf"]
    for name in names:
        raw = load(realworld_pdfs / name)
        assert screen(raw) is raw, name
