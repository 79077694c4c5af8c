"""What each loader gives back for ordinary files, and how it refuses the ones it cannot read."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from cpguide.errors import LoadError
from cpguide.ingest.loaders import SUPPORTED_SUFFIXES, load, meaningful_title
from cpguide.ingest.loaders.pdf import clean_controls
from cpguide.records import Block

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pdf_factory import make_pdf  # noqa: E402  (beside this file, importable however tests are collected)

REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld-pdfs"


def load_error(path: Path, **kwargs) -> LoadError:
    with pytest.raises(LoadError) as info:
        load(path, **kwargs)
    assert info.value.path == str(path)
    return info.value


def words(doc) -> int:
    return sum(len(block.text.split()) for block in doc.blocks)


# --- checks every file goes through --------------------------------------------------------


def test_supported_suffixes():
    assert set(SUPPORTED_SUFFIXES) == {".pdf", ".html", ".htm", ".txt", ".md", ".markdown", ".docx"}


def test_missing_file(tmp_path):
    err = load_error(tmp_path / "nowhere.pdf")
    assert err.message == "file not found"


def test_zero_byte_file(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert load_error(path).message == "empty file (0 bytes)"


def test_whitespace_only_file_is_empty(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text("  \n\n\t \n")
    assert load_error(path).message.startswith("empty: no text")


def test_too_large_names_size_and_setting(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * (3 * 1024 * 1024))
    err = load_error(path, max_bytes=1024 * 1024)
    assert err.message == "file is too large (3 MB; the limit is 1 MB)"
    assert "CPGUIDE_MAX_FILE_MB" in err.hint and "--max-file-mb" in err.hint


def test_unsupported_suffix_lists_supported(tmp_path):
    path = tmp_path / "notes.xyz"
    path.write_text("hello")
    err = load_error(path)
    assert err.message == "unsupported file type .xyz"
    assert ".pdf" in err.hint and ".docx" in err.hint and ".md" in err.hint


def test_old_word_file_says_save_as_docx(tmp_path):
    path = tmp_path / "plan.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0 old word")
    assert "save it as .docx" in load_error(path).hint


@pytest.mark.parametrize("suffix", [".rtf", ".odt"])
def test_rtf_and_odt_say_save_as_docx_or_pdf(tmp_path, suffix):
    path = tmp_path / f"plan{suffix}"
    path.write_text("{\\rtf1 hello}")
    hint = load_error(path).hint
    assert ".docx" in hint and "PDF" in hint


def test_suffix_is_case_insensitive(tmp_path):
    path = tmp_path / "NOTES.TXT"
    path.write_text("Corporate parenting")
    assert load(path).blocks[0].text == "Corporate parenting"


def test_importing_loaders_does_not_import_parsers():
    code = (
        "import sys, cpguide.ingest.loaders\n"
        "heavy = [m for m in ('pypdf', 'bs4', 'docx', 'lxml') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Corporate Parenting Strategy 2021-24", "Corporate Parenting Strategy 2021-24"),
        ("Microsoft Word - Corporate Parenting Strategy.docx", "Corporate Parenting Strategy"),
        ("Microsoft Word - cp_strategy_final.doc", "cp strategy final"),
        ("zen_of_python.txt", "zen of python"),
        ("Untitled", ""),
        ("", ""),
        (None, ""),
        ("  ", ""),
        ("123", ""),
    ],
)
def test_meaningful_title(raw, expected):
    assert meaningful_title(raw) == expected


# --- PDF ----------------------------------------------------------------------------------------


def strategy_pdf(path: Path, **kwargs) -> Path:
    return make_pdf(
        path,
        [
            [("Corporate Parenting Strategy", 20), "Walsall Council 2021"],
            [("1 Introduction", 16), "Every councillor is a corporate parent."],
            [("2 Our pledges", 16), "We will listen to children in care (and care leavers)."],
        ],
        footer="Corporate Parenting Strategy - page {page} of {pages}",
        **kwargs,
    )


def test_pdf_one_raw_block_per_page_with_footer(tmp_path):
    doc = load(strategy_pdf(tmp_path / "strategy.pdf", title="Corporate Parenting Strategy"))
    assert doc.format == "pdf"
    assert doc.page_count == 3
    assert doc.title_hint == "Corporate Parenting Strategy"
    assert doc.warnings == ()
    assert [(b.kind, b.page, b.page_label) for b in doc.blocks] == [("raw", 1, None), ("raw", 2, None), ("raw", 3, None)]
    assert doc.blocks[1].text == (
        "1 Introduction\nEvery councillor is a corporate parent.\nCorporate Parenting Strategy - page 2 of 3"
    )
    assert "(and care leavers)" in doc.blocks[2].text


def test_pdf_page_labels_kept_where_they_differ(tmp_path):
    path = strategy_pdf(tmp_path / "labelled.pdf", page_labels=[(0, "r", 1), (1, "D", 1)])
    doc = load(path)
    assert [(b.page, b.page_label) for b in doc.blocks] == [(1, "i"), (2, "1"), (3, "2")]
    # Numbering that catches up with the physical page adds nothing, so it is left out.
    path = strategy_pdf(tmp_path / "catch-up.pdf", page_labels=[(0, "r", 1), (2, "D", 3)])
    assert [(b.page, b.page_label) for b in load(path).blocks] == [(1, "i"), (2, "ii"), (3, None)]


def test_pdf_page_labels_identical_to_page_numbers_are_dropped(tmp_path):
    doc = load(strategy_pdf(tmp_path / "plain-labels.pdf", page_labels=[(0, "D", 1)]))
    assert [b.page_label for b in doc.blocks] == [None, None, None]


def test_pdf_word_file_name_as_title_is_tidied(tmp_path):
    doc = load(strategy_pdf(tmp_path / "t.pdf", title="Microsoft Word - CP_Strategy.docx"))
    assert doc.title_hint == "CP Strategy"


@pytest.mark.parametrize("title", ["Untitled", ""])
def test_pdf_placeholder_title_is_ignored(tmp_path, title):
    assert load(strategy_pdf(tmp_path / "t.pdf", title=title)).title_hint == ""


def test_pdf_blank_pages_skipped_with_one_warning(tmp_path):
    path = make_pdf(tmp_path / "gaps.pdf", [["Page one text"], [], [], ["Page four text"], []])
    doc = load(path)
    assert [b.page for b in doc.blocks] == [1, 4]
    assert doc.page_count == 5
    assert doc.warnings == ("pages 2-3, 5: no extractable text (blank, scanned or image-only), skipped",)


def test_pdf_without_any_text_asks_for_ocr(tmp_path):
    err = load_error(make_pdf(tmp_path / "scan.pdf", [[], []]))
    assert err.message == "no extractable text: it looks scanned or image-only"
    assert "OCR" in err.hint and "ocrmypdf" in err.hint


def test_pdf_page_that_fails_extraction_is_skipped_with_warning(tmp_path, monkeypatch):
    from pypdf import PageObject

    original = PageObject.extract_text

    def flaky(self, *args, **kwargs):
        text = original(self, *args, **kwargs)
        if "BROKEN" in text:
            raise ValueError("bad font program")
        return text

    monkeypatch.setattr(PageObject, "extract_text", flaky)
    doc = load(make_pdf(tmp_path / "flaky.pdf", [["fine one"], ["BROKEN page"], ["fine three"]]))
    assert [b.page for b in doc.blocks] == [1, 3]
    assert doc.warnings == ("page 2: text could not be extracted (bad font program)",)


def test_pdf_over_page_limit(tmp_path):
    err = load_error(strategy_pdf(tmp_path / "long.pdf"), max_pages=2)
    assert err.message == "too many pages (3; the limit is 2)"
    assert "CPGUIDE_MAX_PAGES" in err.hint and "--max-pages" in err.hint


def test_truncated_pdf_is_reported_as_damaged(tmp_path):
    data = strategy_pdf(tmp_path / "whole.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    err = load_error(path)
    assert err.message.startswith("damaged or incomplete PDF (")
    assert "download" in err.hint.lower()


def test_web_page_saved_as_pdf_is_not_a_pdf(tmp_path):
    path = tmp_path / "download.pdf"
    path.write_bytes(b"<!DOCTYPE html><html><body>403 Forbidden</body></html>")
    assert load_error(path).message.startswith("not a PDF")


def encrypted_copy(source: Path, target: Path, user_password: str) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=str(source))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    writer.write(target)
    return target


def test_pdf_with_open_password_is_refused(tmp_path):
    path = encrypted_copy(strategy_pdf(tmp_path / "s.pdf"), tmp_path / "locked.pdf", "open-secret")
    err = load_error(path)
    assert err.message == "password-protected: cannot read it without the password"
    assert "remove the password" in err.hint.lower()


def test_pdf_with_only_permissions_password_opens(tmp_path):
    path = encrypted_copy(strategy_pdf(tmp_path / "s.pdf"), tmp_path / "restricted.pdf", "")
    doc = load(path)
    assert doc.page_count == 3
    assert "Every councillor is a corporate parent." in doc.blocks[1].text


def test_clean_controls():
    assert clean_controls("a\x00b") == "a b"  # a symbol between words keeps them apart
    assert clean_controls("a \x00\x01 b") == "a  b"  # no extra space next to existing space
    assert clean_controls("\x00start end\x07") == "start end"
    assert clean_controls("line\r\nnext\tcol\n") == "line\nnext\tcol\n"
    assert clean_controls("ﬁnance oﬀer") == "ﬁnance oﬀer"  # ligatures are for the cleaner


# --- real-world PDFs ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def realworld() -> Path:
    if not REALWORLD.is_dir():
        pytest.skip(f"real-world PDFs not present at {REALWORLD}")
    return REALWORLD


def test_real_trivial_writer_pdf(realworld):
    doc = load(realworld / "002-trivial-libre-office-writer.pdf")
    assert doc.page_count == 1
    assert [b.page for b in doc.blocks] == [1]
    assert words(doc) == 100


def test_real_password_pdf(realworld):
    err = load_error(realworld / "libreoffice-writer-password.pdf")
    assert "password" in err.message


def test_real_damaged_tail_fails_fast(realworld):
    started = time.monotonic()
    err = load_error(realworld / "bad2.pdf")
    assert time.monotonic() - started < 2
    assert err.message == "damaged or incomplete PDF (startxref not found)"


def test_real_scanned_pdf_needs_ocr(realworld):
    err = load_error(realworld / "pdf-with-jbig2.pdf")
    assert "scanned" in err.message
    assert "OCR" in err.hint


def test_real_two_column_pdf(realworld):
    doc = load(realworld / "multicolumn.pdf")
    assert doc.page_count == 3
    assert [b.page for b in doc.blocks] == [1, 2, 3]
    assert words(doc) == 1070
    first = doc.blocks[0].text
    # Column order: the left column's first paragraph reads on, not interleaved with the right.
    assert "Lorem ipsum dolor sit amet, consectetuer adip-\niscing elit." in first


def test_real_ligatures_left_for_cleaning(realworld):
    doc = load(realworld / "crazyones.pdf")
    assert doc.page_count == 1
    assert words(doc) == 170
    assert "misﬁts" in doc.blocks[0].text


def test_real_form_pdf(realworld):
    doc = load(realworld / "libreoffice-form.pdf")
    assert doc.blocks[0].text.startswith("Example for a Form")
    assert words(doc) == 18


def test_real_many_pages_with_labels(realworld):
    doc = load(realworld / "GeoTopo-komprimiert.pdf")
    assert doc.page_count == 117
    assert len(doc.blocks) == 117
    assert doc.title_hint == "Geometrie und Topologie"
    labels = {b.page: b.page_label for b in doc.blocks}
    assert (labels[1], labels[2], labels[3]) == ("i", "ii", "iii")
    page_one = next(b.page for b in doc.blocks if b.page_label == "1")
    assert page_one == 4
    assert labels[117] == "114"
    assert not any("\x00" in b.text for b in doc.blocks)
    assert not any(ch < " " and ch not in "\n\t" for b in doc.blocks for ch in b.text)
    assert words(doc) > 26000


def test_real_corrupt_stream_recovers_text(realworld):
    doc = load(realworld / "zen_of_python_corrupted.pdf")
    assert doc.blocks[0].text.startswith("Beautiful is better than ugly.")
    assert words(doc) == 150
    assert doc.title_hint == "zen of python"


def test_real_pdf_with_attachment(realworld):
    doc = load(realworld / "with-attachment.pdf")
    assert doc.blocks[0].text.startswith("Lorem ipsum dolor sit amet")
    assert words(doc) == 102


# --- HTML ---------------------------------------------------------------------------------------

COUNCIL_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Corporate parenting - Walsall Council</title>
<script>document.write("<p>scripted</p>")</script><style>p { color: red }</style></head>
<body class="js-enabled cookie-banner-shown">
<a href="#main" class="govuk-skip-link">Skip to main content</a>
<div id="cookie-banner"><p>We use cookies to make this site work.</p><button>Accept cookies</button></div>
<header><a href="/">Walsall Council</a><nav><ul><li><a href="/">Home</a></li></ul></nav></header>
<div class="breadcrumbs"><ol><li>Home</li><li>Children and families</li></ol></div>
<main id="main">
<h1>Corporate parenting</h1>
<p>Every   councillor is a
corporate parent.</p>
<div class="intro">Bare text in a div <strong>with bold</strong>.<p>A paragraph.</p>Tail text.</div>
<h2>Our pledges</h2>
<ul><li>We will listen<ul><li>to every child</li></ul></li><li>We will act</li></ul>
<table><tr><th>Team</th><th>Phone</th></tr><tr><td>Leaving care</td><td>01922 650000</td></tr></table>
<div class="share-this"><a href="#">Share on Facebook</a></div>
<!-- editor's note: not for publication -->
<noscript><p>Turn on JavaScript</p></noscript>
</main>
<footer><p>Walsall Council, Civic Centre</p></footer>
</body></html>
"""


def test_html_keeps_content_and_drops_page_furniture(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(COUNCIL_PAGE, encoding="utf-8")
    doc = load(path)
    assert doc.format == "html"
    assert doc.title_hint == "Corporate parenting"
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "Corporate parenting"),
        ("paragraph", 0, "Every councillor is a corporate parent."),
        ("paragraph", 0, "Bare text in a div with bold."),
        ("paragraph", 0, "A paragraph."),
        ("paragraph", 0, "Tail text."),
        ("heading", 2, "Our pledges"),
        ("list_item", 0, "We will listen"),
        ("list_item", 0, "to every child"),
        ("list_item", 0, "We will act"),
        ("table", 0, "Team | Phone"),
        ("table", 0, "Leaving care | 01922 650000"),
    ]
    assert all(b.page is None for b in doc.blocks)


def test_html_without_main_uses_body_minus_furniture(tmp_path):
    path = tmp_path / "old.htm"
    path.write_text(
        "<html><head><title>Fostering | Telford</title></head><body>"
        '<div role="navigation"><a href="/">Home</a></div>'
        '<div id="breadcrumb">You are here: Home</div>'
        "<div>Loose text<br>over two lines</div>"
        "<section><header><h2>Section title</h2></header><p>Section text.</p></section>"
        '<div class="social-share"><a href="#">Tweet</a></div>'
        "<footer>Copyright</footer></body></html>",
        encoding="utf-8",
    )
    doc = load(path)
    assert doc.title_hint == "Fostering | Telford"  # no h1 to confirm which part is the page's own
    assert [b.text for b in doc.blocks] == ["Loose text over two lines", "Section title", "Section text."]


def test_html_page_wrapped_in_one_form_is_kept(tmp_path):
    path = tmp_path / "aspnet.html"
    path.write_text(
        '<body><form id="aspnetForm" action="/page.aspx"><div class="content"><h1>Fostering</h1>'
        '<p>Text of the page.</p></div><form class="search"><input name="q"> Search</form></form></body>'
    )
    assert [b.text for b in load(path).blocks] == ["Fostering", "Text of the page."]


def test_html_long_content_with_furniture_like_class_is_kept(tmp_path):
    body = "Share your views on the corporate parenting strategy. " * 20
    path = tmp_path / "consult.html"
    path.write_text(f'<main><h1>Consultation</h1><div class="share-your-views"><p>{body}</p></div></main>')
    assert load(path).blocks[1].text == body.strip()


def test_html_title_suffix_kept_when_h1_differs(tmp_path):
    path = tmp_path / "t.html"
    path.write_text("<title>Leaving care - Guidance - GOV.UK</title><h1>Leaving care</h1><p>x y</p>")
    assert load(path).title_hint == "Leaving care"
    path.write_text("<title>Leaving care - GOV.UK</title><h1>Something else</h1><p>x y</p>")
    assert load(path).title_hint == "Leaving care - GOV.UK"
    path.write_text("<h1>Only a heading</h1><p>x y</p>")
    assert load(path).title_hint == "Only a heading"


def test_html_declared_charset(tmp_path):
    path = tmp_path / "latin.html"
    path.write_bytes('<meta charset="windows-1252"><p>Café – “quoted”</p>'.encode("cp1252"))
    assert load(path).blocks[0].text == "Café – “quoted”"


def test_html_undeclared_cp1252_falls_back(tmp_path):
    path = tmp_path / "nometa.html"
    path.write_bytes("<p>Café £5</p>".encode("cp1252"))
    assert load(path).blocks[0].text == "Café £5"


def test_html_utf8_page_mislabelled_as_latin1(tmp_path):
    path = tmp_path / "resaved.html"
    path.write_bytes('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>Café</p>'.encode())
    assert load(path).blocks[0].text == "Café"


def test_html_layout_table_keeps_structure(tmp_path):
    path = tmp_path / "layout.html"
    path.write_text(
        "<body><table><tr><td><h1>Strategy</h1><p>First paragraph.</p></td>"
        "<td><p>Second paragraph.</p></td></tr></table></body>"
    )
    assert [(b.kind, b.text) for b in load(path).blocks] == [
        ("heading", "Strategy"), ("paragraph", "First paragraph."), ("paragraph", "Second paragraph."),
    ]


def test_html_script_only_page_is_empty(tmp_path):
    path = tmp_path / "app.html"
    path.write_text('<html><body><div id="root"></div><script>render()</script></body></html>')
    err = load_error(path)
    assert err.message.startswith("empty")
    assert "JavaScript" in err.hint


# --- plain text and Markdown ----------------------------------------------------------------------


def test_text_form_feeds_make_pages_and_text_is_untouched(tmp_path):
    path = tmp_path / "pdftotext.txt"
    path.write_bytes(b"Page one\n   indented  line\n\x0c\x0cPage three\r\nend\n\x0c")
    doc = load(path)
    assert doc.format == "text"
    assert doc.page_count == 3
    assert doc.blocks == (
        Block(text="Page one\n   indented  line\n", kind="raw", page=1),
        Block(text="Page three\r\nend\n", kind="raw", page=3),
    )


def test_text_without_form_feed_is_one_block(tmp_path):
    path = tmp_path / "notes.txt"
    text = "  Title\n\nFirst  paragraph\nwraps here.\n"
    path.write_text(text, encoding="utf-8")
    doc = load(path)
    assert doc.blocks == (Block(text=text, kind="raw", page=None),)
    assert doc.page_count is None
    assert doc.title_hint == ""


def test_text_utf8_bom_and_cp1252_fallback(tmp_path):
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbfCaf\xc3\xa9")
    assert load(bom).blocks[0].text == "Café"
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes(b"Caf\xe9 \x93quoted\x94 \x80 5")
    assert load(legacy).blocks[0].text == "Café “quoted” € 5"


def test_text_utf16_with_bom(tmp_path):
    path = tmp_path / "notepad.txt"
    path.write_bytes("Corporate parenting".encode("utf-16"))
    assert load(path).blocks[0].text == "Corporate parenting"


def test_binary_renamed_txt_is_refused(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 8)
    err = load_error(path)
    assert err.message == "does not look like text (binary or unknown encoding)"
    assert "UTF-8" in err.hint


def test_control_character_soup_is_refused(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_bytes(b"ab\x01\x02\x03\x04cd\x05\x06\x07\x08" * 50)
    assert load_error(path).message.startswith("does not look like text")


MARKDOWN = """---
layout: page
---
# Corporate **parenting** guide

Every *councillor* is a corporate parent.
See [the statutory guidance](https://example.org/g) and `section 1`.

Our pledges
-----------

- Listen to **children**
  and act on what they say
* Keep in touch
1. Review every year

| Team | Phone |
|------|-------|
| Leaving care | 01922 650000 |

```
keep *this* as is
```

***

> A quote with _emphasis_ and \\*literal stars\\*
"""


def test_markdown_structure(tmp_path):
    path = tmp_path / "guide.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = load(path)
    assert doc.format == "markdown"
    assert doc.title_hint == "Corporate parenting guide"
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "Corporate parenting guide"),
        ("paragraph", 0, "Every councillor is a corporate parent. See the statutory guidance and section 1."),
        ("heading", 2, "Our pledges"),
        ("list_item", 0, "Listen to children and act on what they say"),
        ("list_item", 0, "Keep in touch"),
        ("list_item", 0, "Review every year"),
        ("table", 0, "Team | Phone"),
        ("table", 0, "Leaving care | 01922 650000"),
        ("paragraph", 0, "keep *this* as is"),
        ("paragraph", 0, "A quote with emphasis and *literal stars*"),
    ]


def test_markdown_front_matter_title_wins(tmp_path):
    path = tmp_path / "page.markdown"
    path.write_text('---\ntitle: "Pledge to care leavers"\n---\n## Background\n\nText.\n')
    doc = load(path)
    assert doc.title_hint == "Pledge to care leavers"
    assert [b.text for b in doc.blocks] == ["Background", "Text."]


def test_markdown_arithmetic_and_snake_case_survive(tmp_path):
    path = tmp_path / "m.md"
    path.write_text("Budget is 5 * 3 units for snake_case_name.\n")
    assert load(path).blocks[0].text == "Budget is 5 * 3 units for snake_case_name."


# --- DOCX ---------------------------------------------------------------------------------------


def make_docx(path: Path, core_title: str = "") -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = core_title
    document.add_paragraph("Corporate Parenting Strategy", style="Title")
    document.add_heading("Our promise", level=1)
    document.add_paragraph("We will   listen to children in care.")
    document.add_paragraph("")
    document.add_paragraph("Keep in touch", style="List Bullet")
    document.add_paragraph("Review every year", style="List Number")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).text, table.cell(0, 1).text, table.cell(0, 2).text = "Team", "Phone", "Email"
    table.cell(1, 0).text = "Leaving care"
    table.cell(1, 1).merge(table.cell(1, 2)).text = "01922 650000"
    document.add_heading("Details", level=3)
    document.add_paragraph("After the table.")
    document.save(path)
    return path


def test_docx_structure_in_body_order(tmp_path):
    doc = load(make_docx(tmp_path / "strategy.docx"))
    assert doc.format == "docx"
    assert doc.title_hint == "Corporate Parenting Strategy"
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "Corporate Parenting Strategy"),
        ("heading", 1, "Our promise"),
        ("paragraph", 0, "We will listen to children in care."),
        ("list_item", 0, "Keep in touch"),
        ("list_item", 0, "Review every year"),
        ("table", 0, "Team | Phone | Email"),
        ("table", 0, "Leaving care | 01922 650000"),
        ("heading", 3, "Details"),
        ("paragraph", 0, "After the table."),
    ]


def test_docx_core_title_preferred(tmp_path):
    doc = load(make_docx(tmp_path / "s.docx", core_title="Walsall Corporate Parenting Strategy 2021"))
    assert doc.title_hint == "Walsall Corporate Parenting Strategy 2021"


@pytest.mark.parametrize("content", [b"PK\x03\x04 truncated zip", b"plain text, not a zip at all"])
def test_damaged_docx(tmp_path, content):
    path = tmp_path / "broken.docx"
    path.write_bytes(content)
    err = load_error(path)
    assert err.message.startswith("damaged Word file")
    assert ".docx" in err.hint


def test_docx_numbered_paragraph_without_list_style_is_list_item(tmp_path):
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    paragraph = document.add_paragraph("Numbered by direct formatting")
    num_pr = OxmlElement("w:numPr")
    for name, value in (("w:ilvl", "0"), ("w:numId", "1")):
        child = OxmlElement(name)
        child.set(qn("w:val"), value)
        num_pr.append(child)
    paragraph._p.get_or_add_pPr().append(num_pr)
    document.add_paragraph("Plain paragraph")
    path = tmp_path / "numbered.docx"
    document.save(path)
    assert [(b.kind, b.text) for b in load(path).blocks] == [
        ("list_item", "Numbered by direct formatting"), ("paragraph", "Plain paragraph"),
    ]
