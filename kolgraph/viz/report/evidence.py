"""Evidence the report quotes from the workspace: example posts, the brand timeline, scoring tiers.

- :func:`example_posts`: real interactions between core fans and a candidate (either direction),
  with author, time, kind and text; the most hostile first when the candidate is a risk, the
  warmest first otherwise, so the three quoted posts carry the evidence behind the verdict.
- :func:`brand_timeline`: per UTC day, the brand-directed volume and its mean sentiment (the
  analysis's per-interaction sentiment and brand-directed flag where present; else interactions
  into brand accounts and the input's sentiment).
- :func:`candidate_tiers`: the scoring tier and reasons of each vetted candidate
  (:mod:`kolgraph.algorithms.risk`), with the what-if's core-fan shift as the predicted shift.

Everything is read column by column with Arrow and filtered before it becomes pandas objects;
nothing loops over interactions in Python.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = ["Interactions", "read_interactions", "example_posts", "brand_timeline", "candidate_tiers"]

_DAY = 86400


class Interactions:
    """The workspace's interaction rows with the analysis's sentiment and brand-directed flag (Arrow)."""

    def __init__(self, table: pa.Table, path: Path):
        self.table = table
        self.path = path

    @property
    def has_time(self) -> bool:
        return "timestamp" in self.table.column_names

    def text_of(self, mask: np.ndarray) -> pa.Array:
        """The ``text`` of the rows under ``mask`` (read only for them); empty strings when absent."""
        n = int(mask.sum())
        if "text" not in pq.read_schema(self.path).names:
            return pa.array([""] * n, pa.string())
        text = pq.read_table(self.path, columns=["text"])["text"].filter(pa.array(mask))
        return pc.fill_null(text.cast(pa.string()), "").combine_chunks()


def read_interactions(ws, brand_accounts: Sequence[str], analysis=None) -> Interactions:
    """src, dst, kind, timestamp (when present), sentiment and brand_directed of every interaction row.

    ``analysis``: the workspace's :class:`~kolgraph.runs.outputs.AnalysisOutputs`, whose per-row
    sentiment and brand-directed flag are used when it has them.
    """
    root = Path(ws.path)
    path = root / "interactions.parquet"
    names = pq.read_schema(path).names
    cols = [c for c in ("src", "dst", "kind", "timestamp", "sentiment") if c in names]
    table = pq.read_table(path, columns=cols)
    for c in ("src", "dst", "kind"):
        if c in table.column_names and pa.types.is_dictionary(table[c].type):
            table = table.set_column(table.column_names.index(c), c, table[c].cast(pa.string()))
    sent_path = (analysis.file("interaction_sentiment.parquet")
                 if analysis is not None and "interaction_sentiment.parquet" in analysis.info.get("files", {})
                 else None)
    sentiment = brand = None
    if sent_path is not None:
        have = pq.read_schema(sent_path).names
        sent = pq.read_table(sent_path, columns=[c for c in ("row", "sentiment", "brand_directed") if c in have])
        if sent.num_rows == table.num_rows:
            sentiment = sent["sentiment"] if "sentiment" in have else None
            brand = sent["brand_directed"] if "brand_directed" in have else None
    if sentiment is None:
        sentiment = table["sentiment"] if "sentiment" in table.column_names else pa.nulls(table.num_rows, pa.float64())
    if brand is None:
        brand = pc.is_in(table["dst"].cast(pa.string()), value_set=pa.array([str(a) for a in brand_accounts],
                                                                             pa.string()))
    if "sentiment" in table.column_names:
        table = table.drop(["sentiment"])
    table = table.append_column("sentiment", sentiment.cast(pa.float64()))
    table = table.append_column("brand_directed", pc.fill_null(brand.cast(pa.bool_()), False))
    return Interactions(table, path)


def _np(col: Any, dtype: str = "float64") -> np.ndarray:
    return np.asarray(col.to_numpy(zero_copy_only=False), dtype=dtype)


def example_posts(inter: Interactions, candidate: str, core_fans: Sequence[str], *, hostile: bool,
                  n: int = 3) -> pd.DataFrame:
    """Up to ``n`` texts exchanged between core fans and ``candidate`` (replies and mentions with text).

    ``hostile``: the most negative sentiment first (a risk's evidence); else the most positive.
    Columns: src, dst, kind, timestamp (seconds, NaN when unknown), sentiment, text, direction
    (``fan -> candidate`` or ``candidate -> fan``). Rows without text or sentiment are left out.
    """
    t = inter.table
    fans = pa.array([str(f) for f in core_fans], pa.string())
    src, dst = t["src"].cast(pa.string()), t["dst"].cast(pa.string())
    to_c = pc.and_(pc.equal(dst, candidate), pc.is_in(src, value_set=fans))
    from_c = pc.and_(pc.equal(src, candidate), pc.is_in(dst, value_set=fans))
    talk = pc.is_in(t["kind"].cast(pa.string()), value_set=pa.array(["reply", "mention"]))
    mask = _np(pc.fill_null(pc.and_(pc.or_(to_c, from_c), talk), False), "bool")
    sentiment = _np(t["sentiment"])
    mask &= np.isfinite(sentiment)
    cols = ["src", "dst", "kind"] + (["timestamp"] if inter.has_time else [])
    rows = t.select(cols).filter(pa.array(mask)).to_pandas()
    for c in ("src", "dst", "kind"):
        rows[c] = rows[c].astype("str")
    rows["timestamp"] = (pd.to_numeric(rows["timestamp"], errors="coerce").astype("float64")
                         if "timestamp" in rows else np.nan)
    rows["sentiment"] = sentiment[mask]
    rows["text"] = pd.array(inter.text_of(mask), dtype="str")
    rows = rows[rows["text"].str.strip().str.len() > 0]
    rows["direction"] = np.where(rows["dst"] == candidate, "fan -> candidate", "candidate -> fan")
    rows = rows.sort_values(["sentiment", "timestamp"], ascending=[hostile, True], kind="stable")
    # Distinct authors first, so the three quotes are three voices where the data has them.
    rows = pd.concat([rows.drop_duplicates("src"), rows[rows.duplicated("src")]]).head(n)
    return rows.reset_index(drop=True)


def brand_timeline(inter: Interactions) -> pd.DataFrame:
    """Per UTC day: ``day`` (datetime), ``volume`` (brand-directed interactions), ``mean_sentiment``
    (over those with known sentiment, NaN when none), ``negative`` (sentiment < -0.3). Empty without timestamps.
    """
    if not inter.has_time:
        return pd.DataFrame(columns=["day", "volume", "mean_sentiment", "negative"])
    t = inter.table
    ts = pd.to_numeric(pd.Series(t["timestamp"].to_numpy(zero_copy_only=False)), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan)
    brand = _np(t["brand_directed"], "bool") & np.isfinite(ts)
    if not brand.any():
        return pd.DataFrame(columns=["day", "volume", "mean_sentiment", "negative"])
    day = np.floor(ts[brand] / _DAY).astype(np.int64)
    s = _np(t["sentiment"])[brand]
    base = day.min()
    k = day - base
    span = int(k.max()) + 1
    volume = np.bincount(k, minlength=span)
    known = np.isfinite(s)
    n_known = np.bincount(k[known], minlength=span)
    total = np.bincount(k[known], weights=s[known], minlength=span)
    negative = np.bincount(k[known & (s < -0.3)], minlength=span)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_known > 0, total / np.maximum(n_known, 1), np.nan)
    days = pd.to_datetime((base + np.arange(span)) * _DAY, unit="s", utc=True)
    return pd.DataFrame({"day": days, "volume": volume, "mean_sentiment": mean, "negative": negative})


def candidate_tiers(ws, candidates: Sequence[str], shifts: Mapping[str, Mapping[str, Any] | None],
                    analysis=None) -> pd.DataFrame:
    """Scoring metrics, tier and reasons per vetted candidate, with the what-if's core-fan shift inserted.

    ``shifts``: candidate -> {mean, p05, p95} (None when the what-if has none). Returns the frame of
    :func:`kolgraph.algorithms.scoring.candidate_metrics` plus ``risk_tier`` and ``reasons``.
    """
    from ...algorithms.risk import risk_tiers
    from ...algorithms.scoring import candidate_metrics
    from ...runs.score import load_scoring_inputs

    ids = list(dict.fromkeys(str(c) for c in candidates))
    inputs = load_scoring_inputs(ws, ids, analysis)
    metrics = candidate_metrics(ids, inputs)
    for col, key in (("whatif_shift", "mean"), ("whatif_low", "p05"), ("whatif_high", "p95")):
        metrics[col] = [float((shifts.get(u) or {}).get(key)) if (shifts.get(u) or {}).get(key) is not None
                        else np.nan for u in ids]
    tier, reasons = risk_tiers(metrics)
    metrics["risk_tier"] = list(tier)
    metrics["reasons"] = reasons.to_pylist()
    return metrics
