"""Result folders and workspaces: committed as a whole, checked on open, never replacing foreign files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kolgraph.build.workspace import build_workspace, open_workspace
from kolgraph.errors import AnalysisMissingError, InputError, WorkspaceError
from kolgraph.runs.outputs import AnalysisOutputs
from kolgraph.runs.results import commit_result, open_result

ROOT = Path(__file__).resolve().parents[2]
INTERACTIONS = """src,dst,kind,timestamp,text
fan1,brand,repost,2026-01-05T00:00:00Z,支持
fan2,brand,reply,2026-01-05T01:00:00Z,好用[赞]
fan1,critic,reply,2026-01-05T02:00:00Z,滚[怒]
=cmd|' /C calc'!A0,brand,mention,2026-01-05T03:00:00Z,@SUM(1+1)
"""
BRAND = ["--brand-account", "brand"]


@pytest.fixture()
def small(tmp_path):
    path = tmp_path / "i.csv"
    path.write_text(INTERACTIONS, encoding="utf-8")
    return path


def test_commit_result_is_all_or_nothing(tmp_path):
    target = tmp_path / "res"
    with commit_result(target, "stamp.json", {"x": 1}) as out:
        out.file("a.txt").write_text("one")
    first = open_result(target, "stamp.json", verify=True)
    assert first["x"] == 1 and set(first["files"]) == {"a.txt"}
    with pytest.raises(RuntimeError):
        with commit_result(target, "stamp.json", {"x": 2}) as out:
            out.file("a.txt").write_text("two, never committed")
            raise RuntimeError("killed mid-write")
    assert (target / "a.txt").read_text() == "one"
    assert open_result(target, "stamp.json")["run_id"] == first["run_id"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".res.")]


def test_open_result_names_a_truncated_or_edited_file(tmp_path):
    target = tmp_path / "res"
    with commit_result(target, "stamp.json") as out:
        out.file("t.csv", rows=2).write_text("a\n1\n2\n")
    (target / "t.csv").write_text("a\n1\n")
    with pytest.raises(WorkspaceError, match=r"t\.csv: 4 bytes, the result recorded 6"):
        open_result(target, "stamp.json")
    (target / "t.csv").write_text("a\n1\n9\n")  # same size, other bytes: only the hash sees it
    open_result(target, "stamp.json")
    with pytest.raises(WorkspaceError, match="sha256 mismatch"):
        open_result(target, "stamp.json", verify=True)


def test_interrupted_swap_is_recovered(tmp_path):
    target = tmp_path / "res"
    with commit_result(target, "stamp.json") as out:
        out.file("a.txt").write_text("old")
    run = open_result(target, "stamp.json")["run_id"]
    os.replace(target, tmp_path / ".res.old-999999-deadbeef")  # killed between the two renames
    body = open_result(target, "stamp.json")
    assert body["run_id"] == run and (target / "a.txt").read_text() == "old"


def test_stale_temporaries_of_dead_writers_are_removed(tmp_path, small):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = tmp_path / f".ws.tmp-{pid}-abc"
    stale.mkdir()
    (stale / "interactions.parquet").write_bytes(b"x" * 1000)
    build_workspace(small, tmp_path / "ws")
    assert not stale.exists()


def test_build_never_deletes_foreign_files(tmp_path, small):
    # a folder with a fake manifest and a user's file: refused, file kept
    p = tmp_path / "p"
    p.mkdir()
    (p / "manifest.json").write_text("{}")
    (p / "thesis.docx").write_text("x")
    with pytest.raises(WorkspaceError, match="not a kolgraph workspace"):
        build_workspace(small, p)
    assert (p / "thesis.docx").read_text() == "x"
    # a real workspace with a foreign file inside: refused, even with force
    ws = build_workspace(small, tmp_path / "ws").workspace.path
    (ws / "notes.txt").write_text("mine")
    for force in (False, True):
        with pytest.raises(WorkspaceError, match=r"holds files kolgraph did not write \(notes\.txt\)"):
            build_workspace(small, ws, force=force)
    assert (ws / "notes.txt").read_text() == "mine"
    (ws / "notes.txt").unlink()
    build_workspace(small, ws)  # only its own files: replaced


def test_build_refuses_to_write_over_its_inputs(tmp_path, small):
    ws = build_workspace(small, tmp_path / "ws").workspace.path
    inside = ws / "export.csv"
    inside.write_text(INTERACTIONS, encoding="utf-8")
    for force in (False, True):
        with pytest.raises(InputError, match="-o: .* contains the input .*export.csv"):
            build_workspace(inside, ws, force=force)
    assert inside.read_text(encoding="utf-8") == INTERACTIONS
    with pytest.raises(InputError, match="--rejects: .* is the input"):
        build_workspace(small, tmp_path / "ws2", rejects_path=small)
    assert small.read_text(encoding="utf-8") == INTERACTIONS and not (tmp_path / "ws2").exists()


def test_workspace_tables_are_checked_on_open_and_verified(tmp_path, small):
    ws = build_workspace(small, tmp_path / "ws").workspace
    tables = ws.manifest["tables"]
    assert {"interactions.parquet", "edges.parquet", "vertices.parquet", "graph.npz", "rejects.csv"} <= set(tables)
    assert tables["interactions.parquet"]["rows"] == 4 and len(tables["edges.parquet"]["sha256"]) == 64
    assert ws.verify()["tables"] == len(tables)
    edges = ws.path / "edges.parquet"
    data = edges.read_bytes()
    edges.write_bytes(data[: len(data) // 2])
    with pytest.raises(WorkspaceError, match=r"edges\.parquet: .* bytes, the manifest recorded"):
        open_workspace(ws.path)
    edges.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    reopened = open_workspace(ws.path)  # same size: opens (cheap check) ...
    with pytest.raises(WorkspaceError, match="sha256 mismatch"):
        reopened.verify()  # ... but verify reads every byte


def test_graph_from_arrays_equals_graph_from_tables(tmp_path, small):
    from kolgraph.build.graph import build_graph

    ws = build_workspace(small, tmp_path / "ws").workspace
    fast, slow = ws.graph(), build_graph(ws.edges(), ws.vertices())
    assert fast.vs["name"] == slow.vs["name"] and fast.get_edgelist() == slow.get_edgelist()
    for attribute in ("kind", "count", "weight", "first_ts", "last_ts"):
        assert fast.es[attribute] == slow.es[attribute]


def test_spreadsheet_cells_are_neutralised(tmp_path, small):
    from kolgraph.cli import main
    from click.testing import CliRunner

    ws = build_workspace(small, tmp_path / "ws").workspace
    runner = CliRunner()
    res = runner.invoke(main, ["analyze", str(ws.path), *BRAND, "--quiet"])
    assert res.exit_code == 0, res.output
    users = pd.read_csv(ws.path / "analysis" / "users.csv", dtype=str, keep_default_na=False)
    assert "'=cmd|' /C calc'!A0" in set(users["user_id"])
    assert not users.map(lambda v: v[:1] in ("=", "+", "@", "\t", "\r")).any().any()
    parquet = pd.read_parquet(ws.path / "analysis" / "users.parquet")
    assert "=cmd|' /C calc'!A0" in set(parquet["user_id"])  # the data itself is untouched


def test_analysis_outputs_one_missing_error(tmp_path, small):
    ws = build_workspace(small, tmp_path / "ws").workspace
    with pytest.raises(AnalysisMissingError, match="run `kolgraph analyze WORKSPACE` first"):
        AnalysisOutputs.load(ws)
    from kolgraph.runs.analyze import analyze_workspace

    result = analyze_workspace(ws, {"accounts": ["brand"]})
    out = AnalysisOutputs.load(ws, verify=True)
    assert out.run_id == result.run_id and out.brand["accounts"] == ["brand"]
    assert out.has_role("brand_account").sum() == 1
    assert list(out.holders("brand_account")["user_id"]) == ["brand"]
    (ws.path / "analysis" / "attitudes.parquet").unlink()
    with pytest.raises(WorkspaceError, match=r"attitudes\.parquet: missing from the analysis"):
        AnalysisOutputs.load(ws)


_KILL_SCRIPT = textwrap.dedent("""
    import os, sys, signal
    from kolgraph.runs import results
    point = sys.argv[2]
    real_swap = results.swap_into_place
    def swap(tmp, target):
        if point == "before-swap":
            os.kill(os.getpid(), signal.SIGKILL)
        if point == "between-renames":
            old = target.with_name(f".{target.name}.old-{os.getpid()}-x")
            os.replace(target, old)
            os.kill(os.getpid(), signal.SIGKILL)
        real_swap(tmp, target)
    results.swap_into_place = swap
    if point == "mid-write":
        import pandas as pd
        real = pd.DataFrame.to_parquet
        calls = []
        def to_parquet(self, *a, **k):
            calls.append(1)
            if len(calls) == 3:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(self, *a, **k)
        pd.DataFrame.to_parquet = to_parquet
    from kolgraph.runs.analyze import analyze_workspace
    analyze_workspace(sys.argv[1], {"accounts": ["brand", "fan2"]}, seed=1)
""")


@pytest.mark.parametrize("point", ["mid-write", "before-swap", "between-renames"])
def test_killed_analyze_leaves_the_old_complete_analysis(tmp_path, small, point):
    from kolgraph.runs.analyze import analyze_workspace

    ws = build_workspace(small, tmp_path / "ws").workspace
    old = analyze_workspace(ws, {"accounts": ["brand"]}, seed=0)
    proc = subprocess.run([sys.executable, "-c", _KILL_SCRIPT, str(ws.path), point], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    now = AnalysisOutputs.load(ws.path, verify=True)  # complete, and it says which run it is
    assert now.run_id == old.run_id and now.brand["accounts"] == ["brand"]
    again = analyze_workspace(ws, {"accounts": ["brand", "fan2"]}, seed=1)  # the next write cleans up
    assert AnalysisOutputs.load(ws.path).run_id == again.run_id
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".analysis.", ".ws.tmp", ".ws.old"))]
    assert not [p for p in ws.path.iterdir() if p.name.startswith(".analysis.")]


def test_concurrent_builds_to_one_folder_are_refused(tmp_path, small):
    script = textwrap.dedent("""
        import sys, time
        from kolgraph.build import workspace
        real = workspace._swap_into_place
        def slow(tmp, target):
            time.sleep(3)
            real(tmp, target)
        workspace._swap_into_place = slow
        workspace.build_workspace(sys.argv[1], sys.argv[2])
    """)
    out = tmp_path / "ws"
    first = subprocess.Popen([sys.executable, "-c", script, str(small), str(out)], cwd=ROOT)
    try:
        deadline = time.time() + 30
        while not list(tmp_path.glob(".ws.tmp-*")) and time.time() < deadline:
            time.sleep(0.05)
        with pytest.raises(WorkspaceError, match="another kolgraph process is writing"):
            build_workspace(small, out)
    finally:
        assert first.wait(timeout=60) == 0
    assert open_workspace(out).manifest["counts"]["interactions"]["kept"] == 4


def test_manifest_marks_the_workspace(tmp_path, small):
    ws = build_workspace(small, tmp_path / "ws").workspace
    manifest = json.loads((ws.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kolgraph"]["kind"] == "kolgraph-workspace" and manifest["kolgraph"]["version"]


_KILL_BUILD = textwrap.dedent("""
    import os, sys, signal
    from kolgraph.runs import results
    from kolgraph.build import workspace
    point = sys.argv[3]
    real_swap = results.swap_into_place
    def swap(tmp, target):
        if point == "before-swap":
            os.kill(os.getpid(), signal.SIGKILL)
        if point == "between-renames":
            os.replace(target, target.with_name(f".{target.name}.old-{os.getpid()}-x"))
            os.kill(os.getpid(), signal.SIGKILL)
        real_swap(tmp, target)
    results.swap_into_place = swap
    if point == "mid-write":
        import numpy as np
        def savez(*a, **k):
            os.kill(os.getpid(), signal.SIGKILL)
        workspace.np.savez = savez
    workspace.build_workspace(sys.argv[1], sys.argv[2], users_path=None)
""")


@pytest.mark.parametrize("point", ["mid-write", "before-swap", "between-renames"])
def test_killed_build_leaves_the_old_complete_workspace(tmp_path, small, point):
    out = tmp_path / "ws"
    old = build_workspace(small, out).workspace.manifest["created"]
    other = tmp_path / "other.csv"
    other.write_text(INTERACTIONS.replace("fan2", "fan3"), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", _KILL_BUILD, str(other), str(out), point], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    ws = open_workspace(out)  # after a kill between the renames, opening moves the old one back
    assert ws.recovered == (point == "between-renames")
    ws.verify()
    assert ws.manifest["created"] == old and "fan3" not in set(ws.vertices()["user_id"])
    build_workspace(other, out)  # the next write succeeds and cleans up
    assert "fan3" in set(open_workspace(out).vertices()["user_id"])
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".ws.tmp", ".ws.old"))]


def test_interaction_codes_are_stored_at_build_and_match_the_ids(tmp_path, small):
    ws = build_workspace(small, tmp_path / "ws").workspace
    names = ws.vertices()["user_id"].tolist()
    rows = ws.interactions(columns=["src", "dst"])
    src, dst = ws.interaction_codes()
    assert src.dtype == np.int64 and [names[i] for i in src] == rows["src"].tolist()
    assert [names[i] for i in dst] == rows["dst"].tolist()
    assert "interaction_src" in ws._npz  # stored in graph.npz, not recomputed
    # a workspace written before the codes were stored computes the same codes
    ws.__dict__["_npz"] = {k: v for k, v in ws._npz.items() if not k.startswith("interaction_")}
    again = ws.interaction_codes()
    assert again[0].tolist() == src.tolist() and again[1].tolist() == dst.tolist()
    with pytest.raises(ValueError, match="read-only"):
        ws.graph_arrays()["weight"][0] = 1.0  # shared between readers: nobody may change them
