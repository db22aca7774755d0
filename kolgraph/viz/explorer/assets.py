"""The explorer page's static parts: stylesheet, script, and the vendored sigma.js + graphology builds.

The script decodes the typed arrays of the ``kolgraph-explorer-data`` block, builds a graphology
graph and draws it with sigma.js (WebGL). Names, ids and reasons reach the page only through
``textContent`` (tooltips, legend, search results) or sigma's canvas labels: never as HTML.
``window.kolgraphExplorer`` exposes counts, timings, a ``ready`` promise (the first frame, users
drawn) and an ``edgesReady`` promise (edges added and drawn) for tests and benchmarks.

Vendored (``kolgraph/viz/static/``, MIT licences beside them): sigma 3.0.2 (``dist/sigma.min.js``
from the npm tarball) and graphology 0.26.0 (``dist/graphology.umd.min.js``). Sigma 4.0.4 was
tried first and draws a blank (single-colour) stage under Chromium's software WebGL
(SwiftShader), which is what headless machines have; 3.0.2 draws correctly there.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from ..page_style import PAGE_HEAD_CSS, PAGE_LEGEND_CSS, PAGE_TIP_CSS

__all__ = ["SIGMA_VERSION", "GRAPHOLOGY_VERSION", "static_asset", "EXPLORER_CSS", "EXPLORER_JS"]

SIGMA_VERSION = "3.0.2"
GRAPHOLOGY_VERSION = "0.26.0"
_ASSETS = {"sigma": f"sigma-{SIGMA_VERSION}.min.js", "graphology": f"graphology-{GRAPHOLOGY_VERSION}.umd.min.js"}


@functools.lru_cache(maxsize=None)
def static_asset(name: str) -> str:
    """The text of a vendored script (``"sigma"`` or ``"graphology"``), source-map comment removed."""
    if name not in _ASSETS:
        raise ValueError(f"unknown static asset {name!r}")
    text = (importlib.resources.files("kolgraph.viz") / "static" / _ASSETS[name]).read_text(encoding="utf-8")
    return re.sub(r"//# sourceMappingURL=\S*", "", text).rstrip() + "\n"


EXPLORER_CSS = PAGE_HEAD_CSS + """
#range-min, #range-max { width: 6em; }
#status { color: #555; margin-left: auto; }
#main { flex: 1; display: flex; min-height: 420px; position: relative; }
#graph { flex: 1; position: relative; min-width: 0; background: #fff; }
#legend { width: 280px; overflow: auto; padding: 6px 12px; border-left: 1px solid #ddd; font-size: 12.5px; }
.hint { color: #666; font-size: 12px; margin: 4px 0; }
#tip { position: absolute; z-index: 10; pointer-events: none; max-width: 380px; font: 12.5px/1.35 system-ui, sans-serif;
       background: #fffef6; border: 1px solid #999; border-radius: 4px; padding: 6px 8px; box-shadow: 2px 2px 8px #0003;
       overflow-wrap: anywhere; }
#find-box { position: absolute; z-index: 11; right: 290px; top: 8px; width: 360px; max-height: 50vh; overflow: auto;
            background: #fff; border: 1px solid #999; border-radius: 4px; padding: 6px 10px; box-shadow: 2px 2px 8px #0003;
            font-size: 12.5px; }
""" + PAGE_LEGEND_CSS + PAGE_TIP_CSS

EXPLORER_JS = r"""
(function () {
  "use strict";
  var tStart = performance.now();
  var D = JSON.parse(document.getElementById("kolgraph-explorer-data").textContent);
  var tParsed = performance.now();
  var U = D.users, E = D.edges, P = D.palette, C = window.kolgraphColours;
  var state = window.kolgraphExplorer = {nodeCount: 0, edgeCount: 0, firstFrameMs: null, setupMs: null, timings: {},
                                         exported: null, shownNodes: null, shownEdges: null};
  var readyResolve;
  state.ready = new Promise(function (resolve) { readyResolve = resolve; });
  function $(id) { return document.getElementById(id); }
  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) { el.className = cls; }
    return el;
  }
  function bytes(b64) {
    var s = atob(b64), out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) { out[i] = s.charCodeAt(i); }
    return out.buffer;
  }
  var n = U.n, m = E.m;
  var X = new Float32Array(bytes(U.x)), Y = new Float32Array(bytes(U.y));
  var COMM = new Int32Array(bytes(U.community)), ROLEBITS = new Uint16Array(bytes(U.roles));
  var M = {};
  Object.keys(U.metrics).forEach(function (k) { M[k] = new Float32Array(bytes(U.metrics[k])); });
  var SRC = new Uint32Array(bytes(E.src)), DST = new Uint32Array(bytes(E.dst));
  var KIND = new Uint8Array(bytes(E.kind)), SENT = new Int8Array(bytes(E.sentiment));
  var REASON = {};
  U.reasons.i.forEach(function (k, j) { REASON[k] = U.reasons.t[j]; });
  var roleOrder = P.role_order;
  function rolesOf(k) {
    var out = [];
    for (var b = 0; b < roleOrder.length; b++) { if (ROLEBITS[k] & (1 << b)) { out.push(roleOrder[b]); } }
    return out;
  }
  function primaryRole(k) { var r = rolesOf(k); return r.length ? r[0] : ""; }
  function nameOf(k) { return U.name[k] || U.id[k]; }
  var logMetric = {};
  D.metrics.forEach(function (x) { logMetric[x[0]] = x[2]; });

  // ---- colours and sizes ----
  var colourSel = $("node-colour"), sizeSel = $("node-size"), edgeColourSel = $("edge-colour");
  function nodeColour(k) {
    var mode = colourSel.value;
    if (mode === "role") { return C.role(P, primaryRole(k)); }
    if (mode === "stance") { var s = M.stance ? M.stance[k] : NaN; return C.stance(P, isFinite(s) ? s : null); }
    if (mode === "affinity") { var a = M.brand_affinity ? M.brand_affinity[k] : NaN; return C.affinity(P, isFinite(a) ? a : null); }
    return C.community(P, COMM[k]);
  }
  function sizes() {
    var key = sizeSel.value, v = M[key], out = new Float32Array(n), lo = Infinity, hi = -Infinity, k, x;
    for (k = 0; k < n; k++) {
      x = v[k];
      if (!isFinite(x)) { continue; }
      x = logMetric[key] ? Math.log10(1e-9 + Math.max(0, x)) : x;
      out[k] = x; if (x < lo) { lo = x; } if (x > hi) { hi = x; }
    }
    var span = hi > lo ? hi - lo : 1;
    for (k = 0; k < n; k++) { out[k] = isFinite(v[k]) ? 1.2 + 11 * (out[k] - lo) / span : 1.2; }
    return out;
  }
  function rgba(hex, a) {
    return "rgba(" + parseInt(hex.slice(1, 3), 16) + "," + parseInt(hex.slice(3, 5), 16) + "," +
      parseInt(hex.slice(5, 7), 16) + "," + a + ")";
  }
  var signColour = {positive: rgba(P.signs.positive, 0.55), negative: rgba(P.signs.negative, 0.6),
                    neutral: rgba(P.signs.neutral, 0.18)};
  var kindColour = D.kinds.map(function (k) { return rgba(P.kinds[k], 0.4); });
  var threshold = P.sign_threshold * 127;
  function edgeSign(j) {
    var s = SENT[j];
    if (s === -128 || Math.abs(s) < threshold) { return "neutral"; }
    return s > 0 ? "positive" : "negative";
  }
  function edgeColour(j) { return edgeColourSel.value === "kind" ? kindColour[KIND[j]] : signColour[edgeSign(j)]; }

  // ---- the graph ----
  var t0 = performance.now();
  state.timings = {script_start: tStart, json_parse: tParsed - tStart, decode: t0 - tParsed};
  var graph = new graphology.Graph({type: "directed", multi: true, allowSelfLoops: false});
  var size0 = sizes();
  for (var k = 0; k < n; k++) {
    graph.addNode(k, {x: X[k], y: Y[k], size: size0[k], color: nodeColour(k), label: nameOf(k)});
  }
  state.timings.graph = performance.now() - t0;
  state.nodeCount = graph.order;
  var container = $("graph");
  var renderer = new Sigma(graph, container, {
    renderEdgeLabels: false, hideEdgesOnMove: m > 50000, labelDensity: 0.08, labelGridCellSize: 70,
    labelRenderedSizeThreshold: 6, defaultEdgeType: "line", zIndex: false, minCameraRatio: 0.002,
    maxCameraRatio: 4, allowInvalidContainer: true, labelFont: "system-ui, sans-serif", labelSize: 12,
    labelWeight: "500"
  });
  state.renderer = renderer;
  state.setupMs = performance.now() - t0;
  state.timings.sigma = state.setupMs - state.timings.graph;
  // The users are drawn first (the first frame shows the communities); the edges follow in the
  // next task, so a large page shows its picture before the edges are built.
  var edgesResolve;
  state.edgesReady = new Promise(function (resolve) { edgesResolve = resolve; });
  function addEdges() {
    var t1 = performance.now();
    for (var j = 0; j < m; j++) {
      graph.addEdgeWithKey(j, SRC[j], DST[j], {size: 0.5, color: edgeColour(j)});
    }
    state.edgeCount = graph.size;
    state.timings.edges = performance.now() - t1;
    renderer.refresh();  // process the new edges fully before any partial update touches them
    apply();
    requestAnimationFrame(function () {
      state.edgesMs = performance.now();
      $("status").textContent = n.toLocaleString() + " users, " + m.toLocaleString() + " edges drawn (WebGL); " +
        "users shown " + (state.firstFrameMs / 1000).toFixed(1) + " s and edges " + (state.edgesMs / 1000).toFixed(1) +
        " s after opening.";
      edgesResolve(state.edgesMs);
    });
  }
  requestAnimationFrame(function () {
    state.firstFrameMs = performance.now();
    $("status").textContent = n.toLocaleString() + " users drawn (WebGL) " + (state.firstFrameMs / 1000).toFixed(1) +
      " s after opening; adding " + m.toLocaleString() + " edges\u2026";
    readyResolve(state.firstFrameMs);
    setTimeout(addEdges, 30);
  });

  // ---- tooltips (DOM text only) ----
  var tip = $("tip");
  function fmt(x, digits) { return isFinite(x) ? (Math.abs(x) >= 1000 ? Math.round(x).toLocaleString() : x.toPrecision(digits || 3)) : ""; }
  function showTip(k, x, y) {
    tip.textContent = "";
    tip.appendChild(text("div", nameOf(k), "tip-name"));
    var rows = [["user id", U.id[k]], ["roles", rolesOf(k).map(function (r) { return P.role_names[r]; }).join(", ")],
                ["community", COMM[k] >= 0 ? String(COMM[k]) : ""]];
    D.metrics.forEach(function (x) { if (M[x[0]]) { rows.push([x[1], fmt(M[x[0]][k])]); } });
    rows.push(["why", REASON[k] || ""]);
    var table = document.createElement("table");
    table.className = "tip-table";
    rows.forEach(function (r) {
      if (!r[1]) { return; }
      var tr = document.createElement("tr");
      tr.appendChild(text("td", r[0]));
      tr.appendChild(text("td", r[1]));
      table.appendChild(tr);
    });
    tip.appendChild(table);
    tip.style.left = Math.min(x + 14, container.clientWidth - 300) + "px";
    tip.style.top = (y + 14) + "px";
    tip.hidden = false;
  }
  renderer.on("enterNode", function (e) { showTip(Number(e.node), e.event.x, e.event.y); });
  renderer.on("leaveNode", function () { tip.hidden = true; });

  // ---- filters that hide ----
  var roleSel = $("filter-role"), commSel = $("filter-community"), kindSel = $("filter-kind");
  var rangeSel = $("range-metric"), rangeMin = $("range-min"), rangeMax = $("range-max");
  var visible = new Uint8Array(n);
  function apply() {
    var role = roleSel.value, bit = role ? (1 << roleOrder.indexOf(role)) : 0;
    var comm = commSel.value === "" ? null : Number(commSel.value);
    var metric = M[rangeSel.value];
    var lo = rangeMin.value !== "" ? Number(rangeMin.value) : -Infinity;
    var hi = rangeMax.value !== "" ? Number(rangeMax.value) : Infinity;
    var ranged = lo > -Infinity || hi < Infinity, shown = 0, shownEdges = 0;
    for (var k = 0; k < n; k++) {
      var ok = (!bit || (ROLEBITS[k] & bit)) && (comm === null || COMM[k] === comm) &&
               (!ranged || (isFinite(metric[k]) && metric[k] >= lo && metric[k] <= hi));
      visible[k] = ok ? 1 : 0;
      if (ok) { shown += 1; }
    }
    var sz = sizes();
    graph.updateEachNodeAttributes(function (node, attr) {
      var k = Number(node);
      attr.hidden = !visible[k];
      attr.color = nodeColour(k);
      attr.size = sz[k];
      return attr;
    }, {attributes: ["hidden", "color", "size"]});
    var kind = kindSel.value;
    var kindCode = kind === "" || kind === "none" ? -1 : D.kinds.indexOf(kind);
    graph.updateEachEdgeAttributes(function (edge, attr) {
      var j = Number(edge);
      attr.hidden = kind === "none" || !visible[SRC[j]] || !visible[DST[j]] || (kindCode >= 0 && KIND[j] !== kindCode);
      attr.color = edgeColour(j);
      if (!attr.hidden) { shownEdges += 1; }
      return attr;
    }, {attributes: ["hidden", "color"]});
    state.shownNodes = shown;
    state.shownEdges = shownEdges;
    $("filter-count").textContent = shown.toLocaleString() + " of " + n.toLocaleString() + " users, " +
      shownEdges.toLocaleString() + " of " + m.toLocaleString() + " edges shown";
    drawLegend();
  }
  [roleSel, commSel, kindSel, rangeSel, colourSel, sizeSel, edgeColourSel].forEach(function (el) {
    el.addEventListener("change", apply);
  });
  [rangeMin, rangeMax].forEach(function (el) { el.addEventListener("input", apply); });
  $("reset").addEventListener("click", function () {
    [roleSel, commSel, rangeMin, rangeMax].forEach(function (el) { el.value = ""; });
    kindSel.value = "";
    $("find").value = "";
    $("find-box").hidden = true;
    apply();
    renderer.getCamera().animatedReset({duration: 200});
  });

  // ---- legend ----
  function swatch(ul, colour, label, line) {
    var li = document.createElement("li"), sw = document.createElement("span");
    sw.className = line ? "sw line" : "sw";
    sw.style.background = colour;
    li.appendChild(sw);
    li.appendChild(document.createTextNode(label));
    ul.appendChild(li);
  }
  function drawLegend() {
    var ul = $("node-legend"), mode = colourSel.value;
    ul.textContent = "";
    if (mode === "community") {
      $("node-legend-title").textContent = "Colour: community";
      var cs = D.communities, coloured = 0;
      for (var i = 0; i < cs.id.length; i++) {
        if (cs.id[i] >= P.communities.length) { continue; }
        coloured += 1;
        swatch(ul, P.communities[cs.id[i]], "C" + cs.id[i] + " (" + cs.size[i].toLocaleString() + " drawn) \u00b7 " + cs.top[i]);
      }
      if (cs.count > coloured) { swatch(ul, P.other, "other communities (" + (cs.count - coloured).toLocaleString() + " smaller)"); }
    } else if (mode === "role") {
      $("node-legend-title").textContent = "Colour: role (the first that applies)";
      roleOrder.concat([""]).forEach(function (r) { swatch(ul, P.roles[r], P.role_names[r]); });
    } else {
      var stops = mode === "stance" ? P.stance : P.affinity;
      $("node-legend-title").textContent = mode === "stance" ? "Colour: brand stance (\u22121 against \u2026 +1 for)" :
        "Colour: camp affinity (\u22121 critic side \u2026 +1 brand side)";
      [-1, -0.5, 0, 0.5, 1].forEach(function (v) { swatch(ul, C.diverging(stops, v), (v > 0 ? "+" : "") + v); });
      swatch(ul, P.unknown, "unknown");
    }
    $("size-legend").textContent = "Size: " + sizeSel.options[sizeSel.selectedIndex].text +
      (logMetric[sizeSel.value] ? " (log scale)" : " (linear)");
    var el = $("edge-legend");
    el.textContent = "";
    if (edgeColourSel.value === "kind") {
      D.kinds.forEach(function (k) { swatch(el, P.kinds[k], k, true); });
    } else {
      ["positive", "negative", "neutral"].forEach(function (s) { swatch(el, P.signs[s], P.sign_names[s], true); });
    }
  }
  apply();

  // ---- search: id or display-name substring ----
  var findBox = $("find-box"), findList = $("find-results"), findSummary = $("find-summary");
  function focusNode(k) {
    graph.forEachNode(function (node, attr) { if (attr.highlighted) { graph.setNodeAttribute(node, "highlighted", false); } });
    graph.setNodeAttribute(k, "highlighted", true);
    var d = renderer.getNodeDisplayData(String(k));
    if (d) { renderer.getCamera().animate({x: d.x, y: d.y, ratio: 0.06}, {duration: 300}); }
    state.focused = U.id[k];
  }
  function search(q) {
    q = q.trim().toLowerCase();
    findList.textContent = "";
    if (!q) { findBox.hidden = true; return []; }
    var hits = [];
    for (var k = n - 1; k >= 0 && hits.length < 50; k--) {  // drawn from low to high PageRank: search from the top
      if (U.id[k].toLowerCase().indexOf(q) >= 0 || (U.name[k] && U.name[k].toLowerCase().indexOf(q) >= 0)) { hits.push(k); }
    }
    hits.forEach(function (k) {
      var li = text("li", nameOf(k) + (U.name[k] ? " (" + U.id[k] + ")" : "") + " ");
      var b = text("button", "show");
      b.type = "button";
      b.addEventListener("click", function () { focusNode(k); });
      li.appendChild(b);
      findList.appendChild(li);
    });
    findSummary.textContent = hits.length ? hits.length + (hits.length === 50 ? "+" : "") + " match" + (hits.length === 1 ? "" : "es") :
      "No drawn user matches.";
    if (D.meta.backbone) {
      var li = text("li", "This page holds the backbone (" + n.toLocaleString() + " of " + D.meta.total_users.toLocaleString() +
                    " users). For an account not drawn: ");
      li.className = "not-drawn";
      li.appendChild(text("code", "kolgraph map " + D.meta.workspace + " --focus ID -o ego.html"));
      findList.appendChild(li);
    }
    findBox.hidden = false;
    if (hits.length) { focusNode(hits[0]); }
    return hits.map(function (k) { return U.id[k]; });
  }
  state.search = search;
  $("find").addEventListener("input", function (ev) { search(ev.target.value); });

  // ---- PNG export: the current view, layers composited on white ----
  state.exportPng = function () {
    return new Promise(function (resolve) {
      renderer.refresh();  // draw now, so the WebGL buffers are read in the same task
      var layers = renderer.getCanvases(), first = layers.edges || layers.nodes;
      var out = document.createElement("canvas");
      out.width = first.width; out.height = first.height;
      var ctx = out.getContext("2d");
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, out.width, out.height);
      ["edges", "nodes", "edgeLabels", "labels", "hovers", "hoverNodes"].forEach(function (name) {
        if (layers[name]) { ctx.drawImage(layers[name], 0, 0, out.width, out.height); }
      });
      out.toBlob(function (blob) {
        var a = document.createElement("a");
        a.download = "kolgraph-explorer.png";
        a.href = URL.createObjectURL(blob);
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
        state.exported = blob.size;
        resolve(blob.size);
      }, "image/png");
    });
  };
  $("export-png").addEventListener("click", function () { state.exportPng(); });
})();
"""
