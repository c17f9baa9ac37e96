//! What feedback brings to the Discord door beside its commands: the presses and forms it
//! answers, registered by custom-id prefix (see `crate::discord::doors`).

use poise::serenity_prelude as serenity;

use crate::access::Level;
use crate::discord::answer;
use crate::discord::doors::Doors;
use crate::discord::Data;
use crate::error::Error;

/// This feature's presses and forms.
pub fn doors() -> Doors {
    Doors::new().press(super::BUTTON_PREFIX, |c, d, p| {
        Box::pin(feedback_status(c, d, p))
    })
}

/// A staff status button under a feedback post: moderators and up (checked here); the post
/// updates in place and the author hears about it.
async fn feedback_status(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use crate::features::feedback;
    let config = data.config.snapshot();
    let level = answer::presser_level(ctx, data, &config, press).await?;
    let mut parts = press
        .data
        .custom_id
        .trim_start_matches(feedback::BUTTON_PREFIX)
        .split(':');
    let (Some(id), Some(status)) = (
        parts.next().and_then(|i| i.parse::<i64>().ok()),
        parts.next().and_then(feedback::Status::parse),
    ) else {
        return Ok(());
    };
    let response = if level < Level::Moderator {
        let locale = crate::i18n::Locale::from_discord(press.locale.as_str())
            .unwrap_or(config.community.default_locale);
        serde_json::json!({
            "type": 4,
            "data": { "content": crate::t!(locale, "feedback-staff-only"), "flags": 64 },
        })
    } else {
        let updated =
            feedback::actions::set_feedback_status(data, &config, id, status, press.user.id)
                .await?;
        answer::update_or_ack(
            updated.map(|row| feedback::render::staff_post(config.community.default_locale, &row)),
        )
    };
    ctx.http
        .create_interaction_response(press.id, &press.token, &response, Vec::new())
        .await?;
    Ok(())
}
