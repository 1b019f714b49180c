//! Manager reports over HTTP against a set of incidents whose numbers are known (worked through
//! the ticket commands at chosen instants, escalations as history rows): the SLA report with its
//! met / met late / breached counts and hand-computed percentiles, reopened tickets, escalations,
//! first-level resolution and resolved incidents; every CSV parsed back; the business-minutes
//! backfill; and who may read reports.

use chrono::{DateTime, Duration, TimeZone, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::db::reports::ReportFilter;
use tierdesk::db::reports::sla_figures::{Clock, Percentiles, percentiles};
use tierdesk::db::schema::{escalation_levels, escalations, tickets};
use tierdesk::domain::account::Role;
use tierdesk::domain::ids::{ClientId, ContactId, TicketId, UserId};
use tierdesk::mail::messages::MailContext;

use crate::fixtures::{client_with_contact, drain, edit_of, phone_incident, staff_id};
use crate::helpers::TestApp;

/// Mondays: 2026-11-02, 2026-11-16, 2026-11-23, 2026-11-30. The standard calendar is open
/// Monday to Friday 07:00–18:00 UTC; a P3 must be answered in 30 and solved in 480 business
/// minutes.
fn at(day: u32, hour: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, min, 0).unwrap()
}

const QUERY: &str = "from=2026-11-01&to=2026-11-30&priority=&technician=";

/// A P3 incident recorded and triaged at `start`; answered by a call `respond` minutes later and
/// solved at `solve` when given.
fn incident(
    conn: &mut db::DbConn,
    tech: UserId,
    (client, contact): (ClientId, ContactId),
    subject: &str,
    (start, respond, solve_at): (DateTime<Utc>, Option<i64>, Option<DateTime<Utc>>),
    mail: &MailContext,
) -> tierdesk::error::AppResult<db::tickets::TicketRow> {
    use tierdesk::db::tickets::*;
    use tierdesk::domain::account::Tier;
    use tierdesk::domain::ids::CategoryId;
    use tierdesk::domain::priority::{Impact, Urgency};
    use tierdesk::domain::ticket::Action;
    use tierdesk::domain::work::{Review, WorkEntry};
    let t = create(
        conn,
        tech,
        &phone_incident(client, contact, subject),
        mail,
        start,
    )?
    .unwrap();
    let triaged = TriageInput {
        impact: Impact::Low,
        urgency: Urgency::Low,
        category: Some(CategoryId(1)),
        subcategory: None,
        affected_service: String::new(),
    };
    let t = triage(conn, edit_of(tech, &t, start), &triaged, mail)?.unwrap();
    let Some(respond) = respond else {
        return Ok(t);
    };
    let assigned = AssignInput {
        tier: Tier::Tier1,
        owner: Some(tech),
        worker: Some(tech),
    };
    let t = assign(conn, edit_of(tech, &t, start), &assigned)?.unwrap();
    let worked = WorkInput {
        entry: WorkEntry::Call,
        body: "Called back.".into(),
        action: Some(Action::StartWork),
        category: None,
        review: Review::Changed,
    };
    let answered = start + Duration::minutes(respond);
    let t = work(conn, edit_of(tech, &t, answered), &worked, mail)?.unwrap();
    let Some(solved_at) = solve_at else {
        return Ok(t);
    };
    let solved = SolveInput {
        solution: "Replaced the roller.".into(),
        publish_to_kb: false,
        kb_title: String::new(),
        fix: "permanent".into(),
        known_error: String::new(),
    };
    Ok(solve(conn, edit_of(tech, &t, solved_at), &solved, mail)?.unwrap())
}

/// An escalation as history: `ticket` moved from level `from` to level `to` (by position).
fn escalation(
    conn: &mut db::DbConn,
    ticket: TicketId,
    (from, to): (i32, i32),
    reason: &str,
    trigger: &str,
    when: DateTime<Utc>,
) -> tierdesk::error::AppResult<()> {
    let level = |conn: &mut db::DbConn, position: i32| -> QueryResult<i64> {
        escalation_levels::table
            .filter(escalation_levels::position.eq(position))
            .select(escalation_levels::id)
            .first(conn)
    };
    let (from, to) = (level(conn, from)?, level(conn, to)?);
    diesel::insert_into(escalations::table)
        .values((
            escalations::ticket_id.eq(ticket.0),
            escalations::from_level_id.eq(Some(from)),
            escalations::to_level_id.eq(to),
            escalations::reason.eq(reason),
            escalations::explanation.eq("history"),
            escalations::trigger_kind.eq(trigger),
            escalations::vendor.eq(""),
            escalations::vendor_reference.eq(""),
            escalations::created_at.eq(when.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The known set, as of Monday 2026-11-30 12:00 UTC, all P3 in category 1 (Network):
///
/// | ticket | created      | answered after | solved                | business min (resp, res) |
/// | A      | Mon 2 08:00  | 10             | 09:00, reopened 10:00, solved again 10:30 | 10, 150 |
/// | B      | Tue 3 08:00  | 20             | 10:00                 | 20, 120                  |
/// | C      | Wed 4 08:00  | 30 (due 08:30) | 11:00                 | 30, 180                  |
/// | D      | Thu 5 08:00  | 40 (late)      | 12:00                 | 40, 240                  |
/// | E      | Fri 6 08:00  | 50 (late)      | 18:00 (late, due 16:00) | 50, 600                |
/// | F      | Fri 13 16:00 | 15             | Mon 16 09:00 (over the weekend; due 13:00) | 15, 240 |
/// | G      | Mon 23 08:00 | —              | open: both clocks breached |                     |
/// | H      | Mon 30 11:55 | —              | open: nothing due yet |                          |
/// | old    | Oct 5 08:00  | 5              | Oct 5 09:00: outside the range |                  |
///
/// Escalations: B manual for skill Tier 1 → Tier 2 (Nov 3), C by time Tier 1 → Tier 2 (Nov 4)
/// and manual for severity Tier 2 → Tier 3 (Nov 5); one in October, outside the range.
async fn known_set(app: &TestApp) -> (i64, Vec<db::tickets::TicketRow>) {
    let now = at(30, 12, 0);
    app.clock.set(now);
    let (client, contact) = client_with_contact(app).await;
    app.sign_in_as(Role::Manager).await;
    let manager = staff_id(app, "manager@msp.example").await;
    let mail = app.state.mail();
    let ids = (ClientId(client), ContactId(contact));
    let rows = db::run(&app.state.pool, move |conn| {
        let mut rows = Vec::new();
        let a = incident(
            conn,
            manager,
            ids,
            "A printer",
            (at(2, 8, 0), Some(10), Some(at(2, 9, 0))),
            &mail,
        )?;
        let a =
            db::tickets::reopen(conn, edit_of(manager, &a, at(2, 10, 0)), "Still jams")?.unwrap();
        let restart = db::tickets::WorkInput {
            entry: tierdesk::domain::work::WorkEntry::Note,
            body: "Back on it.".into(),
            action: Some(tierdesk::domain::ticket::Action::StartWork),
            category: None,
            review: tierdesk::domain::work::Review::Changed,
        };
        let a =
            db::tickets::work(conn, edit_of(manager, &a, at(2, 10, 10)), &restart, &mail)?.unwrap();
        let solved = db::tickets::SolveInput {
            solution: "Replaced the tray too.".into(),
            publish_to_kb: false,
            kb_title: String::new(),
            fix: "permanent".into(),
            known_error: String::new(),
        };
        rows.push(
            db::tickets::solve(conn, edit_of(manager, &a, at(2, 10, 30)), &solved, &mail)?.unwrap(),
        );
        for (name, start, respond, solve) in [
            ("B mouse", at(3, 8, 0), 20, at(3, 10, 0)),
            ("C screen", at(4, 8, 0), 30, at(4, 11, 0)),
            ("D keyboard", at(5, 8, 0), 40, at(5, 12, 0)),
            ("E scanner", at(6, 8, 0), 50, at(6, 18, 0)),
            ("F dock", at(13, 16, 0), 15, at(16, 9, 0)),
        ] {
            let times = (start, Some(respond), Some(solve));
            rows.push(incident(conn, manager, ids, name, times, &mail)?);
        }
        rows.push(incident(
            conn,
            manager,
            ids,
            "G router",
            (at(23, 8, 0), None, None),
            &mail,
        )?);
        rows.push(incident(
            conn,
            manager,
            ids,
            "H switch",
            (now - Duration::minutes(5), None, None),
            &mail,
        )?);
        let october = Utc.with_ymd_and_hms(2026, 10, 5, 8, 0, 0).unwrap();
        let old = incident(
            conn,
            manager,
            ids,
            "Old one",
            (october, Some(5), Some(october + Duration::hours(1))),
            &mail,
        )?;
        escalation(
            conn,
            rows[1].id,
            (1, 2),
            "skill_limitation",
            "manual",
            at(3, 9, 0),
        )?;
        escalation(
            conn,
            rows[2].id,
            (1, 2),
            "time_exceeded",
            "time",
            at(4, 9, 0),
        )?;
        escalation(conn, rows[2].id, (2, 3), "severity", "manual", at(5, 9, 0))?;
        escalation(conn, old.id, (1, 2), "skill_limitation", "manual", october)?;
        Ok(rows)
    })
    .await
    .unwrap();
    (client, rows)
}

/// RFC 4180 records: fields split on commas outside quotes, `""` inside quotes is a quote, every
/// record ends with CRLF. Panics on anything else, so a malformed download fails the test.
fn parse_csv(body: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = body.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => {
                assert!(c != '\n' && c != '"', "bare {c:?} in an unquoted field");
                field.push(c);
            }
        }
    }
    assert!(
        !quoted && field.is_empty() && record.is_empty(),
        "unterminated record"
    );
    records
}

async fn csv_of(app: &TestApp, path: &str) -> Vec<Vec<String>> {
    let page = app.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}");
    let records = parse_csv(&page.body);
    let width = records[0].len();
    assert!(records.iter().all(|r| r.len() == width), "{path}: ragged");
    records
}

fn strings(fields: &[&str]) -> Vec<String> {
    fields.iter().map(|f| f.to_string()).collect()
}

async fn the_sla_report_counts_met_late_and_breached_with_percentiles_from_sql(app: TestApp) {
    let (client, rows) = known_set(&app).await;
    assert_eq!(
        rows.iter()
            .map(|r| (r.response_business_minutes, r.resolution_business_minutes))
            .collect::<Vec<_>>(),
        [
            (Some(10), Some(150)),
            (Some(20), Some(120)),
            (Some(30), Some(180)),
            (Some(40), Some(240)),
            (Some(50), Some(600)),
            (Some(15), Some(240)),
            (None, None),
            (None, None),
        ],
        "minutes as the SLA clock counts them, the reopened one solved afresh"
    );

    let query = format!("client={client}&{QUERY}");
    let page = app.get(&format!("/reports/sla?{query}")).await;
    assert_eq!(page.status, StatusCode::OK);
    // Solved 6; response met 4, late 2, breached 1 (G), sorted 10 15 20 30 40 50 → the 3rd
    // is 20, the 6th 50; resolution met 5, late 1 (E), breached 1 (G), 83.3 %,
    // sorted 120 150 180 240 240 600 → 180 and 600; reopened 1 (A).
    assert!(
        page.text()
            .contains("P3 6 4 2 1 20 50 5 1 1 83.3 % 180 600 1"),
        "{}",
        page.text()
    );

    let csv = csv_of(&app, &format!("/reports/sla.csv?{query}")).await;
    assert_eq!(
        csv,
        [
            strings(&[
                "priority",
                "solved",
                "response_met",
                "response_met_late",
                "response_breached",
                "resolution_met",
                "resolution_met_late",
                "resolution_breached",
                "reopened",
                "response_median_minutes",
                "response_p90_minutes",
                "resolution_median_minutes",
                "resolution_p90_minutes",
            ]),
            strings(&[
                "P3", "6", "4", "2", "1", "5", "1", "1", "1", "20", "50", "180", "600"
            ]),
        ]
    );

    // The percentiles straight from the one query, on this backend, against hand-computed
    // values; a narrower range takes its own ranks: A B C D E only → 10 20 30 40 50 and
    // 120 150 180 240 600.
    let filter = |to_day: u32| ReportFilter {
        client: Some(client),
        from: at(1, 0, 0).naive_utc(),
        until: at(to_day, 0, 0).naive_utc(),
        priority: None,
        technician: None,
    };
    let (month, week) = (filter(30), filter(7));
    let figures = db::run(&app.state.pool, move |conn| {
        Ok((
            percentiles(conn, &month, Clock::Response)?,
            percentiles(conn, &month, Clock::Resolution)?,
            percentiles(conn, &week, Clock::Response)?,
            percentiles(conn, &week, Clock::Resolution)?,
        ))
    })
    .await
    .unwrap();
    let p3 = |median, p90| {
        vec![(
            "P3".to_string(),
            Percentiles {
                median: Some(median),
                p90: Some(p90),
            },
        )]
    };
    assert_eq!(
        figures,
        (p3(20, 50), p3(180, 600), p3(30, 50), p3(180, 600))
    );

    // A priority with nothing shows nothing.
    let p1 = app
        .get(&format!(
            "/reports/sla?client={client}&from=2026-11-01&to=2026-11-30&priority=P1&technician="
        ))
        .await;
    assert!(
        p1.text()
            .contains("No incidents were solved in this range.")
    );
}

async fn reopened_resolved_first_level_and_escalation_reports_count_the_known_set(app: TestApp) {
    let (client, _) = known_set(&app).await;
    let query = format!("client={client}&{QUERY}");

    let reopened = app.get(&format!("/reports/reopened?{query}")).await;
    assert_eq!(reopened.status, StatusCode::OK);
    assert!(
        reopened.text().contains("P3 6 1 16.6 %"),
        "{}",
        reopened.text()
    );
    assert!(reopened.text().contains("A printer"));
    assert!(!reopened.text().contains("B mouse"));
    assert_eq!(
        csv_of(&app, &format!("/reports/reopened.csv?{query}")).await,
        [
            strings(&["priority", "solved", "reopened", "reopen_rate_percent"]),
            strings(&["P3", "6", "1", "16.6"]),
        ]
    );

    let resolved = app.get(&format!("/reports/resolved?{query}")).await;
    assert_eq!(resolved.status, StatusCode::OK);
    let text = resolved.text();
    for subject in [
        "A printer",
        "B mouse",
        "C screen",
        "D keyboard",
        "E scanner",
        "F dock",
    ] {
        assert!(text.contains(subject), "{subject}: {text}");
    }
    assert!(!text.contains("Old one") && !text.contains("G router"));
    let resolved_csv = csv_of(&app, &format!("/reports/resolved.csv?{query}")).await;
    assert_eq!(
        resolved_csv[0],
        strings(&["priority", "category", "solved"])
    );
    assert_eq!(resolved_csv.len(), 2);
    assert_eq!(resolved_csv[1][0], "P3");
    assert_eq!(resolved_csv[1][2], "6");

    // B and C were escalated: 4 of the 6 solved at tier 1 without one.
    let first = app.get(&format!("/reports/first-level?{query}")).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.text().contains("P3 6 4 66.6 %"), "{}", first.text());
    assert_eq!(
        csv_of(&app, &format!("/reports/first-level.csv?{query}")).await,
        [
            strings(&[
                "priority",
                "solved",
                "solved_at_first_level",
                "first_level_rate_percent"
            ]),
            strings(&["P3", "6", "4", "66.6"]),
        ]
    );

    let esc = app.get(&format!("/reports/escalations?{query}")).await;
    assert_eq!(esc.status, StatusCode::OK);
    let text = esc.text();
    assert!(text.contains("3 in all"), "{text}");
    assert!(text.contains("Technical skill limitation 1"), "{text}");
    assert!(text.contains("SLA or time exceeded 1"), "{text}");
    assert!(text.contains("Complexity or severity 1"), "{text}");
    assert!(text.contains("Tier 1 → Tier 2 2"), "{text}");
    assert!(text.contains("Tier 2 → Tier 3 1"), "{text}");
    assert!(
        text.contains("1 of the 3 escalations went up because"),
        "{text}"
    );
    let mut esc_csv = csv_of(&app, &format!("/reports/escalations.csv?{query}")).await;
    esc_csv[1..].sort();
    assert_eq!(
        esc_csv,
        [
            strings(&["reason", "trigger", "from_level", "to_level", "escalations"]),
            strings(&["severity", "manual", "Tier 2", "Tier 3", "1"]),
            strings(&["skill_limitation", "manual", "Tier 1", "Tier 2", "1"]),
            strings(&["time_exceeded", "time", "Tier 1", "Tier 2", "1"]),
        ]
    );
}

async fn the_solved_list_pages_by_keyset_newest_first(app: TestApp) {
    let (client, _) = known_set(&app).await;
    let filter = ReportFilter {
        client: Some(client),
        from: at(1, 0, 0).naive_utc(),
        until: at(30, 0, 0).naive_utc(),
        priority: None,
        technician: None,
    };
    let pages = db::run(&app.state.pool, move |conn| {
        let (first, more) = db::reports::solved::list(conn, &filter, false, None, 4)?;
        let last = first.last().map(|t| (t.solved_at, t.id));
        let (second, more_after) = db::reports::solved::list(conn, &filter, false, last, 4)?;
        Ok((first, more, second, more_after))
    })
    .await
    .unwrap();
    let subjects = |items: &[db::reports::solved::SolvedItem]| {
        items.iter().map(|t| t.subject.clone()).collect::<Vec<_>>()
    };
    assert_eq!(
        subjects(&pages.0),
        ["F dock", "E scanner", "D keyboard", "C screen"]
    );
    assert!(pages.1);
    assert_eq!(subjects(&pages.2), ["B mouse", "A printer"]);
    assert!(!pages.3);
}

async fn the_backfill_fills_missing_minutes_once_and_leaves_the_rest(app: TestApp) {
    let (_, rows) = known_set(&app).await;
    let wiped = db::run(&app.state.pool, |conn| {
        Ok(diesel::update(tickets::table)
            .set((
                tickets::response_business_minutes.eq(None::<i32>),
                tickets::resolution_business_minutes.eq(None::<i32>),
            ))
            .execute(conn)?)
    })
    .await
    .unwrap();
    assert!(wiped >= 9);
    let report = drain(&app).await;
    // Seven solved in all (A–F and October's), plus none of the open ones.
    assert_eq!(
        report.get(
            tierdesk::jobs::report_minutes::NAME,
            tierdesk::jobs::report_minutes::FILLED
        ),
        7
    );
    let again = drain(&app).await;
    assert_eq!(
        again.get(
            tierdesk::jobs::report_minutes::NAME,
            tierdesk::jobs::report_minutes::FILLED
        ),
        0
    );
    let ids: Vec<i64> = rows.iter().map(|r| r.id.0).collect();
    let figures = db::run(&app.state.pool, move |conn| {
        Ok(tickets::table
            .filter(tickets::id.eq_any(ids))
            .order(tickets::id.asc())
            .select((
                tickets::response_business_minutes,
                tickets::resolution_business_minutes,
            ))
            .load::<(Option<i32>, Option<i32>)>(conn)?)
    })
    .await
    .unwrap();
    assert_eq!(
        figures,
        [
            (Some(10), Some(150)),
            (Some(20), Some(120)),
            (Some(30), Some(180)),
            (Some(40), Some(240)),
            (Some(50), Some(600)),
            (Some(15), Some(240)),
            (None, None),
            (None, None),
        ]
    );
}

async fn reports_are_for_managers_and_admins_only(app: TestApp) {
    let manager = app.another_browser();
    manager.sign_in_as(Role::Manager).await;
    let admin = app.another_browser();
    admin.sign_in_as(Role::Admin).await;
    let tech = app.another_browser();
    tech.sign_in_as(Role::Technician).await;
    let index = manager.get("/reports").await;
    assert_eq!(index.status, StatusCode::OK);
    for path in [
        "/reports",
        "/reports/sla",
        "/reports/sla.csv",
        "/reports/reopened",
        "/reports/reopened.csv",
        "/reports/escalations",
        "/reports/escalations.csv",
        "/reports/first-level",
        "/reports/first-level.csv",
        "/reports/resolved",
        "/reports/resolved.csv",
        "/reports/uptime",
        "/reports/uptime.csv",
        "/reports/satisfaction",
        "/reports/satisfaction.csv",
    ] {
        if !path.ends_with(".csv") && path != "/reports" {
            assert!(
                index.body.contains(&format!("href=\"{path}\"")),
                "the index links {path}"
            );
        }
        assert_eq!(
            manager.get(path).await.status,
            StatusCode::OK,
            "manager {path}"
        );
        assert_eq!(admin.get(path).await.status, StatusCode::OK, "admin {path}");
        assert_eq!(
            tech.get(path).await.status,
            StatusCode::FORBIDDEN,
            "technician {path}"
        );
    }
    assert_eq!(
        csv_of(&manager, "/reports/satisfaction.csv").await,
        [strings(&[
            "group",
            "name",
            "sent",
            "rated",
            "average_rating",
            "flagged"
        ])]
    );
    assert!(
        manager
            .get("/tickets")
            .await
            .body
            .contains("href=\"/reports\""),
        "the nav links the reports"
    );
    assert!(
        !tech
            .get("/tickets")
            .await
            .body
            .contains("href=\"/reports\"")
    );
}

async fn the_uptime_report_lists_every_service_with_its_month_figure(app: TestApp) {
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap());
    let (client, _) = client_with_contact(&app).await;
    app.sign_in_as(Role::Manager).await;
    let fields = [
        ("name", "Hosted mail"),
        ("covers", "Mail relay and webmail"),
        ("guarantee", "99.9"),
        ("contract_start", "2026-01-01"),
        ("rule", "after_days"),
        ("after_days", "0"),
    ];
    let service = app
        .post_form(&format!("/clients/{client}/services"), &fields)
        .await
        .location
        .unwrap();
    for (start, end, planned) in [
        ("2026-10-31T23:50", "2026-11-01T00:30", ""),
        ("2026-11-01T00:20", "2026-11-01T00:40", ""),
        ("2026-11-05T02:00", "2026-11-05T03:00", "on"),
    ] {
        let page = app
            .post_form(
                &format!("{service}/outages"),
                &[
                    ("started_at", start),
                    ("ended_at", end),
                    ("planned", planned),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    }

    // As the service's own month page has it: November 43.2 allowed, 40 used (the overlap once,
    // the planned hour not counted), 3.2 left, 99.857 % so far, at risk; October 10 of 44.64.
    let nov = app
        .get(&format!("/reports/uptime?month=2026-11&client={client}"))
        .await;
    assert_eq!(nov.status, StatusCode::OK);
    assert!(
        nov.text()
            .contains("Northwind Dental Hosted mail 99.9 % 43.2 40 3.2 99.857 % At risk"),
        "{}",
        nov.text()
    );
    assert!(
        nov.body
            .contains(&format!("href=\"{service}/months/2026-11\""))
    );
    assert_eq!(
        csv_of(
            &app,
            &format!("/reports/uptime.csv?month=2026-10&client={client}")
        )
        .await,
        [
            strings(&[
                "client",
                "service",
                "guarantee",
                "allowed_minutes",
                "used_minutes",
                "left_minutes",
                "achieved_uptime",
                "standing",
            ]),
            strings(&[
                "Northwind Dental",
                "Hosted mail",
                "99.9 %",
                "44.64",
                "10",
                "34.64",
                "99.977 %",
                "Met",
            ]),
        ]
    );
    let other_client = app
        .get(&format!(
            "/reports/uptime?month=2026-11&client={}",
            client + 1000
        ))
        .await;
    assert!(other_client.text().contains("No hosted services to show."));
}

both_backends!(
    the_sla_report_counts_met_late_and_breached_with_percentiles_from_sql,
    reopened_resolved_first_level_and_escalation_reports_count_the_known_set,
    the_solved_list_pages_by_keyset_newest_first,
    the_backfill_fills_missing_minutes_once_and_leaves_the_rest,
    reports_are_for_managers_and_admins_only,
    the_uptime_report_lists_every_service_with_its_month_figure,
);
