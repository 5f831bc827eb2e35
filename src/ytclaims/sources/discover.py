"""Find the input files under the paths a user gives.

Folders are walked recursively in sorted order (runs are deterministic whatever the
file system returns). Hidden files and folders (``.git``, ``.obsidian``) are passed
over silently; files of other types are reported as skipped, so nothing a user
pointed at disappears without a word. Paths that do not exist are problems too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ytclaims import errors
from ytclaims.records import Discovery, is_utf8_path, problem_row
from ytclaims.sources.reading import file_type

NOTE_SUFFIXES = (".md", ".markdown")
#: Caption/transcript files (read by ytclaims.sources.captions).
CAPTION_SUFFIXES = (".srt", ".vtt", ".json3", ".srv1", ".srv3", ".xml", ".json")
#: Video metadata: yt-dlp ``*.info.json`` (a .json suffix, told apart by name) and CSV tables
#: (read by ytclaims.sources.metadata).
METADATA_SUFFIXES = (".csv",)
#: Files read alongside another file, never on their own.
SIDECAR_NAMES = ("word_timings.json",)


def is_input(path: Path) -> bool:
    """Is this a file ytclaims reads (a note, a caption file or a metadata file)?"""
    suffix = path.suffix.lower()
    return (
        suffix in NOTE_SUFFIXES
        or suffix in METADATA_SUFFIXES
        or (suffix in CAPTION_SUFFIXES and path.name not in SIDECAR_NAMES)
    )


def _file_key(path: Path, st: os.stat_result | None) -> object:
    """Identity of a file however it is reached (overlapping inputs, symlinks): its device
    and inode, from one ``stat`` (``realpath`` costs a syscall per path component: 0.9 s
    of a no-op run at 21k notes). Falls back to the real path when it cannot be stat'ed
    or the file system reports no inode numbers."""
    if st is None or st.st_ino == 0:
        return os.path.realpath(path)
    return (st.st_dev, st.st_ino)


def _add(found: dict[object, Path], path: Path, out: Discovery) -> None:
    """Add ``path`` unless the same file was already reached by another path, or it is
    no regular file (a FIFO would block the reader, a device never ends) or its name is
    not valid UTF-8 (no UTF-8 column can hold it): those are recorded instead.

    Two hard links are one inode but two real paths (two names, so two notes): only a
    path whose real path is also the same is a duplicate (overlapping inputs, symlinks).
    """
    if not is_utf8_path(path):
        out.problems.append(problem_row(path, errors.FileNameError("The name is not UTF-8.")))
        return
    try:
        st: os.stat_result | None = os.stat(path)
    except OSError:
        st = None  # a broken link: the reader records why it cannot be read
    if st is not None and not stat.S_ISREG(st.st_mode):
        out.problems.append(
            problem_row(path, errors.SpecialFileError(f"It is {file_type(st.st_mode)}."))
        )
        return
    key = _file_key(path, st)
    other = found.get(key)
    if other is not None and os.path.realpath(other) != os.path.realpath(path):
        key = os.path.realpath(path)
    found.setdefault(key, path)


def _unsupported(path: Path, what: str) -> dict[str, object]:
    return problem_row(
        path, errors.UnsupportedSourceError(f"'{what}' files are neither notes nor captions.")
    )


def discover(paths: list[str | Path]) -> Discovery:
    """Every note file under ``paths`` (files or folders), sorted, without duplicates.

    Nothing found here is opened: FIFOs, sockets and devices (or links to them) are
    recorded as skipped from their ``stat``, and names that are not valid UTF-8 as
    errors (a folder once, not each file in it).
    """
    found: dict[object, Path] = {}
    out = Discovery()
    for given in paths:
        p = Path(given)
        try:
            st = os.stat(p)
        except (OSError, ValueError):  # ValueError: a NUL byte in the path
            out.problems.append(
                problem_row(p, errors.UnreadableSourceError("No such file or folder."))
            )
            continue
        if not stat.S_ISDIR(st.st_mode):
            if is_input(p):
                _add(found, p, out)
            else:
                out.problems.append(_unsupported(p, p.suffix))
            continue
        if not is_utf8_path(p):
            out.problems.append(
                problem_row(p, errors.FileNameError("The folder name is not UTF-8; not read."))
            )
            continue
        for root, dirs, files in os.walk(p):
            kept = []
            for d in sorted(dirs):
                if d.startswith("."):
                    continue
                if is_utf8_path(d):
                    kept.append(d)
                else:
                    out.problems.append(
                        problem_row(
                            Path(root) / d,
                            errors.FileNameError("The folder name is not UTF-8; not read."),
                        )
                    )
            dirs[:] = kept
            for name in sorted(files):
                if name.startswith("."):
                    continue
                fp = Path(root) / name
                if is_input(fp):
                    _add(found, fp, out)
                elif name not in SIDECAR_NAMES:
                    out.problems.append(_unsupported(fp, fp.suffix or name))
    out.files = sorted(found.values(), key=lambda q: str(q))
    return out
