//! A scripted HTTP/1.1 server on 127.0.0.1 for the answers the demo
//! server never gives: a 206 that starts elsewhere than asked, a file
//! without validators, a download that stalls while a test signals the
//! client. Each connection carries one request; the script sees it (and
//! how many came before) and says what to answer. Every request is kept
//! for the test to inspect.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request as received.
#[derive(Clone, Debug)]
pub struct Seen {
    /// Path and query.
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl Seen {
    /// A header's value (name compared without case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What to answer.
#[derive(Clone, Debug)]
pub struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Send only this many bytes of the body.
    cut_at: Option<usize>,
    /// After sending, keep the connection open until the client closes it.
    hold: bool,
}

impl Answer {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: body.into(),
            cut_at: None,
            hold: false,
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Answer {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// Announce the whole body, send `n` bytes of it, then close (or hold).
    pub fn cut_at(mut self, n: usize) -> Answer {
        self.cut_at = Some(n);
        self
    }

    /// Keep the connection open after the bytes sent.
    pub fn hold(mut self) -> Answer {
        self.hold = true;
        self
    }
}

type Script = dyn Fn(&Seen, usize) -> Answer + Send + Sync;

pub struct Scripted {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Scripted {
    /// Serve `script(request, n)` where `n` counts the requests before it.
    pub async fn start(
        script: impl Fn(&Seen, usize) -> Answer + Send + Sync + 'static,
    ) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let script: Arc<Script> = Arc::new(script);
        let log = seen.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let (log, script) = (log.clone(), script.clone());
                tokio::spawn(async move {
                    let Some(req) = read_head(&mut stream).await else {
                        return;
                    };
                    let n = {
                        let mut l = log.lock().unwrap_or_else(|e| e.into_inner());
                        l.push(req.clone());
                        l.len() - 1
                    };
                    let a = script(&req, n);
                    let mut head = format!("HTTP/1.1 {} X\r\n", a.status);
                    let has_length = a
                        .headers
                        .iter()
                        .any(|(k, _)| k.eq_ignore_ascii_case("content-length"));
                    for (k, v) in &a.headers {
                        head.push_str(&format!("{k}: {v}\r\n"));
                    }
                    if !has_length {
                        head.push_str(&format!("Content-Length: {}\r\n", a.body.len()));
                    }
                    head.push_str("Connection: close\r\n\r\n");
                    let body = &a.body[..a.cut_at.unwrap_or(a.body.len()).min(a.body.len())];
                    let _ = stream.write_all(head.as_bytes()).await;
                    let _ = stream.write_all(body).await;
                    let _ = stream.flush().await;
                    if a.hold {
                        let mut sink = [0u8; 1024];
                        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
                    }
                    let _ = stream.shutdown().await;
                });
            }
        });
        Scripted { url, seen, task }
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn read_head(stream: &mut tokio::net::TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut req = httparse::Request::new(&mut headers);
        if let Ok(httparse::Status::Complete(_)) = req.parse(&buf) {
            return Some(Seen {
                path: req.path.unwrap_or("").to_owned(),
                headers: req
                    .headers
                    .iter()
                    .map(|h| {
                        (
                            h.name.to_owned(),
                            String::from_utf8_lossy(h.value).into_owned(),
                        )
                    })
                    .collect(),
            });
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
    }
}
