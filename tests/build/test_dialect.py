"""The Neo4j / FalkorDB dialect layer, without a server: statements, encodings, sizes, batching."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kolgraph.build.dialect import (FALKORDB, NEO4J, BatchTooLargeError, encode_floats, escape_falkordb,
                                    falkordb_text_size, get_dialect, packstream_size)
from kolgraph.build.neo4j import load_query, plan_batches
from kolgraph.schema import InputError


# ---- schema statements ----------------------------------------------------------------------------

def test_neo4j_uses_uniqueness_constraints():
    assert NEO4J.schema_statements() == [
        "CREATE CONSTRAINT user_id IF NOT EXISTS FOR (u:User) REQUIRE u.id IS UNIQUE",
        "CREATE CONSTRAINT community_id IF NOT EXISTS FOR (c:Community) REQUIRE c.id IS UNIQUE",
    ]
    assert NEO4J.index_query is None  # IF NOT EXISTS makes listing unnecessary


def test_falkordb_creates_only_missing_indexes():
    assert FALKORDB.schema_statements() == ["CREATE INDEX FOR (u:User) ON (u.id)",
                                            "CREATE INDEX FOR (c:Community) ON (c.id)"]
    assert FALKORDB.schema_statements([("User", "id")]) == ["CREATE INDEX FOR (c:Community) ON (c.id)"]
    assert FALKORDB.schema_statements([("User", "id"), ("Community", "id")]) == []
    assert FALKORDB.schema_statements([("User", "name")])[0] == "CREATE INDEX FOR (u:User) ON (u.id)"
    assert "db.indexes()" in load_query(FALKORDB.index_query).text


def test_get_dialect_and_byte_limits():
    assert get_dialect("FalkorDB") is FALKORDB and get_dialect(NEO4J) is NEO4J
    with pytest.raises(InputError, match="unknown server dialect"):
        get_dialect("memgraph")
    assert NEO4J.check_batch_bytes(10_000_000) == 10_000_000
    assert FALKORDB.check_batch_bytes(3_000) == 3_000
    with pytest.raises(InputError, match="limit of 4,000 bytes"):
        FALKORDB.check_batch_bytes(1_000_000)
    assert FALKORDB.default_batch_bytes <= FALKORDB.max_message_bytes < 4096


# ---- value encodings ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["O'Brien", "back\\slash", "a\\'b", "\\", "'", "x' RETURN 1 //",
                                  "end\\", '"double"', "MATCH (n) DETACH DELETE n", "中文 😀", ""])
def test_falkordb_escaping_is_reversible(text):
    escaped = escape_falkordb(text)
    # FalkorDB reads '...' with backslash escapes: undo them the way its lexer does
    out, i = [], 0
    while i < len(escaped):
        if escaped[i] == "\\":
            out.append(escaped[i + 1])
            i += 2
        else:
            assert escaped[i] != "'", "an unescaped quote would end the string literal"
            out.append(escaped[i])
            i += 1
    assert "".join(out) == text
    assert NEO4J.encode_value(text) == text  # Neo4j binds parameters: nothing to escape


def test_falkordb_refuses_nul():
    with pytest.raises(InputError, match="NUL"):
        escape_falkordb("a\x00b")
    with pytest.raises(InputError, match="NUL"):
        FALKORDB.column("display_name", "str", ["ok", "a\x00b"])


def test_encode_params_escapes_nested_text_only_for_falkordb():
    params = {"ids": ["a'b", "c"], "row": {"k": "x\\y"}, "n": 3, "x": None}
    assert FALKORDB.encode_params(params) == {"ids": ["a\\'b", "c"], "row": {"k": "x\\\\y"}, "n": 3, "x": None}
    assert NEO4J.encode_params(params) == params


def test_float_pairs_are_exact():
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.normal(size=2000) * 10.0 ** rng.integers(-300, 300, 2000),
                        [0.8999999999999999, 1.23e-7, 1_700_000_000.123456789, -0.0, 0.0, 1.0, 3.0, 0.5, 1e300]])
    m, e, null = encode_floats(x, exact_pairs=True)
    assert not null.any()
    assert np.array_equal(m.astype(np.float64) * np.exp2(e.astype(np.float64)), x)
    assert (np.abs(m) < 2**53).all()
    nonzero = m != 0
    assert (m[nonzero] % 2 != 0).all(), "mantissas are reduced to odd integers (shortest printed form)"
    assert FALKORDB.float_pair(3.0) == [3, 0] and FALKORDB.float_pair(0.5) == [1, -1]
    m2, e2, _ = encode_floats(x, exact_pairs=False)
    assert np.array_equal(m2, x) and (e2 == 0).all()


def test_non_finite_floats_travel_as_null():
    m, e, null = encode_floats(np.array([np.nan, np.inf, -np.inf, 2.0]), exact_pairs=True)
    assert null.tolist() == [True, True, True, False]
    col = FALKORDB.column("w", "float", [np.nan, 2.0])
    assert col.values == [None, [1, 1]]
    assert NEO4J.column("w", "float", [np.nan, 2.5]).values == [None, [2.5, 0]]
    assert FALKORDB.float_pair(None) is None and FALKORDB.float_pair(float("nan")) is None


def test_columns_encode_ints_bools_lists():
    assert FALKORDB.column("n", "int", pd.Series([1, None, 3], dtype="Int64")).values == [1, None, 3]
    assert FALKORDB.column("v", "bool", [1.0, 0.0, np.nan]).values == [True, False, None]
    roles = FALKORDB.column("roles", "strlist", [["kol", "core_fan"], [], None, ["a'b", ""]])
    assert roles.values == [["kol", "core_fan"], [], [], ["a\\'b"]]


# ---- sizes ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value,size", [
    (None, 1), (True, 1), (1, 1), (-16, 1), (127, 1), (-17, 2), (-128, 2), (128, 3), (-129, 3),
    (32767, 3), (32768, 5), (2**31 - 1, 5), (2**31, 9), (1.5, 9), ("", 1), ("a" * 15, 16),
    ("a" * 16, 18), ("é", 3), ("a" * 256, 259), ([], 1), ([1, 2], 3), ({"a": 1}, 4),
    ({"rows": [{"id": "u1"}]}, 1 + 5 + 1 + (1 + 3 + 3)),
])
def test_packstream_sizes(value, size):
    """PackStream v1 marker sizes from the Bolt spec (tiny ints, INT_8..64, 8-byte floats, UTF-8 lengths)."""
    assert packstream_size(value) == size


def _falkordb_print(value) -> str:
    """FalkorDB's Bolt write_value (src/bolt/bolt_api.c), re-implemented as the yardstick."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:f}"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list):
        return "[" + ", ".join(_falkordb_print(v) for v in value) + "]"
    return "{" + ", ".join(f"{k}: {_falkordb_print(v)}" for k, v in value.items()) + "}"


def _random_rows(seed: int, n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    alphabet = list("ab'\\\"xyz 中😀") + ["MATCH "]
    names = ["".join(rng.choice(alphabet, size=rng.integers(0, 40))) for _ in range(n)]
    return pd.DataFrame({
        "id": [f"u{i}" for i in rng.integers(0, 10**12, n)],
        "name": [None if rng.random() < 0.1 else s for s in names],
        "count": rng.integers(-300, 10**10, n),
        "w": np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n) * 10.0 ** rng.integers(-9, 12, n)),
        "ok": np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 2, n)),
        "roles": [list(rng.choice(["kol", "core_fan", "critic"], size=rng.integers(0, 3))) for _ in range(n)],
    })


@pytest.mark.parametrize("dialect", [NEO4J, FALKORDB], ids=["neo4j", "falkordb"])
def test_row_sizes_match_the_reference_encoders(dialect):
    frame = _random_rows(3)
    kinds = {"id": "str", "name": "str", "count": "int", "w": "float", "ok": "bool", "roles": "strlist"}
    cols = [dialect.column(name, kind, frame[name]) for name, kind in kinds.items()]
    sizes = dialect.row_sizes(cols)
    rows = [dict(zip(kinds, values)) for values in zip(*(c.values for c in cols))]
    for row, size in zip(rows, sizes):
        pack = packstream_size(row)
        if dialect is NEO4J:
            assert size == pack
        else:
            text = len(_falkordb_print(row).encode("utf-8"))
            assert falkordb_text_size(row) == text
            assert size == max(pack, text + 2)  # + the ", " between rows of the list


def test_fixed_size_bounds_the_printed_prefix():
    query = "UNWIND $rows AS r MERGE (u:User {id: r.id}) RETURN count(*) AS rows"
    rows = [{"id": "u1"}, {"id": "it's"}]
    encoded = FALKORDB.encode_params({"rows": rows, "run": "abc"})
    printed = f"CYPHER rows={_falkordb_print(encoded['rows'])} run={_falkordb_print(encoded['run'])} {query}"
    cols = [FALKORDB.column("id", "str", [r["id"] for r in rows])]
    estimate = FALKORDB.fixed_size(query, {"run": "abc"}) + int(FALKORDB.row_sizes(cols).sum())
    assert len(printed.encode("utf-8")) <= estimate <= len(printed.encode("utf-8")) + 80


# ---- batch planning -------------------------------------------------------------------------------

def test_plan_batches_respects_both_bounds_and_keeps_every_row():
    rng = np.random.default_rng(1)
    sizes = rng.integers(10, 200, 1000)
    batches = plan_batches(sizes, max_rows=37, max_bytes=1500, fixed_bytes=100)
    assert batches[0][0] == 0 and batches[-1][1] == len(sizes)
    assert all(a[1] == b[0] for a, b in zip(batches, batches[1:])), "consecutive, no gaps or overlaps"
    for start, stop in batches:
        assert stop - start <= 37
        assert 100 + sizes[start:stop].sum() <= 1500
        if stop < len(sizes):  # greedy: the next row would break a bound
            assert stop - start == 37 or 100 + sizes[start:stop + 1].sum() > 1500


def test_plan_batches_splits_what_would_not_fit_whole():
    sizes = np.full(150, 40)  # e.g. 150 short rows: about 6 KB in one message
    assert 100 + sizes.sum() > 3500
    batches = plan_batches(sizes, max_rows=5000, max_bytes=3500, fixed_bytes=100)
    assert [b - a for a, b in batches] == [85, 65]


def test_plan_batches_names_a_row_too_large_alone():
    with pytest.raises(BatchTooLargeError, match="user 'big' needs 5,100 bytes"):
        plan_batches(np.array([10, 5000, 10]), max_rows=10, max_bytes=3000, fixed_bytes=100,
                     describe=lambda i: "user 'big'")
    with pytest.raises(InputError):
        plan_batches(np.array([1]), max_rows=0, max_bytes=100)
    assert plan_batches(np.array([], dtype=np.int64), max_rows=5, max_bytes=100) == []
