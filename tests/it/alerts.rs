//! Monitoring alerts: a mapping made on its page, dedup onto one ticket with a running count,
//! recovery (solving only where the mapping says so), the flap window, a burst of the same
//! alert at once, and an unmapped alert kept and refused.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tierdesk::db;
use tierdesk::db::alerts::{Arrival, Ingested};
use tierdesk::domain::account::Role;
use tierdesk::domain::alert::{AlertInput, RawAlert};
use tierdesk::domain::api_token::{NewToken, Scope};
use tierdesk::domain::ids::TicketId;
use tierdesk::domain::ticket::Status;

use crate::fixtures::{client_with_contact, staff_id};
use crate::helpers::{TestApp, new_client};

/// An admin signed in on `app`, a mapping for `web-*` hosts made on the mapping page, and an
/// alerts token.
async fn monitored(app: &TestApp, solve_on_recovery: bool, flap_minutes: &str) -> String {
    let (_, contact) = client_with_contact(app).await;
    let email = app.sign_in_as(Role::Admin).await;
    let contact = contact.to_string();
    let mut fields = vec![
        ("source_pattern", "zabbix"),
        ("host_pattern", "web-*"),
        ("contact_id", contact.as_str()),
        ("critical_impact", "high"),
        ("critical_urgency", "high"),
        ("warning_impact", "medium"),
        ("warning_urgency", "medium"),
        ("info_impact", "low"),
        ("info_urgency", "low"),
        ("flap_minutes", flap_minutes),
    ];
    if solve_on_recovery {
        fields.push(("solve_on_recovery", "on"));
    }
    app.post_form("/admin/alert-sources", &fields)
        .await
        .assert_redirect_to("/admin/alert-sources");
    let user = staff_id(app, &email).await;
    let now = app.clock.now();
    let new = NewToken {
        name: "Zabbix".into(),
        scope: Scope::Alerts,
        expires_at: None,
    };
    db::run(&app.state.pool, move |conn| {
        db::api_tokens::issue(conn, user, &new, now)
    })
    .await
    .unwrap()
    .1
}

fn alert(state: &str, key: &str) -> Value {
    json!({
        "source": "zabbix",
        "host": "web-01",
        "check": "HTTP 200",
        "severity": "critical",
        "state": state,
        "dedup_key": key,
        "message": "connection refused",
        "client": "NWD"
    })
}

async fn send(app: &TestApp, token: &str, body: &Value) -> (StatusCode, Value) {
    let response = new_client()
        .post(app.url("/api/v1/alerts"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn ticket(app: &TestApp, id: i64) -> db::tickets::TicketRow {
    db::run(&app.state.pool, move |conn| {
        db::tickets::get(conn, TicketId(id))
    })
    .await
    .unwrap()
}

async fn counted(app: &TestApp, key: &'static str) -> (i64, Vec<i64>) {
    db::run(&app.state.pool, move |conn| db::alerts::counted(conn, key))
        .await
        .unwrap()
}

async fn repeated_firings_count_on_one_ticket(app: TestApp) {
    let token = monitored(&app, true, "30").await;
    let mut tickets = Vec::new();
    for n in 1..=5 {
        let (status, receipt) = send(&app, &token, &alert("firing", "web-01/http")).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{receipt}");
        assert_eq!(receipt["firing_count"], n);
        tickets.push(receipt["ticket_id"].as_i64().unwrap());
    }
    tickets.dedup();
    assert_eq!(tickets.len(), 1);
    let row = ticket(&app, tickets[0]).await;
    assert_eq!(row.channel.as_str(), "automatic_alert");
    assert_eq!(row.priority.as_str(), "P1");
    assert_eq!(counted(&app, "web-01/http").await, (5, tickets.clone()));

    let page = app.get(&format!("/tickets/{}", tickets[0])).await;
    let text = page.text();
    assert!(text.contains("[Critical] HTTP 200 on web-01"), "{text}");
    assert!(text.contains("Firing again (5)"), "{text}");
    assert!(text.contains("Monitoring (system)"), "{text}");
}

async fn a_recovery_solves_where_the_mapping_says_so(app: TestApp) {
    let token = monitored(&app, true, "30").await;
    let (_, fired) = send(&app, &token, &alert("firing", "web-01/http")).await;
    let id = fired["ticket_id"].as_i64().unwrap();
    let (status, recovered) = send(&app, &token, &alert("resolved", "web-01/http")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(recovered["outcome"], "solved");
    let row = ticket(&app, id).await;
    assert_eq!(row.status, Status::Solved);
    assert!(row.solution.unwrap().contains("connection refused"));
    let text = app.get(&format!("/tickets/{id}")).await.text();
    assert!(text.contains("owner rule is waived"), "{text}");
    // A second recovery has nothing left to do, and is still kept.
    let (_, again) = send(&app, &token, &alert("resolved", "web-01/http")).await;
    assert_eq!(again["outcome"], "ignored");
    assert_eq!(counted(&app, "web-01/http").await.0, 3);
}

async fn a_recovery_leaves_the_ticket_open_where_the_mapping_says_so(app: TestApp) {
    let token = monitored(&app, false, "30").await;
    let (_, fired) = send(&app, &token, &alert("firing", "web-01/http")).await;
    let id = fired["ticket_id"].as_i64().unwrap();
    let (_, recovered) = send(&app, &token, &alert("resolved", "web-01/http")).await;
    assert_eq!(recovered["outcome"], "recovered");
    assert_eq!(ticket(&app, id).await.status, Status::New);
    let (_, fired_again) = send(&app, &token, &alert("firing", "web-01/http")).await;
    assert_eq!(fired_again["outcome"], "counted");
    assert_eq!(fired_again["ticket_id"].as_i64(), Some(id));
}

async fn a_flapping_check_reopens_within_the_window_and_opens_anew_after(app: TestApp) {
    let token = monitored(&app, true, "30").await;
    let (_, fired) = send(&app, &token, &alert("firing", "db-01/disk")).await;
    let first = fired["ticket_id"].as_i64().unwrap();
    send(&app, &token, &alert("resolved", "db-01/disk")).await;
    app.clock.advance(Duration::minutes(10));
    let (_, flapped) = send(&app, &token, &alert("firing", "db-01/disk")).await;
    assert_eq!(flapped["outcome"], "reopened");
    assert_eq!(flapped["ticket_id"].as_i64(), Some(first));
    let row = ticket(&app, first).await;
    assert_eq!(row.status, Status::Reopened);
    assert_eq!(row.reopen_count, 1);

    send(&app, &token, &alert("resolved", "db-01/disk")).await;
    app.clock.advance(Duration::minutes(31));
    let (_, later) = send(&app, &token, &alert("firing", "db-01/disk")).await;
    assert_eq!(later["outcome"], "opened");
    let second = later["ticket_id"].as_i64().unwrap();
    assert_ne!(second, first);
    assert_eq!(ticket(&app, first).await.status, Status::Solved);
    assert_eq!(counted(&app, "db-01/disk").await, (5, vec![first, second]));
}

async fn a_burst_of_the_same_alert_opens_one_ticket_and_counts_every_alert(app: TestApp) {
    let token = monitored(&app, true, "30").await;
    let sends = (0..20).map(|_| {
        let (app, token) = (&app, token.clone());
        async move { send(app, &token, &alert("firing", "web-02/ping")).await }
    });
    let answers = futures_util::future::join_all(sends).await;
    for (status, receipt) in &answers {
        assert_eq!(*status, StatusCode::ACCEPTED, "{receipt}");
    }
    let (total, tickets) = counted(&app, "web-02/ping").await;
    assert_eq!(total, 20);
    assert_eq!(tickets.len(), 1, "{tickets:?}");
    let mut counts: Vec<i64> = answers
        .iter()
        .map(|(_, r)| r["firing_count"].as_i64().unwrap())
        .collect();
    counts.sort_unstable();
    assert_eq!(counts, (1..=20).collect::<Vec<_>>());
}

async fn an_unmapped_alert_is_kept_and_refused_naming_the_missing_mapping(app: TestApp) {
    let token = monitored(&app, true, "30").await;
    let mut body = alert("firing", "mail-01/smtp");
    body["host"] = json!("mail-01");
    let (status, problem) = send(&app, &token, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("mail-01") && detail.contains("zabbix"),
        "{detail}"
    );
    assert_eq!(counted(&app, "mail-01/smtp").await, (1, vec![]));

    let (status, invalid) = send(&app, &token, &json!({"source": "zabbix", "state": "up"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = invalid["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"host") && fields.contains(&"state"),
        "{fields:?}"
    );

    // A read token cannot raise alerts.
    let user = staff_id(&app, "boss@msp.example").await;
    let now = app.clock.now();
    let read = db::run(&app.state.pool, move |conn| {
        let new = NewToken {
            name: "Reader".into(),
            scope: Scope::Read,
            expires_at: None,
        };
        db::api_tokens::issue(conn, user, &new, now)
    })
    .await
    .unwrap()
    .1;
    let (status, _) = send(&app, &read, &alert("firing", "web-01/http")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn the_mapping_page_refuses_bad_input_and_lists_mappings(app: TestApp) {
    let (_, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Manager).await;
    let refused = app
        .post_form(
            "/admin/alert-sources",
            &[
                ("source_pattern", ""),
                ("host_pattern", "a b"),
                ("flap_minutes", "-5"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in [
        "source_pattern",
        "host_pattern",
        "contact_id",
        "flap_minutes",
    ] {
        assert!(refused.field_error(field).is_some(), "{field}");
    }
    assert_eq!(refused.field_value("host_pattern").as_deref(), Some("a b"));
    let page = app.get("/admin/alert-sources").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("No mappings yet"));
    assert!(page.body.contains(&format!("value=\"{contact}\"")));
}

/// The option a select shows as chosen.
fn chosen(body: &str, select: &str) -> Option<String> {
    let selector = format!("select[name={select}] option[selected]");
    scraper::Html::parse_document(body)
        .select(&scraper::Selector::parse(&selector).unwrap())
        .next()
        .and_then(|o| o.value().attr("value").map(str::to_string))
}

async fn an_edited_mapping_governs_the_next_alert_and_is_audited(app: TestApp) {
    let token = monitored(&app, true, "30").await;
    let list = app.get("/admin/alert-sources").await;
    let edit = scraper::Html::parse_document(&list.body)
        .select(&scraper::Selector::parse("a[href$=\"/edit\"]").unwrap())
        .next()
        .and_then(|a| a.value().attr("href").map(str::to_string))
        .expect("an edit link per mapping");
    let form = app.get(&edit).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.field_value("host_pattern").as_deref(), Some("web-*"));
    assert_eq!(form.field_value("flap_minutes").as_deref(), Some("30"));
    let action = edit.trim_end_matches("/edit").to_string();

    let mut fields = vec![
        ("source_pattern", "zabbix"),
        ("host_pattern", "web-*"),
        ("critical_impact", "low"),
        ("critical_urgency", "low"),
        ("warning_impact", "low"),
        ("warning_urgency", "low"),
        ("info_impact", "low"),
        ("info_urgency", "low"),
        ("flap_minutes", "0"),
    ];
    let refused = app.post_form(&action, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.field_error("contact_id").is_some());
    assert_eq!(
        chosen(&refused.body, "critical_impact").as_deref(),
        Some("low")
    );

    let contact = chosen(&form.body, "contact_id").expect("the mapping's contact is chosen");
    fields.push(("contact_id", contact.as_str()));
    app.post_form(&action, &fields)
        .await
        .assert_redirect_to("/admin/alert-sources");

    let (_, fired) = send(&app, &token, &alert("firing", "web-01/http")).await;
    let id = fired["ticket_id"].as_i64().unwrap();
    assert_eq!(ticket(&app, id).await.priority.as_str(), "P3");
    // The recovery no longer solves the ticket.
    let (_, recovered) = send(&app, &token, &alert("resolved", "web-01/http")).await;
    assert_eq!(recovered["outcome"], "recovered");
    assert_eq!(ticket(&app, id).await.status, Status::New);

    let client = ticket(&app, id).await.client_id;
    let history = db::run(&app.state.pool, move |conn| {
        db::audit::history(conn, db::audit::Entity::Client, client, 10)
    })
    .await
    .unwrap();
    let change = history
        .iter()
        .find(|e| e.action == "alert mapping changed")
        .expect("the edit is audited");
    assert!(
        change.detail.contains("critical high/high") && change.detail.contains("critical low/low"),
        "{}",
        change.detail
    );
}

/// Alerts that arrive together go into one transaction: each key's alerts keep their order
/// however the keys interleave, the answers come back in the order sent, and one alert that
/// cannot be stored (here, from a token that does not exist) fails alone.
async fn alerts_that_arrive_together_keep_each_keys_order_and_a_bad_one_fails_alone(app: TestApp) {
    let token = monitored(&app, true, "30").await;
    let now = app.clock.now();
    let arrival = |key: &str, state: &str, token: Option<i64>| {
        let input = AlertInput::parse(&RawAlert {
            source: "zabbix",
            host: "web-01",
            check: "HTTP 200",
            severity: "critical",
            state,
            dedup_key: key,
            message: "connection refused",
            client: "NWD",
        })
        .unwrap();
        Arrival { token, input, now }
    };
    let batch = vec![
        arrival("web-01/http", "firing", None),
        arrival("db-01/disk", "firing", None),
        arrival("web-01/http", "firing", None),
        arrival("web-01/http", "firing", None),
        arrival("lost/key", "firing", Some(i64::MAX)),
        arrival("db-01/disk", "firing", None),
        arrival("web-01/http", "resolved", None),
        arrival("web-01/http", "firing", None),
    ];
    let mail = app.state.mail();
    let answers = db::run(&app.state.pool, move |conn| {
        Ok(db::alerts::ingest_all(conn, &batch, &mail))
    })
    .await
    .unwrap();
    let outcomes: Vec<String> = answers
        .iter()
        .map(|a| match a {
            Ok(Ingested::Applied {
                outcome,
                firing_count,
                ..
            }) => format!("{outcome} {firing_count}"),
            Ok(other) => format!("{other:?}"),
            Err(_) => "refused".into(),
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            "opened 1",
            "opened 1",
            "counted 2",
            "counted 3",
            "refused",
            "counted 2",
            "solved 3",
            "reopened 4",
        ]
    );
    let (web, web_tickets) = counted(&app, "web-01/http").await;
    assert_eq!((web, web_tickets.len()), (5, 1));
    assert_eq!(counted(&app, "db-01/disk").await.0, 2);
    assert_eq!(counted(&app, "lost/key").await, (0, vec![]));
    assert!(ticket(&app, web_tickets[0]).await.status.is_open());

    let text = app
        .get(&format!("/tickets/{}", web_tickets[0]))
        .await
        .text();
    let order = [
        "Firing (1)",
        "Firing again (2)",
        "Firing again (3)",
        "Recovered: critical on web-01",
        "Firing again (4) within the flap window: reopened",
    ];
    let places: Vec<usize> = order
        .iter()
        .map(|line| text.find(line).unwrap_or_else(|| panic!("{line}: {text}")))
        .collect();
    assert!(places.is_sorted(), "{order:?} at {places:?}");

    // The next alert reads the counts the batch wrote.
    let (_, receipt) = send(&app, &token, &alert("firing", "db-01/disk")).await;
    assert_eq!(receipt["firing_count"], 3, "{receipt}");
}

both_backends!(
    alerts_that_arrive_together_keep_each_keys_order_and_a_bad_one_fails_alone,
    an_edited_mapping_governs_the_next_alert_and_is_audited,
    repeated_firings_count_on_one_ticket,
    a_recovery_solves_where_the_mapping_says_so,
    a_recovery_leaves_the_ticket_open_where_the_mapping_says_so,
    a_flapping_check_reopens_within_the_window_and_opens_anew_after,
    a_burst_of_the_same_alert_opens_one_ticket_and_counts_every_alert,
    an_unmapped_alert_is_kept_and_refused_naming_the_missing_mapping,
    the_mapping_page_refuses_bad_input_and_lists_mappings,
);
