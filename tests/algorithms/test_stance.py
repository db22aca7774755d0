"""Brand stance and attitudes: what the numbers mean on small hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kolgraph.algorithms.stance import (
    StanceParams,
    attitudes,
    brand_directed,
    index_texts,
    interaction_attitude,
    interaction_sentiment,
    keyword_pattern,
    user_stance,
)
from kolgraph.config import BrandConfig

BRAND = BrandConfig(accounts=("lumio",), keywords=("Lumio", "流明", "a.b"), name="Lumio")


def frame(rows, sentiment=True):
    cols = ["src", "dst", "kind", "text"] + (["sentiment"] if sentiment else [])
    df = pd.DataFrame(rows, columns=cols)
    for c in ("src", "dst", "text"):
        df[c] = df[c].astype("str")
    return df


class FixedModel:
    """Scores texts by a lookup table and records what it was asked, to check what gets scored."""

    def __init__(self, table, default=0.0):
        self.table, self.default, self.calls = table, default, []

    def score(self, texts, quiet=True):
        texts = list(texts)
        self.calls.append(texts)
        return np.array([self.table.get(t, self.default) for t in texts], dtype=float)


def test_brand_directed_by_account_keyword_or_neither():
    df = frame([
        ("u1", "lumio", "reply", "nice phone", np.nan),        # targets a brand account
        ("u2", "kol", "reply", "my LUMIO broke", np.nan),      # keyword, other case
        ("u3", "kol", "mention", "我的流明手机", np.nan),       # Chinese keyword
        ("u4", "kol", "reply", "nothing about it", np.nan),    # neither
        ("u5", "kol", "reply", "", np.nan),                    # empty text
        ("u6", "kol", "reply", "aXb is not a.b", np.nan),      # keyword with a regex metacharacter, literal
        ("u7", "kol", "reply", "axb only", np.nan),            # '.' must not act as a wildcard
    ])
    got = brand_directed(df, BRAND)
    assert got.tolist() == [True, True, True, False, False, True, False]
    # no keywords: only the account target counts
    assert brand_directed(df, BrandConfig(accounts=("lumio",))).tolist() == [True] + [False] * 6


def test_keyword_pattern_escapes_and_prefers_longer():
    assert keyword_pattern([]) is None
    assert keyword_pattern(["a", "ab", " "]) == "ab|a"
    assert keyword_pattern(["c++"]) == r"c\+\+"


def test_one_warm_reply_gives_one_third_not_one():
    df = frame([("fan", "lumio", "reply", "love it", 1.0)])
    res = user_stance(df, interaction_sentiment(df), BRAND, k0=2.0)
    out = res.to_frame().set_index("user_id")
    assert out.loc["fan", "stance"] == pytest.approx(1 / 3)
    assert out.loc["fan", "stance_support"] == 1
    # the target itself acted on nothing: insufficient evidence (NaN), never a silent 0
    assert np.isnan(out.loc["lumio", "stance"]) and out.loc["lumio", "stance_support"] == 0
    assert out.loc["lumio", "stance_evidence"] == "insufficient" and out.loc["fan", "stance_evidence"] == "sufficient"


def test_stance_is_shrunk_mean_over_brand_directed_rows_with_known_sentiment():
    df = frame([
        ("a", "lumio", "repost", "", 0.9),
        ("a", "x", "reply", "Lumio rocks", 0.6),
        ("a", "x", "reply", "unrelated", -1.0),     # not brand-directed: ignored
        ("a", "lumio", "reply", "", np.nan),        # brand-directed but unknown and no text: ignored
        ("b", "lumio", "reply", "", -0.8),
        ("b", "lumio", "reply", "", -0.7),
        ("b", "lumio", "reply", "", -0.9),
    ])
    s = interaction_sentiment(df)
    res = user_stance(df, s, BRAND, k0=2.0).to_frame().set_index("user_id")
    assert res.loc["a", "stance"] == pytest.approx((0.9 + 0.6) / (2 + 2))
    assert res.loc["a", "stance_support"] == 2
    assert res.loc["b", "stance"] == pytest.approx(-2.4 / 5)
    assert res.loc["b", "stance_support"] == 3
    # k0 = 0 is the plain mean
    plain = user_stance(df, s, BRAND, k0=0).to_frame().set_index("user_id")
    assert plain.loc["b", "stance"] == pytest.approx(-0.8)
    assert np.isnan(plain.loc["x", "stance"])  # no support: insufficient evidence (NaN), not 0
    assert plain.loc["x", "stance_evidence"] == "insufficient"


def test_sentiment_column_wins_over_model_and_model_fills_the_rest():
    df = frame([
        ("a", "lumio", "reply", "terrible", 0.5),       # input value wins over the text
        ("b", "lumio", "reply", "terrible", np.nan),    # model scores the text
        ("c", "lumio", "reply", "terrible", np.nan),    # same text: scored once
        ("d", "x", "repost", "great", np.nan),          # not needed: not scored
    ])
    model = FixedModel({"terrible": -0.9, "great": 0.9})
    need = np.array([True, True, True, False])
    s = interaction_sentiment(df, model, mask=need)
    assert s[0] == 0.5 and s[1] == -0.9 and s[2] == -0.9 and np.isnan(s[3])
    assert model.calls == [["terrible"]]  # each distinct needed text exactly once
    stance = user_stance(df, s, BRAND).to_frame().set_index("user_id")
    assert stance.loc["a", "stance"] == pytest.approx(0.5 / 3)
    assert stance.loc["b", "stance"] == pytest.approx(-0.9 / 3)


def test_no_model_is_loaded_when_no_row_needs_a_text_score():
    df = frame([("a", "lumio", "reply", "text", 0.2)])

    class Exploding:
        def score(self, texts, quiet=True):
            raise AssertionError("must not score")

    assert interaction_sentiment(df, Exploding()).tolist() == [0.2]
    no_column = frame([("a", "lumio", "reply", "text")], sentiment=False)
    assert np.isnan(interaction_sentiment(no_column, Exploding(), mask=np.array([False]))).all()


def test_text_index_marks_empty_and_missing_texts():
    df = frame([("a", "b", "reply", "x", 0.0), ("a", "b", "reply", "  ", 0.0), ("a", "b", "reply", "x", 0.0)])
    df.loc[1, "text"] = None
    ti = index_texts(df)
    assert ti.codes.tolist() == [0, -1, 0]


def test_interactions_between_brand_accounts_are_not_stance():
    brand = BrandConfig(accounts=("lumio", "lumio_ceo"), keywords=("Lumio",))
    df = frame([
        ("lumio_ceo", "lumio", "repost", "Lumio launch!", 1.0),   # internal promotion: excluded
        ("lumio_ceo", "fan", "reply", "thanks for choosing Lumio", 0.8),  # to a user: counts
    ])
    s = interaction_sentiment(df)
    res = user_stance(df, s, brand).to_frame().set_index("user_id")
    assert res.loc["lumio_ceo", "stance_support"] == 1
    assert res.loc["lumio_ceo", "stance"] == pytest.approx(0.8 / 3)
    kept = user_stance(df, s, brand, exclude_brand_internal=False).to_frame().set_index("user_id")
    assert kept.loc["lumio_ceo", "stance_support"] == 2


def test_users_fix_order_and_include_silent_users():
    df = frame([("b", "lumio", "reply", "", 0.6)])
    res = user_stance(df, interaction_sentiment(df), BRAND, users=["zed", "b", "lumio"]).to_frame()
    assert res["user_id"].tolist() == ["zed", "b", "lumio"]
    assert res["stance_support"].tolist() == [0, 1, 0]


def test_attitudes_per_pair_over_replies_and_mentions_only():
    df = frame([
        ("fan", "critic", "reply", "", -0.9),
        ("fan", "critic", "mention", "", -0.6),
        ("fan", "critic", "repost", "", 0.9),    # a repost with a warm comment: endorsement, its own score
        ("critic", "fan", "reply", "", -0.3),    # the reverse direction is its own pair
        ("fan", "fan", "reply", "", 1.0),        # self: dropped
        ("other", "critic", "reply", "", np.nan),  # unknown sentiment: no support
    ])
    # the function's default (repost_endorsement=0): replies and mentions only
    att = attitudes(df, interaction_sentiment(df), k0=2.0).to_frame()
    pairs = att.set_index(["src", "dst"])
    assert set(pairs.index) == {("fan", "critic"), ("critic", "fan")}
    assert pairs.loc[("fan", "critic"), "attitude"] == pytest.approx(-1.5 / 4)
    assert pairs.loc[("fan", "critic"), "support"] == 2
    assert pairs.loc[("critic", "fan"), "attitude"] == pytest.approx(-0.3 / 3)
    assert list(att.columns) == ["src", "dst", "attitude", "support", "endorsements", "model_rows"]
    # the analysis' default (StanceParams: 0.3): the repost counts too, shrunk the same way
    dflt = attitudes(df, interaction_sentiment(df), k0=2.0,
                     repost_endorsement=StanceParams().repost_endorsement).to_frame().set_index(["src", "dst"])
    assert dflt.loc[("fan", "critic"), "attitude"] == pytest.approx((-1.5 + 0.9) / 5)
    assert dflt.loc[("fan", "critic"), "support"] == 3
    with_reposts = attitudes(df, interaction_sentiment(df), kinds=("reply", "mention", "repost")).to_frame()
    assert with_reposts.set_index(["src", "dst"]).loc[("fan", "critic"), "support"] == 3


def test_inputs_are_not_modified_and_results_repeat():
    df = frame([("a", "lumio", "reply", "Lumio", np.nan), ("b", "a", "reply", "meh", 0.1)])
    before = df.copy()
    model = FixedModel({"Lumio": 0.7})
    s1 = interaction_sentiment(df, model)
    s2 = interaction_sentiment(df, model)
    np.testing.assert_array_equal(s1, s2)
    pd.testing.assert_frame_equal(attitudes(df, s1).to_frame(), attitudes(df, s2).to_frame())
    pd.testing.assert_frame_equal(df, before)


def test_params_validate():
    with pytest.raises(ValueError):
        StanceParams(k0=-1)
    with pytest.raises(ValueError):
        StanceParams(attitude_kinds=("like",))
    assert StanceParams(attitude_kinds=("评论",)).attitude_kinds == ("reply",)


def test_precomputed_positions_give_the_same_results():
    from kolgraph.algorithms.stance import user_positions

    df = frame([
        ("a", "lumio", "reply", "Lumio!", 0.9),
        ("b", "a", "mention", "hey", -0.4),
        ("a", "b", "reply", "流明", 0.2),
        ("lumio", "a", "reply", "thanks", 0.5),
        ("b", "a", "reply", "", -0.2),
    ])
    users = pd.Index(["lumio", "b", "a", "silent"], dtype="str")
    codes = (user_positions(df["src"], users), user_positions(df["dst"], users))
    assert codes[0].tolist() == [2, 1, 2, 0, 1]
    s = interaction_sentiment(df)
    plain = user_stance(df, s, BRAND, users=users).to_frame()
    fast = user_stance(df, s, BRAND, users=users, codes=codes).to_frame()
    pd.testing.assert_frame_equal(plain, fast)
    assert brand_directed(df, BRAND, users=users, codes=codes).tolist() == brand_directed(df, BRAND).tolist()
    a1 = attitudes(df, s).to_frame().sort_values(["src", "dst"]).reset_index(drop=True)
    a2 = attitudes(df, s, users=users, codes=codes).to_frame().sort_values(["src", "dst"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a1, a2)
    assert a2.set_index(["src", "dst"]).loc[("b", "a"), "support"] == 2


def test_reposts_without_hostile_comment_are_weak_endorsement():
    df = frame([
        ("a", "lumio", "repost", "", np.nan),          # no comment: +0.3
        ("a", "lumio", "repost", "", np.nan),
        ("b", "lumio", "repost", "", -0.9),            # hostile comment: its own score
        ("c", "lumio", "repost", "", -0.1),            # mild comment, not hostile: +0.3
        ("d", "k", "repost", "", np.nan),              # reposting an account: endorsement of it
    ])
    s = df["sentiment"].to_numpy(dtype="float64")
    assert StanceParams().repost_endorsement == 0.3
    st = user_stance(df, s, BRAND, k0=2.0, repost_endorsement=0.3).to_frame().set_index("user_id")
    assert st.loc["a", "stance"] == pytest.approx(0.6 / 4)
    assert st.loc["a", "stance_endorsements"] == 2
    assert st.loc["b", "stance"] == pytest.approx(-0.9 / 3)
    assert st.loc["c", "stance"] == pytest.approx(0.3 / 3)
    assert np.isnan(st.loc["d", "stance"])  # k is not a brand account
    half = user_stance(df, s, BRAND, k0=2.0, repost_endorsement=0.5).to_frame().set_index("user_id")
    assert half.loc["a", "stance"] == pytest.approx(1.0 / 4)
    off = user_stance(df, s, BRAND, k0=2.0, repost_endorsement=0).to_frame().set_index("user_id")
    assert np.isnan(off.loc["a", "stance"]) and off.loc["b", "stance"] == pytest.approx(-0.9 / 3)
    att = attitudes(df, s, k0=2.0, repost_endorsement=0.3).to_frame().set_index(["src", "dst"])
    assert att.loc[("d", "k"), "attitude"] == pytest.approx(0.3 / 3)
    assert att.loc[("d", "k"), "endorsements"] == 1


def test_min_support_marks_insufficient_evidence():
    df = frame([("a", "lumio", "reply", "", 0.9), ("b", "lumio", "reply", "", 0.9),
                ("b", "lumio", "reply", "", 0.9)])
    st = user_stance(df, df["sentiment"].to_numpy(dtype="float64"), BRAND, min_support=2).to_frame()
    st = st.set_index("user_id")
    assert np.isnan(st.loc["a", "stance"]) and st.loc["a", "stance_support"] == 1
    assert st.loc["b", "stance"] == pytest.approx(1.8 / 4)
    with pytest.raises(ValueError):
        StanceParams(min_support=0)
    with pytest.raises(ValueError):
        StanceParams(repost_endorsement=1.5)


def test_reply_attitude_model_is_used_where_given_and_says_so():
    df = frame([("fan", "critic", "reply", "this is fake, total hoax, not true", np.nan),
                ("fan", "critic", "mention", "", -0.2),
                ("x", "critic", "reply", "confirmed by officials, breaking", np.nan)])
    att_rows = interaction_attitude(df)
    assert np.isnan(att_rows[1])  # mentions are not replies: not scored by the reply model
    assert att_rows[0] < 0 < att_rows[2]
    res = attitudes(df, np.array([0.5, -0.2, 0.5]), attitude=att_rows, attitude_source="reply-attitude model")
    frame_ = res.to_frame().set_index(["src", "dst"])
    assert frame_.loc[("fan", "critic"), "model_rows"] == 1
    assert frame_.loc[("fan", "critic"), "attitude"] == pytest.approx((att_rows[0] - 0.2) / 4)
    assert res.parameters["attitude_source"] == "reply-attitude model"
    assert attitudes(df, np.array([0.5, -0.2, 0.5])).parameters["attitude_source"] == "sentiment"


def test_attitude_rows_trace_every_pair_to_its_rows():
    from kolgraph.algorithms.stance import attitude_rows

    df = frame([("fan", "critic", "reply", "this is fake, total hoax", np.nan),
                ("fan", "critic", "repost", "", np.nan),
                ("fan", "critic", "mention", "", -0.4),
                ("y", "z", "reply", "", np.nan)])
    s = df["sentiment"].to_numpy(dtype="float64")
    for name, source in (("", "sentiment"), ("default", "reply-attitude model")):
        params = StanceParams(attitude_model=name)
        reply, values, sources, info = attitude_rows(df, s, params)
        assert info["attitude_source"] == source
        assert list(sources.astype(str)) == ["reply_model" if name else "none", "endorsement", "sentiment", "none"]
        pair = attitudes(df, s, attitude=reply, repost_endorsement=params.repost_endorsement).to_frame() \
            .set_index(["src", "dst"]).loc[("fan", "critic")]
        used = values[~np.isnan(values)]
        assert pair["support"] == used.size
        assert pair["attitude"] == pytest.approx(used.sum() / (used.size + 2.0))


def test_kind_mask_reads_categorical_codes_and_missing_kinds():
    from kolgraph.algorithms.stance import kind_mask

    kinds = pd.Series(pd.Categorical(["repost", None, "reply", "mention", "reply"],
                                     categories=["repost", "reply", "mention"]))
    assert kind_mask(kinds, ["reply"]).tolist() == [False, False, True, False, True]
    assert kind_mask(kinds, ("repost", "mention")).tolist() == [True, False, False, True, False]
    assert kind_mask(kinds, []).tolist() == [False] * 5
    assert kind_mask(kinds.astype("object"), ["reply"]).tolist() == kind_mask(kinds, ["reply"]).tolist()


def test_attitudes_by_codes_match_by_names_and_a_groupby_on_a_random_event():
    """The grouped sums (sort, then per-row pair labels) equal a plain pandas groupby, and the
    codes path equals the names path exactly: many rows per pair, self-loops, NaN sentiment,
    reposts (endorsement), reply-attitude values and a user who never interacts."""
    from kolgraph.algorithms.stance import user_positions

    rng = np.random.default_rng(3)
    m, users = 4000, [f"u{i:03d}" for i in range(40)]
    src = rng.integers(0, 40, m)
    dst = np.where(rng.random(m) < 0.1, src, rng.integers(0, 12, m))  # 10% self-loops, many repeated pairs
    df = pd.DataFrame({"src": np.array(users)[src], "dst": np.array(users)[dst],
                       "kind": rng.choice(["reply", "mention", "repost"], m), "text": "", "sentiment": np.nan})
    s = np.where(rng.random(m) < 0.2, np.nan, rng.uniform(-1, 1, m).round(1))  # rounded: ties in values
    reply = np.where(rng.random(m) < 0.5, np.nan, rng.uniform(-1, 1, m))
    index = pd.Index(users + ["silent"], dtype="str")
    codes = (user_positions(df["src"], index), user_positions(df["dst"], index))
    kw = dict(k0=2.0, attitude=reply, repost_endorsement=0.3, hostile_below=-0.3, attitude_source="reply_model")
    by_codes = attitudes(df, s, users=index, codes=codes, **kw).to_frame()
    by_names = attitudes(df, s, **kw).to_frame()
    assert by_codes["src"].dtype == "str" and by_codes["dst"].dtype == "str"
    pd.testing.assert_frame_equal(by_codes.sort_values(["src", "dst"]).reset_index(drop=True),
                                  by_names.sort_values(["src", "dst"]).reset_index(drop=True))
    assert list(zip(by_codes["src"], by_codes["dst"])) == sorted(zip(by_codes["src"], by_codes["dst"]))
    # the reference: every counted row's value, grouped by pair
    in_kinds = df["kind"].isin(["reply", "mention"]).to_numpy()
    value = np.where(in_kinds & ~np.isnan(reply), reply, s)
    repost = df["kind"].eq("repost").to_numpy()
    endorse = repost & (np.isnan(s) | (s >= -0.3)) & (np.isnan(s) | (s < 0.3))
    value = np.where(endorse, 0.3, value)
    ok = (in_kinds | repost) & ~np.isnan(value) & (src != dst)
    ref = (pd.DataFrame({"src": df["src"][ok], "dst": df["dst"][ok], "v": value[ok], "e": endorse[ok],
                         "mod": (in_kinds & ~np.isnan(reply))[ok]})
           .groupby(["src", "dst"]).agg(total=("v", "sum"), support=("v", "size"), endorsements=("e", "sum"),
                                        model_rows=("mod", "sum")).reset_index())
    assert len(ref) == len(by_codes) > 100 and (ref["support"] > 1).any()
    np.testing.assert_allclose(by_codes["attitude"], np.clip(ref["total"] / (ref["support"] + 2.0), -1, 1), atol=1e-12)
    assert by_codes["support"].tolist() == ref["support"].tolist()
    assert by_codes["endorsements"].tolist() == ref["endorsements"].tolist()
    assert by_codes["model_rows"].tolist() == ref["model_rows"].tolist()
    shallow = attitudes(df, s, users=index, codes=codes, **kw)
    copy = shallow.to_frame()
    copy.loc[0, "attitude"] = 99.0  # a caller's copy: the result itself does not change
    assert shallow.frame.loc[0, "attitude"] != 99.0
