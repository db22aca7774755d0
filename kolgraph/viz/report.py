"""The HTML report: one self-contained page a strategist can read offline.

Sections: summary figures; top KOLs, core fans, critics and bridges with the reasons for their
roles; the community table; plots (degree distribution on log-log axes, brand stance by community,
what-if intervals where computed) as inline PNG images; the what-if and sensitivity tables where
``WORKSPACE/whatif/`` holds results; and the backbone map embedded as an ``<iframe srcdoc>``.

The report needs ``kolgraph analyze`` to have run (it is about roles and stance; without them it
says so and stops). What-if sections are skipped with a note when there are no what-if results.
All user text is escaped (:mod:`kolgraph.viz._html`); plots are PNG images (no user text can run);
the page's Content-Security-Policy admits only its own and the embedded map's inline scripts.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import math
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .. import __version__
from .._io import write_text
from ..progress import progress
from ..schema import KolgraphError
from . import _html
from .maps import MapData, backbone_map, community_colour, load_map_inputs, render_map_html
from ..algorithms.roles import has_role

__all__ = ["ReportResult", "render_report", "write_report", "load_whatif", "WhatIfResults"]

_ROLE_SECTIONS = (
    # (id, title, role tags, sort column, what the role means)
    ("kols", "Top KOLs", ("kol", "critic_kol"), "pagerank",
     "Key opinion leaders: top PageRank (influence flows from those whom many engage with)."),
    ("core-fans", "Core fans", ("core_fan",), "pagerank",
     "Positive brand stance with support, repeated brand engagement, embedded in a brand community."),
    ("critics", "Critics", ("critic", "critic_kol"), "pagerank",
     "Negative brand stance with support; critic KOLs are critics who are also KOLs."),
    ("bridges", "Bridges", ("brand_bridge", "bridge"), "betweenness",
     "Users linking communities (participation coefficient or betweenness); brand bridges link a "
     "brand community to another."),
)


_ROLE_PLURALS = {"kol": "KOLs", "core_fan": "core fans", "critic": "critics", "critic_kol": "critic KOLs",
                 "bridge": "bridges", "brand_bridge": "brand bridges", "amplifier": "amplifiers",
                 "brand_account": "brand accounts"}


@dataclass(frozen=True)
class WhatIfResults:
    """What ``kolgraph whatif`` wrote under ``WORKSPACE/whatif/`` (each part None when absent).

    ``summary``: summary.json (method, parameters, seed, candidates[] with core_fan_shift,
    core_fans_turning_negative, overall_shift, exposed as {mean, p05, p95, mc_se}, attitudes,
    audience, ...); ``runs``: runs.csv (per candidate and Monte Carlo run); ``defectors``,
    ``carriers``: the CSVs of that name; ``sensitivity``: sensitivity.csv.
    """

    summary: Mapping[str, Any] | None = None
    runs: pd.DataFrame | None = None
    defectors: pd.DataFrame | None = None
    carriers: pd.DataFrame | None = None
    sensitivity: pd.DataFrame | None = None

    def __bool__(self) -> bool:
        return bool(self.summary and self.summary.get("candidates")) or self.sensitivity is not None


def load_whatif(folder: str | os.PathLike) -> WhatIfResults:
    """Read the what-if outputs in ``folder`` (missing or unreadable files are left out)."""
    folder = Path(folder)
    if not folder.is_dir():
        return WhatIfResults()
    summary = None
    path = folder / "summary.json"
    if path.is_file():
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            summary = None
    if not isinstance(summary, Mapping) or not isinstance(summary.get("candidates"), list):
        summary = None

    def table(name: str) -> pd.DataFrame | None:
        file = folder / name
        if not file.is_file():
            return None
        try:
            frame = pd.read_csv(file, dtype={"user_id": "str", "candidate": "str"})
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
            return None
        return frame

    return WhatIfResults(summary=summary, runs=table("runs.csv"), defectors=table("defectors.csv"),
                         carriers=table("carriers.csv"), sensitivity=table("sensitivity.csv"))


@dataclass(frozen=True)
class ReportResult:
    """What :func:`write_report` wrote and which sections it left out (with why)."""

    path: Path
    bytes: int
    seconds: float
    sections: tuple[str, ...]
    skipped: tuple[str, ...] = ()
    map: MapData | None = None

    def summary(self) -> str:
        lines = [f"report: wrote {self.path} ({self.bytes / 1e6:.1f} MB in {self.seconds:.1f} s); "
                 f"sections: {', '.join(self.sections)}"]
        lines += [f"  skipped: {s}" for s in self.skipped]
        return "\n".join(lines)


# ---- pieces ---------------------------------------------------------------------------------


def _name(frame: pd.DataFrame) -> pd.Series:
    name = frame["display_name"].astype(object)
    return name.where(name.notna() & (name.astype(str).str.strip() != "") & (name.astype(str) != "nan"),
                      frame["user_id"]).astype(str)


def _signed(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):+.2f}"


def _share(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{100 * float(value):.1f}%"


def _people_table(users: pd.DataFrame, tags: tuple[str, ...], sort: str, top: int) -> tuple[str, int]:
    """An escaped table of the top holders of any of ``tags`` and how many hold them."""
    holders = users.loc[has_role(users["roles"], *tags)]
    total = len(holders)
    if sort in holders:
        holders = holders.sort_values(sort, ascending=False, kind="stable")
    shown = holders.head(top).assign(name=lambda f: _name(f),
                                     roles_text=lambda f: f["roles"].str.replace("|", ", ", regex=False),
                                     stance_text=lambda f: [
                                         "" if pd.isna(s) else f"{s:+.2f} (n={0 if pd.isna(n) else int(n)})"
                                         for s, n in zip(f["stance"], f["stance_support"])])
    table = _html.html_table(
        shown,
        columns={"name": "name", "user_id": "user id", "pagerank_pct": "PageRank pct", "community": "community",
                 "stance_text": "brand stance (support)", "betweenness": "betweenness", "followers": "followers",
                 "roles_text": "roles", "reasons": "why"},
        formats={"pagerank_pct": lambda v: "" if pd.isna(v) else f"{float(v):.1f}",
                 "betweenness": lambda v: "" if pd.isna(v) else f"{float(v):.3g}",
                 "followers": _html.fmt_number, "community": _html.fmt_int},
        numeric=("pagerank_pct", "betweenness", "followers", "community"), empty="nobody holds this role",
        table_class="data people")
    return table, total


def _community_table(communities: pd.DataFrame | None, users: pd.DataFrame, top: int) -> tuple[str, int]:
    if communities is None or communities.empty:
        table = (users.loc[users["community"] >= 0].groupby("community")
                 .agg(size=("user_id", "size"), mean_stance=("stance", "mean")).reset_index())
    else:
        table = communities.copy()
    table = table.sort_values("size", ascending=False, kind="stable")
    total = len(table)
    shown = table.head(top).copy()
    if "top_member_names" in shown:
        names = shown["top_member_names"].astype(object)
        shown["members"] = names.where(names.notna(), "").astype(str).str.replace("|", ", ", regex=False)
    elif "top_members" in shown:
        shown["members"] = shown["top_members"].astype(object).where(shown["top_members"].notna(), "").astype(str) \
            .str.replace("|", ", ", regex=False)
    if "is_brand_community" in shown:
        shown["brand"] = np.where(shown["is_brand_community"].astype(str).str.lower().isin(["true", "1"]), "yes", "")
    columns = {"community": "community", "size": "users", "stability": "stability",
               "brand_engagement_share": "brand engagement share", "brand": "brand community",
               "mean_stance": "mean stance", "core_fans": "core fans", "critics": "critics", "members": "top members"}
    columns = {k: v for k, v in columns.items() if k in shown}
    html = _html.html_table(shown, columns=columns,
                            formats={"size": _html.fmt_int, "stability": lambda v: "" if pd.isna(v) else f"{float(v):.2f}",
                                     "brand_engagement_share": _share, "mean_stance": _signed,
                                     "core_fans": _html.fmt_int, "critics": _html.fmt_int, "community": _html.fmt_int},
                            numeric=("community", "size", "stability", "brand_engagement_share", "mean_stance",
                                     "core_fans", "critics"), empty="no communities")
    return html, total


def _figure(width: float = 6.4, height: float = 3.8):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _degrees(edges: pd.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(in-degree, out-degree) per user: distinct users engaging / engaged, any kind, self-loops excluded."""
    src, dst = edges["src"].to_numpy(np.int64), edges["dst"].to_numpy(np.int64)
    keep = src != dst
    pairs = np.sort(src[keep] * max(n, 1) + dst[keep])  # distinct (src, dst) pairs: sort, keep the first of each run
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    return np.bincount(pairs % max(n, 1), minlength=n), np.bincount(pairs // max(n, 1), minlength=n)


def _degree_plot(edges: pd.DataFrame, n: int) -> str:
    """In- and out-degree (distinct neighbours) distributions, log-binned, on log-log axes."""
    in_deg, out_deg = _degrees(edges, n)
    fig = _figure()
    ax = fig.add_subplot()
    top = max(int(in_deg.max(initial=1)), int(out_deg.max(initial=1)), 2)
    bins = np.unique(np.round(np.logspace(0, np.log10(top + 1), 30)).astype(np.int64))
    for degree, label, marker in ((in_deg, "in-degree (engaged by)", "o"), (out_deg, "out-degree (engages)", "s")):
        d = degree[degree > 0]
        if not len(d):
            continue
        counts, edges_ = np.histogram(d, bins=bins)
        width = np.diff(edges_)
        density = counts / width / max(n, 1)
        centre = np.sqrt(edges_[:-1] * np.maximum(edges_[1:] - 1, edges_[:-1]))
        ok = counts > 0
        ax.plot(centre[ok], density[ok], marker=marker, linestyle="-", markersize=4, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("degree k (distinct users)")
    ax.set_ylabel("share of users per unit k")
    ax.set_title("Degree distribution (log-log)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(frameon=False)
    zero_in = int((in_deg == 0).sum())
    caption = (f"Log-binned; users with degree 0 are not on log axes ({zero_in:,} never engaged by anyone, "
               f"{int((out_deg == 0).sum()):,} engaging nobody). Heavy tails mean a few accounts hold most attention.")
    return _html.figure_img(fig, alt="Degree distribution on log-log axes") + f'<p class="caption">{_html.escape(caption)}</p>'


def _stance_plot(users: pd.DataFrame, max_communities: int = 12) -> str:
    """Box plots of brand stance per community (users with stance support > 0), largest first."""
    has = (users["community"] >= 0) & (users["stance_support"].fillna(0) > 0) & users["stance"].notna()
    if not has.any():
        return '<p class="note">No user has a brand stance with support (no brand-directed interactions).</p>'
    sized = users.loc[users["community"] >= 0, "community"].value_counts()  # largest first
    comms = sized.index[sized.index.isin(users.loc[has, "community"].unique())][:max_communities].tolist()
    grouped = users.loc[has & users["community"].isin(comms)].groupby("community")["stance"]
    data = [grouped.get_group(c).to_numpy(dtype="float64") for c in comms]
    fig = _figure()
    ax = fig.add_subplot()
    box = ax.boxplot(data, patch_artist=True, widths=0.6, showfliers=False)
    for patch, c in zip(box["boxes"], comms):
        patch.set_facecolor(str(community_colour(int(c))))
        patch.set_alpha(0.75)
    means = [d.mean() for d in data]
    ax.plot(np.arange(1, len(comms) + 1), means, "kD", markersize=4, label="mean")
    ax.axhline(0, color="#888", linewidth=0.8)
    ax.set_xticks(np.arange(1, len(comms) + 1), [f"C{c}\n{len(d):,}" for c, d in zip(comms, data)])
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("brand stance (-1 .. +1)")
    ax.set_xlabel("community (users with stance)")
    ax.set_title("Brand stance by community")
    ax.legend(frameon=False, loc="lower right")
    caption = (f"The {len(comms)} largest communities with any stance; boxes: quartiles, whiskers: 1.5 IQR, "
               "diamonds: means. Stance is a shrunk mean of brand-directed sentiment (prior strength k0).")
    return _html.figure_img(fig, alt="Brand stance by community") + f'<p class="caption">{_html.escape(caption)}</p>'


def _interval(v: Any, *, percent: bool = False) -> str:
    """{mean, p05, p95} as 'mean [p05, p95]' ('' when missing)."""
    if not isinstance(v, Mapping) or v.get("mean") is None:
        return ""
    if percent:
        text = f"{100 * float(v['mean']):.1f}%"
        if v.get("p05") is not None and v.get("p95") is not None:
            text += f" [{100 * float(v['p05']):.1f}, {100 * float(v['p95']):.1f}]"
        return text
    text = f"{float(v['mean']):+.3f}"
    if v.get("p05") is not None and v.get("p95") is not None:
        text += f" [{float(v['p05']):+.3f}, {float(v['p95']):+.3f}]"
    return text


def _label(user_id: Any, names: pd.Series) -> str:
    uid = str(user_id)
    name = names.get(uid)
    return f"{name} ({uid})" if isinstance(name, str) and name and name != uid else uid


def _whatif_section(whatif: WhatIfResults, names: pd.Series, top: int = 5) -> str:
    """Comparison table, run distributions, top defectors and carriers, sensitivity: all escaped."""
    e = _html.escape
    parts = []
    if whatif.summary:
        candidates = [c for c in whatif.summary["candidates"] if isinstance(c, Mapping)]
        params = whatif.summary.get("parameters") or {}
        described = [f"{k} {params[k]}" for k in ("runs", "seed", "q") if k in params]
        priors = params.get("priors")
        if isinstance(priors, Mapping):
            described.append("priors: " + "; ".join(f"{k} ~ {v}" for k, v in priors.items()))
        parts.append(f'<p class="note">{e(", ".join(map(str, described)))}</p>' if described else "")
        rows = pd.DataFrame({
            "candidate": [_label(c.get("candidate"), names) for c in candidates],
            "core_fan_shift": [_interval(c.get("core_fan_shift")) for c in candidates],
            "turning_negative": [_interval(c.get("core_fans_turning_negative"), percent=True) for c in candidates],
            "overall_shift": [_interval(c.get("overall_shift")) for c in candidates],
            "exposed": [_html.fmt_number((c.get("exposed") or {}).get("mean")) for c in candidates],
            "attitudes": [(lambda a: f"{a.get('users', 0):,} ({a.get('negative', 0):,} negative, "
                                     f"{a.get('positive', 0):,} positive)")(c.get("attitudes") or {})
                          for c in candidates],
            "audience": [_html.fmt_int((c.get("audience") or {}).get("users")) for c in candidates],
        })
        parts.append(_html.html_table(rows, columns={
            "candidate": "candidate", "core_fan_shift": "core-fan stance shift", "turning_negative":
            "core fans turning negative", "overall_shift": "shift over all users", "exposed": "users exposed (mean)",
            "attitudes": "users with an attitude toward the candidate", "audience": "candidate's own audience"},
            empty="no candidates"))
        parts.append('<p class="caption">Means with 90% intervals [5th, 95th percentile] over the Monte Carlo runs; '
                     "the effect is the scenario minus the baseline without a partnership, so doing nothing has "
                     "exactly zero effect.</p>")
        parts.append(_whatif_plot(candidates, whatif.runs, names))
        for c in candidates:
            cid = str(c.get("candidate"))
            pieces = []
            if whatif.defectors is not None and "candidate" in whatif.defectors:
                d = whatif.defectors.loc[whatif.defectors["candidate"].astype(str) == cid].head(top)
                if len(d):
                    d = d.assign(who=d["user_id"].map(lambda u: _label(u, names)),
                                 move=[f"{a:+.2f} → {b:+.2f}" for a, b in zip(d["baseline"], d["stance_after"])])
                    pieces.append("<h4>Most likely defectors</h4>" + _html.html_table(
                        d, columns={"who": "user", "stance_before": "stance now", "move":
                                    "stance without → with the partnership", "shift": "shift",
                                    "probability_negative": "P(turns negative)", "why": "why"},
                        formats={"probability_negative": _share, "stance_before": _signed, "shift": _signed},
                        numeric=("probability_negative", "stance_before", "shift")))
            if whatif.carriers is not None and "candidate" in whatif.carriers:
                k = whatif.carriers.loc[whatif.carriers["candidate"].astype(str) == cid].head(top)
                if len(k):
                    k = k.assign(who=k["user_id"].map(lambda u: _label(u, names)))
                    pieces.append("<h4>Accounts carrying most of the backlash</h4>" + _html.html_table(
                        k, columns={"who": "user", "attitude": "attitude toward candidate", "own_shock": "own shock",
                                    "backlash_on_others": "backlash on others", "core_fan_contribution":
                                    "share of core-fan shift"},
                        formats={"attitude": _signed, "own_shock": _signed, "backlash_on_others": _html.fmt_number,
                                 "core_fan_contribution": _html.fmt_number},
                        numeric=("attitude", "own_shock", "backlash_on_others", "core_fan_contribution")))
            if pieces:
                parts.append(f"<h3>{e(_label(cid, names))}</h3>" + "".join(pieces))
    if whatif.sensitivity is not None:
        table = whatif.sensitivity
        parts.append("<h3>Sensitivity</h3><p class=\"note\">One parameter varied at a time over its prior range, "
                     "the others at their defaults.</p>")
        numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
        parts.append(_html.html_table(table.head(200), columns={c: str(c).replace("_", " ") for c in table.columns},
                                      formats={c: _html.fmt_number for c in numeric}, numeric=numeric,
                                      empty="empty sensitivity table"))
        if len(table) > 200:
            parts.append(f'<p class="note">First 200 of {len(table):,} rows.</p>')
    return "\n".join(p for p in parts if p)


@functools.lru_cache(maxsize=1)
def _cjk_font() -> str | None:
    """An installed font that can draw Chinese, or None (matplotlib's default cannot)."""
    from matplotlib import font_manager

    hints = ("CJK", "Noto Sans SC", "Source Han", "WenQuanYi", "SimHei", "YaHei", "PingFang", "Hiragino")
    for font in font_manager.fontManager.ttflist:
        if any(h.lower() in font.name.lower() for h in hints):
            return font.name
    return None


def _plot_label(user_id: Any, names: pd.Series) -> str:
    """'name (id)' for plots, or just the id when the name needs glyphs no installed font has."""
    label = _label(user_id, names)
    return label if label.isascii() or _cjk_font() else str(user_id)


def _whatif_plot(candidates: list[Mapping[str, Any]], runs: pd.DataFrame | None, names: pd.Series,
                 max_panels: int = 6) -> str:
    """Per candidate, the core-fan shift over the Monte Carlo runs (one panel each, shared x axis);
    with more than ``max_panels`` candidates or no per-run table, means with 90% intervals instead."""
    ids = [str(c.get("candidate")) for c in candidates]
    labels = [_plot_label(i, names)[:48] for i in ids]
    have_runs = runs is not None and {"candidate", "core_fan_shift"} <= set(runs.columns)
    if have_runs and 0 < len(ids) <= max_panels:
        values = [runs.loc[runs["candidate"].astype(str) == i, "core_fan_shift"].dropna().to_numpy(dtype="float64")
                  for i in ids]
        lo = min([v.min() for v in values if len(v)] + [0.0])
        hi = max([v.max() for v in values if len(v)] + [0.0])
        pad = 0.05 * (hi - lo) or 0.01
        bins = np.linspace(lo - pad, hi + pad, 41)
        fig = _figure(6.8, 1.1 + 1.25 * len(ids))
        axes = np.atleast_1d(fig.subplots(len(ids), 1, sharex=True))
        for i, (ax, label, v) in enumerate(zip(axes, labels, values)):
            if len(v):
                ax.hist(v, bins=bins, color=str(community_colour(i)), alpha=0.8)
                ax.axvline(v.mean(), color="#222", linewidth=1.2)
            ax.axvline(0, color="#888", linewidth=0.8, linestyle="--")
            ax.set_title(label, fontsize=9, loc="left")
            ax.set_ylabel("runs", fontsize=8)
            ax.tick_params(labelsize=8)
        axes[-1].set_xlabel("core-fan stance shift per Monte Carlo run (solid line: mean; dashed: no effect)")
        fig.suptitle("What-if: core-fan shift by candidate", fontsize=11)
        return _html.figure_img(fig, alt="What-if core-fan shift by candidate")
    get = lambda c, k: float((c.get("core_fan_shift") or {}).get(k) or np.nan)  # noqa: E731
    mean = np.array([get(c, "mean") for c in candidates])
    lo = np.array([get(c, "p05") for c in candidates])
    hi = np.array([get(c, "p95") for c in candidates])
    fig = _figure(6.8, max(2.8, 0.45 * len(candidates) + 1.6))
    ax = fig.add_subplot()
    y = np.arange(len(candidates))
    ax.errorbar(mean, y, xerr=[np.nan_to_num(mean - lo), np.nan_to_num(hi - mean)], fmt="o", capsize=4)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel("core-fan stance shift (mean, 90% interval)")
    ax.axvline(0, color="#888", linewidth=0.8)
    ax.set_title("What-if: core-fan shift by candidate")
    ax.grid(True, axis="x", alpha=0.3)
    return _html.figure_img(fig, alt="What-if core-fan shift by candidate")


_REPORT_CSS = """
* { box-sizing: border-box; }
body { margin: 0; font: 14.5px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif;
       color: #222; background: #fafaf8; }
main { max-width: 1240px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 24px; margin: 8px 0 2px; }
h2 { font-size: 19px; margin: 30px 0 8px; padding-top: 8px; border-top: 1px solid #ddd; }
h3 { font-size: 15.5px; margin: 18px 0 6px; }
h4 { font-size: 14px; margin: 10px 0 4px; color: #444; }
nav { font-size: 13px; margin: 8px 0 0; }
nav a { margin-right: 12px; color: #2a5db0; text-decoration: none; }
.meta, .note, .caption { color: #555; font-size: 13px; margin: 4px 0; }
.caption { margin-bottom: 14px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; margin: 10px 0; }
.card { background: #fff; border: 1px solid #e2e2de; border-radius: 6px; padding: 8px 12px; }
.card .v { font-size: 21px; font-weight: 600; }
.card .k { font-size: 12.5px; color: #555; }
table.data { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px; margin: 6px 0; }
table.data th, table.data td { border-bottom: 1px solid #e6e6e2; padding: 4px 7px; text-align: left;
                               vertical-align: top; overflow-wrap: break-word; }
table.people td:nth-child(1) { min-width: 9em; }
table.people td:nth-child(2) { min-width: 7em; }
table.people td:nth-child(8) { min-width: 7em; }
table.people td:last-child { font-size: 12px; color: #333; }
table.data th { background: #f0f0ec; font-weight: 600; position: sticky; top: 0; }
table.data td.num, table.data th.num { text-align: right; white-space: nowrap; }
table.data tbody tr:nth-child(even) { background: #fafaf8; }
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 14px; }
.plot { max-width: 100%; height: auto; background: #fff; border: 1px solid #e2e2de; border-radius: 6px; }
iframe.map { width: 100%; height: 760px; border: 1px solid #ccc; border-radius: 6px; background: #fff; }
details pre { background: #fff; border: 1px solid #e2e2de; padding: 8px; overflow: auto; font-size: 12px; }
.empty { color: #777; font-style: italic; }
"""


def _cards(items: list[tuple[str, str]]) -> str:
    e = _html.escape
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="v">{e(v)}</div><div class="k">{e(k)}</div></div>' for k, v in items) + "</div>"


def render_report(workspace, *, top: int = 15, top_communities: int = 30, embed_map: bool = True,
                  map_max_nodes: int = 500, map_max_edges: int = 3000, seed: int = 0,
                  quiet: bool = True) -> tuple[str, dict[str, Any]]:
    """The report page's HTML and what it contains (``sections``, ``skipped``, ``map``)."""
    from ..build.workspace import Workspace, open_workspace

    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    if not ws.has_result("analysis", "users.parquet"):
        raise KolgraphError(f"{ws.path}: no analysis yet; run `kolgraph analyze {ws.path}` first "
                            "(the report is about roles, stance and communities)")
    bar = progress(total=5, desc="report", quiet=quiet)
    inputs = load_map_inputs(ws, quiet=True)
    users = inputs.users
    info = dict(inputs.info)
    summary = info.get("summary", {}) if isinstance(info.get("summary"), Mapping) else {}
    brand = (info.get("parameters") or {}).get("brand") or {}
    bar.update()
    e = _html.escape
    sections: list[str] = []
    skipped: list[str] = []
    body: list[str] = []
    title = f"kolgraph report: {brand.get('name') or ws.path.name}"
    generated = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    graph = ws.manifest.get("graph", {})
    counts = ws.manifest.get("counts", {}).get("interactions", {}) or {}
    body.append(f"<h1>{e(title)}</h1>")
    body.append(f'<p class="meta">Workspace {e(ws.path)} · generated {e(generated)} by kolgraph {e(__version__)}'
                + (f" · brand accounts: {e(', '.join(map(str, brand.get('accounts', []))))}" if brand.get("accounts") else "")
                + "</p>")
    nav = [("summary", "Summary"), *[(sid, t) for sid, t, *_ in _ROLE_SECTIONS], ("communities", "Communities"),
           ("plots", "Plots"), ("whatif", "What-if"), ("map", "Map"), ("parameters", "Parameters")]
    body.append("<nav>" + "".join(f'<a href="#{sid}">{e(t)}</a>' for sid, t in nav) + "</nav>")

    # Summary figures.
    roles = users["roles"]
    stance_known = users["stance_support"].fillna(0) > 0
    role_counts = {tag: int(has_role(roles, tag).sum()) for tag in
                   ("kol", "core_fan", "critic", "critic_kol", "bridge", "brand_bridge", "amplifier", "brand_account")}
    n_comm = int(users.loc[users["community"] >= 0, "community"].nunique())
    cards = [("users", _html.fmt_int(len(users))), ("interactions", _html.fmt_int(counts.get("kept", summary.get("interactions")))),
             ("edges (user, user, kind)", _html.fmt_int(graph.get("edges", len(inputs.edges)))),
             ("communities", _html.fmt_int(n_comm))]
    if summary.get("modularity") is not None and not (isinstance(summary.get("modularity"), float) and math.isnan(summary["modularity"])):
        cards.append(("modularity", f"{float(summary['modularity']):.3f}"))
    cards += [(_ROLE_PLURALS[tag], _html.fmt_int(v)) for tag, v in role_counts.items()]
    cards.append(("users with brand stance", _html.fmt_int(int(stance_known.sum()))))
    if stance_known.any():
        st = users.loc[stance_known, "stance"]
        cards.append(("mean brand stance", f"{st.mean():+.2f}"))
        cards.append(("negative stance (≤ −0.3)", _share((st <= -0.3).mean())))
    if summary.get("brand_communities"):
        cards.append(("brand communities", ", ".join(f"C{c}" for c in summary["brand_communities"])))
    body.append('<h2 id="summary">Summary</h2>' + _cards(cards))
    sections.append("summary")

    # Role tables.
    for sid, heading, tags, sort, meaning in _ROLE_SECTIONS:
        table, total = _people_table(users, tags, sort, top)
        body.append(f'<h2 id="{sid}">{e(heading)}</h2><p class="note">{e(meaning)} Showing {min(top, total):,} of '
                    f'{total:,}, by {e(sort)}.</p>{table}')
        sections.append(sid)
    bar.update()

    # Communities.
    table, total = _community_table(inputs.communities, users, top_communities)
    body.append(f'<h2 id="communities">Communities</h2><p class="note">The {min(top_communities, total):,} largest of '
                f"{total:,}. Stability: share of consensus runs keeping the community's core together; brand "
                f"engagement share: the community's share of all engagement with brand accounts.</p>{table}")
    sections.append("communities")

    # Plots.
    import matplotlib

    cjk = _cjk_font()  # draw Chinese names when a font for them is installed
    fonts = {"font.family": ["sans-serif"], "font.sans-serif": ["DejaVu Sans", cjk]} if cjk else {}
    with warnings.catch_warnings(), matplotlib.rc_context(fonts):
        warnings.filterwarnings("ignore", message="Glyph .* missing from")  # CJK names without a CJK font
        plots = [_degree_plot(inputs.edges, len(users)), _stance_plot(users)]
        bar.update()
        whatif = load_whatif(ws.result_path("whatif"))
        names = pd.Series(_name(users).to_numpy(), index=users["user_id"].astype(str).to_numpy())
        whatif_html = _whatif_section(whatif, names) if whatif else ""
    body.append('<h2 id="plots">Plots</h2><div class="plots">' + "".join(f"<div>{p}</div>" for p in plots) + "</div>")
    sections.append("plots")
    if whatif:
        body.append(f'<h2 id="whatif">What-if: partnering with a KOL</h2>{whatif_html}')
        sections.append("whatif")
    else:
        body.append('<h2 id="whatif">What-if: partnering with a KOL</h2><p class="note">No what-if results in '
                    f"{e(ws.result_path('whatif'))}: run `kolgraph whatif` on this workspace to add them.</p>")
        skipped.append("what-if (no results in WORKSPACE/whatif/)")
    bar.update()

    # Map.
    extra_hashes: list[str] = []
    data = None
    if embed_map:
        data = backbone_map(inputs, max_nodes=map_max_nodes, max_edges=map_max_edges)
        map_html = render_map_html(data, seed=seed)
        extra_hashes = _html.page_script_hashes(map_html)
        body.append(f'<h2 id="map">Map: the influence backbone</h2><p class="note">{e(data.summary())}. '
                    "Hover a user for metrics and reasons; use the menus to filter. A larger map, the community "
                    "view or one account's ego network: `kolgraph map`.</p>"
                    f'<iframe class="map" title="influence backbone map" srcdoc="{e(map_html)}"></iframe>')
        sections.append("map")
    else:
        body.append('<h2 id="map">Map</h2><p class="note">Not embedded (draw it with `kolgraph map`).</p>')
        skipped.append("map (embed_map=False)")

    # Parameters.
    params = info.get("parameters")
    if params:
        body.append('<h2 id="parameters">Parameters</h2><details><summary>Analysis parameters '
                    f"(analysis/analysis.json)</summary><pre>{e(json.dumps(params, ensure_ascii=False, indent=2, default=str))}</pre></details>")
        sections.append("parameters")
    bar.update()
    bar.close()
    html = _html.page(title, "<main>" + "\n".join(body) + "</main>", styles=[_REPORT_CSS],
                      extra_script_hashes=extra_hashes)
    return html, {"sections": tuple(sections), "skipped": tuple(skipped), "map": data}


def write_report(workspace, out: str | os.PathLike, *, top: int = 15, top_communities: int = 30,
                 embed_map: bool = True, map_max_nodes: int = 500, map_max_edges: int = 3000, seed: int = 0,
                 quiet: bool = True) -> ReportResult:
    """Write the report of an analysed workspace to ``out`` (one self-contained HTML file, atomically)."""
    start = time.perf_counter()
    html, info = render_report(workspace, top=top, top_communities=top_communities, embed_map=embed_map,
                               map_max_nodes=map_max_nodes, map_max_edges=map_max_edges, seed=seed, quiet=quiet)
    write_text(out, html)
    return ReportResult(path=Path(out), bytes=Path(out).stat().st_size, seconds=time.perf_counter() - start,
                        sections=info["sections"], skipped=info["skipped"], map=info["map"])
