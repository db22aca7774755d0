#!/usr/bin/env python
"""Train kolgraph's shipped sentiment model (Chinese and English) from real labelled corpora.

Training data (all under ../shared/data/external/):
  Chinese: weibo2018/train.txt (10,000 Weibo posts) + weibo_senti_100k 2,400-row subset;
  English: TweetEval sentiment val + test (14,284 tweets; neutral tweets enter as soft 0.5
  targets) + UCI sentiment sentences (3,000 review sentences);
  word list: the English words of the VADER lexicon (vaderSentiment, MIT) with |valence| >= 1,
  and "not <word>" with the opposite label.
Model selection by 5-fold cross-validation on training data only (folds over weibo2018/train.txt,
over the tweets and over the UCI sentences; each fold's model trains on the other folds of all
three plus the Weibo subset and the word list): C by mean CV accuracy (Chinese and English
weighted equally); then the cue-layer weight by the one-standard-error rule (the largest weight
whose CV accuracy is within one standard error, over folds, of the best). weibo2018/test.txt is
read once, after the choice, for the figure recorded in the model.

    pip install vaderSentiment==3.3.2
    python scripts/train_sentiment.py       # about 3 minutes on 2 cores

Writes kolgraph/models/sentiment_default.npz and a readable card sentiment_default.json beside it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import sentiment_corpora as corpora  # noqa: E402

from kolgraph._io import write_json  # noqa: E402
from kolgraph.algorithms.sentiment import (  # noqa: E402
    DEFAULT_MODEL_PATH, evaluate_model, negated_word_list, train_model,
)

C_GRID = (1.0, 3.0, 10.0)
CUE_GRID = (0.0, 0.5, 1.0, 1.5, 2.0)
FIXED = dict(ngram_range=(1, 2), min_df=2, weighting="nb", word_bigrams=True, negation=True, neutral="soft")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=REPO / ".." / "shared" / "data" / "external")
    ap.add_argument("-o", "--out", type=Path, default=DEFAULT_MODEL_PATH)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args(argv)

    d = args.data_dir.resolve()
    zt, zy = corpora.weibo2018(d, "train")
    st, sy = corpora.weibo_senti_subset(d)
    et, ey = corpora.tweeteval(d)
    ut, uy = corpora.uci_sentences(d)
    words = corpora.vader_word_list()
    words.update(negated_word_list(words))
    print(f"zh {len(zt)} + {len(st)} posts; en {len(et)} tweets + {len(ut)} sentences; {len(words)} word-list rows")

    rng = np.random.default_rng(args.seed)
    fz, fe, fu = (rng.permutation(n) % args.folds for n in (len(zt), len(et), len(ut)))
    cv: dict[tuple[float, float], list[tuple[float, float]]] = {}
    for C in C_GRID:
        t0 = time.perf_counter()
        for f in range(args.folds):
            mz, me, mu = fz != f, fe != f, fu != f
            model = train_model(np.r_[zt[mz], st, et[me], ut[mu]],
                                np.r_[zy[mz], sy, ey[me], uy[mu]].astype(np.int8),
                                word_list=words, seed=args.seed, C=C, **FIXED)
            pe = ~me & (ey != 0)  # English held out: positive and negative tweets + sentences
            en_t, en_y = np.r_[et[pe], ut[~mu]], np.r_[ey[pe], uy[~mu]]
            for cw in CUE_GRID:
                m = model.with_metadata(cue_weight=cw)
                az = float((m.predict(zt[~mz], toward_brand=False) == zy[~mz]).mean())
                ae = float((m.predict(en_t, toward_brand=False) == en_y).mean())
                cv.setdefault((C, cw), []).append((az, ae))
        for cw in CUE_GRID:
            a = np.array(cv[(C, cw)])
            print(f"  C={C:<5} cue_weight={cw:<4} CV accuracy zh {a[:, 0].mean():.4f} en {a[:, 1].mean():.4f} "
                  f"mean {a.mean():.4f} +- {a.mean(axis=1).std(ddof=1) / np.sqrt(len(a)):.4f}", flush=True)
        print(f"  ({time.perf_counter() - t0:.0f} s)", flush=True)

    def mean(key):
        return float(np.array(cv[key]).mean())

    def se(key):
        a = np.array(cv[key]).mean(axis=1)
        return float(a.std(ddof=1) / np.sqrt(a.size))

    best_C = max(C_GRID, key=lambda C: max(mean((C, cw)) for cw in CUE_GRID))
    best_cw = max(CUE_GRID, key=lambda cw: mean((best_C, cw)))
    floor = mean((best_C, best_cw)) - se((best_C, best_cw))
    cue_weight = max(cw for cw in CUE_GRID if mean((best_C, cw)) >= floor)
    print(f"chosen by CV: C={best_C}; cue_weight={cue_weight} (best {best_cw}, one-SE floor {floor:.4f})")

    corpus = ("weibo2018/train.txt (10,000 Weibo posts) + weibo_senti_100k 2,400-row subset + TweetEval sentiment "
              "val+test (14,284 tweets, neutral as soft 0.5 targets) + UCI sentiment sentences (3,000) + "
              f"{len(words)} VADER lexicon rows (vaderSentiment 3.3.2, |valence| >= 1, with 'not <word>' flipped)")
    model = train_model(np.r_[zt, st, et, ut], np.r_[zy, sy, ey, uy].astype(np.int8), word_list=words,
                        seed=args.seed, C=best_C, cue_weight=cue_weight, corpus=corpus, **FIXED)
    wt, wy = corpora.weibo2018(d, "test")  # read once, after the choice
    ev = evaluate_model(model, wt, wy, path="weibo2018/test.txt", toward_brand=False)
    ev_brand = evaluate_model(model, wt, wy, path="weibo2018/test.txt", toward_brand=True)
    grid = [{"C": C, "cue_weight": cw, "cv_accuracy_zh": float(np.array(v)[:, 0].mean()),
             "cv_accuracy_en": float(np.array(v)[:, 1].mean()), "cv_accuracy_mean": mean((C, cw)),
             "cv_se": se((C, cw))} for (C, cw), v in cv.items()]
    model = model.with_metadata(
        evaluation={**ev.to_dict(), "toward_brand": False,
                    "held_out": "weibo2018/test.txt (500 posts, never used in training or selection)"},
        evaluation_toward_brand={"accuracy": ev_brand.accuracy, "macro_f1": ev_brand.macro_f1},
        cv={"folds": args.folds, "seed": args.seed, "grid": grid,
            "on": "weibo2018/train.txt, TweetEval val+test, UCI sentences (5 folds each)", "chosen": {"C": best_C, "cue_weight": cue_weight},
            "rule": "C by best mean CV accuracy (zh and en equally weighted); cue_weight by the one-SE rule"},
        trained_by="scripts/train_sentiment.py",
    )
    out = model.save(args.out)
    card = dict(model.metadata)
    card["file"] = out.name
    card["bytes"] = out.stat().st_size
    write_json(out.with_suffix(".json"), card)
    print(f"held-out weibo2018/test.txt: accuracy {ev.accuracy:.4f} (toward_brand: {ev_brand.accuracy:.4f}), "
          f"macro-F1 {ev.macro_f1:.4f}, confusion {ev.confusion} (rows true {ev.labels})")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB, {model.pooled.keys.size} features)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
