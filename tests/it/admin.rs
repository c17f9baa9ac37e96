//! `/admin`: server-side permission checks, audit rows, the mod log and staff-role sync.

use lyceum::harness::sim::calls::admin;
use lyceum::harness::sim::{ids, SlashCall};

use crate::support::{TestApp, WAIT};

/// The first message the bot posted in the mod-log channel.
async fn first_mod_log(app: &TestApp) -> lyceum::harness::sim::Recorded {
    let path = format!("/channels/{}/messages", ids::CHANNEL_MOD_LOG);
    app.sim()
        .wait_request("POST", &path, 1, WAIT)
        .await
        .expect("a mod-log message")
}

/// Waits for the bot's first `method` (PUT adds, DELETE removes) of `role` on `user`.
async fn role_change(
    app: &TestApp,
    method: &str,
    user: u64,
    role: u64,
) -> lyceum::harness::sim::Recorded {
    let path = format!("/members/{user}/roles/{role}");
    app.sim()
        .wait_request(method, &path, 1, WAIT)
        .await
        .unwrap_or_else(|| panic!("no {method} {path}"))
}

fn revoke(user: u64, target: u64) -> SlashCall {
    admin::revoke(user, target)
}

fn grant(user: u64, target: u64, level: &str) -> SlashCall {
    admin::grant(user, target, level)
}

#[tokio::test]
async fn a_member_is_refused_in_their_language_and_nothing_changes() {
    let mut app = TestApp::spawn().await;

    let reply = app.slash(grant(ids::MINA, ids::MINA, "admin")).await;
    assert!(reply.ephemeral);
    assert_eq!(
        reply.content,
        "You need the admin level (or higher) to use this command."
    );

    // Kai's Discord is set to Chinese.
    let reply = app.slash(grant(ids::KAI, ids::KAI, "moderator")).await;
    assert!(reply.ephemeral);
    assert_eq!(reply.content, "你需要「管理员」或更高级别才能使用此命令。");

    // The interaction locale wins over the user's usual one.
    let reply = app
        .slash(grant(ids::MINA, ids::MINA, "admin").locale("zh-CN"))
        .await;
    assert!(reply.content.starts_with("你需要"), "{}", reply.content);

    assert_eq!(app.count("SELECT COUNT(*) FROM staff_grants").await, 0);
    assert_eq!(app.audit_rows().await.len() as i64, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);
    assert!(
        app.requests("POST", "/messages").is_empty(),
        "no mod-log message"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_owner_grants_moderator_to_a_role_with_audit_list_and_mod_log() {
    let mut app = TestApp::spawn().await;

    let reply = app
        .slash(grant(ids::OWNER, ids::ROLE_MODERATORS_GROUP, "moderator"))
        .await;
    assert!(reply.ephemeral);
    assert_eq!(
        reply.content,
        format!(
            "Done: <@&{}> is now **moderator**.",
            ids::ROLE_MODERATORS_GROUP
        )
    );

    let rows = app.audit_rows().await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    let args = &row.arguments;
    assert_eq!(
        (
            row.actor_id as u64,
            row.action.as_str(),
            row.target_kind.as_deref().unwrap_or_default(),
            row.target_id.unwrap_or_default() as u64
        ),
        (
            ids::OWNER,
            "staff.grant",
            "role",
            ids::ROLE_MODERATORS_GROUP
        )
    );
    assert!(args.contains("\"level\":\"moderator\""), "{args}");

    let list = app.slash(admin::list(ids::OWNER)).await;
    assert!(
        list.content
            .contains(&format!("<@&{}> — moderator", ids::ROLE_MODERATORS_GROUP)),
        "{}",
        list.content
    );

    let posted = first_mod_log(&app).await;
    assert_eq!(posted.status, 200);
    assert_eq!(
        posted.body["content"],
        format!(
            "🛡️ <@{}> granted **moderator** to <@&{}>.",
            ids::OWNER,
            ids::ROLE_MODERATORS_GROUP
        )
    );
    assert_eq!(
        posted.body["allowed_mentions"]["parse"],
        serde_json::json!([]),
        "no pings"
    );

    // Members of that role are now moderators: Mina can read the list once she has the role.
    let denied = app.slash(admin::list(ids::MINA)).await;
    assert!(
        denied.content.contains("moderator level"),
        "{}",
        denied.content
    );
    app.sim()
        .set_member_roles(ids::MINA, &[ids::ROLE_MODERATORS_GROUP]);
    let allowed = app.slash(admin::list(ids::MINA)).await;
    assert!(
        allowed.content.starts_with("**Staff**"),
        "{}",
        allowed.content
    );
    // …but a moderator still cannot grant.
    let denied = app.slash(grant(ids::MINA, ids::KAI, "moderator")).await;
    assert!(denied.content.contains("admin level"), "{}", denied.content);
    app.stop().await;
}

#[tokio::test]
async fn granting_admin_to_a_member_adds_the_admin_role_with_a_reason() {
    let mut app = TestApp::spawn().await;
    app.slash(grant(ids::OWNER, ids::MINA, "admin")).await;
    let added = role_change(&app, "PUT", ids::MINA, ids::ROLE_ADMIN).await;
    assert_eq!(added.status, 204);
    assert_eq!(
        added.audit_reason.as_deref(),
        Some("Lyceum%3A admin granted by olivia")
    );
    app.stop().await;
}

#[tokio::test]
async fn an_admin_grants_moderator_but_not_admin() {
    let mut app = TestApp::spawn().await;
    app.slash(grant(ids::OWNER, ids::MINA, "admin")).await;
    let reply = app.slash(grant(ids::MINA, ids::KAI, "admin")).await;
    assert_eq!(
        reply.content,
        "Only an owner can grant or revoke the admin level."
    );
    let reply = app.slash(grant(ids::MINA, ids::KAI, "moderator")).await;
    assert_eq!(
        reply.content,
        format!("Done: <@{}> is now **moderator**.", ids::KAI)
    );
    let actions = app.audit_actions().await;
    assert_eq!(
        actions,
        ["staff.grant", "staff.grant"],
        "the refused grant left no row"
    );
    app.stop().await;
}

#[tokio::test]
async fn nobody_can_revoke_an_owner() {
    let mut app = TestApp::spawn().await;
    app.slash(grant(ids::OWNER, ids::MINA, "admin")).await;
    let reply = app.slash(revoke(ids::MINA, ids::OWNER)).await;
    assert!(
        reply.content.starts_with("Owners are set"),
        "{}",
        reply.content
    );
    assert_eq!(app.audit_rows().await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn revoking_a_moderator_removes_the_role_after_it_was_added() {
    let mut app = TestApp::spawn().await;
    app.slash(grant(ids::OWNER, ids::KAI, "moderator")).await;
    role_change(&app, "PUT", ids::KAI, ids::ROLE_MODERATOR).await;
    let reply = app.slash(revoke(ids::OWNER, ids::KAI)).await;
    assert_eq!(
        reply.content,
        format!("Done: <@{}> is no longer **moderator**.", ids::KAI)
    );
    role_change(&app, "DELETE", ids::KAI, ids::ROLE_MODERATOR).await;
    assert!(app.sim().member_roles(ids::KAI).is_empty());
    app.stop().await;
}

#[tokio::test]
async fn revoking_someone_without_a_level_is_a_clear_error_that_changes_nothing() {
    let mut app = TestApp::spawn().await;
    let reply = app.slash(revoke(ids::OWNER, ids::KAI)).await;
    assert_eq!(
        reply.content,
        format!(
            "<@{}> holds no staff level, so there is nothing to revoke.",
            ids::KAI
        )
    );
    assert!(app.audit_rows().await.is_empty());
    assert!(app.requests("DELETE", "/roles/").is_empty());
    app.stop().await;
}

#[tokio::test]
async fn the_audit_log_filters_to_one_member() {
    let mut app = TestApp::spawn().await;
    app.slash(grant(ids::OWNER, ids::MINA, "admin")).await;
    app.slash(grant(ids::OWNER, ids::KAI, "moderator")).await;
    app.slash(revoke(ids::OWNER, ids::KAI)).await;
    let audit = app
        .slash(admin::audit(ids::OWNER).user_option("member", ids::KAI))
        .await;
    assert!(audit.content.contains("staff.revoke"), "{}", audit.content);
    assert!(audit.content.contains("staff.grant"), "{}", audit.content);
    assert!(
        !audit.content.contains(&format!("<@{}>", ids::MINA)),
        "filtered to Kai: {}",
        audit.content
    );
    app.stop().await;
}

#[tokio::test]
async fn reload_applies_a_good_file_and_keeps_the_old_config_on_errors() {
    let mut app = TestApp::spawn().await;
    let path = app.bot().config_path.clone();
    let original = std::fs::read_to_string(&path).unwrap();

    std::fs::write(&path, original.replace("Asia/Shanghai", "Asia/Shangai")).unwrap();
    let reply = app.slash(admin::reload(ids::OWNER)).await;
    assert!(reply.ephemeral);
    assert!(
        reply.content.contains("the running config was kept"),
        "{}",
        reply.content
    );
    assert!(
        reply.content.contains("community.timezone = \"Asia/Shangai\": unknown IANA time zone, did you mean \"Asia/Shanghai\"?"),
        "{}",
        reply.content
    );
    assert_eq!(
        app.bot()
            .app
            .state
            .config
            .snapshot()
            .community
            .timezone
            .name(),
        "Asia/Shanghai"
    );
    assert_eq!(app.audit_rows().await.len() as i64, 0);

    std::fs::write(&path, original.replace("Asia/Shanghai", "Europe/Berlin")).unwrap();
    let reply = app.slash(admin::reload(ids::OWNER)).await;
    assert_eq!(reply.content, "Config reloaded.");
    assert_eq!(
        app.bot()
            .app
            .state
            .config
            .snapshot()
            .community
            .timezone
            .name(),
        "Europe/Berlin"
    );
    let actions = app.audit_actions().await;
    assert_eq!(actions, ["config.reload"]);

    // A moderator may not reload.
    app.slash(grant(ids::OWNER, ids::KAI, "moderator")).await;
    let reply = app.slash(admin::reload(ids::KAI)).await;
    assert_eq!(reply.content, "你需要「管理员」或更高级别才能使用此命令。");
    app.stop().await;
}

#[tokio::test]
async fn long_lists_paginate_within_discords_limit() {
    let mut app = TestApp::spawn().await;
    for i in 0..150 {
        sqlx::query(
            "INSERT INTO audit_log (guild_id, actor_id, action, arguments, created_at) VALUES (?, ?, 'points.adjust', ?, ?)",
        )
        .bind(ids::GUILD as i64)
        .bind(ids::OWNER as i64)
        .bind(format!("{{\"note\":\"entry number {i} with a longer explanation\"}}"))
        .bind(1_700_000_000_000_i64 + i)
        .execute(&app.db().write)
        .await
        .unwrap();
    }
    let audit = |page: i64| {
        admin::audit(ids::OWNER)
            .integer("limit", 100)
            .integer("page", page)
    };
    // The simulator answers 400 to anything over 2,000 characters, so an answer means it fit.
    let first = app.slash(audit(1)).await;
    assert!(first.content.chars().count() <= 2000);
    assert!(first.content.contains("entry number 149"), "newest first");
    let pages: usize = first
        .content
        .rsplit("Page 1/")
        .next()
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a page footer");
    assert!(pages >= 3, "{pages} pages");
    let last = app.slash(audit(pages as i64)).await;
    assert!(
        last.content.contains("entry number 50 "),
        "{}",
        last.content
    );
    assert!(!last.content.contains("entry number 149"));
    app.stop().await;
}

#[tokio::test]
async fn an_internal_error_shows_a_reference_not_the_error() {
    let mut app = TestApp::spawn().await;
    app.db().write.close().await;
    let reply = app.slash(grant(ids::OWNER, ids::MINA, "moderator")).await;
    assert!(reply.ephemeral);
    assert!(
        reply
            .content
            .starts_with("Something went wrong on our side. Nothing was changed."),
        "{}",
        reply.content
    );
    let reference = reply.content.rsplit('`').nth(1).unwrap_or_default();
    assert_eq!(reference.len(), 8, "{}", reply.content);
    assert!(reference.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(
        !reply.content.to_lowercase().contains("pool"),
        "raw error leaked: {}",
        reply.content
    );
    app.stop().await;
}

#[tokio::test]
async fn a_language_we_do_not_speak_falls_back_to_the_community_default() {
    let mut app = TestApp::spawn_edited(|text| {
        text.replace(
            "timezone = \"Asia/Shanghai\"",
            "timezone = \"Asia/Shanghai\"\ndefault_locale = \"zh-CN\"",
        )
    })
    .await;
    let reply = app
        .slash(grant(ids::MINA, ids::MINA, "admin").locale("fr"))
        .await;
    assert_eq!(reply.content, "你需要「管理员」或更高级别才能使用此命令。");
    // English speakers still get English.
    let reply = app
        .slash(grant(ids::MINA, ids::MINA, "admin").locale("en-GB"))
        .await;
    assert!(reply.content.starts_with("You need"), "{}", reply.content);
    // Channel messages such as the mod log use the community's language.
    app.slash(grant(ids::OWNER, ids::KAI, "moderator")).await;
    let posted = first_mod_log(&app).await;
    assert_eq!(
        posted.body["content"],
        format!("🛡️ <@{}> 将 **版主** 授予了 <@{}>。", ids::OWNER, ids::KAI)
    );
    app.stop().await;
}

#[tokio::test]
async fn everyone_cannot_be_made_staff_and_configured_owners_are_owners() {
    let mut app = TestApp::spawn_edited(|text| {
        text.replace(
            "[discord]\n",
            &format!("[discord]\nowner_ids = [{}]\n", ids::MINA),
        )
    })
    .await;
    // The @everyone role has the guild's id.
    let reply = app.slash(grant(ids::MINA, ids::GUILD, "moderator")).await;
    assert!(
        reply.content.starts_with("A staff level for @everyone"),
        "{}",
        reply.content
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM staff_grants").await, 0);

    // Mina is an owner by config: she may grant admin, and nobody can revoke her.
    let reply = app.slash(grant(ids::MINA, ids::KAI, "admin")).await;
    assert!(reply.content.starts_with("Done"), "{}", reply.content);
    let reply = app.slash(revoke(ids::KAI, ids::MINA)).await;
    assert!(
        reply.content.starts_with("所有者由配置文件"),
        "{}",
        reply.content
    );
    app.stop().await;
}

/// The gateway-event path: a staff member who leaves and rejoins gets their staff role back
/// through the outbox (Discord drops a leaver's roles).
#[tokio::test]
async fn a_staff_member_who_rejoins_gets_their_staff_role_back() {
    let mut app = TestApp::spawn().await;
    app.slash(grant(ids::OWNER, ids::MINA, "moderator")).await;
    role_change(&app, "PUT", ids::MINA, ids::ROLE_MODERATOR).await;

    app.sim().member_remove(ids::MINA);
    app.sim().member_add(ids::MINA, "mina", "en-US");
    let path = format!("/members/{}/roles/{}", ids::MINA, ids::ROLE_MODERATOR);
    let again = app
        .sim()
        .wait_request("PUT", &path, 2, WAIT)
        .await
        .expect("the role is restored");
    assert_eq!(again.status, 204);
    assert_eq!(
        again.audit_reason.as_deref(),
        Some("Lyceum%3A moderator restored on rejoin"),
        "the audit-log reason, percent-encoded as Discord requires"
    );
    assert_eq!(app.sim().member_roles(ids::MINA), vec![ids::ROLE_MODERATOR]);
    app.stop().await;
}

/// A newcomer with no staff level gets nothing.
#[tokio::test]
async fn a_newcomer_without_a_level_gets_no_staff_role() {
    let mut app = TestApp::spawn().await;
    app.sim()
        .member_add(200_000_000_000_000_077, "newcomer", "zh-CN");
    // The join is handled in the event's order: a later command's effects come after it.
    app.slash(grant(ids::OWNER, ids::KAI, "moderator")).await;
    role_change(&app, "PUT", ids::KAI, ids::ROLE_MODERATOR).await;
    assert!(app
        .requests("PUT", "/members/200000000000000077/")
        .is_empty());
    app.stop().await;
}
