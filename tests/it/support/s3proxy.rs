//! A small fault-injecting HTTP proxy in front of the S3 server of
//! [`super::s3`] (moto does not check keys, never answers 5xx and is never
//! slow): it forwards each request to moto, or answers it itself as the
//! test says: 503 `SlowDown` (to some requests or all), 403
//! `InvalidAccessKeyId`, late (a slow store), or never (a request held
//! open, so a test can kill the client at that exact point: the upload of
//! a part, the manifest's put). It logs every request.
//!
//! std threads, one request per connection (`Connection: close` both
//! ways), bodies with a `Content-Length` (what `object_store` sends).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Which requests a fault applies to: the method (empty: any) and text
/// the request line's target must all contain.
#[derive(Clone, Debug, Default)]
pub struct Match {
    pub method: String,
    pub contains: Vec<String>,
}

impl Match {
    pub fn new(method: &str, contains: &[&str]) -> Match {
        Match {
            method: method.to_owned(),
            contains: contains.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    pub fn hits(&self, method: &str, target: &str) -> bool {
        (self.method.is_empty() || self.method == method)
            && self.contains.iter().all(|c| target.contains(c.as_str()))
    }
}

/// What the proxy does; change it with [`FaultProxy::set`].
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Answer 503 `SlowDown` to every request.
    pub always_503: bool,
    /// Answer the next requests matching `fail_match` (any request when
    /// `None`) with these statuses, one each, in order: 500
    /// `InternalError` or 503 `SlowDown`.
    pub fail: Vec<u16>,
    pub fail_match: Option<Match>,
    /// Wait this long before forwarding each request.
    pub delay: Duration,
    /// Answer 403 `InvalidAccessKeyId` to every request.
    pub deny: bool,
    /// Never answer requests matching this (held open until the proxy is
    /// dropped).
    pub hold: Option<Match>,
}

/// One request as the proxy saw it and what it answered.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    /// The request target (path and query).
    pub target: String,
    /// The status sent back (0: held, never answered).
    pub status: u16,
}

struct State {
    faults: Mutex<Faults>,
    log: Mutex<Vec<Seen>>,
    stop: AtomicBool,
    upstream: u16,
}

pub struct FaultProxy {
    /// `http://127.0.0.1:PORT`: use as `AWS_ENDPOINT_URL`.
    pub endpoint: String,
    state: Arc<State>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl FaultProxy {
    /// Listen on 127.0.0.1 and forward to the server at `upstream`
    /// (`http://127.0.0.1:PORT`).
    pub fn start(upstream: &str) -> FaultProxy {
        let port: u16 = upstream
            .rsplit(':')
            .next()
            .and_then(|p| p.trim_end_matches('/').parse().ok())
            .expect("upstream port");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let me = listener.local_addr().expect("proxy address").port();
        let state = Arc::new(State {
            faults: Mutex::new(Faults::default()),
            log: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
            upstream: port,
        });
        let st = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let st = st.clone();
                std::thread::spawn(move || serve(&st, conn));
            }
        });
        FaultProxy {
            endpoint: format!("http://127.0.0.1:{me}"),
            state,
        }
    }

    /// Change the faults.
    pub fn set(&self, f: impl FnOnce(&mut Faults)) {
        f(&mut lock(&self.state.faults));
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<Seen> {
        lock(&self.state.log).clone()
    }

    /// Requests matching `m` so far.
    pub fn count(&self, m: &Match) -> usize {
        self.log()
            .iter()
            .filter(|s| m.hits(&s.method, &s.target))
            .count()
    }

    /// The S3 settings of `s3` with this proxy as the endpoint.
    pub fn env(&self, s3: &super::s3::S3Server) -> Vec<(String, String)> {
        s3.env()
            .into_iter()
            .map(|(k, v)| {
                if k == "AWS_ENDPOINT_URL" {
                    (k, self.endpoint.clone())
                } else {
                    (k, v)
                }
            })
            .collect()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the stop.
        let _ = TcpStream::connect(self.endpoint.trim_start_matches("http://"));
    }
}

/// A request: its head lines and body.
struct Request {
    method: String,
    target: String,
    head: Vec<String>,
    body: Vec<u8>,
}

fn read_request(r: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if line.is_empty() {
            break;
        }
        head.push(line);
    }
    let first = head.first()?.clone();
    let mut words = first.split(' ');
    let method = words.next()?.to_owned();
    let target = words.next()?.to_owned();
    let len = header(&head, "content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    assert!(
        header(&head, "transfer-encoding").is_none(),
        "the S3 proxy reads bodies with a Content-Length only"
    );
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        target,
        head,
        body,
    })
}

fn header<'a>(head: &'a [String], name: &str) -> Option<&'a str> {
    head.iter().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then_some(v.trim())
    })
}

/// A request's or answer's head with `Connection: close` instead of
/// whatever it said.
fn closing(head: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, l) in head.iter().enumerate() {
        if i > 0
            && l.split_once(':')
                .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("connection"))
        {
            continue;
        }
        out.extend_from_slice(l.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    out
}

fn s3_error(status: u16, reason: &str, code: &str, message: &str) -> Vec<u8> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>PROXY</RequestId></Error>"
    );
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn serve(st: &State, conn: TcpStream) {
    let Ok(read_half) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let Some(req) = read_request(&mut reader) else {
        return;
    };
    let faults = lock(&st.faults).clone();
    let held = faults
        .hold
        .as_ref()
        .is_some_and(|m| m.hits(&req.method, &req.target));
    let fail = if faults.always_503 {
        Some(503)
    } else if !faults.fail.is_empty()
        && faults
            .fail_match
            .as_ref()
            .is_none_or(|m| m.hits(&req.method, &req.target))
    {
        let mut f = lock(&st.faults);
        (!f.fail.is_empty()).then(|| f.fail.remove(0))
    } else {
        None
    };
    let answer = |status: u16| {
        lock(&st.log).push(Seen {
            method: req.method.clone(),
            target: req.target.clone(),
            status,
        })
    };
    let mut conn = conn;
    if held {
        answer(0);
        // Keep the connection open, answering nothing, until the proxy
        // stops (the test kills the client meanwhile).
        while !st.stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(50));
        }
        return;
    }
    if faults.deny {
        answer(403);
        let _ = conn.write_all(&s3_error(
            403,
            "Forbidden",
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
        ));
        return;
    }
    if let Some(status) = fail {
        answer(status);
        let _ = conn.write_all(&if status == 500 {
            s3_error(
                500,
                "Internal Server Error",
                "InternalError",
                "We encountered an internal error. Please try again.",
            )
        } else {
            s3_error(
                503,
                "Service Unavailable",
                "SlowDown",
                "Please reduce your request rate.",
            )
        });
        return;
    }
    if !faults.delay.is_zero() {
        std::thread::sleep(faults.delay);
    }
    let Ok(mut up) = TcpStream::connect(("127.0.0.1", st.upstream)) else {
        answer(502);
        let _ = conn.write_all(&s3_error(502, "Bad Gateway", "Proxy", "no upstream"));
        return;
    };
    let mut out = closing(&req.head);
    out.extend_from_slice(&req.body);
    if up.write_all(&out).is_err() {
        answer(502);
        return;
    }
    let mut resp = Vec::new();
    let _ = up.read_to_end(&mut resp);
    // Its head, rewritten to close, then the body as it came.
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(resp.len());
    let head: Vec<String> = String::from_utf8_lossy(&resp[..split])
        .split("\r\n")
        .map(str::to_owned)
        .collect();
    let status = head
        .first()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(502);
    answer(status);
    let mut back = closing(&head);
    back.extend_from_slice(resp.get(split + 4..).unwrap_or_default());
    let _ = conn.write_all(&back);
}
