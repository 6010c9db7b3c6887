//! An SMTP sink on loopback for e-mail tests with a real SMTP client.
//!
//! [`SmtpSink`] speaks plain SMTP (no TLS; AUTH PLAIN/LOGIN accept anything), serves any
//! number of connections and messages per connection on the current tokio runtime, and
//! records every message as a [`Mail`]. [`Mail`] has a small hand-written MIME decoder
//! (folded headers, RFC 2047 encoded words, nested multiparts, quoted-printable and
//! base64) that covers what lettre produces.
#![allow(dead_code)]

use std::future::poll_fn;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{AbortHandle, JoinHandle};

const SERVER_NAME: &str = "kring-test-sink";

/// One message as received: envelope plus the raw RFC 5322 text (dot-unstuffed).
#[derive(Clone, Debug)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Mail {
    /// The first value of a header (case-insensitive name), unfolded and trimmed, raw
    /// (RFC 2047 encoded words are left as they are).
    pub fn header(&self, name: &str) -> Option<String> {
        header_value(&split_entity(&self.data).0, name)
    }

    /// The Subject with RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`)
    /// decoded; empty when there is none.
    pub fn subject(&self) -> String {
        self.header("Subject")
            .map(|s| decode_encoded_words(&s))
            .unwrap_or_default()
    }

    /// The decoded first text/plain part (empty when there is none).
    pub fn text(&self) -> String {
        self.part("text/plain").unwrap_or_default()
    }

    /// The decoded first text/html part.
    pub fn html(&self) -> Option<String> {
        self.part("text/html")
    }

    /// The decoded body of the first non-multipart part with this content type
    /// (case-insensitive, parameters ignored), searching nested multiparts depth-first.
    /// Transfer encoding and charset are decoded, and CRLF line ends become LF.
    pub fn part(&self, content_type: &str) -> Option<String> {
        find_part(&self.data, &content_type.trim().to_ascii_lowercase(), 0)
    }
}

/// An SMTP server on loopback that records every message.
pub struct SmtpSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

struct Shared {
    /// `None` once stopped: taking it out closes the port at once.
    listener: Mutex<Option<TcpListener>>,
    mails: Mutex<Vec<Mail>>,
    notify: Notify,
    conns: Mutex<Conns>,
}

struct Conns {
    stopped: bool,
    tasks: Vec<AbortHandle>,
}

impl SmtpSink {
    /// Binds 127.0.0.1:0 and serves in a tokio task on the current runtime.
    pub async fn start() -> SmtpSink {
        SmtpSink::start_on(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("binding the SMTP sink on 127.0.0.1:0")
    }

    /// Binds a specific address (e.g. to bring the sink back on the same port after
    /// [`SmtpSink::stop`]) and serves in a tokio task on the current runtime.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<SmtpSink> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            listener: Mutex::new(Some(listener)),
            mails: Mutex::new(Vec::new()),
            notify: Notify::new(),
            conns: Mutex::new(Conns {
                stopped: false,
                tasks: Vec::new(),
            }),
        });
        let accept = tokio::spawn(accept_loop(shared.clone()));
        Ok(SmtpSink {
            addr,
            shared,
            accept,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `smtp://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// All mails received so far, in arrival order.
    pub fn mails(&self) -> Vec<Mail> {
        lock(&self.shared.mails).clone()
    }

    /// Waits until at least `n` mails arrived or `timeout` passed; returns the mails so far.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Mail> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.notify.notified();
            tokio::pin!(notified);
            // Register before looking, so a mail arriving in between is not missed.
            notified.as_mut().enable();
            let mails = self.mails();
            if mails.len() >= n {
                return mails;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.mails();
            }
        }
    }

    /// Closes the listener (the port refuses connections as soon as this returns) and
    /// aborts the accept task and every open connection. Idempotent.
    pub fn stop(&self) {
        drop(lock(&self.shared.listener).take());
        self.accept.abort();
        let mut conns = lock(&self.shared.conns);
        conns.stopped = true;
        for task in conns.tasks.drain(..) {
            task.abort();
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

async fn accept_loop(shared: Arc<Shared>) {
    loop {
        // Poll through the mutex (never held across an await) so `stop` can close the
        // listener synchronously.
        let accepted = poll_fn(|cx| match lock(&shared.listener).as_ref() {
            Some(listener) => listener.poll_accept(cx).map(Some),
            None => Poll::Ready(None),
        })
        .await;
        match accepted {
            None => return,
            Some(Ok((stream, _))) => {
                let task = tokio::spawn(serve(stream, shared.clone())).abort_handle();
                let mut conns = lock(&shared.conns);
                if conns.stopped {
                    task.abort();
                } else {
                    conns.tasks.retain(|t| !t.is_finished());
                    conns.tasks.push(task);
                }
            }
            // E.g. out of file descriptors: back off a little.
            Some(Err(_)) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let (read, mut write) = stream.into_split();
    let _ = session(&mut BufReader::new(read), &mut write, &shared).await;
}

/// One SMTP session; returns at QUIT or end of input.
async fn session<R, W>(read: &mut R, write: &mut W, shared: &Shared) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    reply(write, &format!("220 {SERVER_NAME} ESMTP ready")).await?;
    // The open transaction: reverse path and recipients.
    let mut envelope: Option<(String, Vec<String>)> = None;
    let mut line = Vec::new();
    loop {
        if !read_line(read, &mut line).await? {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line).trim().to_string();
        let (verb, arg) = match command.split_once(' ') {
            Some((verb, arg)) => (verb.to_ascii_uppercase(), arg.trim()),
            None => (command.to_ascii_uppercase(), ""),
        };
        let upper_arg = arg.to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => {
                envelope = None;
                let features = ["8BITMIME", "SMTPUTF8", "AUTH PLAIN LOGIN"];
                let mut text = format!("250-{SERVER_NAME} greets {arg}\r\n");
                for feature in features {
                    text.push_str(&format!("250-{feature}\r\n"));
                }
                text.push_str("250 OK\r\n");
                write.write_all(text.as_bytes()).await?;
            }
            "HELO" => {
                envelope = None;
                reply(write, &format!("250 {SERVER_NAME}")).await?;
            }
            "MAIL" if upper_arg.starts_with("FROM:") => {
                envelope = Some((mailbox(&arg[5..]), Vec::new()));
                reply(write, "250 2.1.0 OK").await?;
            }
            "RCPT" if upper_arg.starts_with("TO:") => match envelope.as_mut() {
                Some((_, to)) => {
                    to.push(mailbox(&arg[3..]));
                    reply(write, "250 2.1.5 OK").await?;
                }
                None => reply(write, "503 5.5.1 MAIL first").await?,
            },
            "DATA" => match envelope.take() {
                Some((from, to)) if !to.is_empty() => {
                    reply(write, "354 End data with <CR><LF>.<CR><LF>").await?;
                    let Some(data) = read_data(read, &mut line).await? else {
                        return Ok(());
                    };
                    let mail = Mail { from, to, data };
                    let count = {
                        let mut mails = lock(&shared.mails);
                        mails.push(mail);
                        mails.len()
                    };
                    shared.notify.notify_waiters();
                    reply(write, &format!("250 2.0.0 OK queued as {count}")).await?;
                }
                other => {
                    envelope = other;
                    reply(write, "503 5.5.1 RCPT first").await?;
                }
            },
            "RSET" => {
                envelope = None;
                reply(write, "250 2.0.0 OK").await?;
            }
            "NOOP" => reply(write, "250 2.0.0 OK").await?,
            "QUIT" => {
                reply(write, "221 2.0.0 Bye").await?;
                return Ok(());
            }
            "AUTH" => {
                let mut words = arg.split_whitespace();
                let mechanism = words.next().unwrap_or("").to_ascii_uppercase();
                let initial = words.next().is_some();
                // Credentials are read and ignored: the sink accepts anyone.
                let prompts: &[&str] = match (mechanism.as_str(), initial) {
                    ("PLAIN", true) => &[],
                    ("PLAIN", false) => &["334 "],
                    ("LOGIN", true) => &["334 UGFzc3dvcmQ6"],
                    ("LOGIN", false) => &["334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6"],
                    _ => {
                        reply(write, "504 5.5.4 Unrecognized authentication type").await?;
                        continue;
                    }
                };
                let mut cancelled = false;
                for prompt in prompts {
                    reply(write, prompt).await?;
                    if !read_line(read, &mut line).await? {
                        return Ok(());
                    }
                    if line.trim_ascii() == b"*" {
                        cancelled = true;
                        break;
                    }
                }
                if cancelled {
                    reply(write, "501 5.7.0 Authentication cancelled").await?;
                } else {
                    reply(write, "235 2.7.0 Authentication successful").await?;
                }
            }
            "VRFY" => reply(write, "252 2.0.0 Cannot VRFY user").await?,
            "STARTTLS" => reply(write, "454 4.7.0 TLS not available").await?,
            "MAIL" | "RCPT" => reply(write, "501 5.5.4 Syntax error in parameters").await?,
            _ => reply(write, "500 5.5.2 Command not recognized").await?,
        }
    }
}

async fn reply<W: AsyncWrite + Unpin>(write: &mut W, line: &str) -> std::io::Result<()> {
    write.write_all(format!("{line}\r\n").as_bytes()).await?;
    write.flush().await
}

/// Reads one line including its `\n` into `line`; false at end of input.
async fn read_line<R: AsyncBufRead + Unpin>(
    read: &mut R,
    line: &mut Vec<u8>,
) -> std::io::Result<bool> {
    line.clear();
    Ok(read.read_until(b'\n', line).await? > 0)
}

/// Reads DATA up to the `.` line, dot-unstuffed; `None` if the input ends first.
async fn read_data<R: AsyncBufRead + Unpin>(
    read: &mut R,
    line: &mut Vec<u8>,
) -> std::io::Result<Option<String>> {
    let mut data = Vec::new();
    loop {
        if !read_line(read, line).await? {
            return Ok(None);
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(Some(String::from_utf8_lossy(&data).into_owned()));
        }
        let unstuffed = if line.first() == Some(&b'.') {
            &line[1..]
        } else {
            &line[..]
        };
        data.extend_from_slice(unstuffed);
    }
}

/// The address of a `FROM:`/`TO:` argument: `<a@b> PARAMS` → `a@b`.
fn mailbox(arg: &str) -> String {
    let arg = arg.trim_start();
    match arg.strip_prefix('<') {
        Some(rest) => rest.split('>').next().unwrap_or("").to_string(),
        None => arg.split_whitespace().next().unwrap_or("").to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// MIME decoding

/// Splits an entity into unfolded `(name, value)` headers and its body.
fn split_entity(raw: &str) -> (Vec<(String, String)>, &str) {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut rest = raw;
    loop {
        let (line, next) = match rest.find('\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            return (headers, next);
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_string(), value.to_string()));
        }
        rest = next;
    }
}

fn header_value(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim().to_string())
}

/// `type/subtype; a=b; c="d"` → (`type/subtype` lowercased, parameters with lowercased
/// names and unquoted values).
fn parse_content_type(value: &str) -> (String, Vec<(String, String)>) {
    let mut segments = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut escaped) = (false, false);
    for ch in value.chars() {
        match ch {
            _ if escaped => {
                current.push(ch);
                escaped = false;
            }
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => segments.push(std::mem::take(&mut current)),
            _ => current.push(ch),
        }
    }
    segments.push(current);
    let mime = segments[0].trim().to_ascii_lowercase();
    let params = segments[1..]
        .iter()
        .filter_map(|s| s.split_once('='))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (mime, params)
}

fn find_part(raw: &str, want: &str, depth: usize) -> Option<String> {
    if depth > 16 {
        return None;
    }
    let (headers, body) = split_entity(raw);
    let content_type =
        header_value(&headers, "Content-Type").unwrap_or_else(|| "text/plain".to_string());
    let (mime, params) = parse_content_type(&content_type);
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if mime.starts_with("multipart/") {
        let boundary = param("boundary")?;
        return split_multipart(body, boundary)
            .iter()
            .find_map(|part| find_part(part, want, depth + 1));
    }
    if mime != want {
        return None;
    }
    let encoding = header_value(&headers, "Content-Transfer-Encoding")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let bytes = match encoding.as_str() {
        "quoted-printable" => decode_quoted_printable(body),
        "base64" => decode_base64(body),
        _ => body.as_bytes().to_vec(),
    };
    let text = decode_charset(&bytes, param("charset").unwrap_or("utf-8"));
    Some(text.replace("\r\n", "\n"))
}

/// The body parts of a multipart body (without preamble and epilogue).
fn split_multipart(body: &str, boundary: &str) -> Vec<String> {
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in body.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(rest) = line.strip_prefix(delimiter.as_str()) {
            let rest = rest.trim_end();
            if rest.is_empty() || rest == "--" {
                if let Some(lines) = current.take() {
                    parts.push(lines.join("\r\n"));
                }
                if rest == "--" {
                    return parts;
                }
                current = Some(Vec::new());
                continue;
            }
        }
        if let Some(lines) = current.as_mut() {
            lines.push(line);
        }
    }
    // No close delimiter: keep what there is.
    parts.extend(current.map(|lines| lines.join("\r\n")));
    parts
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

fn decode_quoted_printable(body: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let lines: Vec<&str> = body.split('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let line = line.trim_end_matches([' ', '\t']);
        let (line, soft_break) = match line.strip_suffix('=') {
            Some(line) => (line, true),
            None => (line, false),
        };
        let bytes = line.as_bytes();
        let mut j = 0;
        while j < bytes.len() {
            if bytes[j] == b'='
                && let (Some(hi), Some(lo)) = (
                    bytes.get(j + 1).copied().and_then(hex_value),
                    bytes.get(j + 2).copied().and_then(hex_value),
                )
            {
                out.push(hi << 4 | lo);
                j += 3;
            } else {
                out.push(bytes[j]);
                j += 1;
            }
        }
        if !soft_break && i + 1 < lines.len() {
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

/// Standard or URL-safe base64; whitespace, padding and junk are skipped.
fn decode_base64(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn decode_charset(bytes: &[u8], charset: &str) -> String {
    match charset.trim().to_ascii_lowercase().as_str() {
        "iso-8859-1" | "iso-8859-15" | "latin1" | "windows-1252" => {
            bytes.iter().map(|&b| char::from(b)).collect()
        }
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Parses an RFC 2047 encoded word at the start of `s`: (charset, decoded bytes, length).
fn encoded_word(s: &str) -> Option<(String, Vec<u8>, usize)> {
    let rest = s.strip_prefix("=?")?;
    let (charset, rest) = rest.split_once('?')?;
    let (encoding, rest) = rest.split_once('?')?;
    let end = rest.find("?=")?;
    let text = &rest[..end];
    if charset.is_empty() || text.contains([' ', '\t', '\r', '\n']) {
        return None;
    }
    let bytes = match encoding {
        "b" | "B" => decode_base64(text),
        "q" | "Q" => {
            let raw = text.as_bytes();
            let mut out = Vec::with_capacity(raw.len());
            let mut i = 0;
            while i < raw.len() {
                let hex = |k: usize| raw.get(k).copied().and_then(hex_value);
                match (raw[i], hex(i + 1), hex(i + 2)) {
                    (b'=', Some(hi), Some(lo)) => {
                        out.push(hi << 4 | lo);
                        i += 2;
                    }
                    (b'_', _, _) => out.push(b' '),
                    (b, _, _) => out.push(b),
                }
                i += 1;
            }
            out
        }
        _ => return None,
    };
    let len = 2 + charset.len() + 1 + encoding.len() + 1 + end + 2;
    // RFC 2231 language suffix: `utf-8*nl`.
    let charset = charset.split('*').next().unwrap_or(charset).to_string();
    Some((charset, bytes, len))
}

/// Decodes the RFC 2047 encoded words in an (unfolded) header value. Adjacent encoded
/// words are joined (whitespace between them dropped) before charset decoding, so a
/// character split across two words comes out whole.
fn decode_encoded_words(value: &str) -> String {
    let mut out = String::new();
    let mut pending: Option<(String, Vec<u8>)> = None;
    let mut literal_start = 0;
    let mut i = 0;
    while i < value.len() {
        let Some(offset) = value[i..].find("=?") else {
            break;
        };
        let start = i + offset;
        let Some((charset, bytes, len)) = encoded_word(&value[start..]) else {
            i = start + 2;
            continue;
        };
        let between = &value[literal_start..start];
        let joins = pending.is_some() && between.trim().is_empty();
        match pending.as_mut() {
            Some((cs, buf)) if joins && cs.eq_ignore_ascii_case(&charset) => {
                buf.extend_from_slice(&bytes);
            }
            _ => {
                if let Some((cs, buf)) = pending.take() {
                    out.push_str(&decode_charset(&buf, &cs));
                }
                if !joins {
                    out.push_str(between);
                }
                pending = Some((charset, bytes));
            }
        }
        i = start + len;
        literal_start = i;
    }
    if let Some((cs, buf)) = pending {
        out.push_str(&decode_charset(&buf, &cs));
    }
    out.push_str(&value[literal_start..]);
    out
}
