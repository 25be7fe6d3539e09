//! The accept loop. Each connection carries one request (keep-alive is
//! off, so a mode switch takes effect on the very next request): its head
//! is read here first, then either the connection-level fault modes act on
//! the raw socket (hang, reset, truncate, cut a download), or the bytes
//! read so far plus the rest of the stream go to hyper and the axum router.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::files::{self, Reply};
use super::mode::FaultMode;
use super::state::{RecordedRequest, Shared};

/// How long a new connection may take to send its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest request head read.
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body read on the raw path.
const MAX_RAW_BODY: usize = 1 << 20;
/// How long the raw path waits for a request body.
const BODY_TIMEOUT: Duration = Duration::from_secs(5);
/// `Content-Length` announced by `Truncated` answers.
const TRUNCATED_LENGTH: usize = 4096;
/// What `Truncated` answers actually send.
const TRUNCATED_BODY: &[u8] = b"{\"job_id\":\"3f2b8c1e-9d4a-4c2e-8f1a-";

/// Accept connections until `stop` turns true (or its sender is dropped),
/// then end every open connection.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    router: Router,
    mut stop: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            () = stopped(&mut stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    conns.spawn(connection(stream, shared.clone(), router.clone()));
                }
                Err(e) => {
                    tracing::warn!("demo server accept failed: {e}");
                    // Out of file descriptors and the like: do not spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    conns.shutdown().await;
}

/// Resolves once the stop flag is true or its sender is gone.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await.map(|_| ());
}

/// A request head read off the socket.
struct Head {
    /// Every byte read so far (head and possibly the start of the body).
    buf: Vec<u8>,
    /// The parsed head, or `None` when it is not valid HTTP.
    parsed: Option<Parsed>,
}

struct Parsed {
    len: usize,
    method: String,
    target: String,
    host: Option<String>,
    authorization: Option<String>,
    range: Option<String>,
    if_range: Option<String>,
    content_length: usize,
}

async fn connection(mut stream: TcpStream, shared: Arc<Shared>, router: Router) {
    let head = match tokio::time::timeout(HEAD_TIMEOUT, read_head(&mut stream)).await {
        Ok(Ok(Some(head))) => head,
        _ => return,
    };
    let mode = shared.mode();
    if let Some(p) = &head.parsed {
        if mode.is_raw() {
            let body = read_body(&mut stream, &head.buf[p.len..], p.content_length).await;
            shared.record(recorded(p, &body));
            return raw_fault(mode, stream, p).await;
        }
        if mode == FaultMode::DownloadCut
            && let Some(reply) = first_download(&shared, p)
        {
            shared.record(recorded(p, &[]));
            return cut(stream, reply).await;
        }
    }
    let io = TokioIo::new(Prefixed {
        prefix: head.buf,
        pos: 0,
        inner: stream,
    });
    let served = http1::Builder::new()
        .keep_alive(false)
        .serve_connection(io, TowerToHyperService::new(router))
        .await;
    if let Err(e) = served {
        tracing::debug!("demo connection ended: {e}");
    }
}

/// Read until the end of the request head. `None` when the peer closed
/// first. A head that does not parse is passed on for hyper to refuse.
async fn read_head(stream: &mut TcpStream) -> io::Result<Option<Head>> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&buf) {
            Ok(httparse::Status::Complete(len)) => {
                let find = |name: &str| {
                    req.headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case(name))
                        .map(|h| String::from_utf8_lossy(h.value).into_owned())
                };
                let parsed = Parsed {
                    len,
                    method: req.method.unwrap_or("").to_owned(),
                    target: req.path.unwrap_or("").to_owned(),
                    host: find("host"),
                    authorization: find("authorization"),
                    range: find("range"),
                    if_range: find("if-range"),
                    content_length: find("content-length")
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0),
                };
                return Ok(Some(Head {
                    buf,
                    parsed: Some(parsed),
                }));
            }
            Ok(httparse::Status::Partial) if buf.len() < MAX_HEAD => continue,
            _ => return Ok(Some(Head { buf, parsed: None })),
        }
    }
}

/// The request body (as far as `Content-Length` says, within limits).
async fn read_body(stream: &mut TcpStream, have: &[u8], len: usize) -> Vec<u8> {
    let want = len.min(MAX_RAW_BODY);
    let mut body = have[..have.len().min(want)].to_vec();
    let rest = async {
        let mut chunk = [0u8; 8192];
        while body.len() < want {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => body.extend_from_slice(&chunk[..n.min(want - body.len())]),
            }
        }
    };
    let _ = tokio::time::timeout(BODY_TIMEOUT, rest).await;
    body
}

fn recorded(p: &Parsed, body: &[u8]) -> RecordedRequest {
    RecordedRequest {
        method: p.method.clone(),
        path: p.target.clone(),
        host: p.host.clone(),
        authorization: p.authorization.clone(),
        body: String::from_utf8_lossy(body).into_owned(),
    }
}

async fn raw_fault(mode: FaultMode, mut stream: TcpStream, p: &Parsed) {
    match mode {
        FaultMode::Hang => {
            // Never answer; hold the connection until the peer gives up
            // (or the server stops and aborts this task).
            let mut sink = [0u8; 1024];
            while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
        }
        FaultMode::ConnectionReset => {
            // SO_LINGER 0: closing sends RST instead of FIN.
            if let Err(e) = stream.set_zero_linger() {
                tracing::warn!("demo server could not set SO_LINGER: {e}");
            }
            drop(stream);
        }
        _ => {
            let (code, reason) = if p.method == "POST" {
                (201, "Created")
            } else {
                (200, "OK")
            };
            let head = format!(
                "HTTP/1.1 {code} {reason}\r\nContent-Type: application/json\r\nContent-Length: {TRUNCATED_LENGTH}\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(TRUNCATED_BODY).await;
            let _ = stream.flush().await;
            let _ = stream.shutdown().await;
        }
    }
}

/// In `DownloadCut` mode: the full answer of a download of a file not yet
/// cut (and marks it cut), or `None` to serve the request normally.
fn first_download(shared: &Shared, p: &Parsed) -> Option<Reply> {
    if p.method != "GET" {
        return None;
    }
    let (path, query) = match p.target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (p.target.as_str(), None),
    };
    let rest = path.strip_prefix("/demo-files/")?;
    let (job_id, file) = rest.split_once('/')?;
    let ask = files::Ask {
        range: p.range.as_deref(),
        if_range: p.if_range.as_deref(),
    };
    let reply = files::download(shared, job_id, file, query, ask);
    (matches!(reply.status, 200 | 206) && shared.first_cut(job_id, file)).then_some(reply)
}

/// Send the head with the full `Content-Length` and half the body, then
/// close.
async fn cut(mut stream: TcpStream, reply: Reply) {
    let reason = if reply.status == 206 {
        "Partial Content"
    } else {
        "OK"
    };
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", reply.status);
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("Connection: close\r\n\r\n");
    let half = &reply.body[..reply.body.len() / 2];
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(half).await;
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
}

/// A stream that first replays bytes already read from it.
struct Prefixed {
    prefix: Vec<u8>,
    pos: usize,
    inner: TcpStream,
}

impl AsyncRead for Prefixed {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.pos < self.prefix.len() {
            let n = (self.prefix.len() - self.pos).min(buf.remaining());
            let start = self.pos;
            buf.put_slice(&self.prefix[start..start + n]);
            self.pos += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Prefixed {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
