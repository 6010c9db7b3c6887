//! Guest speakers and files on the meeting page, through the browser's eyes: the facilitator
//! invites a speaker (the e-mail with the guest link arrives), errors beside the fields, members
//! see speakers without addresses; files uploaded with the page's form, downloaded by members,
//! oversize refused with the Dutch 413 message; an agenda item's speaker must be the meeting's.

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::facilitator_pages::{Answer, check_page, get, post, sign_in_as};
use crate::harness::{Backend, TestApp, client, csrf_from};
use crate::meetings::{Setup, calendar_mail, setup};

const SANNE: &str = "sanne@hogeschool.nl";

async fn meeting(app: &TestApp, token: &str, title: &str, day: u32) -> Result<String> {
    let r = app
        .client
        .post(app.url("/api/v1/communities/ontmoeten/meetings"))
        .bearer_auth(token)
        .json(&json!({"title": title, "kind": "online",
                      "starts_at": format!("2027-03-{day:02}T14:00:00+01:00"),
                      "ends_at": format!("2027-03-{day:02}T16:00:00+01:00"),
                      "online_url": "https://meet.example/kring"}))
        .send()
        .await?;
    ensure!(r.status() == 201, "meeting: {}", r.text().await?);
    Ok(r.json::<Value>().await?["id"]
        .as_str()
        .context("id")?
        .to_string())
}

/// The community "ontmoeten" with a facilitator and a member, and one meeting.
async fn start(backend: &Backend) -> Result<(TestApp, Setup, String)> {
    let app = TestApp::start(backend).await?;
    let s = setup(&app).await?;
    let id = meeting(&app, &s.facilitator, "Hittestress in de wijk", 16).await?;
    Ok((app, s, id))
}

/// Invites Sanne to `meeting` through the API; returns her speaker id.
async fn invite_by_api(app: &TestApp, s: &Setup, meeting: &str, email: &str) -> Result<String> {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/meetings/{meeting}/speakers")))
        .bearer_auth(&s.facilitator)
        .json(&json!({"name": "Sanne Spreker", "email": email, "organisation": "Hogeschool"}))
        .send()
        .await?;
    ensure!(r.status() == 201, "invite: {}", r.text().await?);
    Ok(r.json::<Value>().await?["id"]
        .as_str()
        .context("id")?
        .to_string())
}

/// The guest link's path from the `n`th invitation e-mail to `email`.
async fn guest_path(app: &TestApp, email: &str, n: usize) -> Result<String> {
    let mail = calendar_mail(app, email, "Uitnodiging als spreker", n).await?;
    let text = mail.text();
    let at = text.find("/gast/").context("guest link in the mail")?;
    let token: String = text[at + "/gast/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    ensure!(token.len() >= 40, "a long secret: {token}");
    Ok(format!("/gast/{token}"))
}

pub async fn facilitator_invites_speakers_on_the_meeting_page(backend: Backend) -> Result<()> {
    let (app, _s, id) = start(&backend).await?;
    let detail = format!("/bijeenkomsten/{id}");
    let invite = format!("{detail}/sprekers");
    sign_in_as(&app, "fleur@vereniging.nl").await?;
    let page = get(&app, &detail).await?;
    page.page(200)?;
    page.contains("Spreker uitnodigen")?;
    page.contains("Er zijn geen gastsprekers bij deze bijeenkomst.")?;

    // No name and no address: both beside their fields, the values kept.
    let wrong = [
        ("speaker_name", ""),
        ("speaker_email", "geen-adres"),
        ("speaker_organisation", "Hogeschool Arnhem"),
        ("speaker_bio", "Onderzoekt hitte in de stad."),
    ];
    let reply = post(&app, &invite, &detail, &wrong).await?;
    reply.page(422)?;
    for field in ["speaker_name", "speaker_email"] {
        reply.contains(&format!("href=\"#{field}\""))?;
        reply.contains(&format!("id=\"{field}-fout\""))?;
    }
    reply.contains("Vul een geldig e-mailadres in")?;
    reply.contains("value=\"geen-adres\"")?;
    reply.contains("value=\"Hogeschool Arnhem\"")?;
    reply.contains(">Onderzoekt hitte in de stad.</textarea>")?;

    // Invited: the notice, the speaker with her address, and the e-mail with a working link.
    let right = [
        ("speaker_name", "Sanne Spreker"),
        ("speaker_email", SANNE),
        ("speaker_organisation", "Hogeschool Arnhem"),
        ("speaker_bio", "Onderzoekt hitte in de stad."),
    ];
    let reply = post(&app, &invite, &detail, &right).await?;
    reply.redirects(&format!("{detail}?melding=spreker"))?;
    let page = get(&app, &reply.location).await?;
    page.page(200)?;
    page.contains("De spreker is uitgenodigd en krijgt een e-mail met een persoonlijke gastlink.")?;
    for expected in [
        "Sanne Spreker",
        "Hogeschool Arnhem",
        "Onderzoekt hitte in de stad.",
        SANNE,
        "Verwijder<span class=\"kring-visually-hidden\"> Sanne Spreker</span>",
        "gastlink van die spreker meteen niet meer",
    ] {
        page.contains(expected)?;
    }
    let path = guest_path(&app, SANNE, 1).await?;
    let guest = client();
    let r = guest.get(app.url(&path)).send().await?;
    ensure!(r.status() == 200, "guest page: {}", r.status());
    ensure!(r.text().await?.contains("Hittestress in de wijk"));

    // The same address again, in other capitals: refused beside the e-mail field.
    let mut again = right;
    again[1] = ("speaker_email", "Sanne@Hogeschool.nl");
    let reply = post(&app, &invite, &detail, &again).await?;
    reply.page(409)?;
    reply.contains("href=\"#speaker_email\"")?;
    reply.contains("id=\"speaker_email-fout\"")?;
    reply.contains("al uitgenodigd als spreker")?;
    reply.contains("value=\"Sanne@Hogeschool.nl\"")?;

    // A member sees who speaks, but no addresses and no forms.
    sign_in_as(&app, "anna@tiel.nl").await?;
    let page = get(&app, &detail).await?;
    page.page(200)?;
    page.contains("Sanne Spreker")?;
    page.contains("Onderzoekt hitte in de stad.")?;
    page.check(!page.html.contains(SANNE), "no address for members")?;
    page.check(!page.html.contains("E-mailadres"), "no addresses at all")?;
    page.check(!page.html.contains("Spreker uitnodigen"), "no invite form")?;
    page.check(!page.html.contains("/verwijderen"), "no remove buttons")?;
    let reply = post(
        &app,
        &invite,
        &detail,
        &[
            ("speaker_name", "Piet"),
            ("speaker_email", "piet@example.nl"),
        ],
    )
    .await?;
    reply.check(reply.status == 403, "a member invites nobody")?;

    // The facilitator removes her: the guest link stops working.
    sign_in_as(&app, "fleur@vereniging.nl").await?;
    let page = get(&app, &detail).await?;
    let speaker = speaker_id(&page)?;
    let remove = format!("{detail}/sprekers/{speaker}/verwijderen");
    let reply = post(&app, &remove, &detail, &[]).await?;
    reply.redirects(&format!("{detail}?melding=spreker-verwijderd"))?;
    let page = get(&app, &reply.location).await?;
    page.contains("De spreker is verwijderd.")?;
    page.contains("Er zijn geen gastsprekers bij deze bijeenkomst.")?;
    let r = guest.get(app.url(&path)).send().await?;
    ensure!(r.status() == 404, "removed speaker's link: {}", r.status());
    app.stop().await;
    Ok(())
}

/// The id in the first speaker's remove form on a meeting page.
fn speaker_id(page: &Answer) -> Result<String> {
    let at = page.html.find("/sprekers/").context("a remove form")? + "/sprekers/".len();
    let rest = &page.html[at..];
    Ok(rest[..rest.find('/').context("end of the id")?].to_string())
}

/// Posts a file with the page's upload form (the CSRF field first, as the browser sends it).
async fn upload(
    app: &TestApp,
    detail: &str,
    csrf: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Result<Answer> {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str("application/pdf")?;
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf.to_string())
        .part("file", part);
    let path = format!("{detail}/bestanden");
    let r = app
        .client
        .post(app.url(&path))
        .multipart(form)
        .send()
        .await?;
    Answer::from(format!("POST {path}"), r).await
}

pub async fn files_are_uploaded_and_downloaded_on_the_meeting_page(backend: Backend) -> Result<()> {
    let (app, s, id) = start(&backend).await?;
    let detail = format!("/bijeenkomsten/{id}");
    sign_in_as(&app, "fleur@vereniging.nl").await?;
    let page = get(&app, &detail).await?;
    page.page(200)?;
    page.contains("Er zijn nog geen bestanden bij deze bijeenkomst.")?;
    page.contains("enctype=\"multipart/form-data\"")?;
    let csrf = csrf_from(&page.html).context("csrf")?;

    // Uploaded through the form: listed with size, uploader and a download link.
    let slides = b"%PDF-1.4 dia's over hitte".to_vec();
    let reply = upload(&app, &detail, &csrf, "Hitte in Tiel.pdf", slides.clone()).await?;
    reply.redirects(&format!("{detail}?melding=bestand"))?;
    let page = get(&app, &reply.location).await?;
    page.page(200)?;
    page.contains("Het bestand is toegevoegd.")?;
    page.contains("Hitte in Tiel.pdf</a>")?;
    page.contains(&format!("({} bytes, van Fleur Facilitator, ", slides.len()))?;
    let at = page
        .html
        .find("href=\"/api/v1/attachments/")
        .context("a download link")?;
    let rest = &page.html[at + "href=\"".len()..];
    let download = rest[..rest.find('"').context("end")?].to_string();

    // Without the form's token nothing is stored; an empty file is refused beside the field.
    let reply = upload(&app, &detail, "fout", "x.pdf", b"x".to_vec()).await?;
    reply.check(reply.status == 403, "forged upload")?;
    let reply = upload(&app, &detail, &csrf, "leeg.pdf", Vec::new()).await?;
    reply.page(422)?;
    reply.contains("Het gekozen bestand is leeg.")?;
    reply.contains("href=\"#upload_file\"")?;

    // Over the limit (1 MB in tests): the page with the Dutch message and 413; nothing kept.
    let big = vec![b'x'; 1024 * 1024 + 1];
    let reply = upload(&app, &detail, &csrf, "groot.pdf", big).await?;
    reply.page(413)?;
    reply.contains("Het bestand is te groot: het mag hoogstens 1 MB zijn.")?;
    reply.contains("id=\"upload_file-fout\"")?;
    reply.check(!reply.html.contains("groot.pdf"), "nothing half-stored")?;

    // A guest speaker's slides show her name as the uploader.
    invite_by_api(&app, &s, &id, SANNE).await?;
    let token = guest_path(&app, SANNE, 1).await?.replace("/gast/", "");
    let part = reqwest::multipart::Part::bytes(b"%PDF sanne".to_vec())
        .file_name("Sanne.pdf")
        .mime_str("application/pdf")?;
    let r = client()
        .post(app.url(&format!("/api/v1/meetings/{id}/attachments")))
        .bearer_auth(&token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await?;
    ensure!(r.status() == 201, "guest upload: {}", r.status());

    // A member sees both and downloads with the session cookie, but uploads and removes nothing.
    sign_in_as(&app, "anna@tiel.nl").await?;
    let page = get(&app, &detail).await?;
    page.page(200)?;
    page.contains("Hitte in Tiel.pdf</a>")?;
    page.contains("van Sanne Spreker")?;
    page.check(!page.html.contains("Bestand toevoegen"), "no upload form")?;
    page.check(!page.html.contains("/bestanden/"), "no remove buttons")?;
    let r = app.get(&download).await?;
    ensure!(r.status() == 200, "member download: {}", r.status());
    ensure!(
        r.headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment;")),
        "a download"
    );
    ensure!(r.bytes().await?.as_ref() == slides.as_slice(), "same bytes");
    let csrf = csrf_from(&page.html).context("csrf")?;
    let reply = upload(&app, &detail, &csrf, "a.pdf", b"a".to_vec()).await?;
    reply.check(reply.status == 403, "a member uploads nothing")?;
    let file = download.rsplit('/').next().context("file id")?;
    let remove = format!("{detail}/bestanden/{file}/verwijderen");
    let reply = post(&app, &remove, &detail, &[]).await?;
    reply.check(reply.status == 403, "a member removes nothing")?;

    // An outsider gets 404 for the file and for its remove button.
    sign_in_as(&app, "buiten@elders.nl").await?;
    let r = app.get(&download).await?;
    ensure!(r.status() == 404, "outsider download: {}", r.status());
    let reply = post(&app, &remove, "/", &[]).await?;
    reply.check(reply.status == 404, "an outsider removes nothing")?;

    // The facilitator removes it: gone from the page and from the API.
    sign_in_as(&app, "fleur@vereniging.nl").await?;
    let reply = post(&app, &remove, &detail, &[]).await?;
    reply.redirects(&format!("{detail}?melding=bestand-verwijderd"))?;
    let page = get(&app, &reply.location).await?;
    page.contains("Het bestand is verwijderd.")?;
    page.check(!page.html.contains("Hitte in Tiel.pdf"), "removed")?;
    ensure!(
        app.get(&download).await?.status() == 404,
        "download after removal"
    );
    app.stop().await;
    Ok(())
}

async fn agenda_item(
    app: &TestApp,
    token: &str,
    meeting: &str,
    body: Value,
) -> Result<reqwest::Response> {
    Ok(app
        .client
        .post(app.url(&format!("/api/v1/meetings/{meeting}/agenda-items")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?)
}

fn field_errors(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str().map(str::to_string))
        .collect()
}

pub async fn agenda_speakers_belong_to_the_meeting(backend: Backend) -> Result<()> {
    let (app, s, id) = start(&backend).await?;
    let other = meeting(&app, &s.facilitator, "Besloten overleg", 23).await?;
    let own = invite_by_api(&app, &s, &id, SANNE).await?;
    let foreign = invite_by_api(&app, &s, &other, "piet@waterschap.nl").await?;

    // API: another meeting's speaker is a field error; the meeting's own is kept.
    let r = agenda_item(
        &app,
        &s.facilitator,
        &id,
        json!({"title": "Hitte", "duration_minutes": 30, "speaker_id": foreign}),
    )
    .await?;
    ensure!(r.status() == 422, "foreign speaker: {}", r.status());
    let body: Value = r.json().await?;
    ensure!(field_errors(&body) == ["speaker_id"], "{body}");
    let r = agenda_item(
        &app,
        &s.facilitator,
        &id,
        json!({"title": "", "duration_minutes": 30, "speaker_id": "onbekend"}),
    )
    .await?;
    let body: Value = r.json().await?;
    ensure!(
        field_errors(&body) == ["title", "speaker_id"],
        "all errors at once: {body}"
    );
    let r = agenda_item(
        &app,
        &s.facilitator,
        &id,
        json!({"title": "Hitte in de wijk", "duration_minutes": 30, "speaker_id": own}),
    )
    .await?;
    ensure!(r.status() == 201, "own speaker: {}", r.status());
    let body: Value = r.json().await?;
    ensure!(body["items"][0]["speaker_id"] == own.as_str(), "{body}");
    let item = body["items"][0]["id"].as_str().context("item")?.to_string();
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/agenda-items/{item}")))
        .bearer_auth(&s.facilitator)
        .json(&json!({"speaker_id": foreign}))
        .send()
        .await?;
    ensure!(
        r.status() == 422,
        "patch to a foreign speaker: {}",
        r.status()
    );
    ensure!(field_errors(&r.json().await?) == ["speaker_id"]);

    // Pages: the select offers the meeting's speakers only; a forged one is refused beside it.
    sign_in_as(&app, "fleur@vereniging.nl").await?;
    let agenda = format!("/bijeenkomsten/{id}/agenda");
    let page = get(&app, &agenda).await?;
    page.page(200)?;
    page.contains("<option value=\"\" selected>(geen)</option>")?;
    page.contains(&format!("<option value=\"{own}\">Sanne Spreker</option>"))?;
    page.check(!page.html.contains(&foreign), "no other meeting's speaker")?;
    page.contains("Spreker: Sanne Spreker")?;
    let fields = [
        ("title", "Vragen"),
        ("duration_minutes", "15"),
        ("description", ""),
        ("speaker_id", foreign.as_str()),
    ];
    let reply = post(&app, &agenda, &agenda, &fields).await?;
    reply.page(422)?;
    reply.contains("href=\"#speaker_id\"")?;
    reply.contains("id=\"speaker_id-fout\"")?;
    reply.contains("value=\"Vragen\"")?;
    let mut fields = fields;
    fields[3] = ("speaker_id", own.as_str());
    let reply = post(&app, &agenda, &agenda, &fields).await?;
    reply.redirects(&format!("{agenda}?melding=toegevoegd"))?;
    let edit = format!("{agenda}/{item}");
    let page = get(&app, &edit).await?;
    page.page(200)?;
    page.contains(&format!(
        "<option value=\"{own}\" selected>Sanne Spreker</option>"
    ))?;
    let mut changed = fields;
    changed[0] = ("title", "Hitte in de wijk");
    changed[1] = ("duration_minutes", "30");
    changed[3] = ("speaker_id", foreign.as_str());
    let reply = post(&app, &edit, &edit, &changed).await?;
    reply.page(422)?;
    reply.contains("id=\"speaker_id-fout\"")?;

    // The meeting page and the agenda e-mail name the speaker.
    let page = get(&app, &format!("/bijeenkomsten/{id}")).await?;
    page.contains("Spreker: Sanne Spreker")?;
    let r = app
        .client
        .post(app.url(&format!("/api/v1/meetings/{id}/agenda/publish")))
        .bearer_auth(&s.facilitator)
        .send()
        .await?;
    ensure!(r.status() == 200, "publish: {}", r.status());
    let mail = calendar_mail(&app, "anna@tiel.nl", "Agenda:", 1).await?;
    ensure!(
        mail.text().contains("spreker: Sanne Spreker"),
        "{}",
        mail.text()
    );

    // "(geen)" takes the speaker off; removing a speaker takes her off every item.
    changed[3] = ("speaker_id", "");
    let reply = post(&app, &edit, &edit, &changed).await?;
    reply.redirects(&format!("{agenda}?melding=gewijzigd"))?;
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/meetings/{id}/speakers/{own}")))
        .bearer_auth(&s.facilitator)
        .send()
        .await?;
    ensure!(r.status() == 204, "remove speaker: {}", r.status());
    let r = app
        .client
        .get(app.url(&format!("/api/v1/meetings/{id}")))
        .bearer_auth(&s.facilitator)
        .send()
        .await?;
    let body: Value = r.json().await?;
    let items = body["agenda"].as_array().context("agenda")?;
    ensure!(
        items.len() == 2 && items.iter().all(|i| i["speaker_id"].is_null()),
        "{body}"
    );
    ensure!(check_page(&get(&app, &agenda).await?.html).is_ok());
    app.stop().await;
    Ok(())
}
