"""The end-of-run summary: counts, problems by kind, and a few sample citations."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.text import Text

from ytclaims import errors


def print_summary(
    report: dict[str, object], db: Path, *, show: int = 3, console: Console | None = None
) -> None:
    """Print what a run did, what went wrong (by file), and ``show`` citations."""
    con_out = console or Console(emoji=False)
    totals = report.get("totals") or {}
    con_out.print(
        f"[bold]ingest[/bold] {report['files_seen']} files: "
        f"{report['sources_loaded']} loaded, {report['sources_unchanged']} unchanged; "
        f"{report['claims_loaded']} claims, {report['anchors_loaded']} anchors written "
        f"in {float(report['wall_seconds']):.2f} s."
    )
    if totals:
        con_out.print(
            f"warehouse {db}: {totals.get('sources')} sources, {totals.get('claims')} claims, "
            f"{totals.get('citations')} citations, {totals.get('ingest_errors')} recorded problems."
        )
    if totals.get("published") == 0:  # type: ignore[union-attr]
        con_out.print(
            "[yellow]committed, but not yet published[/yellow]: another run holds the "
            "warehouse and will publish this run's rows when it finishes."
        )
    pruned = int(totals.get("sources_pruned") or 0)  # type: ignore[union-attr]
    stale = int(totals.get("stale_sources") or 0)  # type: ignore[union-attr]
    if pruned:
        con_out.print(f"pruned {pruned} sources whose files are gone (and all rows from them).")
    elif stale:
        con_out.print(
            f"[yellow]{stale} loaded sources under these paths no longer exist[/yellow]; "
            "their claims are kept. Re-run with --prune to delete them."
        )
    problems = list(report.get("problems") or [])  # type: ignore[arg-type]
    if problems:
        by = Counter((p["severity"], p["error_kind"]) for p in problems)
        con_out.print("problems this run (all of them: SELECT * FROM ingest_errors):")
        for (sev, kind), n in sorted(by.items()):
            ex = next(p for p in problems if p["severity"] == sev and p["error_kind"] == kind)
            which = f" ({n} files), e.g." if n > 1 else ":"
            # One plain line per path, never cut or folded into a table cell: a problem is
            # useless if its file cannot be found or copied. No markup: '[id]' in a yt-dlp
            # file name is not a Rich style.
            con_out.print(
                Text.assemble(
                    (f"  {sev}", "red" if sev == "error" else "yellow"),
                    f" {kind}{which} {ex['source_path']}",
                ),
                soft_wrap=True,
            )
            con_out.print(Text(f"    {ex['message']}"), soft_wrap=True)
    if show > 0:
        _print_samples(db, show, con_out)


def _print_samples(db: Path, show: int, con_out: Console) -> None:
    from ytclaims.research.cite import fetch_record, markdown
    from ytclaims.warehouse.db import connect_read

    try:
        con = connect_read(db)
    except errors.YtclaimsError as exc:
        con_out.print(f"(no sample citations: {exc.message})")
        return
    try:
        ids = [
            r[0]
            for r in con.execute(
                "SELECT claim_id FROM citations WHERE seconds IS NOT NULL AND length(text) > 40 "
                "GROUP BY claim_id ORDER BY hash(claim_id) LIMIT ?",
                [show],
            ).fetchall()
        ]
        for cid in ids:
            con_out.rule(style="dim")
            con_out.print(
                markdown(fetch_record(con, cid)), markup=False, highlight=False, soft_wrap=True
            )
        if ids:
            con_out.rule(style="dim")
            con_out.print("cite any claim: ytclaims cite <claim_id>", markup=False)
    finally:
        con.close()


def update_line(report: dict[str, object], seconds: float, *, when: datetime | None = None) -> str:
    """One line per scheduled run (``ytclaims serve``): what it changed, at a glance.

    Why one line: a service's log is read by scrolling; the run's details are in the
    warehouse (``runs``, ``ingest_errors``, ``fetch_attempts``) and in Prefect's UI.
    """
    when = when or datetime.now(UTC)
    parts = [f"update {when.isoformat(timespec='seconds')} {report.get('config')}:"]
    ing = report.get("ingest")
    if isinstance(ing, dict):
        parts.append(
            f"ingest {ing.get('files_seen', 0):,} files ({ing.get('sources_loaded', 0):,} loaded, "
            f"{ing.get('sources_unchanged', 0):,} unchanged, {ing.get('claims_loaded', 0):,} "
            f"claims, {ing.get('n_errors', 0):,} problems);"
        )
    fetch = report.get("fetch")
    if isinstance(fetch, dict):
        parts.append(
            f"fetch {fetch.get('videos', 0):,} videos ({fetch.get('ok', 0):,} ok, "
            f"{fetch.get('failed', 0):,} failed, {fetch.get('claims_loaded', 0):,} claims);"
        )
    parts.append(f"{seconds:.1f} s; warehouse {report.get('db')}")
    return " ".join(parts)
