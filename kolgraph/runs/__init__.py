"""The layer that runs things over a workspace: analyze, what-if, score, calibrate and the demo.

Algorithms (:mod:`kolgraph.algorithms`) take graphs, arrays and frames and never touch files; the
modules here open a workspace, read its tables through :mod:`kolgraph.runs.outputs` (the one owner of
the result files' layout), call the algorithms and commit their results as a whole
(:mod:`kolgraph.runs.results`).
"""

__all__: list[str] = []
