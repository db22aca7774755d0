"""Synthetic 'brand event' graph with the kolgraph schema: heavy-tailed popularity, planted communities."""
import time
import igraph as ig
import numpy as np

KINDS = ("repost", "reply", "mention")
KW = np.array([1.0, 0.5, 0.3])


def synthetic_graph(n=1_000_000, m=10_000_000, *, n_comm=2000, p_in=0.8, seed=0):
    rng = np.random.default_rng(seed)
    # community sizes heavy tailed, nodes contiguous by community
    sizes = rng.pareto(1.5, n_comm) + 1
    sizes = np.maximum(2, np.floor(sizes / sizes.sum() * n)).astype(np.int64)
    sizes[-1] += n - sizes.sum()
    if sizes[-1] < 2:
        raise RuntimeError
    comm = np.repeat(np.arange(n_comm), sizes)
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    ends = np.cumsum(sizes)
    pop = rng.pareto(1.2, n) + 1.0          # popularity (in-degree propensity)
    act = rng.pareto(1.8, n) + 1.0          # activity (out-degree propensity)
    W = np.r_[0.0, np.cumsum(pop)]
    A = np.cumsum(act)
    src = np.searchsorted(A, rng.random(m) * A[-1], side="right")
    src = np.minimum(src, n - 1)
    inside = rng.random(m) < p_in
    c = comm[src]
    lo = np.where(inside, W[starts[c]], 0.0)
    hi = np.where(inside, W[ends[c]], W[-1])
    u = lo + rng.random(m) * (hi - lo)
    dst = np.searchsorted(W, u, side="right") - 1
    dst = np.clip(dst, 0, n - 1)
    kind = rng.choice(3, size=m, p=[0.5, 0.3, 0.2])
    # collapse duplicates (src,dst,kind)
    key = (src.astype(np.int64) * n + dst) * 3 + kind
    key, count = np.unique(key, return_counts=True)
    kind = key % 3
    pair = key // 3
    src = pair // n
    dst = pair % n
    g = ig.Graph(n=n, edges=np.column_stack([src, dst]).astype(np.int32), directed=True)
    g.vs["name"] = [f"u{i}" for i in range(n)]
    g.es["kind"] = np.array(KINDS, dtype=object)[kind].tolist()
    g.es["count"] = count.tolist()
    g.es["weight"] = (KW[kind] * count).tolist()
    ts = rng.uniform(1.7e9, 1.71e9, len(key))
    g.es["first_ts"] = ts.tolist()
    g.es["last_ts"] = (ts + rng.exponential(3600, len(key))).tolist()
    g.es["sentiment"] = rng.uniform(-1, 1, len(key)).tolist()
    return g, comm


if __name__ == "__main__":
    t = time.perf_counter()
    g, comm = synthetic_graph()
    print("build", time.perf_counter() - t, g.vcount(), g.ecount())
