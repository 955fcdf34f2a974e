"""The built site: the strict build, no outside resource, and a real browser through pages,
badges, search, the matrix filters and predict mode, with no outside request.

A strict build takes longer than the rest of the suite together on a 2-core machine, so it
lives here rather than in a plain `pytest`.
`nox -s browser` (and CI) runs this module with TORCHREF_BROWSER=1: it builds the site, serves it
with `python -m http.server` on 127.0.0.1 and drives the system Chromium (Debian package
`chromium`) through Playwright. A plain `pytest` skips it, with that reason. Every request the
pages make is recorded and must stay on 127.0.0.1; screenshots of the pages that are easy to
get wrong land in $TORCHREF_SHOTS (default /tmp/shots) for a person to look at.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.skipif(
    not os.environ.get("TORCHREF_BROWSER"), reason="drives a browser: run `nox -s browser` (it sets TORCHREF_BROWSER=1)"
)

ROOT = Path(__file__).resolve().parents[1]
SHOTS = Path(os.environ.get("TORCHREF_SHOTS", "/tmp/shots"))


@pytest.fixture(scope="module")
def site():
    """The strict build of the real reference ($TORCHREF_SITE_DIR reuses one already built)."""
    if os.environ.get("TORCHREF_SITE_DIR"):
        yield Path(os.environ["TORCHREF_SITE_DIR"])
        return
    out = Path(tempfile.mkdtemp(prefix="torchref-browser-"))
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, check=False,
    )
    assert build.returncode == 0, build.stderr
    yield out
    shutil.rmtree(out, ignore_errors=True)


@pytest.fixture(scope="module")
def server(site):
    """http://127.0.0.1:<free port>/ serving the site from a subprocess, stopped at the end."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base, timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"the site server on {base} did not answer")
        yield base
    finally:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api", reason="needs Playwright: pip install playwright")
    chromium = os.environ.get("TORCHREF_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.fail("no Chromium found: apt-get install -y chromium (or set TORCHREF_CHROMIUM)")
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def requests_made():
    """Every URL any page asked for, over the whole module."""
    return []


@pytest.fixture
def page(browser, server, requests_made):
    """A fresh page at 1280x900 whose requests are recorded; a request to another host is refused and fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server)
    seen = []
    context.on("request", lambda request: seen.append(request.url))
    context.route(lambda url: urlsplit(url).hostname != "127.0.0.1" and not url.startswith(("data:", "blob:")), lambda route: route.abort())
    tab = context.new_page()
    yield tab
    context.close()
    requests_made.extend(seen)
    outside = [url for url in seen if urlsplit(url).hostname != "127.0.0.1" and not url.startswith(("data:", "blob:"))]
    assert outside == [], "the page asked another host"


def test_strict_site_build_succeeds(site):
    views = (site / "tensors" / "views.html").read_text()
    assert 'id="test_view_write_is_visible_in_base"' in views
    assert (site / "claims.html").exists()
    assert "edit/main" not in views  # no repository is configured, so no Edit link


def test_built_site_loads_nothing_from_another_host(site):

    fetched = set()
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fetched.update(re.findall(r'<(?:script|img|iframe|source)\b[^>]*\bsrc="(https?:[^"]*)"', text))
        fetched.update(re.findall(r'<link\b[^>]*\bhref="(https?:[^"]*)"', text))
        assert "fonts.googleapis" not in text and "api.github.com" not in text, page

    assert sorted(fetched) == []


def test_built_site_opens_from_disk_with_search(site):
    """Opened as files (file://), a page links to `page.html` and search reads an inlined index."""
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="tensors/views.html"' in home
    assert (site / "search" / "search_index.js").read_text(encoding="utf-8").startswith("var __index = {")
    assert 'src="assets/vendor/iframe-worker-shim.js"' in home


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _heading(page):
    """The page's h1 without its permalink sign."""
    return page.locator("article h1").first.inner_text().removesuffix("¶").strip()


def _search(page, query):
    """Type into the header's search box; the pages found, best first, as site paths."""
    page.goto("index.html")
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially(query)
    page.locator(".md-search-result__item").first.wait_for()
    hrefs = page.locator("a.md-search-result__link").evaluate_all("links => links.map(a => a.href)")
    return list(dict.fromkeys(urlsplit(href).path.lstrip("/") for href in hrefs))


def test_home_page_says_what_the_reference_is_and_links_the_first_topic(page):
    page.goto("index.html")

    assert _heading(page) == "torchref"
    assert "behaviours" in page.locator("article").inner_text()
    page.locator("article a", has_text="Tensors").first.click()
    assert _heading(page) == "Tensors"


def test_topic_page_shows_each_behaviour_with_its_badges(page):
    page.goto("tensors/views.html")

    section = page.locator("#test_view_write_is_visible_in_base")
    assert section.is_visible()
    assert page.locator(".tr-badge").count() > 10
    assert any(" · torch " in badge for badge in page.locator(".tr-badge").all_inner_texts())


@pytest.mark.parametrize(
    ("query", "page_path", "anchor"),
    [
        ("weights_only", "serialization/save_load.html", "weights_only"),
        ("retain_graph", "autograd/backward.html", "retain_graph"),
        ("label_smoothing", "losses/cross_entropy.html", "label_smoothing"),
    ],
)
def test_search_for_a_parameter_reaches_the_page_that_explains_it(page, query, page_path, anchor):
    found = _search(page, query)

    assert page_path in found[:3], found[:5]
    page.locator(f"a.md-search-result__link[href*='{page_path}']").first.click()
    page.wait_for_url(f"**/{page_path}*")
    assert page.locator(f"[id*='{anchor}']").count() > 0


def test_search_for_initialize_weights_reaches_the_init_pages(page):
    found = _search(page, "initialize weights")

    assert found[0].startswith("init/"), found[:5]


def test_search_for_zero_grad_finds_the_same_page_spelled_either_way(page):
    underscored = _search(page, "zero_grad")
    spaced = _search(page, "zero grad")

    assert underscored[0] == spaced[0], (underscored[:3], spaced[:3])
    assert underscored[0].startswith("optim/"), underscored[:3]


def test_matrix_topic_filter_shows_only_that_topic(page):
    page.goto("compatibility.html")
    rows = page.locator("tr.tr-row")
    total = rows.count()

    page.select_option(".tr-topic-filter", "autograd")

    shown = page.locator("tr.tr-row:not([hidden])")
    assert 0 < shown.count() < total
    assert set(shown.evaluate_all("rows => rows.map(r => r.dataset.topic)")) == {"autograd"}
    assert page.locator(".tr-count").inner_text() == f"{shown.count()} of {total} behaviours shown"
    assert "topic=autograd" in page.url  # the filtered view can be linked to
    _shot(page, "matrix-autograd")


def test_matrix_filters_answer_the_keyboard_and_only_what_changed(page):
    page.goto("compatibility.html")
    total = page.locator("tr.tr-row").count()

    page.locator(".tr-changed-filter").focus()
    page.keyboard.press("Space")

    shown = page.locator("tr.tr-row:not([hidden])")
    assert 0 < shown.count() < total
    assert set(shown.evaluate_all("rows => rows.map(r => r.dataset.changed)")) == {"1"}
    page.locator(".tr-topic-filter").focus()
    page.keyboard.press("ArrowDown")
    assert page.locator(".tr-topic-filter").input_value() != ""


def test_matrix_header_and_behaviour_column_stay_in_view_when_scrolling(page):
    page.goto("compatibility.html")
    box = page.locator(".tr-matrix-wrap")
    header = page.locator(".tr-matrix thead th").first
    top_before = header.bounding_box()["y"]

    box.evaluate("el => el.scrollBy(400, 3000)")

    assert header.bounding_box()["y"] == pytest.approx(top_before, abs=2)
    first_column = page.locator("tr.tr-row:not([hidden]) th[scope=row]").nth(60)
    first_column.scroll_into_view_if_needed()
    box.evaluate("el => el.scrollBy(400, 0)")
    assert first_column.bounding_box()["x"] == pytest.approx(box.bounding_box()["x"] + 1, abs=2)
    _shot(page, "matrix")


def test_claims_page_titles_notes_and_shows_the_note_sentence(page):
    page.goto("claims.html")

    headings = page.locator("article h2").all_inner_texts()
    assert any("Pytorch学习要点整理" in h for h in headings), headings
    assert page.locator("td [lang=zh]").count() > 200
    assert page.locator("#s0-001").count() == 1
    _shot(page, "claims")


def test_performance_tables_fit_and_charts_name_their_bars(page):
    page.goto("performance.html")

    article = page.locator("article").bounding_box()
    for table in page.locator("article table").all():
        assert table.bounding_box()["x"] + table.bounding_box()["width"] <= article["x"] + article["width"] + 1
    assert page.locator(".tr-figure svg text", has_text="log scale").count() > 0
    _shot(page, "performance")
    page.locator(".tr-figure").first.scroll_into_view_if_needed()
    _shot(page, "performance-chart")


def test_scheduler_figures_are_drawn(page):
    page.goto("schedulers/schedulers.html")

    page.locator(".tr-figure svg").first.scroll_into_view_if_needed()
    assert page.locator(".tr-figure svg").count() > 5
    _shot(page, "schedulers")


def test_predict_mode_hides_expected_values_reveals_on_click_and_persists_to_the_next_page(page):
    page.goto("tensors/views.html")
    toggle = page.locator(".tr-predict-toggle")
    assert toggle.get_attribute("aria-pressed") == "false"
    assert page.locator("button.tr-blank").count() == 0

    toggle.click()
    first = page.locator("button.tr-blank").first
    code = page.locator("pre code:has(button.tr-blank)").first.element_handle()  # this block, even once solved
    assert first.inner_text() == "___"
    assert "x.stride() == (3, 1)" not in code.inner_text()
    first.click()
    assert "x.stride() == (3, 1)" in code.inner_text()
    page.locator("button.tr-blank").first.focus()
    page.keyboard.press("Enter")  # a blank is a button: the keyboard reveals it too
    _shot(page, "predict")

    page.goto("tensors/shape.html")
    assert page.locator(".tr-predict-toggle").get_attribute("aria-pressed") == "true"
    assert page.locator("button.tr-blank").count() > 10
    page.locator(".tr-reveal-all").click()
    assert page.locator("button.tr-blank").count() == 0


def test_site_opened_from_disk_navigates_and_searches(browser, site):
    """The built folder works without a server (file://): links open pages, and search runs."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    seen = []
    context.on("request", lambda request: seen.append(request.url))
    tab = context.new_page()
    try:
        tab.goto((site / "index.html").as_uri())
        tab.locator("article a", has_text="Tensors").first.click()
        assert _heading(tab) == "Tensors"
        tab.locator("input.md-search__input").click()
        tab.locator("input.md-search__input").press_sequentially("retain_graph")  # typed: search listens to keys
        tab.locator(".md-search-result__item").first.wait_for()
    finally:
        context.close()

    assert sorted({urlsplit(url).scheme for url in seen}) == ["file"]


def test_no_request_left_127_0_0_1(requests_made):
    """Over every page above: all the site needs is on the server itself (fonts, scripts, search)."""
    assert requests_made, "run with the rest of the module"
    assert sorted({urlsplit(url).hostname for url in requests_made if not url.startswith(("data:", "blob:"))}) == ["127.0.0.1"]
