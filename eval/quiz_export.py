"""A quiz as Moodle GIFT, CSV, a printable HTML sheet, plain text or JSON.

Each export is a function from :class:`~cpguide.eval.quiz.Quiz` to text, listed in
:data:`EXPORTS` with its media type and file extension, so the command line and the web
page offer exactly the same formats.

GIFT follows Moodle's importer (``question/format/gift``): the characters ``~ = # { } :``
and the backslash are escaped with a backslash everywhere (names, question text, answers,
feedback), line breaks inside a text become ``\\n``, each question has a ``::name::``,
per-answer feedback follows ``#``, general feedback (the citation) follows ``####``, and
true/false answers are ``{TRUE#wrong-answer feedback#right-answer feedback}``. Text is
marked ``[plain]`` so Moodle shows it exactly as written, never as HTML.

The CSV has one row per question for spreadsheets and form tools. A cell that would start
with ``= + - @`` (or a tab or carriage return) gets a leading apostrophe, the usual guard
against spreadsheet formula injection; nothing else is changed.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import json
import re
import textwrap
from collections.abc import Callable

from cpguide.eval.quiz import AUDIENCE_NAMES, Quiz, QuizQuestion

LETTERS = "ABCDEFGH"
CSV_OPTIONS = 4
CSV_COLUMNS: tuple[str, ...] = (
    "number", "id", "kind", "question", "option_a", "option_b", "option_c", "option_d", "correct",
    "correct_answer", "source_title", "publisher", "year", "jurisdiction", "page", "section", "quote",
    "explanation",
)

# --------------------------------------------------------------------------- GIFT

_GIFT_ESCAPES = {"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{", "}": "\\}", ":": "\\:",
                 "\n": "\\n"}
_GIFT_WEIGHT = re.compile(r"^%-*[0-9]{1,2}\.?[0-9]*%")
_GIFT_FORMATS = ("[moodle]", "[html]", "[plain]", "[markdown]")


def gift_escape(text: str) -> str:
    """Escape GIFT's special characters (and line breaks) so Moodle reads ``text`` literally."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(_GIFT_ESCAPES.get(c, c) for c in text)


def _gift_text(text: str) -> str:
    """An answer or feedback text: escaped, and kept from being read as a format marker."""
    out = gift_escape(text)
    # Moodle strips a leading "[format]" from any text; say "[plain]" first so a text that
    # itself starts with "[" keeps it.
    return "[plain]" + out if out.startswith("[") else out


def _gift_name(q: QuizQuestion, number: int) -> str:
    return gift_escape(f"Q{number:02d} {q.kind_name} ({q.item_id or q.id})")


def _citation_lines(q: QuizQuestion) -> list[str]:
    s = q.source
    where = "Source: " + s.reference + (f", section “{s.section}”" if s.section else "")
    return [where, f"“{s.quote}”", f"Answer: {s.answer}"]


def _gift_feedback(q: QuizQuestion) -> str:
    return "\\n".join(gift_escape(line) for line in _citation_lines(q))


def gift(quiz: Quiz) -> str:
    """Moodle GIFT: import under Question bank > Import > GIFT format."""
    # a category line is read without unescaping, so it keeps to letters, digits and spaces
    name = re.sub(r"[^A-Za-z0-9()-]+", " ", f"{quiz.title} seed {quiz.seed}").strip()
    category = f"cpguide/{name}"
    out = [f"// {_comment(quiz.title)}",
           f"// {len(quiz.questions)} question(s), seed {quiz.seed}; made by cpguide from its question bank.",
           "// Each answer's feedback cites the passage it comes from.",
           "",
           f"$CATEGORY: {category}",
           ""]
    for number, q in enumerate(quiz.questions, 1):
        out.append(f"// {number}. {q.kind_name}; item {_comment(q.item_id)}; topic {_comment(q.topic)}")
        head = f"::{_gift_name(q, number)}::[plain]{gift_escape(q.prompt)}"
        if q.kind == "tf":
            right = q.option_feedback[q.answer_index] if q.option_feedback else ""
            wrong = q.option_feedback[1 - q.answer_index] if q.option_feedback else ""
            verdict = "TRUE" if q.answer else "FALSE"
            out.append(f"{head}{{{verdict}#{_gift_text(wrong)}#{_gift_text(right)}####{_gift_feedback(q)}}}")
        else:
            out.append(head + "{")
            for k, option in enumerate(q.options):
                mark = "=" if k == q.answer_index else "~"
                text = _gift_text(option)
                if mark == "~" and _GIFT_WEIGHT.match(text):
                    mark = "~%0%"  # an option that itself starts like a weight ("%50%...")
                feedback = q.option_feedback[k] if k < len(q.option_feedback) else ""
                out.append(f"\t{mark}{text}" + (f"#{_gift_text(feedback)}" if feedback else ""))
            out.append(f"\t####{_gift_feedback(q)}")
            out.append("}")
        out.append("")
    return "\n".join(out)


def _comment(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


# --------------------------------------------------------------------------- CSV

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_rows(quiz: Quiz) -> list[dict[str, str]]:
    """One dict per question, keyed by :data:`CSV_COLUMNS`."""
    rows = []
    for number, q in enumerate(quiz.questions, 1):
        if len(q.options) > CSV_OPTIONS:
            raise ValueError(f"question {q.id} has {len(q.options)} options; the CSV holds {CSV_OPTIONS}")
        options = list(q.options) + [""] * (CSV_OPTIONS - len(q.options))
        s = q.source
        row = {"number": number, "id": q.id, "kind": q.kind_name, "question": q.prompt,
               **{f"option_{LETTERS[k].lower()}": options[k] for k in range(CSV_OPTIONS)},
               "correct": LETTERS[q.answer_index], "correct_answer": q.correct_option,
               "source_title": s.title, "publisher": s.publisher, "year": s.year or "",
               "jurisdiction": s.jurisdiction, "page": s.page or "", "section": s.section, "quote": s.quote,
               "explanation": s.answer}
        rows.append({k: _cell(row[k]) for k in CSV_COLUMNS})
    return rows


def csv_text(quiz: Quiz) -> str:
    """CSV with a header row; ``correct`` is the letter (A-D) of the right option."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(csv_rows(quiz))
    return buf.getvalue()


# --------------------------------------------------------------------------- HTML sheet

PRINT_CSS = """
body { font: 11pt/1.45 Georgia, "Times New Roman", serif; color: #111; max-width: 46em; margin: 2em auto;
  padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #999; padding-bottom: .2em; margin-top: 2em; }
.meta, .kind { color: #444; font-size: .9em; }
.notes { border-left: 4px solid #b58900; padding: .2em .8em; }
ol.questions > li { margin-bottom: 1.2em; break-inside: avoid; page-break-inside: avoid; }
ol.options { list-style: upper-alpha; margin: .4em 0; }
ol.options li { margin: .15em 0; }
.prompt { font-weight: bold; }
table.key { border-collapse: collapse; width: 100%; }
table.key th, table.key td { border: 1px solid #999; padding: .3em .5em; text-align: left; vertical-align: top; }
blockquote { margin: .4em 0 .4em 1em; padding-left: .8em; border-left: 3px solid #999; font-style: italic; }
.source { margin-bottom: 1em; break-inside: avoid; page-break-inside: avoid; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  .answers { break-before: page; page-break-before: always; }
  a { color: inherit; text-decoration: none; }
}
""".strip()


def print_css_hash() -> str:
    """The CSP source (``'sha256-...'``) that allows exactly :data:`PRINT_CSS` inline."""
    digest = hashlib.sha256(PRINT_CSS.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def describe_filters(quiz: Quiz) -> str:
    f = quiz.filters
    bits = []
    if f.topic:
        bits.append(f"topic {f.topic}")
    if f.audience:
        bits.append(f"for {AUDIENCE_NAMES.get(f.audience, f.audience)}")
    if f.doc_id:
        bits.append(f"from {f.doc_id}")
    return ", ".join(bits) or "all topics"


def html_sheet(quiz: Quiz) -> str:
    """A standalone printable page: the questions, then (on a new page) the answer key and sources."""
    p: list[str] = [
        "<!DOCTYPE html>", '<html lang="en-GB">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(quiz.title)}</title>", f"<style>{PRINT_CSS}</style>", "</head>", "<body>",
        "<header>", f"<h1>{_e(quiz.title)}</h1>",
        f'<p class="meta">{len(quiz.questions)} question(s), {_e(describe_filters(quiz))}, seed {_e(quiz.seed)}. '
        "Choose one answer for each question.</p>", "</header>", "<main>"]
    if quiz.notes:
        p.append('<div class="notes">' + "".join(f"<p>{_e(n)}</p>" for n in quiz.notes) + "</div>")
    p.append('<section aria-labelledby="questions-heading">')
    p.append('<h2 id="questions-heading">Questions</h2>')
    p.append('<ol class="questions">')
    for q in quiz.questions:
        p.append(f'<li id="q-{_e(q.id)}"><p class="kind">{_e(q.kind_name.capitalize())}</p>')
        p.append(f'<p class="prompt">{_e(q.prompt)}</p>')
        p.append('<ol class="options">' + "".join(f"<li>{_e(o)}</li>" for o in q.options) + "</ol></li>")
    p.append("</ol></section>")
    p.append('<section class="answers" aria-labelledby="key-heading">')
    p.append('<h2 id="key-heading">Answer key</h2>')
    p.append('<table class="key"><thead><tr><th scope="col">Question</th><th scope="col">Answer</th>'
             '<th scope="col">Source</th></tr></thead><tbody>')
    for number, q in enumerate(quiz.questions, 1):
        p.append(f'<tr><th scope="row">{number}</th><td>{LETTERS[q.answer_index]}. {_e(q.correct_option)}</td>'
                 f"<td>{_e(q.source.reference)}</td></tr>")
    p.append("</tbody></table></section>")
    p.append('<section aria-labelledby="sources-heading">')
    p.append('<h2 id="sources-heading">Sources</h2>')
    for number, q in enumerate(quiz.questions, 1):
        s = q.source
        p.append(f'<div class="source"><p><strong>{number}.</strong> {_e(s.reference)}'
                 + (f", section “{_e(s.section)}”" if s.section else "") + "</p>")
        p.append(f"<blockquote><p>{_e(s.quote)}</p></blockquote>")
        p.append(f"<p>{_e(s.answer)}</p></div>")
    p.append("</section></main>")
    p.append('<footer><p class="meta">Made with cpguide from its question bank. Check each source '
             "is still current before training.</p></footer>")
    p.append("</body></html>")
    return "\n".join(p) + "\n"


# --------------------------------------------------------------------------- text and JSON


def text(quiz: Quiz) -> str:
    """For the terminal or a plain printout: questions first, then the answers with their sources."""
    wrap = lambda s, indent: textwrap.fill(s, 96, initial_indent=indent, subsequent_indent=indent,  # noqa: E731
                                           break_on_hyphens=False)  # "looked-after" stays on one line
    out = [quiz.title, f"{len(quiz.questions)} question(s), {describe_filters(quiz)}, seed {quiz.seed}", ""]
    for number, q in enumerate(quiz.questions, 1):
        out.append(wrap(f"{number}. [{q.kind_name}] {q.prompt}", ""))
        out += [wrap(f"{LETTERS[k]}. {o}", "     ") for k, o in enumerate(q.options)]
        out.append("")
    out += ["Answers", ""]
    for number, q in enumerate(quiz.questions, 1):
        out.append(wrap(f"{number}. {LETTERS[q.answer_index]}. {q.correct_option}", ""))
        out += [wrap(line, "     ") for line in _citation_lines(q)]
        out.append("")
    return "\n".join(out)


def json_text(quiz: Quiz) -> str:
    return json.dumps(quiz.to_dict(), ensure_ascii=False, indent=1) + "\n"


EXPORTS: dict[str, tuple[Callable[[Quiz], str], str, str]] = {
    "text": (text, "text/plain; charset=utf-8", "txt"),
    "json": (json_text, "application/json", "json"),
    "gift": (gift, "text/plain; charset=utf-8", "gift.txt"),
    "csv": (csv_text, "text/csv; charset=utf-8", "csv"),
    "html": (html_sheet, "text/html; charset=utf-8", "html"),
}
FORMATS: tuple[str, ...] = tuple(EXPORTS)


def export(quiz: Quiz, fmt: str) -> str:
    try:
        return EXPORTS[fmt][0](quiz)
    except KeyError:
        from cpguide.errors import UsageError

        raise UsageError(f"Unknown quiz format {fmt!r}.", hint="Use one of: " + ", ".join(FORMATS) + ".") from None


def filename(quiz: Quiz, fmt: str) -> str:
    """A safe download name, e.g. ``cpguide-quiz-housing-seed7.gift.txt``."""
    slug = re.sub(r"[^a-z0-9]+", "-", (quiz.filters.topic or quiz.filters.doc_id or "all").lower()).strip("-")
    return f"cpguide-quiz-{slug or 'all'}-seed{quiz.seed}.{EXPORTS[fmt][2]}"
