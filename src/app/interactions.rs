//! Interactions other than slash commands, routed by custom id to the feature that owns them:
//! every feature's `doors()` (its presses and forms, by prefix) registered once. No handler
//! and no business rule lives here.

use std::sync::OnceLock;

use poise::serenity_prelude as serenity;

use crate::discord::doors::Doors;
use crate::discord::Data;
use crate::error::Error;
use crate::features;

/// Every feature's presses, forms and member hooks, registered once.
pub fn all_doors() -> &'static Doors {
    static DOORS: OnceLock<Doors> = OnceLock::new();
    DOORS.get_or_init(|| {
        Doors::merge([
            features::membership::doors::doors(),
            features::feedback::doors::doors(),
            features::moderation::doors::doors(),
            features::schedule::doors::doors(),
            features::role_menus::doors::doors(),
            features::challenge::doors::doors(),
            features::homework::doors::doors(),
            features::qa::doors::doors(),
            features::highlights::doors::doors(),
            features::admin::doors::doors(),
            features::community::doors::doors(),
            features::points::doors::doors(),
        ])
    })
}

/// A button or select press, to the feature whose prefix its custom id carries.
pub(super) async fn button(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    let locale = crate::i18n::Locale::from_discord(&press.locale);
    crate::member_locale::note(data, press.user.id, locale);
    match all_doors().press_for(&press.data.custom_id) {
        Some(on_press) => on_press(ctx, data, press).await,
        None => Ok(()),
    }
}

/// A submitted form, to the feature that showed it.
pub(super) async fn modal(
    ctx: &serenity::Context,
    data: &Data,
    submit: &serenity::ModalInteraction,
) -> Result<(), Error> {
    let locale = crate::i18n::Locale::from_discord(&submit.locale);
    crate::member_locale::note(data, submit.user.id, locale);
    match all_doors().submit_for(&submit.data.custom_id) {
        Some(on_submit) => on_submit(ctx, data, submit).await,
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    /// No two features claim the same custom-id prefix, and none claims another's start (a
    /// press would go to whichever registered the longer one).
    #[test]
    fn every_prefix_belongs_to_one_feature() {
        let [presses, submits] = super::all_doors().prefixes();
        assert!(
            presses.len() >= 11 && submits.len() >= 4,
            "{presses:?} {submits:?}"
        );
        for prefixes in [presses, submits] {
            for (i, a) in prefixes.iter().enumerate() {
                for b in &prefixes[i + 1..] {
                    assert!(
                        !a.starts_with(b) && !b.starts_with(a),
                        "{a} and {b} overlap"
                    );
                }
            }
        }
    }
}
