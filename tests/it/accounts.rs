//! Signing in and out, throttling, CSRF, sessions and role guards.

use chrono::Duration;
use reqwest::StatusCode;
use tierdesk::domain::account::Role;

use crate::fixtures::user_id;
use crate::helpers::{Backend, TestApp, restart, spawn_app_with};

async fn first_admin_signs_in_with_the_printed_password_and_must_choose_a_new_one(app: TestApp) {
    let admin = app
        .first_admin
        .clone()
        .expect("first start creates an admin");
    assert_eq!(admin.email, "admin@tierdesk.local");

    let page = app.login(&admin.email, &admin.one_time_password).await;
    page.assert_redirect_to("/account/password");

    app.get("/").await.assert_redirect_to("/account/password");
    app.get("/clients")
        .await
        .assert_redirect_to("/account/password");
    let form = app.get("/account/password").await;
    assert!(form.text().contains("Choose your password"));

    let weak = app
        .post_form(
            "/account/password",
            &[
                ("current_password", &admin.one_time_password),
                ("new_password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        weak.field_error("new_password")
            .unwrap()
            .contains("at least 10")
    );

    let changed = app
        .post_form(
            "/account/password",
            &[
                ("current_password", &admin.one_time_password),
                ("new_password", "a desk of my own"),
                ("confirm_password", "a desk of my own"),
            ],
        )
        .await;
    changed.assert_redirect_to("/");
    let dashboard = app.get("/").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.text().contains("Your password is changed"));
    assert!(dashboard.text().contains("Administrator"));

    let other = app.another_browser();
    other
        .login(&admin.email, &admin.one_time_password)
        .await
        .status
        .eq(&StatusCode::UNAUTHORIZED)
        .then_some(())
        .expect("the one-time password works once");
    other
        .login(&admin.email, "a desk of my own")
        .await
        .assert_redirect_to("/");
}

async fn login_success_reaches_the_dashboard_and_returns_to_the_page_asked_for(app: TestApp) {
    let password = app
        .create_user(
            "ann@msp.example",
            "Ann Able",
            Role::Technician,
            Some(tierdesk::domain::account::Tier::Tier2),
        )
        .await;
    let bounced = app.get("/clients?all=1").await;
    bounced.assert_redirect_to("/login?next=%2Fclients%3Fall%3D1");

    let page = app
        .post_form(
            "/login",
            &[
                ("email", " ANN@msp.example "),
                ("password", &password),
                ("next", "/clients?all=1"),
            ],
        )
        .await;
    page.assert_redirect_to("/clients?all=1");
    let dashboard = app.get("/").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.text().contains("Good to see you, Ann Able"));
    assert!(dashboard.text().contains("Technician"));

    let out = app.post_form("/logout", &[]).await;
    out.assert_redirect_to("/login?bye=1");
    assert!(
        app.get("/login?bye=1")
            .await
            .text()
            .contains("You are signed out.")
    );
    app.get("/").await.assert_redirect_to("/login?next=%2F");
}

async fn login_refuses_open_redirects(app: TestApp) {
    let password = app
        .create_user("ann@msp.example", "Ann Able", Role::Manager, None)
        .await;
    let page = app
        .post_form(
            "/login",
            &[
                ("email", "ann@msp.example"),
                ("password", &password),
                ("next", "//evil.example.com/"),
            ],
        )
        .await;
    page.assert_redirect_to("/");
}

async fn wrong_password_is_refused_and_keeps_the_email(app: TestApp) {
    app.create_user("ann@msp.example", "Ann Able", Role::Manager, None)
        .await;
    let page = app.login("ann@msp.example", "not her password").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.text().contains("do not match an active account"));
    assert_eq!(
        page.field_value("email").as_deref(),
        Some("ann@msp.example")
    );
    assert_eq!(app.get("/").await.status, StatusCode::SEE_OTHER);

    let unknown = app.login("nobody@msp.example", "whatever it is").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert!(unknown.text().contains("do not match an active account"));
}

async fn repeated_failures_slow_down_then_lock_the_account_and_say_so(app: TestApp) {
    let password = app
        .create_user("ann@msp.example", "Ann Able", Role::Manager, None)
        .await;
    for _ in 0..4 {
        let page = app.login("ann@msp.example", "guess").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    // The fourth failure earns a wait: even the right password is refused until it passes.
    let slowed = app.login("ann@msp.example", &password).await;
    assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        slowed.text().contains("Wait 1 second before trying again"),
        "{}",
        slowed.text()
    );

    for _ in 0..4 {
        app.clock.advance(Duration::seconds(61));
        assert_eq!(
            app.login("ann@msp.example", "guess").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let locked = app.login("ann@msp.example", &password).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        locked.text().contains("sign-in is locked for 15 minutes"),
        "{}",
        locked.text()
    );

    app.clock.advance(Duration::minutes(14));
    let still = app.login("ann@msp.example", &password).await;
    assert_eq!(still.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        still.text().contains("locked for 1 minute"),
        "{}",
        still.text()
    );

    app.clock.advance(Duration::minutes(2));
    app.login("ann@msp.example", &password)
        .await
        .assert_redirect_to("/");
}

async fn a_post_without_the_csrf_token_is_refused(app: TestApp) {
    let password = app
        .create_user("ann@msp.example", "Ann Able", Role::Manager, None)
        .await;
    let missing = app
        .post_raw(
            "/login",
            &[("email", "ann@msp.example"), ("password", &password)],
        )
        .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(missing.text().contains("Form expired"));

    app.csrf_token().await;
    let forged = app
        .post_raw(
            "/login",
            &[
                ("csrf_token", "forged"),
                ("email", "ann@msp.example"),
                ("password", &password),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/").await.status,
        StatusCode::SEE_OTHER,
        "not signed in"
    );

    app.login("ann@msp.example", &password)
        .await
        .assert_redirect_to("/");
    let signed_in_forged = app
        .post_raw(
            "/clients",
            &[("csrf_token", "forged"), ("name", "Evil"), ("code", "EVIL")],
        )
        .await;
    assert_eq!(signed_in_forged.status, StatusCode::FORBIDDEN);
    assert!(!app.get("/clients").await.text().contains("Evil"));

    // A token from one session does not work in another.
    let other = app.another_browser();
    let other_token = other.csrf_token().await;
    let crossed = app
        .post_raw(
            "/clients",
            &[
                ("csrf_token", &other_token),
                ("name", "Evil"),
                ("code", "EVIL"),
            ],
        )
        .await;
    assert_eq!(crossed.status, StatusCode::FORBIDDEN);
}

async fn technicians_get_403_on_admin_and_client_management_pages(app: TestApp) {
    app.sign_in_as(Role::Technician).await;
    for path in [
        "/admin/users",
        "/admin/users/new",
        "/admin/users/1",
        "/clients/new",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.text().contains("Not allowed"), "{path}");
    }
    let post = app
        .post_form(
            "/admin/users",
            &[
                ("email", "x@msp.example"),
                ("display_name", "X"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    let client = app
        .post_form("/clients", &[("name", "Sneaky"), ("code", "SNK")])
        .await;
    assert_eq!(client.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/clients").await.status, StatusCode::OK);
    assert!(
        !app.get("/").await.body.contains("/admin/users"),
        "no admin link in the navigation"
    );
}

async fn managers_manage_clients_but_not_users(app: TestApp) {
    app.sign_in_as(Role::Manager).await;
    assert_eq!(app.get("/clients/new").await.status, StatusCode::OK);
    assert_eq!(app.get("/admin/users").await.status, StatusCode::FORBIDDEN);
}

async fn session_cookie_is_http_only_and_same_site_lax(app: TestApp) {
    let password = app
        .create_user("ann@msp.example", "Ann Able", Role::Manager, None)
        .await;
    let token = app.csrf_token().await;
    let response = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "ann@msp.example"),
            ("password", &password),
        ])
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("tierdesk_session="))
        .expect("a session cookie")
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain-http desks must not mark cookies Secure: {cookie}"
    );
    assert!(
        response
            .headers()
            .get("strict-transport-security")
            .is_none(),
        "HSTS only on https desks"
    );
    assert!(
        cookie.contains("Max-Age=2592000"),
        "the cookie lasts the session's absolute lifetime (720 hours in tests); the server ends sessions earlier: {cookie}"
    );
    // The cookie is encrypted: nothing in it reads as the user id or the e-mail.
    assert!(!cookie.contains("ann@msp.example"));
}

async fn sessions_end_after_the_idle_timeout(app: TestApp) {
    app.sign_in_as(Role::Technician).await;
    app.clock.advance(Duration::minutes(119));
    assert_eq!(
        app.get("/").await.status,
        StatusCode::OK,
        "activity renews the session"
    );
    app.clock.advance(Duration::minutes(119));
    assert_eq!(app.get("/clients").await.status, StatusCode::OK);
    app.clock.advance(Duration::minutes(121));
    let page = app.get("/clients").await;
    page.assert_redirect_to("/login?next=%2Fclients&idle=1");
    assert!(
        app.get("/login?idle=1")
            .await
            .text()
            .contains("signed out after a period of inactivity")
    );
    assert_eq!(app.get("/").await.status, StatusCode::SEE_OTHER);
}

async fn deactivating_an_account_ends_its_sessions(app: TestApp) {
    let tech = app.another_browser();
    tech.sign_in_as(Role::Technician).await;
    assert_eq!(tech.get("/").await.status, StatusCode::OK);

    app.sign_in_as(Role::Admin).await;
    let users = app.get("/admin/users").await;
    assert!(users.text().contains("Tess Tech"));
    let tech_id = user_id(&app, "tech@msp.example").await;
    let saved = app
        .post_edit(
            &format!("/admin/users/{tech_id}"),
            &format!("/admin/users/{tech_id}"),
            &[
                ("email", "tech@msp.example"),
                ("display_name", "Tess Tech"),
                ("role", "technician"),
                ("tier", "tier1"),
                ("time_zone", "Europe/London"),
            ],
        )
        .await;
    saved.assert_redirect_to("/admin/users");
    assert!(app.get("/admin/users").await.text().contains("deactivated"));
    assert_eq!(
        tech.get("/").await.status,
        StatusCode::SEE_OTHER,
        "signed out"
    );
    let again = tech.login("tech@msp.example", "Tess Tech password 1").await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
}

async fn signing_out_everywhere_ends_every_session_of_the_account(app: TestApp) {
    let laptop = app.another_browser();
    laptop.sign_in_as(Role::Technician).await;
    app.login("tech@msp.example", "Tess Tech password 1")
        .await
        .assert_redirect_to("/");
    assert_eq!(laptop.get("/").await.status, StatusCode::OK);
    app.post_form("/account/sign-out-everywhere", &[])
        .await
        .assert_redirect_to("/login?bye=1");
    assert_eq!(app.get("/").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        laptop.get("/").await.status,
        StatusCode::SEE_OTHER,
        "the other session ended too"
    );
    app.login("tech@msp.example", "Tess Tech password 1")
        .await
        .assert_redirect_to("/");
}

async fn secure_cookies_when_the_desk_is_served_over_https(backend: Backend) {
    let Some(app) = spawn_app_with(backend, &[("BASE_URL", "https://desk.example.com")]).await
    else {
        return;
    };
    let response = app.client.get(app.url("/login")).send().await.unwrap();
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("tierdesk_session="))
        .expect("a session cookie for the CSRF token")
        .to_string();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert_eq!(
        response
            .headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000"),
        "an https desk tells browsers to stay on https"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_cookies_over_https_sqlite() {
    secure_cookies_when_the_desk_is_served_over_https(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_cookies_over_https_postgres() {
    secure_cookies_when_the_desk_is_served_over_https(Backend::Postgres).await;
}

/// The SQLite file holds every client's records: readable by the desk's user alone, whatever
/// the umask it was created under.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_file_is_the_desks_alone() {
    use std::os::unix::fs::PermissionsExt;
    let app = crate::helpers::spawn_app(Backend::Sqlite).await.unwrap();
    let file = app.data_dir.path().join("tierdesk.db");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o077,
        0,
        "{} has mode {:o}",
        file.display(),
        mode & 0o777
    );
}

async fn starting_twice_runs_migrations_once_and_keeps_the_first_admin(app: TestApp) {
    assert!(app.first_admin.is_some());
    assert!(
        restart(&app).await.is_none(),
        "no second admin on the second start"
    );
    let count = tierdesk::db::run(&app.state.pool, tierdesk::db::users::count)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

both_backends!(
    first_admin_signs_in_with_the_printed_password_and_must_choose_a_new_one,
    login_success_reaches_the_dashboard_and_returns_to_the_page_asked_for,
    login_refuses_open_redirects,
    wrong_password_is_refused_and_keeps_the_email,
    repeated_failures_slow_down_then_lock_the_account_and_say_so,
    a_post_without_the_csrf_token_is_refused,
    technicians_get_403_on_admin_and_client_management_pages,
    managers_manage_clients_but_not_users,
    session_cookie_is_http_only_and_same_site_lax,
    sessions_end_after_the_idle_timeout,
    deactivating_an_account_ends_its_sessions,
    signing_out_everywhere_ends_every_session_of_the_account,
    starting_twice_runs_migrations_once_and_keeps_the_first_admin,
);
