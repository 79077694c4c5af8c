"""Who must do what: duty statements found at ingest, the finder, currency notes and the CLI."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from datetime import date

import pytest

from cpguide.assistant.currency import authority_label, authority_rank, notes_for
from cpguide.assistant.duties import (STRENGTHS, actor_vocabulary, extract_duties, find_duties, group_by_principle,
                                      principles, write_duties)
from cpguide.errors import UsageError
from cpguide.records import KINDS, DocMeta

WALES = "wales-charter-toolkit"
CCG = re.compile(r"clinical\s+commissioning\s+groups?|\bCCGs?\b", re.I)
CCG_NOTE = "Names clinical commissioning groups (CCGs), replaced by integrated care boards (ICBs) in July 2022: check this is current"


def texts(duties) -> list[str]:
    return [d.text for d in duties]


def test_every_duty_quotes_its_document_exactly(library):
    duties = find_duties(library)
    assert len(duties) > 150
    slugs = set(actor_vocabulary().slugs)
    ids = {p.id for p in principles()}
    for d in duties:
        assert library.document(d.doc_id).text[d.start:d.end] == d.text
        assert d.strength in STRENGTHS
        assert d.actors and set(d.actors) <= slugs
        assert set(d.principles) <= ids
        assert d.jurisdiction == library.meta(d.doc_id).jurisdiction


def test_welsh_housing_duties_are_found_and_given_to_housing(library):
    housing = find_duties(library, actor="housing", jurisdiction="wales")
    found = texts(housing)
    assert any(t.startswith("Make sure that your housing allocation policy is sufficiently flexible") for t in found)
    assert any(t.startswith("Provide a range of accommodation options") for t in found)
    assert any("corporate parents should work with social services" in t for t in found)
    assert {d.doc_id for d in housing} == {WALES}
    # Every duty the toolkit lists under "Housing services" is attributed to housing...
    in_section = [d for d in find_duties(library, doc_id=WALES) if d.section == "Housing services"]
    assert len(in_section) >= 10 and all("housing" in d.actors for d in in_section)
    # ...and serves the principles the toolkit says apply to housing services (never "a good education").
    for d in in_section:
        assert "wales-8" in d.principles and "wales-9" not in d.principles
    pregnant = next(d for d in housing if "pregnant" in d.text)
    assert pregnant.strength == "should" and pregnant.principles[0] == "wales-8"


def test_an_england_duty_table_holds_no_welsh_passage(library):
    england = find_duties(library, jurisdiction="england")
    assert england
    assert {library.meta(d.doc_id).jurisdiction for d in england} <= {"england", "uk"}
    welsh_text = library.document(WALES).text
    assert not any(d.doc_id == WALES or d.text in welsh_text for d in england)
    assert all(d.jurisdiction == "wales" for d in find_duties(library, jurisdiction="wales"))


@pytest.mark.parametrize("start, strength, actor", [
    ("The council has a duty to support the arrangement up to young person’s 21st birthday", "must", "council"),
    ("Councils should regularly review their position on this", "should", "council"),
    ("IROs should provide feedback on how well this is happening", "should", "iros"),
    ("Whatever your council is planning for Corporate Parenting Week, you may wish to consider", "may", "councillors"),
    ("Make sure that your housing allocation policy is sufficiently flexible", "good-practice", "housing"),
    ("Offering care-experienced children and young people work experience placements", "good-practice", "businesses"),
    ("Children’s homes are also now required to notify their host local authority", "must", "care-providers"),
])
def test_strength_and_actor_of_known_duties(library, start, strength, actor):
    duty = next((d for d in find_duties(library) if d.text.startswith(start)), None)
    assert duty is not None, f"not extracted: {start}"
    assert duty.strength == strength
    assert actor in duty.actors


def test_questions_statistics_and_case_studies_are_not_duties(library):
    found = " ".join(texts(find_duties(library)))
    for not_a_duty in (
        "How many children are we placing in out of area placements and why?",
        "Children in care are three times more likely to go missing than children not in care.",
        "In 2011 Coventry City Council held a special awards ceremony for their looked after children.",
        "Examples of what you can do as a corporate parent in housing services:",
        "equality (1)",
    ):
        assert not_a_duty not in found


def test_legal_references_follow_footnotes(library):
    sufficiency = next(d for d in find_duties(library) if d.text.startswith("The council has a duty⁵ to ensure"))
    assert "Children Act 1989 s22G" in sufficiency.legal_refs
    cooperation = next(d for d in find_duties(library, doc_id="lga-resource-pack")
                       if d.text.startswith("The council has a duty, under Section 10"))
    assert "Children Act 2004 s10" in cooperation.legal_refs


def test_filters_by_strength_principle_and_topic(library):
    must = find_duties(library, strength="must")
    assert must and all(d.strength == "must" for d in must)
    stable = find_duties(library, principle="a stable home")
    assert stable and all("wales-8" in d.principles for d in stable)
    assessments = find_duties(library, topic_query="health assessment")
    assert assessments and all(re.search(r"health", d.text, re.I) and re.search(r"assess", d.text, re.I)
                               for d in assessments)
    assert find_duties(library, actor="NHS") == find_duties(library, actor="health")


def test_group_by_principle_puts_each_duty_once_in_principle_order(library):
    duties = find_duties(library, jurisdiction="wales")
    groups = group_by_principle(duties)
    assert sum(len(g) for _, g in groups) == len(duties)
    order = [p.id for p in principles()] + [""]
    keys = [pid for pid, _ in groups]
    assert keys == sorted(keys, key=order.index)
    assert all(not g or all((d.principles[:1] or ("",))[0] == pid for d in g) for pid, g in groups)


def test_unknown_actor_is_a_clear_error(library):
    with pytest.raises(UsageError) as info:
        find_duties(library, actor="plumbers")
    assert "plumbers" in info.value.message
    assert "housing" in info.value.hint and "councillors" in info.value.hint


def test_an_index_without_the_duty_table_gives_no_duties(starter_index, tmp_path):
    from cpguide.index.library import Library

    old = tmp_path / "old-index"
    shutil.copytree(starter_index, old)
    for db in old.glob("*/library.sqlite"):
        with sqlite3.connect(db) as conn:
            conn.execute("DROP TABLE IF EXISTS duties")
    lib = Library.open(old)
    try:
        assert find_duties(lib) == []
        assert find_duties(lib, actor="housing", jurisdiction="wales") == []
    finally:
        lib.close()


def test_writing_the_duty_table_stores_every_duty(library):
    # No wall-clock limit here (it fails on a busy machine): its time is part of eval/benchmarks/ingest_throughput.py.
    documents = [library.document(doc_id) for doc_id in library.docs]
    conn = sqlite3.connect(":memory:")
    with conn:
        write_duties(conn, documents, list(library.chunks))
    assert conn.execute("SELECT COUNT(*) FROM duties").fetchone()[0] == sum(len(extract_duties(d)) for d in documents)


# --- currency and authority ----------------------------------------------------------------------------


def test_ccg_note_appears_on_passages_naming_ccgs_and_no_others(library):
    named = 0
    for chunk in library.chunks:
        notes = notes_for(library.meta(chunk.doc_id), chunk.text, stale_years=5, today=date(2026, 1, 1))
        if CCG.search(chunk.text):
            named += 1
            assert CCG_NOTE in notes, chunk.text[:80]
        else:
            assert not any("clinical commissioning" in n for n in notes), chunk.text[:80]
    assert named >= 2


def test_age_and_renamed_body_notes():
    old = DocMeta("x", "Old pack", year=2012, jurisdiction="england")
    new = DocMeta("y", "New strategy", year=2024, jurisdiction="england")
    wales = DocMeta("z", "Welsh toolkit", year=2016, jurisdiction="wales")
    today = date(2026, 6, 1)
    assert notes_for(old, "Nothing dated here.", stale_years=5, today=today) == ("Published 2012: check this is current",)
    assert notes_for(new, "Nothing dated here.", stale_years=5, today=today) == ()
    assert "Published 2012" not in " ".join(notes_for(old, "x", stale_years=20, today=today))
    lscb = notes_for(DocMeta("w", "2015 guide", year=2015, jurisdiction="england"),
                     "The Local Safeguarding Children Board (LSCB) should oversee this.", stale_years=50, today=today)
    assert len(lscb) == 1 and "safeguarding partners" in lscb[0] and "2019" in lscb[0]
    assert any("youth justice services" in n for n in notes_for(new, "youth offending teams", stale_years=5, today=today))
    # A document written after the change names the old body knowingly; Wales never had CCGs.
    assert notes_for(new, "the former CCG", stale_years=5, today=today) == ()
    assert notes_for(wales, "the CCG", stale_years=50, today=today) == ()


def test_authority_ladder():
    assert [authority_rank(k) for k in KINDS] == list(range(1, len(KINDS) + 1))
    assert authority_rank("legislation") < authority_rank("statutory guidance") < authority_rank("national toolkit")
    assert authority_rank("something new") == authority_rank("other")
    assert authority_label("national toolkit") == "National toolkit"
    assert authority_label("statutory guidance") == "Statutory guidance"


# --- the labelled sample ------------------------------------------------------------------------------


def test_extraction_agrees_with_the_hand_labelled_sample(library):
    from cpguide.eval.duties_eval import evaluate, load_labelled

    labelled = load_labelled()
    assert len(labelled) >= 120 and len({i["doc_id"] for i in labelled}) == 5
    assert sum(not i["is_duty"] for i in labelled) > len(labelled) / 3
    report = evaluate(library)
    assert report["unlocated"] == []
    assert report["overall"]["precision"] >= 0.85 and report["overall"]["recall"] >= 0.85


# --- the command ------------------------------------------------------------------------------------------


def run_cli(capsys, *args):
    from cpguide.cli import main

    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_prints_welsh_housing_duties(capsys, starter_index):
    code, out, err = run_cli(capsys, "duties", "--actor", "housing", "--jurisdiction", "wales",
                             "--index-dir", str(starter_index))
    assert code == 0, err
    assert "Make sure that your housing allocation policy is sufficiently flexible" in " ".join(out.split())
    assert "[GOOD PRACTICE]" in out and "[SHOULD]" in out
    assert "Welsh Government, 2024, Wales), § Housing services" in out
    assert "Authority: National toolkit" in out
    assert "Wales 8: a stable home" in out
    assert "Local Government Association" not in out  # an English source has no place in a Welsh list


def test_cli_json_and_notes(capsys, starter_index):
    code, out, err = run_cli(capsys, "duties", "--actor", "councillors", "--json", "--index-dir", str(starter_index))
    assert code == 0, err
    data = json.loads(out)
    assert data["filters"] == {"actor": "councillors"}
    assert data["duties"] and all("councillors" in d["actors"] for d in data["duties"])
    week = [d for d in data["duties"] if d["doc_id"] == "lga-week-2012"]
    assert week and all("Published 2012: check this is current" in d["notes"] for d in week)


def test_cli_unknown_actor_lists_the_valid_ones(capsys, starter_index):
    code, out, err = run_cli(capsys, "duties", "--actor", "plumbers", "--index-dir", str(starter_index))
    assert code == 2
    assert "Unknown actor 'plumbers'" in err
    assert "housing" in err and "--list-actors" in err
    assert out == ""


def test_cli_lists_actors_without_an_index(capsys):
    code, out, _ = run_cli(capsys, "duties", "--list-actors")
    assert code == 0
    assert "housing" in out and "businesses" in out and "--actor" in out


def test_a_paragraph_of_web_addresses_followed_by_text_is_read_as_text():
    # (a single regex over such a line used to backtrack exponentially and stall ingest)
    from cpguide.assistant.duties import _urlish

    addresses = " ".join(f"https://www.gov.uk/guidance/page-{i}" for i in range(200))
    assert _urlish(addresses) and not _urlish(addresses + " councils must act")


def _duties_in(paragraph: str):
    from cpguide.ingest.clean import clean
    from cpguide.records import Block, RawDocument

    doc = clean(RawDocument("x.txt", "text", (Block(paragraph, "raw"),)), DocMeta("x", "X", audience=("councillors",)))
    return extract_duties(doc)


@pytest.mark.parametrize("sentence", [
    "The LGA’s ‘Must knows’ are a source of information and support for lead members for children’s services.",
    "The LGA's 'Must knows' are a source of information and support for lead members.",
    "Our “You Must Be Heard” campaign collected the views of 300 young people in care.",
    "Copies of “What Councillors Should Know” were sent to every member of the panel.",
])
def test_a_modal_inside_a_quoted_name_is_not_an_obligation(sentence):
    assert not [d for d in _duties_in(sentence) if d.strength in ("must", "should")]


@pytest.mark.parametrize(("sentence", "strength"), [
    ("Section 22 imposes a duty on local authorities to ‘safeguard and promote the welfare of each child’.", "must"),
    ("The Act says councils ‘must have regard to’ the corporate parenting principles.", "must"),
    ("Councillors must read the ‘Must knows’ before their first panel meeting.", "must"),
    ("Every councillor should ask ‘what would I want for my own child?’ when deciding.", "should"),
])
def test_quotations_do_not_hide_a_real_obligation(sentence, strength):
    assert [d.strength for d in _duties_in(sentence)] == [strength]


def test_the_lga_must_knows_are_not_a_councillors_must(library):
    musts = find_duties(library, actor="councillors", strength="must")
    assert not [d for d in musts if "Must knows" in d.text]
