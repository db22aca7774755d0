"""Training and evaluating a sentiment (or per-target stance) model on labelled texts in memory.

Reading labelled files is :mod:`kolgraph.models.labelled`'s job; this module never touches files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from ... import __version__
from ...errors import InputError
from ...progress import progress
from .labels import LABEL_NAMES, as_label_codes, normalise_labels
from .linear import LinearModel, fit_linear
from .model import SentimentModel
from .text import Features, as_str_series, normalise_text

__all__ = ["train_model", "Evaluation", "evaluate_model", "negated_word_list"]


def negated_word_list(word_list: Mapping[str, Any], *, negators: Iterable[str] = ("not",)) -> dict[str, int]:
    """``not <word>`` entries with the opposite label, for each single word of a word list.

    With negation scopes on, ``not good`` is a different feature from ``good``; these rows teach
    it (VADER's own rule: a negator flips a word's valence).

    >>> negated_word_list({"good": 1, "bad": -1})
    {'not good': -1, 'not bad': 1}
    """
    y = normalise_labels(list(word_list.values()), path="<word list>")
    out: dict[str, int] = {}
    for neg in negators:
        for w, lab in zip(word_list, y.tolist()):
            if lab and " " not in str(w):
                out[f"{neg} {w}"] = -int(lab)
    return out


def train_model(
    texts: Iterable[Any],
    labels: Iterable[Any],
    *,
    targets: Iterable[Any] | None = None,
    seed: int = 0,
    ngram_range: tuple[int, int] = (1, 3),
    latin_words: bool = True,
    word_bigrams: bool = True,
    negation: bool = True,
    min_df: int = 2,
    min_df_words: int = 1,
    C: float = 10.0,
    class_weight: str | None = None,
    weighting: str = "nb",
    neutral: str = "class",
    sample_weight: Iterable[float] | None = None,
    word_list: Mapping[str, Any] | None = None,
    word_list_weight: float = 1.0,
    cue_weight: float = 0.0,
    corpus: str = "",
    path: str = "<training data>",
    quiet: bool = True,
) -> SentimentModel:
    """Fit a TF-IDF + logistic regression sentiment model on labelled texts.

    Labels are normalised with :func:`~.labels.normalise_labels` (two labels give a binary model,
    three a three-class one). ``neutral="soft"`` instead keeps the model binary and enters each
    neutral row twice, once positive and once negative at half weight (a soft target of 0.5: its
    words are pushed toward no polarity). With ``targets``, one sub-model is fitted per target
    that has at least two labels, plus a pooled model on all rows, used for targets it has not seen.

    Features: character n-grams of ``ngram_range`` for non-Latin text; with ``latin_words``,
    whole Latin words, plus ``word_bigrams`` and ``negation`` scopes (:mod:`.text`).
    ``min_df`` drops n-grams seen in fewer documents (``min_df_words`` likewise for words);
    ``C`` is the inverse L2 penalty; ``class_weight="balanced"`` reweights classes.
    ``weighting="nb"`` scales each feature by its absolute Naive Bayes log-count ratio (NB-LR,
    Wang & Manning 2012; binary models only, three-class ones use plain TF-IDF).
    ``word_list`` (phrase -> label, e.g. an English sentiment lexicon) adds one row per phrase to
    the pooled model, classes balanced and scaled by ``word_list_weight``. ``cue_weight`` is the
    weight of the cue layer (:mod:`.cues`) recorded in the model. Missing or empty texts are left
    out. Deterministic; ``seed`` goes to the solver.
    """
    feats = Features(ngram_range, bool(latin_words), bool(word_bigrams), bool(negation))
    lo, hi = feats.ngram_range
    s = as_str_series(texts)
    y = as_label_codes(labels, path)
    if len(y) != len(s):
        raise ValueError(f"got {len(y)} labels for {len(s)} texts")
    w = np.ones(len(s)) if sample_weight is None else np.asarray(list(sample_weight), dtype=np.float64)
    if w.size != len(s):
        raise ValueError(f"got {w.size} sample weights for {len(s)} texts")
    if neutral not in ("class", "soft"):
        raise ValueError(f"neutral must be 'class' or 'soft', got {neutral!r}")
    if weighting not in ("nb", "tfidf"):
        raise ValueError(f"weighting must be 'nb' or 'tfidf', got {weighting!r}")
    norm = normalise_text(s)
    ok = norm.notna().to_numpy()
    t = None
    if targets is not None:
        t = as_str_series(targets).fillna("").str.strip().to_numpy(dtype=object)
        if t.size != len(s):
            raise ValueError(f"got {t.size} targets for {len(s)} texts")
        t = t[ok]
    norm_l, y, w = np.asarray(norm[ok].tolist(), dtype=object), y[ok], w[ok]
    if len(norm_l) == 0:
        raise InputError(path, "no non-empty texts to train on")
    if np.unique(y).size < 2:
        raise InputError(path, f"need at least two different labels to train, got only {LABEL_NAMES[int(y[0])]!r}")
    n_neutral_soft = 0
    if neutral == "soft" and (y == 0).any():
        if not ((y == 1).any() and (y == -1).any()):
            raise InputError(path, "neutral='soft' needs positive and negative rows besides the neutral ones")
        z = np.flatnonzero(y == 0)
        n_neutral_soft = int(z.size)
        norm_l = np.r_[norm_l, norm_l[z]]
        y = np.r_[np.where(y == 0, 1, y), -np.ones(z.size)].astype(np.int8)
        w = np.r_[w, w[z]].astype(np.float64)
        w[z] *= 0.5
        w[-z.size:] *= 0.5
        if t is not None:
            t = np.r_[t, t[z]]
    extra_n, extra_y, extra_w = [], np.zeros(0, np.int8), np.zeros(0)
    if word_list:
        wn = normalise_text(list(word_list))
        wy = normalise_labels(list(word_list.values()), path="<word list>")
        keep = wn.notna().to_numpy() & (wy != 0)
        wn, wy = wn[keep].tolist(), wy[keep]
        if wy.size and np.unique(wy).size == 2:
            ww = np.where(wy == 1, wy.size / (2.0 * (wy == 1).sum()), wy.size / (2.0 * (wy == -1).sum()))
            extra_n, extra_y, extra_w = wn, wy, ww * float(word_list_weight)
    params = dict(features=feats, min_df=int(min_df), min_df_words=int(min_df_words), C=float(C),
                  class_weight=class_weight, seed=seed, weighting=weighting)
    pooled = fit_linear(list(norm_l) + list(extra_n), np.r_[y, extra_y].astype(np.int8), np.r_[w, extra_w],
                        **params)
    by_target: dict[str, LinearModel] = {}
    skipped: list[str] = []
    if t is not None:
        names = [n for n in pd.unique(t) if n]
        for name in progress(names, quiet=quiet, desc="targets"):
            m = t == name
            if np.unique(y[m]).size < 2:
                skipped.append(str(name))
                continue
            by_target[str(name)] = fit_linear(list(norm_l[m]), y[m], w[m], **params)
    binary = np.unique(y).size == 2
    counts = {LABEL_NAMES[int(c)]: int((y == c).sum()) for c in np.unique(y)}
    meta = {
        "method": "TF-IDF (sublinear, L2" + (", NB log-count ratio" if weighting == "nb" and binary else "")
                  + ") of character n-grams, words" + (", word bigrams" if feats.word_bigrams else "")
                  + (", negation scopes" if feats.negation else "") + " + logistic regression"
                  + (" + cue lexicon" if cue_weight else ""),
        "kolgraph_version": __version__,
        **feats.to_dict(),
        "cue_weight": float(cue_weight),
        "params": {"min_df": int(min_df), "min_df_words": int(min_df_words), "C": float(C),
                   "class_weight": class_weight, "weighting": weighting if binary else "tfidf",
                   "word_list_weight": float(word_list_weight), "neutral": neutral},
        "seed": int(seed),
        "corpus": corpus,
        "n_train": int(ok.sum()),
        "n_neutral_soft": n_neutral_soft,
        "n_word_list": len(extra_n),
        "label_counts": counts,
        "targets": list(by_target),
        "targets_without_model": skipped,
        "n_features": int(pooled.keys.size),
        "evaluation": None,
    }
    return SentimentModel(pooled, by_target, meta)


@dataclass(frozen=True)
class Evaluation:
    """Accuracy, macro-F1, per-label F1 and the confusion matrix (rows true, columns predicted).

    Labels present in either truth or prediction count in macro-F1. Empty texts are predicted
    neutral (0), so they count as errors for a binary model; ``n_empty`` says how many there were.
    """

    n: int
    accuracy: float
    macro_f1: float
    per_label_f1: Mapping[str, float]
    labels: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]
    n_empty: int = 0
    path: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n, "accuracy": self.accuracy, "macro_f1": self.macro_f1,
            "per_label_f1": dict(self.per_label_f1), "labels": list(self.labels),
            "confusion": [list(r) for r in self.confusion], "n_empty": self.n_empty, "path": self.path,
        }


def evaluate_model(
    model: SentimentModel,
    texts: Iterable[Any],
    labels: Iterable[Any],
    targets: Iterable[Any] | None = None,
    *,
    path: str = "",
    toward_brand: bool = False,
) -> Evaluation:
    """Compare the model's predicted labels with true labels (any spelling :func:`normalise_labels` reads).

    Labelled corpora label the tone of a text, so by default the defence cues (what a text means
    for a brand it defends) are off (``toward_brand=False``; :meth:`SentimentModel.score`).
    """
    s = as_str_series(texts)
    y = as_label_codes(labels, path or "<labels>")
    if len(y) != len(s):
        raise ValueError(f"got {len(y)} labels for {len(s)} texts")
    if len(y) == 0:
        raise InputError(path or "<labels>", "nothing to evaluate")
    pred = model.predict(s, targets, toward_brand=toward_brand)
    n_empty = int(normalise_text(s).isna().sum())
    codes = sorted(set(np.unique(y).tolist()) | set(np.unique(pred).tolist()))
    idx = {c: i for i, c in enumerate(codes)}
    conf = np.zeros((len(codes), len(codes)), dtype=np.int64)
    np.add.at(conf, (np.vectorize(idx.get)(y), np.vectorize(idx.get)(pred)), 1)
    f1 = {}
    for c, i in idx.items():
        tp = conf[i, i]
        denom = conf[i, :].sum() + conf[:, i].sum()
        f1[LABEL_NAMES[c]] = float(2 * tp / denom) if denom else 0.0
    return Evaluation(
        n=int(len(y)),
        accuracy=float(np.trace(conf) / conf.sum()),
        macro_f1=float(np.mean(list(f1.values()))),
        per_label_f1=f1,
        labels=tuple(LABEL_NAMES[c] for c in codes),
        confusion=tuple(tuple(int(v) for v in row) for row in conf),
        n_empty=n_empty,
        path=path,
    )


