"""The behavioural suite as tests: the shipped model's per-category and per-language accuracy.

Targets (issue 18): sign accuracy >= 0.90 in each language, no category below 0.75. The table in
the README comes from ``python -m tests.behaviour.suite``.
"""

from __future__ import annotations

import pytest

from .cases_en import CATEGORIES as EN
from .cases_zh import CATEGORIES as ZH
from .suite import run_suite, summary_table


@pytest.fixture(scope="module")
def results():
    return run_suite()


def test_every_category_has_at_least_20_cases_per_language():
    assert set(ZH) == set(EN) and len(ZH) >= 8
    for cats in (ZH, EN):
        for name, cases in cats.items():
            assert len(cases) >= 20, name
            assert len({t for t, _ in cases}) == len(cases), f"duplicate case in {name}"


def test_language_accuracy_at_least_090(results):
    tab = summary_table(results)
    assert tab.loc["all", "zh"] >= 0.90, tab
    assert tab.loc["all", "en"] >= 0.90, tab


def test_no_category_below_075(results):
    tab = summary_table(results).drop(index="all")
    assert (tab[["zh", "en"]] >= 0.75).all().all(), tab


@pytest.mark.parametrize("text,sign", [
    ("岚柚质量太差", -1), ("退货", -1), ("this phone is garbage", -1), ("Acme is overpriced junk", -1),
    ("一点也不好用", -1), ("not bad at all", 1), ("呵呵，真行", -1), ("脱粉了", -1),
    ("never buying again", -1), ("[怒]", -1), ("[赞]", 1), ("you are wrong about Acme, 别黑了", 1),
])
def test_the_plain_cases_of_the_issue(text, sign):
    from kolgraph.algorithms.sentiment import score_texts

    assert score_texts([text])[0] * sign > 0.1
