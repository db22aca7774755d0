"""The map page (vis-network, offline, escaped) and :func:`write_map`."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..._io import write_text
from ...errors import KolgraphError
from ...schema import KINDS
from ..safe_html import escape as html_escape, page as html_page, vendor_asset
from .assets import COLOUR_JS, MAP_CSS, MAP_JS
from .ego import build_map
from .gexf import write_gexf
from .inputs import load_map_inputs
from .layout import GRID_STEP, initial_layout
from .style import (KIND_COLOURS, NO_ANALYSIS_COLOUR, ROLE_LABELS, ROLE_SHAPES, ROLES, SIGN_COLOURS,
                    SIGN_THRESHOLD, THICK_BORDER, group_palette)
from .tables import MapData

__all__ = ["METRICS", "SEARCH_EXTRA", "render_map_html", "MapResult", "write_map"]


#: Users not drawn that the page's search still finds (the highest PageRank first).
SEARCH_EXTRA = 20_000
#: Numeric node fields a page can size by and filter on: (field, label, log scale).
METRICS = (("pagerank", "PageRank", True), ("followers", "followers", True), ("coreness", "coreness", False),
           ("betweenness", "betweenness", True), ("stance", "brand stance", False),
           ("brand_affinity", "camp affinity", False), ("stance_support", "stance support", True),
           ("participation", "participation", False))


def _legend_html(data: MapData) -> str:
    """The legend (escaped HTML); the node-colour, size and edge parts are filled by the script."""
    e = html_escape
    parts = ['<h2>Legend</h2>', '<h3 id="node-legend-title">Colour</h3><ul class="swatches" id="node-legend"></ul>']
    if data.mode != "communities" and data.analysis:
        parts.append('<h3>Shape: role</h3><ul class="shapes">')
        present = set(data.nodes["role"]) if len(data.nodes) else set()
        for role in (*ROLES, ""):
            if role in present:
                thick = " thick" if role in THICK_BORDER else ""
                parts.append(f'<li><span class="shape {e(ROLE_SHAPES[role])}{thick}"></span>{e(ROLE_LABELS[role])}</li>')
        parts.append("</ul><p class=\"hint\">A user with several roles takes the first shape in this list; "
                     "hover for all roles and why.</p>")
    if data.mode == "communities":
        parts.append('<h3>Ring: mean brand stance</h3><ul class="swatches">'
                     f'<li><span class="sw" style="background:#fff;border:3px solid {SIGN_COLOURS["positive"]}"></span>'
                     f'≥ +{SIGN_THRESHOLD}</li>'
                     f'<li><span class="sw" style="background:#fff;border:3px solid {SIGN_COLOURS["negative"]}"></span>'
                     f'≤ −{SIGN_THRESHOLD}</li></ul>')
    if data.mode == "focus":
        parts.append('<p class="hint">The focus account is pinned in the middle with a thick dark ring.</p>')
    parts.append('<h3 id="size-legend">Size</h3>')
    parts.append('<h3>Edges</h3><ul class="swatches" id="edge-legend"></ul>')
    if data.mode == "communities":
        parts.append('<p class="hint">A link c → d: members of c acted on content of members of d.</p>')
    else:
        parts.append('<p class="hint">An arrow u → v: u reposted, replied to or mentioned v '
                     '(attention flows along it, influence against it). Edge sentiment: the mean over its '
                     'interactions (text model where the input had none).</p>')
    return "\n".join(parts)


def _edge_width(weight: np.ndarray) -> np.ndarray:
    return 0.5 + 2.5 * np.log1p(weight) / max(np.log1p(weight).max(), 1e-9) if len(weight) else np.zeros(0)


def _options(values) -> str:
    e = html_escape
    return "".join(f'<option value="{e(v)}">{e(label)}</option>' for v, label in values)


def _controls_html(data: MapData) -> str:
    e = html_escape
    users = data.mode != "communities"
    parts = ['<div id="controls">']
    if data.analysis or data.mode == "communities":
        modes = [("community", "community")]
        if users and data.analysis:
            modes += [("role", "role"), ("stance", "brand stance"), ("affinity", "camp affinity")]
        elif data.mode == "communities":
            modes += [("stance", "mean brand stance")]
        parts.append(f'<label>Colour <select id="node-colour">{_options(modes)}</select></label>')
    if users:
        sizes = [(m, label) for m, label, _ in METRICS if m in data.nodes and data.nodes[m].notna().any()
                 and m not in ("stance", "brand_affinity")]
        parts.append(f'<label>Size <select id="node-size">{_options(sizes)}</select></label>')
    if users and data.analysis and len(data.nodes):
        roles = pd.Series(data.nodes["roles"].str.split("|").explode())
        counts = roles[roles != ""].value_counts()
        options = _options((r, f"{ROLE_LABELS.get(r, r)} ({counts[r]:,})") for r in ROLES if r in counts.index)
        parts.append(f'<label>Role <select id="filter-role"><option value="">all</option>{options}</select></label>')
    if data.analysis and len(data.nodes):
        counts = data.nodes.groupby("community").size().sort_index()
        options = _options((c, f"C{c} ({n:,})") for c, n in counts.items() if c >= 0)
        parts.append(f'<label>Community <select id="filter-community"><option value="">all</option>{options}</select></label>')
    if users and len(data.nodes):
        ranged = [(m, label) for m, label, _ in METRICS if m in data.nodes and data.nodes[m].notna().any()]
        parts.append(f'<label>Range <select id="range-metric">{_options(ranged)}</select></label>'
                     '<input id="range-min" type="number" step="any" placeholder="min" size="6" aria-label="minimum">'
                     '<input id="range-max" type="number" step="any" placeholder="max" size="6" aria-label="maximum">')
    parts.append(f'<label>Edges <select id="filter-kind"><option value="">all kinds</option>'
                 f'{_options((k, k) for k in KINDS)}</select></label>')
    parts.append('<label>Edge colour <select id="edge-colour"><option value="sign">sentiment sign</option>'
                 '<option value="kind">interaction kind</option></select></label>')
    parts.append('<label>Find <input id="find" type="search" placeholder="name or id (substring)" size="22" '
                 'autocomplete="off"></label>')
    parts.append('<button id="export-png" type="button">Export PNG</button>'
                 '<button id="reset" type="button">Reset</button><span id="filter-count"></span>')
    parts.append('<span id="status">Laying out…</span></div><div id="find-box" hidden>'
                 '<p id="find-summary"></p><ul id="find-results"></ul></div>')
    return "".join(parts)


def _vis_options(n: int, seed: int, mode: str = "backbone") -> dict[str, Any]:
    big = n > 400
    communities = mode == "communities"  # few, very unequal nodes: keep them apart
    return {
        "autoResize": True,
        "layout": {"randomSeed": int(seed), "improvedLayout": False},
        # Labels: a fixed size; the script shows only those that fit without overlapping (largest first).
        "nodes": {"borderWidth": 1, "font": {"size": 14, "face": "system-ui, sans-serif", "strokeWidth": 3,
                                               "strokeColor": "#ffffff", "color": "#222222"},
                  "scaling": {"min": 7, "max": 42, "label": {"enabled": False}}},
        "edges": {"smooth": False, "arrows": {"to": {"enabled": True, "scaleFactor": 0.35}},
                  "color": {"inherit": False}, "selectionWidth": 1.5, "hoverWidth": 0.5},
        "physics": {"enabled": True, "solver": "barnesHut",
                    "barnesHut": {"gravitationalConstant": -2500, "centralGravity": 0.25,
                                  "springLength": 250 if communities else 110, "springConstant": 0.03,
                                  "damping": 0.5, "avoidOverlap": 1.0 if communities else 0.4},
                    "stabilization": {"enabled": True, "iterations": 100 if big else 250, "updateInterval": 50,
                                      "fit": True},
                    "minVelocity": 1.5, "timestep": 0.5, "adaptiveTimestep": True},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                        "multiselect": False, "keyboard": False},
    }


def _floats(values: pd.Series | np.ndarray, digits: int = 4) -> list:
    x = np.asarray(values, dtype="float64")
    return [None if not np.isfinite(v) else v for v in np.round(x, digits).tolist()]


def _search_extra(data: MapData, inputs_users: pd.DataFrame | None) -> dict[str, list]:
    """Ids and names of up to SEARCH_EXTRA users not drawn (highest PageRank first), for the search box."""
    if inputs_users is None or data.mode == "communities":
        return {"id": [], "name": [], "total": 0}
    drawn = inputs_users["user_id"].astype(str).isin(set(data.nodes["id"].astype(str))).to_numpy()
    rest = inputs_users.loc[~drawn]
    rest = rest.iloc[np.argsort(-rest["pagerank"].fillna(0).to_numpy(), kind="stable")[:SEARCH_EXTRA]]
    names = rest["display_name"].astype(object)
    return {"id": rest["user_id"].astype(str).tolist(),
            "name": names.where(names.notna(), "").astype(str).tolist(), "total": int((~drawn).sum())}


def render_map_html(data: MapData, *, title: str | None = None, seed: int = 0,
                    users: pd.DataFrame | None = None, workspace: str | None = None) -> str:
    """The map as one self-contained HTML page (vis-network inlined, no external requests).

    ``users`` (the map inputs' user table) lets the search find accounts that are not drawn (the
    :data:`SEARCH_EXTRA` highest PageRank) and offer ``kolgraph map WORKSPACE --focus ID``.
    """
    e = html_escape
    nodes = data.nodes
    xy, outside = initial_layout(data, seed)
    id_to_name = dict(zip(nodes["id"], nodes["name"])) if len(nodes) else {}
    edges = data.edges
    names = pd.Series(id_to_name, dtype=object)
    metrics = {m: _floats(nodes[m]) for m, _, _ in METRICS if m in nodes}
    if data.mode == "communities":
        metrics["stance"] = _floats(nodes["mean_stance"])
    payload = {
        "meta": {"mode": data.mode, "nodes": len(nodes), "edges": len(edges), "total_nodes": data.total_nodes,
                 "total_edges": data.total_edges, "focus": data.focus, "analysis": bool(data.analysis),
                 "workspace": workspace or "WORKSPACE"},
        "nodes": {
            "id": nodes["id"].astype(str).tolist(), "label": nodes["label"].astype(str).tolist(),
            "name": nodes["name"].astype(str).tolist(), "shape": nodes["shape"].tolist(),
            "colour": nodes["colour"].tolist(), "thick": nodes["thick"].astype(bool).tolist(),
            "size_score": np.round(nodes["size_score"].to_numpy(dtype="float64"), 4).tolist(),
            "community": nodes["community"].astype(np.int64).tolist(), "roles": nodes["roles"].astype(str).tolist(),
            "role": nodes["role"].astype(str).tolist(),
            "is_focus": (nodes["is_focus"] if "is_focus" in nodes else pd.Series(False, index=nodes.index)).astype(bool).tolist(),
            **({"ring": nodes["ring"].tolist()} if "ring" in nodes else {}),
            # Large communities repel more (vis.js mass), so the big ones do not pile onto each other.
            **({"mass": np.round(1 + 8 * nodes["size_score"].to_numpy(dtype="float64"), 2).tolist()}
               if data.mode == "communities" else {}),
            "metrics": metrics,
            "tooltip": nodes["tooltip"].tolist(),
            "x": np.round(xy[:, 0], 1).tolist(), "y": np.round(xy[:, 1], 1).tolist(),
            "outside": outside.tolist(), "grid_step": GRID_STEP,
        },
        "edges": {
            "src": edges["src"].astype(str).tolist(), "dst": edges["dst"].astype(str).tolist(),
            "src_name": names.reindex(edges["src"].astype(str)).astype(str).tolist() if len(edges) else [],
            "dst_name": names.reindex(edges["dst"].astype(str)).astype(str).tolist() if len(edges) else [],
            "kind": edges["kind"].astype(str).tolist(), "count": edges["count"].astype(np.int64).tolist(),
            "weight": edges["weight"].astype("float64").tolist(),
            "sentiment": _floats(edges["sentiment"], 3),
            "sentiment_n": (edges["sentiment_n"].astype(np.int64).tolist() if "sentiment_n" in edges
                            else [None] * len(edges)),
            "attitude": _floats(edges["attitude"], 3) if "attitude" in edges else [None] * len(edges),
            "width": np.round(_edge_width(edges["weight"].to_numpy(dtype="float64")), 2).tolist(),
        },
        "search": _search_extra(data, users),
        "metrics": [[m, label, log] for m, label, log in METRICS],
        "palette": {"kinds": KIND_COLOURS, "signs": SIGN_COLOURS, "sign_threshold": SIGN_THRESHOLD,
                    "kind_names": {k: k for k in KINDS},
                    "sign_names": {"positive": f"positive sentiment (≥ +{SIGN_THRESHOLD})",
                                   "negative": f"negative sentiment (≤ −{SIGN_THRESHOLD})",
                                   "neutral": "neutral or unknown sentiment"},
                    "no_analysis": NO_ANALYSIS_COLOUR, **group_palette()},
        "options": _vis_options(len(nodes), seed, data.mode),
    }
    heading = title or {"backbone": "Influence backbone", "communities": "Communities",
                        "focus": f"Ego network of {nodes['name'].iloc[0] if len(nodes) else data.focus}"}[data.mode]
    notes = "".join(f"<p>{e(note)}</p>" for note in data.notes)
    body = (f'<header><h1>{e(heading)}</h1>{notes}</header>'
            f'{_controls_html(data)}'
            f'<div id="main"><div id="network" role="img" aria-label="{e(heading)}"></div>'
            f'<aside id="legend">{_legend_html(data)}</aside></div>')
    return html_page(heading, body, styles=[vendor_asset("vis-network.css"), MAP_CSS],
                      scripts=[vendor_asset("vis-network.min.js"), COLOUR_JS, MAP_JS],
                      data={"kolgraph-map-data": payload})


@dataclass(frozen=True)
class MapResult:
    """What :func:`write_map` wrote: the file, its size, the drawn view (None for GEXF) and timings."""

    path: Path
    format: str
    bytes: int
    seconds: float
    data: MapData | None = None
    nodes: int = 0
    edges: int = 0

    def summary(self) -> str:
        what = self.data.summary() if self.data is not None else f"full graph: {self.nodes:,} users, {self.edges:,} edges"
        return f"{what}; wrote {self.path} ({self.bytes / 1e6:.1f} MB in {self.seconds:.1f} s)"


def write_map(workspace, out: str | os.PathLike, *, communities: bool = False, focus: str | None = None,
              hops: int = 1, max_nodes: int = 1000, max_edges: int = 5000, per_community: int = 5,
              format: str = "html", title: str | None = None, seed: int = 0, quiet: bool = True) -> MapResult:
    """Write a map of a workspace: an HTML page (backbone, ``communities`` or ``focus`` view) or GEXF.

    ``format="gexf"`` exports the full graph with every attribute instead (the view options are
    then ignored). The file is written atomically.
    """
    start = time.perf_counter()
    if format == "gexf":
        nodes, edges = write_gexf(workspace, out, quiet=quiet)
        return MapResult(path=Path(out), format="gexf", bytes=Path(out).stat().st_size,
                         seconds=time.perf_counter() - start, nodes=nodes, edges=edges)
    if format != "html":
        raise KolgraphError(f"unknown map format {format!r}; use html or gexf")
    if communities and focus:
        raise KolgraphError("choose either --communities or --focus, not both")
    if communities:
        from ...runs.outputs import AnalysisOutputs

        AnalysisOutputs.load(workspace)  # the communities view needs them: the one "run analyze first" error
    inputs = load_map_inputs(workspace, quiet=quiet)
    mode = "communities" if communities else "focus" if focus else "backbone"
    data = build_map(inputs, mode=mode, focus=focus, hops=hops, max_nodes=max_nodes, max_edges=max_edges,
                     per_community=per_community)
    html = render_map_html(data, title=title, seed=seed, users=inputs.users,
                           workspace=inputs.source if inputs.source != "graph" else None)
    write_text(out, html)
    return MapResult(path=Path(out), format="html", bytes=Path(out).stat().st_size,
                     seconds=time.perf_counter() - start, data=data, nodes=len(data.nodes), edges=len(data.edges))

