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

from .arrow_rows import LastWins, RowGroups, as_numpy as _np, field, keyed, merge_user_calls, truthy
from .base import POST_PREFIX, UNRESOLVED_PREFIX, ExportIndex

__all__ = ["V2_PAGE_SCHEMA", "v2_page_rows", "V1_SCHEMA", "v1_rows", "NotColumnar", "starts_in_lead"]

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

#: a non-empty leading run: what ``_LEADING_RE2`` needs to match at all (no capture: a fast DFA match)
_LEAD_STARTS_RE2 = rf"^(?:RT{_SPACE}+)?@[\p{{L}}\p{{N}}_]"


def starts_in_lead(texts, starts: np.ndarray) -> np.ndarray:
    """Per row, whether the mention starting at ``starts`` (code points) lies in the text's leading
    ``RT @a: @b`` run, i.e. ``start < len(leading run)`` as the per-record path computes it.

    A mention at 0 (the usual reply) only needs to know whether the run is empty, a match with no
    capture; only mentions further in extract the run's length.
    """
    starts = np.asarray(starts, np.int64)
    inside = starts < 0
    first = np.flatnonzero(starts == 0)
    if len(first):
        inside[first] = _np(pc.fill_null(pc.match_substring_regex(pc.take(texts, pa.array(first)), _LEAD_STARTS_RE2),
                                         False))
    later = np.flatnonzero(starts > 0)
    if len(later):
        match = pc.extract_regex(pc.take(texts, pa.array(later)), _LEADING_RE2)
        lead = _np(pc.fill_null(pc.utf8_length(field(match, "lead")), 0)).astype(np.int64)
        inside[later] = starts[later] < lead
    return inside


class NotColumnar(Exception):
    """The block holds something only the per-record path handles (e.g. a page of users)."""


def _add_new_users(index: ExportIndex, page: np.ndarray, users) -> None:
    """``includes.users`` in order; a user id not seen before is added (first seen wins)."""
    uid = field(users, "id")
    ok = truthy(uid)
    if not ok.any():
        return
    seen = pc.unique(pc.filter(uid, pa.array(ok))).to_pylist()  # in order of first appearance
    known = index.users
    fresh = [u for u in seen if u not in known]
    if not fresh:
        return
    new = _np(pc.index_in(pa.array(fresh, _S), value_set=uid))  # each id's first row
    take = pa.array(new)

    def none_if_empty(values):
        values = pc.take(values, take)
        return pc.if_else(pc.equal(values, ""), pa.scalar(None, values.type), values).to_pylist()

    handles = none_if_empty(field(users, "username"))
    names = none_if_empty(field(users, "name"))
    followers = pc.take(field(field(users, "public_metrics"), "followers_count"), take).to_pylist()
    verified = pc.take(field(users, "verified"), take).to_pylist()
    index.users.update(zip(fresh, zip(handles, names, followers, verified)))
    index._frame = None


class _ByUsername:
    """Each page's ``username -> id`` map (last wins), built only when a look-up needs it (a mention
    without an id, a retweet whose original is not in the page)."""

    def __init__(self, page: np.ndarray, users):
        self.page, self.users, self.map = page, users, None

    def get(self, keys):
        if self.map is None:
            users = self.users
            ok = pa.array(truthy(field(users, "id")) & truthy(field(users, "username")))
            self.map = LastWins(keyed(self.page[_np(ok)], pc.filter(field(users, "username"), ok)),
                                pc.filter(field(users, "id"), ok))
        return self.map.get(keys)


def v2_page_rows(table: pa.Table, first_line: int, record0: int, index: ExportIndex
                 ) -> tuple[list[pa.Table], int, int]:
    """Rows of a block of twarc2 pages: (row tables, records read, records without interactions).

    ``first_line`` is the block's first line number and ``record0`` the records read before it
    (record numbers continue across blocks).
    """
    data, includes = (c.chunk(0) if c.num_chunks == 1 else c.combine_chunks()
                      for c in (table.column("data"), table.column("includes")))
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
    by_username = _ByUsername(users_page, users)
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
    out = RowGroups(author=author, post_id=tid, timestamp=ts, text=text, row_of=record)
    # rejects: a data item that is not an object; a tweet without id or author_id
    bad_item = np.flatnonzero(~item)
    if len(bad_item):
        out.rejects(bad_item, pa.array([f"line {lineno[r]}: a data item that is not an object" for r in bad_item], _S),
                    bad_item, blank=True)
    no_ids = np.flatnonzero(item & ~valid)
    if len(no_ids):
        out.rejects(no_ids, "tweet without id or author_id", no_ids)
    good = np.flatnonzero(valid)
    index.add_posts(pc.take(tid, pa.array(good)), pc.take(author, pa.array(good)))

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
    out.edges(ref_tweet, target, kind, ptype, 0, ref_rows)
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
    n_refs = np.bincount(ref_tweet, minlength=n)[m_tweet]
    in_targets = np.zeros(len(m_rows), bool)
    single = np.flatnonzero(m_keep & (n_refs == 1))
    if len(single):
        ref_at = np.zeros(n, np.int64)
        ref_at[ref_tweet] = np.arange(len(ref_tweet))  # tweets with one reference: its position
        same = pc.equal(pc.take(m_target, pa.array(single)), pc.take(target, pa.array(ref_at[m_tweet[single]])))
        in_targets[single] = _np(pc.fill_null(same, False))
    multi = np.flatnonzero(m_keep & (n_refs > 1))
    if len(multi):
        many = np.flatnonzero(np.bincount(ref_tweet, minlength=n)[ref_tweet] > 1)
        ref_keys = keyed(ref_tweet[many], pc.take(target, pa.array(many)))
        in_targets[multi] = _np(pc.is_in(keyed(m_tweet[multi], pc.take(m_target, pa.array(multi))),
                                         value_set=ref_keys))
    if in_targets.any():
        lead_text = pc.take(text, pa.array(m_tweet[in_targets]))
        start = _np(pc.fill_null(pc.take(field(ments, "start"), pa.array(m_rows[in_targets])), 0)).astype(np.int64)
        drop = np.zeros(len(m_rows), bool)
        drop[np.flatnonzero(in_targets)[starts_in_lead(lead_text, start)]] = True
        m_keep &= ~drop
    sel = np.flatnonzero(m_keep)
    sel_take = pa.array(sel)
    m_tweet, m_target = m_tweet[sel], pc.take(m_target, sel_take)
    out.edges(m_tweet, m_target, "mention", "mention", 1, m_rows[sel])
    emitted += np.bincount(m_tweet, minlength=n)
    without = int((valid & (emitted == 0)).sum())
    return [out.table()], n, without


_V1_USER = pa.struct([("id_str", _S), ("screen_name", _S), ("name", _S), ("followers_count", pa.int64()),
                      ("verified", pa.bool_())])
_V1_REF = pa.struct([("id_str", _S), ("user", _V1_USER)])
#: The fields of a Twitter v1.1 status the importer reads.
V1_SCHEMA = pa.schema([
    ("id_str", _S), ("created_at", _S), ("text", _S), ("full_text", _S),
    ("extended_tweet", pa.struct([("full_text", _S)])), ("user", _V1_USER),
    ("retweeted_status", _V1_REF), ("quoted_status", _V1_REF),
    ("in_reply_to_user_id_str", _S), ("in_reply_to_screen_name", _S), ("in_reply_to_status_id_str", _S),
    ("entities", pa.struct([("user_mentions", pa.list_(pa.struct([
        ("id_str", _S), ("screen_name", _S), ("name", _S), ("indices", pa.list_(pa.int64()))])))])),
])


def _first_truthy(*columns):
    """``a or b or c or ""`` element-wise over string columns."""
    result = None
    for values in reversed(columns):
        result = values if result is None else pc.if_else(pa.array(truthy(values)), values, result)
    return pc.fill_null(result, "")


def v1_rows(table: pa.Table, first_line: int, index: ExportIndex) -> tuple[list[pa.Table], int, int]:
    """Rows of a block of Twitter v1.1 statuses, one a line: (row tables, records, records without
    interactions) -- the rows, rejects, users and posts ``read_twitter_v1`` gives record by record."""
    n = table.num_rows
    line = first_line + np.arange(n, dtype=np.int64)
    col = {name: (c.chunk(0) if c.num_chunks == 1 else c.combine_chunks())
           for name, c in zip(table.column_names, table.columns)}
    user, rs, qs = col["user"], col["retweeted_status"], col["quoted_status"]
    tid = pc.fill_null(col["id_str"], "")
    author = pc.fill_null(field(user, "id_str"), "")
    valid = truthy(tid) & truthy(author)
    is_rt = _np(pc.is_valid(rs)).astype(bool) & valid
    is_q = _np(pc.is_valid(qs)).astype(bool) & valid & ~is_rt
    text = _first_truthy(field(col["extended_tweet"], "full_text"), col["full_text"], col["text"])
    ts = pc.fill_null(col["created_at"], "")
    reply_to = pc.fill_null(col["in_reply_to_user_id_str"], "")
    has_reply = valid & ~is_rt & truthy(reply_to)
    ments = field(col["entities"], "user_mentions")
    m_tweet = _np(pc.list_parent_indices(ments)).astype(np.int64)
    ments = pc.list_flatten(ments)
    m_id = pc.fill_null(field(ments, "id_str"), "")
    m_rows = np.flatnonzero(valid[m_tweet] & ~is_rt[m_tweet] & truthy(m_id))
    m_tweet = m_tweet[m_rows]
    m_take = pa.array(m_rows)
    indices = pc.take(field(ments, "indices"), m_take)
    heads = pc.list_slice(indices, 0, 1)  # ``(indices or [0])[0]``
    head_values = pc.list_flatten(heads)
    if pc.any(pc.is_null(head_values)).as_py():
        raise NotColumnar("a mention whose first index is null")
    starts = np.zeros(len(m_rows), np.int64)
    starts[_np(pc.list_parent_indices(heads)).astype(np.int64)] = _np(head_values)

    # users, in the per-record path's call order: author, retweeted / quoted author, reply target, mentions
    def user_cols(struct, rows):
        take = pa.array(rows)
        return [pc.take(field(struct, f), take) for f in ("id_str", "screen_name", "name", "followers_count", "verified")]

    all_rows = np.arange(n)
    calls = [(all_rows, 0, user_cols(user, all_rows))]
    rt_rows, q_rows = np.flatnonzero(is_rt), np.flatnonzero(is_q)
    calls.append((rt_rows, 1, user_cols(field(rs, "user"), rt_rows)))
    calls.append((q_rows, 2, user_cols(field(qs, "user"), q_rows)))
    r_rows = np.flatnonzero(has_reply)
    r_take = pa.array(r_rows)
    calls.append((r_rows, 3, [pc.take(reply_to, r_take), pc.take(col["in_reply_to_screen_name"], r_take),
                              pa.nulls(len(r_rows), _S), pa.nulls(len(r_rows), pa.int64()), pa.nulls(len(r_rows), pa.bool_())]))
    calls.append((m_tweet, 4, [pc.take(m_id, m_take), pc.take(field(ments, "screen_name"), m_take),
                               pc.take(field(ments, "name"), m_take), pa.nulls(len(m_rows), pa.int64()),
                               pa.nulls(len(m_rows), pa.bool_())]))
    order = np.lexsort((np.concatenate([np.arange(len(r)) for r, _, _ in calls]),
                        np.concatenate([np.full(len(r), k) for r, k, _ in calls]),
                        np.concatenate([r for r, _, _ in calls])))
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    merge_user_calls(index, *(pa.concat_arrays([c[i].cast(c[i].type) for _, _, c in calls]) for i in range(5)),
                     rank=rank)

    # targets of the retweet / quote: the original's author, else "the author of post <id>"
    def ref_target(struct, rows):
        take = pa.array(rows)
        uid = pc.fill_null(pc.take(field(field(struct, "user"), "id_str"), take), "")
        rid = pc.take(field(struct, "id_str"), take)
        post = pc.binary_join_element_wise(POST_PREFIX, pc.fill_null(rid, "None"), "")
        return pc.if_else(pa.array(truthy(uid)), uid, post), rid

    rt_target, rt_id = ref_target(rs, rt_rows)
    q_target, q_id = ref_target(qs, q_rows)
    # the post index, in call order: the tweet, its retweeted / quoted original, the replied-to post
    good = np.flatnonzero(valid)
    reply_post = pc.take(col["in_reply_to_status_id_str"], r_take)
    posts = [(good, 0, pc.take(tid, pa.array(good)), pc.take(author, pa.array(good))),
             (rt_rows, 1, rt_id, rt_target), (q_rows, 2, q_id, q_target), (r_rows, 3, reply_post, pc.take(reply_to, r_take))]
    pid = pa.concat_arrays([p[2].cast(_S) for p in posts])
    pauthor = pa.concat_arrays([p[3].cast(_S) for p in posts])
    ok = truthy(pid) & truthy(pauthor)
    porder = np.lexsort((np.concatenate([np.full(len(p[0]), p[1]) for p in posts]), np.concatenate([p[0] for p in posts])))
    porder = porder[ok[porder]]
    index.add_posts(pc.take(pid, pa.array(porder)), pc.take(pauthor, pa.array(porder)))

    out = RowGroups(author=author, post_id=tid, timestamp=ts, text=text, row_of=line)
    bad = np.flatnonzero(~valid)
    if len(bad):
        out.rejects(bad, "tweet without id_str or user.id_str", bad)

    edges = out.edges
    edges(rt_rows, rt_target, "repost", "retweet", 0, rt_rows)
    edges(q_rows, q_target, "repost", "quote", 0, q_rows)
    edges(r_rows, pc.take(reply_to, r_take), "reply", "reply", 1, r_rows)
    # a mention of the reply's target inside the leading @names is the reply itself
    m_target = pc.take(m_id, m_take)
    same = np.flatnonzero(_np(pc.equal(m_target, pc.take(reply_to, pa.array(m_tweet)))) & has_reply[m_tweet])
    keep = np.ones(len(m_rows), bool)
    if len(same):
        keep[same[starts_in_lead(pc.take(text, pa.array(m_tweet[same])), starts[same])]] = False
    sel = np.flatnonzero(keep)
    edges(m_tweet[sel], pc.take(m_target, pa.array(sel)), "mention", "mention", 2, m_rows[sel])
    emitted = (np.bincount(rt_rows, minlength=n) + np.bincount(q_rows, minlength=n) + np.bincount(r_rows, minlength=n)
               + np.bincount(m_tweet[sel], minlength=n))
    return [out.table()], n, int((valid & (emitted == 0)).sum())
