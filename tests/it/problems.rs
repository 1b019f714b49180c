//! Problem management through HTTP: recurring incidents become a suggested problem, the
//! problem is investigated to a known error, its RFC approved by a manager, resolved with its
//! incidents closed by the permanent fix, reviewed and archived; forbidden moves and who may
//! drive a problem.

use chrono::{TimeZone, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::domain::account::{Role, Tier};
use tierdesk::domain::ids::{CategoryId, ClientId, ContactId, UserId};

use crate::fixtures::{
    client_with_contact, drain, edit_of, phone_incident, staff_id, staff_notices,
};
use crate::helpers::{Page, TestApp};

const PAT: &str = "pat@msp.example";
const QUINN: &str = "quinn@msp.example";
const FIX: &str = "Replaced the failing switch port and pinned the uplink speed.";
const WORKAROUND: &str = "Unplug and replug the reception uplink.";
const BETTER_WORKAROUND: &str =
    "Unplug and replug the reception uplink, then renew the PC's lease.";

/// The known errors published from `problem` (its path), as (id, cause, workaround, version).
async fn known_errors_of(app: &TestApp, problem: &str) -> Vec<(i64, String, String, i64)> {
    let pid: i64 = problem.rsplit('/').next().unwrap().parse().unwrap();
    db::run(&app.state.pool, move |conn| {
        use tierdesk::db::schema::known_errors as k;
        Ok(k::table
            .filter(k::problem_id.eq(pid))
            .select((k::id, k::cause, k::workaround, k::version))
            .load(conn)?)
    })
    .await
    .unwrap()
}

/// The knowledge base articles published from `problem`, as (id, title, body).
async fn articles_of(app: &TestApp, problem: &str) -> Vec<(i64, String, String)> {
    let pid: i64 = problem.rsplit('/').next().unwrap().parse().unwrap();
    db::run(&app.state.pool, move |conn| {
        use tierdesk::db::schema::kb_articles as a;
        Ok(a::table
            .filter(a::problem_id.eq(pid))
            .select((a::id, a::title, a::body))
            .load(conn)?)
    })
    .await
    .unwrap()
}

/// An incident in Network, worked by `owner` at tier 2: set-up through the commands.
async fn incident_in_progress(
    app: &TestApp,
    owner: UserId,
    client: i64,
    contact: i64,
    subject: &'static str,
) -> i64 {
    let (now, mail) = (app.clock.now(), app.state.mail());
    db::run(&app.state.pool, move |conn| {
        use tierdesk::db::tickets::*;
        use tierdesk::domain::priority::{Impact, Urgency};
        use tierdesk::domain::ticket::Action;
        use tierdesk::domain::work::{Review, WorkEntry};
        let t = create(
            conn,
            owner,
            &phone_incident(ClientId(client), ContactId(contact), subject),
            &mail,
            now,
        )?
        .unwrap();
        let triaged = TriageInput {
            impact: Impact::Medium,
            urgency: Urgency::Medium,
            category: Some(CategoryId(1)),
            subcategory: None,
            affected_service: String::new(),
        };
        let t = triage(conn, edit_of(owner, &t, now), &triaged, &mail)?.unwrap();
        let assigned = AssignInput {
            tier: Tier::Tier2,
            owner: Some(owner),
            worker: Some(owner),
        };
        let t = assign(conn, edit_of(owner, &t, now), &assigned)?.unwrap();
        let worked = WorkInput {
            entry: WorkEntry::Note,
            body: "Looking into it.".into(),
            action: Some(Action::StartWork),
            category: None,
            review: Review::Changed,
        };
        Ok(work(conn, edit_of(owner, &t, now), &worked, &mail)?
            .unwrap()
            .id
            .0)
    })
    .await
    .unwrap()
}

/// A desk on a Monday with Northwind Dental, Pat and Quinn at tier 2 (Pat signed in on the
/// app's browser) and three Network incidents Quinn works.
async fn desk_with_three_incidents(app: &TestApp) -> Vec<i64> {
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0)
            .single()
            .unwrap(),
    );
    let (client, contact) = client_with_contact(app).await;
    let password = app
        .create_user(PAT, "Pat Tier2", Role::Technician, Some(Tier::Tier2))
        .await;
    app.create_user(QUINN, "Quinn Tier2", Role::Technician, Some(Tier::Tier2))
        .await;
    app.login(PAT, &password).await.assert_redirect_to("/");
    let quinn = staff_id(app, QUINN).await;
    let mut ids = Vec::new();
    for subject in [
        "Front desk loses the network",
        "Network drops at reception again",
        "Reception PC offline, network light off",
    ] {
        ids.push(incident_in_progress(app, quinn, client, contact, subject).await);
    }
    ids
}

async fn suggestion_ids(app: &TestApp, status: &'static str) -> Vec<i64> {
    db::run(&app.state.pool, move |conn| {
        use tierdesk::db::schema::problem_suggestions as s;
        Ok(s::table
            .filter(s::status.eq(status))
            .filter(s::signal.eq("recurring"))
            .select(s::id)
            .load(conn)?)
    })
    .await
    .unwrap()
}

async fn step(app: &TestApp, problem: &str, step: &str) -> Page {
    let version = app.get(problem).await.field_value("version").unwrap();
    app.post_form(
        &format!("{problem}/step"),
        &[("version", &version), ("step", step)],
    )
    .await
}

async fn analysis(app: &TestApp, problem: &str, cause: &str, workaround: &str, fix: &str) -> Page {
    let version = app.get(problem).await.field_value("version").unwrap();
    app.post_form(
        &format!("{problem}/analysis"),
        &[
            ("version", &version),
            ("root_cause", cause),
            ("workaround", workaround),
            ("permanent_solution", fix),
        ],
    )
    .await
}

fn rfc_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("what", "Replace the switch port and pin the uplink speed."),
        (
            "why",
            "The port renegotiates and drops the reception network.",
        ),
        ("risk", "Low: a two-minute outage at reception."),
        ("rollback_plan", "Move the cable back to the old port."),
        ("planned_window", "Tuesday 07:00-07:15"),
    ]
}

async fn accept_the_suggestion(app: &TestApp) -> String {
    drain(app).await;
    let open = suggestion_ids(app, "open").await;
    assert_eq!(open.len(), 1);
    let page = app
        .post_form(&format!("/problems/suggestions/{}/accept", open[0]), &[])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    page.location.unwrap()
}

async fn three_recurring_incidents_walk_to_an_archived_problem(app: TestApp) {
    let incidents = desk_with_three_incidents(&app).await;
    let report = drain(&app).await;
    assert_eq!(report.get("problem_detection", "suggested"), 1);
    let suggestions = app.get("/problems/suggestions").await.text();
    assert!(
        suggestions.contains(
            "3 incidents in Network for Northwind Dental within 14 days (the threshold is 3)."
        ),
        "{suggestions}"
    );
    let problem = accept_the_suggestion(&app).await;
    let page = app.get(&problem).await.text();
    for id in &incidents {
        assert!(page.contains(&format!("#{id} ")), "{page}");
    }
    assert!(page.contains("Logged"));
    let ticket = app.get(&format!("/tickets/{}", incidents[0])).await.text();
    assert!(ticket.contains("Caused by P-"), "{ticket}");
    assert!(ticket.contains("linked to problem P-"), "{ticket}");

    step(&app, &problem, "investigate")
        .await
        .assert_redirect_to(&problem);
    let refused = step(&app, &problem, "root_cause").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .contains("Record the root cause before leaving the investigation.")
    );
    app.post_form(
        &format!("{problem}/notes"),
        &[("note", "Switch log shows port 12 flapping.")],
    )
    .await
    .assert_redirect_to(&problem);
    analysis(
        &app,
        &problem,
        "Port 12 of the reception switch renegotiates every few hours.",
        "Unplug and replug the reception uplink.",
        "",
    )
    .await
    .assert_redirect_to(&problem);
    step(&app, &problem, "root_cause")
        .await
        .assert_redirect_to(&problem);
    assert!(known_errors_of(&app, &problem).await.is_empty());
    step(&app, &problem, "known_error")
        .await
        .assert_redirect_to(&problem);
    // The step published the root cause and workaround to the KEDB, naming the problem.
    let published = known_errors_of(&app, &problem).await;
    assert_eq!(published.len(), 1, "{published:?}");
    let (known, cause, workaround, _) = published[0].clone();
    assert_eq!(
        cause,
        "Port 12 of the reception switch renegotiates every few hours."
    );
    assert_eq!(workaround, WORKAROUND);
    let page = app.get(&problem).await.body;
    assert!(
        page.contains(&format!("<a href=\"/known-errors/{known}\">K-{known} ")),
        "{page}"
    );
    let known_page = app.get(&format!("/known-errors/{known}")).await.body;
    assert!(
        known_page.contains(&format!("<a href=\"{problem}\">P-")),
        "{known_page}"
    );
    let skipped = step(&app, &problem, "resolve").await;
    assert_eq!(skipped.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        skipped.text().contains("cannot take the step"),
        "{}",
        skipped.text()
    );

    app.post_form(&format!("{problem}/rfc"), &rfc_fields())
        .await
        .assert_redirect_to(&problem);
    step(&app, &problem, "fix_in_change")
        .await
        .assert_redirect_to(&problem);
    analysis(
        &app,
        &problem,
        "Port 12 of the reception switch renegotiates every few hours.",
        BETTER_WORKAROUND,
        FIX,
    )
    .await
    .assert_redirect_to(&problem);
    // The new workaround reached the published known error: no drift between the two.
    let (_, _, workaround, version) = known_errors_of(&app, &problem).await[0].clone();
    assert_eq!(workaround, BETTER_WORKAROUND);
    assert_eq!(version, 2);
    assert!(
        app.get(&problem)
            .await
            .text()
            .contains(&format!("known error K-{known} updated"))
    );
    let early = step(&app, &problem, "resolve").await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.text().contains("approved by a manager"));

    let manager = app.another_browser();
    manager.sign_in_as(Role::Manager).await;
    assert!(
        manager
            .get("/approvals")
            .await
            .text()
            .contains("Problems' requests for change")
    );
    let queue = manager.get("/approvals/problem-changes").await.text();
    assert!(queue.contains("Replace the switch port"), "{queue}");
    let rfc: i64 = db::run(&app.state.pool, |conn| {
        use tierdesk::db::schema::problem_rfcs as r;
        Ok(r::table.select(r::id).first(conn)?)
    })
    .await
    .unwrap();
    manager
        .post_form(
            &format!("/approvals/problem-changes/{rfc}"),
            &[("decision", "approve"), ("comment", "Go ahead on Tuesday.")],
        )
        .await
        .assert_redirect_to("/approvals/problem-changes");
    assert!(articles_of(&app, &problem).await.is_empty());
    step(&app, &problem, "resolve")
        .await
        .assert_redirect_to(&problem);
    // The resolution went to the knowledge base, versioned, linked from the problem and noted
    // on its known error.
    let articles = articles_of(&app, &problem).await;
    assert_eq!(articles.len(), 1, "{articles:?}");
    let (article, title, body) = articles[0].clone();
    assert_eq!(title, "Recurring incidents: Front desk loses the network");
    for words in ["Port 12 of the reception switch", FIX, "From problem P-"] {
        assert!(body.contains(words), "{words}: {body}");
    }
    let kept: i64 = db::run(&app.state.pool, move |conn| {
        use tierdesk::db::schema::kb_article_versions as v;
        Ok(v::table
            .filter(v::article_id.eq(article))
            .count()
            .get_result(conn)?)
    })
    .await
    .unwrap();
    assert_eq!(kept, 1);
    assert!(
        app.get(&problem)
            .await
            .body
            .contains(&format!("<a href=\"/kb/{article}\">"))
    );
    let known_page = app.get(&format!("/known-errors/{known}")).await.body;
    assert!(
        known_page.contains("A permanent fix exists"),
        "{known_page}"
    );
    assert!(known_page.contains(&format!("/kb/{article}")));
    assert_eq!(
        app.get(&format!("/kb/{article}")).await.status,
        StatusCode::OK
    );

    let closing: Vec<(&str, String)> = incidents
        .iter()
        .map(|i| ("ticket", i.to_string()))
        .collect();
    let closing: Vec<(&str, &str)> = closing.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post_form(&format!("{problem}/close-incidents"), &closing)
        .await
        .assert_redirect_to(&problem);
    let ids = incidents.clone();
    let stored: Vec<(String, Option<String>)> = db::run(&app.state.pool, move |conn| {
        use tierdesk::db::schema::tickets as t;
        Ok(t::table
            .filter(t::id.eq_any(ids))
            .select((t::status, t::solution))
            .load(conn)?)
    })
    .await
    .unwrap();
    assert_eq!(stored.len(), 3);
    for (status, solution) in stored {
        assert_eq!(status, "solved");
        assert_eq!(solution.as_deref(), Some(FIX));
    }
    let told = staff_notices(&app)
        .await
        .into_iter()
        .filter(|(to, subject)| to == QUINN && subject.contains("solved from problem P-"))
        .count();
    assert_eq!(told, 3);
    assert!(app.get(&problem).await.text().contains("Solved"));

    let early_close = step(&app, &problem, "close").await;
    assert!(early_close.text().contains("Record the team review"));
    app.post_form(
        &format!("{problem}/review"),
        &[
            ("participants", "Pat, Quinn, Mia"),
            (
                "went_well",
                "The pattern was suggested after the third incident.",
            ),
            ("went_wrong", "Nobody looked at the switch log for a week."),
            (
                "do_better",
                "Check the switch log on the first network incident.",
            ),
            ("prevention", "Monitor port flaps."),
            ("third_party", "No"),
            ("outcomes", "Known error published, switch monitored."),
            ("decision", "Add port-flap alerts to monitoring."),
        ],
    )
    .await
    .assert_redirect_to(&problem);
    step(&app, &problem, "close")
        .await
        .assert_redirect_to(&problem);
    step(&app, &problem, "archive")
        .await
        .assert_redirect_to(&problem);
    // The archived page offers no step; a hand-made post is refused all the same.
    assert!(app.get(&problem).await.field_value("version").is_none());
    let version: i64 = db::run(&app.state.pool, |conn| {
        use tierdesk::db::schema::problems as p;
        Ok(p::table.select(p::version).first(conn)?)
    })
    .await
    .unwrap();
    let after = app
        .post_form(
            &format!("{problem}/step"),
            &[("version", &version.to_string()), ("step", "investigate")],
        )
        .await;
    assert_eq!(after.status, StatusCode::UNPROCESSABLE_ENTITY);
    let report = app.get(&format!("{problem}/report")).await;
    assert_eq!(report.status, StatusCode::OK);
    let report = report.text();
    for words in [
        "Archived",
        "Port 12 of the reception switch",
        BETTER_WORKAROUND,
        FIX,
        format!("K-{known}").as_str(),
        format!("article {article}").as_str(),
        "Add port-flap alerts to monitoring.",
        "Front desk loses the network",
    ] {
        assert!(report.contains(words), "{words}: {report}");
    }
    let trail: i64 = db::run(&app.state.pool, |conn| {
        use tierdesk::db::schema::problem_events as e;
        Ok(e::table
            .filter(e::kind.eq("status"))
            .count()
            .get_result(conn)?)
    })
    .await
    .unwrap();
    assert_eq!(trail, 7);
}

async fn a_tier_one_technician_links_and_reads_but_does_not_drive_a_problem(app: TestApp) {
    let incidents = desk_with_three_incidents(&app).await;
    let problem = accept_the_suggestion(&app).await;
    let tess = app.another_browser();
    tess.sign_in_as(Role::Technician).await;
    assert_eq!(tess.get(&problem).await.status, StatusCode::OK);
    assert!(
        tess.get(&problem)
            .await
            .text()
            .contains("You may read this problem")
    );
    assert_eq!(tess.get("/problems").await.status, StatusCode::OK);
    let version = app.get(&problem).await.field_value("version").unwrap();
    let moved = tess
        .post_form(
            &format!("{problem}/step"),
            &[("version", &version), ("step", "investigate")],
        )
        .await;
    assert_eq!(moved.status, StatusCode::FORBIDDEN);
    for path in ["/problems/new", "/problems/suggestions"] {
        assert_eq!(tess.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        tess.post_form("/problems", &[("subject", "x"), ("description", "y")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        tess.get("/approvals/problem-changes").await.status,
        StatusCode::FORBIDDEN
    );
    tess.post_form(
        &format!("{problem}/notes"),
        &[("note", "Saw it too at the back office.")],
    )
    .await
    .assert_redirect_to(&problem);
    tess.post_form(&format!("{problem}/incidents/{}/unlink", incidents[0]), &[])
        .await
        .status
        .eq(&StatusCode::FORBIDDEN)
        .then_some(())
        .expect("tier 1 cannot unlink");
    // Pat unlinks one; Tess links it back from the ticket page.
    app.post_form(&format!("{problem}/incidents/{}/unlink", incidents[0]), &[])
        .await
        .assert_redirect_to(&problem);
    let pid = problem.rsplit('/').next().unwrap().to_string();
    let ticket = format!("/tickets/{}", incidents[0]);
    tess.post_form(&format!("{ticket}/problem"), &[("problem_id", &pid)])
        .await
        .assert_redirect_to(&format!("{ticket}#problem"));
    assert!(
        tess.get(&ticket)
            .await
            .text()
            .contains(&format!("Caused by P-{pid}"))
    );
    let log = app.get(&problem).await.text();
    assert!(log.contains("Saw it too at the back office."));
    assert!(log.contains(&format!("incident #{} linked", incidents[0])));
    let linked_again = tess
        .post_form(
            &format!("{problem}/incidents"),
            &[("ticket", &incidents[0].to_string())],
        )
        .await;
    assert_eq!(linked_again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(linked_again.text().contains("already linked to problem"));
}

async fn nobody_approves_their_own_request_for_change(app: TestApp) {
    desk_with_three_incidents(&app).await;
    let manager = app.another_browser();
    manager.sign_in_as(Role::Manager).await;
    drain(&app).await;
    let open = suggestion_ids(&app, "open").await;
    let problem = manager
        .post_form(&format!("/problems/suggestions/{}/accept", open[0]), &[])
        .await
        .location
        .unwrap();
    for s in ["investigate"] {
        step(&manager, &problem, s)
            .await
            .assert_redirect_to(&problem);
    }
    analysis(&manager, &problem, "A cause.", "A workaround.", "")
        .await
        .assert_redirect_to(&problem);
    step(&manager, &problem, "root_cause")
        .await
        .assert_redirect_to(&problem);
    manager
        .post_form(&format!("{problem}/rfc"), &rfc_fields())
        .await
        .assert_redirect_to(&problem);
    let again = manager
        .post_form(&format!("{problem}/rfc"), &rfc_fields())
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let rfc: i64 = db::run(&app.state.pool, |conn| {
        use tierdesk::db::schema::problem_rfcs as r;
        Ok(r::table.select(r::id).first(conn)?)
    })
    .await
    .unwrap();
    assert!(
        manager
            .get("/approvals/problem-changes")
            .await
            .text()
            .contains("You filed this")
    );
    let own = manager
        .post_form(
            &format!("/approvals/problem-changes/{rfc}"),
            &[("decision", "approve"), ("comment", "Fine by me.")],
        )
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
}

async fn a_dismissed_suggestion_never_comes_back_for_the_same_incidents(app: TestApp) {
    desk_with_three_incidents(&app).await;
    drain(&app).await;
    let open = suggestion_ids(&app, "open").await;
    assert_eq!(open.len(), 1);
    let blank = app
        .post_form(
            &format!("/problems/suggestions/{}/dismiss", open[0]),
            &[("reason", " ")],
        )
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blank.text().contains("Enter why this is not a problem."));
    app.post_form(
        &format!("/problems/suggestions/{}/dismiss", open[0]),
        &[("reason", "A cabling job at reception; done now.")],
    )
    .await
    .assert_redirect_to("/problems/suggestions");
    let report = drain(&app).await;
    assert_eq!(report.get("problem_detection", "suggested"), 0);
    app.post_form("/problems/suggestions/recompute", &[])
        .await
        .assert_redirect_to("/problems/suggestions");
    assert!(suggestion_ids(&app, "open").await.is_empty());
    assert_eq!(suggestion_ids(&app, "dismissed").await, open);
    assert!(
        app.get("/problems/suggestions")
            .await
            .text()
            .contains("No suggestion is open.")
    );
}

async fn drivers_edit_the_problem_ticket_and_every_change_is_on_its_trail(app: TestApp) {
    desk_with_three_incidents(&app).await;
    let problem = accept_the_suggestion(&app).await;
    let edit = format!("{problem}/edit");
    assert!(
        app.get(&problem)
            .await
            .body
            .contains(&format!("href=\"{edit}\""))
    );
    let form = app.get(&edit).await;
    assert_eq!(form.status, StatusCode::OK);
    let version = form.field_value("version").unwrap();
    let (owner, client): (i64, Option<i64>) = db::run(&app.state.pool, |conn| {
        use tierdesk::db::schema::problems as p;
        Ok(p::table.select((p::owner_id, p::client_id)).first(conn)?)
    })
    .await
    .unwrap();
    let (owner, client) = (owner.to_string(), client.unwrap().to_string());
    let subject = form.field_value("subject").unwrap();
    let team = form.field_value("team").unwrap_or_default();
    let team = if team.is_empty() {
        "(none)".to_string()
    } else {
        team
    };
    let fields = |subject: &'static str, impact: &'static str| {
        vec![
            ("subject", subject.to_string()),
            (
                "description",
                "Reception loses the network several times a day.".into(),
            ),
            ("business_impact", "Patients cannot be checked in.".into()),
            ("client_id", client.clone()),
            ("team", "Network team".into()),
            ("owner_id", owner.clone()),
            ("impact", impact.into()),
            ("urgency", "high".into()),
        ]
    };
    let post = |version: String, fields: Vec<(&'static str, String)>| {
        let mut all = vec![("version", version)];
        all.extend(fields);
        all
    };

    // A tier-1 technician reads the problem but may not edit it.
    let tess = app.another_browser();
    tess.sign_in_as(Role::Technician).await;
    assert_eq!(tess.get(&edit).await.status, StatusCode::FORBIDDEN);
    let sent = post(version.clone(), fields("Reception network drops", "high"));
    assert_eq!(
        tess.post_form(&edit, &pairs_of(&sent)).await.status,
        StatusCode::FORBIDDEN
    );

    // A blank subject comes back with the typed text kept.
    let blank = post(version.clone(), fields(" ", "high"));
    let refused = app.post_form(&edit, &pairs_of(&blank)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.field_error("subject").is_some());
    assert_eq!(refused.field_value("team").as_deref(), Some("Network team"));

    app.post_form(&edit, &pairs_of(&sent))
        .await
        .assert_redirect_to(&problem);
    let page = app.get(&problem).await.text();
    assert!(page.contains("Reception network drops"), "{page}");
    for line in [
        format!("subject: {subject} → Reception network drops"),
        format!("IT team: {team} → Network team"),
        "→ P1 · Critical".to_string(),
        "description edited".to_string(),
    ] {
        assert!(page.contains(&line), "{line}: {page}");
    }
    let (priority, edits): (String, i64) = db::run(&app.state.pool, |conn| {
        use tierdesk::db::schema::{problem_events as e, problems as p};
        Ok((
            p::table.select(p::priority).first(conn)?,
            e::table
                .filter(e::kind.eq("edit"))
                .count()
                .get_result(conn)?,
        ))
    })
    .await
    .unwrap();
    assert_eq!(priority, "P1");
    assert!(edits >= 6, "{edits}");

    // Saving from the old version is a conflict that keeps what was typed.
    let stale = post(version, fields("Something else", "low"));
    let conflict = app.post_form(&edit, &pairs_of(&stale)).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert!(
        conflict
            .text()
            .contains("Reception loses the network several times a day.")
    );
}

async fn the_demo_desk_shows_a_known_error_published_from_its_problem_and_a_resolved_problems_article(
    app: TestApp,
) {
    crate::fixtures::seed_demo_desk(&app).await;
    app.login("morgan.reyes@msp.example", tierdesk::seed::DEMO_PASSWORD)
        .await
        .assert_redirect_to("/");
    // (known error or article, problem) pairs.
    type Published = Vec<(i64, i64)>;
    let (published, articles): (Published, Published) = db::run(&app.state.pool, |conn| {
        use tierdesk::db::schema::{kb_articles as a, known_errors as k};
        Ok((
            k::table
                .filter(k::problem_id.is_not_null())
                .select((k::id, k::problem_id.assume_not_null()))
                .load(conn)?,
            a::table
                .filter(a::problem_id.is_not_null())
                .select((a::id, a::problem_id.assume_not_null()))
                .load(conn)?,
        ))
    })
    .await
    .unwrap();
    assert_eq!(published.len(), 2, "two demo problems reached known error");
    assert_eq!(articles.len(), 1, "one demo problem was resolved");
    for (known, problem) in &published {
        let page = app.get(&format!("/problems/{problem}")).await.body;
        assert!(page.contains(&format!("/known-errors/{known}")), "{page}");
    }
    let (article, resolved) = articles[0];
    let page = app.get(&format!("/problems/{resolved}")).await.body;
    assert!(page.contains(&format!("/kb/{article}")), "{page}");
    let (known, _) = published.iter().find(|(_, p)| *p == resolved).unwrap();
    let known_page = app.get(&format!("/known-errors/{known}")).await.text();
    assert!(
        known_page.contains("A permanent fix exists"),
        "{known_page}"
    );
    // The hand-written demo known errors are still there beside the problems' own.
    let by_hand: i64 = db::run(&app.state.pool, |conn| {
        use tierdesk::db::schema::known_errors as k;
        Ok(k::table
            .filter(k::problem_id.is_null())
            .count()
            .get_result(conn)?)
    })
    .await
    .unwrap();
    assert!(by_hand >= 10, "{by_hand}");
}

fn pairs_of<'a>(all: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    all.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Filing an RFC mails the managers (never its filer) with the change in full and the address
/// of the approvals page, through a real SMTP server.
mod rfc_mail {
    use super::*;
    use crate::smtp::{BASE_URL, SmtpSink};

    async fn filing_an_rfc_mails_the_managers_with_the_change_and_the_approvals_page(
        app: TestApp,
        sink: SmtpSink,
    ) {
        desk_with_three_incidents(&app).await;
        let manager = app.another_browser();
        let mia = manager.sign_in_as(Role::Manager).await;
        let problem = accept_the_suggestion(&app).await;
        step(&app, &problem, "investigate")
            .await
            .assert_redirect_to(&problem);
        analysis(&app, &problem, "A flapping port.", WORKAROUND, "")
            .await
            .assert_redirect_to(&problem);
        step(&app, &problem, "root_cause")
            .await
            .assert_redirect_to(&problem);
        drain(&app).await;
        let before = sink.received().len();
        app.post_form(&format!("{problem}/rfc"), &rfc_fields())
            .await
            .assert_redirect_to(&problem);
        drain(&app).await;
        let rfc_mails: Vec<_> = sink.received()[before..]
            .iter()
            .filter(|m| {
                m.header("Subject")
                    .unwrap_or_default()
                    .contains("awaits your approval")
            })
            .cloned()
            .collect();
        let to: Vec<String> = rfc_mails
            .iter()
            .map(|m| m.envelope_to.join(",").replace(['<', '>'], ""))
            .collect();
        assert!(to.contains(&mia), "{to:?}");
        assert!(
            !to.contains(&PAT.to_string()),
            "the filer is not mailed: {to:?}"
        );
        let mail = rfc_mails
            .iter()
            .find(|m| m.envelope_to.join(",").contains(&mia))
            .unwrap();
        let subject = mail.header("Subject").unwrap();
        assert!(subject.contains("[Problem P-"), "{subject}");
        let text = mail.text_body();
        for (_, value) in rfc_fields() {
            assert!(text.contains(value), "{value}: {text}");
        }
        assert!(
            text.contains("Pat Tier2 filed request for change RFC-"),
            "{text}"
        );
        assert!(
            text.contains(&format!("{BASE_URL}/approvals/problem-changes")),
            "{text}"
        );
    }

    both_backends_with_smtp!(
        filing_an_rfc_mails_the_managers_with_the_change_and_the_approvals_page
    );
}

both_backends!(
    the_demo_desk_shows_a_known_error_published_from_its_problem_and_a_resolved_problems_article,
    drivers_edit_the_problem_ticket_and_every_change_is_on_its_trail,
    three_recurring_incidents_walk_to_an_archived_problem,
    a_tier_one_technician_links_and_reads_but_does_not_drive_a_problem,
    nobody_approves_their_own_request_for_change,
    a_dismissed_suggestion_never_comes_back_for_the_same_incidents,
);
