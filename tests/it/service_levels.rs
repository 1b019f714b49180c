//! Business calendars, holidays, SLA policies and the priority matrix, through their pages.

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use tierdesk::domain::account::Role;

use crate::helpers::TestApp;

const WEEKDAYS_7_TO_6: [(&str, &str); 7] = [
    ("hours_mon", "07:00-18:00"),
    ("hours_tue", "07:00-18:00"),
    ("hours_wed", "07:00-18:00"),
    ("hours_thu", "07:00-18:00"),
    ("hours_fri", "07:00-18:00"),
    ("hours_sat", ""),
    ("hours_sun", ""),
];

async fn create_calendar(app: &TestApp, name: &str, zone: &str) -> String {
    let mut fields = vec![("name", name), ("time_zone", zone)];
    fields.extend_from_slice(&WEEKDAYS_7_TO_6);
    let page = app.post_form("/admin/calendars", &fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    page.location.unwrap()
}

async fn the_blueprint_defaults_are_in_place(app: TestApp) {
    app.sign_in_as(Role::Admin).await;
    let text = app.get("/admin/service-levels").await.text();
    assert!(text.contains("Standard business hours UTC"), "{text}");
    assert!(text.contains("Mon 07:00–18:00"), "{text}");
    assert!(text.contains("Standard SLA"), "{text}");
    assert!(text.contains("P1 30m / 2h (24/7)"), "{text}");
    assert!(
        text.contains("P2 30m / 4h (Client's business hours)"),
        "{text}"
    );
    assert!(
        text.contains("P3 30m / 8h (Client's business hours)"),
        "{text}"
    );
}

async fn bad_calendar_input_is_explained_beside_each_day(app: TestApp) {
    app.sign_in_as(Role::Admin).await;
    let page = app
        .post_form(
            "/admin/calendars",
            &[
                ("name", "Harbor 24/7"),
                ("time_zone", "America/Nowhere"),
                ("hours_mon", "08:00-12:00, 11:00-13:00"),
                ("hours_tue", "18:00-17:00"),
                ("hours_wed", "9 to 5"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.field_error("time_zone")
            .unwrap()
            .contains("not a time zone")
    );
    assert!(
        page.field_error("hours_wed")
            .unwrap()
            .contains("not a range like 07:00-18:00")
    );
    assert_eq!(
        page.field_value("hours_mon").as_deref(),
        Some("08:00-12:00, 11:00-13:00")
    );
    assert_eq!(
        page.field_value("time_zone").as_deref(),
        Some("America/Nowhere")
    );

    // Once the zone and syntax are right, the calendar itself judges overlaps and order.
    let page = app
        .post_form(
            "/admin/calendars",
            &[
                ("name", "Harbor"),
                ("time_zone", "America/New_York"),
                ("hours_mon", "08:00-12:00, 11:00-13:00"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let overlap = page.field_error("hours_mon").unwrap();
    assert!(overlap.contains("overlap"), "{overlap}");
    let page = app
        .post_form(
            "/admin/calendars",
            &[
                ("name", "Harbor"),
                ("time_zone", "America/New_York"),
                ("hours_tue", "18:00-17:00"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let order = page.field_error("hours_tue").unwrap();
    assert!(order.contains("is not after start"), "{order}");

    let taken = app
        .post_form(
            "/admin/calendars",
            &[("name", "Standard business hours"), ("time_zone", "UTC")],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        taken
            .field_error("name")
            .unwrap()
            .contains("Another calendar")
    );
}

async fn a_calendar_with_a_lunch_break_and_holidays(app: TestApp) {
    app.sign_in_as(Role::Admin).await;
    let mut fields = vec![
        ("name", "Northwind hours"),
        ("time_zone", "America/New_York"),
    ];
    fields.extend_from_slice(&[
        ("hours_mon", "08:00-12:00, 13:00-17:30"),
        ("hours_tue", "08:00-12:00; 13:00-17:30"),
        ("hours_sat", "09:00-13:00"),
    ]);
    let created = app.post_form("/admin/calendars", &fields).await;
    let location = created.location.clone().unwrap();
    let page = app.get(&location).await;
    assert!(page.text().contains("Calendar Northwind hours created."));
    assert_eq!(
        page.field_value("hours_mon").as_deref(),
        Some("08:00-12:00, 13:00-17:30")
    );
    assert_eq!(
        page.field_value("hours_sat").as_deref(),
        Some("09:00-13:00")
    );
    assert_eq!(page.field_value("hours_sun").as_deref(), Some(""));

    let holiday = |date: &'static str, name: &'static str| {
        let app = &app;
        let path = format!("{location}/holidays");
        async move {
            app.post_form(&path, &[("holiday_date", date), ("holiday_name", name)])
                .await
        }
    };
    holiday("2026-12-25", "Christmas Day")
        .await
        .assert_redirect_to(&format!("{location}#holidays"));
    let text = app.get(&location).await.text();
    assert!(text.contains("Friday 2026-12-25 Christmas Day"), "{text}");
    assert!(
        text.contains("holiday added: 2026-12-25 Christmas Day"),
        "{text}"
    );

    let again = holiday("2026-12-25", "Xmas").await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again
            .field_error("holiday_date")
            .unwrap()
            .contains("already a holiday (Christmas Day)")
    );
    assert_eq!(again.field_value("holiday_name").as_deref(), Some("Xmas"));
    let bad = holiday("25/12/2026", "Christmas").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.field_error("holiday_date")
            .unwrap()
            .contains("not a date like 2026-12-25")
    );

    let holiday_id = tierdesk::db::run(&app.state.pool, |conn| {
        let calendars = tierdesk::db::service_levels::list_calendars(conn)?;
        let record = calendars
            .into_iter()
            .find(|c| c.record.row.name == "Northwind hours")
            .unwrap()
            .record;
        Ok(record.holidays[0].id)
    })
    .await
    .unwrap();
    app.post_form(&format!("{location}/holidays/{holiday_id}/delete"), &[])
        .await
        .assert_redirect_to(&format!("{location}#holidays"));
    let text = app.get(&location).await.text();
    assert!(text.contains("No holidays."));
    assert!(text.contains("holiday removed: 2026-12-25 Christmas Day"));
}

async fn a_client_on_new_york_business_hours_previews_the_blueprint_example(app: TestApp) {
    // Friday 4 December 2026, 17:45 in New York: fifteen minutes before closing.
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 12, 4, 22, 45, 0)
            .single()
            .unwrap(),
    );
    app.sign_in_as(Role::Admin).await;
    let calendar = create_calendar(&app, "New York office", "America/New_York").await;
    let calendar_id = calendar.rsplit('/').next().unwrap().to_string();
    let client = app
        .post_client(
            "/clients",
            &[
                ("name", "Northwind Dental"),
                ("code", "NWD"),
                ("calendar_id", &calendar_id),
                ("active", "on"),
            ],
        )
        .await
        .location
        .unwrap();

    let page = app.get(&client).await;
    let text = page.text();
    assert!(
        text.contains("New York office (America/New_York)"),
        "{text}"
    );
    assert!(text.contains("Standard SLA"));
    // Shown in the viewer's zone (London): the P2 response lands at 07:15 New York time on
    // Monday, as in the blueprints' example.
    assert!(text.contains("P2 · "), "{text}");
    let row = |p: &str| {
        let doc = scraper::Html::parse_document(&page.body);
        let sel = scraper::Selector::parse("tbody tr").unwrap();
        doc.select(&sel)
            .map(|tr| {
                tr.text()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .find(|t| t.starts_with(p))
            .unwrap()
    };
    let p1 = row("P1");
    assert!(
        p1.contains("Fri 4 Dec 2026 23:15 GMT") && p1.contains("Sat 5 Dec 2026 00:45 GMT"),
        "{p1}"
    );
    let p2 = row("P2");
    assert!(
        p2.contains("Mon 7 Dec 2026 12:15 GMT") && p2.contains("Mon 7 Dec 2026 15:45 GMT"),
        "{p2}"
    );
    let p3 = row("P3");
    assert!(
        p3.contains("Mon 7 Dec 2026 12:15 GMT") && p3.contains("Mon 7 Dec 2026 19:45 GMT"),
        "{p3}"
    );
}

async fn sla_policies_are_validated_and_saved(app: TestApp) {
    app.sign_in_as(Role::Admin).await;
    let form = app.get("/admin/sla-policies/new").await;
    assert_eq!(form.field_value("p1_resolution").as_deref(), Some("2h"));
    assert_eq!(form.field_value("due_soon").as_deref(), Some("25 %"));
    let bad = app
        .post_form(
            "/admin/sla-policies",
            &[
                ("name", "Gold"),
                ("due_soon", "30m"),
                ("p1_response", "1h"),
                ("p1_resolution", "30m"),
                ("p1_mode", "always"),
                ("p2_response", "soon"),
                ("p2_resolution", "4h"),
                ("p2_mode", "business"),
                ("p3_response", "30m"),
                ("p3_resolution", "8h"),
                ("p3_mode", "sometimes"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.field_error("p2_response")
            .unwrap()
            .contains("not a time like 30m")
    );
    assert!(bad.field_error("p3_mode").is_some());
    assert!(
        bad.field_error("due_soon")
            .unwrap()
            .contains("not a share like 25 %")
    );
    assert_eq!(bad.field_value("p2_response").as_deref(), Some("soon"));

    let inverted = app
        .post_form(
            "/admin/sla-policies",
            &[
                ("name", "Gold"),
                ("due_soon", "20 %"),
                ("p1_response", "1h"),
                ("p1_resolution", "30m"),
                ("p1_mode", "always"),
                ("p2_response", "30m"),
                ("p2_resolution", "4h"),
                ("p2_mode", "business"),
                ("p3_response", "30m"),
                ("p3_resolution", "8h"),
                ("p3_mode", "business"),
            ],
        )
        .await;
    assert_eq!(inverted.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        inverted.field_error("p1_resolution").is_some(),
        "{}",
        inverted.text()
    );

    let saved = app
        .post_form(
            "/admin/sla-policies",
            &[
                ("name", "Gold"),
                ("due_soon", "20 %"),
                ("p1_response", "15m"),
                ("p1_resolution", "1h 30m"),
                ("p1_mode", "always"),
                ("p2_response", "15m"),
                ("p2_resolution", "3h"),
                ("p2_mode", "always"),
                ("p3_response", "30m"),
                ("p3_resolution", "1:30"),
                ("p3_mode", "business"),
                // A policy holds a second table for service requests.
                ("sr_p1_response", "2h"),
                ("sr_p1_resolution", "8h"),
                ("sr_p1_mode", "business"),
                ("sr_p2_response", "4h"),
                ("sr_p2_resolution", "24h"),
                ("sr_p2_mode", "business"),
                ("sr_p3_response", "8h"),
                ("sr_p3_resolution", "40h"),
                ("sr_p3_mode", "business"),
            ],
        )
        .await;
    saved.assert_redirect_to("/admin/service-levels");
    let text = app.get("/admin/service-levels").await.text();
    assert!(text.contains("SLA policy Gold created."));
    assert!(text.contains("P1 15m / 1h 30m (24/7)"), "{text}");
    assert!(text.contains("P2 15m / 3h (24/7)"), "{text}");
    assert!(
        text.contains("P3 30m / 1h 30m (Client's business hours)"),
        "{text}"
    );
}

async fn everyone_reads_the_matrix_and_only_admins_change_it(app: TestApp) {
    let tech = app.another_browser();
    tech.sign_in_as(Role::Technician).await;
    let page = tech.get("/priority-matrix").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(
        text.contains("internet/network down, email outage"),
        "{text}"
    );
    assert!(
        text.contains("workstation hard drive failure, printer down"),
        "{text}"
    );
    assert!(
        !page.body.contains("<select"),
        "technicians see the matrix read-only"
    );
    assert_eq!(
        tech.post_form("/priority-matrix", &[("high_high", "P3")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    app.sign_in_as(Role::Admin).await;
    let cells = |overrides: &[(&'static str, &'static str)]| {
        let mut cells = vec![
            ("high_high", "P1"),
            ("high_medium", "P2"),
            ("high_low", "P2"),
            ("medium_high", "P2"),
            ("medium_medium", "P2"),
            ("medium_low", "P3"),
            ("low_high", "P2"),
            ("low_medium", "P3"),
            ("low_low", "P3"),
        ];
        for (k, v) in overrides {
            cells.iter_mut().find(|(c, _)| c == k).unwrap().1 = v;
        }
        cells
    };
    let inverted = app
        .post_form("/priority-matrix", &cells(&[("high_high", "P3")]))
        .await;
    assert_eq!(inverted.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        inverted.text().to_lowercase().contains("urgency")
            || inverted.text().to_lowercase().contains("impact")
    );

    app.post_form("/priority-matrix", &cells(&[("high_medium", "P1")]))
        .await
        .assert_redirect_to("/priority-matrix");
    let page = app.get("/priority-matrix").await;
    assert!(page.text().contains("Priority matrix saved."));
    assert!(
        page.text()
            .contains("high impact × medium urgency: P2 → P1"),
        "{}",
        page.text()
    );
    let matrix = tierdesk::db::run(&app.state.pool, tierdesk::db::service_levels::load_matrix)
        .await
        .unwrap();
    use tierdesk::domain::priority::{Impact, Priority, Urgency};
    assert_eq!(matrix.priority(Impact::High, Urgency::Medium), Priority::P1);
    assert_eq!(matrix.priority(Impact::Low, Urgency::Low), Priority::P3);
}

async fn technicians_cannot_reach_service_level_administration(app: TestApp) {
    app.sign_in_as(Role::Technician).await;
    for path in [
        "/admin/service-levels",
        "/admin/calendars/new",
        "/admin/calendars/1",
        "/admin/sla-policies/1",
    ] {
        assert_eq!(app.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
}

both_backends!(
    the_blueprint_defaults_are_in_place,
    bad_calendar_input_is_explained_beside_each_day,
    a_calendar_with_a_lunch_break_and_holidays,
    a_client_on_new_york_business_hours_previews_the_blueprint_example,
    sla_policies_are_validated_and_saved,
    everyone_reads_the_matrix_and_only_admins_change_it,
    technicians_cannot_reach_service_level_administration,
);
