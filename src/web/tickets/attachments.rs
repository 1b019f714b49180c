//! Files on a ticket: upload (kept in the database) and download.

use actix_web::{HttpResponse, web};

use super::forms::{FormKey, PageForms};
use super::runner::refused;
use crate::db::attachments::{self, MAX_ATTACHMENT_BYTES, human_size};
use crate::db::{self};
use crate::domain::ids::{AttachmentId, TicketId};
use crate::domain::inputs::FieldErrors;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::page::{FlashKind, flash, redirect, url_encode};

/// Uploads a file to the ticket (multipart; the CSRF token travels in the query string).
pub async fn upload(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    mut payload: actix_multipart::Multipart,
) -> AppResult<HttpResponse> {
    use futures_util::StreamExt;
    let id = TicketId(path.into_inner());
    let mut upload: Option<(String, String, Vec<u8>)> = None;
    let mut too_large = false;
    // A body that is not multipart, or breaks off, is the sender's problem: the form comes
    // back asking for the file again, never a server error.
    let mut unreadable = false;
    while let Some(field) = payload.next().await {
        let mut field = match field {
            Ok(field) => field,
            Err(e) => {
                tracing::info!(error = %e, "unreadable upload");
                unreadable = true;
                break;
            }
        };
        if field.name() != Some("file") {
            continue;
        }
        let filename = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(crate::domain::inputs::attachment_name)
            .unwrap_or_else(|| "attachment".into());
        let content_type = field
            .content_type()
            .map(|m| m.essence_str().to_string())
            .unwrap_or_else(|| "application/octet-stream".into());
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let Ok(chunk) = chunk else {
                unreadable = true;
                break;
            };
            if data.len() + chunk.len() > MAX_ATTACHMENT_BYTES {
                too_large = true;
                break;
            }
            data.extend_from_slice(&chunk);
        }
        if !too_large && !unreadable {
            upload = Some((filename, content_type, data));
        }
        break;
    }
    let refusal = if unreadable {
        Some("The file did not arrive whole; choose it again and attach it.".into())
    } else if too_large {
        Some(format!(
            "That file is larger than {}; attach a smaller one or a zipped extract.",
            human_size(MAX_ATTACHMENT_BYTES)
        ))
    } else if upload.as_ref().is_none_or(|(_, _, data)| data.is_empty()) {
        Some("Choose a file to attach.".into())
    } else {
        None
    };
    if let Some(message) = refusal {
        let errors = FieldErrors::single("file", message);
        return refused(
            &state,
            &user,
            id,
            errors,
            FormKey::Attach,
            PageForms::default(),
        )
        .await;
    }
    let Some((filename, content_type, data)) = upload else {
        return Err(AppError::internal("upload vanished"));
    };
    let (actor, now) = (user.id(), state.clock.now());
    let name = filename.clone();
    db::run(&state.pool, move |conn| {
        attachments::attach(conn, actor, id, &name, &content_type, &data, now)
    })
    .await?;
    flash(
        &user.session,
        FlashKind::Success,
        format!("{filename} attached."),
    );
    Ok(redirect(&format!("/tickets/{}#attachments", id.0)))
}

/// Always a download, never shown inline: an uploaded page or image is not run in the desk.
pub async fn download(
    state: web::Data<AppState>,
    _user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (ticket, attachment) = path.into_inner();
    let (filename, data) = db::run(&state.pool, move |conn| {
        attachments::attachment(conn, TicketId(ticket), AttachmentId(attachment))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{filename}\"; filename*=UTF-8''{}",
                url_encode(&filename)
            ),
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-store"))
        .body(data))
}
