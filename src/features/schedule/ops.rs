//! The scheduler's writes. Each announcement and reminder is a run record written in the same
//! transaction as its outbox message, so it happens at most once across crashes and restarts.
//! After downtime, occurrences missed by less than `grace` are posted late (marked late); older
//! ones follow the event's `catch_up`: `post_late` posts only the latest one, `skip` none,
//! `digest` one message listing them — never a flood.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde_json::json;
use serenity::all::ChannelId;
use sqlx::SqliteConnection;

use super::recurrence::{self, Repeat};
use super::store::{self, EventRow};
use crate::clock::{from_millis, to_millis};
use crate::config::Config;
use crate::discord::components::{self, Style};
use crate::error::Error;
use crate::i18n::Locale;
use crate::outbox::{self, Effect, MessageBody};
use crate::t;

/// Missed by less than this, an occurrence is still posted (marked late).
pub const GRACE: chrono::Duration = chrono::Duration::hours(1);

pub const LOCAL_FORMAT: &str = "%Y-%m-%d %H:%M";

/// An event's series, read back from its row.
pub struct Series {
    pub start: NaiveDateTime,
    pub repeat: Repeat,
    pub reminders: Vec<std::time::Duration>,
}

/// The series of `row`, or the text that could not be read.
pub fn series_checked(row: &EventRow) -> Result<Series, String> {
    let start = NaiveDateTime::parse_from_str(&row.starts_local, LOCAL_FORMAT)
        .map_err(|_| row.starts_local.clone())?;
    Ok(Series {
        repeat: recurrence::parse_repeat(&row.repeat, start).map_err(|e| e.0)?,
        reminders: recurrence::parse_reminders(&row.remind).map_err(|e| e.0)?,
        start,
    })
}

pub fn series(row: &EventRow) -> Option<Series> {
    let start = NaiveDateTime::parse_from_str(&row.starts_local, LOCAL_FORMAT).ok()?;
    Some(Series {
        repeat: recurrence::parse_repeat(&row.repeat, start).ok()?,
        reminders: recurrence::parse_reminders(&row.remind).ok()?,
        start,
    })
}

fn remind_kind(offset: std::time::Duration) -> String {
    format!("remind:{}", offset.as_secs())
}

/// How far ahead an occurrence is announced, at most.
pub const ANNOUNCE_AHEAD: chrono::Duration = chrono::Duration::days(7);

/// When occurrence `occ` is announced: when the previous one started (or the event was
/// created), but at most [`ANNOUNCE_AHEAD`] before it.
pub fn announce_at(previous: Option<i64>, occ: i64) -> i64 {
    let earliest = occ - ANNOUNCE_AHEAD.num_milliseconds();
    previous.unwrap_or(earliest).max(earliest).min(occ)
}

/// When something is next due for occurrence `occ`: its announcement, the earliest reminder
/// not yet run, or the occurrence itself (when the next one gets planned).
async fn due_for(
    conn: &mut SqliteConnection,
    event: i64,
    series: &Series,
    previous: Option<i64>,
    occ: i64,
) -> sqlx::Result<i64> {
    if !store::has_run(conn, event, occ, "announce").await? {
        return Ok(announce_at(previous, occ));
    }
    for offset in &series.reminders {
        let at = occ - offset.as_millis() as i64;
        if !store::has_run(conn, event, occ, &remind_kind(*offset)).await? {
            return Ok(at.min(occ));
        }
    }
    Ok(occ)
}

/// The announcement's message: an embed with the time as Discord timestamps (each member sees
/// their own local time), RSVP counts and buttons.
pub fn announcement(
    locale: Locale,
    row: &EventRow,
    occ: i64,
    counts: (i64, i64, i64),
    late: bool,
) -> MessageBody {
    let unix = occ / 1000;
    let mut description = format!("<t:{unix}:F> · <t:{unix}:R>");
    let about = row.description_in(locale);
    if !about.is_empty() {
        description = format!("{about}\n\n{description}");
    }
    if late {
        description.push_str(&format!("\n{}", t!(locale, "event-late")));
    }
    let embed = json!({
        "title": format!("📅 {}", row.title_in(locale)),
        "description": description,
        "color": 0x3BA55D,
        "fields": [{
            "name": t!(locale, "event-rsvp-field"),
            "value": t!(locale, "event-rsvp-counts", going = counts.0, maybe = counts.1, no = counts.2),
            "inline": false,
        }],
    });
    let button = |answer: super::Answer, style: Style| {
        let rsvp = super::Rsvp {
            event: row.id,
            occurrence: occ,
            answer,
        };
        components::button(rsvp.custom_id(), answer.label(locale), style)
    };
    MessageBody {
        content: String::new(),
        embeds: vec![embed],
        components: vec![components::row(vec![
            button(super::Answer::Going, Style::Success),
            button(super::Answer::Maybe, Style::Secondary),
            button(super::Answer::No, Style::Danger),
        ])],
        ..Default::default()
    }
}

fn post(channel: i64, body: MessageBody) -> Effect {
    Effect::SendMessage {
        channel_id: ChannelId::new(channel as u64),
        body,
    }
}

/// The announcement of occurrence `occ` (with RSVP buttons), once: on time, late, or skipped
/// (and kept for the digest) per the event's `catch_up`. Returns how many posts it queued.
async fn announce(
    tx: &mut SqliteConnection,
    row: &EventRow,
    occ: i64,
    following: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    missed: &mut Vec<i64>,
    locale: Locale,
) -> Result<usize, Error> {
    let now_ms = to_millis(now);
    if !store::has_run(tx, row.id, occ, "announce").await? {
        let overdue = now_ms - occ > GRACE.num_milliseconds();
        let later_missed = following.is_some_and(|f| to_millis(f) <= now_ms);
        let (outcome, late) = match (overdue, row.catch_up.as_str()) {
            (false, _) => ("posted", now_ms > occ + 60_000),
            (true, "post_late") if !later_missed => ("late", true),
            (true, "digest") => {
                missed.push(occ);
                ("skipped", false)
            }
            _ => ("skipped", false),
        };
        if store::record_run(tx, row.id, occ, "announce", outcome, now).await?
            && outcome != "skipped"
        {
            let body = announcement(locale, row, occ, (0, 0, 0), late);
            let posted = outbox::enqueue(tx, &post(row.channel_id, body), now, None).await?;
            // Remembered, so an RSVP from the web can edit the counts in place.
            if let Some(outbox_id) = posted {
                store::set_run_outbox(tx, row.id, occ, "announce", outbox_id).await?;
            }
            return Ok(1);
        }
    }
    Ok(0)
}

/// The reminders of occurrence `occ` that are due while it is still ahead: in the channel and
/// by DM to everyone who answered Going. Returns how many went out.
async fn remind(
    tx: &mut SqliteConnection,
    row: &EventRow,
    reminders: &[std::time::Duration],
    occ: i64,
    now: DateTime<Utc>,
    locale: Locale,
) -> Result<usize, Error> {
    let now_ms = to_millis(now);
    let mut queued = 0;
    // Reminders for this occurrence that are due, while it is still ahead: in the channel
    // and by DM to everyone who answered Going.
    for offset in reminders {
        let at = occ - offset.as_millis() as i64;
        if at > now_ms {
            continue;
        }
        let on_time = now_ms - at <= GRACE.num_milliseconds() && now_ms < occ;
        let outcome = if on_time { "posted" } else { "skipped" };
        if store::record_run(tx, row.id, occ, &remind_kind(*offset), outcome, now).await? && on_time
        {
            let text = t!(
                locale,
                "event-reminder",
                title = row.title_in(locale),
                when = format!("<t:{}:R>", occ / 1000)
            );
            outbox::enqueue(
                tx,
                &post(row.channel_id, MessageBody::text(text.clone())),
                now,
                None,
            )
            .await?;
            for member in store::going_in(tx, row.id, occ).await? {
                // Each member who is going hears it in their own language.
                let user = serenity::all::UserId::new(member as u64);
                let theirs = crate::member_locale::of(tx, user, locale).await?;
                let text = t!(
                    theirs,
                    "event-reminder",
                    title = row.title_in(theirs),
                    when = format!("<t:{}:R>", occ / 1000)
                );
                let dm = Effect::SendDm {
                    user_id: user,
                    body: MessageBody::text(text),
                };
                outbox::enqueue(tx, &dm, now, None).await?;
            }
            queued += 1;
        }
    }
    Ok(queued)
}

/// One digest of the occurrences skipped while the bot was away (`catch_up = "digest"`).
/// Returns how many posts it queued.
async fn digest(
    tx: &mut SqliteConnection,
    row: &EventRow,
    missed: &[i64],
    now: DateTime<Utc>,
    locale: Locale,
) -> Result<usize, Error> {
    if missed.is_empty() {
        return Ok(0);
    }
    let lines: Vec<String> = missed
        .iter()
        .map(|m| format!("• <t:{}:F>", m / 1000))
        .collect();
    let text = t!(
        locale,
        "event-digest",
        title = row.title_in(locale),
        count = missed.len() as i64,
        list = lines.join("\n")
    );
    if store::record_run(
        tx,
        row.id,
        *missed.last().unwrap_or(&0),
        "digest",
        "posted",
        now,
    )
    .await?
    {
        outbox::enqueue(
            tx,
            &post(row.channel_id, MessageBody::text(text)),
            now,
            None,
        )
        .await?;
        return Ok(1);
    }
    Ok(0)
}

/// Everything due for `row` at `now`, then its next plan. Returns how many messages it queued.
pub async fn run_event(
    tx: &mut SqliteConnection,
    config: &Config,
    row: &EventRow,
    now: DateTime<Utc>,
) -> Result<usize, Error> {
    let tz: Tz = config.community.timezone;
    let locale = config.community.default_locale;
    let now_ms = to_millis(now);
    let Some(series) = series(row) else {
        store::set_plan(tx, row.id, None, None, super::Status::Finished).await?;
        return Ok(0);
    };
    let mut queued = 0;
    let mut missed: Vec<i64> = Vec::new();
    let mut next = row.next_at;
    let mut previous = row.prev_at;
    while let Some(occ) = next {
        // The announcement (with RSVP buttons) goes out once the previous occurrence has
        // started (the first: at creation), at most a week ahead; reminders follow.
        let announce_at = announce_at(previous, occ);
        if announce_at > now_ms {
            break;
        }
        let following = recurrence::next_after(&series.repeat, series.start, tz, from_millis(occ));
        queued += announce(tx, row, occ, following, now, &mut missed, locale).await?;
        queued += remind(tx, row, &series.reminders, occ, now, locale).await?;
        if occ > now_ms {
            break;
        }
        previous = Some(occ);
        next = following.map(to_millis);
    }
    queued += digest(tx, row, &missed, now, locale).await?;
    match next {
        Some(occ) => {
            let due = due_for(tx, row.id, &series, previous, occ).await?;
            store::set_plan(tx, row.id, Some(occ), Some(due), super::Status::Active).await?;
            store::set_previous(tx, row.id, previous).await?;
        }
        None => {
            store::set_plan(tx, row.id, None, None, super::Status::Finished).await?;
            // The last occurrence stays known, for attendance while it is on.
            store::set_previous(tx, row.id, previous).await?;
        }
    }
    Ok(queued)
}

/// The plan of a series `/event create` is about to store, or why it cannot be: it starts in
/// the past, never fires, or a reminder would come before the previous occurrence.
pub fn plan_new(
    series: &Series,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<(i64, i64), super::ScheduleError> {
    if recurrence::resolve(tz, series.start) <= now {
        return Err(super::ScheduleError::InThePast);
    }
    let plan = first_plan(series, tz, now).ok_or(super::ScheduleError::NeverFires)?;
    let second = recurrence::next_after(&series.repeat, series.start, tz, from_millis(plan.0));
    if let Some(second) = second {
        let gap = to_millis(second) - plan.0;
        if series.reminders.iter().any(|r| r.as_millis() as i64 >= gap) {
            return Err(super::ScheduleError::ReminderTooLong);
        }
    }
    Ok(plan)
}

/// The plan (next occurrence, next due instant) of a new or resumed series, from `after`: its
/// announcement is due at once when the occurrence is within a week, else a week ahead.
pub fn first_plan(series: &Series, tz: Tz, after: DateTime<Utc>) -> Option<(i64, i64)> {
    let occ = to_millis(recurrence::next_after(
        &series.repeat,
        series.start,
        tz,
        after,
    )?);
    Some((occ, announce_at(Some(to_millis(after)), occ)))
}

/// Skips the next occurrence of `row` (its reminders too): the plan moves to the one after.
pub async fn skip_next(
    tx: &mut SqliteConnection,
    config: &Config,
    row: &EventRow,
    now: DateTime<Utc>,
) -> Result<Option<i64>, Error> {
    let tz = config.community.timezone;
    let (Some(series), Some(occ)) = (series(row), row.next_at) else {
        return Ok(None);
    };
    // Its own record: the announcement may already be out (posted up to a week ahead), and
    // the calendar feed and attendance must still know this occurrence is not held.
    store::record_run(tx, row.id, occ, "skip", "skipped", now).await?;
    store::record_run(tx, row.id, occ, "announce", "skipped", now).await?;
    for offset in &series.reminders {
        store::record_run(tx, row.id, occ, &remind_kind(*offset), "skipped", now).await?;
    }
    match first_plan(&series, tz, from_millis(occ)) {
        Some((next, due)) => {
            store::set_plan(tx, row.id, Some(next), Some(due), super::Status::Active).await?;
            store::set_previous(tx, row.id, Some(occ)).await?;
        }
        None => store::set_plan(tx, row.id, None, None, super::Status::Finished).await?,
    }
    Ok(Some(occ))
}

/// `/event attended`: the member attended the latest occurrence that has begun; they earn
/// `points.attendance_points` through the points ledger, once per occurrence. Returns the
/// occurrence and the member's new balance.
pub async fn attended(
    tx: &mut SqliteConnection,
    config: &Config,
    event: i64,
    member: serenity::all::UserId,
    by: serenity::all::UserId,
    now: DateTime<Utc>,
) -> Result<(i64, i64), Error> {
    use super::error::ScheduleError;
    if store::get(tx, event).await?.is_none() {
        return Err(ScheduleError::UnknownEvent { id: event }.into());
    }
    let occ = store::latest_held(tx, event, to_millis(now))
        .await?
        .ok_or(ScheduleError::NotYetHeld { id: event })?;
    if !credit(tx, config, event, occ, member, Some(by), now).await? {
        return Err(ScheduleError::AlreadyAttended.into());
    }
    let balance = crate::features::points::store::member(tx, member)
        .await?
        .balance;
    Ok((occ, balance))
}

/// Pays `points.attendance_points` for attending occurrence `occ` of `event`, once per member
/// and occurrence (the ledger reference is the key). False when already paid. `by` is the
/// moderator who marked it, or `None` when the member's own post in the channel counted.
pub async fn credit(
    tx: &mut SqliteConnection,
    config: &Config,
    event: i64,
    occ: i64,
    member: serenity::all::UserId,
    by: Option<serenity::all::UserId>,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    use crate::features::points::{ops as points, store::Entry};
    let reference = format!("attend:{event}:{occ}:{member}");
    let points = config.points.attendance_points;
    let entry = Entry {
        member,
        delta: points,
        lifetime_delta: points,
        kind: crate::features::points::Kind::Attendance,
        reason: Some(format!("event #{event}")),
        reference: Some(reference),
        actor: by,
        channel: None,
        at: now,
    };
    points::award_once(tx, config, entry, now).await
}
