"""Is this page's text language, or the garble a PDF gives when its fonts have no usable map?

A PDF whose font carries a non-Unicode CMap extracts as runs such as
``3HQČåQtSURVWĜHGN\\QD~þWHFK``: every glyph comes out, shifted to the wrong characters, often
with the spaces lost. pypdf cannot tell; indexed, the page would be searchable nonsense and
could be quoted back to a reader. The only cure is OCR, so such pages are left out and the
user is told.

The test reads only Latin-script letters, so Arabic, Greek or any other script is never judged
(and never flagged), and it needs enough of them to judge: headings, captions, lists of web
addresses and tables of figures pass untouched. Two signals, either of which marks a page:

* most letters sit in tokens no language writes: case flipping inside a word (``HQČåQt``),
  punctuation or digits wedged between letters (``GN\\QD``), or runs far longer than a word;
* too few vowels. Real text in English, Welsh, German, Czech or Latin has roughly 35-45 % vowels
  among its letters (y counted, as Welsh needs); a shifted alphabet lands well under 20 %.

A third, for garble that keeps its spaces and case (a letter-for-letter substitution): not one
of the commonest short words of the languages guidance is written in ("the", "and", "yn",
"mae", "und", "et") among many words, together with a low share of vowels. A page of names
and job titles has no such words either, but reads with ordinary vowels.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass

from cpguide.errors import LoadError
from cpguide.ingest.loaders.pdf import page_ranges
from cpguide.records import RawDocument

# Fewer judged letters than this and we cannot tell a heading from garble: let it through.
MIN_LETTERS = 60
# A page is garbled when less than this share of its letters sit in word-like tokens ...
MIN_WORDLIKE_SHARE = 0.5
# ... or when vowels make up less than this share of its letters.
MIN_VOWEL_SHARE = 0.2
LONGEST_WORD = 35
# The function-word signal needs this many words, and fires below this share of them.
MIN_WORDS = 30
MIN_FUNCTION_SHARE = 0.02
LOW_VOWEL_SHARE = 0.3

_FUNCTION_WORDS = frozenset("""
the and of to in is for that on with as are be by or it we you they this at from have an will not their our can
yr yn ac mae ar ei eu gan bod fod sy'n sy’n hyn am wedi i'r i’r a'r a’r o'r o’r
der die und das ist ein eine den von mit zu im nicht für sich auf
le la les et de des du un une est en
ad ut non sed cum
na je se že do po za jest nie się
""".split())

_EDGE_PUNCT = "\"'‘’“”«»()[]{}<>.,;:!?*…•·–—-/"
_APOSTROPHES = "'’"
_ADDRESS = re.compile(r"://|^www\.|@|\.(?:uk|com|org|net|gov|nhs|wales|cymru|ac|edu|html?|pdf)\b", re.I)
_SPLIT = re.compile(r"[-/–—_]+")


@dataclass(frozen=True)
class Verdict:
    """What the page's letters look like; ``garbled`` is the decision."""

    letters: int
    wordlike_share: float
    vowel_share: float
    words: int = 0
    function_share: float = 1.0

    @property
    def judged(self) -> bool:
        return self.letters >= MIN_LETTERS

    @property
    def garbled(self) -> bool:
        if not self.judged:
            return False
        if self.wordlike_share < MIN_WORDLIKE_SHARE or self.vowel_share < MIN_VOWEL_SHARE:
            return True
        return (self.words >= MIN_WORDS and self.function_share < MIN_FUNCTION_SHARE
                and self.vowel_share < LOW_VOWEL_SHARE)


def _latin(ch: str) -> bool:
    return ch.isalpha() and (ch < "\u0250" or "\u1e00" <= ch <= "\u1eff")


def _base(ch: str) -> str:
    return unicodedata.normalize("NFD", ch)[0].lower()


def _vowel(ch: str) -> bool:
    return _base(ch) in "aeiouy" or ch.lower() in "æøœ"


def _wordlike(core: str) -> bool:
    """Letters (with apostrophes inside) in a case pattern words have."""
    if len(core) > LONGEST_WORD:
        return False
    letters = core.replace("'", "").replace("’", "")
    if not letters.isalpha() or core[0] in _APOSTROPHES or core[-1] in _APOSTROPHES:
        return False
    if letters.islower() or letters.isupper() or (letters[0].isupper() and letters[1:].islower()):
        return True
    # McDonald, iPhone, PowerPoint, LinkedIn: one or two capitals, each starting a lower-case run
    flips = sum(1 for a, b in zip(letters, letters[1:]) if a.islower() and b.isupper())
    return flips <= 1 and sum(c.isupper() for c in letters) <= 3 and not letters[-1].isupper()


def judge(text: str) -> Verdict:
    """Measure ``text`` (a page) for the signals described in the module docstring."""
    wordlike = unlike = vowels = vowel_base = words = function = 0
    for token in text.split():
        if _ADDRESS.search(token):
            continue  # web and e-mail addresses are not words, nor garble
        for part in _SPLIT.split(token):
            core = part.strip(_EDGE_PUNCT)
            n = sum(_latin(c) for c in core)
            if not n:
                continue
            digits = sum(c.isdigit() for c in core)
            if digits >= n or (n <= 3 and not core.isalpha()):
                continue  # 10am, Q1, 2nd, £5m, s.22: figures, not words
            words += 1
            function += core.lower() in _FUNCTION_WORDS
            if _wordlike(core):
                wordlike += n
            else:
                unlike += n
            if not (core.isupper() and n <= 5):  # acronyms (NHS, CQC, DfE) have few vowels
                vowels += sum(_vowel(c) for c in core if _latin(c))
                vowel_base += n
    letters = wordlike + unlike
    return Verdict(
        letters=letters,
        wordlike_share=wordlike / letters if letters else 1.0,
        vowel_share=vowels / vowel_base if vowel_base else 1.0,
        words=words,
        function_share=function / words if words else 1.0,
    )


def is_garbled(text: str) -> bool:
    """True when ``text`` has enough Latin letters to judge and they do not read as language."""
    return judge(text).garbled


UNREADABLE = "the text layer is unreadable; run OCR"
OCR_HINT = ("Its fonts map to the wrong characters, so the text cannot be searched or quoted. Run OCR "
            "(for example ocrmypdf --force-ocr) and ingest the OCR'd copy.")


def screen(raw: RawDocument) -> RawDocument:
    """Leave out PDF pages whose text is garble, with a warning naming them.

    Raises ``LoadError`` when nothing readable is left. Other formats carry their own text and
    are passed through: the problem is one of PDF fonts.
    """
    if raw.format != "pdf":
        return raw
    garbled = [b for b in raw.blocks if is_garbled(b.text)]
    if not garbled:
        return raw
    kept = tuple(b for b in raw.blocks if b not in garbled)
    if not kept:
        raise LoadError(UNREADABLE, hint=OCR_HINT, path=raw.path)
    pages = [b.page for b in garbled if b.page is not None]
    noun = "page" if len(pages) == 1 else "pages"
    warning = f"{noun} {page_ranges(pages)}: the text layer is unreadable (garbled characters), skipped; run OCR"
    return dataclasses.replace(raw, blocks=kept, warnings=raw.warnings + (warning,))
