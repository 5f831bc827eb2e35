"""The ``ytclaims`` command line. Each command is one library call.

Commands that only read (``query``, ``cite``) import neither Prefect nor the
parsers, so they answer in well under a second; ``ingest`` runs the Prefect flow
(or, with ``--no-prefect``, the same stages directly).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from ytclaims import errors
from ytclaims.warehouse.db import db_path

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn YouTube video notes into citable, timestamped claims in DuckDB.",
)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="Warehouse file. Default: $YTCLAIMS_DB, else warehouse/ytclaims.duckdb."
    ),
]


def _fail(exc: errors.YtclaimsError, code: int = 1) -> None:
    typer.echo(f"error: {exc.message}", err=True)
    raise typer.Exit(code)


def _run_flow(
    paths: list[str], db: Path, batch_size: int, max_bytes: int, taxonomy: str | None, tag: bool
) -> dict[str, object]:
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # The machines this runs on are often offline: no telemetry calls.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from rich.console import Console

    with Console(stderr=True).status("Running Prefect flow 'ingest' (a local API starts first)..."):
        from flows.ingest import ingest as ingest_flow

        return ingest_flow(
            paths, str(db), batch_size=batch_size, max_bytes=max_bytes, taxonomy=taxonomy, tag=tag
        )


def _run_direct(
    paths: list[str], db: Path, batch_size: int, max_bytes: int, taxonomy: str | None, tag: bool
) -> dict[str, object]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ytclaims.pipeline import ingest

    with Progress(
        TextColumn("parsing notes"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        tid = bar.add_task("parse", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(tid, completed=done, total=total)

        return ingest(
            paths, db, batch_size=batch_size, max_bytes=max_bytes, progress=tick
        ).as_dict()


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Note files or folders (searched recursively).")
    ],
    db: DbOption = None,
    no_prefect: Annotated[
        bool,
        typer.Option("--no-prefect", help="Run the stages directly, without the Prefect flow."),
    ] = False,
    batch_size: Annotated[int, typer.Option(help="Files per parse task.")] = 250,
    max_bytes: Annotated[int, typer.Option(help="Refuse notes larger than this.")] = 64
    * 1024
    * 1024,
    show: Annotated[int, typer.Option(help="Citations to print in the summary.")] = 3,
    taxonomy: Annotated[
        Path | None, typer.Option(help="Taxonomy TOML for tagging (default: the packaged one).")
    ] = None,
    no_tag: Annotated[bool, typer.Option("--no-tag", help="Skip layer/trend tagging.")] = False,
) -> None:
    """Ingest notes into the warehouse (idempotent: unchanged files are skipped)."""
    from ytclaims.report import print_summary

    target = db_path(db)
    args = [str(p) for p in paths]
    try:
        runner = _run_direct if no_prefect else _run_flow
        tax = str(taxonomy) if taxonomy else None
        if tax:
            from ytclaims.tags.taxonomy import load_taxonomy

            load_taxonomy(tax)  # fail fast, before any work, on a broken file
        report = runner(args, target, batch_size, max_bytes, tax, not no_tag)
    except errors.YtclaimsError as exc:
        _fail(exc, 2)
        return
    print_summary(report, target, show=show)
    nothing = report["sources_loaded"] == 0 and report["sources_unchanged"] == 0
    if nothing:
        typer.echo("error: nothing could be ingested from the given paths.", err=True)
        raise typer.Exit(1)


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="One SQL statement (read-only).")],
    db: DbOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Run read-only SQL against the warehouse (see README for tables and views)."""
    from ytclaims.query import format_rows, run_query

    try:
        cols, rows = run_query(db_path(db), sql)
        if format == "table":
            from rich.console import Console
            from rich.table import Table

            t = Table(*cols, show_lines=False)
            for r in rows:
                t.add_row(*("NULL" if v is None else str(v) for v in r))
            Console().print(t)
        else:
            sys.stdout.write(format_rows(cols, rows, format))
            sys.stdout.write("\n")
    except errors.YtclaimsError as exc:
        _fail(exc)


@app.command()
def cite(
    claim_id: Annotated[str, typer.Argument(help="Claim id (citations.claim_id).")],
    db: DbOption = None,
) -> None:
    """Print a Markdown citation of a claim: title, channel and timestamped URL."""
    from ytclaims.query import cite as cite_claim

    try:
        typer.echo(cite_claim(db_path(db), claim_id))
    except errors.YtclaimsError as exc:
        _fail(exc)


@app.command()
def explain(
    claim_id: Annotated[str, typer.Argument(help="Claim id (citations.claim_id).")],
    db: DbOption = None,
) -> None:
    """Show why a claim has its layers and trends: every piece of evidence."""
    from ytclaims.query import explain as explain_claim

    try:
        typer.echo(explain_claim(db_path(db), claim_id))
    except errors.YtclaimsError as exc:
        _fail(exc)


@app.command()
def evaluate(
    dev: Annotated[Path, typer.Option(help="Hand-labelled claims (JSON lines).")] = Path(
        "benchmarks/data/tagging_dev.jsonl"
    ),
    taxonomy: Annotated[Path | None, typer.Option(help="Taxonomy TOML to evaluate.")] = None,
    split: Annotated[str, typer.Option(help="all, tune or test half of the dev set.")] = "all",
    stratum: Annotated[str, typer.Option(help="all, random or targeted claims.")] = "all",
) -> None:
    """Tag the hand-labelled dev set and print per-label precision, recall and F1."""
    from ytclaims.tags.evaluate import evaluate as run_eval
    from ytclaims.tags.evaluate import format_report

    try:
        res = run_eval(dev, str(taxonomy) if taxonomy else None, split=split, stratum=stratum)
    except (errors.YtclaimsError, FileNotFoundError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(format_report(res))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
