"""Text sentiment / stance model (methods page, section 2): Chinese and English, in [-1, 1].

Modules, one job each:

- :mod:`.text`: normalisation and feature keys (character n-grams, words, word bigrams,
  negation scopes);
- :mod:`.linear`: one TF-IDF (NB-weighted) + logistic regression classifier as plain arrays;
- :mod:`.cues`: the hand-written cue lexicon (returns, boycotts, sarcasm markers, a fan's defence);
- :mod:`.model`: :class:`SentimentModel`, scoring (linear score + cue layer);
- :mod:`.train`: training and evaluation in memory;
- :mod:`.labels`: label spellings;
and, outside the algorithms (which never touch files), :mod:`kolgraph.models.io` reads and writes
model files and :mod:`kolgraph.models.labelled` reads labelled data files.

How the shipped model is trained and how well it does: ``docs/sentiment.md``.
"""

from __future__ import annotations

from .cues import cue_scores
from ...models.io import DEFAULT_ATTITUDE_MODEL_PATH, DEFAULT_MODEL_PATH, load_default_model
from .labels import LABEL_NAMES, normalise_labels
from .linear import LinearModel, nb_log_ratio
from .model import SentimentModel, load_model, score_texts
from .text import Features, normalise_text
from .train import Evaluation, evaluate_model, negated_word_list, train_model

__all__ = [
    "LABEL_NAMES",
    "DEFAULT_MODEL_PATH",
    "DEFAULT_ATTITUDE_MODEL_PATH",
    "Features",
    "LinearModel",
    "SentimentModel",
    "Evaluation",
    "normalise_text",
    "normalise_labels",
    "nb_log_ratio",
    "cue_scores",
    "negated_word_list",
    "train_model",
    "evaluate_model",
    "score_texts",
    "load_model",
    "load_default_model",
]
