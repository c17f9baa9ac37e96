//! Drip-released course content: a course's `[[products.lessons]]` unlock relative to each
//! member's own first grant of it (not the product's launch), with a DM per lesson and, where
//! configured, a lesson role (one role per stage: Discord allows 250 roles and scales them to
//! any number of members, where per-member channel overwrites do not). A renewal never
//! re-locks: an unlock is a row written once.
//!
//! `rules.rs` which lessons are due (pure), `store.rs` the SQL, `job.rs` the unlocker,
//! `roles.rs` the lesson roles' say in the role truth, `commands.rs` `/course progress`.

pub mod commands;
pub mod job;
pub mod roles;
pub mod rules;
pub mod store;

pub use commands::commands;
