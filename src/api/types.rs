//! What the API answers. Every field is optional and every scalar is read
//! leniently (a number where a string was documented is still read), since
//! the service documents little and may change. Unknown fields are kept in
//! `extra` so the detail view can still show them.

use serde::{Deserialize, Deserializer, Serialize};

/// Read a string, number or bool as a string; `null` as `None`.
pub(crate) fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(inert(s)),
        other => Some(other.to_string()),
    })
}

/// A server's text made harmless for a terminal: control characters (an
/// escape sequence could recolour, move or retitle the user's terminal)
/// become spaces and bidi overrides go.
pub fn inert(s: String) -> String {
    let bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(|c| c.is_control() || bidi(c)) {
        return s;
    }
    s.chars()
        .filter(|c| !bidi(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Read an array of scalars as strings; `null` or a non-array as empty.
fn lenient_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => inert(s),
                other => other.to_string(),
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// Read `null` as the type's default.
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// 201 answer of create export.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CreatedJob {
    #[serde(default, deserialize_with = "lenient")]
    pub job_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub environment_name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub environment_app_token: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub links: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub start_time: Option<String>,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A part's pre-signed download link.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresignedUrl {
    #[serde(default, deserialize_with = "lenient")]
    pub filename: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub url: Option<String>,
}

impl PresignedUrl {
    /// The file name to save under: the given one, else the URL's last
    /// path segment, reduced to a safe single path component.
    pub fn safe_filename(&self, index: usize) -> String {
        let from_url = || {
            self.url
                .as_deref()
                .and_then(|u| reqwest::Url::parse(u).ok())
                .and_then(|u| u.path_segments()?.next_back().map(str::to_owned))
        };
        let raw = self
            .filename
            .clone()
            .filter(|f| !f.trim().is_empty())
            .or_else(from_url)
            .unwrap_or_default();
        safe_component(&raw).unwrap_or_else(|| format!("part-{:04}", index + 1))
    }
}

/// Make `name` one harmless path component: no directories, no leading
/// dots, no control characters. `None` if nothing usable remains.
pub fn safe_component(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .map(|c| if c.is_control() || c == ':' { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    (!cleaned.is_empty()).then_some(cleaned)
}

/// The status of one job (GET jobs/{id}).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct JobStatus {
    #[serde(default, deserialize_with = "lenient")]
    pub app_token: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub job_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub status: Option<String>,
    #[serde(default, rename = "type", deserialize_with = "lenient")]
    pub job_type: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub progress: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub start_time: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub end_time: Option<String>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub all_chunks: Vec<String>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub completed_chunks: Vec<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub current_chunk: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub presigned_urls: Vec<PresignedUrl>,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Where a job stands, from its `status` string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobState {
    Pending,
    Processing,
    Completed,
    Failed,
    /// A value the API did not document; shown as it came.
    Other(String),
}

impl JobState {
    /// The state a status word names. The API documents no enum (values
    /// seen: `pending`, `processing`, `completed`, `failed`), so this is a
    /// guess that accepts the usual spellings, in any case and with spaces
    /// or dashes for underscores; anything else is [`JobState::Other`],
    /// shown as it came.
    pub fn parse(s: &str) -> JobState {
        let word = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        match word.as_str() {
            "pending" | "queued" | "waiting" | "scheduled" | "created" | "submitted"
            | "not_started" => JobState::Pending,
            "processing" | "running" | "in_progress" | "started" | "active" | "exporting" => {
                JobState::Processing
            }
            "completed" | "complete" | "done" | "succeeded" | "success" | "successful"
            | "finished" | "ready" => JobState::Completed,
            "failed" | "failure" | "error" | "errored" | "cancelled" | "canceled" | "aborted"
            | "expired" | "timed_out" | "timeout" | "rejected" | "killed" => JobState::Failed,
            _ => JobState::Other(s.trim().to_owned()),
        }
    }

    /// [`JobState::parse`], reading the end time and the links too: a
    /// status word this client does not know (or none) beside an end time
    /// means the job is over (a guess: the API says nothing of `end_time`
    /// on unfinished jobs): completed when it has download links, failed
    /// when it has none. A known word is trusted as it is.
    pub fn settled(word: &str, ended: bool, has_links: bool) -> JobState {
        match JobState::parse(word) {
            JobState::Other(_) if ended && has_links => JobState::Completed,
            JobState::Other(_) if ended => JobState::Failed,
            state => state,
        }
    }

    /// Completed or failed: nothing more will happen.
    pub fn is_final(&self) -> bool {
        matches!(self, JobState::Completed | JobState::Failed)
    }

    /// True for a word [`JobState::parse`] does not know.
    pub fn is_unknown(&self) -> bool {
        matches!(self, JobState::Other(_))
    }
}

impl JobStatus {
    /// Where the job stands: its status word read with
    /// [`JobState::settled`] (an unknown word with an `end_time` is final).
    pub fn state(&self) -> JobState {
        JobState::settled(
            self.raw_status(),
            self.has_end_time(),
            !self.presigned_urls.is_empty(),
        )
    }

    /// The status word as the API sent it (empty when missing).
    pub fn raw_status(&self) -> &str {
        self.status.as_deref().unwrap_or("").trim()
    }

    /// True when the answer carries a non-empty `end_time`.
    pub fn has_end_time(&self) -> bool {
        self.end_time
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty())
    }

    /// Chunks done and in all, when the API reports chunks.
    pub fn chunks(&self) -> Option<(usize, usize)> {
        (!self.all_chunks.is_empty()).then(|| {
            let all = self.all_chunks.len();
            (self.completed_chunks.len().min(all), all)
        })
    }

    /// Progress as a fraction 0..=1: from chunks, else from `progress`
    /// read as a percentage ("50", "50%") or a fraction ("0.5").
    pub fn fraction(&self) -> Option<f64> {
        if self.state() == JobState::Completed {
            return Some(1.0);
        }
        if let Some((done, all)) = self.chunks() {
            return Some(done as f64 / all as f64);
        }
        percent(self.progress.as_deref()?).map(|p| p / 100.0)
    }

    /// The progress in words, with units (see [`progress_words`]).
    pub fn progress_text(&self) -> Option<String> {
        progress_words(self.chunks(), self.progress.as_deref())
    }

    /// Why a failed job failed, from whichever field the server used; for
    /// a job that ended with a status word this client does not know and
    /// no links (see [`JobState::settled`]), that fact.
    pub fn failure_reason(&self) -> Option<String> {
        [
            "error",
            "reason",
            "message",
            "failure_reason",
            "error_message",
        ]
        .iter()
        .find_map(|k| match self.extra.get(*k)? {
            serde_json::Value::String(s) if !s.is_empty() => Some(inert(s.clone())),
            serde_json::Value::Null => None,
            v => Some(v.to_string()),
        })
        .or_else(|| {
            (JobState::parse(self.raw_status()).is_unknown()
                && self.has_end_time()
                && self.presigned_urls.is_empty())
            .then(|| unknown_end_note(self.raw_status()))
        })
    }
}

/// `progress` as a percentage, 0 to 100: read as a percentage ("13",
/// "13%"), at 1 and below without a `%` as a fraction ("0.13"), or as
/// "done/all" ("1/2"). The API
/// documents `progress` as a string and says nothing of its unit (a guess).
fn percent(progress: &str) -> Option<f64> {
    let t = progress.trim();
    // "done/all", as some clients write it.
    if let Some((done, all)) = t.split_once('/') {
        let (d, a): (f64, f64) = (done.trim().parse().ok()?, all.trim().parse().ok()?);
        return (a > 0.0 && d.is_finite() && a.is_finite())
            .then(|| (d / a * 100.0).clamp(0.0, 100.0));
    }
    let v: f64 = t.trim_end_matches('%').trim().parse().ok()?;
    let p = if v > 1.0 || t.ends_with('%') {
        v
    } else {
        v * 100.0
    };
    p.is_finite().then_some(p.clamp(0.0, 100.0))
}

/// A job's progress in words, with its units: the one phrasing of every
/// front end (the TUI's rows, details and 409 dialog, the CLI's status and
/// progress lines): "13% · 0/2 chunks", "0/2 chunks", "13%"; a progress
/// that is no number as it came ("progress 'warming up'"); `None` when the
/// job reports neither.
pub fn progress_words(chunks: Option<(usize, usize)>, progress: Option<&str>) -> Option<String> {
    let progress = progress.map(str::trim).filter(|p| !p.is_empty());
    let pct = progress.map(|p| match percent(p) {
        Some(v) => format!("{v:.0}%"),
        None => format!("progress '{}'", inert(p.to_owned())),
    });
    let chunks = chunks.map(|(done, all)| format!("{done}/{all} chunks"));
    match (pct, chunks) {
        (Some(p), Some(c)) => Some(format!("{p} · {c}")),
        (p, c) => p.or(c),
    }
}

/// What a job that ended with an unknown status word and no links is
/// reported as.
pub fn unknown_end_note(word: &str) -> String {
    if word.is_empty() {
        "the job ended (end_time set) with no status and no download links".into()
    } else {
        format!(
            "the job ended (end_time set) with status '{}', which upexport does not know, and no download links",
            inert(word.to_owned())
        )
    }
}

/// One row of GET jobs/.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct JobSummary {
    #[serde(default, deserialize_with = "lenient")]
    pub job_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub progress: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub start_time: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub end_time: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub elapsed_time: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub elapsed_time_seconds: Option<String>,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl JobSummary {
    /// The progress in words, with units (the list has no chunks; see
    /// [`progress_words`]).
    pub fn progress_text(&self) -> Option<String> {
        progress_words(None, self.progress.as_deref())
    }

    /// Where the job stands (see [`JobState::settled`]; the list carries
    /// no links, so an unknown word with an end time reads as over).
    pub fn state(&self) -> JobState {
        let ended = self
            .end_time
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty());
        JobState::settled(self.status.as_deref().unwrap_or(""), ended, false)
    }
}

/// One page of a paginated lookup (segments, events_properties).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LookupPage {
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: Vec<serde_json::Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: LookupMetadata,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LookupMetadata {
    #[serde(default, deserialize_with = "null_as_default")]
    pub cursor: LookupCursor,
    #[serde(default, deserialize_with = "lenient")]
    pub limit: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub total_count: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LookupCursor {
    #[serde(default, deserialize_with = "lenient")]
    pub after: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub before: Option<String>,
}

/// The lookups the API documents; the first two are paginated.
pub const LOOKUPS: [&str; 12] = [
    "segments",
    "events_properties",
    "user_properties",
    "company_properties",
    "features_events",
    "flows",
    "banners",
    "embeds",
    "spotlights",
    "surveys",
    "resource_center_modules",
    "checklists",
];

/// True for lookups answered in pages (`{"data":…,"metadata":…}`).
pub fn is_paginated(name: &str) -> bool {
    matches!(name, "segments" | "events_properties")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_status_reads_numbers_and_unknown_fields() {
        let j: JobStatus = serde_json::from_str(
            r#"{"job_id":"j","status":"weird","progress":42,"all_chunks":["a","b"],"completed_chunks":["a"],"error":"boom","presigned_urls":null}"#,
        )
        .unwrap();
        assert!(j.presigned_urls.is_empty());
        assert_eq!(j.progress.as_deref(), Some("42"));
        assert_eq!(j.state(), JobState::Other("weird".into()));
        assert_eq!(j.chunks(), Some((1, 2)));
        assert_eq!(j.fraction(), Some(0.5));
        assert_eq!(j.failure_reason().as_deref(), Some("boom"));
    }

    #[test]
    fn status_spellings_and_end_time() {
        for (word, state) in [
            ("Finished", JobState::Completed),
            ("SUCCESS", JobState::Completed),
            ("aborted", JobState::Failed),
            ("expired", JobState::Failed),
            ("Timed Out", JobState::Failed),
            ("in-progress", JobState::Processing),
            ("In Progress", JobState::Processing),
            ("Queued", JobState::Pending),
        ] {
            assert_eq!(JobState::parse(word), state, "{word}");
        }
        let mut j = JobStatus {
            status: Some("crunching".into()),
            ..Default::default()
        };
        assert_eq!(j.state(), JobState::Other("crunching".into()));
        assert!(!j.state().is_final());
        assert_eq!(j.failure_reason(), None);
        // An end time beside an unknown word: over; failed without links…
        j.end_time = Some("2026-11-01T10:00:00Z".into());
        assert_eq!(j.state(), JobState::Failed);
        let why = j.failure_reason().unwrap();
        assert!(
            why.contains("'crunching'") && why.contains("does not know"),
            "{why}"
        );
        // …completed with them.
        j.presigned_urls.push(PresignedUrl {
            filename: Some("a.csv".into()),
            url: Some("http://127.0.0.1/a".into()),
        });
        assert_eq!(j.state(), JobState::Completed);
        assert_eq!(j.failure_reason(), None, "completed: no reason to give");
        // No status at all, or an empty one, with an end time: over too.
        for status in [None, Some(""), Some("  ")] {
            let j = JobStatus {
                status: status.map(str::to_owned),
                end_time: Some("2026-11-01T10:00:00Z".into()),
                ..Default::default()
            };
            assert!(j.state().is_final(), "{status:?}");
        }
        // A known word is trusted, end time or not; an empty end time is none.
        let j = JobStatus {
            status: Some("processing".into()),
            end_time: Some("2026-11-01T10:00:00Z".into()),
            ..Default::default()
        };
        assert_eq!(j.state(), JobState::Processing);
        let j = JobStatus {
            status: Some("crunching".into()),
            end_time: Some(" ".into()),
            ..Default::default()
        };
        assert!(!j.state().is_final());
    }

    #[test]
    fn server_text_cannot_drive_the_terminal() {
        let j: CreatedJob = serde_json::from_str(
            r#"{"job_id":"j\u001b]0;pwned\u0007","links":"a\u001b[2Jb\u202e"}"#,
        )
        .unwrap();
        assert_eq!(j.job_id.as_deref(), Some("j ]0;pwned "));
        assert_eq!(j.links.as_deref(), Some("a [2Jb"));
    }

    /// One phrasing, with units, wherever a job's progress is shown.
    #[test]
    fn progress_in_words_has_units() {
        assert_eq!(
            progress_words(Some((0, 2)), Some("13")).as_deref(),
            Some("13% · 0/2 chunks")
        );
        assert_eq!(
            progress_words(Some((1, 2)), None).as_deref(),
            Some("1/2 chunks")
        );
        assert_eq!(progress_words(None, Some("13")).as_deref(), Some("13%"));
        assert_eq!(progress_words(None, Some("25%")).as_deref(), Some("25%"));
        assert_eq!(progress_words(None, Some("0.5")).as_deref(), Some("50%"));
        assert_eq!(progress_words(None, Some("1/4")).as_deref(), Some("25%"));
        assert_eq!(
            progress_words(None, Some("warming up")).as_deref(),
            Some("progress 'warming up'")
        );
        assert_eq!(progress_words(None, Some(" ")), None);
        assert_eq!(progress_words(None, None), None);
        let s = JobSummary {
            progress: Some("13".into()),
            ..Default::default()
        };
        assert_eq!(s.progress_text().as_deref(), Some("13%"));
    }

    #[test]
    fn progress_without_chunks() {
        let j = JobStatus {
            progress: Some("25%".into()),
            ..Default::default()
        };
        assert_eq!(j.fraction(), Some(0.25));
        let j = JobStatus {
            progress: Some("0.75".into()),
            ..Default::default()
        };
        assert_eq!(j.fraction(), Some(0.75));
    }

    #[test]
    fn filenames_are_made_safe() {
        let p = PresignedUrl {
            filename: Some("../../etc/passwd".into()),
            url: None,
        };
        assert_eq!(p.safe_filename(0), "passwd");
        let p = PresignedUrl {
            filename: None,
            url: Some("https://s3.example.com/b/part-1.ndjson.gz?sig=x".into()),
        };
        assert_eq!(p.safe_filename(0), "part-1.ndjson.gz");
        let p = PresignedUrl::default();
        assert_eq!(p.safe_filename(2), "part-0003");
        assert_eq!(safe_component(".."), None);
    }
}
