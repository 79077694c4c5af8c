"""Grounded answers: the library's own sentences, chosen, ordered and cited.

No language model is needed. From the top passages we score every sentence against the
question (meaning and shared words), keep the few that answer it, fold sentences that appear
in several documents into one citation, and label England and Wales when both speak. When
nothing is close enough we say so and offer the nearest passages, rather than stitching
unrelated sentences into something that reads like an answer.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np

from cpguide.assistant import answerability
from cpguide.assistant.asking import from_first_ask, question_parts
from cpguide.assistant.actors import actor_vocabulary
from cpguide.assistant.citations import make_citation
from cpguide.assistant.conversation import (COMPARES, PLACE_NOTE, WHOLE_QUESTION, Conversation, leans_on_context,
                                           place_in, resolve, says_enough, strip_lead)
from cpguide.assistant.selection import Candidate, Selection, SentenceSelector
from cpguide.assistant.places import asks_both_nations
from cpguide.assistant.sources import named_source
from cpguide.assistant.listing import enquiry_run_for, headed_run_for, lists_for, titled_run_for
from cpguide.assistant.structure import (SET_NOUNS, asked_count, asks_for_member, asks_for_set, counted_set,
                                        is_footnote, leans_on_previous, numbered_part, part_heading,
                                        points_back_early, singular)
from cpguide.index.lexical import fold, tokenize
from cpguide.index.search import Filters, Searcher, check_query
from cpguide.records import Answer, Citation, Hit

PASSAGES = 6  # passages whose sentences compete for the answer
NATION_PASSAGES = 2  # a question about both nations: passages of the nation the search left out
FIRST_PLACE_WITHIN = 0.15  # a council named in passing: its passages answer when this close in meaning to the best
# A follow-up's sentences are judged by what was asked now, with the conversation's subject
# weighing in this much: "and what would they spend their time doing together?" after a
# question about mentors wants time spent with a mentor (dev dialogue follow-ups 0.688 -> 0.734,
# every value from 0.15 to 1.0 between 0.719 and 0.734, no turn lost).
FOLLOW_UP_CONTEXT = 0.3
# A question that sets the scene before it asks ("I sit on the planning committee, not the
# corporate parenting panel. Is the effect of our decisions ... really my concern?") finds its
# passages with the scene, but its sentences are judged by what it asks as much as by the whole:
# the scene's own words otherwise pull towards sentences that share them. Dev and the read sets:
# gold cited +.046 summed, list completeness +.103, precision -.012. Weighing the ask twice as much
# declined answerable questions; half as much cited gold less often.
ASKED_WEIGHT = 1.0
DUTY_ROWS = 10  # rows of a duty table shown in a chat answer (`cpguide duties` lists them all)
_DUTY_QUESTION = re.compile(
    r"\b(have to do|has to do|must (they |we |it )?do|got to do|supposed to do|required to do|"
    r"duties|obligations|legally (required|obliged|bound))\b",
    re.I,
)
NOTICE_SALIENCE = 3.0  # an unknown word rarer than this in everyday English is worth a notice ("passports", not "overall")
PLACE_NAMES = {"england": "England", "wales": "Wales", "uk": "UK", "unknown": "Other"}


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _plain(text: str) -> str:
    """Folded as the keyword index folds it (lower case, straight apostrophes), one kind of dash and
    one space between words: people type "Young Persons' Panel" where the document prints
    "Young Persons’ Panel"."""
    return re.sub(r"\s+", " ", fold(text).translate(_DASHES)).strip()


_DASHES = str.maketrans({"–": "-", "—": "-"})


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text)


def _display(sentence: str) -> str:
    s = sentence.strip()
    return s[:1].upper() + s[1:]


def _touching(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Do the spans ``a`` and ``b`` of ``text`` overlap or sit next to each other in one paragraph?
    Such sentences are one quote."""
    return b[0] <= a[1] + 3 and a[0] <= b[1] + 3 and "\n" not in text[min(a[1], b[1]):max(a[0], b[0])]


def _blend(vec: np.ndarray, other: np.ndarray, weight: float) -> np.ndarray:
    """``vec`` with ``other`` weighing in by ``weight``, as a unit vector (cosines stay comparable)."""
    mixed = vec + weight * other
    return mixed / (float(np.linalg.norm(mixed)) or 1.0)


class Assistant:
    """Answers questions from one library; holds no per-user state (conversations are passed in)."""

    def __init__(self, searcher: Searcher, *, abstain_threshold: float = 0.33, stale_years: int = 5,
                 max_query_chars: int = 2000, llm=None, judge="default"):
        self.searcher = searcher
        self.library = searcher.library
        self.abstain_threshold = abstain_threshold
        self.stale_years = stale_years
        self.max_query_chars = max_query_chars
        self.llm = llm
        self.judge = answerability.default_judge() if judge == "default" else judge
        self._metas = {d: self.library.meta(d) for d in self.library.docs}
        self._both_nations = {"england", "wales"} <= {m.jurisdiction for m in self._metas.values()}
        self._latest_year = max((m.year for m in self._metas.values() if m.year), default=None)
        self.selector = SentenceSelector(self.library, searcher.embedder, searcher.vocabulary,
                                         floor=abstain_threshold * 0.75)

    # -- public ------------------------------------------------------------------------------
    def ask(self, question: str, conversation: Conversation | None = None, filters: Filters | None = None) -> Answer:
        question = check_query(question, self.max_query_chars)
        resolved, place = resolve(question, conversation)
        named = named_source(question, self._metas).doc_ids
        if named and place and place not in {self._metas[d].jurisdiction for d in named}:
            place = place_in(question)  # "what does the LGA say?" after a Welsh answer: the LGA's guidance, not Wales
        elif resolved != question and place and place_in(question) == place:
            # "And in Wales?" after "what does the LGA 2019 pack say the NHS is responsible for?":
            # Wales's guidance on the NHS, not the LGA's pack, which speaks for England.
            source = named_source(resolved, self._metas)
            if source.doc_ids and place not in {self._metas[d].jurisdiction for d in source.doc_ids}:
                resolved = source.rest
        filters = filters or Filters()
        if place and not filters.jurisdiction:
            filters = dataclasses.replace(filters, jurisdiction=(place,))
        if conversation is not None:
            conversation.jurisdiction = place  # a follow-up keeps the place; a new question sets its own

        near = ()  # a follow-up is often answered where the last answer's passage goes on
        if resolved != question and conversation is not None and conversation.last and conversation.last.answer:
            near = tuple((c.doc_id, c.start, c.end) for c in conversation.last.answer.citations)
        # "... (in Wales)" says what the place filter already does; searched and scored with it,
        # sentences that merely mention Wales outscore those about what was asked.
        searched = PLACE_NOTE.sub("", resolved) if place and filters.jurisdiction == (place,) else resolved
        hits, selection, signals = self._gather(question, searched, filters, near)
        why = self._decline_reason(signals)
        answered = searched
        missing = signals.unknown_name or (signals.missing_topics[0] if signals.missing_salience >= NOTICE_SALIENCE
                                           else "")
        if why is not None and signals.unknown_name and not signals.other_place:
            # "What should schools do for care-experienced pupils, and what does Passport to Success
            # offer?": answer the part the library covers, and say which name it never mentions.
            # A part that leans on the name ("... and who can apply for it?") is not covered, nor
            # one that says too little to be asked alone ("..., and how can our business sign up?").
            parts = question_parts(resolved)
            covered = [p for p in parts if signals.unknown_name not in p and not leans_on_context(p) and says_enough(p)]
            if covered and len(covered) < len(parts):
                rest = "; ".join(covered) + "?"
                part_hits, part_selection, part_signals = self._gather(rest, rest, filters)
                if self._decline_reason(part_signals) is None:
                    hits, selection, signals, answered, why = part_hits, part_selection, part_signals, rest, None
        if why is not None:
            return self._abstain(question, resolved, hits, why)
        chosen, unanswered = selection.sentences, selection.unanswered
        table = self._duty_table(question, resolved, filters)
        if table is not None:
            return table

        answer = None
        notices: tuple[str, ...] = ()
        if missing:  # answer the part the library covers, and say which part it does not
            notices = (f"Nothing in the library mentions {answerability.mentioned(missing)}; this answer covers the rest "
                       "of the question.",)
        notices += tuple(f"The library does not answer this part of the question: \u201c{part}\u201d." for part in unanswered)
        if self.llm is not None:
            from cpguide.assistant.llm import LLMFailure

            try:
                answer = self.llm.answer(question, resolved, hits[:PASSAGES], self)
            except LLMFailure as exc:
                notices += (f"The language model could not answer ({exc}); this answer is built from the "
                            "library's own sentences instead.",)
        if answer is None:
            answer = self.compose(question, answered, chosen, hits[:PASSAGES], ranked=selection.ranked,
                                  label_nation=not filters.jurisdiction)
            if answered != resolved:
                answer = dataclasses.replace(answer, resolved_question=resolved)
        if notices:
            answer = Answer(**{**answer.__dict__, "notices": answer.notices + notices})
        return answer

    def _gather(self, question: str, resolved: str, filters: Filters,
                near: tuple[tuple[str, int, int], ...] = ()) -> tuple[list[Hit], Selection, answerability.Signals]:
        """Search, choose answer sentences, and read the signals that decide whether to answer."""
        # "According to the LGA, ...": search the LGA's documents for the rest of the question.
        source = named_source(resolved, self._metas)
        searched = source.rest
        qvec = self._meaning(searched)
        hits = []
        if source.doc_ids and not filters.doc_id:
            narrowed = dataclasses.replace(filters, doc_id=source.doc_ids)
            hits = self.searcher.search(searched, k=8, filters=narrowed, query_vector=qvec, max_chars=10_000)
            if hits and source.first_place:
                everywhere = self.searcher.search(searched, k=8, filters=filters, query_vector=qvec, max_chars=10_000)
                if answerability.closest(hits) < answerability.closest(everywhere) - FIRST_PLACE_WITHIN:
                    hits = everywhere
        if not hits:
            hits = self.searcher.search(searched, k=8, filters=filters, query_vector=qvec, max_chars=10_000)
        part = numbered_part(searched)
        if part is None and hits:
            # "What does the 'lifelong' principle mean?" names "Principle 11: lifelong" by its title.
            part = self._named_part(searched, hits)
            if part is not None:
                searched = f"{searched.rstrip(' ?.!')} ({part[0]} {part[1]})?"
        if part is not None and hits:
            hits = self._with_part(part, hits)
        # A follow-up with words of its own finds its passages with the conversation ("(about:
        # ...)"), but its sentences answer what was asked now: "who checks that happens?" wants the
        # sentence about checking. A rewritten one ("and in Wales?", "what about health?") is
        # answered as rewritten.
        own = strip_lead(question)
        # "What about mentoring?" after a question about housing names its own subject in a word:
        # its sentences are about mentoring, not housing, though found with the conversation; "who
        # checks?" asks something of the subject before. One comparing with what was said ("Is there
        # anything like it for young people leaving children's homes?") is answered as rewritten:
        # what it is like is the conversation's subject.
        names_new = not WHOLE_QUESTION.match(own) and bool(set(tokenize(own)) - set(tokenize(resolved[len(own):])))
        asked, avec = (question, self._meaning(question)) \
            if resolved != question and resolved.startswith(own) and (len(own.split()) >= 3 or names_new) \
            and not COMPARES.search(own) else (resolved, qvec)
        if asked == resolved:
            asked, avec = searched, qvec
            ask = from_first_ask(searched)
            if ask != searched:
                avec = _blend(qvec, self._meaning(ask), ASKED_WEIGHT)
        else:  # "What does the Welsh toolkit say ...": the sentences answer the rest, not the toolkit
            focus = named_source(asked, self._metas).rest
            if focus != asked:
                asked, avec = focus, self._meaning(focus)
        hits = self._each_nation(searched, hits, filters, qvec)
        ranked = self.selector.ranked(asked, avec, hits[:PASSAGES], near) if hits else []
        selection = self.selector.choose(asked, ranked, near)
        if resolved != question and asked != searched and hits:
            if not selection.sentences:
                # "Did it make a difference?", "tell me more about the third point" say too little
                # on their own: answer them as rewritten.
                ranked = self.selector.ranked(searched, qvec, hits[:PASSAGES], near)
                selection = self.selector.choose(searched, ranked, near)
            else:  # what was asked now, with the conversation's subject weighing in
                ranked = self.selector.ranked(asked, _blend(avec, qvec, FOLLOW_UP_CONTEXT), hits[:PASSAGES], near)
                selection = self.selector.choose(asked, ranked, near)
        signals = answerability.assess(question, hits, selection.sentences, self.library, self.searcher.vocabulary,
                                       self._latest_year, self._in_library, ranked,
                                       about=resolved if resolved != question else "")
        return hits, selection, signals

    def _meaning(self, text: str) -> np.ndarray:
        """The query vector of ``text``, read with the field's vocabulary as the search reads it."""
        return self.searcher.embed_query(self.searcher.vocabulary.expand(text))

    def _each_nation(self, question: str, hits: list[Hit], filters: Filters, qvec) -> list[Hit]:
        """For a question about both nations ("..., in England and in Wales?"), the best passages
        of a nation the search left out of the top ``PASSAGES`` take the last places there."""
        if not hits or not self._both_nations or filters.jurisdiction or not asks_both_nations(question):
            return hits
        top = hits[:PASSAGES]
        missing = [n for n in ("england", "wales") if n not in {h.jurisdiction for h in top}]
        if not missing:
            return hits
        extra: list[Hit] = []
        for nation in missing:
            extra += self.searcher.search(question, k=NATION_PASSAGES, query_vector=qvec, max_chars=10_000,
                                          filters=dataclasses.replace(filters, jurisdiction=(nation,)))
        kept = top[:PASSAGES - len(extra)]  # of the nations found, so no passage of ``extra``
        return [dataclasses.replace(h, rank=i) for i, h in enumerate(kept + extra, 1)]

    def _with_part(self, part: tuple[str, int], hits: list[Hit]) -> list[Hit]:
        """A question naming a numbered part ("what is principle eight?") gets the passage under
        "Principle 8: ..." first, from the documents the search found, best first (so two
        documents' "Step 3" are not mixed up)."""
        docs = tuple(dict.fromkeys(h.doc_id for h in hits))
        found = self.searcher.with_line(part_heading(part), f"%{part[0]}%{part[1]}%", docs)
        ids = {h.chunk_id for h in found}
        return [dataclasses.replace(h, rank=i) for i, h in enumerate(found + [h for h in hits if h.chunk_id not in ids], 1)]

    def _named_part(self, question: str, hits: list[Hit]) -> tuple[str, int] | None:
        """The numbered part a question names by its title: ("principle", 11) for "the 'lifelong'
        principle" where a document found has the heading "Principle 11: lifelong". The noun must
        be in the question too, so "how do we make care lifelong?" names no principle; a question
        naming a partner is answered from that partner's list of principles instead."""
        noun = SET_NOUNS.search(question)
        if noun is None or actor_vocabulary().slugs_in(question, heading=True):
            return None  # "does the stable home principle apply to housing services?": housing's own list
        word = singular(noun.group(1))
        docs = tuple(dict.fromkeys(h.doc_id for h in hits))
        heading = re.compile(rf"^\s*{word}s?\s+(\d{{1,2}})\s*[:.–—-]\s*(?:an?\s+|the\s+)?([^\n]+?)\s*$", re.I | re.M)
        for found in self.searcher.with_line(heading, f"%{word}%", docs, k=50):
            for m in heading.finditer(found.text):
                title = m.group(2).strip().lower()
                if len(title) > 2 and re.search(rf"(?<![\w-]){re.escape(title)}(?![\w-])", question.lower()):
                    return word, int(m.group(1))
        return None

    def _in_library(self, phrase: str) -> bool:
        """Does any passage hold this phrase? Asked of the passages that share its words most
        (BM25), so no copy of the library's text is held in memory."""
        wanted = _plain(phrase)
        # A document's publisher or title is the library's own name for it, though its text
        # may never spell it out ("Welsh Government" publishes the toolkit).
        whole = re.compile(rf"(?<!\w){re.escape(wanted)}(?!\w)")
        if any(whole.search(m.publisher.lower()) or whole.search(m.title.lower()) for m in self._metas.values()):
            return True
        rows = self.searcher.bm25(tokenize(phrase), None, 20)
        return any(wanted in _plain(self.library.chunks[row].text) for row, _ in rows)

    def signals(self, question: str) -> answerability.Signals:
        """The answerability signals of a standalone question (for fitting and evaluation)."""
        question = check_query(question, self.max_query_chars)
        return self._gather(question, question, Filters())[2]

    def _decline_reason(self, signals: answerability.Signals) -> str | None:
        """None to answer; otherwise why not (possibly "" when no single signal explains it).

        The fitted judge weighs the best passage's similarity with the other signals, so the
        similarity floor applies only without one: a question with a sentence of context
        ("Changing tack: I run a library in Cardiff. Should we let social workers use our
        rooms?") or a follow-up with the conversation written into it is less similar to its
        passage whatever that passage holds. A question with no sentence to answer it declines.
        """
        if signals.other_place:
            return answerability.reason(signals)
        too_far = signals.relevance < self.abstain_threshold and self.judge is None
        if too_far or signals.best_sentence <= 0.0:
            return ""
        if self.judge is not None and not self.judge.answers(signals):
            return answerability.reason(signals)
        return None

    def warm_up(self, max_chunks: int = 5000, batch: int = 256) -> int:
        """Embed the library's candidate sentences once (see ``SentenceSelector.warm_up``)."""
        return self.selector.warm_up(max_chunks, batch)

    # -- extractive mode ---------------------------------------------------------------------------
    def compose(self, question: str, resolved: str, chosen: list[Candidate], hits: list[Hit],
                mode: str = "extractive", ranked: list[Candidate] = (), label_nation: bool = False) -> Answer:
        """Order sentences (by place, then passage, then position), bring the lists they introduce,
        the sentences they lean on and those that go on from them ("They agreed to provide ..."),
        and number the citations.

        Where England's and Wales's guidance both speak, each part is labelled. ``label_nation``:
        the question named no nation, so an answer from one nation's guidance says which, when
        the library holds both (a housing officer in Kent should not take Welsh guidance for hers)."""
        notices: tuple[str, ...] = ()
        first_chosen = list(chosen)
        run = headed_run_for(self.selector, resolved, ranked)
        titled = None if run is not None else titled_run_for(self.selector, resolved, ranked)
        if run is None and titled is None:
            run = enquiry_run_for(self.selector, resolved, ranked)
        if titled is not None:
            run = titled
            count = asked_count(resolved)
            if count is not None and count != titled[1].total:  # "the seven ideas" of a pack that gives ten
                notices = (f"The library sets out {titled[1].total} of these, not {count}.",)
        if run is not None:  # the set asked for, laid out as numbered headed sections: it is the answer
            chosen, lists, left_out = [run[0]], {0: run[1]}, set()
        else:
            lists, left_out = lists_for(self.library, self.selector, resolved, chosen, ranked)
            counted = counted_set(resolved)
            if counted and not lists and asks_for_set(resolved) and not asks_for_member(resolved):
                # "What are the seven priorities in Telford's 'The Promise'?" where the strategy only
                # says it "identifies the seven priorities": naming a set is not setting it out.
                return self._abstain(question, resolved, hits,
                                     f"The library mentions the {counted} but does not set them out.")
        block_of = {id(chosen[i]): block for i, block in lists.items()}
        spans = [(chosen[i].hit.doc_id, s, e) for i, b in lists.items()
                 for s, e in ([b.lead] if b.lead else []) + list(b.items)]
        # A lead-in whose list is not wanted here (another partner's, or off the point) goes with it.
        chosen = [c for i, c in enumerate(chosen) if i not in left_out] or chosen
        if lists:
            # A list answers the question: its own sentences are quoted through it, and at most
            # one other sentence stays beside it, so the list is not padded. That one is the sentence
            # brought for what the question asks, when there is one ("Isn't corporate parenting just
            # a council thing?": "Corporate parenting is not restricted to local authorities"),
            # not whichever scored first. A nation with no list of its own keeps what it chose: the
            # Welsh "For example:" list of roles does not crowd out England's sentence on IROs.
            # Sentences next to each other in one paragraph are one quote ("Are there youth services
            # in your ward ...? Is there a children's home ...?").
            run_of = self._runs(chosen)
            kept, loose = [], None

            def inside(c: Candidate) -> bool:
                return any(d == c.hit.doc_id and s <= c.start and c.end <= e for d, s, e in spans)
            direct = next((c for c in chosen if c.direct and id(c) not in block_of and not inside(c)), None)
            if direct is not None:
                loose = run_of[id(direct)]
            list_places = {c.hit.jurisdiction for c in chosen if id(c) in block_of}
            for c in chosen:
                if id(c) in block_of:
                    kept.append(c)
                elif inside(c):
                    continue
                elif c.hit.jurisdiction not in list_places:
                    kept.append(c)
                elif loose in (None, run_of[id(c)]):
                    kept.append(c)
                    loose = run_of[id(c)]
            chosen = kept
        if asks_both_nations(resolved):
            # "... in England and in Wales?": a nation whose chosen sentences all went with a list
            # left out (its lead-in off the point) still gets its best sentence that needs no list.
            spoken = {c.hit.jurisdiction for c in chosen}
            for nation in sorted({c.hit.jurisdiction for c in first_chosen} - spoken):
                best = next((c for c in ranked if c.hit.jurisdiction == nation and c.text.rstrip()[-1:] not in ":?"),
                            None)
                if best is not None:
                    chosen.append(best)
        places = {s.hit.jurisdiction for s in chosen}
        order_hits: dict[str, int] = {}
        for s in chosen:
            order_hits.setdefault(s.hit.chunk_id, len(order_hits))
        chosen = sorted(chosen, key=lambda s: (sorted(places).index(s.hit.jurisdiction) if len(places) > 1 else 0,
                                               order_hits[s.hit.chunk_id], s.start))
        # Where each quote starts and ends: a list's lead-in, or the sentence a "However," or a
        # "While they still receive ..." leans on.
        entries: list[list] = []  # [candidate, start, end, block]
        for c in chosen:
            start, end = c.start, c.end
            block = block_of.get(id(c))
            if block is not None and block.lead is not None and block.lead[0] >= c.end:
                pass  # the sentence chosen comes first, then the lead-in after it with its list
            elif block is not None and block.lead is not None and block.lead != (c.start, c.end):
                start, end = block.lead  # an item was chosen: the list's own lead-in comes first
            elif leans_on_previous(c.text) or points_back_early(c.text):
                before = self.selector.shape(c.hit.doc_id).antecedent(c.start, c.end)
                if before is not None:
                    start = before[0]  # "However, ..." is quoted with the sentence it answers
            doc_text = self.library.document(c.hit.doc_id).text
            beyond: list[Candidate] = []  # a sentence that goes on past a footnote is quoted on its own
            if block is None:
                shape = self.selector.shape(c.hit.doc_id)
                last = end
                # "These included ...", and in its paragraph "Give them encouragement ...": the
                # sentences that go on from this one come with it.
                for _ in range(2):
                    after = shape.sentence_after(last)
                    # "... as an example:" with no list after it introduces the sentence that follows.
                    introduces = doc_text[start:last].rstrip().endswith(":")
                    if after is None or shape.is_lead_in(*after) or not (
                            introduces or leans_on_previous(doc_text[after[0]:after[1]])
                            or (points_back_early(doc_text[after[0]:after[1]])
                                and shape.section_at(after[0]) is shape.section_at(c.start))):
                        break  # "This includes:" would need its list: the quote ends before it
                    if any(is_footnote(line) for line in doc_text[last:after[0]].split("\n") if line.strip()):
                        beyond.append(dataclasses.replace(c, start=after[0], end=after[1],
                                                          text=doc_text[after[0]:after[1]]))
                    elif beyond:  # goes on from the sentence quoted past the footnote: joins that quote
                        b = beyond[-1]
                        beyond[-1] = dataclasses.replace(b, end=after[1], text=doc_text[b.start:after[1]])
                    else:
                        end = after[1]
                    last = after[1]
            # Overlapping or adjacent sentences of one document share one citation.
            same = next((e for e in entries if e[0].hit.doc_id == c.hit.doc_id and e[3] is None and block is None
                         and _touching(doc_text, (e[1], e[2]), (start, end))), None)
            if same is not None:
                same[1], same[2] = min(same[1], start), max(same[2], end)
            else:
                entries.append([c, start, end, block])
            entries.extend([b, b.start, b.end, None] for b in beyond)
        citations: list[Citation] = []
        lines: list[str] = []
        current_place = None
        covered: list[tuple[str, int, int]] = []  # (doc, start, end) already quoted
        for c, start, end, block in entries:
            hit = c.hit
            if any(d == hit.doc_id and s <= start and end <= e for d, s, e in covered):
                continue
            if (len(places) > 1 or (label_nation and self._both_nations)) and hit.jurisdiction != current_place:
                current_place = hit.jurisdiction
                lines.append(f"In {PLACE_NAMES.get(current_place, current_place)}:")
            doc = self.library.document(hit.doc_id)
            n = len(citations) + 1
            indent = "  "
            if block is not None and (block.labels or (block.lead is None and (start, end) in block.items)):
                # A run of headed sections has no lead-in sentence, and nor has a list whose item was
                # chosen: its items, in order, are the answer.
                indent = ""
            else:
                citations.append(self.citation(n, hit, doc.text[start:end], start, end))
                lines.append(f"- {_display(_one_line(doc.text[start:end]))} [{n}]")
                covered.append((hit.doc_id, start, end))
            if block is not None and block.lead is not None and block.lead[0] >= end:
                n = len(citations) + 1  # "These quality standards are:" after the sentence that named them
                citations.append(self.citation(n, hit, doc.text[block.lead[0]:block.lead[1]], *block.lead))
                lines.append(f"- {_display(_one_line(doc.text[block.lead[0]:block.lead[1]]))} [{n}]")
                covered.append((hit.doc_id, *block.lead))
            lead_n = n
            if block is not None:
                labels = block.labels or ("",) * len(block.items)
                for (item_start, item_end), label in zip(block.items, labels):
                    if (hit.doc_id, item_start, item_end) in covered:
                        continue  # the chosen sentence is itself an item of the list it brings: quoted once
                    n = len(citations) + 1
                    citations.append(self.citation(n, hit, doc.text[item_start:item_end], item_start, item_end))
                    heading = f"{label} – " if label else ""  # "Principle 1: equality – Support ..."
                    lines.append(f"{indent}- {heading}{_display(_one_line(doc.text[item_start:item_end]))} [{n}]")
                    covered.append((hit.doc_id, item_start, item_end))
                if block.total > len(block.items):
                    lines.append(f"  - ... and {block.total - len(block.items)} more in the source [{lead_n}]")
        answer_text = "\n".join(lines)
        return Answer(question=question, answer=answer_text, citations=tuple(citations), abstained=False,
                      resolved_question=resolved, mode=mode, notices=notices)

    def _runs(self, chosen: list[Candidate]) -> dict[int, tuple[str, int]]:
        """For each sentence, the (document, start) of the run of chosen sentences it belongs to:
        sentences next to each other in one paragraph."""
        run_of: dict[int, tuple[str, int]] = {}
        previous = None
        for c in sorted(chosen, key=lambda c: (c.hit.doc_id, c.start)):
            text = self.library.document(c.hit.doc_id).text
            joined = previous is not None and previous.hit.doc_id == c.hit.doc_id \
                and _touching(text, (previous.start, previous.end), (c.start, c.end))
            run_of[id(c)] = run_of[id(previous)] if joined else (c.hit.doc_id, c.start)
            previous = c
        return run_of

    def citation(self, n: int, hit: Hit | None, quote: str, start: int, end: int, doc_id: str = "") -> Citation:
        """A numbered citation for ``quote`` (= the document's text[start:end])."""
        return make_citation(self.library, n, hit.doc_id if hit else doc_id, start, end,
                             chunk_id=hit.chunk_id if hit else "", fallback_page=hit.page if hit else None,
                             fallback_section=hit.section if hit else "", stale_years=self.stale_years)

    # -- "what does the NHS have to do?" -> the duty table ------------------------------------
    def _duty_table(self, question: str, resolved: str, filters: Filters) -> Answer | None:
        """Answer a question about one service's obligations with its duty statements."""
        if not _DUTY_QUESTION.search(question):
            return None
        from cpguide.assistant.duties import STRENGTH_LABELS, STRENGTHS, actor_vocabulary, find_duties, principle_title

        actors = actor_vocabulary().slugs_in(resolved, heading=True)
        if len(actors) != 1:
            return None
        jurisdiction = filters.jurisdiction[0] if len(filters.jurisdiction) == 1 else None
        duties = find_duties(self.library, actor=actors[0], jurisdiction=jurisdiction)
        if filters.doc_id:
            duties = [d for d in duties if d.doc_id in filters.doc_id]
        if not duties:
            return None
        seen: set[str] = set()  # a duty repeated in two documents is cited once
        duties = [d for d in sorted(duties, key=lambda d: STRENGTHS.index(d.strength))
                  if not (_norm(d.text) in seen or seen.add(_norm(d.text)))][:DUTY_ROWS]
        from cpguide.assistant.duties import group_by_principle

        label = actor_vocabulary().label(actors[0])
        lines = [f"What the library says {label} must, should or may do"
                 + (f" in {PLACE_NAMES.get(jurisdiction, jurisdiction)}" if jurisdiction else "") + ":"]
        citations: list[Citation] = []
        rows: list[dict] = []
        for pid, group in group_by_principle(duties):
            title = principle_title(pid) if pid else "Other duties"
            lines.append(f"{title}:")
            for d in group:
                n = len(citations) + 1
                citations.append(self.citation(n, None, d.text, d.start, d.end, doc_id=d.doc_id))
                lines.append(f"- {STRENGTH_LABELS[d.strength]}: {_display(d.text)} [{n}]")
                rows.append({"n": n, "strength": d.strength, "actors": list(d.actors), "principle": pid,
                             "principle_title": title, "jurisdiction": d.jurisdiction, "doc_id": d.doc_id})
        return Answer(question=question, answer="\n".join(lines), citations=tuple(citations), abstained=False,
                      resolved_question=resolved, mode="duties", duties=tuple(rows))

    def _abstain(self, question: str, resolved: str, hits: list[Hit], reason: str = "") -> Answer:
        related = tuple(hits[:3])
        text = ("The library does not seem to answer this question. " + (f"{reason} " if reason else "")
                + ("The passages below may be related; check them before relying on them." if related
                   else "Try other words, or add documents that cover it."))
        return Answer(question=question, answer=text, citations=(), abstained=True, related=related,
                      resolved_question=resolved)
