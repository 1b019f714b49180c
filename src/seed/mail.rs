//! The demo desk's incoming mail: a client's e-mail that opened a ticket, and one from a
//! stranger waiting in the unmatched queue, both through the same store-and-process path as
//! real mail.

use chrono::{DateTime, Utc};

use super::err;
use crate::db::DbConn;
use crate::db::inbound::process::{InboundContext, process};
use crate::db::inbound::{Source, Stored, store};
use crate::mail::messages::MailContext;

const MESSAGES: [&str; 2] = [
    "From: Raj Patel <raj.patel@northwind-dental.example>\r\n\
To: desk@msp.example\r\n\
Subject: X-ray viewer will not start on PC-04\r\n\
Message-ID: <demo-xray-viewer@northwind-dental.example>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Good morning,\r\n\
\r\n\
since the update last night the X-ray viewer on PC-04 in treatment room 2 closes right after\r\n\
the splash screen. The other rooms work. Could someone look before our 11:00 patients?\r\n\
\r\n\
Raj\r\n",
    "From: Lucky Winner Desk <prizes@lottery-notice.example>\r\n\
To: desk@msp.example\r\n\
Subject: Your invoice is overdue - open the attachment\r\n\
Message-ID: <demo-unmatched@lottery-notice.example>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Dear customer, please open the attached invoice today.\r\n",
];

pub(super) fn seed_mail(
    conn: &mut DbConn,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let ctx = InboundContext {
        mail: mail.clone(),
        own_address: String::new(),
    };
    for raw in MESSAGES {
        if let Stored::New(id) = store(conn, raw.as_bytes(), Source::Mailgate, now).map_err(err)? {
            process(conn, id, &ctx, now).map_err(err)?;
        }
    }
    Ok(())
}
