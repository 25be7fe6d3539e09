//! Serving parts like S3 serves pre-signed objects: no Authorization, a
//! signature in the query (403 AccessDenied in XML when wrong), the bytes
//! (gzip or not, see `encode`) with `Content-Length`, validators (a strong `ETag` and `Last-Modified`,
//! the job's end), and `Range` for resuming, with `If-Range` honoured: a
//! range is served only while the validator sent still matches, else the
//! whole file (RFC 9110 13.1.5). Shared by the normal HTTP path and the raw
//! `DownloadCut` path.
//!
//! The vendor documents none of this: whether its file host sends
//! validators, honours `If-Range` or ranges at all is not known. In
//! `FaultMode::VendorDiffers` files come with no `ETag`, no
//! `Last-Modified` and no `Accept-Ranges` (ranges still work), as from a
//! host that gives a client nothing to compare but the size.

use std::time::Instant;

use super::mode::FaultMode;
use super::state::{Phase, Shared};

/// A download answer, independent of how it is written out.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: bytes::Bytes,
}

impl Reply {
    fn xml(status: u16, code: &str, message: &str) -> Reply {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>DEMO0000000000000</RequestId></Error>"
        );
        Reply {
            status,
            headers: vec![("Content-Type", "application/xml".into())],
            body: body.into_bytes().into(),
        }
    }
}

/// The value of `key` in a raw query string.
pub(crate) fn query_param<'a>(query: Option<&'a str>, key: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// The request headers a download answer depends on.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Ask<'a> {
    pub range: Option<&'a str>,
    pub if_range: Option<&'a str>,
}

/// Answer `GET /demo-files/{job_id}/{file}?{query}` with optional `Range`
/// and `If-Range` headers.
pub(crate) fn download(
    shared: &Shared,
    job_id: &str,
    file: &str,
    query: Option<&str>,
    ask: Ask<'_>,
) -> Reply {
    let sig = query_param(query, "X-Amz-Signature");
    if sig != Some(shared.signature(job_id, file).as_str()) {
        return Reply::xml(
            403,
            "AccessDenied",
            "The request signature we calculated does not match the signature you provided.",
        );
    }
    let ended = shared
        .with_job(job_id, |j, now: Instant| match j.phase(now) {
            Phase::Completed { end } => Some(end),
            _ => None,
        })
        .flatten();
    let part = if ended.is_some() {
        shared.part(job_id, file)
    } else {
        None
    };
    let Some(part) = part else {
        return Reply::xml(404, "NoSuchKey", "The specified key does not exist.");
    };
    let total = part.served.len();
    let kind = if part.gzip {
        "application/gzip"
    } else {
        "application/octet-stream"
    };
    let mut headers = vec![("Content-Type", kind.to_owned())];
    // The content of a job's part never changes: the signature of its URL
    // makes a strong ETag, the job's end its date.
    let etag = format!("\"{}\"", &shared.signature(job_id, file)[..32]);
    let modified = ended
        .map(|t| t.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or_default();
    let validators = shared.mode() != FaultMode::VendorDiffers;
    if validators {
        headers.push(("Accept-Ranges", "bytes".to_owned()));
        headers.push(("ETag", etag.clone()));
        headers.push(("Last-Modified", modified.clone()));
    }
    // If-Range: the range only while the validator still matches (a weak
    // ETag never does); with no validators, nothing matches.
    let still = |v: &str| validators && !v.starts_with("W/") && (v == etag || v == modified);
    let range = ask
        .range
        .filter(|_| ask.if_range.is_none_or(|v| still(v.trim())));
    let Some(range) = range else {
        headers.push(("Content-Length", total.to_string()));
        return Reply {
            status: 200,
            headers,
            body: part.served.clone(),
        };
    };
    match parse_range(range, total) {
        RangeAsk::Whole => {
            headers.push(("Content-Length", total.to_string()));
            Reply {
                status: 200,
                headers,
                body: part.served.clone(),
            }
        }
        RangeAsk::Part(start, end) => {
            headers.push(("Content-Length", (end + 1 - start).to_string()));
            headers.push(("Content-Range", format!("bytes {start}-{end}/{total}")));
            Reply {
                status: 206,
                headers,
                body: part.served.slice(start..=end),
            }
        }
        RangeAsk::Unsatisfiable => {
            let mut r = Reply::xml(
                416,
                "InvalidRange",
                "The requested range is not satisfiable",
            );
            r.headers
                .push(("Content-Range", format!("bytes */{total}")));
            r
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum RangeAsk {
    /// No usable range: send everything (as servers do for unsupported forms).
    Whole,
    /// Inclusive byte positions.
    Part(usize, usize),
    Unsatisfiable,
}

/// `bytes=N-`, `bytes=N-M`, `bytes=-N`; several ranges are not supported
/// and get the whole file.
fn parse_range(header: &str, total: usize) -> RangeAsk {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return RangeAsk::Whole;
    };
    if spec.contains(',') {
        return RangeAsk::Whole;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeAsk::Whole;
    };
    let num = |s: &str| s.trim().parse::<usize>().ok();
    match (a.trim().is_empty(), b.trim().is_empty()) {
        (false, _) => {
            let Some(start) = num(a) else {
                return RangeAsk::Whole;
            };
            let end = if b.trim().is_empty() {
                Some(usize::MAX)
            } else {
                num(b)
            };
            match end {
                None => RangeAsk::Whole,
                Some(end) if end < start => RangeAsk::Whole,
                Some(_) if start >= total => RangeAsk::Unsatisfiable,
                Some(end) => RangeAsk::Part(start, end.min(total - 1)),
            }
        }
        (true, false) => match num(b) {
            None => RangeAsk::Whole,
            Some(0) => RangeAsk::Unsatisfiable,
            Some(_) if total == 0 => RangeAsk::Unsatisfiable,
            Some(n) => RangeAsk::Part(total.saturating_sub(n), total - 1),
        },
        (true, true) => RangeAsk::Whole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=10-", 100), RangeAsk::Part(10, 99));
        assert_eq!(parse_range("bytes=10-19", 100), RangeAsk::Part(10, 19));
        assert_eq!(parse_range("bytes=90-200", 100), RangeAsk::Part(90, 99));
        assert_eq!(parse_range("bytes=-5", 100), RangeAsk::Part(95, 99));
        assert_eq!(parse_range("bytes=100-", 100), RangeAsk::Unsatisfiable);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), RangeAsk::Whole);
        assert_eq!(parse_range("items=1-2", 100), RangeAsk::Whole);
        assert_eq!(parse_range("bytes=x-", 100), RangeAsk::Whole);
    }

    #[test]
    fn query_params() {
        let q = Some("a=1&X-Amz-Signature=abc&b");
        assert_eq!(query_param(q, "X-Amz-Signature"), Some("abc"));
        assert_eq!(query_param(q, "b"), None);
        assert_eq!(query_param(None, "a"), None);
    }
}
