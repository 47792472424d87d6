"""A real browser opens the reports: Playwright drives Debian's chromium (never `playwright install`).

The pages must show the rights contact, both passages and the highlighted
differences, and nothing from the hostile crawled page may run.  Screenshots
are saved in the test's temporary folder (and, for the demo, next to the demo's
reports when COMPLIANCE_DEMO_REPORTS names that folder).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from test_report import EMAIL, HOSTILE_TITLE, build_story

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

# Evaluated in the page after it loads: every trace a payload would leave if it had run.
PROBE = """() => ({
  pwned: typeof window.__pwned === 'undefined' ? null : window.__pwned,
  title: document.title,
  scripts: document.querySelectorAll('script').length,
  handlers: Array.from(document.querySelectorAll('*')).flatMap(e => Array.from(e.attributes)
              .filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name)),
  jsLinks: Array.from(document.querySelectorAll('[href],[src]'))
              .map(e => e.getAttribute('href') || e.getAttribute('src'))
              .filter(u => !/^https?:/i.test(u)),
})"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium under Playwright, or a skip that says what is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed: run `make browser` (or `apt-get install chromium`) as root")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is missing: pip install -e '.[test]'")
    with sync_playwright() as pw:
        try:
            b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        except Exception as exc:  # a broken chromium install is a skip with its reason, not a failure
            pytest.skip(f"{CHROMIUM} did not start under Playwright: {str(exc).splitlines()[0]}")
        yield b
        b.close()


class Visit:
    """One page load with listeners for dialogs, console messages, and network requests."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1200, "height": 900})
        self.dialogs: list[str] = []
        self.console: list[str] = []
        self.requests: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("console", lambda m: self.console.append(m.text))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")
        self.probe: dict[str, Any] = self.page.evaluate(PROBE)

    def assert_nothing_ran(self, title: str) -> None:
        assert self.dialogs == [], self.dialogs
        assert self.probe["pwned"] is None and self.probe["title"] == title
        assert self.probe["scripts"] == 0 and self.probe["handlers"] == [] and self.probe["jsLinks"] == []
        assert not [m for m in self.console if "Content Security Policy" in m], \
            "something tried to run and was only stopped by the CSP"
        assert [u for u in self.requests if not u.startswith("file://")] == [], "the page loaded from the network"

    def screenshot(self, path: Path) -> Path:
        self.page.screenshot(path=str(path), full_page=True)
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
        return path

    def close(self) -> None:
        self.page.close()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> dict[str, Path]:
    """The story's HTML summary and the hostile copy's evidence packet."""
    story = build_story(tmp_path_factory.mktemp("browser"))
    out = story.root / "reports"
    assert story.run("report", "--out", out, "--format", "html").exit_code == 0
    assert story.run("evidence", story.ids["hostile"], "--out", out, "--format", "html").exit_code == 0
    return {"summary": out / "summary.html", "evidence": out / "evidence" / story.ids["hostile"] / "evidence.html",
            "root": story.root}


def test_summary_opens_cleanly_with_contact_and_charts(browser, written, tmp_path):
    """Chromium shows the summary's charts and rights contact, and nothing from the crawled pages runs."""
    v = Visit(browser, written["summary"])
    try:
        v.assert_nothing_ran("Violation summary")
        page = v.page
        assert page.locator(".contact-email").first.is_visible()
        assert page.locator(".contact-email").first.inner_text() == EMAIL
        for chart in ("#svg-verdicts", "#svg-sites", "#svg-timeline"):
            box = page.locator(chart).bounding_box()
            assert box and box["width"] > 200 and box["height"] > 50, chart
        assert page.locator("h3 .host", has_text="copycat.example").is_visible()
        v.screenshot(tmp_path / "summary.png")
    finally:
        v.close()


def test_evidence_packet_opens_cleanly_with_both_passages_and_highlights(browser, written, tmp_path):
    """Chromium shows the packet's contact, the original and copied passages side by side, and the highlights."""
    v = Visit(browser, written["evidence"])
    try:
        v.assert_nothing_ran(f"Evidence packet: finding {written['evidence'].parent.name}")
        page = v.page
        assert page.locator("#complainant .contact-email").inner_text() == EMAIL
        original, copy = page.locator(".passage-original").first, page.locator(".passage-copy").first
        assert original.is_visible() and copy.is_visible()
        a, b = original.bounding_box(), copy.bounding_box()
        assert a and b and a["x"] + a["width"] <= b["x"] + 1 and abs(a["y"] - b["y"]) < 2, "not side by side"
        assert "The blue ferry" in original.inner_text() and "The blue ferry" in copy.inner_text()
        assert page.locator(".passage-copy mark.d-chg").first.is_visible()
        assert page.locator(".passage-copy ins.d-ins").first.is_visible()
        assert "sunrise" in page.locator(".passage-copy mark.d-chg").all_inner_texts()[0]
        assert HOSTILE_TITLE in page.locator(".page-title").inner_text(), "the hostile title is shown as text"
        assert page.locator("#draft-dmca").is_visible()
        v.screenshot(tmp_path / "evidence.png")
    finally:
        v.close()


def test_the_probe_catches_a_page_that_runs_script(browser, tmp_path):
    """Control: the same payload written raw, without the CSP, is caught, so the checks above can fail."""
    page = tmp_path / "unsafe.html"
    page.write_text(f"<!DOCTYPE html><html><head><title>Unsafe</title></head><body>{HOSTILE_TITLE}</body></html>")
    v = Visit(browser, page)
    try:
        assert v.probe["pwned"] is not None and v.probe["title"] == "pwned"
        with pytest.raises(AssertionError):
            v.assert_nothing_ran("Unsafe")
    finally:
        v.close()


def test_demo_reports_open_cleanly(browser):
    """The demo's summary and evidence packets open cleanly in chromium; screenshots go next to them."""
    folder = os.environ.get("COMPLIANCE_DEMO_REPORTS")
    if not folder:
        pytest.skip("set COMPLIANCE_DEMO_REPORTS=reports to screenshot the demo's reports (make demo does)")
    reports = Path(folder).resolve()
    pages = [reports / "summary.html"] + sorted(reports.glob("evidence/*/evidence.html"))
    assert pages[0].exists(), f"{pages[0]} is missing: run `make demo` first"
    assert len(pages) > 1, f"no evidence packets under {reports / 'evidence'}"
    shots = reports / "screenshots"
    shots.mkdir(exist_ok=True)
    for path in pages:
        v = Visit(browser, path)
        try:
            v.assert_nothing_ran(v.probe["title"])
            assert v.page.locator(".contact-email").first.is_visible(), path
            if path.name == "evidence.html":
                assert v.page.locator(".passage-original").first.is_visible()
                assert v.page.locator(".passage-copy").first.is_visible()
            name = "summary.png" if path.name == "summary.html" else f"evidence-{path.parent.name}.png"
            v.screenshot(shots / name)
        finally:
            v.close()
    assert len(list(shots.glob("*.png"))) >= len(pages)
