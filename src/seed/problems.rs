//! The demo desk's problems: one under investigation with two incidents, one published as a
//! known error (its K-n in the KEDB) with its request for change awaiting a manager (who is
//! mailed it), and one taken through the whole process (approved RFC, resolved with its KB
//! article, reviewed, closed and archived), so a newcomer sees each stage. Links the demo
//! incidents the other seeds made; creates no ticket.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::problems::review::{self, ReviewInput};
use crate::db::problems::rfc::{self, RfcInput};
use crate::db::problems::{self, Analysis, NewProblem};
use crate::db::schema::{problem_incidents, problems as problem_rows, tickets};
use crate::db::users::UserRow;
use crate::db::{self, DbConn};
use crate::domain::ids::TicketId;
use crate::domain::inputs::EmailAddress;
use crate::domain::priority::{Impact, Urgency};
use crate::domain::problem::{ProblemId, Step};
use crate::domain::ticket::Kind;
use crate::mail::messages::MailContext;

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

fn refused(what: &'static str) -> impl Fn(crate::domain::inputs::FieldErrors) -> anyhow::Error {
    move |e| anyhow::anyhow!("demo problem, {what}: {e:?}")
}

fn staff(conn: &mut DbConn, email: &str) -> anyhow::Result<UserRow> {
    db::users::find_by_email(conn, &EmailAddress::parse(email).map_err(err)?)
        .map_err(err)?
        .ok_or_else(|| anyhow::anyhow!("demo account {email} is missing"))
}

struct Demo {
    subject: &'static str,
    description: &'static str,
    root_cause: &'static str,
    workaround: &'static str,
    permanent_solution: &'static str,
    steps: &'static [Step],
    rfc: bool,
    rfc_approved: bool,
    review_and_archive: bool,
    incidents: usize,
}

const DEMOS: [Demo; 3] = [
    Demo {
        subject: "Printers drop off the network after overnight sleep",
        description: "Several office printers stop answering after the night and need a power cycle each morning.",
        root_cause: "",
        workaround: "",
        permanent_solution: "",
        steps: &[Step::Investigate],
        rfc: false,
        rfc_approved: false,
        review_and_archive: false,
        incidents: 2,
    },
    Demo {
        subject: "Mailbox sync stalls on the shared calendar",
        description: "Shared calendars stop syncing to phones for several users at once.",
        root_cause: "The shared mailbox exceeds the mobile sync item limit.",
        workaround: "Remove and re-add the shared calendar on the phone; sync resumes for a week.",
        permanent_solution: "Archive calendar items older than two years and raise the sync limit.",
        steps: &[Step::Investigate, Step::RootCause, Step::KnownError],
        rfc: true,
        rfc_approved: false,
        review_and_archive: false,
        incidents: 1,
    },
    Demo {
        subject: "VPN clients disconnect every hour",
        description: "Remote staff lose the VPN every sixty minutes and must reconnect.",
        root_cause: "The VPN concentrator renegotiated keys with a lifetime shorter than the clients' setting.",
        workaround: "Reconnect the VPN client; work is not lost.",
        permanent_solution: "Key lifetime aligned to eight hours on the concentrator and the client profile.",
        steps: &[
            Step::Investigate,
            Step::RootCause,
            Step::KnownError,
            Step::FixInChange,
            Step::Resolve,
        ],
        rfc: true,
        rfc_approved: true,
        review_and_archive: true,
        incidents: 0,
    },
];

/// Seeds the demo problems once; answers how many it logged.
pub fn seed_problems(
    conn: &mut DbConn,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let seeded: i64 = problem_rows::table.count().get_result(conn)?;
    if seeded > 0 {
        return Ok(0);
    }
    let priya = staff(conn, "priya.nair@msp.example")?;
    let sam = staff(conn, "sam.lindqvist@msp.example")?;
    let morgan = staff(conn, "morgan.reyes@msp.example")?;
    let mut free: Vec<(i64, i64, Option<i64>)> = tickets::table
        .left_join(problem_incidents::table)
        .filter(tickets::kind.eq(Kind::Incident.as_str()))
        .filter(problem_incidents::ticket_id.is_null())
        .order(tickets::id.asc())
        .limit(3)
        .select((tickets::id, tickets::client_id, tickets::category_id))
        .load(conn)?;
    let mut logged = 0;
    for (n, demo) in DEMOS.iter().enumerate() {
        let at =
            |minutes: i64| now - Duration::hours(72) + Duration::minutes(minutes + 60 * n as i64);
        let take = demo.incidents.min(free.len());
        let linked: Vec<(i64, i64, Option<i64>)> = free.drain(..take).collect();
        let owner = if n == 0 { &priya } else { &sam };
        let id: ProblemId = problems::create(
            conn,
            owner,
            &NewProblem {
                subject: demo.subject.into(),
                description: demo.description.into(),
                business_impact: "Staff lose working time every time it happens.".into(),
                symptoms: demo.description.into(),
                service_details: String::new(),
                equipment_details: String::new(),
                previous_fixes: "Restarted the affected devices.".into(),
                occurred_at: None,
                client_id: linked.first().map(|l| l.1),
                category_id: linked.first().and_then(|l| l.2),
                team: "Infrastructure".into(),
                owner: owner.id(),
                impact: Impact::Medium,
                urgency: Urgency::Medium,
                incidents: linked.iter().map(|l| TicketId(l.0)).collect(),
            },
            at(0),
        )
        .map_err(err)?
        .map_err(refused("log"))?;
        let mut row = problems::get(conn, id).map_err(err)?;
        if !demo.root_cause.is_empty() {
            row = problems::save_analysis(
                conn,
                owner,
                id,
                row.version,
                &Analysis {
                    root_cause: demo.root_cause.into(),
                    workaround: demo.workaround.into(),
                    permanent_solution: demo.permanent_solution.into(),
                },
                at(5),
            )
            .map_err(err)?
            .map_err(refused("analysis"))?;
        }
        problems::add_note(
            conn,
            owner,
            id,
            "Collected the logs of the affected devices for the investigation.",
            at(6),
        )
        .map_err(err)?
        .map_err(refused("note"))?;
        for (i, step) in demo.steps.iter().enumerate() {
            if *step == Step::FixInChange && demo.rfc {
                file_rfc(conn, mail, owner, &morgan, id, demo.rfc_approved, at(9))?;
            }
            row = problems::take_step(conn, owner, id, row.version, *step, at(10 + i as i64))
                .map_err(err)?
                .map_err(refused("step"))?;
        }
        if demo.rfc && !demo.steps.contains(&Step::FixInChange) {
            file_rfc(conn, mail, owner, &morgan, id, demo.rfc_approved, at(30))?;
        }
        if demo.review_and_archive {
            review::record(
                conn,
                owner,
                id,
                &ReviewInput {
                    participants: "Sam Lindqvist, Priya Nair, Morgan Reyes".into(),
                    went_well: "The pattern was spotted from the incidents within a day.".into(),
                    went_wrong: "The key lifetime change was not recorded when it was made.".into(),
                    do_better: "Record configuration changes on the concentrator.".into(),
                    prevention: "Configuration changes go through change management.".into(),
                    third_party: "No".into(),
                    outcomes: "Known error retired; KB article updated.".into(),
                    decision: "Keep key lifetimes aligned in the client profile template.".into(),
                },
                at(40),
            )
            .map_err(err)?
            .map_err(refused("review"))?;
            for (i, step) in [Step::Close, Step::Archive].into_iter().enumerate() {
                row = problems::take_step(conn, owner, id, row.version, step, at(41 + i as i64))
                    .map_err(err)?
                    .map_err(refused("close"))?;
            }
        }
        logged += 1;
    }
    Ok(logged)
}

fn file_rfc(
    conn: &mut DbConn,
    mail: &MailContext,
    owner: &UserRow,
    manager: &UserRow,
    id: ProblemId,
    approve: bool,
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    let rfc_id = rfc::file(
        conn,
        owner,
        id,
        &RfcInput {
            what: "Change the configuration that causes the problem.".into(),
            why: "Removes the root cause, so the incidents stop.".into(),
            risk: "Low: one setting, tested on a lab device.".into(),
            rollback_plan: "Restore the saved configuration.".into(),
            planned_window: "Saturday 07:00-08:00".into(),
        },
        mail,
        at,
    )
    .map_err(err)?
    .map_err(refused("rfc"))?;
    if approve {
        rfc::decide(
            conn,
            manager,
            rfc_id,
            true,
            "Approved for the weekend window.",
            at,
        )
        .map_err(err)?
        .map_err(refused("rfc decision"))?;
    }
    Ok(())
}
