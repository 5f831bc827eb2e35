"""Progress of long runs, for whoever is watching.

A run of ``ytclaims ingest`` over a real corpus takes minutes: workers start, batches are
parsed, then one writer loads, resolves, indexes, commits and publishes. Without a word
in between, a user cannot tell a slow run from a hung one. The steps report to a
:class:`Reporter`:

* :class:`RichReporter` in a terminal: a live line with a bar for counted stages (files
  parsed) and a spinner for the load's phases;
* :class:`LineReporter` when the output is not a terminal (CI logs, cron mail, a service
  journal): plain lines, one when a stage starts and one every ``interval`` seconds while
  it runs, and a closing line with the time each stage took. A run that ends within
  ``quiet_seconds`` prints nothing at all;
* the base :class:`Reporter` ignores everything: library calls are silent unless asked.

Stages are named ``plan``, ``parse`` (counted in files: unchanged files count as done),
``load: <phase>`` (the warehouse load's phases, as in ``IngestRun.load_phases``) and
``load: publish``. The ingest steps in :mod:`ytclaims.pipeline` take a reporter; the
Prefect flow runs the same steps in task threads, so the command line hands its reporter
over with :func:`reporting` and the steps find it with :func:`current`.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


#: Plain lines: one at most every this many seconds within a stage (the timer's).
LINE_INTERVAL = 10.0
#: Plain lines: nothing before a run has lasted this long (short runs need no progress).
QUIET_SECONDS = 3.0


class Reporter:
    """Receives a run's progress and shows it; this base class shows nothing.

    Implementations must be thread-safe: Prefect runs the steps in task threads.
    """

    def stage(
        self, name: str, total: int | None = None, done: int = 0, unit: str = "files"
    ) -> None:
        """A new stage starts (the previous one ends); ``total`` when it can be counted
        (in ``unit``)."""

    def update(self, done: int, total: int | None = None) -> None:
        """The current stage has ``done`` of ``total`` units finished."""

    def advance(self, n: int = 1) -> None:
        """``n`` more units of the current stage are finished."""

    def close(self) -> None:
        """The run is over: stop any display or timer (idempotent)."""


class _Counted(Reporter):
    """Bookkeeping shared by the real reporters: the current stage, its counts and the
    time each finished stage took."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.RLock()
        self._started = clock()
        self._name: str | None = None
        self._since = self._started
        self._done = 0
        self._total: int | None = None
        self._unit = "files"
        self.durations: dict[str, float] = {}

    def _end_stage(self) -> None:
        if self._name is not None:
            took = self._clock() - self._since
            self.durations[self._name] = self.durations.get(self._name, 0.0) + took

    def stage(
        self, name: str, total: int | None = None, done: int = 0, unit: str = "files"
    ) -> None:
        with self._lock:
            self._end_stage()
            self._name, self._since, self._done, self._total = name, self._clock(), done, total
            self._unit = unit
            self._changed(new_stage=True)

    def update(self, done: int, total: int | None = None) -> None:
        with self._lock:
            self._done = done
            if total is not None:
                self._total = total
            self._changed(new_stage=False)

    def advance(self, n: int = 1) -> None:
        with self._lock:
            self._done += n
            self._changed(new_stage=False)

    def _changed(self, *, new_stage: bool) -> None:
        """Hook: the state changed (called with the lock held)."""

    def state_text(self) -> str:
        """One line: the stage, its count, and the time spent in it and overall."""
        with self._lock:
            now = self._clock()
            text = self._name or "starting"
            if self._total:
                pct = 100 * self._done / self._total
                text += f" {self._done:,}/{self._total:,} {self._unit} ({pct:.0f} %)"
            stage_s, all_s = now - self._since, now - self._started
            if stage_s < 0.05:
                return f"{text}; {all_s:.1f} s in all"
            return f"{text}; {stage_s:.1f} s in this stage, {all_s:.1f} s in all"

    def summary_text(self) -> str:
        """The time per stage, load phases grouped: ``plan 0.3 s, parse 60.1 s, ...``."""
        with self._lock:
            parts: list[str] = []
            load: list[str] = []
            for name, took in self.durations.items():
                if name.startswith("load: "):
                    load.append(f"{name[6:]} {took:.1f}")
                else:
                    parts.append(f"{name} {took:.1f} s")
            if load:
                total = sum(t for n, t in self.durations.items() if n.startswith("load: "))
                parts.append(f"load {total:.1f} s ({', '.join(load)})")
            return ", ".join(parts)


class LineReporter(_Counted):
    """Plain progress lines for logs: a line when a stage starts, then one every
    ``interval`` seconds while it runs (from a timer thread, so a long load phase is not
    silent), and a closing line with what each stage took.

    Nothing is written until the run has lasted ``quiet_seconds``: a run that is over by
    then needs no progress, and its summary says what it did.
    """

    def __init__(
        self,
        write: Callable[[str], None] | None = None,
        *,
        label: str = "ingest",
        interval: float | None = None,
        quiet_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        timer: bool = True,
    ) -> None:
        super().__init__(clock)
        self._write = write or _stderr_line
        self._label = label
        self._interval = LINE_INTERVAL if interval is None else interval
        self._quiet = QUIET_SECONDS if quiet_seconds is None else quiet_seconds
        self._last_line: float | None = None
        self._printed_step: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if timer:
            self._thread = threading.Thread(
                target=self._tick, name="ytclaims-progress", daemon=True
            )
            self._thread.start()

    def _emit(self) -> None:
        self._last_line = self._clock()
        self._printed_step = self._name.split(":")[0] if self._name else None
        self._write(f"{self._label}: {self.state_text()}")

    def _changed(self, *, new_stage: bool) -> None:
        now = self._clock()
        if now - self._started < self._quiet:
            return
        due = self._last_line is None or now - self._last_line >= self._interval
        # A new step (plan, parse, load) is always worth a line; the load's phases follow
        # each other quickly at small scale, so they get a line when one is due (the
        # timer's) and their times in the closing line.
        step = self._name.split(":")[0] if self._name else None
        if (new_stage and step != self._printed_step) or due:
            self._emit()

    def tick(self) -> None:
        """Write the state if the run is past its quiet time and nothing was written for
        ``interval`` seconds (the timer thread calls this; tests call it directly)."""
        with self._lock:
            now = self._clock()
            if self._name is None or now - self._started < self._quiet:
                return
            if self._last_line is None or now - self._last_line >= self._interval:
                self._emit()

    def _tick(self) -> None:
        step = min(1.0, self._interval / 2)
        while not self._stop.wait(step):
            self.tick()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
            self._thread = None
        with self._lock:
            self._end_stage()
            self._name = None
            if self._last_line is not None:  # only runs that said anything say goodbye
                took = self._clock() - self._started
                self._write(f"{self._label}: done in {took:.1f} s: {self.summary_text()}")
                self._last_line = None


class RichReporter(_Counted):
    """A live progress line in a terminal: a bar and file count while parsing, a spinner
    with the phase name while loading. Transient: it disappears when the run ends, and
    the run's summary follows."""

    def __init__(self, console: Console | None = None, *, label: str = "ingest") -> None:
        super().__init__()
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self._label = label
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[count]}"),  # '120/1,457 files'; empty when uncounted
            TimeElapsedColumn(),
            console=console or Console(stderr=True, emoji=False),
            transient=True,
        )
        self._task = self._progress.add_task(f"{label}: starting", total=None, count="")
        self._progress.start()
        self._closed = False

    def _changed(self, *, new_stage: bool) -> None:
        if new_stage:
            # A fresh task per stage: its own clock, and no total (a spinner, no bar) for
            # the load phases that cannot be counted.
            self._progress.update(self._task, visible=False)
            self._task = self._progress.add_task(
                f"{self._label}: {self._name}",
                total=self._total,
                completed=self._done,
                count=self._count(),
            )
        else:
            self._progress.update(
                self._task, completed=self._done, total=self._total, count=self._count()
            )

    def _count(self) -> str:
        return f"{self._done:,}/{self._total:,} {self._unit}" if self._total else ""

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._end_stage()
                self._progress.stop()


class CallbackReporter(Reporter):
    """``progress(done, total)`` called as files are parsed: the simple form library
    callers (and benchmarks) pass to :func:`ytclaims.pipeline.ingest`."""

    def __init__(self, callback: Callable[[int, int], None]) -> None:
        self._callback = callback
        self._counting = False
        self._done = 0
        self._total = 0

    def stage(
        self, name: str, total: int | None = None, done: int = 0, unit: str = "files"
    ) -> None:
        self._counting = name == "parse" and total is not None
        if self._counting:
            self._done, self._total = done, int(total or 0)
            if done:
                self._callback(done, self._total)

    def update(self, done: int, total: int | None = None) -> None:
        if self._counting:
            self._done, self._total = done, int(total if total is not None else self._total)
            self._callback(self._done, self._total)

    def advance(self, n: int = 1) -> None:
        if self._counting:
            self.update(self._done + n)


def as_reporter(progress: Reporter | Callable[[int, int], None] | None) -> Reporter:
    """A reporter for what a caller passed: a reporter, a ``(done, total)`` callback, or
    nothing (then the one handed over with :func:`reporting`, else silence)."""
    if progress is None:
        return current()
    if isinstance(progress, Reporter):
        return progress
    return CallbackReporter(progress)


def for_stream(stream: IO[str] | None = None, *, label: str = "ingest") -> Reporter:
    """Rich progress when ``stream`` (default: stderr) is a terminal, else plain lines."""
    stream = stream if stream is not None else sys.stderr
    if _isatty(stream):
        from rich.console import Console

        return RichReporter(Console(file=stream, emoji=False), label=label)
    return LineReporter(lambda line: _write_line(stream, line), label=label)


def _isatty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _write_line(stream: IO[str], line: str) -> None:
    try:
        stream.write(line + "\n")
        stream.flush()
    except (OSError, ValueError):  # a closed pipe must not fail the run
        pass


def _stderr_line(line: str) -> None:
    _write_line(sys.stderr, line)


_NULL = Reporter()
_CURRENT: Reporter | None = None
_CURRENT_LOCK = threading.Lock()


def current() -> Reporter:
    """The reporter handed over with :func:`reporting` (any thread), else a silent one."""
    return _CURRENT or _NULL


@contextmanager
def reporting(reporter: Reporter) -> Iterator[Reporter]:
    """Make ``reporter`` the one :func:`current` returns while the block runs.

    A process-wide setting, not a context variable: Prefect runs tasks in threads of its
    own, which would not see a context variable set here.
    """
    global _CURRENT
    with _CURRENT_LOCK:
        previous, _CURRENT = _CURRENT, reporter
    try:
        yield reporter
    finally:
        with _CURRENT_LOCK:
            _CURRENT = previous
