"""A self-contained HTML report of the warehouse: charts and a searchable claims table.

The report is meant to be mailed, attached to a paper's supplement or opened from a USB stick,
so it is ONE file that needs no network when viewed: CSS and JavaScript are inline, the charts
are SVG drawn here in Python (they need no script, so they survive a viewer with JavaScript
off), and the table is built in the browser from JSON embedded in the page.

Claim text comes from notes anybody could have written, so it is treated as hostile:

* the JSON block escapes ``<``, ``>``, ``&``, U+2028 and U+2029, so no claim can close the
  ``<script>`` element that carries it (or break a JavaScript parser that predates ES2019);
* the table script writes data with ``textContent`` and never parses it as HTML;
* everything this module writes into HTML or SVG goes through :func:`html.escape`;
* only ``http(s)`` URLs become links (checked here and again in the browser);
* a Content-Security-Policy allows only this page's own inline script and style (by hash) and
  no network at all, so even a mistake in the above could not load or run anything.

Charts count claims over the whole warehouse; the table holds at most ``max_rows`` claims
(headless chromium opens a 50,000-row, 14 MB report in about 3 s; far more would make the page
sluggish). The search box keeps the rows in which every word typed occurs, case-insensitively,
in the claim text, channel, video title or id, timestamp statuses, layers or trends; a click on
a column header sorts by it (again: reverse), rows without a second last.

"Claims over time" has one bar per video. Videos whose upload date is known (a
``videos.upload_date`` column, where the warehouse has one) come first, by that date, with the
running total as a line: that part is a timeline. Videos without one follow, grouped by
channel in the order the channel's index page lists them (videos on no index page last, by
title): that is listing order, not time, and the chart's title and caption say which of the two
the page shows. Load order is never used: it says when a note reached this warehouse, not when
the video was published, and it changes whenever a note is edited.

The channel of a claim is its note's ``From: [[channel]]``; transcript claims have no note,
so they take the channel of their video (index pages, or the notes of the same video); when
nothing names it, they are labelled ``TRANSCRIPT_NO_CHANNEL`` rather than lumped in with notes
that lack a channel line.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ytclaims import __version__

#: Characters that must not appear raw inside an inline <script> block (see module doc).
_SCRIPT_JSON_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)
NO_CHANNEL = "(no channel)"
#: The channel shown for transcript claims of a video that no note or index page names.
TRANSCRIPT_NO_CHANNEL = "(transcript, channel unknown)"


@dataclass(slots=True, frozen=True)
class VideoBar:
    """One bar of "claims over time": a video, its claims and what places it."""

    video_id: str
    title: str | None
    channel: str
    n: int
    #: ISO upload date when known: the bar is placed in time.
    upload_date: str | None = None
    #: Place on the channel's index page (1 = first listed), when one lists the video.
    list_position: int | None = None

    @property
    def basis(self) -> str:
        """What places the bar: ``upload_date``, ``listing`` or ``unlisted``."""
        if self.upload_date:
            return "upload_date"
        return "listing" if self.list_position is not None else "unlisted"


@dataclass(slots=True)
class ReportData:
    """Everything the page shows, read from the warehouse in one go."""

    db_name: str
    n_claims: int
    n_citations: int
    last_run: str | None
    rows: list[list[object]]
    layers: list[tuple[str, int]]
    trends: list[tuple[str, int]]
    channels: list[tuple[str, int]]
    #: One bar per video: dated videos by upload date, then the rest in listing order.
    videos: list[VideoBar]
    statuses: list[tuple[str, int]]
    no_layer: int = 0
    no_trend: int = 0

    @property
    def n_dated(self) -> int:
        return sum(1 for v in self.videos if v.upload_date)


def script_json(obj: object) -> str:
    """JSON that is safe inside ``<script type="application/json">``.

    ``json.dumps`` alone would let a claim containing ``</script>`` end the element early and
    turn the rest of its text into markup; the escapes keep every string intact for
    ``JSON.parse``, which reads ``\\u003c`` back as ``<``.
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_SCRIPT_JSON_ESCAPES)


def safe_url(url: object) -> str | None:
    """The URL if it is an absolute http(s) URL, else None.

    The warehouse only builds YouTube URLs, but a link is the one place where data could turn
    into code (``javascript:``), so the report checks rather than trusts.
    """
    if not isinstance(url, str):
        return None
    stripped = url.strip()
    lowered = stripped.lower()
    if lowered.startswith(("https://", "http://")) and not any(c in stripped for c in "\r\n\t "):
        return stripped
    return None


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


# --------------------------------------------------------------------------- reading


def read_report_data(con: duckdb.DuckDBPyConnection, db_name: str, max_rows: int) -> ReportData:
    """Query the warehouse: aggregates over all claims, table rows up to ``max_rows``."""
    n_claims = int(con.execute("SELECT count(*) FROM claims").fetchone()[0])  # type: ignore[index]
    n_citations = int(con.execute("SELECT count(*) FROM citations").fetchone()[0])  # type: ignore[index]
    last = con.execute("SELECT max(finished_at) FROM runs").fetchone()
    last_run = last[0].isoformat(timespec="seconds") if last and last[0] is not None else None

    def label_counts(column: str) -> list[tuple[str, int]]:
        # list_distinct: a claim counts once per label even if a list repeated it.
        return [
            (str(label), int(n))
            for label, n in con.execute(
                f"SELECT label, count(*) AS n FROM "
                f"(SELECT unnest(list_distinct({column})) AS label FROM claims) "
                "GROUP BY label ORDER BY n DESC, label"
            ).fetchall()
        ]

    layers = label_counts("layers")
    trends = label_counts("trends")
    no_layer, no_trend = con.execute(
        "SELECT count(*) FILTER (WHERE len(layers) = 0), count(*) FILTER (WHERE len(trends) = 0) "
        "FROM claims"
    ).fetchone()  # type: ignore[misc]
    has_date = bool(
        con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'videos' "
            "AND column_name = 'upload_date'"
        ).fetchone()[0]  # type: ignore[index]
    )
    upload_date = (
        "min(coalesce(TRY_CAST(upload_date AS DATE), "
        "CAST(TRY_STRPTIME(CAST(upload_date AS VARCHAR), '%Y%m%d') AS DATE)))"
        if has_date
        else "CAST(NULL AS DATE)"
    )
    # One CTE gives every chart and the table the same channels and the same video order.
    order_cte = f"""
        WITH vids AS (
            SELECT video_id, any_value(title) AS title, any_value(channel) AS channel,
                   {upload_date} AS upload_date
            FROM videos GROUP BY video_id
        ), listed AS (
            SELECT video_id,
                   row_number() OVER (PARTITION BY source_id ORDER BY rowid) AS list_position
            FROM video_index
        ), listing AS (
            SELECT video_id, min(list_position) AS list_position FROM listed GROUP BY video_id
        ), cl AS (
            SELECT c.claim_id, c.video_id, c.claim_ordinal, c.text, c.layers, c.trends,
                   s.source_key,
                   coalesce(c.channel, v.channel,
                            CASE WHEN s.source_kind = 'transcript' THEN ? ELSE ? END)
                       AS channel
            FROM claims c JOIN sources s USING (source_id)
            LEFT JOIN vids v ON v.video_id = c.video_id
        ), vseen AS (
            SELECT video_id, count(*) AS n, any_value(channel ORDER BY source_key) AS channel
            FROM cl GROUP BY video_id
        ), vorder AS (
            SELECT vs.*, v.title, v.upload_date, l.list_position,
                   row_number() OVER (ORDER BY v.upload_date NULLS LAST, vs.channel,
                                      l.list_position NULLS LAST, v.title NULLS LAST,
                                      vs.video_id) AS pos
            FROM vseen vs LEFT JOIN vids v USING (video_id) LEFT JOIN listing l USING (video_id)
        )
    """
    names = [TRANSCRIPT_NO_CHANNEL, NO_CHANNEL]
    channels = [
        (str(ch), int(n))
        for ch, n in con.execute(
            order_cte + "SELECT channel, count(*) AS n FROM cl GROUP BY channel "
            "ORDER BY n DESC, channel",
            names,
        ).fetchall()
    ]
    statuses = [
        (str(st), int(n))
        for st, n in con.execute(
            "SELECT timestamp_status, count(*) AS n FROM citations GROUP BY 1 ORDER BY n DESC, 1"
        ).fetchall()
    ]
    videos = [
        VideoBar(
            str(vid),
            title,
            str(ch),
            int(n),
            day.isoformat() if day is not None else None,
            None if pos is None else int(pos),
        )
        for vid, title, ch, n, day, pos in con.execute(
            order_cte + "SELECT video_id, title, channel, n, upload_date, list_position "
            "FROM vorder ORDER BY pos",
            names,
        ).fetchall()
    ]
    rows: list[list[object]] = []
    if max_rows > 0:
        for text, channel, title, video_id, anchors, lay, tre in con.execute(
            order_cte
            + """
            , cit AS (
                SELECT claim_id,
                       list({'s': seconds, 'u': url, 't': timestamp_status}
                            ORDER BY anchor_ordinal) AS anchors
                FROM citations GROUP BY claim_id
            )
            SELECT c.text, c.channel, o.title, c.video_id,
                   coalesce(cit.anchors, []), c.layers, c.trends
            FROM cl c
            LEFT JOIN vorder o ON o.video_id = c.video_id
            LEFT JOIN cit USING (claim_id)
            ORDER BY o.pos, c.source_key, c.claim_ordinal, c.claim_id
            LIMIT ?
            """,
            [*names, max_rows],
        ).fetchall():
            rows.append(
                [
                    text,
                    channel,
                    title,
                    video_id,
                    [
                        [
                            None if a["s"] is None else int(a["s"]),
                            safe_url(a["u"]) if a["s"] is not None else None,
                            a["t"],
                        ]
                        for a in anchors
                    ],
                    list(lay or []),
                    list(tre or []),
                ]
            )
    return ReportData(
        db_name=db_name,
        n_claims=n_claims,
        n_citations=n_citations,
        last_run=last_run,
        rows=rows,
        layers=layers,
        trends=trends,
        channels=channels,
        videos=videos,
        statuses=statuses,
        no_layer=int(no_layer),
        no_trend=int(no_trend),
    )


# --------------------------------------------------------------------------- charts


def _truncate(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def hbar_svg(chart_id: str, title: str, items: list[tuple[str, int]], css_class: str) -> str:
    """A horizontal bar chart: one ``rect.bar`` per category, with its label and count.

    Each bar carries ``data-label``/``data-count`` (escaped) so tools and tests can read the
    chart without parsing geometry; ``<title>`` gives the full label as a tooltip when a long
    one is cut.
    """
    row_h, gap, label_w, bar_w, pad = 22, 6, 170, 340, 8
    limit = 26
    width = pad + label_w + bar_w + 60
    height = max(1, len(items)) * (row_h + gap) + 2 * pad
    top = max((n for _, n in items), default=0)
    parts = [
        f'<svg id="{_esc(chart_id)}" class="chart fit {_esc(css_class)}" role="img" '
        f'aria-label="{_esc(title)}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    if not items:
        parts.append(f'<text class="empty" x="{pad}" y="{pad + 15}">no claims</text>')
    for i, (label, n) in enumerate(items):
        y = pad + i * (row_h + gap)
        w = 0 if top == 0 else max(2, round(bar_w * n / top))
        x0 = pad + label_w
        parts.append(
            f'<g class="row"><title>{_esc(label)}: {n} claim{"s" if n != 1 else ""}</title>'
            f'<text class="label" x="{x0 - 8}" y="{y + row_h / 2 + 4}" text-anchor="end">'
            f"{_esc(_truncate(label, limit))}</text>"
            f'<rect class="bar" x="{x0}" y="{y}" width="{w}" height="{row_h}" rx="3" '
            f'data-label="{_esc(label)}" data-count="{n}"></rect>'
            f'<text class="count" x="{x0 + w + 6}" y="{y + row_h / 2 + 4}">{n}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def timeline_title(videos: list[VideoBar]) -> tuple[str, str]:
    """The chart's heading and caption, saying what orders its bars (time or listing)."""
    n_dated = sum(1 for v in videos if v.upload_date)
    undated = (
        "grouped by channel, in the order the channel's index page lists them (videos on no "
        "index page follow, by title). That is listing order, not time"
    )
    if videos and n_dated == len(videos):
        return (
            "Claims over time (per video, by upload date)",
            "One bar per video, left to right by upload date; the line is the running total. "
            "Hover a bar for the video.",
        )
    if n_dated:
        return (
            f"Claims over time ({n_dated:,} videos by upload date, then "
            f"{len(videos) - n_dated:,} without one)",
            "Left of the dashed line: videos by upload date, with the running total. Right of "
            f"it: videos whose upload date is unknown, {undated}. Hover a bar for the video.",
        )
    return (
        "Claims per video, in channel listing order (no upload dates known)",
        f"No video here has a known upload date, so this is not a timeline: one bar per video, "
        f"{undated}. Hover a bar for the video.",
    )


def timeline_svg(chart_id: str, videos: list[VideoBar]) -> str:
    """Claims per video: dated videos by upload date with the running total as a line, then
    undated ones in channel listing order after a dashed divider (see the module doc).

    Bars share 720 px and get thinner as videos grow in number, down to 2 px (240 videos);
    past that the chart widens and its box scrolls sideways, so every video keeps a bar.
    Bar charts of categories, by contrast, shrink to fit their box (``svg.fit``). Each bar
    carries ``data-basis`` (``upload_date``, ``listing`` or ``unlisted``).
    """
    n_v = len(videos)
    plot_h, pad_l, pad_r, pad_t, pad_b = 180, 48, 48, 12, 30
    step = max(3, min(48, 720 // max(n_v, 1)))
    bar = max(2, round(step * 0.7)) if step > 8 else step - 1
    width = pad_l + pad_r + max(120, n_v * step)
    height = pad_t + plot_h + pad_b
    top = max((v.n for v in videos), default=0)
    dated = [v for v in videos if v.upload_date]
    total = sum(v.n for v in dated)
    parts = [
        f'<svg id="{_esc(chart_id)}" class="chart timeline" role="img" '
        f'aria-label="{_esc(timeline_title(videos)[0])}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<line class="axis" x1="{pad_l}" y1="{pad_t + plot_h}" x2="{width - pad_r}" '
        f'y2="{pad_t + plot_h}"></line>',
        f'<text class="tick" x="{pad_l - 6}" y="{pad_t + 10}" text-anchor="end">{top}</text>',
        f'<text class="tick" x="{pad_l - 6}" y="{pad_t + plot_h}" text-anchor="end">0</text>',
    ]
    if dated:
        parts.append(
            f'<text class="tick cum" x="{width - pad_r + 6}" y="{pad_t + 10}">{total}</text>'
        )
    if not videos:
        parts.append(f'<text class="empty" x="{pad_l + 8}" y="{pad_t + 40}">no claims</text>')
    points: list[str] = []
    running = 0
    for i, v in enumerate(videos):
        x = pad_l + i * step
        h = 0 if top == 0 else max(1, round(plot_h * v.n / top))
        y = pad_t + plot_h - h
        claims = f"{v.n} claim{'s' if v.n != 1 else ''}"
        if v.upload_date:
            running += v.n
            where = f"uploaded {v.upload_date}; {claims}, {running} so far"
            cy = pad_t + plot_h - (0 if total == 0 else plot_h * running / total)
            points.append(f"{x + bar / 2:.1f},{cy:.1f}")
        elif v.list_position is not None:
            where = f"upload date unknown, #{v.list_position} on its index page; {claims}"
        else:
            where = f"upload date unknown, on no index page; {claims}"
        if i == len(dated) and dated:
            parts.append(
                f'<line class="divider" x1="{x - (step - bar) / 2:.1f}" y1="{pad_t}" '
                f'x2="{x - (step - bar) / 2:.1f}" y2="{pad_t + plot_h}"></line>'
            )
        parts.append(
            f'<g class="row"><title>#{i + 1} {_esc(v.title or v.video_id)} ({_esc(v.channel)}, '
            f"{_esc(v.video_id)}): {_esc(where)}</title>"
            f'<rect class="bar" x="{x}" y="{y}" width="{bar}" height="{h}" '
            f'data-label="{_esc(v.video_id)}" data-count="{v.n}" data-order="{i + 1}" '
            f'data-basis="{v.basis}"></rect></g>'
        )
    if points:
        parts.append(f'<polyline class="cumulative" points="{" ".join(points)}"></polyline>')
    if videos:
        parts.append(
            f'<text class="tick" x="{pad_l}" y="{height - 10}">1</text>'
            f'<text class="tick" x="{pad_l + (n_v - 1) * step}" y="{height - 10}">{n_v}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- page

_CSS = """
:root{--fg:#1d2330;--muted:#5b6577;--bg:#fff;--panel:#f5f7fa;--line:#dde2ea;
--layer:#3a6ea5;--trend:#b5642a;--chan:#4b8b5a;--time:#6b5ca5;--link:#1a5fb4}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ef;--muted:#9aa4b5;--bg:#14171c;
--panel:#1d2128;--line:#313845;--layer:#6ea0d6;--trend:#e09a63;--chan:#7fbf8e;
--time:#a496e0;--link:#8cb8ff}}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--fg);background:var(--bg)}
header,main{max-width:1280px;margin:0 auto;padding:16px 24px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:17px;margin:0 0 6px}
.meta,.note,figcaption{color:var(--muted)}
.stats{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.stat{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:8px 14px}
.stat b{display:block;font-size:20px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:16px}
figure{margin:0;background:var(--panel);border:1px solid var(--line);border-radius:8px;
padding:12px;overflow-x:auto}
figure.wide{grid-column:1/-1}
svg.chart{display:block;font-size:12px}svg.fit{max-width:100%;height:auto}
svg text{fill:var(--fg)}svg text.tick,svg text.empty{fill:var(--muted)}
svg.layers rect.bar{fill:var(--layer)}svg.trends rect.bar{fill:var(--trend)}
svg.channels rect.bar{fill:var(--chan)}svg.timeline rect.bar{fill:var(--time)}
svg .axis{stroke:var(--line)}svg .divider{stroke:var(--muted);stroke-dasharray:4 3}
svg .cumulative{fill:none;stroke:var(--trend);stroke-width:2}
svg g.row:hover rect.bar{opacity:.75}
.tools{display:flex;gap:12px;align-items:center;margin:20px 0 8px;flex-wrap:wrap}
#search{flex:1 1 320px;font:inherit;padding:7px 10px;border:1px solid var(--line);
border-radius:6px;background:var(--bg);color:var(--fg)}
/* The table is a grid of rows, cut into tbody chunks that the browser skips while they are
   off screen (content-visibility): a real table layout of 50,000 rows takes 15 s or more. */
#claims{display:block;width:100%}
#claims thead,#claims tbody{display:block}
#claims thead{position:sticky;top:0;z-index:1;background:var(--panel)}
#claims tbody{content-visibility:auto;contain-intrinsic-size:auto 6000px}
#claims tr{display:grid;grid-template-columns:34% 9% 14% 7% 9% 11% 16%}
th,td{min-width:0;border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;
overflow-wrap:anywhere}
th button{all:unset;cursor:pointer;font-weight:600}
th button:focus-visible{outline:2px solid var(--link)}
th[aria-sort=ascending] button::after{content:" \\25B2"}
th[aria-sort=descending] button::after{content:" \\25BC"}
td.time a{color:var(--link)}
.pill{display:inline-block;background:var(--panel);border:1px solid var(--line);
border-radius:10px;padding:0 7px;margin:1px 2px 1px 0;font-size:12px}
"""

_JS = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data").textContent);
  var table = document.getElementById("claims");
  var CHUNK = 200;
  var search = document.getElementById("search");
  var shown = document.getElementById("shown");
  var collator = new Intl.Collator(undefined, {sensitivity: "base", numeric: true});
  var HTTP = /^https?:\\/\\//i;

  function fmt(s) {
    if (s === null) { return "\\u2014"; }
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), x = s % 60;
    var mm = (m < 10 ? "0" : "") + m, ss = (x < 10 ? "0" : "") + x;
    return h ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }
  function cell(tr, cls, text) {
    var td = document.createElement("td");
    td.className = cls;
    td.setAttribute("role", "cell");
    if (text !== undefined) { td.textContent = text; }
    tr.appendChild(td);
    return td;
  }
  function pills(td, labels) {
    labels.forEach(function (label) {
      var span = document.createElement("span");
      span.className = "pill";
      span.textContent = label;
      td.appendChild(span);
    });
  }
  function unique(xs) {
    return xs.filter(function (x, i) { return xs.indexOf(x) === i; });
  }

  var rows = data.rows.map(function (r, index) {
    var text = r[0], channel = r[1], title = r[2] || r[3], videoId = r[3];
    var anchors = r[4], layers = r[5], trends = r[6];
    var statuses = unique(anchors.map(function (a) { return a[2]; }));
    var tr = document.createElement("tr");
    tr.setAttribute("role", "row");
    cell(tr, "text", text);
    cell(tr, "channel", channel);
    var tdTitle = cell(tr, "title", title);
    tdTitle.title = videoId;
    var tdTime = cell(tr, "time");
    anchors.forEach(function (a, i) {
      if (i) { tdTime.appendChild(document.createTextNode(" ")); }
      var url = a[1];
      var el;
      if (a[0] !== null && typeof url === "string" && HTTP.test(url)) {
        el = document.createElement("a");
        el.href = url;
        el.target = "_blank";
        el.rel = "noopener noreferrer";
      } else {
        el = document.createElement("span");
      }
      el.textContent = fmt(a[0]);
      el.title = a[2];
      tdTime.appendChild(el);
    });
    cell(tr, "status", statuses.join(", "));
    pills(cell(tr, "layers"), layers);
    pills(cell(tr, "trends"), trends);
    var first = anchors.length && anchors[0][0] !== null ? anchors[0][0] : null;
    return {
      tr: tr,
      index: index,
      hay: [text, channel, title, videoId, statuses.join(" "), layers.join(" "),
            trends.join(" ")].join("\\n").toLowerCase(),
      keys: [text, channel, title, first, statuses.join(", "), layers.join(", "),
             trends.join(", ")]
    };
  });

  // Rows not matching the search are taken out of the DOM, not hidden: chunks then hold only
  // what is shown, and an off-screen chunk's placeholder height stays close to the truth.
  var order = rows, words = [];
  function show() {
    var list = order.filter(function (row) {
      return words.every(function (w) { return row.hay.indexOf(w) !== -1; });
    });
    while (table.tBodies.length) { table.removeChild(table.tBodies[0]); }
    var frag = document.createDocumentFragment(), body = null;
    list.forEach(function (row, i) {
      if (i % CHUNK === 0) {
        body = document.createElement("tbody");
        body.setAttribute("role", "rowgroup");
        frag.appendChild(body);
      }
      body.appendChild(row.tr);
    });
    table.appendChild(frag);
    shown.textContent = list.length.toLocaleString("en") + " of " +
      rows.length.toLocaleString("en") + " claims shown";
    shown.setAttribute("data-shown", String(list.length));
    shown.setAttribute("data-query", search.value);
  }
  var timer = null;
  search.addEventListener("input", function () {
    if (timer !== null) { clearTimeout(timer); }
    timer = setTimeout(function () {
      words = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
      show();
    }, rows.length > 5000 ? 150 : 0);
  });
  show();

  var sortCol = -1, sortDir = 1;
  function compare(col) {
    return function (a, b) {
      var x = a.keys[col], y = b.keys[col], c;
      if (col === 3) {
        if (x === null && y === null) { c = 0; }
        else if (x === null) { return 1; }
        else if (y === null) { return -1; }
        else { c = x - y; }
      } else {
        if (x === "" && y !== "") { return 1; }
        if (y === "" && x !== "") { return -1; }
        c = collator.compare(x, y);
      }
      return c * sortDir || a.index - b.index;
    };
  }
  document.querySelectorAll("#claims thead th").forEach(function (th, col) {
    th.querySelector("button").addEventListener("click", function () {
      sortDir = sortCol === col ? -sortDir : 1;
      sortCol = col;
      document.querySelectorAll("#claims thead th").forEach(function (other) {
        other.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", sortDir === 1 ? "ascending" : "descending");
      order = rows.slice().sort(compare(col));
      show();
    });
  });
}());
"""

_COLUMNS = ("Claim", "Channel", "Video", "Time", "Status", "Layers", "Trends")


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_page(data: ReportData, *, generated_at: str | None = None) -> str:
    """The whole page as one string."""
    generated_at = generated_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    csp = (
        "default-src 'none'; "
        f"script-src {_csp_hash(_JS)}; style-src {_csp_hash(_CSS)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    n_rows = len(data.rows)
    payload = {"rows": data.rows}
    stats = [
        ("claims", data.n_claims),
        ("citations", data.n_citations),
        ("videos", len(data.videos)),
        ("channels", len(data.channels)),
    ]
    stat_html = "".join(
        f'<div class="stat" id="stat-{_esc(k)}"><b>{v:,}</b>{_esc(k)}</div>' for k, v in stats
    )
    status_text = ", ".join(f"{_esc(s)} {n:,}" for s, n in data.statuses) or "none"
    n_suspect = dict(data.statuses).get("suspect", 0)
    suspect_html = (
        f'<p class="note" id="suspect-warning"><b>Warning:</b> {n_suspect:,} '
        f"citation{'s have' if n_suspect != 1 else ' has'} a <i>suspect</i> timestamp: a "
        "second far outside everything else known about its video. Filter the table by "
        "&ldquo;suspect&rdquo; and check them before citing.</p>"
        if n_suspect
        else ""
    )
    truncated = (
        f'<p class="note" id="truncated">The table holds the first {n_rows:,} of '
        f"{data.n_claims:,} claims (max_rows); the charts count all of them.</p>"
        if n_rows < data.n_claims
        else ""
    )
    head_cells = "".join(
        f'<th scope="col" role="columnheader"><button type="button">{_esc(label)}</button></th>'
        for label in _COLUMNS
    )
    last_run = f", last ingest {_esc(data.last_run)}" if data.last_run else ""
    time_title, time_caption = timeline_title(data.videos)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ytclaims {_esc(__version__)}">
<link rel="icon" href="data:,">
<title>ytclaims report: {_esc(data.db_name)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>ytclaims report</h1>
<p class="meta">Warehouse <code>{_esc(data.db_name)}</code>{last_run}; generated
{_esc(generated_at)} by ytclaims {_esc(__version__)}.</p>
<div class="stats">{stat_html}</div>
<p class="meta" id="statuses">Citations by timestamp status: {status_text}.</p>
{suspect_html}
</header>
<main>
<section class="charts" aria-label="Charts">
<figure><h2>Claims by layer</h2>
{hbar_svg("chart-layers", "Claims by layer", data.layers, "layers")}
<figcaption>{data.no_layer:,} claims have no layer.</figcaption></figure>
<figure><h2>Claims by trend</h2>
{hbar_svg("chart-trends", "Claims by trend", data.trends, "trends")}
<figcaption>{data.no_trend:,} claims have no trend. A claim can have several.</figcaption>
</figure>
<figure><h2>Claims by channel</h2>
{hbar_svg("chart-channels", "Claims by channel", data.channels, "channels")}
</figure>
<figure class="wide"><h2 id="chart-time-title">{_esc(time_title)}</h2>
{timeline_svg("chart-time", data.videos)}
<figcaption id="chart-time-caption">{_esc(time_caption)}</figcaption></figure>
</section>
<section aria-label="Claims">
<div class="tools">
<input id="search" type="search" placeholder="Search claims, channels, videos, tags"
 aria-label="Search claims" autocomplete="off">
<span id="shown" class="meta" aria-live="polite"></span>
</div>
{truncated}
<noscript><p class="note">The table needs JavaScript; the charts above do not.</p></noscript>
<table id="claims" role="table" aria-label="Claims">
<thead role="rowgroup"><tr role="row">{head_cells}</tr></thead></table>
</section>
</main>
<script type="application/json" id="data">{script_json(payload)}</script>
<script>{_JS}</script>
</body>
</html>
"""


def write_report(db: Path, out: Path, *, max_rows: int = 50000) -> dict[str, int]:
    """Write the HTML report of warehouse ``db`` to ``out``; return what it rendered.

    The file is written next to ``out`` and renamed into place, so a viewer (or a web
    server) never sees half a report. Returns counts: ``claims`` (in the warehouse),
    ``rows`` (in the table), ``citations``, one bar count per chart (``layers``, ``trends``,
    ``channels``, ``videos``) and ``bytes``.
    """
    from ytclaims.warehouse.db import connect_read

    if max_rows < 0:
        raise ValueError("max_rows must be >= 0")
    db, out = Path(db), Path(out)
    con = connect_read(db)
    try:
        data = read_report_data(con, db.name, max_rows)
    finally:
        con.close()
    page = render_page(data)
    encoded = page.encode("utf-8", errors="replace")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(encoded)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return {
        "claims": data.n_claims,
        "rows": len(data.rows),
        "citations": data.n_citations,
        "layers": len(data.layers),
        "trends": len(data.trends),
        "channels": len(data.channels),
        "videos": len(data.videos),
        "bytes": len(encoded),
    }
