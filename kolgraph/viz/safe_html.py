"""Safe HTML building blocks shared by the map and the report.

Every string that reaches a page goes through one of these helpers, because display names and post
texts are user-generated and may contain markup:

- :func:`escape` for text and attribute values (``& < > " '``);
- :func:`script_json` for data embedded in ``<script>``: JSON whose ``<``, ``>``, ``&`` and the
  JavaScript line separators are ``\\uXXXX`` escapes, so ``</script>`` or ``<!--`` in a name can
  never end or alter the script element;
- :func:`page` wraps a body into a complete document with a Content-Security-Policy that allows
  only this page's own inline scripts (by SHA-256 hash), inline styles and ``data:`` images. No
  request can leave the machine, and an injected ``onerror=`` handler would be refused even if
  escaping were ever missed (defence in depth; the tests check the escaping itself).

Third-party code (vis-network from the pyvis package) is inlined by :func:`vendor_asset` so pages
work offline.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import importlib.resources
import io
import json
import math
import re
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "escape",
    "script_json",
    "script_hash",
    "page_script_hashes",
    "page",
    "vendor_asset",
    "html_table",
    "figure_img",
    "fmt_number",
    "fmt_int",
    "VIS_VERSION",
]

#: The vis-network build bundled with pyvis 0.3.2 that the maps inline.
VIS_VERSION = "9.1.2"

_SCRIPT_RE = re.compile(r"<script>(.*?)</script>", re.S)
_JSON_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_UNSAFE_RE = re.compile("[<>&\u2028\u2029]")


def escape(value: Any) -> str:
    """HTML-escape any value for text or a quoted attribute; None and NaN become ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return html.escape(str(value), quote=True)


def _plain(obj: Any) -> Any:
    """NumPy/pandas scalars and containers as plain JSON values; NaN and NA become null."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _plain(obj.tolist())
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return None if not math.isfinite(float(obj)) else float(obj)
    if obj is pd.NA or obj is None:
        return None
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def script_json(obj: Any) -> str:
    """JSON text that is safe inside a ``<script>`` element (no ``</``, ``<!--``, ``&``, U+2028/9)."""
    text = json.dumps(_plain(obj), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return _JSON_UNSAFE_RE.sub(lambda m: _JSON_UNSAFE[m.group(0)], text)


def script_hash(code: str) -> str:
    """The CSP source expression (``'sha256-...'``) allowing one inline script's exact text."""
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def page_script_hashes(document: str) -> list[str]:
    """CSP hashes of every executable inline ``<script>`` of a page made by :func:`page`."""
    return [script_hash(code) for code in _SCRIPT_RE.findall(document)]


def _guard(code: str, closing: str, what: str) -> str:
    for bad in (closing, "<!--"):  # "<!--" would switch the HTML parser into an escaped state
        if bad in code.lower():
            raise ValueError(f"{what} contains {bad!r} and cannot be inlined safely")
    return code


def page(title: str, body: str, *, styles: Sequence[str] = (), scripts: Sequence[str] = (),
         data: dict[str, Any] | None = None, extra_script_hashes: Iterable[str] = (),
         lang: str = "en") -> str:
    """A complete, self-contained HTML document.

    ``title`` is plain text (escaped here); ``body`` is HTML the caller built with :func:`escape`;
    ``styles``/``scripts`` are trusted CSS/JS sources inlined in order; ``data`` maps element ids
    to objects embedded as ``<script type="application/json" id=...>`` via :func:`script_json`
    (read them with ``JSON.parse(el.textContent)``). ``extra_script_hashes`` admits scripts of
    embedded ``srcdoc`` frames, which inherit this page's policy.
    """
    scripts = [_guard(s, "</script", "script") for s in scripts]
    styles = [_guard(s, "</style", "style") for s in styles]
    hashes = [script_hash(s) for s in scripts] + list(extra_script_hashes)
    script_src = " ".join(dict.fromkeys(hashes)) or "'none'"
    csp = ("default-src 'none'; "
           f"script-src {script_src}; "
           "style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'")
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{escape(csp)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{escape(title)}</title>",
    ]
    parts += [f"<style>{css}</style>" for css in styles]
    parts += ["</head>", "<body>", body]
    for element_id, obj in (data or {}).items():
        parts.append(f'<script type="application/json" id="{escape(element_id)}">{script_json(obj)}</script>')
    parts += [f"<script>{code}</script>" for code in scripts]
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


@functools.lru_cache(maxsize=None)
def vendor_asset(name: str) -> str:
    """The text of a file bundled with pyvis (``vis-network.min.js`` or ``vis-network.css``).

    Read from the installed pyvis package, so the page carries the exact vis-network build pyvis
    ships and needs no network.
    """
    if name not in ("vis-network.min.js", "vis-network.css"):
        raise ValueError(f"unknown vendored asset {name!r}")
    path = importlib.resources.files("pyvis") / "lib" / f"vis-{VIS_VERSION}" / name
    text = path.read_text(encoding="utf-8")
    # A source-map comment would make developer tools fetch a file that is not there.
    return re.sub(r"^//# sourceMappingURL=.*$", "", text, flags=re.M).rstrip() + "\n"


def fmt_number(value: Any, digits: int = 3) -> str:
    """A short human number: '' for missing, thousands separators, ``digits`` significant digits."""
    if value is None or value is pd.NA:
        return ""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return ""
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def fmt_int(value: Any) -> str:
    """An integer with thousands separators ('' for missing)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{int(value):,}"


def html_table(frame: pd.DataFrame, *, columns: dict[str, str] | None = None,
               formats: dict[str, Any] | None = None, numeric: Iterable[str] = (),
               table_class: str = "data", empty: str = "none", titles: dict[str, str] | None = None) -> str:
    """An escaped HTML table of a (small) frame.

    ``columns`` maps frame column -> header (and picks/orders them); ``formats`` maps a column to a
    function value -> str applied before escaping; ``numeric`` columns are right-aligned;
    ``titles`` maps a column to its definition, shown on hover over the header.
    """
    columns = columns or {c: c for c in frame.columns}
    formats = formats or {}
    numeric = set(numeric)
    if frame.empty:
        return f'<p class="empty">{escape(empty)}</p>'
    titles = titles or {}
    head = "".join(f'<th{" class=num" if c in numeric else ""}'
                   + (f' title="{escape(titles[c])}"' if c in titles else "") + f">{escape(h)}</th>"
                   for c, h in columns.items())
    cells = []
    for column in columns:
        values = frame[column] if column in frame else pd.Series([""] * len(frame), index=frame.index)
        fn = formats.get(column)
        text = values.map(fn) if fn else values.map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else v)
        cls = ' class="num"' if column in numeric else ""
        cells.append([f"<td{cls}>{escape(t)}</td>" for t in text])
    rows = ["<tr>" + "".join(row) + "</tr>" for row in zip(*cells)]
    return (f'<table class="{escape(table_class)}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def figure_img(figure, *, alt: str, dpi: int = 110) -> str:
    """A matplotlib figure as an ``<img>`` with an inline base64 PNG (Agg canvas, no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img class="plot" alt="{escape(alt)}" src="data:image/png;base64,{data}">'
