//! Renewal care, the staff view: members whose paid time ends soon (grants that do not renew by
//! themselves), by product and by recent activity, each with a drafted renewal message staff
//! send with one press — once per member and paid period, and never without a press.

use chrono::{DateTime, Duration, Utc};
use serenity::all::UserId;
use sqlx::SqliteConnection;

use super::store;
use crate::clock::{from_millis, to_millis};
use crate::config::Config;
use crate::error::Error;
use crate::i18n::Locale;
use crate::outbox::{self, Effect, MessageBody};
use crate::t;

/// The Send button under a draft: `lyceum:rn:<member>:<product>:<paid until>`.
pub const BUTTON_PREFIX: &str = "lyceum:rn:";
/// The page buttons of `/renewals upcoming`: `lyceum:rnp:{days}:{page}`.
pub const PAGE_PREFIX: &str = "lyceum:rnp:";

/// How many members one page of `/renewals upcoming` shows at most: each unsent one has a Send
/// button, four rows of five (Discord allows five rows; the fifth holds the page buttons).
pub const PER_PAGE: usize = 20;

/// The members on each page, as ranges of the list: consecutive runs whose text (`costs`, each
/// member's characters) fits in `budget`, at most [`PER_PAGE`] each. A member longer than the
/// budget alone still gets a page of their own (the reply cuts it; nobody is left out).
pub fn paginate(costs: &[usize], budget: usize) -> Vec<std::ops::Range<usize>> {
    let mut pages = Vec::new();
    let mut start = 0;
    let mut used = 0;
    for (i, cost) in costs.iter().enumerate() {
        let full = i - start == PER_PAGE || (i > start && used + cost > budget);
        if full {
            pages.push(start..i);
            start = i;
            used = 0;
        }
        used += cost;
    }
    if start < costs.len() {
        pages.push(start..costs.len());
    }
    pages
}

/// `(days, page)` of a page button.
pub fn parse_page(custom_id: &str) -> Option<(i64, usize)> {
    let (days, page) = custom_id.strip_prefix(PAGE_PREFIX)?.split_once(':')?;
    Some((days.parse().ok()?, page.parse().ok()?))
}

/// Recent activity over the last 14 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Activity {
    /// Messages on 3 or more of the 14 days.
    Active,
    /// On 1 or 2 days.
    Quiet,
    /// None.
    Silent,
}

pub fn classify(active_days: i64) -> Activity {
    match active_days {
        d if d >= 3 => Activity::Active,
        d if d >= 1 => Activity::Quiet,
        _ => Activity::Silent,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub member: i64,
    pub product: String,
    pub paid_until: i64,
    pub activity: Activity,
    pub sent: bool,
}

/// Members whose paid time ends within `days` of `now` and does not renew by itself, by
/// product, then activity, then end.
pub async fn upcoming(
    conn: &mut SqliteConnection,
    config: &Config,
    now: DateTime<Utc>,
    days: i64,
) -> Result<Vec<Due>, Error> {
    let from = to_millis(now);
    let to = to_millis(now + Duration::days(days));
    let ends = crate::features::stats::store::renewals_due(conn, from, to).await?;
    let since = crate::features::stats::activity::day_of(
        now - Duration::days(13),
        config.community.timezone,
    );
    let active: std::collections::HashMap<i64, i64> = store::active_days(conn, &since)
        .await?
        .into_iter()
        .collect();
    let sent = store::drafts_sent(conn, from).await?;
    let mut due: Vec<Due> = ends
        .into_iter()
        .map(|(member, product, paid_until)| Due {
            sent: sent
                .iter()
                .any(|(m, p, u)| *m == member && *p == product && *u == paid_until),
            activity: classify(active.get(&member).copied().unwrap_or(0)),
            member,
            product,
            paid_until,
        })
        .collect();
    due.sort_by(|a, b| {
        (a.product.as_str(), a.activity, a.paid_until).cmp(&(
            b.product.as_str(),
            b.activity,
            b.paid_until,
        ))
    });
    Ok(due)
}

/// The drafted renewal message, in `locale`: thanks to an active member, a nudge to a quiet or
/// silent one; the end date and how to renew.
pub fn draft(config: &Config, due: &Due, locale: Locale) -> String {
    let product = config.product(&due.product);
    let name = product.map_or(due.product.clone(), |p| p.name.get(locale).to_string());
    let how = match product.and_then(|p| p.payment_link.as_deref()) {
        Some(link) => super::rules::checkout_url(link, due.member as u64, None),
        None => "/membership buy".to_string(),
    };
    let key = match due.activity {
        Activity::Active => "renewals-draft-active",
        Activity::Quiet | Activity::Silent => "renewals-draft-quiet",
    };
    t!(
        locale,
        key,
        member = format!("<@{}>", due.member),
        product = name,
        end = format!("<t:{}:D>", due.paid_until / 1000),
        how = how
    )
}

/// Sends the draft for (member, product, paid end) by DM, once. Returns false when it was sent
/// before. Audited.
pub async fn send(
    tx: &mut SqliteConnection,
    config: &Config,
    due: &Due,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    if !store::mark_draft_sent(
        tx,
        due.member,
        &due.product,
        due.paid_until,
        by.get() as i64,
        to_millis(now),
    )
    .await?
    {
        return Ok(false);
    }
    let member = UserId::new(due.member as u64);
    let locale = crate::member_locale::of(tx, member, config.community.default_locale).await?;
    let dm = Effect::SendDm {
        user_id: member,
        body: MessageBody::text(draft(config, due, locale)),
    };
    outbox::enqueue(tx, &dm, now, None).await?;
    let entry = crate::audit::Action {
        guild_id: config.discord.guild_id,
        actor: by,
        action: "renewals.send",
        target_kind: Some("member"),
        target_id: Some(due.member as u64),
        arguments: serde_json::json!({
            "product": due.product,
            "paid_until": from_millis(due.paid_until).to_rfc3339(),
        }),
    };
    crate::audit::record(tx, &entry, now).await?;
    Ok(true)
}

/// What `/renewals winback` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WinBack {
    /// Members sent a code now.
    pub sent: Vec<i64>,
    /// Lapsed members who had one already for that lapse.
    pub before: usize,
    pub batch: Option<i64>,
    pub price_minor: i64,
    pub expires_at: DateTime<Utc>,
}

/// `/renewals winback`: each member whose paid time of `product` ran out in the last `days`
/// days (not cut short by a refund) and who has not come back gets a one-use redeem code by
/// DM — at `[renewals] winback_price` (else the product's price), redeemable for
/// `winback_expiry` — once per lapse. Codes, DMs and the audit row commit together.
pub async fn winback(
    app: &crate::state::AppState,
    config: &Config,
    product: &crate::config::Product,
    days: i64,
    by: UserId,
) -> Result<WinBack, Error> {
    let now = app.clock.now();
    let since = to_millis(now - Duration::days(days));
    let lapsed = lapsed_since(app, product, since, now).await?;
    let expiry = Duration::from_std(config.renewals.winback_expiry).unwrap_or_default();
    let price = config
        .renewals
        .winback_price_minor
        .unwrap_or(product.price_minor);
    let mut result = WinBack {
        sent: Vec::new(),
        before: 0,
        batch: None,
        price_minor: price,
        expires_at: now + expiry,
    };
    if lapsed.is_empty() {
        return Ok(result);
    }
    let mut tx = app.db.write.begin().await?;
    let batch = store::next_batch(&mut tx).await?;
    for (member, lapsed_at) in lapsed {
        if !store::mark_winback_sent(
            &mut tx,
            (member, &product.id, lapsed_at),
            batch,
            by.get() as i64,
            to_millis(now),
        )
        .await?
        {
            result.before += 1;
            continue;
        }
        let offer = Offer {
            price_minor: price,
            expires_at: result.expires_at,
            batch,
        };
        send_offer(&mut tx, config, product, &offer, member, by, now).await?;
        result.sent.push(member);
    }
    let entry = crate::audit::Action {
        guild_id: config.discord.guild_id,
        actor: by,
        action: "renewals.winback",
        target_kind: None,
        target_id: None,
        // Never the codes themselves.
        arguments: serde_json::json!({
            "product": product.id, "batch": batch, "sent": result.sent.len(), "price": price,
        }),
    };
    crate::audit::record(&mut tx, &entry, now).await?;
    app.commit(tx).await?;
    result.batch = Some(batch);
    Ok(result)
}

/// Paying members of `product` whose paid time lapsed since `since` (ms), who have not come
/// back and were not offered a win-back for that lapse: (member, lapsed at).
async fn lapsed_since(
    app: &crate::state::AppState,
    product: &crate::config::Product,
    since: i64,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, i64)>, Error> {
    let mut conn = app.db.read.acquire().await?;
    let terms: Vec<_> = crate::features::stats::store::paid_terms(&mut conn)
        .await?
        .into_iter()
        .filter(|t| t.product == product.id)
        .collect();
    let sent = store::winbacks_sent(&mut conn, &product.id).await?;
    let mut out = Vec::new();
    for due in crate::features::stats::renewal_rate::dues(&terms, &[], to_millis(now)) {
        if due.at < since || sent.contains(&(due.member, due.at)) {
            continue;
        }
        let member = UserId::new(due.member as u64);
        if super::ops::held(&mut conn, member, &product.id, now).await?
            != crate::grants::rules::Held::None
        {
            continue; // came back
        }
        out.push((due.member, due.at));
    }
    Ok(out)
}

/// One win-back offer's terms.
struct Offer {
    price_minor: i64,
    expires_at: DateTime<Utc>,
    batch: i64,
}

/// A one-use code at the offer's price, and the member's DM with it, in their language.
async fn send_offer(
    tx: &mut SqliteConnection,
    config: &Config,
    product: &crate::config::Product,
    offer: &Offer,
    member: i64,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let batch = super::codes::NewBatch {
        product,
        count: 1,
        duration_s: None,
        max_uses: 1,
        expires_at: Some(offer.expires_at),
        price_minor: Some(offer.price_minor),
    };
    let code = super::codes::make_code(tx, &batch, offer.batch, by, now).await?;
    let user = UserId::new(member as u64);
    let locale = crate::member_locale::of(tx, user, config.community.default_locale).await?;
    let dm = Effect::SendDm {
        user_id: user,
        body: MessageBody::text(t!(
            locale,
            "winback-dm",
            community = config.community.name.get(locale).to_string(),
            product = product.name.get(locale).to_string(),
            price = crate::i18n::money(offer.price_minor, &product.currency),
            code = code,
            until = format!("<t:{}:D>", offer.expires_at.timestamp())
        )),
    };
    outbox::enqueue(tx, &dm, now, None).await?;
    Ok(())
}

/// (member, product, paid end) from a Send button's custom id.
pub fn parse(custom_id: &str) -> Option<(i64, String, i64)> {
    let rest = custom_id.strip_prefix(BUTTON_PREFIX)?;
    let mut parts = rest.splitn(3, ':');
    let member = parts.next()?.parse().ok()?;
    let product = parts.next()?.to_string();
    let paid = parts.next()?.parse().ok()?;
    Some((member, product, paid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_fit_the_message_and_the_buttons_and_leave_nobody_out() {
        // 12 members of 250 characters in 1,800: 7 a page.
        let pages = paginate(&[250; 12], 1_800);
        assert_eq!(pages, vec![0..7, 7..12]);
        // Short lines: at most PER_PAGE, for the Send buttons.
        let pages = paginate(&[10; 45], 1_800);
        assert_eq!(pages, vec![0..20, 20..40, 40..45]);
        // One line longer than the budget still has its page.
        assert_eq!(paginate(&[100, 5_000, 100], 1_800), vec![0..1, 1..2, 2..3]);
        assert!(paginate(&[], 1_800).is_empty());
        assert_eq!(parse_page("lyceum:rnp:14:3"), Some((14, 3)));
        assert_eq!(parse("lyceum:rnp:14:3"), None);
    }

    #[test]
    fn activity_groups_and_button_ids() {
        assert_eq!(
            [0, 1, 2, 3, 14].map(classify),
            [
                Activity::Silent,
                Activity::Quiet,
                Activity::Quiet,
                Activity::Active,
                Activity::Active
            ]
        );
        assert_eq!(
            parse("lyceum:rn:42:pro:1700000000000"),
            Some((42, "pro".into(), 1_700_000_000_000))
        );
        assert_eq!(parse("lyceum:rn:x:pro:1"), None);
    }
}
