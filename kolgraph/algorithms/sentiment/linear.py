"""One linear text classifier stored as plain arrays: feature keys, scale, coefficients.

The model is TF-IDF (sublinear term frequency, optionally times the Naive Bayes log-count ratio,
NB-LR: Wang & Manning 2012) followed by logistic regression: one row of coefficients for two
classes, one-vs-rest rows (probabilities normalised) for more. Nothing is pickled and nothing is
tied to a scikit-learn version: scoring needs numpy and scipy only; scikit-learn is needed to fit.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .text import WORD_FLAG, Features, feature_keys

__all__ = ["LinearModel", "count_matrix", "tfidf", "nb_log_ratio", "fit_linear"]


def count_matrix(norm: Sequence[str], vocab: pd.Index, features: Features) -> sp.csr_matrix:
    """Feature counts (n texts x len(vocab)); ``vocab`` is an Index of keys (a hash lookup)."""
    docs, keys = feature_keys(norm, features)
    if len(vocab) == 0 or keys.size == 0:
        return sp.csr_matrix((len(norm), len(vocab)), dtype=np.float64)
    idx = vocab.get_indexer(keys)
    hit = idx >= 0
    x = sp.csr_matrix((np.ones(int(hit.sum())), (docs[hit], idx[hit])), shape=(len(norm), len(vocab)))
    x.sum_duplicates()
    return x


def tfidf(counts: sp.csr_matrix, scale: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF (1 + ln count) times the per-feature scale, rows L2-normalised."""
    x = counts.copy()
    x.data = (1.0 + np.log(x.data)) * scale[x.indices]
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    x.data /= np.repeat(norms, np.diff(x.indptr))
    return x


def nb_log_ratio(counts: sp.csr_matrix, y: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Naive Bayes log-count ratio per feature (Wang & Manning 2012), > 0 leaning positive.

    ``log((p / |p|_1) / (q / |q|_1))`` with ``p``, ``q`` the add-one smoothed, ``w``-weighted counts
    of documents containing the feature among positive (+1) and negative (-1) labels.
    """
    b = counts.copy()
    b.data[:] = 1.0
    w = np.ones(b.shape[0]) if w is None else w
    pos = 1.0 + np.asarray(b.T @ (w * (y == 1))).ravel()
    neg = 1.0 + np.asarray(b.T @ (w * (y == -1))).ravel()
    return np.log((pos / pos.sum()) / (neg / neg.sum()))


@dataclass(frozen=True, eq=False)
class LinearModel:
    """One linear sub-model: sorted feature keys, per-feature scale, coefficients (k x F), intercepts.

    ``classes`` are int8 label codes in sorted order (k = 1 coefficient row for two classes).
    """

    keys: np.ndarray        # uint64, sorted, unique
    scale: np.ndarray       # float32 (F,)
    coef: np.ndarray        # float32 (k, F)
    intercept: np.ndarray   # float32 (k,)
    classes: np.ndarray     # int8, sorted label codes

    @functools.cached_property
    def coef64(self) -> np.ndarray:
        return np.ascontiguousarray(self.coef.astype(np.float64).T)

    @functools.cached_property
    def index(self) -> pd.Index:
        return pd.Index(self.keys)

    @functools.cached_property
    def scale64(self) -> np.ndarray:
        return self.scale.astype(np.float64)

    def features(self, norm: Sequence[str], features: Features) -> sp.csr_matrix:
        """The scaled, L2-normalised feature rows (n x F) this sub-model is linear in."""
        return tfidf(count_matrix(norm, self.index, features), self.scale64)

    def decision(self, norm: Sequence[str], features: Features) -> np.ndarray:
        """Raw linear scores z (n, k)."""
        return np.asarray(self.features(norm, features) @ self.coef64) + self.intercept.astype(np.float64)

    def proba(self, norm: Sequence[str], features: Features, *, shift: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities (n, len(classes)) for normalised, non-empty texts.

        ``shift`` (n, k) is added to the linear scores first (the cue layer of the sentiment model).
        """
        z = self.decision(norm, features)
        if shift is not None:
            z = z + shift
        if self.classes.size == 2:
            p1 = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return np.column_stack([1.0 - p1, p1])
        p = 1.0 / (1.0 + np.exp(-z))  # one-vs-rest sigmoids, normalised
        return p / p.sum(axis=1, keepdims=True)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}.keys": self.keys, f"{prefix}.scale": self.scale, f"{prefix}.coef": self.coef,
            f"{prefix}.intercept": self.intercept, f"{prefix}.classes": self.classes,
        }

    @classmethod
    def from_arrays(cls, z: "np.lib.npyio.NpzFile | dict", prefix: str) -> "LinearModel":
        return cls(keys=z[f"{prefix}.keys"], scale=z[f"{prefix}.scale"], coef=z[f"{prefix}.coef"],
                   intercept=z[f"{prefix}.intercept"], classes=z[f"{prefix}.classes"])


def fit_linear(
    norm: Sequence[str], y: np.ndarray, w: np.ndarray, *, seed: int, features: Features,
    min_df: int, min_df_words: int, C: float, class_weight: str | None, weighting: str = "tfidf",
) -> LinearModel:
    """Fit one :class:`LinearModel` on normalised texts ``norm`` with label codes ``y`` and weights ``w``.

    ``min_df`` drops n-grams seen in fewer documents (``min_df_words`` likewise for words and word
    bigrams); ``C`` is the inverse L2 penalty; ``weighting="nb"`` scales features by the absolute
    NB log-count ratio (binary labels +1/-1 only). The dual liblinear solver is deterministic.
    """
    from sklearn.linear_model import LogisticRegression

    docs, keys = feature_keys(norm, features)
    n = y.size
    vocab, inv = np.unique(keys, return_inverse=True)
    counts = sp.csr_matrix((np.ones(keys.size), (docs, inv)), shape=(n, vocab.size))
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=vocab.size)
    is_word = (vocab & WORD_FLAG) != 0
    keep = np.flatnonzero(df >= np.where(is_word, max(1, min_df_words), max(1, min_df)))
    vocab, counts, df = vocab[keep], counts[:, keep].tocsr(), df[keep]
    scale = np.log((1.0 + n) / (1.0 + df)) + 1.0
    classes = np.unique(y)
    if weighting == "nb" and classes.size == 2 and set(classes.tolist()) == {-1, 1}:
        scale = scale * (np.abs(nb_log_ratio(counts, y, w)) + 1e-3)  # with a small floor
    scale = scale.astype(np.float32)
    x = tfidf(counts, scale.astype(np.float64))

    def fit(target: np.ndarray) -> LogisticRegression:
        # many more features than rows: the dual liblinear solver is fast and deterministic
        clf = LogisticRegression(C=C, class_weight=class_weight, solver="liblinear", dual=True,
                                 max_iter=2000, random_state=seed)
        return clf.fit(x, target, sample_weight=w)

    if classes.size == 2:
        clf = fit(y)
        coef, intercept = clf.coef_, clf.intercept_
    else:  # one-vs-rest; probabilities are the normalised per-class sigmoids
        fits = [fit((y == c).astype(np.int8)) for c in classes]
        coef = np.vstack([f.coef_ for f in fits])
        intercept = np.concatenate([f.intercept_ for f in fits])
    return LinearModel(keys=vocab.astype(np.uint64), scale=scale, coef=coef.astype(np.float32),
                       intercept=intercept.astype(np.float32), classes=classes.astype(np.int8))
