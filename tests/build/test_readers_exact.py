"""Issue 13 reader items: exact ids, exact chunk accounting, one-line errors, plausible times."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kolgraph.build.readers import read_interactions, read_users
from kolgraph.cli import main
from kolgraph.schema import InputError

BIG = [1712345678901234567, 1712345678901234568, 9223372036854775807]


def test_19_digit_json_ids_keep_every_digit_with_nulls_and_mixed_types(tmp_path):
    lines = [{"src": BIG[0], "dst": BIG[1], "kind": "reply", "post_id": BIG[2]},
             {"src": BIG[1], "dst": None, "kind": "reply", "post_id": 5},
             {"src": str(BIG[1]), "dst": BIG[0], "kind": "repost", "post_id": None},
             {"src": 18446744073709551617, "dst": BIG[0], "kind": "mention"}]  # beyond 64 bits
    path = tmp_path / "ids.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = read_interactions(path)
    assert result.counts() == {"read": 4, "kept": 3, "rejected": 1, "duplicate": 0}
    assert result.frame["src"].tolist() == [str(BIG[0]), str(BIG[1]), "18446744073709551617"]
    assert result.frame["dst"].tolist() == [str(BIG[1]), str(BIG[0]), str(BIG[0])]
    assert result.frame["post_id"].tolist()[0] == str(BIG[2])
    reject = result.rejects.iloc[0]
    assert reject["src"] == str(BIG[1]) and reject["reason"] == "empty dst id"


def test_parquet_integer_ids_with_nulls_are_exact(tmp_path):
    table = pa.table({"src": pa.array([BIG[0], BIG[1], None], pa.int64()),
                      "dst": pa.array([BIG[1], BIG[0], BIG[0]], pa.uint64()),
                      "kind": ["reply", "repost", "reply"],
                      "post_id": pa.array([BIG[2], None, 7], pa.int64())})
    path = tmp_path / "ids.parquet"
    pq.write_table(table, path)
    result = read_interactions(path)
    assert result.frame["src"].tolist() == [str(BIG[0]), str(BIG[1])]
    assert result.frame["post_id"].iloc[0] == str(BIG[2]) and pd.isna(result.frame["post_id"].iloc[1])
    assert result.rejects.iloc[0]["reason"] == "empty src id"
    users = pa.table({"user_id": pa.array([BIG[0], None, BIG[1]], pa.int64()), "followers": [1, 2, 3]})
    pq.write_table(users, tmp_path / "u.parquet")
    assert read_users(tmp_path / "u.parquet").frame["user_id"].tolist() == [str(BIG[0]), str(BIG[1])]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(3, 24), bad=st.sets(st.integers(1, 24), max_size=5), chunk=st.integers(2, 6))
def test_chunked_reading_counts_exactly_wherever_the_bad_row_falls(tmp_path, n, bad, chunk):
    bad = {b for b in bad if b <= n}
    lines = ["src,dst,kind,post_id"]
    for row in range(1, n + 1):
        lines.append(f"a{row},b{row},reply,p{row},EXTRA" if row in bad else f"a{row},b{row},reply,p{row}")
    path = tmp_path / "rows.csv"
    path.write_text("\n".join(lines) + "\n")
    if len(bad) == n:
        return
    result = read_interactions(path, chunk_rows=chunk)
    assert result.counts() == {"read": n, "kept": n - len(bad), "rejected": len(bad), "duplicate": 0}
    assert sorted(result.rejects["row"].tolist()) == sorted(bad)
    assert result.frame["src"].tolist() == [f"a{r}" for r in range(1, n + 1) if r not in bad]


def test_truncated_gzip_is_one_line_error(tmp_path):
    data = gzip.compress(("src,dst,kind\n" + "a,b,reply\n" * 5000).encode())
    for name in ("cut.csv.gz", "cut.jsonl.gz"):
        path = tmp_path / name
        payload = data if name.endswith("csv.gz") else gzip.compress(
            "\n".join(json.dumps({"src": "a", "dst": "b", "kind": "reply"}) for _ in range(5000)).encode())
        path.write_bytes(payload[: len(payload) // 2])
        with pytest.raises(InputError) as info:
            read_interactions(path)
        assert str(path) in str(info.value) and "truncated" in str(info.value)
        out = CliRunner().invoke(main, ["build", str(path), "-o", str(tmp_path / "ws")])
        assert out.exit_code == 2 and "truncated" in out.output and "Aborted" not in out.output


@pytest.mark.parametrize("column, what", [
    (pa.array([[1, 2], [3], []], pa.list_(pa.int64())), "nested"),
    (pa.array([b"a", b"b", b"c"], pa.binary()), "binary")])
def test_list_and_binary_parquet_columns_are_one_line_errors(tmp_path, column, what):
    path = tmp_path / "odd.parquet"
    pq.write_table(pa.table({"src": ["a", "b", "c"], "dst": column, "kind": ["reply"] * 3}), path)
    with pytest.raises(InputError) as info:
        read_interactions(path)
    message = str(info.value)
    assert str(path) in message and "'dst'" in message and what in message and "\n" not in message


@pytest.mark.parametrize("value, reason", [
    ("3000-01-01T00:00:00Z", "outside 2000-01-01 .. 2100-01-01"),
    ("0001-01-01", "outside 2000-01-01 .. 2100-01-01"),
    ("1999-12-31T23:59:59Z", "outside 2000-01-01 .. 2100-01-01"),
    ("99999999999", "outside 2000-01-01 .. 2100-01-01"),
    ("1767571200000", "epoch milliseconds"),
    ("-5", "outside 2000-01-01 .. 2100-01-01"),
])
def test_implausible_timestamps_are_rejected_with_the_right_reason(tmp_path, value, reason):
    path = tmp_path / "t.csv"
    path.write_text(f"src,dst,kind,timestamp\na,b,reply,2026-01-05T00:00:00Z\nc,d,reply,{value}\n")
    result = read_interactions(path)
    assert result.counts()["rejected"] == 1
    assert reason in result.rejects.iloc[0]["reason"]


def test_duplicate_header_name_is_rejected(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("src,dst,kind,dst\na,b,reply,c\n")
    with pytest.raises(InputError, match=r"column name\(s\) dst appear more than once"):
        read_interactions(path)


def test_ids_with_control_characters_are_rejected(tmp_path):
    path = tmp_path / "ctl.jsonl"
    rows = [{"src": "a\u0001", "dst": "b", "kind": "reply"}, {"src": "a", "dst": "b\u007f", "kind": "reply"},
            {"src": "a", "dst": "b", "kind": "reply", "post_id": "p\n1"}, {"src": "a", "dst": "b", "kind": "reply"}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = read_interactions(path)
    assert result.counts() == {"read": 4, "kept": 1, "rejected": 3, "duplicate": 0}
    reasons = result.rejects["reason"].tolist()
    assert "src id 'a\\x01' contains a control character (U+0001)" in reasons[0]
    assert "U+007F" in reasons[1] and reasons[2].startswith("post_id") and "U+000A" in reasons[2]


@pytest.mark.parametrize("name", ["a.csv", "a.TSV", "a.tab", "a.jsonl", "a.ndjson", "a.json", "a.parquet", "a.pq",
                                  "a.txt", "a.list", "a.csv.gz", "a.json.gz"])
def test_one_file_name_rule_for_readers_tables_and_candidate_lists(tmp_path, name):
    from kolgraph._io import TABLE_FORMATS, read_table, write_table
    from kolgraph.build.formats import format_from_name
    from kolgraph.build.readers import detect_format
    from kolgraph.candidates import detect_candidate_format

    fmt, gz = format_from_name(name)
    assert detect_candidate_format(name) == (fmt, gz)
    assert detect_format(name) == ({"json": "jsonl", "text": "csv"}.get(fmt, fmt), gz)
    if fmt in TABLE_FORMATS and not gz:
        frame = pd.DataFrame({"a": ["x", "y"], "b": [1, 2]})
        write_table(frame, tmp_path / name)
        assert read_table(tmp_path / name)["a"].tolist() == ["x", "y"]


def test_blank_lines_are_rows_rejected_as_blank_on_both_paths(tmp_path):
    fast = tmp_path / "fast.csv"
    fast.write_text("src,dst,kind\na,b,reply\n\nc,d,reply\n")
    slow = tmp_path / "slow.csv"
    slow.write_text("src,dst,kind\na,b,reply\n\nc,d,reply,EXTRA\n")
    for path, kept in ((fast, 2), (slow, 1)):
        result = read_interactions(path)
        assert result.counts()["read"] == 3 and result.counts()["kept"] == kept
        assert result.rejects.set_index("row").loc[2, "reason"] == "blank row"
