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

crate::vocabulary! {
    /// What a piece of feedback is.
    pub enum Kind {
        Suggestion = ("suggestion", "feedback-kind-suggestion"),
        Bug = ("bug", "feedback-kind-bug"),
        ContentRequest = ("content_request", "feedback-kind-content"),
    }
}

crate::vocabulary! {
    /// Where a piece of feedback stands. Staff move it to any status but `New`.
    pub enum Status {
        New = ("new", "feedback-status-new"),
        Planned = ("planned", "feedback-status-planned"),
        Done = ("done", "feedback-status-done"),
        Declined = ("declined", "feedback-status-declined"),
    }
}

impl Status {
    /// Whether staff can set it (a status button, the staff page's form).
    pub fn settable(self) -> bool {
        self != Status::New
    }
}
