"""Reply attitude: labels, the shipped model, leave-one-event-out on RumourEval, the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from kolgraph.algorithms.attitude import (
    AttitudeModel,
    group_auc,
    load_default_attitude_model,
    normalise_attitude_labels,
    reply_attitude,
    train_attitude,
)
from kolgraph.cli import main
from kolgraph.errors import InputError

_REPO = Path(__file__).resolve().parents[2]
EXTERNAL = next((p for p in (_REPO / ".." / "shared" / "data" / "external",
                             _REPO / ".." / ".." / "shared" / "data" / "external") if p.is_dir()),
                _REPO / ".." / "shared" / "data" / "external")
RUMOUREVAL = EXTERNAL / "rumoureval2017"
needs_data = pytest.mark.skipif(not (RUMOUREVAL / "stance_labels.json").is_file(),
                                reason="shared/data/external not beside the repo")

SMALL = pd.DataFrame({
    "text": ["this is fake news", "not true at all, hoax", "total lie, debunked", "false, stop spreading it",
             "confirmed by the police", "yes, officially confirmed", "breaking: it is true", "true, reported by bbc",
             "is this real?", "any source?", "who said that?", "where is this from?",
             "so sad", "thoughts with everyone", "wow", "unbelievable day"] * 3,
    "stance": (["deny"] * 4 + ["support"] * 4 + ["query"] * 4 + ["comment"] * 4) * 3,
    "event": (["a"] * 16) + (["b"] * 16) + (["c"] * 16),
})


def test_labels_and_errors():
    assert normalise_attitude_labels(["Support", "deny", "QUERY", "comment", "agree"]).tolist() == [1, -1, 2, 0, 1]
    with pytest.raises(InputError, match="row 2"):
        normalise_attitude_labels(["support", "maybe"])
    with pytest.raises(InputError, match="support' and 'deny"):
        train_attitude(["a b", "c d"], ["support", "query"])


def test_group_auc_is_the_mann_whitney_statistic():
    assert group_auc(np.array([0.9, 0.8, -0.1, 0.5]), np.array([1, 1, -1, -1])) == 1.0
    assert group_auc(np.array([0.1, 0.1]), np.array([1, -1])) == 0.5
    assert np.isnan(group_auc(np.array([0.3]), np.array([1])))


def test_trained_model_separates_support_from_deny_and_round_trips(tmp_path):
    m = train_attitude(SMALL["text"], SMALL["stance"], use_sentiment=False, min_df=1)
    s = m.score(["fake, not true", "confirmed, true", ""])
    assert s[0] < 0 < s[1] and np.isnan(s[2])
    assert m.predict(["any source?"])[0] == "query"
    m.save(tmp_path / "a.npz")
    back = AttitudeModel.load(tmp_path / "a.npz")
    np.testing.assert_allclose(back.score(["fake, not true"]), s[:1])
    with pytest.raises(InputError, match="not a kolgraph attitude model"):
        AttitudeModel.load(_REPO / "kolgraph" / "models" / "sentiment_default.npz")


def test_shipped_model_scores_attitude_in_range():
    m = load_default_attitude_model()
    assert set(m.classes) == {"support", "deny", "query", "comment"}
    s = reply_attitude(["this is a hoax, not true", "confirmed by officials", "so sad"])
    assert ((s >= -1) & (s <= 1)).all() and s[0] < s[1]
    loeo = m.metadata["leave_one_event_out"]["mean"]
    assert loeo["auc"] >= 0.75 and loeo["auc"] > loeo["auc_sentiment"]


@needs_data
def test_leave_one_event_out_auc_on_rumoureval_at_least_075():
    """The whole protocol (six events; about half a minute): mean AUC of P(support) - P(deny)."""
    from kolgraph.models.labelled import read_rumoureval

    df = read_rumoureval(RUMOUREVAL)
    assert len(df) == 2635 and df["event"].nunique() == 6
    texts = df["text"].to_numpy(dtype=object)
    y = normalise_attitude_labels(df["label"].tolist())
    aucs = []
    for event in sorted(df["event"].unique()):
        te = (df["event"] == event).to_numpy()
        model = train_attitude(texts[~te], y[~te])
        aucs.append(group_auc(model.score(texts[te]), y[te]))
    assert np.nanmean(aucs) >= 0.75, aucs


def test_cli_trains_an_attitude_model_with_groups_and_scores_with_it(tmp_path):
    f = tmp_path / "replies.csv"
    SMALL.to_csv(f, index=False)
    out = tmp_path / "att.npz"
    r = CliRunner().invoke(main, ["stance", "train", str(f), "-o", str(out), "--model-type", "attitude",
                                  "--label-column", "stance", "--group-column", "event"])
    assert r.exit_code == 0, r.output
    assert "mean AUC" in r.output and out.is_file()
    r = CliRunner().invoke(main, ["stance", "score", "--attitude", "--stance-model", str(out), "--json",
                                  "this is fake news"])
    assert r.exit_code == 0 and '"attitude"' in r.output
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"text": ["x"], "stance": ["perhaps"]}).to_csv(bad, index=False)
    r = CliRunner().invoke(main, ["stance", "train", str(bad), "-o", str(out), "--model-type", "attitude",
                                  "--label-column", "stance"])
    assert r.exit_code == 2 and "row 1" in r.output
