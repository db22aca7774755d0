"""kolgraph report."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import echo_err, handle_errors, is_quiet, main, quiet_option




@main.command("report")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write (one self-contained page).")
@click.option("--top", default=15, show_default=True, type=click.IntRange(min=1),
              help="Rows per role table (KOLs, core fans, critics, bridges).")
@click.option("--map-max-nodes", default=500, show_default=True, type=click.IntRange(min=1),
              help="Nodes in the embedded backbone map.")
@click.option("--no-map", is_flag=True, help="Do not embed the map (a smaller page).")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Seed of the map's layout.")
@quiet_option
@click.pass_context
@handle_errors
def report_command(ctx, workspace, out, top, map_max_nodes, no_map, seed):
    """Write an HTML report of an analysed workspace: figures, roles, communities, plots, map.

    Needs `kolgraph analyze` first. Includes what-if results and sensitivity tables when
    WORKSPACE/whatif/ holds them. No external requests: plots are inline images, scripts inline.

    \b
    Example:
      kolgraph report ws -o report.html
      kolgraph report ws -o report.html --top 30 --no-map
    """
    from ..viz.report import write_report

    result = write_report(workspace, out, top=top, embed_map=not no_map, map_max_nodes=map_max_nodes, seed=seed,
                          quiet=is_quiet(ctx))
    echo_err(ctx, result.summary())
    click.echo(str(result.path))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
