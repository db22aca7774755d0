"""X/Twitter importers: API v2 (twarc2 pages and flattened tweets) and API v1.1 (JSONL or a folder
tree of one tweet per file, the PHEME / RumourEval layout).

Mapping (methods page, sections 1 and 6): a retweet and a quote are reposts of the referenced
tweet's author (platform type ``retweet`` / ``quote`` kept), a reply is a reply to the replied-to
user, every other @mention is a mention. The reply's leading ``@target`` and a retweet's
``RT @target:`` name the target of that edge and are not separate mentions; a retweet's other
mentions belong to the original tweet and are not the retweeter's. Ids come from the string
fields (``id``, ``*_str``), never through a number.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pandas as pd

from ..readers.json_blocks import iter_json_blocks
from ..readers.jsonl import iter_json_lines, loads
from .arrow_rows import frame_of
from .base import POST_PREFIX, UNRESOLVED_PREFIX, ExportIndex, RowBuffer
from .twitter_columns import V1_SCHEMA, V2_PAGE_SCHEMA, NotColumnar, v1_rows, v2_page_rows

__all__ = ["read_twitter_v2", "read_twitter_v2_flat", "read_twitter_v1", "read_twitter_v1_tree"]

_LEADING = re.compile(r"^(?:RT\s+)?(?:@\w+[\s:]*)+")
_V2_KINDS = {"retweeted": ("repost", "retweet"), "quoted": ("repost", "quote"), "replied_to": ("reply", "reply")}


def _leading_length(text: str) -> int:
    match = _LEADING.match(text or "")
    return match.end() if match else 0


def _v2_user(index: ExportIndex, user: dict) -> None:
    metrics = user.get("public_metrics") or {}
    index.user(user.get("id"), user.get("username"), user.get("name"), metrics.get("followers_count"),
               user.get("verified"))


def _emit_v2(buf: RowBuffer, index: ExportIndex, row: int, tweet: dict, ref_author, by_username: dict) -> None:
    """Rows of one v2 tweet; ``ref_author`` maps a referenced tweet's id to its author (a dict), or is
    a function of the reference giving the author id or None. (Hot path: one call per tweet.)"""
    tweet_id = tweet.get("id")
    author = tweet.get("author_id")
    if not tweet_id or not author:
        buf.reject(row, "tweet without id or author_id", post_id=str(tweet_id) if tweet_id else None,
                   src=str(author or ""))
        return
    tweet_id, author = str(tweet_id), str(author)
    index.post_ids.append(tweet_id)
    index.post_authors.append(author)
    append = buf.rows.append
    text = tweet.get("text") or ""
    ts = tweet.get("created_at") or ""
    emitted = 0
    targets = ()
    retweet = False
    refs = tweet.get("referenced_tweets")
    if refs:
        targets = set()
        for ref in refs:
            rtype = ref.get("type")
            kind, ptype = _V2_KINDS.get(rtype, (None, None))
            if kind is None:
                continue
            target = ref_author.get(ref.get("id")) if isinstance(ref_author, dict) else ref_author(ref)
            if not target and rtype == "replied_to" and tweet.get("in_reply_to_user_id"):
                target = tweet["in_reply_to_user_id"]
            if not target and rtype == "retweeted" and text.startswith("RT @"):
                name = text[4:].split(":", 1)[0].strip()
                target = by_username.get(name) or UNRESOLVED_PREFIX + name
            target = str(target) if target else POST_PREFIX + str(ref.get("id"))
            targets.add(target)
            retweet = retweet or ptype == "retweet"
            append((author, target, kind, ts, text, tweet_id, ptype, f"{tweet_id}|{kind}|{target}", row, ""))
            emitted += 1
    entities = tweet.get("entities")
    if not retweet and entities and entities.get("mentions"):
        lead = -1
        for mention in entities["mentions"]:
            username = mention.get("username") or ""
            target = mention.get("id") or by_username.get(username)
            target = str(target) if target else (UNRESOLVED_PREFIX + username if username else "")
            if not target:
                continue
            if target in targets:
                if lead < 0:
                    lead = _leading_length(text)
                if (mention.get("start") or 0) < lead:
                    continue  # the reply's leading @target is the reply, not a mention
            append((author, target, "mention", ts, text, tweet_id, "mention", f"{tweet_id}|mention|{target}", row, ""))
            emitted += 1
    if not emitted:
        buf.without_interactions += 1


def _v2_page(buf: RowBuffer, index: ExportIndex, lineno: int, page, error: str) -> None:
    """Rows of one twarc2 page, record by record (the path for lines Arrow cannot take)."""
    if error or not isinstance(page, dict):
        buf.records += 1
        buf.reject(buf.records, f"line {lineno}: {error or 'expected a JSON object (an API page)'}")
        return
    includes = page.get("includes") or {}
    by_username = {}
    known = index.users
    for user in includes.get("users") or ():
        uid = user.get("id")
        if uid not in known:  # first seen wins: pages repeat the same users many times
            _v2_user(index, user)
        if uid and user.get("username"):
            by_username[user["username"]] = str(uid)
    authors = {}
    for ref in includes.get("tweets") or ():
        rid, rauthor = ref.get("id"), ref.get("author_id")
        if rid and rauthor:
            authors[rid] = rauthor  # in-page targets; data tweets go to the export's post index
    data = page.get("data") or []
    if isinstance(data, dict):
        data = [data]
    for tweet in data:
        buf.records += 1
        if not isinstance(tweet, dict):
            buf.reject(buf.records, f"line {lineno}: a data item that is not an object")
            continue
        if "text" not in tweet and "username" in tweet:  # a page of users (twarc2 users/followers)
            _v2_user(index, tweet)
            buf.without_interactions += 1
            continue
        _emit_v2(buf, index, buf.records, tweet, authors, by_username)


def read_twitter_v2(path: Path, gz: bool, encoding: str, index: ExportIndex, chunk_rows: int,
                    stats: dict, *, columnar: bool = True) -> Iterator[tuple[int, pd.DataFrame]]:
    """twarc2 output: one API response page per line (``data``, ``includes.users``, ``includes.tweets``).

    UTF-8 files are read in blocks parsed column-wise (:mod:`.twitter_columns`); a block Arrow or
    the column-wise path cannot take (a broken line, a value of another type, a page of users) and
    files in other encodings go record by record, with the same rows, rejects and counts.
    ``columnar=False`` reads everything record by record (tests compare the two).
    """
    buf = RowBuffer(chunk_rows, stats)
    yield from _columnar_or_records(
        path, gz, encoding, buf, chunk_rows, V2_PAGE_SCHEMA if columnar else None,
        lambda block: v2_page_rows(block.table, block.first_line, buf.records, index),
        lambda lineno, page, error: _v2_page(buf, index, lineno, page, error))
    _finish(buf)


def _flush_tables(buf: RowBuffer, tables: list) -> pd.DataFrame:
    frame = frame_of(tables)
    buf.rows_emitted += len(frame)
    return frame


def read_twitter_v2_flat(path: Path, gz: bool, encoding: str, index: ExportIndex, chunk_rows: int,
                    stats: dict) -> Iterator[tuple[int, pd.DataFrame]]:
    """``twarc2 flatten`` output: one tweet per line with ``author`` and referenced tweets expanded."""
    buf = RowBuffer(chunk_rows, stats)

    def ref_author(ref: dict):
        author = ref.get("author_id") or (ref.get("author") or {}).get("id")
        if ref.get("author"):
            _v2_user(index, ref["author"])
        if author:
            index.post(ref.get("id"), author)
        return str(author) if author else None

    for lineno, tweet, error in iter_json_lines(path, gz, encoding, huge_ints=False):
        buf.records += 1
        if error or not isinstance(tweet, dict):
            buf.reject(lineno, error or "expected a JSON object (a tweet)")
            continue
        if tweet.get("author"):
            _v2_user(index, tweet["author"])
        if tweet.get("in_reply_to_user"):
            _v2_user(index, tweet["in_reply_to_user"])
        by_username = {m["username"]: str(m["id"]) for m in ((tweet.get("entities") or {}).get("mentions") or ())
                       if m.get("username") and m.get("id")}
        _emit_v2(buf, index, lineno, tweet, ref_author, by_username)
        if buf.full():
            yield buf.flush()
    if len(buf):
        yield buf.flush()
    _finish(buf)


def _v1_text(tweet: dict) -> str:
    extended = tweet.get("extended_tweet") or {}
    return extended.get("full_text") or tweet.get("full_text") or tweet.get("text") or ""


def _v1_user(index: ExportIndex, user: dict) -> str:
    user_id = str(user.get("id_str") or "")
    index.user(user_id, user.get("screen_name"), user.get("name"), user.get("followers_count"), user.get("verified"))
    return user_id


def _emit_v1(buf: RowBuffer, index: ExportIndex, row: int, tweet: dict, where: str = "") -> None:
    tweet_id = str(tweet.get("id_str") or "")
    user = tweet.get("user") or {}
    author = _v1_user(index, user) if isinstance(user, dict) else ""
    if not tweet_id or not author:
        buf.reject(row, f"{where}tweet without id_str or user.id_str", post_id=tweet_id or None, src=author)
        return
    index.post(tweet_id, author)
    text = _v1_text(tweet)
    ts = tweet.get("created_at") or ""
    emitted = 0
    retweeted = tweet.get("retweeted_status")
    if isinstance(retweeted, dict):
        target = _v1_user(index, retweeted.get("user") or {}) or POST_PREFIX + str(retweeted.get("id_str"))
        index.post(retweeted.get("id_str"), target)
        buf.add(row, author, target, "repost", ts, text, tweet_id, "retweet", f"{tweet_id}|repost|{target}")
        return  # the rest of a retweet's text (and its mentions) is the original's
    quoted = tweet.get("quoted_status")
    targets = set()
    if isinstance(quoted, dict):
        target = _v1_user(index, quoted.get("user") or {}) or POST_PREFIX + str(quoted.get("id_str"))
        index.post(quoted.get("id_str"), target)
        buf.add(row, author, target, "repost", ts, text, tweet_id, "quote", f"{tweet_id}|repost|{target}")
        emitted += 1
    reply_to = str(tweet.get("in_reply_to_user_id_str") or "")
    if reply_to:
        index.user(reply_to, tweet.get("in_reply_to_screen_name"))
        if tweet.get("in_reply_to_status_id_str"):
            index.post(tweet["in_reply_to_status_id_str"], reply_to)
        targets.add(reply_to)
        buf.add(row, author, reply_to, "reply", ts, text, tweet_id, "reply", f"{tweet_id}|reply|{reply_to}")
        emitted += 1
    lead = _leading_length(text)
    for mention in ((tweet.get("entities") or {}).get("user_mentions") or ()):
        target = str(mention.get("id_str") or "")
        if not target:
            continue
        index.user(target, mention.get("screen_name"), mention.get("name"))
        start = (mention.get("indices") or [0])[0]
        if target in targets and start < lead:
            continue  # the reply's leading @target is the reply itself
        buf.add(row, author, target, "mention", ts, text, tweet_id, "mention", f"{tweet_id}|mention|{target}")
        emitted += 1
    if not emitted:
        buf.without_interactions += 1


def read_twitter_v1(path: Path, gz: bool, encoding: str, index: ExportIndex, chunk_rows: int,
                    stats: dict, *, columnar: bool = True) -> Iterator[tuple[int, pd.DataFrame]]:
    """Twitter API v1.1 tweets, one JSON object per line (or one per ``.json`` file).

    UTF-8 files are read in blocks parsed column-wise (:func:`.twitter_columns.v1_rows`); a block
    Arrow or that path cannot take, and other encodings, go record by record (same rows and rejects).
    """
    buf = RowBuffer(chunk_rows, stats)

    def one(lineno, tweet, error):
        buf.records += 1
        if error or not isinstance(tweet, dict):
            buf.reject(lineno, error or "expected a JSON object (a tweet)")
        else:
            _emit_v1(buf, index, lineno, tweet)

    yield from _columnar_or_records(path, gz, encoding, buf, chunk_rows, V1_SCHEMA if columnar else None,
                                    lambda block: v1_rows(block.table, block.first_line, index), one)
    _finish(buf)


def _columnar_or_records(path, gz, encoding, buf: RowBuffer, chunk_rows: int, schema, columnar, one):
    """Drive a JSON Lines importer: blocks Arrow parsed go to ``columnar(block)`` (row tables,
    records, records without interactions), every other line to ``one(lineno, value, error)``;
    rows leave in record order, in chunks of about ``chunk_rows``."""
    blocks = iter_json_blocks(path, gz, encoding, schema) if schema is not None else None
    if blocks is None:
        for lineno, value, error in iter_json_lines(path, gz, encoding, huge_ints=False):
            one(lineno, value, error)
            if buf.full():
                yield buf.flush()
    else:
        pending: list = []
        pending_rows = 0
        for block in blocks:
            if block.table is not None:
                try:
                    tables, records, without = columnar(block)
                except NotColumnar:
                    block.parse_lines()
                else:
                    buf.records += records
                    buf.without_interactions += without
                    pending.extend(tables)
                    pending_rows += sum(t.num_rows for t in tables)
                    if pending_rows >= chunk_rows:
                        yield buf.rows_emitted + 1, _flush_tables(buf, pending)
                        pending, pending_rows = [], 0
                    continue
            if pending:  # rows leave in record order
                yield buf.rows_emitted + 1, _flush_tables(buf, pending)
                pending, pending_rows = [], 0
            for lineno, value, error in block.lines:
                one(lineno, value, error)
                if buf.full():
                    yield buf.flush()
            if len(buf):
                yield buf.flush()
        if pending:
            yield buf.rows_emitted + 1, _flush_tables(buf, pending)
    if len(buf):
        yield buf.flush()


def read_twitter_v1_tree(path: Path, gz: bool, encoding: str, index: ExportIndex, chunk_rows: int,
                    stats: dict) -> Iterator[tuple[int, pd.DataFrame]]:
    """A folder tree with one v1.1 tweet per ``.json`` file (PHEME / RumourEval: ``<event>/<thread>/
    {source-tweet,replies}/<id>.json``). Files that are not tweets (``structure.json``, annotations)
    are skipped and counted; a file that is not valid JSON is a rejected record naming the file."""
    buf = RowBuffer(chunk_rows, stats)
    skipped = 0
    for number, file in enumerate(sorted(p for p in path.rglob("*.json") if p.is_file()), start=1):
        where = f"{file.relative_to(path)}: "
        try:
            tweet = loads(file.read_bytes())
        except (ValueError, UnicodeDecodeError) as exc:
            buf.records += 1
            buf.reject(number, f"{where}not valid JSON ({str(exc).split(':', 1)[0]})")
            continue
        if not isinstance(tweet, dict) or "id_str" not in tweet:
            skipped += 1
            continue
        buf.records += 1
        _emit_v1(buf, index, number, tweet, where)
        if buf.full():
            yield buf.flush()
    if len(buf):
        yield buf.flush()
    _finish(buf, skipped_files=skipped)


def _finish(buf: RowBuffer, **extra) -> None:
    buf.stats.update({"records": buf.records, "records_without_interactions": buf.without_interactions, **extra})
