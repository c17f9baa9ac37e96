//! Points for participation: chat points with anti-farming rules (in memory, written in
//! batches), daily check-in with streaks and freezes, helpful answers, staff adjustments,
//! levels and level roles, leaderboards, and a rewards shop whose timed roles are grants.
//!
//! Same shape as `admin`: `rules.rs` (pure), `ops.rs` (one function per write), `store.rs`
//! (SQL), `commands.rs`, `error.rs`, `locales/*/points.ftl`; plus `engine.rs`, the hot path.

pub mod actions;
pub mod commands;
pub mod doors;
pub mod engine;
pub mod error;
pub mod import;
pub mod kind;
pub mod ops;
pub mod ranks;
pub mod roles;
pub mod rules;
pub mod store;

pub use commands::commands;
pub use engine::Engine;
pub use error::PointsError;
pub use kind::{Kind, OrderStatus};

/// The chat-points engine `app::start` added to the state.
pub fn engine(app: &crate::state::AppState) -> &Engine {
    app.part()
}
