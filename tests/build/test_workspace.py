"""Workspace: written atomically, manifest accounts for every row, graph rebuilt exactly."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from kolgraph.build import workspace as workspace_module
from kolgraph.build.workspace import build_workspace, open_workspace
from kolgraph.schema import KolgraphError

INTERACTIONS = """src,dst,kind,timestamp,text,post_id
fan1,brand,repost,2026-01-05T00:00:00Z,支持 #星澜#,p1
fan2,brand,reply,2026-01-05T01:00:00Z,好用[赞],p2
fan1,critic,reply,2026-01-05T02:00:00Z,滚[怒],p3
fan1,brand,repost,2026-01-06T00:00:00Z,再转,p4
bad,,reply,,,p5
fan1,brand,repost,2026-01-05T00:00:00Z,支持 #星澜#,p1
"""
USERS = "user_id,display_name,followers,verified\nbrand,星澜科技,42000000,true\ncritic,\"老王 \"\"说\"\"\",900000,false\n"


@pytest.fixture()
def inputs(tmp_path):
    (tmp_path / "i.csv").write_text(INTERACTIONS, encoding="utf-8")
    (tmp_path / "u.csv").write_text(USERS, encoding="utf-8")
    return tmp_path / "i.csv", tmp_path / "u.csv"


def test_build_writes_tables_manifest_and_rejects(tmp_path, inputs):
    report = build_workspace(inputs[0], tmp_path / "ws", users_path=inputs[1])
    ws = open_workspace(tmp_path / "ws")
    manifest = ws.manifest
    assert manifest["counts"]["interactions"] == {"read": 6, "kept": 4, "rejected": 1, "duplicate": 1}
    assert manifest["inputs"]["interactions"][0]["sha256"] == report.interactions.files[0].sha256
    assert len(manifest["inputs"]["interactions"][0]["sha256"]) == 64
    assert manifest["graph"]["vertices"] == 4 and manifest["graph"]["edges"] == 3
    assert manifest["graph"]["interactions_by_kind"] == {"repost": 2, "reply": 2, "mention": 0}
    assert {"igraph", "pandas", "kolgraph", "python"} <= set(manifest["packages"])
    rejects = pd.read_csv(tmp_path / "ws" / "rejects.csv")
    assert rejects[["row", "category"]].values.tolist() == [[5, "rejected"], [6, "duplicate"]]
    g = ws.graph()
    assert g.vs.find(name="critic")["display_name"] == '老王 "说"'
    assert sum(g.es["count"]) == 4
    assert len(ws.interactions()) == 4 and list(ws.interactions(["text"]).columns) == ["text"]


def test_graph_copy_protects_the_cache(tmp_path, inputs):
    ws = open_workspace(build_workspace(inputs[0], tmp_path / "ws").workspace.path)
    g = ws.graph()
    assert g.vcount() == 4
    g.delete_vertices([0])
    assert ws.graph().vcount() == 4


def test_rebuild_replaces_and_non_workspace_folder_is_protected(tmp_path, inputs):
    out = tmp_path / "ws"
    build_workspace(inputs[0], out)
    first = json.loads((out / "manifest.json").read_text())["created"]
    build_workspace(inputs[0], out, users_path=inputs[1])
    assert open_workspace(out).manifest["counts"]["users"]["kept"] == 2
    assert first  # replaced in place, still a workspace
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("keep me")
    with pytest.raises(KolgraphError, match="not a kolgraph workspace"):
        build_workspace(inputs[0], precious)
    assert (precious / "thesis.txt").read_text() == "keep me"


def test_crash_mid_write_leaves_the_old_workspace(tmp_path, inputs, monkeypatch):
    out = tmp_path / "ws"
    build_workspace(inputs[0], out)
    before = sorted(p.name for p in out.iterdir())

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(workspace_module, "_swap_into_place", boom)
    with pytest.raises(RuntimeError):
        build_workspace(inputs[0], out, users_path=inputs[1])
    assert sorted(p.name for p in out.iterdir()) == before
    assert open_workspace(out).manifest["counts"]["users"] is None
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".ws.tmp", ".ws.old"))]  # temporary folder cleaned up


def test_not_a_workspace(tmp_path):
    with pytest.raises(KolgraphError, match="not a kolgraph workspace"):
        open_workspace(tmp_path)


def test_record_result_updates_manifest(tmp_path, inputs):
    ws = open_workspace(build_workspace(inputs[0], tmp_path / "ws").workspace.path)
    ws.write_result_table(pd.DataFrame({"user_id": ["a"]}), "analysis", "users.parquet")
    ws.record_result("analysis", {"seed": 3})
    again = open_workspace(tmp_path / "ws")
    assert again.manifest["results"]["analysis"]["seed"] == 3
    assert again.read_result_table("analysis", "users.parquet")["user_id"].tolist() == ["a"]
    with pytest.raises(KolgraphError, match="not computed yet"):
        again.read_result_table("whatif", "x.parquet")
