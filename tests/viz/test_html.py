"""Escaping helpers: user text can never end a script, open a tag or escape an attribute."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from kolgraph.viz import safe_html as _html
from vizdata import COMMENT_NAME, SCRIPT_NAME, XSS_NAME


def test_escape_text_and_attributes():
    assert _html.escape(XSS_NAME) == '&lt;img src=x onerror=&quot;window.__kolgraph_pwned=1;alert(1)&quot;&gt;'
    assert _html.escape("it's & that") == "it&#x27;s &amp; that"
    assert _html.escape(None) == "" and _html.escape(float("nan")) == ""
    assert _html.escape(3) == "3"


@pytest.mark.parametrize("payload", [XSS_NAME, SCRIPT_NAME, COMMENT_NAME, "a\u2028b\u2029c", "x & <y>"])
def test_script_json_cannot_break_out_and_round_trips(payload):
    text = _html.script_json({"name": payload, "list": [payload, None, 1.5]})
    assert not re.search(r"[<>&\u2028\u2029]", text)  # so no </script>, <!-- or line separator survives
    assert json.loads(text) == {"name": payload, "list": [payload, None, 1.5]}


def test_script_json_turns_nan_into_null():
    import numpy as np

    assert json.loads(_html.script_json({"x": np.float64("nan"), "y": np.int64(3), "z": np.array([1.0, np.inf])})) == \
        {"x": None, "y": 3, "z": [1.0, None]}


def test_page_policy_allows_exactly_its_own_scripts():
    doc = _html.page("t <b>", "<p>hi</p>", scripts=["var a = 1;", "var b = 2;"], data={"d": {"n": SCRIPT_NAME}})
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', doc).group(1)
    assert "default-src &#x27;none&#x27;" in csp
    assert _html.escape(_html.script_hash("var a = 1;")) in csp and _html.escape(_html.script_hash("var b = 2;")) in csp
    assert "<title>t &lt;b&gt;</title>" in doc
    # The data block holds the payload only in escaped form: the only </script> tags are the real ones.
    assert doc.count("</script>") == 3
    assert _html.page_script_hashes(doc) == [_html.script_hash("var a = 1;"), _html.script_hash("var b = 2;")]


def test_page_refuses_scripts_that_would_end_early():
    with pytest.raises(ValueError):
        _html.page("t", "", scripts=["var s = '</script>';"])
    with pytest.raises(ValueError):
        _html.page("t", "", styles=["a{} </style><script>"])
    with pytest.raises(ValueError):
        _html.page("t", "", scripts=["var s = '<!--';"])


def test_vendored_vis_network_is_inlinable_and_offline():
    js = _html.vendor_asset("vis-network.min.js")
    css = _html.vendor_asset("vis-network.css")
    assert "vis-network" in js[:2000] and len(js) > 100_000
    assert "</script" not in js.lower() and "<!--" not in js and "</style" not in css.lower()
    assert "sourceMappingURL" not in js
    assert "url(http" not in css.replace('"', "").replace("'", "")


def test_html_table_escapes_every_cell_and_header():
    frame = pd.DataFrame({"name": [XSS_NAME, "ok"], "<h>": [1.0, float("nan")]})
    html = _html.html_table(frame, numeric=["<h>"], formats={"<h>": _html.fmt_number})
    assert "<img" not in html and "&lt;img src=x" in html
    assert "<th class=num>&lt;h&gt;</th>" in html
    assert "<td class=\"num\"></td>" in html  # NaN renders empty, not "nan"


def test_fmt_number():
    assert _html.fmt_number(1234567.0) == "1,234,567"
    assert _html.fmt_number(0.123456) == "0.123"
    assert _html.fmt_number(float("nan")) == "" and _html.fmt_number(None) == ""
    assert _html.fmt_int(12345) == "12,345"
