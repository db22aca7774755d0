"""Rendering raw interactions into the interactions frame: Weibo-style texts, timestamps, post ids."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..config import BrandConfig
from ..schema import KINDS
from .population import EventParams, Population, RawInteractions, start_epoch
from .vocabulary import (
    BIN_EDGES,
    BIN_RANGES,
    DEBATE,
    OPENERS,
    SLOT_POOLS,
    SLOTS,
    TAGS,
    TAILS,
    TOPIC_CODE,
    TOPIC_NAMES,
    TOPICS,
)

__all__ = ["render_interactions"]

# ---------------------------------------------------------------------------------------------
# Rendering: text, timestamps, ids
# ---------------------------------------------------------------------------------------------


def _polarity(b: int) -> str:
    return "neg" if b < 2 else "neu" if b == 2 else "pos"


def _topic_cells() -> list[tuple[int, int, tuple[str, ...], dict[str, tuple[str, ...]]]]:
    """(topic code, bin, templates, slot pools) for every non-empty (topic, tone bin) cell."""
    cells = []
    for topic, (tags, casual, bins) in TOPICS.items():
        for b, templates in enumerate(bins):
            if not templates:
                continue
            pol = _polarity(b)
            pools = {s: SLOT_POOLS[s] for s in ("kw", "p", "tp", "ep", "en", "e0")}
            pools.update(tag=TAGS[tags], x=TAILS[pol], pre=OPENERS[pol] if casual else ("",))
            if casual:
                templates = tuple("{pre}" + t if t else t for t in templates)
            cells.append((TOPIC_CODE[topic], b, templates, pools))
    return cells


_CELLS = _topic_cells()
_RADIX = (16,) + tuple(max(len(c[3][s]) for c in _CELLS) for s in SLOTS)
assert max(len(c[2]) for c in _CELLS) <= _RADIX[0]


def _render_text(topic: np.ndarray, tone: np.ndarray, rng: np.random.Generator,
                 keywords: tuple[str, ...]) -> tuple[pa.Array, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct texts, each row's text code, the tone clipped into its text's bin, and per text a names-keyword flag.

    Each row draws a template of its (topic, tone bin) cell and a fragment for each slot; only the
    distinct combinations are formatted (a loop bounded by the pools' sizes, not by the rows). A
    topic without templates in a bin falls back to its nearest bin, and the tone is clipped into
    that bin, so text and true tone always agree.
    """
    m = len(topic)
    tbin = np.searchsorted(BIN_EDGES, tone, side="right").astype(np.int8)
    topic = topic.copy()
    debate = topic == TOPIC_CODE["debate"]
    if debate.any():
        mapped = np.array([TOPIC_CODE[t] for t in DEBATE], dtype=topic.dtype)
        topic[debate] = mapped[tbin[debate]]
    cell_index = {(t, b): i for i, (t, b, _, _) in enumerate(_CELLS)}
    lookup = np.full((len(TOPIC_NAMES), 5), -1, dtype=np.int64)
    used_bin = np.zeros((len(TOPIC_NAMES), 5), dtype=np.int8)
    for t in range(len(TOPIC_NAMES)):
        for b in range(5):
            for d in (0, 1, -1, 2, -2, 3, -3, 4, -4):
                bb = b + d if b < 2 else b - d  # look toward neutral first
                if 0 <= bb < 5 and (t, bb) in cell_index:
                    lookup[t, b], used_bin[t, b] = cell_index[(t, bb)], bb
                    break
    cell = lookup[topic, tbin]
    new_bin = used_bin[topic, tbin]
    moved = new_bin != tbin
    tone = tone.copy()
    lo = np.array([r[0] for r in BIN_RANGES])
    hi = np.array([r[1] for r in BIN_RANGES])
    tone[moved] = np.clip(tone[moved], lo[new_bin[moved]], hi[new_bin[moved]])

    full = int(np.prod(_RADIX, dtype=np.int64))
    key = np.zeros(m, dtype=np.int64)
    order = np.argsort(cell.astype(np.int16), kind="stable")  # radix sort on small ints
    bounds = np.searchsorted(cell[order], np.arange(len(_CELLS) + 1))
    for ci, (_, _, templates, pools) in enumerate(_CELLS):
        rows = order[bounds[ci]:bounds[ci + 1]]
        r = len(rows)
        if r == 0:
            continue
        tpl = rng.integers(0, len(templates), r)
        k = tpl.astype(np.int64)
        for si, slot in enumerate(SLOTS):
            uses = np.array(["{" + slot + "}" in t for t in templates])
            idx = rng.integers(0, len(pools[slot]), r) * uses[tpl]
            k = k * _RADIX[si + 1] + idx
        key[rows] = ci * full + k
    uniq, inverse = np.unique(key, return_inverse=True)
    texts = []
    for u in uniq.tolist():  # bounded by the number of distinct fragment combinations
        ci, rem = divmod(u, full)
        _, _, templates, pools = _CELLS[ci]
        values = {}
        for si in range(len(SLOTS) - 1, -1, -1):
            rem, d = divmod(rem, _RADIX[si + 1])
            values[SLOTS[si]] = pools[SLOTS[si]][d]
        texts.append(templates[rem].format(**values).strip())
    lowered = [k.lower() for k in keywords]
    names_kw = np.array([any(k in t.lower() for k in lowered) for t in texts], dtype=bool)
    return pa.array(texts, type=pa.string()), inverse.astype(np.int32), tone, names_kw


_DIURNAL = np.array([3, 2, 1, 0.6, 0.4, 0.4, 0.8, 2, 3.5, 4, 4.5, 5, 6.5, 6, 5, 4.5, 4.5, 5, 5.5, 6.5, 7.5, 8, 7, 5])
_BURSTS = ((2.5, 0.45), (9.8, 0.15), (20.3, 0.40))  # (day, share) for brand news; the feud peaks on day 9.8


def _timestamps(raw: RawInteractions, params: EventParams, rng: np.random.Generator) -> np.ndarray:
    """Epoch seconds over the window: a diurnal background (Beijing hours) plus three bursts."""
    m = len(raw.src)
    t0 = start_epoch(params.start)
    span = params.days * 86400.0
    day = np.floor(rng.random(m) * params.days)
    hour = rng.choice(24, size=m, p=_DIURNAL / _DIURNAL.sum())
    t = day * 86400 + (hour - 8) * 3600 + rng.random(m) * 3600  # Beijing time is UTC+8
    t = np.mod(t, span)
    in_burst = rng.random(m) < params.burst_share
    scale = params.days / 28.0
    days = np.array([d for d, _ in _BURSTS]) * scale
    share = np.array([s for _, s in _BURSTS])
    which = rng.choice(len(_BURSTS), size=m, p=share)
    feud = raw.burst == 1
    which[feud] = np.where(rng.random(int(feud.sum())) < 0.8, 1, which[feud])
    tb = days[which] * 86400 + rng.exponential(0.8 * scale * 86400, m)  # decays over about a day
    t = np.where(in_burst & (tb < span), tb, t)
    return (t0 + np.floor(t)).astype(np.int64)


def render_interactions(raw: RawInteractions, pop: Population, params: EventParams, rng: np.random.Generator,
                        *, brand: BrandConfig, with_sentiment: bool = False) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """The interactions frame (sorted by time), plus per-row source index, tone and brand-directed flag."""
    texts, text_code, tone, names_kw = _render_text(raw.topic, raw.tone, rng, brand.keywords)
    ts = _timestamps(raw, params, rng)
    m = len(ts)
    # sort by time; ties broken by row number so that any sort algorithm gives the same order
    order = np.argsort(ts * np.int64(m) + np.arange(m, dtype=np.int64))
    ts = ts[order]
    src_i, dst_i, text_code = raw.src[order], raw.dst[order], text_code[order]
    ids = pa.array(pop.user_ids.astype(object), type=pa.string())
    kind_arr = pa.array(list(KINDS), type=pa.string())
    # ISO 8601 strings for the distinct seconds only ("YYYY-MM-DD hh:mm:ss" by Arrow's cast, then "T" and "Z")
    first = np.ones(m, dtype=bool)
    first[1:] = ts[1:] != ts[:-1]
    seconds = ts[first]
    stamp = pa.array(seconds.astype("datetime64[s]")).cast(pa.string())
    stamp = pc.binary_join_element_wise(pc.utf8_replace_slice(stamp, 10, 11, "T"), "Z", "")
    stamp = pc.take(stamp, pa.array(np.cumsum(first, dtype=np.int64) - 1))
    post_id = 5_260_000_000_000_000 + np.cumsum(rng.integers(1, 2_000, m, dtype=np.int64))
    frame = pd.DataFrame({
        "src": pd.Series(pc.take(ids, pa.array(src_i)), dtype="str"),
        "dst": pd.Series(pc.take(ids, pa.array(dst_i)), dtype="str"),
        "kind": pd.Series(pc.take(kind_arr, pa.array(raw.kind[order])), dtype="str"),
        "timestamp": pd.Series(stamp, dtype="str"),
        "text": pd.Series(pc.take(texts, pa.array(text_code)), dtype="str"),
        "post_id": post_id,
    })
    tone = tone[order]
    if with_sentiment:
        frame["sentiment"] = np.round(tone, 3)
    b0, b1 = pop.group_slices["brand"]
    directed = ((dst_i >= b0) & (dst_i < b1)) | names_kw[text_code]
    return frame, src_i, tone, directed


