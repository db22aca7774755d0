"""Camps check on the US-Congress Twitter graph: party prediction from a few seed members.

Each draw picks k Democrats as brand seeds and k Republicans as critic seeds (the two independents
are never seeds and never scored, but stay in the graph) and scores the camp of every other D/R
member against their party. All methods see the same draws. Prints mean and min accuracy over the
draws per method and seed count, plus the plain-PPR baseline, in one run.

Run from the repo root (shared/ beside it)::

    python benchmarks/camps_congress.py            # 20 draws, k = 1, 3, 5, 10, rng seed 0
    python benchmarks/camps_congress.py --draws 50 --rng-seed 1
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import igraph as ig
import numpy as np
import pandas as pd

from kolgraph.algorithms.camps import camp_affinity

__all__ = ["load_congress", "draw_seeds", "accuracy", "main"]

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "external" / "congress_twitter"


def load_congress(folder: Path = DATA) -> tuple[ig.Graph, np.ndarray]:
    """The congress graph (vertex ``name`` = node id as str, edge ``weight``; no ``kind``) and party."""
    edges = pd.read_csv(folder / "congress.edgelist", sep=" ", header=None, names=["i", "j", "_", "w"])
    weights = edges["w"].astype(str).str.rstrip("}").astype(float).to_numpy()
    party = pd.read_csv(folder / "congress_members.csv")["Party"].astype(str).to_numpy()
    g = ig.Graph(n=len(party), edges=list(zip(edges["i"].tolist(), edges["j"].tolist())), directed=True)
    g.vs["name"] = [str(i) for i in range(len(party))]
    g.es["weight"] = weights.tolist()
    return g, party


def draw_seeds(party: np.ndarray, k: int, draws: int, rng_seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``draws`` pairs (D seed indices, R seed indices), k each, from one seeded generator."""
    rng = np.random.default_rng(rng_seed)
    dem, rep = np.flatnonzero(party == "D"), np.flatnonzero(party == "R")
    return [(rng.choice(dem, k, replace=False), rng.choice(rep, k, replace=False)) for _ in range(draws)]


def accuracy(pred: np.ndarray, party: np.ndarray, seeds: np.ndarray) -> float:
    """Share of non-seed D/R members whose predicted party ("D", "R", or "?" undecided) is right."""
    scored = np.isin(party, ["D", "R"])
    scored[seeds] = False
    return float(np.mean(pred[scored] == party[scored]))


def _party_of_camp(camp: pd.Series) -> np.ndarray:
    return np.select([camp == "brand", camp == "critic"], ["D", "R"], "?")


def _camp_predictor(by: str = "camp", **kw):
    def predict(g, d_idx, r_idx):
        res = camp_affinity(g, [str(i) for i in d_idx], [str(i) for i in r_idx], kinds=None, **kw)
        if by == "sign":
            return np.select([res.affinity > 0, res.affinity < 0], ["D", "R"], "?")
        return _party_of_camp(res.camp)
    return predict


def _igraph_directed_ppr(g, d_idx, r_idx):
    pd_ = np.array(g.personalized_pagerank(reset_vertices=d_idx.tolist(), weights="weight", directed=True))
    pr_ = np.array(g.personalized_pagerank(reset_vertices=r_idx.tolist(), weights="weight", directed=True))
    return np.select([pd_ > pr_, pd_ < pr_], ["D", "R"], "?")


METHODS = {
    "ppr (plain baseline)": _camp_predictor(method="ppr", rounds=0),
    "ppr, directed (igraph)": _igraph_directed_ppr,
    "spread, no self-training": _camp_predictor(method="spread", rounds=0),
    "ppr + self-training": _camp_predictor(method="ppr"),
    "spread + self-training (default)": _camp_predictor(),
    "default + min_lift=1, camp ('none' wrong)": _camp_predictor(min_lift=1.0),
    "default + min_lift=1, sign of affinity": _camp_predictor(by="sign", min_lift=1.0),
}


def run(seed_counts=(1, 3, 5, 10), draws: int = 20, rng_seed: int = 0) -> pd.DataFrame:
    """Mean and min accuracy per (method, k) over the same draws; also seconds per call."""
    g, party = load_congress()
    rows = []
    for k in seed_counts:
        pairs = draw_seeds(party, k, draws, rng_seed)
        for name, predict in METHODS.items():
            t0 = time.perf_counter()
            accs = [accuracy(predict(g, d, r), party, np.r_[d, r]) for d, r in pairs]
            rows.append({"method": name, "k": k, "mean": np.mean(accs), "min": np.min(accs),
                         "sec_per_call": (time.perf_counter() - t0) / draws})
    # One-sided: D seeds only; camp "brand" (closer to the seeds than a random account) read as D,
    # everything else as R.
    for k in seed_counts:
        accs = []
        for d, r in draw_seeds(party, k, draws, rng_seed):
            res = camp_affinity(g, [str(i) for i in d], kinds=None)
            accs.append(accuracy(np.where(res.camp == "brand", "D", "R"), party, d))
        rows.append({"method": "spread, brand seeds only", "k": k, "mean": np.mean(accs),
                     "min": np.min(accs), "sec_per_call": np.nan})
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--rng-seed", type=int, default=0)
    args = ap.parse_args()
    table = run(draws=args.draws, rng_seed=args.rng_seed)
    order = list(dict.fromkeys(table["method"]))
    cell = table.assign(cell=table["mean"].map("{:.3f}".format) + " / " + table["min"].map("{:.3f}".format))
    wide = cell.pivot(index="method", columns="k", values="cell").reindex(order)
    wide.columns = [f"k={k}" for k in wide.columns]
    print(f"Congress party prediction, mean / min accuracy over {args.draws} draws "
          f"(rng seed {args.rng_seed}), k seeds per party")
    print(wide.to_string())
    secs = table.dropna().groupby("method", sort=False)["sec_per_call"].mean()
    print("\nseconds per call (mean over k):")
    print(secs.map("{:.3f}".format).to_string())
    base = table[(table["method"] == "ppr (plain baseline)") & (table["k"] == 5)]["mean"].item()
    best = table[(table["method"] == "spread + self-training (default)") & (table["k"] == 5)]["mean"].item()
    print(f"\nk=5: default {best:.3f} vs plain PPR {base:.3f} (target >= 0.93)")


if __name__ == "__main__":
    main()
