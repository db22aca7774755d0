"""kolgraph: influence networks around a brand.

Load social-media interactions (reposts, replies, mentions) into igraph or Neo4j, find a brand's
KOLs, core fans, bridges and critics with the reasons, and simulate what partnering with a KOL
does to brand stance. See ``README.md`` and ``shared/design/methods.md`` for what every number means.

The public API is re-exported here and imported lazily, so ``import kolgraph`` stays cheap and
nothing heavy (igraph, scikit-learn, the Neo4j driver) loads until it is used.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: public name -> defining module
_EXPORTS = {
    "BrandConfig": "kolgraph.config",
    "load_config": "kolgraph.config",
    "KolgraphError": "kolgraph.errors",
    "InputError": "kolgraph.errors",
    "read_interactions": "kolgraph.build.readers",
    "read_users": "kolgraph.build.readers",
    "graph_from_interactions": "kolgraph.build.graph",
    "to_networkx": "kolgraph.build.graph",
    "build_workspace": "kolgraph.build.workspace",
    "open_workspace": "kolgraph.build.workspace",
    "Workspace": "kolgraph.build.workspace",
    "analyze_workspace": "kolgraph.runs.analyze",
    "AnalysisOutputs": "kolgraph.runs.outputs",
    "run_demo": "kolgraph.runs.demo",
    "detect_communities": "kolgraph.algorithms.communities",
    "consensus_communities": "kolgraph.algorithms.communities",
    "centrality_table": "kolgraph.algorithms.centrality",
    "camp_affinity": "kolgraph.algorithms.camps",
    "load_default_model": "kolgraph.algorithms.sentiment",
    "assign_roles": "kolgraph.algorithms.roles",
    "simulate_partnership": "kolgraph.algorithms.whatif",
    "whatif_workspace": "kolgraph.runs.whatif",
    "WhatIfScenario": "kolgraph.algorithms.whatif",
    "score_candidates": "kolgraph.runs.score",
    "write_map": "kolgraph.viz.maps",
    "write_report": "kolgraph.viz.report",
    "generate_event": "kolgraph.datasets",
    "load_sample": "kolgraph.datasets",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kolgraph' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
