"""Build, demo and generate: data in."""

from __future__ import annotations

from pathlib import Path

import click

from .common import echo_err, handle_errors, is_quiet, main, parse_key_values, quiet_option




@main.command("build")
@click.argument("interactions", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
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
@click.option("--rejects", "rejects", type=click.Path(dir_okay=False, path_type=Path),
              help="Also copy the rejects table here (it is always in WORKSPACE/rejects.csv).")
@click.option("--force", is_flag=True,
              help="Replace a workspace of another format version; never deletes files kolgraph did not write.")
@quiet_option
@click.pass_context
@handle_errors
def build_command(ctx, interactions, out, users, columns, user_columns, kind_weights, strict, rejects, force):
    """Validate interaction files and build a workspace (tables, graph, manifest).

    INTERACTIONS are CSV, TSV, JSONL or Parquet files (optionally .gz) with columns src, dst, kind
    and optionally timestamp, text, sentiment, post_id, weight. Bad rows are written to
    WORKSPACE/rejects.csv with file, row and reason; the build succeeds on the good rows unless --strict.

    \b
    Example:
      kolgraph build data/sample/interactions.csv --users data/sample/users.csv -o ws
      kolgraph build weibo.jsonl.gz --column src=uid --column dst=target_uid -o ws
    """
    from ..build.workspace import build_workspace

    try:
        weights = {k: float(v) for k, v in parse_key_values(kind_weights, "--kind-weight").items()}
    except ValueError:
        raise click.BadParameter("weights must be numbers", param_hint="--kind-weight") from None
    report = build_workspace(list(interactions), out, users_path=users, column_map=list(columns) or None,
                             user_column_map=list(user_columns) or None, strict=strict,
                             kind_weights=weights or None, rejects_path=rejects, quiet=is_quiet(ctx), force=force)
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
