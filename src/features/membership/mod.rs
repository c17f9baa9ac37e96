//! Paid-role gating: products (membership tiers and courses) unlock a role; grants come from
//! admins, redeem codes, Stripe and Discord's own store, and end exactly when the paid time
//! plus grace ends. One table of truth (`grants`), one expiry job (`crate::grants::expiry`).
//!
//! `rules.rs` renewal arithmetic and codes (pure); `ops.rs` the writes; `stripe.rs` webhook
//! verification and events; `entitlements.rs` Discord's store; `notices.rs` the renewal
//! reminders job; `render.rs` what admins read; `commands.rs` the slash commands.

pub mod by_hand;
pub mod codes;
pub mod commands;
pub mod doors;
pub mod entitlements;
pub mod error;
pub mod gate;
pub mod import;
pub mod notices;
pub mod ops;
pub mod reconcile;
pub mod referrals;
pub mod render;
pub mod renewals;
pub mod roles;
pub mod rules;
pub mod store;
pub mod stripe;

pub use commands::commands;
pub use error::MembershipError;

/// Run a reconciliation pass now (tests, and what a config reload also does).
pub const RECONCILE: crate::state::Topic = crate::state::Topic("reconcile");
