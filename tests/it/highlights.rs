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
    // Each in their own language: Kai's Discord speaks Chinese (he searched above), Mina's
    // English.
    let start_here = |app: &TestApp| {
        app.sim()
            .sent_payloads()
            .iter()
            .filter(|(_, v)| {
                let title = &v["embeds"][0]["title"];
                title == "👋 Start here" || title == "👋 从这里开始"
            })
            .count()
    };
    eventually_sync("the start-here DM", || start_here(&app) == 1).await;
    let dm = app
        .sim()
        .sent_payloads()
        .into_iter()
        .find(|(_, v)| v["embeds"][0]["title"] == "👋 从这里开始")
        .expect("Kai's start-here DM in Chinese")
        .1;
    let body = dm["embeds"][0]["description"].as_str().unwrap();
    assert!(body.contains("欢迎加入专业会员"), "{body}");
    assert!(body.contains(&link), "{body}");
    app.slash(grant(ids::KAI)).await;
    app.slash(grant(ids::MINA)).await;
    eventually_sync("Mina's start-here DM", || start_here(&app) == 2).await;
    let mina = app
        .sim()
        .sent_payloads()
        .into_iter()
        .find(|(_, v)| v["embeds"][0]["title"] == "👋 Start here")
        .expect("Mina's start-here DM in English")
        .1;
    let body = mina["embeds"][0]["description"].as_str().unwrap();
    assert!(body.contains("Welcome to Pro membership!"), "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM start_here_sent").await, 2);
    app.stop().await;
}
