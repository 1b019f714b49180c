//! Stale forms never overwrite: for each record edited in a form (client, contact, calendar,
//! SLA policy, escalation level; accounts have their own test), a save from a form filled
//! before someone else's is refused with 409, the typed text kept, and the first save stands.

use reqwest::StatusCode;
use tierdesk::domain::account::Role;

use crate::fixtures::seed_demo_desk;
use crate::helpers::TestApp;

/// The fields of the form for `action` on `page` as a browser would send them untouched.
async fn filled_form(app: &TestApp, page: &str, action: &str) -> Vec<(String, String)> {
    let html = app.get(page).await.body;
    let doc = scraper::Html::parse_document(&html);
    let form = scraper::Selector::parse(&format!("form[action=\"{action}\"]")).unwrap();
    let fields = scraper::Selector::parse("input[name], textarea[name], select[name]").unwrap();
    let selected = scraper::Selector::parse("option[selected]").unwrap();
    let form = doc
        .select(&form)
        .next()
        .unwrap_or_else(|| panic!("{page} has a form for {action}"));
    let mut values = Vec::new();
    for field in form.select(&fields) {
        let f = field.value();
        let name = f.attr("name").unwrap_or_default().to_string();
        let value = match f.name() {
            "textarea" => field.text().collect(),
            "select" => field
                .select(&selected)
                .next()
                .and_then(|o| o.value().attr("value"))
                .unwrap_or_default()
                .to_string(),
            _ => match f.attr("type").unwrap_or("text") {
                "checkbox" | "radio" if f.attr("checked").is_none() => continue,
                "checkbox" | "radio" => f.attr("value").unwrap_or("on").to_string(),
                "submit" | "button" | "file" => continue,
                _ => f.attr("value").unwrap_or_default().to_string(),
            },
        };
        values.push((name, value));
    }
    values
}

fn renamed(fields: &[(String, String)], suffix: &str) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(name, value)| {
            if name == "name" {
                (name.clone(), format!("{value} {suffix}"))
            } else {
                (name.clone(), value.clone())
            }
        })
        .collect()
}

async fn post(app: &TestApp, action: &str, fields: &[(String, String)]) -> crate::helpers::Page {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(name, _)| name != "csrf_token")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    app.post_form(action, &pairs).await
}

async fn a_stale_form_of_each_record_never_overwrites(app: TestApp) {
    seed_demo_desk(&app).await;
    app.sign_in_as(Role::Admin).await;
    let other = app.another_browser();
    other
        .create_user("admin2@msp.example", "Ola Other", Role::Admin, None)
        .await;
    other
        .login("admin2@msp.example", "Ola Other password 1")
        .await
        .assert_redirect_to("/");

    let records = [
        ("client", "/clients/1/edit", "/clients/1", "/clients/1"),
        (
            "contact",
            "/contacts/1/edit",
            "/contacts/1",
            "/contacts/1/edit",
        ),
        (
            "calendar",
            "/admin/calendars/1",
            "/admin/calendars/1",
            "/admin/calendars/1",
        ),
        (
            "policy",
            "/admin/sla-policies/1",
            "/admin/sla-policies/1",
            "/admin/sla-policies/1",
        ),
        (
            "level",
            "/admin/escalation",
            "/admin/escalation/levels/1",
            "/admin/escalation",
        ),
    ];
    for (what, page, action, shown) in records {
        let opened = filled_form(&app, page, action).await;
        let first = post(
            &other,
            action,
            &renamed(&filled_form(&other, page, action).await, "(theirs)"),
        )
        .await;
        assert_eq!(
            first.status,
            StatusCode::SEE_OTHER,
            "{what}: {}",
            first.text()
        );

        let refused = post(&app, action, &renamed(&opened, "(mine)")).await;
        assert_eq!(
            refused.status,
            StatusCode::CONFLICT,
            "{what}: {}",
            refused.text()
        );
        let text = refused.text();
        assert!(
            text.contains(&format!("Someone else saved this {what}")),
            "{what}: {text}"
        );
        assert!(
            refused.body.contains("(mine)"),
            "{what}: the typed text is kept"
        );
        let now = app.get(shown).await.text();
        assert!(now.contains("(theirs)"), "{what}: the first save stands");
        assert!(
            !now.contains("(mine)"),
            "{what}: the stale save changed nothing"
        );
    }
}

both_backends!(a_stale_form_of_each_record_never_overwrites);
