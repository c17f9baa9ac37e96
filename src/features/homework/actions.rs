//! Homework's writes a door calls, each owning its transaction. Points may move, so chat
//! points on their way are flushed first where a level could change.

use serenity::all::UserId;

use super::ops::{self, Assign, Submit, Submitted};
use super::store::SubmissionRow;
use crate::config::Config;
use crate::error::Error;
use crate::state::AppState;

pub async fn assign(app: &AppState, config: &Config, a: &Assign<'_>) -> Result<i64, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let id = ops::assign(&mut tx, config, a, now).await?;
    app.commit(tx).await?;
    Ok(id)
}

pub async fn submit(
    app: &AppState,
    config: &Config,
    submit: &Submit<'_>,
) -> Result<Submitted, Error> {
    crate::features::points::engine(app).flush().await;
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let done = ops::submit(&mut tx, config, submit, now).await?;
    app.commit(tx).await?;
    Ok(done)
}

/// A review from the staff post's modal (staff level checked by the door, at the press and at
/// the submit).
pub async fn review(
    app: &AppState,
    config: &Config,
    submission: i64,
    status: super::Status,
    comment: Option<&str>,
    by: UserId,
) -> Result<SubmissionRow, Error> {
    crate::features::points::engine(app).flush().await;
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let row = ops::review(&mut tx, config, submission, status, comment, by, now).await?;
    app.commit(tx).await?;
    Ok(row)
}

/// A member's forum post (its starter message): a hand-in when an assignment in that forum
/// has one of its tags. Returns whether it was one.
pub async fn submit_post(
    app: &AppState,
    config: &Config,
    post: &ops::ForumPost<'_>,
) -> Result<bool, Error> {
    // Most forum posts are no hand-in: decided on a reader, without the writer.
    let tags: Vec<i64> = post.tags.iter().map(|t| *t as i64).collect();
    {
        let mut conn = app.db.read.acquire().await?;
        let forum = post.forum.get() as i64;
        if super::store::by_forum_tag(&mut conn, forum, &tags)
            .await?
            .is_none()
        {
            return Ok(false);
        }
    }
    crate::features::points::engine(app).flush().await;
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let done = ops::submit_post(&mut tx, config, post, now).await?;
    app.commit(tx).await?;
    Ok(done.is_some())
}
