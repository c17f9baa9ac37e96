//! Keeping members active, through the simulated Discord: role menus (buttons and a select,
//! a required product checked on the server, the rules gate followed by a menu).

use lyceum::harness::sim::{ids, SlashCall};

use crate::support::{eventually_sync, TestApp, WAIT};

fn role_menus() -> String {
    format!(
        r#"
[[products]]
id = "pro"
kind = "membership"
name = {{ en = "Pro membership", "zh-CN" = "专业会员" }}
role = {pro}
duration = "30d"
price = 29

[[rules]]
id = "kind"
title = "Be kind"
text = "No insults."

[onboarding]
accepted_role = {mentors}
menu = "topics"
welcome = "after_rules"

[[roles.menus]]
id = "topics"
title = {{ en = "Pick your topics", "zh-CN" = "选择你的话题" }}
[[roles.menus.roles]]
role = {rust}
label = {{ en = "Rust", "zh-CN" = "Rust 语言" }}
emoji = "🦀"
[[roles.menus.roles]]
role = {writing}
label = {{ en = "Writing", "zh-CN" = "写作" }}

[[roles.menus]]
id = "inner"
title = "Inner circle"
style = "select"
choice = "single"
required_product = "pro"
[[roles.menus.roles]]
role = {founders}
label = "Founders' table"
"#,
        pro = ids::ROLE_PRO,
        mentors = ids::ROLE_MODERATORS_GROUP,
        rust = ids::ROLE_REGULAR,
        writing = ids::ROLE_COURSE,
        founders = ids::ROLE_ABOVE_BOT,
    )
}

async fn spawn() -> TestApp {
    TestApp::spawn_edited(|text| {
        text.replace(
            "[channels]\n",
            &format!("[channels]\nrules = {}\n", ids::CHANNEL_WELCOME),
        ) + &role_menus()
    })
    .await
}

/// Posts `/roles post menu` in #general; returns the posted message's id and body.
async fn post_menu(app: &TestApp, menu: &str, n: usize) -> (u64, serde_json::Value) {
    let reply = app
        .slash(
            SlashCall::new(ids::OWNER, "roles")
                .subcommand("post")
                .string("menu", menu)
                .channel_option("channel", ids::CHANNEL_GENERAL),
        )
        .await;
    assert!(reply.content.contains("is on its way"), "{}", reply.content);
    let path = format!("/channels/{}/messages", ids::CHANNEL_GENERAL);
    let posted = app
        .sim()
        .wait_request("POST", &path, n, WAIT)
        .await
        .expect("the menu is posted");
    let id = posted.response["id"].as_str().unwrap().parse().unwrap();
    (id, posted.body)
}

fn role_path(user: u64, role: u64) -> String {
    format!("/members/{user}/roles/{role}")
}

#[tokio::test]
async fn a_role_menu_toggles_roles_and_checks_the_required_product_on_the_server() {
    let mut app = spawn().await;
    let (message, body) = post_menu(&app, "topics", 1).await;
    assert_eq!(body["embeds"][0]["title"], "Pick your topics");
    let buttons = &body["components"][0]["components"];
    assert_eq!(buttons[0]["label"], "Rust");
    assert_eq!(buttons[0]["emoji"]["name"], "🦀");
    let rust = format!("lyceum:rm:topics:{}", ids::ROLE_REGULAR);
    assert_eq!(buttons[0]["custom_id"], rust.as_str());

    // Kai (zh-CN) takes the Rust role, then lets it go.
    let (press, _) = app
        .sim()
        .press(ids::KAI, ids::CHANNEL_GENERAL, message, &rust)
        .unwrap();
    let reply = app.sim().wait_reply(press).await.unwrap();
    assert!(reply.ephemeral);
    assert_eq!(
        reply.content,
        format!("✅ 已添加：<@&{}>", ids::ROLE_REGULAR)
    );
    let add = role_path(ids::KAI, ids::ROLE_REGULAR);
    app.sim().wait_request("PUT", &add, 1, WAIT).await.unwrap();
    assert!(app
        .sim()
        .member_roles(ids::KAI)
        .contains(&ids::ROLE_REGULAR));
    let (press, _) = app
        .sim()
        .press(ids::KAI, ids::CHANNEL_GENERAL, message, &rust)
        .unwrap();
    let reply = app.sim().wait_reply(press).await.unwrap();
    assert_eq!(
        reply.content,
        format!("➖ 已移除：<@&{}>", ids::ROLE_REGULAR)
    );
    app.sim()
        .wait_request("DELETE", &add, 1, WAIT)
        .await
        .unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM chosen_roles").await, 0);

    // The inner circle needs Pro: refused, nothing queued; once Pro is granted, allowed.
    let (inner, body) = post_menu(&app, "inner", 2).await;
    let select = &body["components"][0]["components"][0];
    assert_eq!(
        (select["type"].as_u64(), select["max_values"].as_u64()),
        (Some(3), Some(1))
    );
    let founders = ids::ROLE_ABOVE_BOT.to_string();
    let (press, _) = app
        .sim()
        .select(
            ids::MINA,
            ids::CHANNEL_GENERAL,
            inner,
            "lyceum:rm:inner",
            &[&founders],
        )
        .unwrap();
    let reply = app.sim().wait_reply(press).await.unwrap();
    assert_eq!(
        reply.content,
        "This menu is for members with Pro membership."
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM chosen_roles").await, 0);
    let grant = SlashCall::new(ids::OWNER, "membership")
        .subcommand("grant")
        .user_option("member", ids::MINA)
        .string("product", "pro");
    app.slash(grant).await;
    let (press, _) = app
        .sim()
        .select(
            ids::MINA,
            ids::CHANNEL_GENERAL,
            inner,
            "lyceum:rm:inner",
            &[&founders],
        )
        .unwrap();
    let reply = app.sim().wait_reply(press).await.unwrap();
    assert_eq!(reply.content, format!("✅ Added: <@&{founders}>"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM chosen_roles WHERE menu_id = 'inner'")
            .await,
        1
    );
    // A value the menu does not offer cannot be sent (Discord refuses it before the bot).
    assert!(app
        .sim()
        .select(
            ids::MINA,
            ids::CHANNEL_GENERAL,
            inner,
            "lyceum:rm:inner",
            &["42"]
        )
        .is_err());

    // /roles check names the role above the bot; members cannot post menus; a wrong id is named.
    let check = app
        .slash(SlashCall::new(ids::OWNER, "roles").subcommand("check"))
        .await;
    assert!(
        check.content.contains(&format!(
            "<@&{}> (menu “inner”) is at or above the bot's top role",
            ids::ROLE_ABOVE_BOT
        )),
        "{}",
        check.content
    );
    assert!(
        check.content.contains("“topics”: 2 roles"),
        "{}",
        check.content
    );
    let refused = app
        .slash(
            SlashCall::new(ids::KAI, "roles")
                .subcommand("post")
                .string("menu", "topics"),
        )
        .await;
    assert!(
        !refused.content.contains("on its way"),
        "{}",
        refused.content
    );
    let wrong = app
        .slash(
            SlashCall::new(ids::OWNER, "roles")
                .subcommand("post")
                .string("menu", "topic"),
        )
        .await;
    assert_eq!(
        wrong.content,
        "There is no role menu “topic”. Menus in the config: topics, inner."
    );
    assert!(
        app.audit_actions()
            .await
            .iter()
            .filter(|a| *a == "roles.menu_post")
            .count()
            == 2
    );
    app.stop().await;
}

#[tokio::test]
async fn accepting_the_rules_goes_on_to_the_role_menu_in_the_members_language() {
    let mut app = spawn().await;
    app.slash(SlashCall::new(ids::OWNER, "rules").subcommand("post"))
        .await;
    let path = format!("/channels/{}/messages", ids::CHANNEL_WELCOME);
    let posted = app
        .sim()
        .wait_request("POST", &path, 1, WAIT)
        .await
        .unwrap();
    let message: u64 = posted.response["id"].as_str().unwrap().parse().unwrap();
    let (accept, _) = app
        .sim()
        .press(
            ids::KAI,
            ids::CHANNEL_WELCOME,
            message,
            "lyceum:rules:accept",
        )
        .unwrap();
    let reply = app.sim().wait_reply(accept).await.unwrap();
    assert!(reply.ephemeral);
    assert!(
        reply.content.starts_with("✅ 感谢你接受社群规则"),
        "{}",
        reply.content
    );
    // The welcome follows in Kai's language, without pointing back to the rules.
    assert!(
        reply
            .content
            .contains(&format!("👋 欢迎来到 **学园**，<@{}>！", ids::KAI)),
        "{}",
        reply.content
    );
    assert!(reply.content.contains("`/about`"), "{}", reply.content);
    assert_eq!(reply.raw["embeds"][0]["title"], "选择你的话题");
    assert_eq!(
        reply.raw["components"][0]["components"][0]["label"],
        "Rust 语言"
    );
    let rust = format!("lyceum:rm:topics:{}", ids::ROLE_REGULAR);
    let (press, _) = app.sim().press_on_reply(ids::KAI, accept, &rust).unwrap();
    let answer = app.sim().wait_reply(press).await.unwrap();
    assert_eq!(
        answer.content,
        format!("✅ 已添加：<@&{}>", ids::ROLE_REGULAR)
    );
    eventually_sync("both roles are given", || {
        let roles = app.sim().member_roles(ids::KAI);
        roles.contains(&ids::ROLE_REGULAR) && roles.contains(&ids::ROLE_MODERATORS_GROUP)
    })
    .await;
    app.stop().await;
}
