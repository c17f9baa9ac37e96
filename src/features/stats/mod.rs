//! Activity and retention analytics: daily activity counted in memory and written in batches,
//! an overview, weekly join cohorts with their product conversion, members at risk, CSV
//! export, and charts.
//!
//! `activity.rs` the in-memory counters and their writer (this feature's engine), `store.rs`
//! the analytics queries (a read-only model over the community's tables), `charts.rs` PNG
//! charts (pure), `commands.rs` `/stats …`, `error.rs`.

pub mod activity;
pub mod charts;
pub mod commands;
pub mod doors;
pub mod error;
pub mod renewal_rate;
pub mod report;
pub mod report_job;
pub mod store;
mod text;

pub use activity::Activity;
pub use commands::commands;
pub use error::StatsError;

/// A share as a whole percentage (`42%`), `–` when there is nothing to divide by.
pub fn percent(share: Option<f64>) -> String {
    share.map_or("–".to_string(), |x| format!("{:.0}%", x * 100.0))
}

/// The daily activity counters `app::start` added to the state.
pub fn activity(app: &crate::state::AppState) -> &Activity {
    app.part()
}
