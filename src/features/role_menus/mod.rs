//! Self-chosen roles: `[[roles.menus]]` posted as buttons or a select menu (`/roles post`);
//! a press toggles the member's choice, checked on the server against the menu's required
//! level or product, and the role follows through the outbox. `/roles check` lists the menu
//! roles the bot cannot hand out. The rules gate can offer a menu right after "I accept".
//!
//! `rules.rs` what a press changes (pure), `render.rs` the menu message, `store.rs` the choices,
//! `ops.rs` the writes in a transaction, `actions.rs` the writes a door calls, `roles.rs` the
//! menu's say in the delivery worker's role truth, `commands.rs` `/roles`, `error.rs`.

pub mod actions;
pub mod commands;
pub mod doors;
pub mod error;
pub mod ops;
pub mod render;
pub mod roles;
pub mod rules;
pub mod store;

pub use commands::commands;
pub use error::MenuError;

/// Buttons `lyceum:rm:<menu>:<role>`; a select menu `lyceum:rm:<menu>`.
pub const BUTTON_PREFIX: &str = "lyceum:rm:";
