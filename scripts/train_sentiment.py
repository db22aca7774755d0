#!/usr/bin/env python
"""Train kolgraph's shipped sentiment model from the real Weibo corpora.

Training data: weibo2018/train.txt (10,000 posts) and the weibo_senti_100k 2,400-row subset,
plus the English words of the VADER lexicon (Hutto & Gilbert 2014, MIT licence, read from the
``vaderSentiment`` package) so plain English is scored too. Hyperparameters are chosen by
k-fold cross-validation on weibo2018/train.txt only; weibo2018/test.txt is held out and used once,
for the figure recorded in the model. Deterministic under ``--seed``.

    pip install vaderSentiment==3.3.2      # for the English word list (or pass --no-word-list)
    python scripts/train_sentiment.py      # about 5 minutes on 2 cores

Writes kolgraph/models/sentiment_default.npz and a readable card sentiment_default.json beside it.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kolgraph._io import write_json  # noqa: E402
from kolgraph.algorithms.sentiment import (  # noqa: E402
    DEFAULT_MODEL_PATH, evaluate_model, read_labelled, train_model,
)

GRID = {
    "weighting": ["tfidf", "nb"],
    "ngram_range": [(1, 2), (1, 3)],
    "min_df": [2, 3],
    "C": [1.0, 3.0, 10.0],
}


def vader_word_list(min_abs: float = 1.0) -> dict[str, int]:
    """English words of the VADER lexicon with |mean valence| >= min_abs, as +1 / -1."""
    import importlib.resources as resources

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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=REPO / ".." / "shared" / "data" / "external")
    ap.add_argument("-o", "--out", type=Path, default=DEFAULT_MODEL_PATH)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--no-grid", action="store_true", help="skip cross-validation; use the defaults")
    ap.add_argument("--no-word-list", action="store_true", help="no English word list (Chinese only)")
    args = ap.parse_args(argv)

    d = args.data_dir.resolve()
    train = read_labelled(d / "weibo2018" / "train.txt")
    extra = read_labelled(d / "weibo_senti_100k_subset2400" / "weibo_senti_100k.csv")
    test = read_labelled(d / "weibo2018" / "test.txt")
    words = {} if args.no_word_list else vader_word_list()
    print(f"train {len(train)} + {len(extra)} posts, {len(words)} English words; held out {len(test)}")

    # -- model selection: k-fold CV on weibo2018/train.txt (the subset and word list always train)
    rng = np.random.default_rng(args.seed)
    fold = rng.permutation(len(train)) % args.folds
    combos = [dict(zip(GRID, v)) for v in itertools.product(*GRID.values())]
    cv_rows = []
    best = (-1.0, None)
    if args.no_grid:
        combos = [{}]
    for params in combos:
        t0 = time.perf_counter()
        accs, f1s = [], []
        for f in range(args.folds if not args.no_grid else 0):
            m = fold != f
            model = train_model(
                np.r_[train.texts[m], extra.texts], np.r_[train.labels[m], extra.labels].astype(np.int8),
                word_list=words, seed=args.seed, **params,
            )
            ev = evaluate_model(model, train.texts[~m], train.labels[~m])
            accs.append(ev.accuracy)
            f1s.append(ev.macro_f1)
        row = {**params, "cv_accuracy": float(np.mean(accs)) if accs else None,
               "cv_accuracy_sd": float(np.std(accs)) if accs else None,
               "cv_macro_f1": float(np.mean(f1s)) if f1s else None}
        cv_rows.append(row)
        if accs:
            print(f"  {params}  cv acc {row['cv_accuracy']:.4f} +- {row['cv_accuracy_sd']:.4f}  "
                  f"macro-F1 {row['cv_macro_f1']:.4f}  ({time.perf_counter() - t0:.0f} s)", flush=True)
        key = row["cv_accuracy"] if accs else 0.0
        if key > best[0]:
            best = (key, params)
    params = best[1] or {}
    print(f"chosen by CV: {params}")

    # -- final fit on all training data, one evaluation on the held-out test file
    model = train_model(
        np.r_[train.texts, extra.texts], np.r_[train.labels, extra.labels].astype(np.int8),
        word_list=words, seed=args.seed, **params,
        corpus=(
            "weibo2018/train.txt (10,000 Weibo posts, dengxiuqi/weibo2018) + weibo_senti_100k "
            "2,400-row subset (SophonPlus/ChineseNlpCorpus via forever1986/bert_task)"
            + (f" + {len(words)} English words of the VADER lexicon (vaderSentiment 3.3.2, |valence| >= 1)"
               if words else "")
        ),
    )
    ev = evaluate_model(model, test.texts, test.labels, path="weibo2018/test.txt")
    model = model.with_metadata(
        evaluation={**ev.to_dict(), "held_out": "weibo2018/test.txt (500 posts, never used in training or selection)"},
        cv={"folds": args.folds, "on": "weibo2018/train.txt", "seed": args.seed, "grid": cv_rows,
            "chosen": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}},
        trained_by="scripts/train_sentiment.py",
    )
    out = model.save(args.out)
    card = dict(model.metadata)
    card["file"] = out.name
    card["bytes"] = out.stat().st_size
    write_json(out.with_suffix(".json"), card)
    print(f"held-out weibo2018/test.txt: accuracy {ev.accuracy:.4f}, macro-F1 {ev.macro_f1:.4f}, "
          f"per-label F1 {ev.per_label_f1}, confusion {ev.confusion} (rows true {ev.labels})")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB, {model.pooled.keys.size} features)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
