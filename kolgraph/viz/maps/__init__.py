"""Interactive network maps (vis-network, as shipped with pyvis) and GEXF export for Gephi.

A browser cannot lay out a million users, and vis-network pages slow down above a few thousand
nodes with physics on. So a map draws one of three views, each saying on the page what it left out:

- **backbone** (default): the accounts a PR team asks about first (brand accounts, critic KOLs,
  the candidates vetted by ``kolgraph whatif``, KOLs, core fans, critics, bridges), then each
  large community's top members, then the highest PageRank: at most ``max_nodes`` users, with the
  heaviest ``max_edges`` edges among them; the page counts, per role, who was kept and left out;
- **communities**: one node per community (size, mean stance, brand-engagement share), links
  weighted by the interactions between communities;
- **focus**: the ego network of one account (``hops`` steps in either direction), e.g. the KOL
  being vetted with its core fans and critics around it.

For 100k+ users on one page, see :mod:`kolgraph.viz.explorer` (WebGL).

The page colours nodes by community, role, brand stance or camp affinity (a menu switches; the
legend follows), sizes them by a chosen metric, labels the top accounts without overlaps, colours
edges by the mean sentiment of their interactions (the text model's scores where the input had
none) or by kind, searches ids and display names (also the accounts not drawn, offering the
ego-map command), filters by role, community, kind and a numeric range (hiding what does not
match), and exports the current view as PNG. Tooltips list metrics, roles and reasons.

Modules: :mod:`.inputs` (tables and joins), :mod:`.tables` (node and edge tables), :mod:`.assets` (page CSS/JS),
:mod:`.backbone`, :mod:`.communities`, :mod:`.ego` (the three views), :mod:`.layout`,
:mod:`.page` (HTML and :func:`write_map`), :mod:`.gexf` (Gephi export). Everything that scales
with the graph is vectorised; Python loops touch at most the drawn nodes. Every string reaching
the page is escaped (:mod:`kolgraph.viz.safe_html`); tooltips are built in the browser as DOM text.
"""

from __future__ import annotations

from .backbone import BACKBONE_TIERS, backbone_map
from .communities import community_map
from .ego import build_map, ego_map
from .gexf import write_gexf, xml_text
from .inputs import MapInputs, load_map_inputs, map_inputs_from_graph
from .page import MapResult, render_map_html, write_map
from .style import (EGO_GROUPS, ROLE_LABELS, ROLE_SHAPES, ROLES, SIGN_THRESHOLD, community_colour)
from .tables import MapData

__all__ = [
    "ROLES", "ROLE_SHAPES", "ROLE_LABELS", "SIGN_THRESHOLD", "EGO_GROUPS", "BACKBONE_TIERS",
    "MapInputs", "MapData", "MapResult", "load_map_inputs", "map_inputs_from_graph", "backbone_map",
    "community_map", "ego_map", "build_map", "render_map_html", "write_map", "write_gexf", "xml_text",
    "community_colour",
]
