//! Tickets and risks over HTTP: a risk raised from a ticket links both ways, a control is
//! carried out through a service request and marked in place once it is solved, and a deadline
//! entered by hand is shown, flagged and reminded through the sweep with the clock moved.

use chrono::Duration;
use diesel::prelude::*;
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::domain::account::Role;
use tierdesk::domain::ids::{CategoryId, ClientId, TicketId};
use tierdesk::domain::priority::{Impact, Urgency};

use crate::fixtures::{drain, edit_of, record_ticket, staff_id, ticket_id, user_id};
use crate::helpers::TestApp;
use crate::risks::{analyse, mails_about, risk, treat, walk_through};
use crate::smtp::SmtpSink;

async fn first_contact(app: &TestApp, client: i64) -> i64 {
    db::run(&app.state.pool, move |conn| {
        Ok(db::clients::contacts_of(conn, ClientId(client))?[0].id)
    })
    .await
    .unwrap()
}

async fn controls(app: &TestApp, risk: i64) -> Vec<db::risks::ControlRow> {
    db::run(&app.state.pool, move |conn| {
        db::risks::controls_of(conn, risk)
    })
    .await
    .unwrap()
}

/// Puts the ticket in `status` directly: set-up for what follows a solved request, not the
/// request's own workflow (tested in tickets.rs).
async fn set_status(app: &TestApp, ticket: i64, status: &'static str) {
    db::run(&app.state.pool, move |conn| {
        use tierdesk::db::schema::tickets;
        diesel::update(tickets::table.find(ticket))
            .set(tickets::status.eq(status))
            .execute(conn)?;
        Ok(())
    })
    .await
    .unwrap();
}

async fn a_risk_raised_from_a_ticket_links_both_ways_and_a_control_runs_through_a_ticket(
    app: TestApp,
    sink: SmtpSink,
) {
    let tech = app.sign_in_as(Role::Technician).await;
    let owner = user_id(&app, &tech).await;
    let (client, _) = walk_through(&app, 1, 400).await;
    let contact = first_contact(&app, client).await;
    let path = record_ticket(&app, contact, "Nightly backup failed", "medium", "medium").await;
    let ticket = ticket_id(&path);
    // Triage names the affected service the way the walk-through named the asset.
    let tech_id = staff_id(&app, &tech).await;
    let (now, mail) = (app.clock.now(), app.state.mail());
    db::run(&app.state.pool, move |conn| {
        let row = db::tickets::get(conn, ticket)?;
        let input = db::tickets::TriageInput {
            impact: Impact::Medium,
            urgency: Urgency::Medium,
            category: Some(CategoryId(1)),
            subcategory: None,
            affected_service: "file SERVER".into(),
        };
        db::tickets::triage(conn, edit_of(tech_id, &row, now), &input, &mail)?.unwrap();
        Ok(())
    })
    .await
    .unwrap();

    let page = app.get(&path).await.text();
    assert!(page.contains("No risk is linked to this ticket."), "{page}");
    let raised = app.post_form(&format!("{path}/risks"), &[]).await;
    let at = raised.location.clone().unwrap();
    let id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
    let row = risk(&app, id).await;
    assert!(row.is_draft());
    assert_eq!(row.client_id, client);
    assert_eq!(row.ticket_id, Some(ticket.0));
    assert_eq!(row.cause, "Nightly backup failed");
    let asset = db::run(&app.state.pool, move |conn| {
        Ok(db::risks::assets_of(conn, client)?[0].clone())
    })
    .await
    .unwrap();
    assert_eq!(asset.name, "File server");
    assert_eq!(
        row.asset_id,
        Some(asset.id),
        "the affected service names it"
    );

    let risk_page = app.get(&at).await.text();
    assert!(
        risk_page.contains(&format!("Ticket #{}", ticket.0)),
        "{risk_page}"
    );
    assert!(risk_page.contains("raised from ticket"), "{risk_page}");
    let page = app.get(&path).await.text();
    assert!(
        page.contains(&format!("Risk #{id} Nightly backup failed")),
        "{page}"
    );
    assert!(page.contains("raised from this ticket"), "{page}");
    assert!(page.contains(&format!("Risk #{id} raised from this ticket")));

    analyse(
        &app,
        id,
        &owner,
        "tolerable",
        "Restores work from last week",
    )
    .await
    .assert_redirect_to(&at);
    let treatment = [
        ("option_treat", "on"),
        ("control_1_kind", "preventive"),
        ("control_1_what", "Fix the backup job"),
        ("control_1_owner", owner.as_str()),
        ("control_1_state", "planned"),
    ];
    treat(&app, id, &treatment).await.assert_redirect_to(&at);
    let control = controls(&app, id).await.remove(0);
    assert_eq!(control.ticket_id, None);
    assert!(
        app.get(&at)
            .await
            .text()
            .contains("Carry out “Fix the backup job” through a ticket")
    );

    // Marking in place waits for a ticket that is solved.
    let early = app
        .post_form(&format!("{at}/controls/{}/in-place", control.id), &[])
        .await;
    early.assert_redirect_to(&format!("{at}#controls"));
    assert!(
        app.get(&at)
            .await
            .text()
            .contains("This control is not carried out through a ticket.")
    );

    app.post_form(&format!("{at}/controls/{}/ticket", control.id), &[])
        .await
        .assert_redirect_to(&format!("{at}#controls"));
    let carried = controls(&app, id).await.remove(0);
    let request = carried.ticket_id.expect("the control has its ticket");
    let request_row = db::run(&app.state.pool, move |conn| {
        db::tickets::get(conn, TicketId(request))
    })
    .await
    .unwrap();
    assert_eq!(request_row.kind.as_str(), "service_request");
    assert_eq!(request_row.client_id, client);
    assert_eq!(request_row.subject, "Risk control: Fix the backup job");
    let shown = app.get(&at).await.text();
    assert!(shown.contains(&format!("Ticket #{request}")), "{shown}");
    assert!(shown.contains("carried out through ticket"), "{shown}");
    let request_page = app.get(&format!("/tickets/{request}")).await.text();
    assert!(
        request_page.contains("this ticket carries out its control “Fix the backup job”"),
        "{request_page}"
    );

    // One ticket per control.
    app.post_form(&format!("{at}/controls/{}/ticket", control.id), &[])
        .await
        .assert_redirect_to(&format!("{at}#controls"));
    assert!(
        app.get(&at)
            .await
            .text()
            .contains(&format!("already carried by ticket #{request}"))
    );

    app.post_form(&format!("{at}/controls/{}/in-place", carried.id), &[])
        .await
        .assert_redirect_to(&format!("{at}#controls"));
    assert_eq!(controls(&app, id).await[0].state, "planned");
    assert!(
        app.get(&at)
            .await
            .text()
            .contains("The control's ticket is not solved yet")
    );

    set_status(&app, request, "solved").await;
    let offered = app.get(&at).await.text();
    assert!(
        offered.contains("Mark “Fix the backup job” in place"),
        "{offered}"
    );
    app.post_form(&format!("{at}/controls/{}/in-place", carried.id), &[])
        .await
        .assert_redirect_to(&format!("{at}#controls"));
    let done = controls(&app, id).await.remove(0);
    assert_eq!(done.state, "in_place");
    assert!(
        app.get(&at)
            .await
            .text()
            .contains("control “Fix the backup job”: planned → in place")
    );

    // Deciding the treatment again keeps the control's ticket.
    let again = [
        ("option_treat", "on"),
        ("control_1_kind", "preventive"),
        ("control_1_what", "Fix the backup job"),
        ("control_1_owner", owner.as_str()),
        ("control_1_state", "in_place"),
        ("control_2_kind", "detective"),
        ("control_2_what", "Weekly restore test"),
        ("control_2_owner", owner.as_str()),
        ("control_2_state", "planned"),
    ];
    treat(&app, id, &again).await.assert_redirect_to(&at);
    let kept = controls(&app, id).await;
    assert_eq!(kept[0].ticket_id, Some(request));
    assert_eq!(kept[1].ticket_id, None);

    drain(&app).await;
    let told = mails_about(&sink, "Risk control: Fix the backup job");
    assert_eq!(told.len(), 1, "the intake path acknowledges the request");
    assert_eq!(told[0].0, "alice@northwind.example");
}

async fn a_deadline_entered_by_hand_is_shown_and_reminds_the_owner_before_it(
    app: TestApp,
    sink: SmtpSink,
) {
    let tech = app.sign_in_as(Role::Technician).await;
    let owner = user_id(&app, &tech).await;
    let (client, risks) = walk_through(&app, 1, 400).await;
    let id = risks[0];
    analyse(&app, id, &owner, "tolerable", "Guests are few")
        .await
        .assert_redirect_to(&format!("/risks/{id}"));
    let day = |days: i64| {
        (app.clock.now().date_naive() + Duration::days(days))
            .format("%Y-%m-%d")
            .to_string()
    };
    let deadlines = |app: &TestApp| {
        let pool = app.state.pool.clone();
        async move {
            db::run(&pool, move |conn| db::risks::milestones_of(conn, id))
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.kind == "deadline")
                .collect::<Vec<_>>()
        }
    };

    app.post_form(
        &format!("/risks/{id}/deadline"),
        &[("deadline", &day(-1)), ("note", "Too late")],
    )
    .await
    .assert_redirect_to(&format!("/risks/{id}#deadline"));
    assert!(
        app.get(&format!("/risks/{id}"))
            .await
            .text()
            .contains("a deadline in the past plans nothing")
    );
    assert!(deadlines(&app).await.is_empty());

    app.post_form(
        &format!("/risks/{id}/deadline"),
        &[("deadline", &day(30)), ("note", "Separate the guest Wi-Fi")],
    )
    .await
    .assert_redirect_to(&format!("/risks/{id}#deadline"));
    let set = deadlines(&app).await;
    assert_eq!(set.len(), 1);
    let first_date = db::risks::format_date(set[0].due_on);
    let page = app.get(&format!("/risks/{id}")).await;
    assert_eq!(
        page.field_value("deadline").as_deref(),
        Some(day(30).as_str())
    );
    assert!(
        page.text()
            .contains(&format!("remove by: none → {first_date}")),
        "{}",
        page.text()
    );
    let register = app.get(&format!("/clients/{client}/risks")).await.text();
    assert!(register.contains("Remove by"), "{register}");
    assert!(register.contains(&first_date), "{register}");

    drain(&app).await;
    assert!(
        mails_about(&sink, "Deadline coming").is_empty(),
        "30 days out"
    );
    app.clock.advance(Duration::days(17));
    drain(&app).await;
    drain(&app).await;
    let reminded = mails_about(&sink, "Deadline coming");
    assert_eq!(reminded.len(), 1, "once, however many passes");
    assert_eq!(reminded[0].0, "tech@msp.example");
    assert!(reminded[0].2.contains("Separate the guest Wi-Fi"));

    // Moved, the deadline is reminded afresh before its new date.
    app.login(&tech, "Tess Tech password 1").await;
    app.post_form(
        &format!("/risks/{id}/deadline"),
        &[("deadline", &day(40)), ("note", "Separate the guest Wi-Fi")],
    )
    .await
    .assert_redirect_to(&format!("/risks/{id}#deadline"));
    let moved = deadlines(&app).await;
    assert_eq!(moved[0].reminded_at, None);
    let history = app.get(&format!("/risks/{id}")).await.text();
    assert!(
        history.contains(&format!(
            "remove by: {first_date} → {}",
            db::risks::format_date(moved[0].due_on)
        )),
        "{history}"
    );
    app.clock.advance(Duration::days(30));
    drain(&app).await;
    assert_eq!(mails_about(&sink, "Deadline coming").len(), 2);

    // Passed, the dashboard flags it.
    app.clock.advance(Duration::days(11));
    app.login(&tech, "Tess Tech password 1").await;
    let dashboard = app.get("/").await.text();
    assert!(dashboard.contains("1 deadline(s) passed"), "{dashboard}");
    assert_eq!(app.get("/").await.status, StatusCode::OK);
}

both_backends_with_smtp!(
    a_risk_raised_from_a_ticket_links_both_ways_and_a_control_runs_through_a_ticket,
    a_deadline_entered_by_hand_is_shown_and_reminds_the_owner_before_it,
);
