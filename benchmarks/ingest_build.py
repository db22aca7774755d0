"""Ingest + build at scale: kolgraph vs a networkx build of the same graph, in the same run.

For each scale a brand event is generated (``kolgraph.datasets``) and written as Parquet; then, each in a
fresh subprocess so peak memory is that step's own (``os.wait4`` rusage of the child):

- kolgraph: ``build_workspace`` (validate, dedup, collapse, write the workspace) + loading the igraph graph;
- networkx baseline: read the same Parquet with pandas, collapse with ``groupby`` (same semantics: one edge
  per src, dst, kind with count and weight) and build a ``networkx.MultiDiGraph`` with the edge attributes.

Reported as a table with times, peak memory and ratios (networkx / kolgraph). networkx runs up to
``--networkx-max`` interactions (it needs far more memory and time beyond that).

    python benchmarks/ingest_build.py                       # 100k, 1M, 10M
    python benchmarks/ingest_build.py --scales 100000 --networkx-max 100000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KOLGRAPH_STEP = r"""
import json, sys, time
from kolgraph.build.workspace import build_workspace
t0 = time.perf_counter()
report = build_workspace([sys.argv[1]], sys.argv[2], quiet=True)
t1 = time.perf_counter()
g = report.workspace.graph_
t2 = time.perf_counter()
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(json.dumps({"build_s": t1 - t0, "graph_s": t2 - t1, "vertices": g.vcount(), "edges": g.ecount(),
                  "hwm_kb": int(hwm)}))
"""

NETWORKX_STEP = r"""
import json, sys, time
import networkx as nx, pandas as pd
t0 = time.perf_counter()
frame = pd.read_parquet(sys.argv[1], columns=["src", "dst", "kind", "timestamp"])
weights = {"repost": 1.0, "reply": 0.5, "mention": 0.3}
edges = frame.groupby(["src", "dst", "kind"], sort=False).agg(
    count=("timestamp", "size"), first_ts=("timestamp", "min"), last_ts=("timestamp", "max")).reset_index()
edges["weight"] = edges["kind"].map(weights) * edges["count"]
g = nx.MultiDiGraph()
g.add_edges_from((s, d, k, {"count": c, "weight": w, "first_ts": f, "last_ts": l}) for s, d, k, c, w, f, l in
                 edges[["src", "dst", "kind", "count", "weight", "first_ts", "last_ts"]].itertuples(index=False))
t1 = time.perf_counter()
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(json.dumps({"build_s": t1 - t0, "graph_s": 0.0, "vertices": g.number_of_nodes(), "edges": g.number_of_edges(),
                  "hwm_kb": int(hwm)}))
"""


def run_step(code: str, *args: str) -> dict:
    """Run one step in a fresh interpreter; wall time and the child's own peak RSS.

    Peak memory is the child's VmHWM (read by the child itself): ``ru_maxrss`` from ``wait4`` would
    carry the parent's high-water mark across ``exec`` and inflate the figure.
    """
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"step failed with status {proc.returncode}: {proc.stdout}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = wall
    result["peak_gb"] = result.pop("hwm_kb") / 1024 / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="100000,1000000,10000000", help="interaction counts, comma-separated")
    parser.add_argument("--networkx-max", type=int, default=1_000_000)
    parser.add_argument("--users-per-interaction", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "ingest_build.md")
    args = parser.parse_args()

    from kolgraph._io import write_text
    from kolgraph.datasets import generate_event, write_event

    rows = []
    with tempfile.TemporaryDirectory(prefix="kolgraph-bench-") as tmp:
        for m in (int(s) for s in args.scales.split(",")):
            n_users = max(int(m * args.users_per_interaction), 100)
            t0 = time.perf_counter()
            event = generate_event(n_users, m, seed=args.seed)
            folder = Path(tmp) / f"event-{m}"
            write_event(event, folder, format="parquet", quiet=True)
            del event
            gen_s = time.perf_counter() - t0
            path = str(folder / "interactions.parquet")
            size_mb = os.path.getsize(path) / 1e6
            ours = run_step(KOLGRAPH_STEP, path, str(Path(tmp) / f"ws-{m}"))
            theirs = run_step(NETWORKX_STEP, path) if m <= args.networkx_max else None
            row = {"interactions": m, "users": n_users, "parquet_mb": size_mb, "generate_s": gen_s,
                   "kolgraph_wall_s": ours["wall_s"], "kolgraph_build_s": ours["build_s"],
                   "kolgraph_graph_s": ours["graph_s"], "kolgraph_peak_gb": ours["peak_gb"],
                   "edges": ours["edges"], "vertices": ours["vertices"]}
            if theirs:
                row.update(networkx_wall_s=theirs["wall_s"], networkx_peak_gb=theirs["peak_gb"],
                           time_ratio=theirs["wall_s"] / ours["wall_s"], memory_ratio=theirs["peak_gb"] / ours["peak_gb"])
                assert theirs["edges"] == ours["edges"], "networkx and kolgraph disagree on the edge count"
            rows.append(row)
            print(json.dumps(row), flush=True)
    lines = [
        f"# Ingest + build benchmark ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, `python {' '.join(sys.argv)}`)",
        "",
        "| interactions | users | edges | parquet MB | kolgraph s (build + graph load) | kolgraph peak GB "
        "| networkx s | networkx peak GB | time ratio nx/kolgraph | memory ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        nx_cells = (f"{r['networkx_wall_s']:.1f} | {r['networkx_peak_gb']:.2f} | {r['time_ratio']:.1f}x | "
                    f"{r['memory_ratio']:.1f}x" if "networkx_wall_s" in r else "not run | | |")
        lines.append(f"| {r['interactions']:,} | {r['users']:,} | {r['edges']:,} | {r['parquet_mb']:.0f} | "
                     f"{r['kolgraph_wall_s']:.1f} ({r['kolgraph_build_s']:.1f} + {r['kolgraph_graph_s']:.1f}) | "
                     f"{r['kolgraph_peak_gb']:.2f} | {nx_cells} |")
    table = "\n".join(lines) + "\n"
    write_text(args.out, table)
    print(table)


if __name__ == "__main__":
    main()
