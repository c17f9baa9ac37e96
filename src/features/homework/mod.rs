//! 作业 / 点评: staff set assignments (`/homework assign`), members hand in
//! (`/homework submit`), staff review each submission from its post with **Reviewed / Needs
//! work / ⭐ Featured** and a comment (a modal); the member gets the review by DM; points on
//! handing in and on ⭐. `/homework status` and `/homework stats` (with the submissions
//! waiting more than 48 hours).
//!
//! `render.rs` posts, modal and lists (pure), `store.rs` the SQL, `ops.rs` the writes in a
//! transaction, `actions.rs` the writes a door calls, `commands.rs` `/homework`, `error.rs`.

pub mod actions;
pub mod commands;
pub mod doors;
pub mod error;
pub mod ops;
pub mod render;
pub mod store;

pub use commands::commands;
pub use error::HomeworkError;

/// Review buttons under a submission's staff post: `lyceum:hw:<submission>:<status>`.
pub const BUTTON_PREFIX: &str = "lyceum:hw:";
/// The review modal: `lyceum:hwm:<submission>:<status>`, field `comment`.
pub const MODAL_PREFIX: &str = "lyceum:hwm:";
crate::vocabulary! {
    /// Where a submission stands: waiting, or what its review said.
    pub enum Status {
        Pending = ("pending", "homework-status-pending"),
        Reviewed = ("reviewed", "homework-status-reviewed"),
        NeedsWork = ("needs_work", "homework-status-needs-work"),
        Featured = ("featured", "homework-status-featured"),
    }
}

impl Status {
    /// What a review can say (a review button each).
    pub fn is_review(self) -> bool {
        self != Status::Pending
    }

    /// Whether the member may hand in again (not yet reviewed, or asked to rework).
    pub fn open_to_resubmit(self) -> bool {
        matches!(self, Status::Pending | Status::NeedsWork)
    }
}
/// A submission waiting longer than this is listed in `/homework stats` and the staff digest.
pub const REVIEW_WITHIN_MS: i64 = 48 * 3_600_000;

/// The weekly staff digest's homework lines: the submissions waiting more than 48 hours, or
/// nothing when none are.
pub async fn waiting_report(
    db: &crate::db::Db,
    now: chrono::DateTime<chrono::Utc>,
    locale: crate::i18n::Locale,
) -> sqlx::Result<Option<String>> {
    let now = crate::clock::to_millis(now);
    let mut conn = db.read.acquire().await?;
    let waiting = store::waiting_since(&mut conn, now - REVIEW_WITHIN_MS).await?;
    if waiting.is_empty() {
        return Ok(None);
    }
    let mut lines = vec![crate::t!(
        locale,
        "homework-waiting",
        count = waiting.len() as i64
    )];
    lines.extend(waiting.iter().map(|s| {
        crate::t!(
            locale,
            "homework-waiting-line",
            id = s.assignment_id,
            member = format!("<@{}>", s.member_id),
            hours = (now - s.submitted_at) / 3_600_000
        )
    }));
    Ok(Some(lines.join("\n")))
}
