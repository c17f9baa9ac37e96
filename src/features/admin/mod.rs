//! Staff levels (`/admin grant|revoke|list`), the audit log (`/admin audit`), the outbox view and
//! re-queue (`/admin outbox|retry`) and config reload (`/admin reload`); on a member's join, the
//! staff role of their level comes back.
//!
//! The model every feature folder copies: `rules.rs` decides (pure), `ops.rs` writes (one
//! function per write, in the caller's transaction), `actions.rs` opens that transaction for a
//! door, `store.rs` holds the SQL (staff grants are core: `access::store`), `commands.rs`
//! parses and renders, `error.rs` says what went wrong, `locales/*/admin.ftl` has the words.

pub mod actions;
pub mod commands;
pub mod doors;
pub mod error;
pub mod ops;
pub mod roles;
pub mod rules;

pub use commands::commands;
pub use error::AdminError;
