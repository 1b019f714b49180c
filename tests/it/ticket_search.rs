//! Searching the queues: the words of the search box found through each database's full-text
//! index (every word, as a whole word or the start of one), live tickets only, kept in step as
//! tickets change and end, and the index's own plan on both backends.

use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::db::DbConn;
use tierdesk::domain::account::Role;
use tierdesk::domain::ticket_search::ticket_words;

use crate::fixtures::{client_with_contact, record_ticket, version_of};
use crate::helpers::{Backend, TestApp};

/// The subjects the "all open" queue shows for a search.
async fn found(app: &TestApp, search: &str) -> Vec<String> {
    let page = app
        .get(&format!(
            "/tickets?queue=all&kind=both&q={}",
            search.replace(' ', "+")
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let doc = scraper::Html::parse_document(&page.body);
    // The second cell's link is the subject (the first is the number).
    let link = scraper::Selector::parse("tbody td:nth-child(2) > a:first-child").unwrap();
    let mut subjects: Vec<String> = doc
        .select(&link)
        .map(|a| a.text().collect::<String>().trim().to_string())
        .collect();
    subjects.sort();
    subjects
}

async fn the_queue_search_finds_every_word_as_a_word_or_its_start(app: TestApp) {
    let (_, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Manager).await;
    for subject in [
        "Printer jams on floor 2",
        "Printers need toner",
        "Scanner offline in reception",
        "Blueprint viewer crashes",
    ] {
        record_ticket(&app, contact, subject, "low", "medium").await;
    }
    assert_eq!(
        found(&app, "printer").await,
        ["Printer jams on floor 2", "Printers need toner"]
    );
    assert_eq!(found(&app, "PRINT jam").await, ["Printer jams on floor 2"]);
    // A word's start, never its middle: "print" is not in "blueprint".
    assert!(
        !found(&app, "print")
            .await
            .contains(&"Blueprint viewer crashes".to_string())
    );
    assert_eq!(found(&app, "toner printers").await, ["Printers need toner"]);
    assert!(found(&app, "printer scanner").await.is_empty());
    // Punctuation and query syntax are only separators.
    assert_eq!(
        found(&app, "\"reception\" OR *").await,
        ["Scanner offline in reception"]
    );
}

async fn a_note_makes_a_ticket_findable_and_an_ended_ticket_leaves_the_search(app: TestApp) {
    let (_, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Manager).await;
    let ticket = record_ticket(&app, contact, "VPN drops at night", "low", "medium").await;
    assert!(found(&app, "firmware").await.is_empty());
    let page = app.get(&ticket).await;
    app.post_form(
        &format!("{ticket}/work"),
        &[
            ("version", &version_of(&page)),
            ("entry", "note"),
            ("body", "The router's firmware resets the tunnel at 02:00."),
            ("review", "unchanged"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    assert_eq!(found(&app, "firmware tunnel").await, ["VPN drops at night"]);

    let page = app.get(&ticket).await;
    app.post_form(
        &format!("{ticket}/cancel"),
        &[
            ("version", &version_of(&page)),
            ("reason", "Raised twice by the client."),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    assert!(found(&app, "firmware").await.is_empty());
}

/// The plan of the search itself: SQLite reads the FTS5 index; PostgreSQL the partial GIN index
/// of live tickets (sequential scans priced out, as a test table is too small for the planner
/// to prefer an index on its own).
async fn the_search_reads_the_full_text_index(app: TestApp) {
    let backend = app.backend;
    // SET LOCAL, in a transaction of its own: the pooled connection goes back to the app as
    // it came.
    let plan = db::run(&app.state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            if let DbConn::Postgres(pg) = conn {
                use diesel::RunQueryDsl;
                diesel::sql_query("SET LOCAL enable_seqscan = off").execute(pg)?;
            }
            db::fulltext::live_tickets_plan(conn, &ticket_words("printer jams"), 2_000)
        })
    })
    .await
    .unwrap()
    .join("\n");
    match backend {
        Backend::Sqlite => assert!(
            plan.contains("VIRTUAL TABLE INDEX") && !plan.contains("SCAN tickets "),
            "{plan}"
        ),
        Backend::Postgres => assert!(
            plan.contains("tickets_live_search") && !plan.contains("Seq Scan"),
            "{plan}"
        ),
    }
}

both_backends!(
    the_queue_search_finds_every_word_as_a_word_or_its_start,
    a_note_makes_a_ticket_findable_and_an_ended_ticket_leaves_the_search,
    the_search_reads_the_full_text_index,
);
