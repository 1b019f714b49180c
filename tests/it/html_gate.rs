//! The HTML gate: every page reachable from the dashboard, as anonymous, a tier-1 technician,
//! a manager and an admin on the demo desk, every form's error state, and the client link
//! pages in each of their states, pass the Nu HTML checker with no error and axe-core with no
//! violation. Each failure names the page and the message.

use std::collections::BTreeSet;

use chrono::Duration;
use diesel::prelude::*;
use tierdesk::db::client_links::{self, LinkPurpose, LinkSubject};
use tierdesk::db::{self, schema::tickets};
use tierdesk::domain::account::Role;
use tierdesk::seed;

use crate::checkers::{self, SavedPage};
use crate::crawl::{crawl, is_html, post_forms_on};
use crate::fixtures::seed_demo_desk;
use crate::helpers::TestApp;
use crate::webdriver::start_browser;

/// Each POST form on the pages at `paths` (once per action and field set), sent blank: the
/// error state the form comes back in.
async fn forms_in_error(app: &TestApp, visitor: &str, paths: &[String]) -> Vec<SavedPage> {
    let mut tried = BTreeSet::new();
    let mut out = Vec::new();
    for path in paths {
        let count = post_forms_on(app, path).await.len();
        for index in 0..count {
            let Some((action, values)) = post_forms_on(app, path).await.into_iter().nth(index)
            else {
                continue;
            };
            let shape: String = action.chars().filter(|c| !c.is_ascii_digit()).collect();
            let names: Vec<&str> = values.iter().map(|(n, _)| n.as_str()).collect();
            if !tried.insert(format!("{shape} {names:?}")) {
                continue;
            }
            let response = app
                .client
                .post(app.url(&action))
                .form(&values)
                .send()
                .await
                .expect("POST");
            let status = response.status();
            assert!(
                status != reqwest::StatusCode::FORBIDDEN && !status.is_server_error(),
                "{visitor}: the blank form {action} on {path} answered {status}"
            );
            if is_html(&response) {
                out.push(SavedPage {
                    name: format!("{visitor} POST {action} (blank, {status})"),
                    html: response.text().await.expect("body"),
                });
            }
        }
    }
    out
}

async fn ticket_in(app: &TestApp, status: &'static str) -> i64 {
    db::run(&app.state.pool, move |conn| {
        Ok(tickets::table
            .filter(tickets::status.eq(status))
            .select(tickets::id)
            .first::<i64>(conn)?)
    })
    .await
    .unwrap()
}

async fn link(app: &TestApp, purpose: LinkPurpose, ticket: i64, days: i64, used: bool) -> String {
    let now = app.clock.now();
    db::run(&app.state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let ttl = Duration::days(days);
            let token = client_links::issue(conn, purpose, LinkSubject::ticket(ticket), ttl, now)?;
            if used {
                let row = client_links::check(conn, &token, purpose, now)?.unwrap();
                client_links::mark_used(conn, row.id(), now)?;
            }
            Ok(token)
        })
    })
    .await
    .unwrap()
}

/// The client link pages (survey, comment, reopen) fresh, chosen, used, expired and unknown,
/// and their forms sent blank.
async fn client_link_pages(app: &TestApp) -> Vec<SavedPage> {
    let (closed, solved) = (
        ticket_in(app, "closed").await,
        ticket_in(app, "solved").await,
    );
    let survey = link(app, LinkPurpose::Survey, closed, 30, false).await;
    let reopen = link(app, LinkPurpose::Reopen, solved, 7, false).await;
    let used = link(app, LinkPurpose::Reopen, solved, 7, true).await;
    let expired = link(app, LinkPurpose::Survey, closed, -1, false).await;
    let visitor = app.another_browser();
    let mut paths = vec![
        format!("/survey/{survey}"),
        format!("/survey/{survey}?rating=2"),
        format!("/survey/{survey}/comment"),
        format!("/reopen/{reopen}"),
        format!("/reopen/{used}"),
        format!("/survey/{expired}"),
        "/survey/no-such-link".to_string(),
        "/reopen/no-such-link".to_string(),
    ];
    let mut pages = Vec::new();
    for path in paths.drain(..) {
        let page = visitor.get(&path).await;
        pages.push(SavedPage {
            name: format!("client GET {path} ({})", page.status),
            html: page.body,
        });
    }
    let posts = [
        (format!("/survey/{survey}"), "rating"),
        (format!("/survey/{survey}/comment"), "comment"),
        (format!("/reopen/{reopen}"), "reason"),
    ];
    for (path, field) in posts {
        let page = visitor.post_form(&path, &[(field, "")]).await;
        pages.push(SavedPage {
            name: format!("client POST {path} (blank, {})", page.status),
            html: page.body,
        });
    }
    pages
}

/// The admins' risk settings and an example risk's edit page with their forms' error states:
/// the admin's crawl reaches its page cap before them, so they are visited by name.
async fn risk_settings_pages(app: &TestApp) -> Vec<SavedPage> {
    let admin = app.another_browser();
    let password = admin
        .create_user("rhea@msp.example", "Rhea Admin", Role::Admin, None)
        .await;
    admin
        .login("rhea@msp.example", &password)
        .await
        .assert_redirect_to("/");
    let paths = [
        "/admin/risks".to_string(),
        "/admin/risks/templates/1".to_string(),
    ];
    let mut pages = Vec::new();
    for path in &paths {
        let page = admin.get(path).await;
        assert_eq!(page.status, reqwest::StatusCode::OK, "{path}");
        pages.push(SavedPage {
            name: format!("admin GET {path}"),
            html: page.body,
        });
    }
    pages.extend(forms_in_error(&admin, "admin", &paths).await);
    pages
}

async fn every_page_is_valid_html_with_no_accessibility_violation(app: TestApp) {
    let Some(checkers) = checkers::find() else {
        return;
    };
    seed_demo_desk(&app).await;

    let (paths, mut pages) = crawl(&app, "anonymous").await;
    pages.extend(forms_in_error(&app, "anonymous", &paths).await);
    let staff = [
        ("technician", Some("tara.quinn@msp.example")),
        ("manager", Some("morgan.reyes@msp.example")),
        ("admin", None),
    ];
    for (visitor, demo_account) in staff {
        let session = app.another_browser();
        match demo_account {
            Some(email) => session
                .login(email, seed::DEMO_PASSWORD)
                .await
                .assert_redirect_to("/"),
            None => {
                session.sign_in_as(Role::Admin).await;
            }
        }
        let (paths, seen) = crawl(&session, visitor).await;
        let errors = forms_in_error(&session, visitor, &paths).await;
        pages.extend(seen);
        pages.extend(errors);
    }
    pages.extend(client_link_pages(&app).await);
    pages.extend(risk_settings_pages(&app).await);
    assert!(pages.len() > 100, "the crawl reached {} pages", pages.len());

    let mut failures = checkers.nu_errors(&pages);
    let Some(browser) = start_browser().await else {
        return;
    };
    let origin = app.url("/login");
    for page in &pages {
        failures.extend(checkers.axe_violations(&browser, &origin, page).await);
    }
    browser.client.clone().close().await.unwrap();
    let report = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("target/html-gate-{:?}.txt", app.backend));
    let checked: Vec<&str> = pages.iter().map(|p| p.name.as_str()).collect();
    let summary = format!(
        "{} pages checked:\n{}\n\n{} problems:\n{}\n",
        pages.len(),
        checked.join("\n"),
        failures.len(),
        failures.join("\n")
    );
    std::fs::write(report, summary).expect("the gate's report is written");
    assert!(
        failures.is_empty(),
        "{} problems on {} pages:\n{}",
        failures.len(),
        pages.len(),
        failures.join("\n")
    );
}

both_backends!(every_page_is_valid_html_with_no_accessibility_violation);
