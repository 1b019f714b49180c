//! Every route × every role: the expected answer of each route to anonymous visitors, a tier-1
//! and a tier-3 technician, a manager, an admin, and a client holding another ticket's e-mailed
//! link, checked against the running desk on the demo data. The table below is the access
//! rule of each route; a route declared in the web layer without a row here (or a row for a
//! route that is gone) fails `every_declared_route_has_a_row`.

use reqwest::StatusCode;
use tierdesk::db::client_links::{self, LinkPurpose, LinkSubject};
use tierdesk::domain::account::{Role, Tier};

use crate::fixtures::seed_demo_desk;
use crate::helpers::TestApp;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Get,
    Post,
}
use Method::{Get as GET, Post as POST};

/// Who a route is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    /// Anyone: the sign-in page, health, the stylesheet, signing out.
    Public,
    /// A client's e-mailed link; the path's first segment names its purpose.
    Link(&'static str),
    /// Any signed-in staff member.
    Staff,
    /// Tier 2 and 3 technicians, managers and admins: problem management and the knowledge
    /// base's authoring.
    Senior,
    /// Managers and admins.
    Manager,
    Admin,
    /// The JSON API: a bearer token, never the browser's session, so every visitor here gets
    /// 401 (tests/it/api.rs covers the tokens).
    Token,
}
use Access::{Admin, Link, Manager, Public, Senior, Staff, Token};

const ROUTES: &[(Method, &str, Access)] = &[
    (GET, "/", Staff),
    (GET, "/healthz", Public),
    (GET, "/static/style.css", Public),
    (GET, "/login", Public),
    (POST, "/login", Public),
    (POST, "/logout", Public),
    (GET, "/account/password", Staff),
    (POST, "/account/password", Staff),
    (POST, "/account/sign-out-everywhere", Staff),
    (GET, "/admin/users", Admin),
    (GET, "/admin/users/new", Admin),
    (POST, "/admin/users", Admin),
    (GET, "/admin/users/{id}", Admin),
    (POST, "/admin/users/{id}", Admin),
    (POST, "/admin/users/{id}/reset-password", Admin),
    (GET, "/admin/service-levels", Admin),
    (GET, "/admin/calendars/new", Admin),
    (POST, "/admin/calendars", Admin),
    (GET, "/admin/calendars/{id}", Admin),
    (POST, "/admin/calendars/{id}", Admin),
    (POST, "/admin/calendars/{id}/holidays", Admin),
    (
        POST,
        "/admin/calendars/{id}/holidays/{holiday}/delete",
        Admin,
    ),
    (GET, "/admin/sla-policies/new", Admin),
    (POST, "/admin/sla-policies", Admin),
    (GET, "/admin/sla-policies/{id}", Admin),
    (POST, "/admin/sla-policies/{id}", Admin),
    (GET, "/priority-matrix", Staff),
    (POST, "/priority-matrix", Admin),
    (GET, "/tickets", Staff),
    (GET, "/tickets/new", Staff),
    (POST, "/tickets", Staff),
    (GET, "/tickets/{id}", Staff),
    (GET, "/tickets/{id}/pull", Staff),
    (GET, "/tickets/{id}/sla", Staff),
    (POST, "/tickets/{id}/triage", Staff),
    (POST, "/tickets/{id}/assign", Staff),
    (POST, "/tickets/{id}/work", Staff),
    (POST, "/tickets/{id}/solve", Staff),
    (POST, "/tickets/{id}/cancel", Staff),
    (POST, "/tickets/{id}/reopen", Staff),
    (POST, "/tickets/{id}/approve", Manager),
    (POST, "/tickets/{id}/identity", Staff),
    (GET, "/survey/{token}", Link("survey")),
    (POST, "/survey/{token}", Link("survey")),
    (GET, "/survey/{token}/comment", Link("survey")),
    (POST, "/survey/{token}/comment", Link("survey")),
    (GET, "/reopen/{token}", Link("reopen")),
    (POST, "/reopen/{token}", Link("reopen")),
    (POST, "/tickets/{id}/attachments", Staff),
    (GET, "/tickets/{id}/attachments/{attachment}", Staff),
    (POST, "/tickets/{id}/followed-up", Manager),
    (GET, "/reports/satisfaction", Manager),
    (POST, "/tickets/{id}/escalate", Staff),
    (POST, "/tickets/{id}/changes", Staff),
    (POST, "/tickets/{id}/changes/acknowledge", Staff),
    (POST, "/tickets/{id}/decision", Staff),
    (GET, "/admin/categories", Admin),
    (POST, "/admin/categories/{id}/sensitive", Admin),
    (GET, "/admin/escalation", Admin),
    (POST, "/admin/escalation/severity", Admin),
    (POST, "/admin/escalation/levels/{id}", Admin),
    (
        POST,
        "/admin/escalation/levels/{id}/move/{direction}",
        Admin,
    ),
    (POST, "/admin/escalation/levels/{id}/remove", Admin),
    (POST, "/tickets/{id}/take", Staff),
    (POST, "/tickets/{id}/suggestions/apply", Manager),
    (POST, "/tickets/{id}/suggestions/dismiss", Manager),
    (GET, "/approvals/suggestions", Manager),
    (GET, "/approvals", Manager),
    (POST, "/approvals/{id}", Manager),
    (GET, "/kb", Staff),
    (POST, "/kb", Senior),
    (GET, "/kb/new", Senior),
    (GET, "/kb/{id}", Staff),
    (POST, "/kb/{id}", Senior),
    (GET, "/kb/{id}/edit", Senior),
    (POST, "/kb/{id}/retire", Senior),
    (GET, "/known-errors", Staff),
    (POST, "/known-errors", Senior),
    (GET, "/known-errors/new", Senior),
    (GET, "/known-errors/{id}", Staff),
    (POST, "/known-errors/{id}", Senior),
    (GET, "/known-errors/{id}/edit", Senior),
    (POST, "/known-errors/{id}/retire", Senior),
    (POST, "/tickets/{id}/known-errors/{known}/apply", Staff),
    (POST, "/account/away", Staff),
    (GET, "/clients", Staff),
    (GET, "/clients/new", Manager),
    (POST, "/clients", Manager),
    (GET, "/clients/{id}", Staff),
    (GET, "/clients/{id}/edit", Manager),
    (POST, "/clients/{id}", Manager),
    (GET, "/clients/{id}/contacts/new", Staff),
    (POST, "/clients/{id}/contacts", Staff),
    (GET, "/contacts/{id}/edit", Staff),
    (POST, "/contacts/{id}", Staff),
    (GET, "/absences", Staff),
    (POST, "/absences", Staff),
    // A technician removes only their own absence; record 1 is someone else's.
    (POST, "/absences/{id}/delete", Manager),
    (POST, "/clients/{id}/systems", Admin),
    (POST, "/clients/{id}/systems/{system}/delete", Admin),
    (POST, "/clients/{id}/account-managers", Admin),
    (POST, "/clients/{id}/account-managers/{user}/delete", Admin),
    (POST, "/admin/users/{id}/access", Admin),
    (GET, "/reports/sla", Manager),
    (GET, "/reports/sla.csv", Manager),
    (GET, "/clients/{id}/services", Staff),
    (POST, "/clients/{id}/services", Manager),
    (GET, "/hosted-services/{id}", Staff),
    (POST, "/hosted-services/{id}", Manager),
    (POST, "/hosted-services/{id}/sign-off", Manager),
    (POST, "/hosted-services/{id}/outages", Staff),
    (GET, "/hosted-services/{id}/months/{month}", Staff),
    (GET, "/outages/{id}", Staff),
    (POST, "/outages/{id}", Staff),
    (POST, "/outages/{id}/end", Staff),
    (POST, "/outages/{id}/incidents", Staff),
    (POST, "/tickets/{id}/outage", Staff),
    (POST, "/tickets/{id}/outages/{outage}/end", Staff),
    (GET, "/admin/outbox", Admin),
    (POST, "/admin/outbox/test", Admin),
    (POST, "/admin/outbox/{id}/retry", Admin),
    (GET, "/mail/inbound", Staff),
    (GET, "/mail/inbound/{id}", Staff),
    (GET, "/mail/inbound/{id}/raw", Staff),
    (POST, "/mail/inbound/{id}/ticket", Staff),
    (POST, "/mail/inbound/{id}/new-ticket", Staff),
    (POST, "/mail/inbound/{id}/discard", Staff),
    (GET, "/reports/monthly", Manager),
    (GET, "/clients/{id}/service-report", Manager),
    (POST, "/clients/{id}/service-report", Manager),
    (GET, "/account/tokens", Staff),
    (POST, "/account/tokens", Staff),
    // Record 1 is nobody's token on the demo desk: a 404 for whoever asks.
    (POST, "/account/tokens/{id}/revoke", Staff),
    (GET, "/admin/alert-sources", Manager),
    (POST, "/admin/alert-sources", Manager),
    (GET, "/admin/alert-sources/{id}/edit", Manager),
    (POST, "/admin/alert-sources/{id}", Manager),
    (POST, "/admin/alert-sources/{id}/delete", Manager),
    (GET, "/api/v1/openapi.json", Public),
    (GET, "/api/v1/tickets", Token),
    (POST, "/api/v1/tickets", Token),
    (GET, "/api/v1/tickets/{id}", Token),
    (POST, "/api/v1/tickets/{id}/notes", Token),
    (POST, "/api/v1/tickets/{id}/status", Token),
    (GET, "/api/v1/clients", Token),
    (GET, "/api/v1/clients/{id}", Token),
    (GET, "/api/v1/clients/{id}/contacts", Token),
    (GET, "/api/v1/contacts/{id}", Token),
    (POST, "/api/v1/alerts", Token),
    (GET, "/problems", Staff),
    (POST, "/problems", Senior),
    (GET, "/problems/new", Senior),
    (GET, "/problems/suggestions", Senior),
    (POST, "/problems/suggestions/recompute", Senior),
    (POST, "/problems/suggestions/settings", Manager),
    (POST, "/problems/suggestions/{id}/accept", Senior),
    (POST, "/problems/suggestions/{id}/dismiss", Senior),
    (GET, "/problems/{id}", Staff),
    (POST, "/problems/{id}/analysis", Staff),
    (POST, "/problems/{id}/step", Staff),
    (POST, "/problems/{id}/notes", Staff),
    (POST, "/problems/{id}/incidents", Staff),
    (POST, "/problems/{id}/incidents/{ticket}/unlink", Senior),
    (POST, "/problems/{id}/close-incidents", Staff),
    (POST, "/problems/{id}/rfc", Staff),
    (GET, "/problems/{id}/review", Staff),
    (POST, "/problems/{id}/review", Staff),
    (GET, "/problems/{id}/report", Staff),
    (GET, "/problems/{id}/edit", Senior),
    (POST, "/problems/{id}/edit", Senior),
    (POST, "/tickets/{id}/problem", Staff),
    (GET, "/approvals/problem-changes", Manager),
    (POST, "/approvals/problem-changes/{id}", Manager),
    (GET, "/reports", Manager),
    (GET, "/reports/reopened", Manager),
    (GET, "/reports/reopened.csv", Manager),
    (GET, "/reports/escalations", Manager),
    (GET, "/reports/escalations.csv", Manager),
    (GET, "/reports/first-level", Manager),
    (GET, "/reports/first-level.csv", Manager),
    (GET, "/reports/resolved", Manager),
    (GET, "/reports/resolved.csv", Manager),
    (GET, "/reports/uptime", Manager),
    (GET, "/reports/uptime.csv", Manager),
    (GET, "/reports/satisfaction.csv", Manager),
    (GET, "/clients/{id}/risks", Staff),
    (GET, "/clients/{id}/risks/report", Staff),
    (POST, "/clients/{id}/risks/walkthroughs", Staff),
    (POST, "/clients/{id}/risks/contacts", Staff),
    (GET, "/risks/review", Staff),
    (GET, "/risks/walkthroughs/{id}", Staff),
    (GET, "/risks/walkthroughs/{id}/found", Staff),
    (POST, "/risks/walkthroughs/{id}/asset", Staff),
    (GET, "/risks/walkthroughs/{id}/{step}", Staff),
    (POST, "/risks/walkthroughs/{id}/{step}", Staff),
    (GET, "/risks/{id}", Staff),
    (POST, "/risks/{id}/analyse", Staff),
    (POST, "/risks/{id}/treatment", Staff),
    (POST, "/risks/{id}/review", Staff),
    (GET, "/risk-notice/{token}", Link("risk-notice")),
    (POST, "/risk-notice/{token}", Link("risk-notice")),
    (GET, "/risk-treatment/{token}", Link("risk-treatment")),
    (POST, "/risk-treatment/{token}", Link("risk-treatment")),
    (POST, "/risks/{id}/controls/{control}/ticket", Staff),
    (POST, "/risks/{id}/controls/{control}/in-place", Staff),
    (POST, "/risks/{id}/deadline", Staff),
    (POST, "/tickets/{id}/risks", Staff),
    (POST, "/admin/risks/matrix", Admin),
    (POST, "/admin/risks/schedule", Admin),
    (POST, "/admin/risks/templates", Admin),
    (GET, "/admin/risks/templates/{id}", Admin),
    (POST, "/admin/risks/templates/{id}", Admin),
];

/// The routes the web layer declares: each `.route("…", web::get()…)` or `web::post()` in the
/// files that build the route table.
fn declared_routes() -> Vec<(Method, String)> {
    let sources = [
        include_str!("../../src/web/mod.rs"),
        include_str!("../../src/web/risks/mod.rs"),
        include_str!("../../src/web/api/mod.rs"),
    ];
    let mut routes = Vec::new();
    for source in sources {
        for (_, rest) in source
            .match_indices(".route(")
            .map(|(i, _)| source.split_at(i + 7))
        {
            let rest = rest.trim_start();
            let Some(rest) = rest.strip_prefix('"') else {
                continue;
            };
            let Some((path, after)) = rest.split_once('"') else {
                continue;
            };
            let after = after.trim_start().trim_start_matches(',').trim_start();
            let method = if after.starts_with("web::get()") {
                GET
            } else if after.starts_with("web::post()") {
                POST
            } else {
                panic!("route {path}: a method other than GET or POST needs a column here");
            };
            routes.push((method, path.to_string()));
        }
    }
    routes
}

#[test]
fn every_declared_route_has_a_row() {
    let declared = declared_routes();
    assert!(
        declared.len() > 150,
        "the parser found {} routes",
        declared.len()
    );
    for (method, path) in &declared {
        assert!(
            ROUTES.iter().any(|(m, p, _)| m == method && p == path),
            "{method:?} {path} has no row in the route matrix: add its access rule"
        );
    }
    for (method, path, _) in ROUTES {
        assert!(
            declared.iter().any(|(m, p)| m == method && p == path),
            "{method:?} {path} is in the matrix but no longer declared"
        );
    }
}

/// The six kinds of visitor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Visitor {
    Anonymous,
    Tier1,
    Tier3,
    Manager,
    Admin,
    /// No account, holding a survey link for a ticket of another client than the one the
    /// route's ids name.
    LinkHolder,
}

impl Visitor {
    const ALL: [Visitor; 6] = [
        Visitor::Anonymous,
        Visitor::Tier1,
        Visitor::Tier3,
        Visitor::Manager,
        Visitor::Admin,
        Visitor::LinkHolder,
    ];

    fn rank(self) -> u8 {
        match self {
            Visitor::Anonymous | Visitor::LinkHolder => 0,
            Visitor::Tier1 => 1,
            Visitor::Tier3 => 2,
            Visitor::Manager => 3,
            Visitor::Admin => 4,
        }
    }
}

/// What a visitor must get, as a rule on the status.
#[derive(Debug, PartialEq, Eq)]
enum Expect {
    /// Sent to sign in.
    SignIn,
    Forbidden,
    /// The link is not theirs: nothing is there for them.
    NotFound,
    /// Let in: whatever the page or the form's validation answers, but never a refusal of
    /// who they are, and never a server error.
    Served,
    /// A public route: any answer but a server error (a wrong password is a 401).
    Answered,
    /// No bearer token: 401.
    Unauthorized,
}

fn expected(access: Access, visitor: Visitor, survey_holder_path: bool) -> Expect {
    let needed = match access {
        Access::Public => return Expect::Answered,
        Access::Token => return Expect::Unauthorized,
        Access::Link(_) if survey_holder_path => return Expect::Served,
        Access::Link(_) => return Expect::NotFound,
        Access::Staff => 1,
        Access::Senior => 2,
        Access::Manager => 3,
        Access::Admin => 4,
    };
    match visitor.rank() {
        0 => Expect::SignIn,
        rank if rank < needed => Expect::Forbidden,
        _ => Expect::Served,
    }
}

fn meets(expect: &Expect, status: StatusCode, location: Option<&str>) -> bool {
    match expect {
        Expect::SignIn => {
            status == StatusCode::SEE_OTHER && location.is_some_and(|l| l.starts_with("/login"))
        }
        Expect::Forbidden => status == StatusCode::FORBIDDEN,
        Expect::NotFound => status == StatusCode::NOT_FOUND || status == StatusCode::GONE,
        Expect::Served => {
            !status.is_server_error()
                && status != StatusCode::FORBIDDEN
                && status != StatusCode::UNAUTHORIZED
                && !(status == StatusCode::SEE_OTHER
                    && location.is_some_and(|l| l.starts_with("/login?next=")))
        }
        Expect::Answered => !status.is_server_error(),
        Expect::Unauthorized => status == StatusCode::UNAUTHORIZED,
    }
}

/// The route's path with each parameter filled: records of the demo desk for ids, the
/// visitor's own link for a token (or a token that was never issued).
fn concrete(path: &str, token: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').expect("a closed parameter") + open;
        out.push_str(match &rest[open + 1..close] {
            "token" => token,
            "direction" => "up",
            "month" => "2026-11",
            "step" => "assets",
            _ => "1",
        });
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Routes that end the visitor's session run last, so the rest see them signed in; "sign out
/// everywhere" before the plain sign-out, which then finds nobody to sign out.
fn ends_the_session(path: &str) -> bool {
    path == "/logout" || path == "/account/sign-out-everywhere"
}

async fn visitor_browser(app: &TestApp, visitor: Visitor) -> TestApp {
    let browser = app.another_browser();
    let (email, name, role, tier) = match visitor {
        Visitor::Anonymous | Visitor::LinkHolder => return browser,
        Visitor::Tier1 => (
            "m-t1@msp.example",
            "Matrix Tier One",
            Role::Technician,
            Some(Tier::Tier1),
        ),
        Visitor::Tier3 => (
            "m-t3@msp.example",
            "Matrix Tier Three",
            Role::Technician,
            Some(Tier::Tier3),
        ),
        Visitor::Manager => ("m-mgr@msp.example", "Matrix Manager", Role::Manager, None),
        Visitor::Admin => ("m-adm@msp.example", "Matrix Admin", Role::Admin, None),
    };
    let password = browser.create_user(email, name, role, tier).await;
    browser
        .login(email, &password)
        .await
        .assert_redirect_to("/");
    browser
}

async fn every_route_answers_every_visitor_as_its_row_says(app: TestApp) {
    seed_demo_desk(&app).await;
    let now = app.clock.now();
    // The demo desk's last ticket belongs to another client than record 1 the ids name.
    let survey = tierdesk::db::run(&app.state.pool, move |conn| {
        use diesel::prelude::*;
        use tierdesk::db::schema::tickets;
        let other: i64 = tickets::table
            .select(diesel::dsl::max(tickets::id))
            .first::<Option<i64>>(conn)?
            .unwrap_or(1);
        client_links::issue(
            conn,
            LinkPurpose::Survey,
            LinkSubject::ticket(other),
            chrono::Duration::days(7),
            now,
        )
    })
    .await
    .unwrap();

    let mut wrong = Vec::new();
    for visitor in Visitor::ALL {
        let browser = visitor_browser(&app, visitor).await;
        let token = match visitor {
            Visitor::LinkHolder => survey.as_str(),
            _ => "never-issued-token",
        };
        type Route = (Method, &'static str, Access);
        let (mut ordered, mut last): (Vec<&Route>, Vec<&Route>) =
            ROUTES.iter().partition(|route| !ends_the_session(route.1));
        last.sort_by_key(|route| route.1 == "/logout");
        ordered.extend(last);
        for &(method, path, access) in ordered {
            let url = concrete(path, token);
            let page = match method {
                GET => browser.get(&url).await,
                POST => browser.post_form(&url, &[]).await,
            };
            let holds_it = visitor == Visitor::LinkHolder && access == Link("survey");
            let expect = expected(access, visitor, holds_it);
            if !meets(&expect, page.status, page.location.as_deref()) {
                wrong.push(format!(
                    "{visitor:?} {method:?} {url}: expected {expect:?}, got {} {}",
                    page.status,
                    page.location.as_deref().unwrap_or("")
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} answers differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

both_backends!(every_route_answers_every_visitor_as_its_row_says);
