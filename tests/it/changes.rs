//! "Assessed and approved before continuing" through HTTP: a pending sensitive change holds the
//! ticket's status (notes still go in), a rejected change must be acknowledged by the owner, an
//! escalation for administrator privileges asks for a change first, and a ticket in a sensitive
//! category is solved only after a manager approved a change.

use chrono::{DateTime, TimeZone, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::domain::account::{Role, Tier};
use tierdesk::domain::change_gate::{ADMIN_PRIVILEGES, PENDING_HOLDS, REJECTION_HOLDS};

use crate::fixtures::{
    category_id, client_with_contact, level_id, network_ticket_in_progress, record_ticket,
    seed_demo_desk, ticket_id, ticket_row, user_id,
};
use crate::helpers::TestApp;

fn monday(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, hour, 0, 0)
        .single()
        .unwrap()
}

/// A ticket in Network, triaged, owned and worked by Tess (tier 1), work started; the app's
/// browser is Tess. Priya (tier 2) exists; Sam Setup is the manager who decides.
async fn ticket_in_progress(app: &TestApp) -> String {
    let (_, contact) = client_with_contact(app).await;
    app.create_user(
        "priya@msp.example",
        "Priya Nair",
        Role::Technician,
        Some(Tier::Tier2),
    )
    .await;
    app.sign_in_as(Role::Technician).await;
    let ticket = record_ticket(app, contact, "Firewall blocks the VPN", "high", "medium").await;
    network_ticket_in_progress(
        app,
        &ticket,
        "Firewall",
        "The VPN rule was removed in last night's update.",
    )
    .await;
    ticket
}

async fn file_change(app: &TestApp, ticket: &str) {
    app.post_ticket_form(
        ticket,
        "changes",
        &[
            ("what", "Add the VPN rule back on the edge firewall"),
            ("why", "Remote staff cannot connect"),
            ("impact", "VPN sessions drop for a minute"),
            ("risk", "A wrong rule opens the network"),
            ("rollback_plan", "Restore last week's rule set"),
            ("planned_window", "Today 18:00-18:15"),
        ],
    )
    .await
    .assert_redirect_to(ticket);
}

/// Sam Setup (a manager other than the requester) decides the ticket's pending change.
async fn manager_decides(app: &TestApp, decision: &str, comment: &str) {
    let request = db::run(&app.state.pool, |conn| {
        Ok(db::approvals::pending(conn)?.remove(0).row.id.0)
    })
    .await
    .unwrap();
    let sam = app.another_browser();
    sam.login("setup@msp.example", "Sam Setup password 1")
        .await
        .assert_redirect_to("/");
    sam.post_form(
        &format!("/approvals/{request}"),
        &[("decision", decision), ("comment", comment)],
    )
    .await
    .assert_redirect_to("/approvals");
}

async fn status_of(app: &TestApp, ticket: &str) -> String {
    ticket_row(app, ticket).await.status.as_str().to_string()
}

async fn a_pending_change_holds_the_status_but_takes_notes_and_replies(app: TestApp) {
    app.clock.set(monday(10));
    let ticket = ticket_in_progress(&app).await;
    // The ticket waits for the vendor when the change is filed: the request leaves it there.
    app.post_ticket_form(
        &ticket,
        "work",
        &[
            ("entry", "note"),
            ("body", "Asked the firewall vendor for the rule syntax."),
            ("next", "pend_vendor"),
            ("review", "changed"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    file_change(&app, &ticket).await;
    assert_eq!(status_of(&app, &ticket).await, "pending_vendor");

    let page = app.get(&ticket).await.text();
    assert!(page.contains("Awaiting approval."), "{page}");
    assert!(
        page.contains(PENDING_HOLDS),
        "the work form says why: {page}"
    );

    for next in ["resume", "pend_client_input", "pend_parts"] {
        let refused = app
            .post_ticket_form(
                &ticket,
                "work",
                &[
                    ("entry", "note"),
                    ("body", "The vendor answered; carrying on."),
                    ("next", next),
                    ("review", "changed"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{next}");
        assert_eq!(
            refused.field_error("next").as_deref(),
            Some(PENDING_HOLDS),
            "{next}"
        );
        assert_eq!(
            refused.field_value("body").as_deref(),
            Some("The vendor answered; carrying on."),
            "the text is kept"
        );
    }
    let solve = app
        .post_ticket_form(
            &ticket,
            "solve",
            &[
                ("solution", "Added the VPN rule back; remote staff connect."),
                ("fix", "permanent"),
            ],
        )
        .await;
    assert_eq!(solve.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        solve.field_error("solution").as_deref(),
        Some(PENDING_HOLDS)
    );
    let vendor = app
        .post_ticket_form(
            &ticket,
            "escalate",
            &[
                ("to_level_id", &level_id(&app, "Tier 1").await),
                ("reason", "external_vendor"),
                ("explanation", "The vendor must write the rule"),
                ("owner_id", &user_id(&app, "tech@msp.example").await),
                ("vendor", "Fortinet"),
                ("vendor_reference", "FG-1234"),
            ],
        )
        .await;
    assert_eq!(vendor.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(vendor.field_error("reason").as_deref(), Some(PENDING_HOLDS));
    assert_eq!(status_of(&app, &ticket).await, "pending_vendor");

    // Notes and client replies still go in, with the status kept.
    app.post_ticket_form(
        &ticket,
        "work",
        &[
            ("entry", "reply"),
            (
                "body",
                "Hello Alice, the fix is waiting for approval tonight.",
            ),
            ("review", "unchanged"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    assert_eq!(status_of(&app, &ticket).await, "pending_vendor");
    let page = app.get(&ticket).await.text();
    assert!(
        page.contains("Hello Alice, the fix is waiting for approval tonight."),
        "{page}"
    );

    // Once approved, work resumes.
    manager_decides(&app, "approve", "Go ahead at 18:00.").await;
    app.post_ticket_form(
        &ticket,
        "work",
        &[
            ("entry", "note"),
            ("body", "Approved; applying the rule."),
            ("next", "resume"),
            ("review", "changed"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    assert_eq!(status_of(&app, &ticket).await, "in_progress");
}

async fn a_rejected_change_must_be_acknowledged_by_the_owner(app: TestApp) {
    app.clock.set(monday(10));
    let ticket = ticket_in_progress(&app).await;
    file_change(&app, &ticket).await;
    manager_decides(
        &app,
        "reject",
        "Not on the edge firewall; use the VPN concentrator.",
    )
    .await;

    let page = app.get(&ticket).await.text();
    assert!(page.contains("Sensitive change rejected"), "{page}");
    assert!(
        page.contains("Not on the edge firewall; use the VPN concentrator."),
        "the manager's comment is shown: {page}"
    );
    assert!(
        page.contains("Acknowledge the rejection: what will you do instead?"),
        "{page}"
    );
    let pend = app
        .post_ticket_form(
            &ticket,
            "work",
            &[
                ("entry", "note"),
                ("body", "Waiting for the client to confirm."),
                ("next", "pend_client_input"),
                ("review", "changed"),
            ],
        )
        .await;
    assert_eq!(pend.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pend.field_error("next").as_deref(), Some(REJECTION_HOLDS));
    let solve = app
        .post_ticket_form(
            &ticket,
            "solve",
            &[
                ("solution", "Added the VPN rule back; remote staff connect."),
                ("fix", "permanent"),
            ],
        )
        .await;
    assert_eq!(solve.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        solve.field_error("solution").as_deref(),
        Some(REJECTION_HOLDS)
    );

    let tid = ticket_id(&ticket);
    let request = db::run(&app.state.pool, move |conn| {
        Ok(db::approvals::of_ticket(conn, tid)?.remove(0).row.id.0)
    })
    .await
    .unwrap()
    .to_string();
    // Not the owner: Priya may not answer for Tess.
    let priya = app.another_browser();
    priya
        .login("priya@msp.example", "Priya Nair password 1")
        .await
        .assert_redirect_to("/");
    let page = priya.get(&ticket).await;
    assert!(page.text().contains("Only the ticket's owner"));
    let foreign = priya
        .post_ticket_form(
            &ticket,
            "changes/acknowledge",
            &[
                ("approval_id", &request),
                ("instead", "I will do it anyway."),
            ],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    let blank = app
        .post_ticket_form(
            &ticket,
            "changes/acknowledge",
            &[("approval_id", &request), ("instead", "  ")],
        )
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blank.field_error("instead").is_some());

    app.clock.set(monday(11));
    let instead = "Open the port on the VPN concentrator instead; new change to follow.";
    app.post_ticket_form(
        &ticket,
        "changes/acknowledge",
        &[("approval_id", &request), ("instead", instead)],
    )
    .await
    .assert_redirect_to(&ticket);
    let tess = user_id(&app, "tech@msp.example").await;
    let (by, at, text): (Option<i64>, Option<chrono::NaiveDateTime>, String) =
        db::run(&app.state.pool, move |conn| {
            use tierdesk::db::schema::approvals::dsl::*;
            Ok(approvals
                .filter(ticket_id.eq(tid.0))
                .select((acknowledged_by, acknowledged_at, acknowledgement))
                .first(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(by.map(|b| b.to_string()), Some(tess));
    assert_eq!(at, Some(monday(11).naive_utc()));
    assert_eq!(text, instead);
    let page = app.get(&ticket).await.text();
    assert!(page.contains(instead), "on the timeline: {page}");
    assert!(
        page.contains("rejection of the sensitive change acknowledged"),
        "{page}"
    );
    assert!(
        !page.contains("Acknowledge the rejection: what will you do instead?"),
        "the form is gone once answered: {page}"
    );
    assert!(
        page.contains(&format!(
            "acknowledged by Tess Tech, Mon 30 Nov 2026 11:00 GMT: {instead}"
        )),
        "the request lists the answer: {page}"
    );

    // Work goes on.
    app.post_ticket_form(
        &ticket,
        "work",
        &[
            ("entry", "note"),
            ("body", "Asked the client which users need the VPN."),
            ("next", "pend_client_input"),
            ("review", "changed"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    assert_eq!(status_of(&app, &ticket).await, "pending_client");
}

async fn an_escalation_for_administrator_privileges_asks_for_a_change(app: TestApp) {
    app.clock.set(monday(10));
    let ticket = ticket_in_progress(&app).await;
    let tier2 = level_id(&app, "Tier 2").await;
    let priya = user_id(&app, "priya@msp.example").await;
    let fields = [
        ("to_level_id", tier2.as_str()),
        ("reason", "admin_privileges"),
        (
            "explanation",
            "The firewall needs a domain admin to change its rules.",
        ),
        ("owner_id", priya.as_str()),
    ];
    let refused = app.post_ticket_form(&ticket, "escalate", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.field_error("reason").as_deref(),
        Some(ADMIN_PRIVILEGES)
    );
    assert_eq!(
        refused.field_value("explanation").as_deref(),
        Some("The firewall needs a domain admin to change its rules."),
        "the escalation text is kept"
    );
    assert!(
        refused
            .body
            .contains("<details class=\"panel\" id=\"change\" open>"),
        "the change form is opened next to the refusal"
    );
    assert!(refused.body.contains("href=\"#change\""));
    assert_eq!(ticket_row(&app, &ticket).await.tier, Some(Tier::Tier1));

    file_change(&app, &ticket).await;
    app.post_ticket_form(&ticket, "escalate", &fields)
        .await
        .assert_redirect_to(&ticket);
    assert_eq!(ticket_row(&app, &ticket).await.tier, Some(Tier::Tier2));
    let page = app.get(&ticket).await.text();
    assert!(page.contains("Administrator privileges"), "{page}");
}

async fn a_ticket_in_a_sensitive_category_is_solved_only_after_an_approved_change(app: TestApp) {
    app.clock.set(monday(10));
    let ticket = ticket_in_progress(&app).await;
    let network = category_id(&app, "Network").await;

    // Only an admin flags a category.
    let flag = format!("/admin/categories/{network}/sensitive");
    let tech = app.post_form(&flag, &[("sensitive", "yes")]).await;
    assert_eq!(tech.status, StatusCode::FORBIDDEN);
    let admin = app.another_browser();
    admin.sign_in_as(Role::Admin).await;
    admin
        .post_form(&flag, &[("sensitive", "yes")])
        .await
        .assert_redirect_to("/admin/categories");
    let list = admin.get("/admin/categories").await.text();
    assert!(
        list.contains("Network sensitive: needs an approved change"),
        "{list}"
    );

    let page = app.get(&ticket).await;
    assert!(
        page.text().contains("Sensitive category."),
        "{}",
        page.text()
    );
    assert!(
        page.body
            .contains("<details class=\"panel\" id=\"change\" open>")
    );
    let solve = [
        ("solution", "Added the VPN rule back; remote staff connect."),
        ("fix", "permanent"),
    ];
    let refused = app.post_ticket_form(&ticket, "solve", &solve).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .field_error("solution")
            .unwrap()
            .contains("category is marked sensitive"),
        "{}",
        refused.text()
    );
    assert!(refused.body.contains("href=\"#change\""));

    file_change(&app, &ticket).await;
    let pending = app.post_ticket_form(&ticket, "solve", &solve).await;
    assert_eq!(pending.status, StatusCode::UNPROCESSABLE_ENTITY);
    manager_decides(&app, "approve", "Fine, in the window.").await;
    app.post_ticket_form(&ticket, "solve", &solve)
        .await
        .assert_redirect_to(&ticket);
    assert_eq!(status_of(&app, &ticket).await, "solved");
}

async fn the_demo_desk_shows_a_sensitive_category_and_an_acknowledged_rejection(app: TestApp) {
    app.clock.set(monday(15));
    seed_demo_desk(&app).await;
    let (flagged, acknowledged, ticket): (i64, i64, i64) = db::run(&app.state.pool, |conn| {
        use tierdesk::db::schema::{approvals, categories};
        let flagged = categories::table
            .filter(categories::sensitive.eq(true))
            .count()
            .get_result(conn)?;
        let (acknowledged, ticket) = approvals::table
            .filter(approvals::status.eq("rejected"))
            .filter(approvals::acknowledged_by.is_not_null())
            .select((approvals::id, approvals::ticket_id))
            .first(conn)?;
        Ok((flagged, acknowledged, ticket))
    })
    .await
    .unwrap();
    assert_eq!(flagged, 1);
    assert!(acknowledged > 0);
    app.login("ben.okafor@msp.example", tierdesk::seed::DEMO_PASSWORD)
        .await
        .assert_redirect_to("/");
    let page = app.get(&format!("/tickets/{ticket}")).await.text();
    assert!(page.contains("Sensitive category."), "{page}");
    assert!(page.contains("acknowledged by Ben Okafor"), "{page}");
    assert!(
        page.contains("Awaiting approval."),
        "the second change waits: {page}"
    );
}

both_backends!(
    the_demo_desk_shows_a_sensitive_category_and_an_acknowledged_rejection,
    a_pending_change_holds_the_status_but_takes_notes_and_replies,
    a_rejected_change_must_be_acknowledged_by_the_owner,
    an_escalation_for_administrator_privileges_asks_for_a_change,
    a_ticket_in_a_sensitive_category_is_solved_only_after_an_approved_change,
);
