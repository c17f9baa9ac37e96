//! Community through the simulated Discord: /about, the welcome, feedback with status buttons,
//! paid Q&A with escrow (answer, withdraw, refund at the deadline), and /stats.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lyceum::clock::ManualClock;
use lyceum::harness::sim::{ids, SlashCall};

use crate::support::{eventually_sync as eventually, TestApp, WAIT};

fn now() -> DateTime<Utc> {
    "2026-12-01T04:00:00Z".parse().unwrap()
}

fn community_config() -> String {
    format!(
        r#"
[[products]]
id = "pro"
name = {{ en = "Pro membership", "zh-CN" = "专业会员" }}
role = {pro}
duration = "30d"
price = 29

[[content_plan]]
kind = "articles"
label = {{ en = "articles", "zh-CN" = "文章" }}
target = "3/week"

[qa]
default_price = 100
default_within = "48h"
"#,
        pro = ids::ROLE_PRO,
    )
}

async fn spawn() -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(now()));
    let extra = community_config();
    let app = TestApp::spawn_full_clocked(
        |text| {
            text.replace(
                "timezone = \"Asia/Shanghai\"\n",
                "timezone = \"Asia/Shanghai\"\ntagline = { en = \"Learn Rust by shipping\", \"zh-CN\" = \"在实战中学 Rust\" }\nvalue = \"Weekly deep dives and live code reviews\"\naudience = \"Working developers\"\ndifferentiators = [\"Every article has runnable code\", { en = \"Answers within 48h\", \"zh-CN\" = \"48 小时内答复\" }]\nlinks = [{ label = \"Newsletter\", url = \"https://example.com/news\" }]\n",
            )
            .replace("[channels]\n", &format!("[channels]\nstaff = {}\nqa = {}\n", ids::CHANNEL_MOD_LOG, ids::CHANNEL_GENERAL))
                + &extra
        },
        clock.clone(),
    )
    .await;
    (app, clock)
}

async fn balance(app: &TestApp, member: u64) -> i64 {
    lyceum::features::points::engine(&app.bot().app.state)
        .flush()
        .await;
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT balance FROM points_members WHERE member_id = ?")
            .bind(member as i64)
            .fetch_optional(&app.db().read)
            .await
            .unwrap();
    row.map_or(0, |r| r.0)
}

/// Every balance plus what is held in escrow: paid Q&A must keep it constant.
async fn total_points(app: &TestApp) -> i64 {
    lyceum::features::points::engine(&app.bot().app.state)
        .flush()
        .await;
    app.count(
        "SELECT COALESCE((SELECT SUM(balance) FROM points_members), 0)
              + COALESCE((SELECT SUM(price) FROM questions WHERE status = 'open'), 0)",
    )
    .await
}

async fn give(app: &TestApp, member: u64, amount: i64) {
    let reply = app
        .slash(
            SlashCall::new(ids::OWNER, "points")
                .subcommand("give")
                .user_option("member", member)
                .integer("amount", amount)
                .string("reason", "seed"),
        )
        .await;
    assert!(reply.content.starts_with("Gave **"), "{}", reply.content);
}

#[tokio::test]
async fn about_shows_the_positioning_products_and_rhythm_in_each_language() {
    let (mut app, _clock) = spawn().await;
    let en = app.slash(SlashCall::new(ids::MINA, "about")).await;
    let embed = &en.raw["embeds"][0];
    assert_eq!(embed["title"], "Lyceum Academy");
    assert_eq!(embed["description"], "Learn Rust by shipping");
    let fields = embed["fields"].to_string();
    for expected in [
        "Weekly deep dives and live code reviews",
        "Working developers",
        "• Answers within 48h",
        "articles: 3 a week",
        "**Pro membership** — 29.00 USD / 30 days · `/membership buy product:pro`",
        "[Newsletter](https://example.com/news)",
    ] {
        assert!(fields.contains(expected), "{expected} in {fields}");
    }
    let zh = app.slash(SlashCall::new(ids::KAI, "about")).await;
    let zh_embed = zh.raw["embeds"][0].to_string();
    assert!(zh_embed.contains("在实战中学 Rust"), "{zh_embed}");
    assert!(zh_embed.contains("48 小时内答复"), "{zh_embed}");
    assert!(zh_embed.contains("专业会员"), "{zh_embed}");
    // Content-plan kinds read in the member's language (the configured label).
    assert!(zh_embed.contains("文章：每周 3 次"), "{zh_embed}");
    assert!(!zh_embed.contains("articles"), "{zh_embed}");
    app.stop().await;
}

#[tokio::test]
async fn a_new_member_is_welcomed_once_with_where_to_start() {
    let (mut app, _clock) = spawn().await;
    let newbie = 200_000_000_000_000_099;
    app.sim().member_add(newbie, "newbie", "en-US");
    let welcome = |app: &TestApp| {
        app.sim()
            .messages_in(ids::CHANNEL_WELCOME)
            .iter()
            .filter(|m| {
                m["content"]
                    .as_str()
                    .is_some_and(|c| c.contains(&format!("<@{newbie}>")))
            })
            .count()
    };
    eventually("the welcome", || welcome(&app) == 1).await;
    let text = app.sim().messages_in(ids::CHANNEL_WELCOME)[0]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.starts_with(&format!("👋 Welcome to **Lyceum Academy**, <@{newbie}>!")),
        "{text}"
    );
    assert!(
        text.contains("`/about`") && text.contains("/membership buy"),
        "{text}"
    );
    // Leaving and coming back is not a new member.
    app.sim().member_remove(newbie);
    app.sim().member_add(newbie, "newbie", "en-US");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(welcome(&app), 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM member_joins").await, 1);
    app.stop().await;
}

/// Reply under a staff post: a moderator writes in a form and the author — anonymous to
/// staff — gets it by DM; a member cannot reply; the reply is audited.
#[tokio::test]
async fn staff_reply_to_feedback_reaches_its_anonymous_author_by_dm() {
    let (app, _clock) = spawn().await;
    app.slash(
        SlashCall::new(ids::MINA, "feedback")
            .subcommand("send")
            .string("text", "The livestream audio was quiet")
            .choice("kind", "bug")
            .boolean("anonymous", true),
    )
    .await;
    eventually("the staff post", || {
        !app.sim().messages_in(ids::CHANNEL_MOD_LOG).is_empty()
    })
    .await;
    let post = app.sim().messages_in(ids::CHANNEL_MOD_LOG).remove(0);
    let message: u64 = post["id"].as_str().unwrap().parse().unwrap();
    let reply = post["components"][0]["components"][3]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(reply, "lyceum:fbr:1");

    let (sneaky, _) = app
        .sim()
        .press(ids::SAM, ids::CHANNEL_MOD_LOG, message, &reply)
        .unwrap();
    let refused = app.sim().wait_response(sneaky).await.unwrap();
    assert_eq!(
        refused["data"]["content"],
        "Only moderators can change feedback status."
    );
    let (press, _) = app
        .sim()
        .press(ids::OWNER, ids::CHANNEL_MOD_LOG, message, &reply)
        .unwrap();
    let form = app.sim().wait_response(press).await.unwrap();
    assert_eq!(form["type"], 9, "the reply form: {form}");
    assert_eq!(form["data"]["custom_id"], "lyceum:fbr:1");

    let (submitted, _) = app.sim().submit_modal(
        ids::OWNER,
        "lyceum:fbr:1",
        &[("reply", "Thanks, fixed the microphone gain for next week.")],
    );
    let done = app.sim().wait_reply(submitted).await.unwrap();
    assert!(
        done.content.contains("on its way to the author"),
        "{}",
        done.content
    );
    eventually("the author's DM", || {
        app.sim().sent_payloads().iter().any(|(_, v)| {
            v["content"].as_str().is_some_and(|c| {
                c.contains("replied to your feedback `#1`") && c.contains("microphone gain")
            })
        })
    })
    .await;
    assert!(app
        .audit_actions()
        .await
        .contains(&"feedback.reply".to_string()));
}

#[tokio::test]
async fn feedback_goes_to_staff_with_buttons_and_adoption_pays_the_author_once() {
    let (mut app, _clock) = spawn().await;
    let sent = app
        .slash(
            SlashCall::new(ids::MINA, "feedback")
                .subcommand("send")
                .string("text", "Please add a Rust async chapter")
                .choice("kind", "content_request")
                .boolean("anonymous", true),
        )
        .await;
    assert!(
        sent.content.starts_with("🙏 Thanks! Your feedback `#1`"),
        "{}",
        sent.content
    );
    eventually("the staff post", || {
        !app.sim().messages_in(ids::CHANNEL_MOD_LOG).is_empty()
    })
    .await;
    let post = app.sim().messages_in(ids::CHANNEL_MOD_LOG).remove(0);
    assert_eq!(post["embeds"][0]["title"], "💬 Content request #1");
    assert!(post["embeds"][0]["fields"]
        .to_string()
        .contains("anonymous"));
    assert!(
        !post.to_string().contains(&ids::MINA.to_string()),
        "anonymous to members"
    );
    let message: u64 = post["id"].as_str().unwrap().parse().unwrap();
    let done = post["components"][0]["components"][1]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(done, "lyceum:fb:1:done");

    // A member cannot change the status.
    let (sneaky, _) = app
        .sim()
        .press(ids::SAM, ids::CHANNEL_MOD_LOG, message, &done)
        .unwrap();
    let refused = app.sim().wait_response(sneaky).await.unwrap();
    assert_eq!(
        refused["data"]["content"],
        "Only moderators can change feedback status."
    );

    let (press, _) = app
        .sim()
        .press(ids::OWNER, ids::CHANNEL_MOD_LOG, message, &done)
        .unwrap();
    let updated = app.sim().wait_response(press).await.unwrap();
    assert_eq!(updated["type"], 7);
    assert!(updated["data"]["embeds"][0]["fields"]
        .to_string()
        .contains("Done"));
    assert_eq!(
        balance(&app, ids::MINA).await,
        50,
        "feedback_adopted default"
    );
    eventually("the status DM", || {
        app.sim().sent_payloads().iter().any(|(_, v)| {
            v["content"].as_str().is_some_and(|c| {
                c.starts_with("📬 Your feedback `#1` is now **Done**") && c.contains("+50")
            })
        })
    })
    .await;
    // Planned, then done again: still paid once.
    for status in ["planned", "done"] {
        let (p, _) = app
            .sim()
            .press(
                ids::OWNER,
                ids::CHANNEL_MOD_LOG,
                message,
                &format!("lyceum:fb:1:{status}"),
            )
            .unwrap();
        app.sim().wait_response(p).await.unwrap();
    }
    assert_eq!(balance(&app, ids::MINA).await, 50);
    // Admins see who sent it; the list shows its status.
    let list = app
        .slash(SlashCall::new(ids::OWNER, "feedback").subcommand("list"))
        .await;
    assert!(
        list.content
            .contains(&format!("<@{}> (anonymous)", ids::MINA)),
        "{}",
        list.content
    );
    app.stop().await;
}

#[tokio::test]
async fn a_paid_question_moves_points_through_escrow_without_creating_or_destroying_any() {
    let (mut app, clock) = spawn().await;
    give(&app, ids::MINA, 300).await;
    let total = total_points(&app).await;
    let ask = |question: &str| {
        SlashCall::new(ids::MINA, "ask")
            .user_option("expert", ids::OWNER)
            .string("question", question)
    };
    // Asking someone who is not an expert is refused; so is asking beyond one's balance.
    let nobody = app
        .slash(
            SlashCall::new(ids::MINA, "ask")
                .user_option("expert", ids::SAM)
                .string("question", "Anything?"),
        )
        .await;
    assert!(
        nobody.content.contains("does not take paid questions"),
        "{}",
        nobody.content
    );

    let asked = app.slash(ask("How do I pin a future?")).await;
    assert!(
        asked.content.starts_with("✅ Question `#1` sent to"),
        "{}",
        asked.content
    );
    assert_eq!(balance(&app, ids::MINA).await, 200);
    assert_eq!(total_points(&app).await, total);

    // Only the expert answers; the escrow goes to them.
    let wrong = app
        .slash(
            SlashCall::new(ids::SAM, "answer")
                .integer("question_id", 1)
                .string("text", "me!"),
        )
        .await;
    assert_eq!(
        wrong.content,
        "That question is not yours to answer or withdraw."
    );
    let answered = app
        .slash(
            SlashCall::new(ids::OWNER, "answer")
                .integer("question_id", 1)
                .string("text", "Box::pin it."),
        )
        .await;
    assert!(
        answered.content.contains("**100** points are yours"),
        "{}",
        answered.content
    );
    assert_eq!(balance(&app, ids::OWNER).await, 100);
    assert_eq!(total_points(&app).await, total);
    eventually("the answer in the Q&A channel", || {
        app.sim().messages_in(ids::CHANNEL_GENERAL).iter().any(|m| {
            m["content"]
                .as_str()
                .is_some_and(|c| c.contains("Box::pin it."))
        })
    })
    .await;

    // Withdrawn: the points come back.
    app.slash(ask("Second question?")).await;
    let withdrawn = app
        .slash(SlashCall::new(ids::MINA, "withdraw").integer("question_id", 2))
        .await;
    assert!(
        withdrawn.content.starts_with("↩️ Question `#2` withdrawn"),
        "{}",
        withdrawn.content
    );
    assert_eq!(balance(&app, ids::MINA).await, 200);

    // Unanswered by the deadline (48 h): refunded once, with a DM; a late answer is refused.
    app.slash(ask("Third question?")).await;
    assert_eq!(balance(&app, ids::MINA).await, 100);
    clock.advance(chrono::Duration::hours(49));
    app.bot()
        .app
        .state
        .wakes
        .fire(lyceum::features::qa::QUESTIONS);
    let deadline = tokio::time::Instant::now() + WAIT;
    while app
        .count("SELECT COUNT(*) FROM questions WHERE id = 3 AND status = 'refunded'")
        .await
        == 0
    {
        assert!(tokio::time::Instant::now() < deadline, "no refund");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(balance(&app, ids::MINA).await, 200);
    let late = app
        .slash(
            SlashCall::new(ids::OWNER, "answer")
                .integer("question_id", 3)
                .string("text", "Sorry!"),
        )
        .await;
    assert_eq!(
        late.content,
        "Question `#3` is already answered, refunded or withdrawn."
    );
    assert_eq!(total_points(&app).await, total);
    app.stop().await;
}

/// The deadline decides, not the refund job: an answer at the deadline is refused whether the
/// job has refunded the question already or not yet (the job may wake from the ask before the
/// clock moves; `qa::tests` pins the "not yet" case), and exactly one outcome follows.
#[tokio::test]
async fn an_answer_at_the_deadline_is_refused_and_one_outcome_follows() {
    let (mut app, clock) = spawn().await;
    give(&app, ids::MINA, 100).await;
    let total = total_points(&app).await;
    app.slash(
        SlashCall::new(ids::MINA, "ask")
            .user_option("expert", ids::OWNER)
            .string("question", "Race?"),
    )
    .await;
    clock.advance(chrono::Duration::hours(48));
    let reply = app
        .slash(
            SlashCall::new(ids::OWNER, "answer")
                .integer("question_id", 1)
                .string("text", "Just in time")
                .locale("zh-CN"),
        )
        .await;
    assert!(
        [
            "问题 `#1` 的回答时限已过：积分将退还给提问者。",
            "问题 `#1` 已回答、已退款或已撤回。"
        ]
        .contains(&reply.content.as_str()),
        "{}",
        reply.content
    );
    assert_eq!(balance(&app, ids::OWNER).await, 0, "no payout");
    app.bot()
        .app
        .state
        .wakes
        .fire(lyceum::features::qa::QUESTIONS);
    let deadline = tokio::time::Instant::now() + WAIT;
    while app
        .count("SELECT COUNT(*) FROM questions WHERE id = 1 AND status = 'refunded'")
        .await
        == 0
    {
        assert!(tokio::time::Instant::now() < deadline, "no refund");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        (
            balance(&app, ids::OWNER).await,
            balance(&app, ids::MINA).await
        ),
        (0, 100)
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM points_ledger WHERE kind IN ('qa_payout', 'qa_refund')")
            .await,
        1,
        "exactly one outcome"
    );
    assert_eq!(total_points(&app).await, total);
    app.stop().await;
}

#[tokio::test]
async fn stats_overview_counts_what_members_did_and_export_returns_csv() {
    let (mut app, _clock) = spawn().await;
    for (member, text) in [
        (ids::MINA, "first message here"),
        (ids::MINA, "second message here"),
        (ids::KAI, "你好，大家好，今天学习什么"),
    ] {
        app.sim().message_create(ids::CHANNEL_GENERAL, member, text);
    }
    app.slash(SlashCall::new(ids::MINA, "checkin")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let overview = app
        .slash(
            SlashCall::new(ids::OWNER, "stats")
                .subcommand("overview")
                .string("period", "7d"),
        )
        .await;
    let text = &overview.content;
    assert!(text.starts_with("**Community — last 7 days**"), "{text}");
    assert!(text.contains("WAU 2 · MAU 2"), "{text}");
    assert!(
        text.contains(&format!("Top channels: <#{}> 3", ids::CHANNEL_GENERAL)),
        "{text}"
    );
    assert!(
        text.contains("Content plan: 0 published of 3 planned (0%)"),
        "{text}"
    );
    assert_eq!(overview.raw["_files"][0]["filename"], "activity.png");
    assert!(overview.raw["_files"][0]["content"]
        .as_str()
        .unwrap()
        .contains("PNG"));
    let retention = app
        .slash(
            SlashCall::new(ids::OWNER, "stats")
                .subcommand("retention")
                .locale("zh-CN"),
        )
        .await;
    assert!(
        retention.content.contains("每周新成员留存"),
        "{}",
        retention.content
    );
    assert_eq!(retention.raw["_files"][0]["filename"], "retention.png");
    let export = app
        .slash(
            SlashCall::new(ids::OWNER, "stats")
                .subcommand("export")
                .string("period", "7d"),
        )
        .await;
    let csv = export.raw["_files"][0]["content"].as_str().unwrap();
    // Each member's name beside their id: the spreadsheet reads as people.
    assert!(csv.starts_with("day,member_id,member,messages"), "{csv}");
    assert!(
        csv.contains(&format!("2026-12-01,{},mina,2", ids::MINA)),
        "{csv}"
    );
    // Members may not read analytics.
    let refused = app
        .slash(SlashCall::new(ids::MINA, "stats").subcommand("overview"))
        .await;
    assert!(
        !refused.content.contains("Community —"),
        "{}",
        refused.content
    );
    app.stop().await;
}

#[tokio::test]
async fn with_payout_to_the_pool_the_answer_pays_the_community_account() {
    let clock = Arc::new(ManualClock::new(now()));
    let mut app =
        TestApp::spawn_clocked("\n[qa]\ndefault_price = 40\npayout = \"pool\"\n", clock).await;
    give(&app, ids::MINA, 40).await;
    let total = total_points(&app).await;
    app.slash(
        SlashCall::new(ids::MINA, "ask")
            .user_option("expert", ids::OWNER)
            .string("question", "Pool?"),
    )
    .await;
    let answered = app
        .slash(
            SlashCall::new(ids::OWNER, "answer")
                .integer("question_id", 1)
                .string("text", "Yes."),
        )
        .await;
    assert!(
        answered.content.contains("went to the community pool"),
        "{}",
        answered.content
    );
    assert_eq!(balance(&app, ids::OWNER).await, 0);
    assert_eq!(balance(&app, ids::GUILD).await, 40);
    assert_eq!(total_points(&app).await, total);
    app.stop().await;
}
