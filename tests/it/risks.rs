//! Client risk management over HTTP: the walk-through finds risks, the register analyses and
//! treats them, the client acknowledges and accepts (or declines) through mailed links, and
//! the monitoring sweep reminds owners as milestones come.

use chrono::Duration;
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::domain::account::Role;

use crate::fixtures::{client_with_contact, drain, user_id};
use crate::helpers::TestApp;
use crate::smtp::{BASE_URL, SmtpSink};

/// The path of the first link in `text` that starts with `prefix` (e.g. "/risk-notice/").
pub(crate) fn link_in(text: &str, prefix: &str) -> String {
    let start = format!("{BASE_URL}{prefix}");
    let at = text
        .find(&start)
        .unwrap_or_else(|| panic!("no {prefix} link in {text}"));
    let rest = &text[at + BASE_URL.len()..];
    rest.split_whitespace().next().unwrap().to_string()
}

/// The mails the sink received whose subject contains `needle`, as (to, subject, text).
pub(crate) fn mails_about(sink: &SmtpSink, needle: &str) -> Vec<(String, String, String)> {
    sink.received()
        .iter()
        .filter_map(|m| {
            let subject = m.header("Subject").unwrap_or_default();
            subject.contains(needle).then(|| {
                let to = m.envelope_to.join(",").replace(['<', '>'], "");
                (to, subject, m.text_body())
            })
        })
        .collect()
}

pub(crate) async fn template_ids(app: &TestApp) -> Vec<(i64, String)> {
    db::run(&app.state.pool, |conn| {
        Ok(db::risks::walkthrough::templates(conn)?
            .into_iter()
            .map(|t| (t.id, t.title))
            .collect())
    })
    .await
    .unwrap()
}

pub(crate) async fn risk(app: &TestApp, id: i64) -> db::risks::RiskRow {
    db::run(&app.state.pool, move |conn| db::risks::get(conn, id))
        .await
        .unwrap()
}

/// A client with one contact flagged as risk contact, and a walk-through that ticked the
/// first `ticks` example risks (the backup one on an asset whose warranty ends in
/// `warranty_days`); returns the client id and the draft risks' ids.
pub(crate) async fn walk_through(
    app: &TestApp,
    ticks: usize,
    warranty_days: i64,
) -> (i64, Vec<i64>) {
    let (client, contact) = client_with_contact(app).await;
    app.post_form(
        &format!("/clients/{client}/risks/contacts"),
        &[(&format!("risk_contact_{contact}"), "on")],
    )
    .await
    .assert_redirect_to(&format!("/clients/{client}/risks"));
    let started = app
        .post_form(&format!("/clients/{client}/risks/walkthroughs"), &[])
        .await;
    let first = started.location.clone().unwrap();
    assert!(first.ends_with("/assets"), "{first}");
    let walk = first.trim_end_matches("/assets").to_string();
    let warranty = (app.clock.now().date_naive() + Duration::days(warranty_days))
        .format("%Y-%m-%d")
        .to_string();
    app.post_form(
        &format!("{walk}/asset"),
        &[("name", "File server"), ("warranty_end", &warranty)],
    )
    .await
    .assert_redirect_to(&first);
    app.post_form(&first, &[("go", "next")])
        .await
        .assert_redirect_to(&format!("{walk}/threats"));
    // Saved half-way, then resumed on the page where it was left.
    app.post_form(
        &format!("{walk}/threats"),
        &[
            ("notes", "Summer heat in the server cupboard"),
            ("go", "save"),
        ],
    )
    .await
    .assert_redirect_to(&format!("/clients/{client}/risks"));
    app.get(&walk)
        .await
        .assert_redirect_to(&format!("{walk}/threats"));
    let threats = app.get(&format!("{walk}/threats")).await;
    assert!(threats.body.contains("Summer heat in the server cupboard"));

    let asset = db::run(&app.state.pool, move |conn| {
        Ok(db::risks::assets_of(conn, client)?.remove(0).id)
    })
    .await
    .unwrap()
    .to_string();
    let templates = template_ids(app).await;
    let mut fields: Vec<(String, String)> = vec![("go".into(), "finish".into())];
    for (id, title) in templates.iter().take(ticks) {
        fields.push((format!("tick_{id}"), "on".into()));
        if title.contains("backed up") {
            fields.push((format!("asset_{id}"), asset.clone()));
        }
    }
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.post_form(&format!("{walk}/checklist"), &borrowed)
        .await
        .assert_redirect_to(&format!("{walk}/found"));
    let found = app.get(&format!("{walk}/found")).await;
    assert_eq!(found.status, StatusCode::OK);
    for (_, title) in templates.iter().take(ticks) {
        assert!(
            found.text().contains(title.as_str()),
            "{title} listed: {}",
            found.text()
        );
    }
    let walk_id: i64 = walk.rsplit('/').next().unwrap().parse().unwrap();
    let risks = db::run(&app.state.pool, move |conn| {
        Ok(db::risks::walkthrough::found(conn, walk_id)?
            .into_iter()
            .map(|r| r.id)
            .collect::<Vec<_>>())
    })
    .await
    .unwrap();
    (client, risks)
}

pub(crate) async fn analyse(
    app: &TestApp,
    risk: i64,
    owner: &str,
    tolerance: &str,
    reason: &str,
) -> crate::helpers::Page {
    let page = app.get(&format!("/risks/{risk}")).await;
    let version = page.field_value("version").unwrap();
    app.post_form(
        &format!("/risks/{risk}/analyse"),
        &[
            ("version", &version),
            ("title", "Critical data is not backed up regularly"),
            ("vulnerability", "No tested backup"),
            ("cause", "Backups were never set up"),
            ("source", "Disk failure or ransomware"),
            ("owner", owner),
            ("inherent_likelihood", "4"),
            ("inherent_consequence", "4"),
            ("residual_likelihood", "2"),
            ("residual_consequence", "4"),
            ("classification", "managed"),
            ("tolerance", tolerance),
            ("reason", reason),
        ],
    )
    .await
}

pub(crate) async fn treat(
    app: &TestApp,
    risk: i64,
    fields: &[(&str, &str)],
) -> crate::helpers::Page {
    let page = app.get(&format!("/risks/{risk}")).await;
    let version = page.field_value("version").unwrap();
    let mut all = vec![("version", version.as_str())];
    all.extend_from_slice(fields);
    app.post_form(&format!("/risks/{risk}/treatment"), &all)
        .await
}

async fn the_walk_through_leads_to_a_risk_the_client_acknowledges_and_accepts(
    app: TestApp,
    sink: SmtpSink,
) {
    let tech = app.sign_in_as(Role::Technician).await;
    let owner = user_id(&app, &tech).await;
    let (client, risks) = walk_through(&app, 3, 60).await;
    assert_eq!(
        risks.len(),
        3,
        "three ticked example risks, three draft risks"
    );
    for id in &risks {
        assert!(risk(&app, *id).await.is_draft());
    }
    let backup = risks[2];

    // The decision needs its reason; the form comes back with the text kept.
    let refused = analyse(&app, backup, &owner, "tolerable", "  ").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.field_error("reason").as_deref(),
        Some("Say why the exposure is tolerable: the reason is part of the risk profile.")
    );
    assert!(risk(&app, backup).await.is_draft());
    drain(&app).await;
    assert!(
        mails_about(&sink, "New risk").is_empty(),
        "a draft is not told"
    );

    analyse(
        &app,
        backup,
        &owner,
        "tolerable",
        "Restores are slow but possible from the vendor",
    )
    .await
    .assert_redirect_to(&format!("/risks/{backup}"));
    let recorded = risk(&app, backup).await;
    assert_eq!(recorded.inherent_level.as_deref(), Some("high"));
    assert_eq!(recorded.residual_level.as_deref(), Some("medium"));
    assert_eq!(recorded.classification.as_deref(), Some("managed"));
    assert_eq!(
        recorded.review_on,
        Some(app.clock.now().date_naive() + Duration::days(90))
    );

    drain(&app).await;
    let discovered = mails_about(&sink, "New risk found");
    assert_eq!(discovered.len(), 1);
    assert_eq!(discovered[0].0, "alice@northwind.example");
    assert!(
        discovered[0]
            .2
            .contains("Restores are slow but possible from the vendor")
    );
    let notice = link_in(&discovered[0].2, "/risk-notice/");

    // Opening the link (as a mail scanner would) records nothing; the button does.
    let client_browser = app.another_browser();
    let shown = client_browser.get(&notice).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.text().contains("I have read this notice"));
    assert_eq!(risk(&app, backup).await.acknowledged_at, None);
    let acknowledged = client_browser.post_form(&notice, &[]).await;
    assert_eq!(acknowledged.status, StatusCode::OK);
    assert!(
        acknowledged
            .text()
            .contains("your acknowledgement is recorded")
    );
    assert!(risk(&app, backup).await.acknowledged_at.is_some());

    treat(
        &app,
        backup,
        &[
            ("option_treat", "on"),
            ("control_1_kind", "preventive"),
            ("control_1_what", "Nightly backup to the cloud"),
            ("control_1_owner", &owner),
            ("control_1_state", "planned"),
            ("control_2_kind", "detective"),
            ("control_2_what", "Monthly restore test"),
            ("control_2_owner", &owner),
            ("control_2_state", "planned"),
        ],
    )
    .await
    .assert_redirect_to(&format!("/risks/{backup}"));
    drain(&app).await;
    let asked = mails_about(&sink, "Please accept the treatment");
    assert_eq!(asked.len(), 1);
    assert!(asked[0].2.contains(
        "Treat (preventive: Nightly backup to the cloud; detective: Monthly restore test)"
    ));
    let acceptance = link_in(&asked[0].2, "/risk-treatment/");
    let shown = client_browser.get(&acceptance).await;
    assert!(shown.text().contains("Monthly restore test"));
    let register = app.get(&format!("/clients/{client}/risks")).await;
    assert!(register.text().contains("Waiting for the client"));

    let accepted = client_browser
        .post_form(&acceptance, &[("answer", "accept"), ("comment", "")])
        .await;
    assert_eq!(accepted.status, StatusCode::OK);
    assert!(accepted.text().contains("you accepted the treatment"));
    // The link is used up.
    let again = client_browser
        .post_form(
            &acceptance,
            &[("answer", "decline"), ("comment", "Changed my mind")],
        )
        .await;
    assert_eq!(again.status, StatusCode::GONE);

    let register = app.get(&format!("/clients/{client}/risks")).await;
    let text = register.text();
    assert!(text.contains("Acknowledged by Alice Chen"), "{text}");
    assert!(
        text.contains("Accepted by the client (Alice Chen,"),
        "{text}"
    );
    let page = app.get(&format!("/risks/{backup}")).await.text();
    assert!(page.contains("treatment accepted by Alice Chen"), "{page}");
    assert!(page.contains("classification: none → managed"), "{page}");
    drop(sink);
}

async fn a_declined_treatment_reaches_the_owner_and_managers_and_links_stay_on_their_risk(
    app: TestApp,
    sink: SmtpSink,
) {
    let tech = app.sign_in_as(Role::Technician).await;
    let owner = user_id(&app, &tech).await;
    let (_, risks) = walk_through(&app, 2, 60).await;
    let (a, b) = (risks[0], risks[1]);
    for id in [a, b] {
        analyse(&app, id, &owner, "tolerable", "Guests rarely visit")
            .await
            .assert_redirect_to(&format!("/risks/{id}"));
        treat(
            &app,
            id,
            &[("option_transfer", "on"), ("option_accept", "on")],
        )
        .await
        .assert_redirect_to(&format!("/risks/{id}"));
    }
    drain(&app).await;
    let asked = mails_about(&sink, "Please accept the treatment");
    assert_eq!(asked.len(), 2);
    let link_a = link_in(&asked[0].2, "/risk-treatment/");
    let notice_a = link_in(&mails_about(&sink, "New risk found")[0].2, "/risk-notice/");

    // An acknowledgement link does not open the acceptance page.
    let client_browser = app.another_browser();
    let wrong = client_browser
        .get(&notice_a.replace("/risk-notice/", "/risk-treatment/"))
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);

    let refused = client_browser
        .post_form(&link_a, &[("answer", "decline"), ("comment", " ")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("Tell us why you decline"));
    let declined = client_browser
        .post_form(
            &link_a,
            &[("answer", "decline"), ("comment", "Insurance is too dear")],
        )
        .await;
    assert_eq!(declined.status, StatusCode::OK);

    // Risk A's link acted on risk A only.
    let states = db::run(&app.state.pool, move |conn| {
        let mut out = Vec::new();
        for id in [a, b] {
            let risk = db::risks::get(conn, id)?;
            out.push(db::risks::treatment(conn, risk.current_treatment_id.unwrap())?.acceptance);
        }
        Ok(out)
    })
    .await
    .unwrap();
    assert_eq!(states, ["declined", "pending"]);

    drain(&app).await;
    let told: Vec<String> = mails_about(&sink, "declined the treatment")
        .into_iter()
        .map(|(to, _, text)| {
            assert!(text.contains("Insurance is too dear"));
            to
        })
        .collect();
    assert!(told.contains(&"tech@msp.example".to_string()), "{told:?}");
    assert!(
        told.contains(&"setup@msp.example".to_string()),
        "the manager: {told:?}"
    );

    // A changed treatment asks afresh; the old link no longer answers.
    treat(&app, a, &[("option_avoid", "on")])
        .await
        .assert_redirect_to(&format!("/risks/{a}"));
    drain(&app).await;
    assert_eq!(mails_about(&sink, "Please accept the treatment").len(), 3);
    let register = app.get(&format!("/risks/{a}")).await.text();
    assert!(register.contains("Waiting for the client"), "{register}");
}

async fn a_warranty_end_reminds_the_owner_once_when_the_clock_comes_near(
    app: TestApp,
    sink: SmtpSink,
) {
    let tech = app.sign_in_as(Role::Technician).await;
    let owner = user_id(&app, &tech).await;
    let (_, risks) = walk_through(&app, 3, 20).await;
    let backup = risks[2];
    let milestones = db::run(&app.state.pool, move |conn| {
        db::risks::milestones_of(conn, backup)
    })
    .await
    .unwrap();
    assert_eq!(milestones.len(), 1, "the asset's warranty end is picked up");
    assert_eq!(milestones[0].kind, "warranty_end");
    analyse(
        &app,
        backup,
        &owner,
        "tolerable",
        "The server is still under warranty",
    )
    .await
    .assert_redirect_to(&format!("/risks/{backup}"));
    drain(&app).await;
    assert!(
        mails_about(&sink, "Warranty ends coming").is_empty(),
        "20 days out"
    );

    app.clock.advance(Duration::days(7));
    drain(&app).await;
    drain(&app).await;
    let reminded = mails_about(&sink, "Warranty ends coming");
    assert_eq!(reminded.len(), 1, "once, however many passes");
    assert_eq!(reminded[0].0, "tech@msp.example");
    assert!(reminded[0].2.contains("File server"));

    // Past the date, the dashboard flags it (three weeks on, the session has long expired).
    app.clock.advance(Duration::days(14));
    app.login(&tech, "Tess Tech password 1").await;
    let dashboard = app.get("/").await.text();
    assert!(dashboard.contains("1 milestone(s) passed"), "{dashboard}");
}

async fn only_a_manager_accepts_an_intolerable_risk_and_strangers_see_nothing(app: TestApp) {
    let tech = app.sign_in_as(Role::Technician).await;
    let owner = user_id(&app, &tech).await;
    let (client, risks) = walk_through(&app, 1, 60).await;
    let id = risks[0];
    analyse(
        &app,
        id,
        &owner,
        "intolerable",
        "Patient records are exposed",
    )
    .await
    .assert_redirect_to(&format!("/risks/{id}"));
    let refused = treat(&app, id, &[("option_accept", "on")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused
            .text()
            .contains("Only a service desk manager may accept a risk decided intolerable.")
    );
    assert_eq!(risk(&app, id).await.current_treatment_id, None);

    let manager = app.another_browser();
    manager
        .login("setup@msp.example", "Sam Setup password 1")
        .await;
    treat(&manager, id, &[("option_accept", "on")])
        .await
        .assert_redirect_to(&format!("/risks/{id}"));
    assert!(risk(&app, id).await.current_treatment_id.is_some());

    let stranger = app.another_browser();
    let page = stranger.get(&format!("/clients/{client}/risks")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let forged = stranger
        .get(&format!("/risk-notice/{}", "a".repeat(43)))
        .await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND);
}

both_backends_with_smtp!(
    the_walk_through_leads_to_a_risk_the_client_acknowledges_and_accepts,
    a_declined_treatment_reaches_the_owner_and_managers_and_links_stay_on_their_risk,
    a_warranty_end_reminds_the_owner_once_when_the_clock_comes_near,
);

mod roles {
    both_backends!(only_a_manager_accepts_an_intolerable_risk_and_strangers_see_nothing);
    use super::*;
}
