//! Photo thumbnails. An uploaded file that is a PNG, JPEG or WebP by its first bytes (never by
//! the declared type) is decoded, scaled to fit [`MAX_SIDE`] and re-encoded as a JPEG by kring
//! itself; only that JPEG is ever shown inline. The original stays a download. Decoding runs on
//! the blocking pool with limits on dimensions and memory, so a decompression bomb fails instead
//! of exhausting the server; a file that does not decode is simply an attachment without
//! thumbnail.

use std::io::Cursor;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use image::{DynamicImage, ImageFormat, ImageReader, Limits, RgbImage};

use crate::app::AppState;
use crate::db::{self, attachments::Attachment, thumbnails::Thumbnail};
use crate::error::{Error, Result};

/// Largest width and height of a thumbnail, in pixels.
pub const MAX_SIDE: u32 = 480;
/// Largest width or height of an image kring decodes.
pub const MAX_DIMENSION: u32 = 12_000;
/// Most memory a decoder may allocate.
pub const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;
/// JPEG quality of thumbnails.
const QUALITY: u8 = 82;

/// An image format kring decodes, recognised by its magic bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// WebP.
    WebP,
}

/// The image format of `bytes` by their first bytes; `None` for anything else (SVG, HTML, PDF…).
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Kind::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Jpeg)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Kind::WebP)
    } else {
        None
    }
}

/// A thumbnail made in memory.
#[derive(Clone, Debug)]
pub struct Rendered {
    /// The JPEG.
    pub jpeg: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Decodes an image (within the limits) and re-encodes it as a JPEG that fits [`MAX_SIDE`],
/// transparency flattened onto white; `None` when it is not a PNG, JPEG or WebP, or does not
/// decode. CPU-bound: call it on the blocking pool.
pub fn render(bytes: &[u8]) -> Option<Rendered> {
    let format = match sniff(bytes)? {
        Kind::Png => ImageFormat::Png,
        Kind::Jpeg => ImageFormat::Jpeg,
        Kind::WebP => ImageFormat::WebP,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let image = reader.decode().ok()?;
    let scaled = if image.width() > MAX_SIDE || image.height() > MAX_SIDE {
        image.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        image
    };
    let rgb = on_white(&scaled);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, QUALITY)
        .encode_image(&rgb)
        .ok()?;
    Some(Rendered {
        jpeg,
        width: rgb.width(),
        height: rgb.height(),
    })
}

/// The image without transparency: every pixel blended onto white.
fn on_white(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let blend = |c: u8| {
            let value = (u32::from(c) * u32::from(a) + 255 * (255 - u32::from(a)) + 127) / 255;
            u8::try_from(value).unwrap_or(u8::MAX)
        };
        image::Rgb([blend(r), blend(g), blend(b)])
    })
}

/// Makes and stores the thumbnail of a stored attachment when it is an image that decodes;
/// `None` otherwise. Failures are logged, never returned: the upload itself succeeded.
pub async fn make(state: &AppState, attachment: &Attachment) -> Option<Thumbnail> {
    let bytes = match read_all(state, &attachment.storage_key).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return None,
        Err(err) => {
            tracing::warn!(error = %err, "could not read an upload back for its thumbnail");
            return None;
        }
    };
    sniff(&bytes)?;
    let rendered = tokio::task::spawn_blocking(move || render(&bytes))
        .await
        .ok()
        .flatten()?;
    let key = db::thumbnails::storage_key(&attachment.storage_key);
    let stored = match state.storage.put(&key, Bytes::from(rendered.jpeg)).await {
        Ok(stored) => stored,
        Err(err) => {
            tracing::warn!(error = %err, "could not store a thumbnail");
            return None;
        }
    };
    let thumbnail = Thumbnail {
        attachment_id: attachment.id.clone(),
        width: i64::from(rendered.width),
        height: i64::from(rendered.height),
        size: i64::try_from(stored.size).unwrap_or(i64::MAX),
        created_at: state.clock.now(),
    };
    let recorded = async {
        let mut tx = state.db.begin().await?;
        db::thumbnails::create(&mut tx, &thumbnail).await?;
        tx.commit().await?;
        Ok::<_, Error>(())
    }
    .await;
    if let Err(err) = recorded {
        tracing::warn!(error = ?err, "could not record a thumbnail");
        let _ = state.storage.delete(&key).await;
        return None;
    }
    Some(thumbnail)
}

/// The stored file at `key` in memory (uploads are bounded by `KRING_MAX_UPLOAD_MB`).
async fn read_all(state: &AppState, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
    let Some(mut stream) = state.storage.get(key).await? else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        bytes.extend_from_slice(&chunk?);
    }
    Ok(Some(bytes))
}

/// Serves the thumbnail of an attachment the caller may see: `image/jpeg`, `nosniff`, a
/// sandboxing CSP; `404` when there is none.
pub async fn serve(state: &AppState, attachment: &Attachment) -> Result<Response> {
    let stream = state
        .storage
        .get(&db::thumbnails::storage_key(&attachment.storage_key))
        .await?
        .ok_or(Error::NotFound)?;
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32, alpha: u8) -> Vec<u8> {
        let image = image::RgbaImage::from_pixel(width, height, image::Rgba([0, 128, 0, alpha]));
        let mut out = Vec::new();
        DynamicImage::ImageRgba8(image)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .expect("encode");
        out
    }

    #[test]
    fn formats_are_recognised_by_their_bytes() {
        assert_eq!(sniff(&png(2, 2, 255)), Some(Kind::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(Kind::Jpeg));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Kind::WebP));
        assert_eq!(sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), None);
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), None);
    }

    #[test]
    fn large_images_shrink_and_become_jpeg() {
        let thumb = render(&png(1200, 600, 255)).expect("thumbnail");
        assert_eq!((thumb.width, thumb.height), (480, 240));
        assert_eq!(sniff(&thumb.jpeg), Some(Kind::Jpeg));
        let small = render(&png(100, 50, 0)).expect("thumbnail");
        assert_eq!((small.width, small.height), (100, 50));
        let decoded = image::load_from_memory(&small.jpeg)
            .expect("decodes")
            .to_rgb8();
        // Transparent pixels became white.
        assert!(decoded.get_pixel(10, 10).0.iter().all(|&c| c > 240));
    }

    #[test]
    fn webp_and_jpeg_photos_decode_too() {
        let image =
            DynamicImage::ImageRgb8(RgbImage::from_pixel(64, 32, image::Rgb([10, 120, 40])));
        let mut webp = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut webp), ImageFormat::WebP)
            .expect("encode webp");
        assert_eq!(sniff(&webp), Some(Kind::WebP));
        let thumb = render(&webp).expect("webp thumbnail");
        assert_eq!((thumb.width, thumb.height), (64, 32));
        let jpeg = render(&thumb.jpeg).expect("jpeg thumbnail");
        assert_eq!((jpeg.width, jpeg.height), (64, 32));
    }

    #[test]
    fn garbage_and_bombs_give_no_thumbnail() {
        let mut broken = png(10, 10, 255);
        broken.truncate(30);
        assert!(render(&broken).is_none());
        // Wider than the limit: refused by the decoder before it allocates the pixels.
        let bomb = png(MAX_DIMENSION + 1, 1, 255);
        assert!(render(&bomb).is_none());
    }
}
