"""The decision card: one per vetted candidate, the first thing the report shows.

A card says, in this order: the tier and a one-line verdict; core fans turning against the brand
(count and share with the 90% interval), the core-fan shift, the stance of core fans before and
after; the comment-section flood; friendly KOLs at risk; the top three reasons in words; three real
posts that carry the evidence (author, time, text); and the safer alternatives. Every number comes
with its unit and its definition on hover (:mod:`.glossary`); every piece of user text is escaped.
A figure the what-if outputs do not hold says why (an older ``kolgraph whatif``) instead of a blank.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import pandas as pd

from .. import safe_html as _html
from .glossary import figure
from .whatif_view import CandidateView

__all__ = ["decision_card", "TIER_WORDS", "label_of", "split_reasons"]

_e = _html.escape

TIER_WORDS = {"red": "RED: do not partner", "amber": "AMBER: partner only with care",
              "grey": "GREY: insufficient evidence", "green": "GREEN: no warning sign"}


def label_of(user_id: Any, names: Mapping[str, str]) -> str:
    """'name (@id)' or just the id (plain text; the caller escapes)."""
    uid = str(user_id)
    name = names.get(uid)
    return f"{name} (@{uid})" if isinstance(name, str) and name and name != uid else f"@{uid}"


def _rerun(what: str) -> str:
    return (f'<p class="empty">{_e(what)}: not in these what-if outputs (written by an older version); '
            "re-run <code>kolgraph whatif</code> to add it.</p>")


def _num(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def _when(ts: Any) -> str:
    v = _num(ts)
    if math.isnan(v):
        return "time unknown"
    return pd.Timestamp(v, unit="s", tz="UTC").strftime("%Y-%m-%d %H:%M UTC")


def _posts(posts: pd.DataFrame | None, names: Mapping[str, str], used: set[str], why_empty: str) -> str:
    if posts is None or posts.empty:
        return f'<p class="empty">{_e(why_empty)}</p>'
    items = []
    for p in posts.itertuples(index=False):
        kind = "replied to" if p.kind == "reply" else "mentioned"
        items.append(
            f'<li><blockquote lang="zh">{_e(p.text)}</blockquote><div class="cite">'
            f"{_e(label_of(p.src, names))} {_e(kind)} {_e(label_of(p.dst, names))}, {_e(_when(p.timestamp))}; "
            f"sentiment {figure('sentiment', p.sentiment, 'signed', used=used, unit=False)}</div></li>")
    return '<ol class="posts">' + "".join(items) + "</ol>"


def _flood(view: CandidateView, names: Mapping[str, str], used: set[str]) -> str:
    if "comment_flood" in view.missing:
        return _rerun("Comment-section flood")
    if not view.comment_flood:
        return '<p class="empty">No flood predicted: no user predicted to turn already replies to brand accounts.</p>'
    rows = []
    for f in view.comment_flood[:3]:
        who = f.get("display_name") or names.get(str(f.get("account")), "")
        tag = " (founder)" if f.get("is_founder") else ""
        rows.append(f"<li>{_e(who or f.get('account'))} (@{_e(f.get('account'))}){_e(tag)}: "
                    f"{figure('flood_multiple', f.get('multiple'), 'mult', used=used)} "
                    f"({figure('hostile_per_day', f.get('hostile_per_day_expected'), 'num', used=used)} expected on "
                    f"day one, against {figure('hostile_per_day', f.get('hostile_per_day_before'), 'num', used=used)} "
                    "before)</li>")
    return '<ul class="tight">' + "".join(rows) + "</ul>"


def _friendly(view: CandidateView, names: Mapping[str, str], used: set[str]) -> str:
    if "friendly_kols_at_risk" in view.missing:
        return _rerun("Friendly KOLs at risk")
    if not view.friendly_at_risk:
        return '<p class="empty">None: no friendly KOL dislikes this candidate or loses many engagers.</p>'
    rows = []
    for k in view.friendly_at_risk[:4]:
        who = k.get("display_name") or names.get(str(k.get("user_id")), "")
        why = "; ".join(str(r) for r in (k.get("reasons") or [])[:1])
        rows.append(f"<li>{_e(who or k.get('user_id'))} (@{_e(k.get('user_id'))}): attitude toward the candidate "
                    f"{figure('attitude', k.get('attitude_to_candidate'), 'signed', used=used, unit=False)}, "
                    f"engagers turning {figure('turning_share', k.get('engagers_turning_share'), 'pct', used=used)}"
                    + (f" <span class=\"why\">({_e(why)})</span>" if why else "") + "</li>")
    more = len(view.friendly_at_risk) - 4
    return ('<ul class="tight">' + "".join(rows) + (f"<li>and {more} more</li>" if more > 0 else "") + "</ul>")


def _share_kind(value: Any) -> str:
    """'pct' for a share in [0, 1]; a plain number otherwise (never print 1188%)."""
    v = _num(value)
    return "pct" if math.isnan(v) or 0.0 <= v <= 1.0 else "num"


def _safer(view: CandidateView, fallback: Sequence[tuple[str, str, Any]], names: Mapping[str, str],
           used: set[str]) -> str:
    if view.safer:
        rows = []
        for s in view.safer[:3]:
            who = s.get("display_name") or names.get(str(s.get("user_id")), "")
            rows.append(f"<li>{_e(who or s.get('user_id'))} (@{_e(s.get('user_id'))}): core fans turning "
                        f"{figure('turning_share', s.get('core_fans_turning_share'), 'pct', used=used)}, reach overlap "
                        f"{figure('reach_overlap', s.get('reach_overlap'), _share_kind(s.get('reach_overlap')), used=used)}</li>")
        return '<ul class="tight">' + "".join(rows) + "</ul>"
    if fallback:
        rows = [f"<li>{_e(label_of(uid, names))}: tier {_e(tier)}, core-fan shift "
                f"{figure('core_fan_shift', shift, 'shift', used=used, unit=False)}</li>"
                for uid, tier, shift in fallback[:3]]
        note = ("" if "safer_alternatives" not in view.missing else
                '<p class="note">Among the candidates vetted here; a search over all KOLs needs a newer '
                "<code>kolgraph whatif</code> (re-run it).</p>")
        return '<ul class="tight">' + "".join(rows) + "</ul>" + note
    if "safer_alternatives" in view.missing:
        return _rerun("Safer alternatives")
    return '<p class="empty">No safer alternative with comparable reach was found.</p>'


def _line(view: CandidateView, tier: str, who: str) -> str:
    """The verdict in one sentence, from the figures (when the what-if did not write one)."""
    from .glossary import interval_text

    head = f"{tier.upper()}: partnering with {who}"
    parts = []
    if view.turning_count:
        parts.append(f"turns {interval_text(view.turning_count, 'int')} of {view.core_fans or '?'} core fans "
                     "against the brand")
    if view.core_fan_shift:
        parts.append(f"moves core fans' brand stance by {interval_text(view.core_fan_shift, 'shift')}")
    return head + (" " + " and ".join(parts) if parts else ": no what-if figure") + " (90% intervals)"


def split_reasons(text: str) -> list[str]:
    """Split a scoring ``reasons`` cell into its signs: at '; ' outside parentheses and brackets.

    >>> split_reasons("a (x; y); b [1; 2]; c")
    ['a (x; y)', 'b [1; 2]', 'c']
    """
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        elif ch == ";" and depth == 0 and text[i + 1:i + 2] == " ":
            out.append(text[start:i].strip())
            start = i + 2
    out.append(text[start:].strip())
    return [r for r in out if r]


def decision_card(view: CandidateView, *, tier: str | None, score_reasons: Sequence[str],
                  posts: pd.DataFrame | None, posts_why: str, names: Mapping[str, str], used: set[str],
                  alternatives: Sequence[tuple[str, str, Any]] = (), scoring_tier: str | None = None,
                  whatif_tier: str | None = None) -> str:
    """The HTML of one decision card (see the module docstring); ``tier`` is the verdict's tier."""
    tier = tier or "grey"
    who = label_of(view.candidate, {**names, **({view.candidate: view.display_name} if view.display_name else {})})
    turning = (figure("turning_against", view.turning_count, "int", used=used) if view.turning_count
               else '<span class="empty">n/a</span>')
    share = figure("turning_share", view.turning_share, "pct", used=used) if view.turning_share else ""
    fans = (figure("core_fans", view.core_fans, "int", used=used, unit=False) + " core fans"
            if view.core_fans is not None else "n/a core fans")
    line = view.line if view.line and (view.tier or tier) == tier else _line(view, tier, who)
    figures = [f'<div class="fig big"><div class="k">Core fans turning against the brand</div>'
               f'<div class="v">{turning}</div><div class="s">of {fans}{" = " + share if share else ""}</div></div>']
    if view.core_fan_shift:
        figures.append(f'<div class="fig"><div class="k">Core-fan shift</div><div class="v">'
                       f"{figure('core_fan_shift', view.core_fan_shift, 'shift', used=used)}</div></div>")
    if view.stance_before is not None or view.stance_after is not None:
        figures.append(f'<div class="fig"><div class="k">Core-fan stance before \u2192 after</div><div class="v">'
                       f"{figure('stance_before', view.stance_before, 'signed', used=used, unit=False)} \u2192 "
                       f"{figure('stance_after', view.stance_after, 'signed', used=used)}</div></div>")
    if view.cooling_share:
        figures.append(f'<div class="fig"><div class="k">Core fans cooling by \u2265 '
                       f"{_e(view.cooling_threshold or 0.3)}</div><div class=\"v\">"
                       f"{figure('cooling_share', view.cooling_share, 'pct', used=used)}</div></div>")
    reasons = list(view.reasons) or [r for r in score_reasons if r][:3]
    if view.reasons and whatif_tier and scoring_tier == tier != whatif_tier and score_reasons:
        reasons = [score_reasons[0], *view.reasons]  # the scoring sign that made the card riskier comes first
    reasons_html = ("<ol class=\"reasons\">" + "".join(f"<li>{_e(r)}</li>" for r in reasons[:3]) + "</ol>"
                    if reasons else '<p class="empty">No reason recorded.</p>')
    extra = ""
    if whatif_tier and scoring_tier and whatif_tier != scoring_tier:
        extra = (f' <span class="note">(what-if verdict: {_e(whatif_tier)}; scoring rule: {_e(scoring_tier)}; the card '
                 "shows the riskier)</span>")
    stale = ""
    if view.missing:
        stale = ('<p class="note rerun">Some figures are missing because these what-if outputs come from an older '
                 "version: re-run <code>kolgraph whatif</code>.</p>")
    return (
        f'<article class="decision tier-{_e(tier)}" data-candidate="{_e(view.candidate)}" data-tier="{_e(tier)}">'
        f'<header><span class="badge" title="{_e(TIER_WORDS[tier])}">{_e(tier.upper())}</span>'
        f"<h3>{_e(who)}</h3>{extra}</header>"
        f'<p class="line">{_e(line)}</p>'
        f'<div class="figs">{"".join(figures)}</div>'
        f'<div class="cols"><section><h4>Why</h4>{reasons_html}</section>'
        f"<section><h4>Comment-section flood</h4>{_flood(view, names, used)}"
        f"<h4>Friendly KOLs at risk</h4>{_friendly(view, names, used)}</section></div>"
        f"<section><h4>What people actually wrote</h4>{_posts(posts, names, used, posts_why)}</section>"
        f"<section><h4>Safer alternatives</h4>{_safer(view, alternatives, names, used)}</section>"
        f"{stale}</article>")
