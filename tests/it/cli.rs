//! The `lyceum` binary: check-config, run's refusals, backup, and the "newer database" guard.

use std::process::Command;

use lyceum::config::Config;
use lyceum::db::Db;

fn lyceum() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lyceum"))
}

#[test]
fn check_config_reports_every_problem_with_its_key_path_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[discord]\nguild_id = \"abc\"\n[community]\ntimezone = \"Asia/Shangai\"\ndefault_locale = \"zh\"\ncolour = \"red\"\n",
    )
    .unwrap();
    let out = lyceum()
        .args(["check-config", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "4 problem(s)",
        "discord.guild_id = \"abc\": expected a Discord id",
        "community.timezone = \"Asia/Shangai\": unknown IANA time zone, did you mean \"Asia/Shanghai\"?",
        "community.default_locale = \"zh\": unknown locale; expected \"en\" or \"zh-CN\"",
        "community.colour = \"red\": unknown key",
    ] {
        assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
    }

    // `run` refuses the same file with the same messages, before needing a token.
    let out = lyceum()
        .args(["run", "--config"])
        .arg(&path)
        .env_remove("DISCORD_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean \"Asia/Shanghai\"?"));
}

/// The invite link asks for what the example config uses (its warning ladder kicks and bans)
/// and reads the application id from the token when none is given.
#[test]
fn invite_url_asks_for_what_the_config_uses() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");
    let out = lyceum()
        .args(["invite-url", "--config", example])
        // "123456789012345678" in base64, as a bot token's first segment.
        .env("DISCORD_TOKEN", "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gx.secret")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("client_id=123456789012345678"), "{stdout}");
    let bits: u64 = stdout
        .split("permissions=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("a permissions number");
    // Kick (1 << 1), Ban (1 << 2), Manage Messages (1 << 13: the highlights index is pinned),
    // Manage Roles (1 << 28), Manage Events (1 << 33: a schedule is mirrored to the Events
    // tab), Moderate Members (1 << 40).
    assert!(stdout.contains("Manage Events"), "{stdout}");
    for bit in [1, 2, 13, 28, 33, 40] {
        assert_eq!(bits & (1 << bit), 1 << bit, "bit {bit} in {stdout}");
    }
    assert!(
        stdout.contains("Kick Members") && stdout.contains("the warning ladder kicks"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("secret"),
        "the token must never be printed: {stdout}"
    );
}

#[test]
fn check_config_accepts_the_example_and_summarizes_it() {
    let out = lyceum()
        .env_remove("DISCORD_TOKEN")
        .env_remove("STRIPE_WEBHOOK_SECRET")
        .env_remove("DISCORD_CLIENT_SECRET")
        .args([
            "check-config",
            "--config",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("ok"), "{stdout}");
    assert!(stdout.contains("Asia/Shanghai"), "{stdout}");
    // Every section it understood, not only three channels.
    for line in [
        "products   2 (pro, rust-course)",
        "schedules  1 (monthly-live)",
        "automod    1 (banned_words: delete_warn)",
        "warnings   3 (timeout at 3, kick at 5, ban at 8)",
        "shop       3 (trial, supporter, book)",
    ] {
        assert!(stdout.contains(line), "{line} in {stdout}");
    }
    // What is still to do: the example's ids, and the secrets the environment lacks.
    assert!(
        stdout.contains("still the example's placeholders"),
        "{stdout}"
    );
    assert!(stdout.contains("  discord.guild_id\n"), "{stdout}");
    // The example's stand-ins too: a role id that only varies at its end, a "your-" link.
    assert!(stdout.contains("  products[0].payment_link\n"), "{stdout}");
    assert!(
        stdout.contains("  points.level_roles[0].role\n"),
        "{stdout}"
    );
    assert!(stdout.contains("DISCORD_TOKEN is not set"), "{stdout}");
    assert!(
        stdout.contains(
            "DISCORD_CLIENT_SECRET is not set: web.public_url turns the Discord login on"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("STRIPE_WEBHOOK_SECRET is not set"),
        "{stdout}"
    );
}

#[test]
fn run_without_a_token_is_one_clear_line() {
    let out = lyceum()
        .args([
            "run",
            "--config",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml"),
        ])
        .env_remove("DISCORD_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("DISCORD_TOKEN is not set"), "{stderr}");
}

#[tokio::test]
async fn a_database_from_a_newer_lyceum_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    let db = Db::open(&path).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
         VALUES (9999, 'from the future', CURRENT_TIMESTAMP, 1, x'00', 0)",
    )
    .execute(&db.write)
    .await
    .unwrap();
    // Leave a plain file behind: checkpoint the WAL into it.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&db.write)
        .await
        .unwrap();
    db.close().await;
    let before = std::fs::read(&path).unwrap();

    let error = Db::open(&path)
        .await
        .expect_err("a newer database is refused");
    let message = format!("{error:#}");
    assert!(message.contains("written by a newer Lyceum"), "{message}");
    assert!(message.contains("9999"), "{message}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file was modified"
    );
}

#[tokio::test]
async fn backup_writes_a_consistent_copy_while_the_database_is_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.db");
    let db = Db::open(&path).await.unwrap();
    for i in 0..50 {
        sqlx::query("INSERT INTO audit_log (guild_id, actor_id, action, created_at) VALUES (1, ?, 'test', 0)")
            .bind(i)
            .execute(&db.write)
            .await
            .unwrap();
    }
    std::fs::write(
        dir.path().join("config.toml"),
        format!(
            "[discord]\nguild_id = 1\n[database]\npath = \"{}\"\n",
            path.display()
        ),
    )
    .unwrap();
    let copy = dir.path().join("copy.db");
    let backup = || {
        lyceum()
            .arg("backup")
            .arg(&copy)
            .arg("--config")
            .arg(dir.path().join("config.toml"))
            .output()
            .unwrap()
    };
    // Through the CLI, while `db` is still open (as the running bot would have it).
    let out = backup();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let restored = Db::open(&copy).await.unwrap();
    let count = |pool| async move {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log")
            .fetch_one(pool)
            .await
            .unwrap();
        n
    };
    assert_eq!(count(&restored.read).await, 50);
    assert_eq!(count(&db.read).await, 50);

    // Refuses to overwrite.
    let out = backup();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
}

#[tokio::test]
async fn lyceum_run_connects_with_the_env_token_and_stops_cleanly_on_sigterm() {
    use lyceum::harness::sim::{calls::admin, ids, Sim};
    use std::time::Duration;

    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start().await.unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        lyceum::harness::sim::harness::config_text(&sim, &dir.path().join("lyceum.db"), ""),
    )
    .unwrap();
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_lyceum"))
        .args(["run", "--config"])
        .arg(&config)
        .env("DISCORD_TOKEN", sim.token())
        .env("RUST_LOG", "debug")
        // Files, not pipes: an unread pipe would fill up and block the bot's logging.
        .stdout(std::fs::File::create(dir.path().join("stdout.log")).unwrap())
        .stderr(std::fs::File::create(dir.path().join("stderr.log")).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    sim.wait_request("PUT", "/commands", 1, Duration::from_secs(30))
        .await
        .expect("the binary registered its commands");
    let reply = sim.slash(admin::list(ids::OWNER)).await.unwrap();
    assert!(reply.content.starts_with("**Staff**"), "{}", reply.content);

    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut child = child;
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("exits after SIGTERM")
        .unwrap();
    let logs = std::fs::read_to_string(dir.path().join("stdout.log")).unwrap()
        + &std::fs::read_to_string(dir.path().join("stderr.log")).unwrap();
    assert!(status.success(), "exit {status:?}\n{logs}");
    assert!(logs.contains("stopped"), "{logs}");
    assert!(
        !logs.contains(sim.token()),
        "the token was printed:\n{logs}"
    );
}

/// The README's first command keeps working: the demo plays its whole script.
#[test]
fn the_demo_plays_its_script_to_the_end() {
    let out = lyceum().arg("demo").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "registered /admin /checkin /points /leaderboard /shop /rules /automod /warn /warnings /pardon /timeout /untimeout /event /plan /membership /code /redeem /revenue /gate /renewals /refer /about /feedback /ask /answer /withdraw /stats /report /roles /challenge /homework /highlights /course in English and 中文 (/管理 /打卡 /积分 /排行榜 /商店 /规则 /自动审核 /警告 /警告记录 /撤销警告 /禁言 /解除禁言 /活动 /计划 /会员 /兑换码 /兑换 /收入 /门禁 /续费 /推荐 /关于 /反馈 /提问 /回答 /撤回 /数据 /报告 /身份组 /打卡挑战 /作业 /精华 /课程), and the message menu “Add to highlights” (加入精华)",
        "Done: @mina is now **moderator**.",
        "500 (retry) → 500 (retry) → 204 ✓",
        "你需要「管理员」或更高级别才能使用此命令。",
        "429 (waits retry_after) → 204 ✓",
        "the bot reconnected and RESUMEd its session",
        "REST calls reached the simulated Discord",
        "✅ 打卡成功：**+10** 积分。连续打卡 **1** 天。余额：30。",
        "#announce ▸ 🎉 @mina reached **level 1**!",
        "@mina got the role @Pro",
        "💬 Chat: **+20** in all (deleted messages are listed)",
        // Sam's DMs are closed: the transcript says so, and where the message went instead.
        "Discord ▸ refuses the DM to @sam (403: their DMs are closed) — it said:",
        "▸ Your message in Lyceum Academy broke the rule on **banned words**",
        "Lyceum ▸ posts it in the private thread “📬 For sam” under #general",
        "2 warning points reached: @sam is timed out for 1 hour",
        "• **banned words** (`idiot`) → delete_warn",
        "(the same message, updated) RSVP: ✅ 1 going · 🤔 0 maybe · ❌ 0 not going",
        "**article**: 1/3 this week",
        "⚠️ #rust-course is visible to @everyone",
        "✅ 3 permission changes queued",
        "🎉 Redeemed: **Rust course**, yours for life.",
        "#rust-course is visible to @mina: yes · to @kai: no",
        "@sam lost the role @Pro (paid time and grace over)",
        "▸ 🔒 Your **Pro membership** access has ended.",
        "• `rust-course` · redeem code — 99.00 USD (1)",
        "@sam lost the role @Rust Course (its payment was refunded)",
        "@sam still has @Pro: a refund ends only what its payment bought",
        "#mod-log ▸ ⚠️ **Dispute opened** on @sam's payment for **Pro membership**: 29.00 USD",
        "29.00 USD — no Discord member in the checkout",
        "**Lyceum Academy** — Learn Rust by shipping real projects",
        "What you get:",
        "  A chapter a week, live code reviews, answers from working Rust engineers",
        "Our rhythm:",
        "  article: 3 a week",
        "  • **Pro membership** — 29.00 USD / 30 days",
        "#mod-log ▸ 💬 Content request #1 — Could we get a session on async Rust?",
        "🎁 It was adopted: **+50** points.",
        "✅ Answer to `#1` posted; **50** points are yours.",
        "**Community — last 7 days**",
        "activity.png, activity-zh-CN.png, retention.png, weekly-report.png (saved to",
        "DM @mina ▸ 🎉 @sam paid for the first time with your referral code: **+500 points**.",
        "(Stripe retries the same event: nothing changes, Mina is credited once) → 200",
        "**Your referrals**: 1 used your code · 1 paid · 0 reversed · credit standing: 500 points, 0 days",
        "       kai ▸ [围观 Listen]",
        "的回答（**10** 积分，由提问者和专家分成）",
        "Questions answered: **1** (0 the week before)",
        "📊 **Weekly report · ",
        "120 role changes reached Discord",
        "server: Lyceum Academy (the only one the bot is in)",
        "check-config: ok",
        "$ lyceum invite-url",
        "12050 XP → level 15, 155 XP → level 1 (MEE6's curve) · run again: 0 imported, 2 left as they were",
        "1 paid member(s) granted Pro until their Patreon dates (@kai) · not imported: line 3: lee (status \"Former patron\"); line 4: zed#0 (no member of the server has this username)",
        "none answered 429",
        "#general ▸ 7 天 Rust 打卡 — day 1 of 7 · Write a function that borrows  [打卡 Check in]",
        "✅ 第 1 天打卡成功（+10 积分）。连续 1 天。",
        "⏩ The bot's clock moves forward one day",
        "✅ 第 2 天打卡成功（+10 积分）。连续 2 天。",
        "🌙 Day 2 excused (请假); 0 excuses left. Your streak stays at 2 days.",
        "Day 2: 1/2 checked in (50%), 1 excused",
        "Saved: ⭐ Featured. @kai is told by DM.",
        "⭐ 优秀作业奖励 **+50** 积分。",
        "#announcements 📌 ▸ ⭐ Highlights · Getting started",
        "DM @kai ▸ 👋 从这里开始",
        "Lyceum 👁 ▸ ✅ Added: @Async Rust",
        "In Discord's Events tab: 1 interested.",
        "**Renewals due in the next 31 days**",
        "Lyceum 👁 ▸ ✅ Sent to @kai.",
        "🔒 2. Lifetimes — unlocks in 6 days",
        "DM @mina ▸ 📖 A new lesson of Rust course is open: **Lifetimes**",
        "**Pro membership**: 0 of 1 due renewed — **0%**",
        "💌 Sent 1 win-back codes for **Pro membership**",
        "DM @mina ▸ We miss you at Lyceum Academy! Come back to **Pro membership** for 29.00 USD: `/redeem code:",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    // What a creator does first comes first; the engineering scenes come last, under a heading.
    let at = |text: &str| {
        stdout
            .find(text)
            .unwrap_or_else(|| panic!("{text:?} missing"))
    };
    assert!(at("$ lyceum init") < at("── Scene 1 "));
    assert!(at("── Scene 12 ") < at("══ Under the hood ══"));
    assert!(at("══ Under the hood ══") < at("500 Internal Server Error"));
    assert!(at("══ Under the hood ══") < at("RESUMEd"));
    assert!(at("══ Under the hood ══") < at("none answered 429"));
    // What a test artefact looks like, never shown to a member: raw JSON arguments, a count
    // with a decimal, "until no end", an ambiguous zone abbreviation.
    for artefact in [
        "{\"",
        "\":",
        ".0 planned",
        "no end",
        " CST",
        " (UTC+8) (UTC+8)",
    ] {
        assert!(
            !stdout.contains(artefact),
            "{artefact:?} in the transcript:\n{stdout}"
        );
    }
    assert!(stdout.contains("level: admin"), "{stdout}");
    assert!(stdout.contains("(UTC+8)"), "{stdout}");
    assert!(stdout.contains("1 published of 3 planned"), "{stdout}");
}

/// Runs `lyceum run` against `sim` with `token` until it exits by itself; returns its exit
/// code and what it printed on stderr.
async fn run_until_it_exits(sim: &lyceum::harness::sim::Sim, token: &str) -> (Option<i32>, String) {
    use std::time::Duration;

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        lyceum::harness::sim::harness::config_text(sim, &dir.path().join("lyceum.db"), ""),
    )
    .unwrap();
    let log = dir.path().join("stderr.log");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_lyceum"))
        .args(["run", "--config"])
        .arg(&config)
        .env("DISCORD_TOKEN", token)
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("the bot exits by itself")
        .unwrap();
    (status.code(), std::fs::read_to_string(&log).unwrap())
}

/// A bot that cannot register its commands (e.g. not in the configured server) says why and
/// exits, instead of staying connected and answering nothing.
#[tokio::test]
async fn lyceum_run_exits_with_the_reason_when_command_registration_is_refused() {
    let sim = lyceum::harness::sim::Sim::start().await.unwrap();
    sim.inject_faults(
        "PUT",
        "/commands",
        vec![lyceum::harness::sim::Fault::Status(403)],
    );
    let (code, stderr) = run_until_it_exits(&sim, sim.token()).await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error: cannot register slash commands in guild {}",
            lyceum::harness::sim::ids::GUILD
        )),
        "{stderr}"
    );
}

#[tokio::test]
async fn lyceum_run_exits_with_the_reason_when_the_token_is_refused() {
    let sim = lyceum::harness::sim::Sim::start().await.unwrap();
    let (code, stderr) = run_until_it_exits(&sim, "not-the-token").await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("error: cannot connect to Discord"),
        "{stderr}"
    );
    assert!(stderr.contains("Check DISCORD_TOKEN"), "{stderr}");
    assert!(
        !stderr.contains("not-the-token"),
        "the token was printed: {stderr}"
    );
}

/// The systemd unit we ship parses cleanly: `systemd-analyze verify` accepts every key and value
/// (it reports an unknown key or a bad value on stderr, so stderr must be empty too).
#[test]
fn the_systemd_unit_verifies() {
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/deploy/lyceum.service"
    ))
    .unwrap();
    // The unit names the installed binary; verify checks it exists, so point it at this build.
    let unit = unit.replace("/usr/local/bin/lyceum", env!("CARGO_BIN_EXE_lyceum"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lyceum.service");
    std::fs::write(&path, unit).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze (Debian's systemd package; .ci/run installs it)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.trim().is_empty(), "{stderr}");
}

/// The container's build stage copies everything the binary embeds (locales, fonts,
/// migrations, the example config): a file left out would fail the image build, which cannot
/// run on this machine (no container engine), so the list is checked here.
#[test]
fn the_container_build_copies_everything_the_binary_embeds() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let containerfile = std::fs::read_to_string(root.join("Containerfile")).unwrap();
    let build_stage = containerfile.split("\nFROM ").nth(1).unwrap_or_default();
    let copied: Vec<&str> = build_stage
        .lines()
        .filter_map(|l| l.strip_prefix("COPY "))
        .flat_map(|l| l.split_whitespace())
        .collect();
    let embed =
        regex::Regex::new(r#"(?:include_str!|include_bytes!|migrate!)\("([^"]+)"\)"#).unwrap();
    let mut missing = Vec::new();
    for file in walk(&root.join("src")) {
        let text = std::fs::read_to_string(&file).unwrap();
        for found in embed.captures_iter(&text) {
            let target = if found[0].starts_with("migrate!") {
                root.join(&found[1])
            } else {
                file.parent().unwrap().join(&found[1])
            };
            let target = target.canonicalize().unwrap();
            let rel = target.strip_prefix(root.canonicalize().unwrap()).unwrap();
            let top = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy()
                .to_string();
            if top != "src" && !copied.contains(&top.as_str()) && !missing.contains(&top) {
                missing.push(top);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "the Containerfile's build stage does not copy {missing:?}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// MEE6's leaderboard comes in once: a dry run writes nothing, the import gives each member
/// their XP as points and MEE6's level, and a second run changes nothing. A points CSV too.
#[tokio::test]
async fn import_from_mee6_and_csv_is_once_with_a_dry_run_first() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[discord]\nguild_id = 1\n").unwrap();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/mee6-leaderboard.json"
    );
    let import = |args: &[&str]| {
        let out = lyceum()
            .args(["import"])
            .args(args)
            .arg("--config")
            .arg(&config)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    let dry = import(&["mee6", "--file", fixture, "--dry-run"]);
    assert!(
        dry.contains("3 member(s) to import (12245 points in all), 0 imported before"),
        "{dry}"
    );
    assert!(dry.contains("nothing written"), "{dry}");
    // The database sits beside the config file.
    let db = lyceum::db::Db::open(&dir.path().join("lyceum.db"))
        .await
        .unwrap();
    let entries = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM points_ledger")
            .fetch_one(&db.read)
            .await
            .unwrap();
        n
    };
    assert_eq!(entries().await, 0);

    let done = import(&["mee6", "--file", fixture]);
    assert!(done.contains("imported 3 member(s)"), "{done}");
    let ada: (i64, i64, i64) = sqlx::query_as(
        "SELECT balance, lifetime, level FROM points_members WHERE member_id = 300000000000000001",
    )
    .fetch_one(&db.read)
    .await
    .unwrap();
    // MEE6 shows level 15 for 12,050 XP (5l² + 50l + 100 to the next): the same level here.
    assert_eq!(ada, (12050, 12050, 15));

    let again = import(&["mee6", "--file", fixture]);
    assert!(
        again.contains("0 member(s) to import (0 points in all), 3 imported before"),
        "{again}"
    );
    assert_eq!(entries().await, 3);

    let csv = dir.path().join("points.csv");
    std::fs::write(&csv, "user_id,points\n300000000000000004,75\n").unwrap();
    let from_csv = import(&["csv", "--kind", "points", "--file", csv.to_str().unwrap()]);
    assert!(from_csv.contains("imported 1 member(s)"), "{from_csv}");
    assert_eq!(entries().await, 4);

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "id,score\n1,2\n").unwrap();
    let out = lyceum()
        .args(["import", "csv", "--kind", "points", "--file"])
        .arg(&bad)
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("user_id and points"));
    assert_eq!(entries().await, 4, "a bad file changes nothing");
}

/// `lyceum init` asks the simulated Discord for the bot's server, its channels and roles, and
/// writes a config `check-config` accepts — by flags for scripts, and by answering its
/// questions (numbers, names, Enter for the default) on stdin.
// Multi-threaded: the CLI runs as a blocking child while the simulator answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_writes_a_config_from_names_that_check_config_accepts() {
    use lyceum::harness::sim::{ids, Sim};
    use std::io::Write;
    let sim = Sim::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let scripted = dir.path().join("scripted.toml");
    let out = lyceum()
        .args(["init", "--non-interactive", "--api-url", &sim.api_url()])
        .args(["--mod-log", "#mod-log", "--announcements", "announcements"])
        .args(["--timezone", "Asia/Shanghai", "--language", "zh-CN"])
        .args(["--admin-role", "@Admin", "--moderator-role", "moderator"])
        .arg("--output")
        .arg(&scripted)
        .env("DISCORD_TOKEN", sim.token())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = Config::load(&scripted).unwrap();
    assert_eq!(config.discord.guild_id.get(), ids::GUILD);
    assert_eq!(
        config.channels.mod_log.map(|c| c.get()),
        Some(ids::CHANNEL_MOD_LOG)
    );
    assert_eq!(
        config.staff.admin_role.map(|r| r.get()),
        Some(ids::ROLE_ADMIN)
    );
    assert_eq!(
        config.staff.moderator_role.map(|r| r.get()),
        Some(ids::ROLE_MODERATOR)
    );
    assert_eq!(config.community.timezone, chrono_tz::Asia::Shanghai);
    let check = lyceum()
        .args(["check-config", "--config"])
        .arg(&scripted)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    // The same by answering: the server is the only one; mod log by number, announcements by
    // name, Enter for the suggested zone, zh-CN, admins by name, no moderator role.
    let asked = dir.path().join("asked.toml");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_lyceum"))
        .args(["init", "--api-url", &sim.api_url(), "--output"])
        .arg(&asked)
        .env("DISCORD_TOKEN", sim.token())
        .env("TZ", "Europe/Berlin")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mod_log_number = {
        // Its place in the listed text channels, as the prompt numbers them.
        let world = lyceum::harness::sim::world::World::default();
        world
            .channels
            .iter()
            .filter(|c| c.kind == 0)
            .position(|c| c.id == ids::CHANNEL_MOD_LOG)
            .unwrap()
            + 1
    };
    let answers = format!("{mod_log_number}\nannouncements\n\nzh-CN\nadmin\n\n");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answers.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Which channel is the mod log"), "{stdout}");
    let config = Config::load(&asked).unwrap();
    assert_eq!(
        config.channels.mod_log.map(|c| c.get()),
        Some(ids::CHANNEL_MOD_LOG)
    );
    assert!(config.channels.announcements.is_some(), "{stdout}");
    assert_eq!(config.community.timezone, chrono_tz::Europe::Berlin);
    assert_eq!(
        config.staff.admin_role.map(|r| r.get()),
        Some(ids::ROLE_ADMIN)
    );
    assert_eq!(config.staff.moderator_role, None);

    // An existing file is not replaced without --force.
    let again = lyceum()
        .args([
            "init",
            "--non-interactive",
            "--api-url",
            &sim.api_url(),
            "--output",
        ])
        .arg(&asked)
        .env("DISCORD_TOKEN", sim.token())
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

/// Paid members come over from each platform's export: a dry run writes nothing, the import
/// grants the product until each row's end date (usernames found among the server's members
/// on the simulated Discord), every row left out is reported with why, and a second run
/// changes nothing.
// Multi-threaded: the CLI runs as a blocking child while the simulator answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_members_from_each_platform_export_is_once_with_a_report() {
    use lyceum::harness::sim::{ids, Sim};
    let sim = Sim::start().await.unwrap();
    // (file, extra args, members granted, lines left out with a word of why)
    type Platform<'a> = (&'a str, &'a [&'a str], usize, &'a [(usize, &'a str)]);
    let platforms: [Platform; 5] = [
        ("launchpass", &[], 2, &[(3, "expired")]),
        ("whop", &[], 2, &[(4, "no member of the server")]),
        ("upgradechat", &[], 2, &[(4, "CANCELLED")]),
        (
            "patreon",
            &["--plan", "Gold"],
            1,
            &[
                (3, "Former patron"),
                (4, "Silver"),
                (5, "no member of the server"),
            ],
        ),
        ("zsxq", &[], 2, &[(3, "ended 2025-06-01")]),
    ];
    for (platform, extra, granted, left_out) in platforms {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(
            &config,
            format!(
                "[discord]\nguild_id = {}\napi_url = \"{}\"\n\n[community]\ntimezone = \"Asia/Shanghai\"\n\n\
                 [[products]]\nid = \"pro\"\nname = \"Pro\"\nrole = {}\nduration = \"30d\"\nprice = 29.0\n",
                ids::GUILD,
                sim.api_url(),
                ids::ROLE_PRO
            ),
        )
        .unwrap();
        let file = format!(
            "{}/tests/fixtures/members/{platform}.csv",
            env!("CARGO_MANIFEST_DIR")
        );
        let import = |dry_run: bool| {
            let mut command = lyceum();
            command
                .args(["import", "members", "--product", "pro", "--file", &file])
                .args(extra)
                .arg("--config")
                .arg(&config)
                .env("DISCORD_TOKEN", sim.token());
            if dry_run {
                command.arg("--dry-run");
            }
            let out = command.output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout).to_string();
            assert!(
                out.status.success(),
                "{platform}: {stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            stdout
        };
        let dry = import(true);
        assert!(
            dry.contains(&format!(
                "{granted} member(s) to grant pro, 0 imported before (left as they are), {} row(s) not imported",
                left_out.len()
            )),
            "{platform}: {dry}"
        );
        for (line, why) in left_out {
            assert!(
                dry.lines()
                    .any(|l| l.contains(&format!("line {line}:")) && l.contains(why)),
                "{platform}: line {line} should be reported with {why:?}: {dry}"
            );
        }
        assert!(dry.contains("nothing written"), "{platform}: {dry}");
        let db = lyceum::db::Db::open(&dir.path().join("lyceum.db"))
            .await
            .unwrap();
        let imported = || async {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM grants WHERE source = 'import' AND product = 'pro' AND ended_at IS NULL",
            )
            .fetch_one(&db.read)
            .await
            .unwrap();
            n as usize
        };
        assert_eq!(imported().await, 0, "{platform}: a dry run writes nothing");

        let done = import(false);
        assert!(
            done.contains(&format!("imported {granted} member(s)")),
            "{platform}: {done}"
        );
        assert_eq!(imported().await, granted, "{platform}");
        // Mina's access runs to the end date in her row (through 2030-01-31 or to 2030-01-01
        // in Shanghai), her role waits in the outbox for the bot to run.
        let (paid_until,): (Option<i64>,) = sqlx::query_as(&format!(
            "SELECT paid_until FROM grants WHERE member_id = {} AND source = 'import'",
            ids::MINA
        ))
        .fetch_one(&db.read)
        .await
        .unwrap();
        let until = lyceum::clock::from_millis(paid_until.unwrap())
            .with_timezone(&chrono_tz::Asia::Shanghai);
        assert!(
            until.format("%Y").to_string() == "2030",
            "{platform}: {until}"
        );
        let (roles,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'add_role' AND status = 'pending'",
        )
        .fetch_one(&db.read)
        .await
        .unwrap();
        assert_eq!(roles as usize, granted, "{platform}");

        let again = import(false);
        assert!(
            again.contains(&format!(
                "0 member(s) to grant pro, {granted} imported before"
            )),
            "{platform}: {again}"
        );
        assert_eq!(
            imported().await,
            granted,
            "{platform}: a second run changes nothing"
        );
    }
}

/// The binary asks for no newer glibc than the README promises (2.34): the symbol versions it
/// was linked against are named in its `.gnu.version_r` section as `GLIBC_2.N`.
#[test]
fn the_binary_needs_no_newer_glibc_than_documented() {
    let binary = std::fs::read(env!("CARGO_BIN_EXE_lyceum")).unwrap();
    let needle = b"GLIBC_2.";
    let mut newest = 0u32;
    for start in binary
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i + needle.len())
    {
        let minor: String = binary[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .map(|b| *b as char)
            .collect();
        if let Ok(minor) = minor.parse::<u32>() {
            newest = newest.max(minor);
        }
    }
    assert!(newest > 0, "a glibc binary names its glibc versions");
    assert!(
        newest <= 34,
        "the binary needs glibc 2.{newest}; the README says 2.34 — update both or pin the dependency"
    );
    assert!(
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
            .unwrap()
            .contains("glibc 2.34 or newer")
    );
}

/// `lyceum demo --web` keeps the community running and prints one-click links; following the
/// member's link logs a browser in through the simulated Discord and shows their page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_web_keeps_the_community_running_with_login_links() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_lyceum"))
        .args(["demo", "--web"])
        .current_dir(tempfile::tempdir().unwrap().path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let link = tokio::time::timeout(std::time::Duration::from_secs(120), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.trim().strip_prefix("log in as @mina (member) ") {
                return rest.to_string();
            }
        }
        panic!("the demo ended without printing its links");
    })
    .await
    .expect("the demo prints its links");
    let mut browser = crate::web::Browser::new();
    let mut url = link;
    let mut hops = 0;
    let page = loop {
        let page = browser.get(&url).await;
        match page.location.clone() {
            Some(next) if hops < 8 => {
                hops += 1;
                url = if next.starts_with('/') {
                    let base = url::Url::parse(&url).unwrap();
                    base.join(&next).unwrap().to_string()
                } else {
                    next
                };
            }
            _ => break page,
        }
    };
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(url.ends_with("/me"), "{url}");
    assert!(page.body.contains("mina"), "{}", page.body);
    child.kill().await.unwrap();
}
