//! Incident management through HTTP: one incident's whole life, and the rules on the way.

use chrono::{Duration, TimeZone, Utc};
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::domain::account::{Role, Tier};
use tierdesk::domain::ids::TicketId;

use crate::fixtures::{
    client_with_contact, edit_of, phone_incident, record_ticket, ticket_row, user_id, version_of,
};
use crate::helpers::TestApp;

async fn an_incident_lives_from_the_first_call_to_the_closed_ticket(app: TestApp) {
    // Monday 30 November 2026, 10:00 UTC: inside the standard calendar's hours.
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0)
            .single()
            .unwrap(),
    );
    let (_, contact) = client_with_contact(&app).await;
    let priya = app.another_browser();
    priya
        .create_user(
            "priya@msp.example",
            "Priya Nair",
            Role::Technician,
            Some(Tier::Tier2),
        )
        .await;
    app.sign_in_as(Role::Technician).await;

    // Intake with validation: what was typed comes back with the errors.
    let bad = app
        .post_form(
            "/tickets",
            &[
                ("requester", ""),
                ("subject", ""),
                ("description", "Printer jams"),
                ("kind", "incident"),
                ("channel", "phone"),
                ("identity_check", "not_validated"),
                ("impact", "medium"),
                ("urgency", "medium"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("requester").is_some());
    assert!(bad.field_error("subject").is_some());
    assert!(
        bad.text()
            .contains("Confirm the contact details with the caller")
    );
    assert_eq!(
        bad.field_value("description").as_deref(),
        Some("Printer jams")
    );

    let ticket = record_ticket(
        &app,
        contact,
        "Internet down at reception",
        "high",
        "medium",
    )
    .await;
    let page = app.get(&ticket).await;
    let text = page.text();
    assert!(text.contains("recorded. Triage it next"), "{text}");
    assert!(text.contains("P2 · High"), "{text}");
    assert!(text.contains("New"), "{text}");
    assert!(text.contains("Alice Chen"), "{text}");
    let row = ticket_row(&app, &ticket).await;
    assert_eq!(
        row.response_due_at.unwrap().to_string(),
        "2026-11-30 10:30:00"
    );
    assert_eq!(
        row.resolution_due_at.unwrap().to_string(),
        "2026-11-30 14:00:00"
    );

    let untriaged = app.get("/tickets?queue=untriaged").await.text();
    assert!(
        untriaged.contains("Internet down at reception"),
        "{untriaged}"
    );
    assert!(untriaged.contains("Pull and triage"));

    // Assigning before triage is refused: who pulls a ticket triages it first.
    let tech_id = user_id(&app, "tech@msp.example").await;
    let early = app
        .post_form(
            &format!("{ticket}/assign"),
            &[
                ("version", &version_of(&page)),
                ("tier", "tier1"),
                ("owner_id", &tech_id),
                ("worker_id", &tech_id),
            ],
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);

    let network = db::run(&app.state.pool, |conn| {
        Ok(db::categories::list_categories(conn)?
            .into_iter()
            .find(|c| c.name == "Network")
            .unwrap()
            .id)
    })
    .await
    .unwrap()
    .to_string();
    app.post_ticket_form(
        &ticket,
        "triage",
        &[
            ("impact", "high"),
            ("urgency", "high"),
            ("category_id", &network),
            ("affected_service", "Reception router"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let text = app.get(&ticket).await.text();
    assert!(text.contains("P1 · Critical"), "{text}");
    assert!(text.contains("priority P2 → P1"), "{text}");
    let row = ticket_row(&app, &ticket).await;
    assert_eq!(row.status.as_str(), "triaged");
    assert_eq!(
        row.resolution_due_at.unwrap().to_string(),
        "2026-11-30 12:00:00",
        "P1: 2 h around the clock, from creation"
    );

    app.post_ticket_form(
        &ticket,
        "assign",
        &[
            ("tier", "tier1"),
            ("owner_id", &tech_id),
            ("worker_id", &tech_id),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let text = app.get(&ticket).await.text();
    assert!(text.contains("Owner Tess Tech"), "{text}");

    // A reply to the client meets the response clock.
    app.clock.advance(Duration::minutes(10));
    app.post_ticket_form(
        &ticket,
        "work",
        &[
            ("entry", "reply"),
            (
                "body",
                "We are on it; the router is being checked remotely.",
            ),
            ("next", "start_work"),
            ("review", "changed"),
            ("category_id", &network),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let row = ticket_row(&app, &ticket).await;
    assert_eq!(row.status.as_str(), "in_progress");
    assert_eq!(row.responded_at.unwrap().to_string(), "2026-11-30 10:10:00");
    let text = app.get(&ticket).await.text();
    assert!(text.contains("Response Met"), "{text}");
    assert!(text.contains("first response to the client"), "{text}");

    // Waiting on the vendor stops the resolution clock; resuming moves the due time.
    app.clock.advance(Duration::minutes(10));
    app.post_ticket_form(
        &ticket,
        "work",
        &[
            ("entry", "note"),
            ("body", "ISP ticket 88123 opened; waiting on them."),
            ("next", "pend_vendor"),
            ("review", "changed"),
            ("category_id", &network),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let row = ticket_row(&app, &ticket).await;
    assert_eq!(row.status.as_str(), "pending_vendor");
    assert!(row.resolution_due_at.is_none());
    assert!(app.get(&ticket).await.text().contains("Resolution Paused"));
    assert!(
        app.get("/tickets?queue=pending")
            .await
            .text()
            .contains("Internet down at reception")
    );

    app.clock.advance(Duration::hours(2));
    app.post_ticket_form(
        &ticket,
        "work",
        &[
            ("entry", "call"),
            ("body", "ISP fixed the line; checking with Alice."),
            ("next", "resume"),
            ("review", "changed"),
            ("category_id", &network),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let row = ticket_row(&app, &ticket).await;
    assert_eq!(row.status.as_str(), "in_progress");
    assert_eq!(
        row.resolution_due_at.unwrap().to_string(),
        "2026-11-30 14:00:00",
        "12:00 plus the two paused hours"
    );
    let explain = app.get(&format!("{ticket}/sla")).await.text();
    assert!(explain.contains("Paused"), "{explain}");

    // Only the owner marks it solved.
    priya
        .login("priya@msp.example", "Priya Nair password 1")
        .await
        .assert_redirect_to("/");
    let priya_page = priya.get(&ticket).await;
    let refused = priya
        .post_form(
            &format!("{ticket}/solve"),
            &[
                ("version", &version_of(&priya_page)),
                ("solution", "Router replaced by the ISP and tested."),
                ("fix", "permanent"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.text().contains("owner"), "{}", refused.text());

    let page = app.get(&ticket).await;
    let short = app
        .post_form(
            &format!("{ticket}/solve"),
            &[
                ("version", &version_of(&page)),
                ("solution", "fixed"),
                ("fix", "permanent"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(short.field_value("solution").as_deref(), Some("fixed"));
    app.post_form(
        &format!("{ticket}/solve"),
        &[("version", &version_of(&page)), ("solution", "The ISP replaced the line card; the router was restarted and tested from reception."), ("fix", "permanent"),
          ("publish_to_kb", "on"), ("kb_title", "Reception internet down: ISP line card")],
    )
    .await
    .assert_redirect_to(&ticket);
    let row = ticket_row(&app, &ticket).await;
    assert_eq!(row.status.as_str(), "solved");
    assert!(
        app.get("/tickets?queue=awaiting-closure")
            .await
            .text()
            .contains("Internet down at reception")
    );
    let kb = app.get("/kb?q=line+card").await.text();
    assert!(
        kb.contains("Reception internet down: ISP line card"),
        "{kb}"
    );

    // The solved period passes; the job closes the ticket.
    app.clock.advance(Duration::hours(23));
    assert!(tierdesk::jobs::run_once(&app.jobs).await.is_ok());
    assert_eq!(
        ticket_row(&app, &ticket).await.status.as_str(),
        "solved",
        "still inside the reopen window"
    );
    app.clock.advance(Duration::hours(2));
    tierdesk::jobs::run_once(&app.jobs).await.unwrap();
    let row = ticket_row(&app, &ticket).await;
    assert_eq!(row.status.as_str(), "closed");
    // A day later the technician's session has long timed out.
    app.login("tech@msp.example", "Tess Tech password 1")
        .await
        .assert_redirect_to("/");
    let page = app.get(&ticket).await;
    assert!(
        page.text()
            .contains("status Solved → Closed after the reopen period")
    );
    assert!(
        !page.body.contains("/work\""),
        "a closed ticket offers no work form"
    );
}

async fn a_solved_ticket_reopens_and_is_counted(app: TestApp) {
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0)
            .single()
            .unwrap(),
    );
    let (_, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Technician).await;
    let tech = user_id(&app, "tech@msp.example").await;
    let ticket = record_ticket(&app, contact, "Printer offline", "low", "low").await;
    let steps: [(&str, Vec<(&str, String)>); 4] = [
        (
            "triage",
            vec![
                ("impact", "low".into()),
                ("urgency", "low".into()),
                ("category_id", String::new()),
            ],
        ),
        (
            "assign",
            vec![
                ("tier", "tier1".into()),
                ("owner_id", tech.clone()),
                ("worker_id", tech.clone()),
            ],
        ),
        (
            "work",
            vec![
                ("entry", "note".into()),
                ("body", "Driver reinstalled.".into()),
                ("next", "start_work".into()),
                ("review", "changed".into()),
            ],
        ),
        (
            "solve",
            vec![
                (
                    "solution",
                    "Reinstalled the printer driver and printed a test page.".into(),
                ),
                ("fix", "permanent".into()),
            ],
        ),
    ];
    let printing = db::run(&app.state.pool, |conn| {
        Ok(db::categories::list_categories(conn)?
            .into_iter()
            .find(|c| c.name == "Printing")
            .unwrap()
            .id)
    })
    .await
    .unwrap()
    .to_string();
    for (action, fields) in steps {
        let page = app.get(&ticket).await;
        let version = version_of(&page);
        let mut all: Vec<(&str, &str)> = vec![("version", &version)];
        for (k, v) in &fields {
            if *k == "category_id" {
                all.push((k, &printing));
            } else {
                all.push((k, v));
            }
        }
        app.post_form(&format!("{ticket}/{action}"), &all)
            .await
            .assert_redirect_to(&ticket);
    }
    assert_eq!(ticket_row(&app, &ticket).await.status.as_str(), "solved");
    let stale = version_of(&app.get(&ticket).await);
    let empty = app
        .post_form(
            &format!("{ticket}/reopen"),
            &[("version", &stale), ("reason", " ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.post_form(
        &format!("{ticket}/reopen"),
        &[
            ("version", &stale),
            ("reason", "Alice called: it is offline again."),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let again = app
        .post_form(
            &format!("{ticket}/reopen"),
            &[("version", &stale), ("reason", "Second call")],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "a reopen from an old page is a conflict"
    );
    let row = ticket_row(&app, &ticket).await;
    assert_eq!((row.status.as_str(), row.reopen_count), ("reopened", 1));
    assert!(row.solved_at.is_none());
    let text = app.get(&ticket).await.text();
    assert!(text.contains("Reopened 1 time(s)"), "{text}");
    assert!(text.contains("Alice called: it is offline again."));
}

async fn two_technicians_saving_at_once_get_a_conflict_not_an_overwrite(app: TestApp) {
    let (_, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Technician).await;
    let other = app.another_browser();
    other
        .create_user(
            "ben@msp.example",
            "Ben Okafor",
            Role::Technician,
            Some(Tier::Tier1),
        )
        .await;
    other
        .login("ben@msp.example", "Ben Okafor password 1")
        .await;
    let ticket = record_ticket(&app, contact, "VPN drops", "medium", "medium").await;

    let mine = app.get(&ticket).await;
    let theirs = other.get(&ticket).await;
    app.post_form(
        &format!("{ticket}/work"),
        &[
            ("version", &version_of(&mine)),
            ("entry", "note"),
            ("body", "Checked the firewall logs."),
            ("review", "unchanged"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let clash = other
        .post_form(
            &format!("{ticket}/work"),
            &[
                ("version", &version_of(&theirs)),
                ("entry", "note"),
                ("body", "Ben's careful analysis of the tunnel."),
                ("review", "unchanged"),
            ],
        )
        .await;
    assert_eq!(clash.status, StatusCode::CONFLICT);
    assert!(clash.text().contains("was changed by someone else"));
    assert_eq!(
        clash.field_value("kept").as_deref(),
        Some("Ben's careful analysis of the tunnel.")
    );
    let text = app.get(&ticket).await.text();
    assert!(text.contains("Checked the firewall logs."));
    assert!(!text.contains("Ben's careful analysis"));
}

async fn queues_filter_search_and_page(app: TestApp) {
    let (client, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Technician).await;
    let actor =
        tierdesk::domain::ids::UserId(user_id(&app, "tech@msp.example").await.parse().unwrap());
    let now = app.clock.now();
    let mail = app.state.mail();
    db::run(&app.state.pool, move |conn| {
        for n in 0..30 {
            let input = db::tickets::IntakeInput {
                kind: tierdesk::domain::ticket::Kind::Incident,
                client: tierdesk::domain::ids::ClientId(client),
                requester: db::tickets::Requester::Existing(tierdesk::domain::ids::ContactId(
                    contact,
                )),
                subject: format!("Workstation {n:02} is slow"),
                description: if n == 7 {
                    "Outlook freezes; 50% CPU".into()
                } else {
                    "Slow".into()
                },
                channel: tierdesk::domain::ticket::Channel::Email,
                identity: tierdesk::domain::ticket::IdentityCheck::KnownEmail,
                identity_detail: String::new(),
                impact: tierdesk::domain::priority::Impact::Low,
                urgency: if n < 5 {
                    tierdesk::domain::priority::Urgency::High
                } else {
                    tierdesk::domain::priority::Urgency::Low
                },
            };
            db::tickets::create(conn, actor, &input, &mail, now)?.unwrap();
        }
        Ok(())
    })
    .await
    .unwrap();
    let first_page = app.get("/tickets?queue=all").await;
    let first = first_page.text();
    assert!(first.contains("Showing 1–25 of 30"), "{first}");
    let next_link = |page: &crate::helpers::Page| {
        let doc = scraper::Html::parse_document(&page.body);
        let next = scraper::Selector::parse("a[rel=next]").unwrap();
        doc.select(&next)
            .next()
            .and_then(|a| a.value().attr("href"))
            .map(str::to_string)
    };
    let next = next_link(&first_page).expect("a next page link");
    assert!(next.starts_with("/tickets?queue=all&after="), "{next}");
    let second_page = app.get(&next).await;
    let second = second_page.text();
    assert!(second.contains("Showing 26–30 of 30"), "{second}");
    assert_eq!(next_link(&second_page), None, "the last page has no next");
    assert!(second.contains("First page"));
    for n in 0..30 {
        let subject = format!("Workstation {n:02} is slow");
        assert!(
            first.contains(&subject) != second.contains(&subject),
            "{subject} is on exactly one page"
        );
    }
    let p2 = app.get("/tickets?queue=all&priority=P2").await.text();
    assert!(p2.contains("of 5"), "{p2}");
    let search = app.get("/tickets?queue=all&q=50%25+cpu").await.text();
    assert!(
        search.contains("Showing 1–1 of 1") && search.contains("Workstation 07 is slow"),
        "{search}"
    );
    let other_client = app.get("/tickets?queue=all&client=999").await.text();
    assert!(other_client.contains("No tickets."));
    let mine = app.get("/tickets").await.text();
    assert!(
        mine.contains("My tickets") && mine.contains("No tickets."),
        "nothing is assigned yet"
    );
}

async fn forbidden_steps_are_refused_on_every_route(app: TestApp) {
    let (_, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Technician).await;
    let ticket = record_ticket(&app, contact, "Phones dead", "high", "high").await;
    let page = app.get(&ticket).await;
    let version = version_of(&page);
    let solve = app
        .post_form(
            &format!("{ticket}/solve"),
            &[
                ("version", &version),
                ("solution", "Power cycled the PBX and tested calls."),
                ("fix", "permanent"),
            ],
        )
        .await;
    assert_eq!(
        solve.status,
        StatusCode::FORBIDDEN,
        "no owner yet: nobody may solve"
    );
    let pend = app
        .post_form(
            &format!("{ticket}/work"),
            &[
                ("version", &version),
                ("entry", "note"),
                ("body", "Waiting."),
                ("next", "pend_parts"),
                ("review", "changed"),
            ],
        )
        .await;
    assert_eq!(pend.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reopen = app
        .post_form(
            &format!("{ticket}/reopen"),
            &[("version", &version), ("reason", "Still broken")],
        )
        .await;
    assert_eq!(reopen.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bogus = app
        .post_form(
            &format!("{ticket}/work"),
            &[
                ("version", &version),
                ("entry", "note"),
                ("body", "x"),
                ("next", "close"),
                ("review", "changed"),
            ],
        )
        .await;
    assert_eq!(
        bogus.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the job's close is not a person's action"
    );
    for step in [
        "triage",
        "assign",
        "solve",
        "cancel",
        "mark_duplicate",
        "reopen",
    ] {
        let sneaky = app
            .post_form(
                &format!("{ticket}/work"),
                &[
                    ("version", &version),
                    ("entry", "note"),
                    ("body", "x"),
                    ("next", step),
                    ("review", "changed"),
                ],
            )
            .await;
        assert_eq!(
            sneaky.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{step} has its own form"
        );
        assert!(
            sneaky.text().contains("Use the ticket's own form"),
            "{step}"
        );
    }
    let far = app
        .get("/tickets?queue=all&after=9223372036854775807_9223372036854775807&shown=9223372036854775807")
        .await;
    assert_eq!(far.status, StatusCode::OK);
    let garbled = app.get("/tickets?queue=all&after=yesterday").await;
    assert_eq!(garbled.status, StatusCode::OK);
    let dup_self = app
        .post_form(
            &format!("{ticket}/cancel"),
            &[
                ("version", &version),
                ("duplicate_of", ticket.rsplit('/').next().unwrap()),
                ("reason", "same"),
            ],
        )
        .await;
    assert_eq!(dup_self.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(ticket_row(&app, &ticket).await.status.as_str(), "new");
    assert_eq!(
        app.get("/tickets/999999").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn away_technicians_rank_last_for_assignment(app: TestApp) {
    let (_, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Technician).await;
    let ticket = record_ticket(&app, contact, "Mailbox full", "low", "low").await;
    let dashboard = app.get("/").await.text();
    assert!(
        dashboard.contains("0 My tickets") && dashboard.contains("1 Untriaged"),
        "{dashboard}"
    );
    app.post_form("/account/away", &[])
        .await
        .assert_redirect_to("/");
    let dashboard = app.get("/").await.text();
    assert!(dashboard.contains("You are marked away"), "{dashboard}");
    let page = app.get(&ticket).await.text();
    assert!(page.contains("Away"), "the ranking says why: {page}");
    app.post_form("/account/away", &[])
        .await
        .assert_redirect_to("/");
    assert!(app.get("/").await.text().contains("Welcome back"));
}

async fn attachments_are_kept_on_the_ticket_and_served_as_downloads(app: TestApp) {
    let (_, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Technician).await;
    let ticket = record_ticket(&app, contact, "Blue screen on boot", "medium", "medium").await;
    let token = app.csrf_token().await;
    let upload = |name: &'static str, bytes: Vec<u8>, token: String| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name)
                .mime_str("text/html")
                .unwrap(),
        );
        app.client
            .post(app.url(&format!("{ticket}/attachments?csrf_token={token}")))
            .multipart(form)
            .send()
    };
    let sent = upload(
        "C:\\Logs\\crash <1>.html",
        b"<script>alert(1)</script>".to_vec(),
        token.clone(),
    )
    .await
    .unwrap();
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let page = app.get(&ticket).await;
    assert!(
        page.text().contains("crash <1>.html attached."),
        "{}",
        page.text()
    );
    assert!(page.text().contains("attached crash <1>.html (25 bytes)"));
    let id = db::run(&app.state.pool, |conn| {
        Ok(db::attachments::attachments_of(conn, TicketId(1))?
            .remove(0)
            .id)
    })
    .await
    .unwrap();
    let download = app
        .client
        .get(app.url(&format!("{ticket}/attachments/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(
        download.headers()["content-type"],
        "application/octet-stream"
    );
    let disposition = download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert_eq!(
        download.bytes().await.unwrap().as_ref(),
        b"<script>alert(1)</script>"
    );

    let forged = upload("x.txt", b"x".to_vec(), "forged".into())
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let huge = upload("big.log", vec![b'x'; 5 * 1024 * 1024 + 1], token.clone())
        .await
        .unwrap();
    assert_eq!(huge.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(huge.text().await.unwrap().contains("larger than 5.0 MB"));
    assert_eq!(
        app.get(&format!("{ticket}/attachments/{}", id.0 + 1))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/tickets/999/attachments/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// The rule lives in the command, not only in the form: a triage without a category is refused
/// with the error beside the category field, and the ticket stays new.
async fn triage_without_a_category_is_refused_by_the_command(app: TestApp) {
    use tierdesk::db::tickets::{TriageInput, create, get, triage};
    use tierdesk::domain::ids::{ClientId, ContactId, UserId};
    use tierdesk::domain::priority::{Impact, Urgency};
    use tierdesk::domain::ticket::Status;
    let (client, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Technician).await;
    let tech = UserId(user_id(&app, "tech@msp.example").await.parse().unwrap());
    let now = app.clock.now();
    let mail = app.state.mail();
    let (errors, status) = db::run(&app.state.pool, move |conn| {
        let input = phone_incident(ClientId(client), ContactId(contact), "Printer offline");
        let t = create(conn, tech, &input, &mail, now)?.unwrap();
        let uncategorised = TriageInput {
            impact: Impact::Low,
            urgency: Urgency::Low,
            category: None,
            subcategory: None,
            affected_service: String::new(),
        };
        let refused = triage(conn, edit_of(tech, &t, now), &uncategorised, &mail)?;
        let status = get(conn, t.id)?.status;
        Ok((refused.err(), status))
    })
    .await
    .unwrap();
    let errors = errors.expect("a triage without a category is refused");
    assert_eq!(errors.get("category_id"), Some("Choose a category."));
    assert_eq!(status, Status::New);
}

/// The rule lives in the command, not only in the form: an assignment names both an owner and a
/// worker, and a missing one is refused beside its field.
async fn an_assignment_without_an_owner_is_refused_by_the_command(app: TestApp) {
    use tierdesk::db::tickets::{AssignInput, TriageInput, assign, create, get, triage};
    use tierdesk::domain::ids::{CategoryId, ClientId, ContactId, UserId};
    use tierdesk::domain::priority::{Impact, Urgency};
    use tierdesk::domain::ticket::Status;
    let (client, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Technician).await;
    let tech = UserId(user_id(&app, "tech@msp.example").await.parse().unwrap());
    let now = app.clock.now();
    let mail = app.state.mail();
    let (errors, status) = db::run(&app.state.pool, move |conn| {
        let input = phone_incident(ClientId(client), ContactId(contact), "Scanner offline");
        let t = create(conn, tech, &input, &mail, now)?.unwrap();
        let category = tierdesk::db::categories::list_categories(conn)?
            .into_iter()
            .find(|c| c.parent_id.is_none())
            .map(|c| CategoryId(c.id));
        let triaged = TriageInput {
            impact: Impact::Low,
            urgency: Urgency::Low,
            category,
            subcategory: None,
            affected_service: String::new(),
        };
        let t = triage(conn, edit_of(tech, &t, now), &triaged, &mail)?.unwrap();
        let ownerless = AssignInput {
            tier: Tier::Tier1,
            owner: None,
            worker: Some(tech),
        };
        let refused = assign(conn, edit_of(tech, &t, now), &ownerless)?;
        let status = get(conn, t.id)?.status;
        Ok((refused.err(), status))
    })
    .await
    .unwrap();
    let errors = errors.expect("an assignment without an owner is refused");
    assert_eq!(
        errors.get("owner_id"),
        Some("Choose who owns the ticket through its life.")
    );
    assert_eq!(errors.get("worker_id"), None);
    assert_eq!(status, Status::Triaged);
}

/// The ticket page leads with the ticket: facts, clocks and timeline before the actions; the
/// likely next action unfolded, the others folded; a form sent back with errors unfolded.
async fn the_ticket_page_leads_with_the_ticket_and_unfolds_the_next_action(app: TestApp) {
    let (_, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Technician).await;
    let ticket = record_ticket(&app, contact, "Printer offline", "low", "low").await;
    let page = app.get(&ticket).await.body;
    let at = |needle: &str| {
        page.find(needle)
            .unwrap_or_else(|| panic!("{needle} on the page: {page}"))
    };
    assert!(at("<h2>Clocks</h2>") < at("<h2>Timeline</h2>"));
    assert!(at("<h2>Timeline</h2>") < at(r#"id="actions-heading""#));
    assert!(at(r#"id="actions-heading""#) < at(r#"id="attachments""#));
    assert!(
        page.contains(r#"<details class="panel" id="triage" open>"#),
        "an untriaged ticket opens on triage"
    );
    for folded in ["work", "solve", "assign", "escalate"] {
        assert!(
            page.contains(&format!(r#"<details class="panel" id="{folded}">"#)),
            "{folded} is folded"
        );
    }

    assert!(
        !page.contains(&format!(r#"action="{ticket}/solve""#))
            && !page.contains(&format!(r#"action="{ticket}/assign""#)),
        "no solve or assign form that would be refused"
    );
    let text = app.get(&ticket).await.text();
    assert!(
        text.contains("Solve Triage the ticket first"),
        "solve says why instead: {text}"
    );

    let refused = app.post_ticket_form(&ticket, "solve", &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains(r#"<details class="panel" id="solve" open>"#),
        "the form sent back with errors comes back open: {}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains(r#"<details class="panel" id="triage">"#),
        "and the others fold"
    );
}

both_backends!(
    the_ticket_page_leads_with_the_ticket_and_unfolds_the_next_action,
    triage_without_a_category_is_refused_by_the_command,
    an_assignment_without_an_owner_is_refused_by_the_command,
    an_incident_lives_from_the_first_call_to_the_closed_ticket,
    a_solved_ticket_reopens_and_is_counted,
    two_technicians_saving_at_once_get_a_conflict_not_an_overwrite,
    queues_filter_search_and_page,
    forbidden_steps_are_refused_on_every_route,
    away_technicians_rank_last_for_assignment,
    attachments_are_kept_on_the_ticket_and_served_as_downloads,
);
