//! Interactions other than slash commands, routed by custom id to the feature that owns them:
//! button and select presses (rules gate, RSVP, feedback, `/gate apply`, role menus, 打卡,
//! homework reviews, 围观, renewal drafts) and modal submits (check-ins, reviews, 精华). Each
//! handler checks the presser's level on the server, calls the feature's door, and answers
//! (ephemeral, a modal, or the pressed message updated in place). No business rules here.

use poise::serenity_prelude as serenity;

use super::events::level_of;
use crate::access::Level;
use crate::discord::Data;
use crate::error::Error;

/// A button press, routed by its custom id to the feature that owns it.
pub(super) async fn button(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use crate::features::{feedback, membership, moderation, role_menus, schedule};
    let id = press.data.custom_id.as_str();
    if id == membership::commands::GATE_APPLY_BUTTON {
        gate_apply(ctx, data, press).await
    } else if id.starts_with(feedback::BUTTON_PREFIX) {
        feedback_status(ctx, data, press).await
    } else if id == moderation::ops::ACCEPT_BUTTON {
        accept_rules(ctx, data, press).await
    } else if id.starts_with(schedule::RSVP_PREFIX) {
        rsvp(ctx, data, press).await
    } else if id.starts_with(role_menus::BUTTON_PREFIX) {
        role_menu(ctx, data, press).await
    } else if id.starts_with(crate::features::challenge::BUTTON_PREFIX) {
        challenge_press(ctx, data, press).await
    } else if id.starts_with(crate::features::homework::BUTTON_PREFIX) {
        homework_press(ctx, data, press).await
    } else if id.starts_with(crate::features::qa::LISTEN_PREFIX) {
        qa_listen(ctx, data, press).await
    } else if id.starts_with(membership::renewals::BUTTON_PREFIX) {
        renewal_send(ctx, data, press).await
    } else if id.starts_with(membership::renewals::PAGE_PREFIX) {
        renewal_page(ctx, data, press).await
    } else {
        Ok(())
    }
}

/// "I accept" under the rules message: the acceptance is recorded, the role granted through
/// the outbox, and the member told (ephemeral).
async fn accept_rules(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use crate::features::moderation::actions;
    let (config, locale) = answering(data, &press.locale);
    let first = actions::accept_rules(data, &config, press.user.id).await?;
    let mut text = if first {
        crate::t!(locale, "rules-accepted")
    } else {
        crate::t!(locale, "rules-accepted-before")
    };
    if first && config.onboarding.welcome == Some(crate::config::WelcomeTo::AfterRules) {
        text.push_str("\n\n");
        text.push_str(&crate::features::community::render::welcome_after_rules(
            &config,
            locale,
            press.user.id.get(),
        ));
    }
    // Onboarding goes on with the role menu, in the member's language, when one is set.
    let menu = config
        .onboarding
        .menu
        .as_deref()
        .and_then(|id| config.roles.menu(id));
    let response = match menu {
        Some(menu) => {
            use crate::features::role_menus::render;
            serde_json::json!({
                "type": 4,
                "data": {
                    "content": text,
                    "embeds": [render::embed(menu, locale)],
                    "components": render::components(menu, locale),
                    "flags": 64,
                },
            })
        }
        None => serde_json::json!({ "type": 4, "data": { "content": text, "flags": 64 } }),
    };
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
    let (config, locale) = answering(data, &press.locale);
    let Some((member, product, paid)) = renewals::parse(&press.data.custom_id) else {
        return Ok(());
    };
    let text = if presser_level(ctx, data, &config, press).await? < Level::Admin {
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
    answer_ephemeral(ctx, press.id, &press.token, text).await
}

/// A page button under `/renewals upcoming`: the same message shows that page (admins only).
async fn renewal_page(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use crate::features::membership::{commands, renewals};
    let (config, locale) = answering(data, &press.locale);
    let Some((days, page)) = renewals::parse_page(&press.data.custom_id) else {
        return Ok(());
    };
    if presser_level(ctx, data, &config, press).await? < Level::Admin {
        let text = crate::t!(locale, "renewals-admins-only");
        return answer_ephemeral(ctx, press.id, &press.token, text).await;
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

/// 围观 Listen under an answer: the member pays once and reads the answer (ephemeral).
async fn qa_listen(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use crate::features::qa::{actions, LISTEN_PREFIX};
    let (config, locale) = answering(data, &press.locale);
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
    answer_ephemeral(ctx, press.id, &press.token, text).await
}

/// A submitted modal, routed by its custom id to the feature that showed it.
pub(super) async fn modal(
    ctx: &serenity::Context,
    data: &Data,
    submit: &serenity::ModalInteraction,
) -> Result<(), Error> {
    use crate::features::{challenge, homework};
    let id = submit.data.custom_id.as_str();
    if id.starts_with(challenge::MODAL_PREFIX) {
        challenge_check_in(ctx, data, submit).await
    } else if id.starts_with(homework::MODAL_PREFIX) {
        homework_review(ctx, data, submit).await
    } else if id.starts_with(crate::features::highlights::MODAL_PREFIX) {
        highlight_publish(ctx, data, submit).await
    } else {
        Ok(())
    }
}

/// The text a member typed into a modal's field `name`.
fn modal_field(submit: &serenity::ModalInteraction, name: &str) -> Option<String> {
    submit
        .data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .find_map(|c| match c {
            serenity::ActionRowComponent::InputText(input) if input.custom_id == name => {
                input.value.clone()
            }
            _ => None,
        })
}

/// The 精华 topic modal submitted: the level checked again, the highlight published.
async fn highlight_publish(
    ctx: &serenity::Context,
    data: &Data,
    submit: &serenity::ModalInteraction,
) -> Result<(), Error> {
    use crate::features::highlights::{actions, HighlightError, MODAL_PREFIX};
    let (config, locale) = answering(data, &submit.locale);
    let Some(message) = submit
        .data
        .custom_id
        .strip_prefix(MODAL_PREFIX)
        .and_then(|m| m.parse::<i64>().ok())
    else {
        return Ok(());
    };
    let text = if submitter_level(ctx, data, &config, submit).await? < Level::Moderator {
        crate::error::UserFacing::message(&HighlightError::StaffOnly, locale)
    } else {
        let topic = modal_field(submit, "topic").unwrap_or_default();
        let title = modal_field(submit, "title");
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
    answer_ephemeral(ctx, submit.id, &submit.token, text).await
}

/// A review button under a submission: moderators and up (checked here) get the comment modal.
async fn homework_press(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use crate::features::homework::render;
    let (config, locale) = answering(data, &press.locale);
    let Some((submission, status)) = render::parse_ids(&press.data.custom_id) else {
        return Ok(());
    };
    if presser_level(ctx, data, &config, press).await? < Level::Moderator {
        let text = crate::t!(locale, "homework-staff-only");
        return answer_ephemeral(ctx, press.id, &press.token, text).await;
    }
    let response = render::review_modal(submission, &status, locale);
    ctx.http
        .create_interaction_response(press.id, &press.token, &response, Vec::new())
        .await?;
    Ok(())
}

/// The review modal submitted: the level checked again, the review stored, the member told.
async fn homework_review(
    ctx: &serenity::Context,
    data: &Data,
    submit: &serenity::ModalInteraction,
) -> Result<(), Error> {
    use crate::features::homework::{actions, render};
    let (config, locale) = answering(data, &submit.locale);
    let Some((submission, status)) = render::parse_ids(&submit.data.custom_id) else {
        return Ok(());
    };
    if submitter_level(ctx, data, &config, submit).await? < Level::Moderator {
        let text = crate::t!(locale, "homework-staff-only");
        return answer_ephemeral(ctx, submit.id, &submit.token, text).await;
    }
    let comment = modal_field(submit, "comment");
    let text = match actions::review(
        data,
        &config,
        submission,
        &status,
        comment.as_deref(),
        submit.user.id,
    )
    .await
    {
        Ok(row) => crate::t!(
            locale,
            "homework-review-saved",
            status = render::status_name(locale, &status),
            member = format!("<@{}>", row.member_id)
        ),
        Err(Error::User(user)) => user.message(locale),
        Err(e) => return Err(e),
    };
    answer_ephemeral(ctx, submit.id, &submit.token, text).await
}

/// The config now, and the language to answer a presser or submitter in (their Discord
/// language, else the community's).
fn answering(
    data: &Data,
    discord_locale: &str,
) -> (std::sync::Arc<crate::config::Config>, crate::i18n::Locale) {
    let config = data.config.snapshot();
    let locale =
        crate::i18n::Locale::resolve(Some(discord_locale), config.community.default_locale);
    (config, locale)
}

/// An ephemeral answer (type 4) to an interaction.
async fn answer_ephemeral(
    ctx: &serenity::Context,
    id: serenity::InteractionId,
    token: &str,
    text: String,
) -> Result<(), Error> {
    let response = serde_json::json!({ "type": 4, "data": { "content": text, "flags": 64 } });
    ctx.http
        .create_interaction_response(id, token, &response, Vec::new())
        .await?;
    Ok(())
}

/// 打卡 under a day's prompt: the check-in modal while the day is open, else why not.
async fn challenge_press(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use crate::features::challenge::{ops, render};
    let (config, locale) = answering(data, &press.locale);
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
            answer_ephemeral(ctx, press.id, &press.token, user.message(locale)).await
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
    let (config, locale) = answering(data, &submit.locale);
    let Some((challenge, day)) = render::parse_ids(&submit.data.custom_id) else {
        return Ok(());
    };
    let text = modal_field(submit, "text").unwrap_or_default();
    let link = modal_field(submit, "link");
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
    answer_ephemeral(ctx, submit.id, &submit.token, reply).await
}

/// A press on a role menu (buttons or select): the choice is checked and stored, the roles
/// queued, and the member told what changed (ephemeral).
async fn role_menu(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use crate::features::role_menus::{actions, render, rules};
    let (config, locale) = answering(data, &press.locale);
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
    let response = serde_json::json!({ "type": 4, "data": { "content": text, "flags": 64 } });
    ctx.http
        .create_interaction_response(press.id, &press.token, &response, Vec::new())
        .await?;
    Ok(())
}

/// An RSVP button: the answer is stored and the announcement's counts are updated in place
/// (a component update, type 7, not a new message).
async fn rsvp(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    let config = data.config.snapshot();
    let custom_id = &press.data.custom_id;
    let body =
        crate::features::schedule::actions::rsvp(data, &config, custom_id, press.user.id).await?;
    // An unknown event: acknowledge without changing the message.
    let response = update_or_ack(body);
    ctx.http
        .create_interaction_response(press.id, &press.token, &response, Vec::new())
        .await?;
    Ok(())
}

/// The answer to a button press: the pressed message updated in place (type 7) with `body`'s
/// embeds and buttons, or, without a body, a silent acknowledgement (type 6).
fn update_or_ack(body: Option<crate::outbox::MessageBody>) -> serde_json::Value {
    match body {
        Some(body) => serde_json::json!({
            "type": 7,
            "data": { "embeds": body.embeds, "components": body.components },
        }),
        None => serde_json::json!({ "type": 6 }),
    }
}

/// The staff level of whoever pressed a button, checked on the server at every press.
async fn presser_level(
    ctx: &serenity::Context,
    data: &Data,
    config: &crate::config::Config,
    press: &serenity::ComponentInteraction,
) -> Result<Level, Error> {
    member_level(ctx, data, config, press.user.id, press.member.as_ref()).await
}

/// The staff level of whoever submitted a modal, checked on the server again at the submit.
async fn submitter_level(
    ctx: &serenity::Context,
    data: &Data,
    config: &crate::config::Config,
    submit: &serenity::ModalInteraction,
) -> Result<Level, Error> {
    member_level(ctx, data, config, submit.user.id, submit.member.as_ref()).await
}

/// The level of `user` with the roles the interaction carried.
async fn member_level(
    ctx: &serenity::Context,
    data: &Data,
    config: &crate::config::Config,
    user: serenity::UserId,
    member: Option<&serenity::Member>,
) -> Result<Level, Error> {
    let roles = member.map(|m| m.roles.clone()).unwrap_or_default();
    level_of(ctx, data, config, user, &roles).await
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
    let level = presser_level(ctx, data, &config, press).await?;
    let mut parts = press
        .data
        .custom_id
        .trim_start_matches(feedback::BUTTON_PREFIX)
        .split(':');
    let (Some(id), Some(status)) = (
        parts.next().and_then(|i| i.parse::<i64>().ok()),
        parts.next(),
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
        update_or_ack(
            updated.map(|row| feedback::render::staff_post(config.community.default_locale, &row)),
        )
    };
    ctx.http
        .create_interaction_response(press.id, &press.token, &response, Vec::new())
        .await?;
    Ok(())
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
    let level = presser_level(ctx, data, &config, press).await?;
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
    let response = serde_json::json!({
        "type": 7,
        "data": { "content": text, "components": [] },
    });
    ctx.http
        .create_interaction_response(press.id, &press.token, &response, Vec::new())
        .await?;
    Ok(())
}
