//! Challenges' writes a door calls, each owning its transaction.

use chrono::NaiveDate;
use serenity::all::UserId;

use super::ops::{self, CheckIn, CheckedIn, Create, Excused};
use super::CHALLENGES;
use crate::config::Config;
use crate::error::Error;
use crate::state::AppState;

/// `/challenge create`. Returns the new challenge's id; the poster wakes to plan its first day.
pub async fn create(app: &AppState, config: &Config, c: &Create<'_>) -> Result<i64, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let id = ops::create(&mut tx, config, c, now).await?;
    app.commit_with(tx, &[CHALLENGES]).await?;
    Ok(id)
}

/// `/challenge join`. Returns (challenge id, title, whether the member was new).
pub async fn join(
    app: &AppState,
    challenge: Option<i64>,
    member: UserId,
) -> Result<(i64, String, bool), Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let row = ops::find(&mut tx, challenge).await?;
    let new = ops::join(&mut tx, &row, member, now).await?;
    app.commit(tx).await?;
    Ok((row.id, row.title, new))
}

/// The check-in modal submitted.
pub async fn check_in(
    app: &AppState,
    config: &Config,
    check_in: &CheckIn<'_>,
) -> Result<CheckedIn, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let done = ops::check_in(&mut tx, config, check_in, now).await?;
    app.commit(tx).await?;
    Ok(done)
}

/// `/challenge excuse`.
pub async fn excuse(
    app: &AppState,
    config: &Config,
    challenge: Option<i64>,
    member: UserId,
) -> Result<Excused, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let excused = ops::excuse(&mut tx, config, challenge, member, now).await?;
    app.commit(tx).await?;
    Ok(excused)
}

/// The community's date today (what `/challenge create start` is read against).
pub fn today(app: &AppState, config: &Config) -> NaiveDate {
    app.clock
        .now()
        .with_timezone(&config.community.timezone)
        .date_naive()
}
