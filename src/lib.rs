//! Lyceum: a self-hosted Discord bot for paid knowledge communities.
//!
//! Functional core, thin shell: features decide with plain functions over plain data, persist
//! through `store.rs` modules, and reach Discord only through the durable [`outbox`].

pub mod access;
pub mod app;
pub mod audit;
pub mod clock;
pub mod config;
pub mod db;
pub mod discord;
pub mod error;
pub mod features;
pub mod grants;
pub mod harness;
pub mod health;
pub mod i18n;
pub mod jobs;
pub mod logging;
pub mod member_actions;
pub mod member_locale;
pub mod members;
pub mod modlog;
pub mod outbox;
pub mod priority;
pub mod recurrence;
pub mod roles;
pub mod setup;
pub mod span;
pub mod staff_actions;
pub mod state;
pub mod vocabulary;
pub mod web;

pub use app::{run, start};
