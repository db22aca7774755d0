"""Weibo repost chains, reply prefixes and @mentions in post text.

A repost's text is its own comment followed by the chain it reposted, newest first::

    真的假的 //@B: 转发理由 //@C: 原话

posted by A on O's original means A reposted B, B reposted C and C reposted O: one repost edge per
hop, each with its own comment (methods page, section 1). ``回复@name:`` at the start of a comment
makes it a reply to ``name``. Both ``:`` and the full-width ``：`` are accepted, with or without
spaces around them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Chain", "parse_chain", "reply_target", "mentions", "NAME"]

#: A Weibo screen name: letters (any script), digits, '_' and '-', up to 30 characters.
NAME = r"[^\s@:：/,，。;；!！()（）\[\]【】<>《》\"'“”]{1,30}"
_HOP = re.compile(r"//\s*@\s*(" + NAME + r")\s*[:：]?")
_REPLY = re.compile(r"^\s*回复\s*@\s*(" + NAME + r")\s*[:：]\s*")
_MENTION = re.compile(r"@(" + NAME + r")")


@dataclass(frozen=True)
class Chain:
    """A post's own comment and the hops it carries: ``hops[i] = (name, comment)``, newest first."""

    comment: str
    hops: tuple[tuple[str, str], ...]


def parse_chain(text: str) -> Chain:
    """Split ``text`` into its own comment and the ``//@name: comment`` hops it quotes.

    >>> parse_chain("真的假的 //@B: 转发理由 //@C：原话")
    Chain(comment='真的假的', hops=(('B', '转发理由'), ('C', '原话')))
    >>> parse_chain("no chain here").hops
    ()
    """
    text = "" if text is None else str(text)
    matches = list(_HOP.finditer(text))
    if not matches:
        return Chain(text.strip(), ())
    hops = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        hops.append((match.group(1), text[match.end():end].strip()))
    return Chain(text[:matches[0].start()].strip(), tuple(hops))


def reply_target(comment: str) -> tuple[str | None, str]:
    """(name, rest) when ``comment`` starts with ``回复@name:``, else (None, comment).

    >>> reply_target("回复 @小米粒 ： 说得对")
    ('小米粒', '说得对')
    """
    match = _REPLY.match(comment or "")
    if not match:
        return None, comment
    return match.group(1), comment[match.end():]


def mentions(text: str) -> list[str]:
    """Names mentioned with ``@name`` in ``text`` (in order, without repeats).

    >>> mentions("@a 和 @b，还有@a")
    ['a', 'b']
    """
    return list(dict.fromkeys(_MENTION.findall(text or "")))
