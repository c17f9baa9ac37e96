//! A 21-day 打卡 challenge in New York across the start of daylight saving time.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::New_York;
use lyceum::clock::ManualClock;
use lyceum::harness::sim::{ids, Reply, SlashCall};

use crate::support::{TestApp, WAIT};

fn local(date: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    New_York
        .from_local_datetime(&date.and_hms_opt(h, m, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn day_date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 3, 5).unwrap() + Duration::days(i64::from(day) - 1)
}

/// Sets the bot's clock and lets the challenge poster look.
fn at(app: &TestApp, clock: &ManualClock, to: DateTime<Utc>) {
    clock.set(to);
    app.bot()
        .app
        .state
        .wakes
        .fire(lyceum::features::challenge::CHALLENGES);
}

fn general() -> String {
    format!("/channels/{}/messages", ids::CHANNEL_GENERAL)
}

/// Waits for the `n`th post in #general; returns its message id and body.
async fn post(app: &TestApp, n: usize) -> (u64, serde_json::Value) {
    let posted = app
        .sim()
        .wait_request("POST", &general(), n, WAIT)
        .await
        .unwrap_or_else(|| panic!("no post #{n}"));
    assert_eq!(posted.status, 200, "{:?}", posted.response);
    (
        posted.response["id"].as_str().unwrap().parse().unwrap(),
        posted.body,
    )
}

/// Presses 打卡 under `message`; fills in the modal when one is shown.
async fn check_in(app: &TestApp, user: u64, message: u64, day: u32, text: &str) -> Reply {
    let custom_id = format!("lyceum:ck:1:{day}");
    let (press, _) = app
        .sim()
        .press(user, ids::CHANNEL_GENERAL, message, &custom_id)
        .unwrap();
    let response = app.sim().wait_response(press).await.unwrap();
    if response["type"] != 9 {
        return app.sim().wait_reply(press).await.unwrap();
    }
    let (submit, _) = app
        .sim()
        .submit_shown_modal(user, press, &[("text", text), ("link", "")])
        .unwrap();
    app.sim().wait_reply(submit).await.unwrap()
}

async fn lifetime(app: &TestApp, user: u64) -> i64 {
    app.count(&format!(
        "SELECT COALESCE(SUM(lifetime_delta), 0) FROM points_ledger WHERE member_id = {user} AND kind = 'challenge'"
    ))
    .await
}

#[tokio::test]
async fn a_21_day_challenge_posts_at_local_time_across_dst_and_counts_by_hand() {
    let clock = Arc::new(ManualClock::new(local(
        day_date(1) - Duration::days(1),
        10,
        0,
    )));
    let mut app = TestApp::spawn_full_clocked(
        |text| {
            text.replace(
                "timezone = \"Asia/Shanghai\"",
                "timezone = \"America/New_York\"",
            )
        },
        clock.clone(),
    )
    .await;
    // Days are a day apart on real Discord: the per-channel message limit (5 per 5 s) is
    // not what this test is about.
    app.sim()
        .set_rate_limits(lyceum::harness::sim::limits::RateLimits::off());
    let created = app
        .slash(
            SlashCall::new(ids::OWNER, "challenge")
                .subcommand("create")
                .string("title", "21 天写作")
                .integer("days", 21)
                .string("start", "2027-03-05")
                .string("prompt_time", "07:00")
                .string("prompts", "Write 100 words|Read a chapter")
                .string("deadline", "22:00")
                .integer("excused_days", 1)
                .channel_option("channel", ids::CHANNEL_GENERAL)
                .role_option("completion_role", ids::ROLE_REGULAR),
        )
        .await;
    assert!(
        created.content.starts_with("Challenge `1`"),
        "{}",
        created.content
    );
    // Members cannot create one; a bad time is named.
    let refused = app
        .slash(
            SlashCall::new(ids::SAM, "challenge")
                .subcommand("create")
                .string("title", "x")
                .integer("days", 3)
                .string("start", "tomorrow")
                .string("prompt_time", "07:00"),
        )
        .await;
    assert!(
        !refused.content.contains("Challenge `"),
        "{}",
        refused.content
    );
    let bad = app
        .slash(
            SlashCall::new(ids::OWNER, "challenge")
                .subcommand("create")
                .string("title", "x")
                .integer("days", 3)
                .string("start", "tomorrow")
                .string("prompt_time", "7pm"),
        )
        .await;
    assert_eq!(
        bad.content,
        "“7pm” is not a time: write it as HH:MM, e.g. 07:30 or 21:00."
    );
    for user in [ids::KAI, ids::MINA] {
        app.slash(SlashCall::new(user, "challenge").subcommand("join"))
            .await;
    }
    let not_in = app
        .slash(SlashCall::new(ids::SAM, "challenge").subcommand("excuse"))
        .await;
    assert_eq!(
        not_in.content,
        "You are not in challenge `1`: join it with /challenge join."
    );

    for day in 1..=21u32 {
        let date = day_date(day);
        at(&app, &clock, local(date, 7, 0));
        let (message, body) = post(&app, day as usize).await;
        let title = body["embeds"][0]["title"].as_str().unwrap().to_string();
        assert_eq!(title, format!("21 天写作 — day {day} of 21"));
        let prompt = if day % 2 == 1 {
            "Write 100 words"
        } else {
            "Read a chapter"
        };
        assert_eq!(body["embeds"][0]["description"], prompt);
        at(&app, &clock, local(date, 12, 0));
        match day {
            2 => {
                let excused = app
                    .slash(SlashCall::new(ids::MINA, "challenge").subcommand("excuse"))
                    .await;
                assert_eq!(
                    excused.content,
                    "🌙 Day 2 excused (请假); 0 excuses left. Your streak stays at 2 days."
                );
                let again = app
                    .slash(SlashCall::new(ids::MINA, "challenge").subcommand("excuse"))
                    .await;
                assert_eq!(
                    again.content,
                    "You already checked in (or were excused) for day 2."
                );
            }
            _ => {
                let reply = check_in(&app, ids::MINA, message, day, "今天写了 300 字").await;
                assert!(
                    reply.content.contains(&format!("Day {day} checked in")),
                    "{}",
                    reply.content
                );
            }
        }
        if day == 3 {
            // Kai opens the modal before the deadline and submits after it: refused.
            at(&app, &clock, local(date, 21, 59));
            let (press, _) = app
                .sim()
                .press(ids::KAI, ids::CHANNEL_GENERAL, message, "lyceum:ck:1:3")
                .unwrap();
            assert_eq!(app.sim().wait_response(press).await.unwrap()["type"], 9);
            at(&app, &clock, local(date, 22, 1));
            let (submit, _) = app
                .sim()
                .submit_shown_modal(ids::KAI, press, &[("text", "late")])
                .unwrap();
            let late = app.sim().wait_reply(submit).await.unwrap();
            assert_eq!(
                late.content,
                "第 3 天已于 03-07 22:00 截止：截止后不能再打卡。"
            );
            // Pressing after the deadline shows no modal at all.
            let pressed = check_in(&app, ids::KAI, message, 3, "later").await;
            assert!(
                pressed.content.starts_with("第 3 天已于"),
                "{}",
                pressed.content
            );
        } else {
            let reply = check_in(&app, ids::KAI, message, day, "读完了一章").await;
            assert!(
                reply
                    .content
                    .starts_with(&format!("✅ 第 {day} 天打卡成功（+10 积分）")),
                "{}",
                reply.content
            );
            let twice = check_in(&app, ids::KAI, message, day, "again").await;
            assert_eq!(
                twice.content,
                format!("第 {day} 天你已经打过卡（或已请假）。")
            );
        }
        if day == 10 {
            // A restart posts nothing twice.
            app.restart().await;
        }
    }
    // Every day went out once, at 07:00 New York time on both sides of the DST change.
    assert_eq!(app.requests("POST", &general()).len(), 21);
    let days: Vec<(i64, i64, Option<i64>)> =
        sqlx::query_as("SELECT day, opens_at, posted_at FROM challenge_days ORDER BY day")
            .fetch_all(&app.db().read)
            .await
            .unwrap();
    for (day, opens, posted) in &days {
        let opens = lyceum::clock::from_millis(*opens);
        assert_eq!(opens, local(day_date(*day as u32), 7, 0));
        assert_eq!(posted, &Some(opens.timestamp_millis()), "day {day}");
    }
    let (before, after) = (days[8].1, days[9].1);
    assert_eq!(
        (after - before) / 3_600_000,
        23,
        "the clocks moved on 03-14"
    );

    // The challenge ends after day 21's deadline: Mina finished (one excuse), Kai did not.
    at(
        &app,
        &clock,
        local(day_date(21), 22, 0) + Duration::minutes(1),
    );
    let (_, summary) = post(&app, 22).await;
    assert_eq!(
        summary["content"],
        "🏁 **21 天写作** is over: 1 of 2 finished. Thank you all!"
    );
    let role = format!("/members/{}/roles/{}", ids::MINA, ids::ROLE_REGULAR);
    app.sim().wait_request("PUT", &role, 1, WAIT).await.unwrap();
    assert!(!app
        .sim()
        .member_roles(ids::KAI)
        .contains(&ids::ROLE_REGULAR));
    assert_eq!(lifetime(&app, ids::MINA).await, 20 * 10 + 100);
    assert_eq!(lifetime(&app, ids::KAI).await, 20 * 10);

    // Stats equal the hand count.
    let stats = app
        .slash(SlashCall::new(ids::OWNER, "challenge").subcommand("stats"))
        .await;
    let text = &stats.content;
    for line in [
        "**Challenge `1` 21 天写作** — 2 participants",
        "Day 1: 2/2 checked in (100%), 0 excused",
        "Day 2: 1/2 checked in (50%), 1 excused",
        "Day 3: 1/2 checked in (50%), 0 excused",
        "Day 21: 2/2 checked in (100%), 0 excused",
        "Finished: 1/2 (50%)",
        &format!("1. <@{}> — 21 days in a row, 21 days done", ids::MINA),
        &format!("2. <@{}> — 18 days in a row, 20 days done", ids::KAI),
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    assert_eq!(
        stats.raw["_files"][0]["filename"], "challenge.png",
        "{}",
        stats.raw
    );
    app.stop().await;
}

mod in_a_forum {
    //! A challenge in a forum channel: one post (thread) per day, check-ins under each.

    use std::sync::Arc;

    use chrono::{DateTime, Utc};
    use lyceum::clock::ManualClock;
    use lyceum::harness::sim::{ids, SlashCall};

    use crate::support::{eventually_sync, TestApp};

    const FORUM: u64 = 400_000_000_000_000_050;

    #[tokio::test]
    async fn a_challenge_in_a_forum_posts_each_day_as_its_own_post() {
        let start: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().unwrap();
        let clock = Arc::new(ManualClock::new(start));
        let mut app = TestApp::spawn_clocked("", clock.clone()).await;
        // CHANNEL_CREATE reaches the bot's cache before the command that names the forum.
        app.sim().add_forum(FORUM, "daily-writing", &[]);
        let created = app
            .slash(
                SlashCall::new(ids::OWNER, "challenge")
                    .subcommand("create")
                    .string("title", "写作")
                    .integer("days", 2)
                    .string("start", "today")
                    .string("prompt_time", "09:00")
                    .channel_option("channel", FORUM),
            )
            .await;
        assert!(
            created.content.starts_with("Challenge `1`"),
            "{}",
            created.content
        );
        // 09:00 in Shanghai is 01:00 UTC.
        clock.set("2026-12-01T01:00:00Z".parse().unwrap());
        app.bot()
            .app
            .state
            .wakes
            .fire(lyceum::features::challenge::CHALLENGES);
        eventually_sync("day 1 is a forum post", || {
            app.sim().forum_posts(FORUM).len() == 1
        })
        .await;
        let (thread, name) = app.sim().forum_posts(FORUM)[0].clone();
        assert_eq!(name, "Day 1 · 写作");
        let (press, _) = app
            .sim()
            .press(ids::KAI, thread, thread, "lyceum:ck:1:1")
            .unwrap();
        assert_eq!(app.sim().wait_response(press).await.unwrap()["type"], 9);
        let (submit, _) = app
            .sim()
            .submit_shown_modal(ids::KAI, press, &[("text", "第一篇")])
            .unwrap();
        let reply = app.sim().wait_reply(submit).await.unwrap();
        assert!(
            reply.content.starts_with("✅ 第 1 天打卡成功"),
            "{}",
            reply.content
        );
        clock.set("2026-12-02T01:00:00Z".parse().unwrap());
        app.bot()
            .app
            .state
            .wakes
            .fire(lyceum::features::challenge::CHALLENGES);
        eventually_sync("day 2 is its own post", || {
            app.sim().forum_posts(FORUM).len() == 2
        })
        .await;
        assert_eq!(app.sim().forum_posts(FORUM)[1].1, "Day 2 · 写作");
        assert!(app
            .requests("POST", &format!("/channels/{FORUM}/messages"))
            .is_empty());
        app.stop().await;
    }
}
