"""kolgraph map and kolgraph explore: interactive network maps, GEXF export, the WebGL explorer."""

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
              help="At most this many nodes (vis.js pages slow down above a few thousand; "
                   "use `kolgraph explore` for 100k+).")
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

    By default draws the influence backbone: brand accounts, critic KOLs and vetted candidates,
    KOLs, core fans and critics, each large community's top members, bridges, amplifiers, then
    the highest PageRank, at most --max-nodes; the page says what was left out (per role).
    In the page: colour by community, role, stance or camp affinity; size by a metric; edges by
    the mean sentiment of their interactions or by kind; search ids and names; filters hide;
    Export PNG. Hover for metrics, roles and reasons. Uses WORKSPACE/analysis/ from `kolgraph analyze`; without it the
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


@main.command("explore")
@click.argument("workspace", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write (one offline page).")
@click.option("--max-users", default=100_000, show_default=True, type=click.IntRange(min=1),
              help="Draw every user up to this many; above it, the backbone (the page says so).")
@click.option("--max-edges", default=250_000, show_default=True, type=click.IntRange(min=0),
              help="At most this many edges among the drawn users (the heaviest are kept).")
@click.option("--title", default=None, help="Page title.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Seed of the layout.")
@quiet_option
@click.pass_context
@handle_errors
def explore_command(ctx, workspace, out, max_users, max_edges, title, seed):
    """Write a WebGL explorer of every user (sigma.js; self-contained, works offline).

    Positions are computed here (communities as discs placed by Fruchterman-Reingold, members by
    PageRank), so the page opens laid out. Colour by community, role, stance or camp affinity;
    size by a metric; filter by role, community, numeric range and edge kind; search ids and
    names; hover for roles and reasons; Export PNG. Needs `kolgraph analyze` first.

    \b
    Example:
      kolgraph explore ws -o explorer.html
      kolgraph explore big_ws --max-users 100000 -o explorer.html
    """
    from ..viz.explorer import write_explorer

    result = write_explorer(workspace, out, max_users=max_users, max_edges=max_edges, seed=seed, title=title,
                            quiet=is_quiet(ctx))
    echo_err(ctx, result.summary())
    click.echo(str(result.path))
