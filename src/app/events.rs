//! Gateway events routed to whoever cares. No business rules here: features get plain data.

use poise::serenity_prelude as serenity;
use serenity::FullEvent;

use crate::access::effective_level;
use crate::access::{Level, Owners};
use crate::discord::Data;
use crate::error::Error;
use crate::features::{admin, points};

pub async fn handle(
    framework: poise::FrameworkContext<'_, Data, Error>,
    event: &FullEvent,
) -> Result<(), Error> {
    let data = framework.user_data;
    if let Some(shared) = data.try_part::<super::front::SharedContext>() {
        shared.set(framework.serenity_context);
    }
    match event {
        FullEvent::Ready { .. } | FullEvent::Resume { .. } | FullEvent::ShardStageUpdate { .. } => {
            gateway_status(data, event);
        }
        FullEvent::GuildCreate { .. }
        | FullEvent::ChannelCreate { .. }
        | FullEvent::ChannelUpdate { .. }
        | FullEvent::ChannelDelete { .. }
        | FullEvent::GuildRoleUpdate { .. } => {
            let config = data.config.snapshot();
            let cache = &framework.serenity_context.cache;
            if let Some(guild) = cache.guild(config.discord.guild_id) {
                let public = crate::discord::visibility::public_channels(&guild);
                data.public_channels.set(public);
            }
        }
        FullEvent::EntitlementCreate { entitlement }
        | FullEvent::EntitlementUpdate { entitlement } => {
            entitlement_changed(data, entitlement, false).await?;
        }
        FullEvent::EntitlementDelete { entitlement } => {
            entitlement_changed(data, entitlement, true).await?;
        }
        FullEvent::GuildMemberAddition { new_member } => {
            member_joined(data, new_member.guild_id, new_member.user.id).await?;
        }
        FullEvent::GuildMemberRemoval { guild_id, user, .. }
            if *guild_id == data.config.snapshot().discord.guild_id =>
        {
            crate::features::community::actions::on_leave(data, user.id).await?;
        }
        FullEvent::Message { new_message } => {
            on_message(framework.serenity_context, data, new_message).await?;
        }
        FullEvent::MessageUpdate {
            event,
            new: Some(new_message),
            ..
        } if event.content.is_some() => {
            moderate(framework.serenity_context, data, new_message, true).await?;
        }
        FullEvent::MessageUpdate {
            new: None, event, ..
        } if event.content.is_some() => {
            // Not cached: automod reads the edit from the event itself.
            if let Some(edited) = edited_message(event) {
                moderate(framework.serenity_context, data, &edited, true).await?;
            }
        }
        FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Component(press),
        } => {
            button(framework.serenity_context, data, press).await?;
        }
        FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Modal(submit),
        } => {
            modal(framework.serenity_context, data, submit).await?;
        }
        FullEvent::MessageDelete {
            deleted_message_id,
            guild_id,
            ..
        } => {
            let config = data.config.snapshot();
            if *guild_id == Some(config.discord.guild_id) {
                crate::features::points::engine(data).on_delete(
                    *deleted_message_id,
                    data.clock.now(),
                    &config,
                );
            }
        }
        FullEvent::ReactionAdd { add_reaction } => {
            reaction(framework.serenity_context, data, add_reaction).await?;
        }
        _ => {}
    }
    Ok(())
}

/// A new message, from serenity's events or the gateway front's fast path: automod, then (if
/// it passed) points, attendance and the content plan.
pub async fn on_message(
    ctx: &serenity::Context,
    data: &Data,
    new_message: &serenity::Message,
) -> Result<(), Error> {
    let caught = moderate(ctx, data, new_message, false).await?;
    if !caught {
        message(data, new_message);
        attendance(data, new_message).await?;
        content_post(ctx, data, new_message).await?;
        // A forum post's starter message has the thread's id.
        if new_message.id.get() == new_message.channel_id.get() {
            homework_post(ctx, data, new_message).await?;
        }
    }
    // Counted once decided (the gateway ingest bench reads it from /metrics).
    data.health.message_seen();
    Ok(())
}

/// Owners of the community: the configured ones and the server owner (from the cache).
fn owners(ctx: &serenity::Context, config: &crate::config::Config) -> Owners {
    let guild = config.discord.guild_id;
    Owners::new(
        &config.discord.owner_ids,
        ctx.cache.guild(guild).map(|g| g.owner_id),
    )
}

/// A member's staff level for gateway events, from memory: staff grants are cached (and
/// dropped whenever a grant changes), so a message costs no database read.
async fn level_of(
    ctx: &serenity::Context,
    data: &Data,
    config: &crate::config::Config,
    user: serenity::UserId,
    roles: &[serenity::RoleId],
) -> Result<Level, Error> {
    let staff = match crate::features::moderation::engine(data).staff() {
        Some(staff) => staff,
        None => crate::features::moderation::engine(data)
            .set_staff(crate::access::store::grants(&data.db, config.discord.guild_id).await?),
    };
    Ok(effective_level(
        owners(ctx, config).contains(user),
        user,
        roles,
        &staff,
    ))
}

/// The gateway connection as serenity reports it, for `/healthz`.
fn gateway_status(data: &Data, event: &FullEvent) {
    match event {
        FullEvent::Ready { data_about_bot } => {
            tracing::info!(user = %data_about_bot.user.name, guilds = data_about_bot.guilds.len(), "gateway ready");
            data.gateway.set("connected");
        }
        FullEvent::Resume { .. } => {
            tracing::info!("gateway session resumed");
            data.gateway.set("connected");
        }
        FullEvent::ShardStageUpdate { event } => {
            tracing::debug!(old = ?event.old, new = ?event.new, "shard stage");
            data.gateway.set(event.new.to_string().to_lowercase());
        }
        _ => {}
    }
}

/// An edit serenity had not cached, as a message (author and content from the event).
fn edited_message(event: &serenity::MessageUpdateEvent) -> Option<serenity::Message> {
    let (Some(author), Some(content)) = (&event.author, &event.content) else {
        return None;
    };
    let mut edited = serenity::Message::default();
    edited.id = event.id;
    edited.channel_id = event.channel_id;
    edited.guild_id = event.guild_id;
    edited.author = author.clone();
    edited.content = content.clone();
    edited.member = event.member.clone().flatten();
    Some(edited)
}

/// A button press, routed by its custom id to the feature that owns it.
async fn button(
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
    } else {
        Ok(())
    }
}

/// Automod on a new or edited message. Decides from memory; only a hit writes (the action,
/// its outbox items and mod-log embed, in one transaction). Returns whether it caught the
/// message (then it earns no points).
async fn moderate(
    ctx: &serenity::Context,
    data: &Data,
    message: &serenity::Message,
    edited: bool,
) -> Result<bool, Error> {
    use crate::features::moderation::{engine::Seen, ops};
    let config = data.config.snapshot();
    let guild = config.discord.guild_id;
    if message.guild_id != Some(guild) || message.author.bot || message.webhook_id.is_some() {
        return Ok(false);
    }
    let roles: Vec<serenity::RoleId> = match &message.member {
        Some(member) => member.roles.clone(),
        None => crate::discord::hierarchy::roles_of(&ctx.cache, guild, message.author.id),
    };
    let owners = owners(ctx, &config);
    if config.automod.staff_exempt
        && level_of(ctx, data, &config, message.author.id, &roles).await? >= Level::Moderator
    {
        return Ok(false);
    }
    let now = data.clock.now();
    let seen = Seen {
        author: message.author.id,
        channel: message.channel_id,
        roles: &roles,
        text: &message.content,
        at: now,
        edited,
    };
    let hits = crate::features::moderation::engine(data).check(&config, &seen);
    let Some(hit) = hits.first() else {
        return Ok(false);
    };
    let protected = if owners.contains(message.author.id) {
        Some(ops::Protected::Owner)
    } else if crate::discord::hierarchy::bot_outranks(&ctx.cache, guild, message.author.id, &roles)
        == Some(false)
    {
        Some(ops::Protected::AboveBot)
    } else {
        None
    };
    let dm = crate::features::moderation::engine(data).first_of_incident(
        message.author.id,
        hit.filter,
        now,
    );
    let incident = ops::Incident {
        member: message.author.id,
        channel: message.channel_id,
        message: message.id,
        text: &message.content,
        hit,
        protected,
        dm,
        // A message does not carry its author's Discord language: the DM uses the
        // community's.
        locale: None,
    };
    crate::features::moderation::actions::act(data, &config, &incident).await?;
    if edited {
        // An edit that breaks a rule takes back the points the message earned.
        crate::features::points::engine(data).on_delete(message.id, now, &config);
    }
    tracing::info!(filter = hit.filter.as_str(), member = %message.author.id, "automod caught a message");
    Ok(protected.is_none())
}

/// "I accept" under the rules message: the acceptance is recorded, the role granted through
/// the outbox, and the member told (ephemeral).
async fn accept_rules(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use crate::features::moderation::actions;
    let config = data.config.snapshot();
    let first = actions::accept_rules(data, &config, press.user.id).await?;
    let locale = crate::i18n::Locale::resolve(Some(&press.locale), config.community.default_locale);
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
    let config = data.config.snapshot();
    let locale = crate::i18n::Locale::resolve(Some(&press.locale), config.community.default_locale);
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

/// 围观 Listen under an answer: the member pays once and reads the answer (ephemeral).
async fn qa_listen(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use crate::features::qa::{actions, LISTEN_PREFIX};
    let config = data.config.snapshot();
    let locale = crate::i18n::Locale::resolve(Some(&press.locale), config.community.default_locale);
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
async fn modal(
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
    let config = data.config.snapshot();
    let locale =
        crate::i18n::Locale::resolve(Some(&submit.locale), config.community.default_locale);
    let Some(message) = submit
        .data
        .custom_id
        .strip_prefix(MODAL_PREFIX)
        .and_then(|m| m.parse::<i64>().ok())
    else {
        return Ok(());
    };
    let roles = submit
        .member
        .as_ref()
        .map(|m| m.roles.clone())
        .unwrap_or_default();
    let text = if level_of(ctx, data, &config, submit.user.id, &roles).await? < Level::Moderator {
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
    let config = data.config.snapshot();
    let locale = crate::i18n::Locale::resolve(Some(&press.locale), config.community.default_locale);
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
    let config = data.config.snapshot();
    let locale =
        crate::i18n::Locale::resolve(Some(&submit.locale), config.community.default_locale);
    let Some((submission, status)) = render::parse_ids(&submit.data.custom_id) else {
        return Ok(());
    };
    let roles = submit
        .member
        .as_ref()
        .map(|m| m.roles.clone())
        .unwrap_or_default();
    if level_of(ctx, data, &config, submit.user.id, &roles).await? < Level::Moderator {
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
    let config = data.config.snapshot();
    let locale = crate::i18n::Locale::resolve(Some(&press.locale), config.community.default_locale);
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
    let config = data.config.snapshot();
    let locale =
        crate::i18n::Locale::resolve(Some(&submit.locale), config.community.default_locale);
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
    let config = data.config.snapshot();
    let locale = crate::i18n::Locale::resolve(Some(&press.locale), config.community.default_locale);
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
    let roles = press
        .member
        .as_ref()
        .map(|m| m.roles.clone())
        .unwrap_or_default();
    level_of(ctx, data, config, press.user.id, &roles).await
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

/// A member's forum post: the thread's forum and tags from the cache (or Discord, when the
/// thread event has not reached the cache yet), then homework decides whether it is a hand-in.
async fn homework_post(
    ctx: &serenity::Context,
    data: &Data,
    message: &serenity::Message,
) -> Result<(), Error> {
    let config = data.config.snapshot();
    if message.guild_id != Some(config.discord.guild_id) || message.author.bot {
        return Ok(());
    }
    let cached = ctx.cache.guild(config.discord.guild_id).and_then(|g| {
        g.threads
            .iter()
            .find(|t| t.id == message.channel_id)
            .map(|t| (t.parent_id, t.applied_tags.clone(), t.name.clone()))
    });
    let (parent, tags, name) = match cached {
        Some(found) => found,
        None => match message.channel_id.to_channel(&ctx.http).await {
            Ok(serenity::Channel::Guild(t)) => {
                (t.parent_id, t.applied_tags.clone(), t.name.clone())
            }
            _ => return Ok(()),
        },
    };
    let Some(forum) = parent else {
        return Ok(());
    };
    let tags: Vec<u64> = tags.iter().map(|t| t.get()).collect();
    let post = crate::features::homework::ops::ForumPost {
        forum,
        thread: message.channel_id,
        tags: &tags,
        author: message.author.id,
        name: &name,
        content: &message.content,
    };
    crate::features::homework::actions::submit_post(data, &config, &post).await?;
    Ok(())
}

/// A staff post in a content-plan channel (with the plan's tag, if it has one) counts as
/// published. Only messages in plan channels reach the database.
async fn content_post(
    ctx: &serenity::Context,
    data: &Data,
    message: &serenity::Message,
) -> Result<(), Error> {
    let config = data.config.snapshot();
    let guild = config.discord.guild_id;
    let item = config.plan.items.iter().find(|i| {
        i.channel == Some(message.channel_id)
            && i.tag
                .as_deref()
                .is_none_or(|tag| message.content.contains(tag))
    });
    let Some(item) = item else {
        return Ok(());
    };
    if message.guild_id != Some(guild) || message.author.bot {
        return Ok(());
    }
    let roles: Vec<serenity::RoleId> = message
        .member
        .as_ref()
        .map(|m| m.roles.clone())
        .unwrap_or_default();
    if level_of(ctx, data, &config, message.author.id, &roles).await? < Level::Moderator {
        return Ok(());
    }
    crate::features::schedule::actions::record_content(
        data,
        &item.kind,
        message.author.id,
        message.channel_id,
        message.id,
    )
    .await?;
    Ok(())
}

/// A member's first post in an event's channel while the event is on counts as attending it
/// (attendance points, once). Memory decides; only that first post writes.
async fn attendance(data: &Data, message: &serenity::Message) -> Result<(), Error> {
    if message.author.bot || message.webhook_id.is_some() {
        return Ok(());
    }
    let now = data.clock.now();
    let windows = crate::features::schedule::engine(data).first_posts(
        message.channel_id.get(),
        message.author.id.get(),
        now,
    );
    if windows.is_empty() {
        return Ok(());
    }
    let config = data.config.snapshot();
    if message.guild_id != Some(config.discord.guild_id) || config.points.attendance_points == 0 {
        return Ok(());
    }
    let member = message.author.id;
    crate::features::schedule::actions::attend(data, &config, &windows, member).await?;
    Ok(())
}

/// The message hot path: plain data to the points engine (decides from memory, no I/O).
fn message(data: &Data, message: &serenity::Message) {
    let config = data.config.snapshot();
    if message.guild_id != Some(config.discord.guild_id) {
        return;
    }
    let roles: &[serenity::RoleId] = message.member.as_ref().map_or(&[], |m| m.roles.as_slice());
    let incoming = points::engine::Incoming {
        id: message.id,
        channel: message.channel_id,
        author: message.author.id,
        roles,
        bot: message.author.bot || message.webhook_id.is_some(),
        text: &message.content,
        at: data.clock.now(),
    };
    crate::features::points::engine(data).on_message(&config, &incoming);
    if !incoming.bot {
        let activity = crate::features::stats::activity(data);
        activity.on_message(
            message.author.id.get(),
            message.channel_id.get(),
            incoming.at,
            config.community.timezone,
        );
        let shown = message
            .member
            .as_ref()
            .and_then(|m| m.nick.as_deref())
            .or(message.author.global_name.as_deref())
            .unwrap_or(&message.author.name);
        activity.saw_name(
            message.author.id.get(),
            shown,
            message.author.avatar.map(|a| a.to_string()).as_deref(),
        );
    }
}

/// A helpful-answer reaction: counts toward the author's helpful award.
async fn reaction(
    ctx: &serenity::Context,
    data: &Data,
    reaction: &serenity::Reaction,
) -> Result<(), Error> {
    let config = data.config.snapshot();
    if reaction.guild_id != Some(config.discord.guild_id) {
        return Ok(());
    }
    let serenity::ReactionType::Unicode(emoji) = &reaction.emoji else {
        return Ok(());
    };
    if *emoji != config.points.helpful_emoji {
        return Ok(());
    }
    let Some(voter) = reaction.user_id else {
        return Ok(());
    };
    let author = match crate::features::points::engine(data).author_of(reaction.message_id) {
        Some((author, _)) => author,
        None => {
            ctx.http
                .get_message(reaction.channel_id, reaction.message_id)
                .await?
                .author
                .id
        }
    };
    let roles = reaction
        .member
        .as_ref()
        .map(|m| m.roles.clone())
        .unwrap_or_default();
    let level = level_of(ctx, data, &config, voter, &roles).await?;
    let awarded = points::actions::helpful_vote(
        data,
        &config,
        reaction.message_id,
        reaction.channel_id,
        author,
        voter,
        level >= Level::Moderator,
    )
    .await?;
    if awarded {
        tracing::info!(message = %reaction.message_id, %author, "helpful answer awarded");
    }
    Ok(())
}

/// A member joined (or rejoined): features restore what is theirs, through the outbox.
/// Discord's store: a purchase, a renewal date, an end. DELETE means refunded or removed.
async fn entitlement_changed(
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

async fn member_joined(
    data: &Data,
    guild: serenity::GuildId,
    user: serenity::UserId,
) -> Result<(), Error> {
    let config = data.config.snapshot();
    if guild != config.discord.guild_id {
        return Ok(());
    }
    // Each feature restores its own, in its own write.
    crate::features::moderation::actions::on_join(data, &config).await?;
    crate::features::community::actions::on_join(data, &config, user).await?;
    let staff = admin::ops::on_join(data, &config, user).await?;
    let earned = points::actions::on_join(data, &config, user).await?;
    let granted = crate::grants::give::restore_on_join(data, &config, user).await?;
    if staff + earned + granted > 0 {
        tracing::info!(%user, staff, earned, granted, "restored roles on join");
    }
    Ok(())
}
