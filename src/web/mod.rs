//! HTTP: the only route table, the middleware stack, and one module per area.

pub mod absences;
pub mod alert_sources;
pub mod api;
pub mod api_tokens;
pub mod approvals;
pub mod auth;
pub mod categories;
pub mod changes;
pub mod client_people;
pub mod client_people_view;
pub mod clients;
pub mod csrf;
pub mod dashboard;
pub mod error_page;
pub mod escalation;
pub mod extract;
mod form_text;
pub mod forms;
pub mod health;
pub mod inbound_mail;
pub mod kb;
pub mod kb_edit;
pub mod known_errors;
pub mod known_errors_forms;
pub mod known_errors_view;
pub mod ladder;
pub mod links;
pub mod outbox;
pub mod page;
pub mod problems;
pub mod reports;
pub mod risks;
pub mod service_levels;
pub mod suggestion_item;
pub mod suggestions;
pub mod tickets;
pub mod uptime;
pub mod user_access;
pub mod users;

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::AppError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(dashboard::show))
        .route("/healthz", web::get().to(health::check))
        .route("/static/style.css", web::get().to(stylesheet))
        .route("/login", web::get().to(auth::login_form))
        .route("/login", web::post().to(auth::login))
        .route("/logout", web::post().to(auth::logout))
        .route("/account/password", web::get().to(auth::password_form))
        .route("/account/password", web::post().to(auth::change_password))
        .route(
            "/account/sign-out-everywhere",
            web::post().to(auth::sign_out_everywhere),
        )
        .route("/mail/inbound", web::get().to(inbound_mail::index))
        .route("/mail/inbound/{id}", web::get().to(inbound_mail::show))
        .route("/mail/inbound/{id}/raw", web::get().to(inbound_mail::raw))
        .route(
            "/mail/inbound/{id}/ticket",
            web::post().to(inbound_mail::to_ticket),
        )
        .route(
            "/mail/inbound/{id}/new-ticket",
            web::post().to(inbound_mail::new_ticket),
        )
        .route(
            "/mail/inbound/{id}/discard",
            web::post().to(inbound_mail::discard),
        )
        .route("/admin/users", web::get().to(users::list))
        .route("/admin/users/new", web::get().to(users::new_form))
        .route("/admin/users", web::post().to(users::create))
        .route("/admin/users/{id}", web::get().to(users::edit_form))
        .route("/admin/users/{id}", web::post().to(users::update))
        .route(
            "/admin/users/{id}/reset-password",
            web::post().to(users::reset_password),
        )
        .route(
            "/admin/service-levels",
            web::get().to(service_levels::index),
        )
        .route(
            "/admin/calendars/new",
            web::get().to(service_levels::new_calendar_form),
        )
        .route(
            "/admin/calendars",
            web::post().to(service_levels::create_calendar),
        )
        .route(
            "/admin/calendars/{id}",
            web::get().to(service_levels::show_calendar),
        )
        .route(
            "/admin/calendars/{id}",
            web::post().to(service_levels::update_calendar),
        )
        .route(
            "/admin/calendars/{id}/holidays",
            web::post().to(service_levels::add_holiday),
        )
        .route(
            "/admin/calendars/{id}/holidays/{holiday}/delete",
            web::post().to(service_levels::remove_holiday),
        )
        .route(
            "/admin/sla-policies/new",
            web::get().to(service_levels::new_policy_form),
        )
        .route(
            "/admin/sla-policies",
            web::post().to(service_levels::create_policy),
        )
        .route(
            "/admin/sla-policies/{id}",
            web::get().to(service_levels::show_policy),
        )
        .route(
            "/admin/sla-policies/{id}",
            web::post().to(service_levels::update_policy),
        )
        .route(
            "/priority-matrix",
            web::get().to(service_levels::show_matrix),
        )
        .route(
            "/priority-matrix",
            web::post().to(service_levels::update_matrix),
        )
        .route("/tickets", web::get().to(tickets::queue))
        .route("/tickets/new", web::get().to(tickets::new_form))
        .route("/tickets", web::post().to(tickets::create))
        .route("/tickets/{id}", web::get().to(tickets::show))
        .route("/tickets/{id}/pull", web::get().to(tickets::pull))
        .route("/tickets/{id}/sla", web::get().to(tickets::explain))
        .route("/tickets/{id}/triage", web::post().to(tickets::triage))
        .route("/tickets/{id}/assign", web::post().to(tickets::assign))
        .route("/tickets/{id}/work", web::post().to(tickets::work))
        .route("/tickets/{id}/solve", web::post().to(tickets::solve))
        .route("/tickets/{id}/cancel", web::post().to(tickets::cancel))
        .route("/tickets/{id}/reopen", web::post().to(tickets::reopen))
        .route("/tickets/{id}/approve", web::post().to(tickets::approve))
        .route(
            "/tickets/{id}/identity",
            web::post().to(tickets::check_identity),
        )
        .route("/survey/{token}", web::get().to(links::survey))
        .route("/survey/{token}", web::post().to(links::rate))
        .route(
            "/survey/{token}/comment",
            web::get().to(links::comment_form),
        )
        .route("/survey/{token}/comment", web::post().to(links::comment))
        .route("/reopen/{token}", web::get().to(links::reopen_form))
        .route("/reopen/{token}", web::post().to(links::reopen))
        .route("/tickets/{id}/attachments", web::post().to(tickets::upload))
        .route(
            "/tickets/{id}/attachments/{attachment}",
            web::get().to(tickets::download),
        )
        .route(
            "/tickets/{id}/followed-up",
            web::post().to(reports::followed_up),
        )
        .route(
            "/reports/satisfaction",
            web::get().to(reports::satisfaction),
        )
        .route(
            "/tickets/{id}/escalate",
            web::post().to(escalation::escalate),
        )
        .route(
            "/tickets/{id}/changes",
            web::post().to(escalation::request_change),
        )
        .route(
            "/tickets/{id}/changes/acknowledge",
            web::post().to(changes::acknowledge),
        )
        .route(
            "/tickets/{id}/decision",
            web::post().to(escalation::record_decision),
        )
        .route("/admin/categories", web::get().to(categories::index))
        .route(
            "/admin/categories/{id}/sensitive",
            web::post().to(categories::set_sensitive),
        )
        .route("/admin/escalation", web::get().to(ladder::ladder))
        .route(
            "/admin/escalation/severity",
            web::post().to(ladder::set_severity_rules),
        )
        .route(
            "/admin/escalation/levels/{id}",
            web::post().to(ladder::update_level),
        )
        .route(
            "/admin/escalation/levels/{id}/move/{direction}",
            web::post().to(ladder::move_level),
        )
        .route(
            "/admin/escalation/levels/{id}/remove",
            web::post().to(ladder::remove_level),
        )
        .route("/tickets/{id}/take", web::post().to(tickets::take))
        .route(
            "/tickets/{id}/suggestions/apply",
            web::post().to(suggestions::apply),
        )
        .route(
            "/tickets/{id}/suggestions/dismiss",
            web::post().to(suggestions::dismiss),
        )
        .route("/approvals/suggestions", web::get().to(suggestions::list))
        .configure(problem_routes)
        .route("/approvals", web::get().to(approvals::queue))
        .route("/approvals/{id}", web::post().to(approvals::decide))
        .route("/kb", web::get().to(kb::index))
        .route("/kb", web::post().to(kb_edit::create))
        .route("/kb/new", web::get().to(kb_edit::new_form))
        .route("/kb/{id}", web::get().to(kb::show))
        .route("/kb/{id}", web::post().to(kb_edit::update))
        .route("/kb/{id}/edit", web::get().to(kb_edit::edit_form))
        .route("/kb/{id}/retire", web::post().to(kb_edit::retire))
        .route("/known-errors", web::get().to(known_errors::index))
        .route("/known-errors", web::post().to(known_errors::create))
        .route("/known-errors/new", web::get().to(known_errors::new_form))
        .route("/known-errors/{id}", web::get().to(known_errors::show))
        .route("/known-errors/{id}", web::post().to(known_errors::update))
        .route(
            "/known-errors/{id}/edit",
            web::get().to(known_errors::edit_form),
        )
        .route(
            "/known-errors/{id}/retire",
            web::post().to(known_errors::retire),
        )
        .route(
            "/tickets/{id}/known-errors/{known}/apply",
            web::post().to(known_errors::apply),
        )
        .route("/account/away", web::post().to(auth::toggle_away))
        .route("/clients", web::get().to(clients::list))
        .route("/clients/new", web::get().to(clients::new_form))
        .route("/clients", web::post().to(clients::create))
        .route("/clients/{id}", web::get().to(clients::show))
        .route("/clients/{id}/edit", web::get().to(clients::edit_form))
        .route("/clients/{id}", web::post().to(clients::update))
        .route(
            "/clients/{id}/contacts/new",
            web::get().to(clients::new_contact_form),
        )
        .route(
            "/clients/{id}/contacts",
            web::post().to(clients::create_contact),
        )
        .route(
            "/contacts/{id}/edit",
            web::get().to(clients::edit_contact_form),
        )
        .route("/contacts/{id}", web::post().to(clients::update_contact))
        .route("/absences", web::get().to(absences::list))
        .route("/absences", web::post().to(absences::add))
        .route("/absences/{id}/delete", web::post().to(absences::remove))
        .route(
            "/clients/{id}/systems",
            web::post().to(client_people::add_system),
        )
        .route(
            "/clients/{id}/systems/{system}/delete",
            web::post().to(client_people::remove_system),
        )
        .route(
            "/clients/{id}/account-managers",
            web::post().to(client_people::add_account_manager),
        )
        .route(
            "/clients/{id}/account-managers/{user}/delete",
            web::post().to(client_people::remove_account_manager),
        )
        .route(
            "/admin/users/{id}/access",
            web::post().to(user_access::set_access),
        )
        .route("/reports/sla", web::get().to(reports::sla::page))
        .route("/reports/sla.csv", web::get().to(reports::sla::csv))
        .route(
            "/clients/{id}/services",
            web::get().to(uptime::services::list),
        )
        .route(
            "/clients/{id}/services",
            web::post().to(uptime::services::create),
        )
        .route(
            "/hosted-services/{id}",
            web::get().to(uptime::services::show),
        )
        .route(
            "/hosted-services/{id}",
            web::post().to(uptime::services::update),
        )
        .route(
            "/hosted-services/{id}/sign-off",
            web::post().to(uptime::services::sign_off),
        )
        .route(
            "/hosted-services/{id}/outages",
            web::post().to(uptime::outages::open),
        )
        .route(
            "/hosted-services/{id}/months/{month}",
            web::get().to(uptime::month::show),
        )
        .route("/outages/{id}", web::get().to(uptime::outages::show))
        .route("/outages/{id}", web::post().to(uptime::outages::edit))
        .route("/outages/{id}/end", web::post().to(uptime::outages::end))
        .route(
            "/outages/{id}/incidents",
            web::post().to(uptime::outages::link),
        )
        .route(
            "/tickets/{id}/outage",
            web::post().to(uptime::outages::open_from_incident),
        )
        .route(
            "/tickets/{id}/outages/{outage}/end",
            web::post().to(uptime::outages::end_at_solve),
        )
        .route("/admin/outbox", web::get().to(outbox::index))
        .route("/admin/outbox/test", web::post().to(outbox::send_test))
        .route("/admin/outbox/{id}/retry", web::post().to(outbox::retry))
        .configure(risks::routes)
        .route("/reports/monthly", web::get().to(reports::monthly::index))
        .route(
            "/clients/{id}/service-report",
            web::get().to(reports::monthly::show),
        )
        .route(
            "/clients/{id}/service-report",
            web::post().to(reports::monthly::send),
        )
        .route("/account/tokens", web::get().to(api_tokens::index))
        .route("/account/tokens", web::post().to(api_tokens::create))
        .route(
            "/account/tokens/{id}/revoke",
            web::post().to(api_tokens::revoke),
        )
        .route("/admin/alert-sources", web::get().to(alert_sources::index))
        .route(
            "/admin/alert-sources",
            web::post().to(alert_sources::create),
        )
        .route(
            "/admin/alert-sources/{id}/edit",
            web::get().to(alert_sources::edit),
        )
        .route(
            "/admin/alert-sources/{id}",
            web::post().to(alert_sources::update),
        )
        .route(
            "/admin/alert-sources/{id}/delete",
            web::post().to(alert_sources::remove),
        )
        .configure(api::routes);
}

/// Problem management's routes; the fixed paths come before `/problems/{id}`.
fn problem_routes(cfg: &mut web::ServiceConfig) {
    use problems::{actions, detect, edit, list, new, page, report, review, rfc, ticket_section};
    cfg.route("/problems", web::get().to(list::list))
        .route("/problems", web::post().to(new::create))
        .route("/problems/new", web::get().to(new::new_form))
        .route("/problems/suggestions", web::get().to(detect::list))
        .route(
            "/problems/suggestions/recompute",
            web::post().to(detect::recompute),
        )
        .route(
            "/problems/suggestions/settings",
            web::post().to(detect::save_settings),
        )
        .route(
            "/problems/suggestions/{id}/accept",
            web::post().to(detect::accept),
        )
        .route(
            "/problems/suggestions/{id}/dismiss",
            web::post().to(detect::dismiss),
        )
        .route("/problems/{id}", web::get().to(page::show))
        .route(
            "/problems/{id}/analysis",
            web::post().to(actions::save_analysis),
        )
        .route("/problems/{id}/step", web::post().to(actions::take_step))
        .route("/problems/{id}/notes", web::post().to(actions::add_note))
        .route("/problems/{id}/incidents", web::post().to(actions::link))
        .route(
            "/problems/{id}/incidents/{ticket}/unlink",
            web::post().to(actions::unlink),
        )
        .route(
            "/problems/{id}/close-incidents",
            web::post().to(actions::close_incidents),
        )
        .route("/problems/{id}/rfc", web::post().to(actions::file_rfc))
        .route("/problems/{id}/review", web::get().to(review::show))
        .route("/problems/{id}/review", web::post().to(review::record))
        .route("/problems/{id}/report", web::get().to(report::show))
        .route("/problems/{id}/edit", web::get().to(edit::edit_form))
        .route("/problems/{id}/edit", web::post().to(edit::update))
        .route(
            "/tickets/{id}/problem",
            web::post().to(ticket_section::link_from_ticket),
        )
        .route("/approvals/problem-changes", web::get().to(rfc::queue))
        .route(
            "/approvals/problem-changes/{id}",
            web::post().to(rfc::decide),
        )
        .route("/reports", web::get().to(reports::index::page))
        .route("/reports/reopened", web::get().to(reports::reopened::page))
        .route(
            "/reports/reopened.csv",
            web::get().to(reports::reopened::csv),
        )
        .route(
            "/reports/escalations",
            web::get().to(reports::escalations::page),
        )
        .route(
            "/reports/escalations.csv",
            web::get().to(reports::escalations::csv),
        )
        .route(
            "/reports/first-level",
            web::get().to(reports::first_level::page),
        )
        .route(
            "/reports/first-level.csv",
            web::get().to(reports::first_level::csv),
        )
        .route("/reports/resolved", web::get().to(reports::resolved::page))
        .route(
            "/reports/resolved.csv",
            web::get().to(reports::resolved::csv),
        )
        .route("/reports/uptime", web::get().to(reports::uptime::page))
        .route("/reports/uptime.csv", web::get().to(reports::uptime::csv))
        .route(
            "/reports/satisfaction.csv",
            web::get().to(reports::satisfaction_csv),
        );
}

/// The one stylesheet, compiled in so the binary serves a complete desk from any folder.
async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../static/style.css"))
}

/// No route matched: an API client gets problem+json like every other API answer, a browser
/// the desk's error page.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
    if req.path() == "/api" || req.path().starts_with("/api/") {
        Err(api::unrouted(&req).into())
    } else {
        Err(AppError::NotFound.into())
    }
}

/// Answers `HEAD` on every GET route, as uptime monitors and load balancers probe: the request
/// is routed as the GET it mirrors, and actix-http sends the response head without its body
/// because the connection saw a HEAD.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

/// One log line per request, with its status and latency.
pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let result = next.call(req).await;
    // The route's pattern, never the path: a client link's path is its credential.
    let (status, route) = match &result {
        Ok(res) => (res.status().as_u16(), res.request().match_pattern()),
        Err(e) => (e.as_response_error().status_code().as_u16(), None),
    };
    let route = route.unwrap_or_else(|| "(no route)".into());
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(target: "tierdesk::http", %method, %route, status, latency_ms = format!("{latency_ms:.2}"), "request");
    result
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use actix_web::middleware::from_fn;
    use actix_web::{App, test};

    use super::*;

    /// Collects what the log would print.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[actix_web::test]
    async fn a_client_links_token_never_reaches_the_log() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = test::init_service(
            App::new()
                .wrap(from_fn(log_request))
                .route("/reopen/{token}", web::get().to(HttpResponse::Ok)),
        )
        .await;
        let request = test::TestRequest::get()
            .uri("/reopen/S3cr3t-link-key?x=1")
            .to_request();
        assert!(
            test::call_service(&app, request)
                .await
                .status()
                .is_success()
        );
        let request = test::TestRequest::get().uri("/no/such/S3cr3t").to_request();
        test::call_service(&app, request).await;

        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(log.contains("route=/reopen/{token}"), "{log}");
        assert!(log.contains("route=(no route)"), "{log}");
        assert!(!log.contains("S3cr3t"), "{log}");
    }
}
