"""The HTML report: one self-contained page a strategist can read offline, verdict first.

Modules: :mod:`.page` assembles the page; :mod:`.cards` the decision cards; :mod:`.sections` the
evidence and detail blocks; :mod:`.charts` hand-written inline SVG charts; :mod:`.plots` matplotlib
SVG charts; :mod:`.evidence` what the page quotes from the workspace (posts, timeline, tiers);
:mod:`.whatif_view` the one loader of the what-if outputs; :mod:`.glossary` units and definitions;
:mod:`.style` the screen and print stylesheet. Definitions of every number: docs/methods.md.
"""

from .page import METHODS_DOC, REPORT_JSON_SCHEMA, ReportResult, render_report, write_report
from .whatif_view import CandidateView, WhatIfResults, candidate_views, load_whatif, staleness

__all__ = ["ReportResult", "render_report", "write_report", "load_whatif", "WhatIfResults", "CandidateView",
           "candidate_views", "staleness", "METHODS_DOC", "REPORT_JSON_SCHEMA"]
