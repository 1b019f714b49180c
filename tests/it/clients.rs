//! Clients and contacts: create, list, edit, with bad input kept and explained.

use reqwest::StatusCode;
use tierdesk::domain::account::Role;

use crate::helpers::TestApp;

async fn create_client(app: &TestApp, name: &str, code: &str) -> String {
    let page = app
        .post_client(
            "/clients",
            &[
                ("name", name),
                ("code", code),
                ("notes", ""),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    page.location.unwrap()
}

async fn a_manager_creates_and_edits_a_client(app: TestApp) {
    app.sign_in_as(Role::Manager).await;
    let location = app
        .post_client(
            "/clients",
            &[
                ("name", " Northwind   Dental "),
                ("code", "nwd"),
                ("notes", "Imaging server in the back office."),
                ("active", "on"),
            ],
        )
        .await
        .location
        .unwrap();
    assert!(location.starts_with("/clients/"));
    let page = app.get(&location).await;
    let text = page.text();
    assert!(text.contains("Client Northwind Dental created"));
    assert!(text.contains("Northwind Dental NWD"));
    assert!(text.contains("Imaging server in the back office."));
    assert!(
        text.contains("Mia Manager created: Northwind Dental (NWD)"),
        "history: {text}"
    );

    let list = app.get("/clients").await;
    assert!(list.text().contains("Northwind Dental NWD 0 active"));

    let saved = app
        .post_client(
            &location,
            &[
                ("name", "Northwind Dental Group"),
                ("code", "NWD"),
                ("notes", ""),
            ],
        )
        .await;
    saved.assert_redirect_to(&location);
    assert!(
        app.get(&location)
            .await
            .text()
            .contains("Saved Northwind Dental Group.")
    );
    let active_only = app.get("/clients").await.text();
    assert!(
        !active_only.contains("Northwind Dental Group"),
        "an unticked 'active' box deactivates the client, so it leaves the default list"
    );
    let all = app.get("/clients?all=1").await;
    assert!(all.text().contains("Northwind Dental Group NWD 0 inactive"));
    let history = app.get(&location).await.text();
    assert!(
        history.contains("name: Northwind Dental → Northwind Dental Group"),
        "{history}"
    );
    assert!(history.contains("deactivated"));
}

async fn bad_client_input_is_kept_and_explained(app: TestApp) {
    app.sign_in_as(Role::Manager).await;
    let page = app
        .post_client(
            "/clients",
            &[
                ("name", "   "),
                ("code", "A CORP!"),
                ("notes", "keep these notes"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.field_error("name")
            .unwrap()
            .contains("Enter the client's name")
    );
    assert!(
        page.field_error("code")
            .unwrap()
            .contains("2 to 12 letters")
    );
    assert_eq!(page.field_value("code").as_deref(), Some("A CORP!"));
    assert_eq!(
        page.field_value("notes").as_deref(),
        Some("keep these notes")
    );
    assert!(
        page.text()
            .contains("Please correct the 2 fields marked below")
    );

    create_client(&app, "Harbor Logistics", "HARBOR").await;
    let dup = app
        .post_client(
            "/clients",
            &[
                ("name", "harbor logistics"),
                ("code", "harbor"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        dup.field_error("name")
            .unwrap()
            .contains("already a client called Harbor Logistics")
    );
    assert!(
        dup.field_error("code")
            .unwrap()
            .contains("already uses the code HARBOR")
    );
    assert_eq!(dup.field_value("name").as_deref(), Some("harbor logistics"));
}

async fn technicians_add_and_edit_contacts_with_their_identity_details(app: TestApp) {
    let manager = app.another_browser();
    manager.sign_in_as(Role::Manager).await;
    let client_path = create_client(&manager, "Harbor Logistics", "HARBOR").await;

    app.sign_in_as(Role::Technician).await;
    let bad = app
        .post_form(
            &format!("{client_path}/contacts"),
            &[
                ("name", "Grace O'Neill"),
                ("email", "grace@"),
                ("phone", "call me"),
                ("verification_secret", "12"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.field_value("name").as_deref(), Some("Grace O'Neill"));
    assert_eq!(bad.field_value("email").as_deref(), Some("grace@"));
    assert!(bad.field_error("email").is_some());
    assert!(
        bad.field_error("phone")
            .unwrap()
            .contains("does not look like a phone number")
    );
    assert!(
        bad.field_error("verification_secret")
            .unwrap()
            .contains("4 to 64")
    );
    assert_eq!(
        bad.field_value("verification_secret").as_deref(),
        Some(""),
        "a PIN is never echoed back"
    );

    let added = app
        .post_form(
            &format!("{client_path}/contacts"),
            &[
                ("name", "Grace O'Neill"),
                ("email", "Grace.ONeill@harbor-logistics.example"),
                ("phone", "+1 555 0199 310"),
                ("job_title", "Operations director"),
                ("verification_secret", "anchor-42"),
                ("active", "on"),
            ],
        )
        .await;
    added.assert_redirect_to(&client_path);
    let page = app.get(&client_path).await;
    let text = page.text();
    assert!(text.contains("Contact Grace O'Neill added."));
    assert!(text.contains("grace.oneill@harbor-logistics.example"));
    assert!(text.contains("+1 555 0199 310"));
    assert!(text.contains("PIN on file"));
    assert!(!page.body.contains("anchor-42"));

    let stored = tierdesk::db::run(&app.state.pool, |conn| {
        let client = tierdesk::db::clients::list(conn, true)?.remove(0).client;
        Ok(tierdesk::db::clients::contacts_of(conn, client.id())?.remove(0))
    })
    .await
    .unwrap();
    let hash = stored.verification_secret_hash.clone().unwrap();
    assert!(
        hash.starts_with("$argon2id$"),
        "the PIN is stored only as a hash"
    );
    assert!(tierdesk::security::verify_password("anchor-42", &hash));

    let dup = app
        .post_form(
            &format!("{client_path}/contacts"),
            &[
                ("name", "Someone Else"),
                ("email", "grace.oneill@harbor-logistics.example"),
            ],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        dup.field_error("email")
            .unwrap()
            .contains("Grace O'Neill at this client already uses")
    );

    let edit_path = format!("/contacts/{}", stored.id);
    let edit_form = app.get(&format!("{edit_path}/edit")).await;
    assert_eq!(
        edit_form.field_value("phone").as_deref(),
        Some("+1 555 0199 310")
    );
    assert!(edit_form.text().contains("A PIN is on file."));
    let saved = app
        .post_edit(
            &format!("{edit_path}/edit"),
            &edit_path,
            &[
                ("name", "Grace O'Neill"),
                ("email", "grace.oneill@harbor-logistics.example"),
                ("phone", "+1 555 0199 399"),
                ("job_title", "COO"),
                ("verification_secret", ""),
                ("active", "on"),
            ],
        )
        .await;
    saved.assert_redirect_to(&client_path);
    let text = app.get(&client_path).await.text();
    assert!(text.contains("+1 555 0199 399"));
    assert!(text.contains("COO"));
    assert!(
        text.contains("PIN on file"),
        "an empty PIN field keeps the PIN"
    );

    let edit_form = app.get(&format!("{edit_path}/edit")).await;
    assert!(
        edit_form.body.contains("readonly"),
        "a technician sees the e-mail address but cannot change it"
    );
    assert!(
        edit_form
            .text()
            .contains("Only a manager can set or remove it.")
    );
    let refused = app
        .post_edit(
            &format!("{edit_path}/edit"),
            &edit_path,
            &[
                ("name", "Grace O'Neill"),
                ("email", "grace@attacker.example"),
                ("clear_verification_secret", "on"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .field_error("email")
            .unwrap()
            .contains("Only a manager can change a contact's e-mail address")
    );
    assert!(
        refused
            .text()
            .contains("Only a manager can set or remove a contact's PIN")
    );
    let unchanged = tierdesk::db::run(&app.state.pool, move |conn| {
        tierdesk::db::clients::get_contact(conn, stored.id())
    })
    .await
    .unwrap();
    assert_eq!(unchanged.email, "grace.oneill@harbor-logistics.example");
    assert!(unchanged.verification_secret_hash.is_some());

    let cleared = manager
        .post_edit(
            &format!("{edit_path}/edit"),
            &edit_path,
            &[
                ("name", "Grace O'Neill"),
                ("email", "grace@harbor.example"),
                ("clear_verification_secret", "on"),
                ("active", "on"),
            ],
        )
        .await;
    cleared.assert_redirect_to(&client_path);
    assert!(
        app.get(&client_path)
            .await
            .text()
            .contains("call-back or known e-mail")
    );
    let announced = tierdesk::db::run(&app.state.pool, |conn| {
        tierdesk::mail::outbox::recent(conn, 10)
    })
    .await
    .unwrap();
    let notice = announced
        .iter()
        .find(|m| m.kind == "contact_email_changed")
        .expect("the old address hears of the change");
    assert_eq!(notice.to_address, "grace.oneill@harbor-logistics.example");
    assert!(notice.subject.contains("was changed"));
}

async fn unknown_clients_and_contacts_are_404_pages(app: TestApp) {
    app.sign_in_as(Role::Manager).await;
    for path in [
        "/clients/999",
        "/clients/999/edit",
        "/contacts/999/edit",
        "/clients/not-a-number",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
    }
    let page = app.get("/clients/999").await;
    assert!(page.text().contains("Not found"));
    let post = app
        .post_form(
            "/clients/999/contacts",
            &[("name", "X Y"), ("email", "x@y.example")],
        )
        .await;
    assert_eq!(post.status, StatusCode::NOT_FOUND);
}

both_backends!(
    a_manager_creates_and_edits_a_client,
    bad_client_input_is_kept_and_explained,
    technicians_add_and_edit_contacts_with_their_identity_details,
    unknown_clients_and_contacts_are_404_pages,
);
