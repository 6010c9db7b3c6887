//! The topic page through the browser's eyes: the empty state, a proposal with its error beside
//! the field, voting and withdrawing with plain forms, the ranking, the status filter, and the
//! facilitator closing a topic.

use anyhow::{Context, Result, ensure};

use crate::facilitator_pages::{get, post, sign_in_as};
use crate::harness::{Backend, TestApp};
use crate::meetings::setup;
use crate::topics::{PAGE, call, ranking, row};

pub async fn topic_page_lists_and_votes_without_javascript(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let s = setup(&app).await?;
    sign_in_as(&app, "anna@tiel.nl").await?;
    let home = get(&app, "/communities/ontmoeten").await?;
    home.page(200)?;
    home.contains(&format!("href=\"{PAGE}\""))?;
    let page = get(&app, PAGE).await?;
    page.page(200)?;
    page.contains("Nog geen onderwerpen")?;
    page.check(
        !page.html.contains("Sluiten"),
        "no facilitator buttons for members",
    )?;

    let reply = post(
        &app,
        PAGE,
        PAGE,
        &[("title", " "), ("description", "Graag **ervaringen**")],
    )
    .await?;
    reply.page(422)?;
    reply.contains("href=\"#title\"")?;
    reply.contains("id=\"title-fout\"")?;
    reply.contains("Geef het onderwerp een titel.")?;
    reply.contains(">Graag **ervaringen**</textarea>")?;

    let reply = post(
        &app,
        PAGE,
        PAGE,
        &[
            ("title", "Hittestress in schoolpleinen"),
            ("description", "Graag **ervaringen**"),
        ],
    )
    .await?;
    reply.redirects(&format!("{PAGE}?melding=voorgesteld"))?;
    post(&app, PAGE, PAGE, &[("title", "Beheer van wadi's")])
        .await?
        .redirects(PAGE)?;
    let listed = ranking(&app, &s.member, "").await?;
    ensure!(listed.len() == 2, "{listed:?}");
    let (_, body) = call(
        &app,
        &s.member,
        "GET",
        "/api/v1/communities/ontmoeten/topics",
        None,
    )
    .await?;
    let wadi = body["items"][1]["id"].as_str().context("id")?.to_string();
    ensure!(body["items"][1]["title"] == "Beheer van wadi's", "{body}");

    let page = get(&app, PAGE).await?;
    page.page(200)?;
    page.contains("<strong>ervaringen</strong>")?;
    page.contains("Ingepland (0)")?;
    page.contains(
        "Stemmen<span class=\"kring-visually-hidden\"> op Hittestress in schoolpleinen</span>",
    )?;
    page.contains(&format!("action=\"{PAGE}/{wadi}/stemmen\""))?;

    // Voting on the younger topic puts it first.
    let reply = post(
        &app,
        &format!("{PAGE}/{wadi}/stemmen"),
        PAGE,
        &[("filter", "open")],
    )
    .await?;
    reply.redirects(&format!(
        "{PAGE}?status=open&melding=gestemd#onderwerp-{wadi}"
    ))?;
    let page = get(&app, &reply.location).await?;
    page.page(200)?;
    page.contains("Je stem is geteld.")?;
    page.contains(
        "Stem intrekken<span class=\"kring-visually-hidden\"> voor Beheer van wadi&#39;s</span>",
    )?;
    page.contains("1 stem</strong>")?;
    let first = page
        .html
        .find("Beheer van wadi&#39;s</h3>")
        .context("wadi's")?;
    let second = page
        .html
        .find("Hittestress in schoolpleinen</h3>")
        .context("hittestress")?;
    page.check(first < second, "most votes first")?;
    ensure!(ranking(&app, &s.member, "").await?[0] == row("Beheer van wadi's", true, 1));

    let reply = post(&app, &format!("{PAGE}/{wadi}/stem-intrekken"), PAGE, &[]).await?;
    reply.redirects(&format!("{PAGE}?melding=ingetrokken"))?;
    ensure!(ranking(&app, &s.member, "").await?[1] == row("Beheer van wadi's", false, 0));

    // Members cannot close; the facilitator can, and the filter shows it.
    let reply = post(
        &app,
        &format!("{PAGE}/{wadi}/status"),
        PAGE,
        &[("status", "closed")],
    )
    .await?;
    reply.page(403)?;
    sign_in_as(&app, "fleur@vereniging.nl").await?;
    let page = get(&app, PAGE).await?;
    page.page(200)?;
    page.contains("Sluiten<span class=\"kring-visually-hidden\">: Beheer van wadi&#39;s</span>")?;
    let reply = post(
        &app,
        &format!("{PAGE}/{wadi}/status"),
        PAGE,
        &[("status", "closed")],
    )
    .await?;
    reply.redirects(&format!("{PAGE}?melding=gesloten"))?;
    let closed = get(&app, &format!("{PAGE}?status=closed")).await?;
    closed.page(200)?;
    closed.contains("Gesloten</span>")?;
    closed.contains(
        "Heropenen<span class=\"kring-visually-hidden\">: Beheer van wadi&#39;s</span>",
    )?;
    closed.check(
        !closed.html.contains("Hittestress in schoolpleinen</h3>"),
        "filtered",
    )?;
    let refused = post(&app, &format!("{PAGE}/{wadi}/stemmen"), PAGE, &[]).await?;
    refused.page(409)?;
    refused.contains("staat niet meer open")?;
    let scheduled = get(&app, &format!("{PAGE}?status=scheduled")).await?;
    scheduled.page(200)?;
    scheduled.contains("Er zijn geen onderwerpen met de status ingepland.")?;
    app.stop().await;
    Ok(())
}
