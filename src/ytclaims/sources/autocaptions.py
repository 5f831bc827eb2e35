"""Make YouTube-style auto-generated captions from human captions with word times.

    python -m ytclaims.sources.autocaptions MORE_CAPTIONS_DIR OUT_DIR [--format vtt|json3|both]

Why: most transcripts a user fetches are YouTube's speech recognition, which writes
lower-case words without punctuation in rolling two-line windows, and none can be fetched
here. Sentence segmentation of such tracks has to be trained and tested on something
that looks like them, with true sentence boundaries known. Human captions with per-word
times (``word_timings.json``) and the caption authors' sentences
(``sentence_timings.json``) give both: the words keep their times, lose their case and
punctuation, and are laid out the way YouTube lays out its automatic tracks:

* **WebVTT**: each caption line is one cue showing the previous line (plain) above the new
  line, whose words after the first carry inline start times
  (``word<00:00:01.520><c> next</c>``), followed by a 10 ms cue that shows the finished
  line alone; lines break at 26-42 characters (varied per line, seeded) or before a pause
  of 1.5 s and more.
* **json3**: a window event, then one event per line with ``segs`` (``utf8``,
  ``tOffsetMs``, ``acAsrConf``) that stays on screen until the line after next starts,
  and an ``aAppend`` newline event when the next line begins.

YouTube marks only when a word *starts*; the end times of the source words are not
written, so a reader sees the same information as with a real track.
:func:`asr_words` also returns, for every word written, which author sentence it belongs
to: the labels segmentation is trained and scored on.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ytclaims.sources.captions import Word, read_word_timings

#: Lines are broken before they exceed a width drawn per line from this range.
LINE_CHARS = (26, 42)
#: A pause this long before a word starts a new line.
LINE_PAUSE = 1.5
#: How long the last line stays on screen after its last word starts.
TAIL_SECONDS = 1.0

_EDGE_RE = re.compile(r"^[^\w$£€]+|[^\w%]+$")


@dataclass(frozen=True, slots=True)
class AsrWord:
    """A word as speech recognition writes it, with its start and its author sentence."""

    text: str
    start: float
    sentence: int  # index into sentence_timings.json; -1 when outside every sentence


def asr_text(word: str, *, lowercase: bool = True) -> str:
    """``"Euler's,"`` -> ``"euler's"``: edge punctuation off, case folded, inner marks kept.

    Apostrophes, hyphens and decimal points inside a word stay (``don't``, ``x-axis``,
    ``3.14``) because recognisers write them; a leading currency sign and a trailing
    ``%`` stay too.
    """
    text = _EDGE_RE.sub("", word.strip())
    return text.lower() if lowercase else text


def asr_words(
    words: Sequence[Word], sentences: Sequence[Sequence[object]] = (), *, lowercase: bool = True
) -> list[AsrWord]:
    """Words as a recogniser would write them, each with the author sentence it is in.

    ``sentences`` are ``[text, start, end]`` items (``sentence_timings.json``); a word
    belongs to the sentence whose span holds its start. Words that are punctuation only
    (a dash) are dropped, as a recogniser never writes them.
    """
    spans = [(float(s[1]), float(s[2])) for s in sentences]  # type: ignore[arg-type]
    out: list[AsrWord] = []
    j = 0
    for w in words:
        text = asr_text(w.text, lowercase=lowercase)
        if not text:
            continue
        while j < len(spans) and spans[j][1] < w.start - 1e-6:
            j += 1
        inside = j < len(spans) and spans[j][0] - 1e-6 <= w.start <= spans[j][1] + 1e-6
        out.append(AsrWord(text, round(w.start, 3), j if inside else -1))
    return out


def _lines(words: Sequence[AsrWord], seed: int) -> list[list[AsrWord]]:
    """Break words into caption lines by width (varied per line) and by pauses."""
    rng = random.Random(seed)
    lines: list[list[AsrWord]] = []
    width = rng.randint(*LINE_CHARS)
    for w in words:
        if lines:
            line = lines[-1]
            chars = sum(len(x.text) + 1 for x in line) + len(w.text)
            if chars <= width and w.start - line[-1].start < LINE_PAUSE:
                line.append(w)
                continue
            width = rng.randint(*LINE_CHARS)
        lines.append([w])
    return lines


def _ts(seconds: float) -> str:
    ms = round(max(seconds, 0.0) * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _line_times(lines: list[list[AsrWord]]) -> list[tuple[float, float]]:
    """(start, end) of each line: from its first word to the next line's first word."""
    out = []
    for k, line in enumerate(lines):
        start = line[0].start
        end = lines[k + 1][0].start if k + 1 < len(lines) else line[-1].start + TAIL_SECONDS
        out.append((start, max(end, start + 0.02)))
    return out


def to_vtt(words: Sequence[AsrWord], *, seed: int = 0, language: str = "en") -> str:
    """A YouTube auto-caption WebVTT file of ``words`` (see the module docstring)."""
    lines = _lines(words, seed)
    out = ["WEBVTT", "Kind: captions", f"Language: {language}", ""]
    prev = " "
    for (start, end), line in zip(_line_times(lines), lines, strict=True):
        timed = line[0].text + "".join(f"<{_ts(w.start)}><c> {w.text}</c>" for w in line[1:])
        plain = " ".join(w.text for w in line)
        out += [f"{_ts(start)} --> {_ts(end - 0.01)} align:start position:0%", prev, timed, ""]
        out += [f"{_ts(end - 0.01)} --> {_ts(end)} align:start position:0%", plain, " ", ""]
        prev = plain
    return "\n".join(out) + "\n"


def to_json3(words: Sequence[AsrWord], *, seed: int = 0) -> str:
    """A YouTube auto-caption json3 file of ``words`` (see the module docstring)."""
    lines = _lines(words, seed)
    times = _line_times(lines)
    total = round((times[-1][1] if times else 0.0) * 1000)
    events: list[dict[str, object]] = [
        {"tStartMs": 0, "dDurationMs": total, "id": 1, "wpWinPosId": 1, "wsWinStyleId": 1}
    ]
    for k, line in enumerate(lines):
        start = round(times[k][0] * 1000)
        # On screen until the line after next starts (two-line window).
        gone = round(times[k + 1][1] * 1000) if k + 1 < len(lines) else round(times[k][1] * 1000)
        segs: list[dict[str, object]] = []
        for i, w in enumerate(line):
            seg: dict[str, object] = {"utf8": w.text if i == 0 else " " + w.text}
            if i:
                seg["tOffsetMs"] = round(w.start * 1000) - start
            seg["acAsrConf"] = 0
            segs.append(seg)
        events.append({"tStartMs": start, "dDurationMs": gone - start, "wWinId": 1, "segs": segs})
        if k + 1 < len(lines):
            t = round(times[k][1] * 1000) - 10
            events.append(
                {
                    "tStartMs": t,
                    "dDurationMs": gone - t,
                    "wWinId": 1,
                    "aAppend": 1,
                    "segs": [{"utf8": "\n"}],
                }
            )
    head = {
        "wireMagic": "pb3",
        "pens": [{}],
        "wsWinStyles": [{}, {"mhModeHint": 2, "juJustifCode": 0, "sdScrollDir": 3}],
        "wpWinPositions": [
            {},
            {"apPoint": 6, "ahHorPos": 20, "avVerPos": 100, "rcRows": 2, "ccCols": 32},
        ],
    }
    return json.dumps(head | {"events": events}, ensure_ascii=False) + "\n"


def video_asr_words(video_dir: Path, *, lowercase: bool = True) -> list[AsrWord] | None:
    """The recogniser-style words of one ``more_captions/<videoId>/`` folder, or None.

    None when the folder lacks word or sentence timings (nothing to build or label).
    """
    wt, st = video_dir / "word_timings.json", video_dir / "sentence_timings.json"
    if not (wt.is_file() and st.is_file()):
        return None
    words = read_word_timings(wt, [])
    if not words:
        return None
    sentences = json.loads(st.read_text("utf-8"))
    return asr_words(words, sentences, lowercase=lowercase)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("captions", type=Path, help="folder of <videoId>/ folders with word timings")
    ap.add_argument("out", type=Path)
    ap.add_argument("--format", choices=("vtt", "json3", "both"), default="both")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    n = 0
    for vdir in sorted(p for p in args.captions.iterdir() if p.is_dir()):
        words = video_asr_words(vdir)
        if not words:
            continue
        if args.format in ("vtt", "both"):
            (args.out / f"{vdir.name}.en.vtt").write_text(to_vtt(words, seed=args.seed), "utf-8")
        if args.format in ("json3", "both"):
            (args.out / f"{vdir.name}.en.json3").write_text(
                to_json3(words, seed=args.seed), "utf-8"
            )
        n += 1
    print(f"wrote auto-style captions of {n} videos to {args.out}")


if __name__ == "__main__":
    main()
