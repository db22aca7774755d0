"""Input schema: column names, interaction kinds and their aliases (errors live in :mod:`kolgraph.errors`).

One place says what an input row may contain, so readers, the generator and the Neo4j store agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import ConfigError, InputError, KolgraphError, UnknownAccountError

__all__ = [
    "KINDS",
    "KIND_ALIASES",
    "DEFAULT_KIND_WEIGHTS",
    "REQUIRED_COLUMNS",
    "OPTIONAL_COLUMNS",
    "USER_COLUMNS",
    "EDGE_COLUMNS",
    "KolgraphError",
    "InputError",
    "ConfigError",
    "UnknownAccountError",
    "normalise_kind",
    "normalise_kinds",
    "kind_codes",
]

#: The three interaction kinds, in canonical spelling. ``u -> v``: u acted on content of v.
KINDS: tuple[str, ...] = ("repost", "reply", "mention")

#: Accepted spellings (compared after ``strip().lower()``) mapped to the canonical kind.
KIND_ALIASES: dict[str, str] = {
    "repost": "repost", "reposts": "repost", "retweet": "repost", "rt": "repost",
    "share": "repost", "转发": "repost",
    "reply": "reply", "replies": "reply", "comment": "reply", "comments": "reply",
    "评论": "reply", "回复": "reply",
    "mention": "mention", "mentions": "mention", "at": "mention", "@": "mention",
    "提及": "mention",
}

#: Influence weight per kind (methods page, section 1); an edge's weight is kind weight x count.
DEFAULT_KIND_WEIGHTS: dict[str, float] = {"repost": 1.0, "reply": 0.5, "mention": 0.3}

REQUIRED_COLUMNS: tuple[str, ...] = ("src", "dst", "kind")
OPTIONAL_COLUMNS: tuple[str, ...] = ("timestamp", "text", "sentiment", "post_id", "weight")
#: Columns of the optional users table; ``user_id`` is required there.
USER_COLUMNS: tuple[str, ...] = ("user_id", "display_name", "followers", "verified")
#: Columns of the collapsed edge table (one row per src, dst, kind).
EDGE_COLUMNS: tuple[str, ...] = (
    "src", "dst", "kind", "count", "weight", "first_ts", "last_ts", "sentiment",
)


def normalise_kind(value: str) -> str | None:
    """Canonical kind for an alias (case- and space-insensitive), or None when unknown."""
    return KIND_ALIASES.get(str(value).strip().lower())


def normalise_kinds(kinds, *, what: str = "kinds") -> tuple[str, ...]:
    """Canonical kinds for one alias or a list of aliases, without repeats; :class:`ConfigError` if unknown or empty."""
    if isinstance(kinds, str):
        kinds = [kinds]
    out = []
    for kind in kinds:
        canonical = normalise_kind(kind)
        if canonical is None:
            raise ConfigError(f"{what}: unknown interaction kind {kind!r}; use {', '.join(KINDS)}")
        out.append(canonical)
    if not out:
        raise ConfigError(f"{what}: give at least one interaction kind")
    return tuple(dict.fromkeys(out))


def kind_codes(kinds) -> np.ndarray:
    """Code of each canonical kind in :data:`KINDS` (0 repost, 1 reply, 2 mention), int8; -1 for anything else.

    Takes any column of kind strings (list, array, Series, Categorical). Aliases are not resolved
    here: readers canonicalise kinds (:func:`normalise_kind`) before a graph is built.

    >>> kind_codes(["reply", "repost", "retweet", None]).tolist()
    [1, 0, -1, -1]
    """
    if isinstance(kinds, pd.Categorical) or isinstance(getattr(kinds, "dtype", None), pd.CategoricalDtype):
        cat = pd.Categorical(kinds)
        lookup = pd.Index(list(KINDS)).get_indexer(cat.categories.astype(str))
        lookup = np.append(lookup, -1)  # code -1 (missing) maps to -1
        return lookup[np.asarray(cat.codes)].astype(np.int8)
    return pd.Index(list(KINDS)).get_indexer(pd.Index(np.asarray(kinds, dtype=object))).astype(np.int8)
