"""Fetch YouTube transcripts, politely and resumably, into a JSON cache.

Why it is shaped this way:

* YouTube blocks many machines (cloud, CI, VPN IPs) and answers flakily even when it
  does not, so every network failure is *classified*: transient ones (blocked, 429/5xx,
  connection errors, truncated bodies the library fails to parse) are retried with
  exponential backoff and jitter; permanent ones (captions disabled, no track in the
  wanted languages, video gone, ...) are recorded once and never retried.
* Every attempt becomes a plain row for a ``fetch_attempts`` table, so a run that went
  wrong can be diagnosed from the warehouse alone, and nothing a user asked for vanishes
  without a word.
* A fetched transcript is written to ``<cache_dir>/<video_id>.<language_code>.json``
  (atomically) before anything is returned, so a crash later in the pipeline never
  costs a second request, and a cached video is never requested again unless forced.
  A failed fetch never touches a good cached copy.
* Proxy credentials are secrets: they are masked in ``repr``, in log lines, in error
  messages and in attempt rows.

Network access goes through youtube-transcript-api 1.2.x (``YouTubeTranscriptApi`` with
our own ``requests.Session``); this module adds the timeout the library does not set,
the retries, the cache and the error taxonomy. The request sequence per video is: watch
page GET -> innertube player POST (``/youtubei/v1/player``) -> timedtext XML GET.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import re
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import requests
import youtube_transcript_api as yta
from youtube_transcript_api import Transcript, TranscriptList, YouTubeTranscriptApi
from youtube_transcript_api.proxies import ProxyConfig

from ytclaims.sources.metadata import (
    as_cache_dict,
    from_player_responses,
    player_response_from_html,
)
from ytclaims.sources.youtube.errors import (
    _PROXY_HOW,
    ENV_PROXY_HTTP,
    ENV_PROXY_HTTPS,
    ENV_WEBSHARE_PASSWORD,
    ENV_WEBSHARE_USERNAME,
    AgeRestrictedError,
    BlockedError,
    CacheWriteError,
    ConsentCookieError,
    FetchConfigError,
    InvalidVideoIdError,
    InvalidVideoRefError,
    MalformedResponseError,
    NetworkError,
    NoTranscriptError,
    PoTokenRequiredError,
    SkippedAfterFailuresError,
    TranscriptsDisabledError,
    TransientFetchError,
    TranslationUnavailableError,
    UnexpectedFetchError,
    VideoUnavailableError,
    VideoUnplayableError,
    YouTubeDataUnparsableError,
    YouTubeError,
    YouTubeHttpError,
    YouTubeServerError,
)
from ytclaims.sources.youtube.proxy import build_proxy_config, describe_proxy, scrub
from ytclaims.sources.youtube.refs import LANGUAGE_CODE_RE, parse_video_ref

log = logging.getLogger(__name__)

DEFAULT_CACHE_DIR = Path("warehouse/transcripts")

Status = Literal["fetched", "cached", "failed"]
Outcome = Literal["ok", "transient", "permanent", "cached", "skipped"]


# --- configuration ------------------------------------------------------------------


@dataclass(repr=False)
class FetchConfig:
    """How to fetch: languages, retries, politeness, proxy and cache.

    ``repr`` (and :meth:`safe_dict`) mask proxy credentials, so a config can be logged.
    Do not hand the config itself to anything that serialises it field by field (e.g.
    as a Prefect flow parameter): build it inside the task from the environment.
    """

    #: Language codes in order of preference.
    languages: list[str] = field(default_factory=lambda: ["en"])
    #: Translate the chosen track into this language code (YouTube's machine translation).
    translate_to: str | None = None
    #: Prefer a manually created track in any wanted language over a generated one.
    prefer_manual: bool = True
    #: Per-request timeout; the library sets none, so a stalled socket would hang forever.
    timeout_seconds: float = 20.0
    #: Attempts per video for transient failures (1 = no retry).
    max_attempts: int = 4
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 30.0
    #: 0 = exact exponential delays; 1 = anywhere between 0 and the exponential delay.
    jitter: float = 0.2
    #: Pause before each video that needs the network (not before cache hits).
    rate_limit_seconds: float = 1.0
    proxy: ProxyConfig | None = None
    cache_dir: Path = DEFAULT_CACHE_DIR
    #: Re-fetch even when a cached transcript exists (the cached copy survives a failure).
    force: bool = False
    #: In fetch_many, stop requesting after this many videos in a row failed for
    #: network/blocking reasons (the rest are recorded as skipped); 0 = never stop.
    give_up_after: int = 3

    def __post_init__(self) -> None:
        if isinstance(self.languages, str):
            self.languages = [self.languages]
        self.languages = [code.strip() for code in self.languages if code and code.strip()]
        if not self.languages:
            raise FetchConfigError("languages is empty; give at least one language code.")
        for code in [*self.languages, *([self.translate_to] if self.translate_to else [])]:
            if not LANGUAGE_CODE_RE.fullmatch(code):
                raise FetchConfigError(f"{code!r} is not a language code (like 'en' or 'pt-BR').")
        if self.max_attempts < 1:
            raise FetchConfigError("max_attempts (--max-attempts) must be at least 1.")
        if self.timeout_seconds <= 0:
            raise FetchConfigError("timeout_seconds (--timeout) must be positive.")
        if not 0.0 <= self.jitter <= 1.0:
            raise FetchConfigError("jitter must be between 0 and 1.")
        for name in ("backoff_base_seconds", "backoff_max_seconds", "rate_limit_seconds"):
            if getattr(self, name) < 0:
                flag = " (--rate-limit)" if name == "rate_limit_seconds" else ""
                raise FetchConfigError(f"{name}{flag} must not be negative.")
        if self.give_up_after < 0:
            raise FetchConfigError("give_up_after must not be negative.")
        self.cache_dir = Path(self.cache_dir)

    @classmethod
    def build(
        cls,
        *,
        proxy_http: str | None = None,
        proxy_https: str | None = None,
        webshare_username: str | None = None,
        webshare_password: str | None = None,
        environ: Mapping[str, str] | None = None,
        **settings: Any,
    ) -> FetchConfig:
        """A config whose proxy comes from the given options, else from the environment.

        This is the constructor for the CLI and the flow; see :func:`build_proxy_config`.
        """
        proxy = build_proxy_config(
            http_url=proxy_http,
            https_url=proxy_https,
            webshare_username=webshare_username,
            webshare_password=webshare_password,
            environ=environ,
        )
        return cls(proxy=proxy, **settings)

    @property
    def wanted_codes(self) -> list[str]:
        """Language codes a cached file may have to satisfy this config, best first."""
        return [self.translate_to] if self.translate_to else list(self.languages)

    def safe_dict(self) -> dict[str, Any]:
        """The settings as plain data, proxy masked: safe for logs and run records."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "proxy":
                value = describe_proxy(value)
            elif isinstance(value, Path):
                value = str(value)
            elif isinstance(value, list):
                value = list(value)
            out[f.name] = value
        return out

    def __repr__(self) -> str:
        inner = ", ".join(
            f"{f.name}={describe_proxy(self.proxy)}"
            if f.name == "proxy"
            else f"{f.name}={getattr(self, f.name)!r}"
            for f in fields(self)
        )
        return f"FetchConfig({inner})"

    __str__ = __repr__


# --- results ------------------------------------------------------------------------


@dataclass
class FetchResult:
    """What happened to one video: the transcript (when there is one) and every attempt."""

    video_id: str
    status: Status
    #: The cache file holding this transcript ('fetched' and 'cached' only).
    cache_path: Path | None = None
    #: {language, language_code, is_generated, translated_from}; None when failed.
    track_info: dict[str, Any] | None = None
    #: [{text, start, duration}], start and duration in seconds.
    snippets: list[dict[str, Any]] = field(default_factory=list)
    #: Rows for the ``fetch_attempts`` table, oldest first.
    attempts: list[dict[str, Any]] = field(default_factory=list)
    #: The final error when status is 'failed'.
    error: YouTubeError | None = None
    #: On a failed forced re-fetch: the good cached copy that was kept (still usable).
    kept_cache_path: Path | None = None
    #: Whether requests went through a proxy (advice differs when they did).
    via_proxy: bool = False

    @property
    def ok(self) -> bool:
        return self.status != "failed"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _row(
    video_id: str,
    attempted_at: datetime,
    attempt: int,
    outcome: Outcome,
    error_class: str | None,
    message: str,
    will_retry: bool,
) -> dict[str, Any]:
    return {
        "video_id": video_id,
        "attempted_at": attempted_at,
        "attempt": attempt,
        "outcome": outcome,
        "error_class": error_class,
        "message": message,
        "will_retry": will_retry,
    }


# --- cache --------------------------------------------------------------------------


def _safe_code(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", code) or "und"


def cache_path_for(cache_dir: str | Path, video_id: str, language_code: str) -> Path:
    """``<cache_dir>/<video_id>.<language_code>.json``."""
    return Path(cache_dir) / f"{video_id}.{_safe_code(language_code)}.json"


def load_cached(path: str | Path) -> dict[str, Any] | None:
    """The cached transcript at ``path``, or None when it is missing or not usable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("snippets"), list):
        return None
    if not {"video_id", "language_code"} <= data.keys():
        return None
    return data


def find_cached(video_id: str, config: FetchConfig) -> Path | None:
    """The best usable cache file for ``video_id`` in a language ``config`` asks for."""
    for code in config.wanted_codes:
        path = cache_path_for(config.cache_dir, video_id, code)
        if path.is_file() and load_cached(path) is not None:
            return path
    return None


def _write_json_atomic(path: Path, payload: dict[str, Any]) -> None:
    """Write via a temp file in the same folder and ``os.replace``: readers never see a
    half-written file, and a crash leaves the previous copy (if any) intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# --- classification -----------------------------------------------------------------


def _http_status(exc: yta.YouTubeRequestFailed) -> int | None:
    ctx = exc.__context__
    response = getattr(ctx, "response", None)
    status = getattr(response, "status_code", None)
    if isinstance(status, int):
        return status
    match = re.match(r"\s*(\d{3})\b", exc.reason or "")
    return int(match.group(1)) if match else None


def _short(text: object, limit: int = 300) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def classify(exc: BaseException, *, proxy: ProxyConfig | None = None) -> YouTubeError:
    """Map anything a fetch raised to a typed :class:`YouTubeError` (transient or not).

    The detail is scrubbed of ``proxy``'s credentials here, at the source, because
    exception texts from requests/urllib3 can quote the proxy URL.
    """
    err = _classify(exc, via_proxy=proxy is not None, said=lambda e: _short(scrub(str(e), proxy)))
    clean = scrub(err.detail, proxy)
    if clean != err.detail:
        err = type(err)(clean, error_class=err.error_class)
    return err


def _classify(
    exc: BaseException, *, via_proxy: bool, said: Callable[[BaseException], str]
) -> YouTubeError:
    """The typed error for ``exc``; ``said(e)`` is e's text, scrubbed, then shortened
    (in that order, so that truncation cannot cut a secret in half and hide it)."""
    if isinstance(exc, YouTubeError):
        return exc
    name = type(exc).__name__
    proxy_note = " (through the configured proxy)" if via_proxy else ""
    if isinstance(exc, yta.IpBlocked):
        return BlockedError(
            f"YouTube answered 429 Too Many Requests or a reCAPTCHA page{proxy_note}.",
            error_class=name,
        )
    if isinstance(exc, yta.RequestBlocked):
        return BlockedError(
            f"YouTube asked to 'sign in to confirm you're not a bot'{proxy_note}.",
            error_class=name,
        )
    if isinstance(exc, yta.YouTubeRequestFailed):
        status = _http_status(exc)
        label = f"HTTP {status}" if status else name
        if status is None or status == 429 or status >= 500 or status == 408:
            return YouTubeServerError(f"YouTube answered {label}.", error_class=label)
        return YouTubeHttpError(f"YouTube answered {label}.", error_class=label)
    if isinstance(exc, yta.TranscriptsDisabled):
        return TranscriptsDisabledError("Captions are disabled for this video.", error_class=name)
    if isinstance(exc, yta.NoTranscriptFound):
        return NoTranscriptError("No caption track in the requested languages.", error_class=name)
    if isinstance(exc, yta.InvalidVideoId):
        return InvalidVideoIdError("YouTube does not accept this video id.", error_class=name)
    if isinstance(exc, yta.VideoUnavailable):
        return VideoUnavailableError("YouTube says the video is unavailable.", error_class=name)
    if isinstance(exc, yta.AgeRestricted):
        return AgeRestrictedError("The video is age-restricted.", error_class=name)
    if isinstance(exc, yta.VideoUnplayable):
        reasons = "; ".join(r for r in [exc.reason or "no reason given", *exc.sub_reasons] if r)
        return VideoUnplayableError(
            f"The video is unplayable: {_short(reasons)}.", error_class=name
        )
    if isinstance(exc, yta.PoTokenRequired):
        return PoTokenRequiredError(
            "YouTube requires a PO token for this caption track.", error_class=name
        )
    if isinstance(exc, yta.NotTranslatable | yta.TranslationLanguageNotAvailable):
        return TranslationUnavailableError(
            "The caption track cannot be translated into that language.", error_class=name
        )
    if isinstance(exc, yta.YouTubeDataUnparsable):
        return YouTubeDataUnparsableError(
            "The watch page holds no innertube API key.", error_class=name
        )
    if isinstance(exc, yta.FailedToCreateConsentCookie):
        return ConsentCookieError("YouTube's consent page could not be passed.", error_class=name)
    # The library leaks these when YouTube sends an empty or truncated body.
    if isinstance(exc, ET.ParseError):
        return MalformedResponseError(
            f"Could not parse the caption XML: {said(exc)}.", error_class="ParseError"
        )
    if isinstance(exc, requests.exceptions.JSONDecodeError):
        return MalformedResponseError(
            "The innertube player answer is not JSON.", error_class="JSONDecodeError"
        )
    if isinstance(exc, KeyError):
        return MalformedResponseError(
            f"A field the library needs is missing from YouTube's answer: {said(exc)}.",
            error_class="KeyError",
        )
    if isinstance(
        exc,
        requests.exceptions.ConnectionError
        | requests.exceptions.Timeout
        | requests.exceptions.ChunkedEncodingError
        | ConnectionError
        | TimeoutError,
    ):
        return NetworkError(f"{name}{proxy_note}: {said(exc)}", error_class=name)
    return UnexpectedFetchError(f"{name}: {said(exc)}", error_class=name)


def backoff_delay(attempt: int, config: FetchConfig, rand: Callable[[], float]) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based): base * 2**(attempt-1),
    capped at backoff_max_seconds, then shortened by up to ``jitter`` of itself so that
    many clients (or videos) do not retry in lockstep."""
    raw = min(config.backoff_max_seconds, config.backoff_base_seconds * 2 ** (attempt - 1))
    return raw * (1.0 - config.jitter * rand())


# --- fetching -----------------------------------------------------------------------


def _apply_timeout(session: requests.Session, timeout: float) -> None:
    """Give every request of ``session`` a timeout unless the caller set one.

    Wrapping ``session.request`` (not mounting an adapter) survives the library
    replacing the session's adapters when a proxy config asks for retries.
    """
    original = getattr(session, "_ytclaims_unwrapped_request", None) or session.request

    def request(method: str, url: str, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = timeout
        return original(method, url, **kwargs)

    session._ytclaims_unwrapped_request = original  # type: ignore[attr-defined]
    session.request = request  # type: ignore[method-assign]


class PlayerCapture:
    """A ``requests`` response hook that keeps the player responses a fetch receives.

    youtube-transcript-api reads the watch page and asks the innertube ``player``
    endpoint for the caption tracks, and throws the rest away; what it threw away is the
    video's title, channel, length and publication date (``videoDetails``, and the watch
    page's ``microformat``). The hook sees the same responses (no extra request) and
    keeps those objects. It never raises: metadata must not cost a transcript.
    """

    #: Bodies larger than this are not parsed for metadata (a watch page is 1-2 MB).
    MAX_BODY = 8 * 1024 * 1024
    #: Responses kept (newest last): one attempt needs two.
    KEEP = 4

    def __init__(self) -> None:
        self.responses: list[dict[str, Any]] = []

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        try:
            url = response.url or ""
            if len(response.content or b"") > self.MAX_BODY:
                return
            found: dict[str, Any] | None = None
            if "/youtubei/v1/player" in url:
                data = response.json()
                found = data if isinstance(data, dict) else None
            elif "/watch" in url:
                found = player_response_from_html(response.text)
            if found is not None:
                self.responses = [*self.responses, found][-self.KEEP :]
        except Exception:  # noqa: BLE001 - metadata is a bonus, never a failure
            log.debug("could not read video metadata from %s", getattr(response, "url", "?"))

    def clear(self) -> None:
        self.responses = []


def _describe_tracks(tlist: TranscriptList) -> str:
    tracks = [f"{t.language_code} ({'generated' if t.is_generated else 'manual'})" for t in tlist]
    return ", ".join(tracks) or "none"


def choose_track(tlist: TranscriptList, config: FetchConfig) -> tuple[Transcript, str | None]:
    """The track to fetch, and the code of the track it was translated from (or None).

    Manual before generated (the reverse if not ``prefer_manual``), each searched in the
    order of ``config.languages``; then translated into ``translate_to`` if that differs.
    """
    finders = [tlist.find_manually_created_transcript, tlist.find_generated_transcript]
    if not config.prefer_manual:
        finders.reverse()
    track: Transcript | None = None
    for find in finders:
        try:
            track = find(config.languages)
            break
        except yta.NoTranscriptFound:
            continue
    if track is None:
        raise NoTranscriptError(
            f"No caption track in {', '.join(config.languages)}; available: "
            f"{_describe_tracks(tlist)}.",
            error_class="NoTranscriptFound",
        )
    target = config.translate_to
    if not target or target == track.language_code:
        return track, None
    try:
        return track.translate(target), track.language_code
    except (yta.NotTranslatable, yta.TranslationLanguageNotAvailable) as exc:
        offered = ", ".join(t.language_code for t in track.translation_languages) or "none"
        raise TranslationUnavailableError(
            f"The {track.language_code} track cannot be translated into {target}; "
            f"offered: {offered}.",
            error_class=type(exc).__name__,
        ) from exc


def _fetch_once(
    api: YouTubeTranscriptApi, video_id: str, config: FetchConfig
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One pass of the request sequence: track list, choice, caption body."""
    track, translated_from = choose_track(api.list(video_id), config)
    fetched = track.fetch()
    info = {
        "language": fetched.language,
        "language_code": fetched.language_code,
        "is_generated": fetched.is_generated,
        "translated_from": translated_from,
    }
    snippets = [
        {"text": s.text, "start": float(s.start), "duration": float(s.duration)}
        for s in fetched.snippets
    ]
    return info, snippets


def fetch_transcript(
    video_id: str,
    config: FetchConfig,
    *,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = _utc_now,
    session: requests.Session | None = None,
    rand: Callable[[], float] = random.random,
) -> FetchResult:
    """Fetch (or take from the cache) one video's transcript; never raises for YouTube's
    or the network's failures: they are in ``result.attempts`` and ``result.error``.

    ``sleep``, ``now`` and ``rand`` are injectable so tests neither wait nor depend on
    the clock; ``session`` lets a caller share cookies or TLS settings (it gets the
    timeout applied and is not closed here).
    """
    via_proxy = config.proxy is not None
    try:
        vid = parse_video_ref(video_id)
    except InvalidVideoRefError as err:
        row = _row(video_id, now(), 1, "permanent", "InvalidVideoRef", err.message, False)
        log.warning("%s: %s", video_id, err.message)
        return FetchResult(video_id, "failed", attempts=[row], error=err, via_proxy=via_proxy)

    cached = None if config.force else find_cached(vid, config)
    if cached is not None:
        return _cached_result(vid, cached, now(), via_proxy)

    own_session = session is None
    http = requests.Session() if session is None else session
    _apply_timeout(http, config.timeout_seconds)
    try:
        return _fetch_with_retries(vid, config, http, sleep=sleep, now=now, rand=rand)
    finally:
        if own_session:
            http.close()


def _cached_result(video_id: str, path: Path, at: datetime, via_proxy: bool) -> FetchResult:
    data = load_cached(path) or {}
    info = {k: data.get(k) for k in ("language", "language_code", "is_generated")}
    info["translated_from"] = data.get("translated_from")
    row = _row(video_id, at, 1, "cached", None, f"Cached transcript: {path}", False)
    log.info("%s: cached at %s", video_id, path)
    return FetchResult(
        video_id,
        "cached",
        cache_path=path,
        track_info=info,
        snippets=list(data.get("snippets", [])),
        attempts=[row],
        via_proxy=via_proxy,
    )


def _fetch_with_retries(
    video_id: str,
    config: FetchConfig,
    http: requests.Session,
    *,
    sleep: Callable[[float], None],
    now: Callable[[], datetime],
    rand: Callable[[], float],
) -> FetchResult:
    api = YouTubeTranscriptApi(proxy_config=config.proxy, http_client=http)
    capture = PlayerCapture()
    http.hooks.setdefault("response", []).append(capture)
    try:
        return _attempts(video_id, config, api, capture, sleep=sleep, now=now, rand=rand)
    finally:
        # The session may be the caller's: leave it without our hook.
        hooks = http.hooks.get("response", [])
        if capture in hooks:
            hooks.remove(capture)


def _attempts(
    video_id: str,
    config: FetchConfig,
    api: YouTubeTranscriptApi,
    capture: PlayerCapture,
    *,
    sleep: Callable[[float], None],
    now: Callable[[], datetime],
    rand: Callable[[], float],
) -> FetchResult:
    """Up to ``max_attempts`` fetches of one video with backoff; the result either way."""
    proxy = config.proxy
    via_proxy = proxy is not None
    rows: list[dict[str, Any]] = []
    error: YouTubeError | None = None
    for attempt in range(1, config.max_attempts + 1):
        attempted_at = now()
        capture.clear()
        try:
            info, snippets = _fetch_once(api, video_id, config)
        except Exception as exc:  # noqa: BLE001 - every failure is classified and recorded
            error = classify(exc, proxy=proxy)
            will_retry = error.transient and attempt < config.max_attempts
            message = scrub(error.message, proxy)
            rows.append(
                _row(
                    video_id,
                    attempted_at,
                    attempt,
                    "transient" if error.transient else "permanent",
                    error.error_class,
                    message,
                    will_retry,
                )
            )
            log.warning(
                "%s: attempt %d/%d failed (%s)%s",
                video_id,
                attempt,
                config.max_attempts,
                error.error_class,
                ", retrying" if will_retry else "",
            )
            log.debug("%s: %s", video_id, message)
            if not will_retry:
                break
            sleep(backoff_delay(attempt, config, rand))
            continue

        path = cache_path_for(config.cache_dir, video_id, info["language_code"])
        payload: dict[str, Any] = {
            "video_id": video_id,
            **info,
            "fetched_at": attempted_at.isoformat(),
            "snippets": snippets,
        }
        meta = from_player_responses(video_id, capture.responses, attempted_at)
        if meta is not None:
            # What YouTube said about the video, beside the transcript: title, channel,
            # length, publication date (ingested from this file like the snippets).
            payload["video"] = as_cache_dict(meta)
        try:
            _write_json_atomic(path, payload)
        except OSError as exc:
            error = CacheWriteError(
                f"Fetched, but could not write {path}: {exc.strerror or exc}.",
                error_class="CacheWriteError",
            )
            rows.append(
                _row(
                    video_id,
                    attempted_at,
                    attempt,
                    "permanent",
                    error.error_class,
                    scrub(error.message, proxy),
                    False,
                )
            )
            log.warning("%s: %s", video_id, error.message)
            break
        rows.append(
            _row(
                video_id,
                attempted_at,
                attempt,
                "ok",
                None,
                f"Fetched {len(snippets)} snippets ({info['language_code']}) to {path}",
                False,
            )
        )
        log.info("%s: fetched %d snippets to %s", video_id, len(snippets), path)
        return FetchResult(
            video_id,
            "fetched",
            cache_path=path,
            track_info=info,
            snippets=snippets,
            attempts=rows,
            via_proxy=via_proxy,
        )

    kept = find_cached(video_id, config) if config.force else None
    return FetchResult(
        video_id, "failed", attempts=rows, error=error, kept_cache_path=kept, via_proxy=via_proxy
    )


def fetch_many(
    refs: Iterable[str],
    config: FetchConfig,
    *,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = _utc_now,
    session: requests.Session | None = None,
    rand: Callable[[], float] = random.random,
    on_result: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """Fetch many videos (ids or URLs), one result each, in input order (duplicates once).

    Never raises for one video: a bad reference or a failed fetch is a 'failed' result.
    Waits ``rate_limit_seconds`` before every network fetch after the first (cache hits
    cost nothing), and after ``give_up_after`` videos in a row failed for network or
    blocking reasons stops sending requests: the remaining uncached videos are recorded
    as 'skipped' instead of digging the IP block deeper. ``on_result`` is called after
    each video (for progress bars).
    """
    results: list[FetchResult] = []
    seen: set[str] = set()
    network_fetches = 0
    failing_in_a_row = 0
    via_proxy = config.proxy is not None
    for ref in refs:
        try:
            vid = parse_video_ref(ref)
        except InvalidVideoRefError:
            result = fetch_transcript(ref, config, sleep=sleep, now=now, session=session)
        else:
            if vid in seen:
                continue
            seen.add(vid)
            cached = None if config.force else find_cached(vid, config)
            if cached is not None:
                result = _cached_result(vid, cached, now(), via_proxy)
            elif config.give_up_after and failing_in_a_row >= config.give_up_after:
                err = SkippedAfterFailuresError(
                    f"Not requested: the previous {failing_in_a_row} videos failed for "
                    "network or blocking reasons.",
                    error_class="SkippedAfterFailures",
                )
                row = _row(vid, now(), 1, "skipped", err.error_class, err.message, False)
                result = FetchResult(vid, "failed", attempts=[row], error=err, via_proxy=via_proxy)
            else:
                if network_fetches and config.rate_limit_seconds > 0:
                    sleep(config.rate_limit_seconds)
                network_fetches += 1
                result = fetch_transcript(
                    vid, config, sleep=sleep, now=now, session=session, rand=rand
                )
                if result.status == "failed" and result.error is not None:
                    failing_in_a_row = failing_in_a_row + 1 if result.error.transient else 0
                else:
                    failing_in_a_row = 0
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


# --- advice -------------------------------------------------------------------------


def _is_network_failure(result: FetchResult) -> bool:
    return result.status == "failed" and isinstance(
        result.error, TransientFetchError | SkippedAfterFailuresError
    )


def advice_for(results: Iterable[FetchResult]) -> str:
    """What to do when videos failed for network or blocking reasons ('' if none did).

    The full advice comes when *nothing* could be fetched that way: the usual cause is a
    machine whose IP YouTube blocks, and retrying harder only makes that worse.
    """
    results = list(results)
    net = [r for r in results if _is_network_failure(r)]
    if not net:
        return ""
    blocked = sum(isinstance(r.error, BlockedError) for r in net)
    network = sum(isinstance(r.error, NetworkError) for r in net)
    skipped = sum(isinstance(r.error, SkippedAfterFailuresError) for r in net)
    other = len(net) - blocked - network - skipped
    if len(net) < len(results):
        return (
            f"{len(net)} of {len(results)} videos could not be fetched for network or "
            "blocking reasons. Re-run later: transcripts already fetched are cached and "
            "are not requested again. If it keeps happening, configure a proxy "
            f"({_PROXY_HOW})."
        )
    counts = ", ".join(
        f"{n} {what}"
        for n, what in (
            (blocked, "blocked by YouTube"),
            (network, "network errors"),
            (other, "server errors or truncated answers"),
            (skipped, "skipped after repeated failures"),
        )
        if n
    )
    via_proxy = any(r.via_proxy for r in net)
    lines = [
        f"No transcript could be fetched: all {len(results)} videos failed for network or "
        f"blocking reasons ({counts}).",
    ]
    if blocked or skipped:
        lines.append(
            "YouTube blocks many cloud, CI and VPN IP addresses. What to do:"
            if not via_proxy
            else "YouTube blocks the configured proxy as well. What to do:"
        )
    else:
        lines.append(
            "YouTube could not be reached. Check the network connection"
            + (" and that the proxy is reachable" if via_proxy else "")
            + " first; on a slow link raise 'ytclaims fetch --timeout SECONDS' (per request, "
            "default 20). Then:"
        )
    if via_proxy:
        lines.append(
            "  1. Use rotating residential proxies (datacenter and 'static' proxies are "
            f"usually blocked too): set {ENV_WEBSHARE_USERNAME} and {ENV_WEBSHARE_PASSWORD} "
            "for Webshare 'Residential', or point "
            f"{ENV_PROXY_HTTPS}/{ENV_PROXY_HTTP} at another provider."
        )
    else:
        lines.append(
            "  1. Configure a proxy: set "
            f"{ENV_PROXY_HTTPS} (and/or {ENV_PROXY_HTTP}) to http://user:password@host:port, "
            f"or {ENV_WEBSHARE_USERNAME} and {ENV_WEBSHARE_PASSWORD} for Webshare rotating "
            "residential proxies (the matching 'ytclaims fetch' options work too; keep "
            "passwords in the environment), then re-run 'ytclaims fetch'."
        )
    lines += [
        "  2. Or download the captions with another tool on a machine that can reach "
        "YouTube, e.g.\n"
        "       yt-dlp --skip-download --write-subs --write-auto-subs --sub-langs en "
        '--sub-format vtt -o "%(id)s.%(ext)s" URL\n'
        "     and load the caption files with 'ytclaims ingest PATH'.",
        "  3. Re-run later if the block is temporary: transcripts already fetched are "
        "cached and are not requested again.",
    ]
    return "\n".join(lines)
