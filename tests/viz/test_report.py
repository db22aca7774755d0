"""The report: every section present, user text escaped, what-if shown only when computed."""

from __future__ import annotations

import base64
import html as htmllib
import re
import shutil

import pytest
from click.testing import CliRunner

from kolgraph.build.workspace import open_workspace
from kolgraph.cli import main
from kolgraph.schema import KolgraphError
from kolgraph.viz._html import page_script_hashes, script_hash
from kolgraph.viz.report import load_whatif, write_report
from vizdata import COMMENT_NAME, REASON_PAYLOAD, SCRIPT_NAME, XSS_NAME

@pytest.fixture(scope="module")
def whatif_ws(planted_ws, tmp_path_factory):
    """A copy of the planted workspace with real what-if results (kolgraph.algorithms.whatif)."""
    from kolgraph.runs.whatif import sensitivity_workspace, whatif_workspace

    target = tmp_path_factory.mktemp("whatif") / "ws"
    shutil.copytree(planted_ws.path, target)
    whatif_workspace(target, ["kol_c", "critic_kol"], runs=60, seed=0)
    sensitivity_workspace(target, ["critic_kol"], runs=30, seed=0)
    return open_workspace(target)


@pytest.fixture(scope="module")
def report(planted_ws, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = write_report(planted_ws, out, top=5, map_max_nodes=60)
    return result, out.read_text(encoding="utf-8")


def test_sections_and_what_was_skipped(report):
    result, page = report
    assert result.sections == ("summary", "kols", "core-fans", "critics", "bridges", "communities", "plots", "map",
                               "parameters")
    assert result.skipped == ("what-if (no results in WORKSPACE/whatif/)",)
    assert "No what-if results" in page and "kolgraph whatif" in page
    assert result.map is not None and len(result.map.nodes) == 60


def test_role_tables_list_the_right_people(report):
    _, page = report
    kols = page.split('id="kols"')[1].split("<h2")[0]
    # The three KOLs of the fixture, each with its escaped name and its reasons.
    for uid in ("kol_a", "kol_c", "critic_kol"):
        assert f"<td>{uid}</td>" in kols
    assert "Showing 3 of 3" in kols
    critics = page.split('id="critics"')[1].split("<h2")[0]
    assert "<td>critic_kol</td>" in critics and "<td>kol_a</td>" not in critics
    bridges = page.split('id="bridges"')[1].split("<h2")[0]
    assert "<td>u0_0</td>" in bridges and "<td>u2_0</td>" in bridges


def test_user_text_is_escaped_everywhere(report):
    _, page = report
    outside = re.sub(r'srcdoc="[^"]*"', 'srcdoc=""', page)  # the map is checked through its own escaping below
    for payload in (XSS_NAME, SCRIPT_NAME, COMMENT_NAME, REASON_PAYLOAD):
        assert payload not in page
    for payload in (XSS_NAME, SCRIPT_NAME, REASON_PAYLOAD):  # these users are in the role tables
        assert htmllib.escape(payload) in outside  # shown as text
    assert "<img" not in outside.replace('<img class="plot"', "")
    assert outside.count("<script") == 0  # the report itself runs nothing; the map runs inside its frame


def test_embedded_map_is_admitted_by_the_policy(report):
    result, page = report
    srcdoc = htmllib.unescape(re.search(r'srcdoc="([^"]*)"', page).group(1))
    assert srcdoc.startswith("<!DOCTYPE html>") and "kolgraph-map-data" in srcdoc
    csp = htmllib.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    for digest in page_script_hashes(srcdoc):
        assert digest in csp
    assert script_hash("alert(1)") not in csp


def test_plots_are_inline_png(report):
    _, page = report
    images = re.findall(r'<img class="plot" alt="([^"]*)" src="data:image/png;base64,([^"]+)">', page)
    assert [alt for alt, _ in images] == ["Degree distribution on log-log axes", "Brand stance by community"]
    for _, data in images:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)


def test_degrees_count_distinct_neighbours(planted_ws):
    from kolgraph.viz.maps import load_map_inputs
    from kolgraph.viz.report import _degrees

    inputs = load_map_inputs(planted_ws)
    in_deg, out_deg = _degrees(inputs.edges, len(inputs.users))
    g = planted_ws.graph()
    g.simplify(multiple=True, loops=True)  # one edge per ordered pair, as "distinct users"
    assert in_deg.tolist() == g.indegree() and out_deg.tolist() == g.outdegree()
    assert in_deg[g.vs.find(name="brand").index] > 100  # every fan replied to the brand


def test_whatif_sections_when_computed(whatif_ws, tmp_path):
    found = load_whatif(whatif_ws.result_path("whatif"))
    assert [c["candidate"] for c in found.summary["candidates"]] == ["kol_c", "critic_kol"]
    assert found.runs is not None and found.sensitivity is not None
    result = write_report(whatif_ws, tmp_path / "r.html", embed_map=False)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "whatif" in result.sections and result.skipped == ("map (embed_map=False)",)
    section = page.split('id="whatif"')[1].split('<h2 id="map"')[0]
    critic = next(c for c in found.summary["candidates"] if c["candidate"] == "critic_kol")
    shift = critic["core_fan_shift"]
    assert shift["mean"] < 0  # core fans who dislike the critic KOL move against the brand
    assert f"{shift['mean']:+.3f} [{shift['p05']:+.3f}, {shift['p95']:+.3f}]" in section
    assert htmllib.escape(XSS_NAME) + " (critic_kol)" in section and XSS_NAME not in section
    assert "Most likely defectors" in section and "Sensitivity" in section
    assert 'alt="What-if core-fan shift by candidate"' in section
    assert "<iframe" not in page


def test_report_needs_an_analysis(raw_ws, tmp_path):
    with pytest.raises(KolgraphError, match="kolgraph analyze"):
        write_report(raw_ws, tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()


def test_cli_report(planted_ws, raw_ws, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["--quiet", "report", str(planted_ws.path), "-o", str(tmp_path / "r.html"),
                                  "--top", "3", "--map-max-nodes", "30"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "r.html") and (tmp_path / "r.html").stat().st_size > 10_000
    result = runner.invoke(main, ["report", str(raw_ws.path), "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 2 and "run `kolgraph analyze" in result.output and "Traceback" not in result.output
