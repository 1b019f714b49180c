//! Admin pages for what clients are promised: business calendars with their holidays, SLA
//! policies, and the priority matrix. Each shows what a ticket logged now would be due by.

mod calendars;
mod index;
mod matrix;
mod policies;
mod preview;

pub use calendars::{
    add_holiday, create_calendar, new_calendar_form, remove_holiday, show_calendar, update_calendar,
};
pub use index::index;
pub use matrix::{show_matrix, update_matrix};
pub use policies::{create_policy, new_policy_form, show_policy, update_policy};
pub use preview::{PreviewRow, preview_rows};
