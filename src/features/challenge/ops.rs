//! Challenges' writes, in the caller's transaction: create (the whole plan of days), join,
//! check in, excuse, post a day (the poster), end (finishers paid and given their role).

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serenity::all::{ChannelId, RoleId, UserId};
use sqlx::SqliteConnection;

use super::error::ChallengeError;
use super::store::{self, ChallengeRow, DayRow};
use super::{render, rules};
use crate::clock::{from_millis, to_millis};
use crate::config::Config;
use crate::error::Error;
use crate::features::points::store::Entry;
use crate::outbox::{self, Effect};

pub struct Create<'a> {
    pub title: &'a str,
    pub days: u32,
    pub start: NaiveDate,
    pub prompt_time: NaiveTime,
    pub deadline: Option<NaiveTime>,
    pub prompts: Vec<String>,
    pub excused_days: u32,
    pub channel: ChannelId,
    /// `channel` is a forum: each day is a post (a thread) of its own.
    pub forum: bool,
    pub completion_role: Option<RoleId>,
    pub by: UserId,
}

/// Creates a challenge with every day planned in the community's zone. Returns its id.
pub async fn create(
    tx: &mut SqliteConnection,
    config: &Config,
    c: &Create<'_>,
    now: DateTime<Utc>,
) -> Result<i64, Error> {
    let tz = config.community.timezone;
    let today = now.with_timezone(&tz).date_naive();
    if c.start < today {
        return Err(ChallengeError::StartsInThePast {
            date: c.start.to_string(),
        }
        .into());
    }
    let plan = rules::plan(c.start, c.days, c.prompt_time, c.deadline, tz);
    let ends_at = plan.last().map_or(now, |d| d.closes);
    let prompts = serde_json::to_string(&c.prompts).map_err(anyhow::Error::from)?;
    let new = store::NewChallenge {
        title: c.title,
        days: i64::from(c.days),
        channel_id: c.channel.get() as i64,
        prompts: &prompts,
        excused_days: i64::from(c.excused_days),
        completion_role: c.completion_role.map(|r| r.get() as i64),
        ends_at: to_millis(ends_at),
        forum: c.forum,
        created_by: c.by.get() as i64,
        created_at: to_millis(now),
    };
    let id = store::insert(tx, &new).await?;
    for day in &plan {
        store::insert_day(
            tx,
            id,
            i64::from(day.day),
            to_millis(day.opens),
            to_millis(day.closes),
        )
        .await?;
    }
    let entry = crate::audit::Action {
        guild_id: config.discord.guild_id,
        actor: c.by,
        action: "challenge.create",
        target_kind: Some("challenge"),
        target_id: Some(id as u64),
        arguments: serde_json::json!({
            "title": c.title, "days": c.days, "start": c.start.to_string(),
            "prompt_time": c.prompt_time.format("%H:%M").to_string(),
            "channel": c.channel.get().to_string(),
        }),
    };
    crate::audit::record(tx, &entry, now).await?;
    Ok(id)
}

/// The challenge a member means: the one named, or the only one running.
pub async fn find(conn: &mut SqliteConnection, id: Option<i64>) -> Result<ChallengeRow, Error> {
    if let Some(id) = id {
        return store::get(conn, id)
            .await?
            .ok_or_else(|| ChallengeError::NoChallenge.into());
    }
    let mut active = store::active(conn).await?;
    match active.len() {
        0 => Err(ChallengeError::NoChallenge.into()),
        1 => Ok(active.remove(0)),
        _ => Err(ChallengeError::WhichChallenge {
            ids: active
                .iter()
                .map(|c| format!("`{}` {}", c.id, c.title))
                .collect::<Vec<_>>()
                .join(", "),
        }
        .into()),
    }
}

/// Joins a running challenge. Returns whether the member was new to it.
pub async fn join(
    tx: &mut SqliteConnection,
    challenge: &ChallengeRow,
    member: UserId,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    if challenge.status != "active" {
        return Err(ChallengeError::Ended { id: challenge.id }.into());
    }
    Ok(store::join(tx, challenge.id, member, to_millis(now)).await?)
}

/// A day's deadline as members read it, in the community's zone.
fn local_time(config: &Config, ms: i64) -> String {
    from_millis(ms)
        .with_timezone(&config.community.timezone)
        .format("%m-%d %H:%M")
        .to_string()
}

/// Whether `member` may check in on `day` at `now`: the day is posted and still open, and
/// they have not done it yet. Read at the press (before the modal) and again at the submit.
pub async fn may_check_in(
    conn: &mut SqliteConnection,
    config: &Config,
    challenge: i64,
    day: i64,
    member: UserId,
    now: DateTime<Utc>,
) -> Result<(ChallengeRow, DayRow), Error> {
    let Some(row) = store::get(conn, challenge).await? else {
        return Err(ChallengeError::NoChallenge.into());
    };
    let Some(plan) = store::day(conn, challenge, day).await? else {
        return Err(ChallengeError::DayNotOpen { day }.into());
    };
    if plan.posted_at.is_none() || to_millis(now) < plan.opens_at {
        return Err(ChallengeError::DayNotOpen { day }.into());
    }
    if plan.skipped || to_millis(now) >= plan.closes_at {
        return Err(ChallengeError::DayClosed {
            day,
            closed_at: local_time(config, plan.closes_at),
        }
        .into());
    }
    if store::recorded(conn, challenge, member, day).await? {
        return Err(ChallengeError::AlreadyDone { day }.into());
    }
    Ok((row, plan))
}

/// A member's streak in `challenge` at `now`.
pub async fn streak(
    conn: &mut SqliteConnection,
    challenge: i64,
    member: UserId,
    now: DateTime<Utc>,
) -> Result<u32, Error> {
    let days = store::days(conn, challenge).await?;
    let done: HashSet<u32> = store::member_days(conn, challenge, member)
        .await?
        .into_iter()
        .map(|d| d as u32)
        .collect();
    Ok(rules::streak(&posted(&days, to_millis(now)), &done))
}

/// The posted days as `rules::streak` reads them: (day, still open, counted).
pub fn posted(days: &[DayRow], now: i64) -> Vec<(u32, bool, bool)> {
    days.iter()
        .filter(|d| d.posted_at.is_some())
        .map(|d| (d.day as u32, now < d.closes_at, !d.skipped))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedIn {
    pub day: i64,
    pub streak: u32,
    pub points: i64,
}

/// What the check-in modal carried.
pub struct CheckIn<'a> {
    pub challenge: i64,
    pub day: i64,
    pub member: UserId,
    pub text: &'a str,
    pub link: Option<&'a str>,
}

/// A check-in from the modal: allowed only while the day is open (checked here, at the
/// submit), joins the member if they had not, pays `points.challenge_checkin` once.
pub async fn check_in(
    tx: &mut SqliteConnection,
    config: &Config,
    c: &CheckIn<'_>,
    now: DateTime<Utc>,
) -> Result<CheckedIn, Error> {
    let CheckIn {
        challenge,
        day,
        member,
        text,
        link,
    } = *c;
    crate::member_actions::record(tx, config, member, now).await?;
    let link = link.map(str::trim).filter(|l| !l.is_empty());
    if link.is_some_and(|l| !(l.starts_with("https://") || l.starts_with("http://"))) {
        return Err(ChallengeError::BadLink.into());
    }
    let (row, _) = may_check_in(tx, config, challenge, day, member, now).await?;
    store::join(tx, row.id, member, to_millis(now)).await?;
    let record = store::Record {
        challenge: row.id,
        member,
        day,
        kind: "checkin",
        text: Some(text.trim()),
        link,
        at: to_millis(now),
    };
    if !store::record(tx, &record).await? {
        return Err(ChallengeError::AlreadyDone { day }.into());
    }
    let points = config.points.challenge_checkin;
    if points > 0 {
        let entry = Entry {
            member,
            delta: points,
            lifetime_delta: points,
            kind: crate::features::points::Kind::Challenge,
            reason: Some(format!("challenge #{} day {day}", row.id)),
            reference: Some(format!("challenge:{}:{day}:{}", row.id, member.get())),
            actor: None,
            channel: None,
            at: now,
        };
        crate::features::points::ops::award_once(tx, config, entry, now).await?;
    }
    Ok(CheckedIn {
        day,
        streak: streak(tx, row.id, member, now).await?,
        points,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excused {
    pub day: i64,
    pub left: i64,
    pub streak: u32,
}

/// 请假: spends one of the challenge's excuses on today's open day and keeps the streak.
pub async fn excuse(
    tx: &mut SqliteConnection,
    config: &Config,
    challenge: Option<i64>,
    member: UserId,
    now: DateTime<Utc>,
) -> Result<Excused, Error> {
    let row = find(tx, challenge).await?;
    let Some(used) = store::membership(tx, row.id, member).await? else {
        return Err(ChallengeError::NotJoined { id: row.id }.into());
    };
    let at = to_millis(now);
    let days = store::days(tx, row.id).await?;
    let open = days
        .iter()
        .rev()
        .find(|d| d.posted_at.is_some() && !d.skipped && d.opens_at <= at && at < d.closes_at);
    let Some(open) = open else {
        let next = days
            .iter()
            .find(|d| d.posted_at.is_none())
            .map_or(row.days, |d| d.day);
        return Err(ChallengeError::DayNotOpen { day: next }.into());
    };
    let day = open.day;
    may_check_in(tx, config, row.id, day, member, now).await?;
    if used >= row.excused_days {
        return Err(ChallengeError::NoExcusesLeft {
            allowed: row.excused_days,
        }
        .into());
    }
    let record = store::Record {
        challenge: row.id,
        member,
        day,
        kind: "excused",
        text: None,
        link: None,
        at,
    };
    if !store::record(tx, &record).await? {
        return Err(ChallengeError::AlreadyDone { day }.into());
    }
    store::use_excuse(tx, row.id, member).await?;
    Ok(Excused {
        day,
        left: row.excused_days - used - 1,
        streak: streak(tx, row.id, member, now).await?,
    })
}

/// Posts day `day` of `challenge` once (the poster). A day whose deadline already passed (the
/// bot was down through it) is marked skipped instead: a prompt nobody can answer is noise.
/// Returns whether a prompt was queued.
pub async fn post_day(
    tx: &mut SqliteConnection,
    config: &Config,
    challenge: i64,
    day: i64,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let (Some(row), Some(plan)) = (
        store::get(tx, challenge).await?,
        store::day(tx, challenge, day).await?,
    ) else {
        return Ok(false);
    };
    if plan.posted_at.is_some() {
        return Ok(false);
    }
    let at = to_millis(now);
    if at >= plan.closes_at {
        store::mark_posted(tx, challenge, day, at, true, None).await?;
        tracing::warn!(
            challenge,
            day,
            "a challenge day passed its deadline unposted; skipped"
        );
        return Ok(false);
    }
    let locale = config.community.default_locale;
    let body = render::prompt(&row, &plan, locale);
    let channel_id = ChannelId::new(row.channel_id as u64);
    let effect = if row.forum {
        Effect::CreateForumPost {
            guild_id: config.discord.guild_id,
            channel_id,
            name: render::post_name(&row, day, locale),
            body,
        }
    } else {
        Effect::SendMessage { channel_id, body }
    };
    let outbox_id = outbox::enqueue(tx, &effect, now, None).await?;
    Ok(store::mark_posted(tx, challenge, day, at, false, outbox_id).await?)
}

/// Ends a challenge whose last deadline passed: finishers (every counted day done) are marked,
/// paid `points.challenge_completion` once and given the completion role; the channel hears
/// how it went. Returns (finishers, participants), `None` when it had ended before.
pub async fn end(
    tx: &mut SqliteConnection,
    config: &Config,
    challenge: i64,
    now: DateTime<Utc>,
) -> Result<Option<(usize, usize)>, Error> {
    let Some(row) = store::get(tx, challenge).await? else {
        return Ok(None);
    };
    if !store::finish(tx, challenge).await? {
        return Ok(None);
    }
    let days = store::days(tx, challenge).await?;
    let counted: Vec<u32> = days
        .iter()
        .filter(|d| d.posted_at.is_some() && !d.skipped)
        .map(|d| d.day as u32)
        .collect();
    let members = store::done_days(tx, challenge).await?;
    let mut finishers = 0;
    for (member, done) in &members {
        let done: HashSet<u32> = done.iter().map(|d| *d as u32).collect();
        if !rules::finished(&counted, &done) {
            continue;
        }
        finishers += 1;
        let user = UserId::new(*member as u64);
        store::set_finished(tx, challenge, *member, to_millis(now)).await?;
        let points = config.points.challenge_completion;
        if points > 0 {
            let entry = Entry {
                member: user,
                delta: points,
                lifetime_delta: points,
                kind: crate::features::points::Kind::Challenge,
                reason: Some(format!("finished challenge #{challenge}")),
                reference: Some(format!("challenge:{challenge}:done:{member}")),
                actor: None,
                channel: None,
                at: now,
            };
            crate::features::points::ops::award_once(tx, config, entry, now).await?;
        }
        if let Some(role) = row.completion_role {
            let effect = Effect::AddRole {
                guild_id: config.discord.guild_id,
                user_id: user,
                role_id: RoleId::new(role as u64),
                reason: format!("Lyceum: finished challenge #{challenge}"),
            };
            outbox::enqueue(tx, &effect, now, None).await?;
        }
    }
    let summary = render::ended(
        &row,
        finishers,
        members.len(),
        config.community.default_locale,
    );
    // A forum takes posts, not messages: the summary is a post of its own there.
    let channel_id = ChannelId::new(row.channel_id as u64);
    let effect = if row.forum {
        Effect::CreateForumPost {
            guild_id: config.discord.guild_id,
            channel_id,
            name: row.title.chars().take(90).collect::<String>() + " 🏁",
            body: summary,
        }
    } else {
        Effect::SendMessage {
            channel_id,
            body: summary,
        }
    };
    outbox::enqueue(tx, &effect, now, None).await?;
    Ok(Some((finishers, members.len())))
}

/// `/challenge stats`' numbers (reads only): completion per posted day = check-ins ÷
/// participants; finishers (ended) or members on track (running: every closed day done); the
/// ten longest streaks.
pub async fn stats(
    conn: &mut SqliteConnection,
    row: &ChallengeRow,
    now: DateTime<Utc>,
) -> Result<render::Stats, Error> {
    let at = to_millis(now);
    let days = store::days(conn, row.id).await?;
    let counts = store::day_counts(conn, row.id).await?;
    let members = store::done_days(conn, row.id).await?;
    let shown: Vec<(i64, i64, i64, bool)> = days
        .iter()
        .filter(|d| d.posted_at.is_some())
        .map(|d| {
            let (c, e) = counts
                .iter()
                .find(|(day, _, _)| *day == d.day)
                .map_or((0, 0), |(_, c, e)| (*c, *e));
            (d.day, c, e, d.skipped)
        })
        .collect();
    let must: Vec<u32> = days
        .iter()
        .filter(|d| {
            d.posted_at.is_some() && !d.skipped && (row.status != "active" || d.closes_at <= at)
        })
        .map(|d| d.day as u32)
        .collect();
    let posted = posted(&days, at);
    let mut finishing = 0;
    let mut leaders = Vec::new();
    for (member, done) in &members {
        let done: HashSet<u32> = done.iter().map(|d| *d as u32).collect();
        if rules::finished(&must, &done) {
            finishing += 1;
        }
        leaders.push((*member, rules::streak(&posted, &done), done.len()));
    }
    leaders.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    leaders.truncate(10);
    Ok(render::Stats {
        participants: members.len() as i64,
        days: shown,
        finishing,
        leaders,
    })
}
