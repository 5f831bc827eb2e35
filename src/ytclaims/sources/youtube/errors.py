"""Typed errors of the YouTube fetch, each with a hint that says what to do.

Transient ones (blocked, 429/5xx, connection errors, truncated bodies) are retried with
backoff; permanent ones are recorded once and never retried.
"""

from __future__ import annotations

from ytclaims import errors

ENV_PROXY_HTTP = "YTCLAIMS_PROXY_HTTP"
ENV_PROXY_HTTPS = "YTCLAIMS_PROXY_HTTPS"
ENV_WEBSHARE_USERNAME = "YTCLAIMS_WEBSHARE_USERNAME"
ENV_WEBSHARE_PASSWORD = "YTCLAIMS_WEBSHARE_PASSWORD"

_ACCEPTED_FORMS = (
    "Accepted: an 11-character video id, or a URL like youtube.com/watch?v=ID, "
    "youtube.com/shorts/ID, youtu.be/ID, youtube.com/embed/ID or youtube.com/live/ID "
    "(www., m. and music. hosts too)."
)
_PROXY_HOW = (
    f"set {ENV_PROXY_HTTPS} (and/or {ENV_PROXY_HTTP}) to http://user:password@host:port, "
    f"or {ENV_WEBSHARE_USERNAME} and {ENV_WEBSHARE_PASSWORD} for Webshare rotating "
    "residential proxies"
)
_OTHER_TOOL = (
    "download the captions with another tool (e.g. yt-dlp --skip-download --write-subs "
    "--write-auto-subs) and load them with 'ytclaims ingest'"
)


class YouTubeError(errors.YtclaimsError):
    """A YouTube transcript could not be fetched, or the fetch was misconfigured."""

    kind = "youtube"
    #: True when the same request may well succeed later (retry with backoff).
    transient = False

    def __init__(
        self, detail: str = "", *, hint: str | None = None, error_class: str | None = None
    ) -> None:
        #: Short label stored in ``fetch_attempts.error_class`` ('IpBlocked', 'HTTP 503').
        self.error_class = error_class or type(self).__name__
        super().__init__(detail, hint=hint)


class InvalidVideoRefError(YouTubeError):
    """The text is neither a YouTube video id nor a YouTube video URL."""

    kind = "invalid_video_ref"
    hint = _ACCEPTED_FORMS


class RefsFileError(YouTubeError):
    """The file of video references could not be read."""

    kind = "refs_file"
    hint = "Check the path; the file lists one video id or URL per line ('#' starts a comment)."


class ProxyConfigError(YouTubeError):
    """The proxy settings are incomplete or contradictory."""

    kind = "proxy_config"
    hint = (
        f"Either {_PROXY_HOW}; not both. "
        "Proxy URLs look like http://host:port or http://user:password@host:port."
    )


class FetchConfigError(YouTubeError):
    """A fetch setting is out of range."""

    kind = "fetch_config"
    hint = "Fix the option named in the message."


class CacheWriteError(YouTubeError):
    """The transcript was fetched but could not be saved to the cache."""

    kind = "cache_write"
    hint = "Check that the cache folder exists or can be created, is writable, and has space."


class TransientFetchError(YouTubeError):
    """YouTube or the network failed in a way that usually clears up."""

    kind = "transient"
    transient = True
    hint = "Re-run later; videos already fetched are cached and not requested again."


class BlockedError(TransientFetchError):
    """YouTube is refusing requests from this IP address."""

    kind = "blocked"
    hint = (
        "YouTube often blocks cloud, CI and VPN IPs. Wait and re-run, "
        f"or {_PROXY_HOW}, or {_OTHER_TOOL}."
    )


class YouTubeServerError(TransientFetchError):
    """YouTube answered with a server error (5xx) or asked us to slow down."""

    kind = "youtube_server"
    hint = (
        "Re-run later; a longer pause between videos helps: 'ytclaims fetch --rate-limit "
        "SECONDS' (default 1)."
    )


class NetworkError(TransientFetchError):
    """YouTube (or the proxy) could not be reached, or did not answer in time."""

    kind = "network"
    hint = (
        "Check the network connection and the proxy settings; on a slow link raise "
        "'ytclaims fetch --timeout SECONDS' (per request, default 20)."
    )


class MalformedResponseError(TransientFetchError):
    """YouTube sent an empty or truncated body that the library could not parse."""

    kind = "malformed_response"
    hint = (
        "This usually clears on a retry; if it persists, YouTube changed its format: "
        "upgrade youtube-transcript-api."
    )


class PermanentFetchError(YouTubeError):
    """The transcript cannot be fetched; asking again will not help."""

    kind = "permanent"


class TranscriptsDisabledError(PermanentFetchError):
    """Captions are turned off for this video."""

    kind = "transcripts_disabled"
    hint = "There is nothing to fetch; take claims from notes only for this video."


class NoTranscriptError(PermanentFetchError):
    """The video has no caption track in any of the requested languages."""

    kind = "no_transcript"
    hint = "Ask for one of the available languages, or translate one with translate_to."


class VideoUnavailableError(PermanentFetchError):
    """The video does not exist (any more), or is private."""

    kind = "video_unavailable"
    hint = "Check the id; the video may have been deleted or made private."


class VideoUnplayableError(PermanentFetchError):
    """YouTube will not play the video here."""

    kind = "video_unplayable"
    hint = "The reason above comes from YouTube; a proxy in another region may help."


class AgeRestrictedError(PermanentFetchError):
    """The video is age-restricted and needs a signed-in session."""

    kind = "age_restricted"
    hint = f"youtube-transcript-api cannot sign in; {_OTHER_TOOL}."


class InvalidVideoIdError(PermanentFetchError):
    """YouTube does not recognise the video id."""

    kind = "invalid_video_id"
    hint = _ACCEPTED_FORMS


class PoTokenRequiredError(PermanentFetchError):
    """YouTube requires a proof-of-origin token the library cannot produce."""

    kind = "po_token_required"
    hint = f"Upgrade youtube-transcript-api if a newer version handles this, or {_OTHER_TOOL}."


class TranslationUnavailableError(PermanentFetchError):
    """The chosen track cannot be translated into the requested language."""

    kind = "translation_unavailable"
    hint = "Pick a translate_to code from the list above, or drop translate_to."


class YouTubeDataUnparsableError(PermanentFetchError):
    """The watch page does not hold the data the library needs."""

    kind = "youtube_data_unparsable"
    hint = "YouTube changed its watch page; upgrade youtube-transcript-api, then re-run."


class ConsentCookieError(PermanentFetchError):
    """YouTube showed a cookie-consent page that could not be accepted automatically."""

    kind = "consent_cookie"
    hint = "This happens from some (mostly EU) regions; a proxy in another region helps."


class YouTubeHttpError(PermanentFetchError):
    """YouTube rejected the request with a client error (4xx)."""

    kind = "youtube_http"
    hint = "Check the video id; if it is right, re-run later."


class UnexpectedFetchError(PermanentFetchError):
    """Something failed that this module does not know how to classify."""

    kind = "unexpected"
    hint = "Enable debug logging, re-run for this video, and report the message."


class SkippedAfterFailuresError(YouTubeError):
    """Not requested: the previous videos in a row all failed for network/blocking reasons."""

    kind = "skipped"
    hint = (
        "Fix the blocking or network problem (see the advice), then re-run: fetched "
        "videos are cached and not requested again."
    )
