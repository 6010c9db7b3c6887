//! kring's integration tests: the real server over HTTP on SQLite and PostgreSQL, with a real SMTP
//! server on loopback. Every test in `BOTH` runs once per backend; PostgreSQL tests run when the
//! machine has PostgreSQL (a throwaway cluster) or `KRING_TEST_POSTGRES_URL` is set, and are
//! reported as skipped otherwise (`KRING_TEST_REQUIRE_POSTGRES=1` turns that into a failure).
//! The browser tests (`browser::`) run when Node, Chromium and `tests/browser/node_modules` are
//! there, and are reported as skipped otherwise (`KRING_TEST_REQUIRE_BROWSER=1` makes that fail).

mod admin_pages;
mod agenda_pages;
mod api;
mod backup;
mod binary;
mod browser;
mod caching;
mod community_home;
mod facilitator_pages;
mod harness;
mod html_check;
mod meeting_pages;
mod meetings;
mod note_files;
mod note_pages;
mod notes;
mod outbox;
mod pages;
mod pg;
mod practice_files;
mod practice_map;
mod practice_pages;
mod practices;
mod public_pages;
mod registration;
mod registration_admin;
mod scale;
mod search;
mod search_scope;
mod signin;
mod smtp;
mod speaker_pages;
mod speakers;
mod system;
mod topic_pages;
mod topics;
mod xss;
mod xss_fields;
mod xss_fill;
mod xss_mail;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use harness::Backend;
use libtest_mimic::{Arguments, Failed, Trial};

type TestFn = fn(Backend) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;

macro_rules! tests {
    ($($path:path),* $(,)?) => {
        &[$((stringify!($path), |b| Box::pin($path(b)))),*]
    };
}

/// Tests that run on both databases.
const BOTH: &[(&str, TestFn)] = tests![
    signin::link_from_email_works_once,
    signin::expired_link_is_refused,
    signin::sixth_request_in_a_minute_is_limited,
    signin::forms_without_csrf_token_are_refused,
    signin::cookie_flags_and_rotation,
    signin::sign_out_ends_the_session,
    signin::parallel_requests_respect_the_limit,
    signin::next_page_survives_sign_in,
    system::reference_data_is_loaded,
    system::security_headers_on_every_response,
    system::api_errors_are_problems,
    system::healthz_and_metrics,
    outbox::mail_waits_while_smtp_is_down,
    outbox::two_instances_deliver_each_mail_once,
    outbox::admin_reads_the_outbox_without_smtp,
    api::organisations_search_is_accent_insensitive,
    api::organisations_admin_changes,
    api::me_and_tokens,
    api::users_are_created_by_admins,
    pages::pages_are_dutch_and_accessible,
    pages::account_form_saves_and_reports_errors,
    binary::cli_commands_work,
    public_pages::registration_form_shows_refusals_beside_fields,
    public_pages::organisation_picker_works_without_javascript,
    public_pages::public_pages_show_seats_deadline_and_contact,
    public_pages::organisations_enrol_through_the_programme_page,
    public_pages::demo_fills_and_is_idempotent,
    public_pages::seats_freed_by_settings_go_to_the_waitlist,
    public_pages::registration_actions_are_scoped_to_the_community,
    meetings::invitations_updates_and_cancellations_are_calendar_entries,
    meetings::invalid_meetings_are_refused,
    meetings::meetings_are_for_members_only,
    meeting_pages::facilitator_plans_and_members_answer,
    meeting_pages::meeting_pages_are_for_members_only,
    meetings::date_poll_ranks_and_becomes_a_meeting,
    meetings::agenda_start_times_follow_adding_removing_and_reordering,
    meetings::minutes_are_drafted_published_and_actions_carry_over,
    speakers::guest_link_shows_one_meeting_only,
    speakers::speaker_invitations_are_checked,
    speakers::speakers_upload_slides_and_members_download_them,
    speakers::guest_link_ends_a_week_after_the_meeting,
    speaker_pages::facilitator_invites_speakers_on_the_meeting_page,
    speaker_pages::files_are_uploaded_and_downloaded_on_the_meeting_page,
    speaker_pages::agenda_speakers_belong_to_the_meeting,
    meetings::date_poll_page_takes_answers_and_a_decision,
    registration::two_hundred_concurrent_registrations_fill_25_seats,
    registration::two_instances_share_the_seats,
    registration::withdrawal_promotes_the_first_on_the_waitlist,
    registration::programme_assigns_community_by_population,
    registration_admin::every_refusal_code,
    registration_admin::deadline_to_the_second_across_dst,
    registration_admin::exports_hold_exactly_the_accepted_members,
    registration_admin::member_list_is_for_members_only,
    registration_admin::manual_approval_and_decline,
    admin_pages::programme_and_community_through_the_forms,
    admin_pages::community_form_errors_keep_values,
    admin_pages::community_settings_and_facilitators,
    admin_pages::organisation_flags_and_enrolments,
    admin_pages::admin_pages_are_for_admins_only,
    facilitator_pages::facilitator_decides_on_registrations,
    facilitator_pages::facilitator_adds_a_member_directly,
    facilitator_pages::member_list_and_who_sees_what,
    agenda_pages::facilitator_builds_the_agenda_with_buttons,
    agenda_pages::editing_pages_are_for_facilitators,
    agenda_pages::publishing_the_agenda_emails_the_members,
    agenda_pages::minutes_are_written_published_and_actions_closed,
    topics::topics_are_proposed_ranked_and_voted,
    topics::topics_are_for_members_only,
    topics::agenda_schedules_topics_and_minutes_mark_them_discussed,
    topic_pages::topic_page_lists_and_votes_without_javascript,
    practices::practices_are_shared_changed_and_seen_by_the_right_people,
    practices::practices_are_filtered_and_checked,
    practice_files::photos_get_thumbnails_and_other_files_stay_downloads,
    practice_map::map_marks_exactly_the_municipalities_with_visible_examples,
    practice_pages::practice_pages_work_without_javascript,
    notes::notes_are_written_listed_and_paged,
    scale::scale_data_is_complete_searchable_and_idempotent,
    notes::note_rights_and_programme_visibility,
    note_files::mentions_email_the_mentioned_member_only,
    note_files::note_files_are_downloads_for_viewers_only,
    note_pages::note_pages_work_without_javascript,
    search::dutch_word_forms_match_the_same_on_both_databases,
    search::search_page_works_with_and_without_htmx,
    search::older_matches_are_found_past_the_newest_documents,
    community_home::home_query_count_does_not_grow_with_notes,
    caching::a_write_on_one_instance_shows_on_the_other_at_once,
    search_scope::nobody_finds_what_they_may_not_see,
    xss::payloads_never_become_markup,
];

/// Tests that concern SQLite or the process itself and run once.
const ONCE: &[(&str, TestFn)] = tests![
    system::openapi_is_valid_and_lists_every_route,
    system::migrations_are_in_step,
    binary::first_start_prints_a_working_link,
    backup::backup_of_a_live_database_is_consistent,
    browser::accessibility_of_the_main_pages,
    xss::checker_catches_known_bad_markup,
];

fn trial(name: String, backend: Backend, f: TestFn) -> Trial {
    Trial::test(name, move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| Failed::from(e.to_string()))?;
        runtime
            .block_on(f(backend))
            .map_err(|e| Failed::from(format!("{e:?}")))
    })
}

fn main() {
    // KRING_TEST_LOG=kring=debug shows the server's logs (errors behind a 500, for instance).
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("KRING_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .try_init();
    }
    let mut args = Arguments::from_args();
    // Most time is spent waiting on servers, mail and databases, not on the CPU.
    args.test_threads = args.test_threads.or(Some(6));
    let require = std::env::var("KRING_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let cluster = if args.list {
        None
    } else {
        match pg::PgCluster::start() {
            Ok(Some(cluster)) => Some(Arc::new(cluster)),
            Ok(None) if require => {
                panic!("KRING_TEST_REQUIRE_POSTGRES=1 but no PostgreSQL server binaries were found")
            }
            Ok(None) => {
                eprintln!(
                    "NOTE: PostgreSQL tests SKIPPED: no PostgreSQL server binaries found and KRING_TEST_POSTGRES_URL is not set"
                );
                None
            }
            Err(e) if require => {
                panic!("KRING_TEST_REQUIRE_POSTGRES=1 but PostgreSQL could not start: {e:#}")
            }
            Err(e) => {
                eprintln!(
                    "NOTE: PostgreSQL tests SKIPPED: the throwaway cluster did not start: {e:#}"
                );
                None
            }
        }
    };
    let mut trials = Vec::new();
    for (name, f) in BOTH {
        trials.push(trial(format!("sqlite::{name}"), Backend::Sqlite, *f));
        match &cluster {
            Some(c) => trials.push(trial(
                format!("postgres::{name}"),
                Backend::Postgres(c.clone()),
                *f,
            )),
            None => trials
                .push(Trial::test(format!("postgres::{name}"), || Ok(())).with_ignored_flag(true)),
        }
    }
    // Without what the browser needs, browser tests are ignored (they still skip with a NOTE when
    // run with --include-ignored); when it is required they run and fail with the reason.
    let browser_missing = if args.list || browser::required() {
        None
    } else {
        browser::unavailable()
    };
    if let Some(reason) = &browser_missing {
        eprintln!("NOTE: browser tests SKIPPED: {reason}");
    }
    for (name, f) in ONCE {
        let skip = browser_missing.is_some() && name.starts_with("browser::");
        trials.push(trial((*name).to_string(), Backend::Sqlite, *f).with_ignored_flag(skip));
    }
    let conclusion = libtest_mimic::run(&args, trials);
    if let Some(Ok(mut cluster)) = cluster.map(Arc::try_unwrap) {
        cluster.stop();
    }
    conclusion.exit();
}
