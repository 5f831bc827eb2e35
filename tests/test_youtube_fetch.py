"""The YouTube transcript fetcher, against recorded/synthetic HTTP bodies (no network).

Every test runs inside a ``responses`` mock: a request to any URL a test did not
register fails, so nothing here can reach YouTube. ``sleep`` is injected (a list that
records the delays), so retries and the rate limit cost no time and are asserted.
The request sequence per video is: watch page GET -> innertube player POST ->
timedtext GET (youtube-transcript-api 1.2.5); fixtures are in tests/fixtures/youtube.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
import youtube_transcript_api as yta_errors
from responses import matchers
from youtube_transcript_api.proxies import GenericProxyConfig, WebshareProxyConfig

from ytclaims import errors
from ytclaims.sources.youtube import errors as yterr
from ytclaims.sources.youtube import fetch as yt
from ytclaims.sources.youtube import proxy, refs

FIX = Path(__file__).resolve().parent / "fixtures" / "youtube"
WATCH = "https://www.youtube.com/watch"
PLAYER = "https://www.youtube.com/youtubei/v1/player"
TIMEDTEXT = "https://www.youtube.com/api/timedtext"
VID = "GJLlxj_dtq8"
VID2 = "F1xioXWb8CY"
VID3 = "dsMFmonKDD4"
VID4 = "Njp5uhTorCo"

#: What the library parses out of timedtext_en.xml (the empty cue is dropped).
EN_SNIPPETS = [
    {"text": "Hey, this is just a test", "start": 0.0, "duration": 1.54},
    {"text": "this is not the original transcript", "start": 1.54, "duration": 4.16},
    {"text": "just something shorter, I made up for testing", "start": 5.7, "duration": 3.239},
]
ROW_KEYS = {
    "video_id",
    "attempted_at",
    "attempt",
    "outcome",
    "error_class",
    "message",
    "will_retry",
}


def body(name: str) -> bytes:
    return (FIX / name).read_bytes()


class Clock:
    """A clock that advances one second per reading, in UTC."""

    def __init__(self) -> None:
        self.t = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.t += timedelta(seconds=1)
        return self.t


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def sleeps() -> list[float]:
    return []


def config(tmp_path: Path, **kw) -> yt.FetchConfig:
    """A config for tests: cache in tmp_path, no jitter (delays are exact), no proxy."""
    kw.setdefault("cache_dir", tmp_path / "cache")
    kw.setdefault("jitter", 0.0)
    return yt.FetchConfig(**kw)


def register(
    rsps: responses.RequestsMock,
    player: str = "player_ok.json",
    captions: dict[str, str] | None = None,
) -> None:
    """The happy path: watch page, one player answer, caption bodies by ``lang=``."""
    rsps.get(WATCH, body=body("watch.html"))
    rsps.post(PLAYER, body=body(player), content_type="application/json")
    for lang, name in (captions or {"en": "timedtext_en.xml"}).items():
        rsps.get(
            TIMEDTEXT,
            body=body(name),
            match=[matchers.query_param_matcher({"lang": lang}, strict_match=False)],
        )


def calls_to(rsps: responses.RequestsMock, url: str) -> list:
    return [c for c in rsps.calls if c.request.url.split("?")[0] == url]


def timedtext_query(rsps: responses.RequestsMock) -> dict[str, list[str]]:
    (call,) = calls_to(rsps, TIMEDTEXT)
    return parse_qs(urlsplit(call.request.url).query)


def fetch(vid: str, cfg: yt.FetchConfig, sleeps: list[float], **kw) -> yt.FetchResult:
    return yt.fetch_transcript(vid, cfg, sleep=sleeps.append, now=Clock(), **kw)


def check_rows(result: yt.FetchResult) -> None:
    for i, row in enumerate(result.attempts, start=1):
        assert set(row) == ROW_KEYS
        assert row["video_id"] == result.video_id
        assert row["attempt"] == i
        assert row["attempted_at"].tzinfo is not None
        assert row["attempted_at"].utcoffset() == timedelta(0)
        assert isinstance(row["message"], str) and row["message"]


# --- success paths ------------------------------------------------------------------


def test_fetch_manual_english_track_writes_cache_first(rsps, sleeps, tmp_path):
    register(rsps)
    cfg = config(tmp_path)
    result = fetch(VID, cfg, sleeps)

    assert result.status == "fetched" and result.ok and result.error is None
    assert result.track_info == {
        "language": "English",
        "language_code": "en",
        "is_generated": False,
        "translated_from": None,
    }
    assert result.snippets == EN_SNIPPETS
    assert [c.request.method for c in rsps.calls] == ["GET", "POST", "GET"]
    query = timedtext_query(rsps)
    assert query["lang"] == ["en"] and "kind" not in query  # the manual track, not asr
    assert sleeps == []

    path = tmp_path / "cache" / f"{VID}.en.json"
    assert result.cache_path == path
    cached = json.loads(path.read_text(encoding="utf-8"))
    assert cached == {
        "video_id": VID,
        "language": "English",
        "language_code": "en",
        "is_generated": False,
        "translated_from": None,
        "fetched_at": result.attempts[0]["attempted_at"].isoformat(),
        "snippets": EN_SNIPPETS,
    }
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left

    (row,) = result.attempts
    check_rows(result)
    assert row["outcome"] == "ok" and row["error_class"] is None and not row["will_retry"]


def test_generated_only_track(rsps, sleeps, tmp_path):
    register(rsps, player="player_generated_only.json")
    result = fetch("GENonly0001", config(tmp_path), sleeps)
    assert result.status == "fetched"
    assert result.track_info["is_generated"] is True
    assert result.track_info["language"] == "English (auto-generated)"
    assert timedtext_query(rsps)["kind"] == ["asr"]


def test_prefer_manual_false_takes_generated_when_both_exist(rsps, sleeps, tmp_path):
    register(rsps)  # player_ok has a manual and a generated English track
    result = fetch(VID, config(tmp_path, prefer_manual=False), sleeps)
    assert result.track_info["is_generated"] is True
    assert timedtext_query(rsps)["kind"] == ["asr"]


@pytest.mark.parametrize(
    ("languages", "prefer_manual", "want_code", "want_generated"),
    [
        # Manual beats generated across the whole preference list ...
        (["de", "en"], True, "en", False),
        # ... unless generated is preferred.
        (["de", "en"], False, "de", True),
        (["fr", "en"], True, "fr", False),
        (["en", "fr"], True, "en", False),
        # No manual track in any wanted language: fall back to generated.
        (["xx", "de"], True, "de", True),
    ],
)
def test_track_preference_order(
    rsps, sleeps, tmp_path, languages, prefer_manual, want_code, want_generated
):
    register(
        rsps,
        player="player_mixed.json",
        captions={"en": "timedtext_en.xml", "de": "timedtext_de.xml", "fr": "timedtext_fr.xml"},
    )
    cfg = config(tmp_path, languages=languages, prefer_manual=prefer_manual)
    result = fetch("MIXED000001", cfg, sleeps)
    assert result.status == "fetched"
    assert result.track_info["language_code"] == want_code
    assert result.track_info["is_generated"] is want_generated
    assert timedtext_query(rsps)["lang"] == [want_code]
    assert result.cache_path == tmp_path / "cache" / f"MIXED000001.{want_code}.json"


def test_language_order_on_recorded_track_list(rsps, sleeps, tmp_path):
    register(rsps, captions={"de": "timedtext_de.xml"})
    result = fetch(VID, config(tmp_path, languages=["de", "en"]), sleeps)
    assert result.track_info == {
        "language": "German",
        "language_code": "de",
        "is_generated": False,
        "translated_from": None,
    }
    assert result.snippets[0]["text"] == "Hallo, das ist nur ein Test"


def test_translation(rsps, sleeps, tmp_path):
    register(rsps, captions={"en": "timedtext_ar.xml"})  # the tlang URL keeps lang=en
    result = fetch(VID, config(tmp_path, translate_to="ar"), sleeps)
    assert result.status == "fetched"
    assert result.track_info == {
        "language": "Arabic",
        "language_code": "ar",
        "is_generated": True,  # YouTube's machine translation
        "translated_from": "en",
    }
    query = timedtext_query(rsps)
    assert query["tlang"] == ["ar"] and query["lang"] == ["en"]
    assert result.cache_path == tmp_path / "cache" / f"{VID}.ar.json"
    assert json.loads(result.cache_path.read_text(encoding="utf-8"))["translated_from"] == "en"


def test_translate_to_the_tracks_own_language_is_no_translation(rsps, sleeps, tmp_path):
    register(rsps)
    result = fetch(VID, config(tmp_path, translate_to="en"), sleeps)
    assert result.track_info["translated_from"] is None
    assert "tlang" not in timedtext_query(rsps)


def test_accepts_a_url_as_video_id(rsps, sleeps, tmp_path):
    register(rsps)
    result = fetch(f"https://youtu.be/{VID}?t=42", config(tmp_path), sleeps)
    assert result.status == "fetched" and result.video_id == VID
    assert parse_qs(urlsplit(rsps.calls[0].request.url).query)["v"] == [VID]


# --- permanent failures: one attempt, no retry, no sleep, no cache --------------------


@pytest.mark.parametrize(
    ("player", "languages", "error_type", "error_class", "in_message"),
    [
        (
            "player_transcripts_disabled.json",
            ["en"],
            yterr.TranscriptsDisabledError,
            "TranscriptsDisabled",
            "disabled",
        ),
        ("player_ok.json", ["cz"], yterr.NoTranscriptError, "NoTranscriptFound", "en (manual)"),
        (
            "player_video_unavailable.json",
            ["en"],
            yterr.VideoUnavailableError,
            "VideoUnavailable",
            "unavailable",
        ),
        ("player_age_restricted.json", ["en"], yterr.AgeRestrictedError, "AgeRestricted", "age"),
        (
            "player_po_token_required.json",
            ["en"],
            yterr.PoTokenRequiredError,
            "PoTokenRequired",
            "PO token",
        ),
        (
            "player_unplayable.json",
            ["en"],
            yterr.VideoUnplayableError,
            "VideoUnplayable",
            "Custom Reason; Sub Reason 1",
        ),
    ],
)
def test_permanent_errors_are_not_retried(
    rsps, sleeps, tmp_path, player, languages, error_type, error_class, in_message
):
    register(rsps, player=player)
    result = fetch(VID, config(tmp_path, languages=languages), sleeps)

    assert result.status == "failed" and not result.ok
    assert isinstance(result.error, error_type)
    assert isinstance(result.error, yterr.PermanentFetchError)
    assert isinstance(result.error, errors.YtclaimsError)
    assert not result.error.transient and result.error.hint
    assert in_message in result.error.message
    (row,) = result.attempts
    check_rows(result)
    assert row["outcome"] == "permanent" and row["error_class"] == error_class
    assert row["will_retry"] is False
    assert len(calls_to(rsps, PLAYER)) == 1
    assert sleeps == []
    assert result.cache_path is None and result.snippets == [] and result.track_info is None
    assert not (tmp_path / "cache").exists()


def test_translation_language_not_available_is_permanent(rsps, sleeps, tmp_path):
    register(rsps)
    result = fetch(VID, config(tmp_path, translate_to="xyz"), sleeps)
    assert isinstance(result.error, yterr.TranslationUnavailableError)
    assert result.attempts[0]["error_class"] == "TranslationLanguageNotAvailable"
    assert "offered: ar, zh-Hant" in result.error.message
    assert calls_to(rsps, TIMEDTEXT) == [] and sleeps == []


def test_invalid_reference_makes_no_request(rsps, sleeps, tmp_path):
    result = fetch("https://vimeo.com/12345", config(tmp_path), sleeps)
    assert result.status == "failed" and isinstance(result.error, yterr.InvalidVideoRefError)
    assert result.attempts[0]["error_class"] == "InvalidVideoRef"
    assert "youtu.be/ID" in result.attempts[0]["message"]  # says what is accepted
    assert len(rsps.calls) == 0


@pytest.mark.parametrize(
    ("exc", "error_type", "error_class", "transient"),
    [
        (yta_errors.InvalidVideoId("x"), yterr.InvalidVideoIdError, "InvalidVideoId", False),
        (
            yta_errors.NotTranslatable("x"),
            yterr.TranslationUnavailableError,
            "NotTranslatable",
            False,
        ),
        (
            yta_errors.YouTubeDataUnparsable("x"),
            yterr.YouTubeDataUnparsableError,
            "YouTubeDataUnparsable",
            False,
        ),
        (
            yta_errors.FailedToCreateConsentCookie("x"),
            yterr.ConsentCookieError,
            "FailedToCreateConsentCookie",
            False,
        ),
        (yta_errors.IpBlocked("x"), yterr.BlockedError, "IpBlocked", True),
        (yta_errors.RequestBlocked("x"), yterr.BlockedError, "RequestBlocked", True),
        (KeyError("captionTracks"), yterr.MalformedResponseError, "KeyError", True),
        (requests.exceptions.ReadTimeout("slow"), yterr.NetworkError, "ReadTimeout", True),
        (ConnectionResetError("reset"), yterr.NetworkError, "ConnectionResetError", True),
        (RuntimeError("?"), yterr.UnexpectedFetchError, "RuntimeError", False),
    ],
)
def test_classify(exc, error_type, error_class, transient):
    err = yt.classify(exc)
    assert isinstance(err, error_type)
    assert err.error_class == error_class and err.transient is transient
    assert err.kind and err.hint


@pytest.mark.parametrize(
    ("status", "transient"), [(404, False), (403, False), (500, True), (503, True)]
)
def test_http_status_decides_retry(rsps, sleeps, tmp_path, status, transient):
    register(rsps)
    rsps.replace(responses.POST, PLAYER, status=status)
    result = fetch(VID, config(tmp_path, max_attempts=2), sleeps)
    assert result.status == "failed"
    assert result.attempts[0]["error_class"] == f"HTTP {status}"
    assert result.error.transient is transient
    assert len(result.attempts) == (2 if transient else 1)
    assert sleeps == ([1.0] if transient else [])


# --- transient failures: retried with growing delays ---------------------------------


def test_429_then_ok(rsps, sleeps, tmp_path):
    rsps.get(WATCH, status=429)
    rsps.get(WATCH, status=429)
    register(rsps)  # the third watch request (and the rest) succeed
    result = fetch(VID, config(tmp_path), sleeps)

    assert result.status == "fetched" and result.snippets == EN_SNIPPETS
    assert sleeps == [1.0, 2.0]
    check_rows(result)
    assert [(r["outcome"], r["error_class"], r["will_retry"]) for r in result.attempts] == [
        ("transient", "IpBlocked", True),
        ("transient", "IpBlocked", True),
        ("ok", None, False),
    ]
    assert result.attempts[0]["attempted_at"] < result.attempts[2]["attempted_at"]


def test_connection_errors_then_ok(rsps, sleeps, tmp_path):
    rsps.get(WATCH, body=body("watch.html"))
    for exc in (
        requests.exceptions.ConnectionError("connection reset by peer"),
        requests.exceptions.ConnectTimeout("connect timed out"),
        requests.exceptions.ConnectionError("connection reset by peer"),
    ):
        rsps.post(PLAYER, body=exc)
    register(rsps)
    result = fetch(VID, config(tmp_path, backoff_base_seconds=0.5), sleeps)

    assert result.status == "fetched"
    assert sleeps == [0.5, 1.0, 2.0]
    assert [r["error_class"] for r in result.attempts] == [
        "ConnectionError",
        "ConnectTimeout",
        "ConnectionError",
        None,
    ]
    assert [r["will_retry"] for r in result.attempts] == [True, True, True, False]


def test_backoff_is_capped(rsps, sleeps, tmp_path):
    rsps.get(WATCH, status=503)
    cfg = config(tmp_path, max_attempts=6, backoff_base_seconds=1.0, backoff_max_seconds=5.0)
    result = fetch(VID, cfg, sleeps)
    assert sleeps == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert len(result.attempts) == 6


def test_jitter_only_shortens_delays():
    cfg = yt.FetchConfig(jitter=0.5, backoff_base_seconds=2.0)
    assert yt.backoff_delay(1, cfg, lambda: 0.0) == 2.0
    assert yt.backoff_delay(2, cfg, lambda: 1.0) == 2.0  # 4 s shortened by half
    assert yt.backoff_delay(3, cfg, lambda: 0.5) == 6.0


def test_transient_failures_exhaust_max_attempts(rsps, sleeps, tmp_path):
    register(rsps, player="player_request_blocked.json")
    result = fetch(VID, config(tmp_path, max_attempts=3), sleeps)

    assert result.status == "failed"
    assert isinstance(result.error, yterr.BlockedError) and result.error.transient
    assert sleeps == [1.0, 2.0]
    check_rows(result)
    assert [(r["outcome"], r["error_class"], r["will_retry"]) for r in result.attempts] == [
        ("transient", "RequestBlocked", True),
        ("transient", "RequestBlocked", True),
        ("transient", "RequestBlocked", False),
    ]
    assert len(calls_to(rsps, PLAYER)) == 3
    assert not (tmp_path / "cache").exists()


def test_recaptcha_page_is_ip_blocked(rsps, sleeps, tmp_path):
    rsps.get(WATCH, body=body("watch_recaptcha.html"))
    result = fetch(VID, config(tmp_path, max_attempts=2), sleeps)
    assert [r["error_class"] for r in result.attempts] == ["IpBlocked", "IpBlocked"]
    assert "YTCLAIMS_PROXY_HTTPS" in result.error.hint


@pytest.mark.parametrize(
    ("where", "bad_body", "error_class"),
    [
        (TIMEDTEXT, b"", "ParseError"),  # empty caption body
        (TIMEDTEXT, body("timedtext_missing_start.xml"), "KeyError"),
        (PLAYER, b"", "JSONDecodeError"),  # empty innertube answer
    ],
)
def test_leaked_parse_errors_are_transient(rsps, sleeps, tmp_path, where, bad_body, error_class):
    rsps.get(WATCH, body=body("watch.html"))
    if where == PLAYER:
        rsps.post(PLAYER, body=bad_body, content_type="application/json")
        rsps.post(PLAYER, body=body("player_ok.json"), content_type="application/json")
        rsps.get(TIMEDTEXT, body=body("timedtext_en.xml"))
    else:
        rsps.post(PLAYER, body=body("player_ok.json"), content_type="application/json")
        rsps.get(TIMEDTEXT, body=bad_body)
        rsps.get(TIMEDTEXT, body=body("timedtext_en.xml"))
    result = fetch(VID, config(tmp_path), sleeps)

    assert result.status == "fetched" and result.snippets == EN_SNIPPETS
    first = result.attempts[0]
    assert (first["outcome"], first["error_class"], first["will_retry"]) == (
        "transient",
        error_class,
        True,
    )
    assert sleeps == [1.0]


# --- cache --------------------------------------------------------------------------


def write_cache(cache_dir: Path, vid: str, code: str, text: str) -> Path:
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{vid}.{code}.json"
    payload = {
        "video_id": vid,
        "language": "English",
        "language_code": code,
        "is_generated": False,
        "translated_from": None,
        "fetched_at": "2025-01-01T00:00:00+00:00",
        "snippets": [{"text": text, "start": 1.0, "duration": 2.0}],
    }
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def test_cache_hit_makes_no_http_call(sleeps, tmp_path):
    path = write_cache(tmp_path / "cache", VID, "en", "from the cache")
    with responses.RequestsMock() as rsps:  # nothing registered: any request would fail
        result = fetch(VID, config(tmp_path, languages=["de", "en"]), sleeps)
        assert len(rsps.calls) == 0
    assert result.status == "cached" and result.cache_path == path
    assert result.snippets == [{"text": "from the cache", "start": 1.0, "duration": 2.0}]
    assert result.track_info["language_code"] == "en"
    (row,) = result.attempts
    assert row["outcome"] == "cached" and row["error_class"] is None
    assert sleeps == []


def test_second_fetch_is_a_cache_hit(rsps, sleeps, tmp_path):
    register(rsps)
    cfg = config(tmp_path)
    first = fetch(VID, cfg, sleeps)
    second = fetch(VID, cfg, sleeps)
    assert (first.status, second.status) == ("fetched", "cached")
    assert second.snippets == first.snippets and second.track_info == first.track_info
    assert len(rsps.calls) == 3


def test_cache_in_another_language_is_not_a_hit(rsps, sleeps, tmp_path):
    write_cache(tmp_path / "cache", VID, "fr", "en français")
    register(rsps)
    result = fetch(VID, config(tmp_path, languages=["en"]), sleeps)
    assert result.status == "fetched" and len(rsps.calls) == 3


def test_corrupt_cache_file_is_refetched(rsps, sleeps, tmp_path):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / f"{VID}.en.json").write_text("{truncated", encoding="utf-8")
    register(rsps)
    result = fetch(VID, config(tmp_path), sleeps)
    assert result.status == "fetched"
    assert json.loads(result.cache_path.read_text(encoding="utf-8"))["snippets"] == EN_SNIPPETS


def test_force_refetches_and_replaces(rsps, sleeps, tmp_path):
    path = write_cache(tmp_path / "cache", VID, "en", "stale")
    register(rsps)
    result = fetch(VID, config(tmp_path, force=True), sleeps)
    assert result.status == "fetched" and len(rsps.calls) == 3
    assert json.loads(path.read_text(encoding="utf-8"))["snippets"] == EN_SNIPPETS


@pytest.mark.parametrize(
    "player", ["player_transcripts_disabled.json", "player_request_blocked.json"]
)
def test_failed_forced_fetch_keeps_the_good_cache(rsps, sleeps, tmp_path, player):
    path = write_cache(tmp_path / "cache", VID, "en", "good copy")
    before = path.read_bytes()
    register(rsps, player=player)
    result = fetch(VID, config(tmp_path, force=True, max_attempts=2), sleeps)
    assert result.status == "failed"
    assert path.read_bytes() == before
    assert result.cache_path is None and result.kept_cache_path == path
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_unwritable_cache_is_a_failure_not_a_crash(rsps, sleeps, tmp_path):
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    register(rsps)
    result = fetch(VID, config(tmp_path, cache_dir=blocker / "cache"), sleeps)
    assert result.status == "failed" and isinstance(result.error, yterr.CacheWriteError)
    assert result.attempts[-1]["error_class"] == "CacheWriteError"
    assert result.snippets == []


# --- timeouts and sessions ----------------------------------------------------------


def test_timeout_is_passed_on_every_request(rsps, sleeps, tmp_path):
    rsps.get(WATCH, status=503)
    register(rsps)
    result = fetch(VID, config(tmp_path, timeout_seconds=7.5), sleeps)
    assert result.status == "fetched"
    assert len(rsps.calls) == 4
    assert [c.request.req_kwargs["timeout"] for c in rsps.calls] == [7.5] * 4


def test_timeout_applies_to_a_callers_session_and_through_webshare(rsps, sleeps, tmp_path):
    register(rsps)
    session = requests.Session()
    proxy = WebshareProxyConfig(proxy_username="ws-user", proxy_password="ws-pass")
    cfg = config(tmp_path, timeout_seconds=3.0, proxy=proxy)
    result = fetch(VID, cfg, sleeps, session=session)
    assert result.status == "fetched" and result.via_proxy
    assert [c.request.req_kwargs["timeout"] for c in rsps.calls] == [3.0] * 3
    assert rsps.calls[-1].request.headers.get("Connection") == "close"
    # Wrapping twice does not nest the wrapper.
    yt._apply_timeout(session, 4.0)
    yt._apply_timeout(session, 5.0)
    session.get(WATCH)
    assert rsps.calls[-1].request.req_kwargs["timeout"] == 5.0


# --- credentials --------------------------------------------------------------------

SECRET_USER, SECRET_PASS = "bob-the-user", "hunter2-secret"
PROXY_URL = f"http://{SECRET_USER}:{SECRET_PASS}@proxy.example:8080"


def assert_no_secret(text: str) -> None:
    assert SECRET_USER not in text and SECRET_PASS not in text


def test_proxy_from_environment_is_masked():
    env = {"YTCLAIMS_PROXY_HTTPS": PROXY_URL}
    cfg = yt.FetchConfig.build(environ=env)
    assert isinstance(cfg.proxy, GenericProxyConfig)
    assert cfg.proxy.to_requests_dict() == {"http": PROXY_URL, "https": PROXY_URL}
    for text in (repr(cfg), str(cfg), json.dumps(cfg.safe_dict()), proxy.describe_proxy(cfg.proxy)):
        assert_no_secret(text)
    assert "http://***:***@proxy.example:8080" in repr(cfg)


def test_webshare_from_environment_is_masked():
    env = {"YTCLAIMS_WEBSHARE_USERNAME": SECRET_USER, "YTCLAIMS_WEBSHARE_PASSWORD": SECRET_PASS}
    cfg = yt.FetchConfig.build(environ=env, languages=["de"])
    assert isinstance(cfg.proxy, WebshareProxyConfig)
    assert cfg.proxy.proxy_password == SECRET_PASS
    assert cfg.languages == ["de"]
    assert_no_secret(repr(cfg))
    assert_no_secret(json.dumps(cfg.safe_dict()))


def test_options_override_environment_and_no_proxy_by_default():
    env = {"YTCLAIMS_WEBSHARE_USERNAME": SECRET_USER, "YTCLAIMS_WEBSHARE_PASSWORD": SECRET_PASS}
    cfg = yt.FetchConfig.build(environ=env, proxy_http="http://127.0.0.1:3128")
    assert type(cfg.proxy) is GenericProxyConfig
    assert cfg.proxy.to_requests_dict()["https"] == "http://127.0.0.1:3128"
    assert yt.FetchConfig.build(environ={}).proxy is None
    assert yt.FetchConfig.build(environ={"YTCLAIMS_PROXY_HTTP": "  "}).proxy is None


@pytest.mark.parametrize(
    "env",
    [
        {"YTCLAIMS_WEBSHARE_USERNAME": SECRET_USER},
        {"YTCLAIMS_WEBSHARE_PASSWORD": SECRET_PASS},
        {
            "YTCLAIMS_WEBSHARE_USERNAME": SECRET_USER,
            "YTCLAIMS_WEBSHARE_PASSWORD": SECRET_PASS,
            "YTCLAIMS_PROXY_HTTP": PROXY_URL,
        },
        {"YTCLAIMS_PROXY_HTTPS": f"{SECRET_USER}:{SECRET_PASS}@proxy.example:8080"},
    ],
)
def test_bad_proxy_settings_are_typed_errors_without_secrets(env):
    with pytest.raises(yterr.ProxyConfigError) as info:
        yt.FetchConfig.build(environ=env)
    assert info.value.kind == "proxy_config" and info.value.hint
    assert_no_secret(info.value.message)
    assert_no_secret(str(info.value))


def test_credentials_never_reach_attempts_messages_or_logs(rsps, sleeps, tmp_path, caplog):
    leaky = requests.exceptions.ProxyError(
        f"HTTPSConnectionPool: Max retries exceeded (Caused by ProxyError('Unable to "
        f"connect to proxy {PROXY_URL}', OSError('Tunnel connection failed: 407 {SECRET_USER}')))"
    )
    rsps.get(WATCH, body=leaky)
    cfg = config(tmp_path, proxy=GenericProxyConfig(https_url=PROXY_URL), max_attempts=2)
    with caplog.at_level(logging.DEBUG, logger="ytclaims"):
        results = yt.fetch_many([VID], cfg, sleep=sleeps.append, now=Clock())

    (result,) = results
    assert result.status == "failed" and isinstance(result.error, yterr.NetworkError)
    assert [r["error_class"] for r in result.attempts] == ["ProxyError", "ProxyError"]
    assert "proxy.example" in result.attempts[0]["message"]  # still useful ...
    for text in (
        json.dumps(result.attempts, default=str),
        result.error.message,
        str(result.error),
        repr(result),
        caplog.text,
        yt.advice_for(results),
    ):
        assert_no_secret(text)  # ... but without the credentials


def test_scrub_masks_any_url_userinfo():
    text = "failed via socks5h://someone:pw@10.0.0.1:1080 and https://a:b@h/"
    assert proxy.scrub(text) == "failed via socks5h://***:***@10.0.0.1:1080 and https://***:***@h/"


# --- many videos --------------------------------------------------------------------


def test_fetch_many_rate_limits_network_fetches_only(rsps, sleeps, tmp_path):
    write_cache(tmp_path / "cache", VID2, "en", "cached one")
    register(rsps)
    seen: list[str] = []
    refs = [
        VID,
        f"https://www.youtube.com/watch?v={VID2}",
        "not a video",
        f"https://youtu.be/{VID}",  # duplicate of the first
        f"https://www.youtube.com/shorts/{VID3}",
    ]
    cfg = config(tmp_path, rate_limit_seconds=1.5)
    results = yt.fetch_many(
        refs, cfg, sleep=sleeps.append, now=Clock(), on_result=lambda r: seen.append(r.video_id)
    )

    assert [(r.video_id, r.status) for r in results] == [
        (VID, "fetched"),
        (VID2, "cached"),
        ("not a video", "failed"),
        (VID3, "fetched"),
    ]
    assert seen == [r.video_id for r in results]
    assert sleeps == [1.5]  # one pause: between the two network fetches
    assert len(rsps.calls) == 6
    assert isinstance(results[2].error, yterr.InvalidVideoRefError)
    for r in results:
        check_rows(r)


def test_fetch_many_stops_requesting_after_repeated_blocks(rsps, sleeps, tmp_path):
    rsps.get(WATCH, body=body("watch_recaptcha.html"))
    write_cache(tmp_path / "cache", VID4, "en", "still served from the cache")
    cfg = config(tmp_path, max_attempts=2, give_up_after=2, rate_limit_seconds=1.0)
    refs = [VID, VID2, VID3, VID4, "aaaaaaaaaaa"]
    results = yt.fetch_many(refs, cfg, sleep=sleeps.append, now=Clock())

    assert [r.status for r in results] == ["failed", "failed", "failed", "cached", "failed"]
    assert [r.attempts[-1]["outcome"] for r in results] == [
        "transient",
        "transient",
        "skipped",
        "cached",
        "skipped",
    ]
    assert len(rsps.calls) == 4  # 2 videos x 2 attempts, then no more requests
    assert sleeps == [1.0, 1.0, 1.0]  # backoff, rate limit, backoff
    assert isinstance(results[2].error, yterr.SkippedAfterFailuresError)
    advice = yt.advice_for(results)
    assert "4 of 5 videos" in advice


def test_fetch_many_never_raises(rsps, sleeps, tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("library bug")

    monkeypatch.setattr(yt.YouTubeTranscriptApi, "list", boom)
    results = yt.fetch_many([VID, VID2], config(tmp_path), sleep=sleeps.append, now=Clock())
    assert [r.status for r in results] == ["failed", "failed"]
    assert all(isinstance(r.error, yterr.UnexpectedFetchError) for r in results)
    assert results[0].attempts[0]["error_class"] == "RuntimeError"


# --- advice -------------------------------------------------------------------------


def test_advice_when_everything_was_blocked(rsps, sleeps, tmp_path):
    rsps.get(WATCH, body=body("watch_recaptcha.html"))
    cfg = config(tmp_path, max_attempts=1, give_up_after=0)
    results = yt.fetch_many([VID, VID2], cfg, sleep=sleeps.append, now=Clock())
    advice = yt.advice_for(results)
    assert "No transcript could be fetched" in advice and "2 blocked by YouTube" in advice
    for needle in (
        "YTCLAIMS_PROXY_HTTPS",
        "YTCLAIMS_PROXY_HTTP",
        "YTCLAIMS_WEBSHARE_USERNAME",
        "YTCLAIMS_WEBSHARE_PASSWORD",
        "ytclaims ingest",
        "yt-dlp",
    ):
        assert needle in advice


def test_advice_through_a_proxy_and_for_network_errors(rsps, sleeps, tmp_path):
    rsps.get(WATCH, body=requests.exceptions.ConnectionError("no route to host"))
    cfg = config(tmp_path, max_attempts=1, proxy=GenericProxyConfig(http_url=PROXY_URL))
    advice = yt.advice_for(yt.fetch_many([VID], cfg, sleep=sleeps.append, now=Clock()))
    assert "could not be reached" in advice and "proxy is reachable" in advice
    assert "residential" in advice
    assert_no_secret(advice)


def test_no_advice_for_successes_or_permanent_failures(rsps, sleeps, tmp_path):
    register(rsps, player="player_transcripts_disabled.json")
    results = yt.fetch_many([VID], config(tmp_path), sleep=sleeps.append, now=Clock())
    assert yt.advice_for(results) == ""
    assert yt.advice_for([]) == ""


# --- references, config, error classes ----------------------------------------------


@pytest.mark.parametrize(
    "ref",
    [
        VID,
        f"  {VID}\n",
        f"https://www.youtube.com/watch?v={VID}",
        f"https://youtube.com/watch?v={VID}&t=42s&list=PL123",
        f"https://www.youtube.com/watch?feature=share&v={VID}",
        f"http://m.youtube.com/watch?v={VID}",
        f"https://music.youtube.com/watch?v={VID}&si=abc",
        f"www.youtube.com/watch?v={VID}",
        f"youtube.com/watch/?v={VID}",
        f"https://WWW.YouTube.com/watch?v={VID}",
        f"https://www.youtube.com/shorts/{VID}",
        f"https://youtube.com/shorts/{VID}?feature=share",
        f"https://youtu.be/{VID}",
        f"youtu.be/{VID}?si=xyz&t=10",
        f"https://www.youtube.com/embed/{VID}?start=30",
        f"https://www.youtube-nocookie.com/embed/{VID}",
        f"https://www.youtube.com/live/{VID}?feature=shared",
        f"https://www.youtube.com/watch?v={VID}#t=30",
        f"youtube.com/watch?v={VID}&redirect=https://example.org/",
    ],
)
def test_parse_video_ref_accepts(ref):
    assert refs.parse_video_ref(ref) == VID


@pytest.mark.parametrize(
    "ref",
    [
        "",
        "   ",
        "GJLlxj_dtq",  # 10 characters
        "GJLlxj_dtq8x",  # 12 characters
        "GJLlxj dtq8",
        "GJLlxj_dtq!",
        "https://www.youtube.com/watch",
        "https://www.youtube.com/watch?v=",
        "https://www.youtube.com/watch?v=short",
        f"https://www.youtube.com/watch?v={VID}&v={VID2}",
        "https://www.youtube.com/playlist?list=PL590L5WQmH8fJ54F369BLDSqIwcs-TCfs",
        "https://www.youtube.com/@3blue1brown",
        "https://www.youtube.com/channel/UCYO_jab_esuFRV4b17AJtAw",
        f"https://www.youtube.com/shorts/{VID}/extra",
        f"https://vimeo.com/{VID}",
        f"https://youtube.com.evil.example/watch?v={VID}",
        f"https://evil.example/?u=youtube.com/watch?v={VID}",
        f"https://user@www.youtube.com/watch?v={VID}",
        f"ftp://www.youtube.com/watch?v={VID}",
        f"https://youtu.be/{VID}/x",
        f"https://www.youtube.com/{VID}",
    ],
)
def test_parse_video_ref_rejects(ref):
    with pytest.raises(yterr.InvalidVideoRefError) as info:
        refs.parse_video_ref(ref)
    assert info.value.kind == "invalid_video_ref"
    assert "youtube.com/watch?v=ID" in info.value.message and "youtu.be/ID" in info.value.message


def test_read_refs_file(tmp_path):
    path = tmp_path / "videos.txt"
    path.write_text(
        "\ufeff# talks to fetch\n"
        f"{VID}\n"
        "\n"
        f"https://youtu.be/{VID2}   # with a comment\n"
        "https://www.youtube.com/@somechannel\n"
        f"https://www.youtube.com/watch?v={VID}#t=30\n"  # duplicate; '#' in a URL is not a comment
        "   # indented comment\n"
        "nonsense\n",
        encoding="utf-8",
    )
    ids, problems = refs.read_refs_file(path)
    assert ids == [VID, VID2]
    assert [(p["line"], p["text"]) for p in problems] == [
        (5, "https://www.youtube.com/@somechannel"),
        (8, "nonsense"),
    ]
    assert all(p["error_kind"] == "invalid_video_ref" and p["message"] for p in problems)


def test_read_refs_file_missing(tmp_path):
    with pytest.raises(yterr.RefsFileError) as info:
        refs.read_refs_file(tmp_path / "nope.txt")
    assert info.value.hint


@pytest.mark.parametrize(
    "bad",
    [
        {"languages": []},
        {"languages": ["en/../x"]},
        {"translate_to": "a b"},
        {"max_attempts": 0},
        {"jitter": 1.5},
        {"timeout_seconds": 0},
        {"rate_limit_seconds": -1},
    ],
)
def test_config_validation(bad):
    with pytest.raises(yterr.FetchConfigError):
        yt.FetchConfig(**bad)


def test_config_defaults():
    cfg = yt.FetchConfig()
    assert cfg.languages == ["en"] and cfg.translate_to is None and cfg.prefer_manual
    assert (cfg.timeout_seconds, cfg.max_attempts) == (20.0, 4)
    assert (cfg.backoff_base_seconds, cfg.backoff_max_seconds, cfg.rate_limit_seconds) == (
        1.0,
        30.0,
        1.0,
    )
    assert cfg.cache_dir == Path("warehouse/transcripts") and not cfg.force and cfg.proxy is None
    assert yt.FetchConfig(languages="de").languages == ["de"]


def test_every_error_class_has_kind_and_hint():
    classes = [
        obj
        for obj in vars(yt).values()
        if isinstance(obj, type) and issubclass(obj, yterr.YouTubeError)
    ]
    assert len(classes) >= 20
    for cls in classes:
        assert issubclass(cls, errors.YtclaimsError)
        err = cls("detail")
        assert err.kind and err.kind != "error", cls
        if cls not in (yterr.YouTubeError, yterr.PermanentFetchError):
            assert err.hint, cls
    kinds = [c.kind for c in classes]
    assert len(kinds) == len(set(kinds))


def test_hints_and_advice_name_the_command_line_flags():
    """What to do is said in the words a user types: '--timeout', not a config field
    ('timeout_seconds') that no command or config file accepts."""
    import re

    import typer

    from ytclaims.cli import app

    fetch_cmd = typer.main.get_command(app).commands["fetch"]  # type: ignore[attr-defined]
    flags = {o for p in fetch_cmd.params for o in getattr(p, "opts", ())}
    assert "--timeout" in flags and "--rate-limit" in flags
    hints = [
        obj("x").message
        for obj in vars(yterr).values()
        if isinstance(obj, type) and issubclass(obj, yterr.YouTubeError)
    ]
    network = yt.FetchResult(VID, "failed", error=yterr.NetworkError("no route"))
    advice = yt.advice_for([network])
    for text in [*hints, advice]:
        assert not re.search(r"\b(timeout|rate_limit|backoff\w*)_seconds\b", text), text
        for flag in re.findall(r"ytclaims fetch (--[a-z][a-z-]+)", text):
            assert flag in flags, (flag, text)
    assert "ytclaims fetch --timeout" in advice
    assert "--timeout" in yterr.NetworkError("x").message
    assert "--rate-limit" in yterr.YouTubeServerError("x").message
    with pytest.raises(yterr.FetchConfigError, match="--timeout"):
        yt.FetchConfig(timeout_seconds=0)
