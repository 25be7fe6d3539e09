//! A real S3-compatible server on 127.0.0.1 for the sync tests: moto's
//! server mode (`moto_server`, installed by `.ci/run` with pip). It speaks
//! the S3 protocol over HTTP; the tests reach it through `object_store`
//! exactly as a user's S3 would be reached, with the `AWS_*` settings.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{WAIT_LIMIT, closed_port, require_tool, wait_for};

pub struct S3Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    port: u16,
}

/// One HTTP/1.1 request with no body to the server; its status code.
fn request(port: u16, method: &str, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 12];
    s.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

impl S3Server {
    /// Start one (`None`, after saying so, when `moto_server` is missing
    /// outside CI; under CI a missing one fails the test).
    pub fn start() -> Option<S3Server> {
        if !require_tool("moto_server") {
            return None;
        }
        let port = closed_port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn moto_server");
        let me = S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
        };
        wait_for("moto_server to answer", WAIT_LIMIT, || {
            request(port, "GET", "/").filter(|c| *c < 500)
        });
        Some(me)
    }

    /// Create bucket `name`.
    pub fn create_bucket(&self, name: &str) {
        let code = request(self.port, "PUT", &format!("/{name}"));
        assert_eq!(code, Some(200), "creating bucket {name}");
    }

    /// The head (status line and headers) of `HEAD path` with `headers`
    /// added; unsigned, which moto accepts.
    pub fn head(&self, path: &str, headers: &[(&str, &str)]) -> Option<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
        let mut req = format!("HEAD {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n", self.port);
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("Connection: close\r\n\r\n");
        s.write_all(req.as_bytes()).ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        Some(out)
    }

    /// The settings a client of this server uses (what a user would
    /// export as environment variables).
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", self.endpoint.as_str()),
            ("AWS_ALLOW_HTTP", "true"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
