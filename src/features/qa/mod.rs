//! Paid Q&A: a member asks an expert, the price is held in escrow, the expert's answer
//! releases it to them (minus the community's cut), and a question past its deadline is
//! refunded by a job.
//!
//! `ops.rs` the writes in a transaction, `job.rs` the deadline job, `actions.rs` the writes a
//! door calls, `store.rs` the SQL, `commands.rs` `/ask` `/answer` `/withdraw`, `error.rs`.

pub mod actions;
pub mod commands;
pub mod doors;
pub mod error;
pub mod job;
pub mod ops;
pub mod store;

pub use commands::commands;
pub use error::QaError;

/// 围观 Listen under an answer: `lyceum:qal:<question>`.
pub const LISTEN_PREFIX: &str = "lyceum:qal:";

/// A paid question was asked: the deadline job re-plans.
pub const QUESTIONS: crate::state::Topic = crate::state::Topic("questions");

crate::vocabulary! {
    /// Where a question stands: open (its price in escrow), or how it closed.
    pub enum Status {
        Open = ("open", "web-question-open"),
        Answered = ("answered", "web-question-answered"),
        /// Refunded by the deadline job.
        Refunded = ("refunded", "web-question-refunded"),
        /// Withdrawn by the asker.
        Withdrawn = ("withdrawn", "web-question-withdrawn"),
    }
}
