"""How well duty extraction agrees with a person reading the guidance.

``duties_labelled.jsonl`` holds sentences and list items drawn from every starter document
(a systematic sample: every n-th sentence of each document, headings and bare web addresses
left out), each labelled by reading it:

* ``is_duty``: does it place an obligation or expectation on someone? Yes for "must",
  "should", "has a duty", "is responsible for", "it is important that ...", suggestions such
  as "may wish to consider", instructions ("Make sure that ...") and the items of lists such as
  "Examples of what you can do as a corporate parent in ...:". No for descriptions, statistics,
  case studies of what a council did, questions, definitions, lead-ins ending in a colon,
  lists of topics, references, and "will" statements that describe a role.
* ``strength``: must (must, shall, duty, required), should (should, expected, responsible,
  important that, need to), may (may / might / could consider, can also use), good-practice
  (instructions and examples of what corporate parents can do).
* ``actors``: who must act, as actor slugs from ``assistant/actors.toml``.

Items with ``"split": "held-out"`` were labelled after the extraction rules were written and
were not looked at while changing them; the rest were read while the rules were developed.

A labelled item counts as detected when an extracted duty overlaps it. Precision and recall
are over the labelled items; strength and actor accuracy over the true positives (actors are
right when the labelled and extracted sets share an actor; the stricter "first actor" accuracy
asks that the first actor extracted, the one shown as acting, is one of the labelled ones).

    python -m cpguide.eval.duties_eval --index-dir DIR [--json]
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path


def load_labelled(path: Path | None = None) -> list[dict]:
    if path is None:
        text = resources.files("cpguide.eval").joinpath("duties_labelled.jsonl").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def _score(items: list[dict]) -> dict:
    tp = sum(1 for i in items if i["is_duty"] and i["found"])
    fp = sum(1 for i in items if not i["is_duty"] and i["found"])
    fn = sum(1 for i in items if i["is_duty"] and not i["found"])
    hits = [i for i in items if i["is_duty"] and i["found"]]
    strength_ok = sum(1 for i in hits if i["found"]["strength"] == i["strength"])
    actors_ok = sum(1 for i in hits if set(i["found"]["actors"]) & set(i["actors"]))
    first_ok = sum(1 for i in hits if i["found"]["actors"][:1] and i["found"]["actors"][0] in i["actors"])
    return {
        "items": len(items), "duties": tp + fn, "true_positives": tp, "false_positives": fp, "misses": fn,
        "precision": _ratio(tp, tp + fp), "recall": _ratio(tp, tp + fn),
        "strength_accuracy": _ratio(strength_ok, len(hits)), "actor_accuracy": _ratio(actors_ok, len(hits)),
        "first_actor_accuracy": _ratio(first_ok, len(hits)),
    }


def evaluate(library, labelled: list[dict] | None = None) -> dict:
    """Precision, recall, strength and actor accuracy of the duty table against the labels."""
    from cpguide.assistant.duties import find_duties

    labelled = labelled if labelled is not None else load_labelled()
    by_doc: dict[str, list] = {}
    scored: list[dict] = []
    unlocated: list[dict] = []
    for item in labelled:
        doc_id = item["doc_id"]
        if doc_id not in library.docs:
            unlocated.append({**item, "reason": "document not in the index"})
            continue
        text = library.document(doc_id).text
        start = text.find(item["text"])
        if start < 0:
            unlocated.append({**item, "reason": "text not found verbatim in the cleaned document"})
            continue
        end = start + len(item["text"])
        if doc_id not in by_doc:
            by_doc[doc_id] = find_duties(library, doc_id=doc_id)
        overlapping = [d for d in by_doc[doc_id] if d.start < end and start < d.end]
        best = max(overlapping, key=lambda d: min(d.end, end) - max(d.start, start)) if overlapping else None
        scored.append({**item, "found": best.to_dict() if best else None})

    report = {"overall": _score(scored)}
    for split in sorted({i.get("split", "dev") for i in scored}):
        report[split] = _score([i for i in scored if i.get("split", "dev") == split])
    report["misses"] = [{"doc_id": i["doc_id"], "text": i["text"], "strength": i["strength"], "actors": i["actors"]}
                        for i in scored if i["is_duty"] and not i["found"]]
    report["false_positives"] = [{"doc_id": i["doc_id"], "text": i["text"], "extracted": i["found"]["text"],
                                  "strength": i["found"]["strength"], "actors": i["found"]["actors"]}
                                 for i in scored if not i["is_duty"] and i["found"]]
    report["wrong_strength"] = [{"doc_id": i["doc_id"], "text": i["text"], "labelled": i["strength"],
                                 "extracted": i["found"]["strength"]}
                                for i in scored if i["is_duty"] and i["found"] and i["found"]["strength"] != i["strength"]]
    report["wrong_actors"] = [{"doc_id": i["doc_id"], "text": i["text"], "labelled": i["actors"],
                               "extracted": i["found"]["actors"]}
                              for i in scored if i["is_duty"] and i["found"]
                              and not set(i["found"]["actors"]) & set(i["actors"])]
    report["unlocated"] = unlocated
    return report


def _print(report: dict) -> None:
    import click

    for name in [k for k in report if isinstance(report[k], dict)]:
        s = report[name]
        click.echo(f"{name:>9}: {s['items']} items, {s['duties']} duties | precision {s['precision']} | "
                   f"recall {s['recall']} | strength {s['strength_accuracy']} | actors {s['actor_accuracy']} "
                   f"(first actor {s['first_actor_accuracy']})")
    for key, title in (("misses", "Missed duties"), ("false_positives", "Extracted but not duties"),
                       ("wrong_strength", "Wrong strength"), ("wrong_actors", "Wrong actors"),
                       ("unlocated", "Labelled items not found in the index")):
        if report[key]:
            click.echo(f"\n{title} ({len(report[key])}):")
            for item in report[key]:
                extra = ""
                if key == "wrong_strength":
                    extra = f"  [labelled {item['labelled']}, extracted {item['extracted']}]"
                elif key == "wrong_actors":
                    extra = f"  [labelled {', '.join(item['labelled'])}; extracted {', '.join(item['extracted'])}]"
                elif key == "unlocated":
                    extra = f"  [{item['reason']}]"
                click.echo(f"  - {item['doc_id']}: {item['text'][:140]}{extra}")


def main(argv: list[str] | None = None) -> None:
    import click

    from cpguide.cli import index_options, make_settings

    @click.command()
    @index_options
    @click.option("--labels", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  help="Another labelled file (JSON Lines with doc_id, text, is_duty, strength, actors).")
    @click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
    def run(labels, as_json, **flags):
        """Measure duty extraction against the hand-labelled sample."""
        from cpguide.index.library import Library

        settings = make_settings(**flags)
        report = evaluate(Library.open(settings.index_dir), load_labelled(labels) if labels else None)
        if as_json:
            click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            _print(report)

    run.main(args=argv, prog_name="python -m cpguide.eval.duties_eval", standalone_mode=True)


if __name__ == "__main__":
    main()
