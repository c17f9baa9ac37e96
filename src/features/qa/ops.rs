//! Paid Q&A with escrow. `/ask` moves the price from the asker's balance into escrow (a ledger
//! row and the open question, one transaction); `/answer` pays the expert; an unanswered
//! question is refunded at its deadline (or withdrawn by the asker). Each question leaves
//! `open` once, by a conditional UPDATE, so an answer and a refund racing at the deadline
//! resolve to exactly one outcome, and points are never created or destroyed: balances plus
//! open escrow stay constant.

use chrono::{DateTime, Duration, Utc};
use serenity::all::{ChannelId, UserId};
use sqlx::SqliteConnection;

use super::error::QaError;
use super::store::{self, Question};
use crate::clock::{from_millis, to_millis};
use crate::config::Config;
use crate::error::Error;
use crate::features::points::{ops as points_ops, store::Entry};
use crate::jobs::Job;
use crate::outbox::{self, Effect, MessageBody};
use crate::state::AppState;
use crate::t;

/// An expert's terms: (price in points, time to answer). Configured experts, or (with none
/// configured) the owners at the default terms.
pub fn terms(config: &Config, expert: UserId, is_owner: bool) -> Option<(i64, Duration)> {
    if let Some(e) = config.qa.experts.iter().find(|e| e.user == expert) {
        return Some((
            e.price_points,
            Duration::from_std(e.answer_within).unwrap_or(Duration::hours(72)),
        ));
    }
    (config.qa.experts.is_empty() && is_owner).then(|| {
        (
            config.qa.default_price,
            Duration::from_std(config.qa.default_within).unwrap_or(Duration::hours(72)),
        )
    })
}

fn channel(config: &Config) -> Option<ChannelId> {
    config.channels.qa.or(config.channels.announcements)
}

fn entry(
    member: i64,
    delta: i64,
    lifetime: i64,
    kind: &'static str,
    reference: String,
    now: DateTime<Utc>,
) -> Entry {
    Entry {
        member: UserId::new(member as u64),
        delta,
        lifetime_delta: lifetime,
        kind,
        reason: None,
        reference: Some(reference),
        actor: None,
        channel: None,
        at: now,
    }
}

async fn post(
    tx: &mut SqliteConnection,
    config: &Config,
    text: String,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    if let Some(channel_id) = channel(config) {
        let effect = Effect::SendMessage {
            channel_id,
            body: MessageBody::text(text),
        };
        outbox::enqueue(tx, &effect, now, None).await?;
    }
    Ok(())
}

async fn dm(
    tx: &mut SqliteConnection,
    user: i64,
    text: String,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let effect = Effect::SendDm {
        user_id: UserId::new(user as u64),
        body: MessageBody::text(text),
    };
    outbox::enqueue(tx, &effect, now, None).await?;
    Ok(())
}

/// `/ask`: the price goes into escrow and the question to the Q&A channel and the expert.
#[allow(clippy::too_many_arguments)]
pub async fn ask(
    tx: &mut SqliteConnection,
    config: &Config,
    asker: UserId,
    expert: UserId,
    price: i64,
    within: Duration,
    question: &str,
    now: DateTime<Utc>,
) -> Result<Question, Error> {
    if asker == expert {
        return Err(QaError::OwnQuestion.into());
    }
    let balance = crate::features::points::store::member(tx, asker)
        .await?
        .balance;
    if balance < price {
        return Err(QaError::InsufficientBalance { price, balance }.into());
    }
    let deadline = now + within;
    let id = store::insert(
        tx,
        asker,
        expert,
        question,
        price,
        to_millis(deadline),
        to_millis(now),
    )
    .await?;
    let escrow = entry(
        asker.get() as i64,
        -price,
        0,
        "qa_escrow",
        format!("qa:{id}:escrow"),
        now,
    );
    points_ops::apply(tx, config, &[escrow], now).await?;
    let locale = config.community.default_locale;
    let text = t!(
        locale,
        "qa-posted",
        id = id,
        asker = format!("<@{asker}>"),
        expert = format!("<@{expert}>"),
        price = price,
        deadline = format!("<t:{}:R>", deadline.timestamp()),
        question = question.to_string()
    );
    post(tx, config, text.clone(), now).await?;
    dm(tx, expert.get() as i64, text, now).await?;
    Ok(store::get(tx, id).await?.expect("just inserted"))
}

/// The community pool's account in the points tables.
pub fn pool(config: &Config) -> i64 {
    config.discord.guild_id.get() as i64
}

/// `/answer`: only the question's expert, only while it is open; the escrow goes to them.
pub async fn answer(
    tx: &mut SqliteConnection,
    config: &Config,
    id: i64,
    by: UserId,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Question, Error> {
    let q = store::get(tx, id)
        .await?
        .ok_or(QaError::UnknownQuestion { id })?;
    if q.expert_id != by.get() as i64 {
        return Err(QaError::NotYourQuestion.into());
    }
    // The deadline decides, not whether the refund job has run yet: an answer after it is
    // refused and the asker is refunded as promised.
    if q.status == "open" && now.timestamp_millis() >= q.deadline {
        return Err(QaError::PastDeadline { id }.into());
    }
    if !store::close(tx, id, "answered", Some(text), to_millis(now)).await? {
        return Err(QaError::QuestionClosed { id }.into());
    }
    // The pool is an account of its own (the guild's id), so escrow still neither creates nor
    // destroys points.
    let to = if config.qa.payout_to_pool {
        pool(config)
    } else {
        q.expert_id
    };
    let payout = entry(
        to,
        q.price,
        q.price,
        "qa_payout",
        format!("qa:{id}:payout"),
        now,
    );
    points_ops::apply(tx, config, &[payout], now).await?;
    let locale = config.community.default_locale;
    let posted = t!(
        locale,
        "qa-answered",
        id = id,
        expert = format!("<@{}>", q.expert_id),
        asker = format!("<@{}>", q.asker_id),
        question = q.question.clone(),
        answer = text.to_string()
    );
    post(tx, config, posted.clone(), now).await?;
    dm(tx, q.asker_id, posted, now).await?;
    Ok(store::get(tx, id).await?.expect("exists"))
}

/// Returns the escrow to the asker: at the deadline (`refunded`) or on request
/// (`withdrawn`). False when the question had already left `open`.
pub async fn refund(
    tx: &mut SqliteConnection,
    config: &Config,
    q: &Question,
    status: &str,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    if !store::close(tx, q.id, status, None, to_millis(now)).await? {
        return Ok(false);
    }
    let back = entry(
        q.asker_id,
        q.price,
        0,
        "qa_refund",
        format!("qa:{}:refund", q.id),
        now,
    );
    points_ops::apply(tx, config, &[back], now).await?;
    let locale = config.community.default_locale;
    let key = if status == "withdrawn" {
        "qa-withdrawn-dm"
    } else {
        "qa-refunded-dm"
    };
    let text = t!(locale, key, id = q.id, price = q.price);
    dm(tx, q.asker_id, text, now).await?;
    Ok(true)
}

/// Refunds questions past their deadline; sleeps until the next deadline.
pub struct Deadlines {
    pub state: AppState,
}

#[async_trait::async_trait]
impl Job for Deadlines {
    fn name(&self) -> &'static str {
        "qa-deadlines"
    }

    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        let config = self.state.config.snapshot();
        crate::features::points::engine(&self.state).flush().await;
        let mut tx = self.state.db.write.begin().await?;
        let due = store::due(&mut tx, to_millis(now)).await?;
        for q in &due {
            refund(&mut tx, &config, q, "refunded", now)
                .await
                .map_err(|e| anyhow::anyhow!("question {}: {e:?}", q.id))?;
        }
        self.state.commit(tx).await?;
        let next = store::next_deadline(&self.state.db).await?;
        Ok(next.map(from_millis))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The deadline decides: at the deadline an answer is refused and the question stays open
    /// for the refund job, which has not run here at all.
    #[tokio::test]
    async fn an_answer_at_the_deadline_is_refused_whether_or_not_the_refund_ran() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::Db::open(&dir.path().join("q.db")).await.unwrap();
        let config = Config::parse("[discord]\nguild_id = 1\n").unwrap();
        let deadline = crate::clock::from_millis(100_000);
        let mut tx = db.write.begin().await.unwrap();
        let (asker, expert) = (UserId::new(2), UserId::new(3));
        let at = crate::clock::to_millis(deadline);
        store::insert(&mut tx, asker, expert, "why?", 50, at, 0)
            .await
            .unwrap();
        let expert = UserId::new(3);
        let late = answer(&mut tx, &config, 1, expert, "because", deadline).await;
        match late {
            Err(Error::User(e)) => assert!(format!("{e:?}").contains("PastDeadline"), "{e:?}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            store::get(&mut tx, 1).await.unwrap().unwrap().status,
            "open"
        );
    }
}
