//! The community writes a door calls — feedback and paid questions — each owning its
//! transaction: it opens the write, runs the operation (`feedback.rs`, `qa.rs`, which take a
//! transaction so jobs and buttons can compose them), commits and fires the wake-ups the change
//! needs. Points move in these writes, so chat points on their way are flushed first.

use chrono::Duration;
use serenity::all::UserId;

use super::error::CommunityError;
use super::feedback;
use super::qa::{self, Question};
use crate::config::Config;
use crate::error::Error;
use crate::state::AppState;

/// `/feedback send`. Returns the feedback's number.
pub async fn send_feedback(
    app: &AppState,
    config: &Config,
    author: UserId,
    kind: &str,
    text: &str,
    anonymous: bool,
) -> Result<i64, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let id = feedback::send(&mut tx, config, author, kind, text, anonymous, now).await?;
    app.commit(tx).await?;
    Ok(id)
}

/// A paid question as `/ask` puts it.
pub struct Asked<'a> {
    pub asker: UserId,
    pub expert: UserId,
    pub price: i64,
    pub within: Duration,
    pub question: &'a str,
}

/// `/ask`: the price moves into escrow; the deadline job re-plans.
pub async fn ask(app: &AppState, config: &Config, asked: &Asked<'_>) -> Result<Question, Error> {
    crate::features::points::engine(app).flush().await;
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let q = qa::ask(
        &mut tx,
        config,
        asked.asker,
        asked.expert,
        asked.price,
        asked.within,
        asked.question,
        now,
    )
    .await?;
    app.commit_with(tx, &[crate::features::community::QUESTIONS])
        .await?;
    Ok(q)
}

/// `/answer`: the expert's answer pays them (or the pool), before the deadline only.
pub async fn answer(
    app: &AppState,
    config: &Config,
    id: i64,
    expert: UserId,
    text: &str,
) -> Result<Question, Error> {
    crate::features::points::engine(app).flush().await;
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let q = qa::answer(&mut tx, config, id, expert, text, now).await?;
    app.commit(tx).await?;
    Ok(q)
}

/// `/withdraw`: the asker takes back an unanswered question and its points.
pub async fn withdraw(
    app: &AppState,
    config: &Config,
    id: i64,
    asker: UserId,
) -> Result<Question, Error> {
    crate::features::points::engine(app).flush().await;
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let q = qa::get(&mut tx, id)
        .await?
        .ok_or(CommunityError::UnknownQuestion { id })?;
    if q.asker_id != asker.get() as i64 {
        return Err(CommunityError::NotYourQuestion.into());
    }
    if !qa::refund(&mut tx, config, &q, "withdrawn", now).await? {
        return Err(CommunityError::QuestionClosed { id }.into());
    }
    app.commit(tx).await?;
    Ok(q)
}

/// A staff status button under a feedback post. Returns the post as it now reads (`None`:
/// unchanged).
pub async fn set_feedback_status(
    app: &AppState,
    config: &Config,
    id: i64,
    status: &str,
) -> Result<Option<feedback::FeedbackRow>, Error> {
    crate::features::points::engine(app).flush().await;
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let updated = feedback::set_status(&mut tx, config, id, status, now).await?;
    app.commit(tx).await?;
    Ok(updated)
}

/// A member joined: their join is recorded and, the first time, they are welcomed.
pub async fn on_join(app: &AppState, config: &Config, member: UserId) -> Result<(), Error> {
    let mut tx = app.db.write.begin().await?;
    super::ops_on_join(&mut tx, config, member, app.clock.now()).await?;
    app.commit(tx).await?;
    Ok(())
}

/// A member left (retention analytics).
pub async fn on_leave(app: &AppState, member: UserId) -> Result<(), Error> {
    let mut tx = app.db.write.begin().await?;
    super::ops_on_leave(&mut tx, member, app.clock.now()).await?;
    app.commit(tx).await?;
    Ok(())
}
