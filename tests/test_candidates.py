"""Candidate lists: every format read with every row and column kept; handles matched the way people type them."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kolgraph.candidates import (
    MAX_LISTED,
    HandleIndex,
    find_handle_column,
    normalise_handles,
    read_candidates,
    resolve_candidates,
)
from kolgraph.schema import InputError

ROWS = [("@LeoTech", "12000", "tech; 'quoted, notes'"), ("", "", "blank row"), ("NA", "007", "a handle called NA")]


def frame() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=["handle", "fee", "notes"])


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize("typed, expected", [
    ("@LeoTech", "leotech"),
    ("  leotech  ", "leotech"),
    ("LEOTECH", "leotech"),
    ("＠ＬｅｏＴｅｃｈ", "leotech"),            # full-width @ and letters (Chinese keyboard)
    ("\u3000@LeoTech\u3000", "leotech"),      # ideographic spaces around
    ("@ @leotech", "leotech"),                # repeated @ with a space
    ("leo\u200btech", "leotech"),             # zero-width space pasted from a web page
    ("https://weibo.com/u/1234567?refer=x", "1234567"),
    ("x.com/LeoTech/", "leotech"),
    ("科技Leo", "科技leo"),
    ("", ""),
    (None, ""),
])
def test_normalise_the_way_people_type(typed, expected):
    assert normalise_handles([typed]).to_pylist() == [expected]


def test_normalise_keeps_case_without_fold_and_prints_integral_numbers_plainly():
    assert normalise_handles(["@LeoTech"], fold=False).to_pylist() == ["LeoTech"]
    assert normalise_handles(pd.Series([1234567.0, np.nan])).to_pylist() == ["1234567", ""]
    assert normalise_handles(pd.Series([42, 7], dtype="int64")).to_pylist() == ["42", "7"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=8))
def test_normalise_is_idempotent(values):
    once = normalise_handles(values)
    assert normalise_handles(once).to_pylist() == once.to_pylist()


# --------------------------------------------------------------------------- reading


def _write(tmp_path, fmt: str) -> object:
    df = frame()
    path = tmp_path / f"c.{fmt}"
    if fmt == "csv":
        df.to_csv(path, index=False)
    elif fmt == "tsv":
        df.to_csv(path, index=False, sep="\t")
    elif fmt == "jsonl":
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in df.to_dict("records")) + "\n")
    elif fmt == "json":
        path.write_text(json.dumps(df.to_dict("records"), ensure_ascii=False))
    elif fmt == "parquet":
        df.to_parquet(path, index=False)
    elif fmt == "csv.gz":
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            df.to_csv(fh, index=False)
    return path


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "json", "parquet", "csv.gz"])
def test_every_format_keeps_every_row_and_column(tmp_path, fmt):
    table = read_candidates(_write(tmp_path, fmt))
    assert table.handle_column == "handle"
    assert list(table.frame.columns) == ["handle", "fee", "notes"]
    assert len(table) == 3
    assert table.frame["handle"].tolist() == ["@LeoTech", "", "NA"]      # "NA" is a handle, not a missing value
    assert table.frame["fee"].astype(str).tolist()[2] == "007"           # leading zeros kept
    assert table.frame["notes"].tolist()[0] == "tech; 'quoted, notes'"


def test_plain_text_one_handle_a_line_with_blank_lines(tmp_path):
    path = tmp_path / "h.txt"
    path.write_text("@LeoTech\n\n  老钟说真话 \n", encoding="utf-8")
    table = read_candidates(path)
    assert table.handle_column == "handle"
    assert table.frame["handle"].tolist() == ["@LeoTech", "", "  老钟说真话 "]
    path.write_text("user_id\nu1\nu2\n")
    table = read_candidates(path)
    assert table.handle_column == "user_id" and table.frame["user_id"].tolist() == ["u1", "u2"]


def test_blank_lines_inside_a_csv_are_rows(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("handle,fee\na,1\n\nb,2\n")
    table = read_candidates(path)
    assert table.frame["handle"].tolist() == ["a", "", "b"]


def test_json_array_of_strings_and_numeric_ids(tmp_path):
    path = tmp_path / "c.json"
    path.write_text('["@a", "b"]')
    assert read_candidates(path).frame["handle"].tolist() == ["@a", "b"]
    path = tmp_path / "ids.jsonl"
    path.write_text('{"uid": 1234567, "fee": 5}\n\n{"uid": 89, "fee": 6}\n')
    table = read_candidates(path)
    assert table.handle_column == "uid" and len(table) == 3
    assert normalise_handles(table.handles).to_pylist() == ["1234567", "", "89"]


def test_handle_column_detection_and_override():
    assert find_handle_column(["fee", "Screen Name", "notes"])[0] == "Screen Name"
    assert find_handle_column(["handle", "user_id"])[0] == "user_id"          # exact ids preferred
    assert find_handle_column(["微博ID"])[0] == "微博ID"                        # a single column is the handle
    assert find_handle_column(["a", "微博ID"], "微博ID")[0] == "微博ID"
    with pytest.raises(InputError, match="--handle-column"):
        find_handle_column(["fee", "notes"])
    with pytest.raises(InputError, match="no column 'kol_id'"):
        find_handle_column(["handle", "fee"], "kol_id")


def test_read_errors_name_the_file_and_row(tmp_path):
    with pytest.raises(InputError, match="unknown candidate list type"):
        read_candidates(tmp_path / "c.xlsx")
    with pytest.raises(InputError, match="file not found"):
        read_candidates(tmp_path / "missing.csv")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"handle": "a"}\n{"handle": \n')
    with pytest.raises(InputError, match="row 2"):
        read_candidates(bad)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_candidates(empty)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("handle\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8"):
        read_candidates(latin)


def test_header_only_file_gives_zero_rows(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("handle,fee\n")
    table = read_candidates(path)
    assert len(table) == 0 and table.handle_column == "handle"


# --------------------------------------------------------------------------- matching


@pytest.fixture()
def index() -> HandleIndex:
    ids = ["LeoTech", "u2", "u3", "u4", "zhang", "Zhang"]
    names = ["科技Leo", "小米粉", "小米粉", "数码大宇", None, "老张"]
    pagerank = [0.5, 0.1, 0.3, 0.2, 0.05, 0.04]
    return HandleIndex.from_users(ids, names, rank=-np.asarray(pagerank))


def test_match_by_id_display_name_and_case(index):
    out = resolve_candidates(["@LeoTech", "leotech", "＠数码大宇", " 科技leo ", "zhang", "ZHANG"], index)
    assert out["status"].tolist() == ["ok", "duplicate", "ok", "duplicate", "ok", "ambiguous"]
    assert out["user_id"].tolist()[:5] == ["LeoTech", "LeoTech", "u4", "LeoTech", "zhang"]
    assert out["match_method"].tolist()[:5] == ["id", "id", "display_name", "display_name", "id"]
    assert out["duplicate_of"].tolist()[1] == 1 and out["duplicate_of"].tolist()[3] == 1
    # "ZHANG" is no exact id; ignoring case it matches two ids: ambiguous, both listed
    assert set(out["match_candidates"].tolist()[5].split("|")) == {"zhang", "Zhang"}


def test_ambiguous_display_name_lists_users_by_rank(index):
    out = resolve_candidates(["小米粉"], index)
    assert out["status"].tolist() == ["ambiguous"]
    assert out["match_candidates"].tolist() == ["u3|u2"]        # higher PageRank first
    assert pd.isna(out["user_id"].tolist()[0])


def test_unknown_blank_and_duplicate_unknowns(index):
    out = resolve_candidates(["nobody", "", "  @ ", None, "NOBODY"], index)
    assert out["status"].tolist() == ["unknown", "blank", "blank", "blank", "duplicate"]
    assert out["duplicate_of"].tolist()[4] == 1
    assert out["input_row"].tolist() == [1, 2, 3, 4, 5]


def test_ambiguity_list_is_capped():
    n = MAX_LISTED + 5
    idx = HandleIndex.from_users([f"u{i}" for i in range(n)], ["same"] * n, rank=np.arange(n))
    listed = resolve_candidates(["same"], idx)["match_candidates"].tolist()[0]
    assert listed.split("|")[:2] == ["u0", "u1"] and listed.endswith("+5 more")
    assert len(listed.split("|")) == MAX_LISTED + 1


def test_lookup_scales_without_a_loop_per_candidate():
    """10,000 handles against 200,000 users resolve in one bulk pass with the right answers."""
    n = 200_000
    ids = np.char.add("user", np.arange(n).astype(str))
    idx = HandleIndex.from_users(ids, np.char.add("名", np.arange(n).astype(str)))
    wanted = np.random.default_rng(0).integers(0, n, 10_000)
    as_id, as_name = np.char.add("@USER", wanted.astype(str)), np.char.add("名", wanted.astype(str))
    handles = np.where(wanted % 2 == 0, as_id, as_name)
    out = resolve_candidates(handles, idx)
    first = ~pd.Series(wanted).duplicated().to_numpy()
    assert (out["status"].to_numpy()[first] == "ok").all()
    assert (out["user_id"].to_numpy() == ids[wanted]).all()


def test_resolve_accounts_takes_ids_or_display_names_and_explains_failures():
    from kolgraph.candidates import did_you_mean, resolve_accounts
    from kolgraph.errors import UnknownAccountError

    idx = HandleIndex.from_users(["laozhong_zhenhua", "u1", "u2", "u3"], ["老钟说真话", "小米粉", "小米粉", "回声"],
                                 rank=[-0.9, -0.5, -0.7, -0.1])
    assert resolve_accounts(["老钟说真话", " @U3", "laozhong_zhenhua"], idx) == ["laozhong_zhenhua", "u3"]
    with pytest.raises(UnknownAccountError) as err:
        resolve_accounts(["小米粉", "laozhong_zhenhau", "nobody_at_all_zzz"], idx, what="--kol")
    text = str(err.value)
    assert "--kol '小米粉' is ambiguous" in text and "(u2|u1)" in text  # highest rank first
    assert "did you mean laozhong_zhenhua?" in text
    assert "'nobody_at_all_zzz' is not in the graph" in text and "nobody_at_all_zzz' is not in the graph (no user id " \
        "or display name matches)" in text
    assert did_you_mean("老钟说真", idx) == ["laozhong_zhenhua"]


@pytest.mark.parametrize("columns, expected", [
    (["序号", "微博昵称", "微博ID"], "微博ID"),
    (["序号", "账号", "微博昵称"], "账号"),
    (["报价", "微博昵称"], "微博昵称"),
])
def test_chinese_handle_headers(columns, expected):
    assert find_handle_column(columns)[0] == expected


def test_did_you_mean_prefilter_is_difflibs_quick_ratio():
    """The vectorised bound equals difflib's quick_ratio, so no key that could reach the cutoff is skipped."""
    import difflib

    import pyarrow as pa

    from kolgraph.fuzzy import quick_ratio as _quick_ratio

    keys = ["laozhong_zhenhua", "aab", "", "老钟说真话", "zzzz", "huisheng_tech", "a"]
    for key in ("laozhong_zhenhau", "aba", "老钟说话", "x"):
        got = _quick_ratio(pa.array(keys + [None]), key)
        want = [difflib.SequenceMatcher(None, k, key).quick_ratio() for k in keys] + [0.0]
        assert np.allclose(got, want), key
