"""Reply attitude: does a reply support, deny, query or merely comment on what it answers?

Methods page, section 2: attitude is a different question from sentiment ("great, you finally
admitted it" is warm in tone and hostile in attitude). This model is trained on labelled replies
(RumourEval style: support / deny / query / comment; Derczynski et al. 2017) and gives, per reply,
the class probabilities and the signed attitude ``P(support) - P(deny)`` in [-1, 1] (query and
comment count as neutral). It is what :mod:`kolgraph.algorithms.stance` uses for attitudes between
accounts when given.

Features (all from the reply's own text, vectorised like the sentiment model):

- the reply's words, word bigrams and negation scopes, and character n-grams for non-Latin text
  (:mod:`kolgraph.algorithms.sentiment.text`);
- cue tokens: a denial lexicon (``fake``, ``not true``, ``hoax``, ``假的``, ``谣言``...), a support
  lexicon (``confirmed``, ``official``, ``证实``...), a question mark, a link;
- the reply's sentiment (the shipped sentiment model, in five equal bins of [-1, 1]).

A multinomial (one-vs-rest, balanced classes) logistic regression on those, stored as plain arrays
like the sentiment model (file I/O in :mod:`kolgraph.models.io`).
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import InputError
from .sentiment.linear import LinearModel, fit_linear
from .sentiment.text import Features, as_str_series, normalise_text

__all__ = [
    "ATTITUDE_CLASSES",
    "AttitudeModel",
    "normalise_attitude_labels",
    "attitude_features",
    "train_attitude",
    "group_auc",
    "leave_one_group_out",
    "reply_attitude",
    "load_attitude_model",
    "load_default_attitude_model",
]

#: class code -> name; support and deny carry the sign, query and comment are neutral
ATTITUDE_CLASSES: dict[int, str] = {1: "support", -1: "deny", 2: "query", 0: "comment"}
_SPELLINGS = {
    "support": 1, "supports": 1, "agree": 1, "favor": 1, "favour": 1, "endorse": 1, "1": 1, "+1": 1, "支持": 1,
    "deny": -1, "denies": -1, "disagree": -1, "against": -1, "refute": -1, "-1": -1, "反对": -1, "否认": -1,
    "query": 2, "question": 2, "ask": 2, "质疑": 2, "提问": 2,
    "comment": 0, "neutral": 0, "none": 0, "other": 0, "0": 0, "评论": 0, "中立": 0,
}

DENY_CUES = (r"\b(?:fake|false|not true|untrue|hoax|lies|lie|lying|liar|rumou?rs?|unconfirmed|debunked|wrong|"
             r"nonsense|bs|bullshit|doubt|doubtful|misleading|misinformation|speculation|speculative|"
             r"not confirmed|no evidence|no proof|not real|stop spreading|dont believe|isnt true|fabricated|"
             r"satire|not the case|retract|denied|denies|deny)\b|假的|谣言|造谣|不实|辟谣|胡说|瞎说|不是真的|假新闻")
SUPPORT_CUES = (r"\b(?:confirmed|confirms|breaking|official|officially|reports|reported|according to|yes|true|"
                r"indeed|exactly|agreed|right|rip|sad|shocking|horrible|terrible|pray|praying|condolences)\b|"
                r"证实|官方|确认|属实|没错|是真的")
SENTIMENT_BINS = 5


def normalise_attitude_labels(values: Iterable[Any], *, path: str = "<labels>",
                              rows: Sequence[int] | None = None) -> np.ndarray:
    """Attitude codes (int8: 1 support, -1 deny, 2 query, 0 comment) from common spellings.

    >>> normalise_attitude_labels(["support", "DENY", "question", "comment"]).tolist()
    [1, -1, 2, 0]
    """
    vals = list(values)
    out = np.empty(len(vals), dtype=np.int8)
    for i, v in enumerate(vals):
        key = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip().lower()
        if key not in _SPELLINGS:
            row = rows[i] if rows is not None else i + 1
            raise InputError(path, f"unknown attitude label {key!r}; use support, deny, query or comment"
                             if key else "empty label", row=int(row))
        out[i] = _SPELLINGS[key]
    return out


def attitude_features(texts: Iterable[Any], *, sentiment: np.ndarray | None = None) -> list[str]:
    """The normalised reply texts with cue tokens (and sentiment-bin tokens) appended.

    Tokens are plain Latin words (``zzdeny``, ``zzsupport``, ``zzquery``, ``zzlink``,
    ``zzsenta``..``zzsente``) so they become word features. Empty texts give ''.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    norm = normalise_text(texts).fillna("")
    arr = pa.array(norm.tolist(), type=pa.large_string())
    tokens = pd.Series([""] * len(norm), dtype="str")
    for pat, tok in ((DENY_CUES, " zzdeny"), (SUPPORT_CUES, " zzsupport"), (r"\?", " zzquery"),
                     (r"\bhttp\b", " zzlink")):
        hit = np.asarray(pc.match_substring_regex(arr, pat).to_numpy(zero_copy_only=False), dtype=bool)
        tokens = tokens.where(~hit, tokens + tok)
    out = norm + tokens
    if sentiment is not None:
        s = np.asarray(sentiment, dtype="float64")
        b = np.digitize(np.nan_to_num(s, nan=0.0), np.linspace(-1, 1, SENTIMENT_BINS + 1)[1:-1])
        out = out + pd.Series([" zzsent" + "abcdefghij"[i] for i in b], dtype="str")
    return out.tolist()


@dataclass(frozen=True, eq=False)
class AttitudeModel:
    """A reply-attitude model: support / deny / query / comment probabilities per reply."""

    linear: LinearModel
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def features(self) -> Features:
        return Features.from_dict(self.metadata)

    @property
    def uses_sentiment(self) -> bool:
        return bool(self.metadata.get("uses_sentiment", False))

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(ATTITUDE_CLASSES[int(c)] for c in self.linear.classes)

    def with_metadata(self, **updates: Any) -> "AttitudeModel":
        meta = copy.deepcopy(dict(self.metadata))
        meta.update(updates)
        return AttitudeModel(self.linear, meta)

    def proba(self, texts: Iterable[Any], *, sentiment_model: Any = None, batch_size: int = 50_000) -> pd.DataFrame:
        """Class probabilities per text (columns support, deny, query, comment; NaN for empty texts)."""
        s = as_str_series(texts)
        codes, uniques = pd.factorize(s)
        u = pd.Series(uniques, dtype="str")
        present = np.flatnonzero(normalise_text(u).notna().to_numpy())
        cls = self.linear.classes.tolist()
        p_u = np.full((len(u), len(cls)), np.nan)
        for start in range(0, present.size, batch_size):
            part = present[start : start + batch_size]
            texts_part = u.iloc[part]
            sent = None
            if self.uses_sentiment:
                from .sentiment import load_model

                sent = load_model(sentiment_model).score(texts_part, toward_brand=False)
            p_u[part] = self.linear.proba(attitude_features(texts_part, sentiment=sent), self.features)
        out = np.full((len(s), len(cls)), np.nan)
        ok = codes >= 0
        out[ok] = p_u[codes[ok]]
        frame = pd.DataFrame(out, columns=[ATTITUDE_CLASSES[c] for c in cls])
        for name in ATTITUDE_CLASSES.values():
            if name not in frame:
                frame[name] = np.where(np.isnan(out[:, 0]), np.nan, 0.0)
        return frame[["support", "deny", "query", "comment"]]

    def score(self, texts: Iterable[Any], *, sentiment_model: Any = None, quiet: bool = True) -> np.ndarray:
        """Signed attitude ``P(support) - P(deny)`` in [-1, 1] per text; NaN for empty texts."""
        p = self.proba(texts, sentiment_model=sentiment_model)
        return np.clip((p["support"] - p["deny"]).to_numpy(dtype="float64"), -1.0, 1.0)

    def predict(self, texts: Iterable[Any], *, sentiment_model: Any = None) -> np.ndarray:
        """Most probable class name per text ('' for empty texts)."""
        p = self.proba(texts, sentiment_model=sentiment_model)
        arr = p.to_numpy()
        best = np.where(np.isnan(arr).all(axis=1), -1, np.nanargmax(np.nan_to_num(arr, nan=-1.0), axis=1))
        names = np.array(list(p.columns) + [""], dtype=object)
        return names[best]

    def save(self, path: str | os.PathLike) -> Any:
        """Write the model (:func:`kolgraph.models.io.save_arrays`, format kolgraph-attitude/1)."""
        from ..models.io import ATTITUDE_FORMAT, save_arrays

        return save_arrays(path, ATTITUDE_FORMAT, dict(self.metadata), [(None, self.linear)])

    @classmethod
    def load(cls, path: str | os.PathLike) -> "AttitudeModel":
        """Read a model written by :meth:`save`; InputError if the file is not one."""
        from ..models.io import read_arrays

        meta, subs = read_arrays(path, "attitude")
        return cls(subs[0][1], meta)


def train_attitude(
    texts: Iterable[Any],
    labels: Iterable[Any],
    *,
    seed: int = 0,
    C: float = 1.0,
    class_weight: str | None = "balanced",
    use_sentiment: bool = True,
    sentiment_model: Any = None,
    features: Features = Features((1, 2), True, True, True),
    min_df: int = 2,
    corpus: str = "",
    path: str = "<training data>",
) -> AttitudeModel:
    """Fit a reply-attitude model on labelled replies (labels: support / deny / query / comment).

    ``use_sentiment`` adds the sentiment model's score (``sentiment_model``, default the shipped
    one) as five bin tokens. Deterministic; ``seed`` goes to the solver.
    """
    s = as_str_series(texts)
    y = labels if isinstance(labels, np.ndarray) and labels.dtype == np.int8 else \
        normalise_attitude_labels(list(labels), path=path)
    if len(y) != len(s):
        raise ValueError(f"got {len(y)} labels for {len(s)} texts")
    ok = normalise_text(s).notna().to_numpy()
    s, y = s[ok].reset_index(drop=True), y[ok]
    if len(y) == 0:
        raise InputError(path, "no non-empty texts to train on")
    if not ((y == 1).any() and (y == -1).any()):
        raise InputError(path, "need both 'support' and 'deny' rows to train a reply-attitude model")
    sent = None
    if use_sentiment:
        from .sentiment import load_model

        sent = load_model(sentiment_model).score(s, toward_brand=False)
    x = attitude_features(s, sentiment=sent)
    lin = fit_linear(x, y, np.ones(len(y)), seed=seed, features=features, min_df=min_df, min_df_words=1,
                     C=float(C), class_weight=class_weight, weighting="tfidf")
    meta = {
        "method": "reply attitude: TF-IDF of words, word bigrams, negation scopes, character n-grams, "
                  "cue tokens" + (", sentiment bins" if use_sentiment else "") + " + one-vs-rest logistic regression",
        "kolgraph_version": __version__, **features.to_dict(), "uses_sentiment": bool(use_sentiment),
        "params": {"C": float(C), "class_weight": class_weight, "min_df": int(min_df)}, "seed": int(seed),
        "corpus": corpus, "n_train": int(len(y)),
        "label_counts": {ATTITUDE_CLASSES[int(c)]: int((y == c).sum()) for c in np.unique(y)},
        "score": "P(support) - P(deny), in [-1, 1]",
    }
    return AttitudeModel(lin, meta)


def group_auc(score: np.ndarray, labels: np.ndarray) -> float:
    """AUC of ``score`` separating support (1) from deny (-1) rows (others ignored); NaN if one is absent.

    The Mann-Whitney statistic with ties counted half.

    >>> group_auc(np.array([0.9, -0.5, 0.1, 0.0]), np.array([1, -1, 1, 0]))
    1.0
    """
    from scipy.stats import rankdata

    score, labels = np.asarray(score, dtype="float64"), np.asarray(labels)
    m = np.isin(labels, (1, -1)) & ~np.isnan(score)
    pos, neg = int((labels[m] == 1).sum()), int((labels[m] == -1).sum())
    if pos == 0 or neg == 0:
        return float("nan")
    r = rankdata(score[m])
    return float((r[labels[m] == 1].sum() - pos * (pos + 1) / 2) / (pos * neg))


def leave_one_group_out(texts: Sequence[Any], labels: np.ndarray, groups: Sequence[Any],
                        **train_params: Any) -> pd.DataFrame:
    """Train on all groups but one, score the held-out group: per group n, support/deny counts and the
    AUC of ``P(support) - P(deny)`` between support and deny rows (the RumourEval events protocol)."""
    t = np.asarray(list(texts), dtype=object)
    y = labels if isinstance(labels, np.ndarray) and labels.dtype == np.int8 else normalise_attitude_labels(list(labels))
    g = np.asarray([str(v) for v in groups], dtype=object)
    rows = []
    for name in sorted(set(g.tolist())):
        te = g == name
        model = train_attitude(t[~te], y[~te], **train_params)
        sc = model.score(t[te], sentiment_model=train_params.get("sentiment_model"))
        rows.append({"group": name, "n": int(te.sum()), "support": int((y[te] == 1).sum()),
                     "deny": int((y[te] == -1).sum()), "auc": group_auc(sc, y[te])})
    return pd.DataFrame(rows)


def load_attitude_model(model: "AttitudeModel | str | os.PathLike | None" = None) -> AttitudeModel:
    """A model as given: None is the shipped default, a path is read with :meth:`AttitudeModel.load`."""
    if model is None:
        return load_default_attitude_model()
    if isinstance(model, AttitudeModel):
        return model
    return AttitudeModel.load(model)


_DEFAULT: list[AttitudeModel] = []


def load_default_attitude_model() -> AttitudeModel:
    """The reply-attitude model shipped in ``kolgraph/models/`` (trained on RumourEval 2017; cached)."""
    from ..errors import KolgraphError
    from ..models.io import DEFAULT_ATTITUDE_MODEL_PATH

    if not _DEFAULT:
        if not DEFAULT_ATTITUDE_MODEL_PATH.is_file():
            raise KolgraphError(f"the shipped reply-attitude model is missing ({DEFAULT_ATTITUDE_MODEL_PATH}); "
                                "rebuild it with scripts/train_attitude.py")
        _DEFAULT.append(AttitudeModel.load(DEFAULT_ATTITUDE_MODEL_PATH))
    return _DEFAULT[0]


def reply_attitude(texts: Iterable[Any], *, model: "AttitudeModel | str | os.PathLike | None" = None,
                   sentiment_model: Any = None) -> np.ndarray:
    """Signed attitude of each reply toward what it answers: ``P(support) - P(deny)`` in [-1, 1].

    +1 is plain support, -1 plain denial; queries and comments sit near 0. NaN for empty texts.
    ``model`` defaults to the shipped RumourEval-trained model.
    """
    return load_attitude_model(model).score(texts, sentiment_model=sentiment_model)
