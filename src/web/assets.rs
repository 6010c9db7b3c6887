//! Vendored CSS (NL Design System) and htmx, embedded in the binary and served with immutable caching.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::error::Error;

const ASSETS: [(&str, &str, &[u8]); 4] = [
    (
        "utrecht.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/utrecht.css"),
    ),
    (
        "kring-theme.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/kring-theme.css"),
    ),
    (
        "kring.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/kring.css"),
    ),
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/htmx.min.js"),
    ),
];

/// A short hash of every asset, appended to asset URLs (`?v=…`) so a new release busts caches.
pub fn asset_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut hasher = Sha256::new();
        for (_, _, bytes) in ASSETS {
            hasher.update(bytes);
        }
        format!("{:x}", hasher.finalize())[..12].to_string()
    })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/assets/{name}", get(serve))
}

/// An asset with its brotli and gzip forms, compressed once (at the best settings) on first use,
/// so serving it costs no compression work per request.
struct Packed {
    br: Vec<u8>,
    gzip: Vec<u8>,
}

fn packed(index: usize) -> &'static Packed {
    static PACKED: OnceLock<Vec<Packed>> = OnceLock::new();
    let all = PACKED.get_or_init(|| {
        ASSETS
            .iter()
            .map(|(_, _, bytes)| {
                let mut br = Vec::with_capacity(bytes.len() / 4);
                let params = brotli::enc::BrotliEncoderParams {
                    quality: 11,
                    ..Default::default()
                };
                let _ = brotli::BrotliCompress(&mut &bytes[..], &mut br, &params);
                let mut gz = flate2::write::GzEncoder::new(
                    Vec::with_capacity(bytes.len() / 3),
                    flate2::Compression::best(),
                );
                let gzip = std::io::Write::write_all(&mut gz, bytes)
                    .and_then(|()| gz.finish())
                    .unwrap_or_default();
                Packed { br, gzip }
            })
            .collect()
    });
    &all[index]
}

async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Result<Response, Error> {
    let index = ASSETS
        .iter()
        .position(|(n, _, _)| *n == name)
        .ok_or(Error::NotFound)?;
    let (_, content_type, bytes) = ASSETS[index];
    let accepts = |coding: &str| {
        headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|c| {
                let mut parts = c.trim().split(';');
                parts.next() == Some(coding) && !parts.any(|p| p.trim().replace(' ', "") == "q=0")
            })
    };
    let packed = packed(index);
    let (body, encoding): (&'static [u8], Option<&'static str>) =
        if accepts("br") && !packed.br.is_empty() {
            (&packed.br, Some("br"))
        } else if accepts("gzip") && !packed.gzip.is_empty() {
            (&packed.gzip, Some("gzip"))
        } else {
            (bytes, None)
        };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(encoding) = encoding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}
