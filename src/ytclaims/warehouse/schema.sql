-- ytclaims warehouse schema (DuckDB). Applied idempotently on every write-open.
-- Public interface: the views `citations` and `videos`, and the tables below.
-- This file is always the newest shape; a change to an existing table is also a step in
-- migrations.py (meta.schema_version records the last one applied).

CREATE TABLE IF NOT EXISTS meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR
);
COMMENT ON TABLE meta IS 'Warehouse bookkeeping: schema_version and the ytclaims version that created the file.';
COMMENT ON COLUMN meta.key IS 'Setting name, e.g. schema_version.';
COMMENT ON COLUMN meta.value IS 'Setting value, as text.';

CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    ytclaims_version VARCHAR NOT NULL,
    inputs VARCHAR[],
    n_files_seen INTEGER,
    n_sources_loaded INTEGER,
    n_sources_unchanged INTEGER,
    n_claims_loaded INTEGER,
    n_anchors_loaded INTEGER,
    n_problems INTEGER
);
COMMENT ON TABLE runs IS 'One row per ingest run that committed: when, with which ytclaims version, on which inputs, and what it loaded. The only table a no-op re-run adds to.';
COMMENT ON COLUMN runs.run_id IS 'Run id (UUID4 hex), referenced by sources.run_id and ingest_errors.run_id.';
COMMENT ON COLUMN runs.started_at IS 'When the run started (UTC).';
COMMENT ON COLUMN runs.finished_at IS 'When the run committed (UTC).';
COMMENT ON COLUMN runs.ytclaims_version IS 'Version of ytclaims that ran.';
COMMENT ON COLUMN runs.inputs IS 'Paths the run was pointed at, as given.';
COMMENT ON COLUMN runs.n_files_seen IS 'Files discovered under the inputs.';
COMMENT ON COLUMN runs.n_sources_loaded IS 'Sources (re)loaded because they were new or had changed.';
COMMENT ON COLUMN runs.n_sources_unchanged IS 'Sources skipped because their content hash was already loaded.';
COMMENT ON COLUMN runs.n_claims_loaded IS 'Claims written by this run.';
COMMENT ON COLUMN runs.n_anchors_loaded IS 'Anchors written by this run.';
COMMENT ON COLUMN runs.n_problems IS 'Problems (errors, warnings, skipped files) found by this run.';

CREATE TABLE IF NOT EXISTS sources (
    source_id VARCHAR PRIMARY KEY,
    source_key VARCHAR NOT NULL UNIQUE,
    source_kind VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    video_id VARCHAR,
    channel VARCHAR,
    note_title VARCHAR,
    n_claims INTEGER NOT NULL,
    n_anchors INTEGER NOT NULL,
    run_id VARCHAR NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL,
    ytclaims_version VARCHAR NOT NULL,
    pipeline_fingerprint VARCHAR NOT NULL
);
COMMENT ON TABLE sources IS 'Every file whose content is in the warehouse: where it was read, its content hash, and the run and ytclaims version that loaded this content. Answers "where did this claim come from".';
COMMENT ON COLUMN sources.source_id IS 'Deterministic id: hash of source_key.';
COMMENT ON COLUMN sources.source_key IS 'Stable identity across machines: <channel>/<file name>.';
COMMENT ON COLUMN sources.source_kind IS '''note'' (a video note), ''index'' (a channel index page: titles, no claims), ''transcript'' (a caption file or fetched transcript) or ''metadata'' (a yt-dlp .info.json or a metadata CSV).';
COMMENT ON COLUMN sources.source_path IS 'Path the file was read from when this content was loaded.';
COMMENT ON COLUMN sources.content_hash IS 'BLAKE2b-128 of the file bytes; an unchanged hash means the file is skipped on re-runs.';
COMMENT ON COLUMN sources.size_bytes IS 'File size in bytes.';
COMMENT ON COLUMN sources.video_id IS 'YouTube video id from the note front matter (NULL for index pages).';
COMMENT ON COLUMN sources.channel IS 'Channel from the note''s From: [[channel]] line, else its folder name.';
COMMENT ON COLUMN sources.note_title IS 'The note''s front-matter title (its topic, not the video title).';
COMMENT ON COLUMN sources.n_claims IS 'Claims extracted from this source.';
COMMENT ON COLUMN sources.n_anchors IS 'yt-timestamp anchors found in this source (all of them are in anchors).';
COMMENT ON COLUMN sources.run_id IS 'Run that loaded this content.';
COMMENT ON COLUMN sources.loaded_at IS 'When this content was loaded (UTC).';
COMMENT ON COLUMN sources.ytclaims_version IS 'ytclaims version that parsed this content.';
COMMENT ON COLUMN sources.pipeline_fingerprint IS 'ytclaims version + taxonomy hash that produced the rows; a source is skipped on re-runs only when both content hash and fingerprint match.';

CREATE TABLE IF NOT EXISTS video_index (
    video_id VARCHAR NOT NULL,
    channel VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    note_slugs VARCHAR[],
    source_id VARCHAR NOT NULL,
    PRIMARY KEY (video_id, source_id)
);
COMMENT ON TABLE video_index IS 'Videos listed on channel index pages (<channel>/<channel>.md): the real video titles and URLs.';
COMMENT ON COLUMN video_index.video_id IS 'YouTube video id parsed from the listed URL.';
COMMENT ON COLUMN video_index.channel IS 'Channel the index page belongs to.';
COMMENT ON COLUMN video_index.title IS 'Video title as listed.';
COMMENT ON COLUMN video_index.url IS 'Video URL as listed.';
COMMENT ON COLUMN video_index.note_slugs IS 'Wiki-link targets (note file stems) listed under the video.';
COMMENT ON COLUMN video_index.source_id IS 'The index page this row came from (sources.source_id).';

CREATE TABLE IF NOT EXISTS claims (
    claim_id VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    video_id VARCHAR NOT NULL,
    channel VARCHAR,
    note_title VARCHAR,
    claim_ordinal INTEGER NOT NULL,
    block_ordinal INTEGER NOT NULL,
    block_kind VARCHAR NOT NULL,
    line INTEGER NOT NULL,
    heading_path VARCHAR,
    lead_in VARCHAR,
    text VARCHAR NOT NULL,
    wiki_targets VARCHAR[] NOT NULL,
    n_anchors INTEGER NOT NULL,
    layers VARCHAR[] NOT NULL,
    trends VARCHAR[] NOT NULL,
    about_ai BOOLEAN,
    checkworthy DOUBLE,
    span_start DOUBLE,
    span_end DOUBLE
);
COMMENT ON TABLE claims IS 'One row per claim (claim_id unique; no index, so bulk loads stay fast): the text an anchor group stands for, from the end of the previous group (or the start of its paragraph, list item or table cell) up to the group.';
COMMENT ON COLUMN claims.claim_id IS 'Deterministic id: hash of source_key, claim text and its occurrence number in the note. Stable across re-runs and machines, and across edits elsewhere in the note.';
COMMENT ON COLUMN claims.source_id IS 'The note it came from (sources.source_id).';
COMMENT ON COLUMN claims.video_id IS 'YouTube video id the claim is about.';
COMMENT ON COLUMN claims.channel IS 'Channel of the note.';
COMMENT ON COLUMN claims.note_title IS 'Front-matter title of the note.';
COMMENT ON COLUMN claims.claim_ordinal IS '0-based position of the claim in its note (document order).';
COMMENT ON COLUMN claims.block_ordinal IS '0-based position, among the note''s anchored blocks, of the block holding the claim.';
COMMENT ON COLUMN claims.block_kind IS 'paragraph, list_item, table_cell, heading or code.';
COMMENT ON COLUMN claims.line IS '1-based line in the source file where the claim''s anchor group starts.';
COMMENT ON COLUMN claims.heading_path IS 'Headings above the claim, outermost first, joined by '' > '' (wiki links shown by label).';
COMMENT ON COLUMN claims.lead_in IS 'Bold lead-in of the claim''s list item or paragraph (e.g. Cost Reduction), or of its parent list item; NULL if none.';
COMMENT ON COLUMN claims.text IS 'Claim as clean plain text: markup removed, wiki links replaced by their label, whitespace folded; the lead-in is not repeated here.';
COMMENT ON COLUMN claims.wiki_targets IS 'Targets of [[target | label]] links inside the claim.';
COMMENT ON COLUMN claims.n_anchors IS 'Anchors in the claim''s group.';
COMMENT ON COLUMN claims.layers IS 'Labels of the taxonomy group layers (default: model, infrastructure, application); empty when none applies or the claim is not about AI.';
COMMENT ON COLUMN claims.trends IS 'Labels of the taxonomy group trends (default: cost_reduction, commoditization, ...); usually empty.';
COMMENT ON COLUMN claims.checkworthy IS 'Transcript claims: check-worthiness of the sentence (0-1, the trained classifier''s probability that a researcher would cite it); NULL for note claims.';
COMMENT ON COLUMN claims.span_start IS 'Transcript claims: second the sentence starts; NULL for note claims.';
COMMENT ON COLUMN claims.span_end IS 'Transcript claims: second the sentence ends; NULL for note claims.';
COMMENT ON COLUMN claims.about_ai IS 'Whether the taxonomy gate (default: the claim is about AI/ML) is open; NULL when the taxonomy has no gate.';

CREATE TABLE IF NOT EXISTS claim_tags (
    claim_id VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    group_id VARCHAR NOT NULL,
    label_id VARCHAR NOT NULL
);
COMMENT ON TABLE claim_tags IS 'Every label of every taxonomy group assigned to a claim (claims.layers and claims.trends hold the groups named layers and trends).';
COMMENT ON COLUMN claim_tags.claim_id IS 'Tagged claim.';
COMMENT ON COLUMN claim_tags.source_id IS 'Note of the claim.';
COMMENT ON COLUMN claim_tags.group_id IS 'Taxonomy group, e.g. layers or trends.';
COMMENT ON COLUMN claim_tags.label_id IS 'Label id within the group.';

CREATE TABLE IF NOT EXISTS tag_evidence (
    claim_id VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    group_id VARCHAR NOT NULL,
    label_id VARCHAR NOT NULL,
    context_source VARCHAR NOT NULL,
    evidence_id VARCHAR NOT NULL,
    matched_text VARCHAR NOT NULL,
    weight DOUBLE NOT NULL,
    label_score DOUBLE NOT NULL
);
COMMENT ON TABLE tag_evidence IS 'Why a claim has each of its labels: every phrase or pattern match behind an assigned label (and behind the gate), and where it was found. ytclaims explain CLAIM_ID reads this.';
COMMENT ON COLUMN tag_evidence.claim_id IS 'Tagged claim.';
COMMENT ON COLUMN tag_evidence.source_id IS 'Note of the claim.';
COMMENT ON COLUMN tag_evidence.group_id IS 'Taxonomy group (layers, trends, ...) or gate.';
COMMENT ON COLUMN tag_evidence.label_id IS 'Label the evidence supports.';
COMMENT ON COLUMN tag_evidence.context_source IS 'Where it was found: text (the claim), lead_in, heading, note_title or wiki (link targets).';
COMMENT ON COLUMN tag_evidence.evidence_id IS 'Taxonomy entry that matched: phrase:<phrase>, weak:<phrase> or pattern:<id>.';
COMMENT ON COLUMN tag_evidence.matched_text IS 'The words that matched.';
COMMENT ON COLUMN tag_evidence.weight IS 'Weight of this entry (1 for phrases and patterns, 0.5 for weak phrases) before the context-source weight.';
COMMENT ON COLUMN tag_evidence.label_score IS 'Total weighted score of the label for this claim (assigned at or above the threshold, 1.0 by default).';

CREATE TABLE IF NOT EXISTS entities (
    claim_id VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    label VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    value DOUBLE
);
COMMENT ON TABLE entities IS 'Entities in claim text: ORG (gazetteer), MONEY, PERCENT, MULTIPLIER (10x), YEAR, DATE.';
COMMENT ON COLUMN entities.claim_id IS 'Claim the entity is in.';
COMMENT ON COLUMN entities.source_id IS 'Note of the claim.';
COMMENT ON COLUMN entities.label IS 'ORG, MONEY, PERCENT, MULTIPLIER, YEAR or DATE.';
COMMENT ON COLUMN entities.text IS 'Entity text as written in the claim.';
COMMENT ON COLUMN entities.start_char IS 'Start offset in claims.text.';
COMMENT ON COLUMN entities.end_char IS 'End offset in claims.text.';
COMMENT ON COLUMN entities.value IS 'Number where one makes sense: amount (MONEY, scaled: $1.2 trillion = 1.2e12), percent, factor, year.';

-- Point look-ups by claim id (search results, cite, explain) use this index instead of
-- scanning 700k rows; it is not unique, so deleting and re-inserting a changed note's
-- claims in one transaction stays legal.
CREATE INDEX IF NOT EXISTS claims_claim_id_idx ON claims (claim_id);

CREATE TABLE IF NOT EXISTS anchors (
    claim_id VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    anchor_ordinal INTEGER NOT NULL,
    group_position INTEGER NOT NULL,
    data_t_raw VARCHAR,
    label_raw VARCHAR,
    markup_issue VARCHAR,
    form VARCHAR NOT NULL,
    parse_status VARCHAR NOT NULL,
    parse_reason VARCHAR,
    data_t_seconds DOUBLE,
    label_seconds DOUBLE,
    label_mismatch BOOLEAN NOT NULL,
    candidates STRUCT(reading VARCHAR, seconds DOUBLE)[] NOT NULL,
    anchor_seconds DOUBLE,
    anchor_reading VARCHAR,
    anchor_source VARCHAR,
    timestamp_status VARCHAR NOT NULL,
    resolution_reason VARCHAR
);
COMMENT ON TABLE anchors IS 'One row per yt-timestamp anchor, never dropped ((source_id, anchor_ordinal) unique): what was written (data-t and label, verbatim), every plausible reading, and the second chosen with its evidence.';
COMMENT ON COLUMN anchors.claim_id IS 'Claim the anchor belongs to.';
COMMENT ON COLUMN anchors.source_id IS 'Note the anchor is in.';
COMMENT ON COLUMN anchors.anchor_ordinal IS '0-based position among all yt-timestamp anchors of the note, document order.';
COMMENT ON COLUMN anchors.group_position IS '0-based position inside its anchor group (several anchors after one sentence).';
COMMENT ON COLUMN anchors.data_t_raw IS 'The data-t attribute exactly as written (NULL if the tag had none).';
COMMENT ON COLUMN anchors.label_raw IS 'The link text exactly as written, e.g. [02:30:00] (NULL if none).';
COMMENT ON COLUMN anchors.markup_issue IS 'Why the tag is not the canonical <a class="yt-timestamp" data-t="...">[...]</a>, if it is not.';
COMMENT ON COLUMN anchors.form IS 'Form of the written time: hh:mm:ss, mm:ss, seconds, hh:mm:ss:ff, mm:ss:cc, mm:ss:mmm, n/a, empty, garbage.';
COMMENT ON COLUMN anchors.parse_status IS 'What the data-t string alone says: ok, ambiguous (several readings), nonstandard (one non-literal reading), empty, invalid.';
COMMENT ON COLUMN anchors.parse_reason IS 'Why the data-t string is ambiguous, nonstandard or invalid.';
COMMENT ON COLUMN anchors.data_t_seconds IS 'Literal reading of data-t in seconds (first candidate), NULL if unparseable.';
COMMENT ON COLUMN anchors.label_seconds IS 'Literal reading of the label in seconds, NULL if unparseable or empty.';
COMMENT ON COLUMN anchors.label_mismatch IS 'True when label and data-t both parse but share no reading.';
COMMENT ON COLUMN anchors.candidates IS 'Every plausible reading {reading, seconds}; label readings are prefixed label:.';
COMMENT ON COLUMN anchors.anchor_seconds IS 'Second chosen from the anchor alone and its note (before any transcript check); NULL when ambiguous or invalid.';
COMMENT ON COLUMN anchors.anchor_reading IS 'Name of the chosen reading (e.g. mm:ss:00).';
COMMENT ON COLUMN anchors.anchor_source IS 'Which written value the second comes from: data-t or label.';
COMMENT ON COLUMN anchors.timestamp_status IS 'unverified, reinterpreted, ambiguous or invalid (see README: Timestamps).';
COMMENT ON COLUMN anchors.resolution_reason IS 'The evidence behind the chosen second, in words.';

CREATE INDEX IF NOT EXISTS anchors_claim_id_idx ON anchors (claim_id);

CREATE TABLE IF NOT EXISTS ingest_errors (
    error_id VARCHAR PRIMARY KEY,
    run_id VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    content_hash VARCHAR,
    severity VARCHAR NOT NULL,
    error_kind VARCHAR NOT NULL,
    message VARCHAR NOT NULL,
    detected_at TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE ingest_errors IS 'Every problem found in an input file, with its path and reason. severity=error: nothing of the file was loaded; warning: loaded with a caveat; skipped: not a supported file. A re-run on the same bytes adds no row.';
COMMENT ON COLUMN ingest_errors.error_id IS 'Deterministic id: hash of path, content hash, kind and message.';
COMMENT ON COLUMN ingest_errors.run_id IS 'First run that found the problem.';
COMMENT ON COLUMN ingest_errors.source_path IS 'File the problem is in.';
COMMENT ON COLUMN ingest_errors.content_hash IS 'Hash of the file bytes when the problem was found (NULL if unreadable).';
COMMENT ON COLUMN ingest_errors.severity IS 'error, warning or skipped.';
COMMENT ON COLUMN ingest_errors.error_kind IS 'Stable kind, e.g. empty_file, binary_file, missing_video_id, encoding, no_anchors, malformed_anchor.';
COMMENT ON COLUMN ingest_errors.message IS 'What is wrong and what to do about it.';
COMMENT ON COLUMN ingest_errors.detected_at IS 'When it was first found (UTC).';

CREATE TABLE IF NOT EXISTS transcript_tracks (
    source_id VARCHAR NOT NULL,
    video_id VARCHAR NOT NULL,
    track VARCHAR NOT NULL,
    language VARCHAR,
    kind VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    origin VARCHAR NOT NULL,
    n_cues INTEGER NOT NULL,
    n_sentences INTEGER NOT NULL,
    has_word_timings BOOLEAN NOT NULL,
    duration_seconds DOUBLE
);
COMMENT ON TABLE transcript_tracks IS 'One row per transcript (caption file or fetched transcript) in the warehouse: which track of which video, from where.';
COMMENT ON COLUMN transcript_tracks.source_id IS 'The caption file or fetch-cache file (sources.source_id).';
COMMENT ON COLUMN transcript_tracks.video_id IS 'YouTube video id.';
COMMENT ON COLUMN transcript_tracks.track IS 'Track name: <language>:<kind>:<format>, e.g. en:manual:srt.';
COMMENT ON COLUMN transcript_tracks.language IS 'Language code of the track, when known.';
COMMENT ON COLUMN transcript_tracks.kind IS 'manual (human-made), generated (automatic) or unknown.';
COMMENT ON COLUMN transcript_tracks.format IS 'srt, vtt, json3, srv1, yta-json (youtube-transcript-api JSON).';
COMMENT ON COLUMN transcript_tracks.origin IS 'file (imported caption file) or fetch (youtube-transcript-api).';
COMMENT ON COLUMN transcript_tracks.n_cues IS 'Cues (segments) the source gave.';
COMMENT ON COLUMN transcript_tracks.n_sentences IS 'Sentences built from them.';
COMMENT ON COLUMN transcript_tracks.has_word_timings IS 'Whether per-word times were available (json3 offsets, word_timings.json, VTT word tags).';
COMMENT ON COLUMN transcript_tracks.duration_seconds IS 'End of the last cue: the video length as this transcript knows it.';

CREATE TABLE IF NOT EXISTS segments (
    source_id VARCHAR NOT NULL,
    video_id VARCHAR NOT NULL,
    track VARCHAR NOT NULL,
    cue_index INTEGER NOT NULL,
    start DOUBLE NOT NULL,
    duration DOUBLE NOT NULL,
    text VARCHAR NOT NULL
);
COMMENT ON TABLE segments IS 'Raw caption cues / transcript snippets, one row each, exactly as the source gave them (see the view transcript_segments).';
COMMENT ON COLUMN segments.source_id IS 'Transcript source.';
COMMENT ON COLUMN segments.video_id IS 'YouTube video id.';
COMMENT ON COLUMN segments.track IS 'Track name (transcript_tracks.track).';
COMMENT ON COLUMN segments.cue_index IS '0-based position of the cue in its source.';
COMMENT ON COLUMN segments.start IS 'Start in seconds.';
COMMENT ON COLUMN segments.duration IS 'Duration in seconds.';
COMMENT ON COLUMN segments.text IS 'Cue text as given (markup removed).';

CREATE TABLE IF NOT EXISTS sentences (
    source_id VARCHAR NOT NULL,
    video_id VARCHAR NOT NULL,
    track VARCHAR NOT NULL,
    sentence_index INTEGER NOT NULL,
    start DOUBLE NOT NULL,
    "end" DOUBLE NOT NULL,
    text VARCHAR NOT NULL,
    first_cue INTEGER NOT NULL,
    last_cue INTEGER NOT NULL,
    checkworthy DOUBLE,
    claim_id VARCHAR
);
COMMENT ON TABLE sentences IS 'Sentences built from a track''s cues, with start/end times (word timings when available, else interpolated within cues).';
COMMENT ON COLUMN sentences.source_id IS 'Transcript source.';
COMMENT ON COLUMN sentences.video_id IS 'YouTube video id.';
COMMENT ON COLUMN sentences.track IS 'Track name.';
COMMENT ON COLUMN sentences.sentence_index IS '0-based position in the track.';
COMMENT ON COLUMN sentences.start IS 'Start in seconds.';
COMMENT ON COLUMN sentences."end" IS 'End in seconds.';
COMMENT ON COLUMN sentences.text IS 'Sentence text.';
COMMENT ON COLUMN sentences.first_cue IS 'cue_index of the first cue it draws on.';
COMMENT ON COLUMN sentences.last_cue IS 'cue_index of the last cue it draws on.';
COMMENT ON COLUMN sentences.checkworthy IS 'Check-worthiness of the sentence (0-1): how likely a researcher would cite it as a claim.';
COMMENT ON COLUMN sentences.claim_id IS 'The transcript claim this sentence became (claims.claim_id); NULL when it was not selected.';

CREATE TABLE IF NOT EXISTS anchor_resolution (
    video_id VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    anchor_ordinal INTEGER NOT NULL,
    seconds DOUBLE,
    timestamp_status VARCHAR NOT NULL,
    reading VARCHAR,
    reason VARCHAR NOT NULL,
    rejected_readings VARCHAR[] NOT NULL,
    anchor_seconds DOUBLE,
    match_start DOUBLE,
    match_end DOUBLE,
    match_text VARCHAR,
    match_score DOUBLE,
    match_confident BOOLEAN,
    offset_seconds DOUBLE,
    quote VARCHAR,
    quote_start DOUBLE,
    quote_end DOUBLE
);
COMMENT ON TABLE anchor_resolution IS 'The second each note anchor cites, resolved per video with all evidence (transcript content and duration, sibling anchors across notes, the note''s own sequence). Recomputed for a video whenever its notes or transcripts change.';
COMMENT ON COLUMN anchor_resolution.video_id IS 'YouTube video id.';
COMMENT ON COLUMN anchor_resolution.source_id IS 'Note of the anchor.';
COMMENT ON COLUMN anchor_resolution.anchor_ordinal IS 'Anchor position in its note (anchors.anchor_ordinal).';
COMMENT ON COLUMN anchor_resolution.seconds IS 'Second to cite: the matched transcript span start when the match is confident, else the resolved anchor; NULL when none is usable.';
COMMENT ON COLUMN anchor_resolution.timestamp_status IS 'verified, corrected, reinterpreted, unverified, suspect, ambiguous or invalid (README: Timestamps).';
COMMENT ON COLUMN anchor_resolution.reading IS 'Reading of the written time that was chosen (hh:mm:ss, mm:ss:00, ...).';
COMMENT ON COLUMN anchor_resolution.reason IS 'Why, in words: the evidence behind the choice.';
COMMENT ON COLUMN anchor_resolution.rejected_readings IS 'Readings not chosen, each with the reason.';
COMMENT ON COLUMN anchor_resolution.anchor_seconds IS 'The stated anchor''s second under the chosen reading, before any transcript correction.';
COMMENT ON COLUMN anchor_resolution.match_start IS 'Start of the best-matching transcript span (seconds).';
COMMENT ON COLUMN anchor_resolution.match_end IS 'End of that span.';
COMMENT ON COLUMN anchor_resolution.match_text IS 'Text of that span.';
COMMENT ON COLUMN anchor_resolution.match_score IS 'idf-weighted share of the claim''s content words found in the span (0-1).';
COMMENT ON COLUMN anchor_resolution.match_confident IS 'Whether the match was confident enough to verify or correct the anchor.';
COMMENT ON COLUMN anchor_resolution.offset_seconds IS 'match_start minus anchor_seconds.';
COMMENT ON COLUMN anchor_resolution.quote IS 'The transcript sentence(s) spoken at the cited second, when the video has a transcript.';
COMMENT ON COLUMN anchor_resolution.quote_start IS 'Start of the quoted sentence(s) (seconds).';
COMMENT ON COLUMN anchor_resolution.quote_end IS 'End of the quoted sentence(s) (seconds).';

CREATE TABLE IF NOT EXISTS fetch_attempts (
    attempt_id VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    video_id VARCHAR NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL,
    attempt INTEGER NOT NULL,
    outcome VARCHAR NOT NULL,
    error_class VARCHAR,
    message VARCHAR,
    will_retry BOOLEAN NOT NULL
);
COMMENT ON TABLE fetch_attempts IS 'Every attempt to fetch a transcript from YouTube, successful or not (credentials never stored).';
COMMENT ON COLUMN fetch_attempts.attempt_id IS 'Deterministic id. A cache hit is logged once per cached file, so re-fetching a cached video adds no row.';
COMMENT ON COLUMN fetch_attempts.run_id IS 'Fetch run that made the attempt.';
COMMENT ON COLUMN fetch_attempts.video_id IS 'YouTube video id.';
COMMENT ON COLUMN fetch_attempts.attempted_at IS 'When (UTC).';
COMMENT ON COLUMN fetch_attempts.attempt IS '1-based attempt number for this video in this fetch.';
COMMENT ON COLUMN fetch_attempts.outcome IS 'ok, cached (served from the raw cache), transient (retryable), permanent, or skipped (not tried: too many network failures in a row).';
COMMENT ON COLUMN fetch_attempts.error_class IS 'Exception class or HTTP status, e.g. IpBlocked, TranscriptsDisabled, HTTP 503.';
COMMENT ON COLUMN fetch_attempts.message IS 'What happened, without credentials.';
COMMENT ON COLUMN fetch_attempts.will_retry IS 'Whether another attempt followed.';

CREATE TABLE IF NOT EXISTS video_metadata (
    video_id VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    origin VARCHAR NOT NULL,
    title VARCHAR,
    channel_name VARCHAR,
    channel_handle VARCHAR,
    channel_id VARCHAR,
    upload_date DATE,
    duration_seconds DOUBLE,
    retrieved_at TIMESTAMPTZ
);
COMMENT ON TABLE video_metadata IS 'What each metadata source says about a video (one row per source and video): the player response kept by ytclaims fetch, a yt-dlp .info.json, or a metadata CSV. The videos view picks each field from the best source (README: Video metadata).';
COMMENT ON COLUMN video_metadata.video_id IS 'YouTube video id.';
COMMENT ON COLUMN video_metadata.source_id IS 'The file it was read from (sources.source_id): a fetch cache file, an .info.json or a CSV.';
COMMENT ON COLUMN video_metadata.origin IS 'youtube (player response at fetch time), yt-dlp (.info.json) or csv.';
COMMENT ON COLUMN video_metadata.title IS 'Video title (one line, control characters removed).';
COMMENT ON COLUMN video_metadata.channel_name IS 'Channel display name, e.g. Fireship.';
COMMENT ON COLUMN video_metadata.channel_handle IS 'Channel handle with its @, e.g. @Fireship.';
COMMENT ON COLUMN video_metadata.channel_id IS 'Channel id (UC + 22 characters).';
COMMENT ON COLUMN video_metadata.upload_date IS 'Publication date as YouTube gives it (publishDate, yt-dlp upload_date).';
COMMENT ON COLUMN video_metadata.duration_seconds IS 'Video length in seconds.';
COMMENT ON COLUMN video_metadata.retrieved_at IS 'When the source read it from YouTube (fetch time, yt-dlp epoch); NULL when unknown (CSV).';

CREATE OR REPLACE VIEW transcript_segments AS
SELECT video_id, track, start, duration, text, cue_index, source_id FROM segments;
COMMENT ON VIEW transcript_segments IS 'Public view: raw transcript segments, one row per caption cue or fetched snippet as the source gave it.';
COMMENT ON COLUMN transcript_segments.video_id IS 'YouTube video id.';
COMMENT ON COLUMN transcript_segments.track IS 'Track: <language>:<manual|generated|unknown>:<format>.';
COMMENT ON COLUMN transcript_segments.start IS 'Start in seconds.';
COMMENT ON COLUMN transcript_segments.duration IS 'Duration in seconds.';
COMMENT ON COLUMN transcript_segments.text IS 'Segment text.';
COMMENT ON COLUMN transcript_segments.cue_index IS '0-based position in its source.';
COMMENT ON COLUMN transcript_segments.source_id IS 'Transcript source (sources.source_id).';

CREATE TABLE IF NOT EXISTS video_info (
    video_id VARCHAR NOT NULL,
    title VARCHAR,
    channel VARCHAR,
    duration_seconds DOUBLE,
    n_notes BIGINT NOT NULL,
    n_anchors BIGINT NOT NULL,
    channel_name VARCHAR,
    channel_handle VARCHAR,
    upload_date DATE,
    accessed_date DATE,
    title_source VARCHAR,
    channel_name_source VARCHAR,
    upload_date_source VARCHAR,
    duration_source VARCHAR
);
COMMENT ON TABLE video_info IS 'What the videos view shows, computed by the loader from every source in one transaction with them (ytclaims.warehouse.videos): read the view, not this table.';
COMMENT ON COLUMN video_info.video_id IS 'YouTube video id.';
COMMENT ON COLUMN video_info.title IS 'See videos.title.';
COMMENT ON COLUMN video_info.channel IS 'See videos.channel.';
COMMENT ON COLUMN video_info.duration_seconds IS 'See videos.duration_seconds.';
COMMENT ON COLUMN video_info.n_notes IS 'See videos.n_notes.';
COMMENT ON COLUMN video_info.n_anchors IS 'See videos.n_anchors.';
COMMENT ON COLUMN video_info.channel_name IS 'See videos.channel_name.';
COMMENT ON COLUMN video_info.channel_handle IS 'See videos.channel_handle.';
COMMENT ON COLUMN video_info.upload_date IS 'See videos.upload_date.';
COMMENT ON COLUMN video_info.accessed_date IS 'See videos.accessed_date.';
COMMENT ON COLUMN video_info.title_source IS 'See videos.title_source.';
COMMENT ON COLUMN video_info.channel_name_source IS 'See videos.channel_name_source.';
COMMENT ON COLUMN video_info.upload_date_source IS 'See videos.upload_date_source.';
COMMENT ON COLUMN video_info.duration_source IS 'See videos.duration_source.';

CREATE OR REPLACE VIEW videos AS
SELECT video_id, title, channel, 'https://www.youtube.com/watch?v=' || video_id AS url,
       duration_seconds, n_notes, n_anchors, channel_name, channel_handle, upload_date,
       accessed_date, title_source, channel_name_source, upload_date_source, duration_source
FROM video_info;
COMMENT ON VIEW videos IS 'One row per video known from notes, channel index pages, transcripts or metadata files, each field from the best source that has it (README: Video metadata; computed by ytclaims.warehouse.videos when sources change).';
COMMENT ON COLUMN videos.video_id IS 'YouTube video id.';
COMMENT ON COLUMN videos.title IS 'Best known title: player response at fetch, yt-dlp .info.json, metadata CSV, then the channel index page (title_source says which); NULL when none gives one.';
COMMENT ON COLUMN videos.channel IS 'Channel key of the notes (index page folder, else the notes'' From: line); search --channel filters on it.';
COMMENT ON COLUMN videos.url IS 'Watch URL of the video.';
COMMENT ON COLUMN videos.duration_seconds IS 'Best known length in seconds (duration_source): YouTube, yt-dlp or the CSV, else the end of the last transcript cue (a lower bound); NULL when unknown. The timestamp resolver reads it.';
COMMENT ON COLUMN videos.n_notes IS 'Notes about this video in the warehouse.';
COMMENT ON COLUMN videos.n_anchors IS 'Anchors in those notes.';
COMMENT ON COLUMN videos.channel_name IS 'Best known channel name (channel_name_source): YouTube, yt-dlp, CSV, else the index page or note channel key.';
COMMENT ON COLUMN videos.channel_handle IS 'Channel @handle when a metadata source gives it.';
COMMENT ON COLUMN videos.upload_date IS 'Publication date from YouTube, yt-dlp or a CSV (upload_date_source); NULL when unknown: never guessed.';
COMMENT ON COLUMN videos.accessed_date IS 'When the video''s data was read: the metadata''s retrieval (fetch) date, else the day its first source was loaded (UTC). Citations use it as the access date.';
COMMENT ON COLUMN videos.title_source IS 'Where title came from: youtube, yt-dlp, csv or index.';
COMMENT ON COLUMN videos.channel_name_source IS 'Where channel_name came from: youtube, yt-dlp, csv, index or note.';
COMMENT ON COLUMN videos.upload_date_source IS 'Where upload_date came from: youtube, yt-dlp or csv.';
COMMENT ON COLUMN videos.duration_source IS 'Where duration_seconds came from: youtube, yt-dlp, csv or transcript.';

CREATE OR REPLACE VIEW citations AS
SELECT a.claim_id,
       c.video_id,
       s.source_path,
       s.source_kind,
       a.anchor_ordinal,
       a.data_t_raw AS anchor_raw,
       c.text,
       -- TRY_CAST: a second past 2**31 (loaded before ytclaims bounded them) is NULL
       -- here instead of failing every query on the view.
       TRY_CAST(floor(CASE WHEN r.source_id IS NULL THEN a.anchor_seconds ELSE r.seconds END)
            AS INTEGER) AS seconds,
       coalesce(r.timestamp_status, a.timestamp_status) AS timestamp_status,
       CASE WHEN (CASE WHEN r.source_id IS NULL THEN a.anchor_seconds ELSE r.seconds END) IS NULL
            THEN NULL
            ELSE 'https://www.youtube.com/watch?v=' || c.video_id || '&t='
                 || TRY_CAST(floor(CASE WHEN r.source_id IS NULL THEN a.anchor_seconds ELSE r.seconds END)
                         AS INTEGER) || 's' END AS url,
       c.layers,
       c.trends,
       a.label_raw AS anchor_label,
       a.form AS anchor_form,
       coalesce(r.reading, a.anchor_reading) AS anchor_reading,
       coalesce(r.reason, a.resolution_reason) AS resolution_reason,
       coalesce(r.rejected_readings, CAST([] AS VARCHAR[])) AS rejected_readings,
       coalesce(r.anchor_seconds, a.anchor_seconds) AS original_seconds,
       r.match_start,
       r.match_end,
       r.match_text,
       r.match_score,
       r.offset_seconds,
       a.label_mismatch,
       r.quote,
       r.quote_start,
       r.quote_end,
       c.about_ai,
       coalesce(c.channel, vi.channel) AS channel,
       c.note_title,
       c.heading_path,
       c.lead_in,
       c.wiki_targets,
       c.claim_ordinal,
       c.line,
       s.source_key,
       s.content_hash,
       s.run_id,
       c.checkworthy,
       c.span_start,
       c.span_end
FROM anchors a
JOIN claims c USING (claim_id)
JOIN sources s ON s.source_id = a.source_id
LEFT JOIN anchor_resolution r ON r.source_id = a.source_id AND r.anchor_ordinal = a.anchor_ordinal
LEFT JOIN video_info vi ON vi.video_id = c.video_id;
COMMENT ON VIEW citations IS 'Public view: one row per anchor, with the claim it cites and a timestamped YouTube link. Columns up to trends are a stable interface.';
COMMENT ON COLUMN citations.claim_id IS 'Claim id; pass it to ytclaims cite.';
COMMENT ON COLUMN citations.video_id IS 'YouTube video id.';
COMMENT ON COLUMN citations.source_path IS 'File the claim was read from.';
COMMENT ON COLUMN citations.source_kind IS '''note'' (from a video note) or ''transcript'' (a claim taken from the spoken words).';
COMMENT ON COLUMN citations.anchor_ordinal IS '0-based position of the anchor among all yt-timestamp anchors of its note, document order.';
COMMENT ON COLUMN citations.anchor_raw IS 'data-t exactly as written.';
COMMENT ON COLUMN citations.text IS 'Claim text, clean plain text.';
COMMENT ON COLUMN citations.seconds IS 'Whole second a citation should use; NULL when unknown (ambiguous or invalid).';
COMMENT ON COLUMN citations.timestamp_status IS 'How far seconds can be trusted: verified (a transcript confirms the anchor), corrected (moved to where the transcript says it), reinterpreted (format ambiguity resolved on evidence), unverified (nothing to check against), suspect (the second stays implausible: far outside everything else known about the video), ambiguous (no second chosen), invalid (no usable second), transcript (a claim taken from the transcript itself).';
COMMENT ON COLUMN citations.url IS 'https://www.youtube.com/watch?v=<id>&t=<seconds>s; NULL when seconds is NULL.';
COMMENT ON COLUMN citations.layers IS 'AI-landscape layers of the claim (empty until tagging).';
COMMENT ON COLUMN citations.trends IS 'Trends the claim evidences (empty until tagging).';
COMMENT ON COLUMN citations.anchor_label IS 'Anchor link text exactly as written.';
COMMENT ON COLUMN citations.anchor_form IS 'Form of the written time (hh:mm:ss, mm:ss, seconds, ...).';
COMMENT ON COLUMN citations.anchor_reading IS 'Reading chosen for seconds (e.g. mm:ss:00).';
COMMENT ON COLUMN citations.rejected_readings IS 'Readings of the written time that were rejected, with why; empty when none was (or the claim was not resolved per video, e.g. a transcript claim). Never NULL, so exports type it consistently.';
COMMENT ON COLUMN citations.original_seconds IS 'The stated anchor''s second under the chosen reading, before any transcript correction.';
COMMENT ON COLUMN citations.match_start IS 'Start of the transcript span that best matches the claim (seconds), when a transcript exists.';
COMMENT ON COLUMN citations.match_end IS 'End of that span.';
COMMENT ON COLUMN citations.match_text IS 'Text of that span.';
COMMENT ON COLUMN citations.match_score IS 'Match score 0-1 (idf-weighted share of the claim''s content words in the span).';
COMMENT ON COLUMN citations.offset_seconds IS 'match_start minus original_seconds.';
COMMENT ON COLUMN citations.about_ai IS 'Whether the claim is about AI (taxonomy gate).';
COMMENT ON COLUMN citations.resolution_reason IS 'Evidence behind seconds, in words.';
COMMENT ON COLUMN citations.label_mismatch IS 'True when the label and data-t disagree.';
COMMENT ON COLUMN citations.quote IS 'What is said at the cited second: the transcript sentence(s) there (NULL without a transcript), to check the claim against.';
COMMENT ON COLUMN citations.quote_start IS 'Start of the quoted sentence(s) (seconds).';
COMMENT ON COLUMN citations.quote_end IS 'End of the quoted sentence(s) (seconds).';
COMMENT ON COLUMN citations.channel IS 'Channel of the claim: the note''s channel, else (transcript claims) the video''s (videos.channel), as in claims_by_layer.';
COMMENT ON COLUMN citations.note_title IS 'Front-matter title of the note.';
COMMENT ON COLUMN citations.heading_path IS 'Headings above the claim, joined by '' > ''.';
COMMENT ON COLUMN citations.lead_in IS 'Bold lead-in of the claim''s item, if any.';
COMMENT ON COLUMN citations.wiki_targets IS 'Wiki-link targets mentioned by the claim.';
COMMENT ON COLUMN citations.claim_ordinal IS '0-based position of the claim in its note.';
COMMENT ON COLUMN citations.line IS '1-based line of the claim''s anchor group in the source file.';
COMMENT ON COLUMN citations.source_key IS 'Stable source identity <channel>/<file name>.';
COMMENT ON COLUMN citations.content_hash IS 'Hash of the source bytes the claim was read from.';
COMMENT ON COLUMN citations.run_id IS 'Run that loaded the source.';
COMMENT ON COLUMN citations.checkworthy IS 'Transcript claims: check-worthiness of the sentence (0-1); NULL for note claims.';
COMMENT ON COLUMN citations.span_start IS 'Transcript claims: second the sentence starts; NULL for note claims.';
COMMENT ON COLUMN citations.span_end IS 'Transcript claims: second the sentence ends; NULL for note claims.';
