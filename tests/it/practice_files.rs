//! Files of practice examples: a real photo gets a thumbnail that kring decoded and re-encoded
//! (served as `image/jpeg` to whoever may see the example, also anonymously for public ones);
//! SVG and HTML, whatever they are called or declared as, are downloads only; oversize uploads
//! are refused; files go with their example.

use anyhow::{Context, Result, ensure};
use serde_json::Value;

use crate::harness::{Backend, client};
use crate::practices::{World, anonymous, example, share, world};
use crate::topics::call;

/// A real PNG of `width` × `height` pixels.
pub(crate) fn png(width: u32, height: u32) -> Result<Vec<u8>> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)?;
    Ok(out)
}

/// Uploads a file to an example; status and JSON.
async fn upload(
    w: &World,
    token: &str,
    id: &str,
    name: &str,
    bytes: Vec<u8>,
    mime: &str,
) -> Result<(u16, Value)> {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str(mime)?;
    let response = client()
        .post(w.app.url(&format!("/api/v1/practices/{id}/attachments")))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

pub(crate) fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

pub async fn photos_get_thumbnails_and_other_files_stay_downloads(backend: Backend) -> Result<()> {
    let w = world(&backend).await?;
    let app = &w.app;
    let public = share(
        &w,
        &w.anna,
        example("Geveltuinen", "GM0599", "public", &["vergroening"]),
    )
    .await?;
    let closed = share(
        &w,
        &w.anna,
        example("Binnentuin", "GM0599", "community", &["vergroening"]),
    )
    .await?;

    // A real PNG, declared as anything: kring recognises it by its bytes and makes a JPEG.
    let (status, photo) = upload(
        &w,
        &w.anna,
        &public,
        "gevel.png",
        png(1000, 500)?,
        "application/octet-stream",
    )
    .await?;
    ensure!(
        status == 201 && photo["filename"] == "gevel.png",
        "{status} {photo}"
    );
    let thumb = photo["thumbnail_url"]
        .as_str()
        .context("a thumbnail")?
        .to_string();
    ensure!(
        thumb
            == format!(
                "/praktijkvoorbeelden/{public}/fotos/{}.jpg",
                photo["id"].as_str().unwrap_or("")
            ),
        "{thumb}"
    );
    let response = client().get(app.url(&thumb)).send().await?;
    ensure!(
        response.status() == 200,
        "anonymous thumbnail: {}",
        response.status()
    );
    ensure!(
        header(&response, "content-type") == "image/jpeg"
            && header(&response, "x-content-type-options") == "nosniff"
    );
    let decoded = image::load_from_memory(&response.bytes().await?)?;
    ensure!(
        (decoded.width(), decoded.height()) == (480, 240),
        "{}×{}",
        decoded.width(),
        decoded.height()
    );

    // SVG and HTML, even named and declared as images, are only ever downloads.
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
    let (status, svg_file) =
        upload(&w, &w.anna, &public, "kaart.svg", svg, "image/svg+xml").await?;
    ensure!(
        status == 201 && svg_file["thumbnail_url"].is_null(),
        "{svg_file}"
    );
    let html = b"<html><body onload=alert(1)>".to_vec();
    let (status, html_file) = upload(&w, &w.anna, &public, "foto.png", html, "image/png").await?;
    ensure!(
        status == 201 && html_file["thumbnail_url"].is_null(),
        "{html_file}"
    );
    for file in [&svg_file, &html_file] {
        let id = file["id"].as_str().context("id")?;
        let response = client()
            .get(app.url(&format!("/api/v1/attachments/{id}")))
            .send()
            .await?;
        ensure!(
            response.status() == 200,
            "anonymous download of a public example's file"
        );
        ensure!(
            header(&response, "content-disposition").starts_with("attachment;")
                && header(&response, "content-security-policy").contains("sandbox")
                && header(&response, "x-content-type-options") == "nosniff"
        );
        let r = client()
            .get(app.url(&format!("/praktijkvoorbeelden/{public}/fotos/{id}.jpg")))
            .send()
            .await?;
        ensure!(r.status() == 404, "no thumbnail for {id}: {}", r.status());
    }
    let (_, card) = anonymous(app, &format!("/api/v1/practices/{public}")).await?;
    ensure!(
        card["attachments"].as_array().map(Vec::len) == Some(3)
            && card["photo_url"] == thumb.as_str(),
        "{card}"
    );
    let (_, list) = anonymous(app, "/api/v1/practices").await?;
    ensure!(
        list["items"][0]["photo_url"] == thumb.as_str()
            && list["items"][0].get("attachments").is_none(),
        "{list}"
    );
    // The page shows the thumbnail and nothing else inline.
    let page = client()
        .get(app.url(&format!("/praktijkvoorbeelden/{public}")))
        .send()
        .await?
        .text()
        .await?;
    ensure!(
        page.contains(&format!("src=\"{thumb}\"")),
        "thumbnail on the page"
    );
    ensure!(
        page.matches("<img ").count() == 1 && !page.contains("src=\"/api/"),
        "only the thumbnail is inline"
    );

    // Files of examples the caller may not see: 401 anonymously, 404 otherwise.
    let (status, hidden) = upload(
        &w,
        &w.anna,
        &closed,
        "binnen.png",
        png(40, 30)?,
        "image/png",
    )
    .await?;
    ensure!(status == 201, "{hidden}");
    let hidden_id = hidden["id"].as_str().context("id")?;
    let hidden_thumb = hidden["thumbnail_url"].as_str().context("thumbnail")?;
    let r = client()
        .get(app.url(&format!("/api/v1/attachments/{hidden_id}")))
        .send()
        .await?;
    ensure!(
        r.status() == 401,
        "anonymous, community file: {}",
        r.status()
    );
    let r = client().get(app.url(hidden_thumb)).send().await?;
    ensure!(
        r.status() == 404,
        "anonymous, community thumbnail: {}",
        r.status()
    );
    let r = client()
        .get(app.url(hidden_thumb))
        .bearer_auth(&w.carla)
        .send()
        .await?;
    ensure!(
        r.status() == 404,
        "other programme, thumbnail: {}",
        r.status()
    );
    let (status, _) = call(
        app,
        &w.carla,
        "GET",
        &format!("/api/v1/attachments/{hidden_id}"),
        None,
    )
    .await?;
    ensure!(status == 404, "other programme, file: {status}");
    let r = client()
        .get(app.url(hidden_thumb))
        .bearer_auth(&w.fleur)
        .send()
        .await?;
    ensure!(r.status() == 200, "facilitator, thumbnail: {}", r.status());

    // Only who may change the example adds files; oversize files are refused and leave nothing.
    let (status, _) = upload(
        &w,
        &w.bram,
        &public,
        "b.pdf",
        b"%PDF".to_vec(),
        "application/pdf",
    )
    .await?;
    ensure!(status == 403, "bram uploads: {status}");
    let (status, problem) = upload(
        &w,
        &w.anna,
        &public,
        "groot.png",
        vec![0u8; 1024 * 1024 + 1],
        "image/png",
    )
    .await?;
    ensure!(
        status == 413 && problem["code"] == "file_too_large",
        "{status} {problem}"
    );
    let (_, files) = anonymous(app, &format!("/api/v1/practices/{public}/attachments")).await?;
    ensure!(files.as_array().map(Vec::len) == Some(3), "{files}");

    // The author removes a photo; deleting the example removes the rest.
    let photo_id = photo["id"].as_str().context("id")?;
    let (status, _) = call(
        app,
        &w.bram,
        "DELETE",
        &format!("/api/v1/attachments/{photo_id}"),
        None,
    )
    .await?;
    ensure!(status == 403, "bram removes: {status}");
    let (status, _) = call(
        app,
        &w.anna,
        "DELETE",
        &format!("/api/v1/attachments/{photo_id}"),
        None,
    )
    .await?;
    ensure!(status == 204, "anna removes: {status}");
    ensure!(
        client().get(app.url(&thumb)).send().await?.status() == 404,
        "thumbnail gone"
    );
    let (status, _) = call(
        app,
        &w.fleur,
        "DELETE",
        &format!("/api/v1/practices/{closed}"),
        None,
    )
    .await?;
    ensure!(status == 204, "facilitator deletes: {status}");
    let (status, _) = call(
        app,
        &w.fleur,
        "GET",
        &format!("/api/v1/attachments/{hidden_id}"),
        None,
    )
    .await?;
    ensure!(status == 404, "a deleted example's file: {status}");
    w.app.stop().await;
    Ok(())
}
