//! Community features. Each folder: `mod.rs` (its public face and `commands()`), `rules.rs`
//! (pure decisions), `ops.rs` (one function per write), `store.rs` (SQL), `commands.rs`
//! (poise), `error.rs` (its user errors). Only `commands.rs` files touch poise or serenity's
//! client types. What they all share is core (`audit`, `modlog`, `access`, `outbox`, `grants`).

pub mod admin;
pub mod challenge;
pub mod community;
pub mod course;
pub mod feedback;
pub mod highlights;
pub mod homework;
pub mod membership;
pub mod moderation;
pub mod points;
pub mod qa;
pub mod role_menus;
pub mod schedule;
pub mod stats;
