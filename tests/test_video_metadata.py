"""Video metadata in the warehouse: the fetch path, yt-dlp .info.json, CSV, precedence.

Fixtures: tests/fixtures/metadata (README there) and tests/fixtures/youtube
(``watch_metadata.html``, ``player_ok_details.json``). Expected values are read from
the fixture files with ``json``/``csv`` here, never computed by ytclaims.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import requests
import responses
from helpers import ro
from responses import matchers

from ytclaims.pipeline import ingest
from ytclaims.sources import metadata as md
from ytclaims.sources.youtube import fetch as yt

META = Path(__file__).resolve().parent / "fixtures" / "metadata"
NOTES = META / "notes"
FILES = META / "files"
INFO = FILES / "GPU Supply, Power & the Price of Inference [meta_vid001].info.json"
CSV_FILE = FILES / "videos.csv"
YT = Path(__file__).resolve().parent / "fixtures" / "youtube"
VID = "GJLlxj_dtq8"  # the id the youtube fixtures are about


def info() -> dict:
    return json.loads(INFO.read_text("utf-8"))


def csv_rows() -> dict[str, dict[str, str]]:
    with CSV_FILE.open(encoding="utf-8", newline="") as fh:
        return {r["video_id"]: r for r in csv.DictReader(fh)}


def video(db: Path, vid: str) -> dict:
    with ro(db) as con:
        rel = con.execute("SELECT * FROM videos WHERE video_id = ?", [vid])
        cols = [d[0] for d in rel.description]
        row = rel.fetchone()
    assert row is not None, vid
    return dict(zip(cols, row, strict=True))


def citation(db: Path, vid: str, written: str) -> tuple:
    with ro(db) as con:
        return con.execute(
            "SELECT seconds, timestamp_status FROM citations WHERE video_id = ? AND anchor_raw = ?",
            [vid, written],
        ).fetchone()


def run(paths: list[Path], db: Path, **kw):
    return ingest(paths, db, tag=False, workers=1, **kw)


# --- yt-dlp .info.json ---------------------------------------------------------------------


def test_info_json_fills_title_channel_date_duration_and_the_resolver_uses_it(tmp_path):
    """Done means: importing a yt-dlp .info.json fills title, channel, upload date and
    duration for its video, and the timestamp resolver uses the duration."""
    db = tmp_path / "w.duckdb"
    run([NOTES], db)
    before = video(db, "meta_vid001")
    assert before["title"] is None and before["duration_seconds"] is None
    # Without a duration, 00:40:10 and 00:25:00 are read literally (one :00 in six).
    assert citation(db, "meta_vid001", "00:40:10") == (2410, "unverified")
    assert citation(db, "meta_vid001", "00:25:00") == (1500, "unverified")

    folder = tmp_path / "dl"
    folder.mkdir()
    shutil.copy(INFO, folder / INFO.name)
    report = run([folder], db)
    assert report.n_errors == 0
    want = info()
    v = video(db, "meta_vid001")
    assert v["title"] == want["title"] and v["title_source"] == "yt-dlp"
    assert v["channel_name"] == want["channel"] and v["channel_name_source"] == "yt-dlp"
    assert v["channel_handle"] == want["uploader_id"]
    y, m, d = want["upload_date"][:4], want["upload_date"][4:6], want["upload_date"][6:]
    assert v["upload_date"] == date(int(y), int(m), int(d))
    assert v["duration_seconds"] == want["duration"] and v["duration_source"] == "yt-dlp"
    assert v["accessed_date"] == datetime.fromtimestamp(want["epoch"], UTC).date()
    # The video was resolved again against its duration (21:02): 25:00 and 40:10 lie
    # past the end, so neither is cited there any more, and no citation of the video
    # points past its end (the note's other anchors become a close call).
    assert want["duration"] < 1500
    assert citation(db, "meta_vid001", "00:40:10") == (40, "reinterpreted")
    assert citation(db, "meta_vid001", "00:25:00") == (25, "reinterpreted")
    with ro(db) as con:
        latest = con.execute(
            "SELECT max(seconds) FROM citations WHERE video_id = 'meta_vid001'"
        ).fetchone()[0]
    assert latest is not None and latest <= want["duration"]
    # A re-run changes nothing.
    again = run([folder], db)
    assert again.sources_loaded == 0 and again.sources_unchanged == 1


def test_info_json_problems_are_recorded_not_raised(tmp_path):
    assert "playlist" in md.read_info_json(FILES / "playlist.info.json").fatal.message
    other = tmp_path / "x.info.json"
    other.write_text(json.dumps({"id": "abc", "title": "t", "extractor_key": "Vimeo"}))
    assert "Vimeo".lower() in md.read_info_json(other).fatal.message.lower()
    bad_date = tmp_path / "y.info.json"
    bad_date.write_text(json.dumps({"id": "meta_vid001", "title": "T", "upload_date": "1999"}))
    got = md.read_info_json(bad_date)
    assert got.fatal is None and got.videos[0].title == "T"
    assert got.videos[0].upload_date is None
    assert [p.kind for p in got.problems] == ["bad_metadata_value"]
    broken = tmp_path / "z.info.json"
    broken.write_text("{not json")
    assert md.read_info_json(broken).fatal.kind == "bad_metadata"
    deep = tmp_path / "deep.info.json"
    deep.write_text('{"id": "meta_vid001", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert md.read_info_json(deep).fatal.kind == "bad_metadata"


# --- CSV -----------------------------------------------------------------------------------


def test_metadata_csv_rows_load_and_bad_values_are_warnings(tmp_path):
    folder = tmp_path / "meta"
    folder.mkdir()
    for name in ("videos.csv", "unrelated.csv"):
        shutil.copy(FILES / name, folder / name)
    db = tmp_path / "w.duckdb"
    report = run([NOTES, folder], db)
    rows = csv_rows()
    kinds = sorted((p["severity"], p["error_kind"]) for p in report.problems)
    assert kinds == [
        ("skipped", "unsupported_file"),  # unrelated.csv: no video_id column
        ("warning", "bad_metadata_value"),  # not-an-id
        ("warning", "bad_metadata_value"),  # meta_vid003's impossible date
    ]
    v2 = video(db, "meta_vid002")
    assert v2["title"] == rows["meta_vid002"]["title"] == 'Open Models, Briefly: "Why Now?"'
    assert v2["channel_handle"] == rows["meta_vid002"]["channel"]  # '@MachineTalks'
    assert v2["channel_name"] == "mtalks" and v2["channel_name_source"] == "note"
    assert v2["upload_date"] == date(2024, 4, 11) and v2["duration_seconds"] == 600
    v3 = video(db, "meta_vid003")  # known from the CSV alone
    assert v3["title"] == "Listed only here" and v3["upload_date"] is None
    assert v3["duration_seconds"] == 3725  # 1:02:05
    with ro(db) as con:
        (n,) = con.execute("SELECT count(*) FROM video_metadata WHERE origin = 'csv'").fetchone()
    assert n == 3  # the row with a bad id is the only one left out


def test_csv_semicolons_bom_and_header_aliases(tmp_path):
    f = tmp_path / "list.csv"
    f.write_bytes("\ufeffVideo ID;Title;Duration\nmeta_vid001;Semi; colon;12:00\n".encode())
    got = md.read_metadata_csv(f)
    # "Semi" and " colon" are two cells: the extra cell is ignored, the title is "Semi".
    assert [(v.video_id, v.title) for v in got.videos] == [("meta_vid001", "Semi")]
    f.write_text("video_id,title\n")
    assert md.read_metadata_csv(f).fatal.kind == "bad_metadata"


# --- the fetch path ---------------------------------------------------------------------------


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def _register(
    rsps, watch: str | bytes = "watch_metadata.html", player: str = "player_ok_details.json"
):
    page = watch if isinstance(watch, bytes) else (YT / watch).read_bytes()
    rsps.get("https://www.youtube.com/watch", body=page)
    rsps.post(
        "https://www.youtube.com/youtubei/v1/player",
        body=(YT / player).read_bytes(),
        content_type="application/json",
    )
    rsps.get(
        "https://www.youtube.com/api/timedtext",
        body=(YT / "timedtext_en.xml").read_bytes(),
        match=[matchers.query_param_matcher({"lang": "en"}, strict_match=False)],
    )


def _expected_from_fixtures() -> dict:
    player = json.loads((YT / "player_ok_details.json").read_text("utf-8"))["videoDetails"]
    html = (YT / "watch_metadata.html").read_text("utf-8")
    start = html.index("ytInitialPlayerResponse = ") + len("ytInitialPlayerResponse = ")
    micro, _ = json.JSONDecoder().raw_decode(html, start)
    micro = micro["microformat"]["playerMicroformatRenderer"]
    return {
        "title": player["title"],
        "channel_name": micro["ownerChannelName"],
        "channel_handle": micro["ownerProfileUrl"].rsplit("/", 1)[1],
        "channel_id": player["channelId"],
        "upload_date": micro["publishDate"][:10],
        "duration_seconds": float(player["lengthSeconds"]),
        "source": "youtube player response",
    }


AT = datetime(2025, 6, 1, 12, 0, 1, tzinfo=UTC)


def test_fetch_keeps_the_video_metadata_youtube_sent_and_ingest_loads_it(rsps, tmp_path):
    _register(rsps)
    session = requests.Session()
    cfg = yt.FetchConfig(cache_dir=tmp_path / "cache", jitter=0.0)
    result = yt.fetch_transcript(VID, cfg, sleep=lambda s: None, now=lambda: AT, session=session)
    assert result.status == "fetched"
    assert [c.request.method for c in rsps.calls] == ["GET", "POST", "GET"]  # no extra request
    assert session.hooks["response"] == []  # the caller's session is left as it was
    cached = json.loads(result.cache_path.read_text("utf-8"))
    want = _expected_from_fixtures()
    assert cached["video"] == want
    db = tmp_path / "w.duckdb"
    report = run([result.cache_path], db)
    assert report.n_errors == 0
    v = video(db, VID)
    assert v["title"] == want["title"] and v["title_source"] == "youtube"
    assert v["channel_name"] == "Fireship" and v["channel_handle"] == "@Fireship"
    assert v["upload_date"] == date(2024, 3, 5) and v["upload_date_source"] == "youtube"
    assert v["duration_seconds"] == 754 and v["duration_source"] == "youtube"
    assert v["accessed_date"] == AT.date()


def test_player_endpoint_alone_gives_what_it_has(rsps, tmp_path):
    """The innertube answer has videoDetails but no microformat: title, channel, length;
    no date is made up."""
    _register(rsps, watch="watch.html")
    cfg = yt.FetchConfig(cache_dir=tmp_path / "cache", jitter=0.0)
    result = yt.fetch_transcript(VID, cfg, sleep=lambda s: None, now=lambda: AT)
    video_meta = json.loads(result.cache_path.read_text("utf-8"))["video"]
    assert video_meta["title"] and video_meta["channel_name"] == "Fireship"
    assert video_meta["upload_date"] is None and video_meta["channel_handle"] is None
    assert video_meta["duration_seconds"] == 754


def test_broken_metadata_never_costs_the_transcript(rsps, tmp_path):
    html = (YT / "watch_metadata.html").read_text("utf-8")
    broken = html.replace("ytInitialPlayerResponse = {", "ytInitialPlayerResponse = {{")
    _register(rsps, watch=broken.encode(), player="player_ok.json")
    cfg = yt.FetchConfig(cache_dir=tmp_path / "cache", jitter=0.0)
    result = yt.fetch_transcript(VID, cfg, sleep=lambda s: None, now=lambda: AT)
    assert result.status == "fetched"
    assert "video" not in json.loads(result.cache_path.read_text("utf-8"))


def test_responses_about_another_video_are_ignored():
    resp = {"videoDetails": {"videoId": "otherVideo1", "title": "Not this one"}}
    assert md.from_player_responses(VID, [resp]) is None


# --- precedence -----------------------------------------------------------------------------------


def _cache_file(folder: Path, vid: str, title: str, duration: float) -> Path:
    """A fetch cache file as ``ytclaims fetch`` writes it (snippets + ``video``)."""
    path = folder / f"{vid}.en.json"
    path.write_text(
        json.dumps(
            {
                "video_id": vid,
                "language": "English",
                "language_code": "en",
                "is_generated": False,
                "translated_from": None,
                "fetched_at": "2025-06-01T12:00:00+00:00",
                "snippets": [{"text": "Hello there.", "start": 1.0, "duration": 2.0}],
                "video": {
                    "title": title,
                    "channel_name": "Machine Talks (YouTube)",
                    "upload_date": "2024-03-04",
                    "duration_seconds": duration,
                },
            }
        ),
        encoding="utf-8",
    )
    return path


def test_one_precedence_order_later_better_replaces_later_worse_does_not(tmp_path):
    """youtube > yt-dlp > csv > index page > note; the transcript's end only for duration."""
    assert md.PRECEDENCE == ("youtube", "yt-dlp", "csv", "index", "note", "transcript")
    db = tmp_path / "w.duckdb"
    csv_dir, dl_dir, fetched = tmp_path / "csv", tmp_path / "dl", tmp_path / "fetched"
    for d in (csv_dir, dl_dir, fetched):
        d.mkdir()
    shutil.copy(CSV_FILE, csv_dir / CSV_FILE.name)
    run([NOTES, csv_dir], db)
    rows = csv_rows()
    assert video(db, "meta_vid001")["title"] == rows["meta_vid001"]["title"]
    assert video(db, "meta_vid001")["title_source"] == "csv"
    # A later, better source replaces the CSV's values ...
    shutil.copy(INFO, dl_dir / INFO.name)
    run([dl_dir], db)
    assert video(db, "meta_vid001")["title"] == info()["title"]
    # ... a later, worse one does not: the CSV edited after the yt-dlp file.
    (csv_dir / CSV_FILE.name).write_text(
        "video_id,title\nmeta_vid001,Edited later by hand\n", encoding="utf-8"
    )
    run([csv_dir], db)
    v = video(db, "meta_vid001")
    assert v["title"] == info()["title"] and v["upload_date"] == date(2024, 3, 5)
    # YouTube's own answer at fetch time beats yt-dlp.
    _cache_file(fetched, "meta_vid001", "What YouTube says", 1263.0)
    run([fetched], db)
    v = video(db, "meta_vid001")
    assert (v["title"], v["title_source"]) == ("What YouTube says", "youtube")
    assert (v["duration_seconds"], v["duration_source"]) == (1263.0, "youtube")
    # Gone sources give their values back to the next best one (pruning only looks
    # under inputs where the run found files: keep one in each folder).
    (fetched / "meta_vid001.en.json").unlink()
    (dl_dir / INFO.name).unlink()
    for d in (fetched, dl_dir):
        shutil.copy(FILES / "unrelated.csv", d / "unrelated.csv")
    run([fetched, dl_dir, csv_dir], db, prune=True)
    v = video(db, "meta_vid001")
    assert (v["title"], v["title_source"]) == ("Edited later by hand", "csv")
    assert v["upload_date"] is None and v["duration_source"] is None


def test_transcript_end_is_only_a_fallback_for_the_duration(tmp_path):
    fetched = tmp_path / "fetched"
    fetched.mkdir()
    path = _cache_file(fetched, "meta_vid002", "T", 600.0)
    db = tmp_path / "w.duckdb"
    run([fetched], db)
    assert video(db, "meta_vid002")["duration_seconds"] == 600  # not 3.0, the last cue's end
    data = json.loads(path.read_text("utf-8"))
    del data["video"]
    path.write_text(json.dumps(data), encoding="utf-8")
    run([fetched], db)
    v = video(db, "meta_vid002")
    assert (v["duration_seconds"], v["duration_source"]) == (3.0, "transcript")


# --- single values --------------------------------------------------------------------------------


def test_values_are_validated_and_bounded():
    assert md.parse_upload_date("20240305") == date(2024, 3, 5)
    assert md.parse_upload_date("2024-03-05T07:00:12-08:00") == date(2024, 3, 5)
    assert md.parse_upload_date("2004-12-31") is None  # before YouTube
    assert md.parse_upload_date("2024-02-30") is None
    assert md.parse_upload_date("2999-01-01") is None
    assert md.parse_duration("1:02:05") == 3725 and md.parse_duration(754) == 754
    assert md.parse_duration("12:61") is None and md.parse_duration(-3) is None
    assert md.parse_duration(True) is None and md.parse_duration("nan") is None
    assert md.parse_handle("http://www.youtube.com/@Fireship") == "@Fireship"
    assert md.parse_handle("Fireship") == "@Fireship"
    assert md.parse_handle("not a handle") is None
    assert md.clean_text("  a\x1b[31mred\x1b[0m\nline\u2028 ") == "a [31mred [0m line"
    assert len(md.clean_text("x" * 5000)) == md.MAX_TEXT
