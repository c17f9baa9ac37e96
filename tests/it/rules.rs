//! Rule enforcement through the simulated Discord: automod in English and Chinese, flood,
//! edits, staff exemption, the role hierarchy, warnings that expire and escalate once, the
//! moderator commands' refusals, and the rules gate.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lyceum::clock::ManualClock;
use lyceum::harness::sim::calls::admin;
use lyceum::harness::sim::{ids, Recorded, SlashCall};

use crate::support::{TestApp, WAIT};

fn config() -> String {
    format!(
        r#"
[[rules]]
id = "kind"
title = {{ en = "Be kind", "zh-CN" = "友善待人" }}
text = {{ en = "No insults.", "zh-CN" = "不要辱骂他人。" }}

[onboarding]
accepted_role = {accepted}

[automod.banned_words]
enabled = true
words = ["idiot", "傻瓜"]
action = "delete_warn"

[automod.flood]
enabled = true
messages = 3
window = "10s"
action = "timeout"
duration = "10m"

[warnings]
expire_after = "30d"

[[warnings.escalation]]
at_points = 3
action = "timeout"
duration = "1h"
"#,
        accepted = ids::ROLE_REGULAR,
    )
}

fn start() -> DateTime<Utc> {
    "2026-12-01T04:00:00Z".parse().unwrap()
}

async fn spawn() -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(start()));
    let extra = config();
    let app = TestApp::spawn_full_clocked(
        |text| {
            text.replace(
                "[channels]\n",
                &format!("[channels]\nrules = {}\n", ids::CHANNEL_WELCOME),
            ) + &extra
        },
        clock.clone(),
    )
    .await;
    (app, clock)
}

fn deleted(app: &TestApp, message: u64) -> Vec<Recorded> {
    app.requests("DELETE", &format!("/messages/{message}"))
}

async fn wait_for(app: &TestApp, method: &str, path: &str, n: usize) -> Recorded {
    app.sim()
        .wait_request(method, path, n, WAIT)
        .await
        .unwrap_or_else(|| panic!("no {method} {path} #{n}"))
}

/// The embeds the bot posted in the mod log, as text (title and field values).
fn mod_log(app: &TestApp) -> Vec<String> {
    app.requests(
        "POST",
        &format!("/channels/{}/messages", ids::CHANNEL_MOD_LOG),
    )
    .iter()
    .map(|r| r.body.to_string())
    .collect()
}

async fn warnings_total(app: &TestApp, member: u64) -> i64 {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(SUM(points), 0) FROM warnings WHERE member_id = ? AND pardoned_at IS NULL",
    )
    .bind(member as i64)
    .fetch_one(&app.db().read)
    .await
    .unwrap();
    n
}

#[tokio::test]
async fn a_banned_word_in_english_and_chinese_is_deleted_warned_dmed_and_logged() {
    let (mut app, _clock) = spawn().await;
    let english = app
        .sim()
        .message_create(ids::CHANNEL_GENERAL, ids::MINA, "you IDIOT");
    wait_for(&app, "DELETE", &format!("/messages/{english}"), 1).await;
    let dm = wait_for(&app, "POST", "/messages", 1).await;
    let _ = dm;
    let chinese = app
        .sim()
        .message_create(ids::CHANNEL_GENERAL, ids::KAI, "你这个傻瓜");
    wait_for(&app, "DELETE", &format!("/messages/{chinese}"), 1).await;

    // One DM each, in the community's language (the member's is not known yet).
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let dms: Vec<String> = app
            .requests("POST", "/messages")
            .iter()
            .filter(|r| {
                r.body["content"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("broke the rule")
            })
            .map(|r| r.body["content"].to_string())
            .collect();
        if dms.len() == 2 {
            assert!(dms[0].contains("**banned words**"), "{dms:?}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{dms:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(warnings_total(&app, ids::MINA).await, 1);
    assert_eq!(warnings_total(&app, ids::KAI).await, 1);
    // The mod-log embeds travel their own queue: wait for the second one.
    let deadline = tokio::time::Instant::now() + WAIT;
    let log = loop {
        let log = mod_log(&app);
        if log
            .iter()
            .any(|l| l.contains("Automod: banned words") && l.contains("傻瓜"))
        {
            break log;
        }
        assert!(tokio::time::Instant::now() < deadline, "{log:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        log.iter()
            .all(|l| l.contains("\"allowed_mentions\":{\"parse\":[]}")),
        "no pings"
    );
    // The caught messages earned no points.
    let points = app.count("SELECT COUNT(*) FROM points_ledger").await;
    assert_eq!(points, 0);
    app.stop().await;
}

#[tokio::test]
async fn flooding_is_timed_out() {
    let (mut app, _clock) = spawn().await;
    for i in 0..4 {
        app.sim()
            .message_create(ids::CHANNEL_GENERAL, ids::SAM, &format!("spam number {i}"));
    }
    let patch = wait_for(&app, "PATCH", &format!("/members/{}", ids::SAM), 1).await;
    assert!(
        patch.body["communication_disabled_until"].is_string(),
        "{}",
        patch.body
    );
    app.stop().await;
}

#[tokio::test]
async fn an_edited_message_is_checked_again() {
    let (mut app, _clock) = spawn().await;
    let id = app
        .sim()
        .message_create(ids::CHANNEL_GENERAL, ids::MINA, "a fine message");
    app.sim()
        .message_update(ids::CHANNEL_GENERAL, ids::MINA, id, "a fine idiot");
    wait_for(&app, "DELETE", &format!("/messages/{id}"), 1).await;
    app.stop().await;
}

#[tokio::test]
async fn a_moderator_is_exempt_and_the_hierarchy_refusal_is_logged() {
    let (mut app, _clock) = spawn().await;
    app.slash(admin::grant(ids::OWNER, ids::MINA, "moderator"))
        .await;
    let by_moderator = app
        .sim()
        .message_create(ids::CHANNEL_GENERAL, ids::MINA, "idiot");
    // Sam's top role is above the bot's: automod may not act, and says so.
    app.sim().set_member_roles(ids::SAM, &[ids::ROLE_ABOVE_BOT]);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let by_founder = app
        .sim()
        .message_create(ids::CHANNEL_GENERAL, ids::SAM, "idiot");
    let deadline = tokio::time::Instant::now() + WAIT;
    while !mod_log(&app).iter().any(|l| l.contains("could not act")) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            mod_log(&app)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(deleted(&app, by_founder).is_empty());
    assert!(deleted(&app, by_moderator).is_empty());
    assert_eq!(warnings_total(&app, ids::SAM).await, 0);
    assert_eq!(warnings_total(&app, ids::MINA).await, 0);
    app.stop().await;
}

fn warn(actor: u64, member: u64, reason: &str) -> SlashCall {
    SlashCall::new(actor, "warn")
        .user_option("member", member)
        .string("reason", reason)
}

#[tokio::test]
async fn warnings_crossing_a_threshold_escalate_once() {
    let (mut app, _clock) = spawn().await;
    app.slash(warn(ids::OWNER, ids::KAI, "rude").integer("points", 2))
        .await;
    let reply = app.slash(warn(ids::OWNER, ids::KAI, "rude again")).await;
    assert!(
        reply
            .content
            .contains("Escalation at 3 points: timed out for 60 minutes"),
        "{}",
        reply.content
    );
    let path = format!("/guilds/{}/members/{}", ids::GUILD, ids::KAI);
    wait_for(&app, "PATCH", &path, 1).await;
    let again = app.slash(warn(ids::OWNER, ids::KAI, "and again")).await;
    assert!(!again.content.contains("Escalation"), "{}", again.content);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.requests("PATCH", &path).len(),
        1,
        "the escalation ran once"
    );
    let n = app.count("SELECT COUNT(*) FROM escalations").await;
    assert_eq!(n, 1);
    app.stop().await;
}

#[tokio::test]
async fn an_expired_warning_no_longer_counts() {
    let (mut app, clock) = spawn().await;
    app.slash(warn(ids::OWNER, ids::KAI, "rude").integer("points", 2))
        .await;
    clock.advance(chrono::Duration::days(31));
    let reply = app
        .slash(SlashCall::new(ids::OWNER, "warnings").user_option("member", ids::KAI))
        .await;
    assert!(
        reply.content.contains("active total 0 (1 on record)"),
        "{}",
        reply.content
    );
    assert!(reply.content.contains("expired"), "{}", reply.content);
    // A new warning starts from zero: no escalation.
    let again = app
        .slash(warn(ids::OWNER, ids::KAI, "new").integer("points", 2))
        .await;
    assert!(!again.content.contains("Escalation"), "{}", again.content);
    app.stop().await;
}

#[tokio::test]
async fn moderator_commands_refuse_bad_targets_and_input() {
    let (mut app, _clock) = spawn().await;
    app.slash(admin::grant(ids::OWNER, ids::MINA, "moderator"))
        .await;
    app.slash(admin::grant(ids::OWNER, ids::SAM, "admin")).await;
    let cases = [
        (warn(ids::MINA, ids::BOT, "x"), "Bots cannot be warned"),
        (warn(ids::MINA, ids::OWNER, "x"), "The server owner cannot"),
        (
            warn(ids::MINA, ids::MINA, "x"),
            "You cannot do that to yourself.",
        ),
        (
            warn(ids::MINA, ids::SAM, "x"),
            "staff at or above your level",
        ),
        (
            SlashCall::new(ids::MINA, "timeout")
                .user_option("member", ids::KAI)
                .string("duration", "soon")
                .string("reason", "x"),
            "`soon` is not a duration",
        ),
        (
            SlashCall::new(ids::MINA, "timeout")
                .user_option("member", ids::KAI)
                .string("duration", "29d")
                .string("reason", "x"),
            "longer than 28 days",
        ),
        (
            SlashCall::new(ids::MINA, "pardon")
                .integer("warning", 99)
                .string("reason", "x"),
            "There is no warning `#99`.",
        ),
        (warn(ids::KAI, ids::MINA, "x"), "你需要「版主」或更高级别"),
    ];
    for (call, expected) in cases {
        let reply = app.slash(call).await;
        assert!(
            reply.content.contains(expected),
            "{expected:?} in {:?}",
            reply.content
        );
    }
    assert_eq!(warnings_total(&app, ids::KAI).await, 0);
    let ok = app
        .slash(
            SlashCall::new(ids::MINA, "timeout")
                .user_option("member", ids::KAI)
                .string("duration", "两小时")
                .string("reason", "cool down"),
        )
        .await;
    assert!(ok.content.contains("is timed out until"), "{}", ok.content);
    app.slash(warn(ids::MINA, ids::KAI, "one")).await;
    let pardon = SlashCall::new(ids::MINA, "pardon")
        .integer("warning", 1)
        .string("reason", "mistake");
    assert!(app
        .slash(pardon.clone())
        .await
        .content
        .contains("is pardoned"));
    assert!(app.slash(pardon).await.content.contains("already pardoned"));
    app.stop().await;
}

#[tokio::test]
async fn automod_test_explains_a_match_and_changes_nothing() {
    let (mut app, _clock) = spawn().await;
    let reply = app
        .slash(
            SlashCall::new(ids::OWNER, "automod")
                .subcommand("test")
                .string("text", "ｉｄｉｏｔ"),
        )
        .await;
    assert_eq!(
        reply.content,
        "1 filter would fire:\n• **banned words** (`idiot`) → delete_warn"
    );
    assert_eq!(warnings_total(&app, ids::OWNER).await, 0);
    app.stop().await;
}

#[tokio::test]
async fn the_rules_gate_grants_its_role_once() {
    let (mut app, _clock) = spawn().await;
    let reply = app
        .slash(SlashCall::new(ids::OWNER, "rules").subcommand("post"))
        .await;
    assert!(
        reply.content.contains("The rules are posted"),
        "{}",
        reply.content
    );
    let path = format!("/channels/{}/messages", ids::CHANNEL_WELCOME);
    let posted = wait_for(&app, "POST", &path, 1).await;
    let message: u64 = posted.response["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(posted.body["embeds"][0]["fields"][0]["name"], "1. Be kind");
    assert_eq!(
        posted.body["components"][0]["components"][0]["label"],
        "I accept"
    );

    let (first, _) = app
        .sim()
        .press(
            ids::KAI,
            ids::CHANNEL_WELCOME,
            message,
            "lyceum:rules:accept",
        )
        .unwrap();
    let reply = app.sim().wait_reply(first).await.unwrap();
    assert_eq!(reply.content, "✅ 感谢你接受社群规则，欢迎加入！");
    assert!(reply.ephemeral);
    let role = format!("/members/{}/roles/{}", ids::KAI, ids::ROLE_REGULAR);
    wait_for(&app, "PUT", &role, 1).await;
    let (second, _) = app
        .sim()
        .press(
            ids::KAI,
            ids::CHANNEL_WELCOME,
            message,
            "lyceum:rules:accept",
        )
        .unwrap();
    app.sim().wait_reply(second).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(app.requests("PUT", &role).len(), 1, "granted once");

    // Posting again edits the same message.
    let again = app
        .slash(SlashCall::new(ids::OWNER, "rules").subcommand("post"))
        .await;
    assert!(again.content.contains("is updated"), "{}", again.content);
    wait_for(&app, "PATCH", &format!("/messages/{message}"), 1).await;
    assert_eq!(app.requests("POST", &path).len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn rules_show_is_localized() {
    let (mut app, _clock) = spawn().await;
    let reply = app
        .slash(SlashCall::new(ids::KAI, "rules").subcommand("show"))
        .await;
    assert_eq!(reply.raw["embeds"][0]["fields"][0]["name"], "1. 友善待人");
    assert_eq!(reply.raw["embeds"][0]["title"], "学园 社群规则");
    app.stop().await;
}

#[tokio::test]
async fn a_burst_of_joins_raises_one_raid_alert() {
    let (mut app, _clock) = spawn().await;
    for i in 0..12u64 {
        app.sim()
            .member_add(200_000_000_000_001_000 + i, &format!("raider{i}"), "en-US");
    }
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let alerts = app
            .requests(
                "POST",
                &format!("/channels/{}/messages", ids::CHANNEL_MOD_LOG),
            )
            .iter()
            .filter(|r| {
                r.body["content"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("🚨 Raid alert")
            })
            .count();
        if alerts >= 1 {
            assert_eq!(alerts, 1);
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no raid alert");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn the_ladder_can_kick_and_ban_through_the_outbox() {
    let clock = Arc::new(ManualClock::new(start()));
    let extra = config().replace(
        "[[warnings.escalation]]\nat_points = 3\naction = \"timeout\"\nduration = \"1h\"",
        "[[warnings.escalation]]\nat_points = 2\naction = \"kick\"\n\n[[warnings.escalation]]\nat_points = 4\naction = \"ban\"",
    );
    let mut app = TestApp::spawn_clocked(&extra, clock).await;
    app.slash(warn(ids::OWNER, ids::KAI, "one").integer("points", 2))
        .await;
    wait_for(
        &app,
        "DELETE",
        &format!("/guilds/{}/members/{}", ids::GUILD, ids::KAI),
        1,
    )
    .await;
    app.slash(warn(ids::OWNER, ids::SAM, "serious").integer("points", 5))
        .await;
    wait_for(
        &app,
        "PUT",
        &format!("/guilds/{}/bans/{}", ids::GUILD, ids::SAM),
        1,
    )
    .await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while app.sim().removals().len() < 3 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            app.sim().removals()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Sam crossed both rungs at once: kicked, then banned, in order.
    assert_eq!(
        app.sim().removals(),
        vec![
            ("kick".to_string(), ids::KAI),
            ("kick".to_string(), ids::SAM),
            ("ban".to_string(), ids::SAM)
        ]
    );
    app.stop().await;
}
