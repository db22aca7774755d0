"""twarc2 pages column-wise: a block of API pages (an Arrow table) -> interaction rows, vectorised.

Gives exactly the rows, rejects, users and posts the per-record path
(:func:`kolgraph.build.importers.twitter.read_twitter_v2`) gives for the same pages -- same order,
same reasons, same record numbers -- without a Python call per tweet: nested fields are flattened
with Arrow (``list_flatten`` / ``list_parent_indices``), look-ups scoped to a page
(``includes.tweets`` authors, ``includes.users`` handles) are keyed joins, and the reply's leading
``@target`` is found with one regular expression over the texts that need it. A block this path
cannot take (a users page, a field of another type) raises :class:`NotColumnar` and is read by the
per-record path instead.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrow_rows import LastWins, field, keyed, row_table, truthy
from .base import POST_PREFIX, UNRESOLVED_PREFIX, ExportIndex

__all__ = ["V2_PAGE_SCHEMA", "v2_page_rows", "NotColumnar"]

_S = pa.string()
_TWEET = pa.struct([
    ("id", _S), ("author_id", _S), ("created_at", _S), ("text", _S), ("in_reply_to_user_id", _S),
    ("username", _S),  # present only on a page of users (twarc2 users / followers): per-record path
    ("referenced_tweets", pa.list_(pa.struct([("type", _S), ("id", _S)]))),
    ("entities", pa.struct([("mentions", pa.list_(pa.struct([("start", pa.int64()), ("username", _S), ("id", _S)])))])),
])
_USER = pa.struct([("id", _S), ("username", _S), ("name", _S), ("verified", pa.bool_()),
                   ("public_metrics", pa.struct([("followers_count", pa.int64())]))])
#: The fields of a twarc2 page the importer reads (everything else in the line is skipped).
V2_PAGE_SCHEMA = pa.schema([
    ("data", pa.list_(_TWEET)),
    ("includes", pa.struct([("users", pa.list_(_USER)), ("tweets", pa.list_(pa.struct([("id", _S), ("author_id", _S)])))])),
])
# ``^(?:RT\s+)?(?:@\w+[\s:]*)+`` with Python's Unicode \s and \w spelled out for RE2
_SPACE = r"[\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
_LEADING_RE2 = rf"^(?P<lead>(?:RT{_SPACE}+)?(?:@[\p{{L}}\p{{N}}_]+(?:{_SPACE}|:)*)+)"


class NotColumnar(Exception):
    """The block holds something only the per-record path handles (e.g. a page of users)."""


def _np(values) -> np.ndarray:
    return values.to_numpy(zero_copy_only=False)


def _add_new_users(index: ExportIndex, page: np.ndarray, users) -> None:
    """``includes.users`` in order; a user id not seen before is added (first seen wins)."""
    uid = field(users, "id")
    ok = truthy(uid)
    if not ok.any():
        return
    ids = _np(uid)
    import pandas as pd

    order = np.flatnonzero(ok)
    first = order[~pd.Series(ids[order], dtype=object).duplicated(keep="first").to_numpy()]
    known = index.users
    new = first[np.fromiter((u not in known for u in ids[first]), dtype=bool, count=len(first))]
    if not len(new):
        return
    take = pa.array(new)

    def none_if_empty(values):
        values = pc.take(values, take)
        return pc.if_else(pc.equal(values, ""), pa.scalar(None, values.type), values).to_pylist()

    handles = none_if_empty(field(users, "username"))
    names = none_if_empty(field(users, "name"))
    followers = pc.take(field(field(users, "public_metrics"), "followers_count"), take).to_pylist()
    verified = pc.take(field(users, "verified"), take).to_pylist()
    index.users.update(zip(ids[new].tolist(), zip(handles, names, followers, verified)))
    index._frame = None


def v2_page_rows(table: pa.Table, first_line: int, record0: int, index: ExportIndex
                 ) -> tuple[list[pa.Table], int, int]:
    """Rows of a block of twarc2 pages: (row tables, records read, records without interactions).

    ``first_line`` is the block's first line number and ``record0`` the records read before it
    (record numbers continue across blocks).
    """
    data = table.column("data").combine_chunks()
    includes = table.column("includes").combine_chunks()
    tweets = pc.list_flatten(data)
    n = len(tweets)
    if n and pc.any(pc.is_valid(field(tweets, "username"))).as_py():
        raise NotColumnar("a page of users")
    tweet_page = _np(pc.list_parent_indices(data)).astype(np.int64)
    record = record0 + 1 + np.arange(n, dtype=np.int64)
    lineno = first_line + tweet_page
    # users first (a page's users are indexed before its tweets in the per-record path too)
    users = field(includes, "users")
    users_page = _np(pc.list_parent_indices(users)).astype(np.int64)
    users = pc.list_flatten(users)
    _add_new_users(index, users_page, users)
    user_ok = truthy(field(users, "id")) & truthy(field(users, "username"))
    by_username = LastWins(keyed(users_page[user_ok], pc.filter(field(users, "username"), pa.array(user_ok))),
                           pc.filter(field(users, "id"), pa.array(user_ok)))
    inc = field(includes, "tweets")
    inc_page = _np(pc.list_parent_indices(inc)).astype(np.int64)
    inc = pc.list_flatten(inc)
    inc_ok = truthy(field(inc, "id")) & truthy(field(inc, "author_id"))
    authors = LastWins(keyed(inc_page[inc_ok], pc.filter(field(inc, "id"), pa.array(inc_ok))),
                       pc.filter(field(inc, "author_id"), pa.array(inc_ok)))

    tid, author = field(tweets, "id"), field(tweets, "author_id")
    item = _np(pc.is_valid(tweets)).astype(bool)
    valid = item & truthy(tid) & truthy(author)
    text = pc.fill_null(field(tweets, "text"), "")
    ts = pc.fill_null(field(tweets, "created_at"), "")
    out: list[pa.Table] = []
    # rejects: a data item that is not an object; a tweet without id or author_id
    for mask, reason, with_ids in ((~item, None, False), (item & ~valid, "tweet without id or author_id", True)):
        rows = np.flatnonzero(mask)
        if not len(rows):
            continue
        take = pa.array(rows)
        reasons = (pa.array([f"line {lineno[r]}: a data item that is not an object" for r in rows], _S)
                   if reason is None else reason)
        post = pc.take(tid, take) if with_ids else None
        if post is not None:
            post = pc.if_else(pc.equal(post, ""), pa.scalar(None, _S), post)
        out.append(row_table({"src": pc.fill_null(pc.take(author, take), "") if with_ids else "",
                              "dst": "", "kind": "", "timestamp": "", "text": "", "post_id": post,
                              "platform_type": "", "__key__": None, "__row__": record[rows],
                              "__parse_error__": reasons}, record[rows], np.zeros(len(rows), np.int64), rows))
    good = np.flatnonzero(valid)
    index.post_ids.extend(pc.take(tid, pa.array(good)).to_pylist())
    index.post_authors.extend(pc.take(author, pa.array(good)).to_pylist())

    # referenced tweets -> repost / reply rows
    refs = field(tweets, "referenced_tweets")
    ref_tweet = _np(pc.list_parent_indices(refs)).astype(np.int64)
    refs = pc.list_flatten(refs)
    rtype, rid = field(refs, "type"), field(refs, "id")
    is_rt, is_quote, is_reply = (_np(pc.fill_null(pc.equal(rtype, t), False)) for t in ("retweeted", "quoted", "replied_to"))
    keep = valid[ref_tweet] & (is_rt | is_quote | is_reply)
    ref_rows = np.flatnonzero(keep)
    ref_tweet, is_rt, is_quote, is_reply = ref_tweet[ref_rows], is_rt[ref_rows], is_quote[ref_rows], is_reply[ref_rows]
    take_ref = pa.array(ref_rows)
    rid = pc.take(rid, take_ref)
    target = authors.get(keyed(tweet_page[ref_tweet], rid))
    missing = ~truthy(target)
    if missing.any():
        in_reply = pc.take(field(tweets, "in_reply_to_user_id"), pa.array(ref_tweet))
        use = missing & is_reply & truthy(in_reply)
        target = pc.if_else(pa.array(use), in_reply, target)
        missing = ~truthy(target)
        ref_text = pc.take(text, pa.array(ref_tweet))
        rt_name = missing & is_rt & _np(pc.starts_with(ref_text, "RT @"))
        if rt_name.any():
            names = np.array([t[4:].split(":", 1)[0].strip() for t in _np(ref_text)[rt_name]], dtype=object)
            found = _np(by_username.get(keyed(tweet_page[ref_tweet][rt_name], pa.array(names, _S))))
            filled = np.array([f if f else UNRESOLVED_PREFIX + name for f, name in zip(found, names)], dtype=object)
            full = _np(target).copy()
            full[rt_name] = filled
            target = pa.array(full, _S)
            missing = ~truthy(target)
        post_target = pc.binary_join_element_wise(POST_PREFIX, pc.fill_null(rid, "None"), "")
        target = pc.if_else(pa.array(missing), post_target, target)
    kind = pc.if_else(pa.array(is_reply), "reply", "repost")
    ptype = pc.if_else(pa.array(is_rt), "retweet", pc.if_else(pa.array(is_quote), "quote", "reply"))
    ref_take = pa.array(ref_tweet)
    ref_tid = pc.take(tid, ref_take)
    out.append(row_table({
        "src": pc.take(author, ref_take), "dst": target, "kind": kind, "timestamp": pc.take(ts, ref_take),
        "text": pc.take(text, ref_take), "post_id": ref_tid, "platform_type": ptype,
        "__key__": pc.binary_join_element_wise(ref_tid, kind, target, "|"), "__row__": record[ref_tweet],
        "__parse_error__": ""}, record[ref_tweet], np.zeros(len(ref_tweet), np.int64), ref_rows))
    emitted = np.bincount(ref_tweet, minlength=n)
    retweet = np.bincount(ref_tweet[is_rt], minlength=n) > 0

    # mentions (not of a retweet: its mentions are the original's)
    ments = field(field(tweets, "entities"), "mentions")
    m_tweet = _np(pc.list_parent_indices(ments)).astype(np.int64)
    ments = pc.list_flatten(ments)
    m_rows = np.flatnonzero(valid[m_tweet] & ~retweet[m_tweet])
    m_tweet = m_tweet[m_rows]
    m_take = pa.array(m_rows)
    username = pc.fill_null(pc.take(field(ments, "username"), m_take), "")
    m_target = pc.take(field(ments, "id"), m_take)
    no_id = ~truthy(m_target)
    if no_id.any():
        by_name = by_username.get(keyed(tweet_page[m_tweet], username))
        placeholder = pc.if_else(pc.equal(username, ""), "", pc.binary_join_element_wise(UNRESOLVED_PREFIX, username, ""))
        m_target = pc.if_else(pa.array(no_id), pc.if_else(pc.is_valid(by_name), by_name, placeholder), m_target)
    m_keep = truthy(m_target)
    # the reply's leading @target (and a quote's) is the edge itself, not a mention
    ref_keys = keyed(ref_tweet, target)
    in_targets = m_keep & _np(pc.is_in(keyed(m_tweet, m_target), value_set=ref_keys))
    if in_targets.any():
        lead_text = pc.take(text, pa.array(m_tweet[in_targets]))
        match = pc.extract_regex(lead_text, _LEADING_RE2)
        lead = _np(pc.fill_null(pc.utf8_length(field(match, "lead")), 0)).astype(np.int64)
        start = _np(pc.fill_null(pc.take(field(ments, "start"), pa.array(m_rows[in_targets])), 0)).astype(np.int64)
        drop = np.zeros(len(m_rows), bool)
        drop[np.flatnonzero(in_targets)[start < lead]] = True
        m_keep &= ~drop
    sel = np.flatnonzero(m_keep)
    sel_take = pa.array(sel)
    m_tweet, m_target = m_tweet[sel], pc.take(m_target, sel_take)
    m_take = pa.array(m_tweet)
    m_tid = pc.take(tid, m_take)
    out.append(row_table({
        "src": pc.take(author, m_take), "dst": m_target, "kind": "mention", "timestamp": pc.take(ts, m_take),
        "text": pc.take(text, m_take), "post_id": m_tid, "platform_type": "mention",
        "__key__": pc.binary_join_element_wise(m_tid, "mention", m_target, "|"), "__row__": record[m_tweet],
        "__parse_error__": ""}, record[m_tweet], np.ones(len(m_tweet), np.int64), m_rows[sel]))
    emitted += np.bincount(m_tweet, minlength=n)
    without = int((valid & (emitted == 0)).sum())
    return out, n, without
