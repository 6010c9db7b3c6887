//! Registration rules: eligibility, the registration window, seats under concurrency, the FIFO
//! waitlist with promotion, and the e-mail of every status change (through the outbox).

use axum::http::StatusCode;
use chrono::{DateTime, Utc};

use crate::app::AppState;
use crate::auth;
use crate::db::communities::Community;
use crate::db::registrations::{NewRegistration, Registration};
use crate::db::users::{NewUser, User};
use crate::db::{self, Tx};
use crate::domain::{Applicant, Email, Misfit, OrgCode, OrgKind, PersonName, WorkDomain};
use crate::error::{Error, FieldError, Result};
use crate::format::number_nl;
use crate::mail::{self, RegistrationEvent, RegistrationMail};

/// Registrations per e-mail address per minute (the public form is limited per address, not per
/// client, so colleagues behind one municipal network are never locked out).
const PER_ADDRESS_PER_MINUTE: u32 = 10;

/// What a registrant sends.
#[derive(Clone, Debug, Default)]
pub struct RegistrationInput {
    /// Name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Organisation code.
    pub organisation_code: String,
    /// Community slug, or
    pub community: Option<String>,
    /// programme slug (kring picks the community).
    pub programme: Option<String>,
    /// Work domains.
    pub domains: Vec<String>,
    /// Motivation.
    pub motivation: String,
    /// Consent with the privacy statement.
    pub consent: bool,
}

/// The answer to a registration.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The stored registration.
    pub registration: Registration,
    /// Slug of the community it is for.
    pub community: String,
    /// Place on the waitlist.
    pub waitlist_position: Option<i64>,
}

fn unprocessable(code: &'static str, field: &str, message: impl Into<String>) -> Error {
    Error::field(code, field, message)
}

struct Checked {
    name: PersonName,
    email: Email,
    org: db::organisations::Organisation,
    domains: Vec<WorkDomain>,
    motivation: String,
}

/// Checks every field and reports all problems at once; the problem code is the first one's.
async fn check_input(state: &AppState, input: &RegistrationInput) -> Result<Checked> {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut fail = |code: &str, field: &str, message: String| {
        errors.push(FieldError::new(field, code, message))
    };
    if !input.consent {
        fail(
            "consent_required",
            "consent",
            "Geef toestemming voor het gebruik van je gegevens volgens de privacyverklaring."
                .into(),
        );
    }
    let email = Email::parse(&input.email)
        .map_err(|m| fail("invalid_email", "email", m.into()))
        .ok();
    let name = PersonName::parse(&input.name)
        .map_err(|m| fail("validation_failed", "name", m.into()))
        .ok();
    let org = match OrgCode::parse(&input.organisation_code) {
        Ok(code) => db::organisations::find(&state.db, &code).await?,
        Err(_) => None,
    };
    if org.is_none() {
        fail(
            "unknown_organisation",
            "organisation_code",
            "Kies je gemeente of organisatie uit de lijst.".into(),
        );
    }
    let mut domains = Vec::new();
    for d in &input.domains {
        match WorkDomain::parse(d) {
            Some(domain) => domains.push(domain),
            None => fail(
                "validation_failed",
                "domains",
                format!("Onbekend werkveld: {d}."),
            ),
        }
    }
    let motivation = input.motivation.trim().to_string();
    if motivation.chars().count() > 2000 {
        fail(
            "validation_failed",
            "motivation",
            "Een motivatie heeft hoogstens 2000 tekens.".into(),
        );
    }
    if input.community.as_deref().unwrap_or("").is_empty()
        && input.programme.as_deref().unwrap_or("").is_empty()
    {
        fail(
            "validation_failed",
            "community",
            "Kies een community of een programma.".into(),
        );
    }
    match (name, email, org) {
        (Some(name), Some(email), Some(org)) if errors.is_empty() => Ok(Checked {
            name,
            email,
            org,
            domains,
            motivation,
        }),
        _ => {
            let code = match errors.first().map(|e| e.code.as_str()) {
                Some("consent_required") => "consent_required",
                Some("invalid_email") => "invalid_email",
                Some("unknown_organisation") => "unknown_organisation",
                _ => "validation_failed",
            };
            Err(Error::Validation { code, errors })
        }
    }
}

fn applicant(org: &db::organisations::Organisation, participant: bool) -> Applicant {
    Applicant {
        kind: OrgKind::parse(&org.kind).unwrap_or(OrgKind::Other),
        population: org.population,
        association_member: org.association_member,
        programme_participant: participant,
    }
}

/// The contact person of a community's programme, read outside any write transaction.
async fn contact_of(state: &AppState, programme_id: Option<&str>) -> Result<Option<String>> {
    let Some(id) = programme_id else {
        return Ok(None);
    };
    Ok(db::programmes::find_by_id(&state.db, id)
        .await?
        .and_then(|p| p.contact()))
}

/// The same inside the write transaction (a second pool connection could deadlock under load).
async fn contact_in(tx: &mut Tx, programme_id: Option<&str>) -> Result<Option<String>> {
    let Some(id) = programme_id else {
        return Ok(None);
    };
    Ok(db::programmes::find_by_id_tx(tx, id)
        .await?
        .and_then(|p| p.contact()))
}

async fn not_eligible(state: &AppState, community: &Community, misfit: Misfit) -> Error {
    let contact = contact_of(state, community.programme_id.as_deref())
        .await
        .ok()
        .flatten();
    let ask = contact.map_or_else(
        || "Neem contact op met de vereniging als je denkt dat dit niet klopt.".to_string(),
        |c| format!("Neem voor vragen contact op met {c}."),
    );
    let why = match misfit {
        Misfit::NotMemberOrParticipant => {
            "Deze community is voor leden van de vereniging en deelnemers aan het programma; je organisatie is geen van beide."
                .to_string()
        }
        Misfit::Kind => "Deze community is niet bedoeld voor dit soort organisatie.".to_string(),
        Misfit::Population => match (community.min_population, community.max_population) {
            (Some(min), Some(max)) => format!("Deze community is voor gemeenten met {} tot en met {} inwoners.", number_nl(min), number_nl(max)),
            (Some(min), None) => format!("Deze community is voor gemeenten met {} of meer inwoners.", number_nl(min)),
            (None, Some(max)) => format!("Deze community is voor gemeenten met hoogstens {} inwoners.", number_nl(max)),
            (None, None) => "Je organisatie past niet bij deze community.".to_string(),
        },
    };
    unprocessable("not_eligible", "organisation_code", format!("{why} {ask}"))
}

/// Chooses the community: the one named, or the programme's community whose kind and population
/// bounds fit the organisation.
async fn choose_community(
    state: &AppState,
    input: &RegistrationInput,
    org: &db::organisations::Organisation,
) -> Result<Community> {
    if let Some(slug) = input.community.as_deref().filter(|s| !s.is_empty()) {
        return db::communities::find(&state.db, slug)
            .await?
            .ok_or_else(|| {
                unprocessable(
                    "validation_failed",
                    "community",
                    "Deze community bestaat niet.",
                )
            });
    }
    let slug = input.programme.as_deref().unwrap_or_default();
    let programme = db::programmes::find(&state.db, slug)
        .await?
        .ok_or_else(|| {
            unprocessable(
                "validation_failed",
                "programme",
                "Dit programma bestaat niet.",
            )
        })?;
    let communities = db::communities::of_programme(&state.db, &programme.id).await?;
    let participant = db::programmes::slugs_of(&state.db, &org.code)
        .await?
        .contains(&programme.slug);
    let who = applicant(org, participant);
    let fitting: Vec<Community> = communities
        .into_iter()
        .filter(|c| c.rules().fits_shape(&who))
        .collect();
    let Some(first) = fitting.first() else {
        return Err(unprocessable(
            "no_matching_community",
            "organisation_code",
            "Er is in dit programma geen community die past bij je organisatie. Neem contact op met de contactpersoon van het programma.",
        ));
    };
    match fitting.iter().find(|c| c.rules().check(&who).is_ok()) {
        Some(c) => Ok(c.clone()),
        None => Err(not_eligible(state, first, Misfit::NotMemberOrParticipant).await),
    }
}

/// Finds the account for an address or creates it.
async fn ensure_user(
    tx: &mut Tx,
    email: &Email,
    name: &PersonName,
    org: &str,
    domains: &[WorkDomain],
) -> Result<User> {
    if let Some(user) = db::users::find_by_email_tx(tx, email).await? {
        return Ok(user);
    }
    let user = db::users::create(
        tx,
        &NewUser {
            email: email.clone(),
            name: name.clone(),
            is_admin: false,
            organisation_code: Some(org.to_string()),
        },
    )
    .await?;
    if !domains.is_empty() {
        let patch = db::users::ProfilePatch {
            domains: Some(domains.to_vec()),
            ..Default::default()
        };
        return db::users::update_profile(tx, &user.id, &patch).await;
    }
    Ok(user)
}

/// Queues the e-mail for a status change in the caller's transaction.
async fn notify(
    state: &AppState,
    tx: &mut Tx,
    community: &Community,
    registration: &Registration,
    event: RegistrationEvent,
    user: Option<&User>,
    position: Option<i64>,
) -> Result<()> {
    let community_url = format!("{}/communities/{}", state.config.base_url, community.slug);
    let link = match user {
        Some(u) => Some(
            auth::create_link_to(
                tx,
                &state.config.base_url,
                u,
                Some(&format!("/communities/{}", community.slug)),
            )
            .await?,
        ),
        None => None,
    };
    let contact = contact_in(tx, community.programme_id.as_deref()).await?;
    let content = RegistrationMail {
        event,
        name: registration.name.clone(),
        community: community.name.clone(),
        community_url,
        position,
        reason: registration.decline_reason.clone(),
        contact,
        link,
    };
    let mut mail = mail::render(&registration.email, &content, &state.mail_context())?;
    mail.sensitive = user.is_some();
    db::outbox::enqueue(tx, &mail).await?;
    Ok(())
}

/// Registers someone for a community: checks input, window and eligibility, then — under the
/// community's lock, so concurrent requests and other instances queue — takes a seat, asks for
/// approval, or joins the waitlist, and e-mails the registrant.
pub async fn register(state: &AppState, input: &RegistrationInput) -> Result<Outcome> {
    let checked = check_input(state, input).await?;
    let chosen = choose_community(state, input, &checked.org).await?;
    let now = state.clock.now();
    // Counted in a transaction of its own, so refused registrations count too.
    let mut limit = state.db.begin().await?;
    let allowed = db::rate::hit(
        &mut limit,
        "registration",
        &checked.email.normalized(),
        PER_ADDRESS_PER_MINUTE,
        chrono::Duration::minutes(1),
    )
    .await?;
    limit.commit_unseen().await?;
    if !allowed {
        return Err(Error::RateLimited { retry_after: 60 });
    }
    let mut tx = state.db.begin().await?;
    let community = db::communities::lock(&mut tx, &chosen.id).await?;
    let rules = community.rules();
    if !rules.is_open(now) {
        let message = match (
            community.registration_opens_at,
            community.registration_deadline,
        ) {
            (Some(o), _) if now < o => format!(
                "Aanmelden voor {} kan vanaf {}.",
                community.name,
                crate::format::datetime_nl(&o, state.config.timezone)
            ),
            (_, Some(d)) => format!(
                "Aanmelden voor {} kon tot en met {}.",
                community.name,
                crate::format::datetime_nl(&d, state.config.timezone)
            ),
            _ => "Aanmelden is gesloten.".to_string(),
        };
        return Err(unprocessable("registration_closed", "community", message));
    }
    let participant = match &community.programme_id {
        Some(p) => db::programmes::is_participant(&mut tx, p, &checked.org.code).await?,
        None => false,
    };
    if let Err(misfit) = rules.check(&applicant(&checked.org, participant)) {
        drop(tx);
        return Err(not_eligible(state, &community, misfit).await);
    }
    let email_normalized = checked.email.normalized();
    if db::registrations::has_active(&mut tx, &community.id, &email_normalized).await? {
        return Err(Error::refused(
            StatusCode::CONFLICT,
            "duplicate_registration",
            format!(
                "Met dit e-mailadres is al een aanmelding voor {} gedaan.",
                community.name
            ),
        ));
    }
    if let Some(max) = community.max_per_organisation
        && db::registrations::count_active_for_organisation(
            &mut tx,
            &community.id,
            &checked.org.code,
        )
        .await?
            >= max
    {
        return Err(unprocessable(
            "organisation_limit_reached",
            "organisation_code",
            format!(
                "Voor {} zijn al {max} mensen van {} aangemeld; meer kan niet.",
                community.name, checked.org.name
            ),
        ));
    }
    let has_seat = community.has_free_seat();
    let (status, seq) = match (has_seat, community.is_manual()) {
        (true, false) => ("accepted", None),
        (true, true) => ("pending", None),
        (false, _) => (
            "waitlisted",
            Some(db::registrations::next_waitlist_seq(&mut tx, &community.id).await?),
        ),
    };
    let domains = WorkDomain::join(&checked.domains);
    let user = if status == "accepted" {
        let user = ensure_user(
            &mut tx,
            &checked.email,
            &checked.name,
            &checked.org.code,
            &checked.domains,
        )
        .await?;
        db::communities::add_member(&mut tx, &community.id, &user.id).await?;
        Some(user)
    } else {
        None
    };
    let id = db::registrations::insert(
        &mut tx,
        &NewRegistration {
            community_id: &community.id,
            user_id: user.as_ref().map(|u| u.id.as_str()),
            name: checked.name.as_str(),
            email: checked.email.as_str(),
            email_normalized: &email_normalized,
            organisation_code: &checked.org.code,
            domains: &domains,
            motivation: &checked.motivation,
            status,
            waitlist_seq: seq,
        },
        now,
    )
    .await?;
    let registration = db::registrations::find_tx(&mut tx, &id)
        .await?
        .ok_or(Error::NotFound)?;
    let position = match seq {
        Some(s) => Some(db::registrations::position(&mut tx, &community.id, s).await?),
        None => None,
    };
    let event = match status {
        "accepted" => RegistrationEvent::Accepted,
        "pending" => RegistrationEvent::Pending,
        _ => RegistrationEvent::Waitlisted,
    };
    notify(
        state,
        &mut tx,
        &community,
        &registration,
        event,
        user.as_ref(),
        position,
    )
    .await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(Outcome {
        registration,
        community: community.slug,
        waitlist_position: position,
    })
}

/// Fills free seats from the waitlist, first come first served, e-mailing each promoted registrant.
/// Under manual approval a promotion makes the registration pending, which holds the seat.
pub(crate) async fn promote(
    state: &AppState,
    tx: &mut Tx,
    community_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    loop {
        let community = db::communities::lock(tx, community_id).await?;
        if community.seats_reserved() >= community.capacity {
            return Ok(());
        }
        let Some(next) = db::registrations::first_waitlisted(tx, community_id).await? else {
            return Ok(());
        };
        let user = if community.is_manual() {
            db::registrations::set_status(tx, &next.id, "pending", None, None, now).await?;
            None
        } else {
            let email =
                Email::parse(&next.email).map_err(|m| Error::Internal(anyhow::anyhow!(m)))?;
            let name =
                PersonName::parse(&next.name).map_err(|m| Error::Internal(anyhow::anyhow!(m)))?;
            let user = ensure_user(
                tx,
                &email,
                &name,
                &next.organisation_code,
                &WorkDomain::split(&next.domains),
            )
            .await?;
            db::communities::add_member(tx, community_id, &user.id).await?;
            db::registrations::set_status(tx, &next.id, "accepted", Some(&user.id), None, now)
                .await?;
            Some(user)
        };
        notify(
            state,
            tx,
            &community,
            &next,
            RegistrationEvent::Promoted,
            user.as_ref(),
            None,
        )
        .await?;
    }
}

/// Who acts on a registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A facilitator of the community (or an admin).
    Facilitator,
    /// The registrant themself.
    Registrant,
}

/// Loads a registration the caller may act on: facilitators of its community (and admins) and,
/// for withdrawing, the registrant. Anyone else gets `404`; members who are not facilitators `403`.
pub async fn authorize(state: &AppState, user: &User, id: &str) -> Result<(Registration, Actor)> {
    let registration = db::registrations::find(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    if user.is_admin {
        return Ok((registration, Actor::Facilitator));
    }
    let memberships = db::users::memberships_by_id(&state.db, &user.id).await?;
    let role = memberships
        .iter()
        .find(|(c, _)| *c == registration.community_id)
        .map(|(_, r)| r.as_str());
    if role == Some("facilitator") {
        return Ok((registration, Actor::Facilitator));
    }
    let own = registration.user_id.as_deref() == Some(user.id.as_str())
        || registration.email.eq_ignore_ascii_case(&user.email);
    if own {
        return Ok((registration, Actor::Registrant));
    }
    if role.is_some() {
        Err(Error::Forbidden)
    } else {
        Err(Error::NotFound)
    }
}

/// Approves a pending registration: it takes a seat (`409 community_full` when none is free).
pub async fn approve(state: &AppState, registration: &Registration) -> Result<Registration> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let community = db::communities::lock(&mut tx, &registration.community_id).await?;
    let current = db::registrations::find_tx(&mut tx, &registration.id)
        .await?
        .ok_or(Error::NotFound)?;
    if current.status != "pending" {
        return Err(Error::refused(
            StatusCode::CONFLICT,
            "invalid_status",
            "Alleen een aanmelding die in behandeling is, kan worden geaccepteerd; de wachtlijst schuift vanzelf op volgorde door.",
        ));
    }
    if community.seats_taken >= community.capacity {
        return Err(Error::refused(
            StatusCode::CONFLICT,
            "community_full",
            format!("{} is vol.", community.name),
        ));
    }
    let email = Email::parse(&current.email).map_err(|m| Error::Internal(anyhow::anyhow!(m)))?;
    let name = PersonName::parse(&current.name).map_err(|m| Error::Internal(anyhow::anyhow!(m)))?;
    let user = ensure_user(
        &mut tx,
        &email,
        &name,
        &current.organisation_code,
        &WorkDomain::split(&current.domains),
    )
    .await?;
    db::communities::add_member(&mut tx, &community.id, &user.id).await?;
    db::registrations::set_status(&mut tx, &current.id, "accepted", Some(&user.id), None, now)
        .await?;
    notify(
        state,
        &mut tx,
        &community,
        &current,
        RegistrationEvent::Accepted,
        Some(&user),
        None,
    )
    .await?;
    let updated = db::registrations::find_tx(&mut tx, &current.id)
        .await?
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    state.wake_worker();
    Ok(updated)
}

/// Declines (facilitator) or withdraws a registration; an accepted one gives up its seat, which
/// goes to the first on the waitlist.
pub async fn end(
    state: &AppState,
    registration: &Registration,
    declined: bool,
    reason: Option<&str>,
) -> Result<Registration> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let community = db::communities::lock(&mut tx, &registration.community_id).await?;
    let current = db::registrations::find_tx(&mut tx, &registration.id)
        .await?
        .ok_or(Error::NotFound)?;
    if !matches!(
        current.status.as_str(),
        "pending" | "accepted" | "waitlisted"
    ) {
        return Err(Error::refused(
            StatusCode::CONFLICT,
            "invalid_status",
            "Deze aanmelding is al afgesloten.",
        ));
    }
    let status = if declined { "declined" } else { "withdrawn" };
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    db::registrations::set_status(&mut tx, &current.id, status, None, reason, now).await?;
    if current.status == "accepted"
        && let Some(user_id) = &current.user_id
    {
        db::communities::remove_member(&mut tx, &community.id, user_id).await?;
    }
    let updated = db::registrations::find_tx(&mut tx, &current.id)
        .await?
        .ok_or(Error::NotFound)?;
    let event = match (declined, current.status.as_str()) {
        (true, "accepted") => RegistrationEvent::Ended,
        (true, _) => RegistrationEvent::Declined,
        (false, _) => RegistrationEvent::Withdrawn,
    };
    notify(state, &mut tx, &community, &updated, event, None, None).await?;
    promote(state, &mut tx, &community.id, now).await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(updated)
}

/// Removes a member (a facilitator's removal, or the member leaving); the seat goes to the waitlist.
/// `by_facilitator` chooses the e-mail: "your participation was ended" or "you left".
pub async fn remove_member(
    state: &AppState,
    community_id: &str,
    user_id: &str,
    by_facilitator: bool,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let community = db::communities::lock(&mut tx, community_id).await?;
    if !db::communities::remove_member(&mut tx, community_id, user_id).await? {
        return Err(Error::NotFound);
    }
    if let Some(reg) = db::registrations::accepted_of_user(&mut tx, community_id, user_id).await? {
        db::registrations::set_status(&mut tx, &reg.id, "withdrawn", None, None, now).await?;
        let event = if by_facilitator {
            RegistrationEvent::Ended
        } else {
            RegistrationEvent::Withdrawn
        };
        notify(state, &mut tx, &community, &reg, event, None, None).await?;
    }
    promote(state, &mut tx, community_id, now).await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(())
}

/// Adds a member directly (someone who registered by e-mail): creates the account if needed, takes a
/// seat (`409 community_full` when none is free) and sends a welcome e-mail with a sign-in link.
pub async fn add_member_directly(
    state: &AppState,
    community_id: &str,
    email: &Email,
    name: &PersonName,
    org: &str,
) -> Result<User> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let community = db::communities::lock(&mut tx, community_id).await?;
    if community.seats_reserved() >= community.capacity {
        return Err(Error::refused(
            StatusCode::CONFLICT,
            "community_full",
            format!("{} is vol.", community.name),
        ));
    }
    let user = ensure_user(&mut tx, email, name, org, &[]).await?;
    if db::registrations::accepted_of_user(&mut tx, community_id, &user.id)
        .await?
        .is_some()
        || db::users::memberships_by_id_tx(&mut tx, &user.id)
            .await?
            .iter()
            .any(|(c, _)| c == community_id)
    {
        return Err(Error::refused(
            StatusCode::CONFLICT,
            "already_member",
            format!("{} is al lid van {}.", user.name, community.name),
        ));
    }
    let normalized = email.normalized();
    let id = db::registrations::insert(
        &mut tx,
        &NewRegistration {
            community_id,
            user_id: Some(&user.id),
            name: &user.name,
            email: &user.email,
            email_normalized: &normalized,
            organisation_code: user.organisation_code.as_deref().unwrap_or(org),
            domains: &user.domains,
            motivation: "",
            status: "accepted",
            waitlist_seq: None,
        },
        now,
    )
    .await
    .map_err(|e| match e {
        Error::Database(db_err) if crate::error::is_unique_violation(&db_err) => Error::refused(
            StatusCode::CONFLICT,
            "duplicate_registration",
            "Voor dit e-mailadres loopt al een aanmelding; accepteer die in de lijst met aanmeldingen.",
        ),
        other => other,
    })?;
    db::communities::add_member(&mut tx, community_id, &user.id).await?;
    let registration = db::registrations::find_tx(&mut tx, &id)
        .await?
        .ok_or(Error::NotFound)?;
    notify(
        state,
        &mut tx,
        &community,
        &registration,
        RegistrationEvent::Accepted,
        Some(&user),
        None,
    )
    .await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(user)
}

/// Saves a community's settings; seats that a raised capacity frees go to the waitlist, in order.
pub async fn save_settings(
    state: &AppState,
    community_id: &str,
    slug: &str,
    settings: &db::communities::Settings,
    actor_id: &str,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    db::communities::lock(&mut tx, community_id).await?;
    db::communities::update(&mut tx, community_id, settings).await?;
    db::audit::record(&mut tx, Some(actor_id), "community_updated", slug, "").await?;
    promote(state, &mut tx, community_id, now).await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(())
}

/// Appoints a facilitator. A member who becomes facilitator gives up their seat (facilitators take
/// none): their registration ends as withdrawn and the seat goes to the first on the waitlist.
pub async fn appoint_facilitator(
    state: &AppState,
    community_id: &str,
    slug: &str,
    user_id: &str,
    actor_id: &str,
) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    db::communities::lock(&mut tx, community_id).await?;
    if let Some(seat) = db::registrations::accepted_of_user(&mut tx, community_id, user_id).await? {
        db::registrations::set_status(&mut tx, &seat.id, "withdrawn", None, None, now).await?;
    }
    db::communities::add_facilitator(&mut tx, community_id, user_id).await?;
    db::audit::record(
        &mut tx,
        Some(actor_id),
        "facilitator_appointed",
        slug,
        user_id,
    )
    .await?;
    promote(state, &mut tx, community_id, now).await?;
    tx.commit().await?;
    state.wake_worker();
    Ok(())
}
