//! Start-up baseline for `bench/lambda/driver.py`: the least a Lambda runtime client can do.
//! Reads `AWS_LAMBDA_RUNTIME_API`, opens one TCP connection and sends
//! `GET /2018-06-01/runtime/invocation/next`, then waits for the answer. Standard library only,
//! built with `rustc -O` (no tokio, no TLS, no AWS SDK configuration).
use std::io::{Read, Write};
use std::net::TcpStream;

fn main() {
    let api = match std::env::var("AWS_LAMBDA_RUNTIME_API") {
        Ok(a) => a,
        Err(_) => {
            eprintln!("AWS_LAMBDA_RUNTIME_API is not set");
            std::process::exit(2);
        }
    };
    let mut s = match TcpStream::connect(&api) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("connect {api}: {e}");
            std::process::exit(1);
        }
    };
    let req = format!(
        "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: {api}\r\nConnection: close\r\n\r\n"
    );
    if let Err(e) = s.write_all(req.as_bytes()) {
        eprintln!("write: {e}");
        std::process::exit(1);
    }
    let mut buf = [0u8; 4096];
    let _ = s.read(&mut buf);
}
