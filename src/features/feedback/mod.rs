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

pub const KINDS: [&str; 3] = ["suggestion", "bug", "content_request"];
pub const STATUSES: [&str; 4] = ["new", "planned", "done", "declined"];
