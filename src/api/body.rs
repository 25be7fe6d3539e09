//! Reading response bodies under a size cap, and turning any body (JSON
//! error envelope, HTML error page, plain text) into a short message.

use serde::Deserialize;

use super::error::ApiError;

/// The most a create or job status answer may hold (1 MiB): one object.
pub const MAX_JSON_BODY: usize = 1024 * 1024;

/// The most a lookup page or the job list may hold (64 MiB): lists whose
/// length the vendor does not bound (a 20,000-item `features_events` is
/// 2.3 MB).
pub const MAX_LIST_BODY: usize = 64 << 20;

/// Read the whole body, chunk by chunk into one buffer, refusing more than
/// `limit` bytes (by `Content-Length` before reading, and by counting while
/// reading). A declared length sizes the buffer once.
pub async fn read_capped(
    mut resp: reqwest::Response,
    limit: usize,
    timeout: std::time::Duration,
) -> Result<Vec<u8>, ApiError> {
    let url = resp.url().clone();
    let declared = resp.content_length();
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::TooLarge {
            limit,
            maybe_sent: false,
        });
    }
    let mut buf = Vec::with_capacity(declared.map_or(0, |n| n as usize));
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| ApiError::from_body(e, &url, timeout))?
    {
        if buf.len() + chunk.len() > limit {
            return Err(ApiError::TooLarge {
                limit,
                maybe_sent: false,
            });
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

#[derive(Deserialize)]
struct Envelope {
    errors: Vec<EnvelopeItem>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EnvelopeItem {
    message: Option<serde_json::Value>,
    details: Option<serde_json::Value>,
    error: Option<serde_json::Value>,
    error_code: Option<serde_json::Value>,
}

/// The server's own words from an error envelope
/// (`{"errors":[{"message":…,"details":…}]}`), if the body is one.
pub fn envelope_message(body: &[u8]) -> Option<String> {
    let env: Envelope = serde_json::from_slice(body).ok()?;
    let parts: Vec<String> = env
        .errors
        .iter()
        .filter_map(|e| {
            let text = |v: &Option<serde_json::Value>| match v {
                Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                    Some(sanitise(s, 200))
                }
                Some(serde_json::Value::Null) | None => None,
                Some(other) => Some(sanitise(&other.to_string(), 200)),
            };
            let head = text(&e.message)
                .or_else(|| text(&e.error))
                .or_else(|| text(&e.error_code))?;
            Some(match text(&e.details) {
                Some(d) if d != head => format!("{head} ({d})"),
                _ => head,
            })
        })
        .collect();
    (!parts.is_empty()).then(|| sanitise(&parts.join("; "), 300))
}

/// A short, printable excerpt of any body: the envelope's message when
/// there is one, an HTML page's title (or its text), or the text itself.
pub fn excerpt(body: &[u8]) -> String {
    if let Some(m) = envelope_message(body) {
        // Each item is capped, but an envelope may hold many of them.
        return sanitise(&m, 200);
    }
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    if lower.contains("<html") || lower.contains("<!doctype") || lower.contains("<body") {
        if let Some(title) = between(&text, &lower, "<title", "</title>") {
            let title = title.split_once('>').map_or(title, |(_, t)| t);
            let t = sanitise(title, 120);
            if !t.is_empty() {
                return format!("HTML page: {t}");
            }
        }
        return format!("HTML page: {}", sanitise(&strip_tags(&text), 120));
    }
    sanitise(&text, 200)
}

fn between<'a>(text: &'a str, lower: &str, open: &str, close: &str) -> Option<&'a str> {
    let start = lower.find(open)? + open.len();
    let end = start + lower[start..].find(close)?;
    text.get(start..end)
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// One line, no control or bidi-override characters, at most `max` chars.
pub fn sanitise(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut last_space = true;
    let mut count = 0;
    for c in s.chars() {
        let c = if c.is_whitespace() || c.is_control() {
            ' '
        } else {
            c
        };
        if is_bidi_control(c) {
            continue;
        }
        if c == ' ' {
            if last_space {
                continue;
            }
            last_space = true;
        } else {
            last_space = false;
        }
        if count == max {
            out.push('…');
            return out.trim_end().to_owned();
        }
        out.push(c);
        count += 1;
    }
    out.trim_end().to_owned()
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_is_read() {
        let b = br#"{"errors":[{"details":"job 42 is running","error":"Conflict","error_code":"conflict","message":"An export job is already in progress"}]}"#;
        assert_eq!(
            envelope_message(b).unwrap(),
            "An export job is already in progress (job 42 is running)"
        );
    }

    #[test]
    fn envelope_tolerates_odd_shapes() {
        assert_eq!(
            envelope_message(br#"{"errors":[{"error_code":7}]}"#).unwrap(),
            "7"
        );
        assert!(envelope_message(br#"{"errors":[]}"#).is_none());
        assert!(envelope_message(b"[1,2]").is_none());
    }

    #[test]
    fn long_envelopes_give_a_short_excerpt() {
        let item = format!(
            r#"{{"message":"{}","details":"{}"}}"#,
            "m".repeat(150),
            "d".repeat(150)
        );
        let body = format!(r#"{{"errors":[{item},{item},{item}]}}"#);
        let e = excerpt(body.as_bytes());
        assert!(e.starts_with("mmm") && e.ends_with('…'), "{e}");
        assert_eq!(e.chars().count(), 201);
    }

    #[test]
    fn html_pages_become_their_title() {
        let b = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>";
        assert_eq!(excerpt(b), "HTML page: 502 Bad Gateway");
    }

    #[test]
    fn text_is_one_short_line() {
        let long = "x".repeat(500);
        let e = excerpt(format!("line1\n\x1b[31mline2\u{202E}{long}").as_bytes());
        assert!(e.starts_with("line1 [31mline2x"), "{e}");
        assert!(e.chars().count() <= 201);
        assert!(!e.contains('\u{1b}'));
    }
}
