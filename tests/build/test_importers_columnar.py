"""The column-wise (Arrow) import path gives exactly what the record-by-record path gives.

Same kept rows in the same order, same rejects (file, row, reason), same per-file counts, same
users -- on the fixtures, the real twarc2 / v1.1 files, and files mixing good lines with broken
ones (truncated JSON, values of another type, missing ids, blank lines, a users page), read in
blocks small enough that good and bad blocks alternate.
"""

from __future__ import annotations

import functools
import json
import random
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kolgraph.build import importers
from kolgraph.build.importers import twitter
from kolgraph.build.readers import json_blocks, read_inputs

REPO = Path(__file__).resolve().parents[2]
FIX = REPO / "tests" / "fixtures" / "exports"
EXTERNAL = REPO.parent / "shared" / "data" / "external"
if not EXTERNAL.is_dir():
    EXTERNAL = REPO.parents[1] / "shared" / "data" / "external"

SLOW = {"twitter-v2": functools.partial(twitter.read_twitter_v2, columnar=False),
        "twitter-v1": functools.partial(twitter.read_twitter_v1, columnar=False)}


def _read(paths, monkeypatch, *, columnar: bool, block_bytes: int = 1 << 20, fmt: str | None = None):
    with monkeypatch.context() as m:
        m.setattr(json_blocks, "BLOCK_BYTES", block_bytes)
        if not columnar:
            for name, reader in SLOW.items():
                m.setitem(importers.IMPORTERS, name, reader)
        inter, users = read_inputs([str(p) for p in paths], input_format=fmt)
    return inter, users


def _same(paths, monkeypatch, *, block_bytes: int = 1 << 20, fmt: str | None = None):
    fast, fast_users = _read(paths, monkeypatch, columnar=True, block_bytes=block_bytes, fmt=fmt)
    slow, slow_users = _read(paths, monkeypatch, columnar=False, fmt=fmt)
    pd.testing.assert_frame_equal(fast.frame.astype(object), slow.frame.astype(object))
    pd.testing.assert_frame_equal(fast.rejects.astype(object).reset_index(drop=True),
                                  slow.rejects.astype(object).reset_index(drop=True))
    assert [f.to_dict() for f in fast.files] == [f.to_dict() for f in slow.files]
    assert dict(fast.info["resolution"]) == dict(slow.info["resolution"])
    pd.testing.assert_frame_equal(fast_users.frame.astype(object), slow_users.frame.astype(object))
    return fast


@pytest.mark.parametrize("relative", ["twitter/twarc2_pages.jsonl", "twitter/v1_tweets.jsonl"])
def test_fixtures_agree(relative, monkeypatch):
    result = _same([FIX / relative], monkeypatch)
    assert result.read > 0


@pytest.mark.parametrize("name", ["brexit.jsonl", "noflat.jsonl", "mentions_tweet.jsonl", "quoted_edit.jsonl",
                                  "two_tweets.jsonl"])
def test_real_twarc_files_agree(name, monkeypatch):
    path = EXTERNAL / "twarc_v2" / name
    if not path.exists():
        pytest.skip("shared twarc_v2 data absent")
    result = _same([path], monkeypatch, block_bytes=64 << 10)
    assert result.kept > 0


def _page(rng: random.Random, n: int, start: int) -> dict:
    users = [str(100 + i) for i in range(8)]
    data, inc_tweets = [], []
    for i in range(start, start + n):
        author, target = rng.choice(users), rng.choice(users)
        tweet = {"id": str(9000 + i), "author_id": author, "created_at": f"2026-01-05T10:{i % 60:02d}:00.000Z"}
        roll = rng.random()
        if roll < 0.3:
            tweet["text"] = f"RT @u{target}: hi @u{rng.choice(users)}"
            tweet["referenced_tweets"] = [{"type": "retweeted", "id": str(5000 + i)}]
            if rng.random() < 0.7:
                inc_tweets.append({"id": str(5000 + i), "author_id": target})
        elif roll < 0.55:
            tweet["text"] = f"@u{target} @u{rng.choice(users)} no way"
            tweet["in_reply_to_user_id"] = target if rng.random() < 0.8 else None
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": str(5000 + i)}]
            tweet["entities"] = {"mentions": [{"start": 0, "end": 4, "username": f"u{target}", "id": target},
                                              {"start": 6, "end": 10, "username": f"u{rng.choice(users)}"}]}
            if rng.random() < 0.5:
                inc_tweets.append({"id": str(5000 + i), "author_id": target})
        elif roll < 0.7:
            tweet["text"] = "look"
            tweet["referenced_tweets"] = [{"type": "quoted", "id": str(5000 + i)}, {"type": "other", "id": "1"}]
            inc_tweets.append({"id": str(5000 + i), "author_id": target})
            tweet["entities"] = {"mentions": [{"start": 9, "username": "nobody"}]}
        elif roll < 0.8:
            tweet["text"] = "just words"
        elif roll < 0.85:
            del tweet["author_id"]
            tweet["text"] = "no author"
        else:
            tweet["text"] = f"hello @u{target}"
            tweet["entities"] = {"mentions": [{"start": 6, "username": f"u{target}", "id": target if roll < 0.95 else ""}]}
        data.append(tweet)
    # the same user differs from page to page (the first page that shows a user wins)
    inc_users = [{"id": u, "username": f"u{u}", "name": f"User {u} {rng.randint(0, 2)}" if u != "103" else "",
                  "public_metrics": {"followers_count": int(u) + rng.randint(0, 3)}, "verified": rng.random() < 0.5}
                 for u in rng.sample(users, 6)]
    return {"data": data, "includes": {"users": inc_users, "tweets": inc_tweets}}


BROKEN = [
    '{"data": [{"id": "1", "author_id": "2", "text": "trunc',  # truncated JSON
    '{"data": [{"id": 7, "author_id": "2", "text": "an int id"}]}',  # wrong type
    '{"data": [null, {"id": "8", "author_id": "3", "text": "@u100 x", "entities": {"mentions": '
    '[{"start": 0, "username": "u100", "id": "100"}]}}]}',  # a data item that is not an object
    '',  # blank line
    '[1, 2]',  # not an object
    '{"data": [{"id": "", "author_id": "2"}, {"id": "9", "author_id": null}]}',  # missing ids
    '{"data": [{"id": "77", "username": "someone", "name": "S", "public_metrics": {"followers_count": 5}}]}',  # users page
    '{"data": []} {"data": []}',  # two objects on a line
    '{"data": [{"id": "10", "author_id": "101", "text": "x", "entities": {"mentions": [{"start": 1.5, "id": "102"}]}}]}',
]


def _mixed_lines(good: str, broken: list[str], max_size: int):
    """Lists of (good, seed) and ("broken", index into ``broken``) items: a file's lines, in any mix."""
    return st.lists(st.one_of(st.integers(0, 10**6).map(lambda s: (good, s)),
                              st.sampled_from(range(len(broken))).map(lambda b: ("broken", b))),
                    min_size=1, max_size=max_size)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_mixed_lines("page", BROKEN, 14), st.sampled_from([256, 2048, 1 << 20]))
def test_mixed_good_and_broken_lines_agree(tmp_path_factory, monkeypatch, lines, block_bytes):
    path = tmp_path_factory.mktemp("mixed") / "pages.jsonl"
    out, start = [], 0
    for kind, value in lines:
        if kind == "page":
            rng = random.Random(value)
            n = rng.randint(0, 12)
            out.append(json.dumps(_page(rng, n, start)))
            start += n
        else:
            out.append(BROKEN[value])
    if not any(kind == "page" for kind, _ in lines):
        out.append(json.dumps(_page(random.Random(1), 5, 0)))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    try:
        _same([path], monkeypatch, block_bytes=block_bytes, fmt="twitter-v2")
    except Exception as exc:  # both paths must fail alike (e.g. nothing usable at all)
        with pytest.raises(type(exc)):
            _read([path], monkeypatch, columnar=False, fmt="twitter-v2")


def test_broken_lines_are_rejects_naming_the_line(tmp_path, monkeypatch):
    path = tmp_path / "pages.jsonl"
    good = json.dumps(_page(random.Random(3), 10, 0))
    path.write_text("\n".join([good, BROKEN[0], good.replace('"9000"', '"9900"'), BROKEN[1], ""]) + "\n")
    fast = _same([path], monkeypatch, block_bytes=256, fmt="twitter-v2")
    reasons = fast.rejects.loc[fast.rejects["category"] == "rejected", "reason"].tolist()
    assert any(r.startswith("line 2: not valid JSON") for r in reasons)
    assert not any("line 4" in r for r in reasons)  # the int id parses record by record, as before
    assert "blank line" in " ".join(reasons)


def test_clean_file_takes_the_columnar_path(tmp_path, monkeypatch):
    path = tmp_path / "pages.jsonl"
    path.write_text("\n".join(json.dumps(_page(random.Random(s), 10, 10 * s)) for s in range(5)) + "\n")
    calls = []
    original = twitter.v2_page_rows
    monkeypatch.setattr(twitter, "v2_page_rows", lambda *a: calls.append(1) or original(*a))
    _same([path], monkeypatch, fmt="twitter-v2")
    assert calls, "a clean UTF-8 file should be read column-wise"


def _rumoureval_lines(limit: int | None = None) -> list[str]:
    root = EXTERNAL / "rumoureval2017" / "threads"
    if not root.is_dir():
        pytest.skip("shared rumoureval2017 data absent")
    lines = []
    for file in sorted(root.rglob("*.json")):
        value = json.loads(file.read_text(encoding="utf-8"))
        if isinstance(value, dict) and "id_str" in value:
            lines.append(json.dumps(value, ensure_ascii=False))
    return lines[:limit]


def test_real_v1_tweets_as_jsonl_agree(tmp_path, monkeypatch):
    path = tmp_path / "rumoureval.jsonl"
    path.write_text("\n".join(_rumoureval_lines()) + "\n", encoding="utf-8")
    result = _same([path], monkeypatch, block_bytes=256 << 10, fmt="twitter-v1")
    assert result.kept > 1000


V1_BROKEN = [
    '{"id_str": "1", "user": {"id_str": "2"}, "text": "trunc',
    '{"id_str": 5, "user": {"id_str": "2"}, "text": "an int id"}',
    '{"id_str": "", "user": {"id_str": "2"}, "text": "no id"}',
    '{"id_str": "6", "user": null, "text": "no user"}',
    '',
    'null',
    '{"id_str": "7", "user": {"id_str": "3", "screen_name": "c"}, "in_reply_to_user_id_str": "4", "text": "@d hi",'
    ' "entities": {"user_mentions": [{"id_str": "4", "screen_name": "d", "indices": [null, 2]}]}}',
    '{"id_str": "8", "user": {"id_str": "3", "followers_count": "many"}, "text": "bad followers"}',
]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_mixed_lines("good", V1_BROKEN, 40), st.sampled_from([300, 4096, 1 << 20]))
def test_v1_mixed_good_and_broken_lines_agree(tmp_path_factory, monkeypatch, lines, block_bytes):
    good = _rumoureval_lines(400)
    path = tmp_path_factory.mktemp("v1") / "tweets.jsonl"
    out = [good[value % len(good)] if kind == "good" else V1_BROKEN[value] for kind, value in lines]
    path.write_text("\n".join(out + [good[0]]) + "\n", encoding="utf-8")
    try:
        _same([path], monkeypatch, block_bytes=block_bytes, fmt="twitter-v1")
    except Exception as exc:
        with pytest.raises(type(exc)):
            _read([path], monkeypatch, columnar=False, fmt="twitter-v1")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Xyz"]),
       st.sampled_from(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Foo"]),
       st.integers(0, 32), st.integers(0, 25), st.integers(0, 60), st.integers(0, 61), st.sampled_from(["+", "-"]),
       st.integers(0, 2399), st.integers(1999, 2101))
def test_twitter_times_column_wise_match_strptime(wd, mon, day, hour, minute, second, sign, offset, year):
    """Both column-wise paths (bytes at fixed places for Twitter's own spelling, else a regular
    expression and pandas) give what ``strptime`` gives, out-of-range parts included."""
    import numpy as np

    from kolgraph.times import _TWITTER_FORMAT, _to_seconds, _twitter_seconds

    text = f"{wd} {mon} {day:02d} {hour:02d}:{minute:02d}:{second:02d} {sign}{offset:04d} {year}"
    for values in ([text], [text, text], [text, text.replace(f" {day:02d} ", f" {day} ")]):
        values = pd.Series(values, dtype="str")
        expected = _to_seconds(pd.to_datetime(values, errors="coerce", utc=True, format=_TWITTER_FORMAT))
        if second >= 60:  # strptime rolls a leap second over; kolgraph refuses it, as parse_time does
            expected = np.full(len(values), np.nan)
        assert np.array_equal(_twitter_seconds(values), expected, equal_nan=True)


def test_twitter_times_fixed_width_path_taken_and_exact():
    """A column as Twitter writes it is read from its bytes (the fast path), with the right seconds,
    leap days included, and a sliced Arrow-backed column works as well."""
    import numpy as np
    import pyarrow as pa

    from kolgraph.times import _TWITTER_FORMAT, _fixed_width_seconds, _to_seconds, _twitter_seconds

    values = ["Wed Jan 07 11:06:08 +0000 2015", "Thu Feb 29 23:59:59 -0530 2024", "Sat Feb 29 00:00:00 +0000 2025",
              "Fri Dec 31 23:59:59 +1400 2099"]
    seconds, ok = _fixed_width_seconds(pa.array(values))
    assert ok.tolist() == [True, True, False, True]
    assert seconds[0] == 1420628768 and seconds[1] == 1709251199 + 5.5 * 3600 and seconds[3] == 4102444799 - 14 * 3600
    got = _twitter_seconds(pd.Series(values[1:], dtype="str"))
    assert got[0] == seconds[1] and np.isnan(got[1]) and got[2] == seconds[3]
    sliced = pa.array(["x"] + values)[1:]
    assert np.array_equal(_fixed_width_seconds(sliced)[0], seconds)
    assert _fixed_width_seconds(pa.array(values + ["Wed Jan 7 11:06:08 +0000 2015"])) is None
    # same width, not Twitter's spelling: left to the general path, row by row
    odd = ["Wed Jan 07 11:06:08 +0000 2015", "Xyz Jan 07 11:06:08 +0000 2015", "Wed Jan 07 11:06:08 *0000 2015",
           "Wed Jan 07 11:0a:08 +0000 2015", "Wed Jan 07 11:06:08 +0000 2O15", "Wed JAN 07 11:06:08 +0000 2015"]
    assert _fixed_width_seconds(pa.array(odd))[1].tolist() == [True] + [False] * 5
    got = _twitter_seconds(pd.Series(odd, dtype="str"))
    expected = _to_seconds(pd.to_datetime(pd.Series(odd, dtype="str"), errors="coerce", utc=True, format=_TWITTER_FORMAT))
    assert np.array_equal(got, expected, equal_nan=True)


def test_parse_times_twitter_column_mixed_with_other_forms():
    """parse_times reads Twitter's spelling from bytes first and sorts the rest as before: same
    values, reasons and naive count as each value parsed on its own."""
    import numpy as np

    from kolgraph.times import parse_time, parse_times

    values = ["Wed Jan 07 11:06:08 +0000 2015", "2026-01-05T00:00:00Z", "Wed Jan 7 11:06:08 +0000 2015",
              "Thu Feb 30 11:06:08 +0000 2015", "2026-01-05 08:00", "", "1767571200", "Wed Jan 07 11:06:08 +0000 1990",
              "Sun Dec 31 23:59:60 +0000 2034"]
    for column in (values, values[:1] * 3, [values[0], values[3]], values[1:]):
        result = parse_times(pd.Series(column, dtype="str"), default_tz="Asia/Shanghai")
        for value, got, why in zip(column, result.values, result.reasons):
            try:
                one = parse_time(value, default_tz="Asia/Shanghai") if value else None
            except Exception:
                one = None
            assert (np.isnan(got) and (one is None or why)) or got == one, (value, got, one, why)
        assert result.naive == sum(v == "2026-01-05 08:00" for v in column)


_CALL = st.tuples(st.sampled_from(["1", "2", "3", "4"]), st.sampled_from([None, "h1", "h2"]),
                  st.sampled_from([None, "n1", "n2"]), st.sampled_from([None, 0, 5]), st.sampled_from([None, True, False]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.lists(_CALL, max_size=6)), max_size=6), st.integers(1, 8))
def test_user_calls_in_blocks_match_one_by_one(segments, compact):
    """User calls handed over in blocks (collapsed now and then, merged when read) end as calling
    ``ExportIndex.user`` once per call, mixed with single calls in any order."""
    import pyarrow as pa

    from kolgraph.build.importers.base import ExportIndex

    one, blocks = ExportIndex(), ExportIndex()
    blocks.COMPACT_ROWS = compact
    for as_block, calls in segments:
        for call in calls:
            one.user(*call)
        if as_block and calls:
            uid, h, n, f, v = zip(*calls)
            blocks.add_user_calls(pa.table({"uid": pa.array(uid, pa.string()), "h": pa.array(h, pa.string()),
                                            "n": pa.array(n, pa.string()), "f": pa.array(f, pa.int64()),
                                            "v": pa.array(v, pa.bool_())}))
        else:
            for call in calls:
                blocks.user(*call)
    expected = one.users_frame()
    pd.testing.assert_frame_equal(blocks.users_frame().astype(object), expected.astype(object))
    assert blocks.users == one.users


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["1", "2", "3", "", "4"]), st.sampled_from([None, "", "h1", "h2"]),
                          st.sampled_from([None, "", "n1", "n2"]), st.sampled_from([None, 0, 5]),
                          st.sampled_from([None, True, False])), max_size=12), st.randoms(use_true_random=False))
def test_block_of_user_calls_in_any_row_order(calls, rng):
    """A block of user calls whose rows come in another order than the calls (``rank`` says which)
    collapses to what the calls one by one give, blank ids and names included."""
    import pyarrow as pa

    from kolgraph.build.importers.arrow_rows import merge_user_calls
    from kolgraph.build.importers.base import ExportIndex

    one, block = ExportIndex(), ExportIndex()
    for call in calls:
        one.user(*call)
    rows = list(range(len(calls)))
    rng.shuffle(rows)
    shuffled = [calls[r] for r in rows]
    columns = list(zip(*shuffled)) if calls else [()] * 5
    types = [pa.string(), pa.string(), pa.string(), pa.int64(), pa.bool_()]
    merge_user_calls(block, *(pa.array(list(c), t) for c, t in zip(columns, types)), rank=rows)
    pd.testing.assert_frame_equal(block.users_frame().astype(object), one.users_frame().astype(object))
    assert block.users == one.users


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(["RT", " ", "\u3000", "\u00a0", "@", "a", "名", "_", ":", "：", "1",
                                                    "\t", "x", "@b"]), max_size=10).map("".join),
                          st.integers(-1, 8)), max_size=12))
def test_starts_in_lead_matches_the_per_record_rule(rows):
    """The column-wise "is this mention inside the leading RT/@names run" (a capture-free match for
    mentions at 0, the run's length otherwise) agrees with the per-record regular expression."""
    import numpy as np
    import pyarrow as pa

    from kolgraph.build.importers.twitter import _leading_length
    from kolgraph.build.importers.twitter_columns import starts_in_lead

    texts = [t for t, _ in rows]
    starts = np.array([s for _, s in rows], dtype=np.int64)
    expected = [s < _leading_length(t) for t, s in rows]
    assert starts_in_lead(pa.array(texts, pa.string()), starts).tolist() == expected


def test_user_calls_collapse_is_not_repeated_on_every_block():
    """With more users than the collapse threshold, waiting calls are collapsed only when they have
    doubled since the last collapse (memory follows the users; no group-by over all users per block)."""
    import pyarrow as pa

    from kolgraph.build.importers import base
    from kolgraph.build.importers.base import ExportIndex

    collapses = []
    real = base._last_per_user
    index = ExportIndex()
    index.COMPACT_ROWS = 10

    def block(ids):
        return pa.table({"uid": pa.array(ids, pa.string()), "h": pa.nulls(len(ids), pa.string()),
                         "n": pa.nulls(len(ids), pa.string()), "f": pa.nulls(len(ids), pa.int64()),
                         "v": pa.nulls(len(ids), pa.bool_())})

    try:
        base._last_per_user = lambda calls: collapses.append(1) or real(calls)
        index.add_user_calls(block([str(i) for i in range(30)]))  # 30 users > 10: collapsed once
        for _ in range(10):
            index.add_user_calls(block(["1", "2"]))  # 30 + 20 rows: under 2 x 30, left waiting
        assert len(collapses) == 1
        index.add_user_calls(block([str(i) for i in range(40, 52)]))  # 62 > 60: collapsed again
        assert len(collapses) == 2 and len(index.users_frame()) == 42
    finally:
        base._last_per_user = real
