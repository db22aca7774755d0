"""What a score run hands back and how it is written: the result object, Excel-safe tables, JSON.

Output rules (docs/scoring.md):

- the format follows the extension of ``-o`` (``.csv``, ``.tsv``, ``.json``, ``.jsonl``,
  ``.parquet``, ``.xlsx``); ``-o -`` writes CSV to standard output;
- ids and every other text cell stay text: CSV cells are text by nature, XLSX cells are written as
  string cells with the text number format ``@`` (``007`` stays ``007``, a 19-digit Weibo id is
  never rounded by Excel);
- formula injection (OWASP "CSV injection"): in CSV, TSV and standard output, a text cell starting
  with ``=``, ``+``, ``-``, ``@``, TAB or CR gets a leading apostrophe; in XLSX such a cell is
  stored as a plain string with Excel's quote-prefix style, so it is shown as typed and never
  evaluated;
- CSV rows end in CRLF (RFC 4180), so a CR or LF inside a cell is always quoted;
- ``excel=True`` writes a UTF-8 byte-order mark first, so Excel on Chinese Windows reads the names.
"""

from __future__ import annotations

import io
import json
import math
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .._io import TABLE_FORMATS, atomic_path, json_default, write_table
from ..algorithms.risk import TIERS, tier_rank
from ..algorithms.roles import has_role
from ..algorithms.scoring_columns import COLUMNS
from ..candidates import STATUSES
from ..errors import ConfigError

__all__ = ["ScoreResult", "OUTPUT_FORMATS", "output_format", "neutralise_cells", "write_scores",
           "analysis_run_id", "FORMULA_PREFIXES"]

#: Output formats of ``kolgraph score`` (``-`` is CSV on standard output).
OUTPUT_FORMATS: tuple[str, ...] = (*TABLE_FORMATS, "xlsx")
#: A text cell starting with one of these is neutralised (spreadsheets would read a formula).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def output_format(out: Any) -> str:
    """The format of an output path by its extension (``-``: csv to stdout); ConfigError otherwise."""
    if str(out) == "-":
        return "csv"
    suffixes = [s.lower().lstrip(".") for s in Path(out).suffixes if s.lower() != ".gz"]
    if not suffixes or suffixes[-1] not in OUTPUT_FORMATS:
        raise ConfigError(f"{out}: unknown output format; end the file name with one of "
                          + ", ".join("." + f for f in OUTPUT_FORMATS) + ", or give - for standard output")
    return suffixes[-1]


def analysis_run_id(ws) -> str | None:
    """The run id of the workspace's committed analysis (what scores and what-ifs record), or None."""
    from ..errors import AnalysisMissingError
    from .outputs import AnalysisOutputs

    try:
        return AnalysisOutputs.load(ws).run_id
    except AnalysisMissingError:
        return None


def _text_mask(values: pd.Series) -> np.ndarray:
    starts = values.astype("str").str.startswith(FORMULA_PREFIXES)
    return (values.notna() & starts).to_numpy(dtype=bool)


def _is_text(col: pd.Series) -> bool:
    return col.dtype == object or pd.api.types.is_string_dtype(col.dtype)


def neutralise_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells starting with ``= + - @ TAB CR`` get a leading apostrophe (numbers untouched).

    >>> neutralise_cells(pd.DataFrame({"a": ["=1+1", "ok"], "b": [-1.0, 2.0]}))["a"].tolist()
    ["'=1+1", 'ok']
    """
    out = frame.copy()
    for c in out.columns:
        col = out[c]
        if not _is_text(col):
            continue
        mask = _text_mask(col)
        if mask.any():
            fixed = col.astype(object).copy()
            fixed[mask] = "'" + col[mask].astype("str")
            out[c] = pd.array(fixed.to_numpy(dtype=object), dtype="str") if col.dtype != object else fixed
    return out


def _for_parquet(table: pd.DataFrame) -> pd.DataFrame:
    """Make mixed object columns writable (Parquet needs one type per column)."""
    out = table.copy()
    for c in out.columns:
        if out[c].dtype == object:
            kinds = {type(v) for v in out[c].dropna().tolist()}
            if len(kinds) > 1:
                out[c] = out[c].astype("str").where(out[c].notna(), None)
    return out


def _cell(v: Any) -> Any:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def _write_xlsx(table: pd.DataFrame, path: Path) -> None:
    try:
        from openpyxl import Workbook
        from openpyxl.utils import get_column_letter
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise ConfigError("writing .xlsx needs openpyxl (pip install openpyxl)") from exc
    wb = Workbook(write_only=False)
    sheet = wb.active
    sheet.title = "scores"
    sheet.append([str(c) for c in table.columns])
    text_cols = [i for i, c in enumerate(table.columns) if _is_text(table[c])]
    columns = [table[c].astype(object).to_numpy() for c in table.columns]
    for r in range(len(table)):
        sheet.append([_cell(col[r]) for col in columns])
    for i in text_cols:
        letter = get_column_letter(i + 1)
        for cell in sheet[letter][1:]:
            if cell.value is None:
                continue
            cell.value = str(cell.value)
            cell.data_type = "s"          # never a formula, never a number
            cell.number_format = "@"
            if cell.value.startswith(FORMULA_PREFIXES):
                cell.quotePrefix = True
    sheet.freeze_panes = "A2"
    with atomic_path(path) as tmp:
        wb.save(tmp)


def write_scores(table: pd.DataFrame, out: Any, *, fmt: str | None = None, excel: bool = False,
                 stdout=None) -> Path | None:
    """Write a scored table by the rules of the module docstring; returns the path (None for stdout)."""
    fmt = fmt or output_format(out)
    if str(out) == "-":
        buffer = io.StringIO()
        neutralise_cells(table).to_csv(buffer, index=False, lineterminator="\r\n")
        stream = stdout or sys.stdout
        stream.write(("\ufeff" if excel else "") + buffer.getvalue())
        stream.flush()
        return None
    path = Path(out)
    if fmt == "xlsx":
        _write_xlsx(table, path)
    elif fmt in ("csv", "tsv"):
        safe = neutralise_cells(table)
        with atomic_path(path) as tmp:
            safe.to_csv(tmp, index=False, sep="," if fmt == "csv" else "\t", lineterminator="\r\n",
                        encoding="utf-8-sig" if excel else "utf-8")
    else:
        write_table(_for_parquet(table) if fmt == "parquet" else table, path, fmt=fmt)
    return path


@dataclass(frozen=True)
class ScoreResult:
    """A scored candidate list: ``table`` (one row per input row, in the documented order) and how.

    ``counts``: rows per status and per tier; ``parameters``: the thresholds, seed, runs, sources
    and ``analysis_run_id``; ``renamed``: input columns renamed because scoring writes a column of
    that name.
    """

    table: pd.DataFrame = field(repr=False)
    parameters: Mapping[str, Any] = field(repr=False)
    counts: Mapping[str, int]
    handle_column: str
    handle_source: str
    renamed: Mapping[str, str] = field(default_factory=dict)
    seed: int = 0
    method: str = "kolgraph.scoring"
    path: Path | None = None

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def __len__(self) -> int:
        return len(self.table)

    def _scorable(self) -> pd.DataFrame:
        t = self.table
        return t[(t["status"] == "ok").to_numpy() & ~has_role(t["roles"], "brand_account")]

    def best(self, n: int = 10) -> pd.DataFrame:
        """The best ``n`` scored rows: tier (green, amber, grey, red), then reach, then predicted shift.

        Only ``ok`` rows, brand accounts left out (the brand cannot partner with itself).
        """
        ok = self._scorable()
        rank = tier_rank(ok["risk_tier"].astype(object).to_numpy(), ("green", "amber", "grey", "red"))
        pr = -ok["pagerank_pct"].to_numpy(dtype="float64", na_value=np.nan)
        sh = -ok["whatif_shift"].to_numpy(dtype="float64", na_value=np.nan)
        order = np.lexsort((ok["input_row"].to_numpy(), np.nan_to_num(sh, nan=np.inf),
                            np.nan_to_num(pr, nan=np.inf), rank))
        return ok.iloc[order[:max(int(n), 0)]]

    def red(self) -> pd.DataFrame:
        """Every red ``ok`` row (in table order: most negative predicted shift first)."""
        ok = self._scorable()
        return ok[(ok["risk_tier"] == "red").to_numpy()]

    def top_table(self, n: int = 10) -> str:
        """The best ``n`` rows as a fixed-width text table (``--top``), then every red row, whatever ``n``."""
        best = self.best(n)
        lines = [f"best {len(best)} of {self.counts.get('ok', 0):,} scored candidates "
                 "(lowest risk, then highest reach):", _HEAD]
        lines += [_line(i, row) for i, row in enumerate(best.itertuples(index=False), start=1)]
        red = self.red()
        if len(red):
            lines += ["", f"red: do not partner ({len(red):,} candidate{'' if len(red) == 1 else 's'}; always listed):", _HEAD]
            lines += [_line(i, row) for i, row in enumerate(red.itertuples(index=False), start=1)]
            lines += [f"    row {int(r.input_row)}: {r.reasons}" for r in red.itertuples(index=False)]
        else:
            lines += ["", "no red candidate."]
        return "\n".join(lines)

    def summary_line(self) -> str:
        c = self.counts
        tiers = ", ".join(f"{c.get(t, 0):,} {t}" for t in TIERS)
        others = ", ".join(f"{c.get(s, 0):,} {s}" for s in STATUSES[1:] if c.get(s, 0))
        whatif = (f"what-if {self.parameters.get('whatif_runs')} runs, seed {self.seed}"
                  if self.parameters.get("whatif") else "what-if not run")
        where = f" -> {self.path}" if self.path else ""
        return (f"scored {len(self.table):,} rows: {c.get('ok', 0):,} ok ({tiers})"
                + (f", {others}" if others else "") + f"; {whatif}{where}")

    def to_json(self) -> dict[str, Any]:
        """The run as one JSON-ready object (``kolgraph score --json``; schema in scoring_columns)."""
        cols = [c for c in COLUMNS if c in self.table.columns]
        rows = [{k: _cell(v) for k, v in zip(cols, values)}
                for values in self.table[cols].astype(object).itertuples(index=False, name=None)]
        params = {k: v for k, v in self.parameters.items() if k != "timings_seconds"}
        return json.loads(json.dumps({
            "command": "score", "output": None if self.path is None else str(self.path),
            "analysis_run_id": self.parameters.get("analysis_run_id"), "counts": dict(self.counts),
            "parameters": params, "columns": {c: COLUMNS[c].definition for c in cols}, "rows": rows,
        }, default=json_default, ensure_ascii=False))


_HEAD = (f"{'#':>3} {'row':>5} {'tier':<6} {'user_id':<20} {'display_name':<16} {'PR pct':>6} "
         f"{'engagers':>8} {'fan share':>9} {'stance':>6} {'shift':>7} {'90% interval':>16}")


def _line(i: int, row: Any) -> str:
    name = "" if pd.isna(row.display_name) else str(row.display_name)
    interval = ("" if pd.isna(row.whatif_low) else f"[{row.whatif_low:+.3f}, {row.whatif_high:+.3f}]")
    shift = "" if pd.isna(row.whatif_shift) else f"{row.whatif_shift:+.3f}"
    return (f"{i:>3} {int(row.input_row):>5} {str(row.risk_tier):<6} {str(row.user_id)[:20]:<20} "
            f"{_clip(name, 16)} {_num(row.pagerank_pct, 1):>6} {_num(row.distinct_engagers, 0):>8} "
            f"{_num(100 * row.core_fan_share, 0, '%'):>9} {_num(row.stance, 2):>6} {shift:>7} {interval:>16}")


def _num(v: Any, decimals: int, suffix: str = "") -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return ""
    return "" if math.isnan(f) else f"{f:.{decimals}f}{suffix}"


def _clip(text: str, width: int) -> str:
    """Cut and pad text to a display width (wide CJK characters count double), for the --top table."""
    out, used = [], 0
    for ch in " ".join(str(text).split()):
        w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out) + " " * (width - used)
