"""The explorer: one offline page drawing 100k+ users with WebGL (sigma.js + graphology, vendored).

``kolgraph explore WS -o explorer.html`` writes it. Positions are computed here
(:mod:`.layout`: communities as discs placed by Fruchterman-Reingold on the community graph,
members by PageRank, smoothed toward neighbours), so the page opens laid out. The page colours
by community, role, brand stance or camp affinity, sizes by a metric, filters (role, community,
numeric range, edge kind) by hiding, searches ids and display names, exports PNG, and shows
tooltips with roles and reasons. Its data grows linearly with users (typed arrays in base64);
above ``max_users`` (default 100,000) it draws the backbone and says so.
"""

from __future__ import annotations

from .data import ExplorerData, ExplorerParams, explorer_data
from .layout import LayoutParams, community_layout
from .page import ExplorerResult, render_explorer_html, write_explorer

__all__ = ["ExplorerData", "ExplorerParams", "ExplorerResult", "LayoutParams", "community_layout",
           "explorer_data", "render_explorer_html", "write_explorer"]
