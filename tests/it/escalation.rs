//! The escalation ladder through HTTP: manual and skip-level escalation, the time trigger with
//! an injected clock, the P1 severity rule, and the managers' approvals.

use chrono::{DateTime, TimeZone, Utc};
use diesel::prelude::*;
use fantoccini::Locator;
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::domain::account::{Role, Tier};
use tierdesk::jobs;

use crate::fixtures::{
    category_id, client_with_contact, level_id, network_ticket_in_progress, record_ticket,
    staff_notices, ticket_id, ticket_row, user_id, version_of,
};
use crate::helpers::{TestApp, another_instance};
use crate::webdriver::start_browser;

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, minute, 0)
        .single()
        .unwrap()
}

fn december(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, minute, 0)
        .single()
        .unwrap()
}

async fn escalation_count(app: &TestApp, path: &str) -> i64 {
    let ticket = ticket_id(path);
    db::run(&app.state.pool, move |conn| {
        use tierdesk::db::schema::escalations::dsl::*;
        Ok(escalations
            .filter(ticket_id.eq(ticket.0))
            .count()
            .get_result(conn)?)
    })
    .await
    .unwrap()
}

async fn pending_request(app: &TestApp) -> i64 {
    db::run(&app.state.pool, |conn| {
        Ok(db::approvals::pending(conn)?.remove(0).row.id.0)
    })
    .await
    .unwrap()
}

/// A P2 incident at the standard calendar's client, triaged and assigned to Tess at tier 1,
/// work started. Signs the app in as Tess; Priya (tier 2) and Mia (manager) exist.
/// A client with a contact, Priya on tier 2 and Mia as a second manager; the app's browser is
/// signed in as the tier 1 technician Tess. Returns the contact.
async fn desk_with_staff(app: &TestApp) -> i64 {
    let (_, contact) = client_with_contact(app).await;
    app.create_user(
        "priya@msp.example",
        "Priya Nair",
        Role::Technician,
        Some(Tier::Tier2),
    )
    .await;
    app.create_user("mia@msp.example", "Mia Manager", Role::Manager, None)
        .await;
    app.sign_in_as(Role::Technician).await;
    contact
}

async fn worked_ticket(app: &TestApp) -> String {
    let contact = desk_with_staff(app).await;
    let ticket = record_ticket(app, contact, "File server share gone", "high", "medium").await;
    network_ticket_in_progress(app, &ticket, "FS01", "Looking at the share permissions.").await;
    ticket
}

async fn a_manual_escalation_needs_a_reason_an_explanation_and_an_owner(app: TestApp) {
    app.clock.set(at(30, 10, 0));
    let ticket = worked_ticket(&app).await;
    let tier2 = level_id(&app, "Tier 2").await;
    let priya = user_id(&app, "priya@msp.example").await;

    let page = app.get(&ticket).await;
    let refused = app
        .post_form(
            &format!("{ticket}/escalate"),
            &[
                ("version", &version_of(&page)),
                ("to_level_id", &tier2),
                ("reason", ""),
                ("explanation", "The share needs domain admin rights."),
                ("owner_id", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.field_error("reason").is_some(),
        "{}",
        refused.text()
    );
    assert!(refused.field_error("owner_id").is_some());
    assert_eq!(
        refused.field_value("explanation").as_deref(),
        Some("The share needs domain admin rights."),
        "what was typed comes back"
    );
    let unexplained = app
        .post_form(
            &format!("{ticket}/escalate"),
            &[
                ("version", &version_of(&page)),
                ("to_level_id", &tier2),
                ("reason", "skill_limitation"),
                ("explanation", "  "),
                ("owner_id", &priya),
            ],
        )
        .await;
    assert_eq!(unexplained.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unexplained.field_error("explanation").is_some());
    assert_eq!(escalation_count(&app, &ticket).await, 0);

    app.post_form(
        &format!("{ticket}/escalate"),
        &[
            ("version", &version_of(&page)),
            ("to_level_id", &tier2),
            ("reason", "skill_limitation"),
            ("explanation", "The share needs domain admin rights."),
            ("owner_id", &priya),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let row = ticket_row(&app, &ticket).await;
    assert_eq!(row.tier.map(Tier::as_str), Some("tier2"));
    assert_eq!(row.owner_id.unwrap().to_string(), priya);
    let text = app.get(&ticket).await.text();
    assert!(text.contains("Tier 1 → Tier 2"), "{text}");
    assert!(text.contains("Technical skill limitation"), "{text}");
    assert!(text.contains("Escalation level Tier 2"), "{text}");
    assert!(text.contains("Owner Priya Nair"), "{text}");
    let mail = staff_notices(&app).await;
    assert!(
        mail.iter().any(|(to, s)| to == "priya@msp.example"
            && s.contains("Escalated to Tier 2: you own this ticket now")),
        "{mail:?}"
    );
}

async fn a_technician_may_skip_levels_up_to_the_manager(app: TestApp) {
    app.clock.set(at(30, 10, 0));
    let ticket = worked_ticket(&app).await;
    let manager_level = level_id(&app, "Service desk manager").await;
    let mia = user_id(&app, "mia@msp.example").await;
    app.post_ticket_form(
        &ticket,
        "escalate",
        &[
            ("to_level_id", &manager_level),
            ("reason", "scope_approval"),
            (
                "explanation",
                "The client must decide whether to replace the NAS.",
            ),
            ("owner_id", &mia),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    assert_eq!(escalation_count(&app, &ticket).await, 1);
    let text = app.get(&ticket).await.text();
    assert!(text.contains("Tier 1 → Service desk manager"), "{text}");

    // Going back down (or staying) is no escalation.
    let tier2 = level_id(&app, "Tier 2").await;
    let down = app
        .post_ticket_form(
            &ticket,
            "escalate",
            &[
                ("to_level_id", &tier2),
                ("reason", "skill_limitation"),
                ("explanation", "Back to tier 2."),
                ("owner_id", &mia),
            ],
        )
        .await;
    assert_eq!(down.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(down.field_error("to_level_id").is_some());

    // The manager sees the ticket at the decision point.
    let manager = app.another_browser();
    manager
        .login("mia@msp.example", "Mia Manager password 1")
        .await
        .assert_redirect_to("/");
    let dashboard = manager.get("/").await.text();
    assert!(
        dashboard.contains("At the decision point (1)"),
        "{dashboard}"
    );
    assert!(dashboard.contains("File server share gone"), "{dashboard}");

    // The manager offers the client a choice: the ticket waits for the client, clock stopped.
    let page = manager.get(&ticket).await;
    let empty = manager
        .post_form(
            &format!("{ticket}/decision"),
            &[("version", &version_of(&page)), ("offered", " ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.field_error("offered").is_some());
    manager
        .post_form(
            &format!("{ticket}/decision"),
            &[
                ("version", &version_of(&page)),
                (
                    "offered",
                    "Replace the NAS with a DS923+ (1,200 EUR), or repair the old one",
                ),
            ],
        )
        .await
        .assert_redirect_to(&ticket);
    let row = ticket_row(&app, &ticket).await;
    assert_eq!(row.status.as_str(), "pending_client");
    assert!(row.resolution_due_at.is_none());
    assert!(
        manager
            .get(&ticket)
            .await
            .text()
            .contains("the client is deciding")
    );

    // Technicians cannot record decisions; the answer cannot come from the future.
    let tech_page = app.get(&ticket).await;
    let forbidden = app
        .post_form(
            &format!("{ticket}/decision"),
            &[
                ("version", &version_of(&tech_page)),
                ("answer", "Yes"),
                ("answered_on", "2026-11-30"),
            ],
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    let page = manager.get(&ticket).await;
    let future = manager
        .post_form(
            &format!("{ticket}/decision"),
            &[
                ("version", &version_of(&page)),
                ("answer", "Replace it"),
                ("answered_on", "2026-12-01"),
            ],
        )
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(future.field_error("answered_on").is_some());
    assert_eq!(future.field_value("answer").as_deref(), Some("Replace it"));
    manager
        .post_form(
            &format!("{ticket}/decision"),
            &[
                ("version", &version_of(&page)),
                ("answer", "Replace it"),
                ("answered_on", "2026-11-30"),
            ],
        )
        .await
        .assert_redirect_to(&ticket);
    let row = ticket_row(&app, &ticket).await;
    assert_eq!(row.status.as_str(), "in_progress");
    let text = manager.get(&ticket).await.text();
    assert!(
        text.contains("Client's answer (2026-11-30): Replace it"),
        "{text}"
    );
}

async fn an_external_vendor_escalation_records_the_vendor_and_pauses_the_clock(app: TestApp) {
    app.clock.set(at(30, 10, 0));
    let ticket = worked_ticket(&app).await;
    let tier1 = level_id(&app, "Tier 1").await;
    let tess = user_id(&app, "tech@msp.example").await;
    let page = app.get(&ticket).await;
    let incomplete = app
        .post_form(
            &format!("{ticket}/escalate"),
            &[
                ("version", &version_of(&page)),
                ("to_level_id", &tier1),
                ("reason", "external_vendor"),
                ("explanation", "The NAS firmware is faulty."),
                ("owner_id", &tess),
                ("vendor", "Synology"),
            ],
        )
        .await;
    assert_eq!(incomplete.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(incomplete.field_error("vendor_reference").is_some());
    app.post_form(
        &format!("{ticket}/escalate"),
        &[
            ("version", &version_of(&page)),
            ("to_level_id", &tier1),
            ("reason", "external_vendor"),
            ("explanation", "The NAS firmware is faulty."),
            ("owner_id", &tess),
            ("vendor", "Synology"),
            ("vendor_reference", "SR-40211"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let row = ticket_row(&app, &ticket).await;
    assert_eq!(row.status.as_str(), "pending_vendor");
    assert!(row.resolution_due_at.is_none(), "the clock is paused");
    let text = app.get(&ticket).await.text();
    assert!(text.contains("Synology (reference SR-40211)"), "{text}");
}

/// A P2 recorded on Friday 4 December 2026 at 16:30 UTC: 4 business hours to resolve, so tier 1
/// has 2 business hours: 90 minutes on Friday, and the last 30 on Monday from 07:00.
async fn friday_ticket(app: &TestApp) -> String {
    app.clock.set(december(4, 16, 30));
    let contact = desk_with_staff(app).await;
    record_ticket(app, contact, "Payroll export fails", "high", "medium").await
}

async fn the_time_trigger_escalates_when_the_budget_runs_out_not_over_the_weekend(app: TestApp) {
    let ticket = friday_ticket(&app).await;
    app.clock.set(december(4, 17, 0));
    // Triage and a first assignment to tier 1 do not restart tier 1's budget.
    let network = category_id(&app, "Network").await;
    app.post_ticket_form(
        &ticket,
        "triage",
        &[
            ("impact", "high"),
            ("urgency", "medium"),
            ("category_id", &network),
            ("affected_service", "Payroll PC"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let tess = user_id(&app, "tech@msp.example").await;
    app.post_ticket_form(
        &ticket,
        "assign",
        &[("tier", "tier1"), ("owner_id", &tess), ("worker_id", &tess)],
    )
    .await
    .assert_redirect_to(&ticket);
    let page = app.get(&ticket).await;
    let text = page.text();
    assert!(
        text.contains("You have 90 business minutes before this must go to Tier 2."),
        "{text}"
    );
    assert!(
        page.body
            .contains(r#"<p role="status" id="budget">You have 90"#),
        "calm while there is time: {}",
        page.body
    );

    for quiet in [december(4, 23, 0), december(5, 12, 0), december(7, 7, 29)] {
        app.clock.set(quiet);
        let report = jobs::run_once(&app.jobs).await.unwrap();
        assert_eq!(
            report.get(jobs::escalate::NAME, jobs::escalate::ESCALATED),
            0,
            "{quiet}: the weekend does not count"
        );
    }
    assert_eq!(escalation_count(&app, &ticket).await, 0);
    // The weekend outlasted the session.
    app.login("tech@msp.example", "Tess Tech password 1").await;
    let body = app.get(&ticket).await.body;
    assert!(
        body.contains(r#"<p class="alert" role="status" id="budget">You have 1 business minute"#),
        "urgent inside the due-soon share: {body}"
    );

    app.clock.set(december(7, 7, 31));
    let report = jobs::run_once(&app.jobs).await.unwrap();
    assert_eq!(
        report.get(jobs::escalate::NAME, jobs::escalate::ESCALATED),
        1
    );
    let again = jobs::run_once(&app.jobs).await.unwrap();
    assert_eq!(
        again.get(jobs::escalate::NAME, jobs::escalate::ESCALATED),
        0,
        "a second run escalates nothing more"
    );
    assert_eq!(escalation_count(&app, &ticket).await, 1);
    let row = ticket_row(&app, &ticket).await;
    assert_eq!(row.tier.map(Tier::as_str), Some("tier2"));

    let mail = staff_notices(&app).await;
    let to: Vec<&str> = mail.iter().map(|(a, _)| a.as_str()).collect();
    assert!(to.contains(&"priya@msp.example"), "{mail:?}");
    assert!(to.contains(&"mia@msp.example"), "{mail:?}");
    // The level and the managers hear of the move; Tess, who owned it, hears she no longer does.
    for (to, subject) in &mail {
        let expected = if to == "tech@msp.example" {
            "went to Tier 2: you no longer own it"
        } else {
            "Escalated to Tier 2: time exceeded"
        };
        assert!(subject.contains(expected), "{to}: {subject}");
    }
    assert!(to.contains(&"tech@msp.example"), "{mail:?}");
    assert_eq!(row.owner_id, None, "the ticket waits in the Tier 2 queue");

    // The session idled out over the weekend.
    app.login("tech@msp.example", "Tess Tech password 1")
        .await
        .assert_redirect_to("/");
    let text = app.get(&ticket).await.text();
    assert!(text.contains("SLA or time exceeded"), "{text}");
    assert!(text.contains("Tier 1 → Tier 2"), "{text}");
}

async fn two_instances_running_the_time_trigger_at_once_escalate_once(app: TestApp) {
    let ticket = friday_ticket(&app).await;
    let second = another_instance(&app, &[]).await;
    app.clock.set(december(7, 8, 0));
    let (first, other) = tokio::join!(jobs::run_once(&app.jobs), jobs::run_once(&second));
    let (first, other) = (first.unwrap(), other.unwrap());
    assert_eq!(
        first.get(jobs::escalate::NAME, jobs::escalate::ESCALATED)
            + other.get(jobs::escalate::NAME, jobs::escalate::ESCALATED),
        1,
        "{first} / {other}"
    );
    assert_eq!(escalation_count(&app, &ticket).await, 1);
}

async fn a_p1_goes_at_once_to_tier_2_at_triage_and_the_manager_is_told(app: TestApp) {
    app.clock.set(at(30, 10, 0));
    let ticket = worked_ticket(&app).await;
    assert_eq!(escalation_count(&app, &ticket).await, 0, "a P2 stays");
    let page = app.get(&ticket).await;
    let network = category_id(&app, "Network").await;
    app.post_form(
        &format!("{ticket}/triage"),
        &[
            ("version", &version_of(&page)),
            ("impact", "high"),
            ("urgency", "high"),
            ("category_id", &network),
            ("affected_service", "FS01"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let row = ticket_row(&app, &ticket).await;
    assert_eq!(row.priority.as_str(), "P1");
    assert_eq!(row.tier.map(Tier::as_str), Some("tier2"));
    assert_eq!(escalation_count(&app, &ticket).await, 1);
    let text = app.get(&ticket).await.text();
    assert!(text.contains("Complexity or severity"), "{text}");
    assert!(text.contains("severity"), "{text}");
    let mail = staff_notices(&app).await;
    assert!(
        mail.iter().any(|(to, subject)| to == "mia@msp.example"
            && subject.contains("P1 · Critical ticket escalated to Tier 2")),
        "{mail:?}"
    );
}

async fn only_another_manager_approves_and_solving_waits_for_the_decision(app: TestApp) {
    app.clock.set(at(30, 10, 0));
    let ticket = worked_ticket(&app).await;
    let page = app.get(&ticket).await;
    let incomplete = app
        .post_form(
            &format!("{ticket}/changes"),
            &[
                ("version", &version_of(&page)),
                ("what", "Reboot FS01"),
                ("why", ""),
            ],
        )
        .await;
    assert_eq!(incomplete.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(incomplete.field_error("why").is_some());
    assert_eq!(
        incomplete.field_value("what").as_deref(),
        Some("Reboot FS01")
    );
    app.post_form(
        &format!("{ticket}/changes"),
        &[
            ("version", &version_of(&page)),
            ("what", "Reboot FS01"),
            ("why", "The SMB service hangs"),
            ("impact", "Shares offline for 10 minutes"),
            ("risk", "Low: the server has rebooted cleanly before"),
            ("rollback_plan", "Boot the previous kernel"),
            ("planned_window", "Today 12:30-12:45"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let text = app.get(&ticket).await.text();
    assert!(text.contains("Awaiting approval"), "{text}");
    let mail = staff_notices(&app).await;
    assert!(
        mail.iter()
            .any(|(to, s)| to == "mia@msp.example" && s.contains("Sensitive change")),
        "{mail:?}"
    );

    // The owner cannot solve while the change is pending.
    let waiting = app.get(&ticket).await.text();
    assert!(
        waiting.contains("its status stays as it is and it cannot be solved"),
        "the page says why solving is unavailable: {waiting}"
    );
    let blocked = app
        .post_ticket_form(
            &ticket,
            "solve",
            &[
                ("solution", "Rebooted FS01; shares are back."),
                ("fix", "permanent"),
                ("kb_title", "x"),
            ],
        )
        .await;
    assert_eq!(blocked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        blocked
            .field_error("solution")
            .unwrap()
            .contains("waiting for a manager's approval")
    );

    // A technician cannot see the queue or decide.
    let request = pending_request(&app).await;
    assert_eq!(app.get("/approvals").await.status, StatusCode::FORBIDDEN);
    let forbidden = app
        .post_form(
            &format!("/approvals/{request}"),
            &[("decision", "approve"), ("comment", "Looks fine to me")],
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    let incomplete = app
        .post_form(&format!("/approvals/{request}"), &[("decision", "approve")])
        .await;
    assert_eq!(
        incomplete.status,
        StatusCode::FORBIDDEN,
        "a technician's incomplete form does not show the queue either"
    );
    assert!(!incomplete.text().contains("Reboot FS01"));

    // A manager cannot approve their own request.
    let mia = app.another_browser();
    mia.login("mia@msp.example", "Mia Manager password 1")
        .await
        .assert_redirect_to("/");
    let mia_page = mia.get(&ticket).await;
    mia.post_form(
        &format!("{ticket}/changes"),
        &[
            ("version", &version_of(&mia_page)),
            ("what", "Reset the domain admin password"),
            ("why", "It was shared in a ticket"),
            ("impact", "None for users"),
            ("risk", "Scripts using it break"),
            ("rollback_plan", "None needed"),
            ("planned_window", "Now"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let own = db::run(&app.state.pool, |conn| {
        Ok(db::approvals::pending(conn)?.remove(1).row.id)
    })
    .await
    .unwrap();
    let refused = mia
        .post_form(
            &format!("/approvals/{own}"),
            &[("decision", "approve"), ("comment", "Fine by me")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.text().contains("Nobody approves their own request"));

    // Another manager decides both; the requesters hear of it.
    let max = app.another_browser();
    max.create_user("max@msp.example", "Max Manager", Role::Manager, None)
        .await;
    max.login("max@msp.example", "Max Manager password 1")
        .await
        .assert_redirect_to("/");
    let dashboard = max.get("/").await.text();
    assert!(dashboard.contains("Pending approvals (2)"), "{dashboard}");
    let no_comment = max
        .post_form(&format!("/approvals/{request}"), &[("decision", "approve")])
        .await;
    assert_eq!(no_comment.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_comment.field_error("comment").is_some());
    max.post_form(
        &format!("/approvals/{request}"),
        &[("decision", "approve"), ("comment", "Go ahead at 12:30.")],
    )
    .await
    .assert_redirect_to("/approvals");
    max.post_form(
        &format!("/approvals/{own}"),
        &[
            ("decision", "reject"),
            ("comment", "Rotate it in the window."),
        ],
    )
    .await
    .assert_redirect_to("/approvals");
    // A manager who decides a request someone decided meanwhile keeps their comment.
    let late = mia
        .post_form(
            &format!("/approvals/{request}"),
            &[
                ("decision", "reject"),
                ("comment", "Not during office hours."),
            ],
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert!(
        late.text().contains("Not during office hours."),
        "{}",
        late.text()
    );
    let mail = staff_notices(&app).await;
    assert!(
        mail.iter().any(|(to, s)| to == "tech@msp.example"
            && s.contains("Your request was approved by Max Manager")),
        "{mail:?}"
    );
    let text = app.get(&ticket).await.text();
    assert!(text.contains("Go ahead at 12:30."), "{text}");
    assert!(
        text.contains("Sensitive change approved: Reboot FS01"),
        "{text}"
    );
    assert!(!text.contains("Awaiting approval."), "{text}");

    // Mia's change was rejected: the owner says what happens instead before solving.
    app.post_ticket_form(
        &ticket,
        "changes/acknowledge",
        &[
            ("approval_id", &own.to_string()),
            ("instead", "The password is rotated in tonight's window."),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    app.post_ticket_form(
        &ticket,
        "solve",
        &[
            ("solution", "Rebooted FS01; shares are back."),
            ("fix", "permanent"),
            ("kb_title", "x"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
}

async fn on_site_support_waits_for_a_managers_approval(app: TestApp) {
    app.clock.set(at(30, 10, 0));
    let ticket = worked_ticket(&app).await;
    let onsite = level_id(&app, "On-site support").await;
    let tess = user_id(&app, "tech@msp.example").await;
    let priya = user_id(&app, "priya@msp.example").await;

    // The assign form cannot send it on-site.
    let page = app.get(&ticket).await;
    let assigned = app
        .post_form(
            &format!("{ticket}/assign"),
            &[
                ("version", &version_of(&page)),
                ("tier", "onsite"),
                ("owner_id", &tess),
                ("worker_id", &tess),
            ],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(assigned.field_error("tier").is_some());

    let unknown = app
        .post_form(
            &format!("{ticket}/escalate"),
            &[
                ("version", &version_of(&page)),
                ("to_level_id", &onsite),
                ("reason", "complexity"),
                (
                    "explanation",
                    "The switch in the server room must be replaced.",
                ),
                ("owner_id", &priya),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.field_error("reason").is_some());
    app.post_form(
        &format!("{ticket}/escalate"),
        &[
            ("version", &version_of(&page)),
            ("to_level_id", &onsite),
            ("reason", "severity"),
            (
                "explanation",
                "The switch in the server room must be replaced.",
            ),
            ("owner_id", &priya),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let row = ticket_row(&app, &ticket).await;
    assert_eq!(row.tier.map(Tier::as_str), Some("tier1"), "not on-site yet");
    assert_eq!(escalation_count(&app, &ticket).await, 0);
    assert!(app.get(&ticket).await.text().contains("Awaiting approval"));

    let mia = app.another_browser();
    mia.login("mia@msp.example", "Mia Manager password 1")
        .await
        .assert_redirect_to("/");
    let queue = mia.get("/approvals").await.text();
    assert!(queue.contains("On-site escalation"), "{queue}");
    let request = pending_request(&app).await;
    mia.post_form(
        &format!("/approvals/{request}"),
        &[("decision", "approve"), ("comment", "Priya goes at 14:00.")],
    )
    .await
    .assert_redirect_to("/approvals");
    let row = ticket_row(&app, &ticket).await;
    assert_eq!(row.tier.map(Tier::as_str), Some("onsite"));
    assert_eq!(row.owner_id.unwrap().to_string(), priya);
    assert_eq!(escalation_count(&app, &ticket).await, 1);
    let text = app.get(&ticket).await.text();
    assert!(text.contains("Tier 1 → On-site support"), "{text}");
}

async fn a_change_waits_until_the_requester_is_validated(app: TestApp) {
    let (_, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Technician).await;
    let requester = format!("contact:{contact}");
    let ticket = app
        .post_form(
            "/tickets",
            &[
                ("kind", "incident"),
                ("requester", &requester),
                ("details_confirmed", "on"),
                ("identity_check", "not_validated"),
                ("channel", "phone"),
                ("subject", "Reset the domain admin password"),
                ("description", "Caller says they are the new IT contact."),
                ("impact", "high"),
                ("urgency", "high"),
            ],
        )
        .await
        .location
        .unwrap();
    let page = app.get(&ticket).await;
    assert!(page.text().contains("Requester not validated"));
    let refused = app
        .post_form(
            &format!("{ticket}/changes"),
            &[
                ("version", &version_of(&page)),
                ("what", "Reset the domain admin password"),
                ("why", "The caller asked for it"),
                ("impact", "Admins signed out"),
                ("risk", "High: account takeover"),
                ("rollback_plan", "Restore the old password"),
                ("planned_window", "Now"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("validated"), "{}", refused.text());
    let waiting = db::run(&app.state.pool, |conn| {
        Ok(db::approvals::pending(conn)?.len())
    })
    .await
    .unwrap();
    assert_eq!(waiting, 0, "nothing reaches the approvals queue");
}

both_backends!(
    a_change_waits_until_the_requester_is_validated,
    a_manual_escalation_needs_a_reason_an_explanation_and_an_owner,
    a_technician_may_skip_levels_up_to_the_manager,
    an_external_vendor_escalation_records_the_vendor_and_pauses_the_clock,
    the_time_trigger_escalates_when_the_budget_runs_out_not_over_the_weekend,
    two_instances_running_the_time_trigger_at_once_escalate_once,
    a_p1_goes_at_once_to_tier_2_at_triage_and_the_manager_is_told,
    only_another_manager_approves_and_solving_waits_for_the_decision,
    on_site_support_waits_for_a_managers_approval,
    admins_set_the_ladder_budgets_and_run_with_fewer_levels,
);

/// A technician files a change over HTTP; the manager approves it in a real browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_approves_a_sensitive_change_in_a_real_browser() {
    let Some(app) = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await else {
        return;
    };
    app.clock.set(at(30, 10, 0));
    let ticket = worked_ticket(&app).await;
    app.post_ticket_form(
        &ticket,
        "changes",
        &[
            ("what", "Reboot FS01"),
            ("why", "The SMB service hangs"),
            ("impact", "Shares offline for 10 minutes"),
            ("risk", "Low"),
            ("rollback_plan", "Boot the previous kernel"),
            ("planned_window", "Today 12:30-12:45"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let Some(browser) = start_browser().await else {
        return;
    };

    browser.client.goto(&app.url("/login")).await.unwrap();
    browser.fill("#email", "mia@msp.example").await;
    browser.fill("#password", "Mia Manager password 1").await;
    browser.click(Locator::Css("button[type=submit]")).await;
    browser
        .wait_for("//h1[starts-with(., 'Good to see you')]")
        .await;
    browser.click(Locator::LinkText("Pending approvals")).await;
    browser.wait_for("//h1[. = 'Approvals']").await;
    let queue = browser
        .client
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(queue.contains("Reboot FS01"), "{queue}");
    assert!(queue.contains("Boot the previous kernel"), "{queue}");
    browser
        .fill("textarea[name=comment]", "Go ahead at 12:30.")
        .await;
    browser.screenshot("approval").await;
    browser.click(Locator::Css("button[value=approve]")).await;
    browser
        .wait_for("//*[contains(., 'Request approved; the requester is told.')]")
        .await;
    assert!(
        browser
            .client
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("Nothing is waiting for a manager.")
    );
    browser.client.clone().close().await.unwrap();

    let text = app.get(&ticket).await.text();
    assert!(
        text.contains("Sensitive change approved: Reboot FS01"),
        "{text}"
    );
    assert!(text.contains("Go ahead at 12:30."), "{text}");
}

async fn admins_set_the_ladder_budgets_and_run_with_fewer_levels(app: TestApp) {
    let ticket = friday_ticket(&app).await;
    let tier1 = level_id(&app, "Tier 1").await;
    let tier2 = level_id(&app, "Tier 2").await;
    let tier3 = level_id(&app, "Tier 3").await;
    assert_eq!(
        app.get("/admin/escalation").await.status,
        StatusCode::FORBIDDEN
    );
    let admin = app.another_browser();
    admin.sign_in_as(Role::Admin).await;
    let page = admin.get("/admin/escalation").await.text();
    assert!(page.contains("1. Tier 1"), "{page}");
    assert!(page.contains("5. Service desk manager"), "{page}");

    let bad = admin
        .post_edit(
            "/admin/escalation",
            &format!("/admin/escalation/levels/{tier1}"),
            &[
                ("name", "First line"),
                ("budget_p1", "50"),
                ("budget_p2", "half"),
                ("budget_p3", "50"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("budget_p2").is_some());
    assert_eq!(bad.field_value("budget_p2").as_deref(), Some("half"));
    admin
        .post_edit(
            "/admin/escalation",
            &format!("/admin/escalation/levels/{tier1}"),
            &[
                ("name", "First line"),
                ("budget_p1", "50"),
                ("budget_p2", "25"),
                ("budget_p3", "50"),
            ],
        )
        .await
        .assert_redirect_to("/admin/escalation");
    // A quarter of the P2's 4 business hours: 60 minutes, 30 of them used.
    app.clock.set(december(4, 17, 0));
    let text = app.get(&ticket).await.text();
    assert!(
        text.contains("You have 30 business minutes before this must go to Tier 2."),
        "{text}"
    );

    // A small MSP runs without tier 3; tier 2 carries the P1 rule, so it stays.
    admin
        .post_form(&format!("/admin/escalation/levels/{tier3}/remove"), &[])
        .await
        .assert_redirect_to("/admin/escalation");
    let kept = admin
        .post_form(&format!("/admin/escalation/levels/{tier2}/remove"), &[])
        .await;
    assert_eq!(kept.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(kept.text().contains("Tier 2 is part of"), "{}", kept.text());
    admin
        .post_form(&format!("/admin/escalation/levels/{tier2}/move/up"), &[])
        .await
        .assert_redirect_to("/admin/escalation");
    let page = admin.get("/admin/escalation").await.text();
    assert!(page.contains("1. First line"), "{page}");
    assert!(page.contains("2. On-site support"), "{page}");
    assert!(page.contains("3. Tier 2"), "{page}");
    assert!(!page.contains("Tier 3"), "{page}");

    // Severity rules are the admin's too: P2s go to at least Tier 2 as well.
    let bad = admin
        .post_form(
            "/admin/escalation/severity",
            &[
                ("min_level_p1", &tier2),
                ("notify_p1", "on"),
                ("min_level_p2", "tier two"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("min_level_p2").is_some());
    admin
        .post_form(
            "/admin/escalation/severity",
            &[
                ("min_level_p1", &tier2),
                ("notify_p1", "on"),
                ("min_level_p2", &tier2),
                ("min_level_p3", ""),
            ],
        )
        .await
        .assert_redirect_to("/admin/escalation");
    let rules = db::run(&app.state.pool, |conn| {
        db::escalation::load_severity_rules(conn)
    })
    .await
    .unwrap();
    let summary: Vec<(&str, String, bool)> = rules
        .iter()
        .map(|r| {
            (
                r.priority.as_str(),
                r.min_level.to_string(),
                r.notify_manager,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [("P1", tier2.clone(), true), ("P2", tier2.clone(), false)]
    );
}
