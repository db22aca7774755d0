"""The WebGL explorer: layout, page data, escaping, the CLI, and the page in headless Chromium."""

from __future__ import annotations

import base64
import json
import re
import time

import numpy as np
import pytest
from click.testing import CliRunner

from kolgraph.cli import main
from kolgraph.errors import AnalysisMissingError, ConfigError
from kolgraph.viz.explorer import (ExplorerParams, LayoutParams, community_layout, explorer_data,
                                   render_explorer_html, write_explorer)
from kolgraph.viz.maps import load_map_inputs
from vizdata import COMMENT_NAME, REASON_PAYLOAD, SCRIPT_NAME, XSS_NAME

CRITIC_KOL = "laozhong_zhenhua"
PWNED = "typeof window.__kolgraph_pwned === 'undefined'"


def data_block(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="kolgraph-explorer-data">(.*?)</script>', html, re.S).group(1)
    return json.loads(block)


def decode(b64: str, dtype: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype=dtype)


# ---- layout ------------------------------------------------------------------------------------


def two_groups(n_per: int = 200, seed: int = 1):
    rng = np.random.default_rng(seed)
    n = 2 * n_per
    community = np.repeat([0, 1], n_per)
    src = rng.integers(0, n_per, 2000)
    dst = rng.integers(0, n_per, 2000)
    shift = np.repeat([0, n_per], 1000)
    return src + shift, dst + shift, np.ones(2000), community, rng.random(n)


def test_layout_separates_communities_and_is_seeded():
    src, dst, w, community, score = two_groups()
    xy = community_layout(src, dst, w, community, score, LayoutParams(seed=3))
    assert xy.shape == (400, 2) and np.isfinite(xy).all() and np.abs(xy).max() <= 1.0 + 1e-12
    np.testing.assert_array_equal(xy, community_layout(src, dst, w, community, score, LayoutParams(seed=3)))
    a, b = xy[community == 0], xy[community == 1]
    spread = max(np.linalg.norm(a - a.mean(0), axis=1).max(), np.linalg.norm(b - b.mean(0), axis=1).max())
    assert np.linalg.norm(a.mean(0) - b.mean(0)) > 1.5 * spread  # two discs apart, not one blob
    # the most central member sits nearest its community's centre
    top = np.argmax(np.where(community == 0, score, -1))
    d = np.linalg.norm(a - a.mean(0), axis=1)
    assert np.linalg.norm(xy[top] - a.mean(0)) <= np.quantile(d, 0.2)


def test_layout_params_validate():
    with pytest.raises(ConfigError):
        LayoutParams(max_groups=0)
    with pytest.raises(ConfigError):
        ExplorerParams(max_users=0)


# ---- page data -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planted_inputs(planted_ws):
    return load_map_inputs(planted_ws)


def test_page_holds_every_user_as_typed_arrays(planted_inputs):
    data = explorer_data(planted_inputs)
    html = render_explorer_html(planted_inputs, data)
    block = data_block(html)
    n = len(planted_inputs.users)
    assert block["users"]["n"] == n == len(block["users"]["id"]) and not data.backbone
    x = decode(block["users"]["x"], "<f4")
    np.testing.assert_allclose(x, data.xy[:, 0].astype("<f4"))
    ids = block["users"]["id"]
    pr = decode(block["users"]["metrics"]["pagerank"], "<f4")
    assert np.all(np.diff(pr) >= 0)  # drawn from low to high PageRank
    src, dst = decode(block["edges"]["src"], "<u4"), decode(block["edges"]["dst"], "<u4")
    drawn = {(ids[s], ids[d]) for s, d in zip(src, dst)}
    users = planted_inputs.users["user_id"].to_numpy()
    e = planted_inputs.edges
    expected = {(users[s], users[d]) for s, d in zip(e["src"], e["dst"]) if s != d}
    assert drawn == expected
    sent = decode(block["edges"]["sentiment"], "<i1")
    assert (sent != -128).mean() > 0.5 and sent.min() >= -127
    roles = decode(block["users"]["roles"], "<u2")
    assert roles[ids.index("critic_kol")] & (1 << 1)  # bit 1 = critic_kol
    # escaping: names and reasons travel as JSON escapes, never as markup
    for payload in (XSS_NAME, SCRIPT_NAME, COMMENT_NAME, REASON_PAYLOAD):
        assert payload not in html
    assert html.count("</script>") == 5  # data, graphology, sigma, colours, explorer
    assert XSS_NAME in block["users"]["name"] and REASON_PAYLOAD in block["users"]["reasons"]["t"]


def test_page_size_grows_linearly_with_users(planted_inputs):
    sizes = {}
    for k in (40, 80, 120):
        data = explorer_data(planted_inputs, ExplorerParams(max_users=k, max_edges=0))
        sizes[k] = len(render_explorer_html(planted_inputs, data).encode())
    per_user = [(sizes[80] - sizes[40]) / 40, (sizes[120] - sizes[80]) / 40]
    assert 0 < per_user[0] < 400 and 0 < per_user[1] < 400
    assert abs(per_user[0] - per_user[1]) < 0.5 * max(per_user)


def test_above_the_budget_it_draws_the_backbone_and_says_so(planted_inputs):
    data = explorer_data(planted_inputs, ExplorerParams(max_users=20))
    ids = set(planted_inputs.users["user_id"].iloc[data.codes])
    assert data.backbone and len(data.codes) == 20
    assert {"brand", "critic_kol", "kol_a", "kol_c"} <= ids
    assert data.notes[0].startswith(f"This page holds the backbone: 20 of {len(planted_inputs.users):,} users")


def test_cli_explore(planted_ws, raw_ws, tmp_path):
    runner = CliRunner()
    out = tmp_path / "e.html"
    result = runner.invoke(main, ["explore", str(planted_ws.path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and "explorer (all users)" in result.output
    result = runner.invoke(main, ["explore", str(raw_ws.path), "-o", str(tmp_path / "raw.html")])
    assert result.exit_code == 2 and "kolgraph analyze" in result.output
    with pytest.raises(AnalysisMissingError):
        write_explorer(raw_ws, tmp_path / "raw.html")


# ---- in the browser ----------------------------------------------------------------------------




def open_explorer(browser, path):
    visit = browser.open(path.as_uri())
    first = browser.evaluate("window.kolgraphExplorer.ready", timeout=60)
    edges = browser.evaluate("window.kolgraphExplorer.edgesReady", timeout=60)
    assert 0 < first <= edges  # users drawn first, then the edges
    return visit


@pytest.mark.browser
def test_hostile_names_stay_text_in_the_explorer(browser, planted_ws, tmp_path):
    out = tmp_path / "planted.html"
    write_explorer(planted_ws, out)
    visit = open_explorer(browser, out)
    browser.drain(0.3)
    assert visit.errors == [] and visit.remote_requests == [] and visit.dialogs == []
    assert browser.evaluate("window.kolgraphExplorer.nodeCount") > 100
    # hover the critic KOL: the tooltip shows the name and the reasons as text
    point = browser.evaluate("""(function () { var r = window.kolgraphExplorer.renderer;
      var k = r.getGraph().findNode(function (n, a) { return a.label.indexOf('<img') === 0; });
      var p = r.framedGraphToViewport(r.getNodeDisplayData(k)); var box = document.getElementById('graph').getBoundingClientRect();
      return {x: box.left + p.x, y: box.top + p.y}; })()""")
    for dx in (0, 1):
        browser.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": point["x"] + dx, "y": point["y"]})
    tip = browser.evaluate("""new Promise(function (resolve) { var t0 = performance.now(); (function poll() {
      var el = document.getElementById('tip'); if (!el.hidden && el.textContent) { resolve(el.textContent); }
      else if (performance.now() - t0 > 5000) { resolve(null); } else { setTimeout(poll, 20); } })(); })""")
    assert tip is not None and XSS_NAME in tip and REASON_PAYLOAD in tip
    found = browser.evaluate("window.kolgraphExplorer.search('img src') && document.getElementById('find-results').textContent")
    assert XSS_NAME in found
    assert browser.evaluate(PWNED)
    assert browser.evaluate("document.querySelectorAll('#main img, #main svg, #main b').length") == 0


@pytest.fixture(scope="module")
def sample_explorer(sample_ws, tmp_path_factory):
    out = tmp_path_factory.mktemp("explorer") / "explorer.html"
    return out, write_explorer(sample_ws, out)


@pytest.mark.browser
def test_sample_explorer_colours_searches_filters_and_exports(browser, sample_explorer, tmp_path):
    out, result = sample_explorer
    visit = open_explorer(browser, out)
    assert browser.evaluate("window.kolgraphExplorer.nodeCount") == len(result.data.codes) == 3000
    colours = "window.kolgraphExplorer.renderer.getGraph().mapNodes(function (n, a) { return a.color; })"
    before = browser.evaluate(colours)
    assert len(set(before)) > 10  # communities in distinct colours
    browser.evaluate("""(function () { var s = document.getElementById('node-colour'); s.value = 'stance';
      s.dispatchEvent(new Event('change')); })()""")
    after = browser.evaluate(colours)
    assert sum(a != b for a, b in zip(before, after)) > len(before) // 2
    assert browser.evaluate("window.kolgraphExplorer.search('老钟')")[0] == CRITIC_KOL
    # reply filter: only replies stay; the core fans' replies to the critic are red
    browser.evaluate("""(function () { var s = document.getElementById('filter-kind'); s.value = 'reply';
      s.dispatchEvent(new Event('change')); })()""")
    shown = browser.evaluate("""(function () { var g = window.kolgraphExplorer.renderer.getGraph(), red = 0, kinds = {};
      var critic = g.findNode(function (n, a) { return a.label === '老钟说真话'; });
      g.forEachEdge(function (e, a, s, t) { if (a.hidden) { return; } kinds[a.color] = 1;
        if (t === critic && a.color.indexOf('rgba(214,39,40') === 0) { red += 1; } });
      return {red: red, shown: window.kolgraphExplorer.shownEdges}; })()""")
    assert shown["red"] >= 10 and shown["shown"] < len(result.data.edges)
    browser._call("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    size = browser.evaluate("window.kolgraphExplorer.exportPng()")
    deadline = time.monotonic() + 20
    files = []
    while time.monotonic() < deadline and not files:
        files = [f for f in tmp_path.glob("*.png") if f.stat().st_size > 0]
        time.sleep(0.1)
    assert files and files[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and files[0].stat().st_size == size > 10_000
    browser.drain(0.2)
    assert visit.errors == [] and visit.remote_requests == []
