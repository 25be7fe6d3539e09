//! What kind of failure an error is, as a `Copy` value: matched in code
//! (never as text), stored in history and printed with `--json` under the
//! same short names as always (`conflict`, `not_found`, `timeout`, …).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! kinds {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// The kind of a failed request (see [`crate::api::ApiError::kind`]),
        /// plus the two a front end adds: [`ErrorKind::NotSent`] and
        /// [`ErrorKind::Cancelled`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum ErrorKind {
            $($(#[$doc])* #[serde(rename = $name)] $variant,)*
        }

        impl ErrorKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$variant,)*];

            /// The stable short name (history files, `--json`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorKind::$variant => $name,)*
                }
            }
        }

        impl FromStr for ErrorKind {
            type Err = UnknownKind;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok(ErrorKind::$variant),)*
                    _ => Err(UnknownKind),
                }
            }
        }
    };
}

kinds! {
    /// HTTP 403: the key may not do this.
    Forbidden = "forbidden",
    /// HTTP 401: the key was refused.
    Unauthorized = "unauthorized",
    /// HTTP 409: an export already runs in the environment.
    Conflict = "conflict",
    /// HTTP 404.
    NotFound = "not_found",
    /// HTTP 429.
    RateLimited = "rate_limited",
    /// HTTP 5xx.
    ServerError = "server_error",
    /// Any other refusal (4xx): the request itself is at fault.
    HttpError = "http_error",
    /// An answer that is not what the API documents.
    BadResponse = "bad_response",
    /// An answer over the size limit.
    TooLarge = "too_large",
    Timeout = "timeout",
    Connect = "connect",
    Dns = "dns",
    Tls = "tls",
    /// The connection broke before the answer was complete.
    ConnectionLost = "connection_lost",
    /// A redirect to another host (not followed).
    Redirect = "redirect",
    InvalidBaseUrl = "invalid_base_url",
    /// A local file could not be read or written.
    Io = "io",
    Other = "other",
    /// A job still not finished after the longest wait (`--max-wait`).
    WaitLimit = "wait_limit",
    /// Never sent: no key, no history, or the queue item was taken.
    NotSent = "not_sent",
    /// The user stopped waiting for the answer.
    Cancelled = "cancelled",
}

/// A kind name this version does not know (from a newer history file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownKind;

impl ErrorKind {
    /// The kind stored under `name`, if this version knows it.
    pub fn parse(name: &str) -> Option<ErrorKind> {
        name.parse().ok()
    }

    /// True when the request may have been carried out although no good
    /// answer arrived (a timeout or a broken connection after sending, an
    /// answer too large or not understood): sending it again could create
    /// the export twice.
    pub fn outcome_unknown(self) -> bool {
        matches!(
            self,
            ErrorKind::Timeout
                | ErrorKind::ConnectionLost
                | ErrorKind::TooLarge
                | ErrorKind::BadResponse
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_text_and_serde() {
        for k in ErrorKind::ALL {
            assert_eq!(ErrorKind::parse(k.as_str()), Some(*k));
            let json = serde_json::to_string(k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
            assert_eq!(serde_json::from_str::<ErrorKind>(&json).unwrap(), *k);
        }
        assert_eq!(ErrorKind::parse("Conflict"), None);
        assert_eq!(ErrorKind::Conflict.to_string(), "conflict");
    }
}
