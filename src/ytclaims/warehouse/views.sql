-- ytclaims analysis views (DuckDB), applied after schema.sql by ytclaims.warehouse.db.apply_views.
-- Idempotent: every view is CREATE OR REPLACE and every comment is re-set, so applying the
-- file again (each write-open) changes nothing. Views read only the tables and the public
-- views of schema.sql; none of them stores data.
--
-- "A claim's channel" is the note's channel (claims.channel) and, for transcript claims
-- (which have none), the channel of their video (videos.channel). "A claim's link" is its
-- first anchor, in anchor order, whose second is known (claim_links).

CREATE OR REPLACE VIEW claim_links AS
SELECT claim_id,
       arg_min(url, anchor_ordinal) FILTER (WHERE seconds IS NOT NULL) AS url,
       arg_min(seconds, anchor_ordinal) FILTER (WHERE seconds IS NOT NULL) AS seconds,
       coalesce(arg_min(timestamp_status, anchor_ordinal) FILTER (WHERE seconds IS NOT NULL),
                arg_min(timestamp_status, anchor_ordinal)) AS timestamp_status,
       count(*) AS n_anchors,
       count(seconds) AS n_citable
FROM citations
GROUP BY claim_id;
COMMENT ON VIEW claim_links IS 'One row per claim: the link to cite it, i.e. its first anchor (in anchor order) whose second is known. A claim can have several anchors; lists and searches show this one.';
COMMENT ON COLUMN claim_links.claim_id IS 'Claim id (claims.claim_id).';
COMMENT ON COLUMN claim_links.url IS 'Timestamped watch URL of the first anchor with a known second; NULL when no anchor of the claim has one (all ambiguous or invalid).';
COMMENT ON COLUMN claim_links.seconds IS 'Whole second of that anchor (citations.seconds); NULL when none is known.';
COMMENT ON COLUMN claim_links.timestamp_status IS 'timestamp_status of that anchor, or of the claim''s first anchor when none has a known second.';
COMMENT ON COLUMN claim_links.n_anchors IS 'Anchors (citations) of the claim.';
COMMENT ON COLUMN claim_links.n_citable IS 'Anchors of the claim with a known second.';

CREATE OR REPLACE VIEW claims_by_layer AS
SELECT c.layer,
       c.claim_id,
       c.video_id,
       v.title,
       coalesce(c.channel, v.channel) AS channel,
       s.source_kind,
       c.text,
       k.url,
       k.seconds,
       k.timestamp_status,
       c.trends,
       c.about_ai
FROM (SELECT *, unnest(layers) AS layer FROM claims) c
JOIN sources s ON s.source_id = c.source_id
LEFT JOIN videos v ON v.video_id = c.video_id
LEFT JOIN claim_links k ON k.claim_id = c.claim_id;
COMMENT ON VIEW claims_by_layer IS 'One row per claim per layer it carries (claims.layers unnested): claims with no layer do not appear, claims with two appear twice. GROUP BY layer for counts.';
COMMENT ON COLUMN claims_by_layer.layer IS 'One label of claims.layers (default taxonomy: model, infrastructure, application).';
COMMENT ON COLUMN claims_by_layer.claim_id IS 'Claim id; pass it to ytclaims cite.';
COMMENT ON COLUMN claims_by_layer.video_id IS 'YouTube video id.';
COMMENT ON COLUMN claims_by_layer.title IS 'Video title from the channel index page; NULL when no index page lists the video.';
COMMENT ON COLUMN claims_by_layer.channel IS 'Channel of the claim: the note''s channel, else (transcript claims) the video''s.';
COMMENT ON COLUMN claims_by_layer.source_kind IS 'note or transcript: where the claim was read.';
COMMENT ON COLUMN claims_by_layer.text IS 'Claim text.';
COMMENT ON COLUMN claims_by_layer.url IS 'Timestamped link of the claim (claim_links.url); NULL when no anchor has a known second.';
COMMENT ON COLUMN claims_by_layer.seconds IS 'Second of that link.';
COMMENT ON COLUMN claims_by_layer.timestamp_status IS 'How far that second can be trusted (see citations.timestamp_status).';
COMMENT ON COLUMN claims_by_layer.trends IS 'All trends of the claim (claims.trends).';
COMMENT ON COLUMN claims_by_layer.about_ai IS 'Whether the taxonomy gate is open for the claim (claims.about_ai).';

CREATE OR REPLACE VIEW claims_by_trend AS
SELECT c.trend,
       c.claim_id,
       c.video_id,
       v.title,
       coalesce(c.channel, v.channel) AS channel,
       s.source_kind,
       c.text,
       k.url,
       k.seconds,
       k.timestamp_status,
       c.layers,
       c.about_ai
FROM (SELECT *, unnest(trends) AS trend FROM claims) c
JOIN sources s ON s.source_id = c.source_id
LEFT JOIN videos v ON v.video_id = c.video_id
LEFT JOIN claim_links k ON k.claim_id = c.claim_id;
COMMENT ON VIEW claims_by_trend IS 'One row per claim per trend it evidences (claims.trends unnested): claims with no trend do not appear. GROUP BY trend for counts.';
COMMENT ON COLUMN claims_by_trend.trend IS 'One label of claims.trends (default taxonomy: cost_reduction, commoditization, ...).';
COMMENT ON COLUMN claims_by_trend.claim_id IS 'Claim id; pass it to ytclaims cite.';
COMMENT ON COLUMN claims_by_trend.video_id IS 'YouTube video id.';
COMMENT ON COLUMN claims_by_trend.title IS 'Video title from the channel index page; NULL when no index page lists the video.';
COMMENT ON COLUMN claims_by_trend.channel IS 'Channel of the claim: the note''s channel, else (transcript claims) the video''s.';
COMMENT ON COLUMN claims_by_trend.source_kind IS 'note or transcript: where the claim was read.';
COMMENT ON COLUMN claims_by_trend.text IS 'Claim text.';
COMMENT ON COLUMN claims_by_trend.url IS 'Timestamped link of the claim (claim_links.url); NULL when no anchor has a known second.';
COMMENT ON COLUMN claims_by_trend.seconds IS 'Second of that link.';
COMMENT ON COLUMN claims_by_trend.timestamp_status IS 'How far that second can be trusted (see citations.timestamp_status).';
COMMENT ON COLUMN claims_by_trend.layers IS 'All layers of the claim (claims.layers).';
COMMENT ON COLUMN claims_by_trend.about_ai IS 'Whether the taxonomy gate is open for the claim (claims.about_ai).';

CREATE OR REPLACE VIEW claims_by_channel AS
WITH c AS (
    SELECT c.claim_id, c.video_id, coalesce(c.channel, v.channel) AS channel, s.source_kind,
           c.n_anchors, c.about_ai, len(c.layers) > 0 AS has_layer, len(c.trends) > 0 AS has_trend
    FROM claims c
    JOIN sources s ON s.source_id = c.source_id
    LEFT JOIN videos v ON v.video_id = c.video_id
)
SELECT channel,
       count(DISTINCT video_id) AS n_videos,
       count(*) AS n_claims,
       count(*) FILTER (WHERE source_kind = 'note') AS n_note_claims,
       count(*) FILTER (WHERE source_kind = 'transcript') AS n_transcript_claims,
       coalesce(sum(n_anchors), 0) AS n_anchors,
       count(*) FILTER (WHERE about_ai) AS n_about_ai,
       count(*) FILTER (WHERE has_layer) AS n_with_layer,
       count(*) FILTER (WHERE has_trend) AS n_with_trend
FROM c
GROUP BY channel;
COMMENT ON VIEW claims_by_channel IS 'One row per channel that has claims: how many videos, claims (from notes and from transcripts), anchors and tagged claims. A claim''s channel is its note''s, else its video''s.';
COMMENT ON COLUMN claims_by_channel.channel IS 'Channel name; NULL for transcript claims of a video no note or index page places in a channel.';
COMMENT ON COLUMN claims_by_channel.n_videos IS 'Distinct videos with at least one claim in this channel.';
COMMENT ON COLUMN claims_by_channel.n_claims IS 'Claims (rows of claims) in this channel.';
COMMENT ON COLUMN claims_by_channel.n_note_claims IS 'Of those, claims read from notes.';
COMMENT ON COLUMN claims_by_channel.n_transcript_claims IS 'Of those, claims taken from transcripts.';
COMMENT ON COLUMN claims_by_channel.n_anchors IS 'Anchors of those claims (sum of claims.n_anchors).';
COMMENT ON COLUMN claims_by_channel.n_about_ai IS 'Claims whose taxonomy gate is open (claims.about_ai true).';
COMMENT ON COLUMN claims_by_channel.n_with_layer IS 'Claims with at least one layer.';
COMMENT ON COLUMN claims_by_channel.n_with_trend IS 'Claims with at least one trend.';

CREATE OR REPLACE VIEW claims_by_video AS
WITH cl AS (
    SELECT c.video_id,
           count(*) AS n_claims,
           count(*) FILTER (WHERE s.source_kind = 'note') AS n_note_claims,
           count(*) FILTER (WHERE s.source_kind = 'transcript') AS n_transcript_claims
    FROM claims c JOIN sources s ON s.source_id = c.source_id
    GROUP BY c.video_id
), ct AS (
    SELECT video_id,
           count(*) AS n_citations,
           count(seconds) AS n_citable,
           count(*) FILTER (WHERE timestamp_status = 'verified') AS n_verified,
           count(*) FILTER (WHERE timestamp_status = 'corrected') AS n_corrected,
           count(*) FILTER (WHERE timestamp_status = 'reinterpreted') AS n_reinterpreted,
           count(*) FILTER (WHERE timestamp_status = 'unverified') AS n_unverified,
           count(*) FILTER (WHERE timestamp_status = 'ambiguous') AS n_ambiguous,
           count(*) FILTER (WHERE timestamp_status = 'invalid') AS n_invalid,
           count(*) FILTER (WHERE timestamp_status = 'transcript') AS n_transcript
    FROM citations
    GROUP BY video_id
)
SELECT v.video_id,
       v.title,
       v.channel,
       coalesce(cl.n_claims, 0) AS n_claims,
       coalesce(cl.n_note_claims, 0) AS n_note_claims,
       coalesce(cl.n_transcript_claims, 0) AS n_transcript_claims,
       coalesce(ct.n_citations, 0) AS n_citations,
       coalesce(ct.n_citable, 0) AS n_citable,
       coalesce(ct.n_verified, 0) AS n_verified,
       coalesce(ct.n_corrected, 0) AS n_corrected,
       coalesce(ct.n_reinterpreted, 0) AS n_reinterpreted,
       coalesce(ct.n_unverified, 0) AS n_unverified,
       coalesce(ct.n_ambiguous, 0) AS n_ambiguous,
       coalesce(ct.n_invalid, 0) AS n_invalid,
       coalesce(ct.n_transcript, 0) AS n_transcript
FROM videos v
LEFT JOIN cl ON cl.video_id = v.video_id
LEFT JOIN ct ON ct.video_id = v.video_id;
COMMENT ON VIEW claims_by_video IS 'One row per video of the videos view: its claims, and its citations (anchors) counted by timestamp_status, so you can see how trustworthy a video''s links are. Videos without claims (listed on an index page only) have zeros.';
COMMENT ON COLUMN claims_by_video.video_id IS 'YouTube video id.';
COMMENT ON COLUMN claims_by_video.title IS 'Video title from the channel index page; NULL when no index page lists it.';
COMMENT ON COLUMN claims_by_video.channel IS 'Channel of the video (videos.channel: index page, else notes).';
COMMENT ON COLUMN claims_by_video.n_claims IS 'Claims about this video.';
COMMENT ON COLUMN claims_by_video.n_note_claims IS 'Of those, claims read from notes.';
COMMENT ON COLUMN claims_by_video.n_transcript_claims IS 'Of those, claims taken from transcripts.';
COMMENT ON COLUMN claims_by_video.n_citations IS 'Citations (anchors) of this video: rows of citations.';
COMMENT ON COLUMN claims_by_video.n_citable IS 'Citations with a known second (url not NULL).';
COMMENT ON COLUMN claims_by_video.n_verified IS 'Citations with timestamp_status verified (a transcript confirms the anchor).';
COMMENT ON COLUMN claims_by_video.n_corrected IS 'Citations with timestamp_status corrected (moved to where the transcript says it).';
COMMENT ON COLUMN claims_by_video.n_reinterpreted IS 'Citations with timestamp_status reinterpreted (a non-literal reading chosen on evidence).';
COMMENT ON COLUMN claims_by_video.n_unverified IS 'Citations with timestamp_status unverified (one clear reading, nothing to check it against).';
COMMENT ON COLUMN claims_by_video.n_ambiguous IS 'Citations with timestamp_status ambiguous (no second chosen).';
COMMENT ON COLUMN claims_by_video.n_invalid IS 'Citations with timestamp_status invalid (no usable second).';
COMMENT ON COLUMN claims_by_video.n_transcript IS 'Citations with timestamp_status transcript (claims taken from the transcript).';

CREATE OR REPLACE VIEW video_timeline AS
SELECT ct.video_id,
       v.title,
       coalesce(ct.channel, v.channel) AS channel,
       row_number() OVER (
           PARTITION BY ct.video_id
           ORDER BY ct.seconds NULLS LAST, ct.source_key, ct.anchor_ordinal
       ) AS position,
       ct.seconds,
       CASE
           WHEN ct.seconds IS NULL THEN NULL
           WHEN ct.seconds >= 3600
               THEN format('{}:{:02d}:{:02d}', ct.seconds // 3600, (ct.seconds % 3600) // 60,
                           ct.seconds % 60)
           ELSE format('{:02d}:{:02d}', ct.seconds // 60, ct.seconds % 60)
       END AS mmss,
       ct.text,
       ct.timestamp_status,
       ct.layers,
       ct.trends,
       ct.url,
       ct.claim_id,
       ct.source_kind,
       ct.source_key,
       ct.anchor_ordinal
FROM citations ct
LEFT JOIN videos v ON v.video_id = ct.video_id;
COMMENT ON VIEW video_timeline IS 'Every citation of every video in time order: ORDER BY video_id, position reads a video from start to end, notes and transcript claims interleaved. Citations without a known second come last.';
COMMENT ON COLUMN video_timeline.video_id IS 'YouTube video id.';
COMMENT ON COLUMN video_timeline.title IS 'Video title from the channel index page; NULL when no index page lists it.';
COMMENT ON COLUMN video_timeline.channel IS 'Channel of the citation''s claim (note channel, else the video''s).';
COMMENT ON COLUMN video_timeline.position IS '1-based place of the citation in the video''s timeline: by seconds, then source_key and anchor_ordinal; citations without a second last.';
COMMENT ON COLUMN video_timeline.seconds IS 'Whole second cited (citations.seconds); NULL when unknown.';
COMMENT ON COLUMN video_timeline.mmss IS 'seconds written as mm:ss, or h:mm:ss from one hour on; NULL when seconds is NULL.';
COMMENT ON COLUMN video_timeline.text IS 'Claim text.';
COMMENT ON COLUMN video_timeline.timestamp_status IS 'How far seconds can be trusted (citations.timestamp_status).';
COMMENT ON COLUMN video_timeline.layers IS 'Layers of the claim.';
COMMENT ON COLUMN video_timeline.trends IS 'Trends of the claim.';
COMMENT ON COLUMN video_timeline.url IS 'Timestamped watch URL; NULL when seconds is NULL.';
COMMENT ON COLUMN video_timeline.claim_id IS 'Claim id; pass it to ytclaims cite.';
COMMENT ON COLUMN video_timeline.source_kind IS 'note or transcript.';
COMMENT ON COLUMN video_timeline.source_key IS 'Source the citation was read from (<channel>/<file>, or <video id>/<file> for transcripts).';
COMMENT ON COLUMN video_timeline.anchor_ordinal IS 'Position of the anchor in its source (citations.anchor_ordinal).';

-- Order of videos within a channel. video_index has no position column: each index page's
-- rows are inserted in one INSERT, in page order, and replaced as a whole when the page
-- changes, so their rowid order within a page is the page order. A video listed on several
-- pages takes the listing the videos view takes its title from (lowest source_id). Videos no
-- index page lists come after the listed ones, in first-loaded order.
CREATE OR REPLACE VIEW trend_counts_over_time AS
WITH listed AS (
    SELECT video_id, source_id,
           row_number() OVER (PARTITION BY source_id ORDER BY rowid) AS list_position
    FROM video_index
), listing AS (
    SELECT video_id, arg_min(list_position, source_id) AS list_position
    FROM listed GROUP BY video_id
), first_seen AS (
    SELECT video_id, min(loaded_at) AS first_loaded_at
    FROM sources WHERE video_id IS NOT NULL GROUP BY video_id
), ordered AS (
    SELECT v.video_id, v.title, v.channel,
           row_number() OVER (
               PARTITION BY v.channel
               ORDER BY l.list_position NULLS LAST, f.first_loaded_at NULLS LAST, v.video_id
           ) AS video_order,
           CASE WHEN l.list_position IS NULL THEN 'first_loaded' ELSE 'index_page' END
               AS order_basis
    FROM videos v
    LEFT JOIN listing l ON l.video_id = v.video_id
    LEFT JOIN first_seen f ON f.video_id = v.video_id
), trend_list AS (
    SELECT DISTINCT unnest(trends) AS trend FROM claims
), per_video AS (
    SELECT video_id, count(*) AS n_claims_total FROM claims GROUP BY video_id
), per_trend AS (
    SELECT video_id, trend, count(*) AS n_claims
    FROM (SELECT video_id, unnest(trends) AS trend FROM claims)
    GROUP BY video_id, trend
)
SELECT o.channel,
       o.video_order,
       o.order_basis,
       o.video_id,
       o.title,
       t.trend,
       coalesce(p.n_claims, 0) AS n_claims,
       coalesce(pv.n_claims_total, 0) AS n_claims_total,
       CASE WHEN coalesce(pv.n_claims_total, 0) = 0 THEN NULL
            ELSE coalesce(p.n_claims, 0) / pv.n_claims_total END AS share,
       sum(coalesce(p.n_claims, 0)) OVER (
           PARTITION BY o.channel, t.trend ORDER BY o.video_order
           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
       ) AS cumulative_claims
FROM ordered o
CROSS JOIN trend_list t
LEFT JOIN per_video pv ON pv.video_id = o.video_id
LEFT JOIN per_trend p ON p.video_id = o.video_id AND p.trend = t.trend;
COMMENT ON VIEW trend_counts_over_time IS 'Trend x video grid per channel, in the order the channel index page lists its videos (index pages carry no dates, so this is listing order, not a verified chronology): how many claims of each video evidence each trend, with running totals. Every trend that occurs anywhere appears for every video (zeros included).';
COMMENT ON COLUMN trend_counts_over_time.channel IS 'Channel of the video (videos.channel).';
COMMENT ON COLUMN trend_counts_over_time.video_order IS '1-based position of the video in its channel: its place on the channel index page; videos no index page lists follow, in first-loaded order.';
COMMENT ON COLUMN trend_counts_over_time.order_basis IS 'What video_order comes from: index_page (listing order) or first_loaded (the video is on no index page).';
COMMENT ON COLUMN trend_counts_over_time.video_id IS 'YouTube video id.';
COMMENT ON COLUMN trend_counts_over_time.title IS 'Video title from the channel index page; NULL when none lists it.';
COMMENT ON COLUMN trend_counts_over_time.trend IS 'Trend label (one of the labels found in claims.trends).';
COMMENT ON COLUMN trend_counts_over_time.n_claims IS 'Claims of this video carrying this trend.';
COMMENT ON COLUMN trend_counts_over_time.n_claims_total IS 'All claims of this video (any trend or none).';
COMMENT ON COLUMN trend_counts_over_time.share IS 'n_claims / n_claims_total; NULL when the video has no claims.';
COMMENT ON COLUMN trend_counts_over_time.cumulative_claims IS 'Running total of n_claims over the channel''s videos up to and including this one (by video_order).';

CREATE OR REPLACE VIEW entity_claims AS
SELECT e.label AS entity_label,
       e.text AS entity_text,
       e.value AS entity_value,
       e.start_char,
       e.end_char,
       c.claim_id,
       c.text AS claim_text,
       c.video_id,
       v.title,
       coalesce(c.channel, v.channel) AS channel,
       k.url,
       k.seconds,
       k.timestamp_status,
       c.layers,
       c.trends
FROM entities e
JOIN claims c ON c.claim_id = e.claim_id
LEFT JOIN videos v ON v.video_id = c.video_id
LEFT JOIN claim_links k ON k.claim_id = c.claim_id;
COMMENT ON VIEW entity_claims IS 'One row per entity found in a claim, with the claim and its link: which claims mention OpenAI, which state dollar amounts above a value, and where in the video.';
COMMENT ON COLUMN entity_claims.entity_label IS 'ORG, MONEY, PERCENT, MULTIPLIER, YEAR or DATE (entities.label).';
COMMENT ON COLUMN entity_claims.entity_text IS 'The entity as written in the claim.';
COMMENT ON COLUMN entity_claims.entity_value IS 'Its number where one makes sense (MONEY scaled to units, percent, factor, year); NULL otherwise.';
COMMENT ON COLUMN entity_claims.start_char IS 'Start offset of the entity in claim_text.';
COMMENT ON COLUMN entity_claims.end_char IS 'End offset of the entity in claim_text.';
COMMENT ON COLUMN entity_claims.claim_id IS 'Claim id; pass it to ytclaims cite.';
COMMENT ON COLUMN entity_claims.claim_text IS 'Claim text.';
COMMENT ON COLUMN entity_claims.video_id IS 'YouTube video id.';
COMMENT ON COLUMN entity_claims.title IS 'Video title from the channel index page; NULL when none lists it.';
COMMENT ON COLUMN entity_claims.channel IS 'Channel of the claim: the note''s, else the video''s.';
COMMENT ON COLUMN entity_claims.url IS 'Timestamped link of the claim (claim_links.url).';
COMMENT ON COLUMN entity_claims.seconds IS 'Second of that link.';
COMMENT ON COLUMN entity_claims.timestamp_status IS 'How far that second can be trusted.';
COMMENT ON COLUMN entity_claims.layers IS 'Layers of the claim.';
COMMENT ON COLUMN entity_claims.trends IS 'Trends of the claim.';

-- Transcript claims with the sentence they are and its span: what a video *says*, for a
-- video nobody wrote notes about. Sentences not chosen as claims are in `sentences`
-- (their checkworthy score too), so a stricter or looser cut is one WHERE away.
CREATE OR REPLACE VIEW transcript_claims AS
SELECT c.claim_id,
       c.video_id,
       v.title,
       v.channel,
       t.kind AS track_kind,
       s.track,
       s.sentence_index,
       c.span_start,
       c.span_end,
       CAST(floor(c.span_start) AS INTEGER) AS seconds,
       'https://www.youtube.com/watch?v=' || c.video_id || '&t='
           || CAST(floor(c.span_start) AS BIGINT) || 's' AS url,
       c.checkworthy,
       c.text,
       c.layers,
       c.trends,
       c.source_id
FROM claims c
JOIN sentences s ON s.source_id = c.source_id AND s.claim_id = c.claim_id
LEFT JOIN transcript_tracks t ON t.source_id = s.source_id AND t.track = s.track
LEFT JOIN videos v ON v.video_id = c.video_id
WHERE c.checkworthy IS NOT NULL;
COMMENT ON VIEW transcript_claims IS 'One row per claim taken from a transcript: the sentence, its time span, its check-worthiness and its tags, with a link that opens the video where the sentence starts.';
COMMENT ON COLUMN transcript_claims.claim_id IS 'Claim id; pass it to ytclaims cite.';
COMMENT ON COLUMN transcript_claims.video_id IS 'YouTube video id.';
COMMENT ON COLUMN transcript_claims.title IS 'Video title from the channel index page; NULL when none lists it.';
COMMENT ON COLUMN transcript_claims.channel IS 'Channel of the video, when an index page or note places it in one.';
COMMENT ON COLUMN transcript_claims.track_kind IS 'manual (human captions) or generated (automatic captions), or unknown.';
COMMENT ON COLUMN transcript_claims.track IS 'Track name: <language>:<kind>:<format>.';
COMMENT ON COLUMN transcript_claims.sentence_index IS 'Position of the sentence in its track (sentences.sentence_index).';
COMMENT ON COLUMN transcript_claims.span_start IS 'Second the sentence starts.';
COMMENT ON COLUMN transcript_claims.span_end IS 'Second the sentence ends.';
COMMENT ON COLUMN transcript_claims.seconds IS 'Whole second cited: span_start rounded down.';
COMMENT ON COLUMN transcript_claims.url IS 'https://www.youtube.com/watch?v=<id>&t=<seconds>s.';
COMMENT ON COLUMN transcript_claims.checkworthy IS 'Check-worthiness of the sentence (0-1); claims are the sentences at or above the model''s threshold.';
COMMENT ON COLUMN transcript_claims.text IS 'The sentence.';
COMMENT ON COLUMN transcript_claims.layers IS 'Layers of the claim (tagged as note claims are).';
COMMENT ON COLUMN transcript_claims.trends IS 'Trends of the claim.';
COMMENT ON COLUMN transcript_claims.source_id IS 'Transcript source (sources.source_id).';
