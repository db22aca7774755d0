"""The explorer page (one offline HTML file, sigma.js WebGL) and :func:`write_explorer`."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..._io import write_text
from ...runs.outputs import AnalysisOutputs
from ..safe_html import escape as html_escape, page as html_page
from ..maps.assets import COLOUR_JS
from ..maps.inputs import MapInputs, load_map_inputs
from ..maps.style import KIND_COLOURS, ROLE_LABELS, ROLES, SIGN_COLOURS, SIGN_THRESHOLD, group_palette
from .assets import EXPLORER_CSS, EXPLORER_JS, static_asset
from .data import METRICS, ExplorerData, ExplorerParams, explorer_data, payload

__all__ = ["render_explorer_html", "ExplorerResult", "write_explorer"]


def _options(values) -> str:
    e = html_escape
    return "".join(f'<option value="{e(v)}">{e(label)}</option>' for v, label in values)


def _controls(inputs: MapInputs, data: ExplorerData) -> str:
    users = inputs.users.iloc[data.codes]
    present = [(m, label) for m, label, _ in METRICS if m in users and users[m].notna().any()]
    roles = users["roles"][users["roles"] != ""].str.split("|").explode().value_counts()
    sizes = users["community"][users["community"] >= 0].value_counts().head(300)
    return "".join([
        '<div id="controls">',
        '<label>Colour <select id="node-colour">',
        _options([("community", "community"), ("role", "role"), ("stance", "brand stance"),
                  ("affinity", "camp affinity")]), '</select></label>',
        f'<label>Size <select id="node-size">{_options(p for p in present if p[0] not in ("stance", "brand_affinity"))}'
        '</select></label>',
        '<label>Role <select id="filter-role"><option value="">all</option>',
        _options((r, f"{ROLE_LABELS[r]} ({int(roles[r]):,})") for r in ROLES if r in roles.index), '</select></label>',
        '<label>Community <select id="filter-community"><option value="">all</option>',
        _options((int(c), f"C{int(c)} ({int(s):,})") for c, s in sizes.items()), '</select></label>',
        f'<label>Range <select id="range-metric">{_options(present)}</select></label>',
        '<input id="range-min" type="number" step="any" placeholder="min" aria-label="minimum">',
        '<input id="range-max" type="number" step="any" placeholder="max" aria-label="maximum">',
        '<label>Edges <select id="filter-kind"><option value="">all kinds</option>',
        _options((k, k) for k in ("repost", "reply", "mention")), '<option value="none">none</option></select></label>',
        '<label>Edge colour <select id="edge-colour"><option value="sign">sentiment sign</option>'
        '<option value="kind">interaction kind</option></select></label>',
        '<label>Find <input id="find" type="search" placeholder="name or id (substring)" size="22" autocomplete="off">'
        '</label>',
        '<button id="export-png" type="button">Export PNG</button><button id="reset" type="button">Reset</button>',
        '<span id="filter-count"></span><span id="status">Drawing…</span></div>',
    ])


def render_explorer_html(inputs: MapInputs, data: ExplorerData, *, title: str | None = None,
                         workspace: str | None = None) -> str:
    """The explorer as one self-contained HTML page (sigma.js and graphology inlined, no requests)."""
    e = html_escape
    block = payload(inputs, data)
    block["meta"] = {"backbone": data.backbone, "total_users": data.total_users, "total_edges": data.total_edges,
                     "workspace": workspace or "WORKSPACE", "layout_seconds": round(data.layout_seconds, 2)}
    block["palette"] = {"kinds": KIND_COLOURS, "signs": SIGN_COLOURS, "sign_threshold": SIGN_THRESHOLD,
                        "sign_names": {"positive": f"positive sentiment (≥ +{SIGN_THRESHOLD})",
                                       "negative": f"negative sentiment (≤ −{SIGN_THRESHOLD})",
                                       "neutral": "neutral or unknown sentiment"}, **group_palette()}
    heading = title or ("Explorer: backbone of the event" if data.backbone else "Explorer: every user of the event")
    summary = (f"{len(data.codes):,} of {data.total_users:,} users and {len(data.edges):,} of "
               f"{data.total_edges:,} edges drawn with WebGL (sigma.js). Scroll to zoom, drag to pan, hover for "
               "roles and reasons.")
    notes = "".join(f"<p>{e(x)}</p>" for x in (summary, *data.notes))
    legend = ('<h2>Legend</h2><h3 id="node-legend-title">Colour</h3><ul class="swatches" id="node-legend"></ul>'
              '<h3 id="size-legend">Size</h3><h3>Edges</h3><ul class="swatches" id="edge-legend"></ul>'
              '<p class="hint">An edge u → v: u reposted, replied to or mentioned v; its colour is the mean '
              'sentiment of those interactions (text model where the input had none).</p>')
    body = (f"<header><h1>{e(heading)}</h1>{notes}</header>{_controls(inputs, data)}"
            f'<div id="main"><div id="graph" role="img" aria-label="{e(heading)}"></div>'
            f'<aside id="legend">{legend}</aside>'
            '<div id="tip" hidden></div><div id="find-box" hidden><p id="find-summary"></p>'
            '<ul id="find-results"></ul></div></div>')
    return html_page(heading, body, styles=[EXPLORER_CSS],
                      scripts=[static_asset("graphology"), static_asset("sigma"), COLOUR_JS, EXPLORER_JS],
                      data={"kolgraph-explorer-data": block})


@dataclass(frozen=True)
class ExplorerResult:
    """What :func:`write_explorer` wrote: the file, its size, what it drew and the time taken."""

    path: Path
    bytes: int
    seconds: float
    data: ExplorerData

    def summary(self) -> str:
        return (f"{self.data.summary()}; wrote {self.path} ({self.bytes / 1e6:.1f} MB in {self.seconds:.1f} s)"
                + ("".join(f"\n  {note}" for note in self.data.notes) if self.data.backbone else ""))


def write_explorer(workspace, out: str | os.PathLike, *, max_users: int = 100_000, max_edges: int = 250_000,
                   seed: int = 0, title: str | None = None, quiet: bool = True) -> ExplorerResult:
    """Write the WebGL explorer of an analysed workspace (atomically).

    Draws every user when there are at most ``max_users``, else the backbone (the page says so);
    the ``max_edges`` heaviest edges among them. Needs ``kolgraph analyze`` (communities, roles).
    """
    start = time.perf_counter()
    params = ExplorerParams(max_users=max_users, max_edges=max_edges, seed=seed)
    AnalysisOutputs.load(workspace)  # communities and roles lay out and colour the page: the one "analyze first" error
    inputs = load_map_inputs(workspace, quiet=quiet)
    data = explorer_data(inputs, params)
    write_text(out, render_explorer_html(inputs, data, title=title, workspace=inputs.source))
    return ExplorerResult(path=Path(out), bytes=Path(out).stat().st_size, seconds=time.perf_counter() - start,
                          data=data)
