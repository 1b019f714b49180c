//! Admins create, edit and deactivate staff accounts.

use reqwest::StatusCode;
use tierdesk::domain::account::Role;

use crate::fixtures::user_id;
use crate::helpers::TestApp;

/// The 19-character one-time password that follows `marker` in the page text.
fn password_after(text: &str, marker: &str) -> String {
    let start = text.find(marker).expect("the flash shows the password") + marker.len();
    text[start..start + 19].to_string()
}

async fn an_admin_creates_a_technician_who_signs_in_with_the_one_time_password(app: TestApp) {
    app.sign_in_as(Role::Admin).await;
    let form = app.get("/admin/users/new").await;
    assert_eq!(form.status, StatusCode::OK);

    let created = app
        .post_form(
            "/admin/users",
            &[
                ("display_name", "  Nina   Network "),
                ("email", "Nina@MSP.example"),
                ("role", "technician"),
                ("tier", "tier2"),
                ("skills", "Networking, firewalls, networking"),
                ("time_zone", "America/New_York"),
            ],
        )
        .await;
    created.assert_redirect_to("/admin/users");
    let list = app.get("/admin/users").await;
    let text = list.text();
    assert!(text.contains("Account created for Nina Network <nina@msp.example>"));
    assert!(text.contains("Tier 2"));
    assert!(text.contains("firewalls, networking"));
    assert!(text.contains("one-time password"));
    let password = password_after(&text, "One-time password: ");

    let nina = app.another_browser();
    nina.login("nina@msp.example", &password)
        .await
        .assert_redirect_to("/account/password");
}

async fn bad_user_input_comes_back_with_errors_beside_the_fields(app: TestApp) {
    app.sign_in_as(Role::Admin).await;
    let page = app
        .post_form(
            "/admin/users",
            &[
                ("display_name", ""),
                ("email", "not-an-address"),
                ("role", "technician"),
                ("tier", ""),
                ("time_zone", "Mars/Olympus"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.field_value("email").as_deref(), Some("not-an-address"));
    assert!(page.field_error("email").unwrap().contains("needs an @"));
    assert!(
        page.field_error("display_name")
            .unwrap()
            .contains("Enter a name")
    );
    assert!(
        page.field_error("tier")
            .unwrap()
            .contains("technician needs a tier")
    );
    assert!(
        page.field_error("time_zone")
            .unwrap()
            .contains("not a time zone")
    );
    assert_eq!(
        page.field_value("time_zone").as_deref(),
        Some("Mars/Olympus")
    );

    let taken = app
        .post_form(
            "/admin/users",
            &[
                ("display_name", "Again"),
                ("email", "BOSS@msp.example"),
                ("role", "manager"),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        taken
            .field_error("email")
            .unwrap()
            .contains("already uses this e-mail")
    );
}

async fn admins_cannot_lock_themselves_out(app: TestApp) {
    app.sign_in_as(Role::Admin).await;
    let me = user_id(&app, "boss@msp.example").await;
    let page = app
        .post_edit(
            &format!("/admin/users/{me}"),
            &format!("/admin/users/{me}"),
            &[
                ("display_name", "Ada Admin"),
                ("email", "boss@msp.example"),
                ("role", "technician"),
                ("tier", "tier1"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text()
            .contains("cannot demote or deactivate your own account")
    );
    assert_eq!(app.get("/admin/users").await.status, StatusCode::OK);
}

async fn an_admin_issues_a_new_one_time_password(app: TestApp) {
    let tech = app.another_browser();
    tech.sign_in_as(Role::Technician).await;
    app.sign_in_as(Role::Admin).await;
    let tech_id = user_id(&app, "tech@msp.example").await;
    let reset = app
        .post_form(&format!("/admin/users/{tech_id}/reset-password"), &[])
        .await;
    reset.assert_redirect_to(&format!("/admin/users/{tech_id}"));
    let page = app.get(&format!("/admin/users/{tech_id}")).await;
    let text = page.text();
    assert!(
        text.contains("password reset"),
        "history shows the reset: {text}"
    );
    let password = password_after(&text, "New one-time password for Tess Tech: ");

    assert_eq!(
        tech.get("/").await.status,
        StatusCode::SEE_OTHER,
        "old session ended"
    );
    let fresh = tech.another_browser();
    fresh
        .login("tech@msp.example", &password)
        .await
        .assert_redirect_to("/account/password");
}

/// Two admins edit the same account: the second save comes from a form filled before the first
/// one, so it is refused with the typed text kept, and the first admin's change stands.
async fn a_stale_account_form_never_overwrites(app: TestApp) {
    app.create_user(
        "tech@msp.example",
        "Tess Tech",
        Role::Technician,
        Some(tierdesk::domain::account::Tier::Tier1),
    )
    .await;
    app.sign_in_as(Role::Admin).await;
    let other = app.another_browser();
    other
        .create_user("admin2@msp.example", "Ola Other", Role::Admin, None)
        .await;
    other
        .login("admin2@msp.example", "Ola Other password 1")
        .await
        .assert_redirect_to("/");
    let tech = user_id(&app, "tech@msp.example").await;
    let path = format!("/admin/users/{tech}");
    let opened = app.form_version(&path, &path).await;

    let fields = |name: &'static str, skills: &'static str| {
        [
            ("email", "tech@msp.example"),
            ("display_name", name),
            ("role", "technician"),
            ("tier", "tier1"),
            ("time_zone", "Europe/London"),
            ("skills", skills),
            ("active", "on"),
        ]
    };
    other
        .post_edit(&path, &path, &fields("Tess Tech", "printers"))
        .await
        .assert_redirect_to("/admin/users");

    let mut stale: Vec<(&str, &str)> = vec![("version", opened.as_str())];
    stale.extend_from_slice(&fields("Tess Technician", "firewalls"));
    let refused = app.post_form(&path, &stale).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused.text().contains("Someone else saved this account"),
        "{}",
        refused.text()
    );
    assert_eq!(
        refused.field_value("display_name").as_deref(),
        Some("Tess Technician"),
        "the typed text is kept"
    );
    let row = tierdesk::db::run(&app.state.pool, move |conn| {
        tierdesk::db::users::find_by_email(
            conn,
            &tierdesk::domain::inputs::EmailAddress::parse("tech@msp.example").unwrap(),
        )
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(row.display_name, "Tess Tech");
    assert_eq!(row.skills, "printers", "the first save stands");
}

both_backends!(
    a_stale_account_form_never_overwrites,
    an_admin_creates_a_technician_who_signs_in_with_the_one_time_password,
    bad_user_input_comes_back_with_errors_beside_the_fields,
    admins_cannot_lock_themselves_out,
    an_admin_issues_a_new_one_time_password,
);
