//! What feedback brings to the doors beside its commands: on Discord, the presses and forms it
//! answers, registered by custom-id prefix (see `crate::discord::doors`); on the web, the
//! status change staff make from the staff page (see `crate::staff_actions`).

use poise::serenity_prelude as serenity;

use crate::access::Level;
use crate::discord::answer;
use crate::discord::doors::Doors;
use crate::discord::Data;
use crate::error::Error;
use crate::staff_actions::StaffAction;

/// This feature's presses and forms.
pub fn doors() -> Doors {
    Doors::new()
        .press(super::BUTTON_PREFIX, |c, d, p| {
            Box::pin(feedback_status(c, d, p))
        })
        .press(super::REPLY_PREFIX, |c, d, p| {
            Box::pin(reply_press(c, d, p))
        })
        .submit(super::REPLY_PREFIX, |c, d, s| {
            Box::pin(reply_submit(c, d, s))
        })
}

/// The web's staff actions: `POST /staff/feedback/{id}` with `status` sets a feedback item's
/// status — the buttons' own operation (the Discord post is edited through the outbox, the
/// author told), audited.
pub fn web_actions() -> Vec<StaffAction> {
    vec![StaffAction {
        route: "feedback/:id",
        level: Level::Moderator,
        run: |app, config, staff, id, form| {
            Box::pin(async move {
                let asked = form.get("status").map(String::as_str).unwrap_or_default();
                let Some(status) = super::Status::parse(asked).filter(|s| s.settable()) else {
                    let status = asked.to_string();
                    return Err(super::FeedbackError::UnknownStatus { status }.into());
                };
                super::actions::set_feedback_status(app, config, id, status, staff.id).await?;
                Ok(())
            })
        },
        missing: |e| {
            e.user::<super::FeedbackError>()
                .is_some_and(|u| matches!(u, super::FeedbackError::UnknownFeedback { .. }))
        },
    }]
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
        crate::discord::components::ephemeral(crate::t!(locale, "feedback-staff-only"))
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

/// Reply under a feedback post: moderators and up (checked here) get the reply form.
async fn reply_press(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    let (config, locale) = answer::answering(data, &press.locale);
    let Some(id) = super::render::reply_target(&press.data.custom_id) else {
        return Ok(());
    };
    if answer::presser_level(ctx, data, &config, press).await? < Level::Moderator {
        let text = crate::t!(locale, "feedback-staff-only");
        return answer::ephemeral(ctx, press.id, &press.token, text).await;
    }
    let form = super::render::reply_form(id, locale);
    ctx.http
        .create_interaction_response(press.id, &press.token, &form, Vec::new())
        .await?;
    Ok(())
}

/// The reply form submitted: the level checked again, the reply sent to the author by DM.
async fn reply_submit(
    ctx: &serenity::Context,
    data: &Data,
    submit: &serenity::ModalInteraction,
) -> Result<(), Error> {
    let (config, locale) = answer::answering(data, &submit.locale);
    let Some(id) = super::render::reply_target(&submit.data.custom_id) else {
        return Ok(());
    };
    let text = if answer::submitter_level(ctx, data, &config, submit).await? < Level::Moderator {
        crate::t!(locale, "feedback-staff-only")
    } else {
        let reply = answer::field(submit, "reply").unwrap_or_default();
        match super::actions::reply_to_feedback(data, &config, id, &reply, submit.user.id).await {
            Ok(()) => crate::t!(locale, "feedback-replied", id = id),
            Err(Error::User(user)) => user.message(locale),
            Err(e) => return Err(e),
        }
    };
    answer::ephemeral(ctx, submit.id, &submit.token, text).await
}
