//! What qa brings to the Discord door beside its commands: the presses and forms it
//! answers, registered by custom-id prefix (see `crate::discord::doors`).

use poise::serenity_prelude as serenity;

use crate::discord::answer;
use crate::discord::doors::Doors;
use crate::discord::Data;
use crate::error::Error;

/// This feature's presses and forms.
pub fn doors() -> Doors {
    Doors::new().press(super::LISTEN_PREFIX, |c, d, p| Box::pin(qa_listen(c, d, p)))
}

/// 围观 Listen under an answer: the member pays once and reads the answer (ephemeral).
async fn qa_listen(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use crate::features::qa::{actions, LISTEN_PREFIX};
    let (config, locale) = answer::answering(data, &press.locale);
    let Some(id) = press
        .data
        .custom_id
        .strip_prefix(LISTEN_PREFIX)
        .and_then(|i| i.parse::<i64>().ok())
    else {
        return Ok(());
    };
    let text = match actions::listen(data, &config, id, press.user.id).await {
        Ok(heard) if heard.paid > 0 => crate::t!(
            locale,
            "qa-listen-paid",
            id = heard.id,
            answer = heard.answer,
            price = heard.paid
        ),
        Ok(heard) => crate::t!(
            locale,
            "qa-listen-free",
            id = heard.id,
            answer = heard.answer
        ),
        Err(Error::User(user)) => user.message(locale),
        Err(e) => return Err(e),
    };
    answer::ephemeral(ctx, press.id, &press.token, text).await
}
