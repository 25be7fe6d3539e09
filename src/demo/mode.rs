//! The fault modes: how the demo server misbehaves, chosen at start
//! (`--mode`) and switchable at run time ([`super::DemoServer::set_mode`]).

/// How the demo server answers. `Normal` behaves like the real API; every
/// other mode reproduces one failure a client must survive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum FaultMode {
    /// Behaves like the real API.
    #[default]
    Normal,
    /// Every API call: 401 with the error envelope.
    Unauthorized,
    /// Every API call: 403 with the error envelope.
    Forbidden,
    /// Every API call: 404 with the error envelope.
    NotFound,
    /// Creating an export always answers 409 (a job is "already running").
    Conflict,
    /// Every API call: 429 with `Retry-After: 2` and the error envelope.
    RateLimited,
    /// Every API call: 500 with an HTML error page.
    ServerErrorHtml,
    /// The first request after the mode is set answers 503 (plain text).
    Flaky,
    /// Every API answer is delayed by `slow_delay`.
    Slow,
    /// Reads each request and never answers.
    Hang,
    /// Successful API answers carry a body that is not JSON.
    GarbageJson,
    /// Creating an export answers 201 with an empty body.
    EmptyCreated,
    /// Answers with a `Content-Length` larger than the bytes sent, then closes.
    Truncated,
    /// Reads each request, then resets the TCP connection.
    ConnectionReset,
    /// Successful API answers are valid JSON of 2 MiB.
    Oversized,
    /// API calls answer 307 to the same path on `localhost`.
    RedirectOffHost,
    /// The first download of each file is cut after half its bytes.
    DownloadCut,
    /// Succeeds, but answers as a differently-behaved vendor might where the
    /// vendor's documentation is silent: status words the client does not
    /// know, `end_time` set beside an unknown status, a lookup cursor that
    /// repeats, a 5 MB lookup, extra fields in every object, files with no
    /// `ETag`, `Last-Modified` or `Accept-Ranges` (ranges still work),
    /// every part gzip-compressed (Parquet and Avro too), and
    /// job ids counted from 1 on each server (two servers hand out the same
    /// ids).
    /// The client must neither hang, mangle nor lose anything.
    VendorDiffers,
}

impl FaultMode {
    /// Every mode, in the order `demo-server --help` lists them.
    pub const ALL: [FaultMode; 18] = [
        FaultMode::Normal,
        FaultMode::Unauthorized,
        FaultMode::Forbidden,
        FaultMode::NotFound,
        FaultMode::Conflict,
        FaultMode::RateLimited,
        FaultMode::ServerErrorHtml,
        FaultMode::Flaky,
        FaultMode::Slow,
        FaultMode::Hang,
        FaultMode::GarbageJson,
        FaultMode::EmptyCreated,
        FaultMode::Truncated,
        FaultMode::ConnectionReset,
        FaultMode::Oversized,
        FaultMode::RedirectOffHost,
        FaultMode::DownloadCut,
        FaultMode::VendorDiffers,
    ];

    /// The kebab-case name used on the command line (`server-error-html`).
    pub fn name(self) -> &'static str {
        match self {
            FaultMode::Normal => "normal",
            FaultMode::Unauthorized => "unauthorized",
            FaultMode::Forbidden => "forbidden",
            FaultMode::NotFound => "not-found",
            FaultMode::Conflict => "conflict",
            FaultMode::RateLimited => "rate-limited",
            FaultMode::ServerErrorHtml => "server-error-html",
            FaultMode::Flaky => "flaky",
            FaultMode::Slow => "slow",
            FaultMode::Hang => "hang",
            FaultMode::GarbageJson => "garbage-json",
            FaultMode::EmptyCreated => "empty-created",
            FaultMode::Truncated => "truncated",
            FaultMode::ConnectionReset => "connection-reset",
            FaultMode::Oversized => "oversized",
            FaultMode::RedirectOffHost => "redirect-off-host",
            FaultMode::DownloadCut => "download-cut",
            FaultMode::VendorDiffers => "vendor-differs",
        }
    }

    /// One line saying what the mode does, for `demo-server --help` and
    /// listings.
    pub fn describe(self) -> &'static str {
        match self {
            FaultMode::Normal => "behaves like the real export API",
            FaultMode::Unauthorized => "every API call answers 401 (invalid API key)",
            FaultMode::Forbidden => "every API call answers 403 (insufficient permissions)",
            FaultMode::NotFound => "every API call answers 404",
            FaultMode::Conflict => {
                "creating an export always answers 409 (job already in progress)"
            }
            FaultMode::RateLimited => "every API call answers 429 with Retry-After: 2",
            FaultMode::ServerErrorHtml => "every API call answers 500 with an HTML error page",
            FaultMode::Flaky => "the first request answers 503 (plain text), later ones are normal",
            FaultMode::Slow => "every API answer is delayed (3 s by default)",
            FaultMode::Hang => "reads each request and never answers (clients must time out)",
            FaultMode::GarbageJson => "successful API answers say JSON but the body is not JSON",
            FaultMode::EmptyCreated => "creating an export answers 201 with an empty body",
            FaultMode::Truncated => {
                "answers are cut short of their Content-Length, then the connection closes"
            }
            FaultMode::ConnectionReset => "reads each request, then resets the connection",
            FaultMode::Oversized => "successful API answers are 2 MiB of valid JSON",
            FaultMode::RedirectOffHost => {
                "API calls answer 307 to the same path on localhost (another host name)"
            }
            FaultMode::DownloadCut => {
                "the first download of each file stops halfway; later downloads (and resumes) succeed"
            }
            FaultMode::VendorDiffers => {
                "succeeds, but with unknown status words, end_time set, a repeating cursor, a 5 MB lookup, extra fields, files without validators, every part gzip (Parquet and Avro too) and job ids that repeat across servers"
            }
        }
    }

    /// True for the modes handled below HTTP, on the raw connection.
    pub(crate) fn is_raw(self) -> bool {
        matches!(
            self,
            FaultMode::Hang | FaultMode::Truncated | FaultMode::ConnectionReset
        )
    }
}

impl std::fmt::Display for FaultMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn names_match_clap() {
        for mode in FaultMode::ALL {
            let pv = mode.to_possible_value().expect("not skipped");
            assert_eq!(pv.get_name(), mode.name());
            assert_eq!(FaultMode::from_str(mode.name(), false), Ok(mode));
            assert!(!mode.describe().is_empty());
        }
        assert_eq!(FaultMode::value_variants().len(), FaultMode::ALL.len());
    }
}
