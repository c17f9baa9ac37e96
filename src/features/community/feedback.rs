//! Feedback: stored, posted for staff with status buttons (new → planned → done / declined),
//! the author told by DM on each change; adopted feedback earns `points.feedback_adopted` once.

use chrono::{DateTime, Utc};
use serde_json::json;
use serenity::all::{ChannelId, UserId};
use sqlx::{FromRow, SqliteConnection};

use super::error::CommunityError;
use crate::clock::to_millis;
use crate::config::Config;
use crate::error::Error;
use crate::i18n::Locale;
use crate::outbox::{self, Effect, MessageBody};
use crate::t;

/// Status buttons: `lyceum:fb:<id>:<status>`.
pub const BUTTON_PREFIX: &str = "lyceum:fb:";

pub const KINDS: [&str; 3] = ["suggestion", "bug", "content_request"];
pub const STATUSES: [&str; 4] = ["new", "planned", "done", "declined"];

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct FeedbackRow {
    pub id: i64,
    pub member_id: i64,
    pub kind: String,
    pub text: String,
    pub anonymous: bool,
    pub status: String,
    pub outbox_id: Option<i64>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, member_id, kind, text, anonymous, status, outbox_id, created_at";

fn kind_name(locale: Locale, kind: &str) -> String {
    match kind {
        "bug" => t!(locale, "feedback-kind-bug"),
        "content_request" => t!(locale, "feedback-kind-content"),
        _ => t!(locale, "feedback-kind-suggestion"),
    }
}

pub fn status_name(locale: Locale, status: &str) -> String {
    match status {
        "planned" => t!(locale, "feedback-status-planned"),
        "done" => t!(locale, "feedback-status-done"),
        "declined" => t!(locale, "feedback-status-declined"),
        _ => t!(locale, "feedback-status-new"),
    }
}

/// The staff post: the text, who sent it (or "anonymous"), the status, and the buttons.
pub fn staff_post(locale: Locale, row: &FeedbackRow) -> MessageBody {
    let author = if row.anonymous {
        t!(locale, "feedback-anonymous")
    } else {
        format!("<@{}>", row.member_id)
    };
    let embed = json!({
        "title": format!("💬 {} #{}", kind_name(locale, &row.kind), row.id),
        "description": row.text,
        "color": 0xFEE75C,
        "fields": [
            { "name": t!(locale, "feedback-field-from"), "value": author, "inline": true },
            { "name": t!(locale, "feedback-field-status"), "value": status_name(locale, &row.status), "inline": true },
        ],
    });
    let button = |status: &str, style: u8| {
        json!({
            "type": 2,
            "style": style,
            "label": status_name(locale, status),
            "custom_id": format!("{BUTTON_PREFIX}{}:{status}", row.id),
            "disabled": row.status == status,
        })
    };
    MessageBody {
        content: String::new(),
        embeds: vec![embed],
        components: vec![json!({
            "type": 1,
            "components": [button("planned", 1), button("done", 3), button("declined", 4)],
        })],
    }
}

pub async fn get(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<Option<FeedbackRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM feedback WHERE id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

pub async fn list(
    conn: &mut SqliteConnection,
    status: Option<&str>,
) -> sqlx::Result<Vec<FeedbackRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM feedback WHERE (?1 IS NULL OR status = ?1) ORDER BY id DESC LIMIT 200"
    ))
    .bind(status)
    .fetch_all(&mut *conn)
    .await
}

/// Where feedback goes for staff: `channels.feedback`, else `staff`, else the mod log.
fn staff_channel(config: &Config) -> Option<ChannelId> {
    config
        .channels
        .feedback
        .or(config.channels.staff)
        .or(config.channels.mod_log)
}

/// Stores feedback and queues its staff post. Returns its id.
pub async fn send(
    tx: &mut SqliteConnection,
    config: &Config,
    member: UserId,
    kind: &str,
    text: &str,
    anonymous: bool,
    now: DateTime<Utc>,
) -> Result<i64, Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO feedback (member_id, kind, text, anonymous, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(member.get() as i64)
    .bind(kind)
    .bind(text)
    .bind(anonymous)
    .bind(to_millis(now))
    .bind(to_millis(now))
    .fetch_one(&mut *tx)
    .await?;
    if let Some(channel) = staff_channel(config) {
        let row = get(tx, id).await?.expect("just inserted");
        let body = staff_post(config.community.default_locale, &row);
        let effect = Effect::SendMessage {
            channel_id: channel,
            body,
        };
        let outbox_id = outbox::enqueue(tx, &effect, now, None).await?;
        sqlx::query("UPDATE feedback SET outbox_id = ? WHERE id = ?")
            .bind(outbox_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    Ok(id)
}

/// Moves feedback `id` to `status`: the author is told by DM, and adopted feedback (done)
/// earns `points.feedback_adopted` once. Returns the updated row, or `None` when unchanged.
pub async fn set_status(
    tx: &mut SqliteConnection,
    config: &Config,
    id: i64,
    status: &str,
    now: DateTime<Utc>,
) -> Result<Option<FeedbackRow>, Error> {
    let Some(row) = get(tx, id).await? else {
        return Err(CommunityError::UnknownFeedback { id }.into());
    };
    if row.status == status || !STATUSES.contains(&status) {
        return Ok(None);
    }
    sqlx::query("UPDATE feedback SET status = ?, updated_at = ? WHERE id = ?")
        .bind(status)
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let author = UserId::new(row.member_id as u64);
    let locale = crate::features::points::store::member(tx, author)
        .await?
        .locale
        .as_deref()
        .and_then(Locale::from_config)
        .unwrap_or(config.community.default_locale);
    let points = config.points.feedback_adopted;
    let mut text = t!(
        locale,
        "feedback-status-dm",
        id = id,
        status = status_name(locale, status)
    );
    if status == "done" && points > 0 {
        use crate::features::points::{ops as points_ops, store::Entry};
        let entry = Entry {
            member: author,
            delta: points,
            lifetime_delta: points,
            kind: "feedback",
            reason: Some(format!("feedback #{id} adopted")),
            reference: Some(format!("feedback:{id}")),
            actor: None,
            channel: None,
            at: now,
        };
        let before = crate::features::points::store::member(tx, author)
            .await?
            .balance;
        points_ops::apply(tx, config, &[entry], now).await?;
        let after = crate::features::points::store::member(tx, author)
            .await?
            .balance;
        if after > before {
            text.push('\n');
            text.push_str(&t!(locale, "feedback-adopted-points", points = points));
        }
    }
    let dm = Effect::SendDm {
        user_id: author,
        body: MessageBody::text(text),
    };
    outbox::enqueue(tx, &dm, now, None).await?;
    Ok(get(tx, id).await?)
}
