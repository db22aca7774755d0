"""What differs between Neo4j and FalkorDB over Bolt, in one place; nothing here talks to a server.

The store (the :mod:`kolgraph.build.neo4j` package) writes the same Cypher to both servers. Where they differ,
the difference lives here:

- **Uniqueness of ``User.id``**: Neo4j gets uniqueness constraints
  (``CREATE CONSTRAINT user_id IF NOT EXISTS FOR (u:User) REQUIRE u.id IS UNIQUE``), FalkorDB gets
  range indexes (``CREATE INDEX FOR (u:User) ON (u.id)``, created only when missing since it has no
  ``IF NOT EXISTS``). Without the index FalkorDB loads about 40x slower.
- **Parameters**: FalkorDB's Bolt layer (4.16) does not bind parameters; it prints them into a
  ``CYPHER name=value ... <query>`` prefix in a 4,096-byte buffer. Consequences, each measured here:
  a message whose text passes about 4 KB crashes the server; strings are printed between single
  quotes without escaping, so a ``'`` or ``\\`` in a value breaks the query (or injects Cypher) and a
  NUL cuts the string; floats are printed with ``%f`` (six decimals: ``1.23e-7`` arrives as ``0.0``);
  and ``toFloat(string)`` parses single precision. So for FalkorDB, string values are escaped
  (``\\`` -> ``\\\\``, ``'`` -> ``\\'``) and strings holding NUL are refused.
- **Floats, exactly, on both**: every float the store writes travels as a pair ``[m, e]`` with
  ``value = m * 2^e``, decoded in Cypher as ``r.x[0] * 2.0 ^ r.x[1]`` (exact for finite doubles:
  an integer below 2^53 times a power of two). Neo4j gets ``[x, 0]`` (the float itself), FalkorDB
  gets an integer mantissa and exponent, which its printer keeps exact. ``NaN`` travels as null.
- **Message size**: batches are bounded by an estimate of the encoded request in bytes: the
  PackStream size of the Bolt RUN message (exact for the parameters, plus a fixed allowance for the
  message's extra fields and chunk headers) and, for FalkorDB, also the length of its printed
  ``CYPHER`` prefix, whichever is larger. See :meth:`Dialect.row_sizes`.
- **Transactions**: every statement runs in a managed transaction (``execute_write`` /
  ``execute_read``, retried by the driver on transient failures). FalkorDB accepts BEGIN/COMMIT but
  they do nothing (it never rolls back: each statement lands as it runs), and it gets write-mode
  transactions only (:attr:`Dialect.read_mode`). Measured on loopback: 2.0 ms per small statement
  managed vs 1.6 ms auto-commit. Either way pushes are idempotent ``MERGE`` and an interrupted push
  is repaired by running it again.
- **Server identity**: FalkorDB announces itself as "Neo4j/5.13.0", so the store asks
  ``db.meta.stats()`` (FalkorDB) or ``dbms.components()`` (Neo4j) instead (:attr:`Dialect.probe_query`);
  ``dialect=`` overrides.
- **Cypher**: every statement with values lives in ``queries/*.cypher``; the only statements built
  here are the schema DDL (:meth:`Dialect.schema_statements`), from the fixed label list, no values.
- FalkorDB defects no client setting avoids (measured, 4.16.3): after a few clients have closed
  with GOODBYE, new Bolt connections are accepted but never answered (restart the server); a
  request's extra map decides the graph (its first string: any ``database`` name lands in a graph
  called "db", a read-mode request in one called "mode"; the store sends neither, so everything
  stays in the default graph "falkordb"); errors arrive without a message; after a failed
  statement the driver's RESET is sometimes never answered (the store's read timeout ends the wait,
  and the server is probed with a statement that succeeds on FalkorDB first); its range index
  does not find some string ids -- ones beginning or ending with whitespace (``'\\tTAB'``,
  ``' lead'``) or holding ``\\x01`` (measured) -- so relationships to those users are not
  matched: the push stops with an error naming them.
- Other differences the store's Cypher avoids on both: ``CALL { ... } IN TRANSACTIONS`` (FalkorDB:
  error; deletes run in ``LIMIT`` loops instead),
  ``sum()`` of integers (a float on FalkorDB: wrap in ``toInteger``), ``toString(float)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import InputError
from ..errors import BatchTooLargeError

__all__ = [
    "Dialect",
    "NEO4J",
    "FALKORDB",
    "DIALECTS",
    "get_dialect",
    "REL_TYPES",
    "KIND_OF_TYPE",
    "LABELS",
    "WireColumn",
    "encode_floats",
    "packstream_size",
    "falkordb_text_size",
    "escape_falkordb",
    "BatchTooLargeError",
]

#: Relationship type per interaction kind; the only relationship types the store writes.
REL_TYPES: dict[str, str] = {"repost": "REPOSTED", "reply": "REPLIED", "mention": "MENTIONED"}
KIND_OF_TYPE: dict[str, str] = {v: k for k, v in REL_TYPES.items()}
#: Node labels the store writes, each with the property that identifies a node.
LABELS: dict[str, str] = {"User": "id", "Community": "id"}

#: Wire types of row columns: text, integer, float (sent as an exact [m, e] pair), boolean, list of text.
WIRE_KINDS = ("str", "int", "float", "bool", "strlist")

_INT_DIGITS = np.array([10**k for k in range(19)], dtype=np.uint64)


# ---- scalar reference encoders (fixed parts of a message, and the tests' yardstick) -------------

def _packstream_header(n: int, small_limit: int = 16) -> int:
    """Bytes of a PackStream size marker for a string, list or map of ``n`` items/bytes."""
    if n < small_limit:
        return 1
    if n < 2**8:
        return 2
    if n < 2**16:
        return 3
    return 5


def _packstream_int(v: int) -> int:
    if -16 <= v <= 127:
        return 1
    if -128 <= v < -16:
        return 2
    if -(2**15) <= v < 2**15:
        return 3
    if -(2**31) <= v < 2**31:
        return 5
    return 9


def packstream_size(value: Any) -> int:
    """Exact PackStream v1 size in bytes of a parameter value (None, bool, int, float, str, list, dict)."""
    if value is None or isinstance(value, (bool, np.bool_)):
        return 1
    if isinstance(value, (int, np.integer)):
        return _packstream_int(int(value))
    if isinstance(value, (float, np.floating)):
        return 9
    if isinstance(value, str):
        n = len(value.encode("utf-8"))
        return _packstream_header(n) + n
    if isinstance(value, Mapping):
        return _packstream_header(len(value)) + sum(packstream_size(str(k)) + packstream_size(v)
                                                   for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return _packstream_header(len(value)) + sum(packstream_size(v) for v in value)
    raise TypeError(f"cannot size a parameter of type {type(value).__name__}")


def falkordb_text_size(value: Any) -> int:
    """Length in bytes of FalkorDB's printed form of a parameter value (its ``CYPHER k=v`` prefix).

    Mirrors FalkorDB's Bolt ``write_value``: ``NULL``, ``true``/``false``, ``%d``, ``%f``,
    ``'text'`` (raw bytes between quotes), ``[a, b]`` and ``{k: v}``.
    """
    if value is None:
        return 4
    if isinstance(value, (bool, np.bool_)):
        return 4 if value else 5
    if isinstance(value, (int, np.integer)):
        return len(str(int(value)))
    if isinstance(value, (float, np.floating)):
        return len(f"{float(value):f}")
    if isinstance(value, str):
        return len(value.encode("utf-8")) + 2
    if isinstance(value, Mapping):
        items = [len(str(k).encode("utf-8")) + 2 + falkordb_text_size(v) for k, v in value.items()]
        return 2 + sum(items) + 2 * max(len(items) - 1, 0)
    if isinstance(value, (list, tuple)):
        items = [falkordb_text_size(v) for v in value]
        return 2 + sum(items) + 2 * max(len(items) - 1, 0)
    raise TypeError(f"cannot size a parameter of type {type(value).__name__}")


def escape_falkordb(text: str) -> str:
    """Escape a string so FalkorDB's unescaped ``'...'`` printing reads it back unchanged."""
    if "\x00" in text:
        raise InputError("(graph server)", f"text {text[:40]!r} holds a NUL character, which FalkorDB's "
                                           "Bolt layer cuts off; remove it before pushing")
    return text.replace("\\", "\\\\").replace("'", "\\'")


# ---- vectorised column encoders ---------------------------------------------------------------

def encode_floats(values: np.ndarray, *, exact_pairs: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split floats into ``(m, e, null)`` with ``value == m * 2.0**e`` exactly; non-finite -> null.

    With ``exact_pairs`` (FalkorDB) ``m`` is an odd int64 (|m| < 2^53) and ``e`` an int64; without
    (Neo4j) ``m`` is the float itself and ``e`` is 0. Subnormal values (|x| < 2.2e-308) may round.
    """
    x = np.asarray(values, dtype="float64")
    null = ~np.isfinite(x)
    clean = np.where(null, 0.0, x)
    if not exact_pairs:
        return clean, np.zeros(len(x), dtype=np.int64), null
    frac, exp = np.frexp(clean)
    m = np.ldexp(frac, 53).astype(np.int64)
    e = exp.astype(np.int64) - 53
    # drop trailing zero bits so that short numbers print short (3.0 -> [3, 0], 0.5 -> [1, -1])
    nz = m != 0
    low = np.where(nz, m & -m, 1).astype(np.int64)
    shift = np.where(nz, np.log2(low.astype("float64")).astype(np.int64), 0)
    m = np.where(nz, m >> shift, 0)
    e = np.where(nz, e + shift, 0)
    return m, e, null


def _int_pack_sizes(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.int64)
    return np.select([(v >= -16) & (v <= 127), (v >= -128) & (v < -16), (v >= -(2**15)) & (v < 2**15),
                      (v >= -(2**31)) & (v < 2**31)], [1, 2, 3, 5], 9).astype(np.int64)


def _int_text_sizes(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.int64)
    mag = np.abs(v.astype(np.float64)).astype(np.uint64)  # |v| < 2^63 here (mantissas < 2^53)
    digits = np.maximum(np.searchsorted(_INT_DIGITS, mag, side="right"), 1)
    return (digits + (v < 0)).astype(np.int64)


def _str_pack_sizes(nbytes: np.ndarray) -> np.ndarray:
    n = np.asarray(nbytes, dtype=np.int64)
    return n + np.select([n < 16, n < 2**8, n < 2**16], [1, 2, 3], 5)


def _utf8_lengths(values: pd.Series) -> np.ndarray:
    """UTF-8 byte length per text value (0 for null), via Arrow."""
    series = pd.Series(values, dtype="object")
    arr = pa.array(series.where(series.notna(), None).tolist(), type=pa.string())
    return pc.fill_null(pc.binary_length(arr), 0).to_numpy(zero_copy_only=False).astype(np.int64)


@dataclass(frozen=True)
class WireColumn:
    """One parameter column of ``UNWIND $rows`` rows, encoded for a dialect, with per-row sizes.

    :meth:`take` gives what goes on the wire for rows ``[start, stop)`` (text already escaped,
    floats as pairs, built per batch so a million rows never sit in memory as Python lists);
    ``pack`` and ``text`` are each row's PackStream and FalkorDB-text sizes of the value (without
    the key).
    """

    name: str
    kind: str
    data: Any
    pack: np.ndarray
    text: np.ndarray

    def take(self, start: int, stop: int) -> list:
        if self.kind != "float":
            return self.data[start:stop]
        m, e, null = (a[start:stop] for a in self.data)
        pairs = np.empty((len(m), 2), dtype=object)
        pairs[:, 0] = m.tolist()
        pairs[:, 1] = e.tolist()
        out = pairs.tolist()
        if not null.any():
            return out
        return pd.Series(out, dtype="object").where(~null, None).tolist()

    @property
    def values(self) -> list:
        """All rows' wire values."""
        return self.take(0, len(self.pack))


# ---- the dialects ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Dialect:
    """Server differences: schema statements, value encoding, size estimate and batch defaults."""

    name: str
    #: Hard upper bound on a request's encoded size (bytes); None when the server has no small limit.
    max_message_bytes: int | None
    default_batch_rows: int
    default_batch_bytes: int
    #: Escape strings for FalkorDB's printed parameters; send floats as integer pairs.
    printed_parameters: bool
    #: Allowance (bytes) for the RUN message's struct header, extra map (db, bookmarks) and chunk headers.
    message_allowance: int = 512
    #: Whether reads may run in read-mode transactions (``execute_read``). FalkorDB: no, every
    #: statement runs in a write-mode transaction (it has one graph and no routing, and it takes
    #: the first string of a request's extra map as the graph name, so a read-mode "r" is risky).
    read_mode: bool = True
    #: Whether a database name can be sent; FalkorDB would put every named database into a graph
    #: called "db", so the store leaves the name out there (its default graph is "falkordb").
    named_databases: bool = True

    # -- schema
    def schema_statements(self, existing_indexes: Iterable[tuple[str, str]] = ()) -> list[str]:
        """Statements making ``id`` unique (Neo4j) or indexed (FalkorDB) on every label in LABELS.

        ``existing_indexes`` are (label, property) pairs already indexed (FalkorDB only; its
        ``CREATE INDEX`` has no ``IF NOT EXISTS`` and fails when the index exists).
        """
        existing = {(str(label), str(prop)) for label, prop in existing_indexes}
        out = []
        for label, prop in LABELS.items():
            var = label[0].lower()
            if self.printed_parameters:
                if (label, prop) not in existing:
                    out.append(f"CREATE INDEX FOR ({var}:{label}) ON ({var}.{prop})")
            else:
                out.append(f"CREATE CONSTRAINT {label.lower()}_{prop} IF NOT EXISTS "
                           f"FOR ({var}:{label}) REQUIRE {var}.{prop} IS UNIQUE")
        return out

    #: Name of the query (queries/NAME.cypher) listing existing indexes as (label, properties)
    #: rows, or None when not needed.
    @property
    def index_query(self) -> str | None:
        return "list_indexes_falkordb" if self.printed_parameters else None

    #: Name of the query that succeeds only on this server (used to detect the dialect).
    @property
    def probe_query(self) -> str:
        return "server_probe_falkordb" if self.printed_parameters else "server_probe_neo4j"

    # -- values
    def encode_value(self, value: Any) -> Any:
        """Encode one parameter value (recursively) for this server: escape text for FalkorDB."""
        if not self.printed_parameters:
            return value
        if isinstance(value, str):
            return escape_falkordb(value)
        if isinstance(value, Mapping):
            return {k: self.encode_value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.encode_value(v) for v in value]
        return value

    def encode_params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {k: self.encode_value(v) for k, v in params.items()}

    def float_pair(self, value: float | None) -> list | None:
        """One float as the ``[m, e]`` pair the store's Cypher decodes (None/NaN -> None)."""
        if value is None:
            return None
        m, e, null = encode_floats(np.array([value], dtype="float64"), exact_pairs=self.printed_parameters)
        if null[0]:
            return None
        return [int(m[0]) if self.printed_parameters else float(m[0]), int(e[0])]

    def column(self, name: str, kind: str, values: Any) -> WireColumn:
        """Encode a whole column for the wire (vectorised), with each row's encoded sizes.

        Kinds: ``str`` (None/NaN -> null), ``int`` (nullable), ``float`` (an exact ``[m, e]`` pair,
        NaN -> null), ``bool`` (from 0/1/True/False, NaN -> null), ``strlist`` (a list of text per
        row; None -> [], empty strings dropped).
        """
        if kind not in WIRE_KINDS:
            raise ValueError(f"unknown wire kind {kind!r}")
        series = pd.Series(values, dtype="object").reset_index(drop=True)
        null = pd.isna(series).to_numpy() if kind != "strlist" else np.zeros(len(series), dtype=bool)
        if kind == "str":
            text = series.where(~null, None)
            if self.printed_parameters and (~null).any():
                strings = text[~null].astype(str)
                nul = strings.str.contains("\x00", regex=False)
                if nul.any():
                    escape_falkordb(strings[nul].iloc[0])  # raises, naming the value
                text[~null] = (strings.str.replace("\\", "\\\\", regex=False)
                               .str.replace("'", "\\'", regex=False))
            nbytes = _utf8_lengths(text)
            pack = np.where(null, 1, _str_pack_sizes(nbytes))
            txt = np.where(null, 4, nbytes + 2)
            return WireColumn(name, kind, text.tolist(), pack.astype(np.int64), txt.astype(np.int64))
        if kind == "int":
            ints = pd.to_numeric(series.where(~null, 0)).to_numpy(dtype=np.int64)
            out = ints.astype(object)
            out[null] = None
            pack = np.where(null, 1, _int_pack_sizes(ints))
            txt = np.where(null, 4, _int_text_sizes(ints))
            return WireColumn(name, kind, out.tolist(), pack.astype(np.int64), txt.astype(np.int64))
        if kind == "bool":
            x = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64")
            null = np.isnan(x)
            out = (x != 0).astype(object)
            out[null] = None
            txt = np.where(null, 4, np.where(x != 0, 4, 5)).astype(np.int64)
            return WireColumn(name, kind, out.tolist(), np.ones(len(x), dtype=np.int64), txt)
        if kind == "float":
            x = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64")
            m, e, null = encode_floats(x, exact_pairs=self.printed_parameters)
            if self.printed_parameters:
                pack = 1 + _int_pack_sizes(m) + _int_pack_sizes(e)
                txt = 4 + _int_text_sizes(m) + _int_text_sizes(e)
            else:  # [float, 0]; the text form is not used for Neo4j
                pack = np.full(len(x), 1 + 9 + 1, dtype=np.int64)
                txt = np.full(len(x), 4 + 24 + 1, dtype=np.int64)
            return WireColumn(name, kind, (m, e, null), np.where(null, 1, pack).astype(np.int64),
                              np.where(null, 4, txt).astype(np.int64))
        # strlist
        flat = series.explode()
        flat = flat[flat.notna() & (flat.astype(str) != "")].astype(str)
        if self.printed_parameters and len(flat):
            flat = flat.map(escape_falkordb)
        counts = np.bincount(flat.index.to_numpy(dtype=np.int64), minlength=len(series)).astype(np.int64)
        nbytes = _utf8_lengths(flat)
        owner = flat.index.to_numpy(dtype=np.int64)
        pack_items = np.bincount(owner, weights=_str_pack_sizes(nbytes), minlength=len(series)).astype(np.int64)
        text_items = np.bincount(owner, weights=nbytes + 2, minlength=len(series)).astype(np.int64)
        grouped = flat.groupby(level=0).agg(list)
        out = pd.Series([[]] * len(series), dtype="object")
        out[grouped.index] = grouped
        pack = _str_pack_sizes(counts) - counts + pack_items  # a list header is sized like a string header
        txt = 2 + text_items + 2 * np.maximum(counts - 1, 0)
        return WireColumn(name, kind, out.tolist(), pack.astype(np.int64), txt.astype(np.int64))

    def row_sizes(self, columns: Sequence[WireColumn]) -> np.ndarray:
        """Encoded bytes each row adds to a batch (map header, keys, values, list separator).

        Neo4j: PackStream bytes. FalkorDB: the larger of PackStream and printed text (+2 for
        the ``", "`` between list items), since both must fit its 4 KB buffers.
        """
        if not columns:
            return np.zeros(0, dtype=np.int64)
        n = len(columns[0].values)
        pack = np.full(n, _packstream_header(len(columns)), dtype=np.int64)
        text = np.full(n, 2 + 2 * (len(columns) - 1), dtype=np.int64)
        for col in columns:
            pack += packstream_size(col.name) + col.pack
            text += len(col.name.encode("utf-8")) + 2 + col.text
        return np.maximum(pack, text + 2) if self.printed_parameters else pack

    def fixed_size(self, query: str, params: Mapping[str, Any], rows_key: str = "rows") -> int:
        """Bytes of a batch message besides its rows: query, other parameters, headers, allowance."""
        extra = {k: v for k, v in params.items() if k != rows_key}
        pack = (2 + packstream_size(query) + 1 + packstream_size(rows_key) + 5
                + sum(packstream_size(k) + packstream_size(v) for k, v in extra.items())
                + self.message_allowance)
        if not self.printed_parameters:
            return pack
        text = (len("CYPHER ") + len(rows_key) + 1 + 2 + 1 + len(query.encode("utf-8"))
                + sum(len(k) + 2 + falkordb_text_size(v) for k, v in extra.items()) + 1)
        return max(pack, text)

    def check_batch_bytes(self, batch_bytes: int) -> int:
        if batch_bytes <= 0:
            raise InputError("--batch-bytes", f"must be positive, got {batch_bytes}")
        if self.max_message_bytes is not None and batch_bytes > self.max_message_bytes:
            raise InputError("--batch-bytes", f"{batch_bytes:,} bytes is over {self.name}'s limit of "
                                              f"{self.max_message_bytes:,} bytes per message; use at most that")
        return batch_bytes


#: Neo4j 5.x (and other servers that bind Bolt parameters): constraints, plain floats, 1 MB batches.
NEO4J = Dialect(name="neo4j", max_message_bytes=None, default_batch_rows=5_000, default_batch_bytes=1_000_000,
                printed_parameters=False)
#: FalkorDB's experimental Bolt endpoint: indexes, escaped text, float pairs, batches under its 4 KB buffer.
FALKORDB = Dialect(name="falkordb", max_message_bytes=4_000, default_batch_rows=5_000, default_batch_bytes=3_500,
                   printed_parameters=True, message_allowance=64, read_mode=False, named_databases=False)

DIALECTS: dict[str, Dialect] = {d.name: d for d in (NEO4J, FALKORDB)}


def get_dialect(name: str | Dialect) -> Dialect:
    """The dialect called ``name`` ('neo4j' or 'falkordb'), or ``name`` itself if already a Dialect."""
    if isinstance(name, Dialect):
        return name
    try:
        return DIALECTS[str(name).strip().lower()]
    except KeyError:
        raise InputError("--dialect", f"unknown server dialect {name!r}; use one of {', '.join(DIALECTS)}") from None
