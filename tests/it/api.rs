//! The JSON API: tokens and their scopes, revocation and expiry, problem+json errors with the
//! form's field errors, the owner rule, If-Match, keyset paging, the rate limit and the
//! OpenAPI document.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tierdesk::db;
use tierdesk::domain::account::{Role, Tier};
use tierdesk::domain::api_token::{NewToken, Scope};

use crate::fixtures::{client_with_contact, staff_id};
use crate::helpers::{TestApp, new_client, spawn_app_with};

/// Issues a token for an account (set-up, not the behaviour under test).
async fn token_for(app: &TestApp, email: &str, scope: Scope, days: Option<i64>) -> String {
    let user = staff_id(app, email).await;
    let now = app.clock.now();
    let new = NewToken {
        name: format!("{} token", scope.as_str()),
        scope,
        expires_at: days.map(|d| now + Duration::days(d)),
    };
    db::run(&app.state.pool, move |conn| {
        db::api_tokens::issue(conn, user, &new, now)
    })
    .await
    .unwrap()
    .1
}

/// A technician with a token of `scope`, and a client contact to file tickets for.
async fn desk(app: &TestApp, scope: Scope) -> (String, i64) {
    let (_, contact) = client_with_contact(app).await;
    app.create_user(
        "api@msp.example",
        "Api Tech",
        Role::Technician,
        Some(Tier::Tier1),
    )
    .await;
    (
        token_for(app, "api@msp.example", scope, None).await,
        contact,
    )
}

struct Answer {
    status: StatusCode,
    content_type: String,
    etag: Option<String>,
    location: Option<String>,
    retry_after: Option<String>,
    allow: Option<String>,
    json: Value,
}

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    if_match: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let mut request = new_client().request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(version) = if_match {
        request = request.header("If-Match", version);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (status, content_type) = (
        response.status(),
        header("content-type").unwrap_or_default(),
    );
    let (etag, location, retry_after, allow) = (
        header("etag"),
        header("location"),
        header("retry-after"),
        header("allow"),
    );
    let text = response.text().await.unwrap();
    Answer {
        status,
        content_type,
        etag,
        location,
        retry_after,
        allow,
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

async fn get(app: &TestApp, path: &str, token: &str) -> Answer {
    call(app, reqwest::Method::GET, path, Some(token), None, None).await
}

async fn post(
    app: &TestApp,
    path: &str,
    token: &str,
    if_match: Option<&str>,
    body: Value,
) -> Answer {
    call(
        app,
        reqwest::Method::POST,
        path,
        Some(token),
        if_match,
        Some(body),
    )
    .await
}

fn new_ticket(contact: i64, subject: &str) -> Value {
    json!({
        "contact_id": contact,
        "subject": subject,
        "description": "The printer on floor 2 jams on every page.",
        "impact": "low",
        "urgency": "medium"
    })
}

async fn read_token_reads_but_cannot_write_and_other_scopes_are_refused(app: TestApp) {
    let (read, contact) = desk(&app, Scope::Read).await;
    let listed = get(&app, "/api/v1/tickets", &read).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.json["tickets"], json!([]));

    let refused = post(
        &app,
        "/api/v1/tickets",
        &read,
        None,
        new_ticket(contact, "Printer"),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.content_type, "application/problem+json");
    assert_eq!(refused.json["status"], 403);

    let alerts = token_for(&app, "api@msp.example", Scope::Alerts, None).await;
    assert_eq!(
        get(&app, "/api/v1/tickets", &alerts).await.status,
        StatusCode::FORBIDDEN
    );
    let clients = get(&app, "/api/v1/clients", &read).await;
    assert_eq!(clients.status, StatusCode::OK);
    assert_eq!(clients.json[0]["code"], "NWD");

    let anonymous = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/tickets",
        None,
        None,
        None,
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.content_type, "application/problem+json");
    // A signed-in browser's cookie is no credential here.
    app.sign_in_as(Role::Admin).await;
    let cookie_only = app
        .client
        .get(app.url("/api/v1/tickets"))
        .send()
        .await
        .unwrap();
    assert_eq!(cookie_only.status(), StatusCode::UNAUTHORIZED);
}

async fn revoked_expired_and_deactivated_users_tokens_stop_working(app: TestApp) {
    let (_, _) = desk(&app, Scope::Read).await;
    let expiring = token_for(&app, "api@msp.example", Scope::Read, Some(1)).await;
    let revoked = token_for(&app, "api@msp.example", Scope::Read, None).await;
    let kept = token_for(&app, "api@msp.example", Scope::Read, None).await;
    assert_eq!(
        get(&app, "/api/v1/clients", &expiring).await.status,
        StatusCode::OK
    );

    // The holder revokes on the account page; the page never shows a secret again.
    let holder = app.another_browser();
    holder.login("api@msp.example", "Api Tech password 1").await;
    let page = holder.get("/account/tokens").await;
    assert!(!page.body.contains(&revoked));
    let id = db::run(&app.state.pool, |conn| {
        Ok(db::api_tokens::list(conn, None)?[1].token.id)
    })
    .await
    .unwrap();
    holder
        .post_form(&format!("/account/tokens/{id}/revoke"), &[])
        .await
        .assert_redirect_to("/account/tokens");
    assert_eq!(
        get(&app, "/api/v1/clients", &revoked).await.status,
        StatusCode::UNAUTHORIZED
    );

    app.clock.advance(Duration::days(2));
    assert_eq!(
        get(&app, "/api/v1/clients", &expiring).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(&app, "/api/v1/clients", &kept).await.status,
        StatusCode::OK
    );

    let user = staff_id(&app, "api@msp.example").await;
    db::run(&app.state.pool, move |conn| {
        use diesel::prelude::*;
        diesel::update(db::schema::users::table.find(user.0))
            .set(db::schema::users::active.eq(false))
            .execute(conn)?;
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(
        get(&app, "/api/v1/clients", &kept).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(&app, "/api/v1/clients", "tdk_never-issued")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

async fn the_account_page_shows_a_new_token_once_and_it_works(app: TestApp) {
    app.sign_in_as(Role::Technician).await;
    let refused = app
        .post_form(
            "/account/tokens",
            &[("name", ""), ("scope", "root"), ("expires", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.field_error("name").is_some());
    assert!(refused.field_error("scope").is_some());
    let issued = app
        .post_form(
            "/account/tokens",
            &[("name", "Billing export"), ("scope", "read")],
        )
        .await;
    assert_eq!(issued.status, StatusCode::OK);
    let secret = issued.field_value("issued-token").unwrap_or_default();
    let secret = if secret.is_empty() {
        scraper::Html::parse_document(&issued.body)
            .select(&scraper::Selector::parse("#issued-token").unwrap())
            .next()
            .and_then(|e| e.value().attr("value").map(str::to_string))
            .unwrap()
    } else {
        secret
    };
    assert!(secret.starts_with("tdk_"), "{secret}");
    assert_eq!(
        get(&app, "/api/v1/clients", &secret).await.status,
        StatusCode::OK
    );
    let again = app.get("/account/tokens").await;
    assert!(!again.body.contains(&secret));
    assert!(again.text().contains("Billing export"));
    let stored = db::run(&app.state.pool, |conn| db::api_tokens::list(conn, None))
        .await
        .unwrap();
    assert!(stored[0].token.last_used_at.is_some());
    let id = stored[0].token.id;

    // Another technician neither sees nor revokes it; an admin sees everyone's and revokes it.
    let other = app.another_browser();
    other
        .create_user(
            "other@msp.example",
            "Otto Other",
            Role::Technician,
            Some(Tier::Tier1),
        )
        .await;
    other
        .login("other@msp.example", "Otto Other password 1")
        .await;
    assert!(
        !other
            .get("/account/tokens")
            .await
            .text()
            .contains("Billing export")
    );
    let refused = other
        .post_form(&format!("/account/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        get(&app, "/api/v1/clients", &secret).await.status,
        StatusCode::OK
    );
    let admin = app.another_browser();
    admin.sign_in_as(Role::Admin).await;
    let everyone = admin.get("/account/tokens").await.text();
    assert!(
        everyone.contains("Billing export") && everyone.contains("Tess Tech"),
        "{everyone}"
    );
    admin
        .post_form(&format!("/account/tokens/{id}/revoke"), &[])
        .await
        .assert_redirect_to("/account/tokens");
    assert_eq!(
        get(&app, "/api/v1/clients", &secret).await.status,
        StatusCode::UNAUTHORIZED
    );
    let audit = app.get("/account/tokens").await.text();
    assert!(audit.contains("revoked"), "{audit}");
}

async fn a_ticket_is_validated_like_the_form_and_recorded_with_its_audit(app: TestApp) {
    let (write, contact) = desk(&app, Scope::ReadWrite).await;
    let refused = post(
        &app,
        "/api/v1/tickets",
        &write,
        None,
        json!({"contact_id": contact, "subject": "", "description": "x", "impact": "huge", "urgency": "low"}),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.content_type, "application/problem+json");
    let fields: Vec<&str> = refused.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"subject"), "{fields:?}");
    assert!(fields.contains(&"impact"), "{fields:?}");
    let no_contact = post(
        &app,
        "/api/v1/tickets",
        &write,
        None,
        new_ticket(9999, "Printer"),
    )
    .await;
    assert_eq!(no_contact.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_contact.json["errors"][0]["field"], "contact_id");

    let created = post(
        &app,
        "/api/v1/tickets",
        &write,
        None,
        new_ticket(contact, "Printer jams"),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let location = created.location.unwrap();
    assert_eq!(created.json["priority"], "P3");
    assert_eq!(created.json["status"], "new");
    let read = get(&app, &location, &write).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.etag.as_deref(), Some("\"v1\""));
    assert_eq!(read.json["timeline"][0]["kind"], "created");
    assert_eq!(read.json["timeline"][0]["actor"], "Api Tech");

    // The browser shows the same ticket.
    app.sign_in_as(Role::Manager).await;
    let id = created.json["id"].as_i64().unwrap();
    let page = app.get(&format!("/tickets/{id}")).await;
    assert!(page.text().contains("Printer jams"));
    assert!(page.text().contains("Api Tech"));

    assert_eq!(
        get(&app, "/api/v1/tickets/424242", &write).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/api/v1/clients/424242", &write).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn if_match_is_required_and_a_stale_one_conflicts(app: TestApp) {
    let (write, contact) = desk(&app, Scope::ReadWrite).await;
    let created = post(
        &app,
        "/api/v1/tickets",
        &write,
        None,
        new_ticket(contact, "Printer"),
    )
    .await;
    let path = created.location.unwrap();
    let etag = get(&app, &path, &write).await.etag.unwrap();
    let note = json!({"body": "Asked the client for the model number."});
    let notes = format!("{path}/notes");

    let missing = post(&app, &notes, &write, None, note.clone()).await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
    let saved = post(&app, &notes, &write, Some(&etag), note.clone()).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.json);
    assert_ne!(saved.etag.as_deref(), Some(etag.as_str()));
    let stale = post(&app, &notes, &write, Some(&etag), note).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.content_type, "application/problem+json");

    let timeline = get(&app, &path, &write).await.json["timeline"].clone();
    let notes: Vec<&Value> = timeline
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "note")
        .collect();
    assert_eq!(notes.len(), 1, "one note saved, the stale one refused");
}

async fn only_the_owner_solves_and_the_status_machine_applies(app: TestApp) {
    let (_, contact) = desk(&app, Scope::ReadWrite).await;
    app.create_user(
        "owner@msp.example",
        "Olga Owner",
        Role::Technician,
        Some(Tier::Tier1),
    )
    .await;
    let owner = token_for(&app, "owner@msp.example", Scope::ReadWrite, None).await;
    let other = token_for(&app, "api@msp.example", Scope::ReadWrite, None).await;
    let created = post(
        &app,
        "/api/v1/tickets",
        &owner,
        None,
        new_ticket(contact, "Printer"),
    )
    .await;
    let path = created.location.unwrap();
    let status = format!("{path}/status");

    // New tickets are triaged first, as in the browser.
    let etag = get(&app, &path, &owner).await.etag.unwrap();
    let early = post(
        &app,
        &status,
        &owner,
        Some(&etag),
        json!({"action": "start_work", "note": "On it."}),
    )
    .await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        early.json
    );

    // Triage and assignment happen in the browser; the owner is Olga.
    let id = tierdesk::domain::ids::TicketId(created.json["id"].as_i64().unwrap());
    let olga = staff_id(&app, "owner@msp.example").await;
    let (now, mail) = (app.clock.now(), app.state.mail());
    db::run(&app.state.pool, move |conn| {
        use tierdesk::db::tickets::*;
        use tierdesk::domain::priority::{Impact, Urgency};
        let t = get(conn, id)?;
        let t = triage(
            conn,
            crate::fixtures::edit_of(olga, &t, now),
            &TriageInput {
                impact: Impact::Low,
                urgency: Urgency::Medium,
                category: Some(tierdesk::domain::ids::CategoryId(1)),
                subcategory: None,
                affected_service: String::new(),
            },
            &mail,
        )?
        .unwrap();
        assign(
            conn,
            crate::fixtures::edit_of(olga, &t, now),
            &AssignInput {
                tier: Tier::Tier1,
                owner: Some(olga),
                worker: Some(olga),
            },
        )?
        .unwrap();
        Ok(())
    })
    .await
    .unwrap();

    let etag = get(&app, &path, &owner).await.etag.unwrap();
    let started = post(
        &app,
        &status,
        &owner,
        Some(&etag),
        json!({"action": "start_work", "note": "On it."}),
    )
    .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.json);
    assert_eq!(started.json["status"], "in_progress");

    let solve = json!({"action": "solve", "solution": "Replaced the worn pickup roller in tray 2.", "fix": "permanent"});
    let etag = started.etag.unwrap();
    let not_owner = post(&app, &status, &other, Some(&etag), solve.clone()).await;
    assert_eq!(not_owner.status, StatusCode::FORBIDDEN);
    assert!(not_owner.json["detail"].as_str().unwrap().contains("owner"));
    let solved = post(&app, &status, &owner, Some(&etag), solve).await;
    assert_eq!(solved.status, StatusCode::OK, "{}", solved.json);
    assert_eq!(solved.json["status"], "solved");
    let bad = post(
        &app,
        &status,
        &owner,
        solved.etag.as_deref(),
        json!({"action": "fly"}),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json["errors"][0]["field"], "action");
}

async fn keyset_paging_returns_every_ticket_exactly_once(app: TestApp) {
    let (write, contact) = desk(&app, Scope::ReadWrite).await;
    let mut created = Vec::new();
    for n in 0..7 {
        let body = new_ticket(contact, &format!("Printer {n}"));
        let answer = post(&app, "/api/v1/tickets", &write, None, body).await;
        created.push(answer.json["id"].as_i64().unwrap());
    }
    let mut seen = Vec::new();
    let mut after: Option<i64> = None;
    loop {
        let path = match after {
            Some(a) => format!("/api/v1/tickets?limit=3&after={a}"),
            None => "/api/v1/tickets?limit=3".into(),
        };
        let page = get(&app, &path, &write).await;
        assert_eq!(page.status, StatusCode::OK);
        seen.extend(
            page.json["tickets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_i64().unwrap()),
        );
        match page.json["next_after"].as_i64() {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, created);
    let filtered = get(&app, "/api/v1/tickets?status=solved", &write).await;
    assert_eq!(filtered.json["tickets"], json!([]));
    let open = get(&app, "/api/v1/tickets?status=open&priority=P3", &write).await;
    assert_eq!(open.json["tickets"].as_array().unwrap().len(), 7);
    let bad = get(&app, "/api/v1/tickets?status=lost&limit=0", &write).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_openapi_document_is_served(app: TestApp) {
    let answer = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/openapi.json",
        None,
        None,
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.json["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in ["/api/v1/tickets", "/api/v1/tickets/{id}", "/api/v1/alerts"] {
        assert!(answer.json["paths"][path].is_object(), "{path}");
    }
    assert!(answer.json["components"]["schemas"]["Problem"].is_object());
}

async fn unknown_api_paths_and_methods_answer_in_problem_json(app: TestApp) {
    let (token, _) = desk(&app, Scope::Read).await;
    let unknown = get(&app, "/api/v1/tickets/12/attachments", &token).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.content_type, "application/problem+json");
    assert_eq!(unknown.json["status"], 404);
    assert!(
        unknown.json["detail"]
            .as_str()
            .unwrap()
            .contains("no API route /api/v1/tickets/12/attachments"),
        "{}",
        unknown.json
    );
    let wrong_method = call(
        &app,
        reqwest::Method::DELETE,
        "/api/v1/tickets",
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.content_type, "application/problem+json");
    assert_eq!(wrong_method.allow.as_deref(), Some("GET, HEAD, POST"));
    // A browser's unknown page is still the desk's own page.
    let page = new_client()
        .get(app.url("/no-such-page"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

both_backends!(
    unknown_api_paths_and_methods_answer_in_problem_json,
    read_token_reads_but_cannot_write_and_other_scopes_are_refused,
    revoked_expired_and_deactivated_users_tokens_stop_working,
    the_account_page_shows_a_new_token_once_and_it_works,
    a_ticket_is_validated_like_the_form_and_recorded_with_its_audit,
    if_match_is_required_and_a_stale_one_conflicts,
    only_the_owner_solves_and_the_status_machine_applies,
    keyset_paging_returns_every_ticket_exactly_once,
    the_openapi_document_is_served,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_over_its_rate_gets_429_with_retry_after() {
    let Some(app) = spawn_app_with(
        crate::helpers::Backend::Sqlite,
        &[("API_RATE_PER_MINUTE", "3")],
    )
    .await
    else {
        return;
    };
    let (read, _) = desk(&app, Scope::Read).await;
    for _ in 0..3 {
        assert_eq!(
            get(&app, "/api/v1/clients", &read).await.status,
            StatusCode::OK
        );
    }
    let limited = get(&app, "/api/v1/clients", &read).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.content_type, "application/problem+json");
    let retry: i64 = limited.retry_after.unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    app.clock.advance(Duration::seconds(61));
    assert_eq!(
        get(&app, "/api/v1/clients", &read).await.status,
        StatusCode::OK
    );
}
