"""The map and the report in a real browser: headless Chromium, opened from disk, fully offline.

Checks: no console errors or exceptions (Content-Security-Policy violations count as errors), no
request leaves the machine, the network's node and edge counts equal what was written, layout
stabilises and physics switches off, the canvas is not blank, a hostile display name shows as
literal text and runs nothing, and the menus filter. Screenshots are saved (paths printed; set
KOLGRAPH_ARTEFACTS to keep them in a folder of your choice).

Needs Debian's ``chromium`` (``apt-get install -y chromium``); without it the tests skip with a
loud reason, unless KOLGRAPH_REQUIRE_BROWSER=1 (set by .ci/run), where they fail instead.
"""

from __future__ import annotations


import pytest

from browser import map_ready_script, png_colours
from kolgraph.viz.maps import write_map
from kolgraph.viz.report import write_report
from vizdata import QUOTE_NAME, REASON_PAYLOAD, SCRIPT_NAME, XSS_NAME

pytestmark = pytest.mark.browser

PWNED = "typeof window.__kolgraph_pwned === 'undefined'"




def assert_clean(visit):
    assert visit.errors == [], visit.errors
    assert visit.remote_requests == [], visit.remote_requests
    assert visit.dialogs == [], f"a script ran: dialog {visit.dialogs}"


def canvas_colours(browser, frame: str = "window") -> int:
    """Distinct colours among sampled pixels of the network canvas (1 = blank)."""
    return browser.evaluate(f"""(function () {{
      var c = {frame}.document.querySelector('#network canvas');
      var ctx = c.getContext('2d');
      var px = ctx.getImageData(0, 0, c.width, c.height).data, seen = {{}};
      for (var i = 0; i < px.length; i += 4 * 7) {{ seen[px[i] + ',' + px[i + 1] + ',' + px[i + 2] + ',' + px[i + 3]] = 1; }}
      return Object.keys(seen).length;
    }})()""")


def test_the_checks_can_fail(browser, tmp_path):
    """The harness sees what the other tests assert is absent: errors, requests, injected code."""
    page = tmp_path / "bad.html"
    page.write_text(f"<html><body><p>{XSS_NAME}</p><script>console.error('boom');</script>"
                    "<img src='http://example.invalid/x.png'></body></html>", encoding="utf-8")
    visit = browser.open(page.as_uri())
    browser.drain(0.5)
    assert "boom" in visit.errors
    assert visit.remote_requests == ["http://example.invalid/x.png"]
    assert not browser.evaluate(PWNED)  # an unescaped name runs its handler ...
    assert visit.dialogs == ["1"]  # ... and its alert(1)


def test_backbone_map(browser, planted_ws, tmp_path, artefact_dir):
    result = write_map(planted_ws, tmp_path / "map.html")
    visit = browser.open((tmp_path / "map.html").as_uri())
    state = browser.evaluate(map_ready_script("window.kolgraphMap"))
    browser.drain(0.3)
    assert_clean(visit)
    assert state["nodes"] == state["drawn"] == len(result.data.nodes) and state["edges"] == len(result.data.edges)
    assert state["stabilized"] and state["physics"] is False
    print(f"\nbackbone map ({state['nodes']} nodes, {state['edges']} edges) stabilised in {state['ms']:.0f} ms")
    assert canvas_colours(browser) > 20
    shot = browser.screenshot(artefact_dir / "map_backbone.png")
    print(f"screenshot: {shot}")
    assert png_colours(shot) > 50
    # The hostile names are data: in the find list and the tooltips as text, never as markup.
    assert browser.evaluate(PWNED)
    found = browser.evaluate("window.kolgraphMap.search('_') && document.getElementById('find-results').textContent")
    assert f"{XSS_NAME} (critic_kol)" in found and f"{SCRIPT_NAME} (kol_c)" in found
    tip = browser.evaluate("window.kolgraphMap.network.body.data.nodes.get('critic_kol').title.textContent")
    assert XSS_NAME in tip and REASON_PAYLOAD in tip
    assert browser.evaluate("document.querySelectorAll('img, svg, b').length") == 0
    assert XSS_NAME in browser.evaluate("document.getElementById('legend').textContent")


def test_menus_filter_by_role_and_community(browser, planted_ws, tmp_path):
    result = write_map(planted_ws, tmp_path / "map.html")
    browser.open((tmp_path / "map.html").as_uri())
    browser.evaluate(map_ready_script("window.kolgraphMap"))
    critics = int(result.data.nodes["roles"].str.split("|").map(lambda r: "critic" in r).sum())
    text = browser.evaluate("""(function () {
      var s = document.getElementById('filter-role'); s.value = 'critic'; s.dispatchEvent(new Event('change'));
      return document.getElementById('filter-count').textContent; })()""")
    assert text.startswith(f"{critics} of {len(result.data.nodes)} users shown")
    in_c2 = int((result.data.nodes["community"] == 2).sum())
    text = browser.evaluate("""(function () {
      document.getElementById('filter-role').value = '';
      var s = document.getElementById('filter-community'); s.value = '2'; s.dispatchEvent(new Event('change'));
      return document.getElementById('filter-count').textContent; })()""")
    assert text.startswith(f"{in_c2} of {len(result.data.nodes)} users shown")


def test_hovering_the_hostile_account_shows_text(browser, planted_ws, tmp_path, artefact_dir):
    # The focus account is pinned in the middle and drawn on top, so the pointer lands on it.
    result = write_map(planted_ws, tmp_path / "focus.html", focus="critic_kol")
    visit = browser.open((tmp_path / "focus.html").as_uri())
    state = browser.evaluate(map_ready_script("window.kolgraphMap"))
    assert state["nodes"] == len(result.data.nodes)
    point = browser.evaluate("""(function () {
      var n = window.kolgraphMap.network, p = n.canvasToDOM(n.getPosition('critic_kol'));
      var r = document.getElementById('network').getBoundingClientRect();
      return {x: r.left + p.x, y: r.top + p.y}; })()""")
    for dx in (0, 1):  # two moves: vis.js shows the popup on hover after its delay
        browser.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": point["x"] + dx, "y": point["y"]})
    tooltip = browser.evaluate("""new Promise(function (resolve) {
      var t0 = performance.now();
      (function poll() {
        var el = document.querySelector('div.vis-tooltip');
        if (el && el.style.visibility !== 'hidden' && el.textContent) {
          resolve({text: el.textContent, images: el.querySelectorAll('img, svg').length});
        } else if (performance.now() - t0 > 5000) { resolve(null); } else { setTimeout(poll, 20); }
      })(); })""")
    assert tooltip is not None, "no tooltip appeared"
    assert XSS_NAME in tooltip["text"] and tooltip["images"] == 0
    browser.drain(0.3)
    assert_clean(visit)
    assert browser.evaluate(PWNED)
    print(f"\nscreenshot: {browser.screenshot(artefact_dir / 'map_focus_tooltip.png')}")


def test_communities_map(browser, planted_ws, tmp_path, artefact_dir):
    result = write_map(planted_ws, tmp_path / "communities.html", communities=True)
    visit = browser.open((tmp_path / "communities.html").as_uri())
    state = browser.evaluate(map_ready_script("window.kolgraphMap"))
    browser.drain(0.2)
    assert_clean(visit)
    assert state["nodes"] == 3 and state["edges"] == len(result.data.edges) and state["physics"] is False
    assert canvas_colours(browser) > 5
    print(f"\nscreenshot: {browser.screenshot(artefact_dir / 'map_communities.png')}")


def test_report(browser, planted_ws, tmp_path, artefact_dir):
    result = write_report(planted_ws, tmp_path / "report.html", map_max_nodes=80)
    visit = browser.open((tmp_path / "report.html").as_uri())
    frame = "document.querySelector('iframe.map').contentWindow"
    state = browser.evaluate(map_ready_script(f"({frame}.kolgraphMap)"))
    browser.drain(0.3)
    assert_clean(visit)
    assert state["nodes"] == len(result.map.nodes) == 80 and state["edges"] == len(result.map.edges)
    assert canvas_colours(browser, frame) > 20
    text = browser.evaluate("document.body.innerText")
    for payload in (XSS_NAME, SCRIPT_NAME, REASON_PAYLOAD, QUOTE_NAME.replace("\u2028", "")[:6]):
        assert payload in text
    assert browser.evaluate("document.querySelectorAll('img, [onerror], [onload], svg:not(.chart), b').length") == 0
    assert browser.evaluate("document.querySelectorAll('svg.chart').length") >= 3
    assert browser.evaluate(PWNED) and browser.evaluate(f"typeof {frame}.__kolgraph_pwned === 'undefined'")
    print(f"\nreport map stabilised in {state['ms']:.0f} ms")
    print(f"screenshot: {browser.screenshot(artefact_dir / 'report_top.png')}")
    print(f"screenshot: {browser.screenshot(artefact_dir / 'report_full.png', full_page=True)}")
