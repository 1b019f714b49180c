//! The known-error database and the editable knowledge base, through HTTP: full-text search
//! ranking the same on both databases, a technician applying a matching known error's
//! workaround while working an incident, the solve form's workaround-or-permanent-fix choice,
//! who may write, editing with versions, and retiring.

use chrono::{TimeZone, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::db::fulltext::{Corpus, ranked};
use tierdesk::domain::account::{Role, Tier};
use tierdesk::domain::ids::{KnownErrorId, UserId};
use tierdesk::domain::known_error::{KnownErrorInput, search_terms};

use crate::fixtures::{
    category_id, client_with_contact, record_ticket, staff_id, ticket_id, user_id,
};
use crate::helpers::{Backend, TestApp, spawn_app};
use crate::webdriver::start_browser;
use fantoccini::Locator;

/// A fixed corpus: (title, symptoms, cause, workaround); the last one is retired.
const CORPUS: [(&str, &str, &str, &str); 7] = [
    (
        "Printer offline after Windows update",
        "The office printer shows offline and print jobs queue up.",
        "The update replaced the vendor driver with a generic one.",
        "Reinstall the vendor driver and restart the spooler.",
    ),
    (
        "VPN drops every hour",
        "Remote users lose the VPN connection once an hour.",
        "The firewall's idle timeout is set to 60 minutes.",
        "Reconnect, then raise the idle timeout.",
    ),
    (
        "Outlook asks for the password repeatedly",
        "Outlook prompts for the password again and again.",
        "Modern authentication is disabled on the tenant.",
        "Clear the cached credentials in Credential Manager.",
    ),
    (
        "Scan to e-mail fails",
        "Scans never arrive in the mailbox.",
        "The SMTP relay rejects the copier.",
        "Scan to the shared folder instead, or add the printer relay rule.",
    ),
    (
        "Shared drive slow",
        "Opening files on the file server takes minutes.",
        "The antivirus scans every network file on access.",
        "Exclude the share from on-access scanning.",
    ),
    (
        "Spooler crash on the print server",
        "The print spooler service stops.",
        "A corrupt print job sits in the queue.",
        "Delete the spool files and restart the spooler service.",
    ),
    (
        "Printer offline after update (old driver)",
        "Printer offline after update.",
        "Printer offline.",
        "Printer offline.",
    ),
];

async fn writer(app: &TestApp) -> UserId {
    app.create_user(
        "kim@msp.example",
        "Kim Keeper",
        Role::Technician,
        Some(Tier::Tier2),
    )
    .await;
    staff_id(app, "kim@msp.example").await
}

/// Writes the corpus (retiring the last one) and answers each query with the ranked positions
/// in the corpus (1-based).
async fn rank_corpus(app: &TestApp, queries: &[&'static str]) -> Vec<Vec<usize>> {
    let actor = writer(app).await;
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).single().unwrap();
    let queries: Vec<&'static str> = queries.to_vec();
    db::run(&app.state.pool, move |conn| {
        let mut ids = Vec::new();
        for (title, symptoms, cause, workaround) in CORPUS {
            let input = KnownErrorInput {
                title: title.into(),
                symptoms: symptoms.into(),
                cause: cause.into(),
                workaround: workaround.into(),
                category: None,
            };
            ids.push(db::known_errors::create(conn, actor, &input, now)?);
        }
        let last = *ids.last().unwrap();
        db::known_errors::retire(conn, actor, last, 1, now)?;
        let position = |id: i64| ids.iter().position(|k: &KnownErrorId| k.0 == id).unwrap() + 1;
        let mut answers = Vec::new();
        for q in queries {
            let hits = ranked(conn, Corpus::KnownErrors, &search_terms(q), 5)?;
            answers.push(hits.into_iter().map(position).collect());
        }
        Ok(answers)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_text_search_ranks_the_same_top_results_on_sqlite_and_postgresql() {
    let queries = [
        "Printer offline after the update",
        "VPN connection drops",
        "print spooler stops",
        "Outlook password",
        "shared file server slow",
        "keyboard missing",
    ];
    let expected: Vec<Vec<usize>> = vec![
        vec![1, 4],
        vec![2],
        vec![6, 1],
        vec![3],
        vec![5, 6, 4],
        vec![],
    ];
    let Some(lite) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let on_sqlite = rank_corpus(&lite, &queries).await;
    assert_eq!(on_sqlite, expected, "SQLite FTS5 ranking");
    if let Some(pg) = spawn_app(Backend::Postgres).await {
        let on_postgres = rank_corpus(&pg, &queries).await;
        assert_eq!(on_postgres, on_sqlite, "PostgreSQL ranks as SQLite does");
    }
}

/// Publishes a known error through the form as a tier 2 technician; returns its page path.
/// A second browser signed in as Kim Keeper, a tier 2 technician who writes known errors.
async fn signed_in_keeper(app: &TestApp) -> TestApp {
    let keeper = app.another_browser();
    keeper
        .create_user(
            "kim@msp.example",
            "Kim Keeper",
            Role::Technician,
            Some(Tier::Tier2),
        )
        .await;
    keeper
        .login("kim@msp.example", "Kim Keeper password 1")
        .await;
    keeper
}

async fn publish(app: &TestApp, title: &str, symptoms: &str, workaround: &str) -> String {
    let page = app
        .post_form(
            "/known-errors",
            &[
                ("title", title),
                ("symptoms", symptoms),
                ("cause", "The update replaced the vendor driver."),
                ("workaround", workaround),
                ("category_id", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    page.location.unwrap()
}

async fn triage(app: &TestApp, ticket: &str, category: &'static str) {
    let category = category_id(app, category).await;
    app.post_ticket_form(
        ticket,
        "triage",
        &[
            ("impact", "low"),
            ("urgency", "high"),
            ("category_id", &category),
        ],
    )
    .await
    .assert_redirect_to(ticket);
}

async fn start_work(app: &TestApp, ticket: &str) {
    app.post_ticket_form(
        ticket,
        "work",
        &[
            ("entry", "note"),
            ("body", "Looking into it."),
            ("next", "start_work"),
            ("review", "changed"),
        ],
    )
    .await
    .assert_redirect_to(ticket);
}

fn known_id(path: &str) -> i64 {
    path.rsplit('/').next().unwrap().parse().unwrap()
}

async fn applications(app: &TestApp, ticket: &str) -> Vec<(i64, i64)> {
    let ticket = ticket_id(ticket);
    db::run(&app.state.pool, move |conn| {
        use tierdesk::db::schema::known_error_applications::dsl::*;
        Ok(known_error_applications
            .filter(ticket_id.eq(ticket.0))
            .select((known_error_id, applied_by))
            .load(conn)?)
    })
    .await
    .unwrap()
}

async fn a_technician_working_an_incident_applies_a_matching_known_errors_workaround_and_solves_with_it(
    app: TestApp,
) {
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0)
            .single()
            .unwrap(),
    );
    let keeper = signed_in_keeper(&app).await;
    let known = publish(
        &keeper,
        "Internet down at the front desk router",
        "The front desk has no internet; the router's lights are amber.",
        "Power-cycle the router, wait two minutes, then renew the DHCP lease.",
    )
    .await;
    let k = known_id(&known);
    publish(
        &keeper,
        "Badge reader beeps twice",
        "The door badge reader beeps twice and stays locked.",
        "Re-enrol the badge.",
    )
    .await;

    let (_, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Technician).await;
    let ticket = record_ticket(&app, contact, "Internet down at reception", "low", "high").await;
    let page = app.get(&ticket).await;
    let text = page.text();
    assert!(text.contains("Known errors that match"), "{text}");
    assert!(text.contains(&format!("K-{k} Internet down at the front desk router")));
    assert!(
        !text.contains("Badge reader"),
        "an unrelated known error is not offered"
    );
    assert!(text.contains(&format!("Apply workaround (K-{k})")));

    let applied = app
        .post_form(&format!("{ticket}/known-errors/{k}/apply"), &[])
        .await;
    applied.assert_redirect_to(&format!("{ticket}#known-errors"));
    let tess = user_id(&app, "tech@msp.example").await;
    assert_eq!(
        applications(&app, &ticket).await,
        [(k, tess.parse::<i64>().unwrap())]
    );
    let text = app.get(&ticket).await.text();
    assert!(text.contains(&format!(
        "Workaround from known error K-{k} applied: Internet down at the front desk router"
    )));
    assert!(text.contains("Power-cycle the router, wait two minutes"));

    triage(&app, &ticket, "Network").await;
    app.post_ticket_form(
        &ticket,
        "assign",
        &[("tier", "tier1"), ("owner_id", &tess), ("worker_id", &tess)],
    )
    .await
    .assert_redirect_to(&ticket);
    start_work(&app, &ticket).await;
    let solution = "Power-cycled the router and renewed the lease; reception is back online.";
    let unanswered = app
        .post_ticket_form(&ticket, "solve", &[("solution", solution)])
        .await;
    assert_eq!(unanswered.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        unanswered.field_error("fix").as_deref(),
        Some("Say whether this is a workaround from a known error or a permanent fix.")
    );
    assert_eq!(
        unanswered.field_value("solution").as_deref(),
        Some(solution)
    );
    let not_applied = app
        .post_ticket_form(
            &ticket,
            "solve",
            &[
                ("solution", solution),
                ("fix", "workaround"),
                ("known_error", "K-999"),
            ],
        )
        .await;
    assert_eq!(not_applied.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(not_applied.field_error("known_error").is_some());

    let reference = format!("K-{k}");
    app.post_ticket_form(
        &ticket,
        "solve",
        &[
            ("solution", solution),
            ("fix", "workaround"),
            ("known_error", &reference),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let text = app.get(&ticket).await.text();
    assert!(text.contains(&format!(
        "solved with the workaround from known error K-{k}"
    )));
    assert!(
        !text.contains("Known errors that match"),
        "a solved incident offers no known errors"
    );
    let mails: Vec<String> = db::run(&app.state.pool, |conn| {
        use tierdesk::db::schema::outbox::dsl::*;
        Ok(outbox
            .filter(kind.eq("ticket_solved"))
            .select(text_body)
            .load(conn)?)
    })
    .await
    .unwrap();
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].contains(&format!("This is a workaround for a known error (K-{k})")),
        "{}",
        mails[0]
    );
}

async fn a_permanent_fix_is_the_other_answer_and_says_so(app: TestApp) {
    let (_, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Technician).await;
    let ticket = record_ticket(&app, contact, "Phone handset cracked", "low", "low").await;
    let text = app.get(&ticket).await.text();
    assert!(text.contains("No published known error matches this incident"));
    triage(&app, &ticket, "Phone system").await;
    let tess = user_id(&app, "tech@msp.example").await;
    app.post_ticket_form(
        &ticket,
        "assign",
        &[("tier", "tier1"), ("owner_id", &tess), ("worker_id", &tess)],
    )
    .await
    .assert_redirect_to(&ticket);
    start_work(&app, &ticket).await;
    let page = app.get(&ticket).await;
    assert!(
        !page.body.contains("id=\"fix-workaround\""),
        "no workaround to choose when none was applied"
    );
    let refused = app
        .post_ticket_form(
            &ticket,
            "solve",
            &[
                ("solution", "Replaced the handset with a spare."),
                ("fix", "workaround"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .field_error("fix")
            .unwrap()
            .contains("No known error's workaround was applied")
    );
    app.post_ticket_form(
        &ticket,
        "solve",
        &[
            ("solution", "Replaced the handset with a spare."),
            ("fix", "permanent"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    assert!(app.get(&ticket).await.text().contains("permanent fix"));
}

async fn tier_one_reads_known_errors_tier_two_writes_edits_and_retires_them(app: TestApp) {
    let keeper = signed_in_keeper(&app).await;
    let known = publish(
        &keeper,
        "Teams camera black",
        "The camera shows black in Teams calls.",
        "Close other apps using the camera.",
    )
    .await;
    let k = known_id(&known);

    app.sign_in_as(Role::Technician).await;
    assert_eq!(app.get("/known-errors").await.status, StatusCode::OK);
    assert!(
        app.get(&known)
            .await
            .text()
            .contains("Close other apps using the camera.")
    );
    assert_eq!(
        app.get("/known-errors/new").await.status,
        StatusCode::FORBIDDEN
    );
    let refused = app
        .post_form(
            "/known-errors",
            &[
                ("title", "Mine"),
                ("symptoms", "s"),
                ("cause", "c"),
                ("workaround", "w"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!app.get(&known).await.body.contains("/retire"));

    let blank = keeper.post_form("/known-errors", &[("title", "  ")]).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        blank.field_error("title").as_deref(),
        Some("Enter a title.")
    );
    assert!(blank.field_error("workaround").is_some());

    let edit = |version: &'static str| {
        [
            ("version", version),
            ("title", "Teams camera black"),
            ("symptoms", "The camera shows black in Teams calls."),
            ("cause", "Another app holds the camera."),
            ("workaround", "Close the other app, then rejoin the call."),
            ("category_id", ""),
        ]
    };
    keeper
        .post_form(&known, &edit("1"))
        .await
        .assert_redirect_to(&known);
    let stale = keeper.post_form(&known, &edit("1")).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let search = app.get("/known-errors?q=camera+rejoin").await.text();
    assert!(
        search.contains(&format!("K-{k} Teams camera black")),
        "{search}"
    );

    keeper
        .post_form(&format!("{known}/retire"), &[("version", "2")])
        .await
        .assert_redirect_to(&known);
    let search = app.get("/known-errors?q=camera").await.text();
    assert!(search.contains("Nothing matches"), "{search}");
    assert!(
        app.get("/known-errors?status=retired")
            .await
            .text()
            .contains("Teams camera black")
    );
    let (_, contact) = client_with_contact(&app).await;
    let ticket = record_ticket(&app, contact, "Teams camera black", "low", "low").await;
    assert!(
        !app.get(&ticket)
            .await
            .text()
            .contains("Teams camera black (K-")
    );
    let apply = app
        .post_form(&format!("{ticket}/known-errors/{k}/apply"), &[])
        .await;
    assert_eq!(apply.status, StatusCode::FORBIDDEN);
    assert!(applications(&app, &ticket).await.is_empty());
}

async fn kb_articles_are_written_edited_with_their_history_searched_and_retired(app: TestApp) {
    let keeper = signed_in_keeper(&app).await;
    let created = keeper
        .post_form(
            "/kb",
            &[
                ("title", "Mapping a network drive"),
                (
                    "body",
                    "Open File Explorer, choose Map network drive, pick a letter.",
                ),
                ("category_id", ""),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    let article = created.location.unwrap();
    keeper
        .post_form(
            &article,
            &[
                ("version", "1"),
                ("title", "Mapping a network drive on Windows 11"),
                (
                    "body",
                    "Open File Explorer, choose This PC, then Map network drive.",
                ),
                ("category_id", ""),
            ],
        )
        .await
        .assert_redirect_to(&article);
    let text = keeper.get(&article).await.text();
    assert!(
        text.contains(
            "Version 2: “Mapping a network drive on Windows 11” · Published · Kim Keeper"
        ),
        "{text}"
    );
    assert!(text.contains("Version 1: “Mapping a network drive” · Published · Kim Keeper"));

    app.sign_in_as(Role::Technician).await;
    assert_eq!(app.get("/kb/new").await.status, StatusCode::FORBIDDEN);
    let found = app.get("/kb?q=drive+explorer").await.text();
    assert!(
        found.contains("Mapping a network drive on Windows 11"),
        "{found}"
    );

    keeper
        .post_form(&format!("{article}/retire"), &[("version", "2")])
        .await
        .assert_redirect_to(&article);
    assert!(
        app.get("/kb?q=drive")
            .await
            .text()
            .contains("Nothing matches")
    );
    let text = app.get(&article).await.text();
    assert!(text.contains("This article no longer shows in the search."));
    assert!(
        text.contains("Version 3: “Mapping a network drive on Windows 11” · Retired · Kim Keeper")
    );
}

/// The ticket page remembers an incident's matches; every change to the known errors, through
/// the desk or written straight into the database (as another instance of the desk would),
/// shows on the next view.
async fn the_ticket_pages_matches_follow_every_change_to_the_known_errors(app: TestApp) {
    let keeper = signed_in_keeper(&app).await;
    let (_, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Technician).await;
    let ticket = record_ticket(&app, contact, "Scanner jams on every page", "low", "high").await;
    let none = "No published known error matches this incident";
    assert!(app.get(&ticket).await.text().contains(none));
    // Seen again, from what the page remembered.
    assert!(app.get(&ticket).await.text().contains(none));

    let known = publish(
        &keeper,
        "Scanner jams after the firmware update",
        "The scanner jams on every page since the update.",
        "Roll the firmware back to 4.2.",
    )
    .await;
    let k = known_id(&known);
    let text = app.get(&ticket).await.text();
    assert!(
        text.contains(&format!("K-{k} Scanner jams after the firmware update")),
        "{text}"
    );

    keeper
        .post_form(
            &known,
            &[
                ("version", "1"),
                ("title", "Scanner feeds two pages at once"),
                (
                    "symptoms",
                    "The scanner jams on every page since the update.",
                ),
                ("cause", "The update replaced the vendor driver."),
                ("workaround", "Roll the firmware back to 4.2."),
                ("category_id", ""),
            ],
        )
        .await
        .assert_redirect_to(&known);
    let text = app.get(&ticket).await.text();
    assert!(
        text.contains(&format!("K-{k} Scanner feeds two pages at once")),
        "{text}"
    );
    assert!(!text.contains("Scanner jams after the firmware update"));

    db::run(&app.state.pool, move |conn| {
        use tierdesk::db::schema::known_errors;
        diesel::update(known_errors::table.find(k))
            .set(known_errors::status.eq("retired"))
            .execute(conn)?;
        Ok(())
    })
    .await
    .unwrap();
    let text = app.get(&ticket).await.text();
    assert!(!text.contains("Scanner feeds two pages"), "{text}");
    assert!(text.contains(none));
}

both_backends!(
    a_technician_working_an_incident_applies_a_matching_known_errors_workaround_and_solves_with_it,
    a_permanent_fix_is_the_other_answer_and_says_so,
    tier_one_reads_known_errors_tier_two_writes_edits_and_retires_them,
    kb_articles_are_written_edited_with_their_history_searched_and_retired,
    the_ticket_pages_matches_follow_every_change_to_the_known_errors,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_technician_triaging_an_incident_sees_a_known_error_and_applies_its_workaround_in_a_real_browser()
 {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let keeper = signed_in_keeper(&app).await;
    let k = known_id(
        &publish(
            &keeper,
            "Internet down at the front desk router",
            "The front desk has no internet; the router's lights are amber.",
            "Power-cycle the router, wait two minutes, then renew the DHCP lease.",
        )
        .await,
    );
    let (_, contact) = client_with_contact(&app).await;
    let email = app.sign_in_as(Role::Technician).await;
    let ticket = record_ticket(&app, contact, "Internet down at reception", "low", "high").await;
    let Some(browser) = start_browser().await else {
        return;
    };
    browser.client.goto(&app.url("/login")).await.unwrap();
    browser.sign_in(&email, "Tess Tech password 1").await;
    browser.client.goto(&app.url(&ticket)).await.unwrap();
    let panel = browser
        .client
        .find(Locator::Css("#known-errors"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        panel.contains(&format!("K-{k} Internet down at the front desk router")),
        "{panel}"
    );
    browser.screenshot("known-error-on-ticket").await;
    browser
        .click(Locator::XPath(&format!(
            "//button[.='Apply workaround (K-{k})']"
        )))
        .await;
    browser
        .wait_for(&format!(
            "//p[@class='detail' and starts-with(., 'Workaround from known error K-{k} applied')]"
        ))
        .await;
    let flash = browser
        .client
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(flash.contains(&format!(
        "Workaround from known error K-{k} applied and noted on the timeline."
    )));
    assert_eq!(applications(&app, &ticket).await.len(), 1);
    browser.client.clone().close().await.unwrap();
}
