//! The page frame: health check, error pages, stylesheet, headers, dashboard.

use reqwest::StatusCode;
use tierdesk::domain::account::Role;

use crate::helpers::TestApp;

async fn healthz_reports_the_database(app: TestApp) {
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
    let expected = match app.backend {
        crate::helpers::Backend::Sqlite => "sqlite",
        crate::helpers::Backend::Postgres => "postgres",
    };
    assert_eq!(body["backend"], expected);
}

async fn unknown_pages_get_a_friendly_404(app: TestApp) {
    let page = app.get("/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.text().contains("There is nothing here"));
    assert!(
        page.body
            .contains("<link rel=\"stylesheet\" href=\"/static/style.css\">")
    );
}

async fn pages_carry_security_headers_and_the_stylesheet_is_served(app: TestApp) {
    let response = app.client.get(app.url("/login")).send().await.unwrap();
    let headers = response.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    let css = app
        .client
        .get(app.url("/static/style.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(css.text().await.unwrap().contains("@media"));
}

async fn the_dashboard_counts_clients_contacts_and_staff(app: TestApp) {
    app.sign_in_as(Role::Admin).await;
    app.create_user(
        "t1@msp.example",
        "Tier One",
        Role::Technician,
        Some(tierdesk::domain::account::Tier::Tier1),
    )
    .await;
    app.create_user(
        "t3@msp.example",
        "Tier Three",
        Role::Technician,
        Some(tierdesk::domain::account::Tier::Tier3),
    )
    .await;
    let client = app
        .post_client(
            "/clients",
            &[("name", "Brightline"), ("code", "BRIGHT"), ("active", "on")],
        )
        .await
        .location
        .unwrap();
    app.post_form(
        &format!("{client}/contacts"),
        &[
            ("name", "Omar Haddad"),
            ("email", "omar@brightline.example"),
            ("active", "on"),
        ],
    )
    .await
    .assert_redirect_to(&client);
    let text = app.get("/").await.text();
    assert!(text.contains("1 active clients"), "{text}");
    assert!(text.contains("1 client contacts"), "{text}");
    assert!(text.contains("Tier 1 1"), "{text}");
    assert!(text.contains("Tier 2 0"), "{text}");
    assert!(text.contains("Tier 3 1"), "{text}");
    // The first admin (from the first start) and the signed-in admin.
    assert!(text.contains("Admins 2"), "{text}");
}

both_backends!(
    healthz_reports_the_database,
    unknown_pages_get_a_friendly_404,
    pages_carry_security_headers_and_the_stylesheet_is_served,
    the_dashboard_counts_clients_contacts_and_staff,
);
