"""The pages in a real browser: Debian's chromium driven by Playwright, over a real server of the seeds.

Every request a page makes must reach our server (nothing from a CDN or the internet); a page may
not log a JavaScript error. Each test leaves a full-page screenshot in tests/artifacts/screenshots/.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "screenshots"
CHROMIUM = Path(os.environ.get("VANKIEN_CHROMIUM", "/usr/bin/chromium"))
# Headless as root in a closed network: no sandbox, no GPU, no calls home.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"no chromium at {CHROMIUM}: `make test` installs Debian's chromium (or set VANKIEN_CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


class Visit:
    """One browser tab on our server that records what a page must never do."""

    def __init__(self, page: Page, server: str) -> None:
        self.page = page
        self.server = server
        self.outside: list[str] = []
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.context.route("**/*", self._only_our_server)

    def _only_our_server(self, route: Route) -> None:
        if route.request.url.startswith(self.server):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def open(self, path: str) -> Page:
        response = self.page.goto(self.server + path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        return self.page


@pytest.fixture
def visit(browser: Browser, seeds_server: str, request: pytest.FixtureRequest) -> Iterator[Visit]:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    visit = Visit(context.new_page(), seeds_server)
    yield visit
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    visit.page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    context.close()
    assert not visit.outside, f"the page reached outside our server: {visit.outside}"
    assert not visit.errors, f"JavaScript errors: {visit.errors}"


DOC_58 = "/doc/document/tw/2022/quy-dinh/58"  # replaces Quy định 126-QĐ/TW (seed 002)
THANH_HOA = "/doc/province/thanh-hoa"


def test_home_page_shows_what_the_dataset_holds(visit: Visit) -> None:
    page = visit.open("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    classes = page.get_by_role("link", name="Chỉ thị")
    expect(classes.first).to_be_visible()
    expect(page.locator("form.search input[type=search]").first).to_be_visible()
    assert page.locator("a[href='/sparql']").count() >= 1
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != ""  # the local stylesheet applies


def test_document_page_draws_its_lineage_and_links_through_it(visit: Visit) -> None:
    page = visit.open(DOC_58)
    expect(page.locator("h1")).to_contain_text("58-QĐ/TW")
    picture = page.locator("figure.picture svg").first
    expect(picture).to_be_visible()
    assert picture.bounding_box()["width"] > 200  # type: ignore[index]
    predecessor = picture.locator("a.node", has_text="126-QĐ/TW").first
    expect(predecessor).to_be_attached()
    predecessor.click()
    page.wait_for_url("**/quy-dinh/126")
    expect(page.locator("h1")).to_contain_text("126-QĐ/TW")


def test_province_page_shows_a_timeline(visit: Visit) -> None:
    page = visit.open(THANH_HOA)
    expect(page.locator("h1")).to_contain_text("Thanh Hóa")
    timeline = page.locator("svg.timeline").first
    expect(timeline).to_be_visible()
    assert timeline.locator("a").count() >= 1


def test_search_without_diacritics_finds_the_province(visit: Visit) -> None:
    page = visit.open("/")
    box = page.locator("form.search input[type=search]").first
    box.fill("thanh hoa")
    box.press("Enter")
    page.wait_for_url("**/search?*")
    first = page.locator("main a[href^='/doc/']", has_text="Thanh Hóa").first
    expect(first).to_be_visible()
    first.click()
    page.wait_for_url("**" + THANH_HOA)


def test_query_page_runs_an_example_query(visit: Visit) -> None:
    page = visit.open("/sparql")
    page.locator("a.example[data-query]").first.click()
    expect(page.locator("#query")).not_to_have_value("")
    page.locator("#query-form button[type=submit], #query-form input[type=submit]").first.click()
    rows = page.locator("#results table.results tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 1


def test_query_page_runs_with_ctrl_enter_and_shows_labels(visit: Visit) -> None:
    page = visit.open("/sparql")
    page.select_option("#example-menu", label="Ai chủ trì các hội nghị ở Thanh Hóa")
    expect(page.locator("#query")).to_have_value(re.compile("vk:chairedBy"))  # no PREFIX lines needed
    page.locator("#query").press("Control+Enter")
    first = page.locator("#results table.results tbody tr").first
    expect(first).to_be_visible()
    official = first.locator("td a[href^='/doc/person/']").first
    expect(official).to_have_text(first.locator("td").nth(1).locator("span").first.inner_text())  # its label, linking
    expect(official).to_have_attribute("title", re.compile("/id/person/"))  # to the page, the IRI beside it
    expect(first.locator("span.iri").first).to_contain_text("/id/person/")
    with page.expect_download() as download:
        page.locator("form.downloads button[value=csv]").click()
    assert download.value.suggested_filename == "query-results.csv"


def test_query_page_shows_errors_in_words(visit: Visit) -> None:
    page = visit.open("/sparql")
    page.locator("#query").fill("SELECT * WHERE {\n  ?s wdt:P31 ?o }")
    page.locator("#query-form button[type=submit]").click()
    expect(page.locator("#results pre.error")).to_contain_text("line 2, column 6: unknown prefix 'wdt:'")
    expect(page.locator("details.prefixes")).to_contain_text("schema:")
    visit.errors[:] = [e for e in visit.errors if "status of 400" not in e]  # Chromium logs the 400 answer itself


def test_pages_switch_to_english(visit: Visit) -> None:
    page = visit.open("/")
    page.locator("header a.lang").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    visit.open(DOC_58)  # the choice is remembered
    expect(page.locator("html")).to_have_attribute("lang", "en")
