"""CLI over the runs layer: analyze --json, verify, user errors as one line with exit code 2."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kolgraph.cli import main
from kolgraph.datasets import load_sample


@pytest.fixture(scope="module")
def sample_ws(tmp_path_factory):
    paths = load_sample()
    out = tmp_path_factory.mktemp("cli") / "ws"
    runner = CliRunner()
    res = runner.invoke(main, ["build", str(paths.interactions), "--users", str(paths.users), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    return out, paths


def _check(value, schema, where="$"):
    """A small structural schema check: dict of key -> type or nested schema; [schema] for lists."""
    if isinstance(schema, dict):
        assert isinstance(value, dict), f"{where}: expected an object"
        for key, sub in schema.items():
            assert key in value, f"{where}: missing {key!r}"
            _check(value[key], sub, f"{where}.{key}")
    elif isinstance(schema, list):
        assert isinstance(value, list), f"{where}: expected a list"
        for i, item in enumerate(value):
            _check(item, schema[0], f"{where}[{i}]")
    else:
        assert isinstance(value, schema), f"{where}: expected {schema}, got {type(value).__name__}"


ANALYZE_SCHEMA = {
    "workspace": str, "run_id": str,
    "summary": {"users": int, "communities": int, "roles": dict, "brand_directed_interactions": int},
    "parameters": {"seed": int, "brand": {"accounts": list}},
    "top": {tag: [{"user_id": str, "pagerank_pct": (int, float), "reasons": str}]
            for tag in ("kol", "core_fan", "critic", "critic_kol", "bridge")},
    "brand_communities": [{"community": int, "size": int}],
    "files": dict,
}


def test_analyze_json_follows_its_schema_and_verify_checks(sample_ws):
    out, paths = sample_ws
    runner = CliRunner()
    res = runner.invoke(main, ["analyze", str(out), "--config", str(paths.config), "--json", "-q"])
    assert res.exit_code == 0, res.output
    body = json.loads(res.output)
    _check(body, ANALYZE_SCHEMA)
    assert body["summary"]["users"] == 3000 and body["top"]["critic_kol"][0]["user_id"] == "laozhong_zhenhua"
    ok = runner.invoke(main, ["verify", str(out), "--json"])
    assert ok.exit_code == 0 and json.loads(ok.output)["results"]["analysis"] == body["run_id"]
    users = out / "analysis" / "users.parquet"
    data = users.read_bytes()
    users.write_bytes(data[:-2] + bytes([data[-2] ^ 1]) + data[-1:])
    bad = runner.invoke(main, ["verify", str(out)])
    assert bad.exit_code == 2 and "users.parquet" in bad.output and "sha256 mismatch" in bad.output
    assert "Traceback" not in bad.output
    users.write_bytes(data)


def test_user_errors_are_one_line_with_exit_code_2(sample_ws, tmp_path):
    out, paths = sample_ws
    runner = CliRunner()
    cases = [
        (["analyze", str(out), "-q", "--brand-keyword", "no-such-brand-zzz"], "no interaction is brand-directed"),
        (["analyze", str(out), "-q", "--brand-account", "nobody"], "'nobody'"),
        (["verify", str(tmp_path)], "not a kolgraph workspace"),
        (["build", str(paths.interactions), "-o", str(paths.folder)], "contains the input"),
        (["build", str(paths.interactions), "-o", str(tmp_path.parent)], "not a kolgraph workspace"),
    ]
    for args, message in cases:
        res = runner.invoke(main, args)
        assert res.exit_code == 2, (args, res.output)
        assert message in res.output and "Traceback" not in res.output
        assert len(res.output.strip().splitlines()) == 1, res.output
