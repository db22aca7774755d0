"""kolgraph map: interactive network maps and GEXF export."""

from __future__ import annotations

from pathlib import Path

import click

from .common import echo_err, handle_errors, is_quiet, main, quiet_option




@main.command("map")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write: an HTML page (default) or, with --format gexf or a .gexf name, GEXF.")
@click.option("--communities", is_flag=True,
              help="One node per community (size, mean stance, brand share) with weighted links.")
@click.option("--focus", "focus", metavar="ID",
              help="Draw the ego network of this account (user id or unique display name).")
@click.option("--hops", default=1, show_default=True, type=click.IntRange(min=1),
              help="With --focus: steps from the account, following edges in either direction.")
@click.option("--max-nodes", default=1000, show_default=True, type=click.IntRange(min=1),
              help="At most this many nodes (browsers freeze above about a thousand).")
@click.option("--max-edges", default=5000, show_default=True, type=click.IntRange(min=0),
              help="At most this many edges among them (the heaviest are kept).")
@click.option("--format", "fmt", type=click.Choice(["html", "gexf"]), default=None,
              help="html: interactive page; gexf: the full graph with all attributes for Gephi. "
                   "Default: from the -o extension (.gexf), else html.")
@click.option("--title", default=None, help="Page title (default: the view's name).")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Seed of the initial layout.")
@quiet_option
@click.pass_context
@handle_errors
def map_command(ctx, workspace, out, communities, focus, hops, max_nodes, max_edges, fmt, title, seed):
    """Draw an interactive network map (self-contained HTML, works offline) or export GEXF.

    By default draws the influence backbone: brand accounts, critic KOLs, each large community's
    top members, KOLs and the highest PageRank, at most --max-nodes, and says on the page what
    was left out. Nodes are coloured by community, shaped by role and sized by PageRank; hover for
    metrics, roles and reasons. Uses WORKSPACE/analysis/ from `kolgraph analyze`; without it the
    backbone and --focus maps draw the raw graph sized by PageRank (no roles), --communities stops.

    Definitions: docs/methods.md.

    \b
    Example:
      kolgraph map ws -o map.html
      kolgraph map ws --communities -o communities.html
      kolgraph map ws --focus kol_0001 --hops 2 -o kol_0001.html
      kolgraph map ws -o graph.gexf
    """
    from ..viz.maps import write_map

    fmt = fmt or ("gexf" if out.suffix.lower() == ".gexf" else "html")
    result = write_map(workspace, out, communities=communities, focus=focus, hops=hops, max_nodes=max_nodes,
                       max_edges=max_edges, format=fmt, title=title, seed=seed, quiet=is_quiet(ctx))
    echo_err(ctx, result.summary())
    if result.data is not None:
        for note in result.data.notes:
            echo_err(ctx, f"  {note}")
    click.echo(str(result.path))
