//! One integration-test binary: every test starts the real application on a random port and
//! speaks HTTP to it. Tests named in `both_backends!` run on SQLite always, and on PostgreSQL
//! when TEST_DATABASE_URL is set (with CI=true a missing PostgreSQL fails instead of skipping).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod helpers;
#[macro_use]
mod smtp;

mod accounts;
mod admin_users;
mod browser;
mod client_links;
mod clients;
mod escalation;
mod fixtures;
mod mail;
mod migrations;
mod pages;
mod seed;
mod service_levels;
mod surveys;
mod tickets;
mod webdriver;
