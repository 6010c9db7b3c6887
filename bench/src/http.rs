//! A minimal HTTP/1.1 client over hyper: one keep-alive connection per [`Conn`], bodies read raw
//! (still compressed when the server compressed them, so their length is the bytes on the wire).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// What browsers send; every measured request carries it.
pub const ACCEPT_ENCODING: &str = "br, gzip";

/// A request to repeat: method, path, headers and body.
#[derive(Clone, Debug)]
pub struct Spec {
    pub method: Method,
    pub path: String,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Bytes,
    /// When not empty, each request takes the next of these paths instead of `path` (shared by
    /// all connections, so no two requests in a row ask the same).
    pub rotate: Arc<Vec<String>>,
    next: Arc<AtomicUsize>,
}

impl Spec {
    /// A GET of `path` with the given headers.
    pub fn get(path: &str, headers: &[(&str, &str)]) -> Result<Spec> {
        Self::new(Method::GET, path, headers, Bytes::new())
    }

    /// A request with a body.
    pub fn new(method: Method, path: &str, headers: &[(&str, &str)], body: Bytes) -> Result<Spec> {
        let headers = headers
            .iter()
            .map(|(name, value)| {
                Ok((
                    HeaderName::from_bytes(name.as_bytes())?,
                    HeaderValue::from_str(value)?,
                ))
            })
            .collect::<Result<_>>()?;
        Ok(Spec {
            method,
            path: path.to_string(),
            headers,
            body,
            rotate: Arc::default(),
            next: Arc::default(),
        })
    }

    /// The same request over each of `paths` in turn.
    pub fn rotating(mut self, paths: Vec<String>) -> Spec {
        self.rotate = Arc::new(paths);
        self
    }

    fn request(&self, host: &str) -> Result<Request<Full<Bytes>>> {
        let path = if self.rotate.is_empty() {
            self.path.as_str()
        } else {
            let n = self.next.fetch_add(1, Ordering::Relaxed);
            self.rotate[n % self.rotate.len()].as_str()
        };
        let mut builder = Request::builder()
            .method(self.method.clone())
            .uri(path)
            .header(hyper::header::HOST, host);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        Ok(builder.body(Full::new(self.body.clone()))?)
    }
}

/// A response with its body as received.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Response {
    /// A header as text, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `name=value` of every `Set-Cookie`.
    pub fn cookies(&self) -> Vec<(String, String)> {
        self.headers
            .get_all(hyper::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .filter_map(|pair| pair.split_once('='))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect()
    }
}

/// One keep-alive connection.
pub struct Conn {
    sender: SendRequest<Full<Bytes>>,
    host: String,
}

impl Conn {
    /// Opens a connection to `addr`.
    pub async fn open(addr: SocketAddr) -> Result<Conn> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .context("HTTP handshake")?;
        tokio::spawn(async move {
            // Ends when the sender is dropped or the server closes the connection.
            let _ = connection.await;
        });
        Ok(Conn {
            sender,
            host: addr.to_string(),
        })
    }

    /// Sends `spec` and reads the whole response.
    pub async fn send(&mut self, spec: &Spec) -> Result<Response> {
        self.sender.ready().await.context("connection closed")?;
        let response = self.sender.send_request(spec.request(&self.host)?).await?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await?.to_bytes();
        Ok(Response {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        })
    }
}

/// Sends one request on a fresh connection.
pub async fn once(addr: SocketAddr, spec: &Spec) -> Result<Response> {
    Conn::open(addr)
        .await?
        .send(spec)
        .await
        .with_context(|| format!("{} {}", spec.method, spec.path))
}
