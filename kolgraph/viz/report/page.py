"""Assemble the report page: verdict first, then the evidence, details last, glossary at the end.

Order (issue 16): one decision card per vetted candidate (:mod:`.cards`); the evidence sections
(what-if distributions per candidate side by side, core fans' stance before and after, the
timeline of daily brand-directed volume and mean sentiment with the announcement marked, camps and
communities, roles with examples); details in closed ``<details>`` blocks (defectors, carriers,
sensitivity, degree and stance plots, the map, parameters); the glossary of every number shown,
and where the methods are written down (docs/methods.md).

Stale results: the what-if outputs carry the ``analysis_run_id`` they were computed on; when the
workspace's analysis has changed since, the page says so in a red banner at the top (or, with
``strict=True``, :class:`~kolgraph.errors.StaleResultError` is raised and nothing is written).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ... import __version__
from ..._io import write_text
from ...algorithms.risk import TIERS, tier_rank
from ...algorithms.roles import has_role
from ...errors import KolgraphError, StaleResultError
from ...progress import progress
from .. import safe_html as _html
from ..maps import MapData, backbone_map, load_map_inputs, render_map_html
from . import charts, plots, sections
from .cards import decision_card, label_of, split_reasons
from .evidence import brand_timeline, candidate_tiers, example_posts, read_interactions
from .glossary import figure, glossary_html
from .style import REPORT_CSS
from .whatif_view import candidate_views, load_whatif, staleness

__all__ = ["ReportResult", "render_report", "write_report", "METHODS_DOC", "REPORT_JSON_SCHEMA"]

#: Where every number's method is written down (shipped in the project).
METHODS_DOC = "docs/methods.md"
_e = _html.escape

#: JSON schema (draft 2020-12) of ``kolgraph report --json``.
REPORT_JSON_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["command", "path", "bytes", "seconds", "sections", "skipped", "stale", "map_nodes"],
    "properties": {
        "command": {"const": "report"}, "path": {"type": "string"}, "bytes": {"type": "integer", "minimum": 1},
        "seconds": {"type": "number", "minimum": 0},
        "sections": {"type": "array", "items": {"enum": ["verdict", "evidence", "roles", "map", "details", "glossary",
                                                         "methods"]}},
        "skipped": {"type": "array", "items": {"type": "string"}},
        "stale": {"type": ["string", "null"]}, "map_nodes": {"type": ["integer", "null"], "minimum": 0},
    },
}


@dataclass(frozen=True)
class ReportResult:
    """What :func:`write_report` wrote, which sections it holds and which it left out (with why)."""

    path: Path
    bytes: int
    seconds: float
    sections: tuple[str, ...]
    skipped: tuple[str, ...] = ()
    map: MapData | None = None
    stale: str | None = None

    def to_json(self) -> dict[str, Any]:
        """What was written, as JSON-ready values (``kolgraph report --json``; schema REPORT_JSON_SCHEMA)."""
        return {"command": "report", "path": str(self.path), "bytes": int(self.bytes),
                "seconds": round(float(self.seconds), 3), "sections": list(self.sections),
                "skipped": list(self.skipped), "stale": self.stale,
                "map_nodes": None if self.map is None else len(self.map.nodes)}

    def summary(self) -> str:
        lines = [f"report: wrote {self.path} ({self.bytes / 1e6:.1f} MB in {self.seconds:.1f} s); "
                 f"sections: {', '.join(self.sections)}"]
        if self.stale:
            lines.append(f"  STALE: {self.stale}")
        lines += [f"  skipped: {s}" for s in self.skipped]
        return "\n".join(lines)


def _announcement(summary: Mapping[str, Any] | None, given: Any) -> pd.Timestamp | None:
    from ...times import parse_time

    value = given
    if value is None and summary:
        params = summary.get("parameters") if isinstance(summary.get("parameters"), Mapping) else {}
        for source in (summary, params):
            for key in ("announcement", "cutoff"):
                if source.get(key) is not None:
                    value = source[key]
                    break
            if value is not None:
                break
        if value is None:
            for c in summary.get("candidates", []):
                after = c.get("aftermath") if isinstance(c, Mapping) else None
                if isinstance(after, Mapping) and after.get("cutoff") is not None:
                    value = after["cutoff"]
                    break
    if value is None:
        return None
    seconds = parse_time(value, what="announcement") if not isinstance(value, pd.Timestamp) else value.timestamp()
    return pd.Timestamp(float(seconds), unit="s", tz="UTC")


def _core_fan_panels(whatif, views, names) -> list[tuple[str, np.ndarray, np.ndarray]]:
    u = whatif.users
    if u is None or not {"candidate", "core_fan", "stance", "shift_mean"} <= set(u.columns):
        return []
    panels = []
    for v in views:
        rows = u[(u["candidate"].astype(str) == v.candidate) & u["core_fan"].astype(bool)]
        if len(rows):
            before = rows["stance"].to_numpy(dtype="float64")
            after = np.clip(before + rows["shift_mean"].to_numpy(dtype="float64"), -1, 1)
            panels.append((label_of(v.candidate, names), before, after))
    return panels


def _run_panels(whatif, views, names) -> list[tuple[str, np.ndarray]]:
    runs = whatif.runs
    if runs is None or not {"candidate", "core_fan_shift"} <= set(runs.columns):
        return []
    return [(label_of(v.candidate, names), runs.loc[runs["candidate"].astype(str) == v.candidate,
                                                    "core_fan_shift"].to_numpy(dtype="float64")) for v in views]


def render_report(workspace, *, top: int = 8, top_communities: int = 12, embed_map: bool = True,
                  map_max_nodes: int = 500, map_max_edges: int = 3000, seed: int = 0, announcement: Any = None,
                  strict: bool = False, quiet: bool = True) -> tuple[str, dict[str, Any]]:
    """The report page's HTML and what it contains (``sections``, ``skipped``, ``map``, ``stale``)."""
    from ...build.workspace import as_workspace
    from ...runs.outputs import AnalysisOutputs

    ws = as_workspace(workspace)
    analysis = AnalysisOutputs.load(ws)  # AnalysisMissingError: the report is about roles, stance, communities
    bar = progress(total=5, desc="report", quiet=quiet)
    inputs = load_map_inputs(ws, quiet=True)
    users = inputs.users
    info = dict(inputs.info)
    summary = info.get("summary", {}) if isinstance(info.get("summary"), Mapping) else {}
    brand = (info.get("parameters") or {}).get("brand") or {}
    names = sections.display_names(users)
    results = ws.manifest.get("results") or {}
    run_id = analysis.run_id
    whatif = load_whatif(ws.result_path("whatif"))
    stale = staleness(whatif, run_id, whatif_created=(results.get("whatif") or {}).get("created"),
                      analysis_created=(results.get("analysis") or {}).get("created"))
    score_rec = results.get("score") if isinstance(results.get("score"), Mapping) else None
    score_stale = None
    if score_rec is not None and score_rec.get("analysis_run_id") != run_id:
        score_stale = (f"the scored list {score_rec.get('output')} was computed on analysis run "
                       f"{score_rec.get('analysis_run_id') or '(not stamped)'}, but the workspace now holds analysis "
                       f"run {run_id}: re-run `kolgraph score` before trusting its tiers")
    if strict and (stale or score_stale):
        raise StaleResultError(f"{ws.path}: {stale or score_stale}")
    views = candidate_views(whatif)
    bar.update()
    used: set[str] = set()
    secs: list[str] = []
    skipped: list[str] = []
    body: list[str] = []
    title = f"kolgraph report: {brand.get('name') or ws.path.name}"
    generated = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    body.append(f"<h1>{_e(title)}</h1>")
    body.append(f'<p class="meta">Workspace {_e(ws.path)} · analysis run {_e(run_id or "unknown")} · generated '
                f"{_e(generated)} by kolgraph {_e(__version__)} · every number: hover for its definition, glossary "
                f'at the end, methods in <a href="#methods">{_e(METHODS_DOC)}</a></p>')
    nav = [("verdict", "Verdict"), ("evidence", "Evidence"), ("roles", "Roles"), ("details", "Details"),
           ("glossary", "Glossary"), ("methods", "Methods")]
    body.append("<nav>" + "".join(f'<a href="#{sid}">{_e(t)}</a>' for sid, t in nav) + "</nav>")
    for what, why in (("what-if results", stale), ("scores", score_stale)):
        if why:
            body.append(f'<p class="banner stale" id="stale"><strong>Stale {what}.</strong> {_e(why)}.</p>')

    # ---- verdict -------------------------------------------------------------------------------
    core_fans = users.loc[has_role(users["roles"], "core_fan"), "user_id"].astype(str).tolist()
    brand_accounts = [str(a) for a in brand.get("accounts", [])] + \
        users.loc[has_role(users["roles"], "brand_account"), "user_id"].astype(str).tolist()
    inter = read_interactions(ws, brand_accounts, analysis)
    cards: list[str] = []
    if views:
        try:
            scored = candidate_tiers(ws, [v.candidate for v in views],
                                     {v.candidate: v.core_fan_shift for v in views}, analysis)
        except KolgraphError as exc:  # an analysis without the scoring inputs: the what-if's verdict only
            skipped.append(f"scoring tiers ({exc})")
            scored = pd.DataFrame({"user_id": [v.candidate for v in views], "risk_tier": "grey",
                                   "reasons": "scoring inputs missing: re-run `kolgraph analyze`"})
        by_id = scored.set_index("user_id")
        # The card shows the riskier of the what-if's verdict and the scoring rule (red > amber > grey > green).
        tiers = {v.candidate: min((t for t in (v.tier, str(by_id.loc[v.candidate, "risk_tier"])) if t in TIERS),
                                  key=lambda t: TIERS.index(t), default="grey") for v in views}
        shift_of = {v.candidate: (v.core_fan_shift or {}).get("mean", np.nan) for v in views}
        order = sorted(views, key=lambda v: (tier_rank([tiers[v.candidate]])[0], shift_of[v.candidate]
                                             if shift_of[v.candidate] is not None else 0.0))
        for v in order:
            tier = tiers[v.candidate]
            risky = tier in ("red", "amber")
            posts = example_posts(inter, v.candidate, core_fans, hostile=risky)
            why = ("No reply or mention with text between core fans and this candidate in the data: nothing to "
                   "quote." if not core_fans else "No reply or mention with text between core fans and this "
                   "candidate in the data: nothing to quote.")
            better = [(o.candidate, tiers[o.candidate], o.core_fan_shift) for o in order
                      if o.candidate != v.candidate and tier_rank([tiers[o.candidate]])[0] > tier_rank([tier])[0]
                      and tiers[o.candidate] != "grey"] if risky else []
            reasons = split_reasons(str(by_id.loc[v.candidate, "reasons"]))
            cards.append(decision_card(v, tier=tier, score_reasons=reasons, posts=posts, posts_why=why, names=names,
                                       used=used, alternatives=better[::-1],
                                       scoring_tier=str(by_id.loc[v.candidate, "risk_tier"]), whatif_tier=v.tier))
        used.add("tier")
        verdict = '<div class="verdicts">' + "".join(cards) + "</div>"
    else:
        verdict = ('<p class="empty">No candidate vetted yet: the what-if outputs are absent. Run '
                   f"<code>kolgraph whatif {_e(ws.path)} --kol ACCOUNT</code> for each candidate you are "
                   "considering (or <code>kolgraph score</code> for a long list), then write this report again.</p>")
        skipped.append("what-if (no results in WORKSPACE/whatif/)")
    body.append(f'<h2 id="verdict">Verdict: should the brand partner with these accounts?</h2>{verdict}')
    secs.append("verdict")
    bar.update()

    # ---- evidence ------------------------------------------------------------------------------
    ev: list[str] = []
    if views:
        used.update({"core_fan_shift", "runs"})
        ev.append("<h3>What-if: core-fan shift per Monte Carlo run, per candidate</h3>"
                  + charts.histograms(_run_panels(whatif, views, names),
                                      xlabel="core-fan stance shift per run (stance units); solid: mean, dashed: "
                                             "no effect", title="What-if distributions per candidate")
                  + sections.whatif_table(views, whatif, names, used)
                  + '<p class="caption">Means with 90% intervals over the Monte Carlo runs; the effect is the '
                    "scenario minus the baseline without a partnership, so doing nothing has exactly zero effect.</p>")
        used.update({"stance_before", "stance_after"})
        ev.append("<h3>Core fans' brand stance before and after</h3>"
                  + charts.stance_shift(_core_fan_panels(whatif, views, names),
                                        title="Core-fan stance before and after, per candidate"))
    ann = _announcement(whatif.summary, announcement)
    used.update({"brand_volume", "mean_sentiment"})
    ann_note = ("" if ann is not None else '<p class="note">No announcement time known: give <code>--announcement '
                "TIME</code> (or run the what-if with a cut-off) to mark it.</p>")
    ev.append("<h3>Timeline: brand-directed volume and mean sentiment per day</h3>"
              + charts.timeline(brand_timeline(inter), announcement=ann,
                                title="Daily brand-directed volume and mean sentiment") + ann_note)
    ev.append("<h3>Scored candidate list</h3>" + sections.scored_list(score_rec, names, score_stale))
    comm_html, n_comm = sections.community_table(inputs.communities, users, top_communities, used)
    ev.append(f"<h3>Camps and communities</h3>{sections.camps_text(summary)}"
              f'<p class="note">The {min(top_communities, n_comm):,} largest of {n_comm:,} communities, brand '
              f"communities first.</p>{comm_html}")
    body.append('<h2 id="evidence">Evidence</h2>' + "".join(ev))
    secs.append("evidence")
    body.append('<h2 id="roles">Roles, with examples</h2>' + sections.role_examples(users, min(top, 8), used))
    secs.append("roles")
    bar.update()

    # ---- details -------------------------------------------------------------------------------
    import matplotlib

    cjk = plots.cjk_font()
    fonts = {"font.family": ["sans-serif"], "font.sans-serif": ["DejaVu Sans", cjk]} if cjk else {}
    with warnings.catch_warnings(), matplotlib.rc_context(fonts):
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        detail_plots = plots.degree_plot(inputs.edges, len(users)) + plots.stance_plot(users)
    overview = [("users", len(users)), ("interactions", (ws.manifest.get("counts", {}).get("interactions") or {})
                                         .get("kept", summary.get("interactions")))]
    over_html = " · ".join(f"{_e(k)} {figure(k, v, 'int', used=used, unit=False)}" for k, v in overview)
    if summary.get("modularity") is not None:
        over_html += f" · modularity {figure('modularity', summary['modularity'], 'num', used=used, unit=False)}"
    details = [f"<p>{over_html}</p>"]
    if views:
        details.append("<details><summary>Defectors and carriers, per candidate</summary>"
                       f"{sections.defector_tables(whatif, names, top)}</details>")
    details.append(f"<details><summary>Sensitivity</summary>{sections.sensitivity_table(whatif)}</details>")
    details.append(f'<details><summary>Degree distribution and stance by community</summary><div class="pair">'
                   f"{detail_plots}</div></details>")
    data = None
    extra_hashes: list[str] = []
    if embed_map:
        data = backbone_map(inputs, max_nodes=map_max_nodes, max_edges=map_max_edges)
        map_html = render_map_html(data, seed=seed)
        extra_hashes = _html.page_script_hashes(map_html)
        details.append(f'<details open class="noprint"><summary>Map: the influence backbone</summary><p class="note">'
                       f"{_e(data.summary())}. Hover a user for metrics and reasons. Larger maps: `kolgraph map`.</p>"
                       f'<iframe class="map" title="influence backbone map" srcdoc="{_e(map_html)}"></iframe></details>')
        secs.append("map")
    else:
        skipped.append("map (embed_map=False)")
    params = info.get("parameters")
    if params:
        details.append("<details><summary>Analysis parameters (analysis/analysis.json)</summary>"
                       f"<pre>{_e(json.dumps(params, ensure_ascii=False, indent=2, default=str))}</pre></details>")
    body.append('<h2 id="details">Details</h2>' + "".join(details))
    secs.append("details")
    bar.update()

    body.append('<h2 id="glossary">Glossary</h2><p class="note">Every number shown above, its unit and how it is '
                f"computed.</p>{glossary_html(used)}")
    body.append(f'<h2 id="methods">Methods</h2><p>What every number means, with its parameters and references, is '
                f"written down in <code>{_e(METHODS_DOC)}</code> of the kolgraph project (the data dictionary of "
                "<code>kolgraph score</code>: <code>docs/scoring.md</code>, or <code>kolgraph score --columns</code>)."
                "</p>")
    secs += ["glossary", "methods"]
    bar.update()
    bar.close()
    html = _html.page(title, "<main>" + "\n".join(body) + "</main>", styles=[REPORT_CSS],
                      extra_script_hashes=extra_hashes)
    return html, {"sections": tuple(secs), "skipped": tuple(skipped), "map": data,
                  "stale": "; ".join(s for s in (stale, score_stale) if s) or None}


def write_report(workspace, out: str | os.PathLike, *, top: int = 8, top_communities: int = 12,
                 embed_map: bool = True, map_max_nodes: int = 500, map_max_edges: int = 3000, seed: int = 0,
                 announcement: Any = None, strict: bool = False, quiet: bool = True) -> ReportResult:
    """Write the report of an analysed workspace to ``out`` (one self-contained HTML file, atomically)."""
    start = time.perf_counter()
    html, info = render_report(workspace, top=top, top_communities=top_communities, embed_map=embed_map,
                               map_max_nodes=map_max_nodes, map_max_edges=map_max_edges, seed=seed,
                               announcement=announcement, strict=strict, quiet=quiet)
    write_text(out, html)
    return ReportResult(path=Path(out), bytes=Path(out).stat().st_size, seconds=time.perf_counter() - start,
                        sections=info["sections"], skipped=info["skipped"], map=info["map"], stale=info["stale"])
