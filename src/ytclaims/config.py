"""The project config file, ``ytclaims.toml``: what a scheduled run keeps current.

A scheduled run has no one watching it, so the file is checked completely when it is
loaded (``ytclaims serve`` loads it before registering anything): an unknown key, a
value of the wrong type, a cron expression Prefect would reject or a path that does
not exist is a :class:`~ytclaims.errors.ConfigError` naming the key and the fix,
instead of a run that fails (or silently ingests nothing) every night.

Relative paths are resolved against the folder of the config file, never the current
directory, so the same file works from a shell, ``ytclaims serve`` and a Prefect worker
that starts flow runs in a temporary directory.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ytclaims.errors import ConfigError

DEFAULT_CONFIG = "ytclaims.toml"
DEFAULT_LANGUAGES = ("en",)
DEFAULT_TIMEZONE = "UTC"
DEFAULT_DEPLOYMENT = "keep-current"

_TOP_KEYS = (
    "db",
    "notes",
    "captions",
    "videos",
    "video_lists",
    "languages",
    "tag",
    "prune",
    "taxonomy",
    "workers",
    "schedule",
    "deployment",
)
_SCHEDULE_KEYS = ("cron", "timezone")
_DEPLOYMENT_KEYS = ("name",)


@dataclass(frozen=True, slots=True)
class Schedule:
    """When the deployment fires. ``cron`` is None for cron-less (``--run-once``) setups."""

    cron: str | None = None
    timezone: str = DEFAULT_TIMEZONE


@dataclass(frozen=True, slots=True)
class Deployment:
    """How the Prefect deployment is named: runs are ``update/<name>``."""

    name: str = DEFAULT_DEPLOYMENT


@dataclass(frozen=True, slots=True)
class Config:
    """A loaded, checked ``ytclaims.toml``; every path is absolute."""

    path: Path
    db: Path
    notes: tuple[Path, ...] = ()
    captions: tuple[Path, ...] = ()
    videos: tuple[str, ...] = ()
    video_lists: tuple[Path, ...] = ()
    languages: tuple[str, ...] = DEFAULT_LANGUAGES
    schedule: Schedule = Schedule()
    deployment: Deployment = Deployment()
    tag: bool = True
    #: Delete the rows of sources whose files are gone (under ``notes``/``captions``).
    prune: bool = False
    taxonomy: Path | None = None
    workers: int | None = None

    @property
    def ingest_paths(self) -> list[str]:
        """Notes and caption files/folders: one ingest run reads both kinds."""
        return [str(p) for p in (*self.notes, *self.captions)]

    @property
    def has_videos(self) -> bool:
        return bool(self.videos or self.video_lists)

    def fetch_settings(self) -> dict[str, object]:
        """FetchConfig options as plain data (a Prefect parameter may carry them).

        The raw transcript cache sits beside the warehouse, as for ``ytclaims fetch``;
        proxy settings are not here: the fetch task reads them from the environment.
        """
        return {
            "languages": list(self.languages),
            "cache_dir": str(self.db.parent / "transcripts"),
        }


def load_config(path: str | Path = DEFAULT_CONFIG) -> Config:
    """Read and check a config file; raises :class:`ConfigError` saying what to fix."""
    file = Path(os.path.abspath(Path(path).expanduser()))
    if not file.is_file():
        what = "is a folder, not a file" if file.is_dir() else "does not exist"
        raise ConfigError(
            f"Config file {file} {what}.",
            hint="Pass --config FILE, or copy the documented ytclaims.toml from the "
            "ytclaims repository and edit it.",
        )
    try:
        raw = tomllib.loads(file.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read {file}: {exc}.", hint="Save it as UTF-8 text.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{file} is not valid TOML: {exc}.",
            hint='Quote strings, write lists as ["a", "b"]; see https://toml.io.',
        ) from exc
    return _parse(raw, file)


def _parse(raw: dict[str, Any], file: Path) -> Config:
    base = file.parent
    _no_unknown(raw, _TOP_KEYS, "", file)
    schedule_raw = _table(raw, "schedule", file)
    deployment_raw = _table(raw, "deployment", file)
    _no_unknown(schedule_raw, _SCHEDULE_KEYS, "schedule.", file)
    _no_unknown(deployment_raw, _DEPLOYMENT_KEYS, "deployment.", file)

    db = _string(raw, "db", file, required=True, example='db = "warehouse/ytclaims.duckdb"')
    notes = _paths(raw, "notes", base, file, kind="exists")
    captions = _paths(raw, "captions", base, file, kind="exists")
    video_lists = _paths(raw, "video_lists", base, file, kind="file")
    videos = tuple(_string_list(raw, "videos", file))
    for ref in videos:
        _check_video(ref, file)
    languages = tuple(_string_list(raw, "languages", file, default=list(DEFAULT_LANGUAGES)))
    _check_languages(languages, file)
    taxonomy_raw = _string(raw, "taxonomy", file)
    taxonomy = (
        _existing(_resolve(base, taxonomy_raw), "taxonomy", file, "file") if taxonomy_raw else None
    )
    if not (notes or captions or videos or video_lists):
        raise ConfigError(
            f"{file}: nothing to keep current.",
            hint="Set at least one of notes, captions, videos or video_lists.",
        )
    return Config(
        path=file,
        db=_resolve(base, db),  # type: ignore[arg-type]
        notes=notes,
        captions=captions,
        videos=videos,
        video_lists=video_lists,
        languages=languages,
        schedule=_schedule(schedule_raw, file),
        deployment=_deployment(deployment_raw, file),
        tag=_bool(raw, "tag", file, default=True),
        prune=_bool(raw, "prune", file, default=False),
        taxonomy=taxonomy,
        workers=_workers(raw, file),
    )


# --- tables and keys ----------------------------------------------------------------


def _no_unknown(table: dict[str, Any], known: tuple[str, ...], prefix: str, file: Path) -> None:
    for key in table:
        if key in known:
            continue
        close = difflib.get_close_matches(key, known, n=1)
        guess = f" Did you mean '{prefix}{close[0]}'?" if close else ""
        raise ConfigError(
            f"{file}: unknown key '{prefix}{key}'.{guess}",
            hint=f"Known keys{' in [' + prefix[:-1] + ']' if prefix else ''}: {', '.join(known)}.",
        )


def _table(raw: dict[str, Any], key: str, file: Path) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(
            f"{file}: '{key}' must be a table, not {_type(value)}.",
            hint=f"Write it as a section: a line '[{key}]' followed by its keys.",
        )
    return value


def _type(value: object) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    return names.get(type(value), "a list" if isinstance(value, list) else "a table")


# --- values -------------------------------------------------------------------------


def _string(
    raw: dict[str, Any], key: str, file: Path, *, required: bool = False, example: str = ""
) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise ConfigError(f"{file}: '{key}' is missing.", hint=f"Add a line: {example}")
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"{file}: '{key}' must be a non-empty string, not {_type(value)}.",
            hint=f'Quote it: {key} = "...".',
        )
    return value


def _string_list(
    raw: dict[str, Any], key: str, file: Path, *, default: list[str] | None = None
) -> list[str]:
    value = raw.get(key)
    if value is None:
        return list(default or [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(
            f"{file}: '{key}' must be a list of non-empty strings.",
            hint=f'Write it as {key} = ["first", "second"] (a single value still goes in [ ]).',
        )
    return [v.strip() for v in value]


def _bool(raw: dict[str, Any], key: str, file: Path, *, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(
            f"{file}: '{key}' must be true or false, not {_type(value)}.",
            hint=f"Write {key} = true or {key} = false (no quotes).",
        )
    return value


def _workers(raw: dict[str, Any], file: Path) -> int | None:
    value = raw.get("workers")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(
            f"{file}: 'workers' must be a whole number of at least 1, not {value!r}.",
            hint="Write e.g. workers = 2, or remove the line to use one process per core.",
        )
    return value


def _resolve(base: Path, value: str) -> Path:
    """Absolute and without '..' (lexically: a symlinked folder keeps the name given)."""
    return Path(os.path.abspath(base / Path(value).expanduser()))


def _paths(raw: dict[str, Any], key: str, base: Path, file: Path, *, kind: str) -> tuple[Path, ...]:
    return tuple(
        _existing(_resolve(base, v), key, file, kind) for v in _string_list(raw, key, file)
    )


def _existing(path: Path, key: str, file: Path, kind: str) -> Path:
    """A path that exists (``kind='exists'``) or is a file (``kind='file'``)."""
    ok = path.is_file() if kind == "file" else path.exists()
    if not ok:
        what = "a file" if kind == "file" else "a file or folder"
        raise ConfigError(
            f"{file}: '{key}' names {path}, which is not {what}.",
            hint=f"Fix the path (relative paths are read from {file.parent}) or remove it.",
        )
    return path


def _check_video(ref: str, file: Path) -> None:
    from ytclaims.sources.youtube.refs import InvalidVideoRefError, parse_video_ref

    try:
        parse_video_ref(ref)
    except InvalidVideoRefError as exc:
        raise ConfigError(
            f"{file}: 'videos' holds {ref!r}, which is not a YouTube video id or video URL.",
            hint="Use 11-character ids or watch/youtu.be/shorts/embed URLs.",
        ) from exc


def _check_languages(languages: tuple[str, ...], file: Path) -> None:
    from ytclaims.sources.youtube.refs import LANGUAGE_CODE_RE

    if not languages:
        raise ConfigError(
            f"{file}: 'languages' is empty.",
            hint='Give at least one language code, best first: languages = ["en"].',
        )
    for code in languages:
        if not LANGUAGE_CODE_RE.fullmatch(code):
            raise ConfigError(
                f"{file}: 'languages' holds {code!r}, which is not a language code.",
                hint="Use codes like 'en', 'de' or 'pt-BR'.",
            )


def _schedule(table: dict[str, Any], file: Path) -> Schedule:
    cron = _string(table, "cron", file)
    timezone = _string(table, "timezone", file) or DEFAULT_TIMEZONE
    if cron is not None:
        cron = " ".join(cron.split())
        # cronsim reads standard five-field cron (no @daily, no random/hashed 'H'), as
        # Prefect's scheduler does; flows.schedule checks again with Prefect's own parser
        # before a deployment is registered.
        from datetime import datetime

        from cronsim import CronSim, CronSimError

        try:
            CronSim(cron, datetime(2000, 1, 1))
        except CronSimError as exc:
            raise ConfigError(
                f"{file}: 'schedule.cron' = {cron!r} is not a cron expression Prefect accepts "
                f"({exc}).",
                hint="Use five fields: minute hour day-of-month month day-of-week, "
                "e.g. '0 6 * * *' for 06:00 every day.",
            ) from exc
    import zoneinfo

    if timezone not in zoneinfo.available_timezones():
        raise ConfigError(
            f"{file}: 'schedule.timezone' = {timezone!r} is not a known time zone.",
            hint="Use an IANA name such as 'UTC', 'Europe/Berlin' or 'America/New_York'.",
        )
    return Schedule(cron=cron, timezone=timezone)


#: Characters Prefect refuses in names (``prefect.types.names.BANNED_CHARACTERS``; a test
#: keeps the two equal).
BANNED_CHARACTERS = ("/", "%", "&", ">", "<")


def _deployment(table: dict[str, Any], file: Path) -> Deployment:
    name = _string(table, "name", file) or DEFAULT_DEPLOYMENT
    bad = [c for c in BANNED_CHARACTERS if c in name]
    if bad:
        raise ConfigError(
            f"{file}: 'deployment.name' = {name!r} contains {' '.join(bad)}.",
            hint=f"Prefect names must not contain any of {' '.join(BANNED_CHARACTERS)}.",
        )
    return Deployment(name=name.strip())
