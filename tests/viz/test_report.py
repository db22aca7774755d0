"""The report: verdict first, every section present, user text escaped, stale results flagged."""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from kolgraph.build.workspace import open_workspace
from kolgraph.cli import main
from kolgraph.errors import StaleResultError
from kolgraph.schema import KolgraphError
from kolgraph.viz.safe_html import page_script_hashes, script_hash
from kolgraph.viz.report import candidate_views, load_whatif, write_report
from vizdata import COMMENT_NAME, REASON_PAYLOAD, SCRIPT_NAME, XSS_NAME

POST_PAYLOAD = "<script>window.__kolgraph_pwned=5</script>叛徒！<b>脱粉</b> =cmd|' /C calc'!A0"


def interval(mean, lo, hi, se=0.01):
    return {"mean": mean, "p05": lo, "p95": hi, "mc_se": se}


@pytest.fixture(scope="module")
def whatif_ws(planted_ws, tmp_path_factory):
    """A copy of the planted workspace with real what-if results, and hostile fan replies to the critic KOL."""
    from kolgraph.runs.whatif import sensitivity_workspace, whatif_workspace

    from kolgraph.build.workspace import build_workspace
    from vizdata import fabricate_analysis, planted_event

    root = tmp_path_factory.mktemp("whatif")
    inter, users = planted_event()
    inter["text"] = ""
    # Four core fans of the brand community (stance > 0.5, see vizdata) reply to the critic KOL with text.
    users_table = pd.read_parquet(planted_ws.path / "analysis" / "users.parquet")
    fans = users_table.loc[(users_table["roles"] == "core_fan") & (users_table["community"] == 0),
                           "user_id"].astype(str).tolist()[:4]
    rows = [inter.index[inter["src"].astype(str) == f][0] for f in fans]
    texts = [POST_PAYLOAD, "你也配？滚出岚柚", "老钟又来带节奏，恶心", "其实他说得也有点道理"]
    sentiments = [-0.95, -0.9, -0.8, 0.4]
    for r, t, s in zip(rows, texts, sentiments):
        inter.loc[r, "dst"], inter.loc[r, "kind"], inter.loc[r, "sentiment"], inter.loc[r, "text"] = \
            "critic_kol", "reply", s, t
    inter.to_csv(root / "interactions.csv", index=False)
    users.to_csv(root / "users.csv", index=False)
    built = build_workspace([root / "interactions.csv"], root / "ws", users_path=root / "users.csv")
    target = built.workspace.path
    fabricated = fabricate_analysis(open_workspace(target))
    core = set(fabricated.loc[fabricated["roles"] == "core_fan", "user_id"].astype(str))
    assert set(fans) <= core  # the repliers are core fans in this workspace too
    whatif_workspace(target, ["kol_c", "critic_kol"], runs=60, seed=0)
    sensitivity_workspace(target, ["critic_kol"], runs=30, seed=0)
    return open_workspace(target), fans


def contract_summary(legacy: dict, run_id: str) -> dict:
    """The what-if contract's keys on top of a legacy summary (fixture data, as the whatif helper will write)."""
    out = json.loads(json.dumps(legacy))
    out["analysis_run_id"] = run_id
    out["parameters"]["cutoff"] = "2023-11-14T22:14:00Z"
    for c in out["candidates"]:
        critic = c["candidate"] == "critic_kol"
        c["display_name"] = XSS_NAME if critic else SCRIPT_NAME
        c["verdict"] = {"tier": "red" if critic else "green",
                        "line": f"RED: signing {XSS_NAME} turns 31% [22%, 40%] of 60 core fans against the brand"
                        if critic else "GREEN: no warning sign",
                        "reasons": [f"core fans dislike {XSS_NAME}", "the founder's comments would flood",
                                    "a friendly KOL would walk", "a fourth reason that is not shown"]
                        if critic else ["nobody dislikes this KOL"]}
        c["core_fans"] = {"count": 60, "turning_against": {"count": interval(18.6, 13.0, 24.0) if critic else
                                                           interval(0.0, 0.0, 0.0),
                                                           "share": interval(0.31, 0.22, 0.40) if critic else
                                                           interval(0.0, 0.0, 0.0)},
                          "cooling_share": interval(0.45, 0.35, 0.55), "cooling_threshold": 0.3,
                          "stance_before": interval(0.71, 0.71, 0.71), "stance_after": interval(0.12, 0.02, 0.2)}
        c["comment_flood"] = [{"account": "brand", "display_name": "星澜 official", "is_founder": True,
                               "hostile_per_day_before": 3.2, "hostile_per_day_expected": interval(41.0, 30.0, 55.0),
                               "multiple": interval(12.8, 9.4, 17.2)}] if critic else []
        c["friendly_kols_at_risk"] = [{"user_id": "kol_a", "display_name": COMMENT_NAME, "stance": 0.62,
                                       "attitude_to_candidate": -0.55, "engagers_turning_share": 0.18,
                                       "reasons": [REASON_PAYLOAD]}] if critic else []
        c["defectors_top"] = []
        c["carriers_top"] = []
        c["safer_alternatives"] = [{"user_id": "kol_c", "display_name": SCRIPT_NAME, "reach_overlap": 0.7,
                                    "core_fans_turning_share": interval(0.0, 0.0, 0.01), "reasons": ["ok"]}] \
            if critic else []
        c["aftermath"] = None
    out["definitions"] = {"core_fans.turning_against": "core fans whose stance ends below 0"}
    return out


@pytest.fixture(scope="module")
def contract_ws(whatif_ws, tmp_path_factory):
    from kolgraph.runs.score_output import analysis_run_id

    ws, fans = whatif_ws
    target = tmp_path_factory.mktemp("contract") / "ws"
    shutil.copytree(ws.path, target)
    ws2 = open_workspace(target)
    path = target / "whatif" / "summary.json"
    path.write_text(json.dumps(contract_summary(json.loads(path.read_text()), analysis_run_id(ws2)),
                               ensure_ascii=False), encoding="utf-8")
    return ws2, fans


@pytest.fixture(scope="module")
def report(planted_ws, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = write_report(planted_ws, out, top=5, map_max_nodes=60)
    return result, out.read_text(encoding="utf-8")


def section(page: str, sid: str) -> str:
    return page.split(f'id="{sid}"', 1)[1].split("<h2", 1)[0]


def test_sections_and_what_was_skipped(report):
    result, page = report
    assert result.sections == ("verdict", "evidence", "roles", "map", "details", "glossary", "methods")
    assert result.skipped == ("what-if (no results in WORKSPACE/whatif/)",)
    verdict = section(page, "verdict")
    assert "No candidate vetted yet" in verdict and "kolgraph whatif" in verdict
    assert page.index('id="verdict"') < page.index('id="evidence"') < page.index('id="details"') \
        < page.index('id="glossary"')
    assert result.map is not None and len(result.map.nodes) == 60


def test_role_tables_list_the_right_people_with_brand_accounts_left_out(report):
    _, page = report
    kols = page.split('id="kols"')[1].split("<h3")[0]
    for uid in ("kol_a", "kol_c", "critic_kol"):
        assert f"<td>{uid}</td>" in kols
    assert "<td>brand</td>" not in kols and "Brand accounts (1) are left out" in page
    assert "3 users" in kols
    critics = page.split('id="critics"')[1].split("<h3")[0]
    assert "<td>critic_kol</td>" in critics and "<td>kol_a</td>" not in critics
    bridges = page.split('id="bridges"')[1].split("<h3")[0]
    assert "<td>u0_0</td>" in bridges and "<td>u2_0</td>" in bridges
    amplifiers = page.split('id="amplifiers"')[1].split("<h2")[0]
    assert "Nobody holds this role: nobody reposts enough" in amplifiers  # an empty role says why


def test_user_text_is_escaped_everywhere(report):
    _, page = report
    outside = re.sub(r'srcdoc="[^"]*"', 'srcdoc=""', page)  # the map is checked through its own escaping below
    for payload in (XSS_NAME, SCRIPT_NAME, COMMENT_NAME, REASON_PAYLOAD):
        assert payload not in page
    for payload in (XSS_NAME, SCRIPT_NAME, REASON_PAYLOAD):  # these users are in the role tables
        assert htmllib.escape(payload) in outside  # shown as text
    assert "<img" not in outside
    assert outside.count("<script") == 0  # the report itself runs nothing; the map runs inside its frame


def test_embedded_map_is_admitted_by_the_policy(report):
    result, page = report
    srcdoc = htmllib.unescape(re.search(r'srcdoc="([^"]*)"', page).group(1))
    assert srcdoc.startswith("<!DOCTYPE html>") and "kolgraph-map-data" in srcdoc
    csp = htmllib.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    for digest in page_script_hashes(srcdoc):
        assert digest in csp
    assert script_hash("alert(1)") not in csp


def test_charts_are_inline_svg_without_network(report):
    _, page = report
    outside = re.sub(r'srcdoc="[^"]*"', 'srcdoc=""', page)
    assert 'aria-label="Degree distribution on log-log axes"' in outside
    assert 'aria-label="Brand stance by community"' in outside
    assert "Daily brand-directed volume and mean sentiment" in outside  # the timeline
    assert "data:image/png" not in outside
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", outside, re.I)


def test_every_number_has_a_definition_on_hover_and_in_the_glossary(report):
    _, page = report
    glossary = section(page, "glossary")
    hovers = set(re.findall(r'<span class="n" title="([^"(]+) \(', page))
    assert hovers, "no number carries a definition"
    for label in hovers:
        assert f"<th>{htmllib.escape(label)}</th>" in glossary, label
    assert "docs/methods.md" in section(page, "methods")


def test_degrees_count_distinct_neighbours(planted_ws):
    from kolgraph.viz.maps import load_map_inputs
    from kolgraph.viz.report.plots import degrees

    inputs = load_map_inputs(planted_ws)
    in_deg, out_deg = degrees(inputs.edges, len(inputs.users))
    g = planted_ws.graph()
    g.simplify(multiple=True, loops=True)  # one edge per ordered pair, as "distinct users"
    assert in_deg.tolist() == g.indegree() and out_deg.tolist() == g.outdegree()
    assert in_deg[g.vs.find(name="brand").index] > 100  # every fan replied to the brand


def test_verdict_cards_from_todays_whatif_outputs(whatif_ws, tmp_path):
    """Whatever `kolgraph whatif` wrote (older keys or the contract's), the card holds the figures it has."""
    ws, fans = whatif_ws
    found = load_whatif(ws.result_path("whatif"))
    views = {v.candidate: v for v in candidate_views(found)}
    raw = next(c for c in found.summary["candidates"] if c["candidate"] == "critic_kol")
    legacy = "verdict" not in raw
    assert set(views) == {"kol_c", "critic_kol"} and bool(views["critic_kol"].missing) == legacy
    result = write_report(ws, tmp_path / "r.html", embed_map=False)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert result.skipped == ("map (embed_map=False)",) and result.stale is None
    verdict = section(page, "verdict")
    cards = re.findall(r'<article class="decision tier-(\w+)" data-candidate="([^"]+)"', verdict)
    # Riskiest first; the critic KOL is red by the scoring rule, and the card shows the riskier tier.
    assert cards[0] == ("red", "critic_kol")
    critic = verdict.split('data-candidate="critic_kol"')[1].split("</article>")[0]
    shift = raw["core_fan_shift"]
    assert shift["mean"] < 0
    assert f"{shift['mean']:+.3f} [{shift['p05']:+.3f}, {shift['p95']:+.3f}]" in critic
    assert re.search(r"of <span class=\"n\" title=\"Core fans[^>]*>29<", critic)  # core fans with their count
    assert ("re-run <code>kolgraph whatif</code>" in critic) == legacy  # absent figures say so
    assert htmllib.escape(XSS_NAME) in critic and XSS_NAME not in page
    # The three quotes: real replies of core fans to the critic KOL, most hostile first, escaped.
    quotes = re.findall(r"<blockquote[^>]*>(.*?)</blockquote>", critic)
    assert quotes == [htmllib.escape(POST_PAYLOAD), "你也配？滚出岚柚", "老钟又来带节奏，恶心"]
    assert "2023-11-14" in critic and "UTC" in critic
    assert POST_PAYLOAD not in page
    assert "Most likely defectors" in page and "Sensitivity" in page


def test_verdict_cards_from_the_whatif_contract(contract_ws, tmp_path):
    ws, _ = contract_ws
    result = write_report(ws, tmp_path / "r.html", embed_map=False)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert result.stale is None and 'id="stale"' not in page
    critic = section(page, "verdict").split('data-candidate="critic_kol"')[1].split("</article>")[0]
    assert 'data-tier="red"' in page.split('data-candidate="critic_kol"')[1][:40]
    assert f"RED: signing {htmllib.escape(XSS_NAME)} turns 31% [22%, 40%]" in critic
    assert "19 [13, 24]" in critic and "31% [22%, 40%]" in critic  # count and share with their intervals
    assert "12.8x [9.4x, 17.2x]" in critic and "(founder)" in critic  # the comment-section flood
    assert htmllib.escape(COMMENT_NAME) in critic and htmllib.escape(REASON_PAYLOAD) in critic  # friendly KOL
    assert htmllib.escape(SCRIPT_NAME) in critic.split("Safer alternatives")[1]
    reasons = re.findall(r"<li>(.*?)</li>", critic.split('<ol class="reasons">')[1].split("</ol>")[0])
    assert len(reasons) == 3 and "a fourth reason" not in critic  # the top three, in words
    assert "re-run" not in critic
    assert "announcement 2023-11-14 22:14 UTC" in page  # the cut-off marked on the timeline
    for payload in (XSS_NAME, SCRIPT_NAME, COMMENT_NAME, REASON_PAYLOAD, POST_PAYLOAD):
        assert payload not in page


def test_stale_whatif_is_flagged_or_refused(contract_ws, tmp_path):
    ws, _ = contract_ws
    target = tmp_path / "ws"
    shutil.copytree(ws.path, target)
    path = target / "whatif" / "summary.json"
    summary = json.loads(path.read_text())
    summary["analysis_run_id"] = "an-older-analysis"
    path.write_text(json.dumps(summary), encoding="utf-8")
    result = write_report(target, tmp_path / "r.html", embed_map=False)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert result.stale and "an-older-analysis" in result.stale and 'id="stale"' in page
    with pytest.raises(StaleResultError, match="re-run `kolgraph whatif`"):
        write_report(target, tmp_path / "strict.html", embed_map=False, strict=True)
    assert not (tmp_path / "strict.html").exists()
    cli = CliRunner().invoke(main, ["report", str(target), "-o", str(tmp_path / "c.html"), "--strict", "--no-map"])
    assert cli.exit_code == 2 and "re-run `kolgraph whatif`" in cli.output and "Traceback" not in cli.output


def test_report_needs_an_analysis(raw_ws, tmp_path):
    with pytest.raises(KolgraphError, match="kolgraph analyze"):
        write_report(raw_ws, tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()


def test_cli_report(planted_ws, raw_ws, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["--quiet", "report", str(planted_ws.path), "-o", str(tmp_path / "r.html"),
                                  "--top", "3", "--map-max-nodes", "30", "--announcement", "2023-11-14T22:15:00Z"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "r.html") and (tmp_path / "r.html").stat().st_size > 10_000
    assert "announcement 2023-11-14 22:15 UTC" in (tmp_path / "r.html").read_text(encoding="utf-8")
    result = runner.invoke(main, ["report", str(raw_ws.path), "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 2 and "run `kolgraph analyze" in result.output and "Traceback" not in result.output
    assert "Definitions: docs/methods.md" in runner.invoke(main, ["report", "--help"]).output
    import jsonschema  # a test dependency (setup.cfg [test]): never skipped
    from kolgraph.viz.report import REPORT_JSON_SCHEMA

    result = runner.invoke(main, ["-q", "report", str(planted_ws.path), "-o", str(tmp_path / "j.html"), "--no-map",
                                  "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, REPORT_JSON_SCHEMA)
    assert doc["path"] == str(tmp_path / "j.html") and doc["skipped"][0].startswith("what-if")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**doc, "sections": ["verdict", "nonsense"]}, REPORT_JSON_SCHEMA)


def test_the_last_scored_list_is_in_the_report_and_flagged_when_stale(contract_ws, tmp_path):
    from kolgraph.runs.score import score_file

    ws, _ = contract_ws
    target = tmp_path / "ws"
    shutil.copytree(ws.path, target)
    (tmp_path / "list.csv").write_text("微博ID,报价\ncritic_kol,1\nkol_c,2\nnobody_here,3\n", encoding="utf-8")
    scored = score_file(target, tmp_path / "list.csv", tmp_path / "scored.xlsx", whatif=False)
    assert scored.counts["red"] == 1
    result = write_report(target, tmp_path / "r.html", embed_map=False)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    block = page.split("<h3>Scored candidate list</h3>")[1].split("<h3")[0]
    assert "1 red" in block and "1 unknown" in block and "critic KOL of the brand" in block
    assert htmllib.escape(XSS_NAME) in block and result.stale is None
    ws2 = open_workspace(target)
    ws2.record_result("score", {**ws2.manifest["results"]["score"], "analysis_run_id": "an-older-analysis"})
    result = write_report(target, tmp_path / "r2.html", embed_map=False)
    assert result.stale and "re-run `kolgraph score`" in result.stale
    assert "Stale scores." in (tmp_path / "r2.html").read_text(encoding="utf-8")


def test_staleness_rule():
    from kolgraph.viz.report import WhatIfResults, staleness

    stamped = WhatIfResults(summary={"candidates": [{"candidate": "k"}], "analysis_run_id": "A"})
    assert staleness(stamped, "A") is None
    assert "analysis run A" in staleness(stamped, "B") and "re-run `kolgraph whatif`" in staleness(stamped, "B")
    old = WhatIfResults(summary={"candidates": [{"candidate": "k"}]})  # written before what-ifs were stamped
    assert staleness(old, "B", whatif_created="2026-01-01T10:00:00+00:00",
                     analysis_created="2026-01-02T10:00:00+00:00") is not None
    assert staleness(old, "B", whatif_created="2026-01-03T10:00:00+00:00",
                     analysis_created="2026-01-02T10:00:00+00:00") is None
    assert staleness(WhatIfResults(), "B") is None
