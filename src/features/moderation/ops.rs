//! One function per rule-enforcement write, in the caller's transaction: automod actions,
//! warnings and their escalation, pardons, timeouts, rule acceptance and the rules message.
//! Every one posts a mod-log embed (no pings) and audits staff actions.

use chrono::{DateTime, Utc};
use serde_json::json;
use serenity::all::{ChannelId, MessageId, UserId};
use sqlx::SqliteConnection;

use super::automod::{Filter, Hit};
use super::error::ModerationError;
use super::{store, warnings};
use crate::audit;
use crate::clock::to_millis;
use crate::config::{Action, Config, Escalate, Rung};
use crate::discord::components::{self, Style};
use crate::error::Error;
use crate::i18n::Locale;
use crate::modlog::{self, Entry};
use crate::outbox::{self, Effect, MessageBody};
use crate::t;

const RED: u32 = 0xE0_4040;
const ORANGE: u32 = 0xF0_A030;
const GREEN: u32 = 0x40_B060;

fn filter_label(l: Locale, filter: Filter) -> String {
    match filter {
        Filter::BannedWords => t!(l, "automod-filter-banned-words"),
        Filter::Regex => t!(l, "automod-filter-regex"),
        Filter::Links => t!(l, "automod-filter-links"),
        Filter::Mentions => t!(l, "automod-filter-mentions"),
        Filter::Flood => t!(l, "automod-filter-flood"),
        Filter::Duplicates => t!(l, "automod-filter-duplicates"),
        Filter::Caps => t!(l, "automod-filter-caps"),
    }
}

pub fn filter_name(l: Locale, filter: Filter) -> String {
    filter_label(l, filter)
}

/// Why automod may not act on a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protected {
    Owner,
    /// Their top role is at or above the bot's.
    AboveBot,
}

/// A message automod caught.
pub struct Incident<'a> {
    pub member: UserId,
    pub channel: ChannelId,
    pub message: MessageId,
    pub text: &'a str,
    pub hit: &'a Hit,
    pub protected: Option<Protected>,
    /// DM the member (the first message of an incident).
    pub dm: bool,
    /// The member's language, when known.
    pub locale: Option<Locale>,
}

fn excerpt(text: &str) -> String {
    let cut: String = text.chars().take(200).collect();
    if cut.len() < text.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// Carries out a filter's action on a caught message: delete, warn, time out or log; a DM
/// per incident; a mod-log embed. Returns the warning made, if any.
pub async fn act(
    tx: &mut SqliteConnection,
    config: &Config,
    incident: &Incident<'_>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, Error> {
    let guild = config.discord.guild_id;
    let policy = super::engine::policy_of(config, incident.hit.filter);
    let action = policy.action;
    let jump = format!(
        "https://discord.com/channels/{guild}/{}/{}",
        incident.channel, incident.message
    );
    if let Some(protected) = incident.protected {
        cannot_act(tx, config, incident, protected, &jump, now).await?;
        return Ok(None);
    }
    let reason = format!("Lyceum automod: {}", incident.hit.filter.as_str());
    if matches!(action, Action::Delete | Action::DeleteWarn) {
        let effect = Effect::DeleteMessage {
            channel_id: incident.channel,
            message_id: incident.message,
            reason: reason.clone(),
        };
        outbox::enqueue(tx, &effect, now, None).await?;
    }
    if action == Action::Timeout {
        let until = now + chrono::Duration::from_std(policy.duration).unwrap_or_default();
        let effect = Effect::TimeoutMember {
            guild_id: guild,
            user_id: incident.member,
            until: Some(until),
            reason: reason.clone(),
        };
        outbox::enqueue(tx, &effect, now, None).await?;
    }
    let filter = incident.hit.filter;
    if incident.dm && action != Action::Log {
        tell_member(tx, config, incident, action, now).await?;
    }
    let member = format!("<@{}>", incident.member);
    let detail = incident.hit.detail.clone();
    modlog::post_embed(tx, config, now, |l| Entry {
        title: t!(l, "automod-title", rule = filter_label(l, filter)),
        fields: vec![
            (t!(l, "modlog-field-member"), member),
            (t!(l, "modlog-field-action"), action_label(l, action)),
            (t!(l, "modlog-field-detail"), format!("`{detail}`")),
            (t!(l, "modlog-field-excerpt"), excerpt(incident.text)),
            (t!(l, "modlog-field-link"), jump.clone()),
        ],
        color: RED,
    })
    .await?;
    if action == Action::DeleteWarn {
        let warned = warn(
            tx,
            config,
            None,
            incident.member,
            policy.warn_points,
            &format!("automod: {}", filter.as_str()),
            &format!("automod:{}", filter.as_str()),
            now,
        )
        .await?;
        return Ok(Some(warned.id));
    }
    Ok(None)
}

/// Automod caught a message it may not act on (the owner's, or a member above the bot):
/// staff hear why in the mod log.
async fn cannot_act(
    tx: &mut SqliteConnection,
    config: &Config,
    incident: &Incident<'_>,
    protected: Protected,
    jump: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let hit = incident.hit.clone();
    let member = format!("<@{}>", incident.member);
    modlog::post_embed(tx, config, now, |l| Entry {
        title: t!(l, "automod-cannot-act-title"),
        fields: vec![
            (t!(l, "modlog-field-member"), member),
            (t!(l, "modlog-field-rule"), filter_label(l, hit.filter)),
            (
                t!(l, "modlog-field-why"),
                match protected {
                    Protected::Owner => t!(l, "automod-protected-owner"),
                    Protected::AboveBot => t!(l, "automod-protected-above-bot"),
                },
            ),
            (t!(l, "modlog-field-excerpt"), excerpt(incident.text)),
            (t!(l, "modlog-field-link"), jump.to_string()),
        ],
        color: ORANGE,
    })
    .await?;
    Ok(())
}

/// The member's DM: which rule, what was done, in their language.
async fn tell_member(
    tx: &mut SqliteConnection,
    config: &Config,
    incident: &Incident<'_>,
    action: Action,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let l = match incident.locale {
        Some(l) => l,
        None => {
            let default = config.community.default_locale;
            crate::member_locale::of(tx, incident.member, default).await?
        }
    };
    let text = t!(
        l,
        "automod-dm",
        community = config.community.name.get(l).to_string(),
        rule = filter_label(l, incident.hit.filter),
        action = action_label(l, action)
    );
    let effect = Effect::SendDm {
        user_id: incident.member,
        body: MessageBody::text(text),
    };
    outbox::enqueue(tx, &effect, now, None).await?;

    Ok(())
}

fn action_label(l: Locale, action: Action) -> String {
    match action {
        Action::Delete => t!(l, "automod-action-delete"),
        Action::DeleteWarn => t!(l, "automod-action-delete-warn"),
        Action::Timeout => t!(l, "automod-action-timeout"),
        Action::Log => t!(l, "automod-action-log"),
    }
}

/// What a warning did.
#[derive(Debug, Clone, PartialEq)]
pub struct Warned {
    pub id: i64,
    pub total: i64,
    pub escalated: Vec<Rung>,
}

/// A warning (by a moderator, or automod when `by` is `None`) and the escalation it crosses,
/// each rung run once per crossing through the outbox and recorded.
#[allow(clippy::too_many_arguments)]
pub async fn warn(
    tx: &mut SqliteConnection,
    config: &Config,
    by: Option<UserId>,
    member: UserId,
    points: i64,
    reason: &str,
    source: &str,
    now: DateTime<Utc>,
) -> Result<Warned, Error> {
    let policy = &config.warnings;
    let now_ms = to_millis(now);
    let before_rows = store::warnings_of(tx, member).await?;
    let views: Vec<_> = before_rows
        .iter()
        .map(store::WarningRow::rule_view)
        .collect();
    let before = warnings::active_total(policy, &views, now_ms);
    let id = store::insert_warning(tx, member, by, reason, points, source, now).await?;
    let after = before + points;
    let escalated = warnings::crossed(policy, before, after);
    let guild = config.discord.guild_id;
    for rung in &escalated {
        let why = format!("Lyceum: {} warning points", rung.at_points);
        let effect = match rung.action {
            Escalate::Timeout => Effect::TimeoutMember {
                guild_id: guild,
                user_id: member,
                until: Some(now + chrono::Duration::from_std(rung.duration).unwrap_or_default()),
                reason: why,
            },
            Escalate::Kick => Effect::KickMember {
                guild_id: guild,
                user_id: member,
                reason: why,
            },
            Escalate::Ban => Effect::BanMember {
                guild_id: guild,
                user_id: member,
                reason: why,
            },
        };
        outbox::enqueue(tx, &effect, now, None).await?;
        store::record_escalation(tx, member, id, rung.at_points, rung.action.as_str(), now).await?;
    }
    let (whom, by_text, why) = (
        format!("<@{member}>"),
        by.map(|b| format!("<@{b}>"))
            .unwrap_or_else(|| "automod".into()),
        reason.to_string(),
    );
    let rungs = escalated.clone();
    modlog::post_embed(tx, config, now, |l| {
        let mut fields = vec![
            (t!(l, "modlog-field-member"), whom),
            (t!(l, "modlog-field-by"), by_text),
            (t!(l, "modlog-field-reason"), why),
            (
                t!(l, "modlog-field-points"),
                t!(l, "warn-points-line", points = points, total = after),
            ),
        ];
        for rung in &rungs {
            fields.push((t!(l, "modlog-field-escalation"), escalation_label(l, rung)));
        }
        Entry {
            title: t!(l, "warn-title", id = id),
            fields,
            color: ORANGE,
        }
    })
    .await?;
    if let Some(by) = by {
        let action = audit::Action {
            guild_id: guild,
            actor: by,
            action: "warn",
            target_kind: Some("user"),
            target_id: Some(member.get()),
            arguments: json!({ "warning": id, "points": points, "reason": reason }),
        };
        audit::record(tx, &action, now).await?;
    }
    Ok(Warned {
        id,
        total: after,
        escalated,
    })
}

pub fn escalation_label(l: Locale, rung: &Rung) -> String {
    match rung.action {
        Escalate::Timeout => t!(
            l,
            "escalation-timeout",
            at = rung.at_points,
            minutes = (rung.duration.as_secs() / 60) as i64
        ),
        Escalate::Kick => t!(l, "escalation-kick", at = rung.at_points),
        Escalate::Ban => t!(l, "escalation-ban", at = rung.at_points),
    }
}

/// `/pardon`: the warning stays on the record, marked pardoned, and no longer counts.
pub async fn pardon(
    tx: &mut SqliteConnection,
    config: &Config,
    by: UserId,
    id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<UserId, Error> {
    let row = store::warning(tx, id)
        .await?
        .ok_or(ModerationError::UnknownWarning { id })?;
    if !store::pardon(tx, id, by, reason, now).await? {
        return Err(ModerationError::AlreadyPardoned { id }.into());
    }
    let member = UserId::new(row.member_id as u64);
    let action = audit::Action {
        guild_id: config.discord.guild_id,
        actor: by,
        action: "pardon",
        target_kind: Some("user"),
        target_id: Some(member.get()),
        arguments: json!({ "warning": id, "reason": reason }),
    };
    audit::record(tx, &action, now).await?;
    let (whom, by_text, why) = (
        format!("<@{member}>"),
        format!("<@{by}>"),
        reason.to_string(),
    );
    modlog::post_embed(tx, config, now, |l| Entry {
        title: t!(l, "pardon-title", id = id),
        fields: vec![
            (t!(l, "modlog-field-member"), whom),
            (t!(l, "modlog-field-by"), by_text),
            (t!(l, "modlog-field-reason"), why),
        ],
        color: GREEN,
    })
    .await?;
    Ok(member)
}

/// `/timeout` (`until` set) and `/untimeout` (`None`).
pub async fn timeout(
    tx: &mut SqliteConnection,
    config: &Config,
    by: UserId,
    member: UserId,
    until: Option<DateTime<Utc>>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let effect = Effect::TimeoutMember {
        guild_id: config.discord.guild_id,
        user_id: member,
        until,
        reason: format!("Lyceum: {reason}"),
    };
    outbox::enqueue(tx, &effect, now, None).await?;
    let action = audit::Action {
        guild_id: config.discord.guild_id,
        actor: by,
        action: if until.is_some() {
            "timeout"
        } else {
            "untimeout"
        },
        target_kind: Some("user"),
        target_id: Some(member.get()),
        arguments: json!({ "until": until.map(|u| u.to_rfc3339()), "reason": reason }),
    };
    audit::record(tx, &action, now).await?;
    let (whom, by_text, why) = (
        format!("<@{member}>"),
        format!("<@{by}>"),
        reason.to_string(),
    );
    let until_text = until.map(|u| format!("<t:{}:F>", u.timestamp()));
    modlog::post_embed(tx, config, now, |l| Entry {
        title: match &until_text {
            Some(_) => t!(l, "timeout-title"),
            None => t!(l, "untimeout-title"),
        },
        fields: vec![
            (t!(l, "modlog-field-member"), whom),
            (t!(l, "modlog-field-by"), by_text),
            (t!(l, "modlog-field-reason"), why),
            (
                t!(l, "modlog-field-until"),
                until_text.clone().unwrap_or_default(),
            ),
        ],
        color: ORANGE,
    })
    .await?;
    Ok(())
}

/// "I accept" under the rules: records the acceptance and grants `onboarding.accepted_role`
/// once. Returns whether this was the first acceptance.
pub async fn accept_rules(
    tx: &mut SqliteConnection,
    config: &Config,
    member: UserId,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let first = store::accept(tx, member, now).await?;
    if first {
        if let Some(role) = config.onboarding.accepted_role {
            let effect = Effect::AddRole {
                guild_id: config.discord.guild_id,
                user_id: member,
                role_id: role,
                reason: "Lyceum: accepted the rules".into(),
            };
            outbox::enqueue(tx, &effect, now, None).await?;
        }
    }
    Ok(first)
}

/// The rules message, in the community's language, with the "I accept" button when a gate
/// is configured.
pub fn rules_body(config: &Config) -> MessageBody {
    let l = config.community.default_locale;
    let fields: Vec<serde_json::Value> = config
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({ "name": format!("{}. {}", i + 1, r.title.get(l)), "value": r.text.get(l), "inline": false })
        })
        .collect();
    let embed = json!({
        "title": t!(l, "rules-title", community = config.community.name.get(l).to_string()),
        "fields": fields,
        "color": 0x5865F2,
    });
    let components = if config.onboarding.accepted_role.is_some() {
        let accept =
            components::button(ACCEPT_BUTTON, t!(l, "rules-accept-button"), Style::Success);
        vec![components::row(vec![accept])]
    } else {
        Vec::new()
    };
    MessageBody {
        content: String::new(),
        embeds: vec![embed],
        components,
        ..Default::default()
    }
}

/// The custom id of the rules message's "I accept" button.
pub const ACCEPT_BUTTON: &str = "lyceum:rules:accept";

/// `/rules post`: posts the rules in `channels.rules`, or edits the message posted before.
/// Returns whether it edited.
pub async fn post_rules(
    tx: &mut SqliteConnection,
    config: &Config,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let channel = config
        .channels
        .rules
        .ok_or(ModerationError::NoRulesChannel)?;
    if config.rules.is_empty() {
        return Err(ModerationError::NoRules.into());
    }
    let body = rules_body(config);
    let before = store::posted_rules(tx).await?;
    let edited = matches!(before, Some((_, c)) if c as u64 == channel.get());
    let effect = match before {
        Some((outbox_id, c)) if c as u64 == channel.get() => Effect::EditPost {
            channel_id: channel,
            outbox_id,
            body,
        },
        _ => Effect::SendMessage {
            channel_id: channel,
            body,
        },
    };
    let id = outbox::enqueue(tx, &effect, now, None)
        .await?
        .unwrap_or_default();
    if !edited {
        store::set_posted_rules(tx, id, channel.get() as i64).await?;
    }
    let action = audit::Action {
        guild_id: config.discord.guild_id,
        actor: by,
        action: "rules.post",
        target_kind: None,
        target_id: None,
        arguments: json!({ "channel": channel.get().to_string(), "edited": edited }),
    };
    audit::record(tx, &action, now).await?;
    Ok(edited)
}

/// More joins than `automod.raid.joins` within the window: one alert in the mod log.
pub async fn raid_alert(
    tx: &mut SqliteConnection,
    config: &Config,
    joins: usize,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let seconds = config.automod.raid_window.as_secs() as i64;
    let count = joins as i64;
    modlog::post(tx, config, now, |l| {
        t!(l, "raid-alert", count = count, seconds = seconds)
    })
    .await?;
    Ok(())
}
