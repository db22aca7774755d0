"""The behavioural suite (CheckList style, Ribeiro et al. 2020): per category and language.

A case passes when the sign of the model's score toward the brand matches the expected sign
(+1 / -1), or, for neutral cases (0), when ``|score| < NEUTRAL_BAND``. Run it:

    python -m tests.behaviour.suite             # the table in the README
    python -m tests.behaviour.suite --failures  # and every failing case with its score
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np
import pandas as pd

from . import cases_en, cases_zh

__all__ = ["NEUTRAL_BAND", "LANGUAGES", "run_suite", "summary_table"]

#: a neutral case passes when |score| is below this
NEUTRAL_BAND = 0.5
LANGUAGES = {"zh": cases_zh.CATEGORIES, "en": cases_en.CATEGORIES}


def run_suite(model: Any = None) -> pd.DataFrame:
    """One row per case: language, category, text, expected, score, passed."""
    if model is None:
        from kolgraph.algorithms.sentiment import load_default_model

        model = load_default_model()
    rows = []
    for lang, cats in LANGUAGES.items():
        for cat, cases in cats.items():
            texts = [t for t, _ in cases]
            expected = np.array([e for _, e in cases])
            score = np.asarray(model.score(texts, toward_brand=True), dtype="float64")
            passed = np.where(expected == 0, np.abs(score) < NEUTRAL_BAND, np.sign(score) == expected)
            rows += [dict(language=lang, category=cat, text=t, expected=int(e), score=float(s), passed=bool(p))
                     for t, e, s, p in zip(texts, expected, score, passed)]
    return pd.DataFrame(rows)


def summary_table(results: pd.DataFrame) -> pd.DataFrame:
    """Accuracy per category (rows) and language (columns), with an 'all' row."""
    t = results.pivot_table(index="category", columns="language", values="passed", aggfunc="mean", sort=False)
    n = results.pivot_table(index="category", columns="language", values="passed", aggfunc="size", sort=False)
    t.loc["all"] = results.groupby("language")["passed"].mean()
    n.loc["all"] = results.groupby("language").size()
    n = n[["zh", "en"]].rename(columns={"zh": "zh_n", "en": "en_n"})
    return pd.concat([t[["zh", "en"]], n], axis=1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--failures", action="store_true", help="list failing cases")
    ap.add_argument("--model", default=None, help="a model file (default: the shipped model)")
    args = ap.parse_args(argv)
    model = None
    if args.model:
        from kolgraph.algorithms.sentiment import SentimentModel

        model = SentimentModel.load(args.model)
    res = run_suite(model)
    tab = summary_table(res)
    print("| category | zh | en | cases (zh / en) |")
    print("| --- | ---: | ---: | ---: |")
    for cat, r in tab.iterrows():
        print(f"| {cat} | {r['zh']:.2f} | {r['en']:.2f} | {int(r['zh_n'])} / {int(r['en_n'])} |")
    if args.failures:
        for _, r in res[~res["passed"]].iterrows():
            print(f"FAIL [{r['language']}] {r['category']}: expected {r['expected']:+d}, score {r['score']:+.3f}: {r['text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
