//! Each member's language, as Discord last told it: every slash command, button press and form
//! carries the member's client language, and so does a web login (and the web's language
//! switch). Every message Lyceum sends a member — a reply, and a DM from a job days later —
//! speaks it; the community's `default_locale` only for a member Lyceum never heard from.
//!
//! Noting costs nothing on the hot path: the last language seen per member is kept in memory
//! and a row is written only when it changes (off the interaction's own path).

use std::collections::HashMap;
use std::sync::Mutex;

use serenity::all::UserId;
use sqlx::SqliteConnection;

use crate::clock::to_millis;
use crate::i18n::Locale;
use crate::state::AppState;

/// The languages last noted, by member (a state part).
#[derive(Default)]
pub struct Known(Mutex<HashMap<u64, Locale>>);

/// `member`'s language, else `default`.
pub async fn of(
    conn: &mut SqliteConnection,
    member: UserId,
    default: Locale,
) -> sqlx::Result<Locale> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT locale FROM member_locales WHERE member_id = ?")
            .bind(member.get() as i64)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found
        .and_then(|(tag,)| Locale::from_config(&tag))
        .unwrap_or(default))
}

/// Records `member`'s language in the caller's transaction.
pub async fn set(
    conn: &mut SqliteConnection,
    member: UserId,
    locale: Locale,
    at: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO member_locales (member_id, locale, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (member_id) DO UPDATE SET locale = ?2, updated_at = ?3",
    )
    .bind(member.get() as i64)
    .bind(locale.tag())
    .bind(to_millis(at))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Notes the language Discord (or the web) says `member` uses: written when it differs from the
/// last one noted, on a task of its own so the interaction's answer does not wait for it.
/// A language Lyceum does not speak is not noted.
pub fn note(app: &AppState, member: UserId, locale: Option<Locale>) {
    let Some(locale) = locale else {
        return;
    };
    if let Some(known) = app.try_part::<Known>() {
        let mut known = known.0.lock().expect("known locales");
        if known.get(&member.get()) == Some(&locale) {
            return;
        }
        known.insert(member.get(), locale);
    }
    let app = app.clone();
    tokio::spawn(async move {
        let now = app.clock.now();
        let written = async {
            let mut conn = app.db.write.acquire().await?;
            set(&mut conn, member, locale, now).await
        };
        if let Err(e) = written.await {
            tracing::warn!(%member, error = %e, "could not remember a member's language");
            if let Some(known) = app.try_part::<Known>() {
                known.0.lock().expect("known locales").remove(&member.get());
            }
        }
    });
}
