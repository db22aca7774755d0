"""The sentiment (or per-target stance) model: linear text classifier plus the cue layer.

A post's sentiment ``s`` in [-1, 1] (methods page, section 2) is ``P(+1) - P(-1)``: for a binary
model ``2 * P(positive) - 1``, for a three-class one ``P(positive) - P(negative)``. The linear
score of the pooled (or per-target) :class:`~.linear.LinearModel` is shifted by
``cue_weight * cue_score`` (:mod:`.cues`) before the logistic link, so a return, a boycott, a
sarcasm marker or a fan's defence of the brand moves the score the way a reader would.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from ...progress import progress
from .cues import cue_scores
from .labels import LABEL_NAMES
from .linear import LinearModel
from .text import Features, as_str_series, decode_key, normalise_text

__all__ = ["SentimentModel", "score_texts", "load_model"]


@dataclass(frozen=True, eq=False)
class SentimentModel:
    """A sentiment (or per-target stance) model; scores in [-1, 1].

    Build one with :func:`~.train.train_model` or :meth:`load`; the package's own is
    :func:`kolgraph.models.io.load_default_model`. ``metadata`` says what it was trained on and how well it did;
    ``metadata["cue_weight"]`` is the weight of the cue layer (0 switches it off).
    """

    pooled: LinearModel
    by_target: Mapping[str, LinearModel] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)

    # -- metadata views
    @property
    def labels(self) -> tuple[str, ...]:
        """Names of the classes the model predicts, e.g. ``("negative", "positive")``."""
        return tuple(LABEL_NAMES[int(c)] for c in self.pooled.classes)

    @property
    def features(self) -> Features:
        """Which text features the model reads."""
        return Features.from_dict(self.metadata)

    @property
    def ngram_range(self) -> tuple[int, int]:
        return self.features.ngram_range

    @property
    def latin_words(self) -> bool:
        """Whether runs of a-z are whole-word features (else they give character n-grams)."""
        return self.features.latin_words

    @property
    def cue_weight(self) -> float:
        """Weight of the cue layer added to the linear score (0: no cue layer)."""
        return float(self.metadata.get("cue_weight", 0.0) or 0.0)

    @property
    def targets(self) -> tuple[str, ...]:
        """Targets with their own sub-model (empty for a plain sentiment model)."""
        return tuple(self.by_target)

    @property
    def corpus(self) -> str:
        return str(self.metadata.get("corpus", ""))

    @property
    def evaluation(self) -> dict[str, Any] | None:
        """Held-out evaluation recorded at training time (``Evaluation.to_dict()``), if any."""
        ev = self.metadata.get("evaluation")
        return copy.deepcopy(ev) if ev else None

    def with_metadata(self, **updates: Any) -> "SentimentModel":
        """A copy with metadata fields added or replaced (e.g. a held-out evaluation, a cue weight)."""
        meta = copy.deepcopy(dict(self.metadata))
        meta.update(copy.deepcopy(updates))
        return SentimentModel(self.pooled, dict(self.by_target), meta)

    # -- scoring
    def proba(self, sub: LinearModel, norm: list[str], *, toward_brand: bool = True) -> np.ndarray:
        """Class probabilities of normalised, non-empty texts under one sub-model, cue layer included
        (defence cues only ``toward_brand``: :func:`~.cues.cue_scores`)."""
        shift = None
        w = self.cue_weight
        if w:
            cue = cue_scores(norm, toward_brand=toward_brand) * w
            classes = sub.classes.tolist()
            if sub.classes.size == 2:
                shift = (cue * (1.0 if classes[1] == 1 else -1.0))[:, None]
            else:
                shift = np.zeros((len(norm), len(classes)))
                if 1 in classes:
                    shift[:, classes.index(1)] = cue
                if -1 in classes:
                    shift[:, classes.index(-1)] = -cue
        return sub.proba(norm, self.features, shift=shift)

    def signed(self, sub: LinearModel, norm: list[str], *, toward_brand: bool = True) -> np.ndarray:
        """``P(+1) - P(-1)`` per normalised text, clipped to [-1, 1]."""
        p = self.proba(sub, norm, toward_brand=toward_brand)
        out = np.zeros(len(norm))
        for j, c in enumerate(sub.classes.tolist()):
            if c == 1:
                out += p[:, j]
            elif c == -1:
                out -= p[:, j]
        return np.clip(out, -1.0, 1.0)

    def score(self, texts: Iterable[Any], targets: Iterable[Any] | str | None = None, *,
              batch_size: int = 20_000, quiet: bool = True, toward_brand: bool = True) -> np.ndarray:
        """Sentiment in [-1, 1] per text (float64); NaN where the text is missing or empty.

        ``toward_brand`` (default) reads a text as said about the brand it names or answers: a
        fan's defence of the brand against a critic counts as positive. ``False`` scores plain
        sentiment of tone (as general sentiment corpora label it).

        ``texts`` is a list, Series or array (a single string gives one score). Distinct texts are
        scored once, ``batch_size`` at a time, so memory stays flat on millions of rows.
        ``targets`` (one per text, or one string for all) picks a per-target sub-model; targets
        without one use the pooled model.
        """
        s = as_str_series(texts)
        out = np.full(len(s), np.nan)
        if len(s) == 0:
            return out
        if targets is None or not self.by_target:
            groups = [(self.pooled, np.arange(len(s)))]
        else:
            t = self.target_codes(targets, len(s))
            groups = []
            for name, sub in self.by_target.items():
                idx = np.flatnonzero(t == name)
                if idx.size:
                    groups.append((sub, idx))
            rest = np.flatnonzero(~np.isin(t, list(self.by_target)))
            if rest.size:
                groups.append((self.pooled, rest))
        for sub, idx in groups:
            out[idx] = self.score_group(sub, s.iloc[idx] if idx.size < len(s) else s, batch_size, quiet,
                                        toward_brand=toward_brand)
        return out

    def predict(self, texts: Iterable[Any], targets: Iterable[Any] | str | None = None, *,
                toward_brand: bool = True) -> np.ndarray:
        """Label codes (int8: +1 positive, -1 negative, 0 neutral) by the most probable class.

        Missing or empty texts get 0. ``toward_brand`` as in :meth:`score`.
        """
        s = as_str_series(texts)
        out = np.zeros(len(s), dtype=np.int8)
        if len(s) == 0:
            return out
        t = self.target_codes(targets, len(s)) if targets is not None and self.by_target else None
        norm = normalise_text(s)
        present = norm.notna().to_numpy()
        subs = [(self.pooled, present & (~np.isin(t, list(self.by_target)) if t is not None else True))]
        if t is not None:
            subs += [(m, present & (t == name)) for name, m in self.by_target.items()]
        for sub, mask in subs:
            idx = np.flatnonzero(mask)
            for start in range(0, idx.size, 20_000):
                part = idx[start : start + 20_000]
                p = self.proba(sub, norm.iloc[part].tolist(), toward_brand=toward_brand)
                out[part] = sub.classes[np.argmax(p, axis=1)]
        return out

    def top_features(self, k: int = 20, target: str | None = None) -> pd.DataFrame:
        """The ``k`` most positive and ``k`` most negative features with their weights (for reports)."""
        sub = self.by_target.get(target, self.pooled) if target is not None else self.pooled
        classes = sub.classes.tolist()
        if sub.coef.shape[0] == 1:
            w = sub.coef[0].astype(np.float64)
        else:
            w = sub.coef[classes.index(1)].astype(np.float64) if 1 in classes else 0.0
            w = w - (sub.coef[classes.index(-1)].astype(np.float64) if -1 in classes else 0.0)
        w = np.asarray(w) * sub.scale
        order = np.argsort(w)
        pick = np.r_[order[::-1][:k], order[:k]]
        return pd.DataFrame({"ngram": [decode_key(x) for x in sub.keys[pick]], "weight": w[pick]})

    def target_codes(self, targets: Any, n: int) -> np.ndarray:
        """Targets as an object array of stripped strings, one per text ('' for none)."""
        if isinstance(targets, str):
            return np.full(n, targets.strip(), dtype=object)
        t = as_str_series(targets)
        if len(t) != n:
            raise ValueError(f"got {len(t)} targets for {n} texts")
        return t.str.strip().fillna("").to_numpy(dtype=object)

    def score_group(self, sub: LinearModel, s: pd.Series, batch_size: int, quiet: bool, *,
                    toward_brand: bool = True) -> np.ndarray:
        """Scores of the texts ``s`` under one sub-model, each distinct text once."""
        codes, uniques = pd.factorize(s)
        norm = normalise_text(pd.Series(uniques, dtype="str"))
        present = np.flatnonzero(norm.notna().to_numpy())
        u_score = np.full(len(uniques), np.nan)
        starts = range(0, present.size, max(1, int(batch_size)))
        for start in progress(starts, quiet=quiet, desc="scoring texts", unit="batch"):
            part = present[start : start + batch_size]
            u_score[part] = self.signed(sub, norm.iloc[part].tolist(), toward_brand=toward_brand)
        out = np.full(len(s), np.nan)
        ok = codes >= 0
        out[ok] = u_score[codes[ok]]
        return out

    # -- persistence (the file I/O itself lives in kolgraph.models.io)
    def save(self, path: str | os.PathLike) -> Any:
        """Write the model as one compressed ``.npz`` of plain arrays plus JSON metadata
        (:func:`kolgraph.models.io.save_model`)."""
        from ...models.io import save_model

        return save_model(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "SentimentModel":
        """Read a model written by :meth:`save` (:func:`kolgraph.models.io.read_model`); InputError if it is not one."""
        from ...models.io import read_model

        return read_model(path)


def load_model(model: "SentimentModel | str | os.PathLike | None" = None) -> SentimentModel:
    """A model as given: None is the shipped default, a path is read with :meth:`SentimentModel.load`."""
    if model is None:
        from ...models.io import load_default_model

        return load_default_model()
    if isinstance(model, SentimentModel):
        return model
    return SentimentModel.load(model)


def score_texts(texts: Iterable[Any], *, model: SentimentModel | str | os.PathLike | None = None,
                target: str | None = None, quiet: bool = True) -> np.ndarray:
    """Sentiment in [-1, 1] per text with a model (default: the shipped one); NaN for empty texts."""
    return load_model(model).score(texts, target, quiet=quiet)
