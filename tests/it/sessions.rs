//! Sign-in as an attacker tries it: a burst of guesses, a cookie copied before sign-out, a
//! one-time password used twice, an overlong address, a forged forwarding header.

use std::sync::Arc;

use chrono::Duration;
use diesel::prelude::*;
use reqwest::StatusCode;
use reqwest::cookie::{CookieStore, Jar};
use tierdesk::db;
use tierdesk::db::schema::login_failures;
use tierdesk::domain::account::Role;

use crate::fixtures::user_id;
use crate::helpers::{Backend, TestApp, spawn_app_with};

/// A browser whose cookie jar the test can read, to copy its session cookie.
fn browser_with_jar(app: &TestApp) -> (TestApp, Arc<Jar>) {
    let jar = Arc::new(Jar::default());
    let mut browser = app.another_browser();
    browser.client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    (browser, jar)
}

fn copied_cookie(app: &TestApp, jar: &Jar) -> String {
    let url = app.url("/").parse().unwrap();
    jar.cookies(&url)
        .expect("a session cookie")
        .to_str()
        .unwrap()
        .to_string()
}

/// The status a request carrying only `cookie` gets, as from an attacker's machine.
async fn replay(app: &TestApp, cookie: &str, path: &str) -> StatusCode {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url(path))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .unwrap()
        .status()
}

async fn a_cookie_copied_before_sign_out_is_dead_after_it(app: TestApp) {
    let (browser, jar) = browser_with_jar(&app);
    browser.sign_in_as(Role::Technician).await;
    let copy = copied_cookie(&browser, &jar);
    assert_eq!(replay(&app, &copy, "/tickets").await, StatusCode::OK);

    browser
        .post_form("/logout", &[])
        .await
        .assert_redirect_to("/login?bye=1");
    assert_eq!(
        replay(&app, &copy, "/tickets").await,
        StatusCode::SEE_OTHER,
        "the copy ended with the session"
    );
}

async fn a_cookie_copied_before_a_password_change_is_dead_after_it(app: TestApp) {
    let (browser, jar) = browser_with_jar(&app);
    browser.sign_in_as(Role::Technician).await;
    let copy = copied_cookie(&browser, &jar);
    browser
        .post_form(
            "/account/password",
            &[
                ("current_password", "Tess Tech password 1"),
                ("new_password", "a brand new passphrase"),
                ("confirm_password", "a brand new passphrase"),
            ],
        )
        .await
        .assert_redirect_to("/");
    assert_eq!(
        browser.get("/tickets").await.status,
        StatusCode::OK,
        "the browser that changed it carries on with a new session"
    );
    let renewed = copied_cookie(&browser, &jar);
    assert_ne!(renewed, copy, "the session id rotates");
    assert_eq!(replay(&app, &copy, "/tickets").await, StatusCode::SEE_OTHER);
}

async fn the_session_id_rotates_at_sign_in(app: TestApp) {
    let (browser, jar) = browser_with_jar(&app);
    assert_eq!(browser.get("/login").await.status, StatusCode::OK);
    let before = copied_cookie(&browser, &jar);
    browser.sign_in_as(Role::Technician).await;
    let after = copied_cookie(&browser, &jar);
    assert_ne!(before, after);
    assert_eq!(
        replay(&app, &before, "/tickets").await,
        StatusCode::SEE_OTHER,
        "the cookie from before sign-in does not become a signed-in one"
    );
}

async fn a_session_ends_at_its_absolute_lifetime_however_active(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[("SESSION_MAX_HOURS", "12")]).await else {
        return;
    };
    app.sign_in_as(Role::Technician).await;
    for _ in 0..11 {
        app.clock.advance(Duration::minutes(60));
        assert_eq!(app.get("/tickets").await.status, StatusCode::OK);
    }
    app.clock.advance(Duration::minutes(59));
    assert_eq!(app.get("/tickets").await.status, StatusCode::OK);
    app.clock.advance(Duration::minutes(1));
    app.get("/tickets")
        .await
        .assert_redirect_to("/login?next=%2Ftickets&expired=1");
    assert!(
        app.get("/login?expired=1")
            .await
            .text()
            .contains("Your session reached its time limit")
    );
    app.login("tech@msp.example", "Tess Tech password 1")
        .await
        .assert_redirect_to("/");
}

/// An admin issues a one-time password and returns it as the flash message shows it.
async fn reset_by_admin(admin: &TestApp, email: &str) -> String {
    let id = user_id(admin, email).await;
    admin
        .post_form(&format!("/admin/users/{id}/reset-password"), &[])
        .await
        .assert_redirect_to(&format!("/admin/users/{id}"));
    let page = admin.get(&format!("/admin/users/{id}")).await.text();
    let (_, rest) = page
        .split_once("New one-time password for Tess Tech: ")
        .expect("the one-time password is shown once");
    rest.split_whitespace().next().unwrap().to_string()
}

async fn a_one_time_password_signs_in_once_and_expires_after_a_day(app: TestApp) {
    app.sign_in_as(Role::Admin).await;
    app.create_user(
        "tech@msp.example",
        "Tess Tech",
        Role::Technician,
        Some(tierdesk::domain::account::Tier::Tier1),
    )
    .await;

    let once = reset_by_admin(&app, "tech@msp.example").await;
    let tess = app.another_browser();
    tess.login("tech@msp.example", &once)
        .await
        .assert_redirect_to("/account/password");
    let again = app.another_browser().login("tech@msp.example", &once).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert!(
        again
            .text()
            .contains("has expired or has already been used"),
        "{}",
        again.text()
    );
    tess.post_form(
        "/account/password",
        &[
            ("current_password", &once),
            ("new_password", "my own passphrase"),
            ("confirm_password", "my own passphrase"),
        ],
    )
    .await
    .assert_redirect_to("/");

    let stale = reset_by_admin(&app, "tech@msp.example").await;
    app.clock
        .advance(Duration::hours(23) + Duration::minutes(59));
    app.clock.advance(Duration::minutes(1));
    let late = app
        .another_browser()
        .login("tech@msp.example", &stale)
        .await;
    assert_eq!(late.status, StatusCode::UNAUTHORIZED);
    assert!(late.text().contains("has expired"));
}

async fn an_admin_resets_their_own_password_only_on_the_password_page(app: TestApp) {
    app.sign_in_as(Role::Admin).await;
    let me = user_id(&app, "boss@msp.example").await;
    let refused = app
        .post_form(&format!("/admin/users/{me}/reset-password"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.text().contains("on the password page"));
    assert_eq!(app.get("/").await.status, StatusCode::OK, "still signed in");
    app.another_browser()
        .login("boss@msp.example", "Ada Admin password 1")
        .await
        .assert_redirect_to("/");
}

/// 60 simultaneous wrong passwords from one browser: the throttle counts each before it checks
/// it, so only the free guesses are checked at all.
async fn a_burst_of_wrong_passwords_checks_no_more_than_the_limit(app: TestApp) {
    app.create_user("ann@msp.example", "Ann Able", Role::Manager, None)
        .await;
    let token = app.csrf_token().await;
    let mut burst = tokio::task::JoinSet::new();
    for guess in 0..60 {
        let (client, url, token) = (app.client.clone(), app.url("/login"), token.clone());
        burst.spawn(async move {
            client
                .post(url)
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("email", "ann@msp.example"),
                    ("password", &format!("guess {guess}")),
                ])
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    let (mut wrong, mut refused) = (0, 0);
    while let Some(status) = burst.join_next().await {
        match status.unwrap() {
            StatusCode::UNAUTHORIZED => wrong += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert!(wrong <= 8, "{wrong} passwords were checked");
    assert_eq!(wrong + refused, 60);
    let recorded: i64 = db::run(&app.state.pool, |conn| {
        Ok(login_failures::table
            .filter(login_failures::throttle_key.eq("account:ann@msp.example"))
            .count()
            .get_result(conn)?)
    })
    .await
    .unwrap();
    assert_eq!(recorded, wrong, "each checked guess is counted once");
}

async fn an_overlong_address_is_refused_not_a_server_error(app: TestApp) {
    let long = format!("{}@msp.example", "a".repeat(3000));
    let page = app.login(&long, "whatever it is").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    let huge = "p".repeat(5000);
    app.create_user("ann@msp.example", "Ann Able", Role::Manager, None)
        .await;
    let page = app.login("ann@msp.example", &huge).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
}

async fn the_password_page_throttles_guesses_of_the_current_password(app: TestApp) {
    app.sign_in_as(Role::Technician).await;
    let guess = |n: usize| {
        let app = &app;
        async move {
            app.post_form(
                "/account/password",
                &[
                    ("current_password", &format!("guess {n}")),
                    ("new_password", "a brand new passphrase"),
                    ("confirm_password", "a brand new passphrase"),
                ],
            )
            .await
        }
    };
    for n in 0..4 {
        assert_eq!(guess(n).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let slowed = guess(4).await;
    assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        slowed
            .field_error("current_password")
            .unwrap()
            .contains("Too many wrong current passwords"),
        "{}",
        slowed.text()
    );
    app.clock.advance(Duration::seconds(2));
    app.post_form(
        "/account/password",
        &[
            ("current_password", "Tess Tech password 1"),
            ("new_password", "a brand new passphrase"),
            ("confirm_password", "a brand new passphrase"),
        ],
    )
    .await
    .assert_redirect_to("/");
}

/// Failures are counted against the address the request came from: the peer's, unless the
/// peer is a trusted proxy.
async fn address_keys(app: &TestApp) -> Vec<String> {
    db::run(&app.state.pool, |conn| {
        Ok(login_failures::table
            .filter(login_failures::throttle_key.like("address:%"))
            .select(login_failures::throttle_key)
            .load::<String>(conn)?)
    })
    .await
    .unwrap()
}

/// A wrong sign-in claiming, in `X-Forwarded-For`, to come from elsewhere.
async fn forged_sign_in(app: &TestApp) -> StatusCode {
    let token = app.csrf_token().await;
    app.client
        .post(app.url("/login"))
        .header("x-forwarded-for", "198.51.100.7")
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "nobody@msp.example"),
            ("password", "guess"),
        ])
        .send()
        .await
        .unwrap()
        .status()
}

/// Failures are counted against the address the request came from: the peer's, unless the
/// peer is a trusted proxy.
async fn forwarded_addresses_count_only_from_trusted_proxies(backend: Backend) {
    let Some(direct) = spawn_app_with(backend, &[]).await else {
        return;
    };
    assert_eq!(forged_sign_in(&direct).await, StatusCode::UNAUTHORIZED);
    assert_eq!(address_keys(&direct).await, ["address:127.0.0.1"]);

    let Some(proxied) = spawn_app_with(backend, &[("TRUSTED_PROXIES", "127.0.0.1/32")]).await
    else {
        return;
    };
    assert_eq!(forged_sign_in(&proxied).await, StatusCode::UNAUTHORIZED);
    assert_eq!(address_keys(&proxied).await, ["address:198.51.100.7"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_at_its_absolute_lifetime_sqlite() {
    a_session_ends_at_its_absolute_lifetime_however_active(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_at_its_absolute_lifetime_postgres() {
    a_session_ends_at_its_absolute_lifetime_however_active(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_addresses_count_only_from_trusted_proxies_sqlite() {
    forwarded_addresses_count_only_from_trusted_proxies(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_addresses_count_only_from_trusted_proxies_postgres() {
    forwarded_addresses_count_only_from_trusted_proxies(Backend::Postgres).await;
}

both_backends!(
    a_cookie_copied_before_sign_out_is_dead_after_it,
    a_cookie_copied_before_a_password_change_is_dead_after_it,
    the_session_id_rotates_at_sign_in,
    a_one_time_password_signs_in_once_and_expires_after_a_day,
    an_admin_resets_their_own_password_only_on_the_password_page,
    a_burst_of_wrong_passwords_checks_no_more_than_the_limit,
    an_overlong_address_is_refused_not_a_server_error,
    the_password_page_throttles_guesses_of_the_current_password,
);
