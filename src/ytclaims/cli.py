"""The ``ytclaims`` command line. Each command is one library call.

Commands that only read (``query``, ``cite``) import neither Prefect nor the
parsers, so they answer in well under a second; ``ingest`` runs the Prefect flow
(or, with ``--no-prefect``, the same stages directly).
"""

from __future__ import annotations

import os
import sys
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from ytclaims import errors
from ytclaims.records import display_path, is_utf8_path, safe_text
from ytclaims.sources.discover import (
    CAPTION_SUFFIXES,
    METADATA_SUFFIXES,
    NOTE_SUFFIXES,
    SIDECAR_NAMES,
)
from ytclaims.warehouse.db import ENV_DB, db_path


class _Commands(TyperGroup):
    """Every command's arguments are checked before any is parsed, and nothing a command
    raises reaches the user as a traceback.

    An argument that is not valid UTF-8 (a Latin-1 ``café`` folder name, bytes from a
    script) reaches Python as lone surrogates, which DuckDB, Arrow and the terminal all
    refuse with raw errors: it is refused here, for every command, with one line and
    exit code 2. So is ``$YTCLAIMS_DB``. An exception no command turned into a message
    is printed as one line too (``YTCLAIMS_DEBUG=1`` shows the traceback).
    """

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        for arg in [*args, os.environ.get(ENV_DB, "")]:
            if not is_utf8_path(arg):
                typer.echo(
                    f"error: {display_path(arg)!r} is not valid UTF-8; rename the file or "
                    "folder (e.g. convmv -f latin1 -t utf8 --notest), or pass UTF-8 text.",
                    err=True,
                )
                ctx.exit(2)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: typer.Context) -> object:
        try:
            return super().invoke(ctx)
        # Typer's own signals and usage errors (its bundled click's exceptions subclass
        # TyperException): Typer prints them as usual.
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise
        except errors.YtclaimsError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            ctx.exit(2)
        except Exception as exc:
            if os.environ.get("YTCLAIMS_DEBUG"):
                raise
            detail = " ".join(safe_text(str(exc)).split())[:300]
            typer.echo(
                f"error: {type(exc).__name__}: {detail} (unexpected; YTCLAIMS_DEBUG=1 shows "
                "where, please report it)",
                err=True,
            )
            ctx.exit(2)
        return None


app = typer.Typer(
    cls=_Commands,
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


def _version(value: bool) -> None:
    """``--version``: what a bug report needs first (ytclaims, and the DuckDB that wrote the
    files), without importing anything heavy."""
    if value:
        import platform
        from importlib.metadata import version

        from ytclaims import __version__

        typer.echo(
            f"ytclaims {__version__} (DuckDB {version('duckdb')}, "
            f"Python {platform.python_version()})"
        )
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Turn YouTube video notes into citable, timestamped claims in DuckDB."""


def _fail(exc: errors.YtclaimsError, code: int = 1) -> None:
    typer.echo(f"error: {exc.message}", err=True)
    raise typer.Exit(code)


def _prefect_env() -> None:
    from flows import prefect_env

    prefect_env()


def _run_flow(
    paths: list[str], db: Path, options: dict[str, object], dask_address: str | None = None
) -> dict[str, object]:
    """The Prefect flow ``ingest``; ``options`` are the keyword arguments it shares with
    :func:`ytclaims.pipeline.ingest`. Its steps report to this command's progress display."""
    from flows.api import api_for_flows
    from ytclaims import progress

    _prefect_env()
    reporter = progress.for_stream(sys.stderr)
    try:
        with progress.reporting(reporter), api_for_flows() as ready:
            reporter.stage("starting Prefect")
            from flows.ingest import ingest as ingest_flow

            ready()
            return ingest_flow(paths, str(db), dask_address=dask_address, **options)  # type: ignore[arg-type]
    finally:
        reporter.close()


def _run_direct(paths: list[str], db: Path, options: dict[str, object]) -> dict[str, object]:
    """:func:`ytclaims.pipeline.ingest` without Prefect, with a progress display: Rich in a
    terminal, plain periodic lines otherwise."""
    from ytclaims import progress
    from ytclaims.pipeline import ingest

    reporter = progress.for_stream(sys.stderr)
    try:
        return ingest(paths, db, progress=reporter, **options).as_dict()  # type: ignore[arg-type]
    finally:
        reporter.close()


#: What ``ingest`` reads, from the suffixes discovery accepts, so the help cannot fall behind.
INPUTS_HELP = (
    f"Note files ({' '.join(NOTE_SUFFIXES)}), caption files ({' '.join(CAPTION_SUFFIXES)}; "
    f"{', '.join(SIDECAR_NAMES)} beside one gives word times), video metadata (yt-dlp "
    f"*.info.json, {' '.join(METADATA_SUFFIXES)} tables with a video_id column), or folders "
    "of them (searched recursively)."
)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help=INPUTS_HELP)],
    db: DbOption = None,
    no_prefect: Annotated[
        bool,
        typer.Option("--no-prefect", help="Run the stages directly, without the Prefect flow."),
    ] = False,
    batch_size: Annotated[int, typer.Option(help="Files per parse task.")] = 250,
    max_bytes: Annotated[
        int, typer.Option(help="Refuse input files larger than this (bytes).")
    ] = 64 * 1024 * 1024,
    show: Annotated[int, typer.Option(help="Citations to print in the summary.")] = 3,
    taxonomy: Annotated[
        Path | None, typer.Option(help="Taxonomy TOML for tagging (default: the packaged one).")
    ] = None,
    no_tag: Annotated[bool, typer.Option("--no-tag", help="Skip layer/trend tagging.")] = False,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Delete sources under PATHS whose files are gone (and everything from them).",
        ),
    ] = False,
    dask_address: Annotated[
        str | None,
        typer.Option(
            "--dask-address",
            help="Run the parse tasks on the Dask cluster at this scheduler address "
            "(tcp://host:8786). PATHS and --stage-root must be shared with the workers.",
        ),
    ] = None,
    stage_root: Annotated[
        Path | None,
        typer.Option(
            help="Folder for parsed rows before the load (default: .staging next to --db). "
            "With --dask-address on several machines: a folder they all share.",
        ),
    ] = None,
) -> None:
    """Ingest video notes and caption files into the warehouse (idempotent: unchanged files
    are skipped)."""
    from ytclaims.summary import print_summary

    if dask_address and no_prefect:
        typer.echo("error: --dask-address runs the Prefect flow; drop --no-prefect.", err=True)
        raise typer.Exit(2)
    if batch_size < 1 or max_bytes < 1:
        typer.echo("error: --batch-size and --max-bytes must be 1 or more.", err=True)
        raise typer.Exit(2)
    target = db_path(db)
    args = [str(p) for p in paths]
    try:
        runner = _run_direct if no_prefect else partial(_run_flow, dask_address=dask_address)
        tax = str(taxonomy) if taxonomy else None
        if tax:
            from ytclaims.tags.taxonomy import load_taxonomy

            load_taxonomy(tax)  # fail fast, before any work, on a broken file
        options: dict[str, object] = {
            "batch_size": batch_size,
            "max_bytes": max_bytes,
            "taxonomy": tax,
            "tag": not no_tag,
            "prune": prune,
            "stage_root": str(stage_root) if stage_root else None,
        }
        report = runner(args, target, options)
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
    from ytclaims.research.query import format_rows, run_query

    try:
        cols, rows = run_query(db_path(db), sql)
        if format == "table":
            from ytclaims.research.terminal import rows_layout, terminal_width

            typer.echo(rows_layout(cols, rows, terminal_width()))
        else:
            sys.stdout.write(format_rows(cols, rows, format))
            sys.stdout.write("\n")
    except errors.YtclaimsError as exc:
        _fail(exc)


@app.command()
def cite(
    claim_ids: Annotated[list[str], typer.Argument(help="Claim ids (citations.claim_id).")],
    db: DbOption = None,
    style: Annotated[
        str,
        typer.Option(help="markdown, apa, mla, chicago, bibtex, csl-json, csl-citations or url."),
    ] = "markdown",
    disclose: Annotated[
        str,
        typer.Option(
            help="Unverified seconds: note (a marker, the reason after the list), "
            "inline (the reason in the citation) or none."
        ),
    ] = "note",
    markup: Annotated[
        str, typer.Option(help="apa/mla/chicago as text, markdown or html (italics).")
    ] = "text",
    quote: Annotated[
        bool, typer.Option("--quote", help="Also print what is said at each cited second.")
    ] = False,
) -> None:
    """Cite claims: in-text citations or notes, then one bibliography entry per video."""
    from ytclaims.research.cite import cite as cite_claims
    from ytclaims.warehouse.db import connect_read

    try:
        con = connect_read(db_path(db))
        try:
            typer.echo(
                cite_claims(
                    con, list(claim_ids), style, disclose=disclose, markup=markup, quote=quote
                )
            )
        finally:
            con.close()
    except errors.YtclaimsError as exc:
        _fail(exc)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Keywords (BM25 ranking).")],
    db: DbOption = None,
    layer: Annotated[str | None, typer.Option(help="Only claims with this layer.")] = None,
    trend: Annotated[str | None, typer.Option(help="Only claims with this trend.")] = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel.")] = None,
    video: Annotated[str | None, typer.Option(help="Only this video id.")] = None,
    sentences: Annotated[
        bool, typer.Option("--sentences", help="Search transcript sentences instead of claims.")
    ] = False,
    claims_only: Annotated[
        bool,
        typer.Option("--claims-only", help="With --sentences: only sentences chosen as claims."),
    ] = False,
    limit: Annotated[int, typer.Option(help="Results to show.")] = 20,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Keyword search over claims (or transcript sentences), ranked by BM25."""
    from ytclaims.research.query import format_rows
    from ytclaims.research.search import search as search_claims
    from ytclaims.research.search import search_sentences
    from ytclaims.warehouse.db import connect_read

    try:
        con = connect_read(db_path(db))
        try:
            if sentences:
                hits = search_sentences(
                    con, query, channel=channel, video=video, limit=limit, claims_only=claims_only
                )
                cols = [
                    "rank",
                    "video_id",
                    "seconds",
                    "checkworthy",
                    "claim_id",
                    "text",
                    "url",
                    "score",
                ]
            else:
                hits = search_claims(
                    con, query, layer=layer, trend=trend, channel=channel, video=video, limit=limit
                )
                cols = [
                    "rank",
                    "claim_id",
                    "text",
                    "url",
                    "timestamp_status",
                    "layers",
                    "trends",
                    "score",
                ]
        finally:
            con.close()
    except errors.YtclaimsError as exc:
        _fail(exc)
        return
    rows = [tuple(h.get(c) for c in cols) for h in hits]
    if format == "table":
        from ytclaims.research.terminal import hit_blocks, terminal_width

        typer.echo(hit_blocks(hits, terminal_width(), sentences=sentences) or "no results")
    else:
        typer.echo(format_rows(cols, rows, format))


@app.command()
def export(
    out: Annotated[Path, typer.Argument(help="File to write.")],
    db: DbOption = None,
    format: Annotated[
        str | None,
        typer.Option("--format", "-f", help="parquet, csv or jsonl (default: from OUT)."),
    ] = None,
    query: Annotated[
        str | None, typer.Option(help="One SELECT to export (default: the citations view).")
    ] = None,
) -> None:
    """Export citations (or any SELECT) with DuckDB's COPY."""
    from ytclaims.research.export import export as run_export
    from ytclaims.research.export import format_for

    try:
        fmt = format or format_for(out)
        n = run_export(db_path(db), out, fmt, query)  # type: ignore[arg-type]
    except (errors.OutputError, errors.ArgumentError) as exc:
        _fail(exc, 2)
        return
    except errors.YtclaimsError as exc:
        _fail(exc)
        return
    typer.echo(f"wrote {n} rows to {out}")
    if fmt != "parquet":
        from ytclaims.research.export import schema_path

        typer.echo(f"column types (for readers that guess them): {schema_path(out)}")


@app.command()
def report(
    out: Annotated[Path, typer.Argument(help="HTML file to write.")],
    db: DbOption = None,
    max_rows: Annotated[int, typer.Option(help="Claims in the table (charts count all).")] = 50000,
) -> None:
    """Write a self-contained HTML report: charts by layer, trend, channel and time, and a
    searchable table of claims with timestamp links (works offline)."""
    from ytclaims.research.report import write_report

    try:
        counts = write_report(db_path(db), out, max_rows=max_rows)
    except (errors.OutputError, errors.ArgumentError) as exc:
        _fail(exc, 2)
        return
    except errors.YtclaimsError as exc:
        _fail(exc)
        return
    typer.echo(
        f"wrote {out}: {counts['rows']} of {counts['claims']} claims, {counts['bytes']:,} bytes"
    )


@app.command()
def show(
    video: Annotated[str, typer.Argument(help="Video id or YouTube URL.")],
    db: DbOption = None,
) -> None:
    """The video's claims in time order, with status and tags."""
    from rich.console import Console

    from ytclaims.research.show import render_video
    from ytclaims.warehouse.db import connect_read

    try:
        con = connect_read(db_path(db))
        try:
            render_video(con, video, Console(emoji=False))
        finally:
            con.close()
    except errors.YtclaimsError as exc:
        _fail(exc)


@app.command()
def fetch(
    refs: Annotated[
        list[str] | None, typer.Argument(help="Video ids or watch/shorts/youtu.be/embed URLs.")
    ] = None,
    from_file: Annotated[
        list[Path] | None, typer.Option("--from-file", help="File with one id or URL per line.")
    ] = None,
    db: DbOption = None,
    languages: Annotated[str, typer.Option(help="Preferred languages, best first.")] = "en",
    translate_to: Annotated[
        str | None, typer.Option(help="Translate the chosen track to this language.")
    ] = None,
    generated_first: Annotated[
        bool, typer.Option(help="Prefer auto-generated tracks over manual ones.")
    ] = False,
    timeout: Annotated[float, typer.Option(help="HTTP timeout per request (s).")] = 20.0,
    max_attempts: Annotated[int, typer.Option(help="Attempts per video (transient errors).")] = 4,
    rate_limit: Annotated[float, typer.Option(help="Pause between network fetches (s).")] = 1.0,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Raw transcript cache. Default: <db folder>/transcripts.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Fetch again even when cached.")] = False,
    proxy_http: Annotated[
        str | None, typer.Option(help="HTTP proxy URL (else $YTCLAIMS_PROXY_HTTP).")
    ] = None,
    proxy_https: Annotated[
        str | None, typer.Option(help="HTTPS proxy URL (else $YTCLAIMS_PROXY_HTTPS).")
    ] = None,
    no_prefect: Annotated[
        bool, typer.Option("--no-prefect", help="Run directly, without the Prefect flow.")
    ] = False,
) -> None:
    """Fetch transcripts from YouTube into the raw cache and the warehouse.

    Webshare proxies: set YTCLAIMS_WEBSHARE_USERNAME and YTCLAIMS_WEBSHARE_PASSWORD.
    Blocked or offline? Download captions with another tool and `ytclaims ingest` them.
    """
    target = db_path(db)
    settings: dict[str, object] = {
        "languages": [x.strip() for x in languages.split(",") if x.strip()],
        "translate_to": translate_to,
        "prefer_manual": not generated_first,
        "timeout_seconds": timeout,
        "max_attempts": max_attempts,
        "rate_limit_seconds": rate_limit,
        "cache_dir": cache_dir or target.parent / "transcripts",
        "force": force,
    }
    files = [str(f) for f in from_file or []]
    if not refs and not files:
        typer.echo("error: give video ids/URLs or --from-file FILE.", err=True)
        raise typer.Exit(2)
    from ytclaims import progress

    reporter = progress.for_stream(sys.stderr, label="fetch")
    try:
        from ytclaims.sources.youtube.fetch import FetchConfig

        # Validate options (and proxy settings) before any work; secrets stay out of logs.
        cfg = FetchConfig.build(proxy_http=proxy_http, proxy_https=proxy_https, **settings)
        if no_prefect or proxy_http or proxy_https:
            # Proxy URLs given on the command line may hold credentials: never hand them to
            # Prefect as parameters (they would be stored in run records).
            from ytclaims import fetching

            with progress.reporting(reporter):
                rep = fetching.fetch(list(refs or []), target, config=cfg, refs_files=files)
            results, advice, problems = rep.results, rep.advice, rep.ref_problems
            ingest_report = rep.ingest.as_dict() if rep.ingest else None
        else:
            _prefect_env()
            from flows.api import api_for_flows

            settings["cache_dir"] = str(settings["cache_dir"])
            with progress.reporting(reporter), api_for_flows() as ready:
                reporter.stage("starting Prefect")
                from flows.fetch import fetch_transcripts

                ready()
                out = fetch_transcripts(list(refs or []), str(target), files, settings)
            results, advice, problems = out["results"], out["advice"], out["ref_problems"]
            ingest_report = out["ingest"]
    except errors.YtclaimsError as exc:
        reporter.close()
        _fail(exc, 2)
        return
    finally:
        reporter.close()  # idempotent; also on Ctrl-C, so no display is left running
    for p in problems:
        typer.echo(f"skipped {p.get('text')!r}: {p.get('message')}", err=True)
    for r in results:
        line = f"{r['video_id']}: {r['status']}"
        if r.get("track"):
            t = r["track"]
            line += (
                f" ({t.get('language_code')}, {'generated' if t.get('is_generated') else 'manual'})"
            )
        if r.get("error"):
            line += f" - {r['error']}"
        typer.echo(line)
    if ingest_report:
        typer.echo(
            f"loaded {ingest_report['sources_loaded']} transcript(s), "
            f"{ingest_report['claims_loaded']} transcript claims; attempts in fetch_attempts."
        )
    if advice:
        typer.echo(advice, err=True)
    if not any(r["status"] != "failed" for r in results):
        raise typer.Exit(1)


@app.command()
def explain(
    claim_id: Annotated[str, typer.Argument(help="Claim id (citations.claim_id).")],
    db: DbOption = None,
) -> None:
    """Show why a claim has its layers and trends: every piece of evidence."""
    from ytclaims.research.query import explain as explain_claim

    try:
        typer.echo(explain_claim(db_path(db), claim_id))
    except errors.YtclaimsError as exc:
        _fail(exc)


@app.command()
def evaluate(
    dev: Annotated[
        Path | None,
        typer.Option(help="Labelled claims (JSON lines); default data/tagging/labels.jsonl."),
    ] = None,
    taxonomy: Annotated[Path | None, typer.Option(help="Taxonomy TOML to evaluate.")] = None,
    split: Annotated[
        str | None,
        typer.Option(
            help="test (frozen test channels; the default for data/tagging), cv "
            "(leave-channel-out cross-validation on the training channels), train or all."
        ),
    ] = None,
    stratum: Annotated[
        str, typer.Option(help="all, random, ai_note, ai_mention, trend or targeted.")
    ] = "all",
    layer: Annotated[str | None, typer.Option(help="Show only this layer's row.")] = None,
    trend: Annotated[str | None, typer.Option(help="Show only this trend's row.")] = None,
) -> None:
    """Tag hand-labelled claims and print per-label P/R/F1, the summary figures and the
    per-channel spread (default: the frozen test channels of data/tagging)."""
    from ytclaims.research.search import check_label
    from ytclaims.tags.evaluate import evaluate as run_eval
    from ytclaims.tags.evaluate import format_evaluation

    try:
        only = None
        for group, value in (("layers", layer), ("trends", trend)):
            if value is not None:
                check_label(None, group, value, taxonomy=str(taxonomy) if taxonomy else None)
                only = (only or set()) | {value}
        res = run_eval(
            dev,
            str(taxonomy) if taxonomy else None,
            split=split,
            stratum=stratum,
        )
    except errors.YtclaimsError as exc:
        _fail(exc)
        return
    typer.echo(format_evaluation(res, only))


@app.command()
def serve(
    config: Annotated[
        Path, typer.Option("--config", help="Project config (see the repository's ytclaims.toml).")
    ] = Path("ytclaims.toml"),
    run_once: Annotated[
        bool, typer.Option("--run-once", help="Run the update flow once now and exit.")
    ] = False,
) -> None:
    """Keep the warehouse current on the config's cron: register the Prefect deployment
    'update/<name>' and serve it (blocks; needs PREFECT_API_URL of a running server)."""
    import json

    from flows import schedule

    _prefect_env()
    try:
        if run_once:
            from flows.api import api_for_flows

            with api_for_flows() as ready:
                import flows.update  # noqa: F401 - the slow import, while the API starts

                ready()
                out = schedule.run_once(config)
            typer.echo(json.dumps(out, indent=2, default=str))
        else:
            schedule.serve(config)
    except errors.YtclaimsError as exc:
        _fail(exc, 2)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
