//! Keeping members active, through the simulated Discord: role menus (buttons and a select,
//! a required product checked on the server, the rules gate followed by a menu).

use lyceum::harness::sim::{ids, SlashCall};

use crate::support::{eventually_sync, TestApp, WAIT};

fn role_menus() -> String {
    format!(
        r#"
[[products]]
id = "pro"
kind = "membership"
name = {{ en = "Pro membership", "zh-CN" = "专业会员" }}
role = {pro}
duration = "30d"
price = 29

[[rules]]
id = "kind"
title = "Be kind"
text = "No insults."

[onboarding]
accepted_role = {mentors}
menu = "topics"
welcome = "after_rules"

[[roles.menus]]
id = "topics"
title = {{ en = "Pick your topics", "zh-CN" = "选择你的话题" }}
[[roles.menus.roles]]
role = {rust}
label = {{ en = "Rust", "zh-CN" = "Rust 语言" }}
emoji = "🦀"
[[roles.menus.roles]]
role = {writing}
label = {{ en = "Writing", "zh-CN" = "写作" }}

[[roles.menus]]
id = "inner"
title = "Inner circle"
style = "select"
choice = "single"
required_product = "pro"
[[roles.menus.roles]]
role = {founders}
label = "Founders' table"
"#,
        pro = ids::ROLE_PRO,
        mentors = ids::ROLE_MODERATORS_GROUP,
        rust = ids::ROLE_REGULAR,
        writing = ids::ROLE_COURSE,
        founders = ids::ROLE_ABOVE_BOT,
    )
}

async fn spawn() -> TestApp {
    TestApp::spawn_edited(|text| {
        text.replace(
            "[channels]\n",
            &format!("[channels]\nrules = {}\n", ids::CHANNEL_WELCOME),
        ) + &role_menus()
    })
    .await
}

/// Posts `/roles post menu` in #general; returns the posted message's id and body.
async fn post_menu(app: &TestApp, menu: &str, n: usize) -> (u64, serde_json::Value) {
    let reply = app
        .slash(
            SlashCall::new(ids::OWNER, "roles")
                .subcommand("post")
                .string("menu", menu)
                .channel_option("channel", ids::CHANNEL_GENERAL),
        )
        .await;
    assert!(reply.content.contains("is on its way"), "{}", reply.content);
    let path = format!("/channels/{}/messages", ids::CHANNEL_GENERAL);
    let posted = app
        .sim()
        .wait_request("POST", &path, n, WAIT)
        .await
        .expect("the menu is posted");
    let id = posted.response["id"].as_str().unwrap().parse().unwrap();
    (id, posted.body)
}

fn role_path(user: u64, role: u64) -> String {
    format!("/members/{user}/roles/{role}")
}

#[tokio::test]
async fn a_role_menu_toggles_roles_and_checks_the_required_product_on_the_server() {
    let mut app = spawn().await;
    let (message, body) = post_menu(&app, "topics", 1).await;
    assert_eq!(body["embeds"][0]["title"], "Pick your topics");
    let buttons = &body["components"][0]["components"];
    assert_eq!(buttons[0]["label"], "Rust");
    assert_eq!(buttons[0]["emoji"]["name"], "🦀");
    let rust = format!("lyceum:rm:topics:{}", ids::ROLE_REGULAR);
    assert_eq!(buttons[0]["custom_id"], rust.as_str());

    // Kai (zh-CN) takes the Rust role, then lets it go.
    let (press, _) = app
        .sim()
        .press(ids::KAI, ids::CHANNEL_GENERAL, message, &rust)
        .unwrap();
    let reply = app.sim().wait_reply(press).await.unwrap();
    assert!(reply.ephemeral);
    assert_eq!(
        reply.content,
        format!("✅ 已添加：<@&{}>", ids::ROLE_REGULAR)
    );
    let add = role_path(ids::KAI, ids::ROLE_REGULAR);
    app.sim().wait_request("PUT", &add, 1, WAIT).await.unwrap();
    assert!(app
        .sim()
        .member_roles(ids::KAI)
        .contains(&ids::ROLE_REGULAR));
    let (press, _) = app
        .sim()
        .press(ids::KAI, ids::CHANNEL_GENERAL, message, &rust)
        .unwrap();
    let reply = app.sim().wait_reply(press).await.unwrap();
    assert_eq!(
        reply.content,
        format!("➖ 已移除：<@&{}>", ids::ROLE_REGULAR)
    );
    app.sim()
        .wait_request("DELETE", &add, 1, WAIT)
        .await
        .unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM chosen_roles").await, 0);

    // The inner circle needs Pro: refused, nothing queued; once Pro is granted, allowed.
    let (inner, body) = post_menu(&app, "inner", 2).await;
    let select = &body["components"][0]["components"][0];
    assert_eq!(
        (select["type"].as_u64(), select["max_values"].as_u64()),
        (Some(3), Some(1))
    );
    let founders = ids::ROLE_ABOVE_BOT.to_string();
    let (press, _) = app
        .sim()
        .select(
            ids::MINA,
            ids::CHANNEL_GENERAL,
            inner,
            "lyceum:rm:inner",
            &[&founders],
        )
        .unwrap();
    let reply = app.sim().wait_reply(press).await.unwrap();
    assert_eq!(
        reply.content,
        "This menu is for members with Pro membership."
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM chosen_roles").await, 0);
    let grant = SlashCall::new(ids::OWNER, "membership")
        .subcommand("grant")
        .user_option("member", ids::MINA)
        .string("product", "pro");
    app.slash(grant).await;
    let (press, _) = app
        .sim()
        .select(
            ids::MINA,
            ids::CHANNEL_GENERAL,
            inner,
            "lyceum:rm:inner",
            &[&founders],
        )
        .unwrap();
    let reply = app.sim().wait_reply(press).await.unwrap();
    assert_eq!(reply.content, format!("✅ Added: <@&{founders}>"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM chosen_roles WHERE menu_id = 'inner'")
            .await,
        1
    );
    // A value the menu does not offer cannot be sent (Discord refuses it before the bot).
    assert!(app
        .sim()
        .select(
            ids::MINA,
            ids::CHANNEL_GENERAL,
            inner,
            "lyceum:rm:inner",
            &["42"]
        )
        .is_err());

    // /roles check names the role above the bot; members cannot post menus; a wrong id is named.
    let check = app
        .slash(SlashCall::new(ids::OWNER, "roles").subcommand("check"))
        .await;
    assert!(
        check.content.contains(&format!(
            "<@&{}> (menu “inner”) is at or above the bot's top role",
            ids::ROLE_ABOVE_BOT
        )),
        "{}",
        check.content
    );
    assert!(
        check.content.contains("“topics”: 2 roles"),
        "{}",
        check.content
    );
    let refused = app
        .slash(
            SlashCall::new(ids::KAI, "roles")
                .subcommand("post")
                .string("menu", "topics"),
        )
        .await;
    assert!(
        !refused.content.contains("on its way"),
        "{}",
        refused.content
    );
    let wrong = app
        .slash(
            SlashCall::new(ids::OWNER, "roles")
                .subcommand("post")
                .string("menu", "topic"),
        )
        .await;
    assert_eq!(
        wrong.content,
        "There is no role menu “topic”. Menus in the config: topics, inner."
    );
    assert!(
        app.audit_actions()
            .await
            .iter()
            .filter(|a| *a == "roles.menu_post")
            .count()
            == 2
    );
    app.stop().await;
}

#[tokio::test]
async fn accepting_the_rules_goes_on_to_the_role_menu_in_the_members_language() {
    let mut app = spawn().await;
    app.slash(SlashCall::new(ids::OWNER, "rules").subcommand("post"))
        .await;
    let path = format!("/channels/{}/messages", ids::CHANNEL_WELCOME);
    let posted = app
        .sim()
        .wait_request("POST", &path, 1, WAIT)
        .await
        .unwrap();
    let message: u64 = posted.response["id"].as_str().unwrap().parse().unwrap();
    let (accept, _) = app
        .sim()
        .press(
            ids::KAI,
            ids::CHANNEL_WELCOME,
            message,
            "lyceum:rules:accept",
        )
        .unwrap();
    let reply = app.sim().wait_reply(accept).await.unwrap();
    assert!(reply.ephemeral);
    assert!(
        reply.content.starts_with("✅ 感谢你接受社群规则"),
        "{}",
        reply.content
    );
    // The welcome follows in Kai's language, without pointing back to the rules.
    assert!(
        reply
            .content
            .contains(&format!("👋 欢迎来到 **学园**，<@{}>！", ids::KAI)),
        "{}",
        reply.content
    );
    assert!(reply.content.contains("`/about`"), "{}", reply.content);
    assert_eq!(reply.raw["embeds"][0]["title"], "选择你的话题");
    assert_eq!(
        reply.raw["components"][0]["components"][0]["label"],
        "Rust 语言"
    );
    let rust = format!("lyceum:rm:topics:{}", ids::ROLE_REGULAR);
    let (press, _) = app.sim().press_on_reply(ids::KAI, accept, &rust).unwrap();
    let answer = app.sim().wait_reply(press).await.unwrap();
    assert_eq!(
        answer.content,
        format!("✅ 已添加：<@&{}>", ids::ROLE_REGULAR)
    );
    eventually_sync("both roles are given", || {
        let roles = app.sim().member_roles(ids::KAI);
        roles.contains(&ids::ROLE_REGULAR) && roles.contains(&ids::ROLE_MODERATORS_GROUP)
    })
    .await;
    app.stop().await;
}

mod challenge {
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
}

mod homework {
    //! 作业 / 点评: hand in, review with a comment (DM), hand in again, ⭐ paid once, late
    //! hand-ins marked, and the list of submissions waiting more than 48 hours.

    use std::sync::Arc;

    use chrono::{DateTime, Duration, Utc};
    use lyceum::clock::ManualClock;
    use lyceum::harness::sim::{ids, Reply, SlashCall};

    use crate::support::{eventually_sync, TestApp, WAIT};

    fn start() -> DateTime<Utc> {
        "2026-12-01T04:00:00Z".parse().unwrap()
    }

    fn dms_containing(app: &TestApp, needle: &str) -> usize {
        app.sim()
            .sent_payloads()
            .iter()
            .filter(|(_, v)| v["content"].as_str().is_some_and(|c| c.contains(needle)))
            .count()
    }

    /// A staff member presses `status` under the submission's post and sends `comment`.
    async fn review(app: &TestApp, user: u64, message: u64, status: &str, comment: &str) -> Reply {
        let (press, _) = app
            .sim()
            .press(
                user,
                ids::CHANNEL_MOD_LOG,
                message,
                &format!("lyceum:hw:1:{status}"),
            )
            .unwrap();
        let response = app.sim().wait_response(press).await.unwrap();
        if response["type"] != 9 {
            return app.sim().wait_reply(press).await.unwrap();
        }
        let (submit, _) = app
            .sim()
            .submit_shown_modal(user, press, &[("comment", comment)])
            .unwrap();
        app.sim().wait_reply(submit).await.unwrap()
    }

    async fn homework_points(app: &TestApp, user: u64) -> i64 {
        app.count(&format!(
            "SELECT COALESCE(SUM(delta), 0) FROM points_ledger WHERE member_id = {user} AND kind = 'homework'"
        ))
        .await
    }

    #[tokio::test]
    async fn homework_is_handed_in_reviewed_with_a_dm_and_featured_once() {
        let clock = Arc::new(ManualClock::new(start()));
        let mut app = TestApp::spawn_clocked("", clock.clone()).await;
        let assigned = app
            .slash(
                SlashCall::new(ids::OWNER, "homework")
                    .subcommand("assign")
                    .string("title", "读书笔记")
                    .string("due", "2026-12-03 20:00")
                    .string("description", "Notes on chapter 1"),
            )
            .await;
        assert!(
            assigned
                .content
                .starts_with("Homework `#1` **读书笔记** is set"),
            "{}",
            assigned.content
        );
        let announced = app
            .sim()
            .wait_request(
                "POST",
                &format!("/channels/{}/messages", ids::CHANNEL_ANNOUNCEMENTS),
                1,
                WAIT,
            )
            .await
            .unwrap();
        assert_eq!(
            announced.body["embeds"][0]["title"],
            "📝 Homework #1: 读书笔记"
        );

        let submit = |user: u64, text: &str| {
            SlashCall::new(user, "homework")
                .subcommand("submit")
                .integer("assignment", 1)
                .string("text", text)
        };
        let handed = app.slash(submit(ids::KAI, "第一章讲了所有权")).await;
        assert_eq!(
            handed.content,
            "✅ 作业 `#1` 已提交，等待点评。 **+10** 积分。"
        );
        let staff = app
            .sim()
            .wait_request(
                "POST",
                &format!("/channels/{}/messages", ids::CHANNEL_MOD_LOG),
                1,
                WAIT,
            )
            .await
            .unwrap();
        let message: u64 = staff.response["id"].as_str().unwrap().parse().unwrap();
        assert_eq!(staff.body["embeds"][0]["description"], "第一章讲了所有权");

        // A member cannot review; a moderator's "needs work" reaches the member by DM.
        let refused = review(&app, ids::KAI, message, "needs_work", "").await;
        assert_eq!(refused.content, "只有版主可以点评作业。");
        let saved = review(
            &app,
            ids::OWNER,
            message,
            "needs_work",
            "请补充第二章的要点",
        )
        .await;
        assert_eq!(
            saved.content,
            format!("Saved: Needs work. <@{}> is told by DM.", ids::KAI)
        );
        eventually_sync("the review DM", || {
            dms_containing(&app, "请补充第二章的要点") == 1
        })
        .await;
        assert_eq!(
            dms_containing(&app, "你的作业“读书笔记”已点评：**需修改**"),
            1
        );

        // Handed in again: no second payment, the same staff post is edited.
        let again = app.slash(submit(ids::KAI, "补充了第二章")).await;
        assert_eq!(again.content, "✅ 作业 `#1` 已重新提交，等待点评。");
        app.sim()
            .wait_request("PATCH", &format!("/messages/{message}"), 2, WAIT)
            .await
            .expect("the post shows the new text");
        let featured = review(&app, ids::OWNER, message, "featured", "").await;
        assert!(
            featured.content.starts_with("Saved: ⭐ Featured."),
            "{}",
            featured.content
        );
        eventually_sync("the featured DM", || {
            dms_containing(&app, "优秀作业奖励 **+50** 积分") == 1
        })
        .await;
        assert_eq!(homework_points(&app, ids::KAI).await, 10 + 50);
        let closed = app.slash(submit(ids::KAI, "once more")).await;
        assert_eq!(
            closed.content,
            "你的作业 `#1` 已点评；只有“需修改”的作业可以重新提交。"
        );

        // Mina hands in after the due time: marked late; 49 hours on, it is on the list.
        clock.set("2026-12-03T12:30:00Z".parse().unwrap());
        let late = app.slash(submit(ids::MINA, "Sorry, late notes")).await;
        assert_eq!(
            late.content,
            "✅ Handed in for homework `#1`; staff will review it. (after the due time: marked late) **+10** points."
        );
        clock.advance(Duration::hours(49));
        let stats = app
            .slash(SlashCall::new(ids::OWNER, "homework").subcommand("stats"))
            .await;
        for line in [
            "`#1` 读书笔记: 2 handed in, 1 waiting for review, 1 late",
            "⏰ 1 submission waiting more than 48 hours:",
            &format!("`#1` <@{}> — 49 h", ids::MINA),
        ] {
            assert!(
                stats.content.contains(line),
                "missing {line:?} in:\n{}",
                stats.content
            );
        }
        let status = app
            .slash(
                SlashCall::new(ids::OWNER, "homework")
                    .subcommand("status")
                    .integer("assignment", 1),
            )
            .await;
        assert!(
            status
                .content
                .contains(&format!("<@{}> — ⭐ Featured", ids::KAI)),
            "{}",
            status.content
        );
        assert!(
            status
                .content
                .contains(&format!("<@{}> — Waiting for review · Late", ids::MINA)),
            "{}",
            status.content
        );
        let actions = app.audit_actions().await;
        assert_eq!(
            actions.iter().filter(|a| *a == "homework.review").count(),
            2
        );
        app.stop().await;
    }
}

mod highlights {
    //! 精华: the message menu and its topic modal, the pinned index edited in place, search in
    //! Chinese and English, the author paid once, and the start-here DM once per member.

    use lyceum::harness::sim::{ids, Reply, SlashCall};

    use crate::support::{eventually_sync, TestApp, WAIT};

    fn config() -> String {
        format!(
            r#"
[[products]]
id = "pro"
kind = "membership"
name = {{ en = "Pro membership", "zh-CN" = "专业会员" }}
role = {pro}
duration = "30d"
price = 29

[[highlights.topics]]
id = "basics"
name = {{ en = "Getting started", "zh-CN" = "入门" }}
[[highlights.topics]]
id = "rust"
name = "Rust"

[[highlights.start_here]]
product = "pro"
topics = ["basics"]
count = 2
"#,
            pro = ids::ROLE_PRO
        )
    }

    async fn spawn() -> TestApp {
        TestApp::spawn_edited(|text| {
            text.replace(
                "[channels]\n",
                &format!("[channels]\nhighlights = {}\n", ids::CHANNEL_ANNOUNCEMENTS),
            ) + &config()
        })
        .await
    }

    /// `user` opens "Add to highlights" on `message` and submits `topic`.
    async fn add(app: &TestApp, user: u64, message: u64, topic: &str) -> Reply {
        let (opened, _) = app
            .sim()
            .message_command(user, "Add to highlights", ids::CHANNEL_GENERAL, message)
            .unwrap();
        let response = app.sim().wait_response(opened).await.unwrap();
        if response["type"] != 9 {
            return app.sim().wait_reply(opened).await.unwrap();
        }
        let (submit, _) = app
            .sim()
            .submit_shown_modal(user, opened, &[("topic", topic), ("title", "")])
            .unwrap();
        app.sim().wait_reply(submit).await.unwrap()
    }

    fn index_posts() -> String {
        format!("/channels/{}/messages", ids::CHANNEL_ANNOUNCEMENTS)
    }

    #[tokio::test]
    async fn highlights_update_a_pinned_index_search_both_languages_and_welcome_new_members() {
        let mut app = spawn().await;
        let ownership = app.sim().message_create(
            ids::CHANNEL_GENERAL,
            ids::MINA,
            "Rust 所有权入门：借用与生命周期\n先从 move 语义讲起……",
        );
        let asyncs =
            app.sim()
                .message_create(ids::CHANNEL_GENERAL, ids::SAM, "Async basics, step by step");

        let added = add(&app, ids::OWNER, ownership, "入门").await;
        assert_eq!(
            added.content,
            format!(
                "⭐ “Rust 所有权入门：借用与生命周期” is in the Getting started highlights; the index is being updated. <@{}> earns **+30** points.",
                ids::MINA
            )
        );
        let index = app
            .sim()
            .wait_request("POST", &index_posts(), 1, WAIT)
            .await
            .unwrap();
        assert_eq!(
            index.body["embeds"][0]["title"],
            "⭐ Highlights · Getting started"
        );
        let index_id: u64 = index.response["id"].as_str().unwrap().parse().unwrap();
        let link = format!(
            "https://discord.com/channels/{}/{}/{ownership}",
            ids::GUILD,
            ids::CHANNEL_GENERAL
        );
        assert!(index.body["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .contains(&link));
        let pin = format!("/channels/{}/pins/{index_id}", ids::CHANNEL_ANNOUNCEMENTS);
        app.sim()
            .wait_request("PUT", &pin, 1, WAIT)
            .await
            .expect("the index is pinned");

        // A second highlight in the topic edits the same index message.
        let second = add(&app, ids::OWNER, asyncs, "basics").await;
        assert!(second.content.contains("**+30**"), "{}", second.content);
        let edited = app
            .sim()
            .wait_request("PATCH", &format!("/messages/{index_id}"), 1, WAIT)
            .await
            .expect("the index is edited in place");
        let text = edited.body["embeds"][0]["description"].as_str().unwrap();
        assert!(text.starts_with("1. [Rust 所有权入门"), "{text}");
        assert!(text.contains("2. [Async basics, step by step]"), "{text}");
        assert_eq!(app.requests("POST", &index_posts()).len(), 1);

        // Marking it again moves nothing and pays nothing; a member cannot mark at all.
        let again = add(&app, ids::OWNER, ownership, "basics").await;
        assert!(!again.content.contains("points"), "{}", again.content);
        let refused = add(&app, ids::KAI, ownership, "basics").await;
        assert!(!refused.content.contains("⭐"), "{}", refused.content);
        let paid = app
            .count(&format!(
                "SELECT COALESCE(SUM(delta), 0) FROM points_ledger WHERE kind = 'highlight' AND member_id = {}",
                ids::MINA
            ))
            .await;
        assert_eq!(paid, 30);
        let unknown = add(&app, ids::OWNER, asyncs, "python").await;
        assert_eq!(
            unknown.content,
            "“python” is not a highlight topic. Topics: basics, rust."
        );

        // Search: Chinese by substring, English by word.
        let search = |q: &str| SlashCall::new(ids::SAM, "highlights").string("search", q);
        let found = app.slash(search("所有权")).await;
        assert!(
            found.content.contains("Rust 所有权入门"),
            "{}",
            found.content
        );
        assert!(!found.content.contains("Async"), "{}", found.content);
        let found = app.slash(search("ASYNC step")).await;
        assert!(found.content.contains("Async basics"), "{}", found.content);
        let none = app.slash(search("trust")).await;
        assert_eq!(none.content, "No highlights match.");

        // A new Pro member gets "start here" once, with the basics.
        let grant = |member: u64| {
            SlashCall::new(ids::OWNER, "membership")
                .subcommand("grant")
                .user_option("member", member)
                .string("product", "pro")
        };
        app.slash(grant(ids::KAI)).await;
        let start_here = |app: &TestApp| {
            app.sim()
                .sent_payloads()
                .iter()
                .filter(|(_, v)| v["embeds"][0]["title"] == "👋 Start here")
                .count()
        };
        eventually_sync("the start-here DM", || start_here(&app) == 1).await;
        let dm = app
            .sim()
            .sent_payloads()
            .into_iter()
            .find(|(_, v)| v["embeds"][0]["title"] == "👋 Start here")
            .unwrap()
            .1;
        let body = dm["embeds"][0]["description"].as_str().unwrap();
        assert!(body.contains("Welcome to Pro membership!"), "{body}");
        assert!(body.contains(&link), "{body}");
        app.slash(grant(ids::KAI)).await;
        app.slash(grant(ids::MINA)).await;
        eventually_sync("Mina's start-here DM", || start_here(&app) == 2).await;
        assert_eq!(app.count("SELECT COUNT(*) FROM start_here_sent").await, 2);
        app.stop().await;
    }
}

mod events_tab {
    //! Events mirrored into Discord's Events tab: created, moved in place, the next occurrence
    //! created after one ends, cancelled, an opt-out honoured, restart-safe, and members'
    //! "Interested" read back into /event attendees.

    use std::sync::Arc;

    use chrono::{DateTime, Utc};
    use lyceum::clock::ManualClock;
    use lyceum::harness::sim::{ids, SlashCall};

    use crate::support::{eventually, eventually_sync, TestApp};

    fn at(app: &TestApp, clock: &ManualClock, to: DateTime<Utc>) {
        clock.set(to);
        app.sim().set_discord_now(Some(to));
        app.bot()
            .app
            .state
            .wakes
            .fire(lyceum::features::schedule::EVENTS);
    }

    fn event(user: u64, sub: &str, id: i64) -> SlashCall {
        SlashCall::new(user, "event")
            .subcommand(sub)
            .integer("event", id)
    }

    #[tokio::test]
    async fn mirrored_events_follow_the_calendar_in_discords_events_tab() {
        let start: DateTime<Utc> = "2026-12-01T04:00:00Z".parse().unwrap();
        let clock = Arc::new(ManualClock::new(start));
        let mut app =
            TestApp::spawn_clocked("[events]\nmirror_to_discord = true\n", clock.clone()).await;
        app.sim().set_discord_now(Some(start));
        app.slash(
            SlashCall::new(ids::OWNER, "event")
                .subcommand("create")
                .string("title", "Live Q&A")
                .string("when", "2026-12-03 20:00")
                .string("repeat", "weekly")
                .string("duration", "90m")
                .string("description", "Bring your questions"),
        )
        .await;
        eventually_sync("the event is in the Events tab", || {
            app.sim().scheduled_events().len() == 1
        })
        .await;
        let first = app.sim().scheduled_events()[0].clone();
        assert_eq!(first["name"], "Live Q&A");
        assert_eq!(first["description"], "Bring your questions");
        assert_eq!(first["entity_type"], 3);
        assert_eq!(first["scheduled_start_time"], "2026-12-03T12:00:00Z");
        assert_eq!(first["scheduled_end_time"], "2026-12-03T13:30:00Z");
        assert_eq!(
            first["entity_metadata"]["location"],
            format!(
                "https://discord.com/channels/{}/{}",
                ids::GUILD,
                ids::CHANNEL_ANNOUNCEMENTS
            )
        );
        let id = first["id"].as_str().unwrap().to_string();
        // The bot keeps Discord's id when the create's answer arrives, just after the sim has it.
        eventually("the bot recorded the event's id", async || {
            app.count(
                "SELECT COUNT(*) FROM event_mirrors m JOIN outbox o ON o.id = m.outbox_id
                 WHERE o.message_id IS NOT NULL",
            )
            .await
                == 1
        })
        .await;

        // Members' "Interested" shows in /event attendees.
        app.sim().scheduled_event_interest(ids::KAI, &id);
        app.sim().scheduled_event_interest(ids::MINA, &id);
        let attendees = app.slash(event(ids::OWNER, "attendees", 1)).await;
        assert!(
            attendees
                .content
                .ends_with("In Discord's Events tab: 2 interested."),
            "{}",
            attendees.content
        );

        // A restart sends nothing again; skipping the occurrence moves it in place.
        app.restart().await;
        app.slash(event(ids::OWNER, "skip", 1)).await;
        eventually_sync("the occurrence moves", || {
            app.sim().scheduled_events()[0]["scheduled_start_time"] == "2026-12-10T12:00:00Z"
        })
        .await;
        assert_eq!(app.sim().scheduled_events().len(), 1);
        assert_eq!(app.requests("POST", "/scheduled-events").len(), 1);

        // Once it has happened, the next occurrence gets its own event; cancelling the series
        // cancels that one in Discord.
        at(&app, &clock, "2026-12-10T14:00:00Z".parse().unwrap());
        eventually_sync("the next occurrence is created", || {
            app.sim().scheduled_events().len() == 2
        })
        .await;
        assert_eq!(
            app.sim().scheduled_events()[1]["scheduled_start_time"],
            "2026-12-17T12:00:00Z"
        );
        assert_eq!(
            app.sim().scheduled_events()[0]["status"],
            3,
            "the past one COMPLETED"
        );
        app.slash(event(ids::OWNER, "cancel", 1)).await;
        eventually_sync("the next occurrence is CANCELED", || {
            app.sim().scheduled_events()[1]["status"] == 4
        })
        .await;
        let cancel = app
            .requests("PATCH", "/scheduled-events/")
            .into_iter()
            .find(|r| r.body.get("status").is_some())
            .expect("the cancel");
        assert_eq!(cancel.status, 200, "Discord accepts the transition");

        // An event that opts out stays out of the Events tab.
        app.slash(
            SlashCall::new(ids::OWNER, "event")
                .subcommand("create")
                .string("title", "Staff sync")
                .string("when", "2026-12-20 10:00")
                .boolean("mirror", false),
        )
        .await;
        let mirrors = app.count("SELECT COUNT(*) FROM event_mirrors").await;
        assert_eq!(mirrors, 1, "only the first event was ever mirrored");
        assert_eq!(app.sim().scheduled_events().len(), 2);
        app.stop().await;
    }

    /// Pausing cancels the occurrence in Discord with its real CANCELED status; a cancel Discord
    /// refuses is not silent: the mod log names the event and what to do.
    #[tokio::test]
    async fn a_paused_event_is_canceled_in_discord_and_a_refused_cancel_is_reported() {
        let start: DateTime<Utc> = "2026-12-01T04:00:00Z".parse().unwrap();
        let clock = Arc::new(ManualClock::new(start));
        let app =
            TestApp::spawn_clocked("[events]\nmirror_to_discord = true\n", clock.clone()).await;
        app.sim().set_discord_now(Some(start));
        for (title, when) in [
            ("Live Q&A", "2026-12-03 20:00"),
            ("AMA", "2026-12-04 20:00"),
        ] {
            app.slash(
                SlashCall::new(ids::OWNER, "event")
                    .subcommand("create")
                    .string("title", title)
                    .string("when", when),
            )
            .await;
        }
        eventually("both events have Discord ids", async || {
            app.count(
                "SELECT COUNT(*) FROM event_mirrors m JOIN outbox o ON o.id = m.outbox_id
                 WHERE o.message_id IS NOT NULL",
            )
            .await
                == 2
        })
        .await;
        app.slash(event(ids::OWNER, "pause", 1)).await;
        eventually_sync("the paused event is CANCELED in Discord", || {
            app.sim().scheduled_events()[0]["status"] == 4
        })
        .await;

        // Discord refuses the second cancel (as it does for a started event).
        let second = app.sim().scheduled_events()[1]["id"]
            .as_str()
            .unwrap()
            .to_string();
        app.sim().inject_faults(
            "PATCH",
            &format!("/scheduled-events/{second}"),
            vec![lyceum::harness::sim::Fault::Answer(
                400,
                serde_json::json!({ "message": "Invalid Form Body", "code": 50035 }),
            )],
        );
        app.slash(event(ids::OWNER, "cancel", 2)).await;
        let notice = format!("/channels/{}/messages", ids::CHANNEL_MOD_LOG);
        let link = format!("https://discord.com/events/{}/{second}", ids::GUILD);
        eventually("the mod log hears of the refused cancel", async || {
            app.requests("POST", &notice).iter().any(|r| {
                let text = r.body["content"].as_str().unwrap_or_default();
                text.contains("refused to cancel") && text.contains(&link)
            })
        })
        .await;
        assert_eq!(app.sim().scheduled_events()[1]["status"], 1);
    }
}

mod forum_challenge {
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

mod forum_homework {
    //! Homework set in a forum: a member's post with the assignment's tag is the hand-in.

    use lyceum::harness::sim::{ids, SlashCall};

    use crate::support::{eventually_sync, TestApp, WAIT};

    const FORUM: u64 = 400_000_000_000_000_060;
    const TAG_NOTES: u64 = 400_000_000_000_000_061;
    const TAG_OTHER: u64 = 400_000_000_000_000_062;

    #[tokio::test]
    async fn a_post_with_the_assignments_tag_is_a_hand_in() {
        let mut app = TestApp::spawn().await;
        app.sim().add_forum(
            FORUM,
            "homework",
            &[(TAG_NOTES, "Notes"), (TAG_OTHER, "Chat")],
        );
        let assign = |tag: Option<&str>| {
            let call = SlashCall::new(ids::OWNER, "homework")
                .subcommand("assign")
                .string("title", "读书笔记")
                .string("due", "in 3d")
                .channel_option("channel", FORUM);
            match tag {
                Some(tag) => call.string("tag", tag),
                None => call,
            }
        };
        let untagged = app.slash(assign(None)).await;
        assert_eq!(
            untagged.content,
            "In a forum, name the tag whose posts are hand-ins (`tag:`). The forum's tags: Notes, Chat."
        );
        let set = app.slash(assign(Some("notes"))).await;
        assert!(set.content.starts_with("Homework `#1`"), "{}", set.content);
        eventually_sync("the assignment is a forum post", || {
            app.sim().forum_posts(FORUM).len() == 1
        })
        .await;

        // A post with another tag is not a hand-in; one with the assignment's tag is.
        app.sim()
            .member_forum_post(ids::MINA, FORUM, "随便聊聊", "hello", &[TAG_OTHER]);
        let thread = app.sim().member_forum_post(
            ids::KAI,
            FORUM,
            "我的读书笔记",
            "第一章讲所有权",
            &[TAG_NOTES],
        );
        let answered = app
            .sim()
            .wait_request("POST", &format!("/channels/{thread}/messages"), 1, WAIT)
            .await
            .expect("the post is answered");
        assert_eq!(
            answered.body["content"],
            "✅ Handed in for homework `#1`; staff will review it."
        );
        let staff = app
            .sim()
            .wait_request(
                "POST",
                &format!("/channels/{}/messages", ids::CHANNEL_MOD_LOG),
                1,
                WAIT,
            )
            .await
            .unwrap();
        assert_eq!(staff.body["embeds"][0]["description"], "第一章讲所有权");
        let link: String = sqlx::query_scalar("SELECT link FROM submissions WHERE member_id = ?")
            .bind(ids::KAI as i64)
            .fetch_one(&app.db().read)
            .await
            .unwrap();
        assert_eq!(
            link,
            format!("https://discord.com/channels/{}/{thread}", ids::GUILD)
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM submissions").await, 1);
        app.stop().await;
    }
}

mod listen {
    //! 围观: an answer behind a Listen button, paid once, split between asker and expert.

    use lyceum::harness::sim::{ids, SlashCall};

    use crate::support::{TestApp, WAIT};

    async fn balance(app: &TestApp, member: u64) -> i64 {
        app.count(&format!(
            "SELECT COALESCE(MAX(balance), 0) FROM points_members WHERE member_id = {member}"
        ))
        .await
    }

    #[tokio::test]
    async fn members_pay_once_to_read_an_answer_and_the_price_is_split() {
        let mut app =
            TestApp::spawn_with("[qa]\nlisten_price = 20\nlisten_split = \"50:50\"\n").await;
        for member in [ids::KAI, ids::MINA] {
            app.slash(
                SlashCall::new(ids::OWNER, "points")
                    .subcommand("give")
                    .user_option("member", member)
                    .integer("amount", 200)
                    .string("reason", "welcome"),
            )
            .await;
        }
        app.slash(
            SlashCall::new(ids::KAI, "ask")
                .user_option("expert", ids::OWNER)
                .string("question", "Tokio or smol?"),
        )
        .await;
        app.slash(
            SlashCall::new(ids::OWNER, "answer")
                .integer("question_id", 1)
                .string("text", "Tokio, for the ecosystem."),
        )
        .await;
        let path = format!("/channels/{}/messages", ids::CHANNEL_ANNOUNCEMENTS);
        let posted = app
            .sim()
            .wait_request("POST", &path, 2, WAIT)
            .await
            .unwrap();
        let content = posted.body["content"].as_str().unwrap();
        assert!(content.contains("Press 围观 Listen"), "{content}");
        assert!(!content.contains("Tokio, for the ecosystem."), "{content}");
        let message: u64 = posted.response["id"].as_str().unwrap().parse().unwrap();
        let (kai, owner) = (
            balance(&app, ids::KAI).await,
            balance(&app, ids::OWNER).await,
        );

        let press = |user: u64| {
            app.sim()
                .press(user, ids::CHANNEL_ANNOUNCEMENTS, message, "lyceum:qal:1")
                .unwrap()
                .0
        };
        let first = app.sim().wait_reply(press(ids::MINA)).await.unwrap();
        assert!(first.ephemeral);
        assert_eq!(
            first.content,
            "💡 Answer to `#1` (**20** points, shared by the asker and the expert):\nTokio, for the ecosystem."
        );
        assert_eq!(balance(&app, ids::MINA).await, 200 - 20);
        assert_eq!(balance(&app, ids::KAI).await, kai + 10);
        assert_eq!(balance(&app, ids::OWNER).await, owner + 10);
        let edited = app
            .sim()
            .wait_request("PATCH", &format!("/messages/{message}"), 1, WAIT)
            .await
            .unwrap();
        assert!(edited.body["content"]
            .as_str()
            .unwrap()
            .contains("👂 1 listened"));

        // Again, or as the asker: free.
        let again = app.sim().wait_reply(press(ids::MINA)).await.unwrap();
        assert!(
            again.content.starts_with("💡 Answer to `#1`:"),
            "{}",
            again.content
        );
        let asker = app.sim().wait_reply(press(ids::KAI)).await.unwrap();
        assert!(
            asker.content.starts_with("💡 `#1` 的回答："),
            "{}",
            asker.content
        );
        assert_eq!(balance(&app, ids::MINA).await, 200 - 20);
        assert_eq!(app.count("SELECT COUNT(*) FROM question_listens").await, 1);
        app.stop().await;
    }
}

mod lessons {
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
}

mod renewals {
    //! Renewal care: who is due, grouped, a drafted message sent once per period on a press.

    use std::sync::Arc;

    use chrono::{DateTime, Duration, Utc};
    use lyceum::clock::ManualClock;
    use lyceum::harness::sim::{ids, SlashCall};

    use crate::support::{eventually_sync, TestApp};

    fn dms(app: &TestApp, needle: &str) -> usize {
        app.sim()
            .sent_payloads()
            .iter()
            .filter(|(_, v)| v["content"].as_str().is_some_and(|c| c.contains(needle)))
            .count()
    }

    #[tokio::test]
    async fn upcoming_renewals_are_listed_and_a_draft_is_sent_once_per_period() {
        let start: DateTime<Utc> = "2026-12-01T04:00:00Z".parse().unwrap();
        let clock = Arc::new(ManualClock::new(start));
        let mut app = TestApp::spawn_clocked(&crate::membership::products(), clock.clone()).await;
        let grant = |member: u64, duration: &str| {
            SlashCall::new(ids::OWNER, "membership")
                .subcommand("grant")
                .user_option("member", member)
                .string("product", "pro")
                .string("duration", duration)
        };
        app.slash(grant(ids::KAI, "30d")).await;
        app.slash(grant(ids::MINA, "60d")).await;
        clock.set(start + Duration::days(20));
        let list = SlashCall::new(ids::OWNER, "renewals").subcommand("upcoming");
        let (id, _) = app.sim().invoke(&list).unwrap();
        let reply = app.sim().wait_reply(id).await.unwrap();
        assert!(
            reply
                .content
                .starts_with("**Renewals due in the next 14 days** (1)"),
            "{}",
            reply.content
        );
        assert!(
            reply.content.contains("**Pro membership**"),
            "{}",
            reply.content
        );
        assert!(
            reply.content.contains(&format!("`1` <@{}>", ids::KAI))
                && reply.content.contains("silent for 14 days"),
            "{}",
            reply.content
        );
        assert!(!reply.content.contains(&format!("<@{}>", ids::MINA)));
        let button = reply.raw["components"][0]["components"][0]["custom_id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            dms(&app, "we have missed you"),
            0,
            "nothing without a press"
        );

        // A member cannot send; an admin sends once; a second press (even after a restart)
        // sends nothing.
        let press = |user: u64| app.sim().press_on_reply(user, id, &button).unwrap().0;
        let refused = app.sim().wait_reply(press(ids::KAI)).await.unwrap();
        assert_eq!(refused.content, "只有管理员可以发送续费消息。");
        let sent = app.sim().wait_reply(press(ids::OWNER)).await.unwrap();
        assert_eq!(sent.content, format!("✅ Sent to <@{}>.", ids::KAI));
        eventually_sync("the draft DM", || dms(&app, "we have missed you") == 1).await;
        assert!(dms(&app, "https://buy.stripe.com/test_pro?client_reference_id=") == 1);
        app.restart().await;
        let press = |user: u64| app.sim().press_on_reply(user, id, &button).unwrap().0;
        let again = app.sim().wait_reply(press(ids::OWNER)).await.unwrap();
        assert!(
            again
                .content
                .starts_with("This renewal message already went"),
            "{}",
            again.content
        );
        let listed = app
            .slash(SlashCall::new(ids::OWNER, "renewals").subcommand("upcoming"))
            .await;
        assert!(listed.content.contains("draft sent"), "{}", listed.content);

        // Renewed: the old button finds nobody due.
        app.slash(grant(ids::KAI, "30d")).await;
        let renewed = app.sim().wait_reply(press(ids::OWNER)).await.unwrap();
        assert!(
            renewed.content.contains("is no longer due"),
            "{}",
            renewed.content
        );
        assert_eq!(dms(&app, "we have missed you"), 1);
        app.stop().await;
    }

    /// "Due" is one definition: each member's latest paid end. A member who renewed early (an
    /// older grant still open) is due neither in `/renewals upcoming` nor in the report.
    #[tokio::test]
    async fn a_member_who_renewed_early_is_not_due_in_the_list_or_the_report() {
        let start: DateTime<Utc> = "2026-12-01T04:00:00Z".parse().unwrap();
        let clock = Arc::new(ManualClock::new(start));
        let mut app = TestApp::spawn_clocked(&crate::membership::products(), clock.clone()).await;
        let grant = |member: u64, duration: &str| {
            SlashCall::new(ids::OWNER, "membership")
                .subcommand("grant")
                .user_option("member", member)
                .string("product", "pro")
                .string("duration", duration)
        };
        app.slash(grant(ids::KAI, "5d")).await;
        app.slash(grant(ids::KAI, "30d")).await;
        app.slash(grant(ids::MINA, "5d")).await;
        let list = app
            .slash(SlashCall::new(ids::OWNER, "renewals").subcommand("upcoming"))
            .await;
        assert!(
            list.content
                .starts_with("**Renewals due in the next 14 days** (1)"),
            "{}",
            list.content
        );
        assert!(!list.content.contains(&format!("<@{}>", ids::KAI)));
        let report = app
            .slash(SlashCall::new(ids::OWNER, "report").subcommand("week"))
            .await;
        assert!(
            report.content.contains("Renewals due (next 7 days): **1**"),
            "{}",
            report.content
        );
        app.stop().await;
    }

    /// Many members due: the list is paged to fit one message and five button rows, each page
    /// says which it is, the page buttons turn it, and every member is on exactly one page with
    /// their own Send button.
    #[tokio::test]
    async fn a_long_renewal_list_is_paged_never_cut() {
        let start: DateTime<Utc> = "2026-12-01T04:00:00Z".parse().unwrap();
        let clock = Arc::new(ManualClock::new(start));
        let mut app = TestApp::spawn_clocked(&crate::membership::products(), clock.clone()).await;
        let members: Vec<u64> = (0..12).map(|i| 700_000_000_000_000_000 + i).collect();
        for (i, member) in members.iter().enumerate() {
            app.sim()
                .member_add(*member, &format!("student{i}"), "en-US");
            app.slash(
                SlashCall::new(ids::OWNER, "membership")
                    .subcommand("grant")
                    .user_option("member", *member)
                    .string("product", "pro")
                    .string("duration", &format!("{}d", 3 + i)),
            )
            .await;
        }
        let call = SlashCall::new(ids::OWNER, "renewals").subcommand("upcoming");
        let (first, _) = app.sim().invoke(&call).unwrap();
        let mut page = app.sim().wait_reply(first).await.unwrap();
        let pages: usize = page
            .content
            .split("Page 1 of ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a paged list: {}", page.content));
        assert!(pages >= 2);
        let mut seen = Vec::new();
        let mut pressed = first;
        for n in 1..=pages {
            assert!(
                page.content.contains(&format!("Page {n} of {pages}")),
                "{}",
                page.content
            );
            assert!(page.content.chars().count() <= 2_000);
            assert!(!page.content.ends_with('…'), "never cut: {}", page.content);
            let rows = page.raw["components"].as_array().unwrap().clone();
            assert!(rows.len() <= 5, "Discord allows five rows");
            let ids: Vec<String> = rows
                .iter()
                .flat_map(|r| r["components"].as_array().unwrap().clone())
                .filter_map(|b| b["custom_id"].as_str().map(str::to_string))
                .collect();
            for member in &members {
                if page.content.contains(&format!("<@{member}> —")) {
                    seen.push(*member);
                    assert!(
                        ids.iter()
                            .any(|id| id.starts_with(&format!("lyceum:rn:{member}:"))),
                        "page {n}: {member} has a Send button"
                    );
                }
            }
            if n < pages {
                let next = format!("lyceum:rnp:14:{}", n + 1);
                assert!(ids.contains(&next), "{ids:?}");
                let (turned, _) = app
                    .sim()
                    .press_on_reply(ids::OWNER, pressed, &next)
                    .unwrap();
                pressed = turned;
                page = app.sim().wait_reply(turned).await.unwrap();
            }
        }
        seen.sort_unstable();
        assert_eq!(seen, members, "every member on exactly one page");
        // A member cannot turn the pages of an admin's list.
        let previous = format!("lyceum:rnp:14:{}", pages - 1);
        let (refused, _) = app
            .sim()
            .press_on_reply(ids::KAI, pressed, &previous)
            .unwrap();
        let refused = app.sim().wait_reply(refused).await.unwrap();
        assert_eq!(refused.content, "只有管理员可以发送续费消息。");
        app.stop().await;
    }
}
