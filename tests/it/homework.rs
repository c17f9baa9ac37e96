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

mod in_a_forum {
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
