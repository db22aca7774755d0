"""Build, demo and generate: data in."""

from __future__ import annotations

from pathlib import Path

import click

from ..build.formats import INPUT_FORMATS
from ..build.importers.report import describe_inputs, warning_lines
from ..times import parse_time
from .common import echo_err, handle_errors, is_quiet, main, parse_key_values, quiet_option




@main.command("build")
@click.argument("interactions", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Workspace folder to write (replaced only if it is a kolgraph workspace with nothing foreign in it).")
@click.option("--users", "users", type=click.Path(dir_okay=False, path_type=Path),
              help="Users table: user_id, display_name, followers, verified.")
@click.option("--column", "columns", multiple=True, metavar="CANONICAL=FILE_COLUMN",
              help="Rename an interactions column, e.g. --column src=uid (repeatable).")
@click.option("--user-column", "user_columns", multiple=True, metavar="CANONICAL=FILE_COLUMN",
              help="Rename a users-table column, e.g. --user-column user_id=uid.")
@click.option("--kind-weight", "kind_weights", multiple=True, metavar="KIND=WEIGHT",
              help="Influence weight of a kind (defaults: repost=1.0, reply=0.5, mention=0.3).")
@click.option("--strict", is_flag=True, help="Stop at the first bad row instead of rejecting it.")
@click.option("--input-format", "input_format", type=click.Choice(INPUT_FORMATS), default=None,
              help="Read every input as this format instead of detecting it from the content.")
@click.option("--timezone", "timezone", default=None, metavar="ZONE",
              help="Time zone of times without an offset (default: Asia/Shanghai for Weibo exports, UTC "
                   "otherwise), e.g. Europe/London.")
@click.option("--reference-time", "reference_time", default=None, metavar="TIME",
              help="When a Weibo export was crawled (ISO 8601 or epoch seconds): resolves 刚刚, 5分钟前, "
                   "今天 08:00 where the export has no crawl time.")
@click.option("--rejects", "rejects", type=click.Path(dir_okay=False, path_type=Path),
              help="Also copy the rejects table here (it is always in WORKSPACE/rejects.csv).")
@click.option("--force", is_flag=True,
              help="Replace a workspace of another format version; never deletes files kolgraph did not write.")
@quiet_option
@click.pass_context
@handle_errors
def build_command(ctx, interactions, out, users, columns, user_columns, kind_weights, strict, input_format,
                  timezone, reference_time, rejects, force):
    """Validate interaction files and build a workspace (tables, graph, manifest).

    INTERACTIONS are tables (CSV, TSV, JSONL, Parquet; optionally .gz) with columns src, dst, kind
    and optionally timestamp, text, sentiment, post_id, weight -- or platform exports as their
    tools write them: twarc2 / X API v2 JSONL, Twitter v1.1 JSONL or a PHEME-style folder,
    weibo-crawler CSV / sqlite, weibo-search CSV, WeiboSpider JSONL. The format of each input is
    detected from its content and printed. Bad rows are written to WORKSPACE/rejects.csv with file,
    row and reason; the build succeeds on the good rows unless --strict.

    \b
    Example:
      kolgraph build data/sample/interactions.csv --users data/sample/users.csv -o ws
      kolgraph build weibo.jsonl.gz --column src=uid --column dst=target_uid -o ws
      kolgraph build tweets.jsonl -o ws                # twarc2 output
      kolgraph build 1669879400.csv users.csv -o ws    # weibo-crawler output
    """
    from ..build.workspace import build_workspace

    try:
        weights = {k: float(v) for k, v in parse_key_values(kind_weights, "--kind-weight").items()}
    except ValueError:
        raise click.BadParameter("weights must be numbers", param_hint="--kind-weight") from None
    reference = parse_time(reference_time, what="--reference-time") if reference_time is not None else None
    report = build_workspace(list(interactions), out, users_path=users, column_map=list(columns) or None,
                             user_column_map=list(user_columns) or None, strict=strict,
                             kind_weights=weights or None, rejects_path=rejects, quiet=is_quiet(ctx),
                             input_format=input_format, timezone=timezone, reference_time=reference,
                             force=force)
    for line in describe_inputs(report.interactions):
        echo_err(ctx, line)
    for line in warning_lines(report.interactions):
        click.echo(line, err=True)
    echo_err(ctx, report.summary())
    click.echo(str(report.workspace.path))


@main.command("demo")
@click.option("-o", "--out", "out", default="kolgraph-demo", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder for the demo's outputs.")
@quiet_option
@click.pass_context
@handle_errors
def demo_command(ctx, out):
    """Run every analysis on the shipped sample event and print where the outputs are.

    \b
    Example:
      kolgraph demo -o kolgraph-demo
    """
    from ..runs.demo import run_demo

    result = run_demo(out, quiet=is_quiet(ctx))
    for line in result.summary_lines():
        click.echo(line)
