//! Rule enforcement: community rules with an acceptance gate, CJK-aware automod (compiled once
//! per config load, decided in memory), warnings that expire or decay and escalate, moderator
//! commands, and mod-log embeds for all of it.
//!
//! Same shape as `admin`: `automod.rs` and `warnings.rs` (pure), `engine.rs` (the hot path's
//! memory), `ops.rs` (one function per write), `store.rs` (SQL), `commands.rs`, `error.rs`,
//! `locales/*/rules.ftl`.

pub mod actions;
pub mod automod;
pub mod commands;
pub mod doors;
pub mod engine;
pub mod error;
pub mod ops;
pub mod roles;
pub mod store;
pub mod warnings;

pub use commands::commands;
pub use engine::Engine;
pub use error::ModerationError;

/// Automod's engine `app::start` added to the state.
pub fn engine(app: &crate::state::AppState) -> &Engine {
    app.part()
}
