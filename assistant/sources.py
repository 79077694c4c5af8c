"""Where a question says its answer comes from: "according to the LGA", "what does the Welsh
toolkit say ...", "in the 2012 pack, ...".

Those words name a document, not what the answer is about. Left in, they pull the answer
towards whichever sentence mentions the toolkit or the LGA ("Let me say thank you for taking the
time to read this toolkit") instead of the one that answers. So the rest of the question is
searched for in the documents the phrase names, and its sentences are chosen without it.

The publishers and titles come from the library's own metadata, so a council that adds its
strategy is recognised ("what does Anytown's strategy say ..."), with the field's everyday
names for documents ("toolkit", "guidance", "pack") as the only fixed words.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from cpguide.records import DocMeta

# What people call a document when they point at it.
DOC_NOUNS = (r"(?:statutory |national |local |draft )?(?:guidance|toolkit|tool kit|resource pack|pack|strategy|"
              r"charter toolkit|document|report|leaflet|booklet|web ?page|page|handbook|framework|paper)")
# Verbs of saying, dropped with the source ("what does the LGA say about ..."), and verbs that
# are what the question asks, kept ("what does the toolkit call ...?" -> "what call ...?").
_SAYS = (r"(?:say|says|said|tell|tells|told|recommend|recommends|suggest|suggests|advise|advises|set out|sets out|"
         r"describe|describes|mention|mentions|expect|expects|want|wants|propose|proposes|stress|stresses|"
         r"highlight|highlights|urge|urges)")
# What a document gives, asked for in its name's possessive: "the LGA pack's advice on ...".
_GIVES = (r"(?:advice|guidance|list|recommendations?|suggestions?|views?|take|line|position|message|tips|definition|"
          r"approach|expectations?)")
_ASKS_OF = r"(?:list|lists|single out|group|groups|count|counts|define|defines|call|calls|mean|means|include|includes)"
# Words that say whose or which document: a nation, a year, or a capitalised name ("the DfE guidance").
_QUALIFIER = r"(?:welsh|english|wales|england|uk|national|government|council|(?:19|20)\d\d|(?-i:[A-Z])[\w&’'-]*)"


# Title words that say what a document is about, not which document it is: "the children's
# services guidance" may be anyone's.
_NOT_TITLE_WORDS = frozenset("children young people care-experienced support lead lives independent with from "
                             "that your their this what".split())
_COUNCIL = re.compile(r"\bCouncil$")  # a publisher that is a council: "Telford & Wrekin Council"
_NOT_A_PLACE_ALONE = frozenset("north south east west new great greater mid upper lower city royal county the".split())


@functools.lru_cache(maxsize=512)
def _publisher_names(publishers: tuple[str, ...]) -> str:
    """A regex alternation of the library's publishers: full name, initials ("LGA"), and the
    distinctive words of a council's name ("Telford & Wrekin", "Walsall")."""
    names: set[str] = set()
    for p in publishers:
        p = p.strip()
        if not p:
            continue
        names.add(re.escape(p))
        words = re.findall(r"[A-Za-z][\w’'-]*", p)
        capitals = [w for w in words if w[0].isupper() and w.lower() not in ("of", "and", "for", "the")]
        if len(capitals) >= 3:
            names.add("(?-i:" + "".join(w[0] for w in capitals) + ")")  # Local Government Association -> LGA
        # A council goes by its place: Telford & Wrekin Council -> "Telford & Wrekin", "Telford";
        # but "West" alone is not West Sussex.
        short = re.sub(r"\s+(?:(?:Metropolitan\s+)?(?:Borough|County|City|District)\s+)?Council$", "", p)
        if short != p and short:
            names.add(re.escape(short))
            first = short.split()[0]
            if first.lower() not in _NOT_A_PLACE_ALONE:
                names.add(re.escape(first))
    return "|".join(sorted(names, key=len, reverse=True))


@functools.lru_cache(maxsize=8)
def _patterns(publishers: tuple[str, ...], titles: tuple[str, ...] = ()) -> tuple[re.Pattern[str], ...]:
    names = _publisher_names(publishers)
    publisher = rf"(?:{names})(?:[’']s)?" if names else r"(?!x)x"
    # Words of the library's own titles describe a document too: "the Welsh corporate parenting
    # toolkit" is the "Corporate parenting charter toolkit".
    words = sorted({w for t in titles for w in re.findall(r"[a-z][a-z-]{3,}", t.lower())} - _NOT_TITLE_WORDS)
    qualifier = rf"(?:{_QUALIFIER}|{'|'.join(words)})" if words else _QUALIFIER
    # A source: "the LGA", "the Welsh toolkit", "the 2012 pack", "Walsall's guidance", "the guidance".
    source = (rf"(?:the\s+)?(?:(?:{publisher})(?:\s+{DOC_NOUNS})?|(?:{qualifier}\s+){{0,4}}{DOC_NOUNS})")
    # After "in" or "under" a publisher alone is where the asker is ("in Telford"): a document
    # must be named ("in the Welsh toolkit", "under the LGA's guidance").
    document = rf"(?:the\s+)?(?:(?:{publisher})\s+|(?:{qualifier}\s+){{0,4}}){DOC_NOUNS}"
    return (
        re.compile(rf"\baccording to\s+{source}\s*,?\s*", re.I),
        re.compile(rf"\b(?:does|do|did|would)\s+{source}\s+{_SAYS}\b\s*(?:that\s+)?", re.I),
        re.compile(rf"\b(?:does|do|did|would)\s+{source}\s+(?={_ASKS_OF}\b)", re.I),
        re.compile(rf"^(?:in|under|from)\s+{document}\s*[,:]\s*", re.I),
        re.compile(rf"\b(?:in|under|from)\s+{document}\s*(?=[?.!]*$)", re.I),
        # "What's the LGA pack's advice on how data should be presented?": the advice is asked
        # for, the pack is where; "the" stays with the advice.
        re.compile(rf"(?<=\bthe\s)(?:(?:{names or '(?!x)x'})(?:\s+{DOC_NOUNS})?|(?:{qualifier}\s+){{0,4}}{DOC_NOUNS})"
                   rf"[’']s\s+(?={_GIVES}\b)", re.I),
    )


@dataclass(frozen=True)
class Source:
    """A question with its source phrase taken out, and the documents that phrase names."""

    rest: str  # the question without the source phrase (the question itself when it names none)
    doc_ids: tuple[str, ...] = ()  # the library's documents it points at; () when it names no one document
    # A council named in passing ("a care leaver in Telford") points at its documents as the first
    # place to look, not the only one: "I work in housing in Walsall. What should housing services
    # do ...?" is answered from the guidance on housing when Walsall's page says nothing near it.
    first_place: bool = False


def named_source(question: str, docs: dict[str, DocMeta]) -> Source:
    """Find the words saying where the answer should come from, and the documents they mean.

    ``docs`` maps doc_id to its metadata (title, publisher, year, kind, jurisdiction).
    "Which health issues does the LGA tell councillors to look out for?" -> rest "Which health
    issues councillors to look out for?", the LGA's documents. A bare "the guidance" names no one
    document, so the search is not narrowed; a source phrase that was all the question said
    ("what does the toolkit say?") is left in place.
    """
    publishers = tuple(sorted({m.publisher for m in docs.values()} - {""}))
    titles = tuple(sorted({m.title for m in docs.values()} - {""}))
    rest, found = question, []
    for pattern in _patterns(publishers, titles):
        found += [m.group() for m in pattern.finditer(rest)]
        rest = pattern.sub(" ", rest)
    rest = re.sub(r"\s+", " ", rest).strip()
    if not found:
        # "Under Walsall's tiered model, ...", "When one of Telford's LAC keeps running off, ...":
        # a publisher's own practice is asked about, so its documents are searched first.
        owner = re.search(rf"\b(?:{_publisher_names(publishers)})(?=[’']s\b)", question, re.I) if publishers else None
        if owner is None:
            return _council_named(question, publishers, docs)
        # Within the council's own documents its name picks out nothing, and would favour the
        # sentences that happen to spell it ("Telford & Wrekin Council have developed ...") over
        # the one that answers: "What is the premise of the Family First strategy?".
        unnamed = re.sub(r"\s+", " ", question[:owner.start()] + "the" + question[owner.end() + 2:]).strip()
        return Source(unnamed, _documents_meant(owner.group(), docs))
    documents = _documents_meant(" ".join(found), docs)
    if len(re.findall(r"[A-Za-z]{3,}", rest)) < 4:
        return Source(question, documents)  # "what does the LGA say about housing?" still looks in the LGA's
    return Source(rest, documents)


def _council_named(question: str, publishers: tuple[str, ...], docs: dict[str, DocMeta]) -> Source:
    """"Does Telford offer apprenticeships to its own care leavers?", "What should a care leaver in
    Telford expect?": a council the library has documents of, named anywhere, asks about its own
    practice, so its documents are searched first (as for "Telford's"). Unlike a source's, its
    name stays in what is searched: "Telford & Wrekin Council have established a Young Persons'
    Panel ..." answers "I live in Telford. Are there groups where people like me get a say?".
    A follow-up in a conversation about the council is searched there too, as it keeps the
    conversation's nation."""
    councils = tuple(p for p in publishers if _COUNCIL.search(p))
    names = _publisher_names(councils) if councils else ""
    found = re.findall(rf"\b(?:{names})\b", question, re.I) if names else []
    if not found:
        return Source(question)
    # "In Telford and Walsall, who ...?": each council's documents.
    meant = {d for name in found for d in _documents_meant(name, docs)}
    return Source(question, tuple(d for d in docs if d in meant), first_place=True)


def _documents_meant(said: str, docs: dict[str, DocMeta]) -> tuple[str, ...]:
    """The documents a source phrase points at: by publisher ("the LGA"), title ("the Corporate
    Parenting Week pack"), year ("the 2012 pack"), nation ("the Welsh toolkit") and the word used
    for the document ("pack", "toolkit"). () when it names no document of the library: "the 2017 guidance" is not the
    library's 2017 web page, "the DfE guidance" is no publisher of ours, and "the guidance" is
    every document."""
    def by_publisher(meta: DocMeta) -> bool:
        names = _publisher_names((meta.publisher,))
        return bool(names) and bool(re.search(rf"\b(?:{names})\b", said, re.I))

    chosen = [d for d in docs if by_publisher(docs[d])]
    names = re.findall(r"(?<![.?!]\s)\b(?!(?:Welsh|English|Wales|England|UK|The)\b)[A-Z][\w&’'-]*", said[1:])
    if names and not chosen:
        # "the Corporate Parenting Week pack" is called by its title, as readers do.
        said_names = {n.lower() for n in names}
        chosen = [d for d in docs if said_names <= set(re.findall(r"[\w&’'-]+", docs[d].title.lower()))]
    named_publisher = bool(chosen)
    if not named_publisher and names:
        return ()  # a name that is none of our publishers or titles: another body's document
    chosen = chosen or list(docs)
    year = re.search(r"\b(?:19|20)\d\d\b", said)
    if year:
        chosen = [d for d in chosen if str(docs[d].year or "") == year.group()]
    nation = re.search(r"\b(wales|welsh|england|english)\b", said, re.I)
    if nation:
        place = "wales" if nation.group(1).lower() in ("wales", "welsh") else "england"
        chosen = [d for d in chosen if docs[d].jurisdiction == place]
    noun = re.search(DOC_NOUNS, said, re.I)
    if noun and chosen:
        word = noun.group().split()[-1].lower()
        fits = [d for d in chosen if word in f"{docs[d].title} {docs[d].kind}".lower()]
        # A publisher named is enough ("Walsall's guidance" is Walsall's page); without one, the
        # word must fit ("the 2012 pack").
        chosen = fits or (chosen if named_publisher else [])
    return tuple(chosen) if 0 < len(chosen) < len(docs) else ()
