//! Every kind of outbox effect reaches Discord as the right REST call, and Discord's refusals
//! are recorded with their reason.

use chrono::Utc;
use lyceum::harness::sim::ids;
use lyceum::outbox::{Effect, MessageBody};
use serenity::all::{ChannelId, GuildId, MessageId, UserId};

use crate::support::{enqueue_effects, settled, OutboxState, TestApp};

async fn enqueue(app: &TestApp, effect: Effect) -> i64 {
    enqueue_effects(app, &[effect]).await[0]
}

#[tokio::test]
async fn messages_dms_deletes_and_timeouts_are_delivered() {
    let mut app = TestApp::spawn().await;

    let id = enqueue(
        &app,
        Effect::SendMessage {
            channel_id: ChannelId::new(ids::CHANNEL_ANNOUNCEMENTS),
            body: MessageBody::text("Live at 8pm!"),
        },
    )
    .await;
    assert_eq!(settled(&app, id).await.status, "delivered");
    let posted = app.sim().messages_in(ids::CHANNEL_ANNOUNCEMENTS);
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0]["content"], "Live at 8pm!");
    let sent = app.requests(
        "POST",
        &format!("/channels/{}/messages", ids::CHANNEL_ANNOUNCEMENTS),
    );
    assert_eq!(
        (&sent[0].body["nonce"], &sent[0].body["enforce_nonce"]),
        (
            &serde_json::json!(format!("lyceum-{id}")),
            &serde_json::json!(true)
        ),
        "a retried create cannot duplicate"
    );

    let id = enqueue(
        &app,
        Effect::SendDm {
            user_id: UserId::new(ids::MINA),
            body: MessageBody::text("Welcome!"),
        },
    )
    .await;
    assert_eq!(settled(&app, id).await.status, "delivered");
    let dm = app.requests("POST", "/users/@me/channels");
    assert_eq!(dm[0].body["recipient_id"], ids::MINA.to_string());

    // Sam has closed DMs: Discord refuses for good, and the reason is kept.
    let id = enqueue(
        &app,
        Effect::SendDm {
            user_id: UserId::new(ids::SAM),
            body: MessageBody::text("Hi"),
        },
    )
    .await;
    assert_eq!(
        settled(&app, id).await,
        OutboxState {
            status: "failed".into(),
            attempts: 1,
            last_error: Some("403: Cannot send messages to this user (code 50007)".into()),
        }
    );

    let message = app
        .sim()
        .message_create(ids::CHANNEL_GENERAL, ids::MINA, "spam spam");
    let id = enqueue(
        &app,
        Effect::DeleteMessage {
            channel_id: ChannelId::new(ids::CHANNEL_GENERAL),
            message_id: MessageId::new(message),
            reason: "automod".into(),
        },
    )
    .await;
    assert_eq!(settled(&app, id).await.status, "delivered");
    let message_id = message.to_string();
    let remaining = app.sim().messages_in(ids::CHANNEL_GENERAL);
    let delete = &app.requests("DELETE", &format!("/messages/{message}"))[0];
    assert_eq!(
        (delete.status, delete.audit_reason.as_deref()),
        (204, Some("automod"))
    );
    assert!(remaining
        .iter()
        .all(|m| m["id"].as_str() != Some(message_id.as_str())));
    // Deleting it again (say, two automod rules fired): Discord says 404, nothing to retry.
    let again = enqueue(
        &app,
        Effect::DeleteMessage {
            channel_id: ChannelId::new(ids::CHANNEL_GENERAL),
            message_id: MessageId::new(message),
            reason: "automod".into(),
        },
    )
    .await;
    assert_eq!(
        settled(&app, again).await,
        OutboxState {
            status: "skipped".into(),
            attempts: 1,
            last_error: Some("message was already gone".into()),
        }
    );

    let until = Utc::now() + chrono::Duration::minutes(10);
    let id = enqueue(
        &app,
        Effect::TimeoutMember {
            guild_id: GuildId::new(ids::GUILD),
            user_id: UserId::new(ids::KAI),
            until: Some(until),
            reason: "flood".into(),
        },
    )
    .await;
    assert_eq!(settled(&app, id).await.status, "delivered");
    let patch = &app.requests("PATCH", &format!("/members/{}", ids::KAI))[0];
    assert_eq!(
        patch.body["communication_disabled_until"],
        until.to_rfc3339()
    );
    assert_eq!(patch.audit_reason.as_deref(), Some("flood"));
    app.stop().await;
}

#[tokio::test]
async fn one_targets_items_stay_in_order_behind_a_retry() {
    let mut app = TestApp::spawn().await;
    let channel = ChannelId::new(ids::CHANNEL_ANNOUNCEMENTS);
    app.sim().inject_faults(
        "POST",
        &format!("/channels/{}/messages", ids::CHANNEL_ANNOUNCEMENTS),
        vec![lyceum::harness::sim::Fault::Status(502)],
    );
    let first = enqueue(
        &app,
        Effect::SendMessage {
            channel_id: channel,
            body: MessageBody::text("first"),
        },
    )
    .await;
    let second = enqueue(
        &app,
        Effect::SendMessage {
            channel_id: channel,
            body: MessageBody::text("second"),
        },
    )
    .await;
    assert_eq!(settled(&app, first).await.status, "delivered");
    assert_eq!(settled(&app, second).await.status, "delivered");
    let contents: Vec<String> = app
        .sim()
        .messages_in(ids::CHANNEL_ANNOUNCEMENTS)
        .iter()
        .map(|m| m["content"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(contents, vec!["first", "second"]);
    app.stop().await;
}

#[tokio::test]
async fn a_global_rate_limit_holds_every_delivery() {
    let mut app = TestApp::spawn().await;
    let limited = format!("/channels/{}/messages", ids::CHANNEL_ANNOUNCEMENTS);
    let other = format!("/channels/{}/messages", ids::CHANNEL_WELCOME);
    app.sim().inject_faults(
        "POST",
        &limited,
        vec![lyceum::harness::sim::Fault::GlobalRateLimited(0.5)],
    );
    let first = enqueue(
        &app,
        Effect::SendMessage {
            channel_id: ChannelId::new(ids::CHANNEL_ANNOUNCEMENTS),
            body: MessageBody::text("first"),
        },
    )
    .await;
    // Deliveries already in flight when the 429 comes cannot be called back; everything sent
    // after the worker has heard it waits out `retry_after`.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (attempts,): (i64,) = sqlx::query_as("SELECT attempts FROM outbox WHERE id = ?")
            .bind(first)
            .fetch_one(&app.db().read)
            .await
            .unwrap();
        if attempts > 0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the first post was never tried"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let second = enqueue(
        &app,
        Effect::SendMessage {
            channel_id: ChannelId::new(ids::CHANNEL_WELCOME),
            body: MessageBody::text("welcome"),
        },
    )
    .await;
    assert_eq!(settled(&app, first).await.status, "delivered");
    assert_eq!(settled(&app, second).await.status, "delivered");
    let limited_at = app.requests("POST", &limited)[0].clone();
    assert_eq!(limited_at.status, 429);
    let other_at = &app.requests("POST", &other)[0];
    let held = other_at.at.duration_since(limited_at.at);
    assert!(
        held >= std::time::Duration::from_millis(500),
        "another channel was posted to {held:?} after a global 429"
    );
    app.stop().await;
}
