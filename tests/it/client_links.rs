//! Links for client contacts: bound to one purpose and one record, stored only as a hash,
//! refused plainly when expired, used, misdirected or forged.

use actix_web::body::MessageBody;
use chrono::Duration;
use diesel::prelude::*;
use tierdesk::db::client_links::{
    self, LinkProblem, LinkPurpose, LinkRow, LinkSubject, SubjectKind,
};
use tierdesk::db::{self, DbConn};
use tierdesk::security::{random_token, token_hash};
use tierdesk::web::links::problem_page;

use reqwest::StatusCode;
use tierdesk::domain::account::Role;
use tierdesk::domain::ids::{ClientId, ContactId};

use crate::fixtures::{client_with_contact, drain, staff_id, walk_to_solved};
use crate::helpers::TestApp;

async fn issue(app: &TestApp, purpose: LinkPurpose, subject: LinkSubject, ttl: Duration) -> String {
    let now = app.clock.now();
    db::run(&app.state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            client_links::issue(conn, purpose, subject, ttl, now)
        })
    })
    .await
    .unwrap()
}

async fn check(app: &TestApp, token: &str, purpose: LinkPurpose) -> Result<LinkRow, LinkProblem> {
    let now = app.clock.now();
    let token = token.to_string();
    db::run(&app.state.pool, move |conn| {
        client_links::check(conn, &token, purpose, now)
    })
    .await
    .unwrap()
}

async fn all_links(app: &TestApp) -> Vec<LinkRow> {
    db::run(&app.state.pool, |conn: &mut DbConn| {
        use tierdesk::db::schema::client_links::dsl::*;
        Ok(client_links.select(LinkRow::as_select()).load(conn)?)
    })
    .await
    .unwrap()
}

async fn an_issued_link_works_once_for_its_purpose_and_only_its_hash_is_stored(app: TestApp) {
    let token = issue(
        &app,
        LinkPurpose::Reopen,
        LinkSubject::ticket(42),
        Duration::days(7),
    )
    .await;
    assert!(token.len() >= 22, "at least 128 bits");

    let row = check(&app, &token, LinkPurpose::Reopen).await.unwrap();
    assert_eq!(row.subject(), Some(LinkSubject::ticket(42)));
    assert_eq!(row.subject().unwrap().kind, SubjectKind::Ticket);
    assert_eq!(row.purpose, "reopen");
    assert_eq!(row.expires_at - row.created_at, Duration::days(7));

    let rows = all_links(&app).await;
    assert_eq!(rows.len(), 1);
    let stored = &rows[0];
    assert_eq!(stored.token_hash, token_hash(&token));
    let text_columns = [&stored.token_hash, &stored.purpose, &stored.subject_kind];
    assert!(
        text_columns.iter().all(|c| !c.contains(&token)),
        "the raw token is nowhere in the table"
    );

    // Two submissions at once: exactly one uses the link.
    let (id, now) = (row.id(), app.clock.now());
    let pool = app.state.pool.clone();
    let (a, b) = tokio::join!(
        db::run(&app.state.pool, move |conn| client_links::mark_used(
            conn, id, now
        )),
        db::run(&pool, move |conn| client_links::mark_used(conn, id, now)),
    );
    assert_eq!(
        [a.unwrap(), b.unwrap()]
            .iter()
            .filter(|used| **used)
            .count(),
        1
    );
    assert_eq!(
        check(&app, &token, LinkPurpose::Reopen).await.unwrap_err(),
        LinkProblem::Used
    );
}

async fn expired_misdirected_and_forged_links_are_refused_with_the_right_problem(app: TestApp) {
    let survey = issue(
        &app,
        LinkPurpose::Survey,
        LinkSubject::ticket(7),
        Duration::days(30),
    )
    .await;
    let risk = issue(
        &app,
        LinkPurpose::RiskAcknowledgement,
        LinkSubject::risk(3),
        Duration::days(30),
    )
    .await;

    assert_eq!(
        check(&app, &survey, LinkPurpose::Reopen).await.unwrap_err(),
        LinkProblem::WrongPurpose
    );
    assert_eq!(
        check(&app, &risk, LinkPurpose::RiskAcceptance)
            .await
            .unwrap_err(),
        LinkProblem::WrongPurpose
    );

    let mut tampered: Vec<char> = survey.chars().collect();
    tampered[10] = if tampered[10] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    for forged in [
        tampered.as_str(),
        &survey[..survey.len() - 1],
        &format!("{survey}A"),
        "",
        &random_token(),
        &token_hash(&survey),
    ] {
        assert_eq!(
            check(&app, forged, LinkPurpose::Survey).await.unwrap_err(),
            LinkProblem::Unknown,
            "{forged:?}"
        );
    }

    app.clock.advance(Duration::days(30) - Duration::seconds(1));
    assert!(check(&app, &survey, LinkPurpose::Survey).await.is_ok());
    app.clock.advance(Duration::seconds(1));
    assert_eq!(
        check(&app, &survey, LinkPurpose::Survey).await.unwrap_err(),
        LinkProblem::Expired
    );

    // A link whose purpose is about another kind of record is a programming error.
    let now = app.clock.now();
    let mismatched = db::run(&app.state.pool, move |conn| {
        client_links::issue(
            conn,
            LinkPurpose::RiskAcceptance,
            LinkSubject::ticket(1),
            Duration::days(1),
            now,
        )
    })
    .await;
    assert!(mismatched.is_err());
    assert_eq!(all_links(&app).await.len(), 2);
}

#[test]
fn the_link_problem_page_explains_each_problem_and_reveals_nothing() {
    for (problem, status, words) in [
        (LinkProblem::Unknown, 404, "This link does not work"),
        (LinkProblem::Expired, 410, "This link has expired"),
        (LinkProblem::Used, 410, "This link has already been used"),
        (
            LinkProblem::WrongPurpose,
            404,
            "This link belongs to another page",
        ),
    ] {
        let response = problem_page(problem, "call +1 555 0100").unwrap();
        assert_eq!(response.status().as_u16(), status, "{problem:?}");
        let body = response.into_body().try_into_bytes().unwrap();
        let html = String::from_utf8(body.to_vec()).unwrap();
        assert!(html.contains(words), "{problem:?}: {html}");
        assert!(html.contains("noindex"));
        assert!(
            html.contains("To reach the service desk, call +1 555 0100"),
            "{problem:?} gives the desk's contact line: {html}"
        );
        for staff_only in ["/login", "Sign out", "/clients", "csrf_token", "ticket"] {
            assert!(!html.contains(staff_only), "{problem:?} shows {staff_only}");
        }
    }
}

/// A reopen link's page says what is true of its ticket and its token, each time with the
/// desk's contact line: open again, closed, already used, expired, unknown.
async fn reopen_link_pages_say_what_is_true_with_the_desk_contact(app: TestApp) {
    let (client, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Technician).await;
    let tech = staff_id(&app, "tech@msp.example").await;
    let mail = app.state.mail();
    let now = app.clock.now();
    let ticket = db::run(&app.state.pool, move |conn| {
        walk_to_solved(
            conn,
            tech,
            ClientId(client),
            ContactId(contact),
            "Printer offline",
            &mail,
            now,
        )
    })
    .await
    .unwrap();
    let subject = LinkSubject::ticket(ticket.id.0);
    let fresh = || issue(&app, LinkPurpose::Reopen, subject, Duration::days(7));
    let client = app.another_browser();
    let contact_line = format!(
        "To reach the service desk, {}",
        app.state.config.desk_contact
    );
    let page_of = |token: String| {
        let client = &client;
        async move { client.get(&format!("/reopen/{token}")).await }
    };

    let usable = page_of(fresh().await).await;
    assert_eq!(usable.status, StatusCode::OK, "{}", usable.text());

    let used = fresh().await;
    let row = check(&app, &used, LinkPurpose::Reopen).await.unwrap();
    let (id, at) = (row.id(), app.clock.now());
    db::run(&app.state.pool, move |conn| {
        client_links::mark_used(conn, id, at)
    })
    .await
    .unwrap();
    let expiring = fresh().await;

    // A link that ran out while its ticket is still solved has simply expired.
    let short = issue(&app, LinkPurpose::Reopen, subject, Duration::minutes(1)).await;
    app.clock.advance(Duration::minutes(2));
    let timed_out = page_of(short).await;
    assert_eq!(timed_out.status.as_u16(), 410, "{}", timed_out.text());
    assert!(
        timed_out.text().contains("This link has expired"),
        "{}",
        timed_out.text()
    );
    assert!(timed_out.text().contains(&contact_line));

    // The auto-close job, with a desk window shorter than the link's life.
    let (mail, at) = (app.state.mail(), app.clock.now());
    let closed = db::run(&app.state.pool, move |conn| {
        db::tickets::close_solved(conn, Duration::zero(), 10, &mail, at)
    })
    .await
    .unwrap();
    assert_eq!(closed.len(), 1);
    let unused = fresh().await;
    app.clock.advance(Duration::days(8));
    let still_good = fresh().await;
    for (token, status, words) in [
        (still_good, 410, "This ticket is closed"),
        (used, 410, "This link has already been used"),
        // Expired with the reopen period: the client reads that the ticket is closed.
        (expiring, 410, "This ticket is closed"),
        (
            unused.chars().rev().collect(),
            404,
            "This link does not work",
        ),
    ] {
        let page = page_of(token).await;
        assert_eq!(page.status.as_u16(), status, "{words}: {}", page.text());
        assert!(page.text().contains(words), "{words}: {}", page.text());
        assert!(
            page.text().contains(&contact_line),
            "{words}: {}",
            page.text()
        );
    }
    drain(&app).await;
}

#[test]
fn a_good_reopen_link_on_a_ticket_that_is_not_solved_says_why() {
    for (problem, words) in [
        (LinkProblem::TicketClosed, "This ticket is closed"),
        (LinkProblem::TicketOpen, "This ticket is already open again"),
    ] {
        let response = problem_page(problem, "call +1 555 0100").unwrap();
        assert_eq!(response.status().as_u16(), 410, "{problem:?}");
        let body = response.into_body().try_into_bytes().unwrap();
        let html = String::from_utf8(body.to_vec()).unwrap();
        assert!(html.contains(words), "{problem:?}: {html}");
        assert!(html.contains("To reach the service desk, call +1 555 0100"));
    }
}

both_backends!(
    reopen_link_pages_say_what_is_true_with_the_desk_contact,
    an_issued_link_works_once_for_its_purpose_and_only_its_hash_is_stored,
    expired_misdirected_and_forged_links_are_refused_with_the_right_problem,
);
