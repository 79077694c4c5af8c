"""Which items of a list an answer gives: all of them, the one asked for, or those on point.

"What are the seven principles?" wants the seven; "which of the seven is about stability?"
wants the sixth under its lead-in; "a 19-year-old tenant is expecting a baby: what should we
as her landlord do?" wants the two or three items of the housing list that speak to her, and
is told how many more the source holds.
"""

from __future__ import annotations

import re

from cpguide.assistant.actors import actor_vocabulary
from cpguide.assistant.asking import asked_part, kind_asked
from cpguide.assistant.places import asks_both_nations
from cpguide.assistant.selection import Candidate
from cpguide.assistant.structure import (ITEM_NUMBER, LIST_FIELD_TOKENS, SET_NOUNS, ListBlock, asks_for_member,
                                        asks_for_questions, asks_for_set, kinds_asked, member_position,
                                        names_set_inline, set_size, singular)
from cpguide.index.lexical import tokenize

# A list this short is given whole whatever the question: its few items read as one answer
# (3 before; on dev and the read sets 5 gives list completeness +.032 summed, precision +.003).
LIST_ITEMS_SHORT = 5
ITEMS_ON_POINT = 3  # at most this many items of a longer list answer a specific question
# A lead-in scoring this far below the best sentence does not bring its list to a question that
# asks for no set: its list would pad the answer (dev: precision +0.007 to +0.012 over three index
# builds, citations per answer 3.5 -> 3.4, gold cited unchanged or +0.004).
LEAD_IN_WITHIN = 0.04
# A question asking for a set gets the lists whose sentences score this close to the best list's,
# not every list the chosen sentences bring (dev: precision 0.386 -> 0.404; 0.03 gives 0.416, 0.02
# loses list completeness).
SET_LISTS_WITHIN = 0.04
ITEM_WITHIN_BEST = 0.15  # an item of a long list answers a specific question when it scores this close to the best
RUN_NOUN_WITHIN = 8  # words of the ask within which the set's noun must come
RUN_FROM_TOP = 10  # ranked sentences among which a set asked for without its count is looked for
_SOME_OF = re.compile(r"\b(?:which|what)\s+(?:\w+\s+)?of\s+(?:the|its|their|our)\b", re.I)
NAME_WORDS = 5  # every item of a list shorter than this: a list of names ("equality (1)", "support (4)")
# Words of asking itself and of where it is asked: "What questions should I ask at my first
# corporate parenting panel?" names no subject of its own.
_ASKING_FRAME = frozenset(tokenize("question questions ask asking asked councillor councillors member members "
                                   "panel panels meeting meetings committee first next new lead elected officer "
                                   "officers sort sorts kind kinds thing things important key general line lines enquiry inquiry"))
_A_SUBJECT = frozenset(tokenize("leavers"))  # of the field's own words, the one that names whom a question is about


def lists_for(library, selector, question: str, chosen: list[Candidate],
              ranked: list[Candidate] = ()) -> tuple[dict[int, ListBlock], set[int]]:
    """For each chosen sentence, the list it brings: the items under a lead-in always, and the
    whole list around an item when the question asks for a set. One list is given once.

    A question that does not ask for a set ("what should we as her landlord do?") gets the
    few items of a long list that answer it, and is told how many more the source holds; one
    that asks for one member ("which of the seven is about stability?") gets that item.

    "What should schools do ...?" gets the list for education services, not the social
    services list beside it (whose items mention school too), when both were chosen: the
    chosen sentences of that list are returned second, to be left out. So is a lead-in well
    below the best sentence when the question asks for no set: it would be quoted without its
    list or pad it. Returns (list brought by each chosen sentence, chosen sentences left out).
    """
    wants_set, member, kinds = asks_for_set(question), asks_for_member(question), kinds_asked(question)
    kind = kind_asked(question)
    counting = kind == "count"  # "how many quality standards ...?": "nine" answers it
    found: dict[int, ListBlock] = {}
    seen: set[tuple] = set()
    if chosen and names_set_inline(chosen[0].text, kinds, selector.vocabulary):
        # "What kinds of housing ...?" answered by "Provide a range of accommodation options including
        # supported accommodation, supported lodgings, training flats, ...": the kinds are named in
        # the best sentence, which answers alone, not through the list of duties it is an item of;
        # a lead-in chosen beside it would be quoted without its list, so it goes.
        return found, {i for i, c in enumerate(chosen) if i and selector.shape(c.hit.doc_id).list_from(c.start, c.end)}
    for i, c in enumerate(chosen):
        shape = selector.shape(c.hit.doc_id)
        # An item that is no sentence of its own ("• culture, leisure, play ... provision") is
        # quoted in its list, under the lead-in that says what it is an item of.
        fragment = not re.search(r"[.?!;]\W*$", c.text.strip())
        # "... to improve the wellbeing of young people in the area." then "This includes:" brings that list.
        own = shape.list_after(c.start, c.end) if counting else shape.list_from(c.start, c.end)
        block = own or (shape.list_around(c.start) if wants_set or member or fragment else None)
        if block is None or not block.items or (block.lead is None and len(block.items) < 2):
            continue  # one bullet under nothing ("• Children's Social Care: Stable Homes, ...") is no list
        key = (c.hit.doc_id, block.items[0])
        if key not in seen:
            seen.add(key)
            found[i] = block
    if not found and not member and not kind:
        # No chosen sentence brings a list: the best one whose next sentence introduces one may,
        # unless a kind of answer is asked for ("When did councils begin receiving funding ...?"):
        # the sentence holding the date answers, not the list after it.
        for i, c in enumerate(chosen):
            block = _list_next(library, selector.shape(c.hit.doc_id), question, c, wants_set)
            if block is not None and block.items:
                found[i] = block
                break
    others = _for_other_partners(library, question, chosen, found)
    others |= {i for i, block in found.items() if _names_unasked(library, question, chosen[i].hit.doc_id, block)}
    # "What are the seven priorities?" is not answered by a list of five; "which of the eleven
    # principles apply to housing?" asks for some of them.
    size = set_size(question) if wants_set and not member and not _SOME_OF.search(question) else None
    if size:
        others |= {i for i, block in found.items() if block.total < size}
    if not wants_set and not member and chosen:
        best = max(c.score for c in chosen)
        others |= {i for i, block in found.items()
                   if block.lead == (chosen[i].start, chosen[i].end) and chosen[i].score < best - LEAD_IN_WITHIN}
    if wants_set and len(set(found) - others) > 1:
        # "What should our overall goals be?" under a section with three lists (the principles
        # that apply, the aims, what you can do): the lists whose sentence scores near the best one's.
        # Asked of both nations, each nation's lists are weighed against its own best.
        nation = (lambda i: chosen[i].hit.jurisdiction) if asks_both_nations(question) else (lambda i: "")
        top: dict[str, float] = {}
        for i in set(found) - others:
            top[nation(i)] = max(top.get(nation(i), chosen[i].score), chosen[i].score)
        others |= {i for i in set(found) - others if chosen[i].score < top[nation(i)] - SET_LISTS_WITHIN}
    lists: dict[int, ListBlock] = {}
    for i in set(found) - others:
        c, block = chosen[i], found[i]
        doc_text = library.document(c.hit.doc_id).text
        if wants_set or (c.anchored and not c.under_part):
            # "Why should my council get involved?" is the heading over "Corporate Parenting Week
            # provides an opportunity for:": the document's answer to the question is the whole list.
            lists[i] = _items_naming(selector.asked_noun(question), doc_text, block) or block
        elif member:
            lists[i] = _member(question, doc_text, c, block, selector)
        else:
            lists[i] = _items_on_point(question, doc_text, c.hit.doc_id, block, ranked)
    return lists, others


def _for_other_partners(library, question: str, chosen: list[Candidate], found: dict[int, ListBlock]) -> set[int]:
    """Lists introduced for another partner than the one asked about ("... in social services:"
    when schools were asked about), when one for that partner is there too: not brought."""
    actors = actor_vocabulary()
    wanted = set(actors.slugs_in(question, heading=True))
    if not wanted:
        return set()
    named = {}
    for i, block in found.items():
        if block.lead is not None:
            named[i] = set(actors.slugs_in(library.document(chosen[i].hit.doc_id).text[block.lead[0]:block.lead[1]],
                                           heading=True))
    if not any(slugs & wanted for slugs in named.values()):
        return set()
    return {i for i, slugs in named.items() if slugs and not slugs & wanted}


def _names_unasked(library, question: str, doc_id: str, block: ListBlock) -> bool:
    """A list of names whose lead-in says what they are ("Corporate parenting principles which
    apply to housing services:" then "equality (1)", "support (4)" ...), when the question does
    not ask about those: "what kinds of housing should we offer?" is not answered by the names of
    principles, however well their lead-in matches the service asked about."""
    if block.lead is None:
        return False
    text = library.document(doc_id).text
    if any(len(text[s:e].split()) >= NAME_WORDS for s, e in block.items):
        return False
    nouns = {singular(m) for m in SET_NOUNS.findall(text[block.lead[0]:block.lead[1]])}
    return bool(nouns) and not nouns & {singular(w) for w in re.findall(r"[A-Za-z]+", question)}


def _member(question: str, doc_text: str, chosen: Candidate, block: ListBlock, selector) -> ListBlock:
    """The one item asked for: by its number ("principle eight" is the item numbered 8), by its
    place in an unnumbered list ("the final item", "the second"), or else the item that answers
    best. A number the list does not hold ("the eighth" of seven) gets the whole list, so the
    reader sees what there is rather than a guess."""
    position = member_position(question)
    if position is not None:
        whole = block.total == len(block.items)  # a list cut at MAX_ITEMS has no known last item
        if position < 0:  # "the final item"
            return ListBlock(lead=block.lead, items=(block.items[-1],), total=block.total) if whole else block
        labels = [ITEM_NUMBER.search(doc_text[s:e]) for s, e in block.items]
        if any(labels):  # the items carry their own numbers: only the number asked for answers
            numbered = [span for span, label in zip(block.items, labels)
                        if label and int(label.group(1) or label.group(2)) == position]
            return ListBlock(lead=block.lead, items=tuple(numbered[:1]), total=block.total) if numbered else block
        if whole and position <= len(block.items):
            return ListBlock(lead=block.lead, items=(block.items[position - 1],), total=block.total)
        return block
    # Every item is scored as an answer sentence would be, not only those whose passage the search
    # returned: a list often runs on into the next passage ("6. for those children ... to be safe").
    items = [Candidate(chosen.hit, s, e, doc_text[s:e]) for s, e in block.items]
    selector.score(question, selector.embedder.embed([selector.vocabulary.expand(question)])[0], items)
    best = max(items, key=lambda c: c.score)
    return ListBlock(lead=block.lead, items=((best.start, best.end),), total=block.total)


def _items_naming(noun: set[str], doc_text: str, block: ListBlock) -> ListBlock | None:
    """"What barriers does the Welsh toolkit tell us to tackle?" where the list found is what
    leisure services can do, and its lead-in says nothing of barriers: the items that name
    barriers are the set asked for, not the whole list. None for a list of up to five items (given
    whole whatever the question), when the lead-in names what is asked (the list is the set), or
    when no item or every item does."""
    if not noun or block.lead is None or len(block.items) <= LIST_ITEMS_SHORT \
            or noun & set(tokenize(doc_text[block.lead[0]:block.lead[1]])):
        return None
    items = tuple(span for span in block.items if noun & set(tokenize(doc_text[span[0]:span[1]])))
    if not items or len(items) == len(block.items):
        return None
    return ListBlock(lead=block.lead, items=items, total=block.total)


def _item_scores(doc_id: str, block: ListBlock, ranked: list[Candidate]) -> dict[tuple[int, int], float]:
    """Each item's best sentence score; items no candidate sentence lies in are left out."""
    score: dict[tuple[int, int], float] = {}
    for c in ranked:
        if c.hit.doc_id == doc_id:
            for span in block.items:
                if span[0] <= c.start and c.end <= span[1]:
                    score[span] = max(score.get(span, -1.0), c.score)
    return score


def _items_on_point(question: str, doc_text: str, doc_id: str, block: ListBlock, ranked: list[Candidate]) -> ListBlock:
    """The items of a long list that score close to the best sentence, in the list's order;
    the whole list when the question picks out none of them."""
    if len(block.items) <= LIST_ITEMS_SHORT or not ranked:
        return block
    if all(len(doc_text[s:e].split()) < 5 for s, e in block.items):
        return block  # a list of names ("Equality", "Togetherness") is read whole
    best = ranked[0].score
    score = _item_scores(doc_id, block, ranked)
    if not score:
        return block  # nothing scored its items: give the list as the document does
    # The question picks out an item when it shares words with an item that the lead-in does
    # not have ("... care leavers' accommodation?"); otherwise it asks what the list introduces.
    lead_words = set(tokenize(doc_text[block.lead[0]:block.lead[1]])) if block.lead else set()
    own = set(tokenize(question)) - lead_words
    if not any(own & set(tokenize(doc_text[s:e])) for s, e in block.items):
        return block
    by_score = sorted(score, key=lambda span: -score[span])
    keep = [span for span in by_score if score[span] >= best - ITEM_WITHIN_BEST][:ITEMS_ON_POINT] or by_score[:2]
    return ListBlock(lead=block.lead, items=tuple(sorted(keep)), total=block.total)


def headed_run_for(selector, question: str, ranked: list[Candidate]) -> tuple[Candidate, ListBlock] | None:
    """"What are the charter's eleven principles?" where a document sets them out as headed
    sections ("Principle 1: equality", then a paragraph, ... "Principle 11: lifelong"): the
    run of those sections, found through the best sentence under one of them. None when the
    question asks for no set, or names no noun a document numbers its headings by."""
    if not asks_for_set(question) or asks_for_member(question):
        return None
    # The noun is what is asked for when it comes early ("What are the eleven principles ...?"),
    # not when it ends the question ("in which parts of our work should we apply its principles?").
    noun = SET_NOUNS.search(" ".join(asked_part(question).split()[:RUN_NOUN_WITHIN]))
    if noun is None or actor_vocabulary().slugs_in(question, heading=True):
        return None  # "which principles apply to housing services?" has a list of its own
    # "the seven principles" are not the charter's eleven; without a count, the run must be
    # found near the top.
    count = set_size(question)
    for c in ranked if count else ranked[:RUN_FROM_TOP]:
        run = selector.shape(c.hit.doc_id).headed_run(c.start, noun.group(1))
        if run is not None and count in (None, run.total):
            return c, run
    return None


def titled_run_for(selector, question: str, ranked: list[Candidate]) -> tuple[Candidate, ListBlock] | None:
    """"What are the ten ideas for Corporate Parenting Week?" where a document numbers its
    sections bare ("1. Get the community involved" ... "10. Sign up to the Foster Carers
    Charter") under a title naming the set ("10 ideas for Corporate Parenting Week"): the run,
    when the question says every word of the title but numbers and this field's own, whatever
    count it gives (the answer says how many there are). Looked for in the documents of the top
    sentences."""
    if not asks_for_set(question) or asks_for_member(question):
        return None
    asked = set(tokenize(asked_part(question)))
    for c in ranked[:RUN_FROM_TOP]:
        for title, run in selector.shape(c.hit.doc_id).titled_runs():
            words = {t for t in tokenize(title) if not t.isdigit()} - LIST_FIELD_TOKENS
            if words and words <= asked:
                return c, run
    return None


def _list_next(library, shape, question: str, chosen: Candidate, wants_set: bool) -> ListBlock | None:
    """The list introduced by the sentence right after a chosen one ("... set out nine Quality
    Standards ..." then "These quality standards are:"; "LG Inform currently contains ... around
    800 metrics ..." then "Examples of metrics that are specific to corporate parenting
    include:"), when the question asks for a set or names what the lead-in does ("metrics")."""
    after = shape.sentence_after(chosen.end)
    if after is None or not shape.is_lead_in(*after):
        return None
    lead = library.document(chosen.hit.doc_id).text[after[0]:after[1]]
    shared = (set(tokenize(question)) - LIST_FIELD_TOKENS) & set(tokenize(lead)) & set(tokenize(chosen.text))
    if not wants_set and not shared:
        return None
    return shape.list_after(*after)


def enquiry_run_for(selector, question: str, ranked: list[Candidate]) -> tuple[Candidate, ListBlock] | None:
    """"What questions should councillors be asking about children in care?" where a document
    sets out its lines of enquiry as question titles ("Do our partner agencies understand their
    role ...?" ... "How well do we support our foster carers?"): those questions, in its order.
    Only a question asking for questions with no subject beyond the field's words and the asking
    itself gets them all; "what should I ask about placement stability?" is answered by its
    sentences, the line of enquiry on stability first. Looked for in the documents of the top
    sentences."""
    if not asks_for_questions(question):
        return None
    if set(tokenize(asked_part(question))) - (LIST_FIELD_TOKENS - _A_SUBJECT) - _ASKING_FRAME:
        return None  # "what questions should I ask about care leavers?" has a subject
    for c in ranked[:RUN_FROM_TOP]:
        run = selector.shape(c.hit.doc_id).enquiries()
        if run is not None:
            first = next((d for d in ranked if d.hit.doc_id == c.hit.doc_id and (d.start, d.end) in run.items), None)
            return first or c, run
    return None
