//! The gateway connection survives a dropped socket, and `/healthz` reports it.

use std::time::Duration;

use lyceum::harness::sim::calls::admin;
use lyceum::harness::sim::ids;

use crate::support::{eventually, TestApp, WAIT};

#[tokio::test]
async fn after_a_dropped_socket_the_bot_resumes_and_keeps_answering() {
    let mut app = TestApp::spawn().await;
    let list = || admin::list(ids::OWNER);
    assert!(app.slash(list()).await.content.starts_with("**Staff**"));

    let (identifies, resumes) = app.sim().gateway_counts();
    app.sim().drop_gateway();
    // An event that happens while the socket is down is replayed on RESUME.
    app.sim()
        .message_create(ids::CHANNEL_GENERAL, ids::MINA, "anyone there?");
    let deadline = tokio::time::Instant::now() + WAIT;
    while app.sim().gateway_counts() == (identifies, resumes) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the bot never reconnected"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        app.sim().gateway_counts(),
        (identifies, resumes + 1),
        "resumed, not re-identified"
    );

    // The message sent while the socket was down reached the bot on the resumed session.
    let replayed = app.sim().sent_payloads().into_iter().any(|(kind, frame)| {
        kind == "gateway:MESSAGE_CREATE" && frame["d"]["content"] == "anyone there?"
    });
    assert!(replayed, "the missed MESSAGE_CREATE was not replayed");

    let reply = app.slash(list()).await;
    assert!(reply.content.starts_with("**Staff**"), "{}", reply.content);
    app.stop().await;
}

async fn metrics_text(app: &TestApp) -> String {
    reqwest::get(format!("http://{}/metrics", app.bot().app.web_addr))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn healthz_reports_gateway_database_and_outbox() {
    let mut app = TestApp::spawn().await;
    let url = format!("http://{}/healthz", app.bot().app.web_addr);
    assert!(app.bot().app.web_addr.ip().is_loopback());
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "gateway": "connected",
            "database": "ok",
            "delivery": "alive",
            "discord_auth": "unknown",
            "outbox_pending": 0,
            "outbox_failed": 0,
            "outbox_oldest_pending_age_s": null,
            "points_uncommitted": 0,
            "roles_out_of_sync": 0,
            "problems": [],
        })
    );

    let metrics = metrics_text(&app).await;
    assert!(
        metrics.contains("lyceum_outbox_items{status=\"pending\"} 0"),
        "{metrics}"
    );
    assert!(metrics.contains("lyceum_gateway_connected 1"), "{metrics}");
    assert!(
        metrics.contains("lyceum_gateway_messages_total 0"),
        "{metrics}"
    );
    assert!(
        metrics.contains("lyceum_points_committed_total 0"),
        "{metrics}"
    );
    // A member's message is counted once decided.
    app.sim()
        .message_create(ids::CHANNEL_GENERAL, ids::MINA, "hello everyone");
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let metrics = metrics_text(&app).await;
        // Decided, then its chat points committed by the batch writer.
        if metrics.contains("lyceum_gateway_messages_total 1")
            && metrics.contains("lyceum_points_committed_total 1")
            && metrics.contains("lyceum_points_uncommitted 0")
        {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{metrics}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // With the database closed the bot is not healthy.
    app.db().read.close().await;
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["database"], "unreachable");
    app.stop().await;
}

async fn messages_decided(app: &TestApp) -> u64 {
    metrics_text(app)
        .await
        .lines()
        .find_map(|l| l.strip_prefix("lyceum_gateway_messages_total "))
        .and_then(|n| n.trim().parse().ok())
        .expect("the message counter")
}

/// The gateway front decides messages itself; a RESUME after a dropped socket replays from the
/// last frame serenity saw, which is before messages the front had already decided: those
/// are skipped, the one missed while the socket was down is decided, each exactly once.
#[tokio::test]
async fn after_a_resume_no_message_is_decided_twice_or_missed() {
    let mut app = TestApp::spawn().await;
    for text in ["first question", "second question"] {
        app.sim()
            .message_create(ids::CHANNEL_GENERAL, ids::MINA, text);
    }
    eventually("two messages decided", async || {
        messages_decided(&app).await == 2
    })
    .await;
    let (_, resumes) = app.sim().gateway_counts();
    app.sim().drop_gateway();
    app.sim()
        .message_create(ids::CHANNEL_GENERAL, ids::KAI, "missed while down");
    eventually("resumed", async || app.sim().gateway_counts().1 > resumes).await;
    eventually("the missed message decided", async || {
        messages_decided(&app).await >= 3
    })
    .await;
    // A slash command after the resume is answered, so everything replayed before it was read.
    let reply = app.slash(admin::list(ids::OWNER)).await;
    assert!(reply.content.starts_with("**Staff**"), "{}", reply.content);
    assert_eq!(messages_decided(&app).await, 3);
    app.stop().await;
}

/// `discord.gateway_front = false`: serenity decodes every event, messages still earn points.
#[tokio::test]
async fn without_the_gateway_front_messages_go_through_serenity() {
    let mut app = TestApp::spawn_edited(|text| {
        text.replace("[discord]\n", "[discord]\ngateway_front = false\n")
    })
    .await;
    app.sim().message_create(
        ids::CHANNEL_GENERAL,
        ids::MINA,
        "hello from serenity's path",
    );
    eventually("the chat award committed", async || {
        app.count(&format!(
            "SELECT COUNT(*) FROM points_ledger WHERE kind = 'chat' AND member_id = {}",
            ids::MINA
        ))
        .await
            == 1
    })
    .await;
    assert_eq!(messages_decided(&app).await, 1);
    app.stop().await;
}
