"""GEXF 1.3 export of the full graph for Gephi, built column-wise with Arrow string kernels."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..._io import atomic_path
from ...progress import progress
from ...schema import KINDS
from .inputs import analysis_outputs, annotate_edges, code_ids

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = ["xml_text", "write_gexf"]


_XML_INVALID = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_XML_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&apos;"))


def xml_text(values) -> pa.Array:
    """XML-escaped strings (attribute-safe), control characters XML cannot hold removed; nulls stay null.

    Arrow compute kernels (C++), so a column of ten million names is escaped without a Python loop.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(
        pd.Series(values).astype("str"), type=pa.string(), from_pandas=True)
    arr = pc.replace_substring_regex(arr, _XML_INVALID, "")
    for old, new in _XML_ESCAPES:
        arr = pc.replace_substring(arr, old, new)
    return arr


def _gexf_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "long"
    if pd.api.types.is_float_dtype(series):
        return "double"
    return "string"


def _value_text(values: pd.Series) -> pa.Array:
    """A column as GEXF attribute text (null where missing or not finite)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values.dtype, pd.CategoricalDtype):  # escape the few categories, then look them up
        categories = xml_text(pa.array(values.cat.categories.astype("str"), type=pa.string()))
        codes = values.cat.codes.to_numpy()
        return pc.take(categories, pa.array(codes, mask=codes < 0))
    kind = _gexf_type(values)
    if kind == "boolean":
        flags = pa.array(values.astype("boolean"), type=pa.bool_(), from_pandas=True)
        return pc.if_else(flags, "true", "false")
    if kind == "double":
        x = values.to_numpy(dtype="float64", na_value=np.nan)
        return pc.cast(pa.array(np.where(np.isfinite(x), x, np.nan), type=pa.float64(), from_pandas=True), pa.string())
    if kind == "long":
        return pc.cast(pa.array(values, from_pandas=True), pa.string())
    return xml_text(pa.array(values.astype("str"), type=pa.string(), from_pandas=True))


def _attvalues(frame: pd.DataFrame, columns: list[str]) -> list:
    """The pieces of each row's ``<attvalue .../>`` elements, to splice into the line's join.

    A column without missing values contributes its text between two constant strings; a column
    with missing values contributes one joined piece per row that is null (so dropped: the line's
    join replaces nulls by "") where the value is missing.
    """
    import pyarrow.compute as pc

    parts: list = []
    for i, column in enumerate(columns):
        text = _value_text(frame[column])
        if text.null_count:
            parts.append(pc.binary_join_element_wise(f'<attvalue for="{i}" value="', text, '"/>', ""))
        else:
            parts += [f'<attvalue for="{i}" value="', text, '"/>']
    return parts


def _write_lines(fh, lines) -> None:
    """Write an Arrow string array as newline-terminated lines, straight from its data buffer."""
    import pyarrow as pa
    import pyarrow.compute as pc

    lines = pc.binary_join_element_wise(lines, "\n", "")
    chunks = lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]
    for chunk in chunks:
        if len(chunk) == 0:
            continue
        chunk = chunk.cast(pa.large_string())
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset:chunk.offset + len(chunk) + 1]
        fh.write(memoryview(chunk.buffers()[2])[offsets[0]:offsets[-1]])


def write_gexf(workspace, out: str | os.PathLike, *, chunk: int = 1_000_000, quiet: bool = True) -> tuple[int, int]:
    """Export the full graph as GEXF 1.3 for Gephi: every vertex and edge attribute, plus the analysis.

    Node attributes: display_name, followers, verified and every ``analysis/users.parquet`` column;
    edge attributes: kind, count, first_ts, last_ts, sentiment (the mean over the edge's interactions
    of the score the analysis used, text model included), attitude (src toward dst); weight is the
    edge's ``weight``.
    Parallel edges of different kinds between the same users stay separate (``label`` = kind).
    Lines are built column-wise with Arrow string kernels in chunks of ``chunk`` rows and written
    from Arrow's buffers; every text is XML-escaped. Returns (nodes, edges) written.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from ...build.workspace import as_workspace

    ws = as_workspace(workspace)
    vertices = ws.vertices()
    outputs = analysis_outputs(ws)
    if outputs is not None:
        analysis = outputs.users
        analysis = analysis.drop(columns=[c for c in analysis.columns if c in vertices.columns and c != "user_id"])
        vertices = vertices.merge(analysis.drop_duplicates("user_id").astype({"user_id": "str"}), on="user_id", how="left")
    if "verified" in vertices and pd.api.types.is_float_dtype(vertices["verified"]):
        vertices["verified"] = vertices["verified"].map({1.0: True, 0.0: False}).astype("boolean")
    node_columns = [c for c in vertices.columns if c != "user_id"]
    edges = pd.read_parquet(ws.path / "edges.parquet")
    edges["kind"] = pd.Categorical(edges["kind"], categories=list(KINDS))
    if outputs is not None:  # mean sentiment of the interactions, attitude of the pair
        ids = vertices["user_id"].astype("str")
        coded = annotate_edges(ws, outputs, pd.DataFrame({
            "src": code_ids(edges["src"], ids), "dst": code_ids(edges["dst"], ids), "kind": edges["kind"],
            "sentiment": edges["sentiment"].to_numpy(dtype="float64", na_value=np.nan) if "sentiment" in edges
            else np.nan, "sentiment_n": 0, "attitude": np.nan}), ids)
        edges["sentiment"] = coded["sentiment"].to_numpy()
        edges["attitude"] = coded["attitude"].to_numpy()
    edge_columns = [c for c in ("kind", "count", "first_ts", "last_ts", "sentiment", "attitude") if c in edges]

    def title(name: str) -> str:
        return xml_text(pa.array([name])).to_pylist()[0]

    header = ['<?xml version="1.0" encoding="UTF-8"?>',
              '<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
              'xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">',
              '<meta><creator>kolgraph</creator><description>interaction graph: u -&gt; v means u acted on '
              "v's content</description></meta>",
              '<graph defaultedgetype="directed" mode="static">',
              '<attributes class="node">']
    header += [f'<attribute id="{i}" title="{title(c)}" type="{_gexf_type(vertices[c])}"/>'
               for i, c in enumerate(node_columns)]
    header += ['</attributes>', '<attributes class="edge">']
    header += [f'<attribute id="{i}" title="{title(c)}" type="{"string" if c == "kind" else _gexf_type(edges[c])}"/>'
               for i, c in enumerate(edge_columns)]
    header += ['</attributes>', '<nodes>', ""]
    bar = progress(total=len(vertices) + len(edges), desc="gexf", unit="row", quiet=quiet)
    with atomic_path(out) as tmp, open(tmp, "wb") as fh:
        fh.write("\n".join(header).encode("utf-8"))
        for start in range(0, len(vertices), chunk):  # a loop over chunks of rows, not over rows
            part = vertices.iloc[start:start + chunk]
            ids = xml_text(pa.array(part["user_id"].astype("str"), type=pa.string()))
            names = part["display_name"] if "display_name" in part else pd.Series(None, index=part.index, dtype="str")
            label = pc.coalesce(xml_text(pa.array(names.astype("str"), type=pa.string(), from_pandas=True)), ids)
            _write_lines(fh, pc.binary_join_element_wise(
                '<node id="', ids, '" label="', label, '"><attvalues>', *_attvalues(part, node_columns),
                "</attvalues></node>", "", null_handling="replace", null_replacement=""))
            bar.update(len(part))
        fh.write(b"</nodes>\n<edges>\n")
        for start in range(0, len(edges), chunk):
            part = edges.iloc[start:start + chunk]
            ids = pc.cast(pa.array(np.arange(start, start + len(part), dtype=np.int64)), pa.string())
            weight = _value_text(part["weight"])
            _write_lines(fh, pc.binary_join_element_wise(
                '<edge id="', ids, '" source="', xml_text(pa.array(part["src"].astype("str"), type=pa.string())),
                '" target="', xml_text(pa.array(part["dst"].astype("str"), type=pa.string())),
                '" label="', _value_text(part["kind"]), '" weight="', weight,
                '"><attvalues>', *_attvalues(part, edge_columns), "</attvalues></edge>", "",
                null_handling="replace", null_replacement=""))
            bar.update(len(part))
        fh.write(b"</edges>\n</graph>\n</gexf>\n")
    bar.close()
    return len(vertices), len(edges)

