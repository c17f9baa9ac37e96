use serde_json::Value;

use crate::support::TestApp;

#[tokio::test]
async fn startup_registers_every_command_in_the_guild_with_zh_cn_localizations() {
    let mut app = TestApp::spawn().await;
    let puts = app.requests("PUT", "/commands");
    assert_eq!(puts.len(), 1);
    assert_eq!(puts[0].status, 200, "{:?}", puts[0].response);
    assert!(puts[0].path.contains(&format!(
        "/guilds/{}/commands",
        lyceum::harness::sim::ids::GUILD
    )));

    let commands = app.sim().registered_commands();
    let names: Vec<&str> = commands.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(
        names,
        vec![
            "admin",
            "checkin",
            "points",
            "leaderboard",
            "shop",
            "rules",
            "automod",
            "warn",
            "warnings",
            "pardon",
            "timeout",
            "untimeout",
            "event",
            "plan",
            "membership",
            "code",
            "redeem",
            "revenue",
            "gate",
            "renewals",
            "refer",
            "about",
            "feedback",
            "ask",
            "answer",
            "withdraw",
            "stats",
            "report",
            "roles",
            "challenge",
            "homework",
            "Add to highlights",
            "highlights",
            "course"
        ]
    );

    fn check(item: &Value, path: &str, checked: &mut usize) {
        *checked += 1;
        assert!(
            item["name_localizations"]["zh-CN"]
                .as_str()
                .is_some_and(|s| !s.is_empty()),
            "{path} lacks a zh-CN name: {item}"
        );
        assert!(
            item["description_localizations"]["zh-CN"]
                .as_str()
                .is_some_and(|s| !s.is_empty()),
            "{path} lacks a zh-CN description"
        );
        for option in item["options"].as_array().into_iter().flatten() {
            let name = option["name"].as_str().unwrap_or_default();
            check(option, &format!("{path} {name}"), checked);
            for choice in option["choices"].as_array().into_iter().flatten() {
                assert!(
                    choice["name_localizations"]["zh-CN"].is_string(),
                    "{path} {name} choice {choice}"
                );
            }
        }
    }
    let mut checked = 0;
    for command in &commands {
        if command["type"] == 3 {
            // A message menu has a localized name only (Discord refuses a description).
            assert_eq!(
                command["name_localizations"]["zh-CN"], "加入精华",
                "{command}"
            );
            continue;
        }
        check(command, command["name"].as_str().unwrap(), &mut checked);
    }
    assert!(
        checked >= 12,
        "expected admin, 6 subcommands and their options; checked {checked}"
    );
    let admin = &commands[0];
    assert_eq!(admin["name_localizations"]["zh-CN"], "管理");
    assert!(
        admin["default_member_permissions"].is_string(),
        "a permission hint is set: {admin}"
    );
    app.stop().await;
}

/// The pipeline bench in quick mode: lyceum's hot path and the naive design decide the same
/// (awards per member, caught messages, balance sums), its role storm through Discord's
/// limits draws no 429, and the bot's own process takes in the gateway flood. Timings are
/// printed, never asserted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pipeline_bench_in_quick_mode_decides_like_the_naive_design() {
    let opts = lyceum::harness::perf::Options::quick()
        .with_process(env!("CARGO_BIN_EXE_lyceum").into(), true);
    let report = lyceum::harness::perf::run(&opts, |line| println!("{line}"))
        .await
        .unwrap();
    assert!(report.decisions_match, "{report:?}");
    assert_eq!(report.outbox_429s, 0, "the role storm drew no 429");
    // The bot's own process decided every message sent through the gateway (the bench waits
    // for its counter) and answered every slash command timed.
    assert!(
        report.gateway_msgs_per_s.is_some_and(|r| r > 0.0),
        "{report:?}"
    );
    assert!(
        report.rss_mb_100k_members.is_some_and(|mb| mb > 0.0),
        "{report:?}"
    );
    // The same messages through serenity's own decode path (the gateway front off) were all
    // decided too, and a restart against a seeded database registered its commands.
    assert!(
        report.ingest_msgs_per_s_before.is_some_and(|r| r > 0.0),
        "{report:?}"
    );
    assert!(
        report.cold_start_ms.is_some_and(|ms| ms > 0.0),
        "{report:?}"
    );
    // Both decoders read the same frames (the front's decode would panic otherwise).
    assert!(report.frame_front_decode_us > 0.0, "{report:?}");
}
