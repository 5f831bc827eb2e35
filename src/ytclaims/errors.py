"""Every error ytclaims raises or records, in one place.

Each class carries a stable ``kind`` (stored in ``ingest_errors.error_kind``) and a
message that says what went wrong *and what to do about it*, in the spirit of
youtube-transcript-api's ``_errors.py``. Source-level errors are never fatal to a
run: the pipeline records them and moves on to the next file.
"""

from __future__ import annotations


class YtclaimsError(Exception):
    """Base class: anything ytclaims raises on purpose."""

    kind = "error"
    hint = ""

    def __init__(self, detail: str = "", *, hint: str | None = None) -> None:
        self.detail = detail
        if hint is not None:
            self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [p for p in (self.detail, self.hint) if p]
        return " ".join(parts) if parts else self.__class__.__doc__ or self.kind


# --- problems with one source file: recorded in ingest_errors, run goes on -------------


class SourceError(YtclaimsError):
    """A source file could not be ingested (or only partly)."""

    kind = "source_error"
    #: 'error' = nothing of the file was loaded; 'warning' = loaded, with a caveat.
    severity = "error"


def first_fatal(problems: list[SourceError]) -> SourceError | None:
    """The first problem that keeps a file out of the warehouse (severity 'error'), if any."""
    return next((p for p in problems if p.severity == "error"), None)


class EmptySourceError(SourceError):
    """The file is empty."""

    kind = "empty_file"
    hint = "Nothing to ingest; delete the file or fill it with a note."


class BinarySourceError(SourceError):
    """The file holds binary data (NUL bytes), not a text note."""

    kind = "binary_file"
    hint = "Only Markdown notes (.md) are read as notes; move binary files out of the note folder."


class SourceTooLargeError(SourceError):
    """The file is larger than the configured size limit."""

    kind = "too_large"
    hint = "Raise the limit with --max-bytes if this really is one note."


class UnreadableSourceError(SourceError):
    """The file could not be opened or read."""

    kind = "unreadable"
    hint = "Check that the file exists and that you may read it."


class FrontMatterError(SourceError):
    """The note has no usable YAML front matter."""

    kind = "front_matter"
    hint = "A note starts with '---', then 'title:' and 'videoId:' lines, then '---'."


class MissingVideoIdError(SourceError):
    """The note's front matter has no valid YouTube video id."""

    kind = "missing_video_id"
    hint = "Add 'videoId: <11-character id>' to the front matter so claims can be cited."


class DuplicateSourceError(SourceError):
    """Two files in one run claim the same source key (channel/file name)."""

    kind = "duplicate_source"
    hint = "Ingest only one copy of each note; the first one found was kept."


class UnsupportedSourceError(SourceError):
    """The file is of a type ytclaims does not read."""

    kind = "unsupported_file"
    severity = "skipped"
    hint = (
        "Notes end in .md; caption files in .srt, .vtt, .json3, .srv1/.xml or .json "
        "(youtube-transcript-api); video metadata in .info.json (yt-dlp) or .csv; other "
        "files are skipped."
    )


class EncodingWarning_(SourceError):
    """The file is not valid UTF-8; undecodable bytes were replaced."""

    kind = "encoding"
    severity = "warning"
    hint = "Re-save the note as UTF-8 to keep every character."


class NoAnchorsWarning(SourceError):
    """The note has no yt-timestamp anchors, so it yields no citable claim."""

    kind = "no_anchors"
    severity = "warning"
    hint = 'Add <a class="yt-timestamp" data-t="HH:MM:SS">[HH:MM:SS]</a> after claims.'


class MalformedAnchorWarning(SourceError):
    """An anchor tag is malformed; it was kept and read as well as possible."""

    kind = "malformed_anchor"
    severity = "warning"
    hint = 'Write anchors as <a class="yt-timestamp" data-t="HH:MM:SS">[HH:MM:SS]</a>.'


class SpecialFileError(SourceError):
    """The path is a FIFO, socket or device (or a link to one), not a regular file."""

    kind = "special_file"
    severity = "skipped"
    hint = (
        "Only regular files are read: a pipe would block the run and a device "
        "(/dev/zero) never ends. Move it out of the note folder."
    )


class FileNameError(SourceError):
    """The file's name (or a folder above it) is not valid UTF-8."""

    kind = "file_name"
    hint = (
        "The warehouse stores paths as UTF-8 text; rename it, e.g. "
        "'convmv -f latin1 -t utf8 --notest -r FOLDER'."
    )


class LongTextWarning(SourceError):
    """A claim, title or heading was longer than ytclaims keeps; it was cut, and loaded."""

    kind = "long_text"
    severity = "warning"
    hint = "Add anchors (or paragraph breaks) so each claim is a sentence or two."


class TaggingError(SourceError):
    """Tagging the file's claims failed; its rows were not loaded."""

    kind = "tagging"
    hint = "This is a ytclaims bug; please report it with the file. The next run tries again."


# --- problems with the run itself: these stop it ------------------------------------


class WarehouseError(YtclaimsError):
    """The warehouse could not be opened or written."""

    kind = "warehouse"


class WarehouseLockedError(WarehouseError):
    """Another process holds the DuckDB file (DuckDB allows one writer, and it blocks readers)."""

    kind = "warehouse_locked"
    hint = "Wait for the running ingest to finish, or point --db at another file."


class WarehouseMissingError(WarehouseError):
    """The warehouse file does not exist yet."""

    kind = "warehouse_missing"
    hint = "Run 'ytclaims ingest PATH' first, or pass --db / set YTCLAIMS_DB."


class NoInputError(YtclaimsError):
    """None of the given paths holds anything to ingest."""

    kind = "no_input"
    hint = "Point ytclaims at note files (.md) or folders that contain them."


class ClaimNotFoundError(YtclaimsError):
    """No claim with that id is in the warehouse."""

    kind = "claim_not_found"
    hint = 'Find ids with: ytclaims query "select claim_id, text from citations limit 10"'


class EvaluationError(YtclaimsError):
    """'ytclaims evaluate' cannot run: no dev set, or a --split/--stratum it does not know."""

    kind = "evaluate"
    hint = (
        "The labelled claims are data/tagging/labels.jsonl in the ytclaims repository: run "
        "from the repository root, or give --dev FILE."
    )


class QueryError(YtclaimsError):
    """The SQL query failed."""

    kind = "query"
    hint = (
        "Check the SQL against the tables and views in the README "
        "(columns: SELECT table_name, column_name FROM duckdb_columns())."
    )

    @property
    def message(self) -> str:
        # DuckDB's message can end in a caret line pointing into the SQL: the hint goes on
        # its own line so it is not read as part of that.
        return "\n".join(p for p in (self.detail, self.hint) if p)


class QueryWriteError(QueryError):
    """The SQL tried to change the warehouse or open a file: 'ytclaims query' only reads."""

    kind = "query_write"
    hint = (
        "'ytclaims query' only reads the warehouse: it cannot change it or open other files. "
        "Write files with 'ytclaims export OUT --query \"SELECT ...\"'; the warehouse changes "
        "only through 'ytclaims ingest'."
    )


class OutputError(YtclaimsError):
    """An output file (export, report) cannot or must not be written where asked."""

    kind = "output"
    hint = "Give a new file name, outside the warehouse's own files."


class ArgumentError(YtclaimsError):
    """A command-line argument or option value is not usable."""

    kind = "argument"
    hint = "See 'ytclaims COMMAND --help'."


class UnknownLabelError(YtclaimsError):
    """A --layer or --trend value is not a label id of the taxonomy."""

    kind = "unknown_label"
    hint = (
        "Use one of the ids listed (taxonomy.toml, or the taxonomy the warehouse was tagged with)."
    )


class ConfigError(YtclaimsError):
    """The project config file (ytclaims.toml) is missing or invalid."""

    kind = "config"
    hint = "Fix the key named in the message; the ytclaims.toml in the repository documents each."
