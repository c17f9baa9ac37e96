//! What a feature lets staff do from the web, as data: an action on one of its items (a
//! feedback's status, a failed delivery's retry) with its route, the level it needs and its
//! operation. The web door registers every feature's actions and does the rest once for all:
//! the CSRF check, the level (on the server, every request), the user error as a page in the
//! reader's language, the way back. Adding a web action to a feature touches its folder only.

use std::collections::HashMap;

use futures::future::BoxFuture;
use serenity::all::UserId;

use crate::access::Level;
use crate::config::Config;
use crate::error::Error;
use crate::state::AppState;

/// Who acts: the staff member, their name and the level found for this request.
#[derive(Debug, Clone)]
pub struct Staff {
    pub id: UserId,
    pub name: String,
    pub level: Level,
}

/// Runs the action on item `id` with the form's fields.
pub type Run = for<'a> fn(
    &'a AppState,
    &'a Config,
    &'a Staff,
    i64,
    &'a HashMap<String, String>,
) -> BoxFuture<'a, Result<(), Error>>;

/// One staff action on the web.
#[derive(Clone, Copy)]
pub struct StaffAction {
    /// Below `/staff/`, with `:id` for the item: `feedback/:id`, `outbox/:id/retry`.
    pub route: &'static str,
    /// The least level that may run it.
    pub level: Level,
    pub run: Run,
    /// Whether an error means the item does not exist (a 404 page rather than a 400).
    pub missing: fn(&Error) -> bool,
}
