//! The admins' risk settings taking effect (the matrix, the review schedule, the example-risk
//! list), the printable client risk report, and the risk-contact flag on the contacts form.

use chrono::Duration;
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::domain::account::Role;
use tierdesk::domain::ids::ContactId;

use crate::fixtures::user_id;
use crate::helpers::TestApp;
use crate::risks::{analyse, risk, template_ids, treat, walk_through};

async fn admin_changes_take_effect_and_are_audited(app: TestApp) {
    let tech = app.sign_in_as(Role::Technician).await;
    let owner = user_id(&app, &tech).await;
    let (client, risks) = walk_through(&app, 3, 400).await;
    assert_eq!(
        app.get("/admin/risks").await.status,
        StatusCode::FORBIDDEN,
        "technicians do not see the settings"
    );
    let manager = app.another_browser();
    manager
        .login("setup@msp.example", "Sam Setup password 1")
        .await;
    let read = manager.get("/admin/risks").await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.text().contains("every 90 days"), "{}", read.text());
    assert!(!read.text().contains("Save the schedule"));
    let admin = app.another_browser();
    admin.sign_in_as(Role::Admin).await;
    assert_eq!(
        manager
            .post_form("/admin/risks/schedule", &[("managed_days", "45")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // A schedule out of range comes back with the admin's numbers and the reason.
    let refused = admin
        .post_form(
            "/admin/risks/schedule",
            &[
                ("managed_days", "0"),
                ("monitored_days", "30"),
                ("observed_days", "180"),
                ("acceptance_days", "99"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.field_value("acceptance_days").as_deref(),
        Some("99")
    );
    assert_eq!(
        refused.field_error("managed_days").as_deref(),
        Some("Review managed risks every 1 to 730 days.")
    );
    assert!(refused.field_error("acceptance_days").is_some());
    admin
        .post_form(
            "/admin/risks/schedule",
            &[
                ("managed_days", "45"),
                ("monitored_days", "30"),
                ("observed_days", "180"),
                ("acceptance_days", "10"),
            ],
        )
        .await
        .assert_redirect_to("/admin/risks");
    analyse(&app, risks[0], &owner, "tolerable", "Few guests")
        .await
        .assert_redirect_to(&format!("/risks/{}", risks[0]));
    assert_eq!(
        risk(&app, risks[0]).await.review_on,
        Some(app.clock.now().date_naive() + Duration::days(45)),
        "the changed schedule sets the next review"
    );
    let acceptance = db::run(&app.state.pool, |conn| Ok(db::risks::settings(conn)?.1))
        .await
        .unwrap();
    assert_eq!(acceptance, 10);

    // A matrix where more likely means milder is refused; a monotone change is kept.
    let mut cells: Vec<(String, String)> = Vec::new();
    let matrix = db::run(&app.state.pool, db::risks::matrix).await.unwrap();
    for (score, level) in matrix.cells() {
        cells.push((
            format!(
                "l{}c{}",
                score.likelihood.number(),
                score.consequence.number()
            ),
            level.as_str().to_string(),
        ));
    }
    let with = |field: &str, level: &str| -> Vec<(String, String)> {
        cells
            .iter()
            .map(|(f, l)| {
                if f == field {
                    (f.clone(), level.to_string())
                } else {
                    (f.clone(), l.clone())
                }
            })
            .collect()
    };
    let bad = with("l5c5", "low");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let refused = admin.post_form("/admin/risks/matrix", &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("must never lower the level"));
    let good = with("l4c4", "critical");
    let good: Vec<(&str, &str)> = good.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    admin
        .post_form("/admin/risks/matrix", &good)
        .await
        .assert_redirect_to("/admin/risks");
    analyse(&app, risks[2], &owner, "tolerable", "Backups run weekly")
        .await
        .assert_redirect_to(&format!("/risks/{}", risks[2]));
    assert_eq!(
        risk(&app, risks[2]).await.inherent_level.as_deref(),
        Some("critical"),
        "likelihood 4 × consequence 4 now reads critical"
    );

    // A retired example risk is no longer offered; an added one is.
    let templates = template_ids(&app).await;
    let (guest, guest_title) = templates[0].clone();
    let edit = admin.get(&format!("/admin/risks/templates/{guest}")).await;
    assert_eq!(edit.status, StatusCode::OK);
    let vulnerability = edit.field_value("vulnerability").unwrap();
    admin
        .post_form(
            &format!("/admin/risks/templates/{guest}"),
            &[("title", &guest_title), ("vulnerability", &vulnerability)],
        )
        .await
        .assert_redirect_to("/admin/risks#templates");
    let refused = admin
        .post_form(
            "/admin/risks/templates",
            &[
                ("title", "Laptops are not encrypted"),
                ("vulnerability", " "),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.field_value("title").as_deref(),
        Some("Laptops are not encrypted")
    );
    admin
        .post_form(
            "/admin/risks/templates",
            &[
                ("title", "Laptops are not encrypted"),
                ("vulnerability", "A lost laptop exposes its disk"),
                ("threat", "Theft"),
            ],
        )
        .await
        .assert_redirect_to("/admin/risks#templates");
    let started = app
        .post_form(&format!("/clients/{client}/risks/walkthroughs"), &[])
        .await
        .location
        .unwrap();
    let checklist = app
        .get(&started.replace("/assets", "/checklist"))
        .await
        .text();
    assert!(
        checklist.contains("Laptops are not encrypted"),
        "{checklist}"
    );
    assert!(!checklist.contains(&guest_title), "{checklist}");

    let history = admin.get("/admin/risks").await.text();
    for line in [
        "review schedule",
        "managed: 90 → 45 days",
        "L4×C4: high → critical",
        "retired",
        "Laptops are not encrypted",
    ] {
        assert!(history.contains(line), "{line}: {history}");
    }
}

async fn the_report_prints_each_recorded_risks_profile_and_the_heatmap_counts(app: TestApp) {
    let tech = app.sign_in_as(Role::Technician).await;
    let owner = user_id(&app, &tech).await;
    let (client, risks) = walk_through(&app, 3, 60).await;
    let backup = risks[2];
    analyse(
        &app,
        backup,
        &owner,
        "tolerable",
        "Restores are slow but possible",
    )
    .await
    .assert_redirect_to(&format!("/risks/{backup}"));
    treat(
        &app,
        backup,
        &[
            ("option_treat", "on"),
            ("control_1_kind", "preventive"),
            ("control_1_what", "Nightly backup to the cloud"),
            ("control_1_owner", &owner),
            ("control_1_state", "planned"),
        ],
    )
    .await
    .assert_redirect_to(&format!("/risks/{backup}"));

    let register = app.get(&format!("/clients/{client}/risks")).await.text();
    assert!(register.contains("Printable risk report"));
    let report = app.get(&format!("/clients/{client}/risks/report")).await;
    assert_eq!(report.status, StatusCode::OK);
    let text = report.text();
    for expected in [
        "Risk report: Northwind Dental",
        "1 recorded risk(s)",
        "2 draft risk(s) found but not analysed yet",
        "Critical data is not backed up regularly",
        "High: likelihood 4 × consequence 4",
        "Medium: likelihood 2 × consequence 4",
        "Managed risk",
        "Tolerable: Restores are slow but possible",
        "Preventive: Nightly backup to the cloud (Planned)",
        "Waiting for the client",
        "Not acknowledged yet",
        "Warranty ends",
        "Inherent risk: risks per cell",
        "Residual risk: risks per cell",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    assert!(
        !text.contains("Guests can access"),
        "drafts stay out: {text}"
    );
}

async fn the_risk_contact_flag_is_set_on_the_contacts_form(app: TestApp) {
    app.sign_in_as(Role::Manager).await;
    let client = app
        .post_client(
            "/clients",
            &[("name", "Contoso"), ("code", "CTS"), ("active", "on")],
        )
        .await
        .location
        .unwrap();
    let added = app
        .post_form(
            &format!("{client}/contacts"),
            &[
                ("name", "Rita Risk"),
                ("email", "rita@contoso.example"),
                ("active", "on"),
                ("risk_contact", "on"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    let client_id: i64 = client.rsplit('/').next().unwrap().parse().unwrap();
    let contact = db::run(&app.state.pool, move |conn| {
        Ok(db::clients::contacts_of(conn, tierdesk::domain::ids::ClientId(client_id))?[0].clone())
    })
    .await
    .unwrap();
    assert!(contact.risk_contact);
    let form = app.get(&format!("/contacts/{}/edit", contact.id)).await;
    let text = form.text();
    assert!(
        text.contains("Receives risk notifications and accepts treatments"),
        "{text}"
    );
    assert!(
        form.body
            .contains(r#"name="risk_contact" type="checkbox" checked"#),
        "the flag shows ticked"
    );
    app.post_edit(
        &format!("/contacts/{}/edit", contact.id),
        &format!("/contacts/{}", contact.id),
        &[
            ("name", "Rita Risk"),
            ("email", "rita@contoso.example"),
            ("active", "on"),
        ],
    )
    .await;
    let id = contact.id;
    let after = db::run(&app.state.pool, move |conn| {
        db::clients::get_contact(conn, ContactId(id))
    })
    .await
    .unwrap();
    assert!(!after.risk_contact, "unticked, no longer a risk contact");
    let register = app.get(&format!("{client}/risks")).await.text();
    assert!(register.contains("Risk contacts: none yet"), "{register}");
}

both_backends!(
    admin_changes_take_effect_and_are_audited,
    the_report_prints_each_recorded_risks_profile_and_the_heatmap_counts,
    the_risk_contact_flag_is_set_on_the_contacts_form,
);
