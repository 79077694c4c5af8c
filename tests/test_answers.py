"""Answers a councillor can read out: whole lists, sentences on point, honest declines, and
follow-ups that know a new question when they see one."""

from __future__ import annotations

import re

import pytest

from cpguide.assistant import actors
from cpguide.assistant.answer import Assistant
from cpguide.assistant.asking import asker_spans, asks_for_live, each_asked, kind_asked, used_as_verb
from cpguide.assistant.sources import named_source
from cpguide.assistant.structure import asks_for_set, leans_on_previous
from cpguide.assistant.conversation import Conversation, Turn, leans_on_context, place_in, resolve
from cpguide.index.search import Filters
from cpguide.index.vocabulary import default_vocabulary

SEVEN = [
    "to act in the best interests",
    "to encourage those children and young people to express their views",
    "to take into account the views, wishes and feelings",
    "to help those children and young people gain access to",
    "to promote high aspirations",
    "for those children and young people to be safe",
    "to prepare those children and young people for adulthood",
]
WALES_BUSINESS = [
    "Offering care-experienced children and young people work experience placements",
    "Providing appropriate tailored support",
    "Providing one-to-one mentoring",
    "Concessionary and discounted access",
    "Ensuring that care-experienced children and young people are treated equally",
]


@pytest.fixture(scope="module")
def assistant(searcher):
    return Assistant(searcher)


def _converse(assistant, *questions):
    """Ask the questions in turn in one conversation; the last answer."""
    conversation = Conversation()
    for question in questions:
        answer = assistant.ask(question, conversation)
        conversation.turns.append(Turn(question, answer.resolved_question, answer))
    return answer


def _positions(answer, phrases):
    """Index of the citation quoting each phrase (None when no citation quotes it)."""
    return [next((c.n for c in answer.citations if phrase in c.quote), None) for phrase in phrases]


def test_the_seven_principles_answer_cites_all_seven_items_in_order(assistant):
    answer = assistant.ask("what are the seven corporate parenting principles?")
    found = _positions(answer, SEVEN)
    assert None not in found, f"missing principles in: {answer.answer}"
    assert found == sorted(found), "the items keep the document's order"
    for n, number in zip(found, range(1, 8)):
        assert re.search(rf"^\s+- {number}\. .*\[{n}\]$", answer.answer, re.M), "numbered items keep their numbers"


def test_a_set_laid_out_as_numbered_headed_sections_is_given_whole_in_order(assistant):
    """The Welsh charter sets its principles out as "Principle 1: equality" ... "Principle 11:
    lifelong", each a heading over a sentence: asked for the principles, the answer gives all
    eleven, each cited under its own heading and named in the answer."""
    answer = assistant.ask("What are the eleven principles of the Welsh charter?")
    sections = [c.section for c in answer.citations]
    assert [s.split(":")[0] for s in sections] == [f"Principle {n}" for n in range(1, 12)], sections
    assert "Principle 8: a stable home" in answer.answer
    # one principle asked for is still that principle alone
    one = assistant.ask("What is principle eight of the Welsh charter?")
    assert [c.section for c in one.citations] == ["Principle 8: a stable home"]
    # a partner's own list of principles is still that list
    housing = assistant.ask("What principles apply to housing services in Wales?")
    assert housing.citations[0].quote.startswith("Corporate parenting principles which apply to housing services")


def test_a_set_numbered_bare_under_its_title_is_given_whole_in_order(assistant):
    """The 2012 pack's "10 ideas for Corporate Parenting Week" are sections titled "1. Get the
    community involved" ... "10. Sign up to the Foster Carers Charter": asked for the ten ideas,
    the answer gives all ten, numbered, each cited from under its own title."""
    answer = assistant.ask("What are the ten ideas for Corporate Parenting Week?")
    sections = [c.section for c in answer.citations]
    assert [int(s.split(".")[0]) for s in sections] == list(range(1, 11)), sections
    assert "- 3. Work experience and shadowing – " in answer.answer
    # a count the pack does not give: the ten, and a note that there are ten
    seven = assistant.ask("What are the seven ideas for Corporate Parenting Week?")
    assert len(seven.citations) == 10, seven.answer
    assert "The library sets out 10 of these, not 7." in seven.notices


def test_a_chosen_item_of_a_list_without_a_lead_in_is_quoted_once(assistant):
    """The resource pack's two web resources on recruiting foster carers are a list with no lead-in;
    when one of them is chosen, the list comes with it, and that item was quoted a second time."""
    answer = assistant.ask("Where can I find guides on recruiting foster carers?")
    quotes = [c.quote for c in answer.citations]
    assert any(q.lower().startswith("you can access a range of resources") for q in quotes), answer.answer
    assert len(quotes) == len(set(quotes)), answer.answer
    lines = [ln.strip() for ln in answer.answer.splitlines() if ln.strip()]
    assert len(lines) == len(set(lines)), answer.answer


def test_a_paragraph_opening_by_pointing_back_is_quoted_with_the_paragraph_before(assistant, library):
    """Telford's "Likewise, care leavers need to be integral to the development of their pathway
    plans ..." opens its paragraph; it was quoted first and alone, "Likewise" pointing at nothing.
    It comes with the paragraph before ("Children should be involved in developing their care
    plans ..."), in the document's order. A paragraph opening "It is vital that ..." leans on nothing."""
    from cpguide.assistant.structure import DocumentShape

    answer = assistant.ask("How does Telford expect children in care to be involved in their care plans, "
                           "and care leavers in their pathway plans?")
    quote = next(c.quote for c in answer.citations if "Likewise, care leavers" in c.quote)
    assert quote.startswith("Children should be involved in developing their care plans"), quote
    doc = library.document("telford-partners")
    shape = DocumentShape(doc)
    # Past "They should be provided ...", "It might be useful ..." and "This includes ...", which
    # point back too, to the sentence they point to.
    likewise = doc.text.index("Likewise, care leavers")
    start, _ = shape.antecedent(likewise, doc.text.index(".", likewise) + 1)
    assert doc.text[start:].startswith("Children should be involved in developing their care plans")
    vital = doc.text.index("It is vital that all agencies work closely")
    assert shape.antecedent(vital, doc.text.index(".", vital) + 1) is None


def test_asked_what_to_ask_the_guidance_own_question_comes_first(assistant):
    """The resource pack's lines of enquiry are questions ("What are we doing to look after the
    health and wellbeing of children in our care?"): a councillor asking what to ask about their
    health gets that question first, not the pack's sentences around it."""
    answer = assistant.ask("What should I ask about the health of children in our care?")
    assert answer.citations[0].quote.startswith("What are we doing to look after the health and wellbeing"), answer.answer
    # asked for questions, a list of anything else is not the set asked for
    carers = assistant.ask("What questions should I ask about how we support foster carers?")
    assert carers.citations[0].quote.endswith("?"), carers.answer


def test_asked_what_questions_to_ask_a_councillor_gets_the_lines_of_enquiry(assistant, library):
    """"What questions should councillors be asking?" named no subject: it was answered with one
    sentence saying it is every councillor's responsibility "to ask questions". The resource pack
    sets out its lines of enquiry as question titles; they are the answer, in the pack's order.
    Asked about one subject, the answer stays on it."""
    answer = assistant.ask("What questions should councillors be asking about children in care?")
    quotes = [c.quote for c in answer.citations]
    assert len(quotes) >= 9 and all(q.rstrip().endswith("?") for q in quotes), answer.answer
    assert "Are we providing stable environments for children in our care?" in quotes
    doc = library.document("lga-resource-pack")
    assert [doc.text.index(q) for q in quotes] == sorted(doc.text.index(q) for q in quotes)
    same = assistant.ask("What are the key lines of enquiry for all councillors?")
    assert [c.quote for c in same.citations] == quotes
    stability = assistant.ask("What should I ask about placement stability?")
    assert stability.citations[0].quote == "Are we providing stable environments for children in our care?"
    assert len(stability.citations) < 5, stability.answer


def test_stability_asked_finds_the_welsh_stable_home_principle(assistant):
    """The Welsh charter calls its eighth principle "a stable home"; asked which principle is about
    stability in Wales, the answer was a list of ways to adopt the principles."""
    answer = assistant.ask("Which of the corporate parenting principles is about stability in Wales?")
    assert any(c.quote.lower().startswith("a stable home") for c in answer.citations), answer.answer


def test_no_sentence_of_a_heading_is_quoted_as_an_answer(assistant, library):
    """"9. Ask looked after children and young people: How well are we doing?" is a title: the
    sentence after its number was offered as an answer sentence (and quoted as the first line of
    an answer about what to ask). A line of enquiry set as a title ("Are we providing stable
    environments for children in our care?") is something the guidance says, and may be."""
    from cpguide.assistant.structure import is_enquiry

    enquiries = 0
    for doc_id in ("lga-week-2012", "lga-resource-pack", "telford-partners", "walsall-service", "wales-charter-toolkit"):
        doc = library.document(doc_id)
        for sec in doc.sections:
            if sec.kind == "heading":
                spans = assistant.selector.candidate_spans(doc_id, doc.text[sec.start:sec.end], sec.start)
                if is_enquiry(doc.text[sec.start:sec.end]):
                    enquiries += 1
                    continue
                assert not spans, doc.text[sec.start:sec.end]
    assert enquiries >= 9, "the resource pack's key lines of enquiry are titles"


def test_the_wales_businesses_answer_lists_its_examples(assistant):
    answer = assistant.ask("what can businesses do?", filters=Filters(jurisdiction=("wales",)))
    found = _positions(answer, WALES_BUSINESS)
    assert None not in found, answer.answer
    assert found == sorted(found)
    lead = next(c for c in answer.citations if c.quote.startswith("Examples of what you can do as a corporate parent in private"))
    assert lead.n < found[0], "the lead-in comes before its items"


def test_a_question_about_one_situation_gets_the_items_on_point_not_the_whole_list(assistant):
    answer = assistant.ask("A 19-year-old care leaver in Wales is expecting a baby: what should we as her landlord do?")
    assert any("pregnant" in c.quote for c in answer.citations), answer.answer
    assert len(answer.citations) <= 4, f"the whole housing list was given: {answer.answer}"
    general = assistant.ask("what should housing services do?", filters=Filters(jurisdiction=("wales",)))
    assert len(general.citations) >= 8, "a question about the service as a whole still gets its whole list"


def test_a_sentence_comes_with_the_sentences_that_go_on_from_it(assistant):
    answer = assistant.ask("What does a virtual school head do?")
    vsh = next(c for c in answer.citations if c.quote.startswith("All local authorities must have a virtual school head"))
    assert "Their role is to know how the looked-after children are doing" in vsh.quote, answer.answer
    trafford = assistant.ask("What did Trafford decide to provide for homeless young people who had not been in care before 16?")
    assert any("doing the bare minimum was not good enough" in c.quote and "They agreed to provide these young people" in c.quote
               for c in trafford.citations), "a paragraph that goes on from the last one comes with it: " + trafford.answer
    guardianship = assistant.ask("What does the 2017 special guardianship guidance say councils should cover in reports to the court?")
    assert any("New guidance was issued in January 2017" in c.quote and "This includes information about the child’s needs" in c.quote
               for c in guardianship.citations), guardianship.answer


@pytest.mark.parametrize("sentence, leans", [
    ("However, corporate parenting should not just be about making sure the right boxes are ticked.", True),
    ("These included ways to improve commissioning of places in children’s homes.", True),
    ("In addition, councils should review their offer.", True),
    ("In addition to the support the wider sector can provide, local businesses might offer apprenticeships.", False),
    ("Every councillor should ideally have training on their corporate parenting role.", False),
])
def test_a_sentence_that_points_back_is_told_from_one_that_stands_alone(sentence, leans):
    assert leans_on_previous(sentence) is leans


def test_everyday_words_reach_the_guidance_in_answers(assistant):
    answer = assistant.ask("Is it OK for us to put a care leaver into a B&B?")
    assert answer.citations[0].quote.startswith("Care leavers should not be placed in bed and breakfast"), answer.answer


def test_cheaper_tickets_reach_concessionary_and_discounted_access(assistant):
    answer = assistant.ask("Should theatres in Wales offer cheaper tickets to care leavers?")
    assert answer.citations and answer.citations[0].quote.startswith("Concessionary and discounted access"), \
        answer.answer


def test_living_on_with_foster_carers_after_18_is_staying_put_until_21(assistant):
    answer = assistant.ask("I'm 17. Can I carry on living with my foster carers after I'm 18, and for how long?")
    assert not answer.abstained, answer.answer
    assert any("staying put" in c.quote.lower() and "21" in c.quote for c in answer.citations), answer.answer


def test_a_question_naming_a_numbered_principle_is_answered_from_under_that_heading(assistant):
    for question, expected in (
        ("What is principle eight of the Welsh charter?", "By seeking out and providing stable places to live"),
        ("What does the second principle in the Welsh charter ask?", "Recognise care-experienced children and young people"),
    ):
        answer = assistant.ask(question)
        assert not answer.abstained, answer.answer
        assert answer.citations[0].quote.startswith(expected), answer.answer
        assert len(answer.citations) <= 3, f"one principle asked, a list given: {answer.answer}"


def test_a_part_named_by_its_title_is_answered_from_under_its_heading(assistant):
    """"The nurture principle" is "Principle 6: nurture" of the Welsh charter."""
    answer = assistant.ask("What does the nurture principle mean?")
    assert [c.section for c in answer.citations][:1] == ["Principle 6: nurture"], answer.answer


def test_one_member_of_a_set_asked_for_gets_that_item_under_its_lead_in(assistant):
    answer = assistant.ask("Which of England's seven corporate parenting principles is about safety and stability?")
    items = [c for c in answer.citations if re.match(r"\d\. ", c.quote)]
    assert [c.quote[:2] for c in items] == ["6."], answer.answer
    assert answer.citations[0].quote.rstrip().endswith("as follows:"), "the item comes with its lead-in"
    assert "... and 6 more in the source" in answer.answer
    last = assistant.ask("What does the final item on England's list of seven principles say?")
    assert [c.quote[:2] for c in last.citations if re.match(r"\d\. ", c.quote)] == ["7."], last.answer


@pytest.mark.parametrize("question", [
    "I'm a designated nurse for looked after children in Walsall. Where does my job sit in their levels of "
    "corporate parenting responsibility?",
    "I'm a designated nurse for LAC. Which of Walsall's levels of corporate parenting responsibility would my job sit in?",
])
def test_where_a_role_sits_in_a_set_of_levels_gets_its_level(assistant, question):
    answer = assistant.ask(question)
    items = [c.quote.split(":")[0] for c in answer.citations if re.match(r"\d\. ", c.quote)]
    assert items == ["3. Specialist"], answer.answer


def test_a_member_the_list_does_not_hold_gets_the_list_not_a_guess(assistant):
    eighth = assistant.ask("What is the eighth principle?")
    english = [c for c in eighth.citations if re.match(r"\d\. ", c.quote)]
    assert len(english) in (0, 7), f"England's seven numbered items: all or none, not one picked: {eighth.answer}"
    skipped = assistant.ask("Is principle 8 one of the corporate parenting principles which apply to education services in Wales?")
    named = [c for c in skipped.citations if re.search(r"\(\d+\)$", c.quote)]
    assert len(named) != 1, f"a list numbered 1-6, 9, 10 has no principle 8 to pick: {skipped.answer}"
    eleventh = assistant.ask("What is the eleventh principle?")
    assert not any("eleventh" in notice for notice in eleventh.notices), "a place in a list is not a word the library lacks"


def test_a_quote_does_not_end_on_a_lead_in_without_its_list(assistant):
    answer = assistant.ask("What is the council's duty under section 10 of the Children Act 2004?")
    for c in answer.citations:
        if c.quote.rstrip().endswith(":"):
            assert re.search(rf"^\s+- .*\[{c.n + 1}\]$", answer.answer, re.M), answer.answer


def test_the_third_point_of_a_list_is_its_third_item_and_source_3_its_third_citation(assistant):
    """Bullets are what a reader counts: "the third point" of a list is its third item, not the
    lead-in's citation plus two; "source 3" is citation [3] whatever the answer's shape."""
    conversation = Conversation()
    first = assistant.ask("What should housing services do for care leavers in Wales?", conversation)
    conversation.turns.append(Turn(first.question, first.resolved_question, first))
    assert first.answer.splitlines()[0].startswith("- Examples of what you can do") and first.answer.splitlines()[3].startswith("  - ")
    answer = assistant.ask("Tell me more about the third point", conversation)
    assert answer.citations[0].quote == first.citations[3].quote, answer.answer
    assert first.citations[3].quote[:40] in answer.resolved_question
    by_number = resolve("what does source 3 say?", conversation)[0]
    assert first.citations[2].quote[:40] in by_number
    of_those = resolve("Can partners help with the first of those?", conversation)[0]
    assert of_those.startswith("Can partners help with this: ") and "of those" not in of_those


def test_a_follow_up_asking_how_long_is_answered_by_the_duration_its_conversation_is_about(assistant):
    """"How much time does it take?" says nothing of mentoring: "Mentors usually meet the young
    person for around two hours per week" answers it because the conversation is about mentoring."""
    answer = _converse(assistant, "Does mentoring actually work for care leavers?", "How much time does it take?")
    assert not answer.abstained, answer.answer
    assert any("two hours per week" in c.quote for c in answer.citations), answer.answer


def test_a_follow_up_comparing_with_what_was_said_is_answered_as_rewritten(assistant):
    """After Telford's expectation that partners challenge stigma, "Does the Welsh toolkit say
    anything like that for leisure and youth services?" asks for the toolkit's line on stigma. Its
    own words say only "leisure and youth services", and the answer was the toolkit's first item for
    them; a follow-up comparing with what was said is now judged with the conversation."""
    answer = _converse(assistant, "What does Telford expect partners to do about stigma against care-experienced children?",
                       "Does the Welsh toolkit say anything like that for leisure and youth services?")
    assert any("tackle any stigma against the care experienced community" in c.quote for c in answer.citations), \
        answer.answer


def test_a_documents_list_of_sources_is_never_an_answer(assistant):
    """Telford's "Adapted from:" lists the titles it drew on ("Championing kinship care: the
    national kinship care strategy"); a title there says nothing about kinship care."""
    answer = _converse(assistant, "What is special guardianship, and how is it different from adoption?",
                       "Is the council still responsible for the child after that?", "What about kinship care?")
    assert not answer.abstained, answer.answer
    quotes = [c.quote for c in answer.citations]
    assert not any(q.startswith("Adapted from") or "national kinship care strategy" in q for q in quotes), answer.answer


def test_what_does_the_law_say_keeps_the_conversations_place(assistant):
    conversation = Conversation()
    for question in ("What should housing services do for care leavers in Wales?", "What does the law say?"):
        answer = assistant.ask(question, conversation)
        conversation.turns.append(Turn(question, answer.resolved_question, answer))
    assert conversation.jurisdiction == "wales"
    assert "In England:" not in answer.answer, answer.answer


@pytest.mark.parametrize("question, is_set", [
    ("what are the seven corporate parenting principles?", True),
    ("Can you list the corporate parenting principles?", True),
    ("Are there examples of what businesses can do?", True),
    ("Strictly speaking, is a police force bound by the 2017 Act's seven duties?", False),
    ("Do we have to meet councillors in person, or are there other ways?", False),
    ("Which of the seven principles is about stability?", False),
    ("What's principle eight of the Welsh charter?", False),
    ("Can I get the list of pledges?", True),
    ("What should councillors think about?", True),
    ("As a new panel member, what info should I expect the Children in Care team to hold about our LAC?", True),
    ("What can the police do as corporate parents, according to the Welsh toolkit?", True),  # the source narrows nothing
])
def test_a_yes_no_question_or_one_member_asked_for_does_not_ask_for_the_whole_set(question, is_set):
    assert asks_for_set(question) is is_set


def test_a_list_cut_to_its_items_on_point_says_how_many_more_and_cites_its_lead_in(assistant):
    answer = assistant.ask("What information does the children in care team hold about care leavers' accommodation?")
    assert any("accommodation and employment information about care leavers" in c.quote.lower() for c in answer.citations), answer.answer
    more = re.search(r"\.\.\. and (\d+) more in the source \[(\d+)\]", answer.answer)
    assert more, answer.answer
    lead = answer.citations[int(more.group(2)) - 1]
    assert lead.quote.rstrip().endswith(":"), "the 'more' line points at the list's lead-in"


def test_a_question_about_what_a_list_introduces_gets_the_whole_list(assistant):
    answer = assistant.ask("In the Welsh toolkit, what does being a corporate parent mean wanting to see for a child?")
    found = _positions(answer, ["wanting the best for child, to see them:", "flourish with good health",
                                "contribute in their community", "to be financially secure"])
    assert None not in found, answer.answer
    assert "more in the source" not in answer.answer


def test_a_count_asked_for_is_answered_by_the_sentence_that_gives_it(assistant):
    """The sentence about the review scores higher than the one with its number; the number is
    what was asked."""
    answer = assistant.ask("How many recommendations were in Sir Martin Narey's 2016 review of residential care?")
    assert any("34 recommendations" in c.quote for c in answer.citations), answer.answer


def test_a_set_question_brings_the_list_near_the_top_though_one_sentence_scores_higher(assistant):
    """East Sussex's panel report scores a little higher than the pack's "Key priorities to
    consider include:", but the question asks for the priorities: the list answers it."""
    answer = assistant.ask("According to the LGA, which priorities should performance reports to councillors cover?")
    assert any(c.quote.startswith("Key priorities to consider include") for c in answer.citations), answer.answer


def test_an_age_in_words_is_the_number_the_guidance_writes(assistant):
    """"Once I turn eighteen" is "after their 18th birthday": staying put answers, and no notice says
    the library never mentions "eighteen"."""
    answer = assistant.ask("Can I carry on living with the family I'm with once I turn eighteen?")
    assert any("‘Staying put’ is an arrangement" in c.quote for c in answer.citations), answer.answer
    assert not any("eighteen" in n for n in answer.notices), answer.notices


def test_a_list_of_short_names_is_given_whole(assistant):
    answer = assistant.ask("Does the stable home principle apply to housing services in Wales?")
    names = [c.quote for c in answer.citations if len(c.quote.split()) < 5]
    assert len(names) >= 4, answer.answer  # "Equality (1)", "Eradicate stigma (2)", ...
    lead = next(c.n for c in answer.citations if c.quote.startswith("Corporate parenting principles which apply"))
    assert f"more in the source [{lead}]" not in answer.answer, answer.answer


@pytest.mark.parametrize("question", [
    "What can the police do as corporate parents in Wales?",
    "What kinds of places to live should a Welsh landlord or council be able to offer CLA?",
])
def test_names_of_principles_do_not_answer_a_question_that_does_not_ask_about_principles(assistant, question):
    answer = assistant.ask(question)
    assert not answer.abstained, answer.answer
    assert not any(c.quote.startswith("Corporate parenting principles which apply") for c in answer.citations), \
        answer.answer
    assert not any(re.fullmatch(r"[a-z ]+ \(\d+\)", c.quote) for c in answer.citations), answer.answer


def test_a_question_asking_when_is_not_answered_with_the_list_after_its_date(assistant):
    """"In September 2021, ... began receiving funding ..." is followed by "Using their expertise
    ...:" and its list; asked when, the sentence with the date answers alone."""
    answer = assistant.ask("When did councils start getting money to extend the virtual school head role to "
                           "children with a social worker?")
    assert answer.citations and answer.citations[0].quote.startswith("In September 2021"), answer.answer
    assert len(answer.citations) == 1, answer.answer


def test_what_aspects_of_something_asks_for_the_whole_list(assistant):
    answer = assistant.ask("Under Section 10 of the Children Act 2004, what aspects of young people's wellbeing "
                           "must the council promote cooperation on?")
    quotes = " ".join(c.quote for c in answer.citations).lower()
    for item in ("emotional wellbeing", "protection from harm", "education, training and recreation",
                 "contribution made by young people", "social and economic wellbeing"):
        assert item in quotes, answer.answer


@pytest.mark.parametrize("question", [
    "Before signing up to the Welsh charter, what should our organisation think about?",
    "We're thinking of signing the Welsh charter. What should we weigh up before we commit?",
])
def test_what_to_think_about_in_a_situation_gets_the_list_of_things_to_weigh(assistant, question):
    answer = assistant.ask(question)
    quotes = [c.quote for c in answer.citations]
    assert "Before signing up, think about how you could adopt the principles when:" in quotes, answer.answer
    assert any(q.startswith("delivering your existing services") for q in quotes), answer.answer
    assert any(q.startswith("planning or commissioning new services") for q in quotes), answer.answer
    assert not any("weigh" in n for n in answer.notices), answer.notices  # a verb, not a topic the library lacks


@pytest.mark.parametrize("question, word", [
    ("What should we weigh up before we commit?", "weigh"),
    ("Our foster carers keep grumbling. What do carers nationally say they want?", "grumbling"),
])
def test_a_word_used_as_a_verb_is_not_what_the_question_is_about(question, word):
    assert used_as_verb(question, word)
    assert not used_as_verb("Can care leavers get help paying for passports?", "passports")


def test_a_sentence_whose_list_follows_a_for_example_is_a_lead_in_for_a_set_question(assistant):
    """"In social services, the role of corporate parents can include a range of individuals." then
    "For example:" and the roles: asked who they are, the roles answer, not the aims list beside them."""
    answer = assistant.ask("Who can be a corporate parent in social services in Wales?")
    quotes = [c.quote for c in answer.citations]
    assert any(q.startswith("In social services, the role of corporate parents") for q in quotes), answer.answer
    assert any(q.lower().startswith("chief executives and corporate directors") for q in quotes), answer.answer


def test_a_case_study_the_question_names_is_quoted_beyond_its_best_sentence(assistant):
    answer = assistant.ask("What is Bolton's Looked After Supported Employment (LASE) Scheme?")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "gain new and positive experiences" in quotes, answer.answer
    assert "accredited qualification" in quotes, answer.answer  # what it goes on to say of the scheme


def test_a_case_study_that_opens_with_its_year_is_quoted_beyond_its_best_sentence(assistant):
    """"In 2011 Coventry City Council held a special awards ceremony ..." is a case study though its
    paragraph opens with the year, not the council."""
    answer = assistant.ask("How did Coventry celebrate its looked after children in 2011?")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "special awards ceremony" in quotes, answer.answer
    assert "Over 200 nominations were received" in quotes, answer.answer


def test_a_name_is_quoted_where_it_is_introduced_though_a_sentence_chosen_names_it(assistant):
    answer = assistant.ask("What is the Pillars of Parenting model that Hampshire used in its children's homes?")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "evidence-based Pillars of Parenting model, an approach to move from" in quotes, answer.answer


def test_the_guidances_questions_in_one_paragraph_are_quoted_together(assistant):
    """The LGA pack asks ward councillors four questions in a row; asked what to ask, one of them
    brings the others, though a list of options stands beside them."""
    answer = assistant.ask("As a ward member, what sort of things should I be asking about looked after kids "
                           "living in my patch?")
    quotes = " ".join(c.quote for c in answer.citations)
    for asked in ("Are there youth services in your ward", "Is there a children’s home or care leaver accommodation",
                  "What feedback are you getting from residents?"):
        assert asked in quotes, answer.answer


def test_asked_how_often_the_answer_is_the_sentence_that_says_how_often(assistant):
    """"... who meet three or four times a year ..." answers; a sentence beside it that says
    nothing of how often pads the answer."""
    answer = assistant.ask("How often does the Teenage Adoption Panel meet?")
    assert answer.citations and all("times a year" in c.quote for c in answer.citations), answer.answer


def test_asked_the_name_of_a_website_the_name_answers(assistant):
    """What a website is called is not its address: "called 'Us In Care'" answers."""
    answer = assistant.ask("What's the name of South Gloucestershire's website for children in care?")
    assert not answer.abstained, answer.answer
    assert any("Us In Care" in c.quote for c in answer.citations), answer.answer
    assert kind_asked("What is the web address of South Gloucestershire's website for children in care?") == "contact"


@pytest.mark.parametrize("question", [
    "Isn't corporate parenting just a council thing? I run a private firm in Wales.",
    "In Wales, is it only the town hall that acts as mum and dad to LAC, or could a charity or a bank take that on too?",
])
def test_asked_whether_it_is_only_for_some_the_sentence_saying_whom_it_is_for_answers(assistant, question):
    answer = assistant.ask(question)
    assert any("Corporate parenting is not restricted to local authorities" in c.quote for c in answer.citations), \
        answer.answer


def test_asked_whether_we_are_one_of_a_set_the_sentence_naming_its_members_answers(assistant):
    """A youth offending team manager asks whether they are one of the partners meant: the
    sentence listing who the relevant partners are, youth offending teams among them, answers."""
    answer = assistant.ask("I manage a YOT. Are we one of the agencies Telford expects to help the council apply "
                           "the corporate parenting principles?")
    assert any("‘Relevant partners’ include" in c.quote and "youth offending teams" in c.quote
               for c in answer.citations), answer.answer


def test_a_name_typed_with_a_straight_apostrophe_is_found_where_it_is_printed_with_a_curly_one(assistant):
    """Telford prints "Young Persons’ Panel"; people type "Young Persons' Panel"."""
    answer = assistant.ask("Can partner agencies attend Telford's Young Persons' Panel, and how does the panel "
                           "link to the Corporate Parenting Strategic Group?")
    assert not answer.abstained
    assert "Nothing in the library mentions" not in answer.answer, answer.answer
    assert any("two-way, dialogue between the Young Persons’ Panel" in c.quote for c in answer.citations), answer.answer


def test_each_scheme_the_question_names_is_quoted_where_it_is_introduced(assistant):
    """Both schemes are named together further on ("These two schemes are just some of ..."), which
    scores best; what each one is comes where the pack first names it, to the end of that paragraph
    (what young people get on completing Quest is two sentences on)."""
    answer = assistant.ask("What are Bolton's LASE and Quest schemes?")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "(LASE) Scheme provides paid work experience" in quotes, answer.answer
    assert "Under the new Quest programme" in quotes, answer.answer
    assert "further 4 week paid work experience placement" in quotes, answer.answer


def test_two_names_the_library_uses_joined_by_and_are_not_one_unknown_name(assistant):
    """"Quest and LASE" was taken for one titled name the library never uses, and declined."""
    answer = assistant.ask("What are Quest and LASE?")
    assert not answer.abstained, answer.answer
    assert any("Under the new Quest programme" in c.quote for c in answer.citations), answer.answer
    assert assistant.ask("What is the Health and Wellbeing Passport?").abstained, "one name, vouched for only whole"


@pytest.mark.parametrize("question, quoted", [
    ("What is the Welsh Corporate Parenting Charter?", "corporate parenting charter"),
    ("What is the Lambeth Wriggle and Roar programme?", "Wriggle and Roar"),
])
def test_a_name_led_by_its_place_or_nation_is_the_name_the_library_uses(assistant, question, quoted):
    """The toolkit says "corporate parenting charter", the pack "Lambeth launched 'Wriggle and
    Roar'": the place or nation before a name says where it is, not what it is called."""
    answer = assistant.ask(question)
    assert not answer.abstained, answer.answer
    assert any(quoted.lower() in c.quote.lower() for c in answer.citations), answer.answer


def test_a_name_with_a_possessive_inside_it_is_looked_for_whole(assistant):
    """"the Corporate Children's Office" is one name (Bolton's schemes are run from it), not
    "Corporate Children" and "Office"."""
    answer = assistant.ask("What does the Corporate Children's Office do in Bolton?")
    assert not answer.abstained, answer.answer
    assert not any("Corporate Children" in n for n in answer.notices), answer.notices
    assert any("Corporate Children’s Office" in c.quote for c in answer.citations), answer.answer


def test_a_name_owned_by_a_known_body_is_still_looked_for(assistant):
    """"of the DfE" says whose the charter is; the library never names a Care Leavers' Charter."""
    answer = assistant.ask("What is the Care Leavers' Charter of the DfE?")
    assert answer.abstained and "Care Leavers' Charter" in answer.answer, answer.answer
    assert not assistant.ask("What does the Innovation Programme of the DfE fund?").abstained


def test_an_unknown_name_led_by_its_nation_still_declines(assistant):
    answer = assistant.ask("What does the English Care Leaver Covenant offer?")
    assert answer.abstained and "Care Leaver Covenant" in answer.answer, answer.answer


def test_a_set_question_finds_the_list_whose_items_answer_it(assistant):
    answer = assistant.ask("Before we put our name to the Welsh charter, in which parts of our work should we "
                           "think about applying its principles?")
    found = _positions(answer, ["think about how you could adopt the principles when:", "existing services and support",
                                "planning or commissioning new services"])
    assert None not in found, answer.answer


def test_an_answer_from_one_nations_guidance_says_which_unless_the_question_chose_it(assistant):
    answer = assistant.ask("What can leisure services do for care-experienced young people?")
    assert {c.jurisdiction for c in answer.citations} == {"wales"}, answer.answer
    assert answer.answer.startswith("In Wales:"), answer.answer
    chosen = assistant.ask("What can leisure services do for care-experienced young people?",
                           filters=Filters(jurisdiction=("wales",)))
    assert not chosen.answer.startswith("In Wales:"), "the asker chose Wales: no need to say so"


def test_a_lead_in_brings_items_set_as_short_lines_without_bullets(assistant):
    # The LGA pack sets the two questions under "consider:" as lines of their own, not bullets.
    answer = assistant.ask("When a service that affects looked-after children is being reviewed, "
                           "what should officers and councillors consider?")
    found = _positions(answer, ["consider:", "What if this were my child?", "What can we do to put this right?"])
    assert None not in found, answer.answer
    assert found == sorted(found), "the lead-in, then its items in order"


def test_a_housing_duty_answer_leaves_out_a_councils_case_study_statistic(assistant):
    answer = assistant.ask("what should housing services do for care leavers?")
    assert not answer.abstained
    assert all("93 per cent" not in c.quote for c in answer.citations), answer.answer


def test_a_question_in_the_guidance_answers_only_a_question_about_what_to_ask(assistant):
    """The resource pack's own "And what is the local offer for care leavers?" only echoes the asker."""
    answer = assistant.ask("What is the local offer for care leavers?")
    assert not answer.abstained
    assert all(not c.quote.rstrip().endswith("?") for c in answer.citations), answer.answer
    answer = assistant.ask("What questions should I ask about the children's homes and youth services in my ward?")
    assert any("Is there a children’s home" in c.quote for c in answer.citations), answer.answer


def test_who_is_asking_does_not_narrow_a_question_about_what_they_should_do(assistant):
    """Saying who you are before the question still asks for everything your service can do."""
    answer = assistant.ask("We're a housing association in Cardiff thinking of signing the charter. "
                           "What would we be expected to do for care-experienced young people?")
    lead = "Examples of what you can do as a corporate parent in housing services:"
    assert any(c.quote == lead for c in answer.citations), answer.answer
    last = "For any young care-experienced woman who are pregnant"
    assert any(c.quote.startswith(last) for c in answer.citations), "the housing list is given whole"


def test_a_title_line_is_not_quoted_as_an_answer_sentence(assistant):
    """The 2012 pack's "10 ideas for Corporate Parenting Week" is a title over its ideas, not a
    sentence about the week."""
    answer = assistant.ask("What is Corporate Parenting Week?")
    assert not answer.abstained
    assert all(c.quote.strip() != "10 ideas for Corporate Parenting Week" for c in answer.citations), answer.answer


def test_a_later_part_that_points_back_is_read_with_the_first_parts_subject(assistant):
    """"... and how often does it meet?": "it" is the panel the first part asks about, so the
    part's own sentence is about that panel's meetings, not any meeting."""
    answer = assistant.ask("Which council runs a Teenage Adoption Panel of adopted young people, and how often does it meet?")
    assert not answer.abstained
    assert any("three or four times a year" in c.quote for c in answer.citations), answer.answer
    assert not any("East Sussex" in c.quote for c in answer.citations), "another council's panel is not 'it'"


def test_a_part_opening_with_a_preposition_brings_its_own_answer(assistant):
    """"..., and with what support from the council?" is a part of its own, asking what the
    council gives to staying put: the duty that says so is quoted beside the definition."""
    answer = assistant.ask("Can foster carers keep a young person after 18, and with what support from the council?")
    assert not answer.abstained
    assert any("provide advice and support (including financial)" in c.quote for c in answer.citations), answer.answer
    answer = assistant.ask("I'm 17 and living with foster carers I love. Can I stay on with them after I turn 18, "
                           "and for how long?")
    assert not any("for how long" in n for n in answer.notices), "the part is read with the first part's subject"


def test_a_list_item_that_is_no_sentence_is_quoted_under_its_lead_in(assistant):
    """"• culture, leisure, play, community services and youth work provision" means something
    only as one of the areas the toolkit's examples are grouped into."""
    answer = assistant.ask("What about libraries and play services?")
    lines = answer.answer.splitlines()
    at = [i for i, line in enumerate(lines)
          if line.lstrip("- ").startswith("Culture, leisure, play, community services and youth work provision [")]
    assert at, answer.answer
    for i in at:
        assert lines[i].startswith("  - ") and "grouped into the following areas" in lines[i - 1], answer.answer


def test_a_sentence_that_leans_on_the_one_before_is_judged_with_it(assistant):
    """"However, the establishment of a corporate parenting panel can provide a useful forum ..."
    answers why have a panel when every councillor is a corporate parent only read after "all
    councillors should seek to stay informed"; judged with it, it is chosen (and quoted with it)."""
    answer = assistant.ask("What's the point of having a corporate parenting panel if all councillors are "
                           "corporate parents anyway?")
    assert any("the establishment of a corporate parenting panel can provide a useful forum" in c.quote
               for c in answer.citations), answer.answer


def test_a_question_asking_what_a_section_heading_names_is_answered_from_that_section(assistant):
    """"Any advice on why a council would set up a corporate parenting panel?" is what the pack's
    section "Corporate parenting panel" is about."""
    answer = assistant.ask("Any advice on why a council would set up a corporate parenting panel?")
    assert any("useful forum" in c.quote for c in answer.citations), answer.answer


def test_a_sentence_whose_next_sentence_introduces_a_list_brings_the_list(assistant):
    """"... set out nine Quality Standards ..." is followed by "These quality standards are:" and the
    nine; asked what they are, the answer gives them. Asked how many, "nine" answers."""
    answer = assistant.ask("What are the Quality Standards that children's homes in England have to meet?")
    quotes = [c.quote for c in answer.citations]
    assert "These quality standards are:" in quotes and len(quotes) >= 11, answer.answer
    assert quotes.index("These quality standards are:") == 1 and quotes[0].startswith("The Children’s Homes")
    count = assistant.ask("How many quality standards do the Children's Homes (England) Regulations 2015 set out?")
    assert "These quality standards are:" not in [c.quote for c in count.citations], count.answer


def test_a_set_question_gets_the_list_it_asks_for_not_every_list_of_the_section(assistant):
    """The toolkit's section for registered care services has a list of principles, one of aims and
    one of what to do; "what should we be aiming for?" gets the aims, not all three."""
    question = "We're a charity running a registered care service in Wales: what should we be aiming for as a corporate parent?"
    answer = assistant.ask(question)
    quotes = [c.quote for c in answer.citations]
    assert any(q.startswith("Examples of aims") for q in quotes), answer.answer
    assert not any(q.startswith("Examples of what you can do") for q in quotes), answer.answer


def test_a_sentence_followed_by_this_includes_brings_the_list(assistant):
    """"The council has a duty, under Section 10 of the Children Act 2004, to promote cooperation
    ... to improve the wellbeing of young people in the area." goes on "This includes:" and five
    areas of wellbeing: the answer gives them."""
    answer = assistant.ask("What is the council's duty under Section 10 of the Children Act 2004?")
    quotes = [c.quote for c in answer.citations]
    assert "This includes:" in quotes and "protection from harm and neglect" in quotes, answer.answer


@pytest.mark.parametrize("question, begins", [
    ("What counts as private fostering?", "An informal arrangement where a child or young person is looked-after by someone"),
    ("What is a private arrangement?", "An informal arrangement where a child or young person is looked-after by a close"),
    ("How does the LGA's glossary define a children's home?", "A residential facility where groups of children"),
    ("What's a former relevant child?", "A care leaver aged 18-21 who was a relevant child"),  # then its second sentence
])
def test_a_term_asked_about_is_answered_from_the_glossary_entry_headed_by_it(assistant, question, begins):
    """The pack's glossary sets each term as a heading over its definition, several to a passage:
    the definition under the term asked about answers, not the one the passage starts with."""
    answer = assistant.ask(question)
    assert answer.citations and answer.citations[0].quote.startswith(begins), answer.answer


def test_how_many_is_answered_by_the_sentence_that_counts_them(assistant):
    answer = assistant.ask("How many nominations were there for Coventry's 2011 awards ceremony for children in care?")
    assert any("Over 200 nominations" in c.quote for c in answer.citations), answer.answer


def test_a_sentence_citing_a_web_page_in_brackets_can_answer(assistant):
    """"... the National Children's Bureau's Putting Corporate Parenting into Practice toolkit
    (http://www.ncb.org.uk/...) which is aimed at supporting councils ..." says something; only
    a line that is an address, or a reference entry, is never an answer."""
    answer = assistant.ask("Which toolkit does the 2012 pack suggest for training councillors on corporate parenting?")
    assert any("Putting Corporate Parenting into Practice" in c.quote for c in answer.citations), answer.answer


def test_a_reference_list_entry_is_not_an_answer(assistant):
    """Telford's list of sources ("... (publishing.service.gov.uk) DfE, February 2018") names
    documents; it says nothing about what health services should do."""
    answer = assistant.ask("Which health services does Telford say need particular attention for kids in care "
                           "and care leavers, and why?")
    assert not any(re.search(r"\.gov\.uk|www\.", c.quote) for c in answer.citations), answer.answer


def test_a_full_form_the_guidance_abbreviates_is_searched_with_its_abbreviation(assistant):
    """The pack writes "IROs are responsible for making sure ..."; asked with the full form, the
    answer finds it. Informal short forms are not added ("care leavers" is not "CL")."""
    from cpguide.index.vocabulary import default_vocabulary

    vocabulary = default_vocabulary()
    assert "IRO" in vocabulary.expand("What does an independent reviewing officer do?")
    assert "CL" not in vocabulary.expand("What should housing services do for care leavers?")
    answer = assistant.ask("What are independent reviewing officers responsible for making sure the council does?")
    assert any("IROs are responsible" in c.quote for c in answer.citations), answer.answer


def test_a_sentence_that_opens_with_however_comes_with_the_sentence_before_it(assistant):
    answer = assistant.ask("what is a corporate parenting panel for?")
    for c in answer.citations:
        assert not c.quote.startswith("However"), f"'{c.quote[:60]}...' is quoted without what it answers"


def test_a_question_about_something_the_library_never_mentions_declines_and_names_it(assistant):
    answer = assistant.ask("What does the Care Leaver Covenant ask employers to sign up to?")
    assert answer.abstained
    assert "Care Leaver Covenant" in answer.answer
    answer = assistant.ask("How do care leavers in Scotland get continuing care?")
    assert answer.abstained and "Scotland" in answer.answer


def test_a_question_asking_for_contact_details_the_library_lacks_declines(assistant):
    answer = assistant.ask("What's the phone number for Walsall Council's corporate parenting service?")
    assert answer.abstained
    assert "contact details" in answer.answer


def test_a_contact_question_the_library_answers_gets_the_address(assistant):
    answer = assistant.ask("What email address did the LGA give for sharing Corporate Parenting Week plans?")
    assert not answer.abstained, answer.answer
    assert any("children@local.gov.uk" in c.quote for c in answer.citations)


def test_another_places_contact_details_do_not_answer_a_contact_question(assistant):
    answer = assistant.ask("Who is the named contact for corporate parenting at Walsall Council?")
    assert answer.abstained, answer.answer
    assert "contact details" in answer.answer


@pytest.mark.parametrize("question", [
    "I'm 16 and my foster placement is ending. Can I stay at the same school if I move to another town in Wales?",
    "As a PCSO in Wrexham I keep being called to the same children's home. What does the Welsh toolkit suggest?",
])
def test_a_sentences_first_word_or_the_pronoun_i_is_not_a_name_the_library_lacks(assistant, question):
    """"Can I", "Do I" after a full stop and "Wrexham I keep ..." are not names; they once declined
    the question ("Nothing in the library mentions Can I.")."""
    answer = assistant.ask(question)
    assert not answer.abstained, answer.answer


def test_asking_for_someone_to_speak_to_asks_for_contact_details(assistant):
    answer = assistant.ask("Is there somebody at Central Bedfordshire I could speak to about their teenage adoption panel?")
    assert answer.abstained and "contact details" in answer.answer, answer.answer


def test_a_titled_scheme_name_the_library_never_uses_declines_even_when_its_words_are_common(assistant):
    answer = assistant.ask("What does the I Matter campaign ask councils to do for care leavers?")
    assert answer.abstained and "I Matter" in answer.answer, answer.answer
    assert not assistant.ask("Which of England's seven corporate parenting principles is about safety?").abstained


@pytest.mark.parametrize("question", [
    "What does a council pay a supported lodgings host each week?",
    "How big is the leaving care grant in Wales?",
    "What percentage of Walsall's care leavers are at university?",
    "What's the setting-up-home allowance for care leavers in Wales?",
    "How much council tax does a care leaver in Telford pay?",
])
def test_a_figure_asked_for_in_everyday_words_that_the_library_lacks_declines(assistant, question):
    answer = assistant.ask(question)
    assert answer.abstained, answer.answer


@pytest.mark.parametrize("question, declines", [
    ("What dates was Corporate Parenting Week 2014 held on?", True),  # the library has 2012's dates only
    ("When was Corporate Parenting Week 2012?", False),
    ("How many businesses have signed the Welsh charter so far?", True),
    ("What's the latest count of children in care in Wales?", True),
])
def test_a_date_for_another_year_or_a_figure_so_far_is_not_in_published_guidance(assistant, question, declines):
    assert assistant.ask(question).abstained == declines


@pytest.mark.parametrize("question, declines", [
    # "In September 2021, ... strategic responsibility ...": one rare word in common is not the group's date
    ("When was Telford & Wrekin's Corporate Parenting Strategic Group set up?", True),
    ("Is there a date set for reviewing the Welsh corporate parenting charter?", True),  # only its launch date
    ("When was the Welsh corporate parenting charter launched?", False),
    # the 2012 pack's own "Sign up to the Foster Carers Charter ... March" is not Trafford's date
    ("What date did Trafford Metropolitan Borough Council sign up to the Foster Carers Charter?", True),
    ("When did Coventry hold its celebration for looked after children?", False),
])
def test_a_date_counts_only_in_a_sentence_about_what_the_question_dates(assistant, question, declines):
    answer = assistant.ask(question)
    assert answer.abstained == declines, answer.answer
    if not declines:
        assert any(re.search(r"\b20\d\d\b", c.quote) for c in answer.citations), answer.answer


def test_who_holds_a_post_in_a_named_council_declines_and_says_so(assistant):
    """Guidance names roles, not the people in them."""
    answer = assistant.ask("Who chairs Walsall's corporate parenting board?")
    assert answer.abstained, answer.answer
    assert "the name of the person in that post" in answer.answer


# Words that only look like a request for a figure, a date or a contact; context said before
# the ask; a name saying who is asking. Each was declined, or answered with a web address, before.
ANSWERED_AS_MEANT = [
    ("When is a placement out of area?", "outside of the council’s geographical boundary"),
    ("How soon should work start on a care leaver's pathway plan?", "well in advance"),
    ("How often should a child's care plan be reviewed?", "every six months"),
    ("How long can a young person stay put with their foster carer?", "reaches 21"),
    ("Who chairs Stockton's children in care council meetings?", "who chair the meeting"),
    ("How much support should care leavers get from their personal adviser?", None),
    ("What are the costs of placement instability for children?", None),
    ("How can housing services address homelessness among care leavers?", None),
    ("What does the Welsh toolkit call organisations that sign the charter?", None),
    ("At the moment, what should schools be doing for looked-after children?", None),
    ("Care leavers' housing is on our panel's agenda next month. What should councillors be asking?", None),
    ("Our panel wants the current figures on care leavers' housing. What should councillors ask about it?", None),
    ("I'm visiting one of our children's homes next week: which of Walsall's levels of corporate parenting "
     "responsibility is that?", None),
    ("As a Year 11 tutor at Hillside Academy, how can I support a pupil in care?", None),
    ("I'm a PCSO with Gwent Police - what should police do for children in care?", None),
    ("We run the Kettle Café in Swansea: what could we do for care leavers?", None),
    ("Changing tack: I run a library in Cardiff. Should we be letting social workers use our rooms for meetings?",
     "use your facilities for meetings"),
]


@pytest.mark.parametrize("question, quoted", ANSWERED_AS_MEANT)
def test_a_question_is_answered_as_a_person_means_it(assistant, question, quoted):
    answer = assistant.ask(question)
    assert not answer.abstained, answer.answer
    assert not any(re.search(r"www\.|https?://|@", c.quote) for c in answer.citations), answer.answer
    if quoted:
        assert any(quoted in c.quote for c in answer.citations), answer.answer


# What the library cannot answer, however it is asked, and what the decline says is missing.
DECLINED_SAYING = [
    ("When is the next corporate parenting panel in Walsall?", "not current figures or dates"),
    ("How many children are looked after in Telford right now?", "not current figures or dates"),
    ("What is the cost of a residential placement for a council?", "an amount"),
    # Ages and a length of stay in the answering sentence are not a wage.
    ("What hourly wage do care leavers earn on Bolton's paid work experience scheme?", "an amount of money"),
    ("How often does Walsall's corporate parenting board meet?", "how often"),
    ("What can Pupil Premium Plus be spent on for looked-after children?", "Pupil Premium Plus"),
    ("We'd love to copy Coventry's awards night. How do I get hold of the organisers?", "contact details"),
    ("I'm a PCSO in Telford worried about a lad being exploited: how do I reach the CATE workers directly?",
     "contact details"),
    ("When exactly did Newcastle start giving young people in care preferential interviews for council jobs?",
     "a date"),
    ("How do I bake sourdough bread?", "does not seem to answer"),
    # A web address in the passage is not the phone number asked for.
    ("What is the phone number for the virtual school?", "contact details"),
    # A share wants a share ("93 per cent"), not any number; a rate of pay wants money.
    ("What proportion of foster carers in England are kinship carers?", "a rate or share"),
    ("What rate are Stockton's young inspectors paid?", "an amount of money"),
    # Each part asks for its own kind: "managed by a full-time coordinator" gives no way to reach them.
    ("Who manages Bolton's LASE scheme, and how do I get hold of them?", "contact details"),
    # An email in the toolkit is not Voices from Care Cymru's.
    ("What is the email address of Voices from Care Cymru?", "contact details"),
    # A nation the library does not cover is what every part of the question is about.
    ("What is Northern Ireland's version of staying put, and until what age can a young person stay?",
     "nothing on Northern Ireland"),
    # "Ambassadors are recruited annually" says how often, not since when.
    ("Which year did Gloucestershire start recruiting its Ambassadors?", "a date or time"),
    # A right to a scheme the library never names is asked about that scheme.
    ("What rights do care leavers have to a council tax exemption in Wales?", "council tax"),
]


def test_an_age_in_a_sentence_about_those_named_before_it_answers(assistant):
    """"Gloucestershire ... Ambassadors for Vulnerable Children and Young People ..." then "These
    young people, aged 16-25, ...": the age is theirs."""
    answer = assistant.ask("How old are Gloucestershire's Ambassadors?")
    assert not answer.abstained and any("aged 16-25" in c.quote for c in answer.citations), answer.answer


def test_a_kind_of_answer_asked_for_is_found_where_the_guidance_gives_it(assistant):
    """"usually aged between 16 and 19" answers what age group a scheme is for; "93 per cent" what
    share of care leavers move on to suitable accommodation."""
    ages = assistant.ask("What age group is Bolton's paid work experience scheme for?")
    assert not ages.abstained and any("aged between 16 and 19" in c.quote for c in ages.citations), ages.answer
    share = assistant.ask("What proportion of care leavers in Stockton move on to suitable accommodation?")
    assert not share.abstained and any("93 per cent" in c.quote for c in share.citations), share.answer


@pytest.mark.parametrize("question, says", DECLINED_SAYING)
def test_a_question_the_library_cannot_answer_declines_and_says_what_is_missing(assistant, question, says):
    answer = assistant.ask(question)
    assert answer.abstained and says in answer.answer, answer.answer


def test_an_answerable_question_is_still_answered_with_its_passage(assistant):
    answer = assistant.ask("Should care leavers be placed in bed and breakfast accommodation?")
    assert not answer.abstained
    assert any("bed and breakfast" in c.quote for c in answer.citations)


def test_a_contact_line_is_never_given_as_an_answer(assistant):
    answer = assistant.ask("What do Stockton's youth inspectors actually do?")
    assert answer.citations, answer.answer
    assert all("@" not in c.quote for c in answer.citations), answer.answer


def test_a_question_naming_an_acronym_the_library_uses_in_the_plural_is_answered(assistant):
    answer = assistant.ask("How did children in care do at GCSE back in 2011?")
    assert not answer.abstained, answer.answer
    assert any("13 per cent" in c.quote for c in answer.citations)


def test_a_question_asking_for_a_set_gets_the_list_its_lead_in_introduces(assistant):
    answer = assistant.ask("What opportunities does Corporate Parenting Week provide for a council?")
    found = _positions(answer, ["Corporate Parenting Week provides an opportunity for:", "sharing ideas and good practice",
                                "recruiting people to come forward and foster or adopt"])
    assert None not in found, answer.answer
    assert found == sorted(found)


@pytest.mark.parametrize("question, nation", [
    ("We're a small café chain in Cardiff: what could we offer?", "wales"),
    ("Our school is in Neath Port Talbot; what should we do?", "wales"),
    ("I run a gym in Leeds: can I help children in care?", "england"),
    ("Reading the strategy, what should the panel ask?", None),
])
def test_a_town_or_council_named_in_a_question_sets_its_nation(question, nation):
    assert place_in(question) == nation


@pytest.mark.parametrize("question, nation", [
    ("What should housing services do for care leavers in England and in Wales?", None),
    ("What should the NHS think about for kids in care's emotional health, on either side of the border?", None),
    ("What is the Welsh equivalent of England's corporate parenting principles?", "wales"),
])
def test_a_question_about_both_nations_is_set_in_neither(question, nation):
    assert place_in(question) == nation


def test_a_question_about_both_nations_is_answered_from_each(assistant):
    """It was answered from England's guidance alone, the first nation it named."""
    answer = assistant.ask("What should housing services do for care leavers in England and in Wales?")
    assert {c.jurisdiction for c in answer.citations} == {"england", "wales"}, answer.answer
    answer = assistant.ask("I work in CAMHS commissioning. What should the NHS be thinking about for kids in care's "
                           "emotional health, on either side of the border?")
    assert {c.jurisdiction for c in answer.citations} == {"england", "wales"}, answer.answer


def test_and_in_england_and_wales_asks_the_question_before_of_both_nations(assistant):
    """It was rewritten as "in England and Wales? (about: ...)", kept the Welsh filter and declined,
    saying nothing in the library mentions "England and Wales"."""
    conversation = Conversation()
    for question in ("What should schools do for children in care in Wales?", "And in England and Wales?"):
        answer = assistant.ask(question, conversation)
        conversation.turns.append(Turn(question, answer.resolved_question, answer))
    assert answer.resolved_question == "What should schools do for children in care in England and in Wales?"
    assert conversation.jurisdiction is None
    assert not answer.abstained, answer.answer
    assert not any("England and Wales" in n for n in answer.notices), answer.notices


def test_a_question_set_in_a_welsh_town_is_answered_from_welsh_guidance(assistant):
    answer = assistant.ask("I manage a lending branch in Swansea: how do I fit in as a corporate parent?")
    assert not answer.abstained, answer.answer
    assert {c.jurisdiction for c in answer.citations} == {"wales"}


def test_a_question_about_a_councils_own_document_the_library_lacks_declines_and_names_it(assistant):
    answer = assistant.ask("What does Bristol's corporate parenting strategy say about housing?")
    assert answer.abstained
    assert "Bristol" in answer.answer


# -- "according to the LGA": the source a question names ---------------------------------------

def test_a_question_naming_its_source_is_answered_from_that_source_not_from_sentences_naming_it(assistant):
    answer = assistant.ask("What does the Welsh toolkit say leisure services can do?")
    assert answer.citations, answer.answer
    first = answer.citations[0]
    assert first.doc_id == "wales-charter-toolkit"
    assert first.quote.startswith("Examples of what you can do as a corporate parent working in culture, leisure"), answer.answer
    assert not any("this toolkit" in c.quote or c.quote.startswith("By becoming a corporate parent")
                   for c in answer.citations), "a sentence about the toolkit itself is not an answer"


def test_a_publishers_own_practice_is_answered_from_its_documents(assistant):
    """"Telford's children in care" asks about Telford's own practice: Telford's document answers."""
    answer = assistant.ask("When one of Telford's children in care goes missing, what should partners understand?")
    assert answer.citations and {c.doc_id for c in answer.citations} == {"telford-partners"}, answer.answer
    # within Telford's document, its name picks out nothing: the sentence that answers is chosen
    family = assistant.ask("What is the idea behind Telford & Wrekin's Family First strategy?")
    assert any("The premise of our Family First strategy" in c.quote for c in family.citations), family.answer


def test_a_document_described_in_its_own_titles_words_is_a_source(searcher):
    """"the Welsh corporate parenting toolkit" is the "Corporate parenting charter toolkit"."""
    docs = {d: searcher.library.meta(d) for d in searcher.library.docs}
    found = named_source("What kinds of businesses count as the private sector in the Welsh corporate parenting toolkit?",
                         docs)
    assert found.doc_ids == ("wales-charter-toolkit",)
    assert "toolkit" not in found.rest and found.rest.startswith("What kinds of businesses count as the private sector")


def test_what_counts_as_a_term_is_answered_by_the_set_it_covers(assistant):
    """The toolkit's private-sector pages list what businesses can do and aim for; what counts as
    the private sector is said in one sentence, whatever the kinds are called in the question."""
    for question in ("What kinds of organisations does the Welsh toolkit count as the private sector?",
                     "What kinds of businesses count as the private sector in the Welsh corporate parenting toolkit?"):
        answer = assistant.ask(question)
        assert answer.citations[0].quote.startswith("Examples of the private sector can include"), answer.answer


def test_a_source_phrase_names_the_documents_it_means(searcher):
    docs = {d: searcher.library.meta(d) for d in searcher.library.docs}
    pack = named_source("According to the 2012 pack, how do outcomes for children in care compare?", docs)
    assert pack.doc_ids == ("lga-week-2012",)
    assert "2012" not in pack.rest and "outcomes for children in care" in pack.rest
    lga = named_source("What does the LGA say councillors should ask about care leavers' housing?", docs)
    assert set(lga.doc_ids) == {"lga-resource-pack", "lga-week-2012"} and "LGA" not in lga.rest
    other = named_source("What did the 2017 guidance on special guardianship say a court report must include?", docs)
    assert other.doc_ids == (), "the library's 2017 web page is not the 2017 guidance the question means"
    here = named_source("In Telford, which workers help young people at risk of exploitation?", docs)
    assert here.rest.startswith("In Telford"), "a place the asker is in is not a source phrase: it stays"
    assert here.doc_ids == ("telford-partners",) and here.first_place, "its council's documents are looked in first"
    assert not lga.first_place, "a source named is where the answer comes from"
    both = named_source("In Telford and Walsall, who counts as a corporate parent?", docs)
    assert set(both.doc_ids) == {"telford-partners", "walsall-service"}, "each council named is looked in"
    subject = "What do councils have to include in a corporate parenting strategy?"
    assert named_source(subject, docs) == named_source(subject, {}), "the strategy asked about is not a source"
    assert named_source(subject, docs).rest == subject
    short = named_source("What does the LGA say about housing?", docs)
    assert set(short.doc_ids) == {"lga-resource-pack", "lga-week-2012"}, "a short question still looks in the LGA's"
    assert named_source("What does the DfE guidance say about care leavers' housing?", docs).doc_ids == ()
    called = named_source("What does the Welsh toolkit call organisations that sign the charter?", docs)
    assert "call" in called.rest, "a verb that is the question itself stays"
    titled = named_source("What did Ofsted find about stigma, according to the Corporate Parenting Week pack?", docs)
    assert titled.doc_ids == ("lga-week-2012",), "a document called by its title is that document"


def test_a_source_named_in_the_possessive_is_where_not_what(assistant, searcher):
    """"What's the LGA pack's advice on how data should be presented?" was answered with "The LGA
    would be pleased to hear from you ..." and "The LGA's 'Must knows' ...": the pack's name
    pulled in the sentences that say it."""
    docs = {d: searcher.library.meta(d) for d in searcher.library.docs}
    found = named_source("What's the LGA pack's advice on how data should be presented to councillors?", docs)
    assert set(found.doc_ids) == {"lga-resource-pack", "lga-week-2012"}
    assert found.rest == "What's the advice on how data should be presented to councillors?"
    toolkit = named_source("What is the Welsh toolkit's advice for leisure centres?", docs)
    assert toolkit.doc_ids == ("wales-charter-toolkit",) and toolkit.rest == "What is the advice for leisure centres?"
    assert named_source("What is the council's advice on housing?", docs).rest == "What is the council's advice on housing?"
    answer = assistant.ask("What's the LGA pack's advice on how data should be presented to councillors?")
    assert answer.citations and not any("LGA" in c.quote for c in answer.citations), answer.answer


def test_a_sentence_opening_with_other_leans_on_the_one_before(assistant):
    """The 2012 pack's "Some other options that councillors might want to consider include:" means
    options besides the social media ones before it; read alone, its list of ways to hear from
    children in care was quoted to a ward member asking what to ask about children in their patch."""
    from cpguide.assistant.structure import leans_on_previous

    assert leans_on_previous("Some other options that councillors might want to consider include:")
    assert leans_on_previous("Another way is to ask them.") and not leans_on_previous("Otherwise it fails.")
    answer = assistant.ask("As a ward member, what sort of things should I be asking about looked after kids living "
                           "in my patch?")
    assert answer.citations[0].quote.startswith("Are there youth services in your ward"), answer.answer
    assert not any("scrutiny panel made up of looked after children" in c.quote for c in answer.citations), answer.answer


def test_an_example_is_quoted_with_what_it_is_an_example_of(assistant):
    """Telford's "For example, in the 2020 to 2021 academic year, children in need lost an average
    of 4.1 months of learning ..." illustrates the sentence before it (the pandemic's impact on
    the most vulnerable): it was quoted alone, opening on "For example"."""
    from cpguide.assistant.structure import leans_on_previous

    assert leans_on_previous("For example, local businesses might consider offering apprenticeships.")
    assert not leans_on_previous("For example:")  # a lead-in, with its list
    answer = assistant.ask("How many months of secondary school reading did children in need lose in 2020 to 2021?")
    quote = next(c.quote for c in answer.citations if "4.1 months" in c.quote)
    assert quote.startswith("The leadership of the VSHT is vital"), quote


def test_a_sentence_opening_with_but_is_quoted_with_what_it_answers(assistant):
    """"But there is no one-size-fits-all approach ..., and there are often very good reasons why
    some children are placed outside their home authority." answers the sufficiency duty before
    it; read alone it scored too low to be chosen, and the reasons after it ("This could be for
    their own safety, to break gang affiliation, ...") were never quoted."""
    from cpguide.assistant.structure import leans_on_previous

    assert leans_on_previous("But there is no one-size-fits-all approach to meeting the needs of individual children.")
    assert not leans_on_previous("Butterfly gardens are a popular activity.")
    answer = assistant.ask("What are legitimate reasons to move a CiC outside our borough?")
    assert any("to break gang affiliation" in c.quote for c in answer.citations), answer.answer


def test_each_part_of_a_question_after_who_asks_brings_its_answer(assistant):
    """"I work for a local charity in Telford." says who asks; the two parts after it are each answered."""
    answer = assistant.ask("I work for a local charity in Telford. What groups are there for care-experienced young "
                           "people to have their say, and can people from partner organisations go along?")
    assert any("established a Young Persons’ Panel" in c.quote for c in answer.citations), answer.answer
    assert "barriers" in default_vocabulary().expand("What might stop care-experienced kids using our leisure centre?")


def test_a_lead_in_that_names_what_is_asked_brings_its_list(assistant):
    """"Particular areas of focus include:" is two sentences after the one about the strategy, and
    its own words are the question's."""
    answer = assistant.ask("What particular areas of focus does Telford's partners paper list for the Joint Health "
                           "and Wellbeing Strategy?")
    quotes = [c.quote for c in answer.citations]
    assert "Particular areas of focus include:" in quotes, answer.answer
    assert any(q.startswith("mental health services") for q in quotes), answer.answer


def test_a_heading_that_asks_the_question_brings_the_list_under_it(assistant):
    """The 2012 pack asks "Why should my council get involved?" as a heading and answers it with a
    list of five opportunities: the whole list answers, though the question asks for no set."""
    answer = assistant.ask("Why should my council get involved in Corporate Parenting Week?")
    quotes = [c.quote for c in answer.citations]
    assert "Corporate Parenting Week provides an opportunity for:" in quotes, answer.answer
    assert any(q.startswith("recruiting people to come forward") for q in quotes), answer.answer
    assert "more in the source" not in answer.answer


def test_how_often_is_answered_by_so_many_hours_per_week(assistant):
    answer = assistant.ask("How often do mentors usually see the young person, and what did the Joseph Rowntree research find?")
    assert any("two hours per week" in c.quote for c in answer.citations), answer.answer


def test_a_count_of_a_named_councils_own_comes_from_that_council(assistant):
    """A national count of foster families is not Telford's; Stockton's figure sits in its case
    study, whose heading names it."""
    telford = assistant.ask("How many foster carers does Telford & Wrekin have on its books?")
    assert telford.abstained, telford.answer
    stockton = assistant.ask("What share of Stockton-on-Tees care leavers move on to suitable accommodation of their choice?")
    assert any("93 per cent" in c.quote for c in stockton.citations), stockton.answer


def test_when_the_law_first_did_something_is_answered_by_the_acts_year(assistant):
    law = assistant.ask("When did the law first define the responsibility of corporate parents?")
    assert any("2017" in c.quote for c in law.citations), law.answer


def test_when_something_first_happened_wants_a_date_not_how_often(assistant):
    answer = assistant.ask("When did Gloucestershire first recruit its Ambassadors for Vulnerable Children and Young People?")
    assert answer.abstained, "'Ambassadors are recruited annually' says how often, not when it began: " + answer.answer


def test_a_counted_set_the_library_only_names_is_declined_not_answered_by_its_name(assistant):
    """Telford's strategy "identifies the seven priorities" of its Promise without listing them."""
    answer = assistant.ask("What are the seven priorities in Telford's 'The Promise'?")
    assert answer.abstained and "mentions the seven priorities but does not set them out" in answer.answer, answer.answer
    listed = assistant.ask("What are the seven corporate parenting principles?")
    assert not listed.abstained and sum(1 for c in listed.citations if re.match(r"\d\. ", c.quote)) == 7


def test_a_document_called_by_its_title_answers(assistant):
    answer = assistant.ask("What did Ofsted find about stigma, according to the Corporate Parenting Week pack?")
    assert answer.citations and {c.doc_id for c in answer.citations} == {"lga-week-2012"}, answer.answer
    assert "Ofsted found that nearly half of children in care" in answer.citations[0].quote


def test_a_sentence_leaning_on_the_one_before_is_found_by_its_words(assistant):
    """"These included ways to ..." after "The final report ... contained 34 recommendations.": the
    pair answers "how many recommendations ... and when was it published?"."""
    answer = assistant.ask("How many recommendations did Sir Martin Narey's independent review of children's "
                           "residential care make, and when was it published?")
    assert any("34 recommendations" in c.quote and "July 2016" in c.quote for c in answer.citations), answer.answer


@pytest.mark.parametrize("question, kind", [
    ("How many 16 - 17 year olds are in care in Walsall?", "count"),
    ("When did Gloucestershire first recruit its Ambassadors?", "date"),
    ("Since when has Trafford been giving homeless 16 and 17-year-olds a full leaving care service?", "date"),
    ("When did Gloucestershire's pilot of personal budgets for children in care needing mental health support start?",
     "date"),
    ("How much extra money does each council get to extend the virtual school head role?", "amount"),
    ("How big was the investment the lead member won for the new children's homes, in pounds?", "amount"),
    ("Is there someone at Central Bedfordshire I can ring about their teenage adoption panel?", "contact"),
    ("How much a week do staying put carers get in fees and allowances?", "amount"),
    ("What's the recommended weekly pocket money for a looked after child?", "amount"),
    ("Up to what age - 18 or 21 - can care leavers get a personal adviser?", "age"),
    ("What is the minimum wage rate for apprentices?", "amount"),
    ("What was the NEET rate for care leavers in 2011?", "rate"),
    ("Our report goes to panel in March. What should it cover?", ""),
    ("What's the setting-up-home allowance for care leavers in Wales?", "amount"),
    ("How much council tax does a care leaver in Telford pay?", "amount"),
    ("How much say do young people get?", ""),
    ("Who chairs Walsall's corporate parenting board?", "person"),
    ("What's the name of Telford's virtual school head?", "person"),
    ("Which councillor is the lead member for children in the Vale of Glamorgan?", "person"),
    # A role, not the person in it:
    ("Who is the virtual school head?", ""),
    ("Who is responsible for Ofsted inspections?", ""),
    ("Who chairs the corporate parenting panel?", ""),
    ("What is the name of the scheme in Gloucestershire?", ""),
    ("Who is the Director of Children's Services?", ""),
    ("Who is the Virtual School Head in England?", ""),
    ("What is the name of the officer who chairs a looked-after child's review?", ""),
    ("Who is Telford's lead member for children's services?", "person"),
    ("Who's the named nurse for looked-after children in Telford?", "person"),
    ("How much benefit do young people get from having a mentor?", ""),
    ("What's the county council's yearly budget for its care leavers service?", "amount"),
    ("How much an hour do Telford's young inspectors get paid?", "amount"),
    ("What's the out-of-hours duty number for children's social care in Telford?", "contact"),
    ("Is there a web link to Telford's local offer for care leavers?", "contact"),
    ("Which named officer at Walsall handles apprenticeships for care leavers?", "contact"),
    ("When's the next meeting of Walsall's corporate parenting board due?", "date"),
    # A number counted, and a named nurse's role, are no contact:
    ("What is the number of children in care in Walsall?", "count"),
    ("What does the named nurse for looked-after children do?", ""),
])
def test_the_kind_of_answer_is_read_from_the_ask(question, kind):
    assert kind_asked(question) == kind


def test_a_current_rule_is_not_a_live_figure_and_who_asks_is_read_narrowly():
    rule = "What is the current age limit for staying put?"
    assert not asks_for_live(rule, kind_asked(rule), 2024)
    assert asks_for_live("How many children are in care right now?", "count", 2024)
    assert asker_spans("How should our council work with the Zebra Project?") == []
    assert asker_spans("As a SENCO, what should I do for pupils in care?") == [(0, 10)]


def test_a_question_in_two_parts_answers_the_part_the_library_covers_and_names_the_other(assistant):
    answer = assistant.ask("What should schools do for care-experienced pupils, and what does Passport to Success offer?")
    assert not answer.abstained and answer.citations, answer.answer
    assert any("Passport to Success" in n for n in answer.notices), answer.notices
    assert answer.resolved_question.endswith("Passport to Success offer?")
    assert assistant.ask("What does Passport to Success offer care leavers?").abstained, "asked alone, it declines"
    leaning = assistant.ask("What does Passport to Success offer, and which care leavers can apply for it?")
    assert leaning.abstained, "a part that leans on the unknown name is not answered on its own"
    elliptic = assistant.ask("What is the Brightstart Pledge and how can our business sign up?")
    assert elliptic.abstained, "nor is one that says too little to be asked alone (sign up to what?)"


def test_each_question_asked_in_turn_asks_for_its_own_kind(assistant):
    """"When's the next ...?" wants a date though the question after it does not; the 2012 week's
    dates are no answer to it."""
    answer = assistant.ask("When's the next Corporate Parenting Week? Could our ward take part?")
    assert answer.abstained, answer.answer


@pytest.mark.parametrize("question, quoted", [
    # Two names joined by "and the" are two names, each known to the library.
    ("In Luton, what ages do the Independent Visitor Scheme and the Mentoring service cover?", "up to the age of 18"),
    # Who is asking, said in a sentence of its own, is not a name the library lacks.
    ("I'm a neighbourhood officer with Gwent Police. How does the Welsh toolkit expect us to treat "
     "care-experienced young people?", ""),
])
def test_names_that_are_not_what_is_asked_about_do_not_decline(assistant, question, quoted):
    answer = assistant.ask(question)
    assert not answer.abstained, answer.answer
    assert not quoted or any(quoted in c.quote for c in answer.citations), answer.answer


def test_an_act_named_with_and_is_one_name_the_library_lacks(assistant):
    answer = assistant.ask("What does the Social Services and Well-being (Wales) Act 2014 require of councils as corporate parents?")
    assert answer.abstained and "Social Services and Well-being" in answer.answer, answer.answer


def test_a_publisher_the_text_never_names_is_still_known_to_the_library(assistant):
    # The toolkit's text never says "Welsh Government"; its metadata does.
    answer = assistant.ask("What does the Welsh Government ask organisations that sign the charter to do?")
    assert not answer.abstained, answer.answer
    assert "Welsh Government" not in answer.answer


# -- follow-ups and topic switches ------------------------------------------------------------

@pytest.mark.parametrize("question", [
    "how should we involve young people in the panel?",
    "Why do care leavers need help with council tax?",
    "What does the guidance say about placement stability?",
    "How can schools make sure they support children in care?",
    "Is it true that care leavers should never be put in bed and breakfast accommodation?",
    "What does it mean to be a corporate parent?",
    "So what is the role of the independent reviewing officer?",
    "Any advice on running a corporate parenting panel?",
    "Is it possible for a young person to stay with their foster carer after they turn 18?",
    "OK, different question: what should housing services do for care leavers?",
    "And what should schools do for children in care in Wales?",
    "In England, who has to follow the corporate parenting principles?",
    "Who sits on a corporate parenting panel and how often does it meet?",
    "How does the council make sure its care leavers get help with housing?",
    "What is a PEP?", "Totally different thing: what is staying put?",
    "If a care leaver is pregnant, can she stay in her flat with support?",
    "Right to stay put: what do care leavers need to know?",
    "What about schools - what should a designated teacher do for looked-after pupils?",
    "Thanks for that. How should foster carers be supported?", "And one more: who inspects children's homes?",
    "That's helpful. What is staying put?", "Staying put?", "What's SEND?", "What's advocacy?", "Who's Ofsted?",
    "OK, so what is a pathway plan?", "And separately, what is staying put?",
    "Now, what do the seven corporate parenting principles say?",
    "Can I ask about something else? What is a pathway plan?", "And a completely separate point: what is staying put?",
    "Can I ask about something else?",
    "Is it the council's job to keep in touch with care leavers after they turn 21?",
    "Does corporate parenting apply to district councils too?",
    "Also, who can get into LG Inform?", "Who runs LG Inform?",
    "Separately, what does Walsall expect of every member of its staff?",
    "Now for something else: what was Corporate Parenting Week?",
    "How do local authorities check that their foster carers are doing a good job?",
    "How much should a council involve young people when it recruits staff?",
    "Why might a pupil in care be behind classmates of the same age?",
    "How should a sports club in Cardiff involve young people in deciding what it offers?",
    "How should a youth forum decide the way it reports to councillors?",
    "What about Stockton's Young Inspectors: what do they check?",
    "And a quick different one: in Telford, who hears about children going missing?",
    "Totally different question: how did Lambeth help 14-year-old Amy settle in her new home?",
    "OK, and for kids who run away from care, does the council need to agree anything with neighbouring councils?",
    "Changing tack: why does the LGA say 'it takes a village to raise a child'?",
    "On something else entirely, what does special guardianship mean?",
    "One more on something else: what counts as private fostering?",
    # "it" pointing ahead, "too" before examples, "its" after the body named, "So"/"Also" before a whole
    # question, and where it is set before one:
    "What does it mean when a young person is in kinship care?",
    "What does it mean that corporate parenting is not restricted to councils?",
    "In Wales, is it ever OK to place a care leaver in a B&B?",
    "Is there a role for housing associations in Wales too, like offering tenancies to care leavers?",
    "How much say should a youth forum have over its own agenda?",
    "So what exactly is a 'pathway plan'?",
    "So what happens to a child's school place when they move foster home?",
    "Also, how often should a child's pathway plan be reviewed?",
    "And in Walsall, who checks that care leavers' flats are safe enough?",
    "Can councillors go along to the children in care council?", "Are there any schemes in Wales for care leavers?",
    "What happens in Corporate Parenting Week this week?", "What is there for care leavers in Walsall?",
    "What about the independent reviewing officer - what does that role involve?",
    "Which one of the seven principles is about stability?", "Would a bank count as part of the private sector?",
    "How can schools make sure they support their pupils in care?",
    # "those" a clause or a place follows, and "this" before a time, stand for no one said before:
    "How should those running leisure centres treat care-experienced visitors?",
    "What support should those leaving care at 18 get from housing services?",
    "Does this year's guidance still say councils must publish a local offer for care leavers?",
    "Until what age can care leavers get a personal adviser?",
    "And what is a personal adviser?", "And what is a pathway plan?",
    "Who else besides the council is a corporate parent?",
])
def test_a_question_that_names_its_own_subject_stands_alone(question):
    assert not leans_on_context(question)


def test_the_next_one_after_a_numbered_principle_is_the_next_principle():
    conversation = Conversation()
    conversation.turns.append(Turn("What does principle 3 of the Welsh charter, togetherness, ask of organisations?",
                                   "What does principle 3 of the Welsh charter, togetherness, ask of organisations?"))
    asked, _ = resolve("And the next one, support?", conversation)
    assert asked == "What does principle 4 of the Welsh charter ask of organisations?"


def test_the_ninth_one_of_a_numbered_list_is_the_item_numbered_nine(assistant):
    """Education's list of principles skips some ("... thrive (10)"): "the ninth one" is principle 9,
    answered from under its own heading, not the ninth line of the list nor a source asked of."""
    conversation = Conversation()
    for question in ("Which Welsh charter principles apply to education services?", "What does the ninth one say?"):
        answer = assistant.ask(question, conversation)
        conversation.turns.append(Turn(question, answer.resolved_question, answer))
    assert answer.citations and answer.citations[0].section == "Principle 9: a good education", answer.answer


def test_then_after_a_condition_the_question_sets_leans_on_nothing():
    assert not leans_on_context("If a child in care goes missing twice in a month, what should the council do then?")


@pytest.mark.parametrize("question", [
    "And what about health?", "and in Wales?", "Who checks that happens?", "why?",
    "Tell me more about the second point", "Does that apply to them too?", "What does the nurture one mean?",
    "Does it apply to care leavers?", "So who pays?", "Any examples?", "Is it compulsory?", "Is it the same in Wales?",
    "And going on to university?", "Right, and what about the police?", "And in Wales, who can sign up?", "OK, why?",
    "What is it and who runs it?", "Does the council have to fund it?", "What is the point?", "Why not?",
    "Can she stay put?", "Now that she is 18, can she stay put?", "Who gets one?",
    "What about housing - what should they do?", "Tell me more about the panel: who sits on it?",
    "Thanks for that. Who pays for it?", "That helps. And in Wales?",
    "Who else should be involved?", "Can you give an example?", "Which partners?",
    "What does the Welsh toolkit say?", "And what does the LGA recommend?", "What does the law say?",
    "What would you suggest?", "So what's the point?", "Different question: who pays for it?",
    "What do the principles say?", "So who is the chair?", "So what is the deadline?", "But what is the penalty?",
    "What would the police suggest?", "What do care leavers think?", "what does the lga say?",
    "What do the regulations say?", "Can schools help too?", "Whose job is it?",
    "Now for something else: what does it cost?", "Who checks that it happens?", "How do they check that?",
    "What should the council do when it happens?",
    "What about children placed out of area by other councils?", "What about kids with SEND, or those who don't speak English?",
    "What about when they leave care and move on?", "What about the rest of the council?",
    "What about the second principle on the list?", "What about GP practices and dentists in Wales?",
    "Is that a legal duty?", "Is this the same in Wales?", "In the same way?", "How do children know what it covers?",
    "What about Walsall: what do they do?", "What about Newport City Council: who pays for it?",
    "What about Telford's strategy: does it cover this?", "What did Ofsted say about her?",
    "A quick different one: who pays for it?", "And for care leavers, what does that mean?", "And for them, who pays?",
    "What does 'it' mean?", "What should our allocation policy look like then?", "Who chairs the panel, then?",
    "What does it mean?", "So what should they do about it?", "Does it cover academies too?",
    "And for care leavers, is it different?", "And in Walsall?", "So is that the same in Wales?",
    "Is it ever OK?", "Also, who checks that?",
    "Can partners go along?", "How do young people sign up?", "What was happening locally that week?",
    "Which one would a youth worker be?", "Would a building society count?",
    "What about those?", "And those leaving care?", "Does this apply to academies?",
    "Until what age?", "Till what age?", "And what is it?", "Who else besides them?",
])
def test_a_question_that_leans_on_the_conversation_is_a_follow_up(question):
    assert leans_on_context(question)


def test_a_topic_switch_mid_conversation_is_not_rewritten_and_drops_the_place(assistant):
    conversation = Conversation()
    first = assistant.ask("What should schools do for care-experienced children in Wales?", conversation)
    conversation.turns.append(Turn(first.question, first.resolved_question, first))
    assert conversation.jurisdiction == "wales"
    switch = assistant.ask("how should we involve young people in the panel?", conversation)
    assert switch.resolved_question == "how should we involve young people in the panel?"
    assert conversation.jurisdiction is None
    assert all(c.jurisdiction != "wales" for c in switch.citations), switch.answer


def _after(first: str) -> Conversation:
    """A conversation whose one earlier question was ``first`` (asked as it stands)."""
    return Conversation(turns=[Turn(first, first)])


def test_a_follow_up_does_not_repeat_the_opener_of_the_question_before():
    conversation = _after("OK, different question: what should housing services do for care leavers?")
    resolved, place = resolve("and in Wales?", conversation)
    assert resolved == "what should housing services do for care leavers? (in Wales)" and place == "wales"


def test_a_numbered_part_named_is_answered_from_under_its_heading_and_the_next_one_follows(assistant):
    """"What's the first principle in the Welsh charter?" is what "Principle 1: equality" says, not
    the charter's sentences about its principles in general; "And the second one?" asks the same
    question of the second."""
    conversation = Conversation()
    first = assistant.ask("What's the first principle in the Welsh corporate parenting charter?", conversation)
    assert first.citations and first.citations[0].quote.startswith("Support care-experienced children"), first.answer
    conversation.turns.append(Turn(first.question, first.resolved_question, first))
    second = assistant.ask("And the second one?", conversation)
    assert second.resolved_question == "What's the second principle in the Welsh corporate parenting charter?"
    assert second.citations and second.citations[0].quote.startswith("Recognise care-experienced"), second.answer


def test_the_same_question_for_the_other_nation_names_only_that_nation():
    conversation = _after("What should the police do for children in care in Wales?")
    resolved, place = resolve("And in England?", conversation)
    assert resolved == "What should the police do for children in care in England?" and place == "england"
    conversation.turns.append(Turn("And in England?", resolved))
    resolved, _ = resolve("What about schools?", conversation)
    assert "Wales" not in resolved and resolved.endswith("in England?")


def test_what_about_another_partner_replaces_the_whole_partner_named_before():
    conversation = _after("What are the aims for the police and criminal justice system as corporate parents in Wales?")
    resolved, _ = resolve("What about schools?", conversation)
    assert resolved == "What are the aims for the schools as corporate parents in Wales?"


def test_the_other_nation_asked_after_a_named_source_drops_that_source(assistant):
    """"And in Wales?" after a question about what the LGA's pack says asks Wales's guidance:
    the LGA's pack speaks for England."""
    conversation = Conversation()
    first = assistant.ask("What does the LGA 2019 pack say the NHS is responsible for?", conversation)
    conversation.turns.append(Turn(first.question, first.resolved_question, first))
    follow = assistant.ask("And in Wales?", conversation)
    assert "LGA" not in follow.resolved_question and follow.resolved_question.endswith("(in Wales)"), follow.resolved_question
    assert not follow.abstained and all(c.jurisdiction == "wales" for c in follow.citations), follow.answer


def test_a_real_follow_up_keeps_the_subject_and_the_place():
    conversation = Conversation(turns=[Turn("What should housing services do for care leavers?",
                                            "What should housing services do for care leavers?")],
                                jurisdiction="wales")
    resolved, place = resolve("And what about health?", conversation)
    assert resolved == "What should health services do for care leavers?"
    assert place == "wales"


def test_a_short_follow_up_is_answered_from_the_conversation(assistant):
    conversation = Conversation()
    for question in ("What is the Pillars of Parenting model that Hampshire used in its children's homes?",
                     "Did it make a difference?"):
        answer = assistant.ask(question, conversation)
        conversation.turns.append(Turn(question, answer.resolved_question, answer))
    assert not answer.abstained, answer.answer
    assert any("Pillars of Parenting" in c.quote for c in answer.citations)


def test_a_follow_up_asking_only_for_an_age_takes_its_subject_from_the_conversation(assistant):
    """"How old are they?" names nothing of its own; "These young people, aged 16-25, ..." about the
    Ambassadors the conversation is about gives the age asked for."""
    answer = _converse(assistant, "Who are Gloucestershire's Ambassadors for Vulnerable Children and Young People?",
                       "How old are they?")
    assert not answer.abstained, answer.answer
    assert any("aged 16-25" in c.quote for c in answer.citations), answer.answer


def test_a_sentence_too_short_to_say_anything_brings_the_one_after_it(assistant):
    """"There will be things happening nationally too." announces what the next sentence tells."""
    answer = _converse(assistant, "What was Corporate Parenting Week in 2012?", "Were things happening nationally as well?")
    assert any("The LGA will be running a session" in c.quote for c in answer.citations), answer.answer


def test_a_follow_up_is_answered_where_the_last_answers_passage_goes_on(assistant):
    conversation = Conversation()
    for question in ("Why did Trafford decide to do more for homeless 16 and 17 year olds than the law required?",
                     "What did Ofsted make of it?"):
        answer = assistant.ask(question, conversation)
        conversation.turns.append(Turn(question, answer.resolved_question, answer))
    assert any(c.quote.startswith("Ofsted was very supportive of the approach") for c in answer.citations), answer.answer
    alone = assistant.ask("What did Ofsted make of it?")
    assert not any(c.quote.startswith("Ofsted was very supportive") for c in alone.citations)


def test_a_list_off_the_point_does_not_pad_an_answer(assistant):
    """Asked for an email address, the answer gives it, not the list of what Corporate Parenting
    Week is an opportunity for, whose lead-in scored well below it."""
    answer = assistant.ask("What email address did the LGA give for sharing Corporate Parenting Week plans?")
    assert any("children@local.gov.uk" in c.quote for c in answer.citations), answer.answer
    assert not any("provides an opportunity for:" in c.quote for c in answer.citations), answer.answer


def test_a_partners_duties_come_from_its_own_list_not_another_partners(assistant):
    """Schools asked about in Wales: the education services list, not the social services list
    whose items also mention school and education."""
    answer = assistant.ask("What should schools do for children in care in Wales?")
    quotes = [c.quote for c in answer.citations]
    assert any("corporate parent in education services:" in q for q in quotes), answer.answer
    assert not any("social services:" in q or "takes full account of their educational needs" in q for q in quotes), \
        answer.answer


def test_a_sentence_ending_in_a_colon_is_never_quoted_without_what_it_introduces(assistant):
    """The Welsh toolkit's "... a rights based approach by:" lost its list: it is not quoted at all.
    "... using local authorities as an example:" is quoted with the sentence it introduces."""
    lost = assistant.ask("What approach do care-experienced children need corporate parents to take in Wales?")
    assert not any(c.quote.rstrip().endswith("approach by:") for c in lost.citations), lost.answer
    example = assistant.ask("How does the Welsh toolkit explain what corporate parenting means, using local "
                            "authorities as an example?")
    quote = next(c.quote for c in example.citations if "as an example:" in c.quote)
    assert "When a child comes into care, the local authority becomes the" in quote, example.answer


def test_a_quote_goes_on_past_a_footnote_printed_between_its_sentences(assistant):
    """"It should include commentary ..." goes on from the sentence about the IRO manager's annual
    report; a footnote line printed at the page's foot sits between them in the document."""
    answer = assistant.ask("What should the IRO manager's annual report to the corporate parenting panel cover?")
    quotes = [c.quote for c in answer.citations]
    at = next(i for i, q in enumerate(quotes) if "IRO manager should produce an annual report" in q)
    assert any(q.startswith("It should include commentary on issues including the participation of children")
               for q in quotes[at + 1:at + 2]), answer.answer  # quoted on its own, right after it
    assert not any("Children Act 1989, Section 22G" in q for q in quotes)


def test_a_follow_up_is_answered_about_the_conversations_subject(assistant):
    """"What would they spend their time doing together?" after a question about mentors is about
    time with a mentor: the sentence about it, not one about networks of support."""
    conversation = Conversation()
    for question in ("What can a mentor offer a young person in care?",
                     "And what would they spend their time doing together?"):
        answer = assistant.ask(question, conversation)
        conversation.turns.append(Turn(question, answer.resolved_question, answer))
    assert any("This time might be spent helping with homework" in c.quote for c in answer.citations), \
        answer.answer


def test_what_does_a_source_say_asks_the_question_before_of_that_source(assistant):
    conversation = Conversation()
    for question in ("What should housing services do for care leavers?", "What does the Welsh toolkit say?",
                     "And what does the LGA say?"):
        answer = assistant.ask(question, conversation)
        conversation.turns.append(Turn(question, answer.resolved_question, answer))
        if question.startswith("What does the Welsh"):
            assert answer.resolved_question.startswith("What should housing services do for care leavers?")
            assert {c.doc_id for c in answer.citations} == {"wales-charter-toolkit"}, answer.answer
    assert answer.resolved_question.startswith("What should housing services do for care leavers?"), answer.resolved_question
    assert {c.doc_id for c in answer.citations} == {"lga-resource-pack"}, "the Welsh toolkit's place is not kept: " + answer.answer
    assert any("housing" in c.quote for c in answer.citations), answer.answer


def test_a_follow_up_whose_subject_is_only_in_the_conversation_is_answered(assistant):
    conversation = Conversation()
    for question in ("What performance data should come to members about children in care?",
                     "How do we know if our figures are good or bad?", "Is there a free tool for doing that?"):
        answer = assistant.ask(question, conversation)
        conversation.turns.append(Turn(question, answer.resolved_question, answer))
    assert not answer.abstained, answer.answer
    assert any("free online service" in c.quote for c in answer.citations), answer.answer


def test_where_a_young_person_will_live_is_asked_as_accommodation(assistant):
    """"What should it say about where they'll live?" after a question about pathway plans is
    about the accommodation the plan should include."""
    conversation = Conversation()
    for question in ("What is a pathway plan and when is it drawn up?", "What should it say about where they'll live?"):
        answer = assistant.ask(question, conversation)
        conversation.turns.append(Turn(question, answer.resolved_question, answer))
    assert any("bed and breakfast" in c.quote for c in answer.citations), answer.answer


def test_a_partner_added_to_the_vocabulary_is_understood_by_conversations(monkeypatch):
    data = dict(actors._data())
    housing = dict(data["actors"]["housing"])
    housing["terms"] = list(housing["terms"]) + ["Anytown Homes"]
    data["actors"] = {**data["actors"], "housing": housing}
    for cached in (actors._data, actors.actor_vocabulary, actors.topic_vocabulary):
        cached.cache_clear()
    monkeypatch.setattr(actors, "_data", lambda: data)
    try:
        assert [m[2] for m in actors.subjects_in("What should Anytown Homes do?")] == ["housing"]
        conversation = Conversation(turns=[Turn("What should the police do for care leavers?",
                                                "What should the police do for care leavers?")])
        resolved, _ = resolve("and what about Anytown Homes?", conversation)
        assert resolved == "What should the Anytown Homes do for care leavers?"
    finally:
        actors.actor_vocabulary.cache_clear()
        actors.topic_vocabulary.cache_clear()


def test_a_follow_up_the_last_answer_already_answered_gets_where_the_passage_goes_on(assistant):
    """"What came of it in the end?" after the Hampshire case study's first sentence: the reader has
    that sentence; what came of it is told where the passage goes on."""
    first = "What did Hampshire's lead member do when the children's residential service was under review?"
    answer = _converse(assistant, first, "What came of it in the end?")
    assert any("As a result, he was able to successfully bid" in c.quote for c in answer.citations), answer.answer



def test_who_agrees_it_is_answered_by_the_sentence_after_the_one_already_given(assistant):
    """"Who agrees it?" after "what are joint health and wellbeing strategies for?": the sentence
    already given says what they are; the next one says who agrees them."""
    answer = _converse(assistant, "Moving on, what are joint health and wellbeing strategies for?", "Who agrees it?")
    assert any("agreed by the health and wellbeing board" in " ".join(c.quote.split()) for c in answer.citations), \
        answer.answer


def test_one_bullet_under_nothing_is_not_a_list(assistant):
    """A reference title the document sets as a lone bullet ("Children's Social Care: Stable Homes,
    Built on Love consultation response") is no list: it neither quotes itself as its own item nor
    crowds out the list item that answers."""
    answer = assistant.ask("Which health services does Telford say need particular attention for kids in care "
                           "and care leavers, and why?")
    assert any(c.quote.startswith("mental health services") for c in answer.citations), answer.answer
    quotes = [c.quote for c in answer.citations]
    assert len(quotes) == len(set(quotes)), answer.answer


def test_which_two_word_plural_asks_for_the_set(assistant):
    """"Which health services ...?" asks for a set as "Which services ...?" does: the answer gives
    the strategy's areas of focus whole. "Which body reviews how ...?" asks for one."""
    answer = assistant.ask("Which health services should the joint health and wellbeing strategy pay particular "
                           "attention to for children in Telford's care, and why?")
    for item in ("mental health services", "sexual health and family planning services",
                 "substance and alcohol prevention services"):
        assert any(c.quote.startswith(item) for c in answer.citations), (item, answer.answer)
    assert asks_for_set("Which business sectors does the toolkit name?")
    assert not asks_for_set("In Telford, which body reviews how LAC and CLA get on with what is provided?")
    assert not asks_for_set("Which officer checks that flats are safe?")


@pytest.mark.parametrize("question, is_set", [
    ("A care-experienced young woman on our waiting list is pregnant. What does the Welsh toolkit expect from housing?",
     False),  # "list" in the situation told, not in what is asked
    ("A 17-year-old turns up at housing options with nowhere to sleep and was never looked after: what do we legally "
     "owe them?", False),
    ("We're a housing association in Swansea. What sorts of places to live should we be offering care leavers?", True),
    ("Our community safety partnership wants a quick steer: what are the big safeguarding risks that hit "
     "looked-after children harder than other kids?", True),
])
def test_a_set_is_asked_for_in_the_question_not_in_the_situation_told_before_it(question, is_set):
    assert asks_for_set(question) is is_set


def test_a_situation_told_before_the_question_gets_the_item_on_point_not_the_whole_list(assistant):
    """The Welsh housing list has nine items; the young woman expecting a baby needs the one about her."""
    answer = assistant.ask("A care-experienced young woman on our waiting list is pregnant. What does the Welsh "
                           "toolkit expect from housing?")
    assert any("young care-experienced woman who are pregnant" in c.quote for c in answer.citations), answer.answer
    assert len(answer.citations) <= 4, answer.answer


def test_expecting_a_baby_is_pregnant(assistant):
    """"She's expecting" is what the guidance calls pregnant: the housing item about her answers."""
    answer = assistant.ask("One of the care leavers on our housing list in Newport has just told us she's expecting. "
                           "What does the Welsh guidance say we should do?")
    assert any("young care-experienced woman who are pregnant" in c.quote for c in answer.citations), answer.answer


def test_and_in_wales_answers_what_was_asked_not_what_mentions_wales(assistant):
    """"And in Wales?" after what the LGA says the NHS is responsible for: Wales's guidance for
    health services, not the toolkit's sentences that name Wales ("... as other children and
    young people in Wales.")."""
    answer = _converse(assistant, "What does the LGA say the NHS is responsible for as a partner in corporate parenting?",
                       "And in Wales?")
    assert answer.citations and all(c.jurisdiction == "wales" for c in answer.citations), answer.answer
    assert "Health services" in answer.citations[0].section, answer.answer


@pytest.mark.parametrize("question, is_set", [
    ("What KPIs should I expect to see in our CLA performance reports?", True),
    ("What quality standards must children's homes in England meet?", True),
    ("What email address should I use to reach the panel?", False),  # "address" is no plural
    ("What progress have virtual school heads made?", False),
    ("What happens when a child in care goes missing?", False),
])
def test_what_and_a_plural_asks_for_a_set(question, is_set):
    assert asks_for_set(question) is is_set


def test_what_kpis_gets_the_key_priorities_whole(assistant):
    answer = assistant.ask("What KPIs should I expect to see in our CLA performance reports?")
    for item in ("placement stability", "health data", "educational attainment", "availability of suitable housing"):
        assert any(c.quote.lower().startswith(item) for c in answer.citations), (item, answer.answer)


@pytest.mark.parametrize("question, said", [
    # "The basic income pilot" is in lower case, so no capitalised name gives it away; no passage
    # names it (though each of its words is used), so the question is declined and says what is missing.
    ("How can a care leaver in Wales apply for the basic income pilot?",
     "Nothing in the library mentions the basic income pilot."),
    ("How should the council carry out an age assessment for a UASC who says they're 16?",
     "Nothing in the library mentions the age assessment."),
    ("Are care leavers exempt from paying council tax?", "Nothing in the library mentions the council tax."),
    ("How does a young person in care make a formal complaint about their social worker?", "formal complaint"),
])
def test_a_scheme_procedure_or_charge_the_library_never_names_is_declined_by_name(assistant, question, said):
    answer = assistant.ask(question)
    assert answer.abstained, answer.answer
    assert said in answer.answer, answer.answer


@pytest.mark.parametrize("question", [
    "Could homeless young people in Trafford who had never been in care get a leaving care grant?",  # named
    # "I run a mentoring scheme" says who is asking; what they ask (mentors' time) is answered.
    "I run a small mentoring scheme for care leavers. How much time do mentors usually give?",
])
def test_a_scheme_the_library_names_or_the_asker_runs_is_answered(assistant, question):
    answer = assistant.ask(question)
    assert not answer.abstained, answer.answer


@pytest.mark.parametrize("question, goes_on", [
    # The next sentence of the paragraph answers: "Pass on feedback about assessments to the
    # clinical commissioning group (CCG), which carries them out, ..."
    ("Where should our feedback about children's health checks go?", "clinical commissioning group"),
    # The next paragraph under the same heading answers: "The final report was published in July 2016 ..."
    ("When was the final report of Sir Martin Narey's review published?", "published in July 2016"),
    # Two sentences on, past "They act as a scrutiny tool ...": "The panel receive regular updates on ..."
    ("What does the corporate parenting panel in East Sussex receive updates on?", "regular updates on Ofsted"),
])
def test_the_sentence_that_goes_on_to_answer_comes_with_the_best_one(assistant, question, goes_on):
    """The best sentence sets the scene; the one after it holds the word the question turns on."""
    answer = assistant.ask(question)
    assert not answer.abstained
    assert any(goes_on in c.quote for c in answer.citations), [c.quote[:80] for c in answer.citations]


def test_a_next_sentence_without_a_telling_word_of_the_question_stays_out(assistant):
    """"How often ...?" is answered by "an annual health assessment (every six months for
    under-fives)"; the sentence after it, about passing on feedback, adds no word of the question
    and is not quoted."""
    answer = assistant.ask("How often should looked-after children have a health assessment?")
    assert any("annual health assessment" in c.quote for c in answer.citations)
    assert not any("clinical commissioning group" in c.quote for c in answer.citations)


@pytest.mark.parametrize("question", [
    "What kinds of housing should Welsh housing services have available for care leavers?",
    # Here the duty about the housing allocation policy is a shade closer in meaning (.586 to .583).
    "What kinds of housing should a Welsh housing service have available for young people leaving care?",
])
def test_kinds_named_in_one_sentence_are_the_answer_not_the_list_around_it(assistant, question):
    """"What kinds of housing ...?" is answered by the duty that names them ("a range of
    accommodation options including supported accommodation, supported lodgings, training flats,
    ..."), not by the ten duties of the housing list it is one item of."""
    answer = assistant.ask(question)
    assert len(answer.citations) == 1, [c.quote[:60] for c in answer.citations]
    assert "supported lodgings, training flats" in answer.citations[0].quote


def test_kinds_not_named_in_one_sentence_still_get_the_list(assistant):
    """"What kinds of support can businesses offer?" names no sentence's inline set (the toolkit's
    "can include national and small businesses, the banking sector ..." names kinds of business):
    the list of what businesses can do is the answer."""
    answer = assistant.ask("What kinds of support can businesses offer care leavers in Wales?")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "one-to-one mentoring" in quotes and "work experience placements" in quotes
    assert "banking sector" not in quotes


def test_a_word_known_only_through_its_stem_is_named_as_missing(assistant):
    """The stemmer files "exclusion" with "exclusive" (which the 2012 pack uses); the library never
    speaks of exclusion, and the answer says so rather than passing it over."""
    answer = assistant.ask("What should happen when a child in care faces exclusion from school?")
    said = " ".join(answer.notices) + " " + answer.answer
    assert "mentions exclusion" in said


def test_an_inflected_word_the_library_uses_is_not_named_as_missing(assistant):
    """"recruiting" is in the library as "recruitment" and "recruit": known, whatever its ending."""
    answer = assistant.ask("How should we go about recruiting foster carers?")
    assert not answer.abstained
    assert not any("recruiting" in n for n in answer.notices)


def test_the_sentence_naming_what_is_asked_for_joins_the_three_closest(assistant):
    """"What barriers ...?": three sentences about sport and leisure in general score closest, and
    the one naming the barriers ("Consider the practical barriers such as cost, ...") is as close
    to the best as they are; it is quoted too."""
    answer = assistant.ask("What barriers to sport, culture and youth activities does the Welsh toolkit ask "
                           "leisure providers to tackle?")
    assert not answer.abstained
    assert any("practical barriers" in c.quote for c in answer.citations), [c.quote[:60] for c in answer.citations]


def test_a_short_list_is_given_whole_to_a_question_that_asks_for_no_set(assistant):
    """"How could I find out from looked after children how well we're doing?" asks for no set,
    but the answer is the 2012 pack's five options for councillors: all five are quoted, not
    only the two that share most words with the question."""
    answer = assistant.ask("As a councillor, how could I find out from looked after children how well we're doing?")
    quotes = " ".join(c.quote for c in answer.citations)
    for option in ("scrutiny panel made up of looked after children", "special surgery",
                   "Visiting children’s homes", "survey of young people in care"):
        assert option.lower() in quotes.lower(), option


@pytest.mark.parametrize("question, members", [
    ("What can a GP surgery, a dental practice and an optician each do for care-experienced young people?",
     ["a GP surgery", "a dental practice", "an optician"]),
    ("What does the toolkit suggest GPs, dentists and opticians each do?", ["GPs", "dentists", "opticians"]),
    ("What do the police and youth offending teams each have to do?", ["the police", "youth offending teams"]),
    ("What are the seven principles and what does each mean?", []),  # "each" of a set, no members named
    ("What should each partner do for care leavers?", []),
])
def test_a_question_asked_of_each_of_several_is_read_as_one_question_for_each(question, members):
    assert [member for member, _ in each_asked(question)] == members
    for member, said in each_asked(question):
        assert member in said and " each " not in said


def test_each_of_several_asked_about_gets_its_own_sentence(assistant):
    """"What can a GP surgery, a dental practice and an optician each do ...?": the sentence naming
    all three ("registered with ... GP services, dentists and opticians") scores best for each; the
    answer also quotes what the toolkit says each one can do."""
    answer = assistant.ask("What can a GP surgery, a dental practice and an optician each do for "
                           "care-experienced young people in Wales?")
    quotes = " ".join(c.quote for c in answer.citations)
    for said in ("As a GP you can", "As a dentist you can", "As an optician, you can"):
        assert said in quotes, said


def test_what_to_be_asking_is_answered_by_the_guidance_s_questions(assistant):
    """"What sort of things should I be asking ...?" asks for questions: the resource pack's ward
    questions answer it ahead of the 2012 pack's list of options, which holds no question."""
    answer = assistant.ask("As a ward member, what sort of things should I be asking about looked after kids "
                           "living in my patch?")
    assert "in your ward" in answer.citations[0].quote, answer.citations[0].quote


def test_a_list_that_says_none_of_the_question_s_own_words_is_not_the_set_asked_for(assistant):
    """"What does Walsall mean by 'creation of the conditions'?" is answered by the sentence that
    speaks of it; Walsall's three levels of responsibility ("Universal", "Targeted", "Specialist")
    say nothing of conditions, and are not quoted as the set asked for."""
    answer = assistant.ask("What does Walsall mean when it talks about the 'creation of the conditions' for "
                           "children in care?")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "creation of the conditions" in quotes.replace("‘", "'").replace("’", "'")
    assert "Universal: for example" not in quotes and "three different levels" not in quotes



def test_a_question_that_sets_the_scene_is_answered_by_what_it_asks(assistant):
    """"Our housing association ... is thinking about signing the charter. What should we weigh up
    before we commit?": the scene finds the passages, but the sentences are judged by the ask as
    much as by the whole. The scene's words had put the toolkit's housing aims first; what to
    think about before signing up answers it. Likewise a police sergeant asking what to aim for
    gets the police aims, not the list of what officers can do."""
    charter = assistant.ask("Our housing association in Newport is thinking about signing the charter. "
                            "What should we weigh up before we commit?")
    assert charter.citations[0].quote.startswith("Before signing up, think about how you could adopt"), charter.answer
    police = assistant.ask("I'm a sergeant with South Wales Police. Under the Welsh charter, what are we meant to be "
                           "aiming for as a corporate parent?")
    assert police.citations[0].quote.startswith("Examples of aims as a corporate parent in the police"), police.answer


def test_asked_whether_something_holds_for_all_the_answer_says_it_need_not(assistant):
    """"Does my organisation have to sign up to every principle ...?": the toolkit's answer is
    "It may be that not all the principles are relevant for your organisation ...". The sentences
    about signing up scored higher and it was left out; asked whether something holds for all,
    the sentence saying it need not is quoted too."""
    answer = assistant.ask("Does my organisation have to sign up to every principle of the Welsh charter?")
    assert any(c.quote.startswith("It may be that not all the principles are relevant") for c in answer.citations), \
        answer.answer
    # the same words asked as a what-question bring no such sentence
    what = assistant.ask("What principles does the Welsh charter ask organisations to sign up to?")
    assert not any("not all the principles" in c.quote for c in what.citations), what.answer


def test_asked_yes_or_no_the_answer_says_what_is_not_required(assistant):
    """A head teacher asks whether the virtual school, now that its remit covers children with a
    social worker, will work one to one with them. Telford answers it: "This extended role does not
    require virtual school heads to provide direct intervention ...", which scored below the
    sentences about what a virtual school head does and was left out. Asked yes or no, the
    sentence saying what is not required is quoted too; "don't have to" is not such a sentence
    ("... step in to help young people – even where they don't have to ...")."""
    answer = assistant.ask("Since the virtual head's job was widened to pupils with a social worker, will the "
                           "virtual school come in and work one-to-one with those pupils and their families?")
    assert any(c.quote.startswith("This extended role does not require virtual school heads") for c in answer.citations), \
        answer.answer
    grant = assistant.ask("Could homeless young people in Trafford who had never been in care get a leaving care grant?")
    assert not any("don’t have to" in c.quote for c in grant.citations), grant.answer


def test_a_sentence_that_raises_what_the_next_one_says_brings_it(assistant):
    """"Financial support can be an issue for any carer, but in particular there may be concerns
    around carers with young people in staying put arrangements." says there is a concern, and the
    sentence after it says what it is ("While they still receive fees and allowances, these are
    lower than for fostering placements ..."). It was quoted alone; the sentence after a chosen one
    that points back to it in its first words now comes with it."""
    answer = assistant.ask("Do carers lose money when a youngster they look after hits 18 and stays on?")
    assert any("these are lower than for fostering placements" in c.quote for c in answer.citations), answer.answer
    small = assistant.ask("Is being a corporate parent only about big statutory stuff, or the little things too?")
    assert any("It’s about making sure children receive birthday cards" in c.quote for c in small.citations), small.answer


def test_a_sentence_pointing_back_early_is_quoted_with_the_one_before(assistant):
    """"While they still receive fees and allowances, these are lower than for fostering
    placements ..." says who "they" are only with the sentence before ("... carers with young
    people in staying put arrangements."). Chosen alone, it was quoted alone; like a sentence
    opening "However," it is now quoted from the sentence it leans on."""
    answer = assistant.ask("Are staying put fees and allowances lower than what foster carers get for fostering?")
    quote = next(c.quote for c in answer.citations if "these are lower than for fostering" in c.quote)
    assert quote.startswith("Financial support can be an issue for any carer"), answer.answer


def test_a_quote_goes_on_to_the_sentence_pointing_back_to_it_in_its_paragraph(assistant):
    """"Have high expectations of care-experienced children and young people, as well as care
    leavers." goes on "Give them encouragement and support to build on their strengths.": the
    quote ended before it. It now runs on to a sentence that points back in its first words, within
    the paragraph; across a paragraph ("... offered within the Local Authority." then "For those
    aiming for university ...") it does not."""
    answer = assistant.ask("As a hotel group in Wales, what job-related openings could we give LAC?")
    quote = next(c.quote for c in answer.citations if c.quote.startswith("Have high expectations"))
    assert quote.endswith("Give them encouragement and support to build on their strengths."), answer.answer
    own = assistant.ask("Does Telford council itself hire CLA as trainees?")
    assert not any("For those aiming for university" in c.quote for c in own.citations), own.answer


def test_a_council_named_in_passing_is_looked_for_in_its_own_documents_first(assistant):
    """"Does Telford council itself hire CLA as trainees?" was answered from the LGA
    packs' advice to councils in general; Telford's strategy says it does ("... apprentice roles are
    offered within the Local Authority"). A council the library has documents of, named anywhere in
    the question, is looked for there first, as "Telford's" already was. When its documents say
    nothing near what is asked (Walsall's page on housing), the answer comes from the rest."""
    own = assistant.ask("Does Telford council itself hire CLA as trainees?")
    assert any("apprentice roles are offered within the Local Authority" in c.quote for c in own.citations), own.answer
    housing = assistant.ask("I work in housing in Walsall. What should housing services do for care leavers?")
    assert any(c.doc_id != "walsall-service" and "housing" in c.quote for c in housing.citations), housing.answer


def test_a_set_named_by_some_items_of_a_list_is_those_items(assistant):
    """"What barriers should leisure services in Wales help ... overcome?" finds the toolkit's nine
    things leisure services can do, whose lead-in says nothing of barriers: the two items that
    name barriers are the set asked for, and the answer says how many more the source holds."""
    answer = assistant.ask("What barriers should leisure services in Wales help care-experienced young people "
                           "overcome?")
    quotes = [c.quote for c in answer.citations]
    assert any(q.startswith("Consider the practical barriers such as cost") for q in quotes), answer.answer
    assert any(q.startswith("Consider other barriers such as fear of the unknown") for q in quotes), answer.answer
    assert not any(q.startswith("Develop programmes specifically targeted") for q in quotes), answer.answer
    assert "more in the source" in answer.answer


def test_what_might_stop_asks_for_the_barriers_the_guidance_names(assistant):
    """"What might stop LAC using our sports centre, and what should we do about it?" never says
    "barriers", but the field's vocabulary reads "what might stop" as asking for them; the sentence
    naming them is quoted though three sentences about sport in general score closer."""
    answer = assistant.ask("What might stop LAC using our sports centre, and what should we do about it?")
    assert any("barriers" in c.quote for c in answer.citations), [c.quote[:60] for c in answer.citations]
    general = assistant.ask("What should we do so LAC can use our sports centre?")
    assert not any("barriers" in c.quote for c in general.citations), [c.quote[:60] for c in general.citations]


def test_a_care_leaver_in_their_twenties_is_answered_with_the_age_of_25(assistant):
    """"I'm 22 ..." says an age between the guidance's limits: a care leaver is a corporate
    parent's until 25 ("... or is under 25 and was looked-after by the authority for at least 13
    weeks ..."); the answer quotes that, not the general role of councillors."""
    answer = assistant.ask("I'm 22 and was in care for about six months when I was 15. "
                           "Does the council still count as my corporate parent?")
    assert any("under 25" in c.quote for c in answer.citations), [c.quote[:60] for c in answer.citations]


def test_a_simple_test_for_a_decision_is_the_guidance_s_critical_question(assistant):
    """A partner asking for "a simple test" wants "Would this be good enough for my child?", which
    the guidance calls the critical question."""
    answer = assistant.ask("We're a housing association, not the council. Is there a simple test we can apply "
                           "to what we offer young people leaving care?")
    assert any("good enough for my child" in c.quote for c in answer.citations), [c.quote[:60] for c in answer.citations]


def test_a_section_number_is_not_read_as_an_age(assistant):
    """"I'm 22" is an age under the guidance's limit of 25; "section 22(3A)" of an Act is not, and
    is still answered by the sentence that cites it."""
    answer = assistant.ask("What does section 22(3A) of the Children Act say?")
    assert any("22(3A)" in c.quote for c in answer.citations), [c.quote[:60] for c in answer.citations]


def test_everyday_words_for_befriending_and_informal_care_find_the_guidance_s_terms(assistant):
    """A young person's "grown-up friend" is the guidance's independent visitor, and a child left
    with a family friend is in what it calls an informal arrangement, of which the council is not
    the corporate parent."""
    friend = assistant.ask("Is there anyone I can have as a grown-up friend who isn't my social worker or my "
                           "foster carer?")
    assert any("independent visitor" in c.quote for c in friend.citations), [c.quote[:60] for c in friend.citations]
    informal = assistant.ask("A mum has arranged for her son to live with a family friend. Is the council his "
                             "corporate parent in that situation?")
    assert any("not the corporate parent" in c.quote for c in informal.citations), \
        [c.quote[:60] for c in informal.citations]
