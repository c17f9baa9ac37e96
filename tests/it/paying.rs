//! Keeping members paying, end to end: referral credit through signed Stripe webhooks (credited
//! once, reversed inside the hold, refused for oneself and in a circle), renewal rates and
//! win-back codes, and the weekly report.

use chrono::Duration;
use lyceum::clock::Clock;
use lyceum::harness::sim::{ids, SlashCall};
use serde_json::{json, Value};

use crate::membership::{event, products, send_signed};
use crate::stripe_objects::{self as so, Version};
use crate::support::{eventually, TestApp};

async fn send(app: &TestApp, id: &str, kind: &str, object: Value) {
    assert_eq!(
        send_signed(app, &event(id, kind, object)).await,
        200,
        "{id}"
    );
}

/// A Payment Link checkout opened from `/membership buy referral:`: Stripe hands back the
/// `client_reference_id` the link carried.
fn checkout(session: &str, reference: &str) -> Value {
    let mut o = so::checkout_session(
        session,
        None,
        Some("pro"),
        "paid",
        Some(&format!("pi_{session}")),
        None,
        2900,
    );
    o["client_reference_id"] = json!(reference);
    o
}

async fn balance(app: &TestApp, member: u64) -> i64 {
    app.count(&format!(
        "SELECT COALESCE(SUM(balance), 0) FROM points_members WHERE member_id = {member}"
    ))
    .await
}

async fn refer(app: &TestApp, member: u64, sub: &str) -> String {
    app.slash(SlashCall::new(member, "refer").subcommand(sub))
        .await
        .content
}

/// The code in `/refer code`'s reply (between backquotes).
fn code_in(reply: &str) -> String {
    reply.split('`').nth(1).expect("a code").to_string()
}

async fn buy(app: &TestApp, member: u64, referral: &str) -> String {
    app.slash(
        SlashCall::new(member, "membership")
            .subcommand("buy")
            .string("product", "pro")
            .string("referral", referral),
    )
    .await
    .content
}

#[tokio::test]
async fn a_referral_credits_once_is_reversed_inside_the_hold_and_refuses_oneself_and_circles() {
    let clock = std::sync::Arc::new(lyceum::clock::ManualClock::new(crate::membership::now()));
    let config = format!(
        "{}\n[referrals]\ncredit = \"points:500\"\nhold = \"14d\"\n",
        products()
    );
    let app = TestApp::spawn_clocked(&config, clock.clone()).await;

    let mina = code_in(&refer(&app, ids::MINA, "code").await);
    assert_eq!(mina.len(), 8, "{mina}");
    assert_eq!(
        code_in(&refer(&app, ids::MINA, "code").await),
        mina,
        "one code per member"
    );

    // Her own code: refused, nothing recorded.
    let own = buy(&app, ids::MINA, &mina).await;
    assert!(own.contains("your own referral code"), "{own}");
    assert_eq!(app.count("SELECT COUNT(*) FROM referrals").await, 0);

    // Kai uses it (in lower case, as typed): recorded, and his link carries it.
    let kai_buy = buy(&app, ids::KAI, &mina.to_lowercase()).await;
    assert!(kai_buy.contains(&format!("<@{}>", ids::MINA)), "{kai_buy}");
    let reference = format!("{}_ref_{mina}", ids::KAI);
    assert!(
        kai_buy.contains(&format!("client_reference_id={reference}")),
        "{kai_buy}"
    );

    // A circle: Mina cannot be referred by the member she referred.
    let kai = code_in(&refer(&app, ids::KAI, "code").await);
    let circle = buy(&app, ids::MINA, &kai).await;
    assert!(circle.contains("cannot go in a circle"), "{circle}");

    // Kai pays: Stripe sends the checkout twice (a retry) and the async success too.
    let paid = checkout("cs_kai", &reference);
    send(&app, "evt_k1", "checkout.session.completed", paid.clone()).await;
    send(&app, "evt_k1", "checkout.session.completed", paid.clone()).await;
    send(
        &app,
        "evt_k2",
        "checkout.session.async_payment_succeeded",
        paid,
    )
    .await;
    assert_eq!(balance(&app, ids::MINA).await, 500, "credited once");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM points_ledger WHERE kind = 'referral'")
            .await,
        1
    );
    eventually("the credit DM", async || {
        app.sim().sent_payloads().iter().any(|(_, v)| {
            v["content"]
                .as_str()
                .is_some_and(|c| c.contains("+500 points"))
        })
    })
    .await;

    // Sam pays with a link that carries Mina's code but never ran `/membership buy`: the
    // checkout records the referral itself.
    let sam_ref = format!("{}_ref_{mina}", ids::SAM);
    send(
        &app,
        "evt_s1",
        "checkout.session.completed",
        checkout("cs_sam", &sam_ref),
    )
    .await;
    assert_eq!(balance(&app, ids::MINA).await, 1000);

    let stats = refer(&app, ids::MINA, "stats").await;
    assert!(
        stats.contains("2 used your code · 2 paid · 0 reversed"),
        "{stats}"
    );
    assert!(stats.contains("1000 points"), "{stats}");

    // Kai's payment is refunded in full inside the hold: the credit goes.
    clock.advance(Duration::days(3));
    let refund = so::refunded_charge(Version::Basil, "ch_kai", "pi_cs_kai", 2900, 2900, None);
    send(&app, "evt_k3", "charge.refunded", refund.clone()).await;
    send(&app, "evt_k3b", "charge.refunded", refund).await;
    assert_eq!(balance(&app, ids::MINA).await, 500, "reversed once");
    // Sam's is disputed and lost after the hold: that credit stands.
    clock.advance(Duration::days(12));
    let lost = so::dispute("dp_sam", "ch_sam", "pi_cs_sam", 2900, "lost");
    send(&app, "evt_s2", "charge.dispute.closed", lost).await;
    assert_eq!(balance(&app, ids::MINA).await, 500, "after the hold");

    let stats = refer(&app, ids::MINA, "stats").await;
    assert!(
        stats.contains("2 used your code · 1 paid · 1 reversed"),
        "{stats}"
    );
    // `/refer stats` equals the ledger.
    let ledger = app
        .count(&format!(
            "SELECT SUM(lifetime_delta) FROM points_ledger WHERE member_id = {} AND kind LIKE 'referral%'",
            ids::MINA
        ))
        .await;
    assert_eq!(ledger, 500);
    assert!(stats.contains("500 points"), "{stats}");

    // The owner paid before: a code now is refused (credit is for first payments).
    let owner = ids::OWNER.to_string();
    send(
        &app,
        "evt_o1",
        "checkout.session.completed",
        checkout("cs_owner", &owner),
    )
    .await;
    let late = buy(&app, ids::OWNER, &mina).await;
    assert!(late.contains("you have paid before"), "{late}");
    let admin = refer(&app, ids::OWNER, "stats").await;
    assert!(
        admin.contains("**Everyone**: 2 referred · 1 paid · 1 reversed"),
        "{admin}"
    );
    assert!(
        admin.contains(&format!("1. <@{}>: 1 paid of 2", ids::MINA)),
        "{admin}"
    );
    // Members see only their own line.
    let member = refer(&app, ids::SAM, "stats").await;
    assert!(!member.contains("Everyone"), "{member}");
}

async fn paid_until_ms(app: &TestApp, member: u64) -> i64 {
    app.count(&format!(
        "SELECT MAX(paid_until) FROM grants WHERE member_id = {member} AND product = 'pro' AND ended_at IS NULL"
    ))
    .await
}

#[tokio::test]
async fn a_days_credit_extends_the_referrers_membership_and_a_refund_takes_the_days_back() {
    let clock = std::sync::Arc::new(lyceum::clock::ManualClock::new(crate::membership::now()));
    let config = format!("{}\n[referrals]\ncredit = \"days:7\"\n", products());
    let app = TestApp::spawn_clocked(&config, clock.clone()).await;
    let mina_ref = ids::MINA.to_string();
    send(
        &app,
        "evt_m",
        "checkout.session.completed",
        checkout("cs_m", &mina_ref),
    )
    .await;
    let before = paid_until_ms(&app, ids::MINA).await;
    assert!(before > 0);

    let mina = code_in(&refer(&app, ids::MINA, "code").await);
    let kai_ref = format!("{}_ref_{mina}", ids::KAI);
    send(
        &app,
        "evt_k",
        "checkout.session.completed",
        checkout("cs_k", &kai_ref),
    )
    .await;
    assert_eq!(
        paid_until_ms(&app, ids::MINA).await - before,
        Duration::days(7).num_milliseconds(),
        "7 days on her current membership"
    );
    let stats = refer(&app, ids::MINA, "stats").await;
    assert!(stats.contains("0 points, 7 days"), "{stats}");

    let refund = so::refunded_charge(Version::Acacia, "ch_k", "pi_cs_k", 2900, 2900, None);
    send(&app, "evt_kr", "charge.refunded", refund).await;
    assert_eq!(
        paid_until_ms(&app, ids::MINA).await,
        before,
        "the days are gone"
    );
    let stats = refer(&app, ids::MINA, "stats").await;
    assert!(stats.contains("0 paid · 1 reversed"), "{stats}");
}

/// Moves the bot's clock and lets the jobs that sleep until a grant's end run.
fn step(app: &TestApp, clock: &lyceum::clock::ManualClock, to: &str) {
    clock.set(to.parse().unwrap());
    app.bot().app.state.grants_changed();
}

#[tokio::test]
async fn the_renewal_rate_equals_a_hand_count_per_product_month_and_cohort() {
    let clock = std::sync::Arc::new(lyceum::clock::ManualClock::new(
        "2026-09-01T04:00:00Z".parse().unwrap(),
    ));
    let app = TestApp::spawn_clocked(&products(), clock.clone()).await;
    let pay = async |session: &str, member: u64| {
        let o = checkout(session, &member.to_string());
        send(
            &app,
            &format!("evt_{session}"),
            "checkout.session.completed",
            o,
        )
        .await;
    };
    // September: Mina, Kai and Sam join (30 days, 3 days' grace).
    pay("cs_a1", ids::MINA).await;
    pay("cs_b1", ids::KAI).await;
    pay("cs_c1", ids::SAM).await;
    step(&app, &clock, "2026-09-28T04:00:00Z");
    pay("cs_a2", ids::MINA).await; // renews early: due and renewed in September
    step(&app, &clock, "2026-10-02T04:00:00Z");
    pay("cs_c2", ids::SAM).await; // renews in grace (October), 30 days from now: to November 1
    step(&app, &clock, "2026-10-10T04:00:00Z");
    pay("cs_d1", ids::OWNER).await; // the October cohort
                                    // Kai's access ran out on October 4 (due October 1): a lapse.
    step(&app, &clock, "2026-11-05T04:00:00Z");
    pay("cs_d2", ids::OWNER).await; // renews: November
                                    // Mina's paid time ended October 31 and Sam's November 1; both ran out: two lapses.
    step(&app, &clock, "2026-11-20T04:00:00Z");

    let reply = app
        .slash(
            SlashCall::new(ids::OWNER, "stats")
                .subcommand("renewals")
                .integer("months", 3),
        )
        .await;
    let text = reply.content;
    // By hand: renewals Mina (Sep), Sam (Oct), the owner (Nov); lapses Kai and Mina (Oct),
    // Sam (Nov).
    assert!(
        text.contains("**Pro membership**: 3 of 6 due renewed — **50%**"),
        "{text}"
    );
    for line in [
        "`2026-09     1/1     100%`",
        "`2026-10     1/3      33%`",
        "`2026-11     1/2      50%`",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    // Cohorts: September (Mina, Kai, Sam) 2 of 5; October (the owner) 1 of 1.
    let cohorts = text.split("By cohort").nth(1).unwrap();
    assert!(cohorts.contains("`2026-09     2/5      40%`"), "{text}");
    assert!(cohorts.contains("`2026-10     1/1     100%`"), "{text}");
    assert_eq!(reply.raw["_files"][0]["filename"], "renewals.png");

    // The web staff page shows the same numbers, and its chart.
    let mut owner = crate::web::Browser::new();
    crate::web::log_in(&app, &mut owner, ids::OWNER).await;
    let base = crate::web::base(&app);
    let page = owner.get(&format!("{base}/staff")).await;
    assert!(page.body.contains("/staff/renewals"), "{}", page.body);
    // Income per local month, summed by SQLite: four payments in September, two in October.
    for row in [
        "<td>2026-11</td><td>Stripe</td><td>29.00 USD</td>",
        "<td>2026-10</td><td>Stripe</td><td>58.00 USD</td>",
        "<td>2026-09</td><td>Stripe</td><td>116.00 USD</td>",
    ] {
        assert!(page.body.contains(row), "{row}");
    }
    let page = owner.get(&format!("{base}/staff/renewals")).await;
    assert!(
        page.body.contains("Renewal rate (last 6 months)"),
        "{}",
        page.body
    );
    assert!(page.body.contains("3 of 6 due renewed"), "{}", page.body);
    let chart = owner
        .get(&format!("{base}/staff/charts/renewals.png"))
        .await;
    assert_eq!(chart.status, 200);
    // Members are not staff.
    let mut mina = crate::web::Browser::new();
    crate::web::log_in(&app, &mut mina, ids::MINA).await;
    assert_eq!(
        mina.get(&format!("{base}/staff/renewals")).await.status,
        403
    );
}

fn staff_posts(app: &TestApp) -> Vec<Value> {
    let path = format!("/channels/{}/messages", ids::CHANNEL_WELCOME);
    app.requests("POST", &path)
        .into_iter()
        .map(|r| r.body)
        .filter(|b| b["content"].as_str().is_some_and(|c| c.contains("📊")))
        .collect()
}

#[tokio::test]
async fn the_weekly_report_goes_to_staff_once_on_monday_and_on_demand() {
    // Sunday evening in Shanghai; the report is due Monday 09:00 local (01:00 UTC).
    let clock = std::sync::Arc::new(lyceum::clock::ManualClock::new(
        "2026-11-29T10:00:00Z".parse().unwrap(),
    ));
    let extra = format!("{}\n[report]\ntime = \"09:00\"\n", products());
    let app = TestApp::spawn_full_clocked(
        |text| {
            text.replace(
                "[channels]\n",
                &format!("[channels]\nstaff = {}\n", ids::CHANNEL_WELCOME),
            ) + &extra
        },
        clock.clone(),
    )
    .await;
    // Last week's money: one purchase on Sunday (29.00) and one renewal due within a week after.
    send(
        &app,
        "evt_w1",
        "checkout.session.completed",
        checkout("cs_w1", &ids::MINA.to_string()),
    )
    .await;
    let job = lyceum::features::stats::report_job::WeeklyReport {
        state: app.bot().app.state.clone(),
    };
    let (sent, next) = job.run_due(clock.now()).await.unwrap();
    assert!(!sent, "not before Monday 09:00");
    assert_eq!(
        next,
        "2026-11-30T01:00:00Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    );

    clock.set("2026-11-30T01:00:00Z".parse().unwrap());
    assert!(job.run_due(clock.now()).await.unwrap().0);
    // Again (a restart, a second wake): nothing more.
    clock.advance(Duration::hours(5));
    assert!(!job.run_due(clock.now()).await.unwrap().0);
    eventually("the report in the staff channel", async || {
        !staff_posts(&app).is_empty()
    })
    .await;
    let posts = staff_posts(&app);
    assert_eq!(posts.len(), 1, "{posts:#?}");
    let post = &posts[0];
    let content = post["content"].as_str().unwrap();
    assert!(
        content.contains("Weekly report · 11-23 – 11-29"),
        "{content}"
    );
    assert!(content.contains("周报 · 11-23 – 11-29"), "{content}");
    assert!(
        content.contains("Revenue: **29.00 USD** (0 the week before)"),
        "{content}"
    );
    assert_eq!(
        post["_files"][0]["filename"],
        "weekly-report-2026-11-23.png"
    );
    assert!(post["_files"][0]["content"]
        .as_str()
        .unwrap()
        .contains("PNG"));

    // On demand, in the admin's language: the last 7 days.
    let reply = app
        .slash(SlashCall::new(ids::OWNER, "report").subcommand("week"))
        .await;
    assert!(
        reply.content.contains("Weekly report · 11-24 – 11-30"),
        "{}",
        reply.content
    );
    assert!(
        reply.content.contains("Revenue: **29.00 USD**"),
        "{}",
        reply.content
    );
    assert_eq!(reply.raw["_files"][0]["filename"], "weekly-report.png");
    let member = app
        .slash(SlashCall::new(ids::MINA, "report").subcommand("week"))
        .await;
    assert!(
        !member.content.contains("Weekly report"),
        "{}",
        member.content
    );
}

#[tokio::test]
async fn a_lapsed_member_gets_one_win_back_code_at_the_configured_price_and_can_redeem_it() {
    let clock = std::sync::Arc::new(lyceum::clock::ManualClock::new(
        "2026-09-01T04:00:00Z".parse().unwrap(),
    ));
    let config = format!(
        "{}\n[renewals]\nwinback_price = 19\nwinback_expiry = \"7d\"\n",
        products()
    );
    let app = TestApp::spawn_clocked(&config, clock.clone()).await;
    for (session, member) in [("cs_k", ids::KAI), ("cs_m", ids::MINA)] {
        let o = checkout(session, &member.to_string());
        send(
            &app,
            &format!("evt_{session}"),
            "checkout.session.completed",
            o,
        )
        .await;
    }
    step(&app, &clock, "2026-09-30T04:00:00Z");
    send(
        &app,
        "evt_m2",
        "checkout.session.completed",
        checkout("cs_m2", &ids::MINA.to_string()),
    )
    .await;
    // Kai's paid time ended October 1 and ran out October 4; Mina renewed.
    step(&app, &clock, "2026-10-10T04:00:00Z");
    let winback = || {
        SlashCall::new(ids::OWNER, "renewals")
            .subcommand("winback")
            .string("product", "pro")
    };
    let reply = app.slash(winback()).await.content;
    assert!(
        reply.contains("Sent 1 win-back codes for **Pro membership**")
            && reply.contains("19.00 USD"),
        "{reply}"
    );
    let dm = {
        let mut found = String::new();
        eventually("the win-back DM", async || {
            found = app
                .sim()
                .sent_payloads()
                .iter()
                .filter_map(|(_, v)| v["content"].as_str().map(str::to_string))
                .find(|c| c.contains("/redeem code:"))
                .unwrap_or_default();
            !found.is_empty()
        })
        .await;
        found
    };
    assert!(dm.contains("19.00 USD"), "{dm}");
    // Once per lapse: asking again sends nothing.
    let again = app.slash(winback()).await.content;
    assert!(again.contains("Nobody's Pro membership ran out"), "{again}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM redeem_codes WHERE max_uses = 1 AND price_minor = 1900")
            .await,
        1
    );
    // Kai redeems it: access again, and 19.00 counted as new money.
    let code = dm.split("code:").nth(1).unwrap().split('`').next().unwrap();
    let redeemed = app
        .slash(SlashCall::new(ids::KAI, "redeem").string("code", code))
        .await
        .content;
    assert!(!redeemed.is_empty());
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM grants WHERE member_id = {} AND source = 'code' AND ended_at IS NULL",
            ids::KAI
        ))
        .await,
        1,
        "{redeemed}"
    );
    assert_eq!(
        app.count("SELECT COALESCE(SUM(amount_minor), 0) FROM revenue WHERE source = 'code' AND kind = 'new'")
            .await,
        1900
    );
}

/// The web's buy links name the buyer (a link without `client_reference_id` makes a payment
/// nobody can match) and carry a referral from `/?ref=`; visitors log in first and come back.
#[tokio::test]
async fn the_web_buy_links_name_the_buyer_and_carry_a_referral() {
    let config = format!("{}\n[referrals]\ncredit = \"points:500\"\n", products());
    let app = TestApp::spawn_full_clocked(
        |text| {
            text.replace(
                "[web]\n",
                "[web]\npublic_url = \"https://academy.example\"\n",
            ) + &config
        },
        std::sync::Arc::new(lyceum::clock::ManualClock::new(crate::membership::now())),
    )
    .await;
    let reply = refer(&app, ids::MINA, "code").await;
    let code = code_in(&reply);
    assert!(
        reply.contains(&format!("https://academy.example/?ref={code}")),
        "{reply}"
    );
    let base = crate::web::base(&app);
    let mut visitor = crate::web::Browser::new();
    let page = visitor.get(&format!("{base}/?ref={code}")).await;
    assert!(
        page.body.contains(&format!("/login?next=/%3Fref%3D{code}")),
        "{}",
        page.body
    );
    assert!(!page
        .body
        .contains("href=\"https://buy.stripe.com/test_pro\""));

    // Logging in needs the site's own address (public_url is where Discord sends members back):
    // a second community without it, Mina's code made there too.
    let clock = std::sync::Arc::new(lyceum::clock::ManualClock::new(crate::membership::now()));
    let app = TestApp::spawn_clocked(&config, clock).await;
    let code = code_in(&refer(&app, ids::MINA, "code").await);
    let base = crate::web::base(&app);
    let mut kai = crate::web::Browser::new();
    crate::web::log_in(&app, &mut kai, ids::KAI).await;
    let page = kai
        .get(&format!("{base}/?ref={}", code.to_lowercase()))
        .await;
    assert!(
        page.body.contains(&format!(
            "https://buy.stripe.com/test_pro?client_reference_id={}_ref_{code}",
            ids::KAI
        )),
        "{}",
        page.body
    );
    // Without a referral, the link still names the buyer.
    let page = kai.get(&format!("{base}/")).await;
    assert!(
        page.body.contains(&format!(
            "https://buy.stripe.com/test_pro?client_reference_id={}\"",
            ids::KAI
        )),
        "{}",
        page.body
    );
}

/// A comp never moves a money figure: a member who held Pro for free and let it run out gets
/// no win-back offer (only a member who paid does), and is no lapse in the renewal rate.
#[tokio::test]
async fn a_comp_is_never_offered_a_win_back_nor_counted_in_the_renewal_rate() {
    let clock = std::sync::Arc::new(lyceum::clock::ManualClock::new(
        "2026-09-01T04:00:00Z".parse().unwrap(),
    ));
    let config = format!(
        "{}\n[renewals]\nwinback_price = 19\nwinback_expiry = \"7d\"\n",
        products()
    );
    let app = TestApp::spawn_clocked(&config, clock.clone()).await;
    // Kai paid through Stripe; Mina was given Pro by staff.
    send(
        &app,
        "evt_paid",
        "checkout.session.completed",
        checkout("cs_paid", &ids::KAI.to_string()),
    )
    .await;
    app.slash(
        SlashCall::new(ids::OWNER, "membership")
            .subcommand("grant")
            .user_option("member", ids::MINA)
            .string("product", "pro")
            .string("note", "speaker comp"),
    )
    .await;
    // Both ran out (30 days, 3 days of grace).
    step(&app, &clock, "2026-10-10T04:00:00Z");
    let reply = app
        .slash(
            SlashCall::new(ids::OWNER, "renewals")
                .subcommand("winback")
                .string("product", "pro"),
        )
        .await
        .content;
    assert!(reply.contains("Sent 1 win-back codes"), "{reply}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM winbacks_sent").await,
        1,
        "only the member who paid"
    );
    let sent: i64 = app
        .count(&format!(
            "SELECT COUNT(*) FROM winbacks_sent WHERE member_id = {}",
            ids::KAI
        ))
        .await;
    assert_eq!(sent, 1);
    let rate = app
        .slash(SlashCall::new(ids::OWNER, "stats").subcommand("renewals"))
        .await
        .content;
    assert!(
        rate.contains("0 of 1"),
        "one paid term came due, the comp none: {rate}"
    );
}
