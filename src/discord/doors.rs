//! What a feature brings to the Discord door beside its commands: the buttons and selects it
//! answers and the forms (modals) it reads, each under the custom-id prefix the feature puts on
//! them, as data. Each feature's `doors()` lists its own; `app/` registers them all and routes a
//! press or a submit to the one whose prefix it carries. Adding a button to a feature touches
//! that feature's folder and nothing else.

use futures::future::BoxFuture;
use poise::serenity_prelude as serenity;

use super::Data;
use crate::error::Error;

/// Answers a press (a button or a select) of the feature's components.
pub type OnPress = for<'a> fn(
    &'a serenity::Context,
    &'a Data,
    &'a serenity::ComponentInteraction,
) -> BoxFuture<'a, Result<(), Error>>;

/// Reads a submitted form (a modal) the feature showed.
pub type OnSubmit = for<'a> fn(
    &'a serenity::Context,
    &'a Data,
    &'a serenity::ModalInteraction,
) -> BoxFuture<'a, Result<(), Error>>;

/// Hears that a member joined or left the server (already filtered to the community's
/// server); returns how many roles it queued, for the join's log line.
pub type OnMember = for<'a> fn(
    &'a Data,
    &'a crate::config::Config,
    serenity::UserId,
) -> BoxFuture<'a, Result<usize, Error>>;

/// A feature's presses and submits, by custom-id prefix, and its member hooks.
#[derive(Default)]
pub struct Doors {
    presses: Vec<(&'static str, OnPress)>,
    submits: Vec<(&'static str, OnSubmit)>,
    joins: Vec<(&'static str, OnMember)>,
    leaves: Vec<(&'static str, OnMember)>,
}

impl Doors {
    pub fn new() -> Doors {
        Doors::default()
    }

    /// Presses whose custom id starts with `prefix` (a whole id is a prefix of itself).
    pub fn press(mut self, prefix: &'static str, on: OnPress) -> Doors {
        self.presses.push((prefix, on));
        self
    }

    /// Submits of forms whose custom id starts with `prefix`.
    pub fn submit(mut self, prefix: &'static str, on: OnSubmit) -> Doors {
        self.submits.push((prefix, on));
        self
    }

    /// Runs when a member joins (or rejoins); `what` names it in the join's log line. Each
    /// hook is its own write: one failing leaves the others done.
    pub fn on_join(mut self, what: &'static str, on: OnMember) -> Doors {
        self.joins.push((what, on));
        self
    }

    /// Runs when a member leaves, is kicked or is banned.
    pub fn on_leave(mut self, what: &'static str, on: OnMember) -> Doors {
        self.leaves.push((what, on));
        self
    }

    /// Every feature's doors in one.
    pub fn merge(doors: impl IntoIterator<Item = Doors>) -> Doors {
        let mut all = Doors::default();
        for d in doors {
            all.presses.extend(d.presses);
            all.submits.extend(d.submits);
            all.joins.extend(d.joins);
            all.leaves.extend(d.leaves);
        }
        all
    }

    /// The join hooks, in registration order.
    pub fn joins(&self) -> &[(&'static str, OnMember)] {
        &self.joins
    }

    /// The leave hooks, in registration order.
    pub fn leaves(&self) -> &[(&'static str, OnMember)] {
        &self.leaves
    }

    /// Who answers a press with `custom_id`: the longest registered prefix it starts with.
    pub fn press_for(&self, custom_id: &str) -> Option<OnPress> {
        longest(&self.presses, custom_id)
    }

    /// Who reads a form with `custom_id`.
    pub fn submit_for(&self, custom_id: &str) -> Option<OnSubmit> {
        longest(&self.submits, custom_id)
    }

    /// Every registered prefix, presses and submits apart (a button and the form it opens may
    /// share one), for the test that no two routes of a kind claim one.
    pub fn prefixes(&self) -> [Vec<&'static str>; 2] {
        [
            self.presses.iter().map(|(p, _)| *p).collect(),
            self.submits.iter().map(|(p, _)| *p).collect(),
        ]
    }
}

fn longest<T: Copy>(routes: &[(&'static str, T)], custom_id: &str) -> Option<T> {
    routes
        .iter()
        .filter(|(prefix, _)| custom_id.starts_with(prefix))
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, on)| *on)
}
