//! A moto_server harness for integration tests (feature `testing`).
//!
//! [`MotoServer::start`] runs `moto_server` from the project's virtualenv on a free port of
//! 127.0.0.1, waits until it answers, and stops it when dropped (also when the test panics).
//! Should the test process die without unwinding, moto stops too: it runs under a small
//! watchdog that exits when its standard input (a pipe from the test process) closes.
//!
//! The virtualenv is `$DRIFTLINE_VENV`, or `.venv` at the workspace root; `scripts/setup.sh`
//! creates it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), driftline_aws::testing::MotoError> {
//! let moto = driftline_aws::testing::MotoServer::start()?;
//! let cfg = moto.sdk_config().await;
//! // … build clients from `cfg`, run the test …
//! moto.reset()?;
//! # Ok(()) }
//! ```

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// How long [`MotoServer::start`] waits for moto to answer.
pub const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Why moto could not be started or reached.
#[derive(Debug, thiserror::Error)]
pub enum MotoError {
    /// The virtualenv or `moto_server` in it is missing.
    #[error(
        "{0} not found: run scripts/setup.sh to create the virtualenv (or set DRIFTLINE_VENV)"
    )]
    MissingVenv(PathBuf),
    /// Spawning the process failed.
    #[error("starting moto_server: {0}")]
    Spawn(std::io::Error),
    /// moto exited or did not answer in time.
    #[error("moto_server did not come up on port {port}: {reason}; log: {log}")]
    NotReady {
        /// The port tried.
        port: u16,
        /// What happened.
        reason: String,
        /// The end of moto's log.
        log: String,
    },
    /// An HTTP request to moto failed.
    #[error("moto request {what}: {reason}")]
    Request {
        /// Which request.
        what: String,
        /// What went wrong.
        reason: String,
    },
}

/// The virtualenv: `$DRIFTLINE_VENV`, else the workspace's `.venv`.
pub fn venv_dir() -> PathBuf {
    match std::env::var_os("DRIFTLINE_VENV") {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv"),
    }
}

/// Runs `moto_server` (by path, with argv as the console script would get it), plus a thread
/// that ends the process when stdin reaches EOF, i.e. when the test process closes the pipe or
/// dies.
const WATCHDOG: &str = r#"
import os, runpy, sys, threading
def watch():
    try:
        sys.stdin.buffer.read()
    finally:
        os._exit(0)
threading.Thread(target=watch, daemon=True).start()
script = sys.argv[1]
sys.argv = [script] + sys.argv[2:]
runpy.run_path(script, run_name="__main__")
"#;

/// A running moto_server, stopped on drop.
#[derive(Debug)]
pub struct MotoServer {
    child: Child,
    stdin: Option<ChildStdin>,
    port: u16,
    log: PathBuf,
}

impl MotoServer {
    /// Starts moto_server on a free 127.0.0.1 port and waits until `GET /moto-api/` answers.
    pub fn start() -> Result<Self, MotoError> {
        let venv = venv_dir();
        let python = venv.join("bin/python");
        let script = venv.join("bin/moto_server");
        for p in [&python, &script] {
            if !p.exists() {
                return Err(MotoError::MissingVenv(p.clone()));
            }
        }
        let mut last = None;
        // A free port can be taken between probing and binding: try a few.
        for _ in 0..3 {
            match Self::spawn_once(&python, &script) {
                Ok(server) => return Ok(server),
                Err(e @ MotoError::NotReady { .. }) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| MotoError::Spawn(std::io::Error::other("no attempt made"))))
    }

    fn spawn_once(python: &Path, script: &Path) -> Result<Self, MotoError> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(MotoError::Spawn)?
            .port();
        let log =
            std::env::temp_dir().join(format!("driftline-moto-{}-{port}.log", std::process::id()));
        let log_file = std::fs::File::create(&log).map_err(MotoError::Spawn)?;
        let log_err = log_file.try_clone().map_err(MotoError::Spawn)?;
        let mut child = Command::new(python)
            .arg("-c")
            .arg(WATCHDOG)
            .arg(script)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(log_file)
            .stderr(log_err)
            .spawn()
            .map_err(MotoError::Spawn)?;
        let stdin = child.stdin.take();
        let mut server = MotoServer {
            child,
            stdin,
            port,
            log,
        };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(server.not_ready(format!("exited with {status}")));
            }
            if let Ok((200, _)) = http(port, "GET", "/moto-api/", Duration::from_millis(500)) {
                return Ok(server);
            }
            if Instant::now() > deadline {
                return Err(server.not_ready(format!("no answer within {START_TIMEOUT:?}")));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn not_ready(&self, reason: String) -> MotoError {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: String = text
            .lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n");
        MotoError::NotReady {
            port: self.port,
            reason,
            log: tail,
        }
    }

    /// The port moto listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Clears all of moto's state (`POST /moto-api/reset`).
    pub fn reset(&self) -> Result<(), MotoError> {
        match http(
            self.port,
            "POST",
            "/moto-api/reset",
            Duration::from_secs(30),
        ) {
            Ok((200, _)) => Ok(()),
            Ok((status, body)) => Err(MotoError::Request {
                what: "POST /moto-api/reset".into(),
                reason: format!("HTTP {status}: {body}"),
            }),
            Err(e) => Err(MotoError::Request {
                what: "POST /moto-api/reset".into(),
                reason: e.to_string(),
            }),
        }
    }

    /// moto's whole state as JSON text (`GET /moto-api/data.json`), e.g. to read what SNS sent.
    pub fn data_json(&self) -> Result<String, MotoError> {
        match http(
            self.port,
            "GET",
            "/moto-api/data.json",
            Duration::from_secs(30),
        ) {
            Ok((200, body)) => Ok(body),
            Ok((status, body)) => Err(MotoError::Request {
                what: "GET /moto-api/data.json".into(),
                reason: format!("HTTP {status}: {body}"),
            }),
            Err(e) => Err(MotoError::Request {
                what: "GET /moto-api/data.json".into(),
                reason: e.to_string(),
            }),
        }
    }

    /// SDK configuration for moto: credentials `test`/`test`, region `us-east-1`, this
    /// endpoint. Build S3 clients with [`crate::clients::s3_client`] (path-style follows).
    pub async fn sdk_config(&self) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
            .endpoint_url(self.endpoint_url())
            .load()
            .await
    }

    /// Environment variables pointing a child process (e.g. a function under `cargo lambda`)
    /// at this moto.
    pub fn env_vars(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint_url()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        // Closing stdin makes the watchdog end moto; kill our own child if it lingers.
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                let _ = std::fs::remove_file(&self.log);
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// A minimal HTTP/1.1 request to 127.0.0.1 (no body); returns (status, body).
fn http(port: u16, method: &str, path: &str, timeout: Duration) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), timeout)?;
    s.set_read_timeout(Some(timeout))?;
    s.set_write_timeout(Some(timeout))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {:.80}", text)))?;
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let chunked = head
        .lines()
        .any(|l| l.to_ascii_lowercase().replace(' ', "") == "transfer-encoding:chunked");
    Ok((
        status,
        if chunked {
            dechunk(body)
        } else {
            body.to_owned()
        },
    ))
}

/// Decodes a `Transfer-Encoding: chunked` body (lossily: the body is already text).
fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size_line, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size_line.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or(0);
        if size == 0 || rest.len() < size || !rest.is_char_boundary(size) {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].strip_prefix("\r\n").unwrap_or(&rest[size..]);
    }
    out
}
