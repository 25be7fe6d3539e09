//! `upexport doctor --api`: what the real API answers, for a bug report.
//! Read-only calls only (the job list, the newest listed job's status, the
//! first page of each lookup); nothing is created. The report holds shapes
//! (see [`crate::api::probe`]): no key, no ids, no emails, no names.

use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::context::Context;
use super::exit::{CliError, code};
use crate::api::probe::{self, Probe};
use crate::api::{ApiClient, ApiError, EXPORTS_PATH, LOOKUPS};

/// The most read of one answer: lookups may be large (a 20,000-item
/// lookup is a few MB); anything larger is reported as too large.
const READ_CAP: usize = crate::api::MAX_LIST_BODY;

#[derive(Debug, Serialize)]
struct Report {
    upexport: &'static str,
    /// The API host (the base URL's host and port; no path, no query).
    host: String,
    /// Every call made, in order: all GETs.
    probes: Vec<Probe>,
}

/// One GET: the probe of its answer, made by `read` from the JSON.
async fn ask(
    client: &ApiClient,
    path: &str,
    shown: &str,
    read: impl FnOnce(&str, u16, usize, &Value) -> Probe,
) -> (Probe, Option<Value>) {
    match client.get_for_probe(path, READ_CAP).await {
        Ok((status, body)) => match serde_json::from_slice::<Value>(&body) {
            Ok(v) => (read(shown, status, body.len(), &v), Some(v)),
            Err(_) => (Probe::not_json(shown, status, body.len()), None),
        },
        Err(e) => (Probe::failed(shown, &e), None),
    }
}

pub async fn run(ctx: &mut Context, json: bool, save: Option<&Path>) -> Result<(), CliError> {
    let client = ctx.client()?;
    let mut probes = Vec::new();

    let (list, value) = ask(
        &client,
        &format!("{EXPORTS_PATH}/jobs/"),
        "GET /api/v1/analytics/exports/jobs/",
        probe::job_list,
    )
    .await;
    probes.push(list);
    // The first listed job with an id (the list's order is the server's).
    let job_id = value.as_ref().and_then(Value::as_array).and_then(|jobs| {
        jobs.iter()
            .find_map(|j| j.get("job_id")?.as_str().map(str::to_owned))
    });
    match job_id {
        Some(id) => {
            let enc: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
            let (p, _) = ask(
                &client,
                &format!("{EXPORTS_PATH}/jobs/{enc}"),
                "GET /api/v1/analytics/exports/jobs/{id}",
                probe::job_status,
            )
            .await;
            probes.push(p);
        }
        None => probes.push(Probe {
            endpoint: "GET /api/v1/analytics/exports/jobs/{id}".into(),
            shape: "not asked: the job list named no job".into(),
            ..Default::default()
        }),
    }
    for name in LOOKUPS {
        let (p, _) = ask(
            &client,
            &format!("{EXPORTS_PATH}/lookups/{name}"),
            &format!("GET /api/v1/analytics/exports/lookups/{name}"),
            probe::lookup,
        )
        .await;
        probes.push(p);
    }

    let base = client.base_url();
    let host = match (base.host_str(), base.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => String::new(),
    };
    let report = Report {
        upexport: crate::version::VERSION,
        host,
        probes,
    };
    let text = super::json::pretty(&report);
    if let Some(path) = save {
        std::fs::write(path, format!("{text}\n")).map_err(|e| {
            CliError::Api(ApiError::Io {
                path: path.display().to_string(),
                source: e,
            })
        })?;
    }
    if json {
        outln!("{text}");
    } else {
        print_text(&report);
        if let Some(path) = save {
            outln!("\nsaved as JSON: {}", path.display());
        }
    }
    outcome(&report.probes, json)
}

fn print_text(r: &Report) {
    outln!(
        "what {} answers (read-only calls; shapes only: no key, ids, emails or names)",
        r.host
    );
    for p in &r.probes {
        let status = match (p.http_status, &p.error) {
            (Some(s), None) => format!("HTTP {s}"),
            (Some(s), Some(k)) => format!("HTTP {s} ({k})"),
            (None, Some(k)) => k.clone(),
            (None, None) => "-".into(),
        };
        let size = p
            .bytes
            .map(|b| format!(", {}", crate::human::bytes(b as u64)))
            .unwrap_or_default();
        outln!("\n{}\n  {status}{size}: {}", p.endpoint, p.shape);
        if !p.unknown_fields.is_empty() {
            outln!(
                "  fields upexport does not read: {}",
                p.unknown_fields.join(", ")
            );
        }
        if !p.missing_fields.is_empty() {
            outln!(
                "  fields expected, not seen:     {}",
                p.missing_fields.join(", ")
            );
        }
        if !p.status_words.is_empty() {
            let words: Vec<String> = p
                .status_words
                .iter()
                .map(|w| {
                    if w.known {
                        w.word.clone()
                    } else {
                        format!("{} (unknown to upexport)", w.word)
                    }
                })
                .collect();
            outln!("  status words:                  {}", words.join(", "));
        }
        if !p.progress_forms.is_empty() {
            let forms: Vec<&str> = p.progress_forms.iter().map(String::as_str).collect();
            outln!("  progress forms:                {}", forms.join(", "));
        }
        if let Some(env) = &p.pagination {
            let keys: Vec<String> = env
                .iter()
                .map(|(k, kinds)| {
                    let kinds: Vec<&str> = kinds.iter().map(String::as_str).collect();
                    format!("{k}: {}", kinds.join("|"))
                })
                .collect();
            outln!("  pagination:                    {}", keys.join(", "));
        }
        for n in &p.notes {
            outln!("  note: {n}");
        }
    }
}

/// Exit 0 when every call answered, 3 when the key was refused, else 5.
fn outcome(probes: &[Probe], json: bool) -> Result<(), CliError> {
    let failed: Vec<&Probe> = probes.iter().filter(|p| p.error.is_some()).collect();
    if failed.is_empty() {
        return Ok(());
    }
    let refused = failed
        .iter()
        .any(|p| matches!(p.error.as_deref(), Some("unauthorized" | "forbidden")));
    Err(CliError::Checks {
        code: if refused {
            code::UNAUTHORIZED
        } else {
            code::API
        },
        message: format!(
            "{} of {} call(s) failed{}",
            failed.len(),
            probes.len(),
            if refused {
                format!(
                    ": the key was refused (see `{}`)",
                    crate::suggest::cmd("doctor")
                )
            } else {
                String::new()
            }
        ),
        json,
    })
}
