//! Drip-released lessons: each member's own start decides; a renewal never re-locks.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use lyceum::clock::ManualClock;
use lyceum::harness::sim::{ids, SlashCall};

use crate::support::{eventually_sync, TestApp, WAIT};

fn config() -> String {
    format!(
        r#"
[[products]]
id = "rust"
kind = "course"
name = {{ en = "Rust course", "zh-CN" = "Rust 课程" }}
role = {course}
duration = "30d"
price = 99

[[products.lessons]]
title = "Ownership"
link = "https://discord.com/channels/{guild}/{general}"
unlock_after = "0d"

[[products.lessons]]
title = {{ en = "Lifetimes", "zh-CN" = "生命周期" }}
link = "https://discord.com/channels/{guild}/{general}/123"
unlock_after = "7d"
role = {lesson2}
"#,
        course = ids::ROLE_COURSE,
        guild = ids::GUILD,
        general = ids::CHANNEL_GENERAL,
        lesson2 = ids::ROLE_REGULAR,
    )
}

fn at(app: &TestApp, clock: &ManualClock, to: DateTime<Utc>) {
    clock.set(to);
    app.bot().app.state.wakes.fire(lyceum::state::Topic::GRANTS);
}

fn dms(app: &TestApp, needle: &str) -> usize {
    app.sim()
        .sent_payloads()
        .iter()
        .filter(|(_, v)| v["content"].as_str().is_some_and(|c| c.contains(needle)))
        .count()
}

fn grant(member: u64) -> SlashCall {
    SlashCall::new(ids::OWNER, "membership")
        .subcommand("grant")
        .user_option("member", member)
        .string("product", "rust")
}

#[tokio::test]
async fn lesson_two_unlocks_on_day_seven_of_each_members_own_grant() {
    let start: DateTime<Utc> = "2026-12-01T04:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let mut app = TestApp::spawn_clocked(&config(), clock.clone()).await;
    app.slash(grant(ids::KAI)).await;
    eventually_sync("Kai's first lesson", || dms(&app, "Ownership") == 1).await;
    at(&app, &clock, start + Duration::days(3));
    app.slash(grant(ids::MINA)).await;
    eventually_sync("Mina's first lesson", || dms(&app, "Ownership") == 2).await;

    // Day 7 of Kai's grant, day 4 of Mina's: only Kai's second lesson opens.
    at(
        &app,
        &clock,
        start + Duration::days(7) + Duration::minutes(1),
    );
    let role = format!("/members/{}/roles/{}", ids::KAI, ids::ROLE_REGULAR);
    app.sim()
        .wait_request("PUT", &role, 1, WAIT)
        .await
        .expect("the lesson role");
    // (A DM has no interaction to tell Kai's language from: the community's is used.)
    eventually_sync("Kai's second lesson", || dms(&app, "Lifetimes") == 1).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM lesson_unlocks WHERE lesson = 1")
            .await,
        1,
        "Mina's is not due"
    );
    let progress = app
        .slash(SlashCall::new(ids::MINA, "course").subcommand("progress"))
        .await;
    assert!(
        progress.content.contains("✅ 1. [Ownership]"),
        "{}",
        progress.content
    );
    assert!(
        progress.content.contains("🔒 2. Lifetimes — unlocks"),
        "{}",
        progress.content
    );

    // A renewal counts from the first grant: nothing re-locks or repeats.
    app.slash(grant(ids::KAI)).await;
    at(
        &app,
        &clock,
        start + Duration::days(10) + Duration::minutes(1),
    );
    eventually_sync("Mina's second lesson", || dms(&app, "Lifetimes") == 2).await;
    assert_eq!(dms(&app, "Ownership"), 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM lesson_unlocks").await, 4);
    app.stop().await;
}

async fn stripe(app: &TestApp, id: &str, kind: &str, object: serde_json::Value) {
    let body = crate::membership::event(id, kind, object);
    assert_eq!(
        crate::membership::send_signed(app, &body).await,
        200,
        "{id}"
    );
}

fn has(app: &TestApp, role: u64) -> bool {
    app.sim().member_roles(ids::SAM).contains(&role)
}

/// A course bought through Stripe and refunded in full: the course role and every unlocked
/// lesson role go (lesson channels stay hidden); bought again, the unlocked lessons return.
#[tokio::test]
async fn a_refunded_course_takes_its_lesson_roles_and_a_new_purchase_brings_them_back() {
    use crate::stripe_objects::{self as so, Version};
    let start: DateTime<Utc> = "2026-12-01T04:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let mut app = TestApp::spawn_clocked(&config(), clock.clone()).await;
    let checkout = |session: &str| {
        so::checkout_session(
            session,
            Some(ids::SAM),
            Some("rust"),
            "paid",
            Some(&format!("pi_{session}")),
            None,
            9900,
        )
    };
    stripe(
        &app,
        "evt_c1",
        "checkout.session.completed",
        checkout("cs_1"),
    )
    .await;
    eventually_sync("the course role", || has(&app, ids::ROLE_COURSE)).await;
    at(
        &app,
        &clock,
        start + Duration::days(7) + Duration::minutes(1),
    );
    eventually_sync("lesson 2's role", || has(&app, ids::ROLE_REGULAR)).await;

    let refund = so::refunded_charge(Version::Basil, "ch_1", "pi_cs_1", 9900, 9900, None);
    stripe(&app, "evt_r1", "charge.refunded", refund).await;
    eventually_sync("the course and its lesson role go", || {
        !has(&app, ids::ROLE_COURSE) && !has(&app, ids::ROLE_REGULAR)
    })
    .await;

    stripe(
        &app,
        "evt_c2",
        "checkout.session.completed",
        checkout("cs_2"),
    )
    .await;
    eventually_sync("the course and the unlocked lesson return", || {
        has(&app, ids::ROLE_COURSE) && has(&app, ids::ROLE_REGULAR)
    })
    .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM lesson_unlocks").await,
        2,
        "the unlocks were kept, not made again"
    );
    app.stop().await;
}
