"""Brand stance and signed attitudes from interaction sentiment (methods page, section 2).

Three steps, each a vectorised pass over the interaction rows:

1. **Sentiment per interaction** ``s`` in [-1, 1] (:func:`interaction_sentiment`): the input's own
   ``sentiment`` column wins where it is given (not NaN); otherwise the text model's score
   (:mod:`kolgraph.algorithms.sentiment`). Only the rows that need a score are scored (``mask``),
   and each distinct text once (``pandas.factorize``), so millions of rows with repeated texts cost
   little. Rows with neither a sentiment value nor a text stay NaN (unknown).
2. **Brand stance** (:func:`user_stance`): a brand-directed interaction targets a brand account or
   names a brand keyword in its text (:func:`brand_directed`; case-insensitive substring match of
   the escaped keywords). A user's stance is the shrunk mean
   ``stance_u = sum(s) / (n + k0)`` over their brand-directed interactions with known sentiment,
   ``n`` being the stance's support; ``k0`` (default 2) is the prior strength, so one warm reply
   gives 1/3, not 1. Users with no such interaction have stance 0 and support 0.
   *Brand accounts among themselves*: interactions from one brand account to another (the account
   matrix reposting itself) are promotion, not opinion, and are left out of every stance
   (``exclude_brand_internal=True``). A brand account's own stance therefore comes only from what it
   says about the brand to others (e.g. customer care replies); the roles never tag brand accounts
   as fans or critics (they get the ``brand_account`` tag).
3. **Attitudes** (:func:`attitudes`): the same shrunk mean per ordered pair (u, v) over u's replies
   and mentions of v (reposts carry endorsement, not a sentiment toward the author, so they are
   left out by default). Self-interactions are dropped. The result is a signed attitude table
   ``(src, dst, attitude, support)``: the signed graph that the critic and what-if logic use.

All functions are pure: they never modify the frames they are given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..config import BrandConfig
from ..schema import ConfigError, normalise_kinds

__all__ = [
    "StanceParams",
    "TextIndex",
    "StanceResult",
    "AttitudeResult",
    "index_texts",
    "user_positions",
    "kind_mask",
    "keyword_pattern",
    "brand_directed",
    "interaction_sentiment",
    "user_stance",
    "attitudes",
]


@dataclass(frozen=True)
class StanceParams:
    """Parameters of stance and attitudes (config section ``[stance]``).

    - ``k0``: prior strength of the shrunk mean, >= 0 (0 gives the plain mean); default 2.
    - ``attitude_kinds``: interaction kinds that carry an attitude toward the target (default
      replies and mentions, per the methods page).
    - ``exclude_brand_internal``: leave interactions between two brand accounts out of stance.
    """

    k0: float = 2.0
    attitude_kinds: tuple[str, ...] = ("reply", "mention")
    exclude_brand_internal: bool = True

    def __post_init__(self) -> None:
        if not (np.isfinite(float(self.k0)) and float(self.k0) >= 0):
            raise ValueError(f"k0 must be a finite number >= 0, got {self.k0!r}")
        object.__setattr__(self, "k0", float(self.k0))
        object.__setattr__(self, "attitude_kinds", _canonical_kinds(self.attitude_kinds))
        object.__setattr__(self, "exclude_brand_internal", bool(self.exclude_brand_internal))


def _canonical_kinds(kinds: Iterable[str] | str) -> tuple[str, ...]:
    try:
        return normalise_kinds(kinds, what="attitude kinds")
    except ConfigError as exc:  # dataclass validation speaks ValueError (params_from_mapping maps it)
        raise ValueError(str(exc)) from None


# --------------------------------------------------------------------------- texts


@dataclass(frozen=True, eq=False)
class TextIndex:
    """The distinct texts of an interaction table: ``codes`` (per row, -1 for missing or empty text)
    and ``uniques`` (a string Series). Made once by :func:`index_texts` and shared by keyword
    detection and scoring, so each distinct text is looked at once."""

    codes: np.ndarray
    uniques: pd.Series

    def __len__(self) -> int:
        return len(self.codes)


def index_texts(interactions: pd.DataFrame) -> TextIndex:
    """Factorise the ``text`` column (missing column or empty texts get code -1)."""
    n = len(interactions)
    if "text" not in interactions:
        return TextIndex(np.full(n, -1, dtype=np.int64), pd.Series([], dtype="str"))
    text = interactions["text"]
    if text.dtype != "str":
        text = text.where(text.notna(), None).astype("str")
    codes, uniques = pd.factorize(text)
    uniques = pd.Series(uniques, dtype="str").reset_index(drop=True)
    codes = np.asarray(codes, dtype=np.int64)
    empty = np.flatnonzero((uniques.str.strip().str.len() == 0).to_numpy(dtype=bool, na_value=True))
    if empty.size:
        codes = np.where(np.isin(codes, empty), -1, codes)
    return TextIndex(codes, uniques)


def user_positions(values: pd.Series | Sequence[str], users: pd.Index) -> np.ndarray:
    """Position of each id in ``users`` (int64, -1 when absent), by Arrow's hash look-up.

    Much faster than ``users.get_indexer(values)`` on millions of Arrow-backed strings.
    """
    from ..build.graph import index_of

    values = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype="str")
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    return index_of(pd.Index(users, dtype="str"), values.astype("str"))


def kind_mask(kind: pd.Series, kinds: Iterable[str]) -> np.ndarray:
    """Rows whose kind is one of ``kinds`` (canonical names); fast on a categorical column."""
    kinds = list(kinds)
    if isinstance(kind.dtype, pd.CategoricalDtype):
        wanted = np.flatnonzero(np.asarray(kind.cat.categories.astype("str").isin(kinds), dtype=bool))
        return np.isin(np.asarray(kind.cat.codes), wanted)
    return kind.astype("str").isin(kinds).to_numpy(dtype=bool)


def _codes_or_none(codes: tuple[np.ndarray, np.ndarray] | None, n: int) -> tuple[np.ndarray, np.ndarray] | None:
    if codes is None:
        return None
    src, dst = (np.asarray(c, dtype=np.int64) for c in codes)
    if src.shape != (n,) or dst.shape != (n,):
        raise ValueError(f"codes must be two arrays of {n} positions")
    return src, dst


def keyword_pattern(keywords: Sequence[str]) -> str | None:
    """One regular expression matching any keyword literally (escaped, longest first); None if none."""
    kws = sorted({str(k).strip() for k in keywords if str(k).strip()}, key=lambda k: (-len(k), k))
    return "|".join(re.escape(k) for k in kws) if kws else None


def _as_brand(brand: BrandConfig | Mapping[str, Any] | None) -> BrandConfig:
    if brand is None:
        return BrandConfig()
    if isinstance(brand, BrandConfig):
        return brand
    if isinstance(brand, Mapping):
        return BrandConfig(accounts=tuple(brand.get("accounts", ())), keywords=tuple(brand.get("keywords", ())),
                           name=str(brand.get("name", "")))
    raise TypeError(f"brand must be a BrandConfig, got {type(brand).__name__}")


def brand_directed(interactions: pd.DataFrame, brand: BrandConfig, *, text_index: TextIndex | None = None,
                   users: pd.Index | None = None, codes: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Boolean mask: the row targets a brand account (``dst``) or names a brand keyword in its text.

    Keywords match case-insensitively as literal substrings (escaped into one regular expression),
    tested once per distinct text. ``text_index`` reuses a factorisation from :func:`index_texts`;
    ``users`` with ``codes`` (src and dst positions in ``users``, from :func:`user_positions`)
    reuse the id lookup.
    """
    brand = _as_brand(brand)
    n = len(interactions)
    mask = np.zeros(n, dtype=bool)
    if n == 0:
        return mask
    codes = _codes_or_none(codes, n)
    if brand.accounts:
        if codes is not None and users is not None:
            mask |= np.isin(codes[1], users.get_indexer(list(brand.accounts)))
        else:
            mask |= interactions["dst"].astype("str").isin(list(brand.accounts)).to_numpy(dtype=bool)
    pattern = keyword_pattern(brand.keywords)
    if pattern is not None and "text" in interactions:
        ti = text_index if text_index is not None else index_texts(interactions)
        if len(ti.codes) != n:
            raise ValueError(f"text_index has {len(ti.codes)} rows for {n} interactions")
        if len(ti.uniques):
            hit = ti.uniques.str.contains(pattern, case=False, regex=True).to_numpy(dtype=bool, na_value=False)
            ok = ti.codes >= 0
            mask[ok] |= hit[ti.codes[ok]]
    return mask


def _sentiment_column(interactions: pd.DataFrame) -> np.ndarray:
    if "sentiment" not in interactions:
        return np.full(len(interactions), np.nan)
    s = pd.to_numeric(interactions["sentiment"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return np.clip(s, -1.0, 1.0)


def interaction_sentiment(interactions: pd.DataFrame, model: Any = None, *, mask: np.ndarray | None = None,
                          text_index: TextIndex | None = None, quiet: bool = True) -> np.ndarray:
    """Sentiment in [-1, 1] per row (float64, NaN unknown): the ``sentiment`` column where given, else the model.

    ``mask`` (bool per row) limits text scoring to the rows that need it (e.g. brand-directed rows
    and replies/mentions); other rows keep only their input value. ``model`` is a
    :class:`~kolgraph.algorithms.sentiment.SentimentModel` (anything with ``score(texts)``);
    ``None`` loads the shipped model, and only when some row actually needs a text score.
    Each distinct text is scored once.
    """
    n = len(interactions)
    out = _sentiment_column(interactions)
    need = np.isnan(out)
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (n,):
            raise ValueError(f"mask has shape {mask.shape}, expected ({n},)")
        need &= mask
    if not need.any() or "text" not in interactions:
        return out
    ti = text_index if text_index is not None else index_texts(interactions)
    if len(ti.codes) != n:
        raise ValueError(f"text_index has {len(ti.codes)} rows for {n} interactions")
    rows = np.flatnonzero(need & (ti.codes >= 0))
    if rows.size == 0:
        return out
    wanted = np.flatnonzero(np.bincount(ti.codes[rows], minlength=len(ti.uniques)))  # distinct texts to score
    if model is None:
        from .sentiment import load_default_model

        model = load_default_model()
    texts = ti.uniques.iloc[wanted].reset_index(drop=True)
    try:
        scores = np.asarray(model.score(texts, quiet=quiet), dtype="float64")
    except TypeError:  # a model whose score() takes only the texts
        scores = np.asarray(model.score(texts), dtype="float64")
    if scores.shape != (len(wanted),):
        raise ValueError(f"the sentiment model returned {scores.shape} scores for {len(wanted)} texts")
    per_unique = np.full(len(ti.uniques), np.nan)
    per_unique[wanted] = np.clip(scores, -1.0, 1.0)
    out[rows] = per_unique[ti.codes[rows]]
    return out


# --------------------------------------------------------------------------- stance


@dataclass(frozen=True)
class StanceResult:
    """Brand stance per user: ``stance`` in [-1, 1] (shrunk mean) and ``support`` (rows averaged).

    ``sum`` holds the summed sentiment (so ``stance = sum / (support + k0)``). ``user_ids`` are in
    the order given (vertex order when called from the analysis).
    """

    method: str
    parameters: Mapping[str, Any]
    seed: int | None
    user_ids: pd.Index
    stance: np.ndarray = field(repr=False)
    support: np.ndarray = field(repr=False)
    sum: np.ndarray = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """user_id, stance, stance_support (int)."""
        return pd.DataFrame({"user_id": pd.array(self.user_ids, dtype="str"), "stance": self.stance,
                             "stance_support": self.support.astype(np.int64)})


def _user_index(interactions: pd.DataFrame, users: Iterable[str] | pd.Index | None) -> pd.Index:
    if users is None:
        codes, uniques = pd.factorize(pd.concat([interactions["src"], interactions["dst"]], ignore_index=True)
                                      .astype("str"))
        return pd.Index(uniques, dtype="str", name="user_id")
    idx = users if isinstance(users, pd.Index) else pd.Index(list(users))
    return pd.Index(idx.astype("str"), dtype="str", name="user_id")


def _check_sentiment(sentiment: np.ndarray, n: int) -> np.ndarray:
    s = np.asarray(sentiment, dtype="float64")
    if s.shape != (n,):
        raise ValueError(f"sentiment has shape {s.shape}, expected ({n},)")
    return s


def user_stance(interactions: pd.DataFrame, sentiment: np.ndarray, brand: BrandConfig, *, k0: float = 2.0,
                users: Iterable[str] | pd.Index | None = None, directed: np.ndarray | None = None,
                exclude_brand_internal: bool = True, text_index: TextIndex | None = None,
                codes: tuple[np.ndarray, np.ndarray] | None = None) -> StanceResult:
    """Each user's brand stance ``sum(s) / (n + k0)`` over their brand-directed rows with known ``s``.

    ``users`` fixes the users reported and their order (default: every src and dst in order of
    appearance); ``directed`` reuses a :func:`brand_directed` mask; ``codes`` (src and dst
    positions in ``users``) reuse the id lookup. Rows between two brand accounts are left out when
    ``exclude_brand_internal`` (module docstring).
    """
    params = StanceParams(k0=k0, exclude_brand_internal=exclude_brand_internal)
    brand = _as_brand(brand)
    n = len(interactions)
    s = _check_sentiment(sentiment, n)
    names = _user_index(interactions, users)
    codes = _codes_or_none(codes, n) if users is not None else None
    if directed is None:
        directed = brand_directed(interactions, brand, text_index=text_index, users=names, codes=codes)
    keep = np.asarray(directed, dtype=bool) & ~np.isnan(s)
    if params.exclude_brand_internal and brand.accounts and keep.any():
        if codes is not None:
            acc_pos = names.get_indexer(list(brand.accounts))
            internal = np.isin(codes[0], acc_pos) & np.isin(codes[1], acc_pos)
        else:
            acc = list(brand.accounts)
            internal = (interactions["src"].astype("str").isin(acc).to_numpy(dtype=bool)
                        & interactions["dst"].astype("str").isin(acc).to_numpy(dtype=bool))
        keep &= ~internal
    rows = np.flatnonzero(keep)
    if codes is not None:
        src = codes[0][rows]
    else:
        src = user_positions(interactions["src"].iloc[rows].astype("str"), names) if rows.size else \
            np.array([], np.int64)
    ok = src >= 0  # rows from users outside ``users`` are not reported
    support = np.bincount(src[ok], minlength=len(names)).astype(np.int64)
    total = np.bincount(src[ok], weights=s[rows][ok], minlength=len(names))
    with np.errstate(invalid="ignore", divide="ignore"):
        stance = np.where(support + params.k0 > 0, total / (support + params.k0), 0.0)
    parameters = {"k0": params.k0, "exclude_brand_internal": params.exclude_brand_internal,
                  "brand": brand.to_dict(), "rows_used": int(ok.sum())}
    return StanceResult(method="shrunk_mean", parameters=parameters, seed=None, user_ids=names,
                        stance=np.clip(stance, -1.0, 1.0), support=support, sum=total)


# --------------------------------------------------------------------------- attitudes


@dataclass(frozen=True)
class AttitudeResult:
    """Signed attitudes: one row per ordered pair (src, dst) with at least one scored interaction."""

    method: str
    parameters: Mapping[str, Any]
    seed: int | None
    frame: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """src, dst, attitude in [-1, 1], support (int): a copy."""
        return self.frame.copy()

    def __len__(self) -> int:
        return len(self.frame)


def attitudes(interactions: pd.DataFrame, sentiment: np.ndarray, *, k0: float = 2.0,
              kinds: Iterable[str] = ("reply", "mention"), users: pd.Index | None = None,
              codes: tuple[np.ndarray, np.ndarray] | None = None) -> AttitudeResult:
    """Attitude of u toward v: ``sum(s) / (n + k0)`` over u's rows of ``kinds`` toward v with known ``s``.

    Self-interactions are dropped. Rows are sorted by (src, dst): by position in ``users`` when
    given with ``codes`` (src and dst positions in ``users``), else by first appearance of the
    users; the same input gives the same table.
    """
    params = StanceParams(k0=k0, attitude_kinds=tuple(kinds) if not isinstance(kinds, str) else (kinds,))
    n = len(interactions)
    s = _check_sentiment(sentiment, n)
    empty = pd.DataFrame({"src": pd.Series([], dtype="str"), "dst": pd.Series([], dtype="str"),
                          "attitude": pd.Series([], dtype="float64"), "support": pd.Series([], dtype="int64")})
    parameters = {"k0": params.k0, "kinds": list(params.attitude_kinds)}
    if n == 0:
        return AttitudeResult("shrunk_mean", parameters, None, empty)
    keep = kind_mask(interactions["kind"], params.attitude_kinds) & ~np.isnan(s)
    rows = np.flatnonzero(keep)
    if rows.size == 0:
        return AttitudeResult("shrunk_mean", parameters, None, empty)
    codes = _codes_or_none(codes, n) if users is not None else None
    if codes is not None:
        uniques = pd.Index(users, dtype="str")
        a, b = codes[0][rows], codes[1][rows]
    else:
        src = interactions["src"].iloc[rows].astype("str").reset_index(drop=True)
        dst = interactions["dst"].iloc[rows].astype("str").reset_index(drop=True)
        both, uniques = pd.factorize(pd.concat([src, dst], ignore_index=True))
        m = rows.size
        a, b = both[:m].astype(np.int64), both[m:].astype(np.int64)
    not_self = (a != b) & (a >= 0) & (b >= 0)
    a, b, sv = a[not_self], b[not_self], s[rows][not_self]
    if a.size == 0:
        return AttitudeResult("shrunk_mean", parameters, None, empty)
    key = a * len(uniques) + b
    order = np.argsort(key, kind="stable")  # sort-based grouping (np.unique is slow on 10M keys in numpy 2.4)
    sorted_key = key[order]
    first = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
    pairs = sorted_key[first]
    group = np.cumsum(first) - 1
    support = np.bincount(group).astype(np.int64)
    total = np.bincount(group, weights=sv[order])
    names = pd.Index(uniques, dtype="str")
    frame = pd.DataFrame({
        "src": pd.array(names.take(pairs // len(uniques)), dtype="str"),
        "dst": pd.array(names.take(pairs % len(uniques)), dtype="str"),
        "attitude": np.clip(total / (support + params.k0), -1.0, 1.0) if params.k0 > 0 else total / support,
        "support": support,
    })
    return AttitudeResult("shrunk_mean", parameters, None, frame)
