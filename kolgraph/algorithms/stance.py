"""Brand stance and signed attitudes from interaction sentiment (methods page, section 2).

Three steps, each a vectorised pass over the interaction rows:

1. **Sentiment per interaction** ``s`` in [-1, 1] (:func:`interaction_sentiment`): the input's own
   ``sentiment`` column wins where it is given (not NaN); otherwise the text model's score
   (:mod:`kolgraph.algorithms.sentiment`). Only the rows that need a score are scored (``mask``),
   and each distinct text once (``pandas.factorize``), so millions of rows with repeated texts cost
   little. Rows with neither a sentiment value nor a text stay NaN (unknown).
2. **Brand stance** (:func:`user_stance`): a brand-directed interaction targets a brand account or
   names a brand keyword in its text (:func:`brand_directed`). A user's stance is the shrunk mean
   ``stance_u = sum(s) / (n + k0)`` over their brand-directed rows with known sentiment, ``n``
   being its support, ``k0`` (default 2) the prior strength: one warm reply gives 1/3, not 1.
   Reposts without a hostile comment count as weak endorsement (+0.3, :func:`endorsed_sentiment`).
   Users with support below ``min_support`` have insufficient evidence: NaN, never 0.
   Interactions between two brand accounts are promotion, not opinion, and are left out
   (``exclude_brand_internal``); roles tag brand accounts ``brand_account``, never fan or critic.
3. **Attitudes** (:func:`attitudes`): the same shrunk mean per ordered pair (u, v) over u's replies
   and mentions of v (the reply-attitude model's ``P(support) - P(deny)`` for replies where one is
   configured, else sentiment) and u's reposts of v (weak endorsement). Self-interactions are
   dropped. The signed table ``(src, dst, attitude, support, ...)`` is the signed graph that the
   critic and what-if logic use; :func:`interaction_attitude_values` gives each row's part in it.

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
from .projection import take_names

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
    "endorsed_sentiment",
    "attitudes",
    "interaction_attitude",
    "interaction_attitude_values",
    "attitude_rows",
    "ATTITUDE_SOURCES",
]


@dataclass(frozen=True)
class StanceParams:
    """Parameters of stance and attitudes (config section ``[stance]``).

    - ``k0``: prior strength of the shrunk mean, >= 0 (0 gives the plain mean); default 2.
    - ``attitude_kinds``: interaction kinds that carry an attitude toward the target (default
      replies and mentions, per the methods page).
    - ``exclude_brand_internal``: leave interactions between two brand accounts out of stance.
    - ``repost_endorsement``: the sentiment a repost counts with when its comment is not hostile
      (no comment, or one scoring at least ``hostile_below``): weak endorsement, default +0.3,
      in [0, 1]; 0 leaves reposts out as before.
    - ``hostile_below``: a repost comment scoring below this is hostile and counts with its own
      score; default -0.3, in [-1, 0].
    - ``min_support``: users with fewer scored brand-directed interactions have "insufficient
      evidence": NaN stance, never a silent 0; default 1 (an integer >= 1).
    - ``attitude_model``: '' (sentiment stands in for reply attitude), 'default' (the shipped
      RumourEval-trained reply-attitude model) or a model file path.
    """

    k0: float = 2.0
    attitude_kinds: tuple[str, ...] = ("reply", "mention")
    exclude_brand_internal: bool = True
    repost_endorsement: float = 0.3
    hostile_below: float = -0.3
    min_support: int = 1
    attitude_model: str = ""

    def __post_init__(self) -> None:
        if not (np.isfinite(float(self.k0)) and float(self.k0) >= 0):
            raise ValueError(f"k0 must be a finite number >= 0, got {self.k0!r}")
        if not 0.0 <= float(self.repost_endorsement) <= 1.0:
            raise ValueError(f"repost_endorsement must be in [0, 1], got {self.repost_endorsement!r}")
        if not -1.0 <= float(self.hostile_below) <= 0.0:
            raise ValueError(f"hostile_below must be in [-1, 0], got {self.hostile_below!r}")
        if isinstance(self.min_support, bool) or int(self.min_support) != self.min_support or self.min_support < 1:
            raise ValueError(f"min_support must be an integer >= 1, got {self.min_support!r}")
        object.__setattr__(self, "repost_endorsement", float(self.repost_endorsement))
        object.__setattr__(self, "hostile_below", float(self.hostile_below))
        object.__setattr__(self, "min_support", int(self.min_support))
        object.__setattr__(self, "attitude_model", str(self.attitude_model or ""))
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
        wanted = np.asarray(kind.cat.categories.astype("str").isin(kinds), dtype=bool)
        return np.append(wanted, False)[np.asarray(kind.cat.codes)]  # by code; -1 (missing) reads the False
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
    endorsements: np.ndarray | None = field(default=None, repr=False)

    @property
    def sufficient(self) -> np.ndarray:
        """True where the user has enough evidence (support >= min_support) for a stance."""
        return ~np.isnan(self.stance)

    def to_frame(self) -> pd.DataFrame:
        """user_id, stance (NaN: insufficient evidence), stance_support (int), stance_evidence
        ('sufficient' / 'insufficient'), stance_endorsements (reposts counted as endorsement)."""
        frame = pd.DataFrame({"user_id": pd.array(self.user_ids, dtype="str"), "stance": self.stance,
                              "stance_support": self.support.astype(np.int64)})
        frame["stance_evidence"] = pd.Categorical(np.where(self.sufficient, "sufficient", "insufficient"),
                                                  categories=["insufficient", "sufficient"])
        ends = self.endorsements if self.endorsements is not None else np.zeros(len(self.support), np.int64)
        frame["stance_endorsements"] = ends.astype(np.int64)
        return frame


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


def endorsed_sentiment(interactions: pd.DataFrame, sentiment: np.ndarray, *, repost_endorsement: float = 0.3,
                       hostile_below: float = -0.3) -> tuple[np.ndarray, np.ndarray]:
    """(sentiment with reposts as weak endorsement, which rows were counted as endorsement).

    A repost whose comment is missing or not hostile (score >= ``hostile_below``) counts with
    ``max(score, repost_endorsement)``; a hostile comment keeps its own score. Other kinds are
    returned as given. ``repost_endorsement=0`` returns the sentiment unchanged.

    >>> f = pd.DataFrame({"kind": ["repost", "repost", "repost", "reply"]})
    >>> s, e = endorsed_sentiment(f, np.array([np.nan, -0.8, 0.9, np.nan]))
    >>> s.tolist(), e.tolist()
    ([0.3, -0.8, 0.9, nan], [True, False, False, False])
    """
    s = np.asarray(sentiment, dtype="float64").copy()
    n = len(interactions)
    if s.shape != (n,):
        raise ValueError(f"sentiment has shape {s.shape}, expected ({n},)")
    if repost_endorsement <= 0 or n == 0 or "kind" not in interactions:
        return s, np.zeros(n, dtype=bool)
    repost = kind_mask(interactions["kind"], ("repost",))
    not_hostile = np.asarray(repost, dtype=bool) & (np.isnan(s) | (s >= hostile_below))
    endorse = not_hostile & (np.isnan(s) | (s < repost_endorsement))
    s[endorse] = repost_endorsement
    return s, endorse


def user_stance(interactions: pd.DataFrame, sentiment: np.ndarray, brand: BrandConfig, *, k0: float = 2.0,
                users: Iterable[str] | pd.Index | None = None, directed: np.ndarray | None = None,
                exclude_brand_internal: bool = True, text_index: TextIndex | None = None,
                codes: tuple[np.ndarray, np.ndarray] | None = None, repost_endorsement: float = 0.0,
                hostile_below: float = -0.3, min_support: int = 1) -> StanceResult:
    """Each user's brand stance ``sum(s) / (n + k0)`` over their brand-directed rows with known ``s``.

    Brand-directed reposts without a hostile comment count as weak endorsement
    (:func:`endorsed_sentiment`) when ``repost_endorsement`` > 0: the analysis passes
    :class:`StanceParams`' default 0.3; the function's own default 0 keeps the plain mean of
    sentiment (what calibration measures).
    Users with fewer than ``min_support`` such rows get NaN: insufficient evidence, not 0.
    ``users`` fixes the users reported and their order (default: every src and dst in order of
    appearance); ``directed`` reuses a :func:`brand_directed` mask; ``codes`` (src and dst
    positions in ``users``) reuse the id lookup. Rows between two brand accounts are left out when
    ``exclude_brand_internal`` (module docstring).
    """
    params = StanceParams(k0=k0, exclude_brand_internal=exclude_brand_internal,
                          repost_endorsement=repost_endorsement, hostile_below=hostile_below,
                          min_support=min_support)
    brand = _as_brand(brand)
    n = len(interactions)
    s0 = _check_sentiment(sentiment, n)
    s, endorse = endorsed_sentiment(interactions, s0, repost_endorsement=params.repost_endorsement,
                                    hostile_below=params.hostile_below)
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
    ends = np.bincount(src[ok], weights=endorse[rows][ok].astype("float64"), minlength=len(names)).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        stance = np.where(support + params.k0 > 0, total / (support + params.k0), 0.0)
    stance = np.where(support >= params.min_support, np.clip(stance, -1.0, 1.0), np.nan)
    parameters = {"k0": params.k0, "exclude_brand_internal": params.exclude_brand_internal,
                  "repost_endorsement": params.repost_endorsement, "hostile_below": params.hostile_below,
                  "min_support": params.min_support, "brand": brand.to_dict(), "rows_used": int(ok.sum()),
                  "rows_endorsement": int(ends.sum()), "users_insufficient_evidence": int((support < params.min_support).sum())}
    return StanceResult(method="shrunk_mean", parameters=parameters, seed=None, user_ids=names,
                        stance=stance, support=support, sum=total, endorsements=ends)


# --------------------------------------------------------------------------- attitudes


@dataclass(frozen=True)
class AttitudeResult:
    """Signed attitudes: one row per ordered pair (src, dst) with at least one scored interaction."""

    method: str
    parameters: Mapping[str, Any]
    seed: int | None
    frame: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """src, dst, attitude in [-1, 1], support (int): a copy (copy-on-write, so no data is copied)."""
        return self.frame.copy(deep=False)

    def __len__(self) -> int:
        return len(self.frame)


def attitudes(interactions: pd.DataFrame, sentiment: np.ndarray, *, k0: float = 2.0,
              kinds: Iterable[str] = ("reply", "mention"), users: pd.Index | None = None,
              codes: tuple[np.ndarray, np.ndarray] | None = None, attitude: np.ndarray | None = None,
              repost_endorsement: float = 0.0, hostile_below: float = -0.3,
              attitude_source: str = "sentiment") -> AttitudeResult:
    """Attitude of u toward v: ``sum(a) / (n + k0)`` over u's rows toward v with a known value ``a``.

    ``a`` is, for rows of ``kinds`` (replies and mentions), the reply attitude ``attitude`` where
    given and not NaN (:func:`interaction_attitude`), else the sentiment; for reposts, weak
    endorsement (:func:`endorsed_sentiment`; the analysis passes :class:`StanceParams`' 0.3, the
    default 0 leaves reposts out). ``attitude_source`` names what ``attitude`` came from.
    Self-interactions are dropped. Rows are sorted by (src, dst): by position in ``users`` when
    given with ``codes``, else by first appearance of the users; the same input gives the same table.
    Columns: src, dst, attitude in [-1, 1], support (rows), endorsements (reposts among them),
    model_rows (rows valued by the reply-attitude model).
    """
    params = StanceParams(k0=k0, attitude_kinds=tuple(kinds) if not isinstance(kinds, str) else (kinds,),
                          repost_endorsement=repost_endorsement, hostile_below=hostile_below)
    n = len(interactions)
    s = _check_sentiment(sentiment, n)
    empty = pd.DataFrame({"src": pd.Series([], dtype="str"), "dst": pd.Series([], dtype="str"),
                          "attitude": pd.Series([], dtype="float64"), "support": pd.Series([], dtype="int64"),
                          "endorsements": pd.Series([], dtype="int64"), "model_rows": pd.Series([], dtype="int64")})
    parameters = {"k0": params.k0, "kinds": list(params.attitude_kinds),
                  "repost_endorsement": params.repost_endorsement, "hostile_below": params.hostile_below,
                  "attitude_source": attitude_source if attitude is not None else "sentiment"}
    if n == 0:
        return AttitudeResult("shrunk_mean", parameters, None, empty)
    value = s.copy()
    from_model = np.zeros(n, dtype=bool)
    in_kinds = kind_mask(interactions["kind"], params.attitude_kinds)
    if attitude is not None:
        att = _check_sentiment(attitude, n)
        from_model = in_kinds & ~np.isnan(att)
        value[from_model] = att[from_model]
    endorsed, endorse = endorsed_sentiment(interactions, s, repost_endorsement=params.repost_endorsement,
                                           hostile_below=params.hostile_below)
    repost = kind_mask(interactions["kind"], ("repost",)) if params.repost_endorsement > 0 else np.zeros(n, bool)
    repost = repost & ~in_kinds
    value[repost] = endorsed[repost]
    keep = (in_kinds | repost) & ~np.isnan(value)
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
    rows = rows[not_self]
    a, b, sv = a[not_self], b[not_self], value[rows]
    if a.size == 0:
        return AttitudeResult("shrunk_mean", parameters, None, empty)
    n_users = len(uniques)
    key = a * n_users + b
    order = np.argsort(key, kind="stable")  # sort-based grouping (np.unique is slow on 10M keys)
    key = key[order]
    first = np.r_[True, key[1:] != key[:-1]]
    pairs = key[first]
    group = np.empty(order.size, dtype=np.int64)  # each row's pair, in row order: the stable sort keeps
    group[order] = np.cumsum(first) - 1           # rows in order within a pair, so the sums are the same
    support = np.bincount(group).astype(np.int64)
    total = np.bincount(group, weights=sv)
    n_endorse, n_model = (np.bincount(group, weights=w).astype(np.int64) for w in ((endorse & repost)[rows], from_model[rows]))
    names = pd.Index(uniques, dtype="str")
    frame = pd.DataFrame({
        "src": take_names(names, pairs // n_users),
        "dst": take_names(names, pairs % n_users),
        "attitude": np.clip(total / (support + params.k0), -1.0, 1.0) if params.k0 > 0 else total / support,
        "support": support, "endorsements": n_endorse, "model_rows": n_model})
    return AttitudeResult("shrunk_mean", parameters, None, frame)


def interaction_attitude(interactions: pd.DataFrame, model: Any = None, *, mask: np.ndarray | None = None,
                         text_index: TextIndex | None = None, sentiment_model: Any = None) -> np.ndarray:
    """Reply attitude per row, ``P(support) - P(deny)`` in [-1, 1] (NaN where not scored), by the
    reply-attitude model (:mod:`kolgraph.algorithms.attitude`; ``None`` loads the shipped one).

    Only rows in ``mask`` (default: replies) with a text are scored, each distinct text once.
    """
    n = len(interactions)
    out = np.full(n, np.nan)
    if n == 0 or "text" not in interactions:
        return out
    mask = np.asarray(kind_mask(interactions["kind"], ("reply",)) if mask is None else mask, dtype=bool)
    if mask.shape != (n,):
        raise ValueError(f"mask has shape {mask.shape}, expected ({n},)")
    ti = text_index if text_index is not None else index_texts(interactions)
    rows = np.flatnonzero(mask & (ti.codes >= 0))
    if rows.size == 0:
        return out
    wanted = np.flatnonzero(np.bincount(ti.codes[rows], minlength=len(ti.uniques)))
    from .attitude import load_attitude_model

    scores = load_attitude_model(model).score(ti.uniques.iloc[wanted].reset_index(drop=True),
                                              sentiment_model=sentiment_model)
    per_unique = np.full(len(ti.uniques), np.nan)
    per_unique[wanted] = scores
    out[rows] = per_unique[ti.codes[rows]]
    return out


#: attitude_source categories of :func:`interaction_attitude_values`
ATTITUDE_SOURCES = ("none", "reply_model", "sentiment", "endorsement")


def interaction_attitude_values(interactions: pd.DataFrame, sentiment: np.ndarray, reply_attitude: np.ndarray | None,
                                *, kinds: Iterable[str] = ("reply", "mention"), repost_endorsement: float = 0.3,
                                hostile_below: float = -0.3) -> tuple[np.ndarray, pd.Categorical]:
    """Per row, the value it adds to its (src, dst) attitude and where that value came from.

    ``reply_model`` (the reply-attitude model's score), ``sentiment`` (sentiment standing in for a
    reply or mention), ``endorsement`` (a repost: weak endorsement or its hostile comment's
    score) or ``none`` (NaN): exactly the values :func:`attitudes` averages, so each pair's
    attitude can be traced to its rows.
    """
    n = len(interactions)
    s = _check_sentiment(sentiment, n)
    value = np.full(n, np.nan)
    code = np.zeros(n, dtype=np.int8)
    if n == 0:
        return value, pd.Categorical.from_codes(code, categories=list(ATTITUDE_SOURCES))
    in_kinds = kind_mask(interactions["kind"], _canonical_kinds(tuple(kinds) if not isinstance(kinds, str) else (kinds,)))
    use_s = in_kinds & ~np.isnan(s)
    value[use_s], code[use_s] = s[use_s], 2
    if reply_attitude is not None:
        att = _check_sentiment(reply_attitude, n)
        use_m = in_kinds & ~np.isnan(att)
        value[use_m], code[use_m] = att[use_m], 1
    if repost_endorsement > 0:
        endorsed, _ = endorsed_sentiment(interactions, s, repost_endorsement=repost_endorsement,
                                         hostile_below=hostile_below)
        rep = kind_mask(interactions["kind"], ("repost",)) & ~in_kinds
        value[rep], code[rep] = endorsed[rep], 3
    return value, pd.Categorical.from_codes(code, categories=list(ATTITUDE_SOURCES))


def attitude_rows(interactions: pd.DataFrame, sentiment: np.ndarray, params: StanceParams, *,
                  text_index: TextIndex | None = None, sentiment_model: Any = None
                  ) -> tuple[np.ndarray | None, np.ndarray, pd.Categorical, dict[str, Any]]:
    """Everything the analysis needs for attitudes between accounts, per interaction row.

    (reply attitude from the model named by ``params.attitude_model`` or None when none is
    configured, each row's attitude value and its source (:func:`interaction_attitude_values`),
    and a description for the analysis' parameters: ``attitude_source`` and ``attitude_model``).
    """
    reply = None
    info: dict[str, Any] = {"attitude_source": "sentiment", "attitude_model": None}
    if params.attitude_model:
        default = params.attitude_model == "default"
        reply = interaction_attitude(interactions, None if default else params.attitude_model,
                                     text_index=text_index, sentiment_model=sentiment_model)
        info = {"attitude_source": "reply-attitude model",
                "attitude_model": "default (kolgraph/models/attitude_default.npz)" if default else params.attitude_model}
    values, sources = interaction_attitude_values(interactions, sentiment, reply, kinds=params.attitude_kinds,
                                                  repost_endorsement=params.repost_endorsement,
                                                  hostile_below=params.hostile_below)
    return reply, values, sources, info
