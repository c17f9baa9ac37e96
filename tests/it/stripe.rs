//! Stripe as Stripe really sends it, through signed webhooks to the running bot: both API
//! versions, delayed payment methods, refunds and disputes matched to the purchase they
//! reverse, events out of order, cancellations, and payments nobody can match.

use chrono::{DateTime, Duration, Utc};
use lyceum::harness::sim::{ids, SlashCall};
use serde_json::Value;

use crate::membership::{event, has_role, membership, now, send_signed, spawn};
use crate::stripe_objects::{self as so, Version, BOTH};
use crate::support::{eventually, eventually_sync, TestApp};

async fn send(app: &TestApp, id: &str, kind: &str, object: Value) {
    assert_eq!(
        send_signed(app, &event(id, kind, object)).await,
        200,
        "{id}"
    );
}

fn paid_checkout(session: &str, member: u64, product: &str) -> Value {
    let pi = format!("pi_{session}");
    let amount = if product == "pro" { 2900 } else { 9900 };
    so::checkout_session(
        session,
        Some(member),
        Some(product),
        "paid",
        Some(&pi),
        None,
        amount,
    )
}

fn subscription_checkout(session: &str, member: u64, subscription: &str) -> Value {
    so::checkout_session(
        session,
        Some(member),
        Some("pro"),
        "paid",
        None,
        Some(subscription),
        2900,
    )
}

async fn open_grants(app: &TestApp, member: u64, product: &str) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM grants WHERE member_id = {member} AND product = '{product}' AND ended_at IS NULL"
    ))
    .await
}

async fn paid_until(app: &TestApp, reference: &str) -> Option<DateTime<Utc>> {
    let (paid,): (Option<i64>,) = sqlx::query_as(
        "SELECT MAX(paid_until) FROM grants WHERE reference = ? AND ended_at IS NULL",
    )
    .bind(reference)
    .fetch_one(&app.db().read)
    .await
    .unwrap();
    paid.map(lyceum::clock::from_millis)
}

fn at_second(t: DateTime<Utc>) -> DateTime<Utc> {
    lyceum::clock::from_millis(t.timestamp() * 1000)
}

async fn revenue(app: &TestApp) -> String {
    app.slash(SlashCall::new(ids::OWNER, "revenue").subcommand("show"))
        .await
        .content
}

fn mod_log(app: &TestApp) -> Vec<String> {
    let path = format!("/channels/{}/messages", ids::CHANNEL_MOD_LOG);
    app.requests("POST", &path)
        .iter()
        .filter_map(|r| r.body["content"].as_str().map(str::to_string))
        .collect()
}

fn dms_containing(app: &TestApp, needle: &str) -> usize {
    app.sim()
        .sent_payloads()
        .iter()
        .filter(|(_, v)| v["content"].as_str().is_some_and(|c| c.contains(needle)))
        .count()
}

#[tokio::test]
async fn an_unpaid_checkout_grants_nothing_until_its_delayed_payment_succeeds() {
    let (mut app, _clock) = spawn().await;
    let pi = Some("pi_slow");
    let unpaid = so::checkout_session(
        "cs_slow",
        Some(ids::MINA),
        Some("pro"),
        "unpaid",
        pi,
        None,
        2900,
    );
    send(&app, "evt_s1", "checkout.session.completed", unpaid.clone()).await;
    assert_eq!(
        open_grants(&app, ids::MINA, "pro").await,
        0,
        "nothing paid yet"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM revenue").await, 0);

    // Another member's bank debit fails: recorded, nothing granted.
    let failed = so::checkout_session(
        "cs_fail",
        Some(ids::KAI),
        Some("pro"),
        "unpaid",
        Some("pi_f"),
        None,
        2900,
    );
    send(&app, "evt_s2", "checkout.session.completed", failed.clone()).await;
    send(
        &app,
        "evt_s3",
        "checkout.session.async_payment_failed",
        failed,
    )
    .await;
    assert_eq!(open_grants(&app, ids::KAI, "pro").await, 0);
    let actions = app.audit_actions().await;
    assert!(
        actions.contains(&"membership.stripe.payment_failed".to_string()),
        "{actions:?}"
    );

    let mut paid = unpaid;
    paid["payment_status"] = "paid".into();
    send(
        &app,
        "evt_s4",
        "checkout.session.async_payment_succeeded",
        paid.clone(),
    )
    .await;
    eventually_sync("the Pro role", || has_role(&app, ids::MINA, ids::ROLE_PRO)).await;
    // The same payment reported again (a redelivery under a new event id) grants nothing more.
    send(&app, "evt_s5", "checkout.session.completed", paid).await;
    assert_eq!(open_grants(&app, ids::MINA, "pro").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM revenue").await, 1);
    app.stop().await;
}

/// A refund ends only what its payment bought: not the member's other purchase, and not a
/// manual grant of the same product. Matched by PaymentIntent, with no Stripe customer.
#[tokio::test]
async fn a_refund_ends_only_the_purchase_it_refunds() {
    let (mut app, _clock) = spawn().await;
    for (version, member) in [(Version::Acacia, ids::MINA), (Version::Basil, ids::KAI)] {
        let tag = format!("{version:?}").to_lowercase();
        let (pro, course) = (format!("cs_pro_{tag}"), format!("cs_course_{tag}"));
        send(
            &app,
            &format!("evt_{pro}"),
            "checkout.session.completed",
            paid_checkout(&pro, member, "pro"),
        )
        .await;
        send(
            &app,
            &format!("evt_{course}"),
            "checkout.session.completed",
            paid_checkout(&course, member, "rust-course"),
        )
        .await;
        eventually_sync("both roles", || {
            has_role(&app, member, ids::ROLE_PRO) && has_role(&app, member, ids::ROLE_REGULAR)
        })
        .await;
        // The course is refunded: only the course goes.
        let charge = so::refunded_charge(
            version,
            &format!("ch_{course}"),
            &format!("pi_{course}"),
            9900,
            9900,
            None,
        );
        send(&app, &format!("evt_r_{course}"), "charge.refunded", charge).await;
        eventually_sync("the course role removed", || {
            !has_role(&app, member, ids::ROLE_REGULAR)
        })
        .await;
        assert!(
            has_role(&app, member, ids::ROLE_PRO),
            "{version:?}: the other purchase stays"
        );
        assert_eq!(open_grants(&app, member, "pro").await, 1);
    }
    // A manual grant of the product survives a refund of a Stripe purchase of it.
    app.slash(
        membership(ids::OWNER, "grant")
            .user_option("member", ids::MINA)
            .string("product", "pro")
            .string("note", "comp"),
    )
    .await;
    let charge = so::refunded_charge(
        Version::Basil,
        "ch_pro_a",
        "pi_cs_pro_acacia",
        2900,
        2900,
        None,
    );
    send(&app, "evt_r_pro", "charge.refunded", charge).await;
    assert_eq!(
        open_grants(&app, ids::MINA, "pro").await,
        1,
        "the manual grant stays"
    );
    let removal = app
        .count("SELECT COUNT(*) FROM outbox WHERE kind = 'remove_role' AND status = 'delivered'")
        .await;
    assert_eq!(removal, 2, "only the two course removals reached Discord");
    assert!(has_role(&app, ids::MINA, ids::ROLE_PRO));
    app.stop().await;
}

#[tokio::test]
async fn partial_refunds_are_each_counted_once_and_keep_access() {
    let (mut app, _clock) = spawn().await;
    send(
        &app,
        "evt_p1",
        "checkout.session.completed",
        paid_checkout("cs_p", ids::SAM, "pro"),
    )
    .await;
    eventually_sync("the Pro role", || has_role(&app, ids::SAM, ids::ROLE_PRO)).await;
    // 10.00 refunded, then 15.00 more (Stripe reports 25.00 in all); the first event again, and
    // late, adds nothing.
    let first = so::refunded_charge(Version::Basil, "ch_p", "pi_cs_p", 2900, 1000, None);
    let second = so::refunded_charge(Version::Basil, "ch_p", "pi_cs_p", 2900, 2500, None);
    send(&app, "evt_p2", "charge.refunded", first.clone()).await;
    send(&app, "evt_p3", "charge.refunded", second).await;
    send(&app, "evt_p2", "charge.refunded", first.clone()).await;
    send(&app, "evt_p4", "charge.refunded", first).await;
    let refunded = app
        .count("SELECT -SUM(amount_minor) FROM revenue WHERE kind = 'refund'")
        .await;
    assert_eq!(refunded, 2500);
    assert!(revenue(&app).await.contains("**Total**: 4.00 USD"));
    assert!(
        has_role(&app, ids::SAM, ids::ROLE_PRO),
        "a partial refund keeps access"
    );
    assert_eq!(open_grants(&app, ids::SAM, "pro").await, 1);
    app.stop().await;
}

/// `invoice.paid` may arrive before its `checkout.session.completed`: kept (listed for staff
/// meanwhile), then applied — with Stripe's period end, not the product's 30 days.
#[tokio::test]
async fn an_invoice_paid_before_its_checkout_is_kept_and_applied_with_stripes_dates() {
    let (mut app, _clock) = spawn().await;
    for (version, member) in [(Version::Acacia, ids::MINA), (Version::Basil, ids::KAI)] {
        let tag = format!("{version:?}").to_lowercase();
        let sub = format!("sub_{tag}");
        // A weekly price: Stripe says 7 days; the product's own duration is 30.
        let period_end = now() + Duration::days(7);
        let invoice = so::invoice(
            version,
            &format!("in_{tag}"),
            &sub,
            &format!("pi_in_{tag}"),
            period_end,
            "subscription_create",
        );
        send(&app, &format!("evt_i_{tag}"), "invoice.paid", invoice).await;
        assert_eq!(open_grants(&app, member, "pro").await, 0);
        let waiting = app.slash(membership(ids::OWNER, "unmatched")).await.content;
        assert!(
            waiting.contains(&sub) && waiting.contains("29.00 USD"),
            "{waiting}"
        );

        send(
            &app,
            &format!("evt_c_{tag}"),
            "checkout.session.completed",
            subscription_checkout(&format!("cs_{tag}"), member, &sub),
        )
        .await;
        eventually_sync("the Pro role", || has_role(&app, member, ids::ROLE_PRO)).await;
        assert_eq!(
            paid_until(&app, &format!("stripe:{sub}")).await,
            Some(at_second(period_end)),
            "{version:?}: Stripe's period end"
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM revenue WHERE reference = 'stripe:in_{tag}'"
            ))
            .await,
            1
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM stripe_deferred").await, 0);
    assert!(app
        .slash(membership(ids::OWNER, "unmatched"))
        .await
        .content
        .contains("Every Stripe payment is matched"));
    app.stop().await;
}

#[tokio::test]
async fn a_cancellation_never_extends_access_past_the_last_paid_period() {
    let (mut app, _clock) = spawn().await;
    for (version, member) in [(Version::Acacia, ids::MINA), (Version::Basil, ids::KAI)] {
        let tag = format!("{version:?}").to_lowercase();
        let sub = format!("sub_c_{tag}");
        send(
            &app,
            &format!("evt_cc_{tag}"),
            "checkout.session.completed",
            subscription_checkout(&format!("cs_c_{tag}"), member, &sub),
        )
        .await;
        let paid_end = now() + Duration::days(31);
        let invoice = so::invoice(
            version,
            &format!("in_c_{tag}"),
            &sub,
            "pi_c",
            paid_end,
            "subscription_create",
        );
        send(&app, &format!("evt_ci_{tag}"), "invoice.paid", invoice).await;
        // The deleted subscription names a later period (one never paid for).
        let deleted = so::subscription(
            version,
            &sub,
            "canceled",
            false,
            paid_end + Duration::days(30),
        );
        send(
            &app,
            &format!("evt_cd_{tag}"),
            "customer.subscription.deleted",
            deleted,
        )
        .await;
        assert_eq!(
            paid_until(&app, &format!("stripe:{sub}")).await,
            Some(at_second(paid_end)),
            "{version:?}"
        );
    }
    app.stop().await;
}

/// No "renew now" DM to a member whose subscription renews by itself; once they set it to
/// end, the reminder comes.
#[tokio::test]
async fn renewal_reminders_skip_subscriptions_that_renew_by_themselves() {
    let (mut app, _clock) = spawn().await;
    let sub = "sub_r";
    send(
        &app,
        "evt_r1",
        "checkout.session.completed",
        subscription_checkout("cs_r", ids::MINA, sub),
    )
    .await;
    // Paid until 5 days from now: the 7-day reminder is due at once.
    let end = now() + Duration::days(5);
    let invoice = so::invoice(
        Version::Basil,
        "in_r",
        sub,
        "pi_r",
        end,
        "subscription_create",
    );
    send(&app, "evt_r2", "invoice.paid", invoice).await;
    let state = &app.bot().app.state;
    let notices = lyceum::features::membership::notices::Notices {
        state: state.clone(),
    };
    assert_eq!(
        notices.run_due(state.clock.now()).await.unwrap(),
        0,
        "it renews by itself"
    );

    let ending = so::subscription(Version::Basil, sub, "active", true, end);
    send(&app, "evt_r3", "customer.subscription.updated", ending).await;
    // The reminder job is woken by the webhook and sends the reminder, once.
    eventually_sync("the reminder DM", || {
        dms_containing(&app, "access ends") == 1
    })
    .await;
    assert_eq!(notices.run_due(state.clock.now()).await.unwrap(), 0, "once");
    app.stop().await;
}

/// Stripe's 2025-03-31 invoices name no PaymentIntent: `invoice_payment.paid` does, even when
/// it comes first. A refund of that payment then ends the subscription's access.
#[tokio::test]
async fn a_refund_of_a_basil_subscription_invoice_finds_its_purchase_through_invoice_payment() {
    let (mut app, _clock) = spawn().await;
    let sub = "sub_b";
    send(
        &app,
        "evt_b1",
        "checkout.session.completed",
        subscription_checkout("cs_b", ids::SAM, sub),
    )
    .await;
    send(
        &app,
        "evt_b2",
        "invoice_payment.paid",
        so::invoice_payment("in_b", "pi_b"),
    )
    .await;
    let invoice = so::invoice(
        Version::Basil,
        "in_b",
        sub,
        "unused",
        now() + Duration::days(30),
        "subscription_create",
    );
    send(&app, "evt_b3", "invoice.paid", invoice).await;
    eventually_sync("the Pro role", || has_role(&app, ids::SAM, ids::ROLE_PRO)).await;
    let charge = so::refunded_charge(Version::Basil, "ch_b", "pi_b", 2900, 2900, Some("cus_1"));
    send(&app, "evt_b4", "charge.refunded", charge).await;
    eventually_sync("the Pro role removed", || {
        !has_role(&app, ids::SAM, ids::ROLE_PRO)
    })
    .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM stripe_unmatched").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_dispute_is_posted_and_a_lost_one_ends_access_and_counts_against_revenue() {
    let (mut app, _clock) = spawn().await;
    send(
        &app,
        "evt_d1",
        "checkout.session.completed",
        paid_checkout("cs_d", ids::KAI, "pro"),
    )
    .await;
    eventually_sync("the Pro role", || has_role(&app, ids::KAI, ids::ROLE_PRO)).await;
    let opened = so::dispute("dp_1", "ch_d", "pi_cs_d", 2900, "needs_response");
    send(&app, "evt_d2", "charge.dispute.created", opened).await;
    let member = format!("<@{}>", ids::KAI);
    eventually(
        &format!("the mod log hears of it: {:?}", mod_log(&app)),
        async || {
            mod_log(&app).iter().any(|l| {
                l.contains("Dispute opened")
                    && l.contains(&member)
                    && l.contains("29.00 USD")
                    && l.contains("dp_1")
            })
        },
    )
    .await;
    assert!(
        has_role(&app, ids::KAI, ids::ROLE_PRO),
        "end_on_dispute is off"
    );

    let lost = so::dispute("dp_1", "ch_d", "pi_cs_d", 2900, "lost");
    send(&app, "evt_d3", "charge.dispute.closed", lost).await;
    eventually_sync("the Pro role removed", || {
        !has_role(&app, ids::KAI, ids::ROLE_PRO)
    })
    .await;
    assert!(revenue(&app).await.contains("**Total**: 0.00 USD"));
    app.stop().await;
}

#[tokio::test]
async fn with_end_on_dispute_access_ends_at_once_and_a_won_dispute_gives_it_back() {
    let clock = std::sync::Arc::new(lyceum::clock::ManualClock::new(now()));
    let config = format!(
        "{}\n[membership]\nend_on_dispute = true\n",
        crate::membership::products()
    );
    let mut app = TestApp::spawn_clocked(&config, clock).await;
    send(
        &app,
        "evt_w1",
        "checkout.session.completed",
        paid_checkout("cs_w", ids::MINA, "pro"),
    )
    .await;
    eventually_sync("the Pro role", || has_role(&app, ids::MINA, ids::ROLE_PRO)).await;
    send(
        &app,
        "evt_w2",
        "charge.dispute.created",
        so::dispute("dp_w", "ch_w", "pi_cs_w", 2900, "needs_response"),
    )
    .await;
    eventually_sync("the Pro role removed", || {
        !has_role(&app, ids::MINA, ids::ROLE_PRO)
    })
    .await;
    send(
        &app,
        "evt_w3",
        "charge.dispute.closed",
        so::dispute("dp_w", "ch_w", "pi_cs_w", 2900, "won"),
    )
    .await;
    eventually_sync("the Pro role back", || {
        has_role(&app, ids::MINA, ids::ROLE_PRO)
    })
    .await;
    assert_eq!(open_grants(&app, ids::MINA, "pro").await, 1);
    assert!(revenue(&app).await.contains("**Total**: 29.00 USD"));
    app.stop().await;
}

/// Nothing paid is invisible: a payment without a member goes to the mod log with its ids and
/// what to do, into `/membership unmatched`, and into `/revenue show`.
#[tokio::test]
async fn a_payment_nobody_can_match_is_posted_listed_and_counted() {
    let (mut app, _clock) = spawn().await;
    for version in BOTH {
        let tag = format!("{version:?}").to_lowercase();
        let session = format!("cs_u_{tag}");
        let orphan = so::checkout_session(
            &session,
            None,
            Some("pro"),
            "paid",
            Some("pi_u"),
            None,
            2900,
        );
        send(
            &app,
            &format!("evt_u_{tag}"),
            "checkout.session.completed",
            orphan,
        )
        .await;
    }
    let unknown_product = so::checkout_session(
        "cs_u_x",
        Some(ids::SAM),
        Some("gold"),
        "paid",
        Some("pi_x"),
        None,
        4900,
    );
    send(
        &app,
        "evt_u_x",
        "checkout.session.completed",
        unknown_product.clone(),
    )
    .await;
    send(
        &app,
        "evt_u_x",
        "checkout.session.completed",
        unknown_product,
    )
    .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM grants").await, 0);
    eventually("the mod log lines", async || {
        mod_log(&app)
            .iter()
            .filter(|l| l.contains("could not match"))
            .count()
            == 3
    })
    .await;
    let line = mod_log(&app)
        .into_iter()
        .find(|l| l.contains("cs_u_x"))
        .unwrap();
    assert!(
        line.contains("49.00 USD") && line.contains("/membership grant"),
        "{line}"
    );
    let listed = app.slash(membership(ids::OWNER, "unmatched")).await.content;
    assert!(
        listed.contains("cs_u_acacia")
            && listed.contains("cs_u_x")
            && listed.contains("no Discord member"),
        "{listed}"
    );
    let report = revenue(&app).await;
    assert!(report.contains("**Total**: 107.00 USD"), "{report}");
    assert!(
        report.contains("3 Stripe payments are not matched"),
        "{report}"
    );
    // Members cannot read it.
    let refused = app.slash(membership(ids::MINA, "unmatched")).await;
    assert!(!refused.content.contains("cs_u_x"), "{}", refused.content);
    app.stop().await;
}

/// A payment from a member who left is granted (their role comes back when they rejoin) and
/// counted as theirs, and staff are told, since the member cannot use what they paid for.
#[tokio::test]
async fn a_payment_from_a_member_who_left_is_granted_and_reported() {
    let (mut app, _clock) = spawn().await;
    app.sim().member_add(ids::SAM, "sam", "en-US");
    eventually("the join recorded", async || {
        app.count(&format!(
            "SELECT COUNT(*) FROM member_joins WHERE member_id = {}",
            ids::SAM
        ))
        .await
            == 1
    })
    .await;
    app.sim().member_remove(ids::SAM);
    eventually("the leave recorded", async || {
        app.count("SELECT COUNT(*) FROM member_joins WHERE left_at IS NOT NULL")
            .await
            == 1
    })
    .await;
    send(
        &app,
        "evt_l1",
        "checkout.session.completed",
        paid_checkout("cs_l", ids::SAM, "pro"),
    )
    .await;
    assert_eq!(
        open_grants(&app, ids::SAM, "pro").await,
        1,
        "granted for their return"
    );
    let member = format!("<@{}>", ids::SAM);
    eventually("the mod log is told", async || {
        mod_log(&app).iter().any(|l| {
            l.contains(&member) && l.contains("has left the server") && l.contains("29.00 USD")
        })
    })
    .await;
    let listed = app.slash(membership(ids::OWNER, "unmatched")).await.content;
    assert!(listed.contains("has left the server"), "{listed}");
    let report = revenue(&app).await;
    assert!(
        report.contains("`pro` · Stripe — 29.00 USD (1)"),
        "{report}"
    );
    assert!(report.contains("**Total**: 29.00 USD"), "{report}");

    // They come back: the role is restored and they are no longer "left".
    app.sim().member_add(ids::SAM, "sam", "en-US");
    eventually_sync("the Pro role restored", || {
        has_role(&app, ids::SAM, ids::ROLE_PRO)
    })
    .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM member_joins WHERE left_at IS NOT NULL")
            .await,
        0
    );
    app.stop().await;
}

/// A refund (and a dispute) that arrives before its checkout — Stripe retrying the checkout
/// after downtime — is kept, listed for staff, and applied when the checkout lands: access is
/// never left standing.
#[tokio::test]
async fn a_refund_that_arrives_before_its_checkout_takes_the_access_back_when_it_lands() {
    let (mut app, _clock) = spawn().await;
    let charge = so::refunded_charge(Version::Basil, "ch_e", "pi_cs_e", 2900, 2900, None);
    send(&app, "evt_e_refund", "charge.refunded", charge).await;
    let waiting = app.slash(membership(ids::OWNER, "unmatched")).await.content;
    assert!(
        waiting.contains("charge.refunded") && waiting.contains("pi_cs_e"),
        "{waiting}"
    );
    // A dispute of another payment not seen yet waits the same way.
    let dispute = so::dispute("dp_f", "ch_f", "pi_cs_f", 2900, "lost");
    send(&app, "evt_f_lost", "charge.dispute.closed", dispute).await;

    for (session, event) in [("cs_e", "evt_e"), ("cs_f", "evt_f")] {
        send(
            &app,
            event,
            "checkout.session.completed",
            paid_checkout(session, ids::MINA, "pro"),
        )
        .await;
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM stripe_deferred").await, 0);
    assert_eq!(
        open_grants(&app, ids::MINA, "pro").await,
        0,
        "both reversed"
    );
    eventually("the role, if it was ever sent, is gone", async || {
        !has_role(&app, ids::MINA, ids::ROLE_PRO)
            && app
                .count("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
                .await
                == 0
    })
    .await;
    assert!(!has_role(&app, ids::MINA, ids::ROLE_PRO));
    let refunded = app
        .count("SELECT -SUM(amount_minor) FROM revenue WHERE kind IN ('refund', 'dispute')")
        .await;
    assert_eq!(refunded, 5800, "both counted against revenue, once");
    // Stripe's retry of the refund changes nothing.
    let charge = so::refunded_charge(Version::Basil, "ch_e", "pi_cs_e", 2900, 2900, None);
    send(&app, "evt_e_refund", "charge.refunded", charge).await;
    assert_eq!(
        app.count("SELECT -SUM(amount_minor) FROM revenue WHERE kind = 'refund'")
            .await,
        2900
    );
    app.stop().await;
}

/// Two 30-day purchases stacked (the second starts where the first ends); a full refund of
/// the first takes its 30 days out of the chain: the second runs 30 days from its own
/// purchase, not 60.
#[tokio::test]
async fn refunding_the_first_of_two_stacked_purchases_takes_its_days_out() {
    let (mut app, clock) = spawn().await;
    send(
        &app,
        "evt_s1",
        "checkout.session.completed",
        paid_checkout("cs_s1", ids::KAI, "pro"),
    )
    .await;
    clock.advance(Duration::days(1));
    send(
        &app,
        "evt_s2",
        "checkout.session.completed",
        paid_checkout("cs_s2", ids::KAI, "pro"),
    )
    .await;
    assert_eq!(
        paid_until(&app, "stripe:cs:cs_s2").await,
        Some(now() + Duration::days(60)),
        "stacked on the first"
    );
    let charge = so::refunded_charge(Version::Basil, "ch_s1", "pi_cs_s1", 2900, 2900, None);
    send(&app, "evt_s1_refund", "charge.refunded", charge).await;
    assert_eq!(paid_until(&app, "stripe:cs:cs_s1").await, None, "ended");
    assert_eq!(
        paid_until(&app, "stripe:cs:cs_s2").await,
        Some(now() + Duration::days(31)),
        "30 days from the second purchase"
    );
    let shown = app
        .slash(SlashCall::new(ids::KAI, "membership").subcommand("status"))
        .await
        .content;
    let ends = (now() + Duration::days(31)).timestamp();
    assert!(shown.contains(&format!("<t:{ends}")), "{shown}");
    assert!(
        has_role(&app, ids::KAI, ids::ROLE_PRO),
        "the second still runs"
    );
    app.stop().await;
}

/// A subscription in its second paid month: a refund of month 1's invoice ends nothing (month
/// 2 is paid); a refund of month 2 then ends the access.
#[tokio::test]
async fn refunding_an_old_subscription_invoice_keeps_the_current_paid_period() {
    let (mut app, clock) = spawn().await;
    let sub = "sub_m";
    send(
        &app,
        "evt_m0",
        "checkout.session.completed",
        subscription_checkout("cs_m", ids::SAM, sub),
    )
    .await;
    let month1 = now() + Duration::days(30);
    let invoice =
        |id: &str, pi: &str, end, reason| so::invoice(Version::Acacia, id, sub, pi, end, reason);
    send(
        &app,
        "evt_m1",
        "invoice.paid",
        invoice("in_m1", "pi_m1", month1, "subscription_create"),
    )
    .await;
    clock.advance(Duration::days(30));
    let month2 = month1 + Duration::days(30);
    send(
        &app,
        "evt_m2",
        "invoice.paid",
        invoice("in_m2", "pi_m2", month2, "subscription_cycle"),
    )
    .await;
    assert_eq!(
        paid_until(&app, &format!("stripe:{sub}")).await,
        Some(at_second(month2))
    );
    let old = so::refunded_charge(Version::Acacia, "ch_m1", "pi_m1", 2900, 2900, None);
    send(&app, "evt_m1_refund", "charge.refunded", old).await;
    assert_eq!(
        paid_until(&app, &format!("stripe:{sub}")).await,
        Some(at_second(month2)),
        "month 2 is paid and stays"
    );
    assert!(has_role(&app, ids::SAM, ids::ROLE_PRO));
    let current = so::refunded_charge(Version::Acacia, "ch_m2", "pi_m2", 2900, 2900, None);
    send(&app, "evt_m2_refund", "charge.refunded", current).await;
    assert_eq!(open_grants(&app, ids::SAM, "pro").await, 0);
    eventually_sync("the Pro role removed", || {
        !has_role(&app, ids::SAM, ids::ROLE_PRO)
    })
    .await;
    app.stop().await;
}
