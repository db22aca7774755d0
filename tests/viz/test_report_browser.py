"""The sample report in headless Chromium: the verdict on the first screen, a short PDF, nothing injected.

Builds the README's sample workspace (build, analyze, what-if on the critic KOL and a friendly
tech KOL), writes its report, and opens it at 1600x1000. Needs Debian's ``chromium``; skips loudly
without it unless KOLGRAPH_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest


pytestmark = pytest.mark.browser

CRITIC = "laozhong_zhenhua"
FRIENDLY = "huisheng_tech"
PWNED = "typeof window.__kolgraph_pwned === 'undefined'"




@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    try:  # the runs layer, once the what-if moved there
        from kolgraph.runs.whatif import whatif_workspace
    except ImportError:
        from kolgraph.algorithms.whatif import whatif_workspace
    from kolgraph.build.workspace import build_workspace
    from kolgraph.datasets import load_sample
    from kolgraph.viz.report import write_report

    try:
        from kolgraph.runs.analyze import analyze_workspace
    except ImportError:  # before the runs layer landed
        from kolgraph.analysis import analyze_workspace

    sample = load_sample()
    root = tmp_path_factory.mktemp("sample_report")
    build_workspace([sample.interactions], root / "ws", users_path=sample.users)
    analyze_workspace(root / "ws", config=sample.config, seed=0)
    whatif_workspace(root / "ws", [CRITIC, FRIENDLY], runs=60, seed=1)
    result = write_report(root / "ws", root / "report.html")
    assert result.stale is None
    return result, root


def test_verdict_is_on_the_first_screen(browser, sample_report, artefact_dir):
    result, root = sample_report
    visit = browser.open(result.path.resolve().as_uri())
    browser.drain(0.5)
    assert visit.errors == [] and visit.remote_requests == [] and visit.dialogs == []
    box = browser.evaluate(f"""(function () {{
      var card = document.querySelector('article.decision[data-candidate="{CRITIC}"]');
      if (!card) return null;
      function r(el) {{ var b = el.getBoundingClientRect();
        return {{top: b.top, bottom: b.bottom, left: b.left, right: b.right, text: el.innerText}}; }}
      return {{badge: r(card.querySelector('.badge')), fans: r(card.querySelector('.fig.big')),
               line: r(card.querySelector('.line')), tier: card.dataset.tier,
               first: document.querySelector('article.decision').dataset.candidate}};
    }})()""")
    assert box is not None, "no decision card for the critic KOL"
    assert box["tier"] == "red" and box["badge"]["text"].strip() == "RED" and box["first"] == CRITIC
    for part in ("badge", "fans", "line"):
        b = box[part]
        assert 0 <= b["top"] and b["bottom"] <= 1000 and 0 <= b["left"] and b["right"] <= 1600, (part, b)
    assert "Core fans turning against the brand" in box["fans"]["text"]
    assert re.search(r"of 1\d\d core fans", box["fans"]["text"].replace("\n", " ")), box["fans"]["text"]
    print(f"\nscreenshot: {browser.screenshot(artefact_dir / 'sample_report_top.png')}")


def test_sample_report_prints_to_at_most_8_pages(browser, sample_report, artefact_dir):
    result, _ = sample_report
    browser.open(result.path.resolve().as_uri())
    pdf = base64.b64decode(browser.send("Page.printToPDF", {"printBackground": True,
                                                             "preferCSSPageSize": True}, timeout=120)["data"])
    (artefact_dir / "sample_report.pdf").write_bytes(pdf)
    pages = max(int(n) for n in re.findall(rb"/Count (\d+)", pdf))
    assert pdf.startswith(b"%PDF") and 2 <= pages <= 8, pages
    # Tables do not squeeze: in print layout no table row is taller than a few lines of text.
    browser.send("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        rows = browser.evaluate("""Array.from(document.querySelectorAll('table.data tr'))
            .filter(r => r.offsetParent !== null).map(r => r.getBoundingClientRect().height)""")
    finally:
        browser.send("Emulation.setEmulatedMedia", {"media": ""})
    assert rows and max(rows) < 80, max(rows)
    print(f"\nPDF: {pages} pages, {len(pdf):,} bytes -> {artefact_dir / 'sample_report.pdf'}")


def test_hostile_text_in_a_sample_report_stays_text(browser, tmp_path):
    """Names, posts and handles with markup show as text and run nothing (browser-checked)."""
    from kolgraph.viz.report import write_report

    try:  # the runs layer, once the what-if moved there
        from kolgraph.runs.whatif import whatif_workspace
    except ImportError:
        from kolgraph.algorithms.whatif import whatif_workspace
    from kolgraph.build.workspace import build_workspace
    from kolgraph.datasets import load_sample

    try:
        from kolgraph.runs.analyze import analyze_workspace
    except ImportError:  # before the runs layer landed
        from kolgraph.analysis import analyze_workspace

    sample = load_sample()
    payload = '<img src=x onerror="window.__kolgraph_pwned=1">老钟</b>'
    users = pd.read_csv(sample.users, dtype=str, keep_default_na=False)
    users.loc[users["user_id"] == CRITIC, "display_name"] = payload
    inter = pd.read_csv(sample.interactions, dtype=str, keep_default_na=False)
    hit = (inter["dst"] == CRITIC) & (inter["kind"] == "reply")
    inter.loc[hit, "text"] = "<script>window.__kolgraph_pwned=2</script><svg onload=window.__kolgraph_pwned=3>" \
        + inter.loc[hit, "text"]
    users.to_csv(tmp_path / "users.csv", index=False)
    inter.to_csv(tmp_path / "interactions.csv", index=False)
    ws = tmp_path / "ws"
    build_workspace([tmp_path / "interactions.csv"], ws, users_path=tmp_path / "users.csv")
    analyze_workspace(ws, config=sample.config, seed=0)
    whatif_workspace(ws, [CRITIC], runs=20, seed=1)
    out = write_report(ws, tmp_path / "hostile.html", embed_map=False).path
    visit = browser.open(out.resolve().as_uri())
    browser.drain(0.3)
    assert visit.errors == [] and visit.dialogs == []
    assert browser.evaluate(PWNED)
    text = browser.evaluate("document.querySelector('main').innerText")
    assert payload in text and "<script>window.__kolgraph_pwned=2</script>" in text
    assert browser.evaluate("document.querySelectorAll('main img, main script, main [onload], main [onerror], "
                            "main b, main svg:not(.chart)').length") == 0
