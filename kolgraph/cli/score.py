"""kolgraph score: batch scoring of candidate lists."""

from __future__ import annotations

from pathlib import Path

import click

from .common import handle_errors, is_quiet, main, quiet_option




@main.command("score")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("candidates", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output table; format by extension: .csv, .tsv, .json, .jsonl or .parquet.")
@click.option("--handle-column", "handle_column", metavar="C",
              help="Column holding the handles (default: the first of user_id, id, handle, account, username, "
                   "screen_name, ... present; a one-column file uses its column).")
@click.option("--top", "top", type=click.IntRange(min=0), default=0, show_default=True,
              help="Print the best N candidates as a table (lowest risk, then highest PageRank percentile).")
@click.option("--runs", "runs", type=click.IntRange(min=1), default=None,
              help="What-if Monte Carlo runs per candidate (default 50, or [scoring] whatif_runs).")
@click.option("--seed", "seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the what-if draws (all candidates share them).")
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML file whose [scoring] section sets the tier thresholds.")
@click.option("--no-whatif", "no_whatif", is_flag=True,
              help="Skip the what-if simulation (faster; tiers rest on the other signs).")
@quiet_option
@click.pass_context
@handle_errors
def score_command(ctx, workspace, candidates, out, handle_column, top, runs, seed, config, no_whatif):
    """Score a list of candidate KOLs: reach, audience, stance, antagonism, what-if and a risk tier.

    CANDIDATES is CSV, TSV, JSONL/JSON, Parquet or plain text (one handle a line). Handles are
    matched to user ids and display names (leading @, case, spaces and full-width forms ignored).
    The output has one row per input row, with every input column kept, a status (ok, duplicate,
    ambiguous, unknown, blank), a risk tier (red, amber, green) and the reasons that set it.
    Needs `kolgraph analyze WORKSPACE` first.

    \b
    Example:
      kolgraph score ws candidates.csv -o scored.csv --top 10
      kolgraph score ws handles.txt -o scored.parquet --no-whatif
      kolgraph score ws agency.csv --handle-column 微博ID -o scored.json --runs 200 --seed 1
    """
    from ..algorithms.scoring import score_file

    quiet = is_quiet(ctx)
    result = score_file(workspace, candidates, out, handle_column=handle_column, config=config, runs=runs, seed=seed,
                        whatif=not no_whatif, quiet=quiet)
    if not quiet:
        click.echo(f"handles: {result.handle_source}", err=True)
        if result.renamed:
            click.echo("input columns renamed (scoring writes columns of that name): "
                       + ", ".join(f"{a} -> {b}" for a, b in result.renamed.items()), err=True)
        click.echo(result.summary_line(), err=True)
    if top:
        click.echo(result.top_table(top))
    click.echo(str(result.path))


