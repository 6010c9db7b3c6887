//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    agenda, attachments, comments, communities, me, meetings, minutes, notes, organisations, polls,
    practices, programmes, registrations, search, speakers, topics, users,
};

/// The API description served at `/api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "kring API",
        description = "JSON API of kring, the knowledge-exchange platform for Communities of Practice of Dutch municipalities. \
Authenticate with `Authorization: Bearer <token>` (a personal API token) or the browser session cookie; \
cookie-authenticated requests that change state must send the page's CSRF token (`<meta name=\"csrf-token\">`) in `X-CSRF-Token`. \
Errors are `application/problem+json` (RFC 9457) with a stable `code`. Unknown JSON fields are refused with \
`422 unknown_field`. Lists take `limit` (default 20, at most 100; larger values are lowered to 100) and an opaque `cursor`. \
Registration rules: population bounds are inclusive; the registration deadline instant itself is still open; \
a new registration takes a free seat only when nobody is on the waitlist; under manual approval a pending \
registration holds its seat until a facilitator decides; the waitlist is served in order (waitlisted \
registrations cannot be approved past the line); public registrations are limited to 10 a minute per e-mail address.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2")
    ),
    paths(
        document,
        search::search,
        me::get_me, me::patch_me, me::list_tokens, me::create_token, me::delete_token,
        users::create_user,
        organisations::list, organisations::get_one, organisations::create, organisations::update,
        programmes::create, programmes::list, programmes::get_one, programmes::add_participant, programmes::participants,
        programmes::enrol, programmes::enrolments, programmes::approve_enrolment,
        communities::create, communities::list, communities::get_one, communities::update, communities::add_facilitator,
        communities::members, communities::add_member, communities::remove_member,
        registrations::create, registrations::list, registrations::export_csv, registrations::export_xlsx,
        registrations::approve, registrations::decline, registrations::withdraw,
        meetings::create, meetings::list, meetings::get_one, meetings::update, meetings::cancel, meetings::ics,
        meetings::rsvp, meetings::attendance,
        speakers::create, speakers::delete,
        attachments::upload_to_meeting, attachments::of_meeting, attachments::download, attachments::delete,
        polls::create, polls::get_one, polls::answer, polls::decide,
        agenda::add, agenda::update, agenda::remove, agenda::reorder, agenda::publish,
        minutes::get, minutes::save, minutes::template, minutes::publish, minutes::set_done,
        topics::create, topics::list, topics::get_one, topics::update, topics::vote, topics::unvote,
        practices::create, practices::list, practices::get_one, practices::update, practices::delete,
        practices::upload, practices::files,
        notes::create, notes::list, notes::get_one, notes::update, notes::delete, notes::upload,
        comments::create, comments::list, comments::update, comments::delete,
    ),
    modifiers(&Security),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "me", description = "The caller's account and tokens"),
        (name = "users", description = "Accounts (administrators)"),
        (name = "organisations", description = "Municipalities, provinces and other organisations"),
        (name = "programmes", description = "Programme editions, participants and enrolments"),
        (name = "communities", description = "Communities, facilitators and members"),
        (name = "registrations", description = "Registration for a community, decisions and exports"),
        (name = "meetings", description = "Meetings, calendar files, RSVP and attendance"),
        (name = "attachments", description = "Files on meetings, notes and practice examples; always served as downloads"),
        (name = "polls", description = "Date polls (datumprikkers)"),
        (name = "topics", description = "The content agenda: topics members propose and vote on"),
        (name = "practices", description = "Practice examples (praktijkvoorbeelden): cards with themes, figures, location and photos; public ones without signing in"),
        (name = "notes", description = "Notes of a community with tags, comments, @mentions and files"),
        (name = "search", description = "Search with Dutch word forms over what the caller may see"),
        (name = "system", description = "The API description"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Personal API token"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "kring_session",
                "Browser session",
            ))),
        );
    }
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "system", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
