"""Find the input files under the paths a user gives.

Folders are walked recursively in sorted order (runs are deterministic whatever the
file system returns). Hidden files and folders (``.git``, ``.obsidian``) are passed
over silently; files of other types are reported as skipped, so nothing a user
pointed at disappears without a word. Paths that do not exist are problems too.
"""

from __future__ import annotations

import os
from pathlib import Path

from ytclaims import errors
from ytclaims.records import Discovery, problem_row

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


def _file_key(path: Path) -> object:
    """Identity of a file however it is reached (overlapping inputs, symlinks): its device
    and inode, one ``stat`` (``realpath`` costs a syscall per path component: 0.9 s of a
    no-op run at 21k notes). Falls back to the real path when it cannot be stat'ed or
    the file system reports no inode numbers."""
    try:
        st = os.stat(path)
    except OSError:
        return os.path.realpath(path)
    if st.st_ino == 0:
        return os.path.realpath(path)
    return (st.st_dev, st.st_ino)


def _add(found: dict[object, Path], path: Path) -> None:
    """Add ``path`` unless the same file was already reached by another path.

    Two hard links are one inode but two real paths (two names, so two notes): only a
    path whose real path is also the same is a duplicate (overlapping inputs, symlinks).
    """
    key = _file_key(path)
    other = found.get(key)
    if other is not None and os.path.realpath(other) != os.path.realpath(path):
        key = os.path.realpath(path)
    found.setdefault(key, path)


def discover(paths: list[str | Path]) -> Discovery:
    """Every note file under ``paths`` (files or folders), sorted, without duplicates."""
    found: dict[object, Path] = {}
    out = Discovery()
    for given in paths:
        p = Path(given)
        if p.is_file():
            if is_input(p):
                _add(found, p)
            else:
                out.problems.append(
                    problem_row(
                        p,
                        errors.UnsupportedSourceError(
                            f"'{p.suffix}' files are neither notes nor captions."
                        ),
                    )
                )
            continue
        if not p.is_dir():
            out.problems.append(
                problem_row(p, errors.UnreadableSourceError("No such file or folder."))
            )
            continue
        for root, dirs, files in os.walk(p):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    continue
                fp = Path(root) / name
                if is_input(fp):
                    _add(found, fp)
                elif name not in SIDECAR_NAMES:
                    out.problems.append(
                        problem_row(
                            fp,
                            errors.UnsupportedSourceError(
                                f"'{fp.suffix or name}' files are neither notes nor captions."
                            ),
                        )
                    )
    out.files = sorted(found.values(), key=lambda q: str(q))
    return out
