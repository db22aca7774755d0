"""kolgraph analyze."""

from __future__ import annotations

from pathlib import Path

import click

from .common import handle_errors, is_quiet, main, quiet_option




@main.command("analyze")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--brand-account", "brand_accounts", multiple=True, metavar="ID",
              help="A brand account's user id (repeatable); adds to the config's [brand] accounts.")
@click.option("--brand-keyword", "brand_keywords", multiple=True, metavar="K",
              help="A word naming the brand in post texts, case-insensitive (repeatable).")
@click.option("--critic-account", "critic_accounts", multiple=True, metavar="ID",
              help="A known critic account, seed of the critic camp (repeatable); default: detected critic KOLs.")
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML file with [brand], [stance], [communities], [roles], [camps] sections.")
@click.option("--stance-model", "stance_model", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Sentiment model file (from `kolgraph stance train`); default: the shipped model.")
@click.option("--seed", "seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of every random step (communities, sampled betweenness).")
@click.option("--resolution", "resolution", type=float, default=None,
              help="Community resolution (> 0; larger gives more, smaller communities). Default 1.0.")
@click.option("--runs", "runs", type=click.IntRange(min=1), default=None,
              help="Community detection runs in the consensus (1 = a single run). Default: 10 up to 200,000 users, 1 above.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (run id, summary, top holders per role).")
@quiet_option
@click.pass_context
@handle_errors
def analyze_command(ctx, workspace, brand_accounts, brand_keywords, critic_accounts, config, stance_model, seed,
                    resolution, runs, as_json):
    """Find the brand's KOLs, core fans, critics, bridges and amplifiers, with reasons.

    Writes WORKSPACE/analysis/: users.parquet and users.csv (one row per user: community,
    centrality, brand stance, brand affinity, roles and the reasons for each role),
    communities.csv, attitudes.parquet, interaction_sentiment.parquet and analysis.json, and
    prints a summary. The brand comes from --brand-account / --brand-keyword and the config
    file's [brand] section (both are used).

    Definitions: docs/methods.md.

    \b
    Example:
      kolgraph analyze ws --config data/sample/kolgraph.toml
      kolgraph analyze ws --brand-account lanyou_official --brand-keyword 岚柚 --seed 1 --runs 5
    """
    from ..runs.analyze import analyze_workspace
    from ..config import BrandConfig

    result = analyze_workspace(workspace, BrandConfig(accounts=brand_accounts, keywords=brand_keywords),
                               config=config, critic_accounts=critic_accounts, stance_model=stance_model,
                               seed=seed, resolution=resolution, runs=runs, quiet=is_quiet(ctx))
    if as_json:
        from .._io import dumps

        click.echo(dumps(result.to_json()))
        return
    for line in result.summary_lines():
        click.echo(line)

