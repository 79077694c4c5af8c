"""How well ``cpguide check`` agrees with a person reading the local documents.

``gapcheck_labelled.jsonl`` holds, for the starter corpus's two local documents (Telford &
Wrekin's partner guide and Walsall's web page), one label for each of England's seven
principles and eleven partner groups, written by reading each document whole before the
matcher existed:

* ``covered``: the document states something the council or a partner does, will do, should
  or might do about it (a duty, a suggestion, a commitment, an account of what is done),
  with ``passage`` the sentence that does so;
* ``mentioned``: it is named only in passing (an item in a list, a general definition, a
  reported legal duty), with the passage;
* ``not found``: neither.

A labelled partner is scored only where the national documents give it duties, since only
then does the check have a row for it; the others are listed as "not measured". Precision and
recall are per status, over the scored items. The matcher's thresholds were set while
looking at these same two documents, so the figures are in-sample: read them as a check that
the rules do what they say, not as an estimate for a new strategy.

    python -m cpguide.eval.gapcheck_eval [--index-dir DIR] [--json]
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from cpguide.assistant.gapcheck import STATUSES

LABELS = "gapcheck_labelled.jsonl"


def load_labelled(path: Path | None = None) -> list[dict]:
    text = path.read_text(encoding="utf-8") if path else \
        resources.files("cpguide.eval").joinpath(LABELS).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def evaluate(library, embedder, labelled: list[dict] | None = None) -> dict:
    """Agreement of the check's statuses with the labels, per status, with the disagreements."""
    from cpguide.assistant.gapcheck import check_document

    labelled = labelled if labelled is not None else load_labelled()
    checks = {}
    for key in {(item["doc_id"], item.get("against", "england")) for item in labelled}:
        checks[key] = {r.target.id: r for r in check_document(library, embedder, key[0], against=key[1]).rows}
    scored, not_measured = [], []
    for item in labelled:
        row = checks[(item["doc_id"], item.get("against", "england"))].get(item["target"])
        if row is None:
            not_measured.append(item)
            continue
        scored.append({**item, "predicted": row.status, "tool_passage": row.local.text if row.local else None})
    report: dict = {"items": len(scored), "agreement": _round(sum(i["status"] == i["predicted"] for i in scored)
                                                                / len(scored)) if scored else None}
    for status in STATUSES:
        tp = sum(1 for i in scored if i["status"] == status and i["predicted"] == status)
        predicted = sum(1 for i in scored if i["predicted"] == status)
        actual = sum(1 for i in scored if i["status"] == status)
        report[status] = {"labelled": actual, "predicted": predicted, "agreed": tp,
                          "precision": _round(tp / predicted) if predicted else None,
                          "recall": _round(tp / actual) if actual else None}
    report["confusion"] = {s: {p: sum(1 for i in scored if i["status"] == s and i["predicted"] == p) for p in STATUSES}
                           for s in STATUSES}
    both_quote = [i for i in scored if i["status"] == i["predicted"] == "covered"]
    report["covered_same_passage"] = sum(1 for i in both_quote if i["passage"] == i["tool_passage"])
    report["disagreements"] = [{k: i[k] for k in ("doc_id", "target", "status", "predicted", "passage", "tool_passage",
                                                   "note")} for i in scored if i["status"] != i["predicted"]]
    report["not_measured"] = [{"doc_id": i["doc_id"], "target": i["target"], "status": i["status"]} for i in not_measured]
    return report


def _print(report: dict) -> None:
    import click

    click.echo(f"{report['items']} labelled items scored; agreement {report['agreement']}")
    for status in STATUSES:
        s = report[status]
        click.echo(f"  {status:>9}: labelled {s['labelled']:>2}, predicted {s['predicted']:>2}, agreed {s['agreed']:>2} | "
                   f"precision {s['precision']} | recall {s['recall']}")
    click.echo("\nConfusion (rows: labelled, columns: predicted):")
    click.echo(" " * 12 + "".join(f"{p:>11}" for p in STATUSES))
    for s in STATUSES:
        click.echo(f"  {s:>9} " + "".join(f"{report['confusion'][s][p]:>11}" for p in STATUSES))
    click.echo(f"\nCovered by both, quoting the labelled passage: {report['covered_same_passage']} "
               f"of {report['covered']['agreed']}")
    if report["disagreements"]:
        click.echo(f"\nDisagreements ({len(report['disagreements'])}):")
        for d in report["disagreements"]:
            click.echo(f"  - {d['doc_id']} {d['target']}: labelled {d['status']}, checked {d['predicted']}")
            if d["note"]:
                click.echo(f"      label note: {d['note']}")
    if report["not_measured"]:
        click.echo("\nNot measured (the national documents give these partners no duties, so the check has no row):")
        for d in report["not_measured"]:
            click.echo(f"  - {d['doc_id']} {d['target']} (labelled {d['status']})")


def main(argv: list[str] | None = None) -> None:
    import click

    from cpguide.cli import index_options, make_settings

    @click.command()
    @index_options
    @click.option("--labels", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  help="Another labelled file (JSON Lines with doc_id, against, target, status, passage).")
    @click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
    def run(labels, as_json, **flags):
        """Measure the strategy check against the hand-labelled local documents."""
        from cpguide.app import Services

        services = Services(make_settings(**flags))
        report = evaluate(services.library, services.searcher.embedder, load_labelled(labels) if labels else None)
        if as_json:
            click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            _print(report)

    run.main(args=argv, prog_name="python -m cpguide.eval.gapcheck_eval", standalone_mode=True)


if __name__ == "__main__":
    main()
