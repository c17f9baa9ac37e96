//! The paid-question writes a door calls, each owning its transaction. Points move in these
//! writes, so chat points on their way are flushed first.

use chrono::Duration;
use serenity::all::UserId;

use super::error::QaError;
use super::ops;
use super::store::{self, Question};
use crate::config::Config;
use crate::error::Error;
use crate::state::AppState;

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
    let q = ops::ask(
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
    app.commit_with(tx, &[super::QUESTIONS]).await?;
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
    let q = ops::answer(&mut tx, config, id, expert, text, now).await?;
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
    let q = store::get(&mut tx, id)
        .await?
        .ok_or(QaError::UnknownQuestion { id })?;
    if q.asker_id != asker.get() as i64 {
        return Err(QaError::NotYourQuestion.into());
    }
    if !ops::refund(&mut tx, config, &q, super::Status::Withdrawn, now).await? {
        return Err(QaError::QuestionClosed { id }.into());
    }
    app.commit(tx).await?;
    Ok(q)
}

/// 围观 Listen pressed under an answer.
pub async fn listen(
    app: &AppState,
    config: &Config,
    id: i64,
    member: UserId,
) -> Result<ops::Listened, Error> {
    crate::features::points::engine(app).flush().await;
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let listened = ops::listen(&mut tx, config, id, member, now).await?;
    app.commit(tx).await?;
    Ok(listened)
}
