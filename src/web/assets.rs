//! Vendored CSS (NL Design System) and htmx, embedded in the binary and served with immutable caching.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
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

async fn serve(Path(name): Path<String>) -> Result<Response, Error> {
    let (_, content_type, bytes) = ASSETS
        .iter()
        .find(|(n, _, _)| *n == name)
        .ok_or(Error::NotFound)?;
    let mut response = (*bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}
