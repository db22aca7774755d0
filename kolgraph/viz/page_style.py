"""The look both interactive pages share (map and explorer): header, controls bar, legend."""

__all__ = ["PAGE_HEAD_CSS", "PAGE_LEGEND_CSS", "PAGE_TIP_CSS"]

#: Page frame, header and the controls bar.
PAGE_HEAD_CSS = """
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
"""

#: The legend panel and its colour swatches.
PAGE_LEGEND_CSS = """#legend h2 { font-size: 14px; margin: 4px 0; }
#legend h3 { font-size: 12.5px; margin: 10px 0 3px; color: #444; }
#legend ul { list-style: none; margin: 0; padding: 0; }
#legend li { display: flex; align-items: center; gap: 6px; margin: 2px 0; overflow-wrap: anywhere; }
.sw { display: inline-block; width: 12px; height: 12px; border-radius: 50%; flex: none; border: 1px solid #0003; }
.sw.line { border-radius: 0; height: 3px; width: 18px; border: 0; }
"""

#: Tooltip tables (user reasons) and the search-result list.
PAGE_TIP_CSS = """.tip-name { font-weight: 600; font-size: 13.5px; margin-bottom: 3px; }
.tip-table td { padding: 0 6px 0 0; vertical-align: top; }
.tip-table td:first-child { color: #666; white-space: nowrap; }
#find-box ul { list-style: none; margin: 0; padding: 0; }
#find-box li { padding: 2px 0; border-top: 1px solid #eee; overflow-wrap: anywhere; }
#find-box li button { font: inherit; padding: 0 4px; margin-left: 4px; }
#find-box code { background: #f3f3f3; padding: 0 3px; user-select: all; }
"""
