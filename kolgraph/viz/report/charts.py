"""Static charts as hand-written inline SVG: no network, no script, crisp in print, text escaped.

Each function returns one ``<svg>`` element (``role="img"`` with a ``<title>``), or a sentence
saying why there is nothing to draw. Every label passes :func:`kolgraph.viz.safe_html.escape`, so a
display name cannot inject markup into the page.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd

from .. import safe_html as _html

__all__ = ["histograms", "stance_shift", "timeline", "PALETTE"]

#: Colours (colour-blind safe, Okabe-Ito).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

_e = _html.escape


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if not math.isfinite(lo) or not math.isfinite(hi) or hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    start = math.ceil(lo / step) * step
    return [round(start + i * step, 10) for i in range(int((hi - start) / step + 1e-9) + 1)]


def _label(x: float, signed: bool = False) -> str:
    text = f"{x:+.3g}" if signed and x != 0 else f"{x:.3g}"
    return text.replace("-", "\u2212")


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">'
            f"<title>{_e(title)}</title>{''.join(body)}</svg>")


def histograms(panels: Sequence[tuple[str, np.ndarray]], *, xlabel: str, title: str, bins: int = 30,
               panel_width: int = 300, height: int = 210) -> str:
    """Side-by-side histograms on one shared x axis (e.g. the core-fan shift per Monte Carlo run, per candidate).

    Each panel: bars (count of runs per bin), a solid line at the mean, a dashed line at 0 (no
    effect). Panels without values say so inside the panel.
    """
    values = [np.asarray(v, dtype="float64")[np.isfinite(np.asarray(v, dtype="float64"))] for _, v in panels]
    if not panels or not any(len(v) for v in values):
        return '<p class="empty">No Monte Carlo runs to draw (runs.csv absent or empty).</p>'
    lo = min([float(v.min()) for v in values if len(v)] + [0.0])
    hi = max([float(v.max()) for v in values if len(v)] + [0.0])
    pad = 0.04 * (hi - lo) or 0.01
    lo, hi = lo - pad, hi + pad
    edges = np.linspace(lo, hi, bins + 1)
    ml, mr, mt, mb = 36, 10, 34, 40
    pw = panel_width
    width = len(panels) * pw
    body = []
    counts = [np.histogram(v, bins=edges)[0] if len(v) else np.zeros(bins, int) for v in values]
    top = max(int(c.max()) for c in counts) or 1
    for i, ((name, _), v, c) in enumerate(zip(panels, values, counts)):
        x0 = i * pw + ml
        w = pw - ml - mr
        h = height - mt - mb

        def sx(x: float, x0: float = x0, w: float = w) -> float:
            return x0 + (x - lo) / (hi - lo) * w

        def sy(y: float, h: float = h) -> float:
            return mt + h - y / top * h

        colour = PALETTE[i % len(PALETTE)]
        body.append(f'<text x="{x0}" y="16" class="ct">{_e(name[:38])}</text>')
        body.append(f'<line x1="{x0}" y1="{mt + h}" x2="{x0 + w}" y2="{mt + h}" class="ax"/>')
        if not len(v):
            body.append(f'<text x="{x0 + 8}" y="{mt + h / 2}" class="cl">no runs for this candidate</text>')
            continue
        bw = w / bins
        for j, k in enumerate(c):
            if k:
                body.append(f'<rect x="{x0 + j * bw:.1f}" y="{sy(k):.1f}" width="{max(bw - 1, 0.5):.1f}" '
                            f'height="{mt + h - sy(k):.1f}" fill="{colour}" opacity="0.8"/>')
        body.append(f'<line x1="{sx(0):.1f}" y1="{mt}" x2="{sx(0):.1f}" y2="{mt + h}" class="zero"/>')
        m = float(v.mean())
        body.append(f'<line x1="{sx(m):.1f}" y1="{mt - 4}" x2="{sx(m):.1f}" y2="{mt + h}" class="mean"/>')
        body.append(f'<text x="{sx(m) + 3:.1f}" y="{mt + 6}" class="cl">mean {_e(_label(m, True))}</text>')
        for t in _ticks(lo, hi, 4):
            body.append(f'<text x="{sx(t):.1f}" y="{mt + h + 14}" class="tk" text-anchor="middle">'
                        f"{_e(_label(t, True))}</text>")
        body.append(f'<text x="{x0 - 4}" y="{mt + 8}" class="tk" text-anchor="end">{top}</text>'
                    f'<text x="{x0 - 4}" y="{mt + h}" class="tk" text-anchor="end">0</text>')
    body.append(f'<text x="{width / 2}" y="{height - 6}" class="cl" text-anchor="middle">{_e(xlabel)}</text>')
    return _svg(width, height, title, body)


def stance_shift(panels: Sequence[tuple[str, np.ndarray, np.ndarray]], *, title: str, panel_width: int = 300,
                 height: int = 200) -> str:
    """Per candidate, the core fans' brand stance before (outline) and after (filled), bins of 0.1 on [-1, 1]."""
    if not panels:
        return '<p class="empty">No per-user what-if results (whatif/users.parquet) to draw.</p>'
    edges = np.linspace(-1, 1, 21)
    ml, mr, mt, mb = 30, 10, 34, 40
    width = len(panels) * panel_width
    hist = [(np.histogram(np.clip(b, -1, 1), edges)[0], np.histogram(np.clip(a, -1, 1), edges)[0])
            for _, b, a in panels]
    top = max([int(max(b.max(initial=0), a.max(initial=0))) for b, a in hist] + [1])
    body = []
    for i, ((name, before, after), (hb, ha)) in enumerate(zip(panels, hist)):
        x0 = i * panel_width + ml
        w = panel_width - ml - mr
        h = height - mt - mb
        bw = w / 20
        body.append(f'<text x="{x0}" y="16" class="ct">{_e(name[:38])}</text>')
        body.append(f'<line x1="{x0}" y1="{mt + h}" x2="{x0 + w}" y2="{mt + h}" class="ax"/>')
        for j in range(20):
            for k, cls in ((ha[j], "after"), (hb[j], "before")):
                if k:
                    y = mt + h - k / top * h
                    body.append(f'<rect x="{x0 + j * bw:.1f}" y="{y:.1f}" width="{bw - 1:.1f}" '
                                f'height="{mt + h - y:.1f}" class="{cls}"/>')
        zx = x0 + w / 2
        body.append(f'<line x1="{zx}" y1="{mt}" x2="{zx}" y2="{mt + h}" class="zero"/>')
        for t in (-1, -0.5, 0, 0.5, 1):
            body.append(f'<text x="{x0 + (t + 1) / 2 * w:.1f}" y="{mt + h + 14}" class="tk" text-anchor="middle">'
                        f"{_e(_label(t, True))}</text>")
        turned = int((np.asarray(after) < 0).sum() - (np.asarray(before) < 0).sum())
        body.append(f'<text x="{x0 + 4}" y="{mt + 10}" class="cl">{len(before):,} core fans; '
                    f"{_e(f'{turned:+,}')} below 0</text>")
    body.append(f'<text x="{width / 2}" y="{height - 6}" class="cl" text-anchor="middle">brand stance of core fans '
                "(-1..+1); outline: before, filled: after (measured stance + predicted effect)</text>")
    return _svg(width, height, title, body)


def timeline(days: pd.DataFrame, *, announcement: pd.Timestamp | None, title: str, width: int = 900,
             height: int = 230) -> str:
    """Daily brand-directed volume (bars, left axis) and mean sentiment (line, right axis, -1..+1),
    with the announcement marked when known."""
    if days is None or days.empty:
        return ('<p class="empty">No timeline: the workspace has no timestamps or no brand-directed '
                "interactions.</p>")
    ml, mr, mt, mb = 46, 46, 16, 34
    w, h = width - ml - mr, height - mt - mb
    n = len(days)
    vol = days["volume"].to_numpy(dtype="float64")
    top = max(float(vol.max()), 1.0)
    bw = w / n
    body = [f'<line x1="{ml}" y1="{mt + h}" x2="{ml + w}" y2="{mt + h}" class="ax"/>']
    for i, v in enumerate(vol):
        if v:
            y = mt + h - v / top * h
            body.append(f'<rect x="{ml + i * bw:.1f}" y="{y:.1f}" width="{max(bw - 1, 0.5):.1f}" '
                        f'height="{mt + h - y:.1f}" class="vol"/>')
    mean = days["mean_sentiment"].to_numpy(dtype="float64")
    pts = [(ml + (i + 0.5) * bw, mt + h - (m + 1) / 2 * h) for i, m in enumerate(mean) if np.isfinite(m)]
    if pts:
        body.append('<polyline class="sent" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>')
    zero = mt + h / 2
    body.append(f'<line x1="{ml}" y1="{zero}" x2="{ml + w}" y2="{zero}" class="zero"/>')
    for t in _ticks(0, top, 4):
        y = mt + h - t / top * h
        body.append(f'<text x="{ml - 4}" y="{y + 3:.1f}" class="tk" text-anchor="end">{_e(f"{t:,.0f}")}</text>')
    for t in (-1, 0, 1):
        y = mt + h - (t + 1) / 2 * h
        body.append(f'<text x="{ml + w + 4}" y="{y + 3:.1f}" class="tk sentk">{_e(_label(t, True))}</text>')
    step = max(1, n // 8)
    for i in range(0, n, step):
        body.append(f'<text x="{ml + (i + 0.5) * bw:.1f}" y="{mt + h + 14}" class="tk" text-anchor="middle">'
                    f"{_e(days['day'].iloc[i].strftime('%m-%d'))}</text>")
    if announcement is not None:
        start = days["day"].iloc[0]
        pos = (announcement - start) / pd.Timedelta(days=1)
        if 0 <= pos <= n:
            x = ml + pos * bw
            body.append(f'<line x1="{x:.1f}" y1="{mt}" x2="{x:.1f}" y2="{mt + h}" class="ann"/>'
                        f'<text x="{x + 3:.1f}" y="{mt + 10}" class="cl ann-t">announcement '
                        f"{_e(announcement.strftime('%Y-%m-%d %H:%M UTC'))}</text>")
    body.append(f'<text x="{ml}" y="{height - 4}" class="cl">bars: brand-directed interactions per UTC day (left '
                "axis); line: their mean sentiment (right axis, -1..+1)</text>")
    return _svg(width, height, title, body)
