//! What membership brings to the Discord door beside its commands: the presses and forms it
//! answers, registered by custom-id prefix (see `crate::discord::doors`).

use poise::serenity_prelude as serenity;

use crate::access::Level;
use crate::discord::answer;
use crate::discord::doors::Doors;
use crate::discord::Data;
use crate::error::Error;

/// This feature's presses and forms.
pub fn doors() -> Doors {
    Doors::new()
        .press(super::commands::GATE_APPLY_BUTTON, |c, d, p| {
            Box::pin(gate_apply(c, d, p))
        })
        .press(super::renewals::BUTTON_PREFIX, |c, d, p| {
            Box::pin(renewal_send(c, d, p))
        })
        .press(super::renewals::PAGE_PREFIX, |c, d, p| {
            Box::pin(renewal_page(c, d, p))
        })
        // A member who comes back gets the roles of the access they still hold.
        .on_join("paid roles", |data, config, user| {
            Box::pin(
                async move { Ok(crate::grants::give::restore_on_join(data, config, user).await?) },
            )
        })
}

/// `/gate apply` confirmed: the presser must be an admin (checked here, on the server, again);
/// the fixes are computed afresh from the cache and queued through the outbox.
async fn gate_apply(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use crate::features::membership::{commands::gate_views, gate};
    let config = data.config.snapshot();
    let locale = crate::i18n::Locale::from_discord(press.locale.as_str())
        .unwrap_or(config.community.default_locale);
    let level = answer::presser_level(ctx, data, &config, press).await?;
    let text = if level < Level::Admin {
        crate::t!(locale, "gate-apply-refused")
    } else {
        let bot = ctx.cache.current_user().id;
        let effects: Vec<_> = gate_views(&ctx.cache, &config)
            .iter()
            .flat_map(|v| gate::fixes(v, config.discord.guild_id, bot))
            .collect();
        use crate::features::membership::by_hand;
        let count = by_hand::apply_gate_fixes(data, &config, press.user.id, &effects).await?;
        crate::t!(locale, "gate-applied", count = count as i64)
    };
    let response = crate::discord::components::update(text, Vec::new());
    ctx.http
        .create_interaction_response(press.id, &press.token, &response, Vec::new())
        .await?;
    Ok(())
}

/// Send under a renewal draft: admins only (checked here), once per member and period.
async fn renewal_send(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use crate::features::membership::{by_hand, renewals};
    let (config, locale) = answer::answering(data, &press.locale);
    let Some((member, product, paid)) = renewals::parse(&press.data.custom_id) else {
        return Ok(());
    };
    let text = if answer::presser_level(ctx, data, &config, press).await? < Level::Admin {
        crate::t!(locale, "renewals-admins-only")
    } else {
        let outcome =
            by_hand::send_renewal_draft(data, &config, member, &product, paid, press.user.id)
                .await?;
        let who = format!("<@{member}>");
        match outcome {
            by_hand::DraftSent::Sent => crate::t!(locale, "renewals-sent-now", member = who),
            by_hand::DraftSent::Before => crate::t!(locale, "renewals-sent-before", member = who),
            by_hand::DraftSent::NoLongerDue => {
                crate::t!(locale, "renewals-no-longer-due", member = who)
            }
        }
    };
    answer::ephemeral(ctx, press.id, &press.token, text).await
}

/// A page button under `/renewals upcoming`: the same message shows that page (admins only).
async fn renewal_page(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use crate::features::membership::{commands, renewals};
    let (config, locale) = answer::answering(data, &press.locale);
    let Some((days, page)) = renewals::parse_page(&press.data.custom_id) else {
        return Ok(());
    };
    if answer::presser_level(ctx, data, &config, press).await? < Level::Admin {
        let text = crate::t!(locale, "renewals-admins-only");
        return answer::ephemeral(ctx, press.id, &press.token, text).await;
    }
    let (content, rows) = commands::renewals_message(data, &config, locale, days, page).await?;
    let update = serenity::CreateInteractionResponse::UpdateMessage(
        serenity::CreateInteractionResponseMessage::new()
            .content(content)
            .components(rows),
    );
    press.create_response(&ctx.http, update).await?;
    Ok(())
}

/// A member joined (or rejoined): features restore what is theirs, through the outbox.
/// Discord's store: a purchase, a renewal date, an end. DELETE means refunded or removed.
pub async fn entitlement_changed(
    data: &Data,
    entitlement: &serenity::Entitlement,
    deleted: bool,
) -> Result<(), Error> {
    let config = data.config.snapshot();
    if entitlement
        .guild_id
        .is_some_and(|g| g != config.discord.guild_id)
    {
        return Ok(());
    }
    let mut entitlement = entitlement.clone();
    entitlement.deleted |= deleted;
    crate::features::membership::entitlements::receive(data, &config, &entitlement).await?;
    Ok(())
}
