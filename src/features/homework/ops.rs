//! Homework's writes, in the caller's transaction: an assignment set and announced, a
//! submission handed in (and posted for staff), a review (the member told by DM, ⭐ paid
//! once, the staff post edited in place).

use chrono::{DateTime, Utc};
use serenity::all::{ChannelId, UserId};
use sqlx::SqliteConnection;

use super::error::HomeworkError;
use super::{render, store};
use crate::clock::to_millis;
use crate::config::Config;
use crate::error::Error;
use crate::features::points::store::Entry;
use crate::i18n::Locale;
use crate::outbox::{self, Effect, MessageBody};

/// Where submissions wait for review: `channels.staff`, else the mod log.
fn review_channel(config: &Config) -> Option<ChannelId> {
    config.channels.staff.or(config.channels.mod_log)
}

pub struct Assign<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub due: DateTime<Utc>,
    pub channel: Option<ChannelId>,
    /// `channel` is a forum, and a member's post there with this tag is their hand-in.
    pub forum_tag: Option<u64>,
    pub by: UserId,
}

/// Sets an assignment and announces it (in its channel, else `channels.announcements`).
pub async fn assign(
    tx: &mut SqliteConnection,
    config: &Config,
    a: &Assign<'_>,
    now: DateTime<Utc>,
) -> Result<i64, Error> {
    if a.due <= now {
        return Err(HomeworkError::DueInThePast.into());
    }
    let channel = a.channel.or(config.channels.announcements);
    let new = store::NewAssignment {
        title: a.title,
        description: a.description,
        due_at: to_millis(a.due),
        channel: channel.map(|c| c.get() as i64),
        forum_tag: a.forum_tag.map(|t| t as i64),
        by: a.by,
        at: to_millis(now),
    };
    let id = store::insert_assignment(tx, &new).await?;
    if let Some(channel) = channel {
        let row = store::assignment(tx, id).await?.expect("just inserted");
        let locale = config.community.default_locale;
        let body = render::assignment_post(&row, locale);
        // A forum takes posts: the assignment is a post of its own there.
        let effect = match a.forum_tag {
            Some(_) => Effect::CreateForumPost {
                guild_id: config.discord.guild_id,
                channel_id: channel,
                name: format!("📝 #{id} {}", a.title).chars().take(100).collect(),
                body,
            },
            None => Effect::SendMessage {
                channel_id: channel,
                body,
            },
        };
        outbox::enqueue(tx, &effect, now, None).await?;
    }
    let entry = crate::audit::Action {
        guild_id: config.discord.guild_id,
        actor: a.by,
        action: "homework.assign",
        target_kind: Some("assignment"),
        target_id: Some(id as u64),
        arguments: serde_json::json!({ "title": a.title, "due": a.due.to_rfc3339() }),
    };
    crate::audit::record(tx, &entry, now).await?;
    Ok(id)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub id: i64,
    pub late: bool,
    /// Points paid now (handing in again pays nothing).
    pub points: i64,
    pub again: bool,
}

/// What a member hands in, in their language (the review DM is written in it).
pub struct Submit<'a> {
    pub assignment: i64,
    pub member: UserId,
    pub text: &'a str,
    pub link: Option<&'a str>,
    pub locale: Locale,
}

/// Hands in `text` for `assignment` (again, after "needs work"): pending review, posted for
/// staff with the review buttons; `points.homework_submit` once per assignment.
pub async fn submit(
    tx: &mut SqliteConnection,
    config: &Config,
    s: &Submit<'_>,
    now: DateTime<Utc>,
) -> Result<Submitted, Error> {
    let Submit {
        assignment,
        member,
        text,
        link,
        locale,
    } = *s;
    crate::member_actions::record(tx, config, member, now).await?;
    let link = link.map(str::trim).filter(|l| !l.is_empty());
    if link.is_some_and(|l| !(l.starts_with("https://") || l.starts_with("http://"))) {
        return Err(HomeworkError::BadLink.into());
    }
    let Some(a) = store::assignment(tx, assignment).await? else {
        return Err(HomeworkError::UnknownAssignment { id: assignment }.into());
    };
    let before = store::submission_of(tx, assignment, member).await?;
    if let Some(b) = &before {
        if !b.status.open_to_resubmit() {
            return Err(HomeworkError::AlreadyReviewed { id: assignment }.into());
        }
    }
    let at = to_millis(now);
    let late = at > a.due_at;
    let hand_in = store::HandIn {
        assignment,
        member,
        text: text.trim(),
        link,
        late,
        locale: locale.tag(),
        at,
    };
    let id = store::upsert_submission(tx, &hand_in).await?;
    let row = store::submission(tx, id).await?.expect("just written");
    if let Some(channel) = review_channel(config) {
        let body = render::staff_post(&row, &a, config.community.default_locale);
        // Handed in again: the same staff post shows the new text and the buttons again.
        let effect = match before.as_ref().and_then(|b| b.outbox_id) {
            Some(outbox_id) => Effect::EditPost {
                channel_id: channel,
                outbox_id,
                body,
            },
            None => Effect::SendMessage {
                channel_id: channel,
                body,
            },
        };
        let queued = outbox::enqueue(tx, &effect, now, None).await?;
        if before.is_none() {
            store::set_outbox_id(tx, id, queued).await?;
        }
    }
    let mut points = 0;
    if config.points.homework_submit > 0 {
        let entry = Entry {
            member,
            delta: config.points.homework_submit,
            lifetime_delta: config.points.homework_submit,
            kind: crate::features::points::Kind::Homework,
            reason: Some(format!("homework #{assignment} handed in")),
            reference: Some(format!("homework:{assignment}:{}", member.get())),
            actor: None,
            channel: None,
            at: now,
        };
        if crate::features::points::ops::award_once(tx, config, entry, now).await? {
            points = config.points.homework_submit;
        }
    }
    Ok(Submitted {
        id,
        late,
        points,
        again: before.is_some(),
    })
}

/// A staff review: stored, audited, the member told by DM (in their language), ⭐ paid once,
/// the staff post edited to show it. Returns the submission as it now reads.
pub async fn review(
    tx: &mut SqliteConnection,
    config: &Config,
    submission: i64,
    status: super::Status,
    comment: Option<&str>,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<store::SubmissionRow, Error> {
    let Some(s) = store::submission(tx, submission).await? else {
        return Err(HomeworkError::UnknownSubmission { id: submission }.into());
    };
    let a = store::assignment(tx, s.assignment_id)
        .await?
        .expect("a submission's assignment exists");
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    store::review(tx, submission, status, by, comment, to_millis(now)).await?;
    let member = UserId::new(s.member_id as u64);
    let mut points = 0;
    if status == super::Status::Featured && config.points.homework_featured > 0 {
        let entry = Entry {
            member,
            delta: config.points.homework_featured,
            lifetime_delta: config.points.homework_featured,
            kind: crate::features::points::Kind::Homework,
            reason: Some(format!("homework #{} featured", a.id)),
            reference: Some(format!("homework:{}:{}:featured", a.id, s.member_id)),
            actor: Some(by),
            channel: None,
            at: now,
        };
        if crate::features::points::ops::award_once(tx, config, entry, now).await? {
            points = config.points.homework_featured;
        }
    }
    // The member's language now (their last interaction), else the one they handed in with.
    let handed_in = Locale::from_config(&s.locale).unwrap_or(config.community.default_locale);
    let locale = crate::member_locale::of(tx, member, handed_in).await?;
    let dm = Effect::SendDm {
        user_id: member,
        body: MessageBody::text(render::review_dm(&a, status, comment, points, locale)),
    };
    outbox::enqueue(tx, &dm, now, None).await?;
    let row = store::submission(tx, submission).await?.expect("exists");
    if let (Some(channel), Some(outbox_id)) = (review_channel(config), row.outbox_id) {
        let effect = Effect::EditPost {
            channel_id: channel,
            outbox_id,
            body: render::staff_post(&row, &a, config.community.default_locale),
        };
        outbox::enqueue(tx, &effect, now, None).await?;
    }
    let entry = crate::audit::Action {
        guild_id: config.discord.guild_id,
        actor: by,
        action: "homework.review",
        target_kind: Some("submission"),
        target_id: Some(submission as u64),
        arguments: serde_json::json!({ "status": status, "comment": comment }),
    };
    crate::audit::record(tx, &entry, now).await?;
    Ok(row)
}

/// A member's post in an assignment's forum with its tag: their hand-in (the post's text, a
/// link to the post), answered in the post. Returns `None` when no assignment takes it.
pub async fn submit_post(
    tx: &mut SqliteConnection,
    config: &Config,
    post: &ForumPost<'_>,
    now: DateTime<Utc>,
) -> Result<Option<Submitted>, Error> {
    let tags: Vec<i64> = post.tags.iter().map(|t| *t as i64).collect();
    let Some(a) = store::by_forum_tag(tx, post.forum.get() as i64, &tags).await? else {
        return Ok(None);
    };
    let link = format!(
        "https://discord.com/channels/{}/{}",
        config.discord.guild_id, post.thread
    );
    let text: String = match post.content.trim() {
        "" => post.name.to_string(),
        content => content.chars().take(3_500).collect(),
    };
    let locale = config.community.default_locale;
    let hand_in = Submit {
        assignment: a.id,
        member: post.author,
        text: &text,
        link: Some(&link),
        locale,
    };
    let done = submit(tx, config, &hand_in, now).await;
    let answer = match &done {
        Ok(done) => {
            let mut text = crate::t!(locale, "homework-submitted", id = a.id);
            if done.late {
                text.push(' ');
                text.push_str(&crate::t!(locale, "homework-late-note"));
            }
            text
        }
        Err(Error::User(user)) => user.message(locale),
        Err(_) => return done.map(Some),
    };
    let reply = Effect::SendMessage {
        channel_id: post.thread,
        body: MessageBody::text(answer),
    };
    outbox::enqueue(tx, &reply, now, None).await?;
    Ok(done.ok())
}

/// A forum post as the door saw it.
pub struct ForumPost<'a> {
    pub forum: ChannelId,
    pub thread: ChannelId,
    pub tags: &'a [u64],
    pub author: UserId,
    pub name: &'a str,
    pub content: &'a str,
}
