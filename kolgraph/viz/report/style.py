"""The report's stylesheet: screen layout, decision cards, inline SVG charts, and a print stylesheet.

Print: A4 with 12 mm margins; the navigation, the interactive map and closed detail sections are
left out; decision cards and table rows never split across pages; table headers repeat on every
page; fonts shrink so a table holds dozens of rows a page, not three.
"""

from __future__ import annotations

__all__ = ["REPORT_CSS"]

REPORT_CSS = """
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC",
       "Microsoft YaHei", sans-serif; color: #1f1f1f; background: #fafaf8; }
main { max-width: 1560px; margin: 0 auto; padding: 10px 20px 40px; }
h1 { font-size: 21px; margin: 4px 0 0; }
h2 { font-size: 18px; margin: 26px 0 8px; padding-top: 6px; border-top: 1px solid #ddd; }
h3 { font-size: 15px; margin: 14px 0 5px; }
h4 { font-size: 13px; margin: 8px 0 3px; color: #444; text-transform: uppercase; letter-spacing: .03em; }
nav { font-size: 13px; margin: 2px 0 6px; }
nav a { margin-right: 12px; color: #2a5db0; text-decoration: none; }
.meta, .note, .caption { color: #555; font-size: 12.5px; margin: 3px 0; }
.empty { color: #6a6a6a; font-style: italic; margin: 3px 0; }
.banner { background: #fff3cd; border: 1px solid #e0b84c; border-radius: 6px; padding: 8px 12px; margin: 6px 0; }
.banner.stale { background: #fde2e1; border-color: #d9534f; }
.n { border-bottom: 1px dotted #999; cursor: help; white-space: nowrap; }
.unit { color: #666; font-size: .85em; }
.count { color: #666; font-weight: normal; font-size: 13px; }
code { font-size: 12.5px; background: #f0f0ec; padding: 0 3px; border-radius: 3px; }
.verdicts { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 14px; margin: 6px 0; }
article.decision { background: #fff; border: 1px solid #ddd; border-left: 8px solid #999; border-radius: 8px;
                   padding: 10px 14px; }
article.decision.tier-red { border-left-color: #c62828; }
article.decision.tier-amber { border-left-color: #e69500; }
article.decision.tier-green { border-left-color: #2e7d32; }
article.decision.tier-grey { border-left-color: #8a8a8a; }
article.decision header { display: flex; align-items: center; gap: 10px; }
article.decision h3 { margin: 0; font-size: 17px; }
.badge { display: inline-block; font-weight: 700; font-size: 13px; color: #fff; padding: 2px 9px; border-radius: 4px;
         background: #8a8a8a; letter-spacing: .05em; }
.tier-red .badge { background: #c62828; } .tier-amber .badge { background: #e69500; }
.tier-green .badge { background: #2e7d32; } .tier-grey .badge { background: #8a8a8a; }
.line { font-weight: 600; margin: 6px 0; }
.figs { display: flex; flex-wrap: wrap; gap: 8px; margin: 4px 0 6px; }
.fig { background: #f6f6f3; border-radius: 6px; padding: 5px 10px; min-width: 150px; }
.fig .k { font-size: 11.5px; color: #555; }
.fig .v { font-size: 16px; font-weight: 600; }
.fig.big .v { font-size: 22px; }
.fig .s { font-size: 12px; color: #444; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
ol.reasons, ul.tight { margin: 2px 0 4px 18px; padding: 0; font-size: 13px; }
ol.posts { margin: 2px 0; padding-left: 18px; font-size: 13px; }
ol.posts blockquote { margin: 2px 0 0; padding: 2px 8px; border-left: 3px solid #ccc; background: #fafafa;
                      overflow-wrap: anywhere; }
ol.posts .cite { color: #555; font-size: 12px; margin-bottom: 4px; }
.why { color: #555; }
table.data { border-collapse: collapse; width: 100%; background: #fff; font-size: 12.5px; margin: 4px 0; }
table.data th, table.data td { border-bottom: 1px solid #e6e6e2; padding: 3px 6px; text-align: left;
                               vertical-align: top; overflow-wrap: anywhere; }
table.data th { background: #f0f0ec; font-weight: 600; }
table.data td.num, table.data th.num { text-align: right; white-space: nowrap; }
table.data tbody tr:nth-child(even) { background: #fafaf8; }
table.people td:last-child { font-size: 11.5px; color: #333; }
table.glossary th { width: 16em; } table.glossary td:nth-child(2) { width: 13em; }
table.people td:nth-child(1), table.people td:nth-child(2) { min-width: 8em; overflow-wrap: normal; }
svg.chart { display: block; max-width: 100%; height: auto; background: #fff; border: 1px solid #e2e2de;
            border-radius: 6px; margin: 4px 0; font-family: system-ui, "Noto Sans CJK SC", sans-serif; }
svg.chart .ct { font-size: 12px; font-weight: 600; fill: #222; }
svg.chart .cl { font-size: 11px; fill: #333; }
svg.chart .tk { font-size: 10px; fill: #555; }
svg.chart .ax { stroke: #888; stroke-width: 1; }
svg.chart .zero { stroke: #999; stroke-dasharray: 4 3; stroke-width: 1; }
svg.chart .mean { stroke: #111; stroke-width: 1.6; }
svg.chart .before { fill: none; stroke: #0072B2; stroke-width: 1.2; }
svg.chart .after { fill: #D55E00; opacity: .55; }
svg.chart .vol { fill: #9ab7d8; }
svg.chart .sent { fill: none; stroke: #c62828; stroke-width: 1.8; }
svg.chart .sentk { fill: #c62828; }
svg.chart .ann { stroke: #111; stroke-width: 1.5; stroke-dasharray: 6 3; }
svg.chart.mpl { max-width: 640px; }
.pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 12px; }
iframe.map { width: 100%; height: 720px; border: 1px solid #ccc; border-radius: 6px; background: #fff; }
.print-only { display: none; }
details { margin: 6px 0; } details > summary { cursor: pointer; font-weight: 600; }
details pre { background: #fff; border: 1px solid #e2e2de; padding: 8px; overflow: auto; font-size: 12px; }
@media print {
  @page { size: A4; margin: 12mm; }
  body { background: #fff; font-size: 9.5pt; line-height: 1.3; }
  main { max-width: none; padding: 0; }
  nav, iframe.map, .noprint { display: none !important; }
  details:not([open]) { display: none; }
  h2 { font-size: 13pt; margin: 10pt 0 4pt; break-after: avoid; page-break-after: avoid; }
  h3, h4 { break-after: avoid; page-break-after: avoid; }
  .verdicts { display: block; }
  article.decision { break-inside: avoid; page-break-inside: avoid; margin: 0 0 8pt; padding: 6pt 9pt;
                     border-left-width: 5pt; }
  .cols { grid-template-columns: 1fr 1fr; }
  table.data { font-size: 7.5pt; }
  table.data th, table.data td { padding: 1.5pt 3pt; }
  table.data thead { display: table-header-group; }
  table.data tr { break-inside: avoid; page-break-inside: avoid; }
  table.people td:last-child { font-size: 7pt; }
  /* On paper: the top 5 of each role and the 8 largest communities (the page keeps them all). */
  table.people tbody tr:nth-child(n+6), table.communities tbody tr:nth-child(n+9) { display: none; }
  .screen-only { display: none; } .print-only { display: inline; }
  svg.chart { break-inside: avoid; page-break-inside: avoid; border: none; max-height: 70mm; width: auto; }
  .pair { display: block; }
  a { color: inherit; text-decoration: none; }
  .n { border-bottom: none; }
}
"""
