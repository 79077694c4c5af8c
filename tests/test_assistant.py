"""The assistant: cited, verbatim, honest; follow-ups; the optional language model and its fallback."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cpguide.assistant.answer import Assistant
from cpguide.assistant.conversation import Conversation, Turn
from cpguide.assistant.llm import LLMClient


@pytest.fixture(scope="module")
def assistant(searcher):
    return Assistant(searcher)


def _check_citations(answer, library):
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert markers == {c.n for c in answer.citations}, "every [n] has a citation and every citation is used"
    for c in answer.citations:
        doc = library.document(c.doc_id)
        assert doc.text[c.start:c.end] == c.quote, "quotes are verbatim from the cleaned document"
        assert c.title and c.publisher and c.jurisdiction and c.year


QUESTIONS = [
    "what should housing services do for care leavers?",
    "what is a corporate parenting panel for?",
    "what can businesses in Wales do for care-experienced young people?",
    "how should councillors check that children in care get their health checks?",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_answers_are_cited_and_verbatim(assistant, library, question):
    answer = assistant.ask(question)
    assert not answer.abstained
    assert answer.citations
    _check_citations(answer, library)


def test_housing_answer_uses_housing_passages(assistant):
    answer = assistant.ask("what should housing services do for care leavers?")
    assert any("hous" in c.quote.lower() or "accommodation" in c.quote.lower() for c in answer.citations)


def test_england_and_wales_are_labelled_when_both_speak(assistant):
    answer = assistant.ask("how should care leavers be supported with housing?")
    assert {c.jurisdiction for c in answer.citations} == {"england", "wales"}  # both nations' guidance speaks
    england, wales = answer.answer.index("In England:"), answer.answer.index("In Wales:")
    # each label heads its own nation's sentences: the markers after it cite only that nation's documents
    place = {c.n: c.jurisdiction for c in answer.citations}
    first, second = sorted([(england, "england"), (wales, "wales")])
    for (start, nation), end in ((first, second[0]), (second, len(answer.answer))):
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer[start:end])}
        assert cited and {place[n] for n in cited} == {nation}


def test_mentioning_wales_keeps_to_welsh_passages(assistant):
    answer = assistant.ask("what should the police do for care-experienced young people in Wales?")
    assert answer.citations and {c.jurisdiction for c in answer.citations} == {"wales"}


@pytest.mark.parametrize("question", [
    "What are the weekly fostering allowance rates in Scotland?",
    "How does Ofsted's SCCIF framework grade children's homes?",
    "what is the best recipe for lasagne?",
])
def test_abstains_when_the_library_does_not_cover_it(assistant, question):
    answer = assistant.ask(question)
    assert answer.abstained and not answer.citations
    assert "does not seem to answer" in answer.answer


def test_follow_ups_are_resolved_against_the_conversation(assistant, library):
    conv = Conversation()
    first = assistant.ask("what should housing services do for care leavers?", conv)
    conv.turns.append(Turn(first.question, first.resolved_question, first))
    second = assistant.ask("and what about health?", conv)
    assert "health" in second.resolved_question and "care leavers" in second.resolved_question
    assert any(re.search(r"health|GP|dentist", c.quote, re.I) for c in second.citations)
    _check_citations(second, library)
    conv.turns.append(Turn(second.question, second.resolved_question, second))
    third = assistant.ask("and in Wales?", conv)
    assert third.citations and {c.jurisdiction for c in third.citations} == {"wales"}
    conv.turns.append(Turn(third.question, third.resolved_question, third))
    more = assistant.ask("tell me more about the second point", conv)
    # the Welsh answer is a list under its lead-in: its second point is the list's second item
    items = [int(n) for n in re.findall(r"^\s+- .*\[(\d+)\]$", third.answer, re.M)]
    second_point = third.citations[(items[1] if items else 2) - 1]
    assert second_point.quote[:40] in more.resolved_question


def test_answer_json_shape(assistant):
    data = assistant.ask("what is corporate parenting?").to_dict()
    assert set(data) >= {"answer", "citations", "abstained"}
    assert {"n", "doc_id", "title", "publisher", "year", "jurisdiction", "page", "section", "quote"} <= set(data["citations"][0])


# -- the optional language model, against a local server speaking the chat-completions protocol --

class _FakeLLM(BaseHTTPRequestHandler):
    reply = ""  # set per test: a string, or "HTTP500", or "SLOW"
    requests: list = []

    def do_POST(self):  # noqa: N802 - the http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        if self.reply == "HTTP500":
            self.send_response(500)
            self.end_headers()
            return
        if self.reply == "SLOW":
            threading.Event().wait(2.0)
        payload = self.reply if self.reply.startswith("{") else json.dumps(
            {"choices": [{"message": {"role": "assistant", "content": self.reply}}]})
        data = payload.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def llm_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeLLM)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def _llm_assistant(searcher, url, timeout=5.0):
    return Assistant(searcher, llm=LLMClient(url=url, model="test-model", timeout=timeout))


def test_llm_answer_is_checked_against_its_citations(searcher, library, llm_server):
    q = "should care leavers be placed in bed and breakfast accommodation?"
    hits = searcher.search(q, k=8)
    bb = next(i for i, h in enumerate(hits[:6], 1) if "bed and breakfast" in h.text)
    _FakeLLM.reply = (f"Care leavers should not be placed in bed and breakfast accommodation [{bb}]. "
                      "Every council must give care leavers a free car [1].")
    answer = _llm_assistant(searcher, llm_server).ask(q)
    assert answer.mode == "llm"
    assert "bed and breakfast" in answer.answer and "free car" not in answer.answer
    assert any("left out" in n for n in answer.notices)
    _check_citations(answer, library)
    sent = _FakeLLM.requests[-1]
    assert sent["model"] == "test-model" and "bed and breakfast" in sent["messages"][-1]["content"]


@pytest.mark.parametrize("failure", ["HTTP500", "SLOW", "{not json", "an answer without any citation markers", '{"choices": []}'])
def test_llm_failure_falls_back_to_extractive_with_a_notice(searcher, library, llm_server, failure):
    _FakeLLM.reply = failure
    answer = _llm_assistant(searcher, llm_server, timeout=0.5).ask("what is a corporate parenting panel for?")
    assert answer.mode == "extractive" and not answer.abstained and answer.citations
    assert any("could not answer" in n for n in answer.notices)
    _check_citations(answer, library)


def test_llm_unreachable_falls_back(searcher):
    answer = _llm_assistant(searcher, "http://127.0.0.1:9/v1", timeout=0.5).ask("what is corporate parenting?")
    assert answer.mode == "extractive" and any("could not reach" in n for n in answer.notices)


def test_duty_questions_answer_with_the_duty_table(assistant, library):
    answer = assistant.ask("what duties do housing services have in Wales?")
    assert answer.mode == "duties" and answer.duties
    assert {c.jurisdiction for c in answer.citations} == {"wales"}
    assert all(row["strength"] in ("must", "should", "may", "good-practice") for row in answer.duties)
    assert "housing" in answer.answer.lower()
    _check_citations(answer, library)
    quotes = [c.quote for c in answer.citations]
    assert len(quotes) == len(set(quotes))


@pytest.mark.parametrize("turns, expect", [
    (["what can businesses do for care leavers?", "and beyond money and kit?"], "other than money and kit"),
    (["what support is there for care leavers staying with foster carers?",
      "is there anything similar for young people leaving children's homes?"], "(about:"),
    (["what performance data should councillors see?", "how do we know if those figures are good?",
      "is there a free tool for doing that?"], "performance data"),
])
def test_follow_up_resolution_carries_the_subject(assistant, turns, expect):
    conv = Conversation()
    answer = None
    for q in turns:
        answer = assistant.ask(q, conv)
        conv.turns.append(Turn(q, answer.resolved_question, answer))
    assert expect in answer.resolved_question


@pytest.mark.parametrize("turns, word", [
    (["What should housing services do for care leavers?", "What about mentoring?"], "mentor"),
    (["What should councillors do during Corporate Parenting Week?", "What about celebration events?"], "celebrat"),
])
def test_a_follow_up_naming_a_new_subject_in_a_word_is_answered_about_it(assistant, turns, word):
    """"What about mentoring?" after housing was answered from the housing passages the
    conversation found ("The availability of suitable housing ..."): its one word is what it asks about."""
    conv = Conversation()
    answer = None
    for q in turns:
        answer = assistant.ask(q, conv)
        conv.turns.append(Turn(q, answer.resolved_question, answer))
    assert word in answer.citations[0].quote.lower(), answer.answer


def test_which_one_after_a_set_asks_which_member_of_that_set(assistant):
    """"Which one is about stability?" after the seven principles was read as a question of its
    own with the conversation beside it, and answered with a case study's sentence on stability."""
    conv = Conversation()
    for q in ("What are the corporate parenting principles?", "Which one is about stability?"):
        answer = assistant.ask(q, conv)
        conv.turns.append(Turn(q, answer.resolved_question, answer))
    assert answer.resolved_question == "Which of the corporate parenting principles is about stability?"
    assert any("stability in their home lives" in c.quote for c in answer.citations), answer.answer
    # without a set before it, "which one" still leans on the conversation as it did
    conv = Conversation()
    for q in ("What should housing services do for care leavers?", "Which one matters most?"):
        answer = assistant.ask(q, conv)
        conv.turns.append(Turn(q, answer.resolved_question, answer))
    assert "(about:" in answer.resolved_question


def test_warm_up_fills_the_sentence_cache_so_answers_embed_nothing_new(assistant, monkeypatch):
    assistant.warm_up()
    assert assistant.warm_up() == 0  # everything is cached already
    calls = []
    real_embed = assistant.searcher.embedder.embed
    monkeypatch.setattr(assistant.searcher.embedder, "embed", lambda texts, **kw: calls.append(len(texts)) or real_embed(texts, **kw))
    answer = assistant.ask("how can leisure services help care-experienced young people?")
    assert not answer.abstained
    assert calls == [1]  # only the question itself was embedded


def test_a_sentence_scores_the_same_whatever_was_embedded_beside_it(assistant):
    """Answers must not depend on what the process was asked before: a sentence's vector is the
    same whether it is embedded on its own or among other passages' sentences."""
    import numpy as np

    from cpguide.assistant import selection

    sentence = "Care leavers should not be placed in bed and breakfast accommodation."
    neighbours = ("A much longer sentence about how councils, health services and schools work together " * 3,
                  "Short one.")
    selection._SENTENCE_VECTORS.clear()
    alone = assistant.selector.embed_sentences((sentence,))[0]
    selection._SENTENCE_VECTORS.clear()
    beside = assistant.selector.embed_sentences(neighbours + (sentence,))[-1]
    assert np.array_equal(alone, beside)
