//! Receiving and serving attachments, the same for the API and the pages.
//!
//! An upload is streamed into the file storage first and recorded in the database only when it
//! is complete, so a failed or oversized upload leaves nothing behind; a record whose transaction
//! fails has its file removed again. Files are only ever served as downloads
//! (`Content-Disposition: attachment`, `nosniff`, and a sandboxing CSP on top), never inline.

use axum::body::Body;
use axum::extract::Multipart;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::auth::constant_time_eq;
use crate::db::attachments::Attachment;
use crate::db::{self, new_id};
use crate::error::{Error, Result};
use crate::storage::UploadError;

/// Who uploads.
#[derive(Clone, Copy, Debug)]
pub enum Uploader<'a> {
    /// A member (by user id).
    User(&'a str),
    /// A guest speaker (by speaker id).
    Speaker(&'a str),
}

/// Reads a multipart form with the file in the field `file`, stores it and records it under
/// `parent_kind`/`parent_id`. With `csrf`, a `csrf_token` field before the file must match it
/// (pages); the API passes `None` (its CSRF check is on the header).
pub async fn receive(
    state: &AppState,
    mut form: Multipart,
    parent: (&str, &str),
    uploader: Uploader<'_>,
    csrf: Option<&str>,
) -> Result<Attachment> {
    let mut csrf_ok = csrf.is_none();
    while let Some(field) = form.next_field().await.map_err(bad_form)? {
        match field.name() {
            Some("csrf_token") => {
                let value = field.text().await.map_err(bad_form)?;
                csrf_ok = csrf.is_some_and(|expected| constant_time_eq(expected, value.trim()));
            }
            Some("file") => {
                if !csrf_ok {
                    return Err(Error::Csrf);
                }
                let filename = clean_filename(field.file_name().unwrap_or(""));
                let content_type = clean_content_type(field.content_type());
                return store(state, parent, uploader, filename, content_type, field).await;
            }
            _ => {}
        }
    }
    Err(Error::field(
        "file_required",
        "file",
        "Kies een bestand om te uploaden.",
    ))
}

async fn store<S, E>(
    state: &AppState,
    (parent_kind, parent_id): (&str, &str),
    uploader: Uploader<'_>,
    filename: String,
    content_type: String,
    chunks: S,
) -> Result<Attachment>
where
    S: futures_util::Stream<Item = std::result::Result<axum::body::Bytes, E>>,
    E: std::error::Error + Send + Sync + 'static,
{
    let id = new_id();
    let key = format!("attachments/{id}");
    let limit = state.config.max_upload_bytes as u64;
    let stored = match state.storage.put_stream(&key, limit, chunks).await {
        Ok(stored) => stored,
        Err(UploadError::TooLarge { limit }) => return Err(too_large(limit)),
        Err(UploadError::Failed(err)) => return Err(Error::Internal(err)),
    };
    if stored.size == 0 {
        let _ = state.storage.delete(&key).await;
        return Err(Error::field(
            "file_empty",
            "file",
            "Het gekozen bestand is leeg.",
        ));
    }
    let (user_id, speaker_id) = match uploader {
        Uploader::User(id) => (Some(id.to_string()), None),
        Uploader::Speaker(id) => (None, Some(id.to_string())),
    };
    let attachment = Attachment {
        id,
        parent_kind: parent_kind.to_string(),
        parent_id: parent_id.to_string(),
        filename,
        content_type,
        size: i64::try_from(stored.size).unwrap_or(i64::MAX),
        sha256: stored.sha256,
        storage_key: key.clone(),
        user_id,
        speaker_id,
        created_at: state.clock.now(),
    };
    let recorded = async {
        let mut tx = state.db.begin().await?;
        db::attachments::create(&mut tx, &attachment).await?;
        tx.commit().await?;
        Ok::<_, Error>(())
    }
    .await;
    if let Err(err) = recorded {
        let _ = state.storage.delete(&key).await;
        return Err(err);
    }
    Ok(attachment)
}

/// The `413` for a file over the limit.
pub fn too_large(limit: u64) -> Error {
    Error::refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        "file_too_large",
        format!(
            "Het bestand is te groot: het mag hoogstens {} MB zijn.",
            limit / (1024 * 1024)
        ),
    )
}

fn bad_form(err: axum::extract::multipart::MultipartError) -> Error {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return Error::PayloadTooLarge;
    }
    Error::field(
        "invalid_upload",
        "file",
        "Het bestand kon niet worden ontvangen. Probeer het opnieuw.",
    )
}

/// Keeps the last path segment of a file name, without control characters or quotes, at most
/// 200 characters; "bestand" when nothing is left.
pub fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>'))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "bestand".into()
    } else {
        cleaned
    }
}

/// A declared media type of the form `type/subtype` (parameters dropped), lower-case;
/// `application/octet-stream` for anything else.
pub fn clean_content_type(raw: Option<&str>) -> String {
    let essence = raw
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let valid = essence.split_once('/').is_some_and(|(t, s)| {
        let token = |p: &str| {
            !p.is_empty()
                && p.len() <= 100
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
        };
        token(t) && token(s)
    });
    if valid {
        essence
    } else {
        "application/octet-stream".into()
    }
}

/// Serves a stored file as a download; `404` when the file is gone from the storage.
pub async fn download(state: &AppState, attachment: &Attachment) -> Result<Response> {
    let stream = state
        .storage
        .get(&attachment.storage_key)
        .await?
        .ok_or(Error::NotFound)?;
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&attachment.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(length) = HeaderValue::from_str(&attachment.size.to_string()) {
        headers.insert(header::CONTENT_LENGTH, length);
    }
    if let Ok(disposition) = HeaderValue::from_str(&content_disposition(&attachment.filename)) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        "x-kring-sha256",
        HeaderValue::from_str(&attachment.sha256).unwrap_or(HeaderValue::from_static("")),
    );
    Ok(response)
}

/// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): an ASCII fallback and the exact
/// name percent-encoded.
pub fn content_disposition(filename: &str) -> String {
    let ascii: String = deunicode::deunicode(filename)
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(filename.len() * 3);
    for byte in filename.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Removes one attachment: its record, then (after commit) its stored file. The caller has
/// checked that it may.
pub async fn remove(state: &AppState, attachment: &Attachment) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let key = db::attachments::delete(&mut tx, &attachment.id).await?;
    tx.commit().await?;
    remove_files(state, key.as_slice()).await;
    Ok(())
}

/// Removes stored files after their records were deleted and committed; a failure is logged
/// (the file is unreachable either way). A file's thumbnail, if it has one, goes with it.
pub async fn remove_files(state: &AppState, keys: &[String]) {
    for key in keys {
        let thumbnail = db::thumbnails::storage_key(key);
        for key in [key.as_str(), thumbnail.as_str()] {
            if let Err(err) = state.storage.delete(key).await {
                tracing::warn!(error = %err, "could not remove a stored file");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_and_quotes() {
        assert_eq!(clean_filename("C:\\Users\\x\\dia's.pptx"), "dia's.pptx");
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("a\"b<c>.pdf"), "abc.pdf");
        assert_eq!(clean_filename(".."), "bestand");
        assert_eq!(clean_filename(""), "bestand");
    }

    #[test]
    fn content_types_are_checked() {
        assert_eq!(
            clean_content_type(Some("Application/PDF; charset=x")),
            "application/pdf"
        );
        assert_eq!(
            clean_content_type(Some("text/html\r\nX: y")),
            "application/octet-stream"
        );
        assert_eq!(clean_content_type(None), "application/octet-stream");
    }

    #[test]
    fn disposition_is_an_attachment_with_both_names() {
        assert_eq!(
            content_disposition("Groen dak €.pdf"),
            "attachment; filename=\"Groen dak EUR.pdf\"; filename*=UTF-8''Groen%20dak%20%E2%82%AC.pdf"
        );
    }
}
