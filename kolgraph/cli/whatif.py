"""kolgraph whatif: run, calibrate, sensitivity."""

from __future__ import annotations

from pathlib import Path

import click

from .common import handle_errors, is_quiet, main, quiet_option




class _WhatifGroup(click.Group):
    """``kolgraph whatif WORKSPACE ...`` runs the simulation (the ``run`` subcommand); other names are subcommands."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@main.group("whatif", cls=_WhatifGroup)
def whatif_group() -> None:
    """Simulate partnering with a KOL: core-fan stance shift, defectors, backlash carriers.

    `kolgraph whatif WORKSPACE --kol ID` is short for `kolgraph whatif run WORKSPACE --kol ID`.
    The model is methods.md section 4 (exposure, balance shock, Friedkin-Johnsen propagation,
    baseline on the same draws, Monte Carlo over exposure and priors). Needs `kolgraph analyze`.

    Definitions: docs/methods.md.

    \b
    Example:
      kolgraph whatif ws --kol laozhong_zhenhua --kol u33373623 --runs 200 --seed 0
      kolgraph whatif calibrate before_ws after_ws --kol laozhong_zhenhua --write-config fitted.toml
      kolgraph whatif sensitivity ws --kol laozhong_zhenhua
    """


def _whatif_text(result) -> str:
    """Verdict lines first (one per candidate), then the comparison table and each candidate's details."""
    lines = result.verdict_lines() + [""]
    lines.append(_whatif_table(result))
    for o in result.outcomes:
        lines.append("")
        name = o.display_name or o.candidate
        lines.append(f"{name} ({o.candidate}):")
        for reason in o.verdict.get("reasons", []):
            lines.append(f"  - {reason}")
        for f in o.comment_flood[:3]:
            mult = f.get("multiple")
            lines.append(f"  comments on {f['display_name']}: {f['hostile_per_day_expected']['mean']:.1f} hostile/day "
                         f"expected" + (f" (x{mult['mean']:.1f} [{mult['p05']:.1f}, {mult['p95']:.1f}] the "
                                        f"{f['hostile_per_day_before']:.2f}/day before)" if mult else ""))
        for k in o.friendly_kols_at_risk[:3]:
            lines.append(f"  friendly KOL at risk: {k['display_name']}: {'; '.join(k['reasons'])}")
        for a in o.safer_alternatives[:3]:
            lines.append(f"  safer alternative: {a['display_name']} ({a['user_id']}): {'; '.join(a['reasons'][:2])}")
        if o.aftermath:
            am = o.aftermath
            lines.append(f"  what happened: {100 * am['true_core_fans_turning_share']:.1f}% of core fans turned "
                         f"({'inside' if am['covered'] else 'OUTSIDE'} the 90% interval); precision@k of defectors "
                         f"{am['precision_at_k']:.2f} (k = {am['true_defectors']})")
    return "\n".join(lines)


def _whatif_table(result) -> str:
    rows = []
    for o in result.outcomes:
        aud = o.audience.get("shift")
        rows.append({
            "candidate": o.candidate,
            "tier": o.verdict.get("tier", ""),
            "core-fan shift [90%]": o.core_fan_shift.text(),
            "core fans turning negative [90%]": o.core_fans_turning_negative.text(percent=True),
            "all users": f"{o.overall_shift.mean:+.4f}",
            "own audience (n, shift)": f"{o.audience.get('users', 0)}, {aud.mean:+.3f}" if aud is not None
            and aud.mean == aud.mean else f"{o.audience.get('users', 0)}, n/a",
            "top defectors": ", ".join(o.defectors["user_id"].head(3).astype(str)) or "-",
            "top carriers": ", ".join(o.carriers["user_id"].head(3).astype(str)) or "-",
        })
    import pandas as pd

    return pd.DataFrame(rows).to_string(index=False)


@whatif_group.command("run")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--kol", "kols", multiple=True, required=True, metavar="ID",
              help="Candidate account id or display name (repeatable; candidates share the random draws).")
@click.option("--runs", "runs", type=click.IntRange(min=1), default=None,
              help="Monte Carlo runs (default 200, or [whatif] runs).")
@click.option("--seed", "seed", type=click.IntRange(min=0), default=None, help="Seed of the draws (default 0).")
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML file whose [whatif] section sets priors, q, runs, tol (see WhatIfScenario).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON instead of a table.")
@click.option("--no-write", "no_write", is_flag=True, help="Do not write WORKSPACE/whatif/.")
@click.option("--aftermath", "aftermath", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A known after-slice's truth (user_id, stance_before, stance_after) to score the prediction.")
@quiet_option
@click.pass_context
@handle_errors
def whatif_run_command(ctx, workspace, kols, runs, seed, config, as_json, no_write, aftermath):
    """Simulate partnering with each --kol and compare them side by side.

    Leads with one verdict line per candidate (red / amber / green / grey), then the comparison
    table: core-fan shift and the share of core fans turning against the brand (means with 90%
    intervals over the runs), the shift over all users and in the candidate's own audience, the top
    defectors and carriers; then per candidate the reasons, the comment-section flood per brand
    account, friendly KOLs at risk and safer alternatives. Writes WORKSPACE/whatif/ as one set:
    users.parquet, summary.json (the JSON of --json), runs.csv, communities.csv, defectors.csv,
    carriers.csv, alternatives.csv.

    Definitions: docs/methods.md.

    \b
    Example:
      kolgraph whatif ws --kol laozhong_zhenhua --runs 200 --seed 0
      kolgraph whatif ws --kol 老钟说真话 --kol u33373623 --json > whatif.json
    """
    import json

    from .._io import json_default
    from ..runs.whatif import whatif_workspace

    quiet = is_quiet(ctx)
    run = whatif_workspace(workspace, list(kols), config=config, runs=runs, seed=seed, quiet=quiet,
                           write=not no_write, aftermath=aftermath)
    if as_json:
        click.echo(json.dumps(run.summary(), ensure_ascii=False, indent=2, default=json_default))
    else:
        click.echo(_whatif_text(run.result))
    if not quiet and run.files:
        click.echo(f"per-user results and summaries: {Path(run.files['summary']).parent}", err=True)


@whatif_group.command("calibrate")
@click.argument("before", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("after", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--kol", "kol", required=True, metavar="ID", help="The account the brand partnered with.")
@click.option("--cutoff", "cutoff", metavar="TIME",
              help="With one workspace: the partnership time (ISO date/time, UTC if no zone, or epoch seconds).")
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML file with [brand] (else the before workspace's analysis), [whatif] q, [calibration].")
@click.option("--seed", "seed", type=click.IntRange(min=0), default=None, help="Bootstrap seed (default 0).")
@click.option("--bootstrap", "bootstrap", type=click.IntRange(min=0), default=None,
              help="Bootstrap replicates for the uncertainty (default 200; 0 skips it).")
@click.option("--write-config", "write_config", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the fitted priors as a [whatif] TOML section to this (new) file.")
@click.option("--json", "as_json", is_flag=True, help="Print the fit as JSON.")
@quiet_option
@click.pass_context
@handle_errors
def whatif_calibrate_command(ctx, before, after, kol, cutoff, config, seed, bootstrap, write_config, as_json):
    """Fit alpha, beta, gamma and susceptibility from a past partnership.

    Give two workspaces (built from the periods before and after the partnership with --kol) or
    one workspace and --cutoff. Stance is measured per period as a plain mean of brand-directed
    sentiment; lambda is profiled on a grid and (drift, alpha, beta) solved by weighted least
    squares; uncertainty from a bootstrap over users.

    \b
    Example:
      kolgraph whatif calibrate before_ws after_ws --kol laozhong_zhenhua --config kolgraph.toml
      kolgraph whatif calibrate ws --cutoff 2026-02-02T00:00:00Z --kol laozhong_zhenhua --write-config fitted.toml
    """
    import json

    from .._io import write_text
    from ..runs.whatif import calibrate_cutoff, calibrate_workspaces

    quiet = is_quiet(ctx)
    if (after is None) == (cutoff is None):
        raise click.UsageError("give either AFTER (a second workspace) or --cutoff TIME, not both or neither")
    if write_config is not None and write_config.exists():
        raise click.ClickException(f"{write_config}: exists; choose a new file (or merge the section by hand)")
    if after is not None:
        result = calibrate_workspaces(before, after, kol, config=config, seed=seed, bootstrap=bootstrap, quiet=quiet)
        source = f"{before} -> {after}"
    else:
        result = calibrate_cutoff(before, cutoff, kol, config=config, seed=seed, bootstrap=bootstrap, quiet=quiet)
        source = f"{before} cut at {cutoff}"
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in result.summary_lines():
            click.echo(line)
    if write_config is not None:
        write_text(write_config, result.to_toml(source))
        if not quiet:
            click.echo(f"fitted [whatif] section written to {write_config}", err=True)


@whatif_group.command("sensitivity")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--kol", "kols", multiple=True, required=True, metavar="ID",
              help="Candidate account id or display name (repeatable).")
@click.option("--runs", "runs", type=click.IntRange(min=1), default=None,
              help="Monte Carlo runs per setting (default 200, or [whatif] runs).")
@click.option("--seed", "seed", type=click.IntRange(min=0), default=None, help="Seed of the draws (default 0).")
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML file whose [whatif] section sets the priors and ranges swept.")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON records.")
@quiet_option
@click.pass_context
@handle_errors
def whatif_sensitivity_command(ctx, workspace, kols, runs, seed, config, as_json):
    """One-at-a-time sweep: alpha, beta, susceptibility and q at low / mid / high of their ranges.

    Each row fixes one parameter and keeps the others' priors, under the same draws, so the
    change from the reference row is that parameter's doing. Writes WORKSPACE/whatif/sensitivity.csv.

    \b
    Example:
      kolgraph whatif sensitivity ws --kol laozhong_zhenhua --runs 100
    """
    from ..runs.whatif import sensitivity_workspace

    quiet = is_quiet(ctx)
    table, path = sensitivity_workspace(workspace, list(kols), config=config, runs=runs, seed=seed, quiet=quiet)
    if as_json:
        click.echo(table.to_json(orient="records", force_ascii=False, indent=2))
    else:
        show = table.copy()
        for col in ("value", "core_fan_shift", "core_fan_shift_p05", "core_fan_shift_p95",
                    "core_fans_turning_negative", "overall_shift"):
            show[col] = show[col].map(lambda v: "" if v != v else f"{v:+.4f}" if col != "value" else f"{v:.3f}")
        click.echo(show.to_string(index=False))
    if not quiet and path is not None:
        click.echo(f"written to {path}", err=True)




@whatif_group.command("backtest")
@click.option("--events", "events", type=click.IntRange(min=1), default=20, show_default=True,
              help="Generated events (varied size, generator and aftermath parameters).")
@click.option("--seed", "seed", type=click.IntRange(min=0), default=7, show_default=True, help="Seed of the events.")
@click.option("--runs", "runs", type=click.IntRange(min=1), default=100, show_default=True,
              help="Monte Carlo runs per prediction.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the per-event table here (CSV).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@quiet_option
@click.pass_context
@handle_errors
def whatif_backtest_command(ctx, events, seed, runs, out, as_json):
    """Score the what-if against generated events whose aftermath comes from a different mechanism.

    Each event is built and analysed from its before-slice only; the prediction for the announced
    partnership with the critic KOL is scored on the agent-based aftermath: coverage of the 90%
    intervals of core fans turning, precision@k of defectors beside random, "most negative
    attitude" and an oracle that knows the true grievances. About 15 s per event.

    \b
    Example:
      kolgraph whatif backtest --events 20 --seed 7 --out backtest.csv
    """
    import json

    from .._io import json_default, write_table
    from ..runs.whatif_backtest import backtest_events, backtest_summary

    table = backtest_events(events, seed=seed, runs=runs, quiet=is_quiet(ctx))
    summary = backtest_summary(table)
    if out is not None:
        write_table(table.drop(columns=["aftermath"]), out)
    if as_json:
        click.echo(json.dumps(summary, indent=2, default=json_default))
    else:
        click.echo(table.drop(columns=["aftermath"]).round(3).to_string(index=False))
        click.echo(f"coverage of the 90% intervals: {summary['coverage']:.0%} of {summary['events']} events; "
                   f"precision@k {summary['precision_at_k']:.3f} (random {summary['random_precision']:.3f}, "
                   f"most negative attitude {summary['most_negative_attitude_precision']:.3f}, oracle "
                   f"{summary['oracle_grievance_precision']:.3f})")
