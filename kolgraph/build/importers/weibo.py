"""Weibo importers: dataabc/weibo-crawler (per-user CSV, users.csv, comments / reposts tables, the
sqlite file), dataabc/weibo-search (CSV with Chinese headers) and nghuyong/WeiboSpider (JSONL).

Column names are the tools' own (see ``tests/fixtures/exports/README.md`` for the source lines).
Mapping (methods page, sections 1 and 6): a repost is one repost edge per hop of its ``//@`` chain
(:mod:`.chains`), the last hop to the original author; a comment is a reply to the post's author,
or to ``name`` when it starts with ``回复@name:``; other ``@name`` in the post's own comment are
mentions. weibo-crawler writes ids with a trailing tab (so spreadsheets keep the digits): every id
is stripped. Times are Beijing time unless ``--timezone`` says otherwise.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from ...errors import InputError
from ...times import parse_weibo_time
from ..readers.jsonl import iter_json_lines
from ..readers.source import READ_ERRORS, bad_encoding_error, read_failure
from .base import POST_PREFIX, UNRESOLVED_PREFIX, ExportIndex, RowBuffer
from .chains import mentions, parse_chain, reply_target

__all__ = ["read_weibo_crawler", "read_weibo_crawler_users", "read_weibo_crawler_comments",
           "read_weibo_crawler_reposts", "read_weibo_crawler_sqlite", "read_weibo_search", "read_weibospider",
           "emit_post"]

_FALSE = {"false", "0", "否", "no"}


def _s(value) -> str:
    """An id or text cell as stripped text ('' for missing): weibo-crawler's trailing tab goes."""
    if value.__class__ is str:
        return value.strip()
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _name(name: str) -> str:
    return UNRESOLVED_PREFIX + name


def emit_post(buf: RowBuffer, row: int, author: str, post_id: str, text: str, ts, *, repost_of: str = "",
              is_repost: bool = False, comment_on: str = "", platform: str = "post") -> None:
    """Rows of one Weibo post or comment by ``author``.

    ``repost_of`` is the original author's id (or a ``post:<id>`` / ``@name`` placeholder);
    ``comment_on`` makes the record a comment on that target. Chains, the reply prefix and the
    own comment's @mentions are parsed from ``text``.
    """
    chain = parse_chain(text) if "//" in text else None
    own = chain.comment if chain else text.strip()
    reply_name, own_rest = reply_target(own) if "回复" in own else (None, own)
    emitted = 0
    taken: set[str] = set()
    if chain and chain.hops:
        names = [h[0] for h in chain.hops]
        first = _name(names[0])
        buf.add(row, author, first, "repost", ts, own, post_id, "repost", f"{post_id}|repost|{first}")
        for (name, comment), following in zip(chain.hops, names[1:] + [None]):
            target = _name(following) if following else repost_of
            if not target:
                continue  # the chain's original author is not in the record
            buf.add(row, _name(name), target, "repost", "", comment, None, "repost-chain", None)
        taken.update(names)
        emitted += 1
    elif is_repost or repost_of:
        if repost_of:
            buf.add(row, author, repost_of, "repost", ts, own, post_id, "repost", f"{post_id}|repost|{repost_of}")
            emitted += 1
        else:
            buf.reject(row, "a repost whose original post is not named", src=author, post_id=post_id or None,
                       text=text)
            return
    if reply_name:
        target = _name(reply_name)
        buf.add(row, author, target, "reply", ts, own_rest, post_id or None, "reply-to-comment" if comment_on else "reply",
                f"{post_id}|reply|{target}" if post_id else None)
        taken.add(reply_name)
        emitted += 1
    elif comment_on:
        buf.add(row, author, comment_on, "reply", ts, own, post_id or None, "comment",
                f"{post_id}|reply|{comment_on}" if post_id else None)
        emitted += 1
    if "@" in own_rest:
        for name in mentions(own_rest):
            if name in taken:
                continue
            target = _name(name)
            buf.add(row, author, target, "mention", ts, own_rest, post_id or None, "mention",
                    f"{post_id}|mention|{target}" if post_id else None)
            emitted += 1
    if not emitted:
        buf.without_interactions += 1


def _csv_chunks(path: Path, gz: bool, encoding: str, chunk_rows: int, columns: tuple[str, ...] = ()
                ) -> Iterator[pd.DataFrame]:
    """Raw string chunks of only the ``columns`` an importer uses (all when empty), as Python objects."""
    wanted = set(columns)
    opts = dict(dtype=object, keep_default_na=False, na_filter=False, encoding=encoding,
                compression="gzip" if gz else None,
                usecols=(lambda c: str(c).strip().lstrip("\ufeff") in wanted) if wanted else None)
    try:
        for chunk in pd.read_csv(path, chunksize=chunk_rows, **opts):
            chunk.columns = [str(c).strip().lstrip("\ufeff") for c in chunk.columns]
            yield chunk
    except UnicodeDecodeError:
        raise bad_encoding_error(path, gz, encoding) from None
    except pd.errors.ParserError as exc:
        raise InputError(str(path), f"malformed CSV: {str(exc).splitlines()[0]}") from None
    except READ_ERRORS as exc:
        raise read_failure(path, exc) from None


def _col(chunk: pd.DataFrame, *names: str) -> list:
    for name in names:
        if name in chunk:
            return chunk[name].tolist()
    return [""] * len(chunk)


def _require(path: Path, chunk: pd.DataFrame, *names: str) -> None:
    missing = [n for n in names if n not in chunk]
    if missing:
        raise InputError(str(path), f"header: missing column(s) {', '.join(missing)} of this export format; "
                                    f"the file has {', '.join(chunk.columns)}")


def _finish(buf: RowBuffer, **extra) -> None:
    buf.stats.update({"records": buf.records, "records_without_interactions": buf.without_interactions, **extra})


def read_weibo_crawler(path: Path, gz: bool, encoding: str, index: ExportIndex, chunk_rows: int,
                       stats: dict) -> Iterator[tuple[int, pd.DataFrame]]:
    """dataabc/weibo-crawler ``<user_id>.csv``: the author is the user id in the file name."""
    buf = RowBuffer(chunk_rows, stats)
    author = path.name.split(".")[0].strip()
    if not author.isdigit():
        raise InputError(str(path), "weibo-crawler names each CSV by the crawled user's id (e.g. 1669879400.csv); "
                                    "rename the file to <user_id>.csv so its posts have an author")
    index.user(author)
    row = 0
    for chunk in _csv_chunks(path, gz, encoding, chunk_rows, ("id", "正文", "完整日期", "日期", "是否原创", "源用户id",
                                                             "源用户昵称", "源微博id")):
        _require(path, chunk, "id", "正文")
        cols = zip(_col(chunk, "id"), _col(chunk, "正文"), _col(chunk, "完整日期", "日期"), _col(chunk, "是否原创"),
                   _col(chunk, "源用户id"), _col(chunk, "源用户昵称"), _col(chunk, "源微博id"),
                   _col(chunk, "源微博完整日期", "源微博日期"))
        for post_id, text, ts, original, src_user, src_name, src_post, src_ts in cols:
            row += 1
            buf.records += 1
            post_id, src_user, src_post = _s(post_id), _s(src_user), _s(src_post)
            if not post_id:
                buf.reject(row, "empty id", src=author, text=text)
                continue
            index.post(post_id, author)
            if src_user:
                index.user(src_user, _s(src_name), _s(src_name))
                index.post(src_post, src_user)
            is_repost = _s(original).lower() in _FALSE
            emit_post(buf, row, author, post_id, text, ts, repost_of=src_user, is_repost=is_repost)
            if buf.full():
                yield buf.flush()
    if len(buf):
        yield buf.flush()
    _finish(buf)


def read_weibo_crawler_users(path: Path, gz: bool, encoding: str, index: ExportIndex, chunk_rows: int,
                             stats: dict) -> Iterator[tuple[int, pd.DataFrame]]:
    """dataabc/weibo-crawler ``users.csv``: users only (用户id, 昵称, 粉丝数, 是否认证)."""
    buf = RowBuffer(chunk_rows, stats)
    for chunk in _csv_chunks(path, gz, encoding, chunk_rows, ("用户id", "昵称", "粉丝数", "是否认证")):
        _require(path, chunk, "用户id")
        for uid, name, followers, verified in zip(_col(chunk, "用户id"), _col(chunk, "昵称"), _col(chunk, "粉丝数"),
                                                  _col(chunk, "是否认证")):
            buf.records += 1
            buf.without_interactions += 1
            index.user(_s(uid), _s(name), _s(name), _s(followers), _s(verified))
    _finish(buf, users=buf.records)
    return iter(())


def _comment_rows(buf: RowBuffer, index: ExportIndex, rows: Iterable[tuple], start: int, table: str,
                  repost: bool) -> Iterator[tuple[int, pd.DataFrame]]:
    row = start
    for cid, weibo_id, user_id, screen_name, created_at, text in rows:
        row += 1
        buf.records += 1
        cid, weibo_id, user_id = _s(cid), _s(weibo_id), _s(user_id)
        text = _s(text)
        if not user_id or not weibo_id:
            buf.reject(row, f"{table}: empty {'user_id' if not user_id else 'weibo_id'}", src=user_id,
                       post_id=cid or None, text=text)
            continue
        index.user(user_id, _s(screen_name), _s(screen_name))
        target = POST_PREFIX + weibo_id
        if repost:
            emit_post(buf, row, user_id, cid, text, _s(created_at), repost_of=target)
        else:
            emit_post(buf, row, user_id, cid, text, _s(created_at), comment_on=target)
        if buf.full():
            yield buf.flush()


_COMMENT_COLUMNS = ("id", "weibo_id", "user_id", "user_screen_name", "created_at", "text")


def read_weibo_crawler_comments(path: Path, gz: bool, encoding: str, index: ExportIndex, chunk_rows: int,
                                stats: dict, *, repost: bool = False) -> Iterator[tuple[int, pd.DataFrame]]:
    """The crawler's comments (or reposts) table as CSV: each row replies to (reposts) post ``weibo_id``."""
    buf = RowBuffer(chunk_rows, stats)
    start = 0
    for chunk in _csv_chunks(path, gz, encoding, chunk_rows, _COMMENT_COLUMNS):
        _require(path, chunk, *_COMMENT_COLUMNS)
        yield from _comment_rows(buf, index, zip(*(chunk[c].tolist() for c in _COMMENT_COLUMNS)), start,
                                 "reposts" if repost else "comments", repost)
        start = buf.records
    if len(buf):
        yield buf.flush()
    _finish(buf)


def read_weibo_crawler_reposts(path, gz, encoding, index, chunk_rows, stats):
    """The crawler's reposts table as CSV (its text is the reposter's own comment, cut at ``//``)."""
    return read_weibo_crawler_comments(path, gz, encoding, index, chunk_rows, stats, repost=True)


def read_weibo_crawler_sqlite(path: Path, gz: bool, encoding: str, index: ExportIndex, chunk_rows: int,
                              stats: dict) -> Iterator[tuple[int, pd.DataFrame]]:
    """weibo-crawler's ``weibodata.db``: tables ``user``, ``weibo``, ``comments``, ``reposts``.

    Records are numbered across the tables in that order; a reason names the table.
    """
    buf = RowBuffer(chunk_rows, stats)
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise InputError(str(path), f"not a readable SQLite database: {exc}") from None
    if "weibo" not in tables:
        raise InputError(str(path), f"an SQLite file without weibo-crawler's 'weibo' table (tables: "
                                    f"{', '.join(sorted(tables)) or 'none'})")
    try:
        con.text_factory = str
        if "user" in tables:
            for uid, name, followers in con.execute("SELECT id, nick_name, follower_count FROM user"):
                index.user(_s(uid), _s(name), _s(name), followers)
                buf.records += 1
                buf.without_interactions += 1
        row = buf.records
        cursor = con.execute("SELECT id, user_id, screen_name, text, created_at, retweet_id FROM weibo")
        for post_id, user_id, screen_name, text, created_at, retweet_id in cursor:
            row += 1
            buf.records += 1
            post_id, user_id, retweet_id = _s(post_id), _s(user_id), _s(retweet_id)
            if not post_id or not user_id:
                buf.reject(row, "weibo: empty id or user_id", src=user_id, text=_s(text))
                continue
            index.user(user_id, _s(screen_name), _s(screen_name))
            index.post(post_id, user_id)
            emit_post(buf, row, user_id, post_id, _s(text), _s(created_at),
                      repost_of=POST_PREFIX + retweet_id if retweet_id else "")
            if buf.full():
                yield buf.flush()
        for table, repost in (("comments", False), ("reposts", True)):
            if table not in tables:
                continue
            rows = con.execute(f"SELECT id, weibo_id, user_id, user_screen_name, created_at, text FROM {table}")
            yield from _comment_rows(buf, index, rows, buf.records, table, repost)
    except sqlite3.DatabaseError as exc:
        raise InputError(str(path), f"cannot read the SQLite database: {exc}") from None
    finally:
        con.close()
    if len(buf):
        yield buf.flush()
    _finish(buf)


def read_weibo_search(path: Path, gz: bool, encoding: str, index: ExportIndex, chunk_rows: int,
                      stats: dict) -> Iterator[tuple[int, pd.DataFrame]]:
    """dataabc/weibo-search CSV: ``id, bid, user_id, 用户昵称, 微博正文, ..., 艾特用户, ..., 发布时间, ...,
    retweet_id``; a repost names the reposted post in ``retweet_id`` (itself a row of the same file)."""
    buf = RowBuffer(chunk_rows, stats)
    row = 0
    for chunk in _csv_chunks(path, gz, encoding, chunk_rows, ("id", "user_id", "用户昵称", "微博正文", "发布时间",
                                                             "retweet_id")):
        _require(path, chunk, "id", "user_id", "微博正文")
        cols = zip(_col(chunk, "id"), _col(chunk, "user_id"), _col(chunk, "用户昵称"), _col(chunk, "微博正文"),
                   _col(chunk, "发布时间"), _col(chunk, "retweet_id"))
        for post_id, user_id, name, text, ts, retweet_id in cols:
            row += 1
            buf.records += 1
            post_id, user_id, retweet_id = _s(post_id), _s(user_id), _s(retweet_id)
            if not post_id or not user_id:
                buf.reject(row, f"empty {'id' if not post_id else 'user_id'}", src=user_id, text=text)
                continue
            index.user(user_id, _s(name), _s(name))
            index.post(post_id, user_id)
            emit_post(buf, row, user_id, post_id, text, ts,
                      repost_of=POST_PREFIX + retweet_id if retweet_id else "")
            if buf.full():
                yield buf.flush()
    if len(buf):
        yield buf.flush()
    _finish(buf)


def _spider_user(index: ExportIndex, user: dict) -> str:
    uid = _s(user.get("_id"))
    index.user(uid, user.get("nick_name"), user.get("nick_name"), user.get("followers_count"), user.get("verified"))
    return uid


def read_weibospider(path: Path, gz: bool, encoding: str, index: ExportIndex, chunk_rows: int,
                     stats: dict, *, reference: float | None = None, tz: str = "Asia/Shanghai"
                     ) -> Iterator[tuple[int, pd.DataFrame]]:
    """nghuyong/WeiboSpider JSONL: tweets (``_id``, ``mblogid``, ``content``, ``user``, optional
    ``retweet_id``), comments (``_id``, ``content``, ``comment_user``, optional ``tweet_id`` /
    ``reply_comment``) and users; ``crawl_time`` (epoch seconds) resolves relative dates."""
    buf = RowBuffer(chunk_rows, stats)
    for lineno, item, error in iter_json_lines(path, gz, encoding, huge_ints=False):
        buf.records += 1
        if error or not isinstance(item, dict):
            buf.reject(lineno, error or "expected a JSON object")
            continue
        ts = _s(item.get("created_at"))
        crawl = item.get("crawl_time")
        if ts and (ts == "刚刚" or any(mark in ts for mark in ("前", "今天", "昨天", "月"))):
            try:
                ts = repr(parse_weibo_time(ts, reference=float(crawl) if crawl else reference, tz=tz))
            except ValueError as exc:
                buf.reject(lineno, str(exc), post_id=_s(item.get("_id")) or None)
                continue
        if isinstance(item.get("comment_user"), dict):
            author = _spider_user(index, item["comment_user"])
            reply = item.get("reply_comment") if isinstance(item.get("reply_comment"), dict) else None
            target = ""
            if reply and isinstance(reply.get("user"), dict):
                target = _spider_user(index, reply["user"])
            elif _s(item.get("tweet_id")):
                target = POST_PREFIX + _s(item["tweet_id"])
            text = _s(item.get("content"))
            if not author or (not target and not text.lstrip().startswith("回复")):
                buf.reject(lineno, "a comment that names neither the post it answers (tweet_id) nor a reply "
                                   "target; crawl comments with a WeiboSpider version that writes tweet_id",
                           src=author, post_id=_s(item.get("_id")) or None, text=text)
                continue
            emit_post(buf, lineno, author, _s(item.get("_id")), text, ts, comment_on=target)
        elif isinstance(item.get("user"), dict) and ("content" in item or "mblogid" in item):
            author = _spider_user(index, item["user"])
            post_id = _s(item.get("_id"))
            if not author or not post_id:
                buf.reject(lineno, "a tweet without _id or user._id", src=author)
                continue
            index.post(post_id, author)
            if item.get("mblogid"):
                index.post(_s(item["mblogid"]), author)
            retweet = _s(item.get("retweet_id"))
            emit_post(buf, lineno, author, post_id, _s(item.get("content")), ts,
                      repost_of=POST_PREFIX + retweet if retweet else "",
                      is_repost=bool(item.get("is_retweet")) and not retweet and "//@" in _s(item.get("content")))
        elif "nick_name" in item and "_id" in item:
            _spider_user(index, item)
            buf.without_interactions += 1
        else:
            buf.reject(lineno, "not a WeiboSpider tweet, comment or user item")
            continue
        if buf.full():
            yield buf.flush()
    if len(buf):
        yield buf.flush()
    _finish(buf)
