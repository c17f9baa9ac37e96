//! The outbox delivers Discord side effects exactly once through outages, rate limits,
//! permanent refusals and restarts.

use std::time::Duration;

use lyceum::harness::sim::calls::admin;
use lyceum::harness::sim::limits::RateLimits;
use lyceum::harness::sim::{ids, Fault, Recorded, SlashCall};
use lyceum::outbox::Effect;
use serenity::all::{ChannelId, GuildId, MessageId, RoleId, UserId};

use crate::support::{enqueue_effects, newest_outbox_id, settled, OutboxState, TestApp, WAIT};

fn grant_moderator(user: u64) -> SlashCall {
    admin::grant(ids::OWNER, user, "moderator")
}

fn role_path(user: u64, role: u64) -> String {
    format!("/guilds/{}/members/{user}/roles/{role}", ids::GUILD)
}

/// Waits until the newest outbox item of `kind` is settled.
async fn settled_kind(app: &TestApp, kind: &str) -> OutboxState {
    settled(app, newest_outbox_id(app, kind).await).await
}

fn state(status: &str, attempts: i64, last_error: Option<&str>) -> OutboxState {
    OutboxState {
        status: status.into(),
        attempts,
        last_error: last_error.map(str::to_string),
    }
}

#[tokio::test]
async fn a_role_add_that_fails_twice_with_500_is_delivered_exactly_once() {
    let mut app = TestApp::spawn().await;
    let path = role_path(ids::MINA, ids::ROLE_MODERATOR);
    app.sim()
        .inject_faults("PUT", &path, vec![Fault::Status(500), Fault::Status(500)]);

    app.slash(grant_moderator(ids::MINA)).await;
    let third = app
        .sim()
        .wait_request("PUT", &path, 3, WAIT)
        .await
        .expect("a third attempt");
    assert_eq!(third.status, 204);
    assert_eq!(
        settled_kind(&app, "add_role").await,
        state("delivered", 3, Some("500: simulated 500"))
    );

    // Give a duplicate every chance to show up, then count.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let statuses: Vec<u16> = app
        .requests("PUT", &path)
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![500, 500, 204]);
    assert_eq!(app.sim().member_roles(ids::MINA), vec![ids::ROLE_MODERATOR]);
    app.stop().await;
}

#[tokio::test]
async fn a_429_is_waited_out_for_its_retry_after() {
    let mut app = TestApp::spawn().await;
    let path = role_path(ids::KAI, ids::ROLE_MODERATOR);
    app.sim()
        .inject_faults("PUT", &path, vec![Fault::RateLimited(0.6)]);

    app.slash(grant_moderator(ids::KAI)).await;
    let second = app
        .sim()
        .wait_request("PUT", &path, 2, WAIT)
        .await
        .expect("a retry");
    let first = &app.requests("PUT", &path)[0];
    assert_eq!((first.status, second.status), (429, 204));
    let waited = second.at.duration_since(first.at);
    assert!(
        waited >= Duration::from_millis(600),
        "retried after only {waited:?}"
    );
    assert_eq!(settled_kind(&app, "add_role").await.status, "delivered");
    app.stop().await;
}

#[tokio::test]
async fn a_403_is_failed_with_its_reason_and_shown_in_admin_outbox() {
    // The configured moderator role sits above the bot's own role: Discord refuses with 403.
    let mut app = TestApp::spawn_edited(|text| {
        text.replace(
            &format!("moderator_role = {}", ids::ROLE_MODERATOR),
            &format!("moderator_role = {}", ids::ROLE_ABOVE_BOT),
        )
    })
    .await;
    app.slash(grant_moderator(ids::MINA)).await;
    assert_eq!(
        settled_kind(&app, "add_role").await,
        state("failed", 1, Some("403: Missing Permissions (code 50013)"))
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.requests("PUT", "/roles/").len(), 1, "no endless retry");

    let reply = app.slash(admin::outbox(ids::OWNER)).await;
    assert!(
        reply.content.starts_with("**Outbox**: 0 pending, 1 failed"),
        "{}",
        reply.content
    );
    assert!(reply.content.contains("❌ failed"), "{}", reply.content);
    assert!(
        reply.content.contains(&format!(
            "add <@&{}> to <@{}>",
            ids::ROLE_ABOVE_BOT,
            ids::MINA
        )),
        "{}",
        reply.content
    );
    assert!(
        reply
            .content
            .contains("403: Missing Permissions (code 50013)"),
        "{}",
        reply.content
    );

    let zh = app.slash(admin::outbox(ids::OWNER).locale("zh-CN")).await;
    assert!(
        zh.content.starts_with("**发送队列**：0 条待发送，1 条失败"),
        "{}",
        zh.content
    );
    app.stop().await;
}

#[tokio::test]
async fn an_item_pending_at_shutdown_is_delivered_after_restart_and_never_again() {
    let mut app = TestApp::spawn().await;
    let path = role_path(ids::MINA, ids::ROLE_MODERATOR);
    // Discord is down while the grant happens.
    app.sim()
        .inject_faults("PUT", &path, vec![Fault::Status(503); 1000]);
    app.slash(grant_moderator(ids::MINA)).await;
    app.sim()
        .wait_request("PUT", &path, 1, WAIT)
        .await
        .expect("a first attempt");
    app.stop().await;
    let db = app.open_db().await;
    let (status,): (String,) = sqlx::query_as("SELECT status FROM outbox WHERE kind = 'add_role'")
        .fetch_one(&db.read)
        .await
        .unwrap();
    assert_eq!(status, "pending");
    db.close().await;

    // Discord recovers; a new process picks the item up.
    app.sim().clear_faults();
    app.restart().await;
    assert_eq!(settled_kind(&app, "add_role").await.status, "delivered");
    let delivered = |app: &TestApp| {
        app.requests("PUT", &path)
            .into_iter()
            .filter(|r| r.status == 204)
            .count()
    };
    assert_eq!(delivered(&app), 1);

    // Another restart sends nothing again.
    app.restart().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(delivered(&app), 1);
    app.stop().await;
}

/// Role PUT is idempotent on Discord, and the cache may be stale: the worker sends it anyway.
#[tokio::test]
async fn a_role_the_member_already_has_is_sent_again_never_decided_from_the_cache() {
    let mut app = TestApp::spawn().await;
    app.sim().set_member_roles(ids::KAI, &[ids::ROLE_MODERATOR]);
    app.slash(grant_moderator(ids::KAI)).await;
    assert_eq!(
        settled_kind(&app, "add_role").await,
        state("delivered", 1, None)
    );
    let path = role_path(ids::KAI, ids::ROLE_MODERATOR);
    assert_eq!(app.requests("PUT", &path).len(), 1);
    assert_eq!(app.sim().member_roles(ids::KAI), vec![ids::ROLE_MODERATOR]);
    app.stop().await;
}

/// Two bots on one database would release each other's claims and could deliver twice.
#[tokio::test]
async fn a_second_bot_on_the_same_database_is_refused() {
    let mut app = TestApp::spawn().await;
    let second =
        lyceum::harness::sim::harness::SimBot::start(app.sim().clone(), app.dir.path(), "").await;
    let error = format!("{:#}", second.err().expect("the second bot is refused"));
    assert!(
        error.contains("another Lyceum is already running"),
        "{error}"
    );
    // The first keeps working.
    let reply = app.slash(admin::list(ids::OWNER)).await;
    assert!(reply.content.starts_with("**Staff**"), "{}", reply.content);
    app.stop().await;
}

/// Discord's model with smaller numbers, so a storm is short: 100 requests/s in all, 10 role
/// changes per 200 ms per guild (50/s, so the bucket is what binds), 20 ms per answer.
fn storm_limits() -> RateLimits {
    let mut limits = RateLimits {
        global_per_second: 100,
        latency: Duration::from_millis(20),
        ..RateLimits::default()
    };
    for route in limits.routes.iter_mut() {
        if route.bucket.starts_with("role-") {
            route.limit = 10;
            route.window = Duration::from_millis(200);
        }
    }
    limits
}

fn role_change(user: u64, add: bool) -> Effect {
    Effect::role_change(
        add,
        GuildId::new(ids::GUILD),
        UserId::new(user),
        RoleId::new(ids::ROLE_PRO),
        "storm".into(),
    )
}

#[tokio::test]
async fn a_role_storm_goes_out_concurrently_in_order_per_member_without_a_429() {
    let mut app = TestApp::spawn().await;
    app.sim().set_rate_limits(storm_limits());
    let members = app.sim().add_quiet_members(600_000_000_000_000_000, 120);
    // Everyone gets Pro; the first 20 lose it again right after (order per member matters).
    let mut effects: Vec<Effect> = members.iter().map(|m| role_change(*m, true)).collect();
    effects.extend(members[..20].iter().map(|m| role_change(*m, false)));
    let items = enqueue_effects(&app, &effects).await;
    for id in &items {
        let state = settled(&app, *id).await;
        assert_eq!(
            (state.status.as_str(), state.attempts),
            ("delivered", 1),
            "{state:?}"
        );
    }
    assert_eq!(app.sim().rate_limited(), 0, "no request drew a 429");
    assert!(
        app.sim().max_in_flight() > 1,
        "different members' changes were sent concurrently"
    );
    for (i, member) in members.iter().enumerate() {
        let path = role_path(*member, ids::ROLE_PRO);
        let methods: Vec<String> = app
            .sim()
            .requests()
            .into_iter()
            .filter(|r| r.path == path)
            .map(|r| r.method)
            .collect();
        let (expected, has_pro): (&[&str], bool) = if i < 20 {
            (&["PUT", "DELETE"], false)
        } else {
            (&["PUT"], true)
        };
        assert_eq!(methods, expected, "member {i}");
        assert_eq!(
            app.sim().member_roles(*member).contains(&ids::ROLE_PRO),
            has_pro
        );
    }
    app.stop().await;
}

fn is_role_add(request: &Recorded) -> bool {
    request.method == "PUT" && request.path.contains("/roles/")
}

#[tokio::test]
async fn an_automod_delete_overtakes_a_queued_role_storm() {
    let mut app = TestApp::spawn().await;
    app.sim().set_rate_limits(RateLimits {
        latency: Duration::from_millis(10),
        ..RateLimits::default()
    });
    let members = app.sim().add_quiet_members(600_000_000_000_000_000, 150);
    let effects: Vec<Effect> = members.iter().map(|m| role_change(*m, true)).collect();
    let roles = enqueue_effects(&app, &effects).await;
    app.sim()
        .wait_request("PUT", "/roles/", 10, WAIT)
        .await
        .expect("the storm began");
    let spam = app
        .sim()
        .message_create(ids::CHANNEL_GENERAL, ids::SAM, "spam spam");
    let queued_before = app
        .sim()
        .requests()
        .iter()
        .filter(|r| is_role_add(r))
        .count();
    let delete = enqueue_effects(
        &app,
        &[Effect::DeleteMessage {
            channel_id: ChannelId::new(ids::CHANNEL_GENERAL),
            message_id: MessageId::new(spam),
            reason: "automod".into(),
        }],
    )
    .await[0];
    assert_eq!(settled(&app, delete).await.status, "delivered");
    let deleted_at = app
        .sim()
        .requests()
        .iter()
        .position(|r| r.method == "DELETE" && r.path.contains("/messages/"))
        .expect("the delete was sent");
    let roles_before_delete = app.sim().requests()[..deleted_at]
        .iter()
        .filter(|r| is_role_add(r))
        .count();
    // Only the role changes already in the delivery slots (16) may go first.
    assert!(
        roles_before_delete - queued_before <= 20,
        "{} role changes went before the delete",
        roles_before_delete - queued_before
    );
    assert!(roles_before_delete < 100, "the storm was still queued");
    for id in roles {
        assert_eq!(settled(&app, id).await.status, "delivered");
    }
    assert_eq!(app.sim().rate_limited(), 0);
    app.stop().await;
}
