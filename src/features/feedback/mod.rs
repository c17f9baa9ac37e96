//! Feedback: members send suggestions, bug reports and content requests (optionally
//! anonymous); staff see each with status buttons (new → planned → done / declined), the
//! author hears of every change, and adopted feedback earns `points.feedback_adopted` once.
//!
//! `render.rs` the staff post (pure), `ops.rs` the writes in a transaction, `actions.rs` the
//! writes a door calls, `store.rs` the SQL, `commands.rs` `/feedback`, `error.rs`.

pub mod actions;
pub mod commands;
pub mod doors;
pub mod error;
pub mod ops;
pub mod render;
pub mod store;

pub use commands::commands;
pub use error::FeedbackError;

/// Status buttons: `lyceum:fb:<id>:<status>`.
pub const BUTTON_PREFIX: &str = "lyceum:fb:";
/// The Reply button and its form: `lyceum:fbr:<id>`.
pub const REPLY_PREFIX: &str = "lyceum:fbr:";

pub const KINDS: [&str; 3] = ["suggestion", "bug", "content_request"];
/// Where a piece of feedback stands. Staff move it to any status but `New`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    New,
    Planned,
    Done,
    Declined,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::New, Status::Planned, Status::Done, Status::Declined];

    /// As stored and as in a button's custom id.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Planned => "planned",
            Status::Done => "done",
            Status::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether staff can set it (a status button, the staff page's form).
    pub fn settable(self) -> bool {
        self != Status::New
    }

    /// Its name in `locale`.
    pub fn label(self, locale: crate::i18n::Locale) -> String {
        match self {
            Status::New => crate::t!(locale, "feedback-status-new"),
            Status::Planned => crate::t!(locale, "feedback-status-planned"),
            Status::Done => crate::t!(locale, "feedback-status-done"),
            Status::Declined => crate::t!(locale, "feedback-status-declined"),
        }
    }
}
