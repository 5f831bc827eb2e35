"""Read an input file's bytes safely, and turn them into text.

Every note and caption file goes through :func:`read_bounded`. It reads only regular
files (a FIFO named ``x.md`` would block the run forever, ``zero.md -> /dev/zero``
never ends), and never more than ``max_bytes + 1`` bytes whatever ``st_size`` says
(special files and files that grow while being read report a size that is no bound).
Problems are raised as :class:`~ytclaims.errors.SourceError` subclasses the caller
records; nothing here can block or read without limit.

:func:`decode_text` is the one way bytes become text for notes and caption files:
UTF-8 (with or without a BOM), UTF-16/32 with a BOM, and UTF-16 without a BOM (text
editors on Windows write it; every other byte of ASCII text is NUL); other bytes with
NULs are binary.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from ytclaims import errors

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: How much of a file is looked at to tell binary data and BOM-less UTF-16 apart.
_SNIFF_BYTES = 65536
_READ_CHUNK = 1 << 20


def file_type(mode: int) -> str:
    """What a non-regular file is, in words a user recognises."""
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def read_bounded(
    path: Path,
    max_bytes: int,
    *,
    too_large: type[errors.SourceError] = errors.SourceTooLargeError,
    unreadable: type[errors.SourceError] = errors.UnreadableSourceError,
) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them.

    Raises :class:`~ytclaims.errors.SpecialFileError` for FIFOs, sockets and devices
    (checked before opening, so opening cannot block or touch a device, and again on
    the open file, in case the path was swapped), ``too_large`` past ``max_bytes``
    (counted while reading: ``st_size`` of a special or growing file means nothing),
    and ``unreadable`` for any OS error.
    """
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise errors.SpecialFileError(f"It is {file_type(st.st_mode)}.")
        if st.st_size > max_bytes:
            raise too_large(f"{st.st_size:,} bytes is over the {max_bytes:,}-byte limit.")
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        fd = os.open(path, flags)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise errors.SpecialFileError(f"It is {file_type(st.st_mode)}.")
            chunks: list[bytes] = []
            n = 0
            while n <= max_bytes:
                chunk = os.read(fd, min(_READ_CHUNK, max_bytes + 1 - n))
                if not chunk:
                    break
                chunks.append(chunk)
                n += len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        raise unreadable(f"{exc.strerror or exc}.") from None
    if n > max_bytes:
        raise too_large(f"More than {max_bytes:,} bytes (over the limit).")
    return b"".join(chunks)


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le``/``-be`` when ``head`` looks like BOM-less UTF-16 text, else None.

    In UTF-16 text that is mostly Latin script every other byte is NUL, on the odd
    positions (little-endian) or the even ones (big-endian), and the others almost never.
    """
    even, odd = head[0::2], head[1::2]
    if len(odd) < 2:
        return None
    z_even, z_odd = even.count(0), odd.count(0)
    if z_odd >= 0.4 * len(odd) and z_even <= 0.01 * len(even):
        return "utf-16-le"
    if z_even >= 0.4 * len(even) and z_odd <= 0.01 * len(odd):
        return "utf-16-be"
    return None


def decode_text(
    data: bytes,
    problems: list[errors.SourceError],
    *,
    binary: type[errors.SourceError] = errors.BinarySourceError,
    encoding_warning: type[errors.SourceError] = errors.EncodingWarning_,
) -> str | None:
    """Bytes -> text with ``\\n`` line ends; None (and a ``binary`` problem) for binary data.

    Undecodable bytes are replaced (U+FFFD) and recorded as one ``encoding_warning``;
    NUL characters that survive decoding are replaced too (DuckDB and Arrow carry them,
    but no viewer or citation should).
    """
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    head = data[:_SNIFF_BYTES]
    if encoding is None and b"\x00" in head:
        encoding = _utf16_without_bom(head)
        if encoding is None:
            problems.append(binary())
            return None
    encoding = encoding or "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        text = data.decode(encoding, errors="replace")
        name = "UTF-8" if encoding == "utf-8-sig" else encoding.upper()
        problems.append(encoding_warning(f"byte {exc.start} is not {name} ({exc.reason})."))
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
        problems.append(encoding_warning("The text holds NUL characters; they were replaced."))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
