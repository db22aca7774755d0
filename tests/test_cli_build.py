"""`kolgraph build` and `--version`: clear messages and exit codes, no tracebacks."""

from __future__ import annotations

import inspect
import json

from click.testing import CliRunner

from kolgraph import __version__
from kolgraph.cli import main

CSV = "src,dst,kind\na,b,repost\nc,b,like\n"


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_build_reports_counts_and_rejects(tmp_path):
    (tmp_path / "i.csv").write_text(CSV)
    result = run("build", tmp_path / "i.csv", "-o", tmp_path / "ws", "--rejects", tmp_path / "bad.csv")
    assert result.exit_code == 0, result.output
    assert "rows read 2, kept 1, rejected 1, duplicate 0" in result.stderr
    assert result.stdout.strip() == str(tmp_path / "ws")
    assert "unknown kind 'like'" in (tmp_path / "bad.csv").read_text()
    manifest = json.loads((tmp_path / "ws" / "manifest.json").read_text())
    assert manifest["counts"]["interactions"]["rejected"] == 1


def test_quiet_silences_the_summary(tmp_path):
    (tmp_path / "i.csv").write_text(CSV)
    result = run("--quiet", "build", tmp_path / "i.csv", "-o", tmp_path / "ws")
    assert result.exit_code == 0 and result.stderr == ""
    loud = run("build", tmp_path / "i.csv", "-o", tmp_path / "ws2")
    assert loud.exit_code == 0 and loud.stderr != ""
    for flag in ("--quiet", "-q"):  # after the subcommand too, as users type it
        result = run("build", tmp_path / "i.csv", "-o", tmp_path / "ws3", flag)
        assert result.exit_code == 0 and result.stderr == "", result.output


def test_every_command_that_takes_a_context_accepts_quiet():
    import click

    def leaves(cmd, path=()):
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                yield from leaves(sub, (*path, name))
        else:
            yield path, cmd

    checked = []
    for path, cmd in leaves(main):
        opts = {o for p in cmd.params for o in getattr(p, "opts", [])}
        if "ctx" in inspect.signature(cmd.callback).parameters:  # follows the decorators' __wrapped__
            assert {"--quiet", "-q"} <= opts, f"kolgraph {' '.join(path)} has no --quiet"
            checked.append(path)
    assert ("demo",) in checked and ("whatif", "run") in checked and len(checked) >= 14


def test_strict_fails_with_file_row_reason(tmp_path):
    (tmp_path / "i.csv").write_text(CSV)
    result = run("build", tmp_path / "i.csv", "-o", tmp_path / "ws", "--strict")
    assert result.exit_code == 2
    assert f"Error: {tmp_path / 'i.csv'}, row 2: unknown kind 'like'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "ws").exists()


def test_missing_file_and_missing_column(tmp_path):
    result = run("build", tmp_path / "nope.csv", "-o", tmp_path / "ws")
    assert result.exit_code == 2 and "file not found" in result.output and "Traceback" not in result.output
    (tmp_path / "x.csv").write_text("from,to\na,b\n")
    result = run("build", tmp_path / "x.csv", "-o", tmp_path / "ws")
    assert result.exit_code == 2 and "missing required column(s) src, dst, kind" in result.output
    result = run("build", tmp_path / "x.csv", "-o", tmp_path / "ws", "--column", "src=from", "--column", "dst=to")
    assert result.exit_code == 2 and "missing required column(s) kind" in result.output


def test_kind_weight_option(tmp_path):
    (tmp_path / "i.csv").write_text("src,dst,kind\na,b,repost\n")
    result = run("build", tmp_path / "i.csv", "-o", tmp_path / "ws", "--kind-weight", "repost=2.5")
    assert result.exit_code == 0
    manifest = json.loads((tmp_path / "ws" / "manifest.json").read_text())
    assert manifest["parameters"]["kind_weights"]["repost"] == 2.5
    bad = run("build", tmp_path / "i.csv", "-o", tmp_path / "ws", "--kind-weight", "like=2")
    assert bad.exit_code == 2 and "unknown kind(s) like" in bad.output


def test_public_api_resolves_lazily():
    import subprocess
    import sys

    code = ("import sys, kolgraph; assert 'igraph' not in sys.modules and 'neo4j' not in sys.modules; "
            "[getattr(kolgraph, n) for n in kolgraph.__all__]; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_the_suite_collects_every_test_folder():
    """pytest skips folders named like build outputs by default; tests/build must still be collected."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                         cwd=root, capture_output=True, text=True)
    collected = {line.split("::")[0].rsplit("/", 1)[0] for line in out.stdout.splitlines() if "::" in line}
    expected = {str(p.parent.relative_to(root)) for p in (root / "tests").rglob("test_*.py")}
    assert expected <= collected, f"not collected: {sorted(expected - collected)}"
