"""kolgraph report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .common import echo_err, handle_errors, is_quiet, main, quiet_option


@main.command("report")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write (one self-contained page; prints to a tidy PDF).")
@click.option("--top", default=8, show_default=True, type=click.IntRange(min=1),
              help="Example rows per role (KOLs, core fans, critics, bridges, amplifiers) and per defector table.")
@click.option("--announcement", "announcement", metavar="TIME",
              help="When the partnership was announced (ISO 8601 or epoch seconds), marked on the timeline; "
                   "default: the what-if's cut-off when it has one.")
@click.option("--strict", is_flag=True,
              help="Refuse (exit 2) when the what-if results come from an older analysis, instead of flagging them.")
@click.option("--map-max-nodes", default=500, show_default=True, type=click.IntRange(min=1),
              help="Nodes in the embedded backbone map.")
@click.option("--no-map", is_flag=True, help="Do not embed the map (a smaller page).")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Seed of the map's layout.")
@click.option("--json", "as_json", is_flag=True,
              help="Print what was written as JSON (path, bytes, sections, skipped, stale) instead of the path.")
@quiet_option
@click.pass_context
@handle_errors
def report_command(ctx, workspace, out, top, announcement, strict, map_max_nodes, no_map, seed, as_json):
    """Write an HTML report of an analysed workspace, verdict first.

    Opens with one decision card per candidate vetted by `kolgraph whatif` (tier, core fans turning
    against the brand, comment-section flood, friendly KOLs at risk, reasons, real example posts,
    safer alternatives); then the evidence (what-if distributions, core-fan stance before and after,
    the brand timeline, camps and communities, roles with examples); details last; a glossary of
    every number. Needs `kolgraph analyze` first. What-if results computed on an older analysis are
    flagged (or refused with --strict). No external requests: charts are inline SVG.

    Definitions: docs/methods.md.

    \b
    Example:
      kolgraph report ws -o report.html
      kolgraph report ws -o report.html --announcement 2026-01-20T09:00:00+08:00 --no-map
    """
    from ..viz.report import write_report

    result = write_report(workspace, out, top=top, embed_map=not no_map, map_max_nodes=map_max_nodes, seed=seed,
                          announcement=announcement, strict=strict, quiet=is_quiet(ctx))
    echo_err(ctx, result.summary())
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    else:
        click.echo(str(result.path))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
