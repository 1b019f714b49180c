//! One risk: its profile, the analysis form (scores, classification, the tolerable /
//! intolerable decision with its reason, the owner), the treatment form with its controls,
//! milestones, the review, and the decision history.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::view::{RiskLine, risk_line};
use crate::db::risks::register::{self, Analysis, Proposal};
use crate::db::risks::{self as store, format_date};
use crate::db::{self};
use crate::domain::ids::{ClientId, ContactId};
use crate::domain::inputs::FieldErrors;
use crate::domain::risk::{Classification, Consequence, Decision, Likelihood, Score, Tolerance};
use crate::domain::risk_review::MilestoneKind;
use crate::domain::risk_ticket::{check_mark_in_place, check_may_open_ticket};
use crate::domain::risk_treatment::{Control, ControlKind, ControlState, TreatmentOption};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::forms::{Changed, conflict, invalid, required};
use crate::web::page::{Ctx, FlashKind, flash, redirect, render, render_status};

/// Control slots the treatment form offers; a page without JavaScript cannot add rows, and
/// three cover the blueprints' examples with room to spare.
const CONTROL_SLOTS: usize = 3;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnalyseForm {
    version: String,
    title: String,
    cause: String,
    source: String,
    vulnerability: String,
    owner: String,
    inherent_likelihood: String,
    inherent_consequence: String,
    residual_likelihood: String,
    residual_consequence: String,
    classification: String,
    tolerance: String,
    reason: String,
}

#[derive(Clone, Debug, Default)]
pub struct ControlSlot {
    pub n: usize,
    pub kind: String,
    pub what: String,
    pub owner: String,
    pub state: String,
}

pub struct MilestoneLine {
    pub kind: &'static str,
    pub date: String,
    pub note: String,
    pub passed: bool,
}

/// A control as the risk page lists it, with the ticket that carries it out.
pub struct ControlLine {
    pub id: i64,
    pub kind: &'static str,
    pub what: String,
    pub owner: String,
    pub state: &'static str,
    /// The ticket's number and its status in words.
    pub ticket: Option<(i64, &'static str)>,
    pub can_open_ticket: bool,
    pub can_mark_in_place: bool,
}

pub struct HistoryLine {
    pub at: String,
    pub who: String,
    pub change: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "risks/show.html")]
struct RiskPage {
    ctx: Ctx,
    line: RiskLine,
    client_id: i64,
    client_name: String,
    ticket_id: Option<i64>,
    asset: String,
    form: AnalyseForm,
    errors: FieldErrors,
    treat_errors: FieldErrors,
    options: Vec<(String, String, String, bool)>,
    slots: Vec<ControlSlot>,
    owners: Vec<(String, String)>,
    scale_l: Vec<(String, String)>,
    scale_c: Vec<(String, String)>,
    classifications: Vec<(String, String)>,
    tolerances: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    states: Vec<(String, String)>,
    milestones: Vec<MilestoneLine>,
    history: Vec<HistoryLine>,
    control_lines: Vec<ControlLine>,
    /// The remove-by date as the date field takes it, and its note; empty when none is set.
    deadline: String,
    deadline_note: String,
    version: i32,
    analysed: bool,
}

fn with_blank(
    first: &str,
    rest: impl IntoIterator<Item = (String, String)>,
) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), first.to_string())];
    v.extend(rest);
    v
}

async fn risk_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    form: Option<AnalyseForm>,
    errors: FieldErrors,
    treat: Option<(Vec<String>, Vec<ControlSlot>)>,
    treat_errors: FieldErrors,
) -> AppResult<RiskPage> {
    let today = state.clock.now().date_naive();
    let zone = user.zone();
    let (risk, line, client, asset, staff, controls, milestones, history, current) =
        db::run(&state.pool, move |conn| {
            let risk = store::get(conn, id)?;
            let line = risk_line(conn, &risk, today)?;
            let client = db::clients::get(conn, ClientId(risk.client_id))?;
            let asset = match risk.asset_id {
                Some(a) => store::assets_of(conn, risk.client_id)?
                    .into_iter()
                    .find(|x| x.id == a)
                    .map(|x| x.name),
                None => None,
            };
            let staff = db::users::list(conn)?;
            let name_of = |u: i64| {
                staff
                    .iter()
                    .find(|s| s.id == u)
                    .map(|s| s.display_name.clone())
                    .unwrap_or_else(|| format!("User #{u}"))
            };
            let controls = store::tickets::controls_with_tickets(conn, id)?;
            let milestones = store::milestones_of(conn, id)?;
            let mut history = Vec::new();
            for h in store::history_of(conn, id)? {
                let who = match (h.actor_id, h.contact_id) {
                    (Some(u), _) => name_of(u),
                    (None, Some(c)) => {
                        format!(
                            "{} (client)",
                            db::clients::get_contact(conn, ContactId(c))?.name
                        )
                    }
                    (None, None) => "tierdesk".into(),
                };
                history.push((h, who));
            }
            let current = risk
                .current_treatment_id
                .map(|t| store::treatment(conn, t))
                .transpose()?;
            Ok((
                risk, line, client, asset, staff, controls, milestones, history, current,
            ))
        })
        .await?;
    let form = form.unwrap_or_else(|| AnalyseForm {
        version: risk.version.to_string(),
        title: risk.title.clone(),
        cause: risk.cause.clone(),
        source: risk.source.clone(),
        vulnerability: risk.vulnerability.clone(),
        owner: risk.owner_id.map(|o| o.to_string()).unwrap_or_default(),
        inherent_likelihood: num(risk.inherent_likelihood),
        inherent_consequence: num(risk.inherent_consequence),
        residual_likelihood: num(risk.residual_likelihood),
        residual_consequence: num(risk.residual_consequence),
        classification: risk.classification.clone().unwrap_or_else(|| {
            Classification::default_for(crate::domain::risk::Level::Low)
                .as_str()
                .into()
        }),
        tolerance: risk.tolerance.clone().unwrap_or_default(),
        reason: risk.decision_reason.clone(),
    });
    let (chosen, slots) = treat.unwrap_or_else(|| {
        let chosen = current
            .map(|t| t.options.split(',').map(str::to_string).collect())
            .unwrap_or_default();
        let mut slots: Vec<ControlSlot> = controls
            .iter()
            .map(|c| &c.control)
            .map(|c| ControlSlot {
                n: 0,
                kind: c.kind.clone(),
                what: c.what.clone(),
                owner: c.owner_id.to_string(),
                state: c.state.clone(),
            })
            .collect();
        slots.resize_with(CONTROL_SLOTS.max(slots.len()), ControlSlot::default);
        (chosen, slots)
    });
    let slots = slots
        .into_iter()
        .enumerate()
        .map(|(i, s)| ControlSlot { n: i + 1, ..s })
        .collect();
    let owners: Vec<(String, String)> = staff
        .iter()
        .filter(|u| u.active)
        .map(|u| (u.id.to_string(), u.display_name.clone()))
        .collect();
    let control_lines = controls
        .iter()
        .map(|c| {
            let state = ControlState::parse(&c.control.state).unwrap_or(ControlState::Planned);
            ControlLine {
                id: c.control.id,
                kind: ControlKind::parse(&c.control.kind)
                    .map(ControlKind::label)
                    .unwrap_or("Control"),
                what: c.control.what.clone(),
                owner: staff
                    .iter()
                    .find(|u| u.id == c.control.owner_id)
                    .map(|u| u.display_name.clone())
                    .unwrap_or_default(),
                state: state.label(),
                ticket: c.control.ticket_id.map(|t| (t, c.ticket_label)),
                can_open_ticket: check_may_open_ticket(state, c.control.ticket_id).is_ok(),
                can_mark_in_place: check_mark_in_place(state, c.ticket).is_ok(),
            }
        })
        .collect();
    let (deadline, deadline_note) = milestones
        .iter()
        .find(|m| m.kind == MilestoneKind::Deadline.as_str())
        .map(|m| (m.due_on.format("%Y-%m-%d").to_string(), m.note.clone()))
        .unwrap_or_default();
    Ok(RiskPage {
        ctx: user.ctx(),
        control_lines,
        deadline,
        deadline_note,
        line,
        client_id: client.id,
        client_name: client.name,
        ticket_id: risk.ticket_id,
        asset: asset.unwrap_or_else(|| "—".into()),
        form,
        errors,
        treat_errors,
        options: TreatmentOption::ALL
            .into_iter()
            .map(|o| {
                (
                    o.as_str().to_string(),
                    o.label().to_string(),
                    o.description().to_string(),
                    chosen.iter().any(|c| c == o.as_str()),
                )
            })
            .collect(),
        slots,
        owners: with_blank("Choose the owner", owners.clone()),
        scale_l: with_blank(
            "Choose",
            Likelihood::ALL.map(|l| (l.number().to_string(), l.to_string())),
        ),
        scale_c: with_blank(
            "Choose",
            Consequence::ALL.map(|c| (c.number().to_string(), c.to_string())),
        ),
        classifications: Classification::ALL
            .map(|c| (c.as_str().to_string(), c.label().to_string()))
            .to_vec(),
        tolerances: with_blank(
            "Choose",
            Tolerance::ALL.map(|t| (t.as_str().to_string(), t.label().to_string())),
        ),
        kinds: ControlKind::ALL
            .map(|k| (k.as_str().to_string(), k.label().to_string()))
            .to_vec(),
        states: ControlState::ALL
            .map(|s| (s.as_str().to_string(), s.label().to_string()))
            .to_vec(),
        milestones: milestones
            .into_iter()
            .map(|m| MilestoneLine {
                kind: MilestoneKind::parse(&m.kind)
                    .map(MilestoneKind::label)
                    .unwrap_or("Milestone"),
                date: format_date(m.due_on),
                note: m.note,
                passed: m.due_on < today,
            })
            .collect(),
        history: history
            .into_iter()
            .map(|(h, who)| HistoryLine {
                at: crate::format::format_time(h.at, zone),
                who,
                change: h.change,
                reason: h.reason,
            })
            .collect(),
        version: risk.version,
        analysed: !risk.is_draft(),
    })
}

fn num(n: Option<i32>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let page = risk_page(
        &state,
        &user,
        id,
        None,
        FieldErrors::new(),
        None,
        FieldErrors::new(),
    )
    .await?;
    render(&page)
}

fn parse_id(raw: &str, missing: &str) -> Result<i64, String> {
    raw.trim().parse::<i64>().map_err(|_| missing.to_string())
}

fn conflicted(
    user: &CurrentUser,
    id: i64,
    message: String,
    kept: String,
) -> AppResult<HttpResponse> {
    let subject = format!("Risk #{id}");
    let back = format!("/risks/{id}");
    conflict(
        user.ctx(),
        Changed {
            subject: &subject,
            back: &back,
            back_label: "Open the risk as it is now",
        },
        message,
        kept,
    )
}

/// Analyses (or re-analyses) a risk. A draft is recorded by this and its discovery mailed to
/// the client's risk contacts.
pub async fn analyse(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<AnalyseForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let form = form.into_inner();
    let mut e = FieldErrors::new();
    let version = e.take(
        "version",
        form.version
            .trim()
            .parse::<i32>()
            .map_err(|_| "Reload the page.".to_string()),
    );
    let title = e.take("title", required(&form.title, "what the risk is"));
    let owner = e.take(
        "owner",
        parse_id(&form.owner, "Choose the owner: every risk needs one."),
    );
    let il = e.take(
        "inherent_likelihood",
        Likelihood::parse(&form.inherent_likelihood),
    );
    let ic = e.take(
        "inherent_consequence",
        Consequence::parse(&form.inherent_consequence),
    );
    let rl = e.take(
        "residual_likelihood",
        Likelihood::parse(&form.residual_likelihood),
    );
    let rc = e.take(
        "residual_consequence",
        Consequence::parse(&form.residual_consequence),
    );
    let classification = e.take(
        "classification",
        Classification::parse(&form.classification),
    );
    let tolerance = e.take("tolerance", Tolerance::parse(&form.tolerance));
    let decision = tolerance.and_then(|t| e.take("reason", Decision::new(t, &form.reason)));
    let (
        Some(version),
        Some(title),
        Some(owner),
        Some(il),
        Some(ic),
        Some(rl),
        Some(rc),
        Some(classification),
        Some(decision),
    ) = (
        version,
        title,
        owner,
        il,
        ic,
        rl,
        rc,
        classification,
        decision,
    )
    else {
        return invalid(
            &risk_page(&state, &user, id, Some(form), e, None, FieldErrors::new()).await?,
        );
    };
    let analysis = Analysis {
        title,
        cause: form.cause.trim().to_string(),
        source: form.source.trim().to_string(),
        vulnerability: form.vulnerability.trim().to_string(),
        owner,
        inherent: Score::new(il, ic),
        residual: Score::new(rl, rc),
        classification,
        decision,
    };
    let (now, mail, actor) = (state.clock.now(), state.mail(), user.row.clone());
    let outcome = db::run(&state.pool, move |conn| {
        register::analyse(conn, &actor, id, version, &analysis, &mail, now)
    })
    .await;
    match outcome {
        Ok(Ok(())) => {
            flash(
                &user.session,
                FlashKind::Success,
                "Risk analysed and recorded; the client's risk contacts are told.",
            );
            Ok(redirect(&format!("/risks/{id}")))
        }
        Ok(Err(errors)) => invalid(
            &risk_page(
                &state,
                &user,
                id,
                Some(form),
                errors,
                None,
                FieldErrors::new(),
            )
            .await?,
        ),
        Err(AppError::Conflict(message)) => conflicted(&user, id, message, form.reason),
        Err(e) => Err(e),
    }
}

/// Decides the treatment: the options ticked and the controls filled in. The client is asked
/// to accept it; a changed treatment asks again.
pub async fn treat(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let fields = form.into_inner();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let chosen: Vec<String> = TreatmentOption::ALL
        .into_iter()
        .filter(|o| !field(&format!("option_{}", o.as_str())).is_empty())
        .map(|o| o.as_str().to_string())
        .collect();
    let slots: Vec<ControlSlot> = (1..=CONTROL_SLOTS)
        .map(|n| ControlSlot {
            n,
            kind: field(&format!("control_{n}_kind")),
            what: field(&format!("control_{n}_what")),
            owner: field(&format!("control_{n}_owner")),
            state: field(&format!("control_{n}_state")),
        })
        .collect();
    let mut errors = FieldErrors::new();
    let mut controls = Vec::new();
    for slot in slots.iter().filter(|s| !s.what.trim().is_empty()) {
        let kind = ControlKind::parse(&slot.kind);
        let state_ = ControlState::parse(&slot.state);
        let owner = parse_id(&slot.owner, "Choose who carries the control out.");
        match (kind, state_, owner) {
            (Ok(kind), Ok(state_), Ok(owner_id)) => controls.push(Control {
                kind,
                what: slot.what.trim().to_string(),
                owner_id,
                state: state_,
            }),
            (_, _, Err(message)) | (Err(message), _, _) | (_, Err(message), _) => {
                errors.add("controls", message);
            }
        }
    }
    let version = field("version").trim().parse::<i32>().ok();
    let Some(version) = version.filter(|_| errors.is_empty()) else {
        if errors.is_empty() {
            errors.add("options", "Reload the page and try again.");
        }
        let page = risk_page(
            &state,
            &user,
            id,
            None,
            FieldErrors::new(),
            Some((chosen, slots)),
            errors,
        )
        .await?;
        return invalid(&page);
    };
    let options: Vec<TreatmentOption> = chosen
        .iter()
        .filter_map(|c| TreatmentOption::parse(c).ok())
        .collect();
    let (now, mail, actor) = (state.clock.now(), state.mail(), user.row.clone());
    let outcome = db::run(&state.pool, move |conn| {
        register::decide_treatment(
            conn,
            &actor,
            id,
            version,
            Proposal { options, controls },
            &mail,
            now,
        )
    })
    .await;
    match outcome {
        Ok(Ok(())) => {
            flash(
                &user.session,
                FlashKind::Success,
                "Treatment decided; the client is asked to accept it.",
            );
            Ok(redirect(&format!("/risks/{id}")))
        }
        Ok(Err(errors)) => {
            let page = risk_page(
                &state,
                &user,
                id,
                None,
                FieldErrors::new(),
                Some((chosen, slots)),
                errors,
            )
            .await?;
            invalid(&page)
        }
        Err(AppError::ForbiddenBecause(message)) => {
            let mut errors = FieldErrors::new();
            errors.add("options", message);
            let page = risk_page(
                &state,
                &user,
                id,
                None,
                FieldErrors::new(),
                Some((chosen, slots)),
                errors,
            )
            .await?;
            render_status(&page, actix_web::http::StatusCode::FORBIDDEN)
        }
        Err(AppError::Conflict(message)) => conflicted(&user, id, message, String::new()),
        Err(e) => Err(e),
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    note: String,
}

/// Records a review; the next one follows the schedule of the risk's classification.
pub async fn review(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<ReviewForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let note = form.into_inner().note.trim().to_string();
    let (now, actor) = (state.clock.now(), user.row.clone());
    let outcome = db::run(&state.pool, move |conn| {
        register::reviewed(conn, &actor, id, &note, now)
    })
    .await;
    match outcome {
        Ok(()) => {
            flash(&user.session, FlashKind::Success, "Review recorded.");
            Ok(redirect(&format!("/risks/{id}")))
        }
        Err(AppError::Conflict(message)) => {
            flash(&user.session, FlashKind::Notice, message);
            Ok(redirect(&format!("/risks/{id}")))
        }
        Err(e) => Err(e),
    }
}
