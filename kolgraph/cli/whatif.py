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


def _whatif_table(result) -> str:
    rows = []
    for o in result.outcomes:
        aud = o.audience.get("shift")
        rows.append({
            "candidate": o.candidate,
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
              help="Candidate account id to partner with (repeatable; candidates share the random draws).")
@click.option("--runs", "runs", type=click.IntRange(min=1), default=None,
              help="Monte Carlo runs (default 200, or [whatif] runs).")
@click.option("--seed", "seed", type=click.IntRange(min=0), default=None, help="Seed of the draws (default 0).")
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML file whose [whatif] section sets priors, q, runs, tol (see WhatIfScenario).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON instead of a table.")
@click.option("--no-write", "no_write", is_flag=True, help="Do not write WORKSPACE/whatif/.")
@quiet_option
@click.pass_context
@handle_errors
def whatif_run_command(ctx, workspace, kols, runs, seed, config, as_json, no_write):
    """Simulate partnering with each --kol and compare them side by side.

    Prints, per candidate, the core-fan mean stance shift and the share of core fans turning
    negative (means with 90% intervals over the runs), the shift over all users and in the
    candidate's own audience, the top defectors and the accounts carrying the backlash. Writes
    WORKSPACE/whatif/: users.parquet (per user and candidate), summary.json (the JSON below),
    runs.csv, communities.csv, defectors.csv, carriers.csv.

    Definitions: docs/methods.md.

    \b
    Example:
      kolgraph whatif ws --kol laozhong_zhenhua --runs 200 --seed 0
      kolgraph whatif ws --kol laozhong_zhenhua --kol u33373623 --json > whatif.json
    """
    import json

    from ..algorithms.whatif import whatif_workspace

    quiet = is_quiet(ctx)
    run = whatif_workspace(workspace, list(kols), config=config, runs=runs, seed=seed, quiet=quiet,
                           write=not no_write)
    if as_json:
        click.echo(json.dumps(run.result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(_whatif_table(run.result))
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
    """Fit alpha, beta and susceptibility from a past partnership.

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
    from ..algorithms.calibration import calibrate_cutoff, calibrate_workspaces

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
@click.option("--kol", "kols", multiple=True, required=True, metavar="ID", help="Candidate account id (repeatable).")
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
    from ..algorithms.whatif import sensitivity_workspace

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


