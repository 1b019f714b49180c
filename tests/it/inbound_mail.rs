//! Client mail in, on both databases: replies thread onto their tickets (Message-IDs the desk
//! sent, the `[#n]` tag), resume a ticket waiting on the client, reopen a solved one, open a
//! follow-up to a closed one; machines get no answer; strangers wait in the unmatched queue;
//! `tierdesk mailgate` exits 0 once a message is stored and 75 when it cannot be; IMAP against
//! a real Dovecot.

use std::io::Write;
use std::process::{Command, Stdio};

use diesel::prelude::*;
use reqwest::StatusCode;
use tierdesk::config::DatabaseUrl;
use tierdesk::db;
use tierdesk::db::schema::{contacts, inbound_messages, outbox, tickets};
use tierdesk::domain::account::Role;
use tierdesk::domain::ids::{ClientId, ContactId, TicketId};
use tierdesk::domain::ticket::{Action, PendingReason};
use tierdesk::jobs;

use crate::fixtures::{client_with_contact, drain, edit_of, staff_id, walk_to_solved};
use crate::helpers::{TestApp, spawn_app_with};
use crate::imap_server::ImapServer;

const ALICE: &str = "alice@northwind.example";

/// The Message-ID of the last mail the desk queued for a ticket.
async fn last_message_id(app: &TestApp, ticket: TicketId) -> String {
    db::run(&app.state.pool, move |conn| {
        Ok(outbox::table
            .filter(outbox::thread_key.eq(format!("ticket-{ticket}")))
            .order(outbox::id.desc())
            .select(outbox::message_id)
            .first::<String>(conn)?)
    })
    .await
    .unwrap()
}

async fn outbox_count(app: &TestApp, kind: &'static str) -> i64 {
    db::run(&app.state.pool, move |conn| {
        Ok(outbox::table
            .filter(outbox::kind.eq(kind))
            .count()
            .get_result(conn)?)
    })
    .await
    .unwrap()
}

async fn ticket(app: &TestApp, id: TicketId) -> db::tickets::TicketRow {
    db::run(&app.state.pool, move |conn| db::tickets::get(conn, id))
        .await
        .unwrap()
}

fn message(from: &str, subject: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: desk@localhost\r\nSubject: {subject}\r\nMessage-ID: <{}@client.example>\r\n{headers}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        tierdesk::security::random_token().chars().filter(char::is_ascii_alphanumeric).take(20).collect::<String>()
    )
    .into_bytes()
}

fn reply_with_file(in_reply_to: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: Alice Chen <{ALICE}>\r\nTo: desk@localhost\r\nSubject: Re: {subject}\r\n\
Message-ID: <reply-{}@northwind.example>\r\nIn-Reply-To: {in_reply_to}\r\nReferences: {in_reply_to}\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"sep\"\r\n\r\n\
--sep\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
Here is the log you asked for. The printer still says =E2=80=9Cpaper jam=E2=80=9D.\r\n\r\n\
On Tue, 1 Dec 2026 at 10:00, Service desk <desk@localhost> wrote:\r\n> Could you send us the printer log?\r\n\
--sep\r\nContent-Type: text/plain; name=\"printer.log\"\r\nContent-Disposition: attachment; filename=\"printer.log\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nRTEwMiBwYXBlciBqYW0=\r\n--sep--\r\n",
        tierdesk::security::random_token().chars().filter(char::is_ascii_alphanumeric).take(12).collect::<String>()
    )
    .into_bytes()
}

/// Runs `tierdesk mailgate` against the app's database with `raw` on standard input.
fn mailgate(app: &TestApp, database_url: &str, raw: &[u8]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tierdesk"))
        .arg("mailgate")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATA_DIR", app.data_dir.path())
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mailgate starts");
    child.stdin.take().unwrap().write_all(raw).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn database_url(app: &TestApp) -> String {
    match &app.state.config.database_url {
        DatabaseUrl::Sqlite(path) => path.display().to_string(),
        DatabaseUrl::Postgres(url) => url.expose().clone(),
    }
}

/// A client with Alice as contact, and a ticket of hers waiting on her answer.
async fn ticket_waiting_on_alice(app: &TestApp) -> (ClientId, ContactId, TicketId) {
    let (client, contact) = client_with_contact(app).await;
    let email = app.sign_in_as(Role::Manager).await;
    let tech = staff_id(app, &email).await;
    let (mail, now) = (app.state.mail(), app.clock.now());
    let (client, contact) = (ClientId(client), ContactId(contact));
    let id = db::run(&app.state.pool, move |conn| {
        use tierdesk::db::tickets::*;
        let solved = walk_to_solved(conn, tech, client, contact, "Printer jams", &mail, now)?;
        let t = reopen(conn, edit_of(tech, &solved, now), "Still jams")?.unwrap();
        let started = WorkInput {
            entry: tierdesk::domain::work::WorkEntry::Note,
            body: "Looking at it again.".into(),
            action: Some(Action::StartWork),
            category: None,
            review: tierdesk::domain::work::Review::Changed,
        };
        let t = work(conn, edit_of(tech, &t, now), &started, &mail)?.unwrap();
        let asked = WorkInput {
            entry: tierdesk::domain::work::WorkEntry::Reply,
            body: "Could you send us the printer log?".into(),
            action: Some(Action::Pend(PendingReason::ClientInput)),
            category: None,
            review: tierdesk::domain::work::Review::Changed,
        };
        Ok(work(conn, edit_of(tech, &t, now), &asked, &mail)?
            .unwrap()
            .id)
    })
    .await
    .unwrap();
    (client, contact, id)
}

async fn a_reply_by_mailgate_lands_on_its_ticket_with_its_file_and_resumes_the_clock(app: TestApp) {
    let (_, _, id) = ticket_waiting_on_alice(&app).await;
    assert_eq!(ticket(&app, id).await.status.as_str(), "pending_client");
    let parent = last_message_id(&app, id).await;
    let (code, out) = mailgate(
        &app,
        &database_url(&app),
        &reply_with_file(&parent, "[#1] Printer jams"),
    );
    assert_eq!(code, 0, "{out}");
    let after = ticket(&app, id).await;
    assert_eq!(
        after.status.as_str(),
        "in_progress",
        "the client's answer resumes the ticket"
    );
    let page = app.get(&format!("/tickets/{id}")).await.text();
    assert!(page.contains("Message from the client"), "{page}");
    assert!(
        page.contains("The printer still says “paper jam”."),
        "{page}"
    );
    assert!(
        !page.contains("desk@localhost> wrote:"),
        "the quoted history is not on the timeline: {page}"
    );
    assert!(
        page.contains("printer.log"),
        "the attachment is kept: {page}"
    );
    assert!(page.contains(".eml"), "the whole message is kept: {page}");
    assert!(page.contains("the clock runs again"), "{page}");
    assert_eq!(
        outbox_count(&app, "message_added").await,
        1,
        "the client hears once"
    );
    // A second message within the hour is added but not acknowledged again.
    let (code, out) = mailgate(
        &app,
        &database_url(&app),
        &reply_with_file(&parent, "[#1] Printer jams"),
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(outbox_count(&app, "message_added").await, 1);
    app.clock.advance(chrono::Duration::minutes(61));
    let (code, _) = mailgate(
        &app,
        &database_url(&app),
        &reply_with_file(&parent, "[#1] Printer jams"),
    );
    assert_eq!(code, 0);
    assert_eq!(
        outbox_count(&app, "message_added").await,
        1,
        "mailgate runs on the real clock"
    );
}

async fn the_same_message_twice_is_stored_and_processed_once(app: TestApp) {
    let (_, _, id) = ticket_waiting_on_alice(&app).await;
    let raw = reply_with_file(&last_message_id(&app, id).await, "x");
    for _ in 0..2 {
        let (code, out) = mailgate(&app, &database_url(&app), &raw);
        assert_eq!(code, 0, "{out}");
    }
    let (stored, events) = db::run(&app.state.pool, move |conn| {
        let stored: i64 = inbound_messages::table.count().get_result(conn)?;
        let events = db::timeline::events_of(conn, id)?
            .into_iter()
            .filter(|e| e.kind == tierdesk::domain::timeline::EventKind::ClientMessage)
            .count();
        Ok((stored, events))
    })
    .await
    .unwrap();
    assert_eq!((stored, events), (1, 1));
}

async fn mail_threads_by_tag_reopens_solved_and_follows_up_closed(app: TestApp) {
    let (client, contact) = client_with_contact(&app).await;
    let email = app.sign_in_as(Role::Manager).await;
    let tech = staff_id(&app, &email).await;
    let (mail, now) = (app.state.mail(), app.clock.now());
    let (client, contact) = (ClientId(client), ContactId(contact));
    let solved = db::run(&app.state.pool, move |conn| {
        walk_to_solved(conn, tech, client, contact, "VPN drops", &mail, now)
    })
    .await
    .unwrap();
    // The subject's tag alone threads a reply from a contact of the ticket's client.
    let raw = message(
        &format!("Alice <{ALICE}>"),
        &format!("AW: [#{}] Solved: VPN drops", solved.id),
        "",
        "It dropped again this morning.",
    );
    db_store_and_drain(&app, &raw).await;
    let after = ticket(&app, solved.id).await;
    assert_eq!(
        after.status.as_str(),
        "reopened",
        "inside the window a reply reopens"
    );
    assert_eq!(after.reopen_count, 1);
    // Once closed, a reply opens a follow-up linked to the old ticket.
    let (mail, now) = (app.state.mail(), app.clock.now());
    let closed = db::run(&app.state.pool, move |conn| {
        walk_to_solved(conn, tech, client, contact, "Mail quota", &mail, now)
    })
    .await
    .unwrap();
    app.clock.advance(chrono::Duration::days(2));
    drain(&app).await;
    assert_eq!(ticket(&app, closed.id).await.status.as_str(), "closed");
    let raw = message(
        &format!("Alice <{ALICE}>"),
        &format!("Re: [#{}] Solved: Mail quota", closed.id),
        "",
        "Full again.",
    );
    db_store_and_drain(&app, &raw).await;
    let old = closed.id.0;
    let follow_up = db::run(&app.state.pool, move |conn| {
        Ok(tickets::table
            .filter(tickets::follow_up_of.eq(old))
            .select((tickets::id, tickets::subject, tickets::channel))
            .first::<(i64, String, String)>(conn)?)
    })
    .await
    .unwrap();
    assert_eq!(
        (follow_up.1.as_str(), follow_up.2.as_str()),
        ("Solved: Mail quota", "email")
    );
    // The closed ticket says where the conversation went.
    let closed_id = closed.id;
    let details = db::run(&app.state.pool, move |conn| {
        Ok(db::timeline::events_of(conn, closed_id)?
            .into_iter()
            .map(|e| e.detail)
            .collect::<Vec<_>>())
    })
    .await
    .unwrap();
    let pointer = format!("follow-up #{} opened", follow_up.0);
    assert!(details.iter().any(|d| d.contains(&pointer)), "{details:?}");
}

async fn db_store_and_drain(app: &TestApp, raw: &[u8]) {
    let (raw, now) = (raw.to_vec(), app.clock.now());
    db::run(&app.state.pool, move |conn| {
        db::inbound::store(conn, &raw, db::inbound::Source::Mailgate, now)
    })
    .await
    .unwrap();
    let report = drain(app).await;
    assert!(
        report.get(jobs::receive_mail::NAME, jobs::receive_mail::PROCESSED) >= 1,
        "{report}"
    );
}

async fn strangers_wait_unmatched_and_colleagues_become_unvalidated_contacts(app: TestApp) {
    let (client, _) = client_with_contact(&app).await;
    app.sign_in_as(Role::Manager).await;
    let raw = message(
        "Mallory <mallory@elsewhere.example>",
        "Please reset the CEO's password",
        "",
        "Urgent!",
    );
    db_store_and_drain(&app, &raw).await;
    let queue = app.get("/mail/inbound").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(
        queue.text().contains("mallory@elsewhere.example"),
        "{}",
        queue.text()
    );
    // The client says its staff write from northwind.example.
    app.post_client(
        &format!("/clients/{client}"),
        &[
            ("name", "Northwind Dental"),
            ("code", "NWD"),
            ("active", "on"),
            ("mail_domains", "@Northwind.example"),
        ],
    )
    .await
    .assert_redirect_to(&format!("/clients/{client}"));
    let raw = message(
        "Bob Byte <bob@northwind.example>",
        "Scanner offline",
        "",
        "The scanner in room 2 is offline.",
    );
    db_store_and_drain(&app, &raw).await;
    let (validated, ticket_subject, identity) = db::run(&app.state.pool, |conn| {
        let validated: bool = contacts::table
            .filter(contacts::email.eq("bob@northwind.example"))
            .select(contacts::identity_validated)
            .first(conn)?;
        let (subject, identity): (String, String) = tickets::table
            .order(tickets::id.desc())
            .select((tickets::subject, tickets::identity_check))
            .first(conn)?;
        Ok((validated, subject, identity))
    })
    .await
    .unwrap();
    assert!(!validated, "a sender added from mail is not validated");
    let client_page = app.get(&format!("/clients/{client}")).await.text();
    assert!(
        client_page.contains("Bob Byte") && client_page.contains("identity not validated"),
        "{client_page}"
    );
    assert_eq!(
        (ticket_subject.as_str(), identity.as_str()),
        ("Scanner offline", "not_validated")
    );
    // Staff place the stranger's message on a ticket, and discard nothing silently.
    let id: i64 = db::run(&app.state.pool, |conn| {
        Ok(inbound_messages::table
            .filter(inbound_messages::state.eq("unmatched"))
            .select(inbound_messages::id)
            .first(conn)?)
    })
    .await
    .unwrap();
    let refused = app
        .post_form(&format!("/mail/inbound/{id}/discard"), &[("reason", " ")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let placed = app
        .post_form(
            &format!("/mail/inbound/{id}/new-ticket"),
            &[("client", &client.to_string())],
        )
        .await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.text());
    let ticket_page = app.get(placed.location.as_deref().unwrap()).await.text();
    assert!(
        ticket_page.contains("Please reset the CEO"),
        "{ticket_page}"
    );
    let again = app
        .post_form(
            &format!("/mail/inbound/{id}/discard"),
            &[("reason", "spam")],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "a placed message cannot be discarded"
    );
}

async fn machines_get_no_answer_and_our_own_mail_is_ignored(app: TestApp) {
    let (_, _, id) = ticket_waiting_on_alice(&app).await;
    let parent = last_message_id(&app, id).await;
    let received_before = outbox_count(&app, "ticket_received").await;
    let out_of_office = message(
        &format!("Alice <{ALICE}>"),
        "Automatic reply: Printer jams",
        &format!("In-Reply-To: {parent}\r\nAuto-Submitted: auto-replied\r\n"),
        "I am out of the office until Monday.",
    );
    db_store_and_drain(&app, &out_of_office).await;
    assert_eq!(
        outbox_count(&app, "message_added").await,
        0,
        "no acknowledgement to an auto-reply"
    );
    assert_eq!(
        ticket(&app, id).await.status.as_str(),
        "pending_client",
        "an auto-reply does not resume"
    );
    let bulk = message(
        &format!("Alice <{ALICE}>"),
        "Newsletter",
        "Precedence: bulk\r\n",
        "News.",
    );
    db_store_and_drain(&app, &bulk).await;
    assert_eq!(
        outbox_count(&app, "ticket_received").await,
        received_before,
        "no acknowledgement to bulk mail"
    );
    let own = message(
        "tierdesk <desk@localhost>",
        "[#1] We have your request",
        "",
        "loop?",
    );
    db_store_and_drain(&app, &own).await;
    let states = db::run(&app.state.pool, |conn| {
        Ok(inbound_messages::table
            .order(inbound_messages::id)
            .select(inbound_messages::state)
            .load::<String>(conn)?)
    })
    .await
    .unwrap();
    assert_eq!(states, vec!["processed", "processed", "ignored"]);
    let bounce = message(
        "MAILER-DAEMON@mx.northwind.example",
        "Undelivered Mail Returned to Sender",
        &format!("In-Reply-To: {parent}\r\n"),
        "550 mailbox full",
    );
    db_store_and_drain(&app, &bounce).await;
    let page = app.get(&format!("/tickets/{id}")).await.text();
    assert!(page.contains("could not be delivered"), "{page}");
}

async fn mailgate_stores_a_malformed_message_as_unmatched(app: TestApp) {
    app.sign_in_as(Role::Technician).await;
    let (code, out) = mailgate(
        &app,
        &database_url(&app),
        b"this is not\x00 an e-mail\xff at all",
    );
    assert_eq!(code, 0, "{out}");
    let page = app.get("/mail/inbound").await.text();
    assert!(
        page.contains("no sender address") || page.contains("could not be read"),
        "{page}"
    );
}

both_backends!(
    a_reply_by_mailgate_lands_on_its_ticket_with_its_file_and_resumes_the_clock,
    the_same_message_twice_is_stored_and_processed_once,
    mail_threads_by_tag_reopens_solved_and_follows_up_closed,
    strangers_wait_unmatched_and_colleagues_become_unvalidated_contacts,
    machines_get_no_answer_and_our_own_mail_is_ignored,
    mailgate_stores_a_malformed_message_as_unmatched,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mailgate_with_the_database_down_exits_75_and_stores_nothing() {
    let Some(app) = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await else {
        return;
    };
    let (code, out) = mailgate(
        &app,
        "postgres://postgres@127.0.0.1:9/nowhere",
        &message(ALICE, "x", "", "y"),
    );
    assert_eq!(code, 75, "{out}");
    let stored: i64 = db::run(&app.state.pool, |conn| {
        Ok(inbound_messages::table.count().get_result(conn)?)
    })
    .await
    .unwrap();
    assert_eq!(stored, 0);
}

async fn imap_round_trip(backend: crate::helpers::Backend) {
    let Some(mut imap) = ImapServer::start().await else {
        return;
    };
    let Some(app) = spawn_app_with(backend, &[("IMAP_URL", &imap.url())]).await else {
        return;
    };
    let (_, _, id) = ticket_waiting_on_alice(&app).await;
    let parent = last_message_id(&app, id).await;
    imap.deliver(&reply_with_file(&parent, "Printer jams"));
    let report = drain(&app).await;
    assert_eq!(
        report.get(jobs::receive_mail::NAME, jobs::receive_mail::FETCHED),
        1,
        "{report}"
    );
    assert_eq!(
        ticket(&app, id).await.status.as_str(),
        "in_progress",
        "the clock resumed"
    );
    let page = app.get(&format!("/tickets/{id}")).await.text();
    assert!(page.contains("printer.log"), "{page}");
    // Flagged on the server once stored: the next pass fetches nothing.
    let report = drain(&app).await;
    assert_eq!(
        report.get(jobs::receive_mail::NAME, jobs::receive_mail::FETCHED),
        0,
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imap_round_trip_sqlite() {
    imap_round_trip(crate::helpers::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imap_round_trip_postgres() {
    imap_round_trip(crate::helpers::Backend::Postgres).await;
}
