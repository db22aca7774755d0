"""kolgraph: influence networks around a brand.

Load social-media interactions (reposts, replies, mentions) into igraph or Neo4j, find a brand's
KOLs, core fans, bridges and critics with the reasons, and simulate what partnering with a KOL
does to brand stance. See ``README.md`` and ``shared/design/methods.md`` for what every number means.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
