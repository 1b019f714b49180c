//! One integration-test binary: every test starts the real application on a random port and
//! speaks HTTP to it. Tests named in `both_backends!` run on SQLite always, and on PostgreSQL
//! when TEST_DATABASE_URL is set (with CI=true a missing PostgreSQL fails instead of skipping).
//!
//! The harness: `helpers` (spawn_app, pages, the outbox check), `smtp` (a mail server in the
//! process), `webdriver` (headless Chromium), `checkers` (the Nu HTML checker and axe-core),
//! `crawl` (the pages and forms a visitor reaches), `imap_server` (Dovecot) and `fixtures` (shared
//! set-up and look-ups). Every other file is one area and takes its set-up from those seven only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod helpers;
#[macro_use]
mod smtp;

mod accounts;
mod admin_users;
mod alerts;
mod api;
mod browser;
mod changes;
mod checkers;
mod client_links;
mod clients;
mod crawl;
mod escalation;
mod escalation_ownership;
mod fixtures;
mod hostile_input;
mod html_gate;
mod identity;
mod imap_server;
mod inbound_mail;
mod known_errors;
mod mail;
mod migrations;
mod monthly_report;
mod monthly_report_browser;
mod monthly_report_mail;
mod pages;
mod people;
mod probes;
mod problems;
mod queue_scale;
mod reports;
mod requests;
mod risk_admin;
mod risk_browser;
mod risk_tickets;
mod risks;
mod route_matrix;
mod satisfaction_escalation;
mod seed;
mod service_levels;
mod sessions;
mod stale_forms;
mod surveys;
mod ticket_search;
mod tickets;
mod uptime;
mod webdriver;
mod work_review;
