"""The report's evidence and detail sections: what-if comparison, roles with examples, communities.

Each function returns escaped HTML for one block and says in words why a block is empty.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ...algorithms.roles import has_role
from .. import safe_html as _html
from .glossary import GLOSSARY, figure, interval_text


def _titles(**keys: str) -> dict[str, str]:
    """Header hover texts: column -> 'Label (unit): definition' from the glossary."""
    return {col: f"{GLOSSARY[k].label} ({GLOSSARY[k].unit}): {GLOSSARY[k].definition}" for col, k in keys.items()}
from .whatif_view import CandidateView, WhatIfResults

__all__ = ["ROLE_SECTIONS", "display_names", "role_examples", "community_table", "whatif_table",
           "defector_tables", "sensitivity_table", "camps_text", "scored_list"]

_e = _html.escape

ROLE_SECTIONS = (
    # (tag id, title, role tags, sort column, what the role means, why it may be empty)
    ("kols", "KOLs", ("kol", "critic_kol"), "pagerank",
     "Key opinion leaders: top 1% by PageRank (at least 20) with at least 20 distinct engagers.",
     "no account is both in the top PageRank ranks and engaged by enough distinct users"),
    ("core-fans", "Core fans", ("core_fan",), "pagerank",
     "Brand stance >= +0.3 over >= 3 brand-directed interactions, repeated brand engagement, embedded in a brand "
     "community.", "no user has a strong, well-supported positive stance inside a brand community"),
    ("critics", "Critics", ("critic", "critic_kol"), "pagerank",
     "Brand stance <= -0.3 over >= 3 brand-directed interactions; critic KOLs are critics who are also KOLs.",
     "no user has a strong, well-supported negative brand stance"),
    ("bridges", "Bridges", ("brand_bridge", "bridge"), "betweenness",
     "Users linking communities (participation >= 0.5 with >= 10 neighbours spread over two or more communities, or "
     "top 1% betweenness); brand bridges link a brand community to another.",
     "no user spreads enough ties over several communities"),
    ("amplifiers", "Amplifiers", ("amplifier",), "out_strength_repost",
     "Users who repost much (top 5% by reposts, at least 10) but are rarely engaged with (in-strength <= 1).",
     "nobody reposts enough to pass the floor of 10 reposts"),
)


def display_names(users: pd.DataFrame) -> pd.Series:
    """user_id -> display name (the id where the name is missing)."""
    name = users["display_name"].astype(object) if "display_name" in users else pd.Series(None, index=users.index)
    ok = name.notna() & (name.astype(str).str.strip() != "") & (name.astype(str) != "nan")
    return pd.Series(name.where(ok, users["user_id"]).astype(str).to_numpy(),
                     index=users["user_id"].astype(str).to_numpy())


def _label(uid: Any, names: Mapping[str, str]) -> str:
    uid = str(uid)
    name = names.get(uid)
    return f"{name} ({uid})" if isinstance(name, str) and name and name != uid else uid


def role_examples(users: pd.DataFrame, top: int, used: set[str]) -> str:
    """Per role: how many hold it, what it means, and the top holders with the reasons for their role."""
    blocks = []
    brand = has_role(users["roles"], "brand_account")
    if brand.any():
        names = ", ".join(display_names(users.loc[brand]).head(12).tolist())
        blocks.append(f'<p class="note">Brand accounts ({int(brand.sum()):,}) are left out of every role table: '
                      f"{_e(names)}{', ...' if brand.sum() > 12 else ''}.</p>")
    for sid, heading, tags, sort, meaning, why_empty in ROLE_SECTIONS:
        holders = users.loc[has_role(users["roles"], *tags) & ~brand]
        if sort in holders:
            holders = holders.sort_values(sort, ascending=False, kind="stable")
        shown = holders.head(top).assign(
            name=lambda f: display_names(f).to_numpy(),
            stance_text=lambda f: ["" if pd.isna(s) else f"{s:+.2f} (n={0 if pd.isna(n) else int(n)})"
                                   for s, n in zip(f["stance"], f["stance_support"])])
        table = _html.html_table(
            shown, columns={"name": "name", "user_id": "user id", "pagerank_pct": "PageRank pct",
                            "community": "community", "stance_text": "brand stance (support)", "reasons": "why"},
            formats={"pagerank_pct": lambda v: "" if pd.isna(v) else f"{float(v):.1f}", "community": _html.fmt_int},
            numeric=("pagerank_pct", "community"), empty=f"Nobody holds this role: {why_empty}.",
            table_class="data people", titles=_titles(pagerank_pct="pagerank_pct", community="community",
                                                      stance_text="stance"))
        used.update({"pagerank_pct", "stance", "community"})
        blocks.append(f'<h3 id="{sid}">{_e(heading)} <span class="count">{len(holders):,} users</span></h3>'
                      f'<p class="note">{_e(meaning)}'
                      + (f" The top {min(top, len(holders)):,} by {_e(sort.replace('_', ' '))}"
                         '<span class="print-only"> (on paper: the top 5)</span>:' if len(holders) else "")
                      + f"</p>{table}")
    return "".join(blocks)


def community_table(communities: pd.DataFrame | None, users: pd.DataFrame, top: int, used: set[str]) -> tuple[str, int]:
    """The ``top`` largest communities (brand communities first) and how many there are."""
    if communities is None or communities.empty:
        table = (users.loc[users["community"] >= 0].groupby("community")
                 .agg(size=("user_id", "size"), mean_stance=("stance", "mean")).reset_index())
    else:
        table = communities.copy()
    if table.empty:
        return '<p class="empty">No communities: the graph has no edges between distinct users.</p>', 0
    brand = (table["is_brand_community"].astype(str).str.lower().isin(["true", "1"])
             if "is_brand_community" in table else pd.Series(False, index=table.index))
    table = table.assign(_b=~brand.to_numpy()).sort_values(["_b", "size"], ascending=[True, False], kind="stable")
    total = len(table)
    shown = table.head(top).copy()
    member_col = "top_member_names" if "top_member_names" in shown else "top_members" if "top_members" in shown else None
    if member_col:
        shown["members"] = (shown[member_col].astype(object).where(shown[member_col].notna(), "").astype(str)
                            .str.split("|").str[:4].str.join(", "))
    shown["brand"] = np.where(~shown["_b"], "yes", "")
    columns = {"community": "community", "size": "users", "brand": "brand community",
               "brand_engagement_share": "share of brand engagement", "mean_stance": "mean brand stance",
               "core_fans": "core fans", "critics": "critics", "stability": "stability", "members": "top members"}
    columns = {k: v for k, v in columns.items() if k in shown}
    used.update({"community", "brand_engagement_share", "stability", "stance", "users", "core_fans"})
    html = _html.html_table(
        shown, columns=columns,
        formats={"size": _html.fmt_int, "stability": lambda v: "" if pd.isna(v) else f"{float(v):.2f}",
                 "brand_engagement_share": lambda v: "" if pd.isna(v) else f"{100 * float(v):.0f}%",
                 "mean_stance": lambda v: "" if pd.isna(v) else f"{float(v):+.2f}",
                 "core_fans": _html.fmt_int, "critics": _html.fmt_int, "community": _html.fmt_int},
        numeric=("community", "size", "stability", "brand_engagement_share", "mean_stance", "core_fans", "critics"),
        empty="no communities", table_class="data communities", titles=_titles(community="community", size="users", stability="stability",
                                               brand_engagement_share="brand_engagement_share",
                                               mean_stance="stance", core_fans="core_fans"))
    return html, total


def camps_text(summary: Mapping[str, Any]) -> str:
    """One sentence on the camps (brand / critic / none), from the analysis summary."""
    camps = summary.get("camps") if isinstance(summary, Mapping) else None
    if not isinstance(camps, Mapping) or not camps:
        return '<p class="empty">No camps in this analysis (re-run `kolgraph analyze` with this version).</p>'
    total = sum(int(v) for v in camps.values()) or 1
    parts = [f"{_e(k)}: {int(v):,} users ({100 * int(v) / total:.0f}%)" for k, v in camps.items()]
    return ('<p>Camps (who sides with the brand accounts or with the critics, by how attention spreads from each '
            "side's seeds over reposts): " + "; ".join(parts) + ".</p>")


def whatif_table(views: list[CandidateView], whatif: WhatIfResults, names: Mapping[str, str], used: set[str]) -> str:
    """All vetted candidates side by side: the figures of the decision cards in one table."""
    rows = []
    raw = {str(c.get("candidate")): c for c in (whatif.summary or {}).get("candidates", []) if isinstance(c, Mapping)}
    for v in views:
        c = raw.get(v.candidate, {})
        att = c.get("attitudes") if isinstance(c.get("attitudes"), Mapping) else {}
        rows.append("<tr>" + "".join(f"<td>{x}</td>" for x in (
            _e(_label(v.candidate, names)),
            figure("core_fan_shift", v.core_fan_shift, "shift", used=used, unit=False) if v.core_fan_shift else "n/a",
            figure("turning_against", v.turning_count, "int", used=used, unit=False) if v.turning_count else "n/a",
            figure("turning_share", v.turning_share, "pct", used=used) if v.turning_share else "n/a",
            _e(interval_text(c.get("overall_shift"), "shift")) if c.get("overall_shift") else "n/a",
            _e(f"{int(att.get('users', 0)):,} ({int(att.get('negative', 0)):,} negative)") if att else "n/a",
        )) + "</tr>")
    head = ("<tr><th>candidate</th><th>core-fan shift [90%] (stance units)</th><th>core fans turning against</th>"
            "<th>share of core fans</th><th>shift over all users (stance units)</th>"
            "<th>users with an attitude toward the candidate</th></tr>")
    return f'<table class="data"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def defector_tables(whatif: WhatIfResults, names: Mapping[str, str], top: int) -> str:
    """Per candidate: the most likely defectors and the accounts carrying most of the backlash."""
    parts = []
    cands = [str(c.get("candidate")) for c in (whatif.summary or {}).get("candidates", []) if isinstance(c, Mapping)]
    for cid in cands:
        pieces = []
        d = whatif.defectors
        if d is not None and "candidate" in d:
            d = d.loc[d["candidate"].astype(str) == cid].head(top)
            if len(d):
                d = d.assign(who=d["user_id"].map(lambda u: _label(u, names)))
                cols = {"who": "user", "stance_before": "stance now (-1..+1)", "shift": "shift (stance units)",
                        "probability_negative": "P(turns negative)", "why": "why"}
                pieces.append("<h4>Most likely defectors</h4>" + _html.html_table(
                    d, columns={k: v for k, v in cols.items() if k in d or k == "who"},
                    formats={"probability_negative": lambda v: "" if pd.isna(v) else f"{100 * float(v):.0f}%",
                             "stance_before": lambda v: "" if pd.isna(v) else f"{float(v):+.2f}",
                             "shift": lambda v: "" if pd.isna(v) else f"{float(v):+.3f}"},
                    numeric=("probability_negative", "stance_before", "shift")))
            else:
                pieces.append('<p class="empty">No defector: nobody\'s predicted shift reaches the defector '
                              "threshold (0.05 stance units).</p>")
        k = whatif.carriers
        if k is not None and "candidate" in k:
            k = k.loc[k["candidate"].astype(str) == cid].head(top)
            if len(k):
                k = k.assign(who=k["user_id"].map(lambda u: _label(u, names)))
                pieces.append("<h4>Accounts carrying most of the backlash</h4>" + _html.html_table(
                    k, columns={"who": "user", "attitude": "attitude toward candidate (-1..+1)",
                                "backlash_on_others": "backlash on others (stance units, summed)",
                                "listeners": "listeners (users)"},
                    formats={"attitude": lambda v: "" if pd.isna(v) else f"{float(v):+.2f}",
                             "backlash_on_others": _html.fmt_number, "listeners": _html.fmt_int},
                    numeric=("attitude", "backlash_on_others", "listeners")))
        if pieces:
            parts.append(f"<h3>{_e(_label(cid, names))}</h3>" + "".join(pieces))
    return "".join(parts) or '<p class="empty">No defector or carrier tables in the what-if outputs.</p>'


def sensitivity_table(whatif: WhatIfResults) -> str:
    table = whatif.sensitivity
    if table is None:
        return ('<p class="empty">No sensitivity analysis: run `kolgraph whatif sensitivity WORKSPACE --kol ...` '
                "to add one.</p>")
    numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
    return ('<p class="note">One parameter varied at a time over its prior range, the others at their defaults.</p>'
            + _html.html_table(table.head(60), columns={c: str(c).replace("_", " ") for c in table.columns},
                               formats={c: _html.fmt_number for c in numeric}, numeric=numeric,
                               empty="empty sensitivity table"))


def _read_scores(path: str) -> pd.DataFrame | None:
    from pathlib import Path

    from ..._io import read_table

    p = Path(path)
    if not p.is_file():
        return None
    try:
        if p.suffix.lower() == ".xlsx":
            return pd.read_excel(p, dtype=str)
        return read_table(p)
    except (ValueError, OSError, ImportError, pd.errors.ParserError):
        return None


def scored_list(record: Mapping[str, Any] | None, names: Mapping[str, str], stale: str | None) -> str:
    """The last ``kolgraph score`` run of this workspace: tier counts and every red row with its first reason."""
    if not isinstance(record, Mapping):
        return ('<p class="empty">No candidate list scored on this workspace yet: run '
                "<code>kolgraph score WORKSPACE LIST -o scored.xlsx</code> to rank an agency's list.</p>")
    counts = record.get("counts") or {}
    tiers = ", ".join(f"{int(counts.get(t, 0)):,} {t}" for t in ("red", "amber", "grey", "green"))
    head = (f"<p>Last scored list: <code>{_e(record.get('output'))}</code> ({_e(record.get('created', ''))}): "
            f"{int(counts.get('ok', 0)):,} candidates scored ({_e(tiers)}); "
            f"{int(counts.get('unknown', 0)):,} unknown, {int(counts.get('ambiguous', 0)):,} ambiguous handles.</p>")
    if stale:
        head += f'<p class="banner stale">{_e(stale)}.</p>'
    table = _read_scores(str(record.get("output") or ""))
    if table is None or "risk_tier" not in table or "status" not in table:
        return head + '<p class="note">The scored file is not readable from here (moved, or written to standard ' \
                      "output); its counts are from the workspace's record.</p>"
    red = table[(table["status"].astype(str) == "ok") & (table["risk_tier"].astype(str) == "red")]
    if red.empty:
        return head + '<p class="note">No red candidate in the list.</p>'
    from .cards import split_reasons

    rows = "".join(f"<li>{_e(_label(r.user_id, names))}: {_e((split_reasons(str(r.reasons)) or [''])[0])}</li>"
                   for r in red.itertuples(index=False))
    return head + f'<h4>Red: do not partner</h4><ul class="tight">{rows}</ul>'
