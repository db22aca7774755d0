"""Issue 13's hostile-user cases, walked through the CLI: each is one line naming the file or option, exit 2."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest
from click.testing import CliRunner

from kolgraph.cli import main
from kolgraph.datasets import load_sample


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    paths = load_sample()
    out = tmp_path_factory.mktemp("errors") / "ws"
    runner = CliRunner()
    assert runner.invoke(main, ["-q", "build", str(paths.interactions), "--users", str(paths.users),
                                "-o", str(out)]).exit_code == 0
    assert runner.invoke(main, ["-q", "analyze", str(out), "--config", str(paths.config)]).exit_code == 0
    return out, paths


def _cases(ws, paths, tmp):
    foreign = tmp / "p"
    foreign.mkdir()
    (foreign / "manifest.json").write_text("{}")
    (foreign / "thesis.docx").write_text("x")
    copy = tmp / "x.csv"
    copy.write_bytes(paths.interactions.read_bytes())
    truncated = tmp / "t.csv.gz"
    truncated.write_bytes(gzip.compress(paths.interactions.read_bytes())[:4000])
    listcol = tmp / "l.parquet"
    pd.DataFrame({"src": ["a"], "dst": [["b", "c"]], "kind": ["reply"]}).to_parquet(listcol)
    dup = tmp / "dup.csv"
    dup.write_text("src,dst,kind,src\na,b,reply,c\n", encoding="utf-8")
    cand = tmp / "cand.csv"
    cand.write_text("user_id\nlaozhong_zhenhua\n", encoding="utf-8")
    return [
        (["build", str(copy), "-o", str(foreign)], "not a kolgraph workspace"),
        (["build", str(copy), "-o", str(tmp / "w2"), "--rejects", str(copy)], "--rejects"),
        (["build", str(truncated), "-o", str(tmp / "w3")], "t.csv.gz"),
        (["build", str(listcol), "-o", str(tmp / "w4")], "l.parquet"),
        (["build", str(dup), "-o", str(tmp / "w5")], "dup.csv"),
        (["whatif", str(ws), "--kol", "laozhong_zhenhua", "--runs", "1000000000000"], "--runs"),
        (["score", str(ws), str(cand), "-o", str(cand)], "-o"),
        (["analyze", str(ws), "--brand-keyword", "zzz-nothing"], "brand-directed"),
        (["neo4j", "query", "core_fans", "--param", "limit=99999999999999999999999"], "limit"),
    ]


def test_every_listed_user_error_is_one_line_with_exit_code_2(analysed, tmp_path):
    ws, paths = analysed
    runner = CliRunner()
    for args, needle in _cases(ws, paths, tmp_path):
        res = runner.invoke(main, ["-q", *args], env={"NEO4J_URI": "bolt://127.0.0.1:9", "NEO4J_PASSWORD": "x"})
        lines = res.output.strip().splitlines()
        assert res.exit_code == 2, (args, res.output)
        assert "Traceback" not in res.output and len(lines) == 1, (args, res.output)
        assert needle in lines[0], (args, lines[0])
    assert (tmp_path / "p" / "thesis.docx").read_text() == "x"
    assert (tmp_path / "cand.csv").read_text(encoding="utf-8") == "user_id\nlaozhong_zhenhua\n"
