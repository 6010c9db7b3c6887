//! Reference data, security headers, problem documents, health, metrics, OpenAPI and migrations.

use std::collections::BTreeSet;

use anyhow::{Result, ensure};
use serde_json::Value;

use crate::harness::{Backend, TestApp};

pub async fn reference_data_is_loaded(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let municipalities =
        kring::db::organisations::count_kind(&app.db, kring::domain::OrgKind::Municipality).await?;
    let provinces =
        kring::db::organisations::count_kind(&app.db, kring::domain::OrgKind::Province).await?;
    ensure!(municipalities >= 342, "{municipalities} municipalities");
    ensure!(provinces == 12, "{provinces} provinces");
    // Migrating again changes nothing and duplicates nothing.
    app.db.migrate().await?;
    let again =
        kring::db::organisations::count_kind(&app.db, kring::domain::OrgKind::Municipality).await?;
    ensure!(again == municipalities);
    let org =
        kring::db::organisations::find(&app.db, &kring::domain::OrgCode::parse("GM0088").unwrap())
            .await?
            .unwrap();
    ensure!(
        org.name == "Schiermonnikoog"
            && org.population == Some(971)
            && org.province.as_deref() == Some("Fryslân")
    );
    app.stop().await;
    Ok(())
}

fn check_headers(path: &str, response: &reqwest::Response) -> Result<()> {
    let h = response.headers();
    let csp = h
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    ensure!(
        csp.contains("frame-ancestors 'none'"),
        "{path}: CSP {csp:?}"
    );
    ensure!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{path}: CSP {csp:?}"
    );
    ensure!(
        h.get("x-content-type-options")
            .is_some_and(|v| v == "nosniff"),
        "{path}: nosniff"
    );
    ensure!(
        h.get("referrer-policy").is_some(),
        "{path}: Referrer-Policy"
    );
    ensure!(
        h.get("x-frame-options").is_some_and(|v| v == "DENY"),
        "{path}: X-Frame-Options"
    );
    Ok(())
}

pub async fn security_headers_on_every_response(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let paths = [
        "/",
        "/inloggen",
        "/inloggen/verstuurd",
        "/privacy",
        "/toegankelijkheid",
        "/bestaat-niet",
        "/account",
        "/admin/outbox",
        "/healthz",
        "/metrics",
        "/assets/kring.css",
        "/assets/htmx.min.js",
        "/api/v1/openapi.json",
        "/api/v1/organisations",
        "/api/v1/me",
        "/api/v1/bestaat-niet",
        "/inloggen/ongeldig",
    ];
    for path in paths {
        let response = app.get(path).await?;
        check_headers(path, &response)?;
    }
    let response = app
        .client
        .post(app.url("/inloggen"))
        .form(&[("email", "a@b.nl")])
        .send()
        .await?;
    check_headers("POST /inloggen", &response)?;
    let asset = app.get("/assets/utrecht.css").await?;
    ensure!(
        asset.headers()["cache-control"]
            .to_str()?
            .contains("immutable")
    );
    let gz = app
        .client
        .get(app.url("/assets/utrecht.css"))
        .header("accept-encoding", "gzip")
        .send()
        .await?;
    ensure!(
        gz.headers()
            .get("content-encoding")
            .is_some_and(|v| v == "gzip"),
        "compressed assets"
    );
    app.stop().await;
    Ok(())
}

async fn expect_problem(response: reqwest::Response, status: u16, code: &str) -> Result<Value> {
    let what = format!("{} {}", response.url().path(), response.status());
    ensure!(
        response.status().as_u16() == status,
        "{what}: expected {status}"
    );
    let content_type = response.headers()["content-type"].to_str()?.to_string();
    ensure!(
        content_type == "application/problem+json",
        "{what}: content type {content_type}"
    );
    let body: Value = response.json().await?;
    ensure!(
        body["code"] == code,
        "{what}: code {} (expected {code})",
        body["code"]
    );
    ensure!(
        body["status"] == status && body["title"].is_string() && body["type"].is_string(),
        "{what}: {body}"
    );
    Ok(body)
}

pub async fn api_errors_are_problems(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let user = app.create_user("lid@gemeente.nl", "Lid", false).await?;
    let token = app.token_for(&user).await?;
    let c = &app.client;
    expect_problem(app.get("/api/v1/me").await?, 401, "unauthorized").await?;
    expect_problem(app.get("/api/v1/bestaat-niet").await?, 404, "not_found").await?;
    expect_problem(app.get("/api/v1/organisations/XX").await?, 404, "not_found").await?;
    expect_problem(
        c.delete(app.url("/api/v1/organisations")).send().await?,
        405,
        "method_not_allowed",
    )
    .await?;
    let patch = |body: &'static str, content_type: &'static str| {
        c.patch(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let body = expect_problem(
        patch(r#"{"name":"A","admin":true}"#, "application/json").await?,
        422,
        "unknown_field",
    )
    .await?;
    ensure!(body["errors"][0]["field"] == "admin", "{body}");
    expect_problem(patch("{", "application/json").await?, 400, "invalid_json").await?;
    expect_problem(
        patch(r#"{"name":"A"}"#, "text/plain").await?,
        415,
        "unsupported_media_type",
    )
    .await?;
    expect_problem(
        patch(r#"{"name":5}"#, "application/json").await?,
        422,
        "validation_failed",
    )
    .await?;
    let big = format!(r#"{{"label":"{}"}}"#, "x".repeat(300 * 1024));
    let response = c
        .post(app.url("/api/v1/me/tokens"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await?;
    expect_problem(response, 413, "payload_too_large").await?;
    expect_problem(
        app.get("/api/v1/organisations?limit=veel").await?,
        422,
        "validation_failed",
    )
    .await?;
    let response = c
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name":"x","email":"x@y.nl"}))
        .send()
        .await?;
    expect_problem(response, 403, "forbidden").await?;
    app.stop().await;
    Ok(())
}

pub async fn healthz_and_metrics(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let response = app.get("/healthz").await?;
    ensure!(response.status() == 200);
    ensure!(response.json::<Value>().await?["status"] == "ok");
    app.get("/api/v1/organisations?q=utrecht").await?;
    let metrics = app.get("/metrics").await?.text().await?;
    ensure!(metrics.contains("http_requests_total"), "request counter");
    ensure!(
        metrics.contains("route=\"/api/v1/organisations\""),
        "per-route label"
    );
    ensure!(
        metrics.contains("http_request_duration_seconds"),
        "latency histogram"
    );
    ensure!(
        metrics.contains("kring_outbox_mails{status=\"pending\"}"),
        "outbox depth"
    );
    // With the database gone, health says so.
    let db = app.state().db.clone();
    db.close().await;
    let response = app.get("/healthz").await?;
    ensure!(
        response.status() == 503,
        "healthz without database: {}",
        response.status()
    );
    app.stop().await;
    Ok(())
}

pub async fn openapi_is_valid_and_lists_every_route(backend: Backend) -> Result<()> {
    let app = TestApp::start(&backend).await?;
    let doc: Value = app.get("/api/v1/openapi.json").await?.json().await?;
    ensure!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "version {}",
        doc["openapi"]
    );
    let schema: Value = serde_json::from_str(include_str!("../fixtures/openapi-3.1-schema.json"))?;
    let validator =
        jsonschema::validator_for(&schema).map_err(|e| anyhow::anyhow!("schema: {e}"))?;
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    ensure!(errors.is_empty(), "invalid OpenAPI document: {errors:#?}");

    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let routed: BTreeSet<(String, String)> = kring::api::routes()
        .list()
        .iter()
        .map(|(m, p)| (m.to_string(), (*p).to_string()))
        .collect();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    ensure!(
        undocumented.is_empty(),
        "routes missing from the OpenAPI document: {undocumented:?}"
    );
    ensure!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:?}"
    );
    // Each documented route answers (it is not the router's 404 or 405).
    for (method, path) in &routed {
        let path = path.replace("{id}", "onbekend").replace("{code}", "GM0363");
        let response = app
            .client
            .request(method.parse()?, app.url(&path))
            .send()
            .await?;
        ensure!(response.status() != 405, "{method} {path} is not routed");
        if response.status() == 404 {
            let body: Value = response.json().await?;
            ensure!(body["code"] == "not_found", "{method} {path}");
        }
    }
    app.stop().await;
    Ok(())
}

pub async fn migrations_are_in_step(_backend: Backend) -> Result<()> {
    let names = |dir: &str| -> Result<BTreeSet<String>> {
        let mut set = BTreeSet::new();
        for entry in std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))?
        {
            let name = entry?.file_name().to_string_lossy().to_string();
            ensure!(name.ends_with(".sql"), "unexpected file {name}");
            set.insert(name);
        }
        Ok(set)
    };
    let sqlite = names("sqlite")?;
    let postgres = names("postgres")?;
    ensure!(!sqlite.is_empty());
    ensure!(
        sqlite == postgres,
        "migrations differ: sqlite {sqlite:?} postgres {postgres:?}"
    );
    Ok(())
}
