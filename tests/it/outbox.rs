//! The e-mail outbox: nothing is lost while SMTP is down, several instances send each mail once,
//! and without SMTP admins read the mail at /admin/outbox.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Result, ensure};

use crate::harness::{Backend, Options, TestApp, TestDb, eventually};
use crate::smtp::SmtpSink;

pub async fn mail_waits_while_smtp_is_down(backend: Backend) -> Result<()> {
    // A port with nothing behind it: the relay is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let app = TestApp::start_with(
        &backend,
        Options {
            smtp_url: Some(format!("smtp://{port}")),
            ..Options::default()
        },
    )
    .await?;
    app.create_user("wacht@gemeente.nl", "Wacht", false).await?;
    let response = app
        .post_form("/inloggen", "/inloggen", &[("email", "wacht@gemeente.nl")])
        .await?;
    ensure!(response.status() == 303);
    // Failed attempts are recorded and the mail stays pending.
    eventually(Duration::from_secs(10), "a failed attempt", || async {
        let mails = kring::db::outbox::list(&app.db, None, 10, 0).await?;
        Ok(mails.len() == 1
            && mails[0].attempts >= 2
            && mails[0].status == "pending"
            && mails[0].last_error.is_some())
    })
    .await?;
    // The relay comes back on the same port: the mail is delivered, once.
    let sink = SmtpSink::start_on(port).await?;
    let mails = sink.wait_for(1, Duration::from_secs(15)).await;
    ensure!(
        mails.len() == 1,
        "delivered after recovery: {}",
        mails.len()
    );
    ensure!(mails[0].to == vec!["wacht@gemeente.nl".to_string()]);
    eventually(Duration::from_secs(5), "status sent", || async {
        let mails = kring::db::outbox::list(&app.db, Some("sent"), 10, 0).await?;
        Ok(mails.len() == 1 && mails[0].sent_at.is_some())
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(600)).await;
    ensure!(sink.mails().len() == 1, "delivered exactly once");
    app.stop().await;
    Ok(())
}

pub async fn two_instances_deliver_each_mail_once(backend: Backend) -> Result<()> {
    let sink = SmtpSink::start().await;
    let database = TestDb::create(&backend)?;
    let url = database.url.clone();
    let first = TestApp::start_on(
        database,
        Options {
            smtp_url: Some(sink.url()),
            ..Options::default()
        },
    )
    .await?;
    let second_db = TestDb {
        url,
        dir: tempfile::tempdir()?,
    };
    let second = TestApp::start_on(
        second_db,
        Options {
            smtp_url: Some(sink.url()),
            ..Options::default()
        },
    )
    .await?;
    const MAILS: usize = 60;
    for batch in 0..6 {
        let mut tx = first.db.begin().await?;
        for i in 0..MAILS / 6 {
            let n = batch * 10 + i;
            let mail = kring::db::outbox::NewMail {
                to: format!("lid{n}@gemeente.nl"),
                subject: format!("Bericht {n}"),
                text: "tekst".into(),
                html: "<p>tekst</p>".into(),
                sensitive: false,
                calendar: None,
                list_unsubscribe: None,
            };
            kring::db::outbox::enqueue(&mut tx, &mail).await?;
        }
        tx.commit().await?;
        first.state().wake_worker();
        second.state().wake_worker();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mails = sink.wait_for(MAILS, Duration::from_secs(30)).await;
    ensure!(mails.len() >= MAILS, "all delivered: {}", mails.len());
    tokio::time::sleep(Duration::from_millis(800)).await;
    let mut per_recipient: HashMap<String, usize> = HashMap::new();
    for mail in sink.mails() {
        for to in mail.to {
            *per_recipient.entry(to).or_default() += 1;
        }
    }
    let doubles: Vec<_> = per_recipient.iter().filter(|(_, n)| **n > 1).collect();
    ensure!(doubles.is_empty(), "sent twice: {doubles:?}");
    ensure!(
        per_recipient.len() == MAILS,
        "{} distinct recipients",
        per_recipient.len()
    );
    let (pending, sent, failed) = kring::db::outbox::counts(&first.db).await?;
    ensure!(
        (pending, sent, failed) == (0, MAILS as i64, 0),
        "counts {pending}/{sent}/{failed}"
    );
    second.stop().await;
    first.stop().await;
    Ok(())
}

pub async fn admin_reads_the_outbox_without_smtp(backend: Backend) -> Result<()> {
    let app = TestApp::start_with(
        &backend,
        Options {
            no_smtp: true,
            ..Options::default()
        },
    )
    .await?;
    let admin = app
        .create_user("beheer@vereniging.nl", "Beheer", true)
        .await?;
    app.create_user("lid@gemeente.nl", "Lid", false).await?;
    let response = app
        .post_form("/inloggen", "/inloggen", &[("email", "lid@gemeente.nl")])
        .await?;
    ensure!(response.status() == 303);
    app.sign_in(&admin).await?;
    let page = app.get("/admin/outbox").await?;
    ensure!(page.status() == 200, "outbox page: {}", page.status());
    let html = page.text().await?;
    ensure!(
        html.contains("lid@gemeente.nl") && html.contains("Je inloglink voor kring"),
        "lists the mail"
    );
    ensure!(
        html.contains("geen mailserver ingesteld"),
        "explains mail is not sent"
    );
    let id = html
        .split("/admin/outbox/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("link to the mail")
        .to_string();
    let detail = app
        .get(&format!("/admin/outbox/{id}"))
        .await?
        .text()
        .await?;
    ensure!(
        detail.contains("/inloggen/"),
        "the admin can read the link in the mail"
    );
    ensure!(app.get("/admin/outbox/onbekend").await?.status() == 404);
    app.stop().await;
    Ok(())
}
