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
use super::Status;
use crate::clock::to_millis;
use crate::config::Config;
use crate::discord::components;
use crate::error::Error;
use crate::features::points::{ops as points_ops, store::Entry, Kind};
use crate::i18n::Locale;
use crate::outbox::{self, Effect, MessageBody};
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
    kind: Kind,
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

/// A DM to `user`, written in their language (`text` words it in a given one).
async fn dm(
    tx: &mut SqliteConnection,
    config: &Config,
    user: i64,
    text: impl Fn(Locale) -> String,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let user_id = UserId::new(user as u64);
    let locale = crate::member_locale::of(tx, user_id, config.community.default_locale).await?;
    let effect = Effect::SendDm {
        user_id,
        body: MessageBody::text(text(locale)),
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
    crate::member_actions::record(tx, config, asker, now).await?;
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
        Kind::QaEscrow,
        format!("qa:{id}:escrow"),
        now,
    );
    points_ops::apply(tx, config, &[escrow], now).await?;
    let text = |locale| {
        t!(
            locale,
            "qa-posted",
            id = id,
            asker = format!("<@{asker}>"),
            expert = format!("<@{expert}>"),
            price = price,
            deadline = format!("<t:{}:R>", deadline.timestamp()),
            question = question.to_string()
        )
    };
    post(tx, config, text(config.community.default_locale), now).await?;
    dm(tx, config, expert.get() as i64, text, now).await?;
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
    crate::member_actions::record(tx, config, by, now).await?;
    let q = store::get(tx, id)
        .await?
        .ok_or(QaError::UnknownQuestion { id })?;
    if q.expert_id != by.get() as i64 {
        return Err(QaError::NotYourQuestion.into());
    }
    // The deadline decides, not whether the refund job has run yet: an answer after it is
    // refused and the asker is refunded as promised.
    if q.status == Status::Open && now.timestamp_millis() >= q.deadline {
        return Err(QaError::PastDeadline { id }.into());
    }
    if !store::close(tx, id, Status::Answered, Some(text), to_millis(now)).await? {
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
        Kind::QaPayout,
        format!("qa:{id}:payout"),
        now,
    );
    points_ops::apply(tx, config, &[payout], now).await?;
    let posted = |locale| {
        t!(
            locale,
            "qa-answered",
            id = id,
            expert = format!("<@{}>", q.expert_id),
            asker = format!("<@{}>", q.asker_id),
            question = q.question.clone(),
            answer = text.to_string()
        )
    };
    if config.qa.listen_price > 0 {
        // 围观: the channel sees the question and a Listen button; the answer is paid for.
        if let Some(channel_id) = channel(config) {
            let body = listen_post(config, &q, 0);
            let effect = Effect::SendMessage { channel_id, body };
            let outbox_id = outbox::enqueue(tx, &effect, now, None).await?;
            store::set_answer_post(tx, id, outbox_id).await?;
        }
    } else {
        post(tx, config, posted(config.community.default_locale), now).await?;
    }
    dm(tx, config, q.asker_id, posted, now).await?;
    Ok(store::get(tx, id).await?.expect("exists"))
}

/// An answer's public post under 围观: the question, who answered, how many listened, and the
/// Listen button with its price.
fn listen_post(config: &Config, q: &Question, listeners: i64) -> MessageBody {
    let locale = config.community.default_locale;
    let text = t!(
        locale,
        "qa-listen-post",
        id = q.id,
        expert = format!("<@{}>", q.expert_id),
        asker = format!("<@{}>", q.asker_id),
        question = q.question.clone(),
        listeners = listeners
    );
    MessageBody {
        content: text,
        embeds: Vec::new(),
        components: vec![components::row(vec![components::button(
            format!("{}{}", super::LISTEN_PREFIX, q.id),
            format!("围观 Listen · {}", config.qa.listen_price),
            components::Style::Primary,
        )])],
        ..Default::default()
    }
}

/// What a member reads after 围观.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listened {
    pub id: i64,
    pub answer: String,
    /// Points paid now (0: the asker, the expert, or a member who had paid before).
    pub paid: i64,
}

/// 围观: a member pays `qa.listen_price` once to read answer `id`; the price is split between
/// the asker and the expert (or the pool, with `payout = "pool"`) in the same transaction, so
/// points are conserved. The asker and the expert read free; a second listen costs nothing.
pub async fn listen(
    tx: &mut SqliteConnection,
    config: &Config,
    id: i64,
    member: UserId,
    now: DateTime<Utc>,
) -> Result<Listened, Error> {
    crate::member_actions::record(tx, config, member, now).await?;
    let q = store::get(tx, id)
        .await?
        .ok_or(QaError::UnknownQuestion { id })?;
    let Some(answer) = q.answer.clone().filter(|_| q.status == Status::Answered) else {
        return Err(QaError::NotAnswered { id }.into());
    };
    let price = config.qa.listen_price;
    let me = member.get() as i64;
    let free = price == 0
        || me == q.asker_id
        || me == q.expert_id
        || store::listened(tx, id, member).await?;
    if free {
        return Ok(Listened {
            id,
            answer,
            paid: 0,
        });
    }
    let balance = crate::features::points::store::member(tx, member)
        .await?
        .balance;
    if balance < price {
        return Err(QaError::InsufficientBalance { price, balance }.into());
    }
    if !store::add_listen(tx, id, member, price, to_millis(now)).await? {
        return Ok(Listened {
            id,
            answer,
            paid: 0,
        });
    }
    let (a, b) = config.qa.listen_split;
    let to_asker = price * a / (a + b);
    let to_expert = price - to_asker;
    let expert = if config.qa.payout_to_pool {
        pool(config)
    } else {
        q.expert_id
    };
    let reference = format!("qa:{id}:listen:{me}");
    let mut entries = vec![entry(me, -price, 0, Kind::QaListen, reference.clone(), now)];
    for (to, share, who) in [
        (q.asker_id, to_asker, "asker"),
        (expert, to_expert, "expert"),
    ] {
        if share > 0 {
            entries.push(entry(
                to,
                share,
                share,
                Kind::QaListenShare,
                format!("{reference}:{who}"),
                now,
            ));
        }
    }
    points_ops::apply(tx, config, &entries, now).await?;
    if let (Some(channel_id), Some(outbox_id)) =
        (channel(config), store::answer_post(tx, id).await?)
    {
        let listeners = store::listen_count(tx, id).await?;
        let effect = Effect::EditPost {
            channel_id,
            outbox_id,
            body: listen_post(config, &q, listeners),
        };
        outbox::enqueue(tx, &effect, now, None).await?;
    }
    Ok(Listened {
        id,
        answer,
        paid: price,
    })
}

/// Returns the escrow to the asker: at the deadline (`refunded`) or on request
/// (`withdrawn`). False when the question had already left `open`.
pub async fn refund(
    tx: &mut SqliteConnection,
    config: &Config,
    q: &Question,
    status: Status,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    if !store::close(tx, q.id, status, None, to_millis(now)).await? {
        return Ok(false);
    }
    let back = entry(
        q.asker_id,
        q.price,
        0,
        Kind::QaRefund,
        format!("qa:{}:refund", q.id),
        now,
    );
    points_ops::apply(tx, config, &[back], now).await?;
    let key = if status == Status::Withdrawn {
        "qa-withdrawn-dm"
    } else {
        "qa-refunded-dm"
    };
    let text = |locale| t!(locale, key, id = q.id, price = q.price);
    dm(tx, config, q.asker_id, text, now).await?;
    Ok(true)
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
            Status::Open
        );
    }

    #[derive(Debug, Clone)]
    enum Step {
        Ask { asker: u8, expert: u8 },
        Answer { question: u8 },
        Refund { question: u8 },
        Withdraw { question: u8 },
        Listen { question: u8, member: u8 },
    }

    fn step() -> impl proptest::strategy::Strategy<Value = Step> {
        use proptest::prelude::*;
        prop_oneof![
            (0u8..4, 0u8..4).prop_map(|(asker, expert)| Step::Ask { asker, expert }),
            (0u8..6).prop_map(|question| Step::Answer { question }),
            (0u8..6).prop_map(|question| Step::Refund { question }),
            (0u8..6).prop_map(|question| Step::Withdraw { question }),
            (0u8..6, 0u8..4).prop_map(|(question, member)| Step::Listen { question, member }),
        ]
    }

    /// Every member's balance, the pool's, and the points held in open escrow.
    /// Every member's balance, the pool's, and the points held in open escrow.
    async fn total(db: &crate::db::Db) -> i64 {
        let mut conn = db.read.acquire().await.unwrap();
        store::points_in_play(&mut conn).await.unwrap()
    }

    async fn run(steps: Vec<Step>, pool: bool) -> (i64, i64, i64, Vec<i64>) {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::Db::open(&dir.path().join("q.db")).await.unwrap();
        let payout = if pool { "pool" } else { "expert" };
        let config = Config::parse(&format!(
            "[discord]\nguild_id = 1\n[qa]\nlisten_price = 15\nlisten_split = \"70:30\"\npayout = \"{payout}\"\n"
        ))
        .unwrap();
        let member = |i: u8| UserId::new(100 + u64::from(i));
        let mut now = crate::clock::from_millis(1_000_000);
        let mut tx = db.write.begin().await.unwrap();
        let seed: Vec<Entry> = (0..4)
            .map(|i| entry(100 + i, 60, 60, Kind::Give, format!("seed:{i}"), now))
            .collect();
        points_ops::apply(&mut tx, &config, &seed, now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let before = total(&db).await;
        let mut listens = 0;
        for step in steps {
            now += Duration::minutes(1);
            let mut tx = db.write.begin().await.unwrap();
            let id = |q: u8| i64::from(q) + 1;
            // User errors (no balance, a closed question, asking oneself) change nothing.
            let _ = match step {
                Step::Ask { asker, expert } => ask(
                    &mut tx,
                    &config,
                    member(asker),
                    member(expert),
                    25,
                    Duration::hours(1),
                    "why?",
                    now,
                )
                .await
                .map(|_| ()),
                Step::Answer { question } => match store::get(&mut tx, id(question)).await.unwrap()
                {
                    Some(q) => answer(
                        &mut tx,
                        &config,
                        q.id,
                        UserId::new(q.expert_id as u64),
                        "because",
                        now,
                    )
                    .await
                    .map(|_| ()),
                    None => Ok(()),
                },
                Step::Refund { question } | Step::Withdraw { question } => {
                    let status = if matches!(step, Step::Refund { .. }) {
                        Status::Refunded
                    } else {
                        Status::Withdrawn
                    };
                    match store::get(&mut tx, id(question)).await.unwrap() {
                        Some(q) => refund(&mut tx, &config, &q, status, now).await.map(|_| ()),
                        None => Ok(()),
                    }
                }
                Step::Listen {
                    question,
                    member: m,
                } => {
                    let heard = listen(&mut tx, &config, id(question), member(m), now).await;
                    if let Ok(heard) = &heard {
                        listens += i64::from(heard.paid > 0);
                    }
                    heard.map(|_| ())
                }
            };
            tx.commit().await.unwrap();
        }
        let paid_listens = {
            let mut conn = db.read.acquire().await.unwrap();
            store::listens_total(&mut conn).await.unwrap()
        };
        assert_eq!(
            paid_listens, listens,
            "one paid listen per member and answer"
        );
        let mut balances = Vec::new();
        for i in 0..4 {
            let mut conn = db.read.acquire().await.unwrap();
            let row = crate::features::points::store::member(&mut conn, member(i))
                .await
                .unwrap();
            balances.push(row.balance);
        }
        (before, total(&db).await, listens, balances)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// Points are conserved whatever happens in whatever order: balances (the pool's
        /// included) plus open escrow never change; each member pays to listen to an answer
        /// at most once.
        #[test]
        fn points_are_conserved_across_ask_answer_refund_and_listen(
            steps in proptest::collection::vec(step(), 1..40),
            pool in proptest::bool::ANY,
        ) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let (before, after, _, _) = runtime.block_on(run(steps, pool));
            proptest::prop_assert_eq!(before, after);
        }
    }

    /// By hand: a 15-point listen split 70:30 pays the asker 10 and the expert 5 (rounded down
    /// for the asker, the rest to the expert); a second listen and the asker's own are free.
    #[tokio::test]
    async fn a_listen_is_split_and_paid_once() {
        let steps = vec![
            Step::Ask {
                asker: 0,
                expert: 1,
            },
            Step::Answer { question: 0 },
            Step::Listen {
                question: 0,
                member: 2,
            },
            Step::Listen {
                question: 0,
                member: 2,
            },
            Step::Listen {
                question: 0,
                member: 0,
            },
        ];
        let (before, after, paid, balances) = run(steps, false).await;
        assert_eq!((before, after, paid), (240, 240, 1));
        // Asker 60 − 25 escrow + 10; expert 60 + 25 + 5; listener 60 − 15; the fourth untouched.
        assert_eq!(balances, vec![45, 90, 45, 60]);
    }
}
