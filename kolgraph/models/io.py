"""Model files: the one module that reads and writes the text models' files (the sentiment model
of :mod:`kolgraph.algorithms.sentiment` and the reply-attitude model of
:mod:`kolgraph.algorithms.attitude`); the algorithms themselves never touch files.

A model file is one compressed ``.npz`` of plain arrays (no pickle; nothing tied to a
scikit-learn version): ``meta`` (JSON text: format, metadata, sub-model names) and, per sub-model
``m<i>``, the arrays of :meth:`~.linear.LinearModel.arrays`. Sentiment models are format
``kolgraph-sentiment/2`` (``/1`` files, from before word bigrams, negation scopes and the cue
layer, still load); reply-attitude models are ``kolgraph-attitude/1``.
The shipped models live in ``kolgraph/models/`` and are loaded once per process.
"""

from __future__ import annotations

import copy
import functools
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from .._io import atomic_path, json_default
from ..errors import InputError, KolgraphError

__all__ = [
    "MODELS_DIR",
    "DEFAULT_MODEL_PATH",
    "DEFAULT_ATTITUDE_MODEL_PATH",
    "SENTIMENT_FORMAT",
    "ATTITUDE_FORMAT",
    "save_arrays",
    "read_arrays",
    "save_model",
    "read_model",
    "load_default_model",
]

MODELS_DIR = Path(__file__).resolve().parent
#: The sentiment model shipped with the package, trained by ``scripts/train_sentiment.py``.
DEFAULT_MODEL_PATH = MODELS_DIR / "sentiment_default.npz"
#: The reply-attitude model shipped with the package, trained by ``scripts/train_attitude.py``.
DEFAULT_ATTITUDE_MODEL_PATH = MODELS_DIR / "attitude_default.npz"

SENTIMENT_FORMAT = "kolgraph-sentiment/2"
ATTITUDE_FORMAT = "kolgraph-attitude/1"
_READABLE = {SENTIMENT_FORMAT: "sentiment", "kolgraph-sentiment/1": "sentiment", ATTITUDE_FORMAT: "attitude"}


def save_arrays(path: str | os.PathLike, fmt: str, metadata: dict[str, Any],
                subs: list[tuple[str | None, Any]]) -> Path:
    """Write sub-models and metadata as one ``.npz``, atomically."""
    path = Path(path)
    meta = dict(copy.deepcopy(dict(metadata)))
    meta["format"] = fmt
    meta["submodels"] = [t for t, _ in subs]
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta, ensure_ascii=False, default=json_default))}
    for i, (_, sub) in enumerate(subs):
        arrays.update(sub.arrays(f"m{i}"))
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)
    return path


def read_arrays(path: str | os.PathLike, kind: str) -> tuple[dict[str, Any], list[tuple[str | None, Any]]]:
    """(metadata, [(sub-model name, LinearModel)]) of a model file of ``kind`` ('sentiment' or
    'attitude'); InputError naming the file if it is not one."""
    from ..algorithms.sentiment.linear import LinearModel  # here: the algorithms import this module

    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "no such model file")
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"][()]))
            fmt = meta.get("format")
            if _READABLE.get(fmt) != kind:
                raise InputError(str(path), f"not a kolgraph {kind} model (format {fmt!r})")
            names = meta.pop("submodels")
            subs = [(n, LinearModel.from_arrays(z, f"m{i}")) for i, n in enumerate(names)]
    except InputError:
        raise
    except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise InputError(str(path), f"cannot read {kind} model ({exc})") from None
    meta.pop("format", None)
    return meta, subs


def save_model(model: Any, path: str | os.PathLike) -> Path:
    """Write a :class:`~kolgraph.algorithms.sentiment.SentimentModel` (pooled sub-model first, then one per target)."""
    subs = [(None, model.pooled)] + list(model.by_target.items())
    return save_arrays(path, SENTIMENT_FORMAT, dict(model.metadata), subs)


def read_model(path: str | os.PathLike) -> Any:
    """Read a :class:`~kolgraph.algorithms.sentiment.SentimentModel` written by :func:`save_model`."""
    from ..algorithms.sentiment.model import SentimentModel

    meta, subs = read_arrays(path, "sentiment")
    by_target = {str(t): s for t, s in subs[1:]}
    return SentimentModel(subs[0][1], by_target, meta)


@functools.lru_cache(maxsize=1)
def load_default_model() -> Any:
    """The sentiment model shipped in ``kolgraph/models/`` (loaded once, then cached)."""
    if not DEFAULT_MODEL_PATH.is_file():
        raise KolgraphError(f"the shipped sentiment model is missing ({DEFAULT_MODEL_PATH}); "
                            "rebuild it with scripts/train_sentiment.py")
    return read_model(DEFAULT_MODEL_PATH)
