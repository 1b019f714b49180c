//! Client risk management on the web: the walk-through, the register with its heatmap, the
//! risk page, the review queue, and the client's pages from the risk mails.

pub mod admin;
pub mod admin_templates;
pub mod controls;
pub mod deadline;
pub mod heatmap;
pub mod links;
pub mod register;
pub mod report;
pub mod risk_page;
pub mod ticket_panel;
pub mod view;
pub mod walkthrough;

use actix_web::web;

/// The risk routes; `/risks/review` comes before `/risks/{id}` so it is not read as an id.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/clients/{id}/risks", web::get().to(register::show))
        .route("/clients/{id}/risks/report", web::get().to(report::show))
        .route(
            "/clients/{id}/risks/walkthroughs",
            web::post().to(walkthrough::start),
        )
        .route(
            "/clients/{id}/risks/contacts",
            web::post().to(register::save_contacts),
        )
        .route("/risks/review", web::get().to(register::queue))
        .route(
            "/risks/walkthroughs/{id}",
            web::get().to(walkthrough::resume),
        )
        .route(
            "/risks/walkthroughs/{id}/found",
            web::get().to(walkthrough::found),
        )
        .route(
            "/risks/walkthroughs/{id}/asset",
            web::post().to(walkthrough::add_asset),
        )
        .route(
            "/risks/walkthroughs/{id}/{step}",
            web::get().to(walkthrough::show),
        )
        .route(
            "/risks/walkthroughs/{id}/{step}",
            web::post().to(walkthrough::save),
        )
        .route("/risks/{id}", web::get().to(risk_page::show))
        .route("/risks/{id}/analyse", web::post().to(risk_page::analyse))
        .route("/risks/{id}/treatment", web::post().to(risk_page::treat))
        .route("/risks/{id}/review", web::post().to(risk_page::review))
        .route("/risk-notice/{token}", web::get().to(links::notice))
        .route("/risk-notice/{token}", web::post().to(links::acknowledge))
        .route("/risk-treatment/{token}", web::get().to(links::treatment))
        .route("/risk-treatment/{token}", web::post().to(links::answer))
        .route(
            "/risks/{id}/controls/{control}/ticket",
            web::post().to(controls::through_ticket),
        )
        .route(
            "/risks/{id}/controls/{control}/in-place",
            web::post().to(controls::in_place),
        )
        .route("/risks/{id}/deadline", web::post().to(deadline::set))
        .route("/tickets/{id}/risks", web::post().to(ticket_panel::raise))
        .route(admin::PAGE, web::get().to(admin::show))
        .route("/admin/risks/matrix", web::post().to(admin::save_matrix))
        .route(
            "/admin/risks/schedule",
            web::post().to(admin::save_schedule),
        )
        .route(
            "/admin/risks/templates",
            web::post().to(admin::add_template),
        )
        .route(
            "/admin/risks/templates/{id}",
            web::get().to(admin_templates::edit),
        )
        .route(
            "/admin/risks/templates/{id}",
            web::post().to(admin_templates::save),
        );
}
