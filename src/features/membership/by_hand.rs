//! What staff do by hand — grant, extend, revoke — as operations that own their transaction:
//! each opens it, checks, writes the grant (with its role change, revenue row, audit row and
//! mod-log line), commits and wakes the expiry job and the reminders. Slash commands call them
//! now; a staff web page can call the same.

use chrono::{DateTime, Utc};
use serenity::all::UserId;
use sqlx::SqliteConnection;

use super::error::MembershipError;
use super::ops::{self, GrantRequest, Granted, Length};
use crate::config::{Config, Product};
use crate::error::Error;
use crate::grants::rules::Held;
use crate::state::AppState;

/// Who acts: owners may give paid time to themselves, other staff may not.
#[derive(Debug, Clone, Copy)]
pub struct Staff {
    pub id: UserId,
    pub is_owner: bool,
}

/// Opens the write, refusing (and auditing, committed) a staff member's grant to themself.
async fn open<'a>(
    app: &'a AppState,
    config: &Config,
    staff: Staff,
    member: UserId,
    action: &str,
    product: &Product,
    now: DateTime<Utc>,
) -> Result<sqlx::Transaction<'a, sqlx::Sqlite>, Error> {
    let mut tx = app.db.write.begin().await?;
    let allowed = ops::may_grant_by_hand(
        &mut tx,
        config,
        staff.id,
        staff.is_owner,
        member,
        action,
        product,
        now,
    )
    .await?;
    if allowed {
        return Ok(tx);
    }
    app.commit(tx).await?;
    Err(MembershipError::SelfGrant.into())
}

#[allow(clippy::too_many_arguments)]
async fn give(
    tx: &mut SqliteConnection,
    config: &Config,
    staff: Staff,
    member: UserId,
    product: &Product,
    length: Length,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Granted, Error> {
    let request = GrantRequest {
        member,
        product,
        source: "manual",
        length,
        reference: None,
        note,
        actor: Some(staff.id),
    };
    ops::grant(tx, config, &request, now).await
}

/// Audits, commits and wakes the jobs that plan by grants.
#[allow(clippy::too_many_arguments)]
async fn finish(
    app: &AppState,
    mut tx: sqlx::Transaction<'_, sqlx::Sqlite>,
    config: &Config,
    staff: Staff,
    action: &str,
    member: UserId,
    product: &Product,
    details: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    ops::record(
        &mut tx, config, staff.id, action, member, product, details, now,
    )
    .await?;
    app.commit_with(tx, &[crate::state::Topic::GRANTS]).await?;
    Ok(())
}

/// How long, as staff typed it (for the audit log) and as read.
#[derive(Debug, Clone, Copy)]
pub struct Typed<'a> {
    pub text: &'a str,
    pub length: Length,
}

/// What staff said when granting by hand.
#[derive(Debug, Clone, Copy, Default)]
pub struct Manual<'a> {
    /// Default: the product's duration.
    pub length: Option<Typed<'a>>,
    pub note: Option<&'a str>,
    /// What the member paid (minor unit, the product's currency); `None` or zero: a
    /// complimentary grant, which is not income.
    pub paid: Option<i64>,
}

/// `/membership grant`: gives `member` the product; income only when staff say it was paid.
pub async fn grant(
    app: &AppState,
    config: &Config,
    staff: Staff,
    member: UserId,
    product: &Product,
    manual: &Manual<'_>,
) -> Result<Granted, Error> {
    let now = app.clock.now();
    let action = "membership.grant";
    let mut tx = open(app, config, staff, member, action, product, now).await?;
    let details = serde_json::json!({
        "duration": manual.length.map(|l| l.text), "note": manual.note, "paid": manual.paid
    });
    let length = manual.length.map_or(Length::Product, |l| l.length);
    let note = manual.note;
    let granted = give(&mut tx, config, staff, member, product, length, note, now).await?;
    ops::record_paid(
        &mut tx,
        product,
        "manual",
        &granted,
        member,
        manual.paid,
        now,
    )
    .await?;
    finish(
        app, tx, config, staff, action, member, product, details, now,
    )
    .await?;
    Ok(granted)
}

/// `/membership extend`: adds `length` from the later of now and the current paid end, to a
/// product the member holds.
pub async fn extend(
    app: &AppState,
    config: &Config,
    staff: Staff,
    member: UserId,
    product: &Product,
    length: Typed<'_>,
) -> Result<Granted, Error> {
    let now = app.clock.now();
    let action = "membership.extend";
    let mut tx = open(app, config, staff, member, action, product, now).await?;
    if ops::held(&mut tx, member, &product.id, now).await? == Held::None {
        return Err(MembershipError::NotHeld {
            product: product.id.clone(),
        }
        .into());
    }
    let details = serde_json::json!({ "duration": length.text });
    let (length, note) = (length.length, Some("extend"));
    let granted = give(&mut tx, config, staff, member, product, length, note, now).await?;
    finish(
        app, tx, config, staff, action, member, product, details, now,
    )
    .await?;
    Ok(granted)
}

/// `/membership revoke`: ends every grant of the product the member holds, now.
pub async fn revoke(
    app: &AppState,
    config: &Config,
    staff: Staff,
    member: UserId,
    product: &Product,
    reason: &str,
) -> Result<(), Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    if ops::end_now(&mut tx, config, member, product, now).await? == 0 {
        return Err(MembershipError::NotHeld {
            product: product.id.clone(),
        }
        .into());
    }
    let details = serde_json::json!({ "reason": reason });
    let action = "membership.revoke";
    finish(
        app, tx, config, staff, action, member, product, details, now,
    )
    .await
}

/// `/gate apply` confirmed by an admin: the channel-overwrite fixes, queued through the outbox
/// and audited. Returns how many.
pub async fn apply_gate_fixes(
    app: &AppState,
    config: &Config,
    actor: UserId,
    fixes: &[crate::outbox::Effect],
) -> Result<usize, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    for effect in fixes {
        crate::outbox::enqueue(&mut tx, effect, now, None).await?;
    }
    let action = crate::audit::Action {
        guild_id: config.discord.guild_id,
        actor,
        action: "gate.apply",
        target_kind: None,
        target_id: None,
        arguments: serde_json::json!({ "changes": fixes.len() }),
    };
    crate::audit::record(&mut tx, &action, now).await?;
    app.commit(tx).await?;
    Ok(fixes.len())
}

/// What pressing Send under a renewal draft did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftSent {
    Sent,
    /// Sent before for this paid period.
    Before,
    /// The member renewed (or the grant ended) since the list was made.
    NoLongerDue,
}

/// Sends the renewal draft for (member, product, paid end) if it is still due, once.
pub async fn send_renewal_draft(
    app: &AppState,
    config: &Config,
    member: i64,
    product: &str,
    paid_until: i64,
    by: UserId,
) -> Result<DraftSent, Error> {
    let now = app.clock.now();
    // Whether it is still due is read without the writer (the list reads activity); the
    // write is only the once-per-period row, the DM and the audit.
    let days = (paid_until - crate::clock::to_millis(now)).div_euclid(86_400_000) + 1;
    let due = {
        let mut conn = app.db.read.acquire().await?;
        super::renewals::upcoming(&mut conn, config, now, days.max(1)).await?
    };
    let Some(due) = due
        .into_iter()
        .find(|d| d.member == member && d.product == product && d.paid_until == paid_until)
    else {
        return Ok(DraftSent::NoLongerDue);
    };
    let mut tx = app.db.write.begin().await?;
    let sent = super::renewals::send(&mut tx, config, &due, by, now).await?;
    app.commit(tx).await?;
    Ok(if sent {
        DraftSent::Sent
    } else {
        DraftSent::Before
    })
}
