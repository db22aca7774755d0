"""Text sentiment / stance model: character n-grams, TF-IDF and logistic regression.

Scores a post's sentiment ``s`` in [-1, 1] (methods page, section 2). A binary model gives
``s = 2 * P(positive) - 1``; a three-class model (positive / negative / neutral) gives
``s = P(positive) - P(negative)``. Both are ``P(+1) - P(-1)``.

Why character n-grams: Chinese needs no word segmenter this way, and English words still leave
their own n-grams (every text is padded with spaces, so `` lo``/``ove``/``ve `` mark word edges).
Weibo emoticon codes such as ``[怒]`` or ``[微笑]`` are short, so their bracketed n-grams act as tokens.

The model is stored as plain arrays (no pickle, nothing tied to a scikit-learn version): for each
sub-model, the sorted feature keys (each n-gram of up to three characters packed exactly into one
uint64, 21 bits per code point; Latin words 5 bits per letter), the per-feature scale (IDF, times
the Naive Bayes log-count ratio for NB-LR), the coefficients and intercepts (one row for a binary
model; one-vs-rest rows, probabilities normalised, for three classes). Scoring rebuilds the
features with numpy only, batch by batch, over the distinct texts; scikit-learn is needed only to
train.

Labels are read as +1 / -1 / 0 (positive / negative / neutral); see :func:`normalise_labels`.
A stance model (as in NLPCC 2016) holds one sub-model per target plus a pooled one used for
targets it has not seen.
"""

from __future__ import annotations

import copy
import functools
import gzip
import io
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .. import __version__
from .._io import atomic_path, json_default
from ..progress import progress
from ..schema import InputError, KolgraphError

__all__ = [
    "LABEL_NAMES",
    "DEFAULT_MODEL_PATH",
    "SentimentModel",
    "Evaluation",
    "LabelledData",
    "normalise_text",
    "normalise_labels",
    "read_labelled",
    "train_model",
    "evaluate_model",
    "evaluate_file",
    "train_file",
    "score_texts",
    "load_model",
    "load_default_model",
]

#: Label codes and their names (in the order used for confusion matrices).
LABEL_NAMES: dict[int, str] = {-1: "negative", 0: "neutral", 1: "positive"}

#: The model shipped with the package, trained by ``scripts/train_sentiment.py``.
DEFAULT_MODEL_PATH = Path(__file__).resolve().parents[1] / "models" / "sentiment_default.npz"

_FORMAT = "kolgraph-sentiment/1"
_BITS = 21  # a Unicode code point (+1) fits in 21 bits, so 3 characters fit in one uint64
_MAX_N = 3
_SPACE_KEY = ord(" ") + 1
_WORD_LETTERS = 12  # a Latin word keeps its first 12 letters, 5 bits each (60 bits)
_WORD_FLAG = np.uint64(1 << 63)  # set on word keys; character n-gram keys stay below 2**63

_POS = {"1", "+1", "pos", "positive", "favor", "favour", "p", "正面", "积极", "支持"}
_NEG = {"-1", "neg", "negative", "against", "n", "负面", "消极", "反对"}
_NEU = {"neutral", "neu", "none", "neither", "other", "中性", "中立"}

_ZERO_WIDTH = "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\x00]"
_URL = r"(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef]+"
_TEXT_COLUMNS = ("text", "review", "content", "sentence", "tweet", "post", "微博内容", "内容")
_LABEL_COLUMNS = ("label", "stance", "sentiment", "polarity", "class", "标签")
_FORMATS = ("auto", "csv", "tsv", "jsonl", "json", "parquet", "mid-label-text")


# --------------------------------------------------------------------------- text and features


def normalise_text(texts: Iterable[Any], *, max_chars: int = 5000) -> pd.Series:
    """Normalised texts as a string Series (NaN where missing or empty after normalising).

    NFKC (full-width to half-width), lower case, zero-width characters and byte-order marks
    removed, Weibo ``{%...%}`` escapes unwrapped, links replaced by ``http``, digit runs by ``0``,
    whitespace collapsed; each text cut to ``max_chars`` characters first. Vectorised.
    """
    s = _as_str_series(texts)
    s = s.str.slice(0, max_chars)
    s = s.str.normalize("NFKC").str.lower()
    s = s.str.replace(_ZERO_WIDTH, "", regex=True)
    s = s.str.replace(r"\{%|%\}", " ", regex=True)
    s = s.str.replace(_URL, " http ", regex=True)
    s = s.str.replace(r"[0-9]+", "0", regex=True)
    s = s.str.replace(r"\s+", " ", regex=True).str.strip()
    return s.where(s.str.len() > 0)


def _as_str_series(texts: Any) -> pd.Series:
    if isinstance(texts, str):
        texts = [texts]
    if isinstance(texts, pd.Series):
        s = texts.reset_index(drop=True)
    else:
        s = pd.Series(list(texts) if not isinstance(texts, np.ndarray) else texts, dtype=object)
    if s.dtype != "str":
        s = s.where(s.notna(), None).astype("str")
    return s


def _ngram_keys(
    norm: Sequence[str], ngram_range: tuple[int, int], latin_words: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """(doc index, feature key) for every feature of every normalised text, vectorised.

    Each text is padded with one space on both sides; a character n-gram c1..cn is packed exactly
    as ``sum((ci + 1) << 21 * (n - i))``, so n-grams of different lengths never share a key.
    With ``latin_words``, runs of ``a-z`` are whole-word features instead (their first 12 letters
    packed 5 bits each, flagged by bit 63) and take no part in character n-grams: English is then
    read by words (Latin n-grams learnt from a word list or from stray English in Chinese posts
    were noise), while Chinese keeps its n-grams.
    """
    joined = "\x00".join(" " + t + " " for t in norm)
    c = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    sep = c == 0
    c += np.uint64(1)
    c[sep] = 0
    doc = np.cumsum(sep, dtype=np.int64)
    latin = (c >= ord("a") + 1) & (c <= ord("z") + 1)
    no_ngram = latin if latin_words else np.zeros(c.size, bool)
    keys, docs = [], []
    lo, hi = ngram_range
    for n in range(lo, hi + 1):
        m = c.size - n + 1
        if m <= 0:
            continue
        k = c[:m].copy()
        valid = (k != 0) & ~no_ngram[:m]
        for j in range(1, n):
            nxt = c[j : j + m]
            k = (k << np.uint64(_BITS)) | nxt
            valid &= (nxt != 0) & ~no_ngram[j : j + m]
        if n == 1:
            valid &= k != _SPACE_KEY
        keys.append(k[valid])
        docs.append(doc[:m][valid])
    if latin_words and latin.any():
        pos = np.flatnonzero(latin)
        starts = np.r_[True, np.diff(pos) != 1]
        word = np.cumsum(starts) - 1
        offset = pos - pos[starts][word]
        short = offset < _WORD_LETTERS
        shift = (np.uint64(5) * (np.uint64(_WORD_LETTERS - 1) - offset[short].astype(np.uint64)))
        vals = (c[pos[short]] - np.uint64(ord("a"))) << shift
        first = np.flatnonzero(np.r_[True, np.diff(word[short]) != 0])
        wkeys = np.add.reduceat(vals, first) | _WORD_FLAG
        keys.append(wkeys)
        docs.append(doc[pos[starts]])
    if not keys:
        return np.zeros(0, np.int64), np.zeros(0, np.uint64)
    return np.concatenate(docs), np.concatenate(keys)


def _decode_key(key: int) -> str:
    """The n-gram or word a feature key stands for (words are cut to 12 letters)."""
    key = int(key)
    if key & int(_WORD_FLAG):
        key &= int(_WORD_FLAG) - 1
        letters = [(key >> (5 * (_WORD_LETTERS - 1 - i))) & 31 for i in range(_WORD_LETTERS)]
        return "".join(chr(ord("a") + v - 1) for v in letters if v)
    chars = []
    while key:
        chars.append(chr((key & ((1 << _BITS) - 1)) - 1))
        key >>= _BITS
    return "".join(reversed(chars))


def _count_matrix(norm: Sequence[str], vocab: pd.Index, features: tuple) -> sp.csr_matrix:
    """Feature counts (n texts x len(vocab)); ``vocab`` is an Index of keys (a hash lookup)."""
    docs, keys = _ngram_keys(norm, *features)
    if len(vocab) == 0 or keys.size == 0:
        return sp.csr_matrix((len(norm), len(vocab)), dtype=np.float64)
    idx = vocab.get_indexer(keys)
    hit = idx >= 0
    x = sp.csr_matrix(
        (np.ones(int(hit.sum())), (docs[hit], idx[hit])), shape=(len(norm), len(vocab))
    )
    x.sum_duplicates()
    return x


def _tfidf(counts: sp.csr_matrix, scale: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF (1 + ln count) times the per-feature scale, rows L2-normalised."""
    x = counts.copy()
    x.data = (1.0 + np.log(x.data)) * scale[x.indices]
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    x.data /= np.repeat(norms, np.diff(x.indptr))
    return x


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True, eq=False)
class _Linear:
    """One linear sub-model: sorted n-gram keys, IDF scale, coefficients (k x F), intercepts."""

    keys: np.ndarray        # uint64, sorted, unique
    scale: np.ndarray       # float32 (F,)
    coef: np.ndarray        # float32 (k, F); k = 1 for binary
    intercept: np.ndarray   # float32 (k,)
    classes: np.ndarray     # int8, sorted label codes

    @functools.cached_property
    def _coef64(self) -> np.ndarray:
        return np.ascontiguousarray(self.coef.astype(np.float64).T)

    @functools.cached_property
    def _index(self) -> pd.Index:
        return pd.Index(self.keys)

    @functools.cached_property
    def _scale64(self) -> np.ndarray:
        return self.scale.astype(np.float64)

    def features(self, norm: Sequence[str], features: tuple) -> sp.csr_matrix:
        """The scaled, L2-normalised feature rows (n x F) this sub-model is linear in."""
        return _tfidf(_count_matrix(norm, self._index, features), self._scale64)

    def proba(self, norm: Sequence[str], features: tuple) -> np.ndarray:
        """Class probabilities (n, len(classes)) for normalised, non-empty texts."""
        z = np.asarray(self.features(norm, features) @ self._coef64) + self.intercept.astype(np.float64)
        if self.classes.size == 2:
            p1 = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return np.column_stack([1.0 - p1, p1])
        p = 1.0 / (1.0 + np.exp(-z))  # one-vs-rest sigmoids, normalised
        return p / p.sum(axis=1, keepdims=True)

    def score(self, norm: Sequence[str], features: tuple) -> np.ndarray:
        p = self.proba(norm, features)
        out = np.zeros(len(norm))
        for j, c in enumerate(self.classes.tolist()):
            if c == 1:
                out += p[:, j]
            elif c == -1:
                out -= p[:, j]
        return np.clip(out, -1.0, 1.0)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}.keys": self.keys, f"{prefix}.scale": self.scale, f"{prefix}.coef": self.coef,
            f"{prefix}.intercept": self.intercept, f"{prefix}.classes": self.classes,
        }


@dataclass(frozen=True, eq=False)
class SentimentModel:
    """A character n-gram sentiment (or per-target stance) model; scores in [-1, 1].

    Build one with :func:`train_model` or :meth:`load`; the package's own is
    :func:`load_default_model`. ``metadata`` says what it was trained on and how well it did.
    """

    pooled: _Linear
    by_target: Mapping[str, _Linear] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)

    # -- metadata views
    @property
    def labels(self) -> tuple[str, ...]:
        """Names of the classes the model predicts, e.g. ``("negative", "positive")``."""
        return tuple(LABEL_NAMES[int(c)] for c in self.pooled.classes)

    @property
    def ngram_range(self) -> tuple[int, int]:
        lo, hi = self.metadata.get("ngram_range", (1, 3))
        return int(lo), int(hi)

    @property
    def latin_words(self) -> bool:
        """Whether runs of a-z are whole-word features (else they give character n-grams)."""
        return bool(self.metadata.get("latin_words", False))

    @property
    def _features(self) -> tuple:
        return (self.ngram_range, self.latin_words)

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
        """A copy with metadata fields added or replaced (e.g. a held-out evaluation)."""
        meta = copy.deepcopy(dict(self.metadata))
        meta.update(json.loads(json.dumps(updates, default=json_default)))
        return SentimentModel(self.pooled, dict(self.by_target), meta)

    # -- scoring
    def score(
        self,
        texts: Iterable[Any],
        targets: Iterable[Any] | str | None = None,
        *,
        batch_size: int = 20_000,
        quiet: bool = True,
    ) -> np.ndarray:
        """Sentiment in [-1, 1] per text (float64); NaN where the text is missing or empty.

        ``texts`` is a list, Series or array (a single string gives one score). Distinct texts are
        scored once, ``batch_size`` at a time, so memory stays flat on millions of rows.
        ``targets`` (one per text, or one string for all) picks a per-target sub-model; targets
        without one use the pooled model.
        """
        s = _as_str_series(texts)
        out = np.full(len(s), np.nan)
        if len(s) == 0:
            return out
        if targets is None or not self.by_target:
            groups = [(self.pooled, np.arange(len(s)))]
        else:
            t = self._target_codes(targets, len(s))
            groups = []
            for name, sub in self.by_target.items():
                idx = np.flatnonzero(t == name)
                if idx.size:
                    groups.append((sub, idx))
            rest = np.flatnonzero(~np.isin(t, list(self.by_target)))
            if rest.size:
                groups.append((self.pooled, rest))
        for sub, idx in groups:
            out[idx] = self._score_group(sub, s.iloc[idx] if idx.size < len(s) else s, batch_size, quiet)
        return out

    def predict(self, texts: Iterable[Any], targets: Iterable[Any] | str | None = None) -> np.ndarray:
        """Label codes (int8: +1 positive, -1 negative, 0 neutral) by the most probable class.

        Missing or empty texts get 0.
        """
        s = _as_str_series(texts)
        out = np.zeros(len(s), dtype=np.int8)
        if len(s) == 0:
            return out
        t = self._target_codes(targets, len(s)) if targets is not None and self.by_target else None
        norm = normalise_text(s)
        present = norm.notna().to_numpy()
        subs = [(self.pooled, present & (~np.isin(t, list(self.by_target)) if t is not None else True))]
        if t is not None:
            subs += [(m, present & (t == name)) for name, m in self.by_target.items()]
        for sub, mask in subs:
            idx = np.flatnonzero(mask)
            for start in range(0, idx.size, 20_000):
                part = idx[start : start + 20_000]
                p = sub.proba(norm.iloc[part].tolist(), self._features)
                out[part] = sub.classes[np.argmax(p, axis=1)]
        return out

    def top_features(self, k: int = 20, target: str | None = None) -> pd.DataFrame:
        """The ``k`` most positive and ``k`` most negative n-grams with their weights (for reports)."""
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
        return pd.DataFrame({"ngram": [_decode_key(x) for x in sub.keys[pick]], "weight": w[pick]})

    def _target_codes(self, targets: Any, n: int) -> np.ndarray:
        if isinstance(targets, str):
            return np.full(n, targets.strip(), dtype=object)
        t = _as_str_series(targets)
        if len(t) != n:
            raise ValueError(f"got {len(t)} targets for {n} texts")
        return t.str.strip().fillna("").to_numpy(dtype=object)

    def _score_group(self, sub: _Linear, s: pd.Series, batch_size: int, quiet: bool) -> np.ndarray:
        codes, uniques = pd.factorize(s)
        norm = normalise_text(pd.Series(uniques, dtype="str"))
        present = np.flatnonzero(norm.notna().to_numpy())
        u_score = np.full(len(uniques), np.nan)
        starts = range(0, present.size, max(1, int(batch_size)))
        for start in progress(starts, quiet=quiet, desc="scoring texts", unit="batch"):
            part = present[start : start + batch_size]
            u_score[part] = sub.score(norm.iloc[part].tolist(), self._features)
        out = np.full(len(s), np.nan)
        ok = codes >= 0
        out[ok] = u_score[codes[ok]]
        return out

    # -- persistence
    def save(self, path: str | os.PathLike) -> Path:
        """Write the model as one compressed ``.npz`` of plain arrays plus JSON metadata, atomically."""
        path = Path(path)
        subs = [(None, self.pooled)] + list(self.by_target.items())
        meta = dict(copy.deepcopy(dict(self.metadata)))
        meta["format"] = _FORMAT
        meta["submodels"] = [t for t, _ in subs]
        arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta, ensure_ascii=False, default=json_default))}
        for i, (_, sub) in enumerate(subs):
            arrays.update(sub.arrays(f"m{i}"))
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as fh:
                np.savez_compressed(fh, **arrays)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "SentimentModel":
        """Read a model written by :meth:`save`; InputError if the file is not one."""
        path = Path(path)
        if not path.is_file():
            raise InputError(str(path), "no such model file")
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"][()]))
                if meta.get("format") != _FORMAT:
                    raise InputError(str(path), f"not a kolgraph sentiment model (format {meta.get('format')!r})")
                subs = []
                for i, _ in enumerate(meta["submodels"]):
                    p = f"m{i}"
                    subs.append(_Linear(
                        keys=z[f"{p}.keys"], scale=z[f"{p}.scale"], coef=z[f"{p}.coef"],
                        intercept=z[f"{p}.intercept"], classes=z[f"{p}.classes"],
                    ))
        except InputError:
            raise
        except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
            raise InputError(str(path), f"cannot read sentiment model ({exc})") from None
        targets = meta.pop("submodels")
        meta.pop("format", None)
        by_target = {str(t): s for t, s in zip(targets[1:], subs[1:])}
        return cls(subs[0], by_target, meta)


@functools.lru_cache(maxsize=1)
def load_default_model() -> SentimentModel:
    """The sentiment model shipped in ``kolgraph/models/`` (loaded once, then cached)."""
    if not DEFAULT_MODEL_PATH.is_file():
        raise KolgraphError(
            f"the shipped sentiment model is missing ({DEFAULT_MODEL_PATH}); "
            "rebuild it with scripts/train_sentiment.py"
        )
    return SentimentModel.load(DEFAULT_MODEL_PATH)


# --------------------------------------------------------------------------- labels and reading


def normalise_labels(
    values: Iterable[Any], *, path: str = "<labels>", rows: Sequence[int] | None = None
) -> np.ndarray:
    """Label codes (int8 in {-1, 0, +1}) from common spellings; InputError naming the row otherwise.

    Positive: 1, +1, pos, positive, FAVOR. Negative: -1, neg, negative, AGAINST. Neutral: neutral,
    none, NONE. ``0`` is negative when no ``-1`` occurs in the column (binary 1/0 files such as
    weibo2018) and neutral when one does (-1/0/1 files). Case and surrounding space are ignored;
    numbers such as ``1.0`` are accepted.
    """
    raw = [(_label_token(v)) for v in values]
    has_minus = any(r in ("-1",) for r in raw)
    out = np.empty(len(raw), dtype=np.int8)
    lookup: dict[str, int] = {}
    for key in set(raw):
        if key in _POS:
            lookup[key] = 1
        elif key in _NEG:
            lookup[key] = -1
        elif key in _NEU:
            lookup[key] = 0
        elif key == "0":
            lookup[key] = 0 if has_minus else -1
    for i, r in enumerate(raw):
        code = lookup.get(r)
        if code is None:
            row = rows[i] if rows is not None else i + 1
            reason = (
                f"unknown label {r!r}; use 1/0, -1/0/1, pos/neg/neutral, positive/negative "
                "or FAVOR/AGAINST/NONE" if r else "empty label"
            )
            raise InputError(path, reason, row=int(row))
        out[i] = code
    return out


def _label_token(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return str(int(v)) if float(v).is_integer() else str(v)
    t = str(v).strip().lower()
    try:
        f = float(t)
        if f.is_integer() and t not in ("+1",):
            return str(int(f))
    except ValueError:
        pass
    return t


@dataclass(frozen=True, eq=False)
class LabelledData:
    """Labelled texts read from a file: texts, label codes (-1/0/+1), optional targets, row numbers.

    ``rows`` are 1-based data rows (header excluded); ``skipped_rows`` had no label and were left out.
    """

    path: str
    texts: np.ndarray
    labels: np.ndarray
    targets: np.ndarray | None
    rows: np.ndarray
    skipped_rows: tuple[int, ...] = ()

    def __len__(self) -> int:
        return int(self.labels.size)


def read_labelled(
    path: str | os.PathLike,
    *,
    text_column: str | None = None,
    label_column: str | None = None,
    target_column: str | None = None,
    fmt: str = "auto",
) -> LabelledData:
    """Read labelled texts from CSV, TSV, JSONL/JSON or Parquet (plain or ``.gz``, UTF-8, BOM ok).

    ``fmt="auto"`` picks by extension and, for ``.txt``/``.csv``/``.tsv``, by the first line: a
    headerless ``mid,label,text`` file (weibo2018; split on the first two commas only) is
    recognised by a numeric id and a label in the first two fields; a line with tabs is TSV (the
    NLPCC ``ID TARGET TEXT STANCE`` file). Columns default to the first of text/review/content
    and label/stance/sentiment present (case-insensitive); targets only when ``target_column`` is
    given. Rows with an empty label are skipped and listed in ``skipped_rows``.
    """
    p = Path(path)
    name = str(path)
    if fmt not in _FORMATS:
        raise InputError(name, f"unknown format {fmt!r}; use one of {', '.join(_FORMATS)}")
    if not p.exists():
        raise InputError(name, "no such file")
    if p.is_dir():
        raise InputError(name, "is a directory, not a file")
    kind = _detect_format(p, fmt)
    if kind == "mid-label-text":
        df, rows = _read_mid_label_text(p)
    else:
        df = _read_frame(p, kind)
        rows = np.arange(1, len(df) + 1)
    if len(df) == 0:
        raise InputError(name, "no data rows")
    tcol = _pick_column(df, text_column, _TEXT_COLUMNS, "text", name)
    lcol = _pick_column(df, label_column, _LABEL_COLUMNS, "label", name)
    gcol = _pick_column(df, target_column, (), "target", name) if target_column else None

    raw = df[lcol]
    raw_s = raw.astype("str").where(raw.notna(), "").str.strip()
    has_label = (raw_s != "").to_numpy()
    skipped = tuple(int(r) for r in rows[~has_label])
    keep = np.flatnonzero(has_label)
    if keep.size == 0:
        raise InputError(name, f"no row has a label in column {lcol!r}")
    labels = normalise_labels(raw.iloc[keep].tolist(), path=name, rows=rows[keep])
    texts = df[tcol].iloc[keep]
    texts = texts.where(texts.notna(), None).to_numpy(dtype=object)
    targets = None
    if gcol is not None:
        g = df[gcol].iloc[keep]
        targets = g.astype("str").where(g.notna(), "").str.strip().to_numpy(dtype=object)
    return LabelledData(name, texts, labels, targets, rows[keep], skipped)


def _open_text(p: Path) -> io.TextIOBase:
    raw = gzip.open(p, "rb") if p.name.lower().endswith(".gz") else open(p, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _base_ext(p: Path) -> str:
    suffixes = [s.lower().lstrip(".") for s in p.suffixes if s.lower() != ".gz"]
    return suffixes[-1] if suffixes else ""


_MID_LINE = re.compile(r"^\s*\d+\s*,\s*([^,\t]{1,12})\s*,")


def _detect_format(p: Path, fmt: str) -> str:
    if fmt != "auto":
        return fmt
    ext = _base_ext(p)
    if ext == "parquet":
        return "parquet"
    if ext in ("jsonl", "ndjson"):
        return "jsonl"
    if ext == "json":
        return "json"
    try:
        with _open_text(p) as fh:
            first = ""
            for line in fh:
                if line.strip():
                    first = line
                    break
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputError(str(p), f"cannot read as UTF-8 text ({exc})") from None
    if not first:
        raise InputError(str(p), "empty file")
    m = _MID_LINE.match(first)
    if m and _label_token(m.group(1)) in (_POS | _NEG | _NEU | {"0"}):
        return "mid-label-text"
    if ext == "tsv" or "\t" in first:
        return "tsv"
    return "csv"


def _read_mid_label_text(p: Path) -> tuple[pd.DataFrame, np.ndarray]:
    try:
        with _open_text(p) as fh:
            lines = pd.Series(fh.read().split("\n"), dtype="str").str.rstrip("\r")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputError(str(p), f"cannot read as UTF-8 text ({exc})") from None
    rows = np.arange(1, len(lines) + 1)
    nonblank = (lines.str.strip() != "").to_numpy()
    lines, rows = lines[nonblank].reset_index(drop=True), rows[nonblank]
    if len(lines) == 0:
        raise InputError(str(p), "empty file")
    parts = lines.str.split(",", n=2, expand=True)
    if parts.shape[1] < 3 or parts[2].isna().any():
        bad = 0 if parts.shape[1] < 3 else int(np.flatnonzero(parts[2].isna().to_numpy())[0])
        raise InputError(str(p), "expected 'mid,label,text' (at least two commas)", row=int(rows[bad]))
    df = pd.DataFrame({"mid": parts[0].str.strip(), "label": parts[1], "text": parts[2]})
    return df, rows


def _read_frame(p: Path, kind: str) -> pd.DataFrame:
    name = str(p)
    try:
        if kind == "parquet":
            df = pd.read_parquet(p)
        elif kind in ("jsonl", "json"):
            df = pd.read_json(p, lines=kind == "jsonl", dtype=False, encoding="utf-8-sig",
                              compression="infer", orient=None if kind == "jsonl" else "records")
        else:
            df = pd.read_csv(p, sep="\t" if kind == "tsv" else ",", dtype=str, keep_default_na=False,
                             encoding="utf-8-sig", compression="infer")
    except pd.errors.EmptyDataError:
        raise InputError(name, "empty file") from None
    except pd.errors.ParserError as exc:
        msg = str(exc).splitlines()[0] if str(exc) else "parse error"
        raise InputError(name, f"cannot parse as {kind.upper()} ({msg})") from None
    except UnicodeDecodeError as exc:
        raise InputError(name, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except (OSError, EOFError, ValueError, ImportError) as exc:
        raise InputError(name, f"cannot read as {kind.upper()} ({exc})") from None
    if not isinstance(df, pd.DataFrame):
        raise InputError(name, f"expected a table of records, got {type(df).__name__}")
    df.columns = [str(c).lstrip("\ufeff").strip() for c in df.columns]
    return df


def _pick_column(df: pd.DataFrame, given: str | None, defaults: Sequence[str], what: str, path: str) -> str:
    lower = {str(c).lower(): str(c) for c in df.columns}
    if given is not None:
        if given in df.columns:
            return given
        if given.lower() in lower:
            return lower[given.lower()]
        raise InputError(path, f"no {what} column {given!r}; columns are: {', '.join(map(str, df.columns))}")
    for cand in defaults:
        if cand.lower() in lower:
            return lower[cand.lower()]
    raise InputError(
        path, f"no {what} column found (looked for {', '.join(defaults)}); columns are: "
        f"{', '.join(map(str, df.columns))}; name it with --{what}-column",
    )


# --------------------------------------------------------------------------- training and evaluation


def train_model(
    texts: Iterable[Any],
    labels: Iterable[Any],
    *,
    targets: Iterable[Any] | None = None,
    seed: int = 0,
    ngram_range: tuple[int, int] = (1, 3),
    latin_words: bool = True,
    min_df: int = 2,
    min_df_words: int = 1,
    C: float = 10.0,
    class_weight: str | None = None,
    weighting: str = "nb",
    sample_weight: Iterable[float] | None = None,
    word_list: Mapping[str, Any] | None = None,
    word_list_weight: float = 1.0,
    corpus: str = "",
    path: str = "<training data>",
    quiet: bool = True,
) -> SentimentModel:
    """Fit a character n-gram TF-IDF + logistic regression model on labelled texts.

    Labels are normalised with :func:`normalise_labels` (two labels give a binary model, three a
    three-class one). With ``targets``, one sub-model is fitted per target that has at least two
    labels, plus a pooled model on all rows, used for targets it has not seen.

    ``min_df`` drops n-grams seen in fewer documents (``min_df_words`` likewise for whole Latin
    words); ``C`` is the inverse L2 penalty; ``class_weight="balanced"`` reweights classes.
    ``weighting="nb"`` scales each feature's TF-IDF by its absolute Naive Bayes log-count ratio
    (NB-LR, Wang & Manning 2012: discriminative n-grams are penalised less); it applies to binary
    models, three-class ones use plain TF-IDF (``"tfidf"``).
    ``word_list`` (word -> label, e.g. an English sentiment lexicon) adds one row per word to the
    pooled model (with ``latin_words``, an English word is one feature, so this teaches its weight);
    its classes are balanced and scaled by ``word_list_weight`` so it does not move the
    intercept. Missing or empty texts are left out. Deterministic; ``seed`` goes to the solver.
    """
    lo, hi = (int(ngram_range[0]), int(ngram_range[1]))
    if not 1 <= lo <= hi <= _MAX_N:
        raise ValueError(f"ngram_range must satisfy 1 <= lo <= hi <= {_MAX_N}, got {ngram_range}")
    s = _as_str_series(texts)
    y = _as_label_codes(labels, path)
    if len(y) != len(s):
        raise ValueError(f"got {len(y)} labels for {len(s)} texts")
    w = np.ones(len(s)) if sample_weight is None else np.asarray(list(sample_weight), dtype=np.float64)
    if w.size != len(s):
        raise ValueError(f"got {w.size} sample weights for {len(s)} texts")
    norm = normalise_text(s)
    ok = norm.notna().to_numpy()
    t = None
    if targets is not None:
        t = _as_str_series(targets).fillna("").str.strip().to_numpy(dtype=object)
        if t.size != len(s):
            raise ValueError(f"got {t.size} targets for {len(s)} texts")
        t = t[ok]
    norm_l, y, w = norm[ok].tolist(), y[ok], w[ok]
    if len(norm_l) == 0:
        raise InputError(path, "no non-empty texts to train on")
    if np.unique(y).size < 2:
        raise InputError(path, f"need at least two different labels to train, got only {LABEL_NAMES[int(y[0])]!r}")
    extra = None
    if word_list:
        wn = normalise_text(list(word_list))
        wy = normalise_labels(list(word_list.values()), path="<word list>")
        keep = wn.notna().to_numpy() & (wy != 0)
        wn, wy = wn[keep].tolist(), wy[keep]
        if wy.size and np.unique(wy).size == 2:
            ww = np.where(wy == 1, wy.size / (2.0 * (wy == 1).sum()), wy.size / (2.0 * (wy == -1).sum()))
            extra = (wn, wy, ww * float(word_list_weight))
    if weighting not in ("nb", "tfidf"):
        raise ValueError(f"weighting must be 'nb' or 'tfidf', got {weighting!r}")
    params = dict(features=((lo, hi), bool(latin_words)), min_df=int(min_df),
                  min_df_words=int(min_df_words), C=float(C), class_weight=class_weight, seed=seed,
                  weighting=weighting)
    pooled = _fit_linear(norm_l, y, w, extra=extra, **params)
    by_target: dict[str, _Linear] = {}
    skipped: list[str] = []
    if t is not None:
        names = [n for n in pd.unique(t) if n]
        for name in progress(names, quiet=quiet, desc="targets"):
            m = t == name
            if np.unique(y[m]).size < 2:
                skipped.append(str(name))
                continue
            idx = np.flatnonzero(m)
            by_target[str(name)] = _fit_linear([norm_l[i] for i in idx], y[m], w[m], **params)
    counts = {LABEL_NAMES[int(c)]: int((y == c).sum()) for c in np.unique(y)}
    meta = {
        "method": "char n-gram TF-IDF (sublinear, L2" + (", NB log-count ratio" if weighting == "nb"
                   and np.unique(y).size == 2 else "") + ") + logistic regression",
        "kolgraph_version": __version__,
        "ngram_range": [lo, hi],
        "latin_words": bool(latin_words),
        "params": {"min_df": int(min_df), "min_df_words": int(min_df_words), "C": float(C),
                   "class_weight": class_weight, "weighting": weighting if np.unique(y).size == 2 else "tfidf",
                   "word_list_weight": float(word_list_weight)},
        "seed": int(seed),
        "corpus": corpus,
        "n_train": int(len(y)),
        "n_word_list": 0 if extra is None else len(extra[0]),
        "label_counts": counts,
        "targets": list(by_target),
        "targets_without_model": skipped,
        "n_features": int(pooled.keys.size),
        "evaluation": None,
    }
    return SentimentModel(pooled, by_target, meta)


def _as_label_codes(labels: Iterable[Any], path: str) -> np.ndarray:
    """int8 arrays in {-1, 0, 1} are codes already (as read_labelled returns); others are normalised."""
    arr = labels if isinstance(labels, np.ndarray) else np.asarray(list(labels), dtype=object)
    if arr.dtype == np.int8 and np.isin(arr, (-1, 0, 1)).all():
        return arr
    return normalise_labels(arr.tolist(), path=path)


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


def _fit_linear(
    norm: Sequence[str], y: np.ndarray, w: np.ndarray, *, seed: int, features: tuple,
    min_df: int, min_df_words: int, C: float, class_weight: str | None, weighting: str = "tfidf",
    extra: tuple[list[str], np.ndarray, np.ndarray] | None = None,
) -> _Linear:
    from sklearn.linear_model import LogisticRegression

    docs, keys = _ngram_keys(norm, *features)
    if extra is not None:  # word-list rows
        d2, k2 = _ngram_keys(extra[0], *features)
        docs, keys = np.r_[docs, d2 + len(norm)], np.r_[keys, k2]
        y, w = np.r_[y, extra[1]], np.r_[w, extra[2]]
    n = y.size
    vocab, inv = np.unique(keys, return_inverse=True)
    counts = sp.csr_matrix((np.ones(keys.size), (docs, inv)), shape=(n, vocab.size))
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=vocab.size)
    is_word = (vocab & _WORD_FLAG) != 0
    keep = np.flatnonzero(df >= np.where(is_word, max(1, min_df_words), max(1, min_df)))
    vocab, counts, df = vocab[keep], counts[:, keep].tocsr(), df[keep]
    scale = np.log((1.0 + n) / (1.0 + df)) + 1.0
    if weighting == "nb" and np.unique(y).size == 2:
        scale = scale * (np.abs(nb_log_ratio(counts, y, w)) + 1e-3)  # with a small floor
    scale = scale.astype(np.float32)
    x = _tfidf(counts, scale.astype(np.float64))
    classes = np.unique(y)

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
    return _Linear(
        keys=vocab.astype(np.uint64), scale=scale, coef=coef.astype(np.float32),
        intercept=intercept.astype(np.float32), classes=classes.astype(np.int8),
    )


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
) -> Evaluation:
    """Compare the model's predicted labels with true labels (any spelling :func:`normalise_labels` reads)."""
    s = _as_str_series(texts)
    y = _as_label_codes(labels, path or "<labels>")
    if len(y) != len(s):
        raise ValueError(f"got {len(y)} labels for {len(s)} texts")
    if len(y) == 0:
        raise InputError(path or "<labels>", "nothing to evaluate")
    pred = model.predict(s, targets)
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


def load_model(model: "SentimentModel | str | os.PathLike | None" = None) -> SentimentModel:
    """A model as given: None is the shipped default, a path is read with :meth:`SentimentModel.load`."""
    if model is None:
        return load_default_model()
    if isinstance(model, SentimentModel):
        return model
    return SentimentModel.load(model)


def score_texts(
    texts: Iterable[Any],
    *,
    model: SentimentModel | str | os.PathLike | None = None,
    target: str | None = None,
    quiet: bool = True,
) -> np.ndarray:
    """Sentiment in [-1, 1] per text with a model (default: the shipped one); NaN for empty texts."""
    return load_model(model).score(texts, target, quiet=quiet)


def evaluate_file(
    path: str | os.PathLike,
    *,
    model: SentimentModel | str | os.PathLike | None = None,
    fmt: str = "auto",
    text_column: str | None = None,
    label_column: str | None = None,
    target_column: str | None = None,
) -> Evaluation:
    """Evaluate a model (default: the shipped one; or a path to a saved one) on a labelled file."""
    model = load_model(model)  # a bad model file fails before a large data file is read
    data = read_labelled(path, text_column=text_column, label_column=label_column,
                         target_column=target_column, fmt=fmt)
    return evaluate_model(model, data.texts, data.labels, data.targets, path=data.path)


def train_file(
    path: str | os.PathLike,
    *,
    fmt: str = "auto",
    text_column: str | None = None,
    label_column: str | None = None,
    target_column: str | None = None,
    seed: int = 0,
    quiet: bool = True,
    **params: Any,
) -> SentimentModel:
    """Train a model on a labelled file (see :func:`read_labelled` and :func:`train_model`)."""
    data = read_labelled(path, text_column=text_column, label_column=label_column,
                         target_column=target_column, fmt=fmt)
    corpus = f"{Path(path).name} ({len(data)} labelled rows"
    corpus += f", {len(data.skipped_rows)} without a label skipped)" if data.skipped_rows else ")"
    return train_model(data.texts, data.labels, targets=data.targets, seed=seed, corpus=corpus,
                       path=data.path, quiet=quiet, **params)
