//! The monthly client service report as a mail: the report itself in HTML and plain text (no
//! images, no links to follow: clients have no account), with the sender's note above it.

use crate::db::reports::monthly::figures::MonthlyReport;

#[derive(Clone, Debug)]
pub struct ServiceReportMail {
    pub contact_name: String,
    pub note: String,
    /// The manager who sends it, who signs the mail.
    pub sender: String,
    pub report: MonthlyReport,
}

email!(
    ServiceReportMail,
    "service_report",
    "email/service_report/subject.txt",
    "email/service_report/body.txt",
    "email/service_report/body.html"
);
