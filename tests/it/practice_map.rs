//! The map acceptance: `/map/practices.svg` contains every municipality of the shipped
//! boundaries and marks exactly those with practice examples the caller may see (anonymous:
//! public ones; members: what their community and programme may see), per theme too; the page
//! `/praktijkvoorbeelden/kaart` embeds it inline beside the text list.

use std::collections::BTreeSet;

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::harness::{Backend, TestApp, client};
use crate::practice_files::header;
use crate::practices::{example, set, share, world};

/// The CBS codes in `data-code` of every municipality path, and of the marked ones.
fn map_codes(svg: &str) -> (Vec<String>, BTreeSet<String>) {
    let (mut all, mut marked) = (Vec::new(), BTreeSet::new());
    for path in svg.split("<path ").skip(1) {
        let tag = &path[..path.find('>').unwrap_or(path.len())];
        let Some(at) = tag.find("data-code=\"") else {
            continue;
        };
        let code = tag[at + 11..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_string();
        if tag.contains("kring-kaart__gemeente--met") {
            marked.insert(code.clone());
        }
        all.push(code);
    }
    (all, marked)
}

async fn map(app: &TestApp, token: Option<&str>, query: &str) -> Result<String> {
    let mut request = client().get(app.url(&format!("/map/practices.svg{query}")));
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let response = request.send().await?;
    ensure!(response.status() == 200, "map: {}", response.status());
    ensure!(header(&response, "content-type").starts_with("image/svg+xml"));
    ensure!(header(&response, "content-security-policy").starts_with("default-src 'none'"));
    Ok(response.text().await?)
}

pub async fn map_marks_exactly_the_municipalities_with_visible_examples(
    backend: Backend,
) -> Result<()> {
    let w = world(&backend).await?;
    let app = &w.app;
    // The municipalities of the shipped boundaries.
    let shipped: Value = serde_json::from_str(&std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/gemeenten.geojson"
    ))?)?;
    let shipped: BTreeSet<String> = shipped["features"]
        .as_array()
        .context("features")?
        .iter()
        .filter_map(|f| f["properties"]["code"].as_str().map(str::to_string))
        .collect();
    ensure!(
        shipped.len() == 342,
        "{} municipalities shipped",
        shipped.len()
    );

    let mut rotterdam = example("Groen dak", "GM0599", "public", &["groene-daken"]);
    rotterdam["location"] = json!({"lat": 51.9225, "lon": 4.4792});
    share(&w, &w.anna, rotterdam).await?;
    share(
        &w,
        &w.anna,
        example("Schoolplein", "GM0344", "public", &["hittestress"]),
    )
    .await?;
    share(
        &w,
        &w.anna,
        example("Wadi", "GM0193", "community", &["wateroverlast"]),
    )
    .await?;
    share(
        &w,
        &w.anna,
        example(
            "Tegelwippen",
            "GM0307",
            "programme",
            &["ontharding", "hittestress"],
        ),
    )
    .await?;
    share(
        &w,
        &w.anna,
        example("Provinciaal beleid", "PV28", "public", &["beleid"]),
    )
    .await?;

    let svg = map(app, None, "").await?;
    let (all, marked) = map_codes(&svg);
    ensure!(
        all.len() == shipped.len() && all.iter().cloned().collect::<BTreeSet<_>>() == shipped,
        "every municipality once: {} paths",
        all.len()
    );
    ensure!(
        marked == set(&["GM0344", "GM0599"]),
        "anonymous: {marked:?}"
    );
    ensure!(
        svg.contains("<a href=\"/praktijkvoorbeelden?organisation=GM0599\">"),
        "linked"
    );
    ensure!(svg.contains("<title>Rotterdam: 1 praktijkvoorbeeld</title>"));
    ensure!(svg.matches("<circle ").count() == 1, "one dot");
    ensure!(svg.len() < 300_000, "{} bytes", svg.len());
    for (token, expected) in [
        (&w.anna, set(&["GM0193", "GM0307", "GM0344", "GM0599"])),
        (&w.fleur, set(&["GM0193", "GM0307", "GM0344", "GM0599"])),
        (&w.bram, set(&["GM0307", "GM0344", "GM0599"])),
        (&w.carla, set(&["GM0344", "GM0599"])),
        (&w.stranger, set(&["GM0344", "GM0599"])),
    ] {
        let (all, marked) = map_codes(&map(app, Some(token), "").await?);
        ensure!(
            all.len() == 342 && marked == expected,
            "{marked:?}, expected {expected:?}"
        );
    }
    let (_, marked) = map_codes(&map(app, None, "?theme=hittestress").await?);
    ensure!(marked == set(&["GM0344"]), "theme, anonymous: {marked:?}");
    let (_, marked) = map_codes(&map(app, Some(&w.anna), "?theme=hittestress").await?);
    ensure!(
        marked == set(&["GM0307", "GM0344"]),
        "theme, member: {marked:?}"
    );
    let r = client()
        .get(app.url("/map/practices.svg?theme=tuinieren"))
        .send()
        .await?;
    ensure!(r.status() == 422, "unknown theme: {}", r.status());

    // The page embeds the same map inline, with the text list beside it.
    let page = client()
        .get(app.url("/praktijkvoorbeelden/kaart"))
        .send()
        .await?
        .text()
        .await?;
    ensure!(
        page.contains("<svg ") && map_codes(&page).1 == set(&["GM0344", "GM0599"]),
        "inline map"
    );
    for line in [
        "organisation=GM0599\">Rotterdam</a>: 1 praktijkvoorbeeld",
        "organisation=GM0344\">Utrecht</a>: 1 praktijkvoorbeeld",
        "Zuid-Holland</a>: 1 praktijkvoorbeeld <span class=\"kring-meta\">(niet op de kaart)</span>",
    ] {
        ensure!(page.contains(line), "text list: {line}\n{page}");
    }
    w.app.stop().await;
    Ok(())
}
