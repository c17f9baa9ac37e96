//! Referral credit: each member's personal code; a referred member's first Stripe payment
//! credits their referrer once (`[referrals] credit`: points, or paid days on the referrer's
//! current product), and a refund or lost dispute of that payment within `[referrals] hold`
//! takes the credit back. No cash payouts.
//!
//! Each write takes the webhook's (or the command's) transaction: a retried or replayed Stripe
//! event finds the referral already credited (`credited_at`, and one credit per payment) and
//! changes nothing. Self-referral and loops (A referred B, B's code used by A) are refused.

pub mod commands;
pub mod store;

use chrono::{DateTime, Duration, Utc};
use serenity::all::UserId;
use sqlx::SqliteConnection;

use super::error::MembershipError;
use super::ops::{self, GrantRequest, Length, SYSTEM_ACTOR};
use super::rules;
use crate::audit;
use crate::clock::to_millis;
use crate::config::{Config, Credit};
use crate::error::Error;
use crate::features::points::{ops as points_ops, store as points_store, store::Entry};
use crate::outbox::{self, Effect, MessageBody};
use crate::t;

/// The grant (and ledger) reference of the credit one referred member earned.
fn reference(referred: i64) -> String {
    format!("referral:{referred}")
}

/// `member`'s personal code, made on first use.
pub async fn code_for(
    tx: &mut SqliteConnection,
    member: UserId,
    now: DateTime<Utc>,
) -> sqlx::Result<String> {
    let id = member.get() as i64;
    loop {
        if let Some(code) = store::code_of(tx, id).await? {
            return Ok(code);
        }
        // 40 random bits: a collision is rare, and simply draws again.
        store::insert_code(tx, id, &rules::new_referral_code(), to_millis(now)).await?;
    }
}

/// Whether `member` is up the referral chain from `from` (its referrer, their referrer, …).
async fn upstream(tx: &mut SqliteConnection, from: i64, member: i64) -> sqlx::Result<bool> {
    let mut at = from;
    // A chain is a path (one referrer each); the bound only guards a corrupt table.
    for _ in 0..10_000 {
        match store::of_referred(tx, at).await? {
            Some(r) if r.referrer_id == member => return Ok(true),
            Some(r) => at = r.referrer_id,
            None => return Ok(false),
        }
    }
    Ok(true)
}

/// `referred` says `typed` referred them. Refused: an unknown code, their own code, a loop,
/// another referrer already recorded, or a member who has paid before (credit is for first
/// payments). The same referrer again is fine. Returns the referrer.
pub async fn claim(
    tx: &mut SqliteConnection,
    config: &Config,
    referred: UserId,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<Result<UserId, MembershipError>, Error> {
    if config.referrals.credit.is_none() {
        return Ok(Err(MembershipError::ReferralsOff));
    }
    let me = referred.get() as i64;
    let owner = match rules::normalize_referral(typed) {
        Some(code) => store::owner_of(tx, &code).await?,
        None => None,
    };
    let Some(referrer) = owner else {
        return Ok(Err(MembershipError::UnknownReferral));
    };
    if referrer == me {
        return Ok(Err(MembershipError::SelfReferral));
    }
    if let Some(existing) = store::of_referred(tx, me).await? {
        return Ok(if existing.referrer_id == referrer {
            Ok(UserId::new(referrer as u64))
        } else {
            Err(MembershipError::AlreadyReferred)
        });
    }
    if upstream(tx, referrer, me).await? {
        return Ok(Err(MembershipError::ReferralLoop));
    }
    if store::has_paid(tx, me).await? {
        return Ok(Err(MembershipError::AlreadyPaid));
    }
    store::insert_claim(tx, me, referrer, to_millis(now)).await?;
    record(
        tx,
        config,
        (referred, "referral.claimed"),
        UserId::new(referrer as u64),
        serde_json::json!({ "referred": me.to_string() }),
        now,
    )
    .await?;
    Ok(Ok(UserId::new(referrer as u64)))
}

/// A Stripe payment was recorded for `member` (`payment` is its `stripe_payments` id): if it
/// is the first payment of a referred member, their referrer is credited, once.
pub async fn on_payment(
    tx: &mut SqliteConnection,
    config: &Config,
    member: UserId,
    payment: i64,
    amount_minor: i64,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let Some(credit) = config.referrals.credit else {
        return Ok(());
    };
    let me = member.get() as i64;
    let Some(referral) = store::of_referred(tx, me).await? else {
        return Ok(());
    };
    if referral.credited_at.is_some() || amount_minor <= 0 || store::payments_of(tx, me).await? != 1
    {
        return Ok(());
    }
    let referrer = UserId::new(referral.referrer_id as u64);
    let key = reference(me);
    let (kind, amount, given) = give_credit(tx, config, credit, referrer, me, &key, now).await?;
    let credited = store::set_credited(
        tx,
        &store::Credited {
            referred: me,
            payment,
            kind,
            amount,
            given,
            at: to_millis(now),
        },
    )
    .await?;
    debug_assert!(credited, "checked above in this transaction");
    record(
        tx,
        config,
        (SYSTEM_ACTOR, "referral.credited"),
        referrer,
        serde_json::json!({ "referred": me.to_string(), "kind": kind, "given": given }),
        now,
    )
    .await?;
    tell_referrer(tx, config, referrer, me, credit, given, &key, now).await
}

/// Gives the referrer their credit: points, or days on the product they hold longest (none
/// when they hold nothing timed). Returns (kind, amount promised, amount given).
async fn give_credit(
    tx: &mut SqliteConnection,
    config: &Config,
    credit: Credit,
    referrer: UserId,
    me: i64,
    key: &str,
    now: DateTime<Utc>,
) -> Result<(&'static str, i64, i64), Error> {
    Ok(match credit {
        Credit::Points(points) => {
            let entry = Entry {
                member: referrer,
                delta: points,
                lifetime_delta: points,
                kind: crate::features::points::Kind::Referral,
                reason: Some(format!("referred <@{me}>")),
                reference: Some(key.to_string()),
                actor: None,
                channel: None,
                at: now,
            };
            points_ops::apply(tx, config, &[entry], now).await?;
            ("points", points, points)
        }
        Credit::Days(days) => {
            let given = match current_product(tx, config, referrer, now).await? {
                Some(product) => {
                    ops::grant(
                        tx,
                        config,
                        &GrantRequest {
                            member: referrer,
                            product,
                            source: "referral",
                            length: Length::Span(Duration::days(days)),
                            reference: Some(key),
                            note: None,
                            actor: None,
                        },
                        now,
                    )
                    .await?;
                    days
                }
                // Nothing to add days to: recorded, nothing given (`/refer stats` shows it).
                None => 0,
            };
            ("days", days, given)
        }
    })
}

/// The referrer's DM: what their referral earned them.
#[allow(clippy::too_many_arguments)]
async fn tell_referrer(
    tx: &mut SqliteConnection,
    config: &Config,
    referrer: UserId,
    me: i64,
    credit: Credit,
    given: i64,
    key: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let locale = crate::member_locale::of(tx, referrer, config.community.default_locale).await?;
    let text = match credit {
        Credit::Points(_) => t!(
            locale,
            "refer-credited-points",
            member = format!("<@{me}>"),
            amount = given
        ),
        _ if given > 0 => t!(
            locale,
            "refer-credited-days",
            member = format!("<@{me}>"),
            days = given
        ),
        _ => t!(
            locale,
            "refer-credited-nothing",
            member = format!("<@{me}>")
        ),
    };
    let dm = Effect::SendDm {
        user_id: referrer,
        body: MessageBody::text(text),
    };
    outbox::enqueue(tx, &dm, now, Some(&format!("{key}:credited"))).await?;
    Ok(())
}

/// The referrer's paid product whose access runs longest (timed, not lifetime), if any.
async fn current_product<'c>(
    tx: &mut SqliteConnection,
    config: &'c Config,
    member: UserId,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<&'c crate::config::Product>> {
    let open = crate::grants::store::open(tx, member.get(), None, false, now).await?;
    Ok(open
        .iter()
        .filter(|g| g.ends_at.is_some())
        .filter_map(|g| Some((g.paid_until?, config.product(&g.product)?)))
        .max_by_key(|(paid_until, _)| *paid_until)
        .map(|(_, product)| product))
}

/// The payment `payment` was refunded in full (or its access ended) or lost in a dispute: a
/// referral credit it earned less than `[referrals] hold` ago is taken back — the points (never
/// below zero: what was spent stays spent, and the shortfall is recorded), or the days (the
/// grant they made ends).
pub async fn on_reversal(
    tx: &mut SqliteConnection,
    config: &Config,
    payment: i64,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let Some(referral) = store::of_payment(tx, payment).await? else {
        return Ok(());
    };
    let (Some(credited_at), None) = (referral.credited_at, referral.reversed_at) else {
        return Ok(());
    };
    let hold = Duration::from_std(config.referrals.hold).unwrap_or_default();
    if to_millis(now) > credited_at + hold.num_milliseconds() {
        return Ok(());
    }
    let referrer = UserId::new(referral.referrer_id as u64);
    let given = referral.credit_given.unwrap_or(0);
    let key = reference(referral.referred_id);
    let taken = match referral.credit_kind.as_deref() {
        Some("points") if given > 0 => {
            let balance = points_store::member(tx, referrer).await?.balance;
            let take = given.min(balance.max(0));
            let entry = Entry {
                member: referrer,
                delta: -take,
                lifetime_delta: -given,
                kind: crate::features::points::Kind::ReferralReversal,
                reason: Some(format!("referred <@{}> was refunded", referral.referred_id)),
                reference: Some(format!("{key}:reversed")),
                actor: None,
                channel: None,
                at: now,
            };
            points_ops::apply(tx, config, &[entry], now).await?;
            take
        }
        Some("days") if given > 0 => {
            ops::end_reference(tx, config, &key, now).await?;
            given
        }
        _ => 0,
    };
    store::set_reversed(tx, referral.referred_id, taken, to_millis(now)).await?;
    record(
        tx,
        config,
        (SYSTEM_ACTOR, "referral.reversed"),
        referrer,
        serde_json::json!({ "referred": referral.referred_id.to_string(), "taken": taken }),
        now,
    )
    .await?;
    let locale = crate::member_locale::of(tx, referrer, config.community.default_locale).await?;
    let dm = Effect::SendDm {
        user_id: referrer,
        body: MessageBody::text(t!(
            locale,
            "refer-reversed",
            member = format!("<@{}>", referral.referred_id)
        )),
    };
    outbox::enqueue(tx, &dm, now, Some(&format!("{key}:reversed"))).await?;
    Ok(())
}

async fn record(
    tx: &mut SqliteConnection,
    config: &Config,
    (actor, action): (UserId, &str),
    referrer: UserId,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let entry = audit::Action {
        guild_id: config.discord.guild_id,
        actor,
        action,
        target_kind: Some("user"),
        target_id: Some(referrer.get()),
        arguments: detail,
    };
    audit::record(tx, &entry, now).await?;
    Ok(())
}

/// `/refer code`: the member's code (made on first use), in its own transaction.
pub async fn issue_code(app: &crate::state::AppState, member: UserId) -> Result<String, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let code = code_for(&mut tx, member, now).await?;
    app.commit(tx).await?;
    Ok(code)
}

/// `/membership buy referral:`: records who referred `member` before they pay (a refusal
/// changes nothing and is the member's to read).
pub async fn claim_now(
    app: &crate::state::AppState,
    config: &Config,
    member: UserId,
    typed: &str,
) -> Result<(UserId, String), Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let referrer = claim(&mut tx, config, member, typed, now).await??;
    let code = code_for(&mut tx, referrer, now).await?;
    app.commit(tx).await?;
    Ok((referrer, code))
}
