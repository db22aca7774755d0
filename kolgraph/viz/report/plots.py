"""Matplotlib charts of the report's detail section, as inline SVG (text kept as text, no raster).

The degree distribution on log-log axes and brand stance by community. Both draw only numbers and
community ids; the SVG is produced by matplotlib, which escapes its text.
"""

from __future__ import annotations

import functools
import io

import numpy as np
import pandas as pd

from .. import safe_html as _html
from ..maps import community_colour

__all__ = ["degree_plot", "stance_plot", "degrees", "figure_svg", "cjk_font"]


def figure_svg(fig, *, alt: str) -> str:
    """A matplotlib figure as an inline ``<svg>`` (no XML prologue, text as text, class ``chart mpl``)."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    FigureCanvasSVG(fig)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "kolgraph"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = svg.replace("<svg ", f'<svg class="chart mpl" role="img" aria-label="{_html.escape(alt)}" ', 1)
    return svg


def _figure(width: float = 6.4, height: float = 3.8):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def degrees(edges: pd.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(in-degree, out-degree) per user: distinct users engaging / engaged, any kind, self-loops excluded."""
    src, dst = edges["src"].to_numpy(np.int64), edges["dst"].to_numpy(np.int64)
    keep = src != dst
    pairs = np.sort(src[keep] * max(n, 1) + dst[keep])  # distinct (src, dst) pairs: sort, keep the first of each run
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    return np.bincount(pairs % max(n, 1), minlength=n), np.bincount(pairs // max(n, 1), minlength=n)


def degree_plot(edges: pd.DataFrame, n: int) -> str:
    """In- and out-degree (distinct neighbours) distributions, log-binned, on log-log axes."""
    in_deg, out_deg = degrees(edges, n)
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
    return figure_svg(fig, alt="Degree distribution on log-log axes") + f'<p class="caption">{_html.escape(caption)}</p>'


def stance_plot(users: pd.DataFrame, max_communities: int = 12) -> str:
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
    return figure_svg(fig, alt="Brand stance by community") + f'<p class="caption">{_html.escape(caption)}</p>'


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """An installed font that can draw Chinese, or None (matplotlib's default cannot)."""
    from matplotlib import font_manager

    hints = ("CJK", "Noto Sans SC", "Source Han", "WenQuanYi", "SimHei", "YaHei", "PingFang", "Hiragino")
    for font in font_manager.fontManager.ttflist:
        if any(h.lower() in font.name.lower() for h in hints):
            return font.name
    return None
