//! Set-up shared by the area files: a client with a contact, a recorded ticket, a ticket
//! walked to solved, and the small look-ups (ids, versions, rows) the scenarios assert with.
//! Area files take their fixtures from here only, never from each other.

use chrono::Utc;
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::domain::account::{Role, Tier};
use tierdesk::domain::ids::{TicketId, UserId};
use tierdesk::jobs::{self, JobReport};

use crate::helpers::{Page, TestApp};

/// A client on the standard calendar (Mon–Fri 07:00–18:00 UTC) with one contact.
pub async fn client_with_contact(app: &TestApp) -> (i64, i64) {
    let manager = app.another_browser();
    manager
        .create_user("setup@msp.example", "Sam Setup", Role::Manager, None)
        .await;
    manager
        .login("setup@msp.example", "Sam Setup password 1")
        .await;
    let client = manager
        .post_client(
            "/clients",
            &[
                ("name", "Northwind Dental"),
                ("code", "NWD"),
                ("active", "on"),
            ],
        )
        .await
        .location
        .unwrap();
    manager
        .post_form(
            &format!("{client}/contacts"),
            &[
                ("name", "Alice Chen"),
                ("email", "alice@northwind.example"),
                ("phone", "+1 555 0101 200"),
                ("active", "on"),
            ],
        )
        .await
        .assert_redirect_to(&client);
    db::run(&app.state.pool, |conn| {
        let client = db::clients::list(conn, true)?.remove(0).client;
        let contact = db::clients::contacts_of(conn, client.id())?.remove(0);
        Ok((client.id, contact.id))
    })
    .await
    .unwrap()
}

/// Records an incident for `contact` through the intake form; returns the ticket's path.
pub async fn record_ticket(
    app: &TestApp,
    contact: i64,
    subject: &str,
    impact: &str,
    urgency: &str,
) -> String {
    let requester = format!("contact:{contact}");
    let page = app
        .post_form(
            "/tickets",
            &[
                ("kind", "incident"),
                ("requester", &requester),
                ("details_confirmed", "on"),
                ("identity_check", "call_back"),
                ("identity_evidence", "+1 555 0101 200"),
                ("channel", "phone"),
                ("subject", subject),
                (
                    "description",
                    "The internet is down at the front desk since 9:40.",
                ),
                ("impact", impact),
                ("urgency", urgency),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    page.location.unwrap()
}

/// The edit a command is given: `actor` changes `ticket` as it stands, at `now`.
pub fn edit_of(
    actor: UserId,
    ticket: &db::tickets::TicketRow,
    now: chrono::DateTime<Utc>,
) -> db::tickets::TicketEdit {
    db::tickets::TicketEdit {
        actor,
        ticket: ticket.id,
        version: ticket.version,
        now,
    }
}

/// The demo desk `seed-demo` makes, seeded at the test clock's now.
pub async fn seed_demo_desk(app: &TestApp) -> tierdesk::seed::SeedReport {
    let (now, mail) = (app.clock.now(), app.state.mail());
    db::run(&app.state.pool, move |conn| {
        tierdesk::seed::seed_demo(conn, &mail, now).map_err(tierdesk::error::AppError::Internal)
    })
    .await
    .unwrap()
}

/// A low-impact incident a contact reported on the phone, identity checked by call-back.
pub fn phone_incident(
    client: tierdesk::domain::ids::ClientId,
    contact: tierdesk::domain::ids::ContactId,
    subject: &str,
) -> db::tickets::IntakeInput {
    use tierdesk::domain::priority::{Impact, Urgency};
    use tierdesk::domain::ticket::{Channel, IdentityCheck, Kind};
    db::tickets::IntakeInput {
        kind: Kind::Incident,
        client,
        requester: db::tickets::Requester::Existing(contact),
        subject: subject.into(),
        description: "Reported on the phone.".into(),
        channel: Channel::Phone,
        identity: IdentityCheck::CallBack,
        identity_detail: String::new(),
        impact: Impact::Low,
        urgency: Urgency::Low,
    }
}

/// Records a ticket and works it to solved through the commands: set-up for tests about what
/// follows (mail, surveys), not the behaviour under test.
pub fn walk_to_solved(
    conn: &mut tierdesk::db::DbConn,
    tech: tierdesk::domain::ids::UserId,
    client: tierdesk::domain::ids::ClientId,
    contact: tierdesk::domain::ids::ContactId,
    subject: &str,
    mail: &tierdesk::mail::messages::MailContext,
    now: chrono::DateTime<Utc>,
) -> tierdesk::error::AppResult<db::tickets::TicketRow> {
    use tierdesk::db::tickets::*;
    use tierdesk::domain::ids::CategoryId;
    use tierdesk::domain::priority::{Impact, Urgency};
    use tierdesk::domain::ticket::Action;
    use tierdesk::domain::work::WorkEntry;
    let t = create(
        conn,
        tech,
        &phone_incident(client, contact, subject),
        mail,
        now,
    )?
    .unwrap();
    // Triage needs a category; 1 is "Network", seeded by the tickets migration.
    let triaged = TriageInput {
        impact: Impact::Low,
        urgency: Urgency::Low,
        category: Some(CategoryId(1)),
        subcategory: None,
        affected_service: String::new(),
    };
    let t = triage(conn, edit_of(tech, &t, now), &triaged, mail)?.unwrap();
    let assigned = AssignInput {
        tier: Tier::Tier1,
        owner: Some(tech),
        worker: Some(tech),
    };
    let t = assign(conn, edit_of(tech, &t, now), &assigned)?.unwrap();
    let worked = WorkInput {
        entry: WorkEntry::Call,
        body: "Talked it through with the caller.".into(),
        action: Some(Action::StartWork),
        category: None,
        review: tierdesk::domain::work::Review::Changed,
    };
    let t = work(conn, edit_of(tech, &t, now), &worked, mail)?.unwrap();
    let solved = SolveInput {
        solution: "Reset the device to factory settings and set it up again.".into(),
        publish_to_kb: false,
        kb_title: String::new(),
        fix: "permanent".into(),
        known_error: String::new(),
    };
    Ok(solve(conn, edit_of(tech, &t, now), &solved, mail)?.unwrap())
}

/// The row version a ticket form carries, for the optimistic-lock guard.
pub fn version_of(page: &Page) -> String {
    page.field_value("version").expect("a version field")
}

/// A staff account's id.
pub async fn staff_id(app: &TestApp, email: &str) -> UserId {
    let email = tierdesk::domain::inputs::EmailAddress::parse(email).unwrap();
    db::run(&app.state.pool, move |conn| {
        Ok(db::users::find_by_email(conn, &email)?.unwrap().id())
    })
    .await
    .unwrap()
}

/// A staff account's id, as a form field or URL takes it.
pub async fn user_id(app: &TestApp, email: &str) -> String {
    staff_id(app, email).await.0.to_string()
}

/// The ticket's id from its page path (`/tickets/42`).
pub fn ticket_id(path: &str) -> TicketId {
    TicketId(path.rsplit('/').next().unwrap().parse().unwrap())
}

/// The stored ticket behind a ticket page path.
pub async fn ticket_row(app: &TestApp, path: &str) -> db::tickets::TicketRow {
    let id = ticket_id(path);
    db::run(&app.state.pool, move |conn| db::tickets::get(conn, id))
        .await
        .unwrap()
}

/// Runs one pass of the desk's background work, as the periodic loop would.
pub async fn drain(app: &TestApp) -> JobReport {
    jobs::run_once(&app.jobs).await.expect("the jobs run")
}

/// The id of the ladder level with this name, as a form sends it.
pub async fn level_id(app: &TestApp, name: &'static str) -> String {
    db::run(&app.state.pool, move |conn| {
        let ladder = db::escalation::load_ladder(conn)?;
        Ok(ladder.levels().iter().find(|l| l.name == name).unwrap().id)
    })
    .await
    .unwrap()
    .to_string()
}

/// The id of the top-level category with this name, as a form sends it.
pub async fn category_id(app: &TestApp, name: &'static str) -> String {
    db::run(&app.state.pool, move |conn| {
        Ok(db::categories::list_categories(conn)?
            .into_iter()
            .find(|c| c.name == name && c.parent_id.is_none())
            .unwrap()
            .id)
    })
    .await
    .unwrap()
    .to_string()
}

/// Staff notices queued so far, as (address, subject).
pub async fn staff_notices(app: &TestApp) -> Vec<(String, String)> {
    db::run(&app.state.pool, |conn| {
        use diesel::prelude::*;
        use tierdesk::db::schema::outbox::dsl::*;
        Ok(outbox
            .filter(kind.eq("staff_notice"))
            .order(id.asc())
            .select((to_address, subject))
            .load(conn)?)
    })
    .await
    .unwrap()
}

/// Triages `ticket` as a high-impact, medium-urgency Network incident on `affected`, gives it
/// to Tess at tier 1 and starts work with `note`: where escalation and change stories begin.
/// The app's browser must be signed in as someone who may assign (Tess herself will do).
pub async fn network_ticket_in_progress(app: &TestApp, ticket: &str, affected: &str, note: &str) {
    let network = category_id(app, "Network").await;
    app.post_ticket_form(
        ticket,
        "triage",
        &[
            ("impact", "high"),
            ("urgency", "medium"),
            ("category_id", &network),
            ("affected_service", affected),
        ],
    )
    .await
    .assert_redirect_to(ticket);
    let tess = user_id(app, "tech@msp.example").await;
    app.post_ticket_form(
        ticket,
        "assign",
        &[("tier", "tier1"), ("owner_id", &tess), ("worker_id", &tess)],
    )
    .await
    .assert_redirect_to(ticket);
    app.post_ticket_form(
        ticket,
        "work",
        &[
            ("entry", "note"),
            ("body", note),
            ("next", "start_work"),
            ("review", "changed"),
        ],
    )
    .await
    .assert_redirect_to(ticket);
}

/// The clock at 2 December 2026 and a client (with a contact) whose hosted imaging archive
/// (99.9 %) was down for 30 unplanned minutes on 5 November: the monthly report's set-up.
pub async fn client_with_a_november_outage(app: &TestApp) -> (i64, i64) {
    use chrono::{Duration, NaiveDate, TimeZone};
    use tierdesk::domain::ids::ClientId;
    use tierdesk::domain::uptime::{EffectiveRule, Guarantee};
    use tierdesk::domain::uptime_input::{OutageInput, ServiceInput};
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap());
    let (client, contact) = client_with_contact(app).await;
    let setup = staff_id(app, "setup@msp.example").await;
    let now = app.clock.now();
    db::run(&app.state.pool, move |conn| {
        let service = db::uptime::create(
            conn,
            setup,
            ClientId(client),
            ServiceInput {
                name: "Hosted imaging archive".into(),
                covers: String::new(),
                guarantee: Guarantee::parse("99.9").unwrap(),
                contract_start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                rule: EffectiveRule::AfterDays(0),
                planned_counts: false,
            },
            now,
        )?
        .unwrap();
        let start = Utc.with_ymd_and_hms(2026, 11, 5, 10, 0, 0).unwrap();
        let input = OutageInput {
            start,
            end: Some(start + Duration::minutes(30)),
            planned: false,
            note: "Storage controller failover.".into(),
        };
        db::uptime::outages::open(conn, setup, service.id, input, None, now)?.unwrap();
        Ok(())
    })
    .await
    .unwrap();
    (client, contact)
}
