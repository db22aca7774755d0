"""kolgraph score: batch scoring of candidate lists."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import UserError, handle_errors, is_quiet, main, quiet_option


def _print_columns(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from ..algorithms.scoring_columns import columns_text

    click.echo(columns_text())
    ctx.exit(0)


@main.command("score")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("candidates", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out", default=None, metavar="FILE",
              help="Output table; format by extension: .csv, .tsv, .json, .jsonl, .parquet or .xlsx; "
                   "- writes CSV to standard output.")
@click.option("--handle-column", "handle_column", metavar="C",
              help="Column holding the handles (default: the first of user_id, id, 微博ID, handle, account, 账号, "
                   "username, screen_name, 微博昵称, ... present; a one-column file uses its column).")
@click.option("--top", "top", type=click.IntRange(min=0), default=0, show_default=True,
              help="Print the best N candidates as a table (lowest risk, then highest PageRank percentile); "
                   "red candidates are always listed after them.")
@click.option("--runs", "runs", type=click.IntRange(min=1), default=None,
              help="What-if Monte Carlo runs per candidate (default 50, or [scoring] whatif_runs).")
@click.option("--seed", "seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the what-if draws (all candidates share them).")
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML file whose [scoring] section sets the tier thresholds.")
@click.option("--no-whatif", "no_whatif", is_flag=True,
              help="Skip the what-if simulation (faster; tiers rest on the other signs).")
@click.option("--excel", "excel", is_flag=True,
              help="CSV/TSV for Excel: a UTF-8 byte-order mark first (Chinese names display right).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the run (counts, parameters, every row) as JSON on standard output.")
@click.option("--columns", is_flag=True, expose_value=False, is_eager=True, callback=_print_columns,
              help="Print the data dictionary (every output column, its unit and meaning) and exit.")
@quiet_option
@click.pass_context
@handle_errors
def score_command(ctx, workspace, candidates, out, handle_column, top, runs, seed, config, no_whatif, excel,
                  as_json):
    """Score a list of candidate KOLs: reach, audience, stance, antagonism, what-if and a risk tier.

    CANDIDATES is CSV, TSV, JSONL/JSON, Parquet or plain text (one handle a line). Handles are
    matched to user ids and display names (leading @, case, spaces and full-width forms ignored).
    The output has one row per input row, with every input column kept, a status (ok, duplicate,
    ambiguous, unknown, blank), a risk tier (red, amber, grey = insufficient evidence, green) and
    the reasons that set it. Needs `kolgraph analyze WORKSPACE` first.

    Definitions: docs/methods.md (section 5) and docs/scoring.md; `--columns` prints them.

    \b
    Example:
      kolgraph score ws candidates.csv -o scored.xlsx --top 10
      kolgraph score ws handles.txt -o scored.csv --excel --no-whatif
      kolgraph score ws agency.csv --handle-column 微博ID -o - --runs 200 --seed 1 > scored.csv
      kolgraph score ws candidates.csv --json > scored.json
    """
    from ..runs.score import score_candidates, score_file

    if out is None and not as_json:
        raise UserError("give -o FILE (or -o - for standard output), or --json")
    if as_json and out is not None and str(out) == "-":
        raise UserError("--json prints to standard output; give -o a file name, not -")
    quiet = is_quiet(ctx)
    if out is not None:
        result = score_file(workspace, candidates, out, handle_column=handle_column, config=config, runs=runs,
                            seed=seed, whatif=not no_whatif, quiet=quiet, excel=excel)
    else:
        result = score_candidates(workspace, candidates, handle_column=handle_column, config=config, runs=runs,
                                  seed=seed, whatif=not no_whatif, quiet=quiet)
    to_stdout = as_json or str(out) == "-"
    if not quiet:
        click.echo(f"handles: {result.handle_source}", err=True)
        if result.renamed:
            click.echo("input columns renamed (scoring writes columns of that name): "
                       + ", ".join(f"{a} -> {b}" for a, b in result.renamed.items()), err=True)
        click.echo(result.summary_line(), err=True)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    if top:
        click.echo(result.top_table(top), err=to_stdout)
    if result.path is not None and not as_json:
        click.echo(str(result.path))
