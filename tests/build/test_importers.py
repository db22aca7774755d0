"""Platform exports in: each fixture builds with exact counts; chains, names, time zones, encodings."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kolgraph.build.formats import detect_input
from kolgraph.build.graph import collapse_interactions
from kolgraph.build.importers.base import RowBuffer
from kolgraph.build.importers.chains import parse_chain, reply_target
from kolgraph.build.importers.weibo import emit_post
from kolgraph.build.readers import read_inputs, read_interactions
from kolgraph.build.workspace import build_workspace
from kolgraph.cli import main
from kolgraph.schema import InputError
from kolgraph.times import parse_time

REPO = Path(__file__).resolve().parents[2]
FIX = REPO / "tests" / "fixtures" / "exports"
EXTERNAL = REPO.parent / "shared" / "data" / "external"
if not EXTERNAL.is_dir():  # a worktree under /work/wt/<name> sits one level deeper than main
    EXTERNAL = REPO.parents[1] / "shared" / "data" / "external"


def edges_by_kind(result) -> dict[str, int]:
    edges = collapse_interactions(result.frame)
    return {k: int(v) for k, v in edges.groupby("kind", observed=False).size().items()}


# (inputs, format, counts, edges by kind, user ids, rejected reasons (substrings, in order))
CASES = {
    "weibo-crawler": (
        ["weibo_crawler/1669879400.csv", "weibo_crawler/users.csv"], "weibo-crawler",
        {"read": 8, "kept": 6, "rejected": 1, "duplicate": 1}, {"repost": 4, "reply": 1, "mention": 1},
        {"1669879400", "2000000001", "1111111111", "@路人甲"}, ["empty id", "duplicate"]),
    "weibo-crawler-sqlite": (
        ["weibo_crawler/weibodata.db"], "weibo-crawler-sqlite",
        {"read": 5, "kept": 5, "rejected": 0, "duplicate": 0}, {"repost": 3, "reply": 2, "mention": 0},
        {"1669879400", "2000000001", "3000000001", "3000000002", "3000000003", "@路人乙"}, []),
    "weibo-search": (
        ["weibo_search/星澜.csv"], "weibo-search",
        {"read": 6, "kept": 3, "rejected": 3, "duplicate": 0}, {"repost": 2, "reply": 0, "mention": 1},
        {"1669879400", "5000000001", "5000000002", "5000000003"},
        ["needs the crawl time", "empty user_id", "post 999 it points at is not in the export"]),
    "weibospider": (
        ["weibospider/tweet_spider_20260105170000.jsonl"], "weibospider",
        {"read": 7, "kept": 5, "rejected": 2, "duplicate": 0}, {"repost": 2, "reply": 2, "mention": 1},
        {"1669879400", "6000000001", "6000000002", "6000000003", "6000000004", "@路人丙"},
        ["names neither the post", "not valid JSON"]),
    "twitter-v2": (
        ["twitter/twarc2_pages.jsonl"], "twitter-v2",
        {"read": 6, "kept": 5, "rejected": 1, "duplicate": 0}, {"repost": 2, "reply": 1, "mention": 2},
        {"100", "101", "102", "103", "@ghost_user"}, ["line 2: not valid JSON"]),
    "twitter-v1": (
        ["twitter/v1_tweets.jsonl"], "twitter-v1",
        {"read": 5, "kept": 4, "rejected": 1, "duplicate": 0}, {"repost": 2, "reply": 1, "mention": 1},
        {"200", "201", "202", "203"}, ["outside 2000-01-01 .. 2100-01-01"]),
    "twitter-v1-tree": (
        ["twitter/pheme"], "twitter-v1-tree",
        {"read": 5, "kept": 4, "rejected": 1, "duplicate": 0}, {"repost": 0, "reply": 2, "mention": 2},
        {"200", "202", "203", "205"}, ["807.json: not valid JSON"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_export_builds_with_exact_counts(name):
    inputs, fmt, counts, kinds, users, reasons = CASES[name]
    paths = [FIX / p for p in inputs]
    assert detect_input(paths[0]).format == fmt
    inter, user_result = read_inputs(paths)
    assert inter.counts() == counts
    assert inter.files[0].format == fmt
    assert edges_by_kind(inter) == kinds
    assert set(user_result.frame["user_id"]) == users
    assert [any(r in reason for reason in inter.rejects["reason"]) for r in reasons] == [True] * len(reasons)
    assert len(inter.rejects) == counts["rejected"] + counts["duplicate"]
    # every record is accounted for: rows from records + rejected records, records read counted
    assert inter.files[0].records >= counts["rejected"]


def test_weibo_crawler_details():
    inter, users = read_inputs([FIX / "weibo_crawler/1669879400.csv", FIX / "weibo_crawler/users.csv"])
    frame = inter.frame
    # ids with weibo-crawler's trailing tab are stripped, and every id is exact text
    assert set(frame["post_id"].dropna()) == {"5000000000000001", "5000000000000002", "5000000000000003",
                                             "5000000000000004"}
    # 完整日期 2026-01-05 08:00:00 is Beijing time
    first = frame[frame["post_id"] == "5000000000000001"].iloc[0]
    assert first["timestamp"] == parse_time("2026-01-05T08:00:00+08:00")
    # the chain: A -> 小米粒 (own comment), 小米粒 -> 路人甲 (her comment), 路人甲 -> original author
    chain = frame[frame["platform_type"].isin(["repost", "repost-chain"]) & frame["text"].isin(["支持", "好看", "同意"])]
    assert chain[["src", "dst", "text"]].values.tolist() == [
        ["1669879400", "2000000001", "支持"], ["2000000001", "@路人甲", "好看"], ["@路人甲", "1111111111", "同意"]]
    # 回复@小米粒: is a reply to her, not a mention
    reply = frame[frame["post_id"] == "5000000000000004"]
    assert reply[["dst", "kind", "text"]].values.tolist() == [["2000000001", "reply", "谢谢支持"]]
    # users.csv gives names, followers and verified
    row = users.frame.set_index("user_id").loc["1669879400"]
    assert row["display_name"] == "星澜官方" and row["followers"] == 42000000 and row["verified"] == 1.0
    assert users.frame.set_index("user_id").loc["@路人甲", "display_name"] == "路人甲"
    assert inter.info["resolution"]["unresolved_users"] == 1


def test_relative_weibo_times_resolve_against_reference_time():
    path = FIX / "weibo_search/星澜.csv"
    reference = parse_time("2026-01-05T12:00:00+08:00")
    inter, _ = read_inputs([path], reference_time=reference)
    assert inter.counts() == {"read": 6, "kept": 4, "rejected": 2, "duplicate": 0}
    reply = inter.frame[inter.frame["kind"] == "reply"].iloc[0]
    assert reply["timestamp"] == parse_time("2026-01-05T08:00:00+08:00") and reply["dst"] == "1669879400"
    # WeiboSpider carries crawl_time: 10分钟前 is 600 s before it, with no option
    spider, _ = read_inputs([FIX / "weibospider/tweet_spider_20260105170000.jsonl"])
    assert spider.frame.loc[spider.frame["src"] == "6000000004", "timestamp"].tolist() == [1767600000 - 600]


def test_timezone_option_shifts_naive_export_times():
    path = FIX / "weibo_crawler/1669879400.csv"
    default, _ = read_inputs([path])
    utc, _ = read_inputs([path], timezone="UTC")
    shift = (utc.frame["timestamp"] - default.frame["timestamp"]).dropna().unique()
    assert shift.tolist() == [8 * 3600.0]
    with pytest.raises(InputError, match="unknown time zone"):
        read_inputs([path], timezone="Mars/Olympus")


def test_twitter_flat_and_pages_agree_on_real_twarc_files():
    flat, noflat = EXTERNAL / "twarc_v2" / "flat.jsonl", EXTERNAL / "twarc_v2" / "noflat.jsonl"
    if not flat.exists():
        pytest.skip("shared twarc_v2 data absent")
    a, _ = read_inputs([flat])
    b, _ = read_inputs([noflat])
    assert a.files[0].format == "twitter-v2-flat" and b.files[0].format == "twitter-v2"
    assert a.counts() == b.counts() == {"read": 107, "kept": 107, "rejected": 0, "duplicate": 0}
    key = ["src", "dst", "kind", "platform_type", "post_id"]
    assert a.frame[key].sort_values(key).values.tolist() == b.frame[key].sort_values(key).values.tolist()


@pytest.mark.parametrize("relative, expected", [
    ("rumoureval2017/threads", "twitter-v1-tree"), ("twarc_v2/brexit.jsonl", "twitter-v2")])
def test_real_exports_build_with_no_option(tmp_path, relative, expected):
    path = EXTERNAL / relative
    if not path.exists():
        pytest.skip("shared data absent")
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(tmp_path / "ws"), "--quiet"])
    assert result.exit_code == 0, result.output
    import json

    manifest = json.loads((tmp_path / "ws" / "manifest.json").read_text())
    assert manifest["inputs"]["interactions"][0]["format"] == expected
    assert manifest["parameters"]["timezone"] == "UTC (default)"
    if expected == "twitter-v1-tree":
        assert manifest["inputs"]["interactions"][0]["records"] == 2635  # the labelled tweets
        assert manifest["counts"]["interactions"]["rejected"] == 0


def test_cli_says_what_it_detected_and_input_format_forces(tmp_path):
    runner = CliRunner()
    out = runner.invoke(main, ["build", str(FIX / "weibo_search/星澜.csv"), "-o", str(tmp_path / "ws"),
                               "--reference-time", "2026-01-05T12:00:00+08:00"])
    assert out.exit_code == 0, out.output
    assert "detected" in out.output and "weibo-search" in out.output and "Asia/Shanghai" in out.output
    forced = runner.invoke(main, ["build", str(FIX / "twitter/v1_tweets.jsonl"), "-o", str(tmp_path / "w2"),
                                  "--input-format", "jsonl"])
    assert forced.exit_code == 2 and "missing required column(s) src, dst, kind" in forced.output
    assert "Traceback" not in forced.output


# ------------------------------------------------------------------------------- chains

NAMES = st.text(alphabet=st.sampled_from(list("小米粒路人甲乙ABCabc_-0123")), min_size=1, max_size=8)
COMMENTS = st.text(alphabet=st.sampled_from(list("好看同意哈 [赞]!x1")), max_size=10)


@settings(max_examples=200, deadline=None)
@given(own=COMMENTS, hops=st.lists(st.tuples(NAMES, COMMENTS, st.sampled_from([":", "：", " : ", "： "]),
                                            st.sampled_from(["//@", "// @", "//@ "])), max_size=8))
def test_any_chain_of_n_markers_gives_n_plus_one_repost_edges(own, hops):
    text = own + "".join(f" {marker}{name}{colon}{comment}" for name, comment, colon, marker in hops)
    chain = parse_chain(text)
    assert [h[0] for h in chain.hops] == [h[0] for h in hops]
    assert [h[1] for h in chain.hops] == [h[1].strip() for h in hops]
    buf = RowBuffer(1000)
    emit_post(buf, 1, "A", "p1", text, "", repost_of="O", is_repost=True)
    kinds = buf.columns["kind"]
    assert kinds.count("repost") == len(hops) + 1  # A -> B1, B1 -> B2, ..., Bn -> O: none lost
    src, dst = buf.columns["src"], buf.columns["dst"]
    assert src[0] == "A" and dst[-1] == "O"
    assert all(d == s for d, s in zip(dst[:len(hops) + 1], src[1:len(hops) + 1]))  # hops link up


@pytest.mark.parametrize("text, name, rest", [
    ("回复@小米粒:谢谢", "小米粒", "谢谢"), ("回复@小米粒：谢谢", "小米粒", "谢谢"),
    ("回复 @小米粒 ： 谢谢", "小米粒", "谢谢"), ("谢谢 回复@x:y", None, "谢谢 回复@x:y")])
def test_reply_prefix(text, name, rest):
    assert reply_target(text) == (name, rest)


def test_chains_on_real_weibo_texts():
    path = EXTERNAL / "weibo_senti_100k_subset2400" / "weibo_senti_100k.csv"
    if not path.exists():
        pytest.skip("shared weibo_senti data absent")
    with path.open(encoding="utf-8") as fh:
        texts = [row["review"] for row in csv.DictReader(fh)]
    with_chain = [t for t in texts if "//@" in t]
    assert len(with_chain) == 1127
    markers = hops = edges = 0
    for text in texts:
        n = len(re.findall(r"//\s*@", text))
        chain = parse_chain(text)
        assert len(chain.hops) == n, text
        markers += n
        hops += len(chain.hops)
        if n:
            buf = RowBuffer(1000)
            emit_post(buf, 1, "A", "p", text, "", repost_of="O", is_repost=True)
            edges += buf.columns["kind"].count("repost")
    assert hops == markers == 2451
    assert edges == markers + len([t for t in texts if re.search(r"//\s*@", t)])


# ------------------------------------------------------------------------------- encodings and time zones

SAMPLE = REPO / "data" / "sample" / "interactions.csv"


def _tables(ws) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(ws.path / f"{name}.parquet") for name in ("interactions", "edges", "vertices")}


def test_gb18030_copy_of_the_sample_builds_the_same_workspace(tmp_path):
    gb = tmp_path / "interactions.csv"
    gb.write_bytes(SAMPLE.read_text(encoding="utf-8").encode("gb18030"))
    utf = build_workspace([SAMPLE], tmp_path / "utf")
    other = build_workspace([gb], tmp_path / "gb")
    for name, table in _tables(utf.workspace).items():
        pd.testing.assert_frame_equal(table, _tables(other.workspace)[name])
    assert other.interactions.files[0].encoding == "gb18030"
    assert utf.interactions.files[0].encoding == "utf-8"
    import json

    manifest = json.loads((tmp_path / "gb" / "manifest.json").read_text())
    assert manifest["inputs"]["interactions"][0]["encoding"] == "gb18030"


@pytest.mark.parametrize("encoding, label", [("utf-16", "utf-16"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030")])
def test_other_encodings_read_the_same_rows(tmp_path, encoding, label):
    text = "src,dst,kind,text\n粉丝,星澜,repost,支持[赞]\nb,c,reply,好\n"
    reference = read_interactions(_write(tmp_path, "u.csv", text.encode("utf-8"))).frame
    result = read_interactions(_write(tmp_path, "x.csv", text.encode(encoding)))
    pd.testing.assert_frame_equal(result.frame, reference)
    assert result.files[0].encoding == label


def test_bytes_in_no_encoding_stop_with_file_and_line(tmp_path):
    path = _write(tmp_path, "bad.csv", b"src,dst,kind\na,b,reply\nc,d,\xff\xfe\xff\n")
    with pytest.raises(InputError) as info:
        read_interactions(path)
    assert str(path) in str(info.value) and "line 3 is not valid UTF-8" in str(info.value)


def test_naive_generic_timestamps_warn_once(tmp_path):
    path = _write(tmp_path, "n.csv", b"src,dst,kind,timestamp\na,b,reply,2026-01-05 08:00\nc,d,reply,2026-01-05 09:00\n"
                                    b"e,f,reply,2026-01-05T00:00:00Z\n")
    result = read_interactions(path)
    assert len(result.warnings) == 1 and "2 timestamp(s) had no time zone; UTC was assumed" in result.warnings[0]
    assert result.frame["timestamp"].iloc[0] == parse_time("2026-01-05T08:00:00Z")
    shanghai = read_interactions(path, timezone="Asia/Shanghai")
    assert shanghai.warnings == () and shanghai.frame["timestamp"].iloc[0] == parse_time("2026-01-05T00:00:00Z")
    out = CliRunner().invoke(main, ["build", str(path), "-o", str(tmp_path / "ws"), "--quiet"])
    assert out.exit_code == 0 and out.output.count("UTC was assumed") == 1


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_folder_of_exports_is_read_file_by_file(tmp_path):
    inter, users = read_inputs([FIX / "weibo_crawler"])
    assert [f.format for f in inter.files] == ["weibo-crawler", "weibo-crawler-users", "weibo-crawler-sqlite"]
    assert inter.counts() == {"read": 13, "kept": 11, "rejected": 1, "duplicate": 1}
    # names resolve across the files of one build: the sqlite chain's 小米粒 is users.csv's 2000000001
    assert "2000000001" in set(inter.frame["src"]) and "@小米粒" not in set(inter.frame["src"])
    xlsx = tmp_path / "export.xlsx"
    xlsx.write_bytes(b"PK\x03\x04rest")
    with pytest.raises(InputError, match="zip/Excel"):
        read_inputs([xlsx])
