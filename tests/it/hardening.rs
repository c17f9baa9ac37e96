//! The outbox and the lifecycle under the failures a long-running bot meets: stale caches,
//! failed bookkeeping writes, refused tokens, lost permissions, rollbacks, uncertain message
//! posts, leaked tokens, and stops in awkward states.

use std::time::Duration;

use lyceum::harness::sim::calls::admin;
use lyceum::harness::sim::{ids, Fault, SlashCall};
use lyceum::outbox::{Effect, MessageBody};
use serenity::all::{ChannelId, GuildId, RoleId, UserId};

use crate::support::{
    enqueue_effects, eventually, logs, newest_outbox_id, settled, OutboxState, TestApp, WAIT,
};

fn grant(user: u64, level: &str) -> SlashCall {
    admin::grant(ids::OWNER, user, level)
}

fn revoke(user: u64) -> SlashCall {
    admin::revoke(ids::OWNER, user)
}

fn role_path(user: u64, role: u64) -> String {
    format!("/guilds/{}/members/{user}/roles/{role}", ids::GUILD)
}

fn add_role(user: u64, role: u64) -> Effect {
    Effect::AddRole {
        guild_id: GuildId::new(ids::GUILD),
        user_id: UserId::new(user),
        role_id: RoleId::new(role),
        reason: "test".into(),
    }
}

async fn outbox_row(app: &TestApp, id: i64) -> OutboxState {
    sqlx::query_as("SELECT status, attempts, last_error FROM outbox WHERE id = ?")
        .bind(id)
        .fetch_one(&app.db().read)
        .await
        .unwrap()
}

/// Defect 1: the cache learns of a role change only from a GUILD_MEMBER_UPDATE that trails the
/// REST answer. Deciding from it skipped the revoke, and a revoked moderator kept the role.
#[tokio::test]
async fn a_revoke_right_after_a_retried_grant_removes_the_role_despite_a_stale_cache() {
    let mut app = TestApp::spawn().await;
    app.sim().set_event_lag(Duration::from_secs(5));
    let path = role_path(ids::MINA, ids::ROLE_MODERATOR);
    app.sim()
        .inject_faults("PUT", &path, vec![Fault::Status(503)]);

    app.slash(grant(ids::MINA, "moderator")).await;
    app.slash(revoke(ids::MINA)).await;

    let removed = app
        .sim()
        .wait_request("DELETE", &path, 1, WAIT)
        .await
        .expect("the revoke reaches Discord");
    assert_eq!(removed.status, 204);
    // The add's retry either went out before the revoke, or came after it and was dropped as
    // obsolete (not sent again): either way the member ends without the role.
    let add = settled(&app, newest_outbox_id(&app, "add_role").await).await;
    let statuses: Vec<u16> = app
        .requests("PUT", &path)
        .iter()
        .map(|r| r.status)
        .collect();
    match add.status.as_str() {
        "delivered" => assert_eq!(statuses, vec![503, 204]),
        "skipped" => {
            // Dropped at its retry, or before its first try when the revoke won the race.
            assert!(statuses.is_empty() || statuses == vec![503], "{statuses:?}");
            assert!(
                add.last_error
                    .as_deref()
                    .unwrap_or_default()
                    .contains("obsolete"),
                "{add:?}"
            );
        }
        other => panic!("the add ended {other}: {add:?}"),
    }
    assert!(
        app.sim().member_roles(ids::MINA).is_empty(),
        "no longer a moderator on Discord"
    );
    app.stop().await;
}

/// Defect 2: a failed bookkeeping write left the item claimed forever, wedging its target.
#[tokio::test]
async fn a_failed_bookkeeping_write_is_retried_and_never_wedges_the_target() {
    let mut app = TestApp::spawn().await;
    sqlx::query(
        "CREATE TRIGGER fail_bookkeeping BEFORE UPDATE OF status ON outbox
         WHEN NEW.status = 'delivered' AND OLD.kind = 'add_role'
         BEGIN SELECT RAISE(ABORT, 'disk I/O error (simulated)'); END",
    )
    .execute(&app.db().write)
    .await
    .unwrap();

    let moderator = role_path(ids::MINA, ids::ROLE_MODERATOR);
    app.slash(grant(ids::MINA, "moderator")).await;
    app.sim()
        .wait_request("PUT", &moderator, 1, WAIT)
        .await
        .expect("the role is sent");
    // The outcome could not be written; the worker holds it and keeps trying.
    eventually("a failed bookkeeping attempt is logged", async || {
        logs().contains("disk I/O error (simulated)")
    })
    .await;
    // A later change for the same member waits its turn, then goes through.
    app.slash(grant(ids::MINA, "admin")).await;
    sqlx::query("DROP TRIGGER fail_bookkeeping")
        .execute(&app.db().write)
        .await
        .unwrap();

    let admin = role_path(ids::MINA, ids::ROLE_ADMIN);
    app.sim()
        .wait_request("PUT", &admin, 1, WAIT)
        .await
        .expect("the later item is not wedged");
    let first = newest_outbox_id(&app, "remove_role").await - 1;
    assert_eq!(settled(&app, first).await.status, "delivered");
    assert_eq!(app.requests("PUT", &moderator).len(), 1, "sent once");
    assert_eq!(app.sim().member_roles(ids::MINA), vec![ids::ROLE_ADMIN]);
    app.stop().await;
}

/// Defect 3: a 401 failed items for good. Now delivery pauses, items stay pending, and
/// /healthz says why.
#[tokio::test]
async fn a_refused_token_pauses_delivery_and_shows_in_healthz_without_failing_items() {
    let mut app = TestApp::spawn().await;
    let path = role_path(ids::KAI, ids::ROLE_MODERATOR);
    app.sim().inject_faults(
        "PUT",
        &path,
        vec![Fault::Status(401), Fault::Status(401), Fault::Status(401)],
    );
    app.slash(grant(ids::KAI, "moderator")).await;

    let (status, body) = app
        .healthz_when("healthz reports the refused token", |_, body| {
            body["discord_auth"] == "unauthorized"
        })
        .await;
    assert_eq!(status, 503);
    assert!(
        body["problems"]
            .to_string()
            .contains("refuses the bot token"),
        "{body}"
    );

    let id = newest_outbox_id(&app, "add_role").await;
    let row = settled(&app, id).await;
    assert_eq!(
        (row.status.as_str(), row.attempts),
        ("delivered", 1),
        "401s are not the item's fault"
    );
    assert_eq!(app.requests("PUT", &path).len(), 4);
    let (status, body) = app.healthz().await;
    assert_eq!(
        (status, &body["discord_auth"]),
        (200, &serde_json::json!("ok"))
    );
    app.stop().await;
}

/// Chat points whose batch cannot be committed (a full disk; here a trigger fails the insert)
/// are kept and retried, not dropped: /healthz reports them waiting, `/points show` counts
/// them, and once the database takes writes again they arrive.
#[tokio::test]
async fn chat_points_that_cannot_be_committed_are_kept_reported_and_arrive_later() {
    let mut app = TestApp::spawn().await;
    sqlx::query(
        "CREATE TRIGGER fail_points BEFORE INSERT ON points_ledger
         BEGIN SELECT RAISE(ABORT, 'disk I/O error (simulated)'); END",
    )
    .execute(&app.db().write)
    .await
    .unwrap();
    app.sim()
        .message_create(ids::CHANNEL_GENERAL, ids::MINA, "a message worth points");
    let (_, body) = app
        .healthz_when("healthz reports the points writer failing", |status, _| {
            status == 503
        })
        .await;
    assert_eq!(body["points_uncommitted"], 1, "{body}");
    assert!(
        body["problems"]
            .to_string()
            .contains("chat points cannot be committed (1 waiting)"),
        "{body}"
    );

    // A member asking meanwhile is answered at once, not left waiting for the writer, with
    // the points still queued for it counted.
    let reply = app
        .slash(SlashCall::new(ids::MINA, "points").subcommand("show"))
        .await;
    let shown: i64 = reply
        .content
        .split("Balance: **")
        .nth(1)
        .and_then(|rest| rest.split("**").next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a balance in {}", reply.content));
    assert!((15..=25).contains(&shown), "{}", reply.content);

    sqlx::query("DROP TRIGGER fail_points")
        .execute(&app.db().write)
        .await
        .unwrap();
    app.healthz_when("the points arrive and healthz recovers", |status, body| {
        status == 200 && body["points_uncommitted"] == 0
    })
    .await;
    let balance = app
        .count(&format!(
            "SELECT balance FROM points_members WHERE member_id = {}",
            ids::MINA
        ))
        .await;
    assert_eq!(balance, shown, "what was shown is what was committed");
    app.stop().await;
}

/// Defect 3: a run of Missing Permissions pauses delivery and says so in the mod log instead
/// of failing the whole queue at full speed.
#[tokio::test]
async fn a_run_of_missing_permissions_pauses_delivery_and_tells_the_mod_log() {
    let mut app = TestApp::spawn().await;
    // A role no feature manages: each add is sent as asked.
    let path = role_path(ids::SAM, ids::ROLE_REGULAR);
    app.sim()
        .inject_faults("PUT", &path, vec![Fault::MissingPermissions; 5]);
    let items = enqueue_effects(&app, &vec![add_role(ids::SAM, ids::ROLE_REGULAR); 6]).await;

    let sixth = app
        .sim()
        .wait_request("PUT", &path, 6, WAIT)
        .await
        .expect("the sixth item after the pause");
    assert_eq!(sixth.status, 204);
    let fifth = &app.requests("PUT", &path)[4];
    // The config's retry_max ("2s") is the pause.
    assert!(
        sixth.at.duration_since(fifth.at) >= Duration::from_millis(1_900),
        "paused after the run"
    );
    for id in &items[..5] {
        let row = outbox_row(&app, *id).await;
        assert_eq!(row.status, "failed");
        assert!(row.last_error.unwrap().contains("code 50013"));
    }
    let notice = format!("/channels/{}/messages", ids::CHANNEL_MOD_LOG);
    eventually("the mod log is told", async || {
        app.requests("POST", &notice).iter().any(|r| {
            r.body["content"]
                .as_str()
                .unwrap_or_default()
                .contains("Missing Permissions")
        })
    })
    .await;
    app.stop().await;
}

/// Defect 4: failed items can be re-queued by an admin after fixing the cause.
#[tokio::test]
async fn admin_retry_requeues_failed_items_and_is_audited() {
    let mut app = TestApp::spawn().await;
    let path = role_path(ids::MINA, ids::ROLE_MODERATOR);
    app.sim()
        .inject_faults("PUT", &path, vec![Fault::MissingPermissions]);
    app.slash(grant(ids::MINA, "moderator")).await;
    let id = newest_outbox_id(&app, "add_role").await;
    assert_eq!(settled(&app, id).await.status, "failed");

    let member = app.slash(admin::retry(ids::MINA)).await;
    assert!(
        member.content.starts_with("You need the admin level"),
        "{}",
        member.content
    );

    let delivered_id = newest_outbox_id(&app, "send_message").await;
    let wrong = app
        .slash(admin::retry(ids::OWNER).integer("item", delivered_id))
        .await;
    assert!(
        wrong.content.contains("has not failed"),
        "{}",
        wrong.content
    );

    let reply = app.slash(admin::retry(ids::OWNER)).await;
    assert_eq!(
        reply.content,
        "Re-queued 1 failed item; it is delivered in order with the rest."
    );
    assert_eq!(settled(&app, id).await.status, "delivered");
    assert_eq!(app.sim().member_roles(ids::MINA), vec![ids::ROLE_MODERATOR]);
    let retry = app
        .audit_rows()
        .await
        .into_iter()
        .next()
        .expect("an audit row");
    assert_eq!(retry.action, "outbox.retry");
    assert_eq!(retry.arguments, r#"{"item":null,"requeued":1}"#);
    app.stop().await;
}

/// Defect 5: after a rollback, items of a kind this build does not know stay pending (in
/// their place in line) and are delivered once a build that knows them runs.
#[tokio::test]
async fn an_unknown_effect_kind_stays_pending_until_a_build_that_knows_it_runs() {
    let mut app = TestApp::spawn().await;
    let key = format!("channel:{}", ids::CHANNEL_GENERAL);
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO outbox (ordering_key, kind, payload, next_attempt_at, created_at)
         VALUES (?, 'pin_message', '{\"kind\":\"pin_message\",\"message_id\":\"5\"}', 0, 0)
         RETURNING id",
    )
    .bind(&key)
    .fetch_one(&app.db().write)
    .await
    .unwrap();
    let behind = enqueue_effects(
        &app,
        &[Effect::SendMessage {
            channel_id: ChannelId::new(ids::CHANNEL_GENERAL),
            body: MessageBody::text("after the pin"),
        }],
    )
    .await[0];

    eventually("the unknown item is set aside", async || {
        outbox_row(&app, id)
            .await
            .last_error
            .is_some_and(|e| e.contains("knows `pin_message`"))
    })
    .await;
    assert_eq!(outbox_row(&app, id).await.status, "pending");
    assert_eq!(
        outbox_row(&app, behind).await.status,
        "pending",
        "order kept"
    );

    // "A newer build": the payload becomes one this build reads, then the bot restarts.
    let readable = serde_json::to_string(&Effect::SendMessage {
        channel_id: ChannelId::new(ids::CHANNEL_GENERAL),
        body: MessageBody::text("the pin"),
    })
    .unwrap();
    sqlx::query("UPDATE outbox SET kind = 'send_message', payload = ? WHERE id = ?")
        .bind(readable)
        .bind(id)
        .execute(&app.db().write)
        .await
        .unwrap();
    app.restart().await;
    assert_eq!(settled(&app, behind).await.status, "delivered");
    let texts: Vec<String> = app
        .sim()
        .messages_in(ids::CHANNEL_GENERAL)
        .iter()
        .map(|m| m["content"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(texts, vec!["the pin", "after the pin"]);
    app.stop().await;
}

fn mod_log_texts(app: &TestApp) -> Vec<String> {
    app.sim()
        .messages_in(ids::CHANNEL_MOD_LOG)
        .iter()
        .map(|m| m["content"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Defect 6, inside the nonce window: Discord returns the first message for the nonce.
#[tokio::test]
async fn a_post_retried_inside_the_nonce_window_appears_once() {
    let mut app = TestApp::spawn().await;
    let path = format!("/channels/{}/messages", ids::CHANNEL_MOD_LOG);
    app.sim()
        .inject_faults("POST", &path, vec![Fault::AfterApplying(502)]);
    app.slash(grant(ids::MINA, "moderator")).await;
    let id = newest_outbox_id(&app, "send_message").await;
    assert_eq!(settled(&app, id).await.status, "delivered");
    assert_eq!(mod_log_texts(&app).len(), 1);
    assert_eq!(app.requests("POST", &path).len(), 2, "retried blind");
    assert!(app.requests("GET", &path).is_empty(), "no check needed");
    app.stop().await;
}

/// Defect 6, past the nonce window: the retry checks the channel first and finds the post.
#[tokio::test]
async fn a_post_retried_after_the_nonce_window_is_checked_first_and_appears_once() {
    let mut app = TestApp::spawn_with("").await;
    app.stop().await;
    let config = app.dir.path().join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace(
            "retry_max = \"2s\"",
            "retry_max = \"2s\"\nnonce_window = \"50ms\"",
        ),
    )
    .unwrap();
    app.sim().set_nonce_window(Duration::from_millis(50));
    app.restart().await;

    let path = format!("/channels/{}/messages", ids::CHANNEL_MOD_LOG);
    app.sim()
        .inject_faults("POST", &path, vec![Fault::AfterApplying(502)]);
    app.slash(grant(ids::MINA, "moderator")).await;
    let id = newest_outbox_id(&app, "send_message").await;
    assert_eq!(settled(&app, id).await.status, "delivered");
    assert_eq!(mod_log_texts(&app).len(), 1, "{:?}", mod_log_texts(&app));
    assert_eq!(app.requests("POST", &path).len(), 1, "not posted again");
    assert_eq!(app.requests("GET", &path).len(), 1, "checked once");
    app.stop().await;
}

/// Defect 7: an internal error's log line carries the failed request's URL, and with it the
/// interaction token; the log shows `[redacted]` instead.
#[tokio::test]
async fn interaction_tokens_never_reach_the_logs() {
    let mut app = TestApp::spawn().await;
    app.sim().inject_faults(
        "POST",
        "/callback",
        vec![Fault::Status(500), Fault::Status(500)],
    );
    let (_, token) = app.sim().invoke(&admin::list(ids::OWNER)).unwrap();
    app.sim()
        .wait_request("POST", "/callback", 2, WAIT)
        .await
        .expect("the reply and the error reply were tried");
    eventually("the failure is logged", async || {
        logs().contains("could not deliver error reply")
    })
    .await;
    let logs = logs();
    assert!(!logs.contains(&token), "the interaction token leaked");
    assert!(
        logs.contains("/interactions/"),
        "the URL is logged, redacted"
    );
    assert!(logs.contains("[redacted]"));
    assert!(
        !logs.contains(lyceum::harness::sim::SIM_TOKEN),
        "the bot token leaked"
    );
    app.stop().await;
}

/// Defect 9: SIGTERM ends `lyceum run` in time before the first gateway connection, while
/// Discord accepts the connection and never answers (serenity has no shard to stop yet).
#[tokio::test]
async fn lyceum_run_stops_on_sigterm_while_discord_never_answers() {
    let black_hole = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = black_hole.local_addr().unwrap();
    let (connected, mut first_connection) = tokio::sync::mpsc::unbounded_channel();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = black_hole.accept().await {
            open.push(socket);
            let _ = connected.send(());
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let text = format!(
        "[discord]\nguild_id = 1\napi_url = \"http://{addr}\"\n[database]\npath = \"{}\"\n[web]\nbind = \"127.0.0.1:0\"\n",
        dir.path().join("l.db").display()
    );
    std::fs::write(&config, text).unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_lyceum"))
        .args(["run", "--config"])
        .arg(&config)
        .env("DISCORD_TOKEN", "a-token-for-nobody")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    tokio::time::timeout(WAIT, first_connection.recv())
        .await
        .expect("the bot dials Discord");
    let pid = child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("exits within 10 s of SIGTERM")
        .unwrap();
    assert!(status.success(), "{status:?}");
    held.abort();
}

/// Defect 9: `stop` returns in time mid-delivery (Discord holds the request), and the
/// interrupted item is delivered after the restart.
#[tokio::test]
async fn the_bot_stops_in_time_mid_delivery_and_delivers_after_restart() {
    let mut app = TestApp::spawn().await;
    let path = role_path(ids::MINA, ids::ROLE_MODERATOR);
    app.sim()
        .inject_faults("PUT", &path, vec![Fault::Delay(Duration::from_secs(60))]);
    app.slash(grant(ids::MINA, "moderator")).await;
    let id = newest_outbox_id(&app, "add_role").await;
    eventually("the item is in flight", async || {
        let (claimed,): (Option<i64>,) =
            sqlx::query_as("SELECT claimed_at FROM outbox WHERE id = ?")
                .bind(id)
                .fetch_one(&app.db().read)
                .await
                .unwrap();
        claimed.is_some()
    })
    .await;
    let bot = app.bot.take().unwrap();
    tokio::time::timeout(Duration::from_secs(10), bot.stop())
        .await
        .expect("stopped within 10 s");
    app.restart().await;
    assert_eq!(settled(&app, id).await.status, "delivered");
    assert_eq!(app.sim().member_roles(ids::MINA), vec![ids::ROLE_MODERATOR]);
    app.stop().await;
}

/// Defect 11: a DM whose channel-open answer carries no id was recorded as delivered.
#[tokio::test]
async fn a_dm_is_not_delivered_until_its_channel_really_opened() {
    let mut app = TestApp::spawn().await;
    app.sim().inject_faults(
        "POST",
        "/users/@me/channels",
        vec![Fault::Answer(200, serde_json::json!({ "type": 1 }))],
    );
    let id = enqueue_effects(
        &app,
        &[Effect::SendDm {
            user_id: UserId::new(ids::MINA),
            body: MessageBody::text("welcome"),
        }],
    )
    .await[0];
    let row = settled(&app, id).await;
    assert_eq!((row.status.as_str(), row.attempts), ("delivered", 2));
    assert_eq!(app.requests("POST", "/users/@me/channels").len(), 2);
    let posted = app
        .requests("POST", "/messages")
        .into_iter()
        .filter(|r| r.body["content"] == "welcome")
        .count();
    assert_eq!(posted, 1);
    app.stop().await;
}
