"""Opening a workspace and getting its graph, at scale, against rebuilding it from the edge table.

A brand event of ``--users`` users / ``--interactions`` interactions (default 1M / 10M) is generated
(``kolgraph generate --format parquet``) and built (``kolgraph build``). Then, each in a fresh
process so nothing is cached:

- **kolgraph**: ``open_workspace(WS).graph_`` (manifest + size checks, ``graph.npz`` integer codes
  and the vertex table; no id hashing);
- **baseline**: what every command did before: ``build_graph(ws.edges(), ws.vertices())`` from the
  Parquet edge table (ids hashed back to vertex positions).

Reported as seconds and the ratio baseline / kolgraph; the issue's target is under 5 s for the
kolgraph path at 1M users / 10M interactions. Other processes on the machine slow both sides; the
load average is printed with the table.

    python benchmarks/workspace_open.py
    python benchmarks/workspace_open.py --users 100000 --interactions 1000000   # a quicker check
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

OPEN = """
import json, sys, time
from kolgraph.build.workspace import open_workspace
t = time.perf_counter()
ws = open_workspace(sys.argv[1])
g = ws.graph_
t1 = time.perf_counter() - t
print(json.dumps({"seconds": t1, "vertices": g.vcount(), "edges": g.ecount()}))
"""

BASELINE = """
import json, sys, time
from kolgraph.build.workspace import open_workspace
from kolgraph.build.graph import build_graph
t = time.perf_counter()
ws = open_workspace(sys.argv[1])
g = build_graph(ws.edges(), ws.vertices())
t1 = time.perf_counter() - t
print(json.dumps({"seconds": t1, "vertices": g.vcount(), "edges": g.ecount()}))
"""


def _run(code: str, ws: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", code, str(ws)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--interactions", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3, help="timed opens per side (the best is reported)")
    ap.add_argument("--workspace", type=Path, default=None,
                    help="time an existing workspace instead of generating and building one")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "workspace_open.md")
    args = ap.parse_args()
    load0 = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="kg-open-") as tmp:
        tmp = Path(tmp)
        if args.workspace is not None:
            (tmp / "ws").symlink_to(args.workspace.resolve(), target_is_directory=True)
        t = time.perf_counter()
        if args.workspace is None:
            subprocess.run(["kolgraph", "-q", "generate", "-o", str(tmp / "event"), "--users", str(args.users),
                            "--interactions", str(args.interactions), "--format", "parquet"], check=True)
        gen = time.perf_counter() - t
        t = time.perf_counter()
        if args.workspace is None:
            subprocess.run(["kolgraph", "-q", "build", str(tmp / "event" / "interactions.parquet"), "--users",
                            str(tmp / "event" / "users.csv"), "-o", str(tmp / "ws")], check=True,
                           stdout=subprocess.DEVNULL)
        build = time.perf_counter() - t
        fast = min((_run(OPEN, tmp / "ws") for _ in range(args.repeat)), key=lambda r: r["seconds"])
        slow = min((_run(BASELINE, tmp / "ws") for _ in range(args.repeat)), key=lambda r: r["seconds"])
    load1 = os.getloadavg()
    assert fast["edges"] == slow["edges"] and fast["vertices"] == slow["vertices"]
    lines = [
        "# Opening a workspace and getting its graph",
        "",
        f"`python benchmarks/workspace_open.py --users {args.users} --interactions {args.interactions}`; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {load0[0]:.2f} -> {load1[0]:.2f} "
        f"on {os.cpu_count()} cores.",
        "",
        (f"Event: {fast['vertices']:,} users, {fast['edges']:,} edges (existing workspace {args.workspace})."
         if args.workspace else
         f"Event: {fast['vertices']:,} users, {fast['edges']:,} edges (generated in {gen:.1f} s, built in {build:.1f} s)."),
        "",
        "| path | seconds (best of %d, fresh process, after imports) |" % args.repeat,
        "| --- | ---: |",
        f"| kolgraph: `open_workspace(ws).graph_` (graph.npz) | {fast['seconds']:.2f} |",
        f"| baseline: `build_graph(ws.edges(), ws.vertices())` | {slow['seconds']:.2f} |",
        f"| ratio baseline / kolgraph | {slow['seconds'] / fast['seconds']:.2f}x |",
        "",
        "Target: under 5 s for the kolgraph path at 1M users / 10M interactions.",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
