"""Ingest: every bad-input case names the file, the row and the reason, and nothing is dropped uncounted."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kolgraph.build.graph import collapse_interactions
from kolgraph.build.readers import read_interactions, read_users
from kolgraph.schema import InputError

GOOD = """src,dst,kind,timestamp,text,sentiment,post_id
fan1,brand,repost,2026-01-05T08:00:00+08:00,支持[赞],0.8,p1
fan2,brand,转发,1767571200,好,,p2
fan1,critic,REPLY,,滚[怒],-0.9,p3
critic,fan1,提及,2026-01-06,,,p4
"""


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_good_rows_are_normalised(tmp_path):
    result = read_interactions(write(tmp_path, "i.csv", GOOD))
    frame = result.frame
    assert result.counts() == {"read": 4, "kept": 4, "rejected": 0, "duplicate": 0}
    assert list(frame["kind"].astype(str)) == ["repost", "repost", "reply", "mention"]
    # 2026-01-05T08:00:00+08:00 is 2026-01-05T00:00:00Z = 1767571200
    assert frame["timestamp"].iloc[0] == pytest.approx(1767571200.0)
    assert frame["timestamp"].iloc[1] == pytest.approx(1767571200.0)
    assert np.isnan(frame["timestamp"].iloc[2])
    assert frame["sentiment"].iloc[2] == pytest.approx(-0.9)
    assert np.isnan(frame["sentiment"].iloc[1])


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "parquet"])
@pytest.mark.parametrize("gz", [False, True])
def test_every_format_reads_the_same_rows(tmp_path, fmt, gz):
    reference = read_interactions(write(tmp_path, "ref.csv", GOOD)).frame
    raw = pd.read_csv(write(tmp_path, "raw.csv", GOOD), dtype=str, keep_default_na=False)
    path = tmp_path / f"i.{fmt}"
    if fmt == "csv":
        raw.to_csv(path, index=False)
    elif fmt == "tsv":
        raw.to_csv(path, index=False, sep="\t")
    elif fmt == "jsonl":
        raw.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        raw.to_parquet(path, index=False)
    if gz:
        gz_path = path.with_name(path.name + ".gz")
        gz_path.write_bytes(gzip.compress(path.read_bytes()))
        path = gz_path
    frame = read_interactions(path).frame
    pd.testing.assert_frame_equal(frame, reference)


def test_bom_is_accepted(tmp_path):
    result = read_interactions(write(tmp_path, "bom.csv", "\ufeff" + GOOD))
    assert result.kept == 4 and "src" in result.frame


def test_parquet_with_native_types(tmp_path):
    frame = pd.DataFrame({
        "src": [1, 2, 3], "dst": [10, 10, 2], "kind": ["repost", "reply", "mention"],
        "timestamp": pd.to_datetime(["2026-01-05T00:00:00Z"] * 3, utc=True),
        "sentiment": [0.5, -0.5, np.nan],
    })
    path = tmp_path / "typed.parquet"
    frame.to_parquet(path)
    out = read_interactions(path).frame
    assert list(out["src"]) == ["1", "2", "3"] and list(out["dst"]) == ["10", "10", "2"]
    assert out["timestamp"].tolist() == [1767571200.0] * 3


@pytest.mark.parametrize("line, reason", [
    ("a,,reply,,x,,q1", "empty dst id"),
    (",b,reply,,x,,q1", "empty src id"),
    ("a,b,like,,x,,q1", "unknown kind 'like'"),
    ("a,b,reply,yesterday,x,,q1", "unparseable timestamp 'yesterday'"),
    ("a,b,reply,1767571200000,x,,q1", "epoch milliseconds"),
    ("a,b,reply,,x,1.5,q1", "sentiment 1.5 is outside [-1, 1]"),
    ("a,b,reply,,x,-1.01,q1", "outside [-1, 1]"),
    ("a,b,reply,,x,good,q1", "sentiment 'good' is not a number"),
])
def test_bad_row_is_rejected_with_file_row_and_reason(tmp_path, line, reason):
    path = write(tmp_path, "bad.csv", GOOD + line + "\n")
    result = read_interactions(path)
    assert result.counts() == {"read": 5, "kept": 4, "rejected": 1, "duplicate": 0}
    reject = result.rejects.iloc[0]
    assert reject["file"] == str(path)
    assert reject["row"] == 5
    assert reject["category"] == "rejected"
    assert reason in reject["reason"]
    # The raw values travel with the reject so the user can fix the row.
    assert reject["src"] == line.split(",")[0]


@pytest.mark.parametrize("line, reason", [
    ("a,b,like,,x,,q1", "unknown kind 'like'"),
    ("a,b,reply,,x,7,q1", "sentiment 7 is outside [-1, 1]"),
])
def test_strict_stops_at_the_first_bad_row(tmp_path, line, reason):
    path = write(tmp_path, "bad.csv", GOOD + line + "\n")
    with pytest.raises(InputError) as info:
        read_interactions(path, strict=True)
    message = str(info.value)
    assert message.startswith(f"{path}, row 5: ") and reason in message


def test_missing_required_column_names_file_and_columns(tmp_path):
    path = write(tmp_path, "nokind.csv", "src,dst\na,b\n")
    with pytest.raises(InputError) as info:
        read_interactions(path)
    assert str(path) in str(info.value) and "missing required column(s) kind" in str(info.value)


def test_column_renames(tmp_path):
    path = write(tmp_path, "renamed.csv", "uid,target,type\na,b,retweet\n")
    frame = read_interactions(path, column_map=["src=uid", "dst=target", "kind=type"]).frame
    assert frame[["src", "dst"]].iloc[0].tolist() == ["a", "b"] and frame["kind"].iloc[0] == "repost"
    with pytest.raises(InputError, match="not present: nope"):
        read_interactions(path, column_map=["src=nope"])


@pytest.mark.parametrize("content, reason", [
    (b"", "the file is empty"),
    (b"\xef\xbb\xbf", "the file is empty"),
    (b"src,dst,kind\n", "no data rows"),
])
def test_empty_inputs_fail_clearly(tmp_path, content, reason):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=reason):
        read_interactions(path)


def test_undecodable_bytes_name_the_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(GOOD.encode() + "a,b,reply,,caf\u00e9,,z\n".encode("latin-1"))
    with pytest.raises(InputError) as info:
        read_interactions(path)
    assert "line 6 is not valid UTF-8" in str(info.value) and str(path) in str(info.value)


def test_unreadable_and_missing_files(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_interactions(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="unknown file type"):
        read_interactions(write(tmp_path, "x.xlsx", "x"))
    with pytest.raises(InputError, match="not a readable Parquet"):
        read_interactions(write(tmp_path, "broken.parquet", "not parquet"))


def test_all_rows_bad_is_an_error_naming_the_first_problem(tmp_path):
    path = write(tmp_path, "allbad.csv", "src,dst,kind\na,b,like\nc,d,love\n")
    with pytest.raises(InputError, match=r"no usable rows: all 2 rows were rejected; first problem: row 1: unknown kind"):
        read_interactions(path)


def test_malformed_csv_rows_are_rejected_not_fatal(tmp_path):
    path = write(tmp_path, "ragged.csv", GOOD + "a,b,reply,,x,,q9,EXTRA\n" + "c,d,reply,,ok,,q10\n")
    result = read_interactions(path)
    assert result.counts() == {"read": 6, "kept": 5, "rejected": 1, "duplicate": 0}
    assert result.rejects.iloc[0]["row"] == 5
    assert "expected 7 fields, found 8" in result.rejects.iloc[0]["reason"]


def test_bad_jsonl_lines_are_rejected_with_their_line(tmp_path):
    lines = [json.dumps({"src": "a", "dst": "b", "kind": "repost"}), "{not json", "[1, 2]",
             json.dumps({"src": "c", "dst": "d", "kind": "mention", "post_id": 7})]
    result = read_interactions(write(tmp_path, "i.jsonl", "\n".join(lines) + "\n"))
    assert result.counts() == {"read": 4, "kept": 2, "rejected": 2, "duplicate": 0}
    assert result.rejects["row"].tolist() == [2, 3]
    assert "not valid JSON" in result.rejects["reason"].iloc[0]
    assert "expected a JSON object" in result.rejects["reason"].iloc[1]
    assert result.frame["post_id"].isna().tolist() == [True, False]
    assert result.frame["post_id"].iloc[1] == "7"


def test_duplicates_are_dropped_counted_and_written(tmp_path):
    text = GOOD + "fan1,brand,repost,2026-01-07,again,,p1\n" + "x,y,reply,,,,\n" + "x,y,reply,,,,\n"
    path = write(tmp_path, "dups.csv", text)
    result = read_interactions(path)
    assert result.counts() == {"read": 7, "kept": 5, "rejected": 0, "duplicate": 2}
    dups = result.rejects[result.rejects["category"] == "duplicate"]
    assert dups["row"].tolist() == [5, 7]
    assert "same post_id" in dups["reason"].iloc[0] and "identical" in dups["reason"].iloc[1]


def test_duplicates_across_files_are_counted_per_file(tmp_path):
    first = write(tmp_path, "a.csv", GOOD)
    second = write(tmp_path, "b.csv", GOOD)
    result = read_interactions([first, second])
    assert result.counts() == {"read": 8, "kept": 4, "rejected": 0, "duplicate": 4}
    assert [(f.kept, f.duplicate) for f in result.files] == [(4, 0), (0, 4)]
    assert set(result.rejects["file"]) == {str(second)}


def test_users_table(tmp_path):
    path = write(tmp_path, "users.csv", "user_id,display_name,followers,verified\n"
                                         "brand,星澜,42000000,true\nfan1,小米粒,12,0\n,nobody,1,yes\n"
                                         "x,y,-3,no\nz,w,5,maybe\nbrand,dup,1,1\n")
    result = read_users(path)
    assert result.counts() == {"read": 6, "kept": 2, "rejected": 3, "duplicate": 1}
    assert result.frame["followers"].tolist() == [42000000.0, 12.0]
    assert result.frame["verified"].tolist() == [1.0, 0.0]
    reasons = result.rejects.set_index("row")["reason"].to_dict()
    assert reasons[3] == "empty user_id"
    assert "followers must be a whole number" in reasons[4]
    assert "verified 'maybe' is not true/false" in reasons[5]
    assert "same user_id" in reasons[6]


ROW_FIELDS = {
    "src": st.sampled_from(["a", "b", "c", "", " d "]),
    "dst": st.sampled_from(["a", "b", "e", ""]),
    "kind": st.sampled_from(["repost", "Retweet", "评论", "mention", "like", ""]),
    "timestamp": st.sampled_from(["", "2026-01-05T00:00:00Z", "1767571200", "tomorrow"]),
    "sentiment": st.sampled_from(["", "0.5", "-1", "2", "x"]),
    "post_id": st.sampled_from(["", "p1", "p2", "p3"]),
}
row_strategy = st.fixed_dictionaries(ROW_FIELDS)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row_strategy, min_size=1, max_size=40))
def test_every_row_is_accounted_for(tmp_path, rows):
    path = tmp_path / "prop.csv"
    pd.DataFrame(rows, columns=list(ROW_FIELDS)).to_csv(path, index=False)
    try:
        result = read_interactions(path)
    except InputError as exc:
        assert "no usable rows" in str(exc)
        return
    counts = result.counts()
    assert counts["kept"] + counts["rejected"] + counts["duplicate"] == counts["read"] == len(rows)
    assert len(result.rejects) == counts["rejected"] + counts["duplicate"]
    assert len(result.frame) == counts["kept"]
    edges = collapse_interactions(result.frame)
    assert edges["count"].sum() == counts["kept"]
    assert not edges.duplicated(["src", "dst", "kind"]).any()
