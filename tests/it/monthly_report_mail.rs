//! E-mailing the monthly client service report: the form's default recipients, a refusal that
//! keeps the note, the mail arriving at the SMTP server with the figures in it (HTML and plain
//! text), and the sending recorded and shown on the report.

use diesel::prelude::*;
use reqwest::StatusCode;
use std::time::Duration as Wait;
use tierdesk::db::{self, schema};
use tierdesk::domain::account::Role;

use crate::fixtures::{client_with_a_november_outage, drain, staff_id};
use crate::helpers::TestApp;
use crate::smtp::SmtpSink;

async fn a_manager_mails_the_monthly_report_to_the_chosen_contacts(app: TestApp, sink: SmtpSink) {
    let (client, alice) = client_with_a_november_outage(&app).await;
    app.sign_in_as(Role::Manager).await;
    app.post_form(
        &format!("/clients/{client}/contacts"),
        &[
            ("name", "Raj Patel"),
            ("email", "raj@northwind.example"),
            ("active", "on"),
        ],
    )
    .await;
    let path = format!("/clients/{client}/service-report?month=2026-11");
    let page = app.get(&path).await;
    let alice_field = format!("contact_{alice}");
    // No risk contact is flagged, so every active contact is ticked.
    assert_eq!(page.body.matches(" checked").count(), 2, "{}", page.body);

    let refused = app
        .post_form(
            &format!("/clients/{client}/service-report"),
            &[("month", "2026-11"), ("note", "Thanks for a calm month.")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.field_error("contacts").as_deref(),
        Some("Choose at least one contact to send the report to.")
    );
    assert_eq!(
        refused.field_value("note").as_deref(),
        Some("Thanks for a calm month.")
    );

    app.post_form(
        &format!("/clients/{client}/service-report"),
        &[
            ("month", "2026-11"),
            (alice_field.as_str(), "on"),
            ("note", "Thanks for a calm month."),
        ],
    )
    .await
    .assert_redirect_to(&path);
    drain(&app).await;
    let mails = sink.wait_for(1, Wait::from_secs(10)).await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.envelope_to, ["<alice@northwind.example>"]);
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Service report for Northwind Dental, November 2026")
    );
    let text = mail.text_body();
    assert!(text.contains("Thanks for a calm month."), "{text}");
    assert!(
        text.contains(
            "Achieved uptime 99.930 %. Downtime allowed 43.2 min, used 30 min, left 13.2 min."
        ),
        "{text}"
    );
    assert!(text.contains("Storage controller failover."), "{text}");
    let html = mail.html_body();
    assert!(html.contains("<strong>99.930 %</strong>"), "{html}");
    assert!(!html.contains("<img"), "{html}");

    let shown = app.get(&path).await.text();
    assert!(
        shown.contains(
            "Sent 2 Dec 2026 12:00 by Mia Manager to Alice Chen <alice@northwind.example>"
        ),
        "{shown}"
    );
    let manager = staff_id(&app, "manager@msp.example").await;
    let sends: Vec<(i64, String, i64, String)> = db::run(&app.state.pool, |conn| {
        use schema::service_report_sends as s;
        Ok(s::table
            .select((s::client_id, s::month, s::sent_by, s::recipients))
            .load(conn)?)
    })
    .await
    .unwrap();
    assert_eq!(
        sends,
        [(
            client,
            "2026-11".to_string(),
            manager.0,
            "Alice Chen <alice@northwind.example>".to_string()
        )]
    );
}

both_backends_with_smtp!(a_manager_mails_the_monthly_report_to_the_chosen_contacts);
