"""Read a timestamp string the way a note author may have meant it.

Notes write anchors in many forms (``HH:MM:SS``, ``MM:SS``, plain seconds,
``HH:MM:SS:FF``, ``MM:SS:mmm``, ``N/A``, empty). Some forms are *ambiguous*:
``02:30:00`` is 2 h 30 min read literally, but many notes write minutes:seconds
followed by ``:00``, so it may be 2 min 30 s. This module never picks silently: it
returns every plausible reading, literal one first, and marks the string
``ambiguous`` when more than one is plausible. Choosing between readings needs
evidence from outside the string (see :mod:`ytclaims.timestamps.resolve`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

#: Frame rate assumed for ``HH:MM:SS:FF`` frames; only the whole second is cited,
#: so the choice never moves a citation by a second.
ASSUMED_FPS = 30
#: No YouTube video a note cites is a day long: an hours field this large is minutes.
MAX_PLAUSIBLE_HOURS = 24

# Parse statuses (anchors.parse_status).
OK = "ok"  # one plausible reading
AMBIGUOUS = "ambiguous"  # several plausible readings; needs evidence
NONSTANDARD = "nonstandard"  # one plausible reading, but not the literal form
EMPTY = "empty"  # nothing written
INVALID = "invalid"  # nothing usable

_STRIP = " \t\r\n[]()/\"'"
_NUM = re.compile(r"^\d+(?:\.\d+)?$")
_COLON = re.compile(r"^\d{1,3}(?::\d{1,3}){1,3}(?:\.\d+)?$")
_NA = re.compile(r"^(?:n/?a|none|null|nan|-+|\?+|tbd)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read a timestamp string: a named interpretation and its second."""

    name: str  # hh:mm:ss | mm:ss | seconds | hh:mm:ss:ff | mm:ss:00 | mm:ss:cc | mm:ss:mmm
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return {"reading": self.name, "seconds": self.seconds}


@dataclass(frozen=True, slots=True)
class ParsedTime:
    """What a timestamp string says: its cleaned text, form, readings and status."""

    raw: str | None
    form: str
    status: str
    readings: tuple[Reading, ...] = ()
    reason: str = ""

    @property
    def seconds(self) -> float | None:
        """The default (literal-first) reading, or None when there is none."""
        return self.readings[0].seconds if self.readings else None

    def reading(self, name: str) -> Reading | None:
        for r in self.readings:
            if r.name == name:
                return r
        return None


def clean(raw: str | None) -> str:
    """Strip the brackets, slashes and quotes that notes wrap around times."""
    if raw is None:
        return ""
    return raw.strip(_STRIP).strip()


@lru_cache(maxsize=65536)
def parse_time(raw: str | None) -> ParsedTime:
    """Parse one timestamp string into its candidate readings.

    The literal reading always comes first; alternatives follow. Nothing raises:
    garbage yields status ``invalid`` with a reason a human can act on. Results are
    immutable and cached: real notes repeat the same few thousand strings.
    """
    text = clean(raw)
    if not text:
        return ParsedTime(raw, "empty", EMPTY, (), "no timestamp written")
    if _NA.match(text):
        return ParsedTime(raw, "n/a", INVALID, (), f"'{text}' is a placeholder, not a time")
    if _NUM.match(text):
        return ParsedTime(raw, "seconds", OK, (Reading("seconds", float(text)),))
    if not _COLON.match(text):
        return ParsedTime(
            raw, "garbage", INVALID, (), f"'{text}' is not a time (expected HH:MM:SS)"
        )

    frac = 0.0
    if "." in text:
        text, _, f = text.partition(".")
        frac = float("0." + f)
    parts = [int(p) for p in text.split(":")]
    widths = [len(p) for p in text.split(":")]

    if len(parts) == 2:
        m, s = parts
        if s >= 60:
            return ParsedTime(raw, "mm:ss", INVALID, (), f"seconds field {s} is 60 or more")
        return ParsedTime(raw, "mm:ss", OK, (Reading("mm:ss", m * 60 + s + frac),))

    if len(parts) == 3:
        a, b, c = parts
        if widths[2] == 3:
            # 03:14:622 -> minutes, seconds, milliseconds
            if b >= 60:
                return ParsedTime(raw, "mm:ss:mmm", INVALID, (), f"seconds field {b} is 60 or more")
            return ParsedTime(
                raw,
                "mm:ss:mmm",
                NONSTANDARD,
                (Reading("mm:ss:mmm", a * 60 + b + c / 1000),),
                "three-digit last field read as milliseconds",
            )
        if b >= 60:
            return ParsedTime(raw, "hh:mm:ss", INVALID, (), f"minutes field {b} is 60 or more")
        if c >= 60:
            # 01:47:73 -> minutes, seconds, hundredths (no valid literal reading)
            return ParsedTime(
                raw,
                "mm:ss:cc",
                NONSTANDARD,
                (Reading("mm:ss:cc", a * 60 + b + c / 100),),
                f"last field {c} is 60 or more, so it is read as hundredths after MM:SS",
            )
        if a >= MAX_PLAUSIBLE_HOURS:
            # 75:30:00 is not 75 hours into a video: minutes:seconds followed by :00 or
            # by hundredths/frames.
            name = "mm:ss:00" if c == 0 else "mm:ss:cc"
            return ParsedTime(
                raw,
                name,
                NONSTANDARD,
                (Reading(name, a * 60 + b + c / 100),),
                f"hours field {a} is implausible, so it is read as minutes",
            )
        literal = Reading("hh:mm:ss", a * 3600 + b * 60 + c + frac)
        if c == 0 and (a, b) != (0, 0):
            return ParsedTime(
                raw,
                "hh:mm:ss",
                AMBIGUOUS,
                (literal, Reading("mm:ss:00", a * 60 + b)),
                "ends in ':00': hours:minutes:seconds or minutes:seconds:00",
            )
        return ParsedTime(raw, "hh:mm:ss", OK, (literal,))

    if len(parts) == 4:
        h, m, s, f = parts
        if m >= 60 or s >= 60:
            return ParsedTime(
                raw, "hh:mm:ss:ff", INVALID, (), "minutes or seconds field is 60 or more"
            )
        return ParsedTime(
            raw,
            "hh:mm:ss:ff",
            OK,
            (Reading("hh:mm:ss:ff", h * 3600 + m * 60 + s + f / ASSUMED_FPS),),
            "frames dropped to the whole second",
        )

    return ParsedTime(raw, "garbage", INVALID, (), f"'{text}' has too many fields")


@lru_cache(maxsize=65536)
def format_hms(seconds: float | None, style: str = "youtube", *, missing: str = "?") -> str:
    """The one way ytclaims writes a second; ``style`` picks the form a reader expects.

    - ``youtube``: ``M:SS``, ``H:MM:SS`` past an hour, as YouTube shows a position;
    - ``padded``: ``MM:SS`` / ``H:MM:SS``, fixed width for tables and charts;
    - ``hh:mm:ss``: every field padded, MLA 9's time stamp.

    ``missing`` is what ``None`` becomes.
    """
    if seconds is None:
        return missing
    h, rem = divmod(int(seconds), 3600)
    m, s = divmod(rem, 60)
    if style == "hh:mm:ss":
        return f"{h:02d}:{m:02d}:{s:02d}"
    if h:
        return f"{h}:{m:02d}:{s:02d}"
    return f"{m:02d}:{s:02d}" if style == "padded" else f"{m}:{s:02d}"
