//! People behind assignment and decisions, through HTTP: technicians' access to clients and
//! their systems (granted by admins on the user page), planned absences, and who may record
//! a decision at the decision point (a manager or the client's account manager).

use chrono::{DateTime, TimeZone, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::domain::account::{Role, Tier};
use tierdesk::domain::ids::ClientId;

use crate::fixtures::{
    category_id, client_with_contact, level_id, network_ticket_in_progress, record_ticket,
    seed_demo_desk, staff_id, ticket_id, ticket_row, user_id,
};
use crate::helpers::{Page, TestApp};

fn december(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, minute, 0)
        .single()
        .unwrap()
}

/// The candidate's row in the ticket page's "Who fits best" table, as a person reads it:
/// "Ben Okafor (not eligible) No access to this client's systems; Tier 1, …".
fn candidate_line(page: &Page, name: &str) -> String {
    let doc = scraper::Html::parse_document(&page.body);
    let rows = scraper::Selector::parse("tr").unwrap();
    doc.select(&rows)
        .map(|row| row.text().collect::<Vec<_>>().join(" "))
        .map(|text| text.split_whitespace().collect::<Vec<_>>().join(" "))
        .find(|text| text.starts_with(name) && text.contains("open ticket"))
        .unwrap_or_else(|| panic!("{name} not listed: {}", page.text()))
}

async fn clients_of(app: &TestApp, email: &str) -> Vec<i64> {
    let user = staff_id(app, email).await;
    db::run(&app.state.pool, move |conn| {
        use tierdesk::db::schema::client_access::dsl::*;
        Ok(client_access
            .filter(user_id.eq(user.0))
            .select(client_id)
            .load(conn)?)
    })
    .await
    .unwrap()
}

/// A browser signed in as someone `create_user` made.
async fn browser_of(app: &TestApp, email: &str, name: &str) -> TestApp {
    let browser = app.another_browser();
    browser
        .login(email, &format!("{name} password 1"))
        .await
        .assert_redirect_to("/");
    browser
}

async fn access_factor_decides_who_may_take_a_clients_ticket(app: TestApp) {
    app.clock.set(december(2, 10, 0));
    let (client, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Admin).await;
    for (email, name) in [
        ("tess@msp.example", "Tess Tech"),
        ("ben@msp.example", "Ben Okafor"),
    ] {
        app.create_user(email, name, Role::Technician, Some(Tier::Tier1))
            .await;
    }
    let ben = user_id(&app, "ben@msp.example").await;
    let tess = user_id(&app, "tess@msp.example").await;
    // A new account may work for every existing client until an admin says otherwise.
    assert_eq!(clients_of(&app, "ben@msp.example").await, [client]);

    // The admin names the client's ERP; an empty name is refused beside the field.
    let client_page = format!("/clients/{client}");
    let empty = app
        .post_form(&format!("{client_page}/systems"), &[("system", " ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.field_error("system").is_some());
    app.post_form(&format!("{client_page}/systems"), &[("system", "ERP")])
        .await
        .assert_redirect_to(&format!("{client_page}#systems"));
    let duplicate = app
        .post_form(&format!("{client_page}/systems"), &[("system", "erp")])
        .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(duplicate.field_value("system").as_deref(), Some("erp"));
    let erp = db::run(&app.state.pool, move |conn| {
        Ok(db::access::systems_of(conn, ClientId(client))?
            .remove(0)
            .id
            .0)
    })
    .await
    .unwrap();

    // On Tess's page the admin keeps the client and grants the ERP; Ben loses the client.
    let client_box = format!("client_{client}");
    let system_box = format!("system_{erp}");
    let tess_page = app.get(&format!("/admin/users/{tess}")).await;
    assert!(
        tess_page.text().contains("Access to ERP"),
        "{}",
        tess_page.text()
    );
    app.post_form(
        &format!("/admin/users/{tess}/access"),
        &[(client_box.as_str(), "on"), (system_box.as_str(), "on")],
    )
    .await
    .assert_redirect_to(&format!("/admin/users/{tess}#access"));
    app.post_form(&format!("/admin/users/{ben}/access"), &[])
        .await
        .assert_redirect_to(&format!("/admin/users/{ben}#access"));
    assert!(clients_of(&app, "ben@msp.example").await.is_empty());
    let ben_page = app.get(&format!("/admin/users/{ben}")).await;
    assert!(
        !ben_page
            .body
            .contains(&format!("name=\"{client_box}\" type=\"checkbox\" checked"))
    );
    let shown = app.get(&client_page).await.text();
    let (_, works_for) = shown.split_once("Who works for this client").unwrap();
    assert!(works_for.contains("Tess Tech (ERP)"), "{shown}");
    assert!(!works_for.contains("Ben Okafor"), "{shown}");

    // A ticket about the ERP: Ben is not eligible, the admin (access, no ERP) ranks lower.
    let ticket = record_ticket(&app, contact, "Invoices stuck", "medium", "medium").await;
    let software = category_id(&app, "Software").await;
    app.post_ticket_form(
        &ticket,
        "triage",
        &[
            ("impact", "medium"),
            ("urgency", "medium"),
            ("category_id", &software),
            ("affected_service", "ERP invoicing"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let page = app.get(&ticket).await;
    let ben_line = candidate_line(&page, "Ben Okafor");
    assert!(
        ben_line.starts_with("Ben Okafor (not eligible) No access to this client's systems"),
        "{ben_line}"
    );
    let tess_line = candidate_line(&page, "Tess Tech");
    assert!(!tess_line.contains("No access"), "{tess_line}");
    let admin_line = candidate_line(&page, "Ada Admin");
    assert!(admin_line.contains("No access to ERP"), "{admin_line}");

    // The assign POST refuses Ben, beside the field, and leaves the ticket unassigned.
    let refused = app
        .post_ticket_form(
            &ticket,
            "assign",
            &[("tier", "tier1"), ("owner_id", &tess), ("worker_id", &ben)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .field_error("worker_id")
            .unwrap()
            .starts_with("No access to this client's systems"),
        "{}",
        refused.text()
    );
    assert!(refused.field_error("owner_id").is_none());
    assert_eq!(ticket_row(&app, &ticket).await.worker_id, None);
    app.post_ticket_form(
        &ticket,
        "assign",
        &[("tier", "tier1"), ("owner_id", &tess), ("worker_id", &tess)],
    )
    .await
    .assert_redirect_to(&ticket);
    assert_eq!(
        ticket_row(&app, &ticket)
            .await
            .worker_id
            .unwrap()
            .to_string(),
        tess
    );
}

async fn planned_absences_make_a_candidate_away_until_their_last_day(app: TestApp) {
    app.clock.set(december(2, 10, 0));
    let (_, contact) = client_with_contact(&app).await;
    app.create_user(
        "ben@msp.example",
        "Ben Okafor",
        Role::Technician,
        Some(Tier::Tier1),
    )
    .await;
    app.create_user("mia@msp.example", "Mia Manager", Role::Manager, None)
        .await;
    app.sign_in_as(Role::Technician).await;
    let ben = user_id(&app, "ben@msp.example").await;
    let me = user_id(&app, "tech@msp.example").await;

    // Tess plans her own holiday; an absence already over is refused with her text kept.
    let over = app
        .post_form(
            "/absences",
            &[
                ("user_id", &me),
                ("first_day", "2026-11-20"),
                ("last_day", "2026-11-30"),
            ],
        )
        .await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(over.field_error("last_day").is_some());
    assert_eq!(over.field_value("first_day").as_deref(), Some("2026-11-20"));
    app.post_form(
        "/absences",
        &[
            ("user_id", &me),
            ("first_day", "2026-12-01"),
            ("last_day", "2026-12-04"),
            ("note", "Holiday"),
        ],
    )
    .await
    .assert_redirect_to("/absences");
    // A technician plans nobody else's absence.
    let forbidden = app
        .post_form(
            "/absences",
            &[
                ("user_id", &ben),
                ("first_day", "2026-12-03"),
                ("last_day", "2026-12-03"),
            ],
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);

    // The manager plans Ben's one-day absence, tomorrow.
    let mia = browser_of(&app, "mia@msp.example", "Mia Manager").await;
    mia.post_form(
        "/absences",
        &[
            ("user_id", &ben),
            ("first_day", "2026-12-03"),
            ("last_day", "2026-12-03"),
            ("note", "Training"),
        ],
    )
    .await
    .assert_redirect_to("/absences");
    let listed = mia.get("/absences").await.text();
    assert!(
        listed.contains("Tess Tech Tue 1 Dec – Fri 4 Dec 2026 Holiday"),
        "{listed}"
    );
    assert!(
        listed.contains("Ben Okafor Thu 3 Dec 2026 Training"),
        "{listed}"
    );

    let ticket = record_ticket(&mia, contact, "Printer jams", "low", "low").await;
    let text = mia.get(&ticket).await;
    assert!(
        candidate_line(&text, "Tess Tech").contains("Away until 4 Dec"),
        "{}",
        text.text()
    );
    assert!(
        !candidate_line(&text, "Ben Okafor").contains("Away"),
        "{}",
        text.text()
    );

    // Tomorrow Ben is away for the day; Tess is back on the stroke of 5 Dec (London).
    // (A fresh sign-in each time: the jump in time ends idle sessions.)
    app.clock.set(december(3, 0, 0));
    let mia = browser_of(&app, "mia@msp.example", "Mia Manager").await;
    let text = mia.get(&ticket).await;
    assert!(
        candidate_line(&text, "Ben Okafor").contains("Away until 3 Dec"),
        "{}",
        text.text()
    );
    app.clock.set(december(5, 0, 0));
    let mia = browser_of(&app, "mia@msp.example", "Mia Manager").await;
    let text = mia.get(&ticket).await;
    assert!(
        !candidate_line(&text, "Tess Tech").contains("Away"),
        "{}",
        text.text()
    );
    assert!(
        !candidate_line(&text, "Ben Okafor").contains("Away"),
        "{}",
        text.text()
    );

    // Plans change: the manager removes an absence; the admin's page for Ben shows none left.
    app.clock.set(december(2, 10, 0));
    let mia = browser_of(&app, "mia@msp.example", "Mia Manager").await;
    app.login("tech@msp.example", "Tess Tech password 1")
        .await
        .assert_redirect_to("/");
    let id: i64 = db::run(&app.state.pool, |conn| {
        use tierdesk::db::schema::absences::dsl::*;
        Ok(absences.select(id).order(id.desc()).first(conn)?)
    })
    .await
    .unwrap();
    let technician_removes = app.post_form(&format!("/absences/{id}/delete"), &[]).await;
    assert_eq!(technician_removes.status, StatusCode::FORBIDDEN);
    mia.post_form(&format!("/absences/{id}/delete"), &[])
        .await
        .assert_redirect_to("/absences");
    let admin = app.another_browser();
    admin.sign_in_as(Role::Admin).await;
    let ben_page = admin.get(&format!("/admin/users/{ben}")).await.text();
    assert!(
        ben_page.contains("Planned absences None planned."),
        "{ben_page}"
    );
    let text = mia.get(&ticket).await;
    assert!(
        candidate_line(&text, "Tess Tech").contains("Away until 4 Dec"),
        "{}",
        text.text()
    );
}

async fn decisions_are_recorded_at_the_decision_point_by_a_manager_or_the_clients_account_manager(
    app: TestApp,
) {
    app.clock.set(december(2, 10, 0));
    let (client, contact) = client_with_contact(&app).await;
    let other = app.another_browser();
    other
        .login("setup@msp.example", "Sam Setup password 1")
        .await;
    let other_client = other
        .post_client(
            "/clients",
            &[("name", "Contoso Bakery"), ("code", "CB"), ("active", "on")],
        )
        .await
        .location
        .unwrap();
    for (email, name) in [
        ("jo@msp.example", "Jo Smith"),
        ("kim@msp.example", "Kim Lee"),
    ] {
        app.create_user(email, name, Role::Technician, Some(Tier::Tier1))
            .await;
    }
    app.create_user("mia@msp.example", "Mia Manager", Role::Manager, None)
        .await;
    let admin = app.another_browser();
    admin.sign_in_as(Role::Admin).await;
    let jo = user_id(&app, "jo@msp.example").await;
    let kim = user_id(&app, "kim@msp.example").await;
    admin
        .post_form(
            &format!("/clients/{client}/account-managers"),
            &[("user_id", "")],
        )
        .await
        .field_error("user_id")
        .unwrap();
    admin
        .post_form(
            &format!("/clients/{client}/account-managers"),
            &[("user_id", &jo)],
        )
        .await
        .assert_redirect_to(&format!("/clients/{client}#account-managers"));
    admin
        .post_form(
            &format!("{other_client}/account-managers"),
            &[("user_id", &kim)],
        )
        .await
        .assert_redirect_to(&format!("{other_client}#account-managers"));
    let shown = admin.get(&format!("/clients/{client}")).await.text();
    assert!(shown.contains("Account managers Besides the service desk manager, they may record this client's decisions at the decision point. Jo Smith"), "{shown}");

    // Tess works the ticket at tier 1: no decision is recorded there, whoever asks.
    app.sign_in_as(Role::Technician).await;
    let ticket = record_ticket(&app, contact, "NAS failing", "high", "medium").await;
    network_ticket_in_progress(&app, &ticket, "NAS", "Disk 2 is failing.").await;
    let mia = browser_of(&app, "mia@msp.example", "Mia Manager").await;
    let jo_browser = browser_of(&app, "jo@msp.example", "Jo Smith").await;
    let early = mia.get(&ticket).await.text();
    assert!(early.contains("A decision with the client is recorded once the ticket is escalated to the decision point. Decision by: the service desk manager or Jo Smith, account manager for Northwind Dental."), "{early}");
    for browser in [&mia, &jo_browser] {
        let refused = browser
            .post_ticket_form(&ticket, "decision", &[("offered", "A new NAS, 1,200 EUR")])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .field_error("offered")
                .unwrap()
                .starts_with("The ticket is at Tier 1, not at the decision point"),
            "{}",
            refused.text()
        );
    }

    // Escalated to the decision point: the page names who decides.
    let manager_level = level_id(&app, "Service desk manager").await;
    let mia_id = user_id(&app, "mia@msp.example").await;
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
            ("owner_id", &mia_id),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let page = jo_browser.get(&ticket).await;
    assert!(page.text().contains("Decision by: the service desk manager or Jo Smith, account manager for Northwind Dental."), "{}", page.text());
    assert!(page.body.contains(&format!("action=\"{ticket}/decision\"")));
    let tess_page = app.get(&ticket).await;
    assert!(
        !tess_page
            .body
            .contains(&format!("action=\"{ticket}/decision\""))
    );

    // A plain technician and another client's account manager may not decide; Jo may.
    let kim_browser = browser_of(&app, "kim@msp.example", "Kim Lee").await;
    for browser in [&app, &kim_browser] {
        let forbidden = browser
            .post_ticket_form(&ticket, "decision", &[("offered", "A new NAS")])
            .await;
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
        assert!(
            forbidden
                .text()
                .contains("Only a service desk manager or an account manager of this client")
        );
    }
    let decisions = |app: &TestApp| {
        let pool = app.state.pool.clone();
        async move {
            db::run(&pool, |conn| {
                use tierdesk::db::schema::client_decisions::dsl::*;
                Ok(client_decisions.select(offered_by).load::<i64>(conn)?)
            })
            .await
            .unwrap()
        }
    };
    assert!(decisions(&app).await.is_empty());
    jo_browser
        .post_ticket_form(
            &ticket,
            "decision",
            &[("offered", "Replace the NAS (1,200 EUR) or repair it")],
        )
        .await
        .assert_redirect_to(&ticket);
    assert_eq!(decisions(&app).await, [jo.parse::<i64>().unwrap()]);
    assert_eq!(
        ticket_row(&app, &ticket).await.status.as_str(),
        "pending_client"
    );
}

async fn the_demo_desk_shows_access_an_account_manager_and_a_planned_absence(app: TestApp) {
    app.clock.set(december(2, 15, 0));
    seed_demo_desk(&app).await;
    // Seeding again changes nothing.
    seed_demo_desk(&app).await;
    app.login("morgan.reyes@msp.example", tierdesk::seed::DEMO_PASSWORD)
        .await
        .assert_redirect_to("/");
    let (northwind, harbor, brightline) = db::run(&app.state.pool, |conn| {
        let clients = db::clients::list(conn, true)?;
        let id = |code: &str| {
            clients
                .iter()
                .find(|c| c.client.code == code)
                .unwrap()
                .client
                .id
        };
        Ok((id("NWD"), id("HARBOR"), id("BRIGHT")))
    })
    .await
    .unwrap();
    let text = app.get(&format!("/clients/{northwind}")).await.text();
    let (_, managers) = text.split_once("Account managers").unwrap();
    assert!(managers.contains("Priya Nair"), "{text}");
    let text = app.get(&format!("/clients/{harbor}")).await.text();
    let (_, works_for) = text.split_once("Who works for this client").unwrap();
    assert!(works_for.contains("Sam Lindqvist (ERP)"), "{text}");
    let text = app.get(&format!("/clients/{brightline}")).await.text();
    let (_, works_for) = text.split_once("Who works for this client").unwrap();
    assert!(
        works_for.contains("Tara Quinn (Microsoft 365 admin)"),
        "{text}"
    );
    assert!(!works_for.contains("Ben Okafor"), "{text}");
    assert_eq!(clients_of(&app, "ben.okafor@msp.example").await.len(), 2);
    let text = app.get("/absences").await.text();
    assert!(
        text.contains("Diego Alvarez Tue 1 Dec – Sat 5 Dec 2026 Holiday"),
        "{text}"
    );
    assert!(
        text.contains("Tara Quinn Wed 9 Dec 2026 Training day"),
        "{text}"
    );
}

/// The ranking's expertise counts the owner's tickets solved in the category over the last 90
/// days to the minute: whole days from the daily counters, the window's first day from the
/// tickets themselves; a ticket solved just before the window, or in another category, is not
/// counted.
async fn expertise_counts_the_category_solved_in_the_last_ninety_days(app: TestApp) {
    app.clock.set(december(2, 10, 0));
    let (_, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Technician).await;
    let network: i64 = category_id(&app, "Network").await.parse().unwrap();
    let printing: i64 = category_id(&app, "Printing").await.parse().unwrap();
    let tess = staff_id(&app, "tech@msp.example").await;
    let minutes_ago =
        |minutes: i64| (december(2, 10, 0) - chrono::Duration::minutes(minutes)).naive_utc();
    let day = 24 * 60;
    let history = [
        (network, minutes_ago(10 * day)),
        (network, minutes_ago(30 * day)),
        (network, minutes_ago(30 * day + 5)),
        // The window's first, partial day: in by an hour, then out by an hour.
        (network, minutes_ago(90 * day - 60)),
        (network, minutes_ago(90 * day + 60)),
        (printing, minutes_ago(2 * day)),
    ];
    let mut solved = Vec::new();
    for (n, _) in history.iter().enumerate() {
        solved.push(ticket_id(
            &record_ticket(&app, contact, &format!("Old outage {n}"), "low", "low").await,
        ));
    }
    let viewed = record_ticket(&app, contact, "Switch port flapping", "low", "low").await;
    let viewed_id = ticket_id(&viewed);
    db::run(&app.state.pool, move |conn| {
        use tierdesk::db::schema::tickets;
        for (id, (category, at)) in solved.iter().zip(history) {
            diesel::update(tickets::table.find(id.0))
                .set((
                    tickets::category_id.eq(category),
                    tickets::owner_id.eq(tess.0),
                    tickets::status.eq("solved"),
                    tickets::solved_at.eq(at),
                ))
                .execute(conn)?;
        }
        diesel::update(tickets::table.find(viewed_id.0))
            .set(tickets::category_id.eq(network))
            .execute(conn)?;
        Ok(())
    })
    .await
    .unwrap();

    let page = app.get(&viewed).await;
    let line = candidate_line(&page, "Tess");
    assert!(
        line.contains("Solved 4 'Network' tickets in the last 90 days"),
        "{line}"
    );
}

both_backends!(
    the_demo_desk_shows_access_an_account_manager_and_a_planned_absence,
    access_factor_decides_who_may_take_a_clients_ticket,
    planned_absences_make_a_candidate_away_until_their_last_day,
    expertise_counts_the_category_solved_in_the_last_ninety_days,
    decisions_are_recorded_at_the_decision_point_by_a_manager_or_the_clients_account_manager,
);
