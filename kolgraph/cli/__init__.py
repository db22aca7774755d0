"""The ``kolgraph`` command line: a thin layer over the Python API.

Every command parses its options, calls one public function, writes outputs and maps
:class:`kolgraph.errors.KolgraphError` to a one-line message with a non-zero exit (no traceback).
One module per command group; importing this package registers them all on :func:`main`.
"""

from __future__ import annotations

from . import analyze, build, generate, maps, neo4j, report, score, stance, verify, whatif  # noqa: F401  (register the commands)
from .common import main

__all__ = ["main"]
