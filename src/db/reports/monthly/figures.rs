//! What the monthly client service report holds, and how its figures read: plain data shared
//! by the report's page and its mail.

use chrono::NaiveDateTime;
use chrono_tz::Tz;

use crate::db::clients::ClientRow;
use crate::db::uptime::ServiceRow;
use crate::domain::uptime::{Month, MonthFigure, minutes_text};

/// SLA compliance of one priority: met and met late among the incidents solved in the month;
/// breached are those still unsolved at the month's end whose due instant passed in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlaMonth {
    pub priority: String,
    pub solved: i64,
    pub response_met: i64,
    pub response_late: i64,
    pub response_breached: i64,
    pub resolution_met: i64,
    pub resolution_late: i64,
    pub resolution_breached: i64,
}

impl SlaMonth {
    /// Resolutions met in time, of all that fell due or were solved: "87.5 %", or "—".
    pub fn resolution_rate(&self) -> String {
        let all = self.solved + self.resolution_breached;
        rate(self.resolution_met, all)
    }

    /// The met share out of 1000, for the chart's bar.
    pub fn resolution_per_mille(&self) -> i64 {
        let all = self.solved + self.resolution_breached;
        (self.resolution_met * 1000).checked_div(all).unwrap_or(0)
    }
}

fn rate(part: i64, all: i64) -> String {
    match (part * 1000).checked_div(all) {
        Some(per_mille) => format!("{}.{} %", per_mille / 10, per_mille % 10),
        None => "—".into(),
    }
}

/// Tickets of one priority: opened in the month, solved in it, and of those opened in it the
/// ones not solved by its end.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TicketCounts {
    pub priority: String,
    pub opened: i64,
    pub solved: i64,
    pub still_open: i64,
}

/// An outage as the report tells it, with the P1 incidents linked to it.
#[derive(Clone, Debug)]
pub struct OutageLine {
    pub started: String,
    pub ended: String,
    pub minutes: String,
    pub planned: bool,
    pub note: String,
    pub incidents: Vec<(i64, String)>,
}

/// One hosted service's month.
#[derive(Clone, Debug)]
pub struct ServiceMonth {
    pub service: ServiceRow,
    pub guarantee: String,
    pub figure: MonthFigure,
    pub outages: Vec<OutageLine>,
}

impl ServiceMonth {
    pub fn allowed(&self) -> String {
        minutes_text(self.figure.allowed_ms)
    }
    pub fn used(&self) -> String {
        minutes_text(self.figure.used_ms)
    }
    pub fn left(&self) -> String {
        minutes_text(self.figure.left_ms)
    }
    pub fn uptime(&self) -> String {
        self.figure.uptime_text().unwrap_or_else(|| "—".into())
    }
    pub fn standing(&self) -> &'static str {
        self.figure.standing.label()
    }
    pub fn standing_key(&self) -> &'static str {
        self.figure.standing.key()
    }
    /// The used share of the allowance out of 300 (the chart's width), capped at the width.
    pub fn used_bar(&self) -> i64 {
        (self.figure.used_ms * 300)
            .checked_div(self.figure.allowed_ms)
            .unwrap_or(0)
            .clamp(0, 300)
    }
}

/// The surveys answered in the month about the client's incidents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Satisfaction {
    pub answered: i64,
    /// (rating, answers) for 5 down to 1.
    pub distribution: Vec<(i64, i64)>,
    /// Average rating in hundredths.
    pub average_hundredths: Option<i64>,
}

impl Satisfaction {
    pub fn average(&self) -> String {
        self.average_hundredths
            .map(|a| format!("{}.{:02} of 5", a / 100, a % 100))
            .unwrap_or_else(|| "no answers".into())
    }

    /// The bar of a rating's answers out of 300.
    pub fn bar(&self, answers: &i64) -> i64 {
        (answers * 300).checked_div(self.answered).unwrap_or(0)
    }
}

/// An open high or critical risk with its current treatment and where the client stands on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskLine {
    pub id: i64,
    pub title: String,
    pub level: String,
    pub treatment: String,
    pub acceptance: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RiskSummary {
    /// (level label, open risks) from critical down to low, then "Not analysed".
    pub counts: Vec<(String, i64)>,
    pub listed: Vec<RiskLine>,
}

/// A past sending of a month's report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendLine {
    pub sent_at: NaiveDateTime,
    pub sent_by: String,
    pub recipients: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct MonthlyReport {
    pub client: ClientRow,
    pub zone: Tz,
    pub month: Month,
    pub sla: Vec<SlaMonth>,
    pub tickets: Vec<TicketCounts>,
    pub services: Vec<ServiceMonth>,
    pub satisfaction: Satisfaction,
    pub risks: RiskSummary,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resolution_rate_counts_breaches_against_it_and_reads_a_dash_when_nothing_fell_due() {
        let line = |solved, resolution_met, resolution_breached| SlaMonth {
            solved,
            resolution_met,
            resolution_breached,
            ..SlaMonth::default()
        };
        for (sla, rate, per_mille) in [
            (line(0, 0, 0), "—", 0),
            (line(3, 2, 1), "50.0 %", 500),
            (line(3, 3, 0), "100.0 %", 1000),
            (line(0, 0, 2), "0.0 %", 0),
            (line(2, 1, 1), "33.3 %", 333),
        ] {
            assert_eq!(sla.resolution_rate(), rate, "{sla:?}");
            assert_eq!(sla.resolution_per_mille(), per_mille, "{sla:?}");
        }
    }

    #[test]
    fn the_average_rating_is_truncated_to_hundredths_and_no_answers_say_so() {
        let of = |answered, average_hundredths| Satisfaction {
            answered,
            distribution: Vec::new(),
            average_hundredths,
        };
        assert_eq!(of(0, None).average(), "no answers");
        assert_eq!(of(3, Some(433)).average(), "4.33 of 5");
        assert_eq!(of(1, Some(500)).average(), "5.00 of 5");
        assert_eq!(of(2, Some(105)).average(), "1.05 of 5");
        assert_eq!(of(0, None).bar(&0), 0);
        assert_eq!(of(4, Some(400)).bar(&1), 75);
        assert_eq!(of(4, Some(400)).bar(&4), 300);
    }
}
