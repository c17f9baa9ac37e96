//! What highlights brings to the Discord door beside its commands: the presses and forms it
//! answers, registered by custom-id prefix (see `crate::discord::doors`).

use poise::serenity_prelude as serenity;

use crate::access::Level;
use crate::discord::answer;
use crate::discord::doors::Doors;
use crate::discord::Data;
use crate::error::Error;

/// This feature's presses and forms.
pub fn doors() -> Doors {
    Doors::new().submit(super::MODAL_PREFIX, |c, d, s| {
        Box::pin(highlight_publish(c, d, s))
    })
}

/// The 精华 topic modal submitted: the level checked again, the highlight published.
async fn highlight_publish(
    ctx: &serenity::Context,
    data: &Data,
    submit: &serenity::ModalInteraction,
) -> Result<(), Error> {
    use crate::features::highlights::{actions, HighlightError, MODAL_PREFIX};
    let (config, locale) = answer::answering(data, &submit.locale);
    let Some(message) = submit
        .data
        .custom_id
        .strip_prefix(MODAL_PREFIX)
        .and_then(|m| m.parse::<i64>().ok())
    else {
        return Ok(());
    };
    let text = if answer::submitter_level(ctx, data, &config, submit).await? < Level::Moderator {
        crate::error::UserFacing::message(&HighlightError::StaffOnly, locale)
    } else {
        let topic = answer::field(submit, "topic").unwrap_or_default();
        let title = answer::field(submit, "title");
        match actions::publish(
            data,
            &config,
            message,
            &topic,
            title.as_deref(),
            submit.user.id,
        )
        .await
        {
            Ok(done) => {
                let name = config
                    .highlights
                    .topic(&done.topic)
                    .map_or(done.topic.clone(), |t| t.name.get(locale).to_string());
                let mut text =
                    crate::t!(locale, "highlight-added", title = done.title, topic = name);
                if done.points > 0 {
                    text.push(' ');
                    text.push_str(&crate::t!(
                        locale,
                        "highlight-author-points",
                        member = format!("<@{}>", done.author),
                        points = done.points
                    ));
                }
                text
            }
            Err(Error::User(user)) => user.message(locale),
            Err(e) => return Err(e),
        }
    };
    answer::ephemeral(ctx, submit.id, &submit.token, text).await
}
