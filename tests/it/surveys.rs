//! What the client hears and answers: acknowledgement, replies, the solution with its reopen
//! link, the survey when the ticket closes. A real SMTP server on loopback receives the mail.

use chrono::{Duration, TimeZone, Utc};
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::domain::account::Role;
use tierdesk::domain::ids::{ClientId, ContactId, TicketId};
use tierdesk::jobs;

use crate::fixtures::{
    client_with_contact, drain, record_ticket, staff_id, ticket_id, user_id, walk_to_solved,
};
use crate::helpers::{TestApp, another_instance};
use crate::smtp::{BASE_URL, ReceivedMail, SmtpSink};

fn subjects(mails: &[ReceivedMail]) -> Vec<String> {
    mails
        .iter()
        .map(|m| m.header("Subject").unwrap_or_default())
        .collect()
}

/// The desk path of the link in a mail that starts with `prefix` (links carry BASE_URL).
fn link_in(mail: &ReceivedMail, prefix: &str) -> String {
    let text = mail.text_body();
    let start = text
        .find(&format!("{BASE_URL}{prefix}"))
        .expect("the link is in the mail")
        + BASE_URL.len();
    text[start..].split_whitespace().next().unwrap().to_string()
}

/// Works a recorded ticket to solved through the pages, as its owner.
async fn solve_through_the_pages(app: &TestApp, ticket: &str) {
    let tech = user_id(app, "tech@msp.example").await;
    let steps: [(&str, Vec<(&str, &str)>); 4] = [
        (
            "triage",
            vec![("impact", "low"), ("urgency", "low"), ("category_id", "1")],
        ),
        (
            "assign",
            vec![("tier", "tier1"), ("owner_id", &tech), ("worker_id", &tech)],
        ),
        (
            "work",
            vec![
                ("entry", "reply"),
                ("body", "Hello Alice, we are checking the router now."),
                ("next", "start_work"),
                ("review", "changed"),
            ],
        ),
        (
            "solve",
            vec![
                (
                    "solution",
                    "The ISP replaced the line card; the router was restarted and tested.",
                ),
                ("fix", "permanent"),
            ],
        ),
    ];
    for (action, fields) in steps {
        let page = app.get(ticket).await;
        let version = page.field_value("version").unwrap();
        let mut all = vec![("version", version.as_str())];
        all.extend(fields);
        app.post_form(&format!("{ticket}/{action}"), &all)
            .await
            .assert_redirect_to(ticket);
    }
}

async fn the_client_hears_at_each_step_and_rates_through_the_survey_link(
    app: TestApp,
    sink: SmtpSink,
) {
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0)
            .single()
            .unwrap(),
    );
    let (_, contact) = client_with_contact(&app).await;
    app.create_user("boss@msp.example", "Mia Manager", Role::Manager, None)
        .await;
    app.sign_in_as(Role::Technician).await;
    let ticket = record_ticket(
        &app,
        contact,
        "Internet down at reception",
        "medium",
        "medium",
    )
    .await;
    drain(&app).await;
    let mails = sink.received();
    assert_eq!(subjects(&mails).len(), 1, "{:?}", subjects(&mails));
    let ack = &mails[0];
    assert!(
        ack.header("Subject")
            .unwrap()
            .contains("We have your request: Internet down at reception")
    );
    assert_eq!(
        ack.envelope_to,
        vec!["<alice@northwind.example>".to_string()]
    );
    let root = ack.header("References").expect("threaded");
    let row = db::run(&app.state.pool, move |conn| {
        db::tickets::get(conn, TicketId(1))
    })
    .await
    .unwrap();
    assert!(
        row.responded_at.is_none(),
        "the acknowledgement is not a response"
    );

    solve_through_the_pages(&app, &ticket).await;
    drain(&app).await;
    let mails = sink.received();
    let reply = mails
        .iter()
        .find(|m| m.header("Subject").unwrap().contains("Re: Internet down"))
        .expect("the reply");
    assert!(reply.text_body().contains("we are checking the router now"));
    assert_eq!(
        reply.header("References").as_deref(),
        Some(root.as_str()),
        "one conversation"
    );
    let solved = mails
        .iter()
        .find(|m| m.header("Subject").unwrap().contains("Solved:"))
        .expect("the solution");
    assert!(solved.text_body().contains("replaced the line card"));
    assert!(link_in(solved, "/reopen/").starts_with("/reopen/"));

    // The solved day passes; the job closes the ticket and the survey goes out, once.
    app.clock.advance(Duration::hours(25));
    drain(&app).await;
    drain(&app).await;
    let surveys: Vec<ReceivedMail> = sink
        .received()
        .into_iter()
        .filter(|m| m.header("Subject").unwrap().contains("How did we do?"))
        .collect();
    assert_eq!(surveys.len(), 1);
    let rate_two = link_in(&surveys[0], "/survey/");
    assert!(rate_two.contains("?rating="), "{rate_two}");
    let rate_two = rate_two.replace("rating=1", "rating=2");

    // The client has no account: a fresh browser follows the link. Opening it records nothing.
    let client = app.another_browser();
    let page = client.get(&rate_two).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains("How did we do?")
            && page.text().contains("Internet down at reception")
    );
    assert!(
        page.body.contains(r#"value="2" checked"#),
        "the chosen rating is preselected"
    );
    let id = ticket_id(&ticket);
    let answer = db::run(&app.state.pool, move |conn| {
        db::surveys::for_ticket(conn, id)
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(answer.rating, None, "a GET alone records nothing");

    let survey_path = rate_two.split('?').next().unwrap().to_string();
    let rated = client.post_form(&survey_path, &[("rating", "2")]).await;
    rated.assert_redirect_to(&format!("{survey_path}/comment"));
    let answer = db::run(&app.state.pool, move |conn| {
        db::surveys::for_ticket(conn, id)
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!((answer.rating, answer.flagged), (Some(2), true));

    // A low rating goes to the managers by mail and to the satisfaction page.
    drain(&app).await;
    let flags: Vec<ReceivedMail> = sink
        .received()
        .into_iter()
        .filter(|m| {
            m.header("Subject")
                .unwrap()
                .starts_with("Follow up with Northwind Dental")
        })
        .collect();
    assert_eq!(
        flags.len(),
        3,
        "every manager: the setup manager, Mia and the first admin"
    );

    // The latest answer counts; the comment page follows.
    client
        .post_form(&survey_path, &[("rating", "4")])
        .await
        .assert_redirect_to(&format!("{survey_path}/comment"));
    let essay = "x".repeat(4001);
    let too_long = client
        .post_form(&format!("{survey_path}/comment"), &[("comment", &essay)])
        .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        too_long.field_value("comment").as_deref(),
        Some(essay.as_str()),
        "the text is kept"
    );
    let commented = client
        .post_form(
            &format!("{survey_path}/comment"),
            &[("comment", "Quick fix, thanks!")],
        )
        .await;
    assert_eq!(commented.status, StatusCode::OK);
    assert!(commented.text().contains("Your comment is saved"));
    let answer = db::run(&app.state.pool, move |conn| {
        db::surveys::for_ticket(conn, id)
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        (answer.rating, answer.comment.as_str()),
        (Some(4), "Quick fix, thanks!")
    );

    let manager = app.another_browser();
    manager
        .login("boss@msp.example", "Mia Manager password 1")
        .await
        .assert_redirect_to("/");
    let page = manager.get(&ticket).await.text();
    assert!(
        page.contains("4 of 5 · Satisfied") && page.contains("Quick fix, thanks!"),
        "{page}"
    );
    let report = manager.get("/reports/satisfaction").await.text();
    assert!(report.contains("Northwind Dental 1 1 4.0 1"), "{report}");
    let dashboard = manager.get("/").await.text();
    assert!(
        dashboard.contains("Clients to follow up") && dashboard.contains("Quick fix, thanks!"),
        "{dashboard}"
    );
    manager
        .post_form(&format!("{ticket}/followed-up"), &[])
        .await
        .assert_redirect_to(&ticket);
    let report = manager.get("/reports/satisfaction").await.text();
    assert!(
        report.contains("No low ratings or comments are waiting."),
        "{report}"
    );

    // Forged, reused-for-another-purpose and expired links get the plain explanation page.
    let forged = client
        .get("/survey/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND);
    assert!(
        forged.text().contains("This link does not work")
            && !forged.text().contains("Internet down")
    );
    let token = survey_path.trim_start_matches("/survey/");
    let wrong = client.get(&format!("/reopen/{token}")).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    app.clock.advance(Duration::days(31));
    let expired = client.get(&survey_path).await;
    assert_eq!(expired.status, StatusCode::GONE);
    assert!(expired.text().contains("This link has expired"));
    let late = client.post_form(&survey_path, &[("rating", "1")]).await;
    assert_eq!(late.status, StatusCode::GONE);
    let answer = db::run(&app.state.pool, move |conn| {
        db::surveys::for_ticket(conn, id)
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(answer.rating, Some(4));
}

async fn the_client_reopens_a_solved_ticket_from_the_solution_mail(app: TestApp, sink: SmtpSink) {
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0)
            .single()
            .unwrap(),
    );
    let (_, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Technician).await;
    let ticket = record_ticket(&app, contact, "Printer offline", "low", "low").await;
    solve_through_the_pages(&app, &ticket).await;
    drain(&app).await;
    let solved = sink
        .received()
        .into_iter()
        .find(|m| m.header("Subject").unwrap().contains("Solved:"))
        .expect("the solution mail");
    let reopen = link_in(&solved, "/reopen/");
    let token = reopen.trim_start_matches("/reopen/").to_string();
    let stored = db::run(&app.state.pool, |conn| {
        use diesel::prelude::*;
        use tierdesk::db::schema::outbox;
        Ok(outbox::table
            .filter(outbox::kind.eq("ticket_solved"))
            .select((outbox::text_body, outbox::html_body))
            .first::<(String, String)>(conn)?)
    })
    .await
    .unwrap();
    for body in [&stored.0, &stored.1] {
        assert!(
            !body.contains(&token),
            "the delivered mail's link token is gone from the outbox"
        );
        assert!(body.contains(tierdesk::mail::redact::REDACTED));
    }

    let client = app.another_browser();
    let page = client.get(&reopen).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Reopen ticket #1?"));
    let id = ticket_id(&ticket);
    let status = |app: &TestApp| {
        let pool = app.state.pool.clone();
        async move {
            db::run(&pool, move |conn| db::tickets::get(conn, id))
                .await
                .unwrap()
        }
    };
    assert_eq!(
        status(&app).await.status.as_str(),
        "solved",
        "a GET alone reopens nothing"
    );
    let empty = client.post_form(&reopen, &[("comment", "")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = client
        .post_form(&reopen, &[("comment", "It is offline again since lunch.")])
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.text().contains("Ticket #1 is reopened"));
    let row = status(&app).await;
    assert_eq!((row.status.as_str(), row.reopen_count), ("reopened", 1));
    let again = client.post_form(&reopen, &[("comment", "Still?")]).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert_eq!(status(&app).await.reopen_count, 1);
    assert!(
        app.get(&ticket)
            .await
            .text()
            .contains("It is offline again since lunch.")
    );
}

async fn surveys_queued_during_an_outage_arrive_exactly_once(app: TestApp, mut sink: SmtpSink) {
    const COUNT: usize = 100;
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0)
            .single()
            .unwrap(),
    );
    let (client, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Technician).await;
    let tech = staff_id(&app, "tech@msp.example").await;
    let (mail, now) = (app.state.mail(), app.clock.now());
    db::run(&app.state.pool, move |conn| {
        for n in 0..COUNT {
            walk_to_solved(
                conn,
                tech,
                ClientId(client),
                ContactId(contact),
                &format!("Workstation {n} slow"),
                &mail,
                now,
            )?;
        }
        Ok(())
    })
    .await
    .unwrap();
    drain(&app).await;
    let before = sink.received().len();
    assert_eq!(
        before,
        2 * COUNT,
        "acknowledgements and solutions went out first"
    );

    sink.stop().await;
    app.clock.advance(Duration::hours(25));
    drain(&app).await;
    let closed = db::run(&app.state.pool, |conn| {
        use diesel::prelude::*;
        use tierdesk::db::schema::tickets;
        Ok(tickets::table
            .filter(tickets::status.eq("closed"))
            .count()
            .get_result::<i64>(conn)?)
    })
    .await
    .unwrap();
    assert_eq!(
        closed, COUNT as i64,
        "the tickets close while the mail server is down"
    );

    sink.restart().await;
    app.clock.advance(Duration::hours(3));
    let url = sink.url();
    let second = another_instance(&app, &[("SMTP_URL", &url), ("BASE_URL", BASE_URL)]).await;
    let (a, b) = tokio::join!(jobs::run_once(&app.jobs), jobs::run_once(&second));
    a.unwrap();
    b.unwrap();
    drain(&app).await;
    let surveys: Vec<String> = sink
        .received()
        .iter()
        .filter(|m| m.header("Subject").unwrap().contains("How did we do?"))
        .map(|m| m.message_id())
        .collect();
    let unique: std::collections::BTreeSet<&String> = surveys.iter().collect();
    assert_eq!(surveys.len(), COUNT, "every survey arrives");
    assert_eq!(unique.len(), COUNT, "and none twice");
}

both_backends_with_smtp!(
    the_client_hears_at_each_step_and_rates_through_the_survey_link,
    the_client_reopens_a_solved_ticket_from_the_solution_mail,
    surveys_queued_during_an_outage_arrive_exactly_once,
);
