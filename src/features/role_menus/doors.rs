//! What role_menus brings to the Discord door beside its commands: the presses and forms it
//! answers, registered by custom-id prefix (see `crate::discord::doors`).

use poise::serenity_prelude as serenity;

use crate::discord::answer;
use crate::discord::doors::Doors;
use crate::discord::Data;
use crate::error::Error;

/// This feature's presses and forms.
pub fn doors() -> Doors {
    Doors::new().press(super::BUTTON_PREFIX, |c, d, p| Box::pin(role_menu(c, d, p)))
}

/// A press on a role menu (buttons or select): the choice is checked and stored, the roles
/// queued, and the member told what changed (ephemeral).
async fn role_menu(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use crate::features::role_menus::{actions, render, rules};
    let (config, locale) = answer::answering(data, &press.locale);
    let values = match &press.data.kind {
        serenity::ComponentInteractionDataKind::StringSelect { values } => values.clone(),
        _ => Vec::new(),
    };
    let Some((menu, pressed)) = rules::parse(&press.data.custom_id, &values) else {
        return Ok(());
    };
    let text = match actions::choose(data, &config, &menu, press.user.id, &pressed, locale).await {
        Ok(change) => render::answer(&change, locale),
        Err(Error::User(user)) => user.message(locale),
        Err(e) => return Err(e),
    };
    let response = crate::discord::components::ephemeral(text);
    ctx.http
        .create_interaction_response(press.id, &press.token, &response, Vec::new())
        .await?;
    Ok(())
}
