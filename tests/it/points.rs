//! Points through the simulated Discord: chat awards and their anti-farming rules, check-in
//! across local midnight, helpful answers, staff adjustments, levels and level roles, the shop
//! and timed roles. Time is a `ManualClock` the tests step.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lyceum::clock::ManualClock;
use lyceum::harness::sim::{ids, Reply, SlashCall};
use serenity::all::{MessageId, UserId};

use crate::support::{eventually, TestApp, WAIT};

/// 2026-12-01 12:00 in Asia/Shanghai (the simulated community's zone).
fn noon() -> DateTime<Utc> {
    "2026-12-01T04:00:00Z".parse().unwrap()
}

fn config() -> String {
    format!(
        r#"[points]
message_min = 20
message_max = 20
daily_cap = 50
checkin_points = 10
streak_bonus = [{{ day = 2, points = 5 }}]
helpful_threshold = 2
helpful_points = 30
level_up_channel = {announcements}
level_roles = [{{ level = 1, role = {level_role} }}]

[shop]
items = [
  {{ id = "badge", name = {{ en = "Badge", "zh-CN" = "徽章" }}, price = 30, stock = 1, kind = "manual" }},
  {{ id = "trial", name = "Trial", price = 20, kind = "timed_role", role = {trial_role}, duration = "7d" }},
]
"#,
        announcements = ids::CHANNEL_ANNOUNCEMENTS,
        level_role = ids::ROLE_MODERATORS_GROUP,
        trial_role = ids::ROLE_MODERATOR,
    )
}

async fn spawn() -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(noon()));
    let app = TestApp::spawn_clocked(&config(), clock.clone()).await;
    (app, clock)
}

/// Posts a message and waits until the bot has handled it.
async fn chat(app: &TestApp, author: u64, text: &str) -> u64 {
    let id = app.sim().message_create(ids::CHANNEL_GENERAL, author, text);
    let deadline = tokio::time::Instant::now() + WAIT;
    while lyceum::features::points::engine(&app.bot().app.state)
        .author_of(MessageId::new(id))
        .is_none()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "message {id} not handled"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    id
}

/// Someone deletes message `id` in #general (the gateway's MESSAGE_DELETE).
fn delete_message(app: &TestApp, id: u64) {
    app.sim().dispatch(
        "MESSAGE_DELETE",
        serde_json::json!({
            "id": id.to_string(),
            "channel_id": ids::CHANNEL_GENERAL.to_string(),
            "guild_id": ids::GUILD.to_string(),
        }),
    );
}

/// What `/points history` shows `user` about themselves.
async fn history(app: &TestApp, user: u64) -> String {
    let call = SlashCall::new(user, "points").subcommand("history");
    app.slash(call).await.content
}

fn show(user: u64) -> SlashCall {
    SlashCall::new(user, "points").subcommand("show")
}

/// The member's balance as `/points show` tells them.
async fn balance(app: &TestApp, user: u64) -> i64 {
    let reply = app.slash(show(user)).await;
    let line = reply.content.lines().nth(1).unwrap_or_default().to_string();
    line.split("**")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no balance in {:?}", reply.content))
}

async fn slash(app: &TestApp, call: SlashCall) -> Reply {
    app.slash(call).await
}

#[tokio::test]
async fn chat_points_respect_cooldown_length_duplicates_and_the_daily_cap() {
    let (mut app, clock) = spawn().await;
    chat(&app, ids::MINA, "hello everyone").await;
    clock.advance(chrono::Duration::seconds(30));
    chat(&app, ids::MINA, "a second thought").await; // cooldown
    clock.advance(chrono::Duration::seconds(31));
    chat(&app, ids::MINA, "你好").await; // two characters: too short
    chat(&app, ids::MINA, "Hello   everyone!!").await; // a near-duplicate
    assert_eq!(balance(&app, ids::MINA).await, 20);

    chat(&app, ids::MINA, "今天学到很多").await; // Chinese, six characters
    clock.advance(chrono::Duration::seconds(61));
    chat(&app, ids::MINA, "one more message").await; // capped at 50
    clock.advance(chrono::Duration::seconds(61));
    chat(&app, ids::MINA, "and another one").await; // the cap is reached
    assert_eq!(balance(&app, ids::MINA).await, 50);

    let reply = app.slash(show(ids::MINA)).await;
    assert!(
        reply.content.contains("Chat today: 50/50"),
        "{}",
        reply.content
    );
    // Bots earn nothing.
    chat(&app, ids::BOT, "beep boop beep boop").await;
    let reply = app
        .slash(show(ids::OWNER).user_option("member", ids::BOT))
        .await;
    assert!(
        reply.content.contains("Balance: **0**"),
        "{}",
        reply.content
    );
    app.stop().await;
}

#[tokio::test]
async fn a_deleted_message_gives_its_points_back() {
    let (mut app, _clock) = spawn().await;
    let id = chat(&app, ids::KAI, "this will be deleted").await;
    assert_eq!(balance(&app, ids::KAI).await, 20);
    delete_message(&app, id);
    wait_balance(&app, ids::KAI, 0).await;
    // History shows what chat gave and, as its own row, what the deletion took back (Kai
    // speaks Chinese).
    let shown = history(&app, ids::KAI).await;
    assert!(shown.contains("聊天累计 **+20**"), "{shown}");
    assert!(shown.contains("`-20` 消息被删除"), "{shown}");
    app.stop().await;
}

#[tokio::test]
async fn check_in_once_per_local_day_with_a_streak_across_local_midnight() {
    let clock = Arc::new(ManualClock::new("2026-12-01T15:59:00Z".parse().unwrap())); // 23:59 local
    let mut app = TestApp::spawn_clocked(&config(), clock.clone()).await;
    let first = slash(&app, SlashCall::new(ids::MINA, "checkin")).await;
    assert!(
        first
            .content
            .starts_with("✅ Checked in: **+10** points. Streak: **1** day."),
        "{}",
        first.content
    );
    let again = slash(&app, SlashCall::new(ids::MINA, "checkin")).await;
    assert!(
        again.content.starts_with("You already checked in today"),
        "{}",
        again.content
    );

    clock.advance(chrono::Duration::minutes(2)); // 00:01 local, a new day
    let second = slash(&app, SlashCall::new(ids::MINA, "checkin")).await;
    assert!(
        second
            .content
            .contains("**+15** points. Streak: **2** days"),
        "{}",
        second.content
    );
    assert!(
        second.content.contains("Streak bonus for day 2: +5"),
        "{}",
        second.content
    );
    assert_eq!(balance(&app, ids::MINA).await, 25);
    // In Chinese, for Kai.
    let kai = slash(&app, SlashCall::new(ids::KAI, "checkin")).await;
    assert!(kai.content.starts_with("✅ 打卡成功"), "{}", kai.content);
    app.stop().await;
}

#[tokio::test]
async fn a_missed_day_resets_the_streak_without_a_freeze() {
    let (mut app, clock) = spawn().await;
    slash(&app, SlashCall::new(ids::MINA, "checkin")).await;
    clock.advance(chrono::Duration::days(2));
    let reply = slash(&app, SlashCall::new(ids::MINA, "checkin")).await;
    assert!(
        reply.content.contains("Streak: **1** day"),
        "{}",
        reply.content
    );
    app.stop().await;
}

fn react(app: &TestApp, message: u64, user: u64) {
    app.sim()
        .reaction_add(ids::CHANNEL_GENERAL, message, user, "✅");
}

async fn wait_balance(app: &TestApp, user: u64, expected: i64) {
    let what = format!("the balance of {user} reaches {expected}");
    eventually(&what, async || balance(app, user).await == expected).await;
}

#[tokio::test]
async fn a_helpful_answer_counts_a_moderator_or_enough_members_never_the_author() {
    let (mut app, _clock) = spawn().await;
    // Kai's answer: his own reaction and one member's are not enough; a second member's is.
    let answer = chat(&app, ids::KAI, "here is how you do it").await;
    react(&app, answer, ids::KAI);
    react(&app, answer, ids::SAM);
    react(&app, answer, ids::SAM);
    react(&app, answer, ids::MINA);
    wait_balance(&app, ids::KAI, 50).await; // 20 chat + 30 helpful
                                            // The owner is staff: one reaction on Sam's answer is enough.
    let other = chat(&app, ids::SAM, "another good answer").await;
    react(&app, other, ids::OWNER);
    wait_balance(&app, ids::SAM, 50).await;
    react(&app, other, ids::MINA);
    react(&app, other, ids::KAI);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        balance(&app, ids::SAM).await,
        50,
        "awarded once per message"
    );
    app.stop().await;
}

fn give(actor: u64, member: u64, amount: i64, reason: &str) -> SlashCall {
    SlashCall::new(actor, "points")
        .subcommand("give")
        .user_option("member", member)
        .integer("amount", amount)
        .string("reason", reason)
}

fn take(actor: u64, member: u64, amount: i64, reason: &str) -> SlashCall {
    SlashCall::new(actor, "points")
        .subcommand("take")
        .user_option("member", member)
        .integer("amount", amount)
        .string("reason", reason)
}

#[tokio::test]
async fn staff_give_and_take_with_a_reason_audited_and_refused_beyond_the_balance() {
    let (mut app, _clock) = spawn().await;
    let member = slash(&app, give(ids::MINA, ids::KAI, 10, "thanks")).await;
    assert!(
        member.content.starts_with("You need the moderator level"),
        "{}",
        member.content
    );

    let reply = slash(&app, give(ids::OWNER, ids::KAI, 40, "great summary")).await;
    assert_eq!(
        reply.content,
        format!(
            "Gave **40** points to <@{}> (great summary). Their balance: 40.",
            ids::KAI
        )
    );
    let refused = slash(&app, take(ids::OWNER, ids::KAI, 41, "oops")).await;
    assert!(
        refused.content.contains("their balance is 40 points"),
        "{}",
        refused.content
    );
    let bot = slash(&app, give(ids::OWNER, ids::BOT, 5, "hi")).await;
    assert_eq!(bot.content, "Bots do not collect points.");
    let zero = slash(&app, give(ids::OWNER, ids::KAI, 0, "nothing")).await;
    assert_eq!(
        zero.content,
        "The amount must be a whole number from 1 to 100000. Nothing was changed."
    );
    let absurd = slash(&app, give(ids::OWNER, ids::KAI, 10_000_000, "too much")).await;
    assert!(
        absurd.content.starts_with("The amount must be"),
        "{}",
        absurd.content
    );
    slash(&app, take(ids::OWNER, ids::KAI, 15, "double counted")).await;
    assert_eq!(balance(&app, ids::KAI).await, 25);

    let actions = app.audit_actions().await;
    assert_eq!(actions, ["points.take", "points.give"]);
    let shown = history(&app, ids::KAI).await;
    assert!(shown.contains("`-15`"), "{shown}");
    assert!(shown.contains("double counted"), "{shown}");
    app.stop().await;
}

/// Waits for `member`'s level-1 role and the announcement; returns the role's path and the
/// announcement channel's messages path.
async fn level_one_reached(app: &TestApp, member: u64) -> (String, String) {
    let path = format!("/members/{member}/roles/{}", ids::ROLE_MODERATORS_GROUP);
    app.sim()
        .wait_request("PUT", &path, 1, WAIT)
        .await
        .expect("the level role");
    let announcement = format!("/channels/{}/messages", ids::CHANNEL_ANNOUNCEMENTS);
    let posted = app
        .sim()
        .wait_request("POST", &announcement, 1, WAIT)
        .await
        .unwrap();
    assert_eq!(
        posted.body["content"],
        format!("🎉 <@{member}> reached **level 1**!")
    );
    (path, announcement)
}

#[tokio::test]
async fn a_level_up_is_announced_once_and_adds_the_level_role_which_returns_on_rejoin() {
    let (mut app, _clock) = spawn().await;
    slash(&app, give(ids::OWNER, ids::MINA, 120, "welcome gift")).await;
    let (path, announcement) = level_one_reached(&app, ids::MINA).await;
    // More points within level 1: no second announcement.
    slash(&app, give(ids::OWNER, ids::MINA, 10, "more")).await;
    let reply = app.slash(show(ids::MINA)).await;
    assert!(
        reply.content.contains("Level **1** — 30/155"),
        "{}",
        reply.content
    );
    assert_eq!(app.requests("POST", &announcement).len(), 1);

    app.sim().member_remove(ids::MINA);
    app.sim().member_add(ids::MINA, "mina", "en-US");
    app.sim()
        .wait_request("PUT", &path, 2, WAIT)
        .await
        .expect("restored on rejoin");
    app.stop().await;
}

/// Chat points reach a level through the batch writer (which finds members whose level moved
/// without reading every member back): the level role and the announcement follow; a deleted
/// message takes the member back below it and the role goes. History lists chat as a total,
/// the rest (the deletion too) row by row.
#[tokio::test]
async fn chat_points_reach_a_level_lose_it_and_history_shows_chat_as_a_total() {
    let (mut app, clock) = spawn().await;
    let texts = [
        "morning everyone",
        "the livestream was great",
        "thanks for the notes",
        "new day new questions",
        "what does chapter two mean",
        "I finished the course",
    ];
    let mut last = 0;
    for (i, text) in texts.iter().enumerate() {
        if i == 3 {
            clock.advance(chrono::Duration::days(1));
        }
        last = chat(&app, ids::MINA, text).await;
        clock.advance(chrono::Duration::seconds(61));
    }
    // 20 + 20 + 10 (the cap) on each of two days: 100 points, level 1.
    assert_eq!(balance(&app, ids::MINA).await, 100);
    let (role, announcement) = level_one_reached(&app, ids::MINA).await;

    // The last message (10 points) is deleted: 90 points, level 0, the level role goes.
    delete_message(&app, last);
    app.sim()
        .wait_request("DELETE", &role, 1, WAIT)
        .await
        .expect("the level role removed");
    assert_eq!(balance(&app, ids::MINA).await, 90);
    assert_eq!(app.requests("POST", &announcement).len(), 1);

    slash(&app, give(ids::OWNER, ids::MINA, 7, "great question")).await;
    let shown = history(&app, ids::MINA).await;
    assert!(shown.contains("Chat: **+100** in all"), "{shown}");
    assert!(shown.contains("`+7`"), "{shown}");
    assert!(shown.contains("`-10` deleted message"), "{shown}");
    assert!(!shown.contains("`+20`"), "{shown}");
    // The heading counts the lines it lists: the chat summary and two entries.
    assert!(shown.contains("(3 entries)"), "{shown}");
    app.stop().await;
}

fn buy(user: u64, item: &str) -> SlashCall {
    SlashCall::new(user, "shop")
        .subcommand("buy")
        .string("item", item)
}

#[tokio::test]
async fn two_buyers_of_the_last_item_make_one_order() {
    let (mut app, _clock) = spawn().await;
    slash(&app, give(ids::OWNER, ids::MINA, 40, "prize")).await;
    slash(&app, give(ids::OWNER, ids::KAI, 40, "prize")).await;
    let (a, b) = tokio::join!(
        app.slash(buy(ids::MINA, "badge")),
        app.slash(buy(ids::KAI, "badge"))
    );
    let bought = [&a, &b]
        .iter()
        .filter(|r| r.content.starts_with("🛒"))
        .count();
    let sold_out = [&a, &b]
        .iter()
        .filter(|r| r.content.contains("sold out") || r.content.contains("已售罄"))
        .count();
    assert_eq!((bought, sold_out), (1, 1), "{a:?} {b:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM shop_orders").await, 1);
    let spent = balance(&app, ids::MINA).await + balance(&app, ids::KAI).await;
    assert_eq!(spent, 50, "exactly one was charged");
    app.stop().await;
}

#[tokio::test]
async fn bad_purchases_are_refused_and_charge_nothing() {
    let (mut app, _clock) = spawn().await;
    let unknown = slash(&app, buy(ids::MINA, "nothing")).await;
    assert!(
        unknown.content.contains("There is no item `nothing`"),
        "{}",
        unknown.content
    );
    let poor = slash(&app, buy(ids::MINA, "trial")).await;
    assert_eq!(
        poor.content,
        "This costs 20 points and you have 0. Nothing was charged."
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM shop_orders").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_timed_role_is_removed_when_its_time_is_up_and_a_double_click_charges_once() {
    let (mut app, clock) = spawn().await;
    slash(&app, give(ids::OWNER, ids::MINA, 50, "prize")).await;
    let first = slash(&app, buy(ids::MINA, "trial")).await;
    assert!(first.content.contains("Yours until"), "{}", first.content);
    let again = slash(&app, buy(ids::MINA, "trial")).await;
    assert!(again.content.starts_with("🛒"), "{}", again.content);
    assert_eq!(balance(&app, ids::MINA).await, 30, "charged once");
    let path = format!("/members/{}/roles/{}", ids::MINA, ids::ROLE_MODERATOR);
    app.sim()
        .wait_request("PUT", &path, 1, WAIT)
        .await
        .expect("the trial role");

    clock.advance(chrono::Duration::days(6));
    app.bot().app.state.grants_changed();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        app.requests("DELETE", &path).is_empty(),
        "not before its time"
    );

    clock.advance(chrono::Duration::days(1) + chrono::Duration::seconds(1));
    app.bot().app.state.grants_changed();
    app.sim()
        .wait_request("DELETE", &path, 1, WAIT)
        .await
        .expect("removed on time");
    assert!(app.sim().member_roles(ids::MINA).is_empty());
    app.stop().await;
}

#[tokio::test]
async fn the_ledger_after_a_restart_equals_what_members_were_shown() {
    let (mut app, clock) = spawn().await;
    chat(&app, ids::MINA, "a thoughtful message").await;
    clock.advance(chrono::Duration::seconds(61));
    chat(&app, ids::MINA, "another thoughtful one").await;
    let shown = balance(&app, ids::MINA).await;
    assert_eq!(shown, 40);
    app.restart().await;
    assert_eq!(balance(&app, ids::MINA).await, shown);
    let (sum,): (i64,) = sqlx::query_as("SELECT SUM(delta) FROM points_ledger WHERE member_id = ?")
        .bind(ids::MINA as i64)
        .fetch_one(&app.db().read)
        .await
        .unwrap();
    assert_eq!(sum, shown);
    // The cooldown survives the restart too.
    chat(&app, ids::MINA, "right after the restart").await;
    assert_eq!(balance(&app, ids::MINA).await, shown);
    let _ = UserId::new(ids::MINA);
    app.stop().await;
}

#[tokio::test]
async fn the_leaderboard_ranks_by_points_earned_in_the_period() {
    let (mut app, _clock) = spawn().await;
    slash(&app, give(ids::OWNER, ids::MINA, 30, "a")).await;
    slash(&app, give(ids::OWNER, ids::KAI, 60, "b")).await;
    let board = slash(&app, SlashCall::new(ids::MINA, "leaderboard")).await;
    let kai = board.content.find(&format!("<@{}>", ids::KAI)).unwrap();
    let mina = board.content.find(&format!("<@{}>", ids::MINA)).unwrap();
    assert!(kai < mina, "{}", board.content);
    assert!(
        board
            .content
            .contains(&format!("**1.** <@{}> — 60", ids::KAI)),
        "{}",
        board.content
    );
    let week = slash(
        &app,
        SlashCall::new(ids::MINA, "leaderboard").choice("period", "week"),
    )
    .await;
    assert!(week.content.contains("this week"), "{}", week.content);
    assert!(
        week.content.contains(&format!("<@{}> — 30", ids::MINA)),
        "{}",
        week.content
    );
    app.stop().await;
}

#[tokio::test]
async fn a_gift_order_waits_for_staff_who_fulfil_or_refund_it() {
    let clock = Arc::new(ManualClock::new(noon()));
    let extra = config();
    let mut app = TestApp::spawn_full_clocked(
        |text| {
            text.replace(
                "[channels]\n",
                &format!("[channels]\nstaff = {}\n", ids::CHANNEL_WELCOME),
            ) + &extra
        },
        clock.clone(),
    )
    .await;
    slash(&app, give(ids::OWNER, ids::MINA, 70, "prize")).await;
    let bought = slash(&app, buy(ids::MINA, "badge")).await;
    assert!(
        bought.content.contains("Staff will hand it over"),
        "{}",
        bought.content
    );
    let staff = format!("/channels/{}/messages", ids::CHANNEL_WELCOME);
    let posted = app
        .sim()
        .wait_request("POST", &staff, 1, WAIT)
        .await
        .unwrap();
    assert!(
        posted.body["content"]
            .as_str()
            .unwrap()
            .contains("bought **Badge**"),
        "{}",
        posted.body
    );

    let other = slash(
        &app,
        SlashCall::new(ids::KAI, "shop")
            .subcommand("orders")
            .user_option("member", ids::MINA),
    )
    .await;
    assert_eq!(
        other.content, "只有管理员可以查看其他成员的订单。",
        "Kai reads Chinese"
    );
    let mine = slash(&app, SlashCall::new(ids::MINA, "shop").subcommand("orders")).await;
    assert!(
        mine.content.contains("waiting for staff"),
        "{}",
        mine.content
    );

    let refund = SlashCall::new(ids::OWNER, "shop")
        .subcommand("refund")
        .integer("order", 1);
    let reply = slash(&app, refund.clone()).await;
    assert!(reply.content.contains("is refunded"), "{}", reply.content);
    assert_eq!(balance(&app, ids::MINA).await, 70, "the points are back");
    let twice = slash(&app, refund).await;
    assert!(
        twice.content.contains("is not waiting for staff"),
        "{}",
        twice.content
    );
    let actions = app.audit_actions().await;
    assert_eq!(actions[0], "shop.refund");
    app.stop().await;
}

#[tokio::test]
async fn a_streak_freeze_covers_a_missed_day() {
    let clock = Arc::new(ManualClock::new(noon()));
    let extra = format!("{}\n", config()).replace(
        "checkin_points = 10",
        "checkin_points = 10\nstreak_freeze_every = 1\nmax_freezes = 1",
    );
    let mut app = TestApp::spawn_clocked(&extra, clock.clone()).await;
    let first = slash(&app, SlashCall::new(ids::MINA, "checkin")).await;
    assert!(
        first.content.contains("You earned a streak freeze"),
        "{}",
        first.content
    );
    clock.advance(chrono::Duration::days(2)); // one day missed
    let second = slash(&app, SlashCall::new(ids::MINA, "checkin")).await;
    assert!(
        second.content.contains("Streak: **2** days"),
        "{}",
        second.content
    );
    assert!(
        second
            .content
            .contains("A streak freeze covered the day you missed."),
        "{}",
        second.content
    );
    app.stop().await;
}

/// A ledger line reads as words in the member's language on both doors: why (the kind) and
/// what (the item's name), never the stored kind or the item's id.
#[tokio::test]
async fn history_names_the_reason_and_the_item_in_the_members_language_on_both_doors() {
    let (mut app, _clock) = spawn().await;
    slash(&app, give(ids::OWNER, ids::KAI, 40, "prize")).await;
    let bought = slash(&app, buy(ids::KAI, "badge")).await;
    assert!(bought.content.starts_with("🛒"), "{}", bought.content);

    let shown = history(&app, ids::KAI).await;
    assert!(shown.contains("`-30` 商店 — 徽章"), "{shown}");
    assert!(
        shown.contains("— prize"),
        "a staff give keeps the staff's words: {shown}"
    );

    let mut browser = crate::web::Browser::new();
    crate::web::log_in(&app, &mut browser, ids::KAI).await;
    let me = browser.get(&format!("{}/me", crate::web::base(&app))).await;
    assert!(me.body.contains("商店 — 徽章"), "{}", me.body);
    for raw in [">shop<", ">badge<", "qa_", ">give<"] {
        assert!(!me.body.contains(raw), "{raw} in {}", me.body);
    }
    app.stop().await;
}
