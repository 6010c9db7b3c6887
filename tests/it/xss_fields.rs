//! The writes of one slot of the XSS test: its text in every field of topics, notes, comments,
//! organisations, practice examples, meetings (with location, speakers, agenda, minutes,
//! decisions, actions, cancellation), date polls, registrations (accepted, and declined with a
//! reason), communities, programmes, enrolments, API tokens and the account name; and the pages
//! that show them.

use anyhow::{Context, Result, ensure};
use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::topics::call;
use crate::xss_fill::{Filler, People, Who};

/// A text cut to fit a title or name field (at most 120 characters).
fn short(text: &str) -> String {
    text.chars().take(120).collect()
}

/// A text as a person's name: short and on one line (names refuse control characters).
fn name(text: &str) -> String {
    short(text)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

impl Filler<'_> {
    pub(crate) async fn topic(&mut self, p: &People, i: usize, t: &str) -> Result<()> {
        let title = short(t);
        let body = json!({"title": title, "description": t});
        let path = "/api/v1/communities/xss/topics";
        if let Some(out) = self.send("topic", i, &p.anna, "POST", path, body).await? {
            self.same(&format!("topic {i}"), &out, &["title"], &title);
            self.same(&format!("topic {i}"), &out, &["description"], t);
        }
        Ok(())
    }

    pub(crate) async fn note(&mut self, p: &People, i: usize, t: &str) -> Result<()> {
        let title = short(t);
        let body = json!({"title": title, "body_markdown": t, "tags": ["xss"]});
        let path = "/api/v1/communities/xss/notes";
        let Some(note) = self.send("note", i, &p.anna, "POST", path, body).await? else {
            return Ok(());
        };
        self.same(&format!("note {i}"), &note, &["title"], &title);
        let id = note["id"].as_str().context("note id")?.to_string();
        self.site.visit(
            format!("note {i}"),
            Who::Facilitator,
            format!("/notities/{id}"),
        );
        let edit = format!("/notities/{id}/bewerken");
        self.site
            .visit(format!("note {i} edit"), Who::Facilitator, edit);
        let path = format!("/api/v1/notes/{id}/comments");
        let body = json!({"body_markdown": t});
        if let Some(c) = self
            .send("comment", i, &p.fleur, "POST", &path, body)
            .await?
        {
            self.same(&format!("comment {i}"), &c, &["body_markdown"], t);
        }
        if self.check {
            // A tag is a word of letters, digits and hyphens: refused, or made into one.
            let body = json!({"title": "Tags", "body_markdown": "Tags", "tags": [t]});
            let path = "/api/v1/communities/xss/notes";
            if let Some(out) = self.send("tag", i, &p.anna, "POST", path, body).await? {
                let tags = out["tags"].as_array().cloned().unwrap_or_default();
                let plain = tags.iter().filter_map(Value::as_str).all(|tag| {
                    tag.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                });
                if !plain {
                    self.problems
                        .push(&format!("tag {i}"), format!("tags {out}"));
                }
                let path = format!("/api/v1/notes/{}", out["id"].as_str().unwrap_or(""));
                let (status, _) = call(&self.site.app, &p.anna, "DELETE", &path, None).await?;
                ensure!(status == 204, "deleting the tag note: {status}");
            }
        }
        Ok(())
    }

    pub(crate) async fn practice(
        &mut self,
        p: &People,
        i: usize,
        t: &str,
        code: &str,
    ) -> Result<()> {
        let path = format!("/api/v1/organisations/{code}");
        let title = short(t);
        let body = json!({"name": title});
        if let Some(out) = self
            .send("organisation", i, &p.admin, "PATCH", &path, body)
            .await?
        {
            self.same(&format!("organisation {i}"), &out, &["name"], &title);
        }
        let public = i.is_multiple_of(2);
        let body = json!({"title": title, "organisation_code": code, "themes": ["vergroening"],
            "summary": t, "body_markdown": t, "lessons_learned": t, "community": "xss",
            "visibility": if public { "public" } else { "community" },
            "location": {"lat": 52.09, "lon": 5.12}});
        let path = "/api/v1/practices";
        let Some(out) = self
            .send("practice", i, &p.anna, "POST", path, body)
            .await?
        else {
            return Ok(());
        };
        let fields = ["summary", "body_markdown", "lessons_learned"];
        self.same(&format!("practice {i}"), &out, &fields, t);
        self.same(&format!("practice {i}"), &out, &["title"], &title);
        let id = out["id"].as_str().context("practice id")?;
        let page = format!("/praktijkvoorbeelden/{id}");
        self.site
            .visit(format!("practice {i}"), Who::Facilitator, &page);
        if public {
            self.site
                .visit(format!("practice {i} public"), Who::Anonymous, &page);
        }
        let edit = format!("{page}/bewerken");
        self.site
            .visit(format!("practice {i} edit"), Who::Facilitator, edit);
        Ok(())
    }

    pub(crate) async fn meeting(
        &mut self,
        p: &People,
        i: usize,
        t: &str,
        starts: chrono::DateTime<Utc>,
    ) -> Result<()> {
        let title = short(t);
        let body = json!({"title": title, "kind": "hybrid", "description": t,
            "starts_at": starts.to_rfc3339(), "ends_at": (starts + Duration::hours(3)).to_rfc3339(),
            "online_url": "https://meet.example/xss",
            "location": {"name": title, "address": title, "city": title}});
        let path = "/api/v1/communities/xss/meetings";
        let Some(m) = self
            .send("meeting", i, &p.fleur, "POST", path, body)
            .await?
        else {
            return Ok(());
        };
        let fields = [
            "title",
            "location.name",
            "location.address",
            "location.city",
        ];
        self.same(&format!("meeting {i}"), &m, &fields, &title);
        self.same(&format!("meeting {i}"), &m, &["description"], t);
        let id = m["id"].as_str().context("meeting id")?.to_string();
        self.site
            .meeting_titles
            .insert(id.clone(), title.trim().to_string());
        let page = format!("/bijeenkomsten/{id}");
        self.site
            .visit(format!("meeting {i}"), Who::Facilitator, &page);
        if self.check {
            let response = self
                .site
                .app
                .client
                .get(self.site.app.url(&format!("/api/v1/meetings/{id}/ics")))
                .bearer_auth(&p.anna)
                .send()
                .await?;
            let ics = response.text().await?;
            let what = format!("meeting {i} ics");
            self.problems
                .ics(&what, &ics, &self.site.meeting_titles, None);
        }
        let api = format!("/api/v1/meetings/{id}");
        let speaker = json!({"name": name(t), "email": format!("spreker{i}@example.nl"),
            "organisation": title, "bio": t});
        let path = format!("{api}/speakers");
        let speaker_id = self
            .send("speaker", i, &p.fleur, "POST", &path, speaker)
            .await?
            .and_then(|s| s["id"].as_str().map(str::to_string));
        let item = json!({"title": title, "duration_minutes": 15, "description": t,
            "speaker_id": speaker_id});
        let path = format!("{api}/agenda-items");
        if let Some(agenda) = self
            .send("agenda", i, &p.fleur, "POST", &path, item)
            .await?
        {
            // The answer is the whole agenda, of this one item.
            let item = &agenda["items"][0];
            self.same(&format!("agenda {i}"), item, &["title"], &title);
            self.same(&format!("agenda {i}"), item, &["description"], t);
            let item_id = item["id"].as_str().context("item id")?;
            let edit = format!("{page}/agenda/{item_id}");
            self.site
                .visit(format!("agenda {i} item"), Who::Facilitator, edit);
            let path = format!("{api}/agenda/publish");
            self.send("publish", i, &p.fleur, "POST", &path, json!({}))
                .await?;
        }
        self.site.visit(
            format!("agenda {i}"),
            Who::Facilitator,
            format!("{page}/agenda"),
        );
        if self.check {
            let (_, got) = call(&self.site.app, &p.anna, "GET", &api, None).await?;
            self.problems.json(&format!("meeting {i}: GET {api}"), &got);
        }
        self.minutes(p, i, t, &id).await?;
        if i % 4 == 3 {
            let path = format!("{api}/cancel");
            let body = json!({"reason": t});
            self.send("cancel", i, &p.fleur, "POST", &path, body)
                .await?;
        }
        Ok(())
    }

    async fn minutes(&mut self, p: &People, i: usize, t: &str, id: &str) -> Result<()> {
        let api = format!("/api/v1/meetings/{id}/minutes");
        let body = json!({"body_markdown": t, "decisions": [t],
            "actions": [{"text": t, "owner_name": name(t)}]});
        if self
            .send("minutes", i, &p.fleur, "PUT", &api, body)
            .await?
            .is_some()
        {
            let path = format!("{api}/publish");
            self.send("minutes-publish", i, &p.fleur, "POST", &path, json!({}))
                .await?;
            if self.check {
                let (status, got) = call(&self.site.app, &p.anna, "GET", &api, None).await?;
                let what = format!("minutes {i}");
                if status == 200 {
                    self.problems.json(&what, &got);
                    let fields = ["body_markdown", "decisions.0", "actions.0.text"];
                    self.same(&what, &got, &fields, t);
                } else {
                    self.problems
                        .push(&what, format!("GET {api} as a member: {status}"));
                }
            }
        }
        let edit = format!("/bijeenkomsten/{id}/verslag/bewerken");
        self.site
            .visit(format!("minutes {i} edit"), Who::Facilitator, edit);
        Ok(())
    }

    pub(crate) async fn poll(
        &mut self,
        p: &People,
        i: usize,
        t: &str,
        starts: chrono::DateTime<Utc>,
    ) -> Result<()> {
        let option = |d: i64| {
            let s = starts + Duration::hours(d);
            json!({"starts_at": s.to_rfc3339(), "ends_at": (s + Duration::hours(2)).to_rfc3339()})
        };
        let title = short(t);
        let body = json!({"title": title, "options": [option(1), option(26)]});
        let path = "/api/v1/communities/xss/polls";
        if let Some(poll) = self.send("poll", i, &p.fleur, "POST", path, body).await? {
            self.same(&format!("poll {i}"), &poll, &["title"], &title);
            let id = poll["id"].as_str().context("poll id")?;
            let page = format!("/communities/xss/datumprikkers/{id}");
            self.site.visit(format!("poll {i}"), Who::Facilitator, page);
        }
        Ok(())
    }

    /// Registrations, communities, programmes, enrolments, the account name and token labels.
    pub(crate) async fn people(&mut self, p: &People, i: usize, t: &str, code: &str) -> Result<()> {
        let (title, person) = (short(t), name(t));
        let body = json!({"name": person, "email": format!("deelnemer{i}@example.nl"),
            "organisation_code": code, "community": "leden", "motivation": t, "consent": true});
        let path = "/api/v1/registrations";
        self.send("registration", i, "", "POST", path, body).await?;
        let body = json!({"name": person, "email": format!("wachtend{i}@example.nl"),
            "organisation_code": code, "community": "wacht", "motivation": t, "consent": true});
        if let Some(r) = self.send("waiting", i, "", "POST", path, body).await? {
            let id = r["id"].as_str().context("registration id")?;
            let decline = format!("/api/v1/registrations/{id}/decline");
            let body = json!({"reason": t});
            self.send("decline", i, &p.fleur, "POST", &decline, body)
                .await?;
        }
        let body = json!({"slug": format!("c{i}"), "name": title, "description": t,
            "programme": "prog", "eligibility": {"require_member_or_participant": false}});
        let path = "/api/v1/communities";
        if let Some(c) = self
            .send("community", i, &p.admin, "POST", path, body)
            .await?
        {
            self.same(&format!("community {i}"), &c, &["name"], &title);
            self.same(&format!("community {i}"), &c, &["description"], t);
            let page = format!("/communities/c{i}");
            self.site
                .visit(format!("community {i}"), Who::Anonymous, &page);
            self.site.visit(
                format!("community {i} form"),
                Who::Anonymous,
                format!("{page}/aanmelden"),
            );
            self.site.visit(
                format!("community {i} admin"),
                Who::Admin,
                format!("/beheer/communities/c{i}"),
            );
        }
        let body = json!({"slug": format!("p{i}"), "name": title, "description": t,
            "contact_name": person, "contact_email": "contact@example.nl"});
        let path = "/api/v1/programmes";
        if let Some(c) = self
            .send("programme", i, &p.admin, "POST", path, body)
            .await?
        {
            let what = format!("programme {i}");
            self.same(&what, &c, &["name"], &title);
            self.same(&what, &c, &["description"], t);
            self.same(&what, &c, &["contact_name"], &person);
            self.site.visit(
                format!("programme {i}"),
                Who::Anonymous,
                format!("/programmas/p{i}"),
            );
        }
        let body = json!({"organisation_code": code, "contact_name": person,
            "contact_email": format!("inschrijver{i}@example.nl"), "consent": true});
        let path = "/api/v1/programmes/prog/enrolments";
        self.send("enrolment", i, "", "POST", path, body).await?;
        // Labels are at most 80 characters.
        let label: String = title.chars().take(80).collect();
        let body = json!({"label": label});
        self.send("token", i, &p.willem, "POST", "/api/v1/me/tokens", body)
            .await?;
        let body = json!({"name": person});
        if let Some(me) = self
            .send("account", i, &p.willem, "PATCH", "/api/v1/me", body)
            .await?
        {
            self.same(&format!("account {i}"), &me, &["name"], &person);
            let html = self.site.page(Who::Account, "/account").await?;
            self.site
                .captured
                .insert(format!("account {i}"), ("/account".into(), html));
        }
        Ok(())
    }

    /// A meeting of `leden`, whose members registered with the texts as names: their
    /// invitations carry their names in the calendar files.
    pub(crate) async fn leden_meeting(
        &mut self,
        p: &People,
        start: chrono::DateTime<Utc>,
    ) -> Result<()> {
        let starts = start - Duration::days(7);
        let body = json!({"title": "Kennismaking", "kind": "online",
            "starts_at": starts.to_rfc3339(), "ends_at": (starts + Duration::hours(1)).to_rfc3339(),
            "online_url": "https://meet.example/leden"});
        let path = "/api/v1/communities/leden/meetings";
        let (status, out) = call(&self.site.app, &p.fleur, "POST", path, Some(body)).await?;
        ensure!(status == 201, "leden meeting: {out}");
        let id = out["id"].as_str().context("id")?;
        self.site
            .meeting_titles
            .insert(id.to_string(), "Kennismaking".into());
        Ok(())
    }
}
