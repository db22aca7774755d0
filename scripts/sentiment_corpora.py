"""Readers for the labelled corpora the shipped text models are trained on (used by scripts/).

Each returns (texts, label codes) as numpy arrays; label codes +1 positive, -1 negative, 0 neutral.
"""

from __future__ import annotations

import importlib.resources as resources
from pathlib import Path

import numpy as np

from kolgraph.models.labelled import read_labelled

__all__ = ["weibo2018", "weibo_senti_subset", "tweeteval", "uci_sentences", "vader_word_list"]


def weibo2018(d: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """weibo2018/<split>.txt (split 'train' or 'test'; 'test' only for the final reported figure)."""
    data = read_labelled(d / "weibo2018" / f"{split}.txt")
    return data.texts, data.labels


def weibo_senti_subset(d: Path) -> tuple[np.ndarray, np.ndarray]:
    data = read_labelled(d / "weibo_senti_100k_subset2400" / "weibo_senti_100k.csv")
    return data.texts, data.labels


def tweeteval(d: Path) -> tuple[np.ndarray, np.ndarray]:
    """TweetEval sentiment val + test splits (14,284 tweets; 0 negative, 1 neutral, 2 positive)."""
    base = d / "tweeteval_sentiment"
    texts, labels = [], []
    for split in ("val", "test"):
        t = (base / f"{split}_text.txt").read_text(encoding="utf-8").split("\n")
        y = (base / f"{split}_labels.txt").read_text(encoding="utf-8").split()
        t = t[: len(y)]
        texts += [s.strip() for s in t]
        labels += [int(v) - 1 for v in y]
    return np.array(texts, dtype=object), np.array(labels, dtype=np.int8)


def uci_sentences(d: Path) -> tuple[np.ndarray, np.ndarray]:
    """UCI 'Sentiment Labelled Sentences' (Amazon, IMDb, Yelp; 3,000 sentences, 1/0)."""
    texts, labels = [], []
    for name in ("amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt"):
        for line in (d / "uci_sentiment_sentences" / name).read_text(encoding="utf-8").splitlines():
            if "\t" not in line:
                continue
            text, lab = line.rsplit("\t", 1)
            if lab.strip() in ("0", "1"):
                texts.append(text.strip())
                labels.append(1 if lab.strip() == "1" else -1)
    return np.array(texts, dtype=object), np.array(labels, dtype=np.int8)


def vader_word_list(min_abs: float = 1.0) -> dict[str, int]:
    """English words of the VADER lexicon (vaderSentiment, MIT) with |mean valence| >= min_abs, as +1 / -1."""
    text = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    out: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        word, valence = parts[0], float(parts[1])
        if word.isascii() and word.isalpha() and abs(valence) >= min_abs:
            out[word.lower()] = 1 if valence > 0 else -1
    return out
