"""The HTML report in a real browser (Debian's chromium + chromedriver through Selenium).

The page's table is built by JavaScript and its safety depends on what a browser does with
the markup, so parsing the file in Python would prove little: these tests load it headless
from file:// and look at the DOM. Every expectation (categories, counts, row texts, search
hits, first-seen order) comes from our own SQL on the warehouse, never from the report code.

The browser is required, not optional: if chromium, chromedriver or selenium is missing the
tests FAIL (CI installs them: ``apt-get install chromium chromium-driver``, ``pip install
selenium==4.51.0``). Selenium Manager is never used, because the driver's path is given.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from helpers import REPO, index_titles, ro

from ytclaims.research.report import safe_url, script_json, write_report
from ytclaims.timestamps.parse import format_hms

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REPORT_FIXTURES = REPO / "tests" / "fixtures" / "report"
SCRIPT_TEXT = "<script>window.__pwned=1</script>"
IMG_TEXT = '<img src=x onerror="window.__pwned=1">'
EVIL_TITLE = '<img src=x onerror="window.__pwned=2"> Hostile & <b>bold</b> title'
SEVERE_MSG = "browser console has SEVERE entries"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture notes in two tagged runs: batch1's videos are seen before batch2's."""
    from ytclaims.pipeline import ingest

    db = tmp_path_factory.mktemp("report_db") / "report.duckdb"
    for batch in ("batch1", "batch2"):
        ingest([REPORT_FIXTURES / batch], db, tag=True, workers=1)
    return db


@pytest.fixture(scope="module")
def report(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("report_html") / "report.html"
    counts = write_report(warehouse, out)
    return out, counts


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """One headless chromium for the module. Missing pieces fail the tests on purpose."""
    assert CHROMIUM.is_file(), (
        f"{CHROMIUM} missing: apt-get install -y chromium chromium-driver (the report test "
        "needs a real browser)"
    )
    assert CHROMEDRIVER.is_file(), f"{CHROMEDRIVER} missing: apt-get install -y chromium-driver"
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium_profile')}",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=opts)
    drv.set_page_load_timeout(20)
    try:
        yield drv
    finally:
        drv.quit()


# --------------------------------------------------------------------------- helpers


def load(driver: WebDriver, page: Path) -> list[dict[str, Any]]:
    """Open the report and wait for the table script to finish; return the console log."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(page.as_uri())
    WebDriverWait(driver, 5).until(
        lambda d: d.find_element("id", "shown").get_attribute("data-shown") is not None
    )
    return driver.get_log("browser")


class AttributeRefs(HTMLParser):
    """Every src/href attribute a browser would see in the file (escaped text is not one)."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.refs += [v or "" for k, v in attrs if k in ("src", "href", "srcset", "action")]


def severe(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in log if e.get("level") == "SEVERE"]


def visible_rows(driver: WebDriver) -> list[dict[str, Any]]:
    """The table rows a user sees, in order, read in one round trip."""
    return driver.execute_script(
        """
        return Array.from(document.querySelectorAll('#claims tbody tr'))
          .filter(tr => !tr.hidden && tr.offsetParent !== null)
          .map(tr => ({
            text: tr.querySelector('td.text').textContent,
            channel: tr.querySelector('td.channel').textContent,
            title: tr.querySelector('td.title').textContent,
            time: tr.querySelector('td.time').textContent,
            links: Array.from(tr.querySelectorAll('td.time a'))
                        .map(a => [a.getAttribute('href'), a.textContent]),
            status: tr.querySelector('td.status').textContent,
            layers: Array.from(tr.querySelectorAll('td.layers .pill')).map(p => p.textContent),
            trends: Array.from(tr.querySelectorAll('td.trends .pill')).map(p => p.textContent),
          }));
        """
    )


def bars(driver: WebDriver, chart_id: str) -> list[tuple[str, int, float]]:
    """(label, count, rendered width) of every bar in a chart, in document order."""
    return [
        (label, int(count), float(width))
        for label, count, width in driver.execute_script(
            "return Array.from(document.querySelectorAll('#' + arguments[0] + ' rect.bar'))"
            ".map(r => [r.getAttribute('data-label'), r.getAttribute('data-count'),"
            " r.getBoundingClientRect().width])",
            chart_id,
        )
    ]


def search_for(driver: WebDriver, term: str) -> None:
    """Type into the search box like a user (select all, then type) and wait for the filter."""
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    box = driver.find_element("id", "search")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    if term:
        box.send_keys(term)
    # The filter runs on a timer after each input event and records the query it applied.
    WebDriverWait(driver, 5).until(
        lambda d: d.find_element("id", "shown").get_attribute("data-query") == term
    )


def own_claims(db: Path) -> list[dict[str, Any]]:
    """Every claim with what the table should show, read with our own SQL."""
    with ro(db) as con:
        rows = con.execute(
            """
            SELECT c.claim_id, c.text, coalesce(c.channel, '(no channel)'), c.video_id,
                   (SELECT any_value(title) FROM video_index v WHERE v.video_id = c.video_id),
                   c.layers, c.trends
            FROM claims c
            """
        ).fetchall()
        cites = con.execute(
            "SELECT claim_id, seconds, url, timestamp_status FROM citations "
            "ORDER BY claim_id, anchor_ordinal"
        ).fetchall()
    by_claim: dict[str, list[tuple[Any, ...]]] = {}
    for cid, sec, url, status in cites:
        by_claim.setdefault(cid, []).append((sec, url, status))
    out = []
    for cid, text, channel, vid, title, layers, trends in rows:
        anchors = by_claim.get(cid, [])
        statuses = list(dict.fromkeys(a[2] for a in anchors))
        out.append(
            {
                "text": text,
                "channel": channel,
                "video_id": vid,
                "title": title if title is not None else vid,
                "anchors": anchors,
                "status": ", ".join(statuses),
                "layers": list(layers),
                "trends": list(trends),
                # The documented search: every word, case-insensitively, in these fields.
                "hay": "\n".join(
                    [
                        text,
                        channel,
                        title or vid,
                        vid,
                        " ".join(statuses),
                        " ".join(layers),
                        " ".join(trends),
                    ]
                ).lower(),
            }
        )
    return out


def own_filter(claims: list[dict[str, Any]], term: str) -> Counter[str]:
    words = term.lower().split()
    return Counter(c["text"] for c in claims if all(w in c["hay"] for w in words))


def _listing() -> dict[str, int]:
    """video id -> place on its channel's index page, from the fixture files."""
    out: dict[str, int] = {}
    for page in sorted(REPORT_FIXTURES.rglob("*.md")):
        if page.stem == page.parent.name:
            for pos, vid in enumerate(index_titles(page), 1):
                out.setdefault(vid, pos)
    return out


def listed_flags(order: list[str]) -> list[bool]:
    listing = _listing()
    return [v in listing for v in order]


def listing_order(db: Path) -> list[str]:
    """The documented order for undated videos: channel, index-page place (unlisted last),
    title, id."""
    listing = _listing()
    with ro(db) as con:
        videos = con.execute(
            "SELECT c.video_id, any_value(c.channel), "
            "(SELECT any_value(title) FROM video_index v WHERE v.video_id = c.video_id) "
            "FROM claims c GROUP BY c.video_id"
        ).fetchall()
    return [
        vid
        for vid, ch, title in sorted(
            videos,
            key=lambda r: (
                r[1],
                r[0] not in listing,
                listing.get(r[0], 0),
                r[2] is None,
                r[2] or "",
                r[0],
            ),
        )
    ]


def mmss(seconds: int) -> str:
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


# --------------------------------------------------------------------------- tests


def test_page_loads_offline_without_console_errors(driver: WebDriver, report) -> None:
    page, counts = report
    log = load(driver, page)
    assert not severe(log), f"{SEVERE_MSG}: {severe(log)}"
    # Nothing was fetched: no scripts, styles, fonts or images outside the file.
    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert resources == []
    refs = AttributeRefs()
    refs.feed(page.read_text("utf-8"))
    assert refs.refs == ["data:,"], f"references outside the page: {refs.refs}"
    assert counts["rows"] == counts["claims"] > 0


def test_charts_have_one_bar_per_category(driver: WebDriver, report, warehouse: Path) -> None:
    page, _ = report
    assert not severe(load(driver, page)), SEVERE_MSG
    with ro(warehouse) as con:
        expected = {
            "chart-layers": dict(
                con.execute(
                    "SELECT l, count(DISTINCT claim_id) FROM "
                    "(SELECT claim_id, unnest(layers) AS l FROM claims) GROUP BY l"
                ).fetchall()
            ),
            "chart-trends": dict(
                con.execute(
                    "SELECT t, count(DISTINCT claim_id) FROM "
                    "(SELECT claim_id, unnest(trends) AS t FROM claims) GROUP BY t"
                ).fetchall()
            ),
            "chart-channels": dict(
                con.execute(
                    "SELECT coalesce(channel, '(no channel)'), count(*) FROM claims GROUP BY 1"
                ).fetchall()
            ),
            "chart-time": dict(
                con.execute("SELECT video_id, count(*) FROM claims GROUP BY 1").fetchall()
            ),
        }
        first_seen = dict(
            con.execute(
                "SELECT c.video_id, min(s.loaded_at) FROM claims c "
                "JOIN sources s ON s.source_id = c.source_id GROUP BY 1"
            ).fetchall()
        )
    # The fixtures are meant to exercise every chart with several bars.
    assert len(expected["chart-layers"]) == 3 and len(expected["chart-trends"]) >= 4
    assert len(expected["chart-channels"]) == 3 and len(expected["chart-time"]) == 5
    for chart_id, want in expected.items():
        got = bars(driver, chart_id)
        assert len(got) == len(want), chart_id
        assert {label: n for label, n, _ in got} == want, chart_id
        assert all(w > 0 for _, _, w in got), f"{chart_id}: a bar is not drawn"
        if chart_id != "chart-time":
            # Horizontal bars: a larger count never has a shorter bar.
            for (_, n1, w1), (_, n2, w2) in zip(got, got[1:], strict=False):
                assert (n1 >= n2) == (w1 >= w2 - 0.5), chart_id
    # "Over time": the fixtures carry no upload dates, so the bars are in channel listing
    # order (each index page's order, read here with our own regex), never load order.
    order = [label for label, _, _ in bars(driver, "chart-time")]
    assert order == listing_order(warehouse)
    seen = [first_seen[v] for v in order]
    assert seen != sorted(seen), "the fixtures should tell listing order from load order"
    title = driver.find_element("id", "chart-time-title").text
    caption = driver.find_element("id", "chart-time-caption").text
    assert "listing order" in title and "no upload dates" in title
    assert "not a timeline" in caption and "not time" in caption
    basis = driver.execute_script(
        "return Array.from(document.querySelectorAll('#chart-time rect.bar'))"
        ".map(r => r.getAttribute('data-basis'))"
    )
    assert basis == ["listing" if listed else "unlisted" for listed in listed_flags(order)]
    assert not driver.find_elements("css selector", "#chart-time polyline.cumulative")


def test_table_has_every_claim_with_links(driver: WebDriver, report, warehouse: Path) -> None:
    page, counts = report
    assert not severe(load(driver, page)), SEVERE_MSG
    claims = own_claims(warehouse)
    rows = visible_rows(driver)
    assert len(rows) == len(claims) == counts["rows"]
    assert driver.find_element("id", "shown").get_attribute("data-shown") == str(len(claims))
    assert Counter(r["text"] for r in rows) == Counter(c["text"] for c in claims)
    by_text = {c["text"]: c for c in claims}
    for row in rows:
        want = by_text[row["text"]]
        assert row["channel"] == want["channel"]
        assert row["title"] == want["title"]
        assert row["status"] == want["status"]
        assert row["layers"] == want["layers"] and row["trends"] == want["trends"]
        # A link per anchor that has a second, labelled mm:ss (h:mm:ss past an hour).
        assert row["links"] == [
            [url, mmss(sec)] for sec, url, _ in want["anchors"] if sec is not None
        ]
    times = {r["text"]: r["time"] for r in rows}
    assert (
        times["The closing segment returns to inference market pricing wars between GPU clouds."]
        == "1:02:03"
    )
    assert times["A placeholder anchor stands for a moment nobody wrote down."] == "—"
    # A video without an index page shows its id where the title would be.
    assert any(r["title"] == "betaNoIdx05" for r in rows)


def test_max_rows_caps_the_table(driver: WebDriver, warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "capped.html"
    counts = write_report(warehouse, out, max_rows=7)
    assert not severe(load(driver, out)), SEVERE_MSG
    assert counts["rows"] == 7 and counts["claims"] == len(own_claims(warehouse))
    assert len(visible_rows(driver)) == 7
    assert "first 7 of" in driver.find_element("id", "truncated").text
    # The charts still count every claim.
    assert sum(n for _, n, _ in bars(driver, "chart-channels")) == counts["claims"]


@pytest.mark.parametrize(
    "term",
    ["coffee", "inference", "INFERENCE gpu", "agents", "<script>", "betanoidx05", "zzz-nothing"],
)
def test_search_filters_rows(driver: WebDriver, report, warehouse: Path, term: str) -> None:
    page, _ = report
    if driver.current_url != page.as_uri():
        assert not severe(load(driver, page)), SEVERE_MSG
    claims = own_claims(warehouse)
    search_for(driver, term)
    got = Counter(r["text"] for r in visible_rows(driver))
    assert got == own_filter(claims, term)
    if term == "coffee":
        assert sum(got.values()) == 1
    if term == "zzz-nothing":
        assert not got
    search_for(driver, "")
    assert len(visible_rows(driver)) == len(claims)
    assert not severe(driver.get_log("browser")), SEVERE_MSG


def test_sorting_by_header(driver: WebDriver, report, warehouse: Path) -> None:
    page, _ = report
    assert not severe(load(driver, page)), SEVERE_MSG

    def click(label: str) -> None:
        driver.find_element("xpath", f"//table[@id='claims']//th/button[.='{label}']").click()

    def first_seconds(rows: list[dict[str, Any]]) -> list[int | None]:
        out: list[int | None] = []
        for r in rows:
            t = r["time"].split(" ")[0]
            parts = [int(p) for p in t.split(":")] if t != "—" else None
            out.append(
                None if parts is None else sum(p * 60**i for i, p in enumerate(reversed(parts)))
            )
        return out

    click("Time")
    secs = first_seconds(visible_rows(driver))
    known = [s for s in secs if s is not None]
    assert known == sorted(known) and secs[-1] is None  # ascending, unknown last
    click("Time")
    secs = first_seconds(visible_rows(driver))
    known = [s for s in secs if s is not None]
    assert known == sorted(known, reverse=True) and secs[-1] is None
    click("Channel")
    channels = [r["channel"] for r in visible_rows(driver)]
    assert channels == sorted(channels, key=str.casefold)
    # Sorting and searching combine: the filter still holds after a sort, in sorted order.
    search_for(driver, "agents")
    rows = visible_rows(driver)
    assert Counter(r["text"] for r in rows) == own_filter(own_claims(warehouse), "agents")
    assert [r["channel"] for r in rows] == sorted((r["channel"] for r in rows), key=str.casefold)
    assert not severe(driver.get_log("browser")), SEVERE_MSG


def test_hostile_text_renders_inert(driver: WebDriver, report) -> None:
    page, _ = report
    assert not severe(load(driver, page)), SEVERE_MSG
    texts = [r["text"] for r in visible_rows(driver)]
    assert any(SCRIPT_TEXT in t for t in texts), "script claim not shown as text"
    assert any(IMG_TEXT in t for t in texts), "img claim not shown as text"
    titles = {r["title"] for r in visible_rows(driver)}
    assert EVIL_TITLE in titles
    # The hostile title is also literal text in the timeline tooltip (server-rendered SVG).
    tooltips = driver.execute_script(
        "return Array.from(document.querySelectorAll('#chart-time title')).map(t => t.textContent)"
    )
    assert any(EVIL_TITLE in t for t in tooltips)
    # Search for the markup, so the hostile rows are the only ones left and in view.
    search_for(driver, "pwned")
    assert len(visible_rows(driver)) == 3  # the hostile video's title says pwned too
    state = driver.execute_script(
        "return {pwned: typeof window.__pwned, imgs: document.images.length,"
        " scripts: document.scripts.length,"
        " injected: document.querySelectorAll('#claims tbody :is(b, img, script),"
        " svg :is(b, img, script)').length}"
    )
    assert state == {"pwned": "undefined", "imgs": 0, "scripts": 2, "injected": 0}
    assert not severe(driver.get_log("browser")), SEVERE_MSG


# --------------------------------------------------------------------------- no browser


def test_script_json_cannot_close_its_element() -> None:
    s = script_json({"t": "</script><!-- & \u2028\u2029 >"})
    assert not any(c in s for c in "<>&\u2028\u2029")
    assert json.loads(s) == {"t": "</script><!-- & \u2028\u2029 >"}


def test_only_http_urls_become_links() -> None:
    assert safe_url("https://www.youtube.com/watch?v=x&t=5s") == (
        "https://www.youtube.com/watch?v=x&t=5s"
    )
    assert safe_url("HTTP://example.org/") == "HTTP://example.org/"
    for bad in (
        "javascript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,x",
        "//evil",
        "https://a b",
        None,
        5,
    ):
        assert safe_url(bad) is None
    times = (None, 0, 59, 61, 3723)
    assert [format_hms(s, "padded", missing="—") for s in times] == [
        "—",
        "00:00",
        "00:59",
        "01:01",
        "1:02:03",
    ]
    assert [format_hms(s) for s in times] == ["?", "0:00", "0:59", "1:01", "1:02:03"]
    assert [format_hms(s, "hh:mm:ss") for s in times[1:]] == [
        "00:00:00",
        "00:00:59",
        "00:01:01",
        "01:02:03",
    ]


# --------------------------------------------------------------------------- channels and time


SPOKEN_SRT = (
    "1\n00:00:01,000 --> 00:00:05,000\n"
    "Inference prices fell by 90 percent between 2023 and 2025 across the big clouds.\n\n"
    "2\n00:00:05,000 --> 00:00:09,000\n"
    "Nvidia sold more than 3 million GPUs to data centers in 2024 alone, they said.\n"
)


@pytest.fixture(scope="module")
def with_transcripts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """batch1's notes, a transcript of one of their videos, and one of a video no note or
    index page names."""
    from ytclaims.pipeline import ingest

    base = tmp_path_factory.mktemp("report_tr")
    caps = base / "caps"
    caps.mkdir()
    (caps / "zetaGPU0001.en.srt").write_text(SPOKEN_SRT, encoding="utf-8")
    (caps / "Unkn0wnVid1.en.srt").write_text(SPOKEN_SRT, encoding="utf-8")
    db = base / "tr.duckdb"
    ingest([REPORT_FIXTURES / "batch1", caps], db, tag=False, workers=1)
    return db


def test_transcript_claims_take_their_videos_channel(with_transcripts: Path) -> None:
    from ytclaims.research.report import NO_CHANNEL, TRANSCRIPT_NO_CHANNEL, read_report_data
    from ytclaims.warehouse.db import connect_read

    with ro(with_transcripts) as con:
        kinds = dict(
            con.execute(
                "SELECT c.video_id, count(*) FROM claims c JOIN sources s USING (source_id) "
                "WHERE s.source_kind = 'transcript' GROUP BY 1"
            ).fetchall()
        )
        notes = dict(
            con.execute(
                "SELECT channel, count(*) FROM claims WHERE channel IS NOT NULL GROUP BY 1"
            ).fetchall()
        )
    assert kinds.get("zetaGPU0001", 0) >= 1 and kinds.get("Unkn0wnVid1", 0) >= 1, kinds
    con = connect_read(with_transcripts)
    try:
        data = read_report_data(con, "tr", 1000)
    finally:
        con.close()
    channels = dict(data.channels)
    assert NO_CHANNEL not in channels
    assert channels["zetacast"] == notes["zetacast"] + kinds["zetaGPU0001"]
    assert channels[TRANSCRIPT_NO_CHANNEL] == kinds["Unkn0wnVid1"]
    by_video = {r[3]: r[1] for r in data.rows}
    assert by_video["Unkn0wnVid1"] == TRANSCRIPT_NO_CHANNEL
    assert {r[1] for r in data.rows if r[3] == "zetaGPU0001"} == {"zetacast"}


def test_upload_dates_order_the_chart_when_the_warehouse_has_them(
    with_transcripts: Path, tmp_path: Path
) -> None:
    """A warehouse whose ``videos`` has ``upload_date`` (known for two of three videos):
    dated videos first, by date, with the running total; then the undated one; the title
    says which part is time."""
    import shutil

    import duckdb

    from ytclaims.research.report import read_report_data, render_page

    db = tmp_path / "dated.duckdb"
    shutil.copy(with_transcripts, db)
    con = duckdb.connect(str(db))
    try:
        (sql,) = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'videos'").fetchone()
        con.execute(sql.replace("VIEW videos AS", "VIEW videos_base AS", 1))
        con.execute(
            "CREATE OR REPLACE VIEW videos AS SELECT * REPLACE (CASE video_id "
            "WHEN 'zetaAgnt002' THEN DATE '2024-03-01' WHEN 'Unkn0wnVid1' "
            "THEN DATE '2023-01-05' END AS upload_date) FROM videos_base"
        )
        data = read_report_data(con, "dated", 1000)
    finally:
        con.close()
    assert [(v.video_id, v.upload_date, v.basis) for v in data.videos] == [
        ("Unkn0wnVid1", "2023-01-05", "upload_date"),
        ("zetaAgnt002", "2024-03-01", "upload_date"),
        ("zetaGPU0001", None, "listing"),
    ]
    page = render_page(data)
    assert "Claims over time (2 videos by upload date, then 1 without one)" in page
    assert 'class="divider"' in page and 'class="cumulative"' in page
