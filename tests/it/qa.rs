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
    let mut app = TestApp::spawn_with("[qa]\nlisten_price = 20\nlisten_split = \"50:50\"\n").await;
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
