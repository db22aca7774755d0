"""The static parts of a map page: its stylesheet and its script (no data, no user text).

The script reads the map's data from the page's ``<script type="application/json"
id="kolgraph-map-data">`` block (see :func:`kolgraph.viz.maps.render_map_html`), builds the vis.js
network, switches physics off once the layout has stabilised, and wires the menus. Every piece of
user text is put into the page with ``textContent`` or as a property (never ``innerHTML``), and
tooltips are DOM elements, so names and reasons are always shown as text. ``window.kolgraphMap``
exposes the node and edge counts, the stabilisation time and a ``ready`` promise for tests.
"""

from __future__ import annotations

__all__ = ["MAP_CSS", "MAP_JS"]

MAP_CSS = """
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif;
       color: #222; display: flex; flex-direction: column; background: #fff; }
header { padding: 8px 14px 4px; border-bottom: 1px solid #ddd; }
header h1 { font-size: 17px; margin: 0 0 2px; }
header p { margin: 2px 0; color: #555; font-size: 12.5px; }
#controls { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; padding: 6px 14px;
            background: #f5f5f4; border-bottom: 1px solid #ddd; font-size: 13px; }
#controls label { display: flex; gap: 5px; align-items: center; }
#controls select, #controls input, #controls button { font: inherit; padding: 2px 4px; }
#status { color: #555; margin-left: auto; }
#main { flex: 1; display: flex; min-height: 420px; }
#network { flex: 1; position: relative; min-width: 0; }
#legend { width: 270px; overflow: auto; padding: 6px 12px; border-left: 1px solid #ddd; font-size: 12.5px; }
#legend h2 { font-size: 14px; margin: 4px 0; }
#legend h3 { font-size: 12.5px; margin: 10px 0 3px; color: #444; }
#legend ul { list-style: none; margin: 0; padding: 0; }
#legend li { display: flex; align-items: center; gap: 6px; margin: 2px 0; overflow-wrap: anywhere; }
.sw { display: inline-block; width: 12px; height: 12px; border-radius: 50%; flex: none; border: 1px solid #0003; }
.sw.line { border-radius: 0; height: 3px; width: 18px; border: 0; }
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
.tip-name { font-weight: 600; font-size: 13.5px; margin-bottom: 3px; }
.tip-table td { padding: 0 6px 0 0; vertical-align: top; }
.tip-table td:first-child { color: #666; white-space: nowrap; }
"""

MAP_JS = r"""
(function () {
  "use strict";
  var t0 = performance.now();
  var D = JSON.parse(document.getElementById("kolgraph-map-data").textContent);
  var N = D.nodes, E = D.edges, P = D.palette;
  var state = window.kolgraphMap = {mode: D.meta.mode, nodeCount: 0, edgeCount: 0, stabilized: false,
                                    stabilizationMs: null, setupMs: null, drawStartMs: t0, network: null};
  var readyResolve;
  state.ready = new Promise(function (resolve) { readyResolve = resolve; });

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

  var nodeItems = [];
  for (var i = 0; i < N.id.length; i++) {
    var ring = N.ring ? N.ring[i] : null;
    var base = {background: N.colour[i], border: ring || (N.thick[i] || N.is_focus[i] ? "#222222" : "#ffffff")};
    nodeItems.push({
      id: N.id[i], label: N.label[i], title: tooltip(N.name[i], N.tooltip[i]), shape: N.shape[i],
      value: 1 + 9 * N.size_score[i], x: N.x[i], y: N.y[i],
      borderWidth: ring ? 4 : N.is_focus[i] ? 5 : N.thick[i] ? 3 : 1,
      fixed: N.is_focus[i] ? {x: true, y: true} : false, physics: !N.outside[i],
      mass: N.mass ? N.mass[i] : 1,
      color: {background: base.background, border: base.border,
              highlight: {background: base.background, border: "#000000"},
              hover: {background: base.background, border: "#000000"}},
      _font: N.is_focus[i] ? {size: 22} : {}, _base: base, _community: N.community[i], _roles: N.roles[i] ? N.roles[i].split("|") : []
    });
  }
  var edgeItems = [];
  for (var j = 0; j < E.src.length; j++) {
    var s = E.sentiment[j];
    var rows = [["kind", E.kind[j]], ["interactions", String(E.count[j])],
                ["weight", E.weight[j].toPrecision(3)]];
    if (s !== null) { rows.push(["mean sentiment", (s > 0 ? "+" : "") + s.toFixed(2)]); }
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

  var colourMode = document.getElementById("edge-colour");
  function edgeColour(item) {
    var c = colourMode.value === "kind" ? P.kinds[item._kind] : P.signs[item._sign];
    return {color: c, highlight: c, hover: c, opacity: 0.55};
  }
  function drawEdgeLegend() {
    var ul = document.getElementById("edge-legend");
    ul.textContent = "";
    var table = colourMode.value === "kind" ? P.kinds : P.signs;
    var names = colourMode.value === "kind" ? P.kind_names : P.sign_names;
    Object.keys(table).forEach(function (key) {
      var li = document.createElement("li");
      var sw = document.createElement("span");
      sw.className = "sw line";
      sw.style.background = table[key];
      li.appendChild(sw);
      li.appendChild(document.createTextNode(names[key]));
      ul.appendChild(li);
    });
    var li = document.createElement("li");
    li.appendChild(document.createTextNode("width: interaction weight (log)"));
    ul.appendChild(li);
  }
  edges.update(edgeItems.map(function (item) { return {id: item.id, color: edgeColour(item)}; }));
  drawEdgeLegend();

  var container = document.getElementById("network");
  var options = D.options;
  // value = 1 + 9 * score; sizes follow the score itself, not vis.js's stretch to the drawn range.
  options.nodes.scaling.customScalingFunction = function (min, max, total, value) { return (value - 1) / 9; };
  var status = document.getElementById("status");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, options);
  state.network = network;
  state.setupMs = performance.now() - t0;  // data parsed, items built, network created

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
    network.fit();
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
  if (nodes.length === 0) { finish(); status.textContent = "Nothing to draw."; }

  // Filters: role, community, edge kind, and the selected user's neighbourhood.
  var roleSel = document.getElementById("filter-role");
  var commSel = document.getElementById("filter-community");
  var kindSel = document.getElementById("filter-kind");
  var dim = {background: "rgba(200,200,200,0.35)", border: "rgba(200,200,200,0.35)"};
  function apply() {
    var role = roleSel ? roleSel.value : "";
    var comm = commSel ? commSel.value : "";
    var kind = kindSel.value;
    var selected = network.getSelectedNodes();
    var near = null;
    if (selected.length) {
      near = {};
      near[selected[0]] = true;
      network.getConnectedNodes(selected[0]).forEach(function (id) { near[id] = true; });
    }
    var active = {};
    var nodeUpdates = nodeItems.map(function (item) {
      var on = (!role || item._roles.indexOf(role) >= 0) && (comm === "" || String(item._community) === comm) &&
               (!near || near[item.id]);
      active[item.id] = on;
      var c = on ? item._base : dim;
      return {id: item.id, color: {background: c.background, border: c.border,
                                   highlight: {background: c.background, border: "#000000"},
                                   hover: {background: c.background, border: "#000000"}},
              font: Object.assign({}, item._font, on ? {color: "#222222", strokeWidth: 3}
                                                      : {color: "rgba(0,0,0,0)", strokeWidth: 0})};
    });
    nodes.update(nodeUpdates);
    edges.update(edgeItems.map(function (item) {
      var on = active[item.from] && active[item.to];
      return {id: item.id, hidden: !!kind && item._kind !== kind,
              color: on ? edgeColour(item) : {color: "rgba(200,200,200,0.15)", opacity: 1}};
    }));
    var shown = nodeItems.filter(function (item) { return active[item.id]; }).length;
    document.getElementById("filter-count").textContent = shown + " of " + nodeItems.length + " highlighted";
  }
  [roleSel, commSel, kindSel, colourMode].forEach(function (el) {
    if (el) { el.addEventListener("change", function () { apply(); drawEdgeLegend(); }); }
  });
  network.on("selectNode", apply);
  network.on("deselectNode", apply);
  document.getElementById("reset").addEventListener("click", function () {
    if (roleSel) { roleSel.value = ""; }
    if (commSel) { commSel.value = ""; }
    kindSel.value = "";
    document.getElementById("find").value = "";
    network.unselectAll();
    apply();
    network.fit();
  });
  // Find a user by name or id (the list is built from the data as text, never as HTML).
  var list = document.getElementById("find-list");
  var byKey = {};
  nodeItems.forEach(function (item, k) {
    var opt = document.createElement("option");
    opt.value = N.name[k] === item.id ? item.id : N.name[k] + " (" + item.id + ")";
    list.appendChild(opt);
    byKey[opt.value] = item.id;
    byKey[item.id] = item.id;
    byKey[N.name[k]] = item.id;
  });
  document.getElementById("find").addEventListener("change", function (ev) {
    var id = byKey[ev.target.value];
    if (id === undefined) { return; }
    network.selectNodes([id]);
    network.focus(id, {scale: 1.2});
    apply();
  });
})();
"""
