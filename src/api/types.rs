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
    pub fn parse(s: &str) -> JobState {
        match s.trim().to_ascii_lowercase().as_str() {
            "pending" | "queued" => JobState::Pending,
            "processing" | "running" | "in_progress" => JobState::Processing,
            "completed" | "complete" | "done" | "succeeded" => JobState::Completed,
            "failed" | "error" | "cancelled" | "canceled" => JobState::Failed,
            _ => JobState::Other(s.trim().to_owned()),
        }
    }

    /// Completed or failed: nothing more will happen.
    pub fn is_final(&self) -> bool {
        matches!(self, JobState::Completed | JobState::Failed)
    }
}

impl JobStatus {
    pub fn state(&self) -> JobState {
        JobState::parse(self.status.as_deref().unwrap_or(""))
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
        let p = self.progress.as_deref()?.trim().trim_end_matches('%');
        let v: f64 = p.parse().ok()?;
        let f = if v > 1.0 || self.progress.as_deref().is_some_and(|s| s.contains('%')) {
            v / 100.0
        } else {
            v
        };
        f.is_finite().then_some(f.clamp(0.0, 1.0))
    }

    /// Why a failed job failed, from whichever field the server used.
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
    pub fn state(&self) -> JobState {
        JobState::parse(self.status.as_deref().unwrap_or(""))
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
    fn server_text_cannot_drive_the_terminal() {
        let j: CreatedJob = serde_json::from_str(
            r#"{"job_id":"j\u001b]0;pwned\u0007","links":"a\u001b[2Jb\u202e"}"#,
        )
        .unwrap();
        assert_eq!(j.job_id.as_deref(), Some("j ]0;pwned "));
        assert_eq!(j.links.as_deref(), Some("a [2Jb"));
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
