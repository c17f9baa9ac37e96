//! What challenge brings to the Discord door beside its commands: the presses and forms it
//! answers, registered by custom-id prefix (see `crate::discord::doors`).

use poise::serenity_prelude as serenity;

use crate::discord::answer;
use crate::discord::doors::Doors;
use crate::discord::Data;
use crate::error::Error;

/// This feature's presses and forms.
pub fn doors() -> Doors {
    Doors::new()
        .press(super::BUTTON_PREFIX, |c, d, p| {
            Box::pin(challenge_press(c, d, p))
        })
        .submit(super::MODAL_PREFIX, |c, d, s| {
            Box::pin(challenge_check_in(c, d, s))
        })
}

/// 打卡 under a day's prompt: the check-in modal while the day is open, else why not.
async fn challenge_press(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use crate::features::challenge::{ops, render};
    let (config, locale) = answer::answering(data, &press.locale);
    let Some((challenge, day)) = render::parse_ids(&press.data.custom_id) else {
        return Ok(());
    };
    let allowed = {
        let mut conn = data.db.read.acquire().await?;
        ops::may_check_in(
            &mut conn,
            &config,
            challenge,
            day,
            press.user.id,
            data.clock.now(),
        )
        .await
    };
    match allowed {
        Ok((row, _)) => {
            let response = render::modal(&row, day, locale);
            ctx.http
                .create_interaction_response(press.id, &press.token, &response, Vec::new())
                .await?;
            Ok(())
        }
        Err(Error::User(user)) => {
            answer::ephemeral(ctx, press.id, &press.token, user.message(locale)).await
        }
        Err(e) => Err(e),
    }
}

/// The check-in modal submitted: checked again (the deadline may have passed while the member
/// typed), stored, paid, and answered with the streak.
async fn challenge_check_in(
    ctx: &serenity::Context,
    data: &Data,
    submit: &serenity::ModalInteraction,
) -> Result<(), Error> {
    use crate::features::challenge::{actions, render};
    let (config, locale) = answer::answering(data, &submit.locale);
    let Some((challenge, day)) = render::parse_ids(&submit.data.custom_id) else {
        return Ok(());
    };
    let text = answer::field(submit, "text").unwrap_or_default();
    let link = answer::field(submit, "link");
    let check_in = crate::features::challenge::ops::CheckIn {
        challenge,
        day,
        member: submit.user.id,
        text: &text,
        link: link.as_deref(),
    };
    let outcome = actions::check_in(data, &config, &check_in).await;
    let reply = match outcome {
        Ok(done) if done.points > 0 => crate::t!(
            locale,
            "challenge-checked-in-points",
            day = done.day,
            points = done.points,
            streak = done.streak as i64
        ),
        Ok(done) => crate::t!(
            locale,
            "challenge-checked-in",
            day = done.day,
            streak = done.streak as i64
        ),
        Err(Error::User(user)) => user.message(locale),
        Err(e) => return Err(e),
    };
    answer::ephemeral(ctx, submit.id, &submit.token, reply).await
}
