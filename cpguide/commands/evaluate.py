"""``cpguide eval``: how well search and answers do on the gold set; ``eval check``: is the set sound."""

from __future__ import annotations

import time
from pathlib import Path

import click

from cpguide.cli import emit_json, index_options, make_settings
from cpguide.eval.check import SETS


def _documents(settings) -> dict[str, str]:
    from cpguide.index.library import Library

    lib = Library.open(settings.index_dir)
    return {doc_id: lib.document(doc_id).text for doc_id in lib.docs}


def _run_set(services, documents, questions: Path, dialogues: Path | None, skip_answers: bool) -> dict:
    from cpguide.eval import runner
    from cpguide.eval.check import check_dialogues, check_items

    items, problems = check_items(questions, documents)
    for p in problems:
        click.secho(f"Warning: {questions.name} {p}", fg="yellow", err=True)
    answerable = [i for i in items if i["answerable"]]
    unanswerable = [i for i in items if not i["answerable"]]
    t0 = time.perf_counter()
    out = {"file": questions.name, "questions": len(answerable), "unanswerable": len(unanswerable),
           "retrieval": [r.to_dict() for r in runner.evaluate_retrieval(services.searcher, answerable)]}
    if not skip_answers:
        out["answers"] = runner.evaluate_answers(services.assistant, answerable, unanswerable)
        if dialogues is not None and dialogues.exists():
            dlg, dproblems = check_dialogues(dialogues, documents)
            for p in dproblems:
                click.secho(f"Warning: {dialogues.name} {p}", fg="yellow", err=True)
            out["dialogues"] = runner.evaluate_dialogues(services.assistant, dlg)
    out["seconds"] = round(time.perf_counter() - t0, 1)
    return out


@click.group(invoke_without_command=True)
@index_options
@click.option("--set", "which", type=click.Choice(["both", *SETS]), default="both", show_default=True,
              help="dev = eval/gold.jsonl (tune on it); test = eval/test.jsonl (held out: never tune on it); "
                   "holdout and fresh to fresh28 = eval/<name>.jsonl (held out, each judging the changes made after it: "
                   "never tune on them); both = dev and test.")
@click.option("--gold", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Your own question file instead of the shipped sets.")
@click.option("--dialogues", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Your own dialogue file to go with --gold.")
@click.option("--skip-answers", is_flag=True, help="Only measure retrieval (faster).")
@click.option("--json", "as_json", is_flag=True, help="Print all figures as JSON.")
@click.pass_context
def eval_(ctx, which, gold, dialogues, skip_answers, as_json, **flags):
    """Measure retrieval and answers on the dev and test question sets, side by side.

    Retrieval: Recall@1/3/5/10, MRR@10 and nDCG@10 for hybrid, BM25-only and dense-only
    search, and the questions each method misses. Answers: how many answerable questions are
    answered and unanswerable ones declined (by kind of near-miss), citation precision, how
    often the gold passage is cited, list completeness (the share of a list answer's items
    cited). Dialogues: turns citing their gold passage, follow-up Recall@5 with and without
    the conversation, and topic switches left as asked.

    The dev set (eval/gold.jsonl) is for tuning; the test set (eval/test.jsonl) was written
    before the answer rules it judges and is never tuned on.

    \b
    Examples:
      cpguide eval                        dev and test side by side
      cpguide eval --set dev --skip-answers --json
      cpguide eval --gold my-questions.jsonl
      cpguide eval check                  check the shipped question sets
      cpguide eval check my-questions.jsonl
    """
    if ctx.invoked_subcommand is not None:
        return
    from cpguide.app import Services
    from cpguide.eval import runner

    settings = make_settings(**flags)
    services = Services(settings)
    documents = {d: services.library.document(d).text for d in services.library.docs}
    if gold:
        runs = {gold.stem: (gold, dialogues)}
    else:
        names = ("dev", "test") if which == "both" else (which,)
        runs = {n: (runner.gold_path(SETS[n][0]), runner.gold_path(SETS[n][1])) for n in names
                if runner.gold_path(SETS[n][0]).exists()}
    out = {name: _run_set(services, documents, q, d, skip_answers) for name, (q, d) in runs.items()}
    if as_json:
        emit_json(out)
        return
    _print(out)


def _row(label: str, out: dict, get, fmt: str = "{:.3f}") -> None:
    cells = []
    for r in out.values():
        try:
            v = get(r)
        except (KeyError, IndexError, TypeError):
            v = None
        cells.append(f"{'-' if v is None else (fmt.format(v) if not isinstance(v, str) else v):>10}")
    click.echo(f"  {label:<44}" + "".join(cells))


def _print(out: dict) -> None:
    click.echo(f"  {'':<44}" + "".join(f"{n:>10}" for n in out))
    _row("answerable questions", out, lambda r: r["questions"], "{}")
    _row("unanswerable questions", out, lambda r: r["unanswerable"], "{}")
    for i, method in enumerate(("hybrid", "bm25", "dense")):
        for key in ("recall@1", "recall@5", "recall@10", "mrr@10"):
            _row(f"{method} {key}", out, lambda r, i=i, key=key: r["retrieval"][i][key])
    for style in ("direct", "paraphrase"):
        _row(f"hybrid recall@5, {style}", out, lambda r, s=style: r["retrieval"][0]["by_style"][s]["recall@5"])
    answers = [
        ("answered (of answerable)", "answered_answerable"), ("declined (of unanswerable)", "abstained_unanswerable"),
        ("gold passage cited (of answered)", "gold_recall_in_citations"), ("citation precision", "citation_precision"),
        ("list completeness", "list_completeness"), ("list items answered", "list_items"),
        ("citations per answer", "citations_per_answer"), ("ask p95 ms (cold caches)", "ask_ms_p95"),
    ]
    if any("answers" in r for r in out.values()):
        click.echo("Answers")
        for label, key in answers:
            _row(label, out, lambda r, key=key: r["answers"][key], "{}" if key == "list_items" else "{:.3f}")
        kinds = sorted({k for r in out.values() for k in r.get("answers", {}).get("abstained_by_kind", {})})
        for k in kinds:
            _row(f"  declined: {k}", out, lambda r, k=k: r["answers"]["abstained_by_kind"][k])
    if any("dialogues" in r for r in out.values()):
        click.echo("Dialogues")
        _row("turns citing gold", out, lambda r: r["dialogues"]["turns_citing_gold"])
        _row("follow-up recall@5 with the conversation", out, lambda r: r["dialogues"]["recall@5_with_context"])
        _row("follow-up recall@5 without it", out, lambda r: r["dialogues"]["recall@5_without_context"])
        _row("topic switches left as asked", out, lambda r: (
            f"{r['dialogues']['switches_kept_standalone']}/{r['dialogues']['topic_switches']}"))
    for name, r in out.items():
        a = r.get("answers", {})
        notes = [f"missed at 5 (hybrid): {', '.join(r['retrieval'][0]['missed@5'])}" if r["retrieval"][0]["missed@5"] else "",
                 f"declined though answerable: {', '.join(a.get('declined_answerable', []))}" if a.get("declined_answerable") else "",
                 f"answered though unanswerable: {', '.join(a.get('answered_unanswerable', []))}" if a.get("answered_unanswerable") else "",
                 f"topic switches rewritten: {', '.join(r['dialogues']['switches_rewritten'])}"
                 if r.get("dialogues", {}).get("switches_rewritten") else ""]
        notes = [n for n in notes if n]
        if notes:
            click.echo(f"\n{name} ({r['seconds']} s):")
            for n in notes:
                click.echo(f"  {n}")


@eval_.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@index_options
@click.option("--json", "as_json", is_flag=True, help="Print problems as JSON.")
@click.pass_context
def check(ctx, files, as_json, **flags):
    """Check question files: quotes verbatim in their documents, answers present, topics valid.

    With no FILES, checks every shipped set (dev's gold.jsonl and dialogues.jsonl, then the
    held-out test, holdout and fresh sets), each file reported on its own; gold.jsonl is also
    the quiz bank, so its answerable items need a quiz `stem`. Trainers can keep their own
    questions in a file of the same form (see eval/README.md; stems optional) and check it
    here; each problem is reported with its line number, and good lines are still counted.
    Quotes are checked against the documents in the index, as cleaned for citation.

    \b
    Examples:
      cpguide eval check my-questions.jsonl
      cpguide eval check --index-dir DIR my-questions.jsonl
    """
    from cpguide.eval.check import check_file, shipped_files

    # `cpguide eval --index-dir DIR check` names the index before the subcommand: honour it.
    parent = ctx.parent.params if ctx.parent else {}
    flags = {k: (v if v is not None else parent.get(k)) for k, v in flags.items()}
    settings = make_settings(**flags)
    documents = _documents(settings)
    ours = {p.resolve() for p in shipped_files()}
    targets = list(files) or shipped_files()
    report = []
    total_problems = 0
    for path in targets:
        valid, problems = check_file(path, documents, shipped=Path(path).resolve() in ours)
        total_problems += len(problems)
        report.append({"file": str(path), "valid": len(valid), "problems": [p.__dict__ for p in problems]})
        if not as_json:
            status = "ok" if not problems else f"{len(problems)} problem(s)"
            click.echo(f"{path}: {len(valid)} valid item(s), {status}")
            for p in problems:
                click.echo(f"  line {p.line} ({p.item_id or 'no id'}): {p.message}")
    if as_json:
        emit_json({"files": report, "problems": total_problems})
    if total_problems:
        raise SystemExit(1)


eval_.name = "eval"
COMMANDS = (eval_,)
