//! 精华: staff add a message to the curated index with the message menu **Add to highlights**
//! and a topic (a modal); the topic's pinned index message in `channels.highlights` is edited
//! in place through the outbox (split across messages past Discord's limits); the author earns
//! `points.highlight` once; `/highlights [topic] [search]` finds them in Chinese and English; a
//! new paid member gets a "start here" DM with their product's highlights, once.
//!
//! `rules.rs` search and the index's parts (pure), `store.rs` the SQL, `ops.rs` the writes,
//! `actions.rs` the doors' calls, `render.rs` what members read, `job.rs` the start-here DMs,
//! `commands.rs` the menu and `/highlights`, `error.rs`.

pub mod actions;
pub mod commands;
pub mod doors;
pub mod error;
pub mod job;
pub mod ops;
pub mod render;
pub mod rules;
pub mod store;

pub use commands::commands;
pub use error::HighlightError;

/// The topic modal: `lyceum:hlm:<message>`, fields `topic` and `title`.
pub const MODAL_PREFIX: &str = "lyceum:hlm:";
