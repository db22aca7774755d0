"""Every number of the report with its unit and definition: the hover text and the glossary at the end.

One table (:data:`GLOSSARY`), so the hover (``title``) and the glossary can never say different
things. :func:`figure` renders one number with its unit and its definition on hover; the glossary
lists every term the page used, in the order of :data:`GLOSSARY`. Definitions follow
docs/methods.md; a term's ``section`` names the section of that page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

from .. import safe_html as _html

__all__ = ["Term", "GLOSSARY", "figure", "glossary_html", "interval_text"]


@dataclass(frozen=True)
class Term:
    """A glossary entry: label, unit (as printed after the number) and definition."""

    label: str
    unit: str
    definition: str
    section: str = ""


GLOSSARY: dict[str, Term] = {t_key: Term(*t) for t_key, t in {
    "tier": ("Risk tier", "red / amber / grey / green",
             "red: a strong warning sign (critic of the brand, hostile core fans, or a predicted core-fan shift at or "
             "below -0.05); amber: a weaker sign; grey: insufficient evidence to judge; green: no warning sign found.",
             "5"),
    "core_fans": ("Core fans", "users",
                  "Users with brand stance >= +0.3 over at least 3 brand-directed interactions, repeated engagement "
                  "with brand accounts, embedded in a brand community.", "3"),
    "turning_against": ("Core fans turning against the brand", "core fans",
                        "Core fans whose predicted brand stance ends below 0 if the brand partners with the candidate; "
                        "mean over Monte Carlo runs with the 90% interval in brackets.", "4"),
    "turning_share": ("Share of core fans turning against", "% of core fans",
                      "Core fans turning against the brand / all core fans; mean [90% interval].", "4"),
    "cooling_share": ("Core fans cooling", "% of core fans",
                      "Share of core fans whose predicted stance drops by at least the cooling threshold (0.3 "
                      "stance units).", "4"),
    "stance_before": ("Core-fan stance before", "stance units (-1..+1)",
                      "Mean measured brand stance of core fans before the announcement.", "2"),
    "stance_after": ("Core-fan stance after", "stance units (-1..+1)",
                     "Mean predicted brand stance of core fans after the announcement (measured stance plus the "
                     "predicted effect); mean [90% interval].", "4"),
    "core_fan_shift": ("Core-fan shift", "stance units",
                       "Predicted change of core fans' mean brand stance (scenario minus no-announcement baseline); "
                       "mean [90% interval] over Monte Carlo runs.", "4"),
    "flood_multiple": ("Comment-section flood", "x the usual hostile volume",
                       "Hostile replies/mentions a brand account can expect per day after the announcement, as a "
                       "multiple of its measured hostile daily volume before it.", "4"),
    "hostile_per_day": ("Hostile comments per day", "comments per day",
                        "Brand-directed replies and mentions with sentiment below -0.3, per day.", "4"),
    "friendly_at_risk": ("Friendly KOLs at risk", "KOLs",
                         "KOLs with positive brand stance whose own attitude toward the candidate is negative, or a "
                         "large share of whose engagers are predicted to turn.", "4"),
    "attitude": ("Attitude", "-1..+1",
                 "Shrunk mean sentiment of one user's replies and mentions of another (reposts count as a weak "
                 "endorsement).", "2"),
    "stance": ("Brand stance", "-1..+1",
               "Shrunk mean of a user's brand-directed sentiment: sum(s) / (n + 2); support n is the number of "
               "brand-directed interactions behind it.", "2"),
    "sentiment": ("Sentiment", "-1..+1",
                  "Per interaction: the input's sentiment where given, else the text model's 2 P(positive) - 1.", "2"),
    "p_turn": ("Probability of turning", "% of runs",
               "Share of Monte Carlo runs in which the user's stance ends below 0.", "4"),
    "reach_overlap": ("Reach overlap", "% of the candidate's reach",
                      "Share of the vetted candidate's engagers in the brand's target communities that this "
                      "alternative also reaches.", "4"),
    "pagerank_pct": ("PageRank percentile", "percentile (0-100)",
                     "Share of users with a lower PageRank on the attention graph, times 100: influence.", "1"),
    "distinct_engagers": ("Distinct engagers", "users",
                          "Distinct other users who reposted, replied to or mentioned the account.", "5"),
    "hostile_fan_share": ("Hostile core-fan share", "% of core-fan replies/mentions",
                          "Core fans' replies and mentions of the candidate with sentiment below -0.3, over all their "
                          "replies and mentions of it with known sentiment.", "5"),
    "brand_volume": ("Brand-directed volume", "interactions per day",
                     "Interactions that target a brand account or name a brand keyword, per UTC day.", "2"),
    "mean_sentiment": ("Mean sentiment", "-1..+1", "Mean sentiment of the day's brand-directed interactions with a "
                       "known sentiment.", "2"),
    "community": ("Community", "id", "A group found by Leiden community detection on the undirected graph.", "1"),
    "brand_engagement_share": ("Brand engagement share", "% of brand engagement",
                               "The community's share of all engagement with brand accounts.", "3"),
    "stability": ("Stability", "0-1", "Share of consensus runs keeping the community's core together.", "1"),
    "modularity": ("Modularity", "-0.5..1", "How much more densely communities are linked inside than chance.", "1"),
    "users": ("Users", "users", "Accounts in the graph (anyone who acted or was acted on); in a community table, its members.", "1"),
    "interactions": ("Interactions", "interactions", "Rows kept: reposts, replies and mentions.", "1"),
    "runs": ("Monte Carlo runs", "runs", "Independent draws of exposure and priors behind every what-if figure.", "4"),
    "mc_se": ("Monte Carlo standard error", "same unit as the figure",
              "Standard error of a mean over the Monte Carlo runs.", "4"),
    "carried_shift": ("Carried backlash", "stance units summed over users",
                      "How much of the predicted backlash on other users flows through this account.", "4"),
}.items()}


def _fmt(value: Any, kind: str) -> str:
    if value is None:
        return "n/a"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return "n/a"
    if kind == "pct":
        return f"{100 * x:.0f}%" if abs(x) >= 0.1 else f"{100 * x:.1f}%"
    if kind == "signed":
        return f"{x:+.2f}"
    if kind == "shift":
        return f"{x:+.3f}"
    if kind == "int":
        return f"{x:,.0f}"
    if kind == "mult":
        return f"{x:.1f}x"
    return f"{x:.3g}"


def interval_text(value: Any, kind: str) -> str:
    """``mean [p05, p95]`` of an interval dict (or a plain number) in the given format; 'n/a' when absent."""
    if isinstance(value, dict):
        text = _fmt(value.get("mean"), kind)
        lo, hi = value.get("p05"), value.get("p95")
        if lo is not None and hi is not None and _fmt(lo, kind) == _fmt(hi, kind) == text:
            return text  # a measured value (no spread over runs): no interval to show
        if lo is not None and hi is not None:
            text += f" [{_fmt(value['p05'], kind)}, {_fmt(value['p95'], kind)}]"
        return text
    return _fmt(value, kind)


def figure(key: str, value: Any, kind: str = "num", *, used: set[str] | None = None, unit: bool = True,
           cls: str = "n") -> str:
    """One number (or interval) as escaped HTML: the value, its unit, and the definition on hover.

    ``used`` collects the glossary keys a page shows, so its glossary lists exactly those.
    """
    term = GLOSSARY[key]
    if used is not None:
        used.add(key)
    text = interval_text(value, kind)
    shown_unit = "" if not unit or text == "n/a" or kind in ("pct", "mult") else f" {term.unit}"
    hover = f"{term.label} ({term.unit}): {term.definition}"
    return (f'<span class="{_html.escape(cls)}" title="{_html.escape(hover)}">{_html.escape(text)}'
            f'<span class="unit">{_html.escape(shown_unit)}</span></span>')


def glossary_html(used: Iterable[str]) -> str:
    """The glossary section: every term in ``used``, in :data:`GLOSSARY` order."""
    used = set(used)
    rows = "".join(
        f'<tr id="g-{_html.escape(k)}"><th>{_html.escape(t.label)}</th><td>{_html.escape(t.unit)}</td>'
        f"<td>{_html.escape(t.definition)}"
        + (f' <a href="#methods">(methods section {_html.escape(t.section)})</a>' if t.section else "")
        + "</td></tr>"
        for k, t in GLOSSARY.items() if k in used)
    return ('<table class="data glossary"><thead><tr><th>term</th><th>unit</th><th>definition</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")
