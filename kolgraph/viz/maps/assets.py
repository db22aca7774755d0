"""The static parts of a map page: its stylesheet and its script (no data, no user text).

The script reads the map's data from the page's ``<script type="application/json"
id="kolgraph-map-data">`` block (see :func:`kolgraph.viz.maps.page.render_map_html`), builds the vis.js
network, switches physics off once the layout has stabilised, and wires the menus. Every piece of
user text is put into the page with ``textContent`` or as a property (never ``innerHTML``), and
tooltips are DOM elements, so names and reasons are always shown as text. ``window.kolgraphMap``
exposes the node and edge counts, the stabilisation time and a ``ready`` promise for tests.
"""

from __future__ import annotations
from ..page_style import PAGE_HEAD_CSS, PAGE_LEGEND_CSS, PAGE_TIP_CSS

__all__ = ["MAP_CSS", "COLOUR_JS", "MAP_JS"]

MAP_CSS = PAGE_HEAD_CSS + """
#status { color: #555; margin-left: auto; }
#main { flex: 1; display: flex; min-height: 420px; }
#network { flex: 1; position: relative; min-width: 0; }
#legend { width: 270px; overflow: auto; padding: 6px 12px; border-left: 1px solid #ddd; font-size: 12.5px; }
.shape { display: inline-block; width: 14px; height: 14px; flex: none; background: #777; }
.shape.dot { border-radius: 50%; }
.shape.square { }
.shape.star { clip-path: polygon(50% 0, 61% 35%, 98% 35%, 68% 57%, 79% 91%, 50% 70%, 21% 91%, 32% 57%, 2% 35%, 39% 35%); }
.shape.triangle { clip-path: polygon(50% 0, 100% 100%, 0 100%); }
.shape.triangleDown { clip-path: polygon(0 0, 100% 0, 50% 100%); }
.shape.diamond { clip-path: polygon(50% 0, 100% 50%, 50% 100%, 0 50%); }
.shape.hexagon { clip-path: polygon(25% 5%, 75% 5%, 100% 50%, 75% 95%, 25% 95%, 0 50%); }
.shape.thick { background: #333; }
.hint { color: #666; font-size: 12px; margin: 4px 0; }
div.vis-tooltip { max-width: 380px; white-space: normal; font: 12.5px/1.35 system-ui, sans-serif;
                  background: #fffef6; border: 1px solid #999; border-radius: 4px; padding: 6px 8px;
                  box-shadow: 2px 2px 8px #0003; overflow-wrap: anywhere; }
#find-box { position: absolute; z-index: 5; right: 290px; top: 120px; width: 360px; max-height: 50vh; overflow: auto;
            background: #fff; border: 1px solid #999; border-radius: 4px; padding: 6px 10px; box-shadow: 2px 2px 8px #0003;
            font-size: 12.5px; }
#range-min, #range-max { width: 6em; }
""" + PAGE_LEGEND_CSS + PAGE_TIP_CSS

COLOUR_JS = r"""
(function () {
  "use strict";
  // Node colours shared by the map and the explorer: groups never use the sentiment red and green.
  function hex(c) { return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)]; }
  function toHex(rgb) {
    return "#" + rgb.map(function (v) { var h = Math.round(v).toString(16); return h.length < 2 ? "0" + h : h; }).join("");
  }
  function diverging(stops, v) {  // v in [-1, 1] -> colour between stops[0], stops[1], stops[2]
    if (v === null || v === undefined || !isFinite(v)) { return null; }
    v = Math.max(-1, Math.min(1, v));
    var a = hex(v < 0 ? stops[1] : stops[1]), b = hex(v < 0 ? stops[0] : stops[2]), t = Math.abs(v);
    return toHex([0, 1, 2].map(function (k) { return a[k] + (b[k] - a[k]) * t; }));
  }
  window.kolgraphColours = {
    community: function (P, c) { return c >= 0 && c < P.communities.length ? P.communities[c] : (c >= 0 ? P.other : P.unknown); },
    role: function (P, r) { return P.roles[r || ""] || P.roles[""]; },
    stance: function (P, v) { return diverging(P.stance, v) || P.unknown; },
    affinity: function (P, v) { return diverging(P.affinity, v) || P.unknown; },
    diverging: diverging
  };
})();
"""

MAP_JS = r"""
(function () {
  "use strict";
  var t0 = performance.now();
  var D = JSON.parse(document.getElementById("kolgraph-map-data").textContent);
  var N = D.nodes, E = D.edges, P = D.palette, M = N.metrics, C = window.kolgraphColours;
  var state = window.kolgraphMap = {mode: D.meta.mode, nodeCount: 0, edgeCount: 0, stabilized: false,
                                    stabilizationMs: null, setupMs: null, drawStartMs: t0, network: null,
                                    labelled: 0, exported: null};
  var readyResolve;
  state.ready = new Promise(function (resolve) { readyResolve = resolve; });
  function $(id) { return document.getElementById(id); }

  function text(tag, value, cls) {  // an element holding plain text (never parsed as HTML)
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) { el.className = cls; }
    return el;
  }
  function tooltip(title, rows) {
    var box = document.createElement("div");
    box.appendChild(text("div", title, "tip-name"));
    var table = document.createElement("table");
    table.className = "tip-table";
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      tr.appendChild(text("td", row[0]));
      tr.appendChild(text("td", row[1]));
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }
  function sign(s) {
    if (s === null || Math.abs(s) < P.sign_threshold) { return "neutral"; }
    return s > 0 ? "positive" : "negative";
  }
  function signed(v) { return (v > 0 ? "+" : "") + v.toFixed(2); }

  // ---- node colour and size (switchable) ----
  var colourSel = $("node-colour"), sizeSel = $("node-size");
  function nodeColour(k) {
    var mode = colourSel ? colourSel.value : "plain";
    if (mode === "community") { return C.community(P, N.community[k]); }
    if (mode === "role") { return C.role(P, N.role[k]); }
    if (mode === "stance") { return C.stance(P, M.stance ? M.stance[k] : null); }
    if (mode === "affinity") { return C.affinity(P, M.brand_affinity ? M.brand_affinity[k] : null); }
    return N.colour[k];
  }
  var metricLog = {};
  D.metrics.forEach(function (m) { metricLog[m[0]] = m[2]; });
  function sizeScores() {  // 0..1 per node for the chosen metric (log scale where it spans decades)
    var m = sizeSel ? sizeSel.value : "";
    if (!m || m === "pagerank" || !M[m]) { return N.size_score; }
    var v = M[m].map(function (x) { return x === null ? null : (metricLog[m] ? Math.log10(1 + Math.max(0, x)) : x); });
    var lo = Infinity, hi = -Infinity;
    v.forEach(function (x) { if (x !== null) { lo = Math.min(lo, x); hi = Math.max(hi, x); } });
    var span = hi > lo ? hi - lo : 1;
    return v.map(function (x) { return x === null ? 0 : (x - lo) / span; });
  }

  var nodeItems = [];
  for (var i = 0; i < N.id.length; i++) {
    var ring = N.ring ? N.ring[i] : null;
    nodeItems.push({
      id: N.id[i], label: N.label[i], title: tooltip(N.name[i], N.tooltip[i]), shape: N.shape[i],
      value: 1 + 9 * N.size_score[i], x: N.x[i], y: N.y[i],
      borderWidth: ring ? 4 : N.is_focus[i] ? 5 : N.thick[i] ? 3 : 1,
      fixed: N.is_focus[i] ? {x: true, y: true} : false, physics: !N.outside[i],
      mass: N.mass ? N.mass[i] : 1,
      _k: i, _ring: ring, _font: N.is_focus[i] ? {size: 22} : {}, _community: N.community[i],
      _roles: N.roles[i] ? N.roles[i].split("|") : []
    });
  }
  function colourItem(item, c) {
    var border = item._ring || (N.thick[item._k] || N.is_focus[item._k] ? "#222222" : "#ffffff");
    return {background: c, border: border, highlight: {background: c, border: "#000000"},
            hover: {background: c, border: "#000000"}};
  }
  nodeItems.forEach(function (item) { item.color = colourItem(item, nodeColour(item._k)); });
  var edgeItems = [];
  for (var j = 0; j < E.src.length; j++) {
    var s = E.sentiment[j];
    var rows = [["kind", E.kind[j]], ["interactions", String(E.count[j])],
                ["weight", E.weight[j].toPrecision(3)]];
    if (s !== null) {
      rows.push(["mean sentiment", signed(s) + (E.sentiment_n[j] ? " (n=" + E.sentiment_n[j] + ")" : "")]);
    }
    if (E.attitude[j] !== null) { rows.push(["attitude of source to target", signed(E.attitude[j])]); }
    edgeItems.push({id: j, from: E.src[j], to: E.dst[j], width: E.width[j],
                    title: tooltip(E.src_name[j] + " \u2192 " + E.dst_name[j], rows),
                    _kind: E.kind[j], _sign: sign(s)});
  }
  nodeItems.forEach(function (item) { item.font = Object.assign({}, item._font); });
  // vis.js draws nodes in insertion order: the focus goes last so that nothing covers it.
  var drawOrder = nodeItems.filter(function (item) { return !item.fixed; })
                           .concat(nodeItems.filter(function (item) { return item.fixed; }));
  var nodes = new vis.DataSet(drawOrder);
  var edges = new vis.DataSet(edgeItems);
  state.nodeCount = nodes.length;
  state.edgeCount = edges.length;
  state.nodes = nodes;
  state.edges = edges;

  var colourMode = $("edge-colour");
  function edgeColour(item) {
    var c = colourMode.value === "kind" ? P.kinds[item._kind] : P.signs[item._sign];
    return {color: c, highlight: c, hover: c, opacity: item._sign === "neutral" && colourMode.value !== "kind" ? 0.4 : 0.7};
  }
  function swatch(ul, colour, label, line) {
    var li = document.createElement("li");
    var sw = document.createElement("span");
    sw.className = line ? "sw line" : "sw";
    sw.style.background = colour;
    li.appendChild(sw);
    li.appendChild(document.createTextNode(label));
    ul.appendChild(li);
  }
  function drawEdgeLegend() {
    var ul = $("edge-legend");
    ul.textContent = "";
    var table = colourMode.value === "kind" ? P.kinds : P.signs;
    var names = colourMode.value === "kind" ? P.kind_names : P.sign_names;
    Object.keys(table).forEach(function (key) { swatch(ul, table[key], names[key], true); });
    var li = document.createElement("li");
    li.appendChild(document.createTextNode("width: interaction weight (log)"));
    ul.appendChild(li);
  }
  function drawNodeLegend() {
    var ul = $("node-legend"), title = $("node-legend-title");
    ul.textContent = "";
    var mode = colourSel ? colourSel.value : "plain";
    if (mode === "community") {
      title.textContent = "Colour: community";
      var byC = {};
      N.id.forEach(function (id, k) { var c = N.community[k]; (byC[c] = byC[c] || []).push(k); });
      var other = 0, otherN = 0;
      Object.keys(byC).map(Number).sort(function (a, b) { return a - b; }).forEach(function (c) {
        var members = byC[c];
        if (c < 0 || c >= P.communities.length) { other += members.length; otherN += 1; return; }
        members.sort(function (a, b) { return N.size_score[b] - N.size_score[a]; });
        var label = D.meta.mode === "communities" ? N.label[members[0]].split("\n")[0] :
          "C" + c + " (" + members.length + " drawn) \u00b7 " + members.slice(0, 2).map(function (k) { return N.name[k]; }).join(", ");
        swatch(ul, P.communities[c], label);
      });
      if (other) { swatch(ul, P.other, "other communities (" + otherN + " smaller or unknown, " + other + " drawn)"); }
    } else if (mode === "role") {
      title.textContent = "Colour: role (first in the shape list)";
      var present = {};
      N.role.forEach(function (r) { present[r] = (present[r] || 0) + 1; });
      P.role_order.concat([""]).forEach(function (r) {
        if (present[r]) { swatch(ul, P.roles[r], P.role_names[r] + " (" + present[r] + ")"); }
      });
    } else if (mode === "stance" || mode === "affinity") {
      var stops = mode === "stance" ? P.stance : P.affinity;
      title.textContent = mode === "stance" ? "Colour: brand stance (\u22121 against \u2026 +1 for)" :
        "Colour: camp affinity (\u22121 critic side \u2026 +1 brand side)";
      [-1, -0.5, 0, 0.5, 1].forEach(function (v) { swatch(ul, C.diverging(stops, v), (v > 0 ? "+" : "") + v); });
      swatch(ul, P.unknown, "unknown");
    } else {
      title.textContent = "Colour";
      swatch(ul, P.no_analysis, "user (no analysis yet)");
    }
    var size = $("size-legend");
    size.textContent = D.meta.mode === "communities" ? "Size: community size (square root)" :
      "Size: " + (sizeSel ? sizeSel.options[sizeSel.selectedIndex].text : "PageRank") +
      (sizeSel && !metricLog[sizeSel.value] ? " (linear)" : " (log scale)");
  }
  edges.update(edgeItems.map(function (item) { return {id: item.id, color: edgeColour(item)}; }));
  drawEdgeLegend();
  drawNodeLegend();

  var container = $("network");
  var options = D.options;
  // value = 1 + 9 * score; sizes follow the score itself, not vis.js's stretch to the drawn range.
  options.nodes.scaling.customScalingFunction = function (min, max, total, value) { return (value - 1) / 9; };
  var status = $("status");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, options);
  state.network = network;
  state.setupMs = performance.now() - t0;  // data parsed, items built, network created

  // ---- labels: the largest nodes first, each only where it does not overlap one already placed ----
  var hiddenNow = {};
  function placeLabels() {
    var order = nodeItems.filter(function (item) { return !hiddenNow[item.id]; }).slice();
    var score = sizeScores();
    // Placed first: the focus, then the critic KOLs, then the three largest accounts; then by size.
    order.sort(function (a, b) { return score[b._k] - score[a._k]; });
    var first = {};
    order.slice(0, 3).forEach(function (item) { first[item.id] = true; });
    function lead(item) { return item.fixed ? 3 : N.role[item._k] === "critic_kol" ? 2 : first[item.id] ? 1 : 0; }
    order.sort(function (a, b) { return lead(b) - lead(a) || score[b._k] - score[a._k]; });
    var pos = network.getPositions(order.map(function (item) { return item.id; }));
    var scale = network.getScale(), boxes = [], updates = [], shown = 0;
    var width = container.clientWidth, height = container.clientHeight;
    var screenFont = 13;  // labels keep 13 px on screen at any zoom
    // At the overview, the 30 largest that fit; more as the user zooms in.
    var maxLabels = Math.round(30 * Math.pow(Math.max(1, scale / (state.fitScale || scale)), 2));
    order.forEach(function (item) {
      var p = network.canvasToDOM(pos[item.id]);
      var w = Math.min(item.label.length, 30) * screenFont * 0.62 + 4, h = screenFont * 1.3;
      var r = (7 + 35 * score[item._k]) * scale;
      // below the node where it fits on screen and clear of placed labels, else above it
      var below = {x0: p.x - w / 2, x1: p.x + w / 2, y0: p.y + r, y1: p.y + r + h};
      var above = {x0: p.x - w / 2, x1: p.x + w / 2, y0: p.y - r - h, y1: p.y - r};
      function fits(box) {
        var onScreen = box.x0 >= 0 && box.x1 <= width && box.y0 >= 0 && box.y1 <= height;
        return onScreen && boxes.every(function (b) {
          return box.x1 < b.x0 || box.x0 > b.x1 || box.y1 < b.y0 || box.y0 > b.y1;
        });
      }
      var box = shown < maxLabels ? (fits(below) ? below : fits(above) ? above : null) : null;
      var free = box !== null;
      if (free) { box.id = item.id; boxes.push(box); shown += 1; }
      var font = Object.assign({}, item._font, {size: (item._font.size || screenFont) / Math.max(scale, 1e-6)});
      if (free && box === above) { font.vadjust = -(2 * r + h) / Math.max(scale, 1e-6); }
      updates.push({id: item.id, label: free ? item.label : "", font: font});
    });
    nodes.update(updates);
    state.labelled = shown;
    state.labelBoxes = boxes;
  }
  var labelTimer = null;
  function scheduleLabels() { clearTimeout(labelTimer); labelTimer = setTimeout(placeLabels, 120); }

  function lineUpOutside() {
    // Users not connected to the main group go in rows below where the main group ended up.
    var main = [], rest = [];
    N.id.forEach(function (id, k) { if (N.outside[k]) { rest.push(k); } else { main.push(id); } });
    if (!rest.length || !main.length) { return; }
    // Keep the order the page was written with (row by row, a component's members side by side).
    rest.sort(function (a, b) { return (N.y[a] - N.y[b]) || (N.x[a] - N.x[b]); });
    var outside = rest.map(function (k) { return N.id[k]; });
    var pos = network.getPositions(main), x0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    main.forEach(function (id) {
      x0 = Math.min(x0, pos[id].x); x1 = Math.max(x1, pos[id].x); y1 = Math.max(y1, pos[id].y);
    });
    var step = N.grid_step, columns = Math.max(10, Math.floor((x1 - x0) / step));
    outside.forEach(function (id, k) {
      network.moveNode(id, x0 + (k % columns) * step, y1 + 150 + Math.floor(k / columns) * step);
    });
    status.dataset.outside = String(outside.length);
  }

  function finish() {
    if (state.stabilized) { return; }
    network.setOptions({physics: {enabled: false}});
    nodes.update(nodeItems.filter(function (item) { return item.fixed; })
                          .map(function (item) { return {id: item.id, fixed: false}; }));
    lineUpOutside();
    network.fit({animation: false});
    state.fitScale = network.getScale();
    placeLabels();
    state.stabilized = true;
    state.stabilizationMs = performance.now() - t0;
    status.textContent = "Layout done in " + (state.stabilizationMs / 1000).toFixed(1) +
      " s; physics off (drag nodes to adjust)." + (status.dataset.outside ? " " + status.dataset.outside +
      " users not connected to the main group are lined up below it." : "");
    readyResolve(state.stabilizationMs);
  }
  network.on("stabilizationProgress", function (p) {
    status.textContent = "Laying out\u2026 " + Math.round(100 * p.iterations / p.total) + "%";
  });
  network.once("stabilizationIterationsDone", finish);
  network.once("stabilized", finish);
  network.on("zoom", scheduleLabels);
  network.on("dragEnd", scheduleLabels);
  if (nodes.length === 0) { finish(); status.textContent = "Nothing to draw."; }

  // ---- filters: role, community, numeric range and edge kind hide what does not match ----
  var roleSel = $("filter-role"), commSel = $("filter-community"), kindSel = $("filter-kind");
  var rangeSel = $("range-metric"), rangeMin = $("range-min"), rangeMax = $("range-max");
  var dim = {background: "rgba(200,200,200,0.35)", border: "rgba(200,200,200,0.35)"};
  function apply() {
    var role = roleSel ? roleSel.value : "";
    var comm = commSel ? commSel.value : "";
    var kind = kindSel.value;
    var metric = rangeSel ? M[rangeSel.value] : null;
    var lo = rangeMin && rangeMin.value !== "" ? Number(rangeMin.value) : -Infinity;
    var hi = rangeMax && rangeMax.value !== "" ? Number(rangeMax.value) : Infinity;
    var ranged = metric && (lo > -Infinity || hi < Infinity);
    var selected = network.getSelectedNodes();
    var near = null;
    if (selected.length) {
      near = {};
      near[selected[0]] = true;
      network.getConnectedNodes(selected[0]).forEach(function (id) { near[id] = true; });
    }
    var visible = {}, lit = {};
    nodeItems.forEach(function (item) {
      var v = ranged ? metric[item._k] : null;
      var show = (!role || item._roles.indexOf(role) >= 0) && (comm === "" || String(item._community) === comm) &&
                 (!ranged || (v !== null && v >= lo && v <= hi));
      visible[item.id] = show;
      hiddenNow[item.id] = !show;
      lit[item.id] = show && (!near || near[item.id]);
    });
    nodes.update(nodeItems.map(function (item) {
      var c = lit[item.id] ? colourItem(item, nodeColour(item._k)) : Object.assign({}, dim, {highlight: dim, hover: dim});
      return {id: item.id, hidden: !visible[item.id], color: c,
              font: Object.assign({}, item._font, lit[item.id] ? {color: "#222222", strokeWidth: 3}
                                                              : {color: "rgba(0,0,0,0)", strokeWidth: 0})};
    }));
    var shownEdges = 0;
    edges.update(edgeItems.map(function (item) {
      var hide = !visible[item.from] || !visible[item.to] || (!!kind && item._kind !== kind);
      if (!hide) { shownEdges += 1; }
      return {id: item.id, hidden: hide,
              color: lit[item.from] && lit[item.to] ? edgeColour(item) : {color: "rgba(200,200,200,0.15)", opacity: 1}};
    }));
    var shown = nodeItems.filter(function (item) { return visible[item.id]; }).length;
    $("filter-count").textContent = shown + " of " + nodeItems.length + " users shown, " + shownEdges + " of " +
      edgeItems.length + " edges";
    state.shownNodes = shown;
    state.shownEdges = shownEdges;
    if (state.stabilized) { scheduleLabels(); }
  }
  [roleSel, commSel, kindSel, colourMode, rangeSel, rangeMin, rangeMax, colourSel, sizeSel].forEach(function (el) {
    if (el) {
      el.addEventListener(el.tagName === "INPUT" ? "input" : "change", function () {
        if (el === sizeSel) {
          var score = sizeScores();
          nodes.update(nodeItems.map(function (item) { return {id: item.id, value: 1 + 9 * score[item._k]}; }));
        }
        apply(); drawEdgeLegend(); drawNodeLegend();
      });
    }
  });
  network.on("selectNode", apply);
  network.on("deselectNode", apply);
  $("reset").addEventListener("click", function () {
    [roleSel, commSel, rangeMin, rangeMax].forEach(function (el) { if (el) { el.value = ""; } });
    kindSel.value = "";
    $("find").value = "";
    $("find-box").hidden = true;
    network.unselectAll();
    apply();
    network.fit();
  });

  // ---- search: id or display-name substring, over drawn users and the listed users not drawn ----
  var S = D.search, findBox = $("find-box"), findList = $("find-results"), findSummary = $("find-summary");
  var drawnIndex = {};
  N.id.forEach(function (id, k) { drawnIndex[id] = k; });
  function focusNode(id) {
    network.selectNodes([id]);
    network.focus(id, {scale: 1.2, animation: false});
    apply();
    scheduleLabels();
  }
  function search(q) {
    q = q.trim().toLowerCase();
    var hits = [], missing = [];
    if (!q) { findBox.hidden = true; return {drawn: [], not_drawn: []}; }
    N.id.forEach(function (id, k) {
      if (id.toLowerCase().indexOf(q) >= 0 || N.name[k].toLowerCase().indexOf(q) >= 0) { hits.push(k); }
    });
    for (var k = 0; k < S.id.length && missing.length < 50; k++) {
      if (S.id[k].toLowerCase().indexOf(q) >= 0 || S.name[k].toLowerCase().indexOf(q) >= 0) { missing.push(k); }
    }
    findList.textContent = "";
    hits.slice(0, 50).forEach(function (k) {
      var li = text("li", N.name[k] + (N.name[k] === N.id[k] ? "" : " (" + N.id[k] + ")") + " ");
      var b = text("button", "show");
      b.type = "button";
      b.addEventListener("click", function () { focusNode(N.id[k]); });
      li.appendChild(b);
      findList.appendChild(li);
    });
    missing.forEach(function (k) {
      var li = text("li", (S.name[k] || S.id[k]) + " (" + S.id[k] + ") is not drawn on this map; its ego map: ");
      li.className = "not-drawn";
      li.appendChild(text("code", "kolgraph map " + D.meta.workspace + " --focus " + S.id[k] + " -o ego.html"));
      findList.appendChild(li);
    });
    findSummary.textContent = hits.length + " drawn match" + (hits.length === 1 ? "" : "es") +
      (missing.length ? ", " + missing.length + (missing.length === 50 ? "+" : "") + " not drawn" : "") +
      (S.total > S.id.length ? " (search covers " + S.id.length + " of the " + S.total +
        " users not drawn: the highest PageRank)" : "");
    findBox.hidden = false;
    if (hits.length === 1 || (hits.length && (N.id[hits[0]].toLowerCase() === q))) { focusNode(N.id[hits[0]]); }
    return {drawn: hits.map(function (k) { return N.id[k]; }), not_drawn: missing.map(function (k) { return S.id[k]; })};
  }
  state.search = search;
  $("find").addEventListener("input", function (ev) { search(ev.target.value); });

  // ---- PNG export of the current view (what the canvas shows, on white) ----
  state.exportPng = function () {
    return new Promise(function (resolve) {
      var src = container.querySelector("canvas");
      var out = document.createElement("canvas");
      out.width = src.width; out.height = src.height;
      var ctx = out.getContext("2d");
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, out.width, out.height);
      ctx.drawImage(src, 0, 0);
      out.toBlob(function (blob) {
        var a = document.createElement("a");
        a.download = "kolgraph-" + D.meta.mode + "-map.png";
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
