//! The JSON error body on the answers actix's HTTP/1 dispatcher writes by
//! itself, before any middleware sees a request: 400 for a request it cannot
//! parse, 408 for a head not received in time, 431 for a head over 128 KB.
//! Those go out with an empty body and offer no hook, so the connection's
//! write side is wrapped: a response head with one of those statuses and
//! `content-length: 0`, written alone, gets the body every other error has.
//! Nothing the application answers matches, since every error the services
//! answer carries a body.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection whose dispatcher-written errors carry the JSON body.
pub struct JsonErrors<T> {
    io: T,
    /// A rewritten answer, and how much of it is written.
    pending: Option<(Vec<u8>, usize)>,
}

impl<T> JsonErrors<T> {
    pub fn new(io: T) -> Self {
        Self { io, pending: None }
    }
}

/// The code and message for a status the dispatcher answers by itself.
fn error_of(status: u16) -> Option<(&'static str, &'static str)> {
    match status {
        400 => Some(("bad_request", "the request could not be parsed as HTTP/1.1")),
        408 => Some(("request_timeout", "the request head was not received in time")),
        431 => Some(("request_header_fields_too_large", "the request head is over 128 KB")),
        _ => None,
    }
}

/// `head` again with the JSON error body, if it is a whole, bodiless
/// dispatcher error answer and nothing else.
pub fn rewrite(head: &[u8]) -> Option<Vec<u8>> {
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut response = httparse::Response::new(&mut headers);
    let httparse::Status::Complete(length) = response.parse(head).ok()? else { return None };
    if length != head.len() {
        return None;
    }
    let (code, message) = error_of(response.code?)?;
    let bodiless = response.headers.iter().any(|h| h.name.eq_ignore_ascii_case("content-length") && h.value == b"0");
    if !bodiless {
        return None;
    }
    let body = super::error_body(code, message).to_string();
    let mut out = format!("HTTP/1.1 {} {}\r\n", response.code?, response.reason.unwrap_or_default()).into_bytes();
    for header in response.headers.iter().filter(|h| !h.name.eq_ignore_ascii_case("content-length")) {
        out.extend_from_slice(header.name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(header.value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len()).as_bytes());
    Some(out)
}

impl<T: AsyncWrite + Unpin> JsonErrors<T> {
    /// Writes what is left of a rewritten answer.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.pending {
            if *written == bytes.len() {
                self.pending = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for JsonErrors<T> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for JsonErrors<T> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        // Only the start of a write can be a response head: the dispatcher
        // writes an error answer whole, in one buffer.
        if buf.starts_with(b"HTTP/1.1 4") {
            if let Some(answer) = rewrite(buf) {
                this.pending = Some((answer, 0));
                // The bytes are taken; what is not written yet goes out on
                // the next write, flush or shutdown.
                let _ = this.drain(cx)?;
                return Poll::Ready(Ok(buf.len()));
            }
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bodiless_dispatcher_error_gets_the_json_body() {
        let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\ndate: x\r\n\r\n";
        let out = String::from_utf8(rewrite(head).expect("rewritten")).expect("text");
        let (head, body) = out.split_once("\r\n\r\n").expect("a head");
        assert!(head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"), "{head}");
        assert!(head.contains("connection: close") && head.contains("content-type: application/json"), "{head}");
        assert!(head.contains(&format!("content-length: {}", body.len())), "{head}");
        let body: serde_json::Value = serde_json::from_str(body).expect("json");
        assert_eq!(body["error"]["code"], "request_header_fields_too_large");
    }

    #[test]
    fn answers_with_a_body_or_other_statuses_or_more_bytes_are_left_alone() {
        assert!(rewrite(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 12\r\n\r\n").is_none());
        assert!(rewrite(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(rewrite(b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\n\r\nmore").is_none());
        assert!(rewrite(b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\n").is_none());
    }
}
