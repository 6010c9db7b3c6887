//! The facilitator's agenda and minutes pages through the browser's eyes: items with planned
//! times, moving them with up and down buttons, the overrun warning, field errors that keep the
//! values, publishing the agenda by e-mail (page and API), minutes drafted, previewed, saved
//! unseen by members and published, action items marked done from the meeting page, and who
//! may open which page.

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::facilitator_pages::{Answer, get, post, sign_in_as};
use crate::harness::{Backend, Options, TestApp};
use crate::meetings::{Setup, calendar_mail, setup};

/// The app with its clock on 1 March 2027, before the meetings of these tests.
async fn start(backend: &Backend) -> Result<TestApp> {
    let now = chrono::DateTime::parse_from_rfc3339("2027-03-01T10:00:00Z")?.to_utc();
    let options = Options {
        clock: Some(kring::clock::Clock::manual(now)),
        ..Options::default()
    };
    TestApp::start_with(backend, options).await
}

/// A meeting on `day` in March 2027, 14.00–16.00 uur; returns its id.
async fn plan(app: &TestApp, s: &Setup, title: &str, day: u32) -> Result<String> {
    let r = app
        .client
        .post(app.url("/api/v1/communities/ontmoeten/meetings"))
        .bearer_auth(&s.facilitator)
        .json(
            &json!({"title": title, "kind": "online", "online_url": "https://meet.example/x",
                      "starts_at": format!("2027-03-{day:02}T14:00:00+01:00"),
                      "ends_at": format!("2027-03-{day:02}T16:00:00+01:00")}),
        )
        .send()
        .await?;
    ensure!(r.status() == 201, "plan: {}", r.text().await?);
    Ok(r.json::<Value>().await?["id"]
        .as_str()
        .context("id")?
        .to_string())
}

async fn call(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<(u16, Value)> {
    let mut request = app
        .client
        .request(method.parse()?, app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let r = request.send().await?;
    let status = r.status().as_u16();
    let text = r.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// Agenda item ids by title, from the meeting as the API shows it.
async fn item_id(app: &TestApp, s: &Setup, meeting: &str, title: &str) -> Result<String> {
    let (_, m) = call(
        app,
        &s.member,
        "GET",
        &format!("/api/v1/meetings/{meeting}"),
        None,
    )
    .await?;
    let items = m["agenda"].as_array().context("agenda")?;
    let item = items.iter().find(|i| i["title"] == title);
    Ok(item
        .and_then(|i| i["id"].as_str())
        .with_context(|| format!("{title} in {m}"))?
        .to_string())
}

/// The titles in the order the page shows them, each with its planned start.
fn order(page: &Answer, titles: &[&str]) -> Result<Vec<(String, String)>> {
    let mut found: Vec<(usize, String, String)> = Vec::new();
    for title in titles {
        let needle = format!("<strong>{title}</strong>");
        let at = page
            .html
            .find(&needle)
            .with_context(|| format!("{title} on the page"))?;
        let before = &page.html[..at];
        let time_at = before.rfind("kring-agenda__time\">").context("a time")?
            + "kring-agenda__time\">".len();
        let time = before[time_at..].split('<').next().unwrap_or_default();
        found.push((at, (*title).to_string(), time.to_string()));
    }
    found.sort();
    Ok(found.into_iter().map(|(_, t, at)| (t, at)).collect())
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
        .collect()
}

pub async fn facilitator_builds_the_agenda_with_buttons(backend: Backend) -> Result<()> {
    let app = start(&backend).await?;
    let s = setup(&app).await?;
    let id = plan(&app, &s, "Groene daken", 16).await?;
    let agenda = format!("/bijeenkomsten/{id}/agenda");
    sign_in_as(&app, "fleur@vereniging.nl").await?;
    let page = get(&app, &format!("/bijeenkomsten/{id}")).await?;
    page.page(200)?;
    page.contains(&format!("href=\"{agenda}\""))?;
    page.contains(&format!("href=\"/bijeenkomsten/{id}/verslag/bewerken\""))?;
    let page = get(&app, &agenda).await?;
    page.page(200)?;
    page.contains("Er staan nog geen punten op de agenda.")?;

    // Errors beside the fields, values kept.
    let wrong = [
        ("title", "  "),
        ("duration_minutes", "0"),
        ("description", "Met koffie"),
    ];
    let reply = post(&app, &agenda, &agenda, &wrong).await?;
    reply.page(422)?;
    for field in ["title", "duration_minutes"] {
        reply.contains(&format!("href=\"#{field}\""))?;
        reply.contains(&format!("id=\"{field}-fout\""))?;
    }
    reply.contains("Een agendapunt duurt 1 tot 600 minuten.")?;
    reply.contains(">Met koffie</textarea>")?;
    let reply = post(
        &app,
        &agenda,
        &agenda,
        &[("title", "Welkom"), ("duration_minutes", "een kwartier")],
    )
    .await?;
    reply.page(422)?;
    reply.contains("value=\"een kwartier\"")?;
    reply.contains("value=\"Welkom\"")?;

    for (title, minutes) in [("Welkom", "15"), ("Rondleiding", "60"), ("Gesprek", "65")] {
        let reply = post(
            &app,
            &agenda,
            &agenda,
            &[("title", title), ("duration_minutes", minutes)],
        )
        .await?;
        reply.redirects(&format!("{agenda}?melding=toegevoegd#punt-"))?;
    }
    let page = get(&app, &agenda).await?;
    page.page(200)?;
    ensure!(
        order(&page, &["Welkom", "Rondleiding", "Gesprek"])?
            == pairs(&[
                ("Welkom", "14.00 uur"),
                ("Rondleiding", "14.15 uur"),
                ("Gesprek", "15.15 uur")
            ]),
        "{}",
        page.html
    );
    page.contains("De agenda duurt 20 minuten langer dan de bijeenkomst.")?;
    page.contains("Omlaag<span class=\"kring-visually-hidden\">: Welkom</span>")?;
    page.contains("Omhoog<span class=\"kring-visually-hidden\">: Gesprek</span>")?;
    page.check(
        !page
            .html
            .contains("Omhoog<span class=\"kring-visually-hidden\">: Welkom</span>"),
        "the first item cannot move up",
    )?;

    // Down, then up: the order and the times follow; focus returns to the moved item.
    let welkom = item_id(&app, &s, &id, "Welkom").await?;
    let gesprek = item_id(&app, &s, &id, "Gesprek").await?;
    let reply = post(
        &app,
        &format!("{agenda}/{welkom}/verplaatsen"),
        &agenda,
        &[("richting", "omlaag")],
    )
    .await?;
    reply.redirects(&format!(
        "{agenda}?verplaatst={welkom}&richting=omlaag#punt-{welkom}"
    ))?;
    let page = get(&app, &reply.location).await?;
    page.page(200)?;
    ensure!(
        order(&page, &["Welkom", "Rondleiding", "Gesprek"])?
            == pairs(&[
                ("Rondleiding", "14.00 uur"),
                ("Welkom", "15.00 uur"),
                ("Gesprek", "15.15 uur")
            ]),
        "{}",
        page.html
    );
    page.contains(&format!("id=\"punt-{welkom}\""))?;
    page.contains("value=\"omlaag\" class=\"utrecht-button utrecht-button--secondary-action\" autofocus>Omlaag<span class=\"kring-visually-hidden\">: Welkom</span>")?;
    let reply = post(
        &app,
        &format!("{agenda}/{gesprek}/verplaatsen"),
        &agenda,
        &[("richting", "omhoog")],
    )
    .await?;
    reply.redirects(&format!("{agenda}?verplaatst={gesprek}&richting=omhoog"))?;
    let page = get(&app, &agenda).await?;
    ensure!(
        order(&page, &["Welkom", "Rondleiding", "Gesprek"])?
            == pairs(&[
                ("Rondleiding", "14.00 uur"),
                ("Gesprek", "15.00 uur"),
                ("Welkom", "16.05 uur")
            ]),
        "{}",
        page.html
    );

    // Changing an item on its own page; errors keep the values.
    let edit = format!("{agenda}/{welkom}");
    let page = get(&app, &edit).await?;
    page.page(200)?;
    page.contains("value=\"Welkom\"")?;
    page.contains("value=\"15\"")?;
    let reply = post(
        &app,
        &edit,
        &edit,
        &[("title", "Welkom en koffie"), ("duration_minutes", "601")],
    )
    .await?;
    reply.page(422)?;
    reply.contains("id=\"duration_minutes-fout\"")?;
    reply.contains("value=\"Welkom en koffie\"")?;
    let reply = post(
        &app,
        &edit,
        &edit,
        &[("title", "Welkom en koffie"), ("duration_minutes", "10")],
    )
    .await?;
    reply.redirects(&format!("{agenda}?melding=gewijzigd#punt-{welkom}"))?;
    let page = get(&app, &agenda).await?;
    page.contains("<strong>Welkom en koffie</strong>")?;
    page.contains("De agenda duurt 15 minuten langer dan de bijeenkomst.")?;

    // Removing the long one: it fits again.
    let reply = post(
        &app,
        &format!("{agenda}/{gesprek}/verwijderen"),
        &agenda,
        &[],
    )
    .await?;
    reply.redirects(&format!("{agenda}?melding=verwijderd"))?;
    let page = get(&app, &reply.location).await?;
    page.page(200)?;
    page.check(!page.html.contains("<strong>Gesprek</strong>"), "removed")?;
    page.check(!page.html.contains("langer dan de bijeenkomst"), "it fits")?;
    let (_, m) = call(
        &app,
        &s.member,
        "GET",
        &format!("/api/v1/meetings/{id}"),
        None,
    )
    .await?;
    ensure!(m["agenda_overrun_minutes"] == 0, "{m}");

    // The member sees the agenda on the meeting page, but no editing.
    sign_in_as(&app, "anna@tiel.nl").await?;
    let page = get(&app, &format!("/bijeenkomsten/{id}")).await?;
    page.page(200)?;
    page.contains("<strong>Welkom en koffie</strong>")?;
    page.contains("15.00 uur")?;
    page.check(
        !page.html.contains(&format!("href=\"{agenda}\"")),
        "no link",
    )?;
    app.stop().await;
    Ok(())
}

pub async fn editing_pages_are_for_facilitators(backend: Backend) -> Result<()> {
    let app = start(&backend).await?;
    let s = setup(&app).await?;
    let id = plan(&app, &s, "Groene daken", 16).await?;
    let (status, _) = call(
        &app,
        &s.facilitator,
        "POST",
        &format!("/api/v1/meetings/{id}/agenda-items"),
        Some(json!({"title": "Welkom", "duration_minutes": 15})),
    )
    .await?;
    ensure!(status == 201);
    let item = item_id(&app, &s, &id, "Welkom").await?;
    let detail = format!("/bijeenkomsten/{id}");
    let pages = [
        format!("{detail}/agenda"),
        format!("{detail}/agenda/{item}"),
        format!("{detail}/verslag/bewerken"),
    ];
    let forms = [
        (
            format!("{detail}/agenda"),
            vec![("title", "X"), ("duration_minutes", "5")],
        ),
        (
            format!("{detail}/agenda/{item}"),
            vec![("title", "X"), ("duration_minutes", "5")],
        ),
        (
            format!("{detail}/agenda/{item}/verplaatsen"),
            vec![("richting", "omlaag")],
        ),
        (format!("{detail}/agenda/{item}/verwijderen"), vec![]),
        (format!("{detail}/agenda/publiceren"), vec![]),
        (
            format!("{detail}/verslag/bewerken"),
            vec![("body_markdown", "x"), ("actie", "opslaan")],
        ),
    ];
    for page in &pages {
        get(&app, page).await?.redirects("/inloggen?volgende=")?;
    }
    for (who, status) in [("anna@tiel.nl", 403), ("buiten@elders.nl", 404)] {
        sign_in_as(&app, who).await?;
        for page in &pages {
            let answer = get(&app, page).await?;
            answer.check(answer.status == status, &format!("{who}: {status}"))?;
        }
        for (path, fields) in &forms {
            let answer = post(&app, path, "/", fields).await?;
            answer.check(answer.status == status, &format!("{who}: {status}"))?;
        }
    }
    // Nothing changed, nothing was sent.
    let (_, m) = call(
        &app,
        &s.member,
        "GET",
        &format!("/api/v1/meetings/{id}"),
        None,
    )
    .await?;
    ensure!(m["agenda"].as_array().map(Vec::len) == Some(1), "{m}");
    ensure!(m["agenda"][0]["title"] == "Welkom", "{m}");
    let (status, _) = call(
        &app,
        &s.facilitator,
        "GET",
        &format!("/api/v1/meetings/{id}/minutes"),
        None,
    )
    .await?;
    ensure!(status == 404, "no minutes were saved");
    app.stop().await;
    Ok(())
}

pub async fn publishing_the_agenda_emails_the_members(backend: Backend) -> Result<()> {
    let app = start(&backend).await?;
    let s = setup(&app).await?;
    let id = plan(&app, &s, "Groene daken", 16).await?;
    let empty = plan(&app, &s, "Nog leeg", 23).await?;
    for (title, minutes) in [("Welkom", 15), ("Rondleiding", 120)] {
        let (status, _) = call(
            &app,
            &s.facilitator,
            "POST",
            &format!("/api/v1/meetings/{id}/agenda-items"),
            Some(json!({"title": title, "duration_minutes": minutes, "description": "Bij de ingang"})),
        )
        .await?;
        ensure!(status == 201);
    }
    let agenda = format!("/bijeenkomsten/{id}/agenda");
    let detail = format!("/bijeenkomsten/{id}");
    sign_in_as(&app, "fleur@vereniging.nl").await?;
    let page = get(&app, &agenda).await?;
    page.page(200)?;
    page.contains("De leden hebben de agenda nog niet ontvangen.")?;
    page.contains(">Agenda publiceren</button>")?;
    let page = get(&app, &detail).await?;
    page.check(!page.html.contains("Agenda gepubliceerd"), "not yet")?;
    let reply = post(&app, &format!("{agenda}/publiceren"), &agenda, &[]).await?;
    reply.redirects(&format!("{agenda}?melding=gepubliceerd"))?;
    let mail = calendar_mail(&app, "anna@tiel.nl", "Agenda: Groene daken", 1).await?;
    let text = mail.text();
    ensure!(text.contains("Beste Anna de Vries"), "{text}");
    ensure!(
        text.contains("dinsdag 16 maart 2027, 14.00–16.00 uur"),
        "{text}"
    );
    ensure!(text.contains("14.00 uur  Welkom (15 min.)"), "{text}");
    ensure!(text.contains("14.15 uur  Rondleiding (120 min.)"), "{text}");
    ensure!(text.contains("Bij de ingang"), "{text}");
    ensure!(
        text.contains("15 minuten langer dan de bijeenkomst"),
        "{text}"
    );
    ensure!(text.contains(&app.url(&detail)), "{text}");
    let html = mail.html().context("an HTML part")?;
    ensure!(html.contains("<strong>Rondleiding</strong>"), "{html}");
    ensure!(
        html.contains(&format!("href=\"{}\"", app.url(&detail))),
        "{html}"
    );
    // The facilitator gets it too, as every member does.
    calendar_mail(&app, "fleur@vereniging.nl", "Agenda: Groene daken", 1).await?;
    let page = get(&app, &agenda).await?;
    page.contains("Agenda gepubliceerd op maandag 1 maart 2027, 11.00 uur.")?;
    page.contains(">Bijgewerkte agenda versturen</button>")?;
    let page = get(&app, &detail).await?;
    page.page(200)?;
    page.contains("Agenda gepubliceerd op maandag 1 maart 2027, 11.00 uur")?;
    // An empty agenda does not go round.
    let reply = post(
        &app,
        &format!("/bijeenkomsten/{empty}/agenda/publiceren"),
        &format!("/bijeenkomsten/{empty}/agenda"),
        &[],
    )
    .await?;
    reply.page(422)?;
    reply.contains("Zet eerst punten op de agenda")?;

    // The API: members may not, outsiders see nothing, the facilitator sends an update.
    let publish = format!("/api/v1/meetings/{id}/agenda/publish");
    let (status, problem) = call(&app, &s.member, "POST", &publish, None).await?;
    ensure!(status == 403, "{problem}");
    let (status, _) = call(&app, &s.stranger, "POST", &publish, None).await?;
    ensure!(status == 404);
    let (status, _) = call(
        &app,
        &s.facilitator,
        "PATCH",
        &format!(
            "/api/v1/agenda-items/{}",
            item_id(&app, &s, &id, "Rondleiding").await?
        ),
        Some(json!({"duration_minutes": 90})),
    )
    .await?;
    ensure!(status == 200);
    let (status, body) = call(&app, &s.facilitator, "POST", &publish, None).await?;
    ensure!(status == 200, "{body}");
    ensure!(
        body["published_at"] == "2027-03-01T11:00:00+01:00"
            && body["items"][1]["planned_start"] == "2027-03-16T14:15:00+01:00"
            && body["agenda_overrun_minutes"] == 0,
        "{body}"
    );
    let mail = calendar_mail(&app, "anna@tiel.nl", "Bijgewerkte agenda: Groene daken", 1).await?;
    ensure!(
        mail.text().contains("Rondleiding (90 min.)"),
        "{}",
        mail.text()
    );
    ensure!(mail.text().contains("is bijgewerkt"), "{}", mail.text());
    let (status, problem) = call(
        &app,
        &s.facilitator,
        "POST",
        &format!("/api/v1/meetings/{empty}/agenda/publish"),
        None,
    )
    .await?;
    ensure!(
        status == 422 && problem["code"] == "agenda_empty",
        "{problem}"
    );
    app.stop().await;
    Ok(())
}

/// The minutes form with these action rows (text, owner id, name, due date) and a button.
fn minutes_form<'a>(
    body: &'a str,
    decisions: &'a str,
    rows: &'a [[&'a str; 4]],
    actie: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![("body_markdown", body), ("decisions", decisions)];
    for [text, owner, name, due] in rows {
        fields.extend([
            ("action_text", *text),
            ("action_owner", *owner),
            ("action_name", *name),
            ("action_due", *due),
        ]);
    }
    fields.push(("actie", actie));
    fields
}

pub async fn minutes_are_written_published_and_actions_closed(backend: Backend) -> Result<()> {
    let app = start(&backend).await?;
    let s = setup(&app).await?;
    let id = plan(&app, &s, "Groene daken", 2).await?;
    let next = plan(&app, &s, "Hittestress", 30).await?;
    let (status, _) = call(
        &app,
        &s.facilitator,
        "POST",
        &format!("/api/v1/meetings/{id}/agenda-items"),
        Some(json!({"title": "Subsidies", "duration_minutes": 30})),
    )
    .await?;
    ensure!(status == 201);
    let (status, _) = call(
        &app,
        &s.facilitator,
        "PUT",
        &format!("/api/v1/meetings/{id}/attendance"),
        Some(json!({"user_ids": [s.member_id]})),
    )
    .await?;
    ensure!(status == 204);
    let detail = format!("/bijeenkomsten/{id}");
    let edit = format!("{detail}/verslag/bewerken");
    sign_in_as(&app, "fleur@vereniging.nl").await?;
    let page = get(&app, &detail).await?;
    page.contains("Er is nog geen verslag.")?;
    let page = get(&app, &edit).await?;
    page.page(200)?;
    page.contains("## 1. Subsidies")?;
    page.contains("- Anna de Vries")?;
    page.contains("Nog niet opgeslagen.")?;
    page.contains("id=\"action_text-1\"")?;
    page.check(
        !page.html.contains("id=\"action_text-2\""),
        "two empty rows",
    )?;

    // An extra row, without JavaScript: the typed values stay.
    let body = "# Verslag\n\nWe bespraken **groene daken** en <script>x</script>subsidies.";
    let typed = [["Overzicht maken", "", "", ""], ["", "", "", ""]];
    let reply = post(&app, &edit, &edit, &minutes_form(body, "", &typed, "rij")).await?;
    reply.page(200)?;
    reply.contains("id=\"action_text-2\" name=\"action_text\" value=\"\" autofocus")?;
    reply.contains("value=\"Overzicht maken\"")?;
    reply.contains("We bespraken **groene daken**")?;

    // The preview: the Markdown as members will read it, below the page's own headings.
    let reply = post(
        &app,
        &edit,
        &edit,
        &minutes_form(body, "We delen subsidieregelingen", &typed, "voorbeeld"),
    )
    .await?;
    reply.page(200)?;
    reply.contains("<h3>Verslag</h3>")?;
    reply.contains("<strong>groene daken</strong>")?;
    reply.check(!reply.html.contains("<script>x"), "sanitised")?;
    reply
        .contains("<li class=\"utrecht-unordered-list__item\">We delen subsidieregelingen</li>")?;

    // Errors beside the fields of their row.
    let wrong = [
        ["Overzicht maken", "", "", ""],
        ["", "", "", ""],
        ["", s.member_id.as_str(), "", "morgen"],
    ];
    let reply = post(
        &app,
        &edit,
        &edit,
        &minutes_form(body, "", &wrong, "opslaan"),
    )
    .await?;
    reply.page(422)?;
    reply.contains("href=\"#action_text-2\"")?;
    reply.contains("id=\"action_due-2-fout\"")?;
    reply.contains("Beschrijf het actiepunt.")?;
    reply.contains("value=\"morgen\"")?;
    reply.contains(&format!(
        "<option value=\"{}\" selected>Anna de Vries</option>",
        s.member_id
    ))?;

    // A draft: the facilitator sees it with its label, members see nothing.
    let rows = [
        [
            "Overzicht subsidies maken",
            s.member_id.as_str(),
            "",
            "2027-03-31",
        ],
        ["Contact met de provincie", "", "Piet (provincie)", ""],
        ["", "", "", ""],
    ];
    let decisions = "We delen subsidieregelingen\n\nWe gaan op werkbezoek";
    let reply = post(
        &app,
        &edit,
        &edit,
        &minutes_form(body, decisions, &rows, "opslaan"),
    )
    .await?;
    reply.redirects(&format!("{edit}?melding=opgeslagen"))?;
    let page = get(&app, &reply.location).await?;
    page.page(200)?;
    page.contains("Het concept is opgeslagen.")?;
    page.contains("Concept</span> laatst opgeslagen op")?;
    page.contains("value=\"Contact met de provincie\"")?;
    page.contains("value=\"Piet (provincie)\"")?;
    page.contains("value=\"2027-03-31\"")?;
    page.contains(">We delen subsidieregelingen\nWe gaan op werkbezoek</textarea>")?;
    let page = get(&app, &detail).await?;
    page.page(200)?;
    page.contains("Concept</span>")?;
    page.contains("<h3>Verslag</h3>")?;
    sign_in_as(&app, "anna@tiel.nl").await?;
    let page = get(&app, &detail).await?;
    page.page(200)?;
    for hidden in [
        "id=\"verslag\"",
        "groene daken",
        "We delen subsidieregelingen",
    ] {
        page.check(!page.html.contains(hidden), hidden)?;
    }
    let minutes = format!("/api/v1/meetings/{id}/minutes");
    let (status, _) = call(&app, &s.member, "GET", &minutes, None).await?;
    ensure!(status == 404, "a draft is not for members");

    // Publishing: e-mail to the members, and the minutes on the meeting page.
    sign_in_as(&app, "fleur@vereniging.nl").await?;
    let reply = post(
        &app,
        &edit,
        &edit,
        &minutes_form(body, decisions, &rows, "publiceren"),
    )
    .await?;
    reply.redirects(&format!("{detail}?melding=verslag#verslag"))?;
    let mail = calendar_mail(&app, "anna@tiel.nl", "Verslag: Groene daken", 1).await?;
    ensure!(
        mail.text().contains("We gaan op werkbezoek"),
        "{}",
        mail.text()
    );
    ensure!(mail.text().contains(&app.url(&detail)), "{}", mail.text());
    sign_in_as(&app, "anna@tiel.nl").await?;
    let page = get(&app, &detail).await?;
    page.page(200)?;
    page.contains("<strong>groene daken</strong>")?;
    page.contains("We gaan op werkbezoek")?;
    page.check(!page.html.contains("Concept</span>"), "published")?;
    page.contains("Overzicht subsidies maken <span class=\"kring-meta\">· Anna de Vries</span> <span class=\"kring-meta\">· klaar op woensdag 31 maart 2027</span>")?;
    page.contains("Piet (provincie)")?;
    let (status, published) = call(&app, &s.member, "GET", &minutes, None).await?;
    ensure!(
        status == 200 && published["status"] == "published",
        "{published}"
    );
    let action = |text: &str| -> Result<String> {
        let found = published["actions"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["text"] == text));
        Ok(found
            .and_then(|a| a["id"].as_str())
            .context("action")?
            .to_string())
    };
    let mine = action("Overzicht subsidies maken")?;
    let pieters = action("Contact met de provincie")?;

    // The owner marks their action done from the meeting page; someone else's is not theirs.
    page.contains(
        "Afgerond<span class=\"kring-visually-hidden\">: Overzicht subsidies maken</span>",
    )?;
    page.check(
        !page.html.contains(
            "Afgerond<span class=\"kring-visually-hidden\">: Contact met de provincie</span>",
        ),
        "only the owner's own action",
    )?;
    let reply = post(
        &app,
        &format!("{detail}/acties/{pieters}"),
        &detail,
        &[("done", "ja")],
    )
    .await?;
    reply.check(reply.status == 403, "not the owner")?;
    let reply = post(
        &app,
        &format!("{detail}/acties/{mine}"),
        &detail,
        &[("done", "ja")],
    )
    .await?;
    reply.redirects(&format!("{detail}?melding=actie#actie-{mine}"))?;
    let page = get(&app, &reply.location).await?;
    page.contains("Het actiepunt is bijgewerkt.")?;
    page.contains("Afgerond</span> Overzicht subsidies maken")?;
    let (_, shown) = call(&app, &s.member, "GET", &minutes, None).await?;
    ensure!(shown["actions"][0]["done"] == true, "{shown}");

    // The open one shows on the next meeting, where the facilitator closes it.
    let later = format!("/bijeenkomsten/{next}");
    let page = get(&app, &later).await?;
    page.page(200)?;
    page.contains("Openstaande actiepunten")?;
    page.contains("Contact met de provincie")?;
    page.check(
        !page.html.contains("Overzicht subsidies maken"),
        "done ones do not carry over",
    )?;
    sign_in_as(&app, "fleur@vereniging.nl").await?;
    let reply = post(
        &app,
        &format!("{later}/acties/{pieters}"),
        &later,
        &[("done", "ja")],
    )
    .await?;
    reply.redirects(&format!("{later}?melding=actie#actie-{pieters}"))?;
    let page = get(&app, &later).await?;
    page.page(200)?;
    page.check(!page.html.contains("Openstaande actiepunten"), "all done")?;
    sign_in_as(&app, "buiten@elders.nl").await?;
    let reply = post(
        &app,
        &format!("{later}/acties/{pieters}"),
        "/",
        &[("done", "nee")],
    )
    .await?;
    reply.check(reply.status == 404, "outsiders")?;
    app.stop().await;
    Ok(())
}
