"""``cpguide eval``: how well search and answers do on the gold set; ``eval check``: is the set sound."""

from __future__ import annotations

import time
from pathlib import Path

import click

from cpguide.cli import emit_json, index_options, make_settings


def _documents(settings) -> dict[str, str]:
    from cpguide.index.library import Library

    lib = Library.open(settings.index_dir)
    return {doc_id: lib.document(doc_id).text for doc_id in lib.docs}


@click.group(invoke_without_command=True)
@index_options
@click.option("--gold", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Question file (default: the shipped eval/gold.jsonl).")
@click.option("--dialogues", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Dialogue file (default: the shipped eval/dialogues.jsonl).")
@click.option("--skip-answers", is_flag=True, help="Only measure retrieval (faster).")
@click.option("--json", "as_json", is_flag=True, help="Print all figures as JSON.")
@click.pass_context
def eval_(ctx, gold, dialogues, skip_answers, as_json, **flags):
    """Measure retrieval and answers on the gold question set.

    Retrieval: Recall@1/3/5/10, MRR@10 and nDCG@10 for hybrid, BM25-only and dense-only
    search in one run, and the questions each method misses. Answers: abstention on
    questions the library cannot answer, answering on those it can (with the trade-off
    over thresholds), citation precision and gold recall, and Recall@5 on follow-up turns
    of the dialogues with and without the conversation.

    \b
    Examples:
      cpguide eval
      cpguide eval --skip-answers --json
      cpguide eval check                  check the shipped question bank
      cpguide eval check my-questions.jsonl
    """
    if ctx.invoked_subcommand is not None:
        return
    from cpguide.app import Services
    from cpguide.eval import runner
    from cpguide.eval.check import check_dialogues, check_items

    settings = make_settings(**flags)
    services = Services(settings)
    documents = {d: services.library.document(d).text for d in services.library.docs}
    items, problems = check_items(gold or runner.gold_path(), documents)
    if problems:
        for p in problems:
            click.secho(f"Warning: {p}", fg="yellow", err=True)
    answerable = [i for i in items if i["answerable"]]
    unanswerable = [i for i in items if not i["answerable"]]
    t0 = time.perf_counter()
    retrieval = runner.evaluate_retrieval(services.searcher, answerable)
    out = {"questions": len(answerable), "unanswerable": len(unanswerable),
           "retrieval": [r.to_dict() for r in retrieval]}
    if not skip_answers:
        out["answers"] = runner.evaluate_answers(services.assistant, answerable, unanswerable)
        dlg, dproblems = check_dialogues(dialogues or runner.gold_path("dialogues.jsonl"), documents)
        for p in dproblems:
            click.secho(f"Warning: {p}", fg="yellow", err=True)
        out["dialogues"] = runner.evaluate_dialogues(services.assistant, dlg)
    out["seconds"] = round(time.perf_counter() - t0, 1)
    if as_json:
        emit_json(out)
        return
    click.echo(f"Retrieval on {len(answerable)} answerable questions:")
    click.echo(f"  {'method':<8} {'R@1':>6} {'R@3':>6} {'R@5':>6} {'R@10':>6} {'MRR@10':>7} {'nDCG@10':>8} {'ms/q':>6}")
    for r in out["retrieval"]:
        click.echo(f"  {r['method']:<8} {r['recall@1']:>6.3f} {r['recall@3']:>6.3f} {r['recall@5']:>6.3f} "
                   f"{r['recall@10']:>6.3f} {r['mrr@10']:>7.3f} {r['ndcg@10']:>8.3f} {r['ms_per_query']:>6.1f}")
    for r in out["retrieval"]:
        styles = ", ".join(f"{k} ({v['n']}): R@5 {v['recall@5']:.3f}, MRR@10 {v['mrr@10']:.3f}"
                           for k, v in r["by_style"].items())
        if styles:
            click.echo(f"  {r['method']:<8} by style: {styles}")
    for r in out["retrieval"]:
        if r["missed@5"]:
            click.echo(f"  {r['method']} misses (not in top 5): {', '.join(r['missed@5'])}")
    if "answers" in out:
        a = out["answers"]
        click.echo(f"\nAnswers (abstain threshold {a['threshold']}):")
        click.echo(f"  answered {a['answered_answerable']:.1%} of answerable, abstained on "
                   f"{a['abstained_unanswerable']:.1%} of {len(unanswerable)} unanswerable")
        click.echo(f"  citation precision {a['citation_precision']:.3f}, gold passage cited in "
                   f"{a['gold_recall_in_citations']:.1%} of answers, {a['citations_per_answer']} citations per answer")
        click.echo(f"  ask latency p50 {a['ask_ms_p50']} ms, p95 {a['ask_ms_p95']} ms (first pass, cold caches)")
        click.echo("  threshold trade-off (answered answerable / abstained unanswerable):")
        for t in a["trade_off"]:
            click.echo(f"    {t['threshold']:.2f}: {t['answered_answerable']:.1%} / {t['abstained_unanswerable']:.1%}")
        d = out["dialogues"]
        click.echo(f"\nFollow-ups: {d['follow_up_turns']} turns, Recall@5 {d['recall@5_with_context']:.3f} with the "
                   f"conversation, {d['recall@5_without_context']:.3f} without")
        if d["missed_with_context"]:
            click.echo(f"  missed: {', '.join(d['missed_with_context'])}")
    click.echo(f"\n({out['seconds']}s)")


@eval_.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@index_options
@click.option("--json", "as_json", is_flag=True, help="Print problems as JSON.")
def check(files, as_json, **flags):
    """Check question files: quotes verbatim in their documents, answers present, topics valid.

    With no FILES, checks the shipped gold.jsonl and dialogues.jsonl. Trainers can keep
    their own questions in a file of the same form (see eval/README.md) and check it here;
    each problem is reported with its line number, and good lines are still counted.
    Quotes are checked against the documents in the index, as cleaned for citation.
    """
    from cpguide.eval import runner
    from cpguide.eval.check import check_dialogues, check_items

    settings = make_settings(**flags)
    documents = _documents(settings)
    targets = list(files) or [runner.gold_path(), runner.gold_path("dialogues.jsonl")]
    report = []
    total_problems = 0
    for path in targets:
        first = next((ln for ln in Path(path).read_text(encoding="utf-8").splitlines() if ln.strip()), "")
        is_dialogue = '"turns"' in first
        valid, problems = (check_dialogues if is_dialogue else check_items)(path, documents)
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
