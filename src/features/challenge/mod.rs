//! 打卡 check-in challenges: a daily prompt at a local time for N days, a check-in button that
//! opens a modal (text, optional link) until the day's deadline, excuses (请假) that keep the
//! streak, points per check-in and for finishing, a completion role, and stats with a chart.
//!
//! `rules.rs` the plan of days, streaks and finishing (pure), `store.rs` the SQL, `ops.rs` the
//! writes in a transaction, `actions.rs` the writes a door calls, `job.rs` the poster that
//! posts each day once and decides finishers, `render.rs` what members read, `roles.rs` the
//! completion role's say in the role truth, `commands.rs` `/challenge`, `error.rs`.

pub mod actions;
pub mod commands;
pub mod doors;
pub mod error;
pub mod job;
pub mod ops;
pub mod render;
pub mod roles;
pub mod rules;
pub mod store;

pub use commands::commands;
pub use error::ChallengeError;

/// The day's check-in button: `lyceum:ck:<challenge>:<day>`.
pub const BUTTON_PREFIX: &str = "lyceum:ck:";
/// The check-in modal: `lyceum:ckm:<challenge>:<day>`, fields `text` and `link`.
pub const MODAL_PREFIX: &str = "lyceum:ckm:";

/// Wakes the poster when a challenge is created.
pub const CHALLENGES: crate::state::Topic = crate::state::Topic("challenges");
