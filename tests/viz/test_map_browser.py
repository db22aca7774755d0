"""The map page on the sample event in headless Chromium: what an analyst does with it.

The reply filter shows the hostile replies of core fans to the critic KOL in red; colouring by
stance changes node colours; searching a display-name substring finds the critic KOL; the PNG
export downloads a real image; the filters hide what does not match. Skips (loudly) without
Chromium, like tests/viz/test_browser.py.
"""

from __future__ import annotations

import time

import pytest

from browser import map_ready_script
from kolgraph.viz.maps import SIGN_THRESHOLD, write_map
from kolgraph.viz.maps.style import SIGN_COLOURS

pytestmark = pytest.mark.browser

CRITIC_KOL = "laozhong_zhenhua"  # display name 老钟说真话




@pytest.fixture(scope="module")
def sample_map(sample_ws, tmp_path_factory):
    out = tmp_path_factory.mktemp("sample_map") / "map.html"
    result = write_map(sample_ws, out)
    return out, result


def open_map(browser, path):
    visit = browser.open(path.as_uri())
    browser.evaluate(map_ready_script("window.kolgraphMap", timeout_ms=60_000), timeout=90)
    return visit


def select(browser, element_id: str, value: str) -> None:
    browser.evaluate(f"""(function () {{ var s = document.getElementById({element_id!r}); s.value = {value!r};
      s.dispatchEvent(new Event('change')); }})()""")


def test_reply_filter_shows_red_hostile_edges_from_core_fans_to_the_critic(browser, sample_map):
    path, result = sample_map
    visit = open_map(browser, path)
    select(browser, "filter-kind", "reply")
    shown = browser.evaluate(f"""(function () {{
      var m = window.kolgraphMap, roles = {{}};
      m.nodes.get().forEach(function (n) {{ roles[n.id] = n._roles; }});
      var visible = m.edges.get({{filter: function (e) {{ return !e.hidden; }}}});
      return {{kinds: Array.from(new Set(visible.map(function (e) {{ return e._kind; }}))),
               hostile: visible.filter(function (e) {{
                 return e.to === {CRITIC_KOL!r} && roles[e.from].indexOf('core_fan') >= 0 &&
                        e.color.color === {SIGN_COLOURS['negative']!r}; }}).length,
               hidden: m.edges.get({{filter: function (e) {{ return e.hidden; }}}}).length}}; }})()""")
    assert shown["kinds"] == ["reply"] and shown["hidden"] > 0  # other kinds hidden, not dimmed
    edges = result.data.edges
    nodes = result.data.nodes.set_index("id")
    expected = edges[(edges["kind"] == "reply") & (edges["dst"] == CRITIC_KOL)
                     & edges["src"].map(nodes["roles"]).str.contains("core_fan")
                     & (edges["sentiment"] <= -SIGN_THRESHOLD)]
    assert len(expected) >= 10  # the sample's angry fans, scored by the text model
    assert shown["hostile"] == len(expected)
    assert visit.errors == []


def test_colour_by_stance_changes_node_colours(browser, sample_map):
    path, _ = sample_map
    open_map(browser, path)
    colours = "window.kolgraphMap.nodes.get().map(function (n) { return n.color.background; })"
    before = browser.evaluate(colours)
    select(browser, "node-colour", "stance")
    after = browser.evaluate(colours)
    changed = sum(a != b for a, b in zip(before, after))
    assert changed > len(before) // 2
    legend = browser.evaluate("document.getElementById('node-legend-title').textContent")
    assert "stance" in legend
    # the critic KOL (stance -0.8) is drawn in the against end of the scale, not in a sentiment colour
    critic = browser.evaluate(f"window.kolgraphMap.nodes.get({CRITIC_KOL!r}).color.background")
    assert critic not in SIGN_COLOURS.values() and critic != "#d9d9d9"


def test_search_finds_the_critic_by_name_substring(browser, sample_map):
    path, _ = sample_map
    open_map(browser, path)
    found = browser.evaluate("""(function () { var f = document.getElementById('find'); f.value = '老钟';
      f.dispatchEvent(new Event('input'));
      return {results: document.getElementById('find-results').textContent,
              selected: window.kolgraphMap.network.getSelectedNodes()}; })()""")
    assert CRITIC_KOL in found["results"] and found["selected"] == [CRITIC_KOL]


def test_search_offers_the_ego_command_for_users_not_drawn(browser, sample_ws, tmp_path):
    write_map(sample_ws, tmp_path / "small.html", max_nodes=50)
    open_map(browser, tmp_path / "small.html")
    found = browser.evaluate("""(function () { return window.kolgraphMap.search('u1'); })()""")
    assert found["not_drawn"], found
    text = browser.evaluate("document.querySelector('#find-results li.not-drawn').textContent")
    assert "is not drawn" in text and f"--focus {found['not_drawn'][0]}" in text


def test_filters_hide_by_role_and_range(browser, sample_map):
    path, result = sample_map
    open_map(browser, path)
    select(browser, "filter-role", "critic")
    critics = int(result.data.nodes["roles"].str.split("|").map(lambda r: "critic" in r).sum())
    shown = browser.evaluate("window.kolgraphMap.nodes.get({filter: function (n) { return !n.hidden; }}).length")
    assert shown == critics == browser.evaluate("window.kolgraphMap.shownNodes")
    browser.evaluate("""(function () { var s = document.getElementById('filter-role'); s.value = '';
      document.getElementById('range-metric').value = 'stance';
      var lo = document.getElementById('range-min'); lo.value = '0.5'; lo.dispatchEvent(new Event('input')); })()""")
    stance = result.data.nodes["stance"]
    assert browser.evaluate("window.kolgraphMap.shownNodes") == int((stance >= 0.5).sum())


def test_png_export_downloads_an_image(browser, sample_map, tmp_path):
    path, _ = sample_map
    open_map(browser, path)
    browser._call("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    size = browser.evaluate("""(function () { document.getElementById('export-png').click();
      return new Promise(function (r) { (function w() { var s = window.kolgraphMap.exported;
        if (s) { r(s); } else { setTimeout(w, 50); } })(); }); })()""")
    deadline = time.monotonic() + 20
    files = []
    while time.monotonic() < deadline:
        files = [f for f in tmp_path.glob("*.png") if f.stat().st_size > 0]
        if files:
            break
        time.sleep(0.1)
    assert files, "no PNG downloaded"
    data = files[0].read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) == size > 10_000


def test_overview_labels_the_top_accounts_without_overlaps(browser, sample_map):
    path, result = sample_map
    open_map(browser, path)
    boxes = browser.evaluate("window.kolgraphMap.labelBoxes")
    labelled = browser.evaluate("window.kolgraphMap.nodes.get({filter: function (x) { return x.label; }}).map(function (x) { return x.id; })")
    assert 10 <= len(boxes) <= 30 and sorted(labelled) == sorted(b["id"] for b in boxes)
    # the critic KOL is always named, and the largest accounts (the three brand accounts sit together,
    # so their labels may crowd each other out: at least one of them)
    top = result.data.nodes.sort_values("pagerank", ascending=False)["id"].iloc[:3]
    assert CRITIC_KOL in labelled and sum(t in labelled for t in top) >= 1, (boxes[:5], labelled)
    for i, a in enumerate(boxes):  # no two label boxes overlap on screen
        for b in boxes[i + 1:]:
            assert a["x1"] < b["x0"] or a["x0"] > b["x1"] or a["y1"] < b["y0"] or a["y0"] > b["y1"], (a, b)
    browser.evaluate("void window.kolgraphMap.network.moveTo({scale: window.kolgraphMap.fitScale * 3})")
    browser.evaluate("void window.kolgraphMap.network.emit('zoom', {})")
    more = browser.evaluate("new Promise(function (r) { setTimeout(function () { r(window.kolgraphMap.labelled); }, 400); })")
    assert more > len(boxes) or more == 30 * 9
