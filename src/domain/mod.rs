//! Pure rules: no database, no HTTP, no clock. Every function that depends on time takes `now`.

pub mod absence;
pub mod account;
pub mod approval;
pub mod assignment;
pub mod calendar;
pub mod change_gate;
pub mod decision_point;
pub mod delivery;
pub mod escalation;
pub mod escalation_owner;
pub mod ids;
pub mod inputs;
pub mod known_error;
pub mod priority;
pub mod problem;
pub mod problem_detection;
pub mod report_minutes;
pub mod request;
pub mod risk;
pub mod risk_review;
pub mod risk_ticket;
pub mod risk_treatment;
pub mod risk_walkthrough;
pub mod satisfaction_escalation;
pub mod sla;
pub mod survey;
#[cfg(test)]
mod test_time;
pub mod throttle;
pub mod ticket;
pub mod time_budget;
pub mod timeline;
pub mod uptime;
pub mod uptime_guarantee;
pub mod uptime_input;
pub mod work;
