//! `--demo`'s own history (see [`crate::config::Paths::for_demo`]): the
//! demo server keeps its jobs in memory, so once it stops, the jobs it ran
//! are gone, links and all. When a demo starts, the rows of demo servers
//! that no longer answer are recorded as `expired`, so they never show as
//! completed with links that would only answer with an error.

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::history::{HistoryError, HistoryStore};
use crate::jobs::track::{EXPIRED, mark_expired};

/// The reason recorded with a job of a demo server that has stopped.
pub const STOPPED: &str = "the demo server that ran this job has stopped, and its jobs with it (the demo keeps them in memory)";

/// How long a connection to an earlier demo server may take before it
/// counts as stopped (it is on this machine: a refusal is immediate).
const PROBE: Duration = Duration::from_millis(300);

/// Entries read at a time.
const BATCH: u32 = 500;

/// Record `expired` on every job of the demo history that ran on another
/// demo server than `current` (a base URL) which no longer accepts
/// connections. Returns how many rows were changed.
pub fn retire_stopped_servers(store: &HistoryStore, current: &str) -> Result<usize, HistoryError> {
    let mut stopped: Vec<(String, bool)> = Vec::new();
    let (mut changed, mut before) = (0, None);
    loop {
        let batch = store.page_before(before, BATCH)?;
        for e in &batch {
            let live = e.created.is_some() && e.job.as_ref().is_none_or(|j| j.status != EXPIRED);
            if !live || e.base_url == current {
                continue;
            }
            let gone = match stopped.iter().find(|(u, _)| *u == e.base_url) {
                Some((_, gone)) => *gone,
                None => {
                    let gone = has_stopped(&e.base_url);
                    stopped.push((e.base_url.clone(), gone));
                    gone
                }
            };
            if gone {
                mark_expired(store, e, STOPPED)?;
                changed += 1;
            }
        }
        match batch.last() {
            Some(last) if batch.len() == BATCH as usize => before = Some(last.id),
            _ => return Ok(changed),
        }
    }
}

/// Whether the demo server at `base_url` (on this machine) no longer
/// accepts connections. A URL that is not on this machine is never judged.
fn has_stopped(base_url: &str) -> bool {
    let Ok(url) = url::Url::parse(base_url) else {
        return false;
    };
    let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost"));
    let Some(port) = url.port_or_known_default() else {
        return false;
    };
    if !local {
        return false;
    }
    let addrs: Vec<SocketAddr> = (url.host_str().unwrap_or("127.0.0.1"), port)
        .to_socket_addrs()
        .map(|a| a.collect())
        .unwrap_or_default();
    !addrs
        .iter()
        .any(|a| TcpStream::connect_timeout(a, PROBE).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_local_port_has_stopped_and_a_listening_one_has_not() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        assert!(!has_stopped(&format!("http://127.0.0.1:{port}")));
        drop(l);
        assert!(has_stopped(&format!("http://127.0.0.1:{port}")));
        assert!(!has_stopped("https://appex.userpilot.io"));
    }
}
