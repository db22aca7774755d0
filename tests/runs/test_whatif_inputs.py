"""What the what-if reads from a workspace: the network from graph.npz and the brand-directed rates
from the stored interaction codes, checked against a plain string computation on the tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kolgraph.algorithms.whatif import WhatIfNetwork
from kolgraph.build.workspace import build_workspace, open_workspace
from kolgraph.datasets import load_sample
from kolgraph.runs.analyze import analyze_workspace
from kolgraph.runs.whatif import load_whatif_inputs


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    paths = load_sample()
    out = tmp_path_factory.mktemp("whatif_inputs") / "ws"
    build_workspace(paths.interactions, out, users_path=paths.users, quiet=True)
    analyze_workspace(out, config=paths.config, quiet=True)
    return out


def test_network_from_stored_arrays_equals_the_network_from_the_edge_table(analysed):
    ws = open_workspace(analysed)
    inp = load_whatif_inputs(ws)
    names = pd.Index(ws.vertices()["user_id"].astype("str"), dtype="str")
    ref = WhatIfNetwork.from_edges(ws.edges(), names)
    assert (inp.network.names == ref.names).all()
    assert (inp.network.listen != ref.listen).nnz == 0 and (inp.network.counts != ref.counts).nnz == 0


def test_brand_rates_and_hostile_volume_match_a_string_computation(analysed):
    ws = open_workspace(analysed)
    inp = load_whatif_inputs(ws, hostile_below=-0.3)
    inter = ws.interactions(columns=["src", "dst", "kind", "timestamp"])
    brand = list(inp.brand.accounts)
    src, dst, kind = (inter[c].astype("str") for c in ("src", "dst", "kind"))
    mask = dst.isin(brand) & kind.isin(["reply", "mention"]) & (src != dst)
    ts = pd.to_datetime(inter["timestamp"], utc=True).astype("int64") / 1e9 \
        if inter["timestamp"].dtype.kind not in "fiu" else inter["timestamp"].astype(float)
    days = max(1.0, (ts.max() - ts.min()) / 86400.0)
    want = (pd.DataFrame({"user_id": src[mask], "account": dst[mask]}).groupby(["user_id", "account"]).size()
            .rename("count").reset_index())
    got = inp.observables.brand_rates
    assert mask.sum() > 50 and len(got) == len(want)
    assert got["user_id"].tolist() == want["user_id"].tolist() and got["account"].tolist() == want["account"].tolist()
    assert got["count"].tolist() == want["count"].tolist()
    np.testing.assert_allclose(got["per_day"], want["count"] / days)
    sent = pd.read_parquet(ws.result_path("analysis", "interaction_sentiment.parquet"), columns=["row", "sentiment"])
    s = np.full(len(inter), np.nan)
    s[sent["row"].to_numpy()] = sent["sentiment"].to_numpy()
    hostile = dst[mask & (s < -0.3)].value_counts() / days
    assert hostile.sum() > 0
    for account in brand:
        assert inp.observables.hostile_per_day[account] == pytest.approx(hostile.get(account, 0.0))
