//! Paid access through the simulated Discord and signed webhooks sent to the bot's own web
//! server: codes, Stripe, Discord entitlements, expiry after grace, rejoin, reconciliation.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lyceum::clock::{Clock, ManualClock};
use lyceum::features::membership::stripe;
use lyceum::harness::sim::harness::STRIPE_SECRET;
use lyceum::harness::sim::{ids, SlashCall};
use serde_json::{json, Value};

use crate::stripe_objects::{self, Version};
use crate::support::{eventually_sync as eventually, logs, TestApp, WAIT};

pub(crate) fn now() -> DateTime<Utc> {
    "2026-12-01T04:00:00Z".parse().unwrap()
}

pub(crate) fn products() -> String {
    format!(
        r#"
[[products]]
id = "pro"
kind = "membership"
name = {{ en = "Pro membership", "zh-CN" = "专业会员" }}
role = {pro}
duration = "30d"
price = 29
currency = "USD"
grace = "3d"
payment_link = "https://buy.stripe.com/test_pro"
discord_sku_ids = [777]
renew_reminders = "7d,1d"

[[products]]
id = "rust-course"
kind = "course"
name = "Rust course"
role = {course}
channels = [{gated}]
duration = "lifetime"
price = 99
"#,
        pro = ids::ROLE_PRO,
        course = ids::ROLE_REGULAR,
        gated = ids::CHANNEL_READ_ONLY,
    )
}

pub(crate) async fn spawn() -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(now()));
    let app = TestApp::spawn_clocked(&products(), clock.clone()).await;
    (app, clock)
}

pub(crate) fn has_role(app: &TestApp, user: u64, role: u64) -> bool {
    app.sim().member_roles(user).contains(&role)
}

fn advance(app: &TestApp, clock: &ManualClock, by: chrono::Duration) {
    clock.advance(by);
    app.bot().app.state.grants_changed();
}

pub(crate) fn membership(user: u64, sub: &str) -> SlashCall {
    SlashCall::new(user, "membership").subcommand(sub)
}

/// Creates `count` codes for `product`; returns them, read from the CSV attachment.
async fn create_codes(
    app: &TestApp,
    product: &str,
    count: i64,
    max_uses: Option<i64>,
) -> Vec<String> {
    let mut call = SlashCall::new(ids::OWNER, "code")
        .subcommand("create")
        .string("product", product)
        .integer("count", count);
    if let Some(n) = max_uses {
        call = call.integer("max_uses", n);
    }
    codes_from(app, call).await
}

/// The codes a `/code create` call made (from its CSV attachment).
async fn codes_from(app: &TestApp, call: SlashCall) -> Vec<String> {
    let reply = app.slash(call).await;
    assert!(reply.ephemeral);
    assert!(
        reply.content.contains("This file is the only copy"),
        "{}",
        reply.content
    );
    let csv = reply.raw["_files"][0]["content"]
        .as_str()
        .expect("a CSV attachment")
        .to_string();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect()
}

fn redeem(user: u64, code: &str) -> SlashCall {
    SlashCall::new(user, "redeem").string("code", code)
}

#[tokio::test]
async fn a_code_opens_the_course_once_and_wrong_codes_are_throttled_without_an_oracle() {
    let (mut app, _clock) = spawn().await;
    let codes = create_codes(&app, "rust-course", 2, None).await;
    assert_eq!(codes.len(), 2);
    assert!(codes
        .iter()
        .all(|c| c.len() == 19 && c.chars().nth(4) == Some('-')));
    // Only hashes are stored, and the codes never reach the logs.
    let (stored,): (String,) = sqlx::query_as("SELECT group_concat(hash) FROM redeem_codes")
        .fetch_one(&app.db().read)
        .await
        .unwrap();
    let plain = codes[0].replace('-', "");
    assert!(!stored.contains(&plain) && !stored.contains(&codes[0]));
    assert!(!logs().contains(&codes[0]));

    // Mina redeems (lower case, spaces): the course role arrives.
    let typed = codes[0].to_lowercase().replace('-', " ");
    let reply = app.slash(redeem(ids::MINA, &typed)).await;
    assert!(reply.ephemeral);
    assert!(
        reply
            .content
            .starts_with("🎉 Redeemed: **Rust course**, yours for life"),
        "{}",
        reply.content
    );
    eventually("the course role", || {
        has_role(&app, ids::MINA, ids::ROLE_REGULAR)
    })
    .await;

    // The same code again, by Kai: used. A code that never existed: the same answer.
    let used = app.slash(redeem(ids::SAM, &codes[0])).await;
    let never = app.slash(redeem(ids::SAM, "ZZZZ-ZZZZ-ZZZZ-ZZZZ")).await;
    assert_eq!(
        used.content,
        "That code is not valid. Check it and try again."
    );
    assert_eq!(used.content, never.content, "no oracle");
    for _ in 0..3 {
        app.slash(redeem(ids::SAM, "nope")).await;
    }
    // Five failures in ten minutes: even the good code is refused now, and stays unused.
    let throttled = app.slash(redeem(ids::SAM, &codes[1])).await;
    assert!(
        throttled.content.starts_with("Too many wrong codes"),
        "{}",
        throttled.content
    );
    assert!(!has_role(&app, ids::SAM, ids::ROLE_REGULAR));
    // Kai reads Chinese: the same refusal, localized.
    let zh = app.slash(redeem(ids::KAI, "nope")).await;
    assert_eq!(zh.content, "兑换码无效，请检查后重试。");
    let counts = app
        .slash(SlashCall::new(ids::OWNER, "code").subcommand("list"))
        .await;
    assert!(
        counts.content.contains("`rust-course`: 1 live · 1 used"),
        "{}",
        counts.content
    );
    // A member may not list codes.
    let refused = app
        .slash(SlashCall::new(ids::MINA, "code").subcommand("list"))
        .await;
    assert!(!refused.content.contains("live"), "{}", refused.content);
    app.stop().await;
}

#[tokio::test]
async fn two_members_redeeming_one_single_use_code_at_once_exactly_one_wins() {
    let (mut app, _clock) = spawn().await;
    let code = create_codes(&app, "pro", 1, None).await.remove(0);
    let (a, b) = tokio::join!(
        app.slash(redeem(ids::MINA, &code)),
        app.slash(redeem(ids::KAI, &code))
    );
    let won = [&a, &b]
        .iter()
        .filter(|r| r.content.starts_with("🎉"))
        .count();
    assert_eq!(won, 1, "{} / {}", a.content, b.content);
    assert_eq!(app.count("SELECT COUNT(*) FROM code_redemptions").await, 1);
    assert_eq!(app.count("SELECT uses FROM redeem_codes").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn redeeming_a_product_already_held_extends_from_the_current_end() {
    let (mut app, _clock) = spawn().await;
    let codes = create_codes(&app, "pro", 2, None).await;
    app.slash(redeem(ids::MINA, &codes[0])).await;
    let second = app.slash(redeem(ids::MINA, &codes[1])).await;
    let until = (now() + chrono::Duration::days(60)).timestamp();
    assert!(
        second.content.contains(&format!("<t:{until}:F>")),
        "60 days from now: {}",
        second.content
    );
    let status = app.slash(membership(ids::MINA, "status")).await;
    assert!(
        status.content.contains("**Pro membership**"),
        "{}",
        status.content
    );
    assert!(
        status.content.contains(&format!("<t:{until}:F>")),
        "{}",
        status.content
    );
    // Another member's status is an admin's business only.
    let nosy = app
        .slash(membership(ids::SAM, "status").user_option("member", ids::MINA))
        .await;
    assert_eq!(
        nosy.content,
        "Only admins can see another member's memberships."
    );
    app.stop().await;
}

pub(crate) fn event(id: &str, kind: &str, object: Value) -> Vec<u8> {
    serde_json::to_vec(
        &json!({ "id": id, "type": kind, "object": "event", "data": { "object": object } }),
    )
    .unwrap()
}

async fn post_webhook(app: &TestApp, body: &[u8], signature: Option<String>) -> u16 {
    let url = format!("http://{}/webhooks/stripe", app.bot().app.web_addr);
    let mut request = reqwest::Client::new().post(url).body(body.to_vec());
    if let Some(signature) = signature {
        request = request.header("Stripe-Signature", signature);
    }
    request.send().await.unwrap().status().as_u16()
}

pub(crate) async fn send_signed(app: &TestApp, body: &[u8]) -> u16 {
    let t = app.bot().clock.now().timestamp();
    post_webhook(app, body, Some(stripe::sign(body, STRIPE_SECRET, t))).await
}

pub(crate) fn checkout(session: &str, member: u64, subscription: Option<&str>) -> Value {
    let payment_intent = format!("pi_{session}");
    stripe_objects::checkout_session(
        session,
        Some(member),
        Some("pro"),
        "paid",
        subscription.is_none().then_some(payment_intent.as_str()),
        subscription,
        2900,
    )
}

fn invoice(id: &str, subscription: &str, period_end: DateTime<Utc>, reason: &str) -> Value {
    let payment_intent = format!("pi_{id}");
    stripe_objects::invoice(
        Version::Acacia,
        id,
        subscription,
        &payment_intent,
        period_end,
        reason,
    )
}

async fn paid_until(app: &TestApp) -> Option<i64> {
    let (paid,): (Option<i64>,) = sqlx::query_as(
        "SELECT MAX(paid_until) FROM grants WHERE reference = 'stripe:sub_1' AND ended_at IS NULL",
    )
    .fetch_one(&app.db().read)
    .await
    .unwrap();
    paid
}

#[tokio::test]
async fn stripe_subscription_grants_renews_once_per_event_and_ends_at_the_paid_period_plus_grace() {
    let (mut app, clock) = spawn().await;
    // `/membership buy` hands out the Payment Link with the member's id.
    let buy = app
        .slash(membership(ids::MINA, "buy").string("product", "pro"))
        .await;
    assert!(
        buy.content.contains(&format!(
            "https://buy.stripe.com/test_pro?client_reference_id={}",
            ids::MINA
        )),
        "{}",
        buy.content
    );

    let status = send_signed(
        &app,
        &event(
            "evt_1",
            "checkout.session.completed",
            checkout("cs_1", ids::MINA, Some("sub_1")),
        ),
    )
    .await;
    assert_eq!(status, 200);
    eventually("the Pro role", || has_role(&app, ids::MINA, ids::ROLE_PRO)).await;

    // The first invoice sets Stripe's period end; the same event again changes nothing.
    let end = now() + chrono::Duration::days(31);
    let paid = event(
        "evt_2",
        "invoice.paid",
        invoice("in_1", "sub_1", end, "subscription_create"),
    );
    assert_eq!(send_signed(&app, &paid).await, 200);
    assert_eq!(paid_until(&app).await, Some(end.timestamp() * 1000));
    let renewal_end = end + chrono::Duration::days(30);
    let renewal = event(
        "evt_3",
        "invoice.paid",
        invoice("in_2", "sub_1", renewal_end, "subscription_cycle"),
    );
    assert_eq!(send_signed(&app, &renewal).await, 200);
    assert_eq!(
        send_signed(&app, &renewal).await,
        200,
        "a replay is answered 200"
    );
    assert_eq!(paid_until(&app).await, Some(renewal_end.timestamp() * 1000));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM revenue WHERE source = 'stripe'")
            .await,
        2,
        "two invoices, the replay not counted"
    );

    // Cancelled: nothing happens now.
    let deleted = event(
        "evt_4",
        "customer.subscription.deleted",
        json!({ "id": "sub_1", "object": "subscription", "customer": "cus_1", "current_period_end": renewal_end.timestamp() }),
    );
    assert_eq!(send_signed(&app, &deleted).await, 200);
    // Just before the paid period plus the 3-day grace ends: still a member.
    let until_grace = renewal_end + chrono::Duration::days(3) - now();
    advance(&app, &clock, until_grace - chrono::Duration::minutes(1));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        has_role(&app, ids::MINA, ids::ROLE_PRO),
        "not removed before paid end + grace"
    );
    // The grace notice went out by DM when the paid time ended.
    eventually("the grace DM", || {
        app.sim().sent_payloads().iter().any(|(_, v)| {
            v["content"]
                .as_str()
                .is_some_and(|c| c.contains("paid time for **Pro membership** is over"))
        })
    })
    .await;
    advance(&app, &clock, chrono::Duration::minutes(2));
    eventually("the Pro role removed", || {
        !has_role(&app, ids::MINA, ids::ROLE_PRO)
    })
    .await;
    eventually("the ended DM", || {
        app.sim().sent_payloads().iter().any(|(_, v)| {
            v["content"]
                .as_str()
                .is_some_and(|c| c.contains("access has ended"))
        })
    })
    .await;
    assert!(
        !logs().contains(STRIPE_SECRET),
        "the webhook secret is never logged"
    );
    app.stop().await;
}

#[tokio::test]
async fn forged_missing_stale_and_oversized_webhooks_change_nothing() {
    let (mut app, _clock) = spawn().await;
    let body = event(
        "evt_9",
        "checkout.session.completed",
        checkout("cs_9", ids::MINA, None),
    );
    let t = app.bot().clock.now().timestamp();
    assert_eq!(post_webhook(&app, &body, None).await, 400, "missing");
    let forged = stripe::sign(&body, "whsec_attacker", t);
    assert_eq!(post_webhook(&app, &body, Some(forged)).await, 400, "forged");
    let stale = stripe::sign(&body, STRIPE_SECRET, t - 600);
    assert_eq!(
        post_webhook(&app, &body, Some(stale)).await,
        400,
        "replayed from 10 minutes ago"
    );
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    let signed_original = stripe::sign(&body, STRIPE_SECRET, t);
    assert_eq!(
        post_webhook(&app, &tampered, Some(signed_original)).await,
        400,
        "tampered"
    );
    let huge = vec![b'x'; 10 * 1024 * 1024];
    let signed_huge = stripe::sign(&huge, STRIPE_SECRET, t);
    assert_eq!(
        post_webhook(&app, &huge, Some(signed_huge)).await,
        413,
        "10 MB"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM grants").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM stripe_events").await, 0);
    // Unknown event types are acknowledged and ignored.
    let other = event("evt_10", "customer.created", json!({ "id": "cus_2" }));
    assert_eq!(send_signed(&app, &other).await, 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM grants").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_refund_ends_access_now_and_is_audited() {
    let (mut app, _clock) = spawn().await;
    let paid = event(
        "evt_20",
        "checkout.session.completed",
        checkout("cs_20", ids::KAI, None),
    );
    assert_eq!(send_signed(&app, &paid).await, 200);
    eventually("the Pro role", || has_role(&app, ids::KAI, ids::ROLE_PRO)).await;
    let refund = event(
        "evt_21",
        "charge.refunded",
        stripe_objects::refunded_charge(Version::Basil, "ch_1", "pi_cs_20", 2900, 2900, None),
    );
    assert_eq!(send_signed(&app, &refund).await, 200);
    eventually("the Pro role removed", || {
        !has_role(&app, ids::KAI, ids::ROLE_PRO)
    })
    .await;
    let actions = app.audit_actions().await;
    assert!(
        actions.contains(&"membership.stripe.refunded".to_string()),
        "{actions:?}"
    );
    let revenue = app
        .slash(SlashCall::new(ids::OWNER, "revenue").subcommand("show"))
        .await;
    assert!(
        revenue.content.contains("**Total**: 0.00 USD"),
        "{}",
        revenue.content
    );
    app.stop().await;
}

#[tokio::test]
async fn a_member_who_leaves_and_rejoins_gets_the_roles_their_grants_still_cover() {
    let (mut app, _clock) = spawn().await;
    let granted = app
        .slash(
            membership(ids::OWNER, "grant")
                .user_option("member", ids::SAM)
                .string("product", "pro")
                .string("note", "conference speaker"),
        )
        .await;
    assert!(granted.content.starts_with("✅ <@"), "{}", granted.content);
    eventually("the Pro role", || has_role(&app, ids::SAM, ids::ROLE_PRO)).await;
    app.sim().member_remove(ids::SAM);
    app.sim().member_add(ids::SAM, "sam", "en-US");
    eventually("the Pro role again", || {
        has_role(&app, ids::SAM, ids::ROLE_PRO)
    })
    .await;
    // Revoked: the role goes, and the revocation is audited with its reason.
    let revoked = app
        .slash(
            membership(ids::OWNER, "revoke")
                .user_option("member", ids::SAM)
                .string("product", "pro")
                .string("reason", "left the program"),
        )
        .await;
    assert!(
        revoked.content.contains("no longer has"),
        "{}",
        revoked.content
    );
    eventually("the Pro role removed", || {
        !has_role(&app, ids::SAM, ids::ROLE_PRO)
    })
    .await;
    app.stop().await;
}

#[tokio::test]
async fn a_product_role_added_by_hand_is_reported_and_missing_roles_are_restored() {
    let (mut app, _clock) = spawn().await;
    // Kai got the Pro role by hand; Mina has a grant but lost the role.
    app.sim().set_member_roles(ids::KAI, &[ids::ROLE_PRO]);
    let db = app.db().clone();
    let mut tx = db.write.begin().await.unwrap();
    sqlx::query("INSERT INTO grants (member_id, role_id, product, source, starts_at, ends_at, paid_until, created_at) VALUES (?, ?, 'pro', 'manual', 0, NULL, NULL, 0)")
        .bind(ids::MINA as i64)
        .bind(ids::ROLE_PRO as i64)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.bot()
        .app
        .state
        .wakes
        .fire(lyceum::features::membership::RECONCILE);
    eventually("Mina's role restored", || {
        has_role(&app, ids::MINA, ids::ROLE_PRO)
    })
    .await;
    eventually("the report in the mod log", || {
        app.sim().messages_in(ids::CHANNEL_MOD_LOG).iter().any(|m| {
            m["content"].as_str().is_some_and(|c| {
                c.contains("without a grant") && c.contains(&format!("<@{}>", ids::KAI))
            })
        })
    })
    .await;
    assert!(
        has_role(&app, ids::KAI, ids::ROLE_PRO),
        "reported, not removed (strict = false)"
    );
    app.stop().await;
}

/// A user subscription's entitlement names no guild: the poll lists the application's
/// entitlements unfiltered, so it never ends a grant it could not see; it ends one only when
/// Discord says so (deleted, gone from the list, `ends_at` passed) — and never one made by an
/// ENTITLEMENT_CREATE after its listing began.
#[tokio::test]
async fn discord_entitlements_grant_the_product_and_polling_ends_only_what_discord_ended() {
    let (mut app, clock) = spawn().await;
    let reconcile = lyceum::features::membership::reconcile::Reconcile::new(
        app.bot().app.state.clone(),
        app.http(),
        std::sync::Arc::new(lyceum::discord::rate_limits::RateLimiter::new(50)),
    );
    let entitlement = app.sim().entitlement_create(ids::MINA, 777);
    eventually("the Pro role", || has_role(&app, ids::MINA, ids::ROLE_PRO)).await;
    advance(&app, &clock, chrono::Duration::minutes(10));
    let pass = reconcile.pass(clock.now()).await.unwrap();
    assert_eq!(pass.entitlements_changed, 0, "{pass:?}");
    assert!(
        has_role(&app, ids::MINA, ids::ROLE_PRO),
        "a user subscription is seen"
    );
    let listing = app.requests("GET", "/entitlements");
    assert!(
        listing.iter().all(|r| !r.path.contains("guild_id")),
        "listed unfiltered: {:?}",
        listing.iter().map(|r| &r.path).collect::<Vec<_>>()
    );

    // Refunded through Discord: deleted, and left out of the listing.
    app.sim().entitlement_mark_deleted(entitlement);
    advance(&app, &clock, chrono::Duration::minutes(10));
    assert_eq!(
        reconcile
            .pass(clock.now())
            .await
            .unwrap()
            .entitlements_changed,
        1
    );
    eventually("the Pro role removed", || {
        !has_role(&app, ids::MINA, ids::ROLE_PRO)
    })
    .await;

    // Created while a poll's listing was already on its way: that poll does not end it.
    let listing_started = clock.now();
    advance(&app, &clock, chrono::Duration::seconds(1));
    let late = app.sim().entitlement_create(ids::SAM, 777);
    eventually("Sam's Pro role", || has_role(&app, ids::SAM, ids::ROLE_PRO)).await;
    app.sim().entitlement_remove_silently(late);
    reconcile.pass(listing_started).await.unwrap();
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM grants WHERE member_id = {} AND ended_at IS NULL",
            ids::SAM
        ))
        .await,
        1
    );
    // The next poll, begun after it was made, finds it gone.
    advance(&app, &clock, chrono::Duration::minutes(10));
    assert_eq!(
        reconcile
            .pass(clock.now())
            .await
            .unwrap()
            .entitlements_changed,
        1
    );

    // A subscription that ended a day ago by the time Discord said so: the same 3-day grace
    // as an end dated in advance, then the expiry job takes the role.
    let second = app.sim().entitlement_create(ids::KAI, 777);
    eventually("Kai's Pro role", || has_role(&app, ids::KAI, ids::ROLE_PRO)).await;
    let ended = clock.now() - chrono::Duration::days(1);
    app.sim()
        .entitlement_update(second, &ended.format("%Y-%m-%dT%H:%M:%S+00:00").to_string());
    let grace_end = lyceum::clock::to_millis(ended + chrono::Duration::days(3)) / 1000 * 1000;
    crate::support::eventually("the end is kept with its grace", async || {
        app.count(&format!(
            "SELECT COUNT(*) FROM grants WHERE member_id = {} AND ended_at IS NULL AND ends_at = {grace_end}",
            ids::KAI
        ))
        .await
            == 1
    })
    .await;
    assert!(has_role(&app, ids::KAI, ids::ROLE_PRO), "in grace");
    advance(
        &app,
        &clock,
        chrono::Duration::days(2) + chrono::Duration::minutes(1),
    );
    eventually("Kai's Pro role removed after the grace", || {
        !has_role(&app, ids::KAI, ids::ROLE_PRO)
    })
    .await;
    // An end more than the grace ago ends access at once.
    let third = app.sim().entitlement_create(ids::SAM, 777);
    eventually("Sam's Pro role", || has_role(&app, ids::SAM, ids::ROLE_PRO)).await;
    app.sim()
        .entitlement_update(third, "2026-11-20T00:00:00+00:00");
    eventually("Sam's Pro role removed", || {
        !has_role(&app, ids::SAM, ids::ROLE_PRO)
    })
    .await;
    app.stop().await;
}

/// A poll's list is read, then ENTITLEMENT_DELETE ends the grant, then the poll applies its
/// (stale) list: the deleted entitlement must not come back.
#[tokio::test]
async fn a_stale_entitlement_poll_never_brings_back_a_deleted_entitlement() {
    let (mut app, clock) = spawn().await;
    let reconcile = lyceum::features::membership::reconcile::Reconcile::new(
        app.bot().app.state.clone(),
        app.http(),
        std::sync::Arc::new(lyceum::discord::rate_limits::RateLimiter::new(50)),
    );
    let entitlement = app.sim().entitlement_create(ids::MINA, 777);
    eventually("the Pro role", || has_role(&app, ids::MINA, ids::ROLE_PRO)).await;
    advance(&app, &clock, chrono::Duration::minutes(10));
    // The poll's listing began, and Discord answered it with the entitlement still live, just
    // before the delete: the poll is handed that answer.
    let listing_started = clock.now();
    let stale = app.sim().entitlements_listed();
    app.sim().entitlement_delete(entitlement);
    crate::support::eventually("the delete ends the grant", async || {
        app.count(&format!(
            "SELECT COUNT(*) FROM grants WHERE member_id = {} AND ended_at IS NULL",
            ids::MINA
        ))
        .await
            == 0
    })
    .await;
    app.sim().inject_faults(
        "GET",
        "/entitlements",
        vec![lyceum::harness::sim::Fault::Answer(200, stale)],
    );
    let pass = reconcile.pass(listing_started).await.unwrap();
    assert_eq!(pass.entitlements_changed, 0, "{pass:?}");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM grants WHERE member_id = {} AND ended_at IS NULL",
            ids::MINA
        ))
        .await,
        0,
        "the stale list re-granted nothing"
    );
    eventually("the Pro role removed", || {
        !has_role(&app, ids::MINA, ids::ROLE_PRO)
    })
    .await;
    app.stop().await;
}

#[tokio::test]
async fn revenue_shows_the_month_by_product_and_source_with_income_recorded_by_hand() {
    let (mut app, _clock) = spawn().await;
    // Codes sold at 99 count as income; a complimentary code would not.
    let priced = SlashCall::new(ids::OWNER, "code")
        .subcommand("create")
        .string("product", "rust-course")
        .integer("count", 1)
        .number("price", 99.0);
    let code = codes_from(&app, priced).await.remove(0);
    app.slash(redeem(ids::MINA, &code)).await;
    // A grant staff say was paid is income; one without `paid` is complimentary.
    app.slash(
        membership(ids::OWNER, "grant")
            .user_option("member", ids::KAI)
            .string("product", "pro")
            .number("paid", 29.0),
    )
    .await;
    app.slash(
        membership(ids::OWNER, "grant")
            .user_option("member", ids::SAM)
            .string("product", "pro"),
    )
    .await;
    let added = app
        .slash(
            SlashCall::new(ids::OWNER, "revenue")
                .subcommand("add")
                .number("amount", 120.5)
                .string("currency", "usd")
                .string("source", "sponsor"),
        )
        .await;
    assert_eq!(added.content, "✅ Recorded 120.50 USD from sponsor.");
    let bad = app
        .slash(
            SlashCall::new(ids::OWNER, "revenue")
                .subcommand("add")
                .number("amount", -3.0)
                .string("currency", "usd")
                .string("source", "x"),
        )
        .await;
    assert!(
        bad.content.starts_with("The amount must be"),
        "{}",
        bad.content
    );
    let report = app
        .slash(SlashCall::new(ids::OWNER, "revenue").subcommand("show"))
        .await;
    let text = &report.content;
    assert!(text.starts_with("**Revenue — 2026-12**"), "{text}");
    assert!(
        text.contains("`rust-course` · redeem code — 99.00 USD (1)"),
        "{text}"
    );
    assert!(
        text.contains("`pro` · granted by staff — 29.00 USD (1)"),
        "{text}"
    );
    assert!(text.contains("`—` · sponsor — 120.50 USD (1)"), "{text}");
    assert!(text.contains("**Total**: 248.50 USD"), "{text}");
    assert!(
        text.contains("1 complimentary grant (by hand or code, no income)"),
        "{text}"
    );
    // The priced code and the grant staff recorded as paid are paid members; the free grant is
    // a comp, counted apart (it used to make "3").
    assert!(
        text.contains("Paid members now: **2** (comps apart: 1)"),
        "{text}"
    );
    // The export lists every grant.
    let export = app.slash(membership(ids::OWNER, "export")).await;
    let csv = export.raw["_files"][0]["content"].as_str().unwrap();
    assert!(csv.starts_with("member_id,product,source"), "{csv}");
    assert_eq!(csv.lines().count(), 4, "{csv}");
    app.stop().await;
}

#[tokio::test]
async fn gate_check_lists_problems_and_gate_apply_fixes_them_after_an_admin_confirms() {
    let (mut app, _clock) = spawn().await;
    let check = SlashCall::new(ids::OWNER, "gate").subcommand("check");
    let before = app.slash(check.clone()).await;
    let channel = format!("<#{}>", ids::CHANNEL_READ_ONLY);
    assert!(
        before.content.contains("✅ **Pro membership**"),
        "{}",
        before.content
    );
    assert!(
        before.content.contains("❌ **Rust course**"),
        "{}",
        before.content
    );
    assert!(
        before
            .content
            .contains(&format!("{channel} is visible to @everyone")),
        "{}",
        before.content
    );

    let (asked, _) = app
        .sim()
        .invoke(&SlashCall::new(ids::OWNER, "gate").subcommand("apply"))
        .unwrap();
    let reply = app.sim().wait_reply(asked).await.unwrap();
    assert!(
        reply.content.contains("Apply 3 permission changes?"),
        "{}",
        reply.content
    );
    assert!(
        app.requests("PUT", "/permissions/").is_empty(),
        "nothing before the confirmation"
    );

    // A member who got hold of the button cannot use it.
    let (sneaky, _) = app
        .sim()
        .press_on_reply(ids::MINA, asked, "lyceum:gate:apply")
        .unwrap();
    let refused = app.sim().wait_response(sneaky).await.unwrap();
    assert_eq!(
        refused["data"]["content"],
        "Only admins can apply gate changes."
    );

    let (press, _) = app
        .sim()
        .press_on_reply(ids::OWNER, asked, "lyceum:gate:apply")
        .unwrap();
    let done = app.sim().wait_response(press).await.unwrap();
    assert_eq!(done["type"], 7);
    assert!(done["data"]["content"]
        .as_str()
        .unwrap()
        .starts_with("✅ 3 permission changes queued"));
    eventually("three overwrites", || {
        app.requests("PUT", "/permissions/").len() == 3
    })
    .await;
    let everyone = app
        .requests("PUT", &format!("/permissions/{}", ids::GUILD))
        .remove(0);
    assert_eq!(
        everyone.body["deny"],
        (0x400 | 0x800).to_string(),
        "View hidden, Send still denied"
    );
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let after = app.slash(check.clone()).await;
        if after.content.contains("✅ **Rust course**") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{}", after.content);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn a_renewal_reminder_goes_out_once_before_the_paid_time_ends() {
    let (mut app, clock) = spawn().await;
    app.slash(
        membership(ids::OWNER, "grant")
            .user_option("member", ids::MINA)
            .string("product", "pro"),
    )
    .await;
    eventually("the Pro role", || has_role(&app, ids::MINA, ids::ROLE_PRO)).await;
    let reminders = |app: &TestApp| {
        app.sim()
            .sent_payloads()
            .iter()
            .filter(|(_, v)| {
                v["content"]
                    .as_str()
                    .is_some_and(|c| c.starts_with("⏳ Your **Pro membership** access ends"))
            })
            .count()
    };
    // 23 days in: the 7-day reminder.
    advance(
        &app,
        &clock,
        chrono::Duration::days(23) + chrono::Duration::hours(1),
    );
    app.bot().app.state.grants_changed();
    eventually("the 7-day reminder", || reminders(&app) == 1).await;
    // An hour later, nothing new; then the 1-day reminder.
    advance(&app, &clock, chrono::Duration::hours(1));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(reminders(&app), 1);
    advance(&app, &clock, chrono::Duration::days(6));
    eventually("the 1-day reminder", || reminders(&app) == 2).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM grant_reminders").await, 2);
    app.stop().await;
}

/// The reconcile job's first pass waits for the gateway's READY (which names the application)
/// instead of failing and retrying every second until it arrives.
#[tokio::test]
async fn the_first_reconcile_pass_starts_once_the_application_is_known() {
    let (mut app, _clock) = spawn().await;
    let listed = app
        .sim()
        .wait_request("GET", "/entitlements", 1, WAIT)
        .await
        .expect("the first pass polls Discord's store");
    assert!(
        listed
            .path
            .starts_with(&format!("/applications/{}/", ids::APPLICATION)),
        "{}",
        listed.path
    );
    assert_eq!(listed.status, 200);
    // Logs are shared by every test: no start anywhere failed this way.
    assert!(!logs().contains("Application id was expected but missing"));
    app.stop().await;
}

/// A job's DM speaks the member's language as Discord last told it (any command), or as they
/// chose on the web — not the community's default.
#[tokio::test]
async fn a_jobs_dm_follows_the_members_own_language() {
    use crate::web::{base, log_in, Browser};
    let (mut app, clock) = spawn().await;
    for member in [ids::KAI, ids::MINA, ids::OWNER] {
        app.slash(
            membership(ids::OWNER, "grant")
                .user_option("member", member)
                .string("product", "rust-course")
                .string("duration", "1d"),
        )
        .await;
    }
    // Kai's Discord is in Chinese, Mina's in English; the owner (English in Discord) picks
    // Chinese on the web.
    app.slash(SlashCall::new(ids::KAI, "points").subcommand("show"))
        .await;
    app.slash(SlashCall::new(ids::MINA, "points").subcommand("show"))
        .await;
    let mut owner = Browser::new();
    log_in(&app, &mut owner, ids::OWNER).await;
    let switched = owner.get(&format!("{}/lang?to=zh-CN", base(&app))).await;
    assert_eq!(switched.status, 303);
    crate::support::eventually("the owner's choice is remembered", async || {
        app.count(&format!(
            "SELECT COUNT(*) FROM member_locales WHERE member_id = {} AND locale = 'zh-CN'",
            ids::OWNER
        ))
        .await
            == 1
    })
    .await;
    // The paid day ends: the grace notice (a job's DM) goes to each in their language.
    advance(
        &app,
        &clock,
        chrono::Duration::days(1) + chrono::Duration::minutes(1),
    );
    let dm_to = |member: u64, needle: &str| {
        app.sim()
            .dms_to(member)
            .iter()
            .any(|text| text.contains(needle))
    };
    eventually("three grace notices", || {
        dm_to(ids::KAI, "付费期已结束")
            && dm_to(ids::MINA, "Your paid time for **Rust course** is over")
            && dm_to(ids::OWNER, "付费期已结束")
    })
    .await;
    app.stop().await;
}
