//! Assignments and submissions in SQLite.

use serenity::all::UserId;
use sqlx::{FromRow, SqliteConnection};

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct AssignmentRow {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub due_at: i64,
    pub channel_id: Option<i64>,
    /// Set in a forum: posts with this tag are hand-ins.
    pub forum_tag: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct SubmissionRow {
    pub id: i64,
    pub assignment_id: i64,
    pub member_id: i64,
    pub text: String,
    pub link: Option<String>,
    pub submitted_at: i64,
    pub late: bool,
    pub locale: String,
    pub status: super::Status,
    pub reviewer_id: Option<i64>,
    pub comment: Option<String>,
    pub outbox_id: Option<i64>,
}

const ASSIGNMENT: &str = "id, title, description, due_at, channel_id, forum_tag";
const SUBMISSION: &str = "id, assignment_id, member_id, text, link, submitted_at, late, locale, status, reviewer_id, comment, outbox_id";

pub struct NewAssignment<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub due_at: i64,
    pub channel: Option<i64>,
    pub forum_tag: Option<i64>,
    pub by: UserId,
    pub at: i64,
}

pub async fn insert_assignment(
    tx: &mut SqliteConnection,
    a: &NewAssignment<'_>,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO assignments (title, description, due_at, channel_id, forum_tag, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(a.title)
    .bind(a.description)
    .bind(a.due_at)
    .bind(a.channel)
    .bind(a.forum_tag)
    .bind(a.by.get() as i64)
    .bind(a.at)
    .fetch_one(&mut *tx)
    .await?;
    Ok(id)
}

pub async fn assignment(
    conn: &mut SqliteConnection,
    id: i64,
) -> sqlx::Result<Option<AssignmentRow>> {
    sqlx::query_as(&format!(
        "SELECT {ASSIGNMENT} FROM assignments WHERE id = ?"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// The newest assignments first.
pub async fn assignments(conn: &mut SqliteConnection) -> sqlx::Result<Vec<AssignmentRow>> {
    sqlx::query_as(&format!(
        "SELECT {ASSIGNMENT} FROM assignments ORDER BY id DESC LIMIT 50"
    ))
    .fetch_all(&mut *conn)
    .await
}

pub async fn submission(
    conn: &mut SqliteConnection,
    id: i64,
) -> sqlx::Result<Option<SubmissionRow>> {
    sqlx::query_as(&format!(
        "SELECT {SUBMISSION} FROM submissions WHERE id = ?"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

pub async fn submission_of(
    conn: &mut SqliteConnection,
    assignment: i64,
    member: UserId,
) -> sqlx::Result<Option<SubmissionRow>> {
    sqlx::query_as(&format!(
        "SELECT {SUBMISSION} FROM submissions WHERE assignment_id = ? AND member_id = ?"
    ))
    .bind(assignment)
    .bind(member.get() as i64)
    .fetch_optional(&mut *conn)
    .await
}

/// A hand-in as stored.
pub struct HandIn<'a> {
    pub assignment: i64,
    pub member: UserId,
    pub text: &'a str,
    pub link: Option<&'a str>,
    pub late: bool,
    pub locale: &'a str,
    pub at: i64,
}

/// Hands in (or in again, after "needs work"): the submission pending review. Returns its id.
pub async fn upsert_submission(tx: &mut SqliteConnection, h: &HandIn<'_>) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO submissions (assignment_id, member_id, text, link, submitted_at, late, locale)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (assignment_id, member_id) DO UPDATE SET
           text = excluded.text, link = excluded.link, submitted_at = excluded.submitted_at,
           late = excluded.late, locale = excluded.locale, status = 'pending',
           reviewer_id = NULL, reviewed_at = NULL
         RETURNING id",
    )
    .bind(h.assignment)
    .bind(h.member.get() as i64)
    .bind(h.text)
    .bind(h.link)
    .bind(h.at)
    .bind(h.late)
    .bind(h.locale)
    .fetch_one(&mut *tx)
    .await?;
    Ok(id)
}

pub async fn set_outbox_id(
    tx: &mut SqliteConnection,
    id: i64,
    outbox_id: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE submissions SET outbox_id = ? WHERE id = ?")
        .bind(outbox_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

pub async fn review(
    tx: &mut SqliteConnection,
    id: i64,
    status: super::Status,
    reviewer: UserId,
    comment: Option<&str>,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE submissions SET status = ?, reviewer_id = ?, comment = ?, reviewed_at = ? WHERE id = ?",
    )
    .bind(status)
    .bind(reviewer.get() as i64)
    .bind(comment)
    .bind(at)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Every submission to `assignment`, oldest first.
pub async fn submissions_to(
    conn: &mut SqliteConnection,
    assignment: i64,
) -> sqlx::Result<Vec<SubmissionRow>> {
    sqlx::query_as(&format!(
        "SELECT {SUBMISSION} FROM submissions WHERE assignment_id = ? ORDER BY submitted_at, id"
    ))
    .bind(assignment)
    .fetch_all(&mut *conn)
    .await
}

/// A member's submissions, newest first.
pub async fn submissions_by(
    conn: &mut SqliteConnection,
    member: UserId,
) -> sqlx::Result<Vec<SubmissionRow>> {
    sqlx::query_as(&format!(
        "SELECT {SUBMISSION} FROM submissions WHERE member_id = ? ORDER BY assignment_id DESC"
    ))
    .bind(member.get() as i64)
    .fetch_all(&mut *conn)
    .await
}

/// Submissions pending since before `before` (ms), oldest first.
pub async fn waiting_since(
    conn: &mut SqliteConnection,
    before: i64,
) -> sqlx::Result<Vec<SubmissionRow>> {
    sqlx::query_as(&format!(
        "SELECT {SUBMISSION} FROM submissions WHERE status = 'pending' AND submitted_at < ?
         ORDER BY submitted_at LIMIT 50"
    ))
    .bind(before)
    .fetch_all(&mut *conn)
    .await
}

/// Per assignment: (id, title, handed in, pending, late), newest first.
pub async fn overview(
    conn: &mut SqliteConnection,
) -> sqlx::Result<Vec<(i64, String, i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT a.id, a.title, COUNT(s.id), COALESCE(SUM(s.status = 'pending'), 0),
                COALESCE(SUM(s.late), 0)
         FROM assignments a LEFT JOIN submissions s ON s.assignment_id = a.id
         GROUP BY a.id ORDER BY a.id DESC LIMIT 20",
    )
    .fetch_all(&mut *conn)
    .await
}

/// The assignment set in `forum` whose tag is among `tags`, newest first.
pub async fn by_forum_tag(
    conn: &mut SqliteConnection,
    forum: i64,
    tags: &[i64],
) -> sqlx::Result<Option<AssignmentRow>> {
    let rows: Vec<AssignmentRow> = sqlx::query_as(&format!(
        "SELECT {ASSIGNMENT} FROM assignments WHERE channel_id = ? AND forum_tag IS NOT NULL
         ORDER BY id DESC"
    ))
    .bind(forum)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .find(|a| a.forum_tag.is_some_and(|t| tags.contains(&t))))
}
