//! HTTP as a misbehaving client speaks it: bytes a real client library
//! would never send, or sends too slowly.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An answer read off the wire: its status and its body as JSON.
#[derive(Debug)]
pub struct RawAnswer {
    pub status: u16,
    pub head: String,
    pub body: serde_json::Value,
}

/// Sends `bytes` to `127.0.0.1:port` and reads until the server closes the
/// connection; panics if it is still open after `within`.
pub async fn raw_http(port: u16, bytes: &[u8], within: Duration) -> RawAnswer {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    // A server may answer and close before it has read everything sent.
    let _ = stream.write_all(bytes).await;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(within, stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection was still open after {within:?}");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = serde_json::from_str(body).unwrap_or(serde_json::Value::String(body.to_owned()));
    RawAnswer { status, head: head.to_owned(), body }
}
