//! The web pages in a real browser: Debian's headless Chromium, driven through ChromeDriver
//! by fantoccini (WebDriver). The login round trip clicks through the simulated Discord's
//! consent page; every page is checked for horizontal overflow at 375 px and 1280 px, and for
//! Chinese text drawn with a CJK font; screenshots land in `target/web-screenshots/`.
//!
//! Needs `chromium` and `chromium-driver` (`.ci/run` installs them). Without them the test
//! says so and passes, unless `CI` or `LYCEUM_BROWSER_TESTS` is set: then it fails.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use lyceum::harness::sim::{ids, SlashCall};

use crate::support::TestApp;
use crate::web::base;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("LYCEUM_BROWSER_TESTS").is_some()
}

/// ChromeDriver on a free port, and a headless Chromium session through it.
async fn browser() -> Option<(Driver, Client)> {
    if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        assert!(
            !required(),
            "{CHROMEDRIVER} or {CHROMIUM} is missing: apt-get install chromium chromium-driver"
        );
        eprintln!("skipped: install chromium and chromium-driver to run the browser test");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver(child);
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--lang=en-US"],
        }),
    );
    // ChromeDriver is plain HTTP on 127.0.0.1, but the client is built with rustls, which
    // wants its crypto provider chosen once per process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let url = format!("http://127.0.0.1:{port}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        match ClientBuilder::rustls()
            .expect("a TLS config")
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return Some((driver, client)),
            Err(e) if tokio::time::Instant::now() > deadline => {
                panic!("cannot start a Chromium session: {e}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/web-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The page fits its window (nothing wider than the viewport), and a screenshot of it.
async fn check_and_shoot(client: &Client, name: &str) {
    for width in [375u32, 1280] {
        client.set_window_size(width, 900).await.unwrap();
        let overflow = client
            .execute(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            overflow.as_i64().unwrap_or(1) <= 0,
            "{name} overflows horizontally by {overflow} px at {width} px"
        );
        let png = client.screenshot().await.unwrap();
        std::fs::write(shots().join(format!("{name}-{width}.png")), png).unwrap();
    }
}

/// The page's visible text (read again if the page was still changing under the reader).
async fn text(client: &Client) -> String {
    for _ in 0..50 {
        if let Ok(body) = client.find(Locator::Css("body")).await {
            if let Ok(text) = body.text().await {
                return text;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the page never settled");
}

/// Waits until the page shows `needle` (a click's navigation has landed).
async fn wait_for_text(client: &Client, needle: &str) {
    for _ in 0..100 {
        if text(client).await.contains(needle) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the page never showed {needle:?}");
}

/// Waits until the browser is at `path` (a login's redirects have landed).
async fn wait_for_path(client: &Client, path: &str) {
    for _ in 0..100 {
        if client.current_url().await.is_ok_and(|u| u.path() == path) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the browser never reached {path}");
}

async fn click_login(client: &Client) {
    client
        .find(Locator::Css("header a.button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn set_language(client: &Client, base: &str, to: &str) {
    client.goto(&format!("{base}/lang?to={to}")).await.unwrap();
}

/// What the community says about itself (shown on `/`).
const COMMUNITY: &str = r#"timezone = "Asia/Shanghai"
tagline = { en = "Learn Rust by shipping real projects", "zh-CN" = "在真实项目中学 Rust" }
value = { en = "A chapter a week, live code reviews, answers from working Rust engineers", "zh-CN" = "每周一章、直播代码评审、一线 Rust 工程师答疑" }
audience = { en = "Developers moving to Rust", "zh-CN" = "转向 Rust 的开发者" }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_and_staff_use_the_pages_in_a_real_browser() {
    let Some((_driver, client)) = browser().await else {
        return;
    };
    let app =
        TestApp::spawn_edited(|text| {
            text.replace("[web]\n", "[web]\nleaderboard = \"public\"\n")
                .replace("timezone = \"Asia/Shanghai\"\n", COMMUNITY)
                + &format!(
                    "\n[[schedule]]\nid = \"weekly-live\"\ntitle = {{ en = \"Weekly live Q&A\", \"zh-CN\" = \"每周直播答疑\" }}\nwhen = \"2026-12-01 20:00\"\nrepeat = \"weekly\"\n\n[[products]]\nid = \"pro\"\nname = {{ en = \"Pro membership\", \"zh-CN\" = \"专业会员\" }}\nrole = {}\nduration = \"30d\"\nprice = 29.0\npayment_link = \"https://buy.stripe.com/test_pro\"\n",
                    ids::ROLE_PRO
                )
        })
        .await;
    let base = base(&app);
    let give = SlashCall::new(ids::OWNER, "points")
        .subcommand("give")
        .user_option("member", ids::MINA)
        .integer("amount", 120)
        .string("reason", "great chapter summary");
    app.slash(give).await;
    let grant = SlashCall::new(ids::OWNER, "membership")
        .subcommand("grant")
        .user_option("member", ids::MINA)
        .string("product", "pro");
    let granted = app.slash(grant).await;
    assert!(
        granted.content.contains("Pro membership"),
        "{}",
        granted.content
    );

    // The community page and the public leaderboard, before logging in.
    client.goto(&format!("{base}/")).await.unwrap();
    let home = text(&client).await;
    assert!(
        home.contains("Learn Rust by shipping real projects"),
        "{home}"
    );
    assert!(
        home.contains("Pro membership — 29.00 USD / 30 days"),
        "{home}"
    );
    check_and_shoot(&client, "home-en").await;
    client.goto(&format!("{base}/leaderboard")).await.unwrap();
    assert!(text(&client).await.contains("120"));
    check_and_shoot(&client, "leaderboard-en").await;
    // The privacy switch: `members` (after /admin reload) closes it to a visitor.
    let path = app.bot().config_path.clone();
    let public = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        public.replace("leaderboard = \"public\"", "leaderboard = \"members\""),
    )
    .unwrap();
    app.slash(lyceum::harness::sim::calls::admin::reload(ids::OWNER))
        .await;
    client.goto(&format!("{base}/leaderboard")).await.unwrap();
    wait_for_text(&client, "The leaderboard is for members").await;
    std::fs::write(&path, public).unwrap();
    app.slash(lyceum::harness::sim::calls::admin::reload(ids::OWNER))
        .await;

    // The login round trip: the button, Discord's consent page (the simulator consents as the
    // member signed in there), back to the member's page.
    app.sim().sign_in(ids::MINA);
    client.goto(&format!("{base}/me")).await.unwrap();
    let url = client.current_url().await.unwrap();
    assert_eq!(url.path(), "/me", "the login came back to /me");
    let page = text(&client).await;
    let shown = app
        .slash(SlashCall::new(ids::MINA, "points").subcommand("show"))
        .await;
    assert!(shown.content.contains("120"), "{}", shown.content);
    assert!(page.contains("Balance: 120 points"), "{page}");
    assert!(page.contains("Pro membership — until"), "{page}");
    assert!(page.contains("Renew"), "{page}");
    check_and_shoot(&client, "me-en").await;

    // An RSVP on the event's page: the Discord announcement's counts change.
    let announced = app
        .sim()
        .wait_request(
            "POST",
            &format!("/channels/{}/messages", ids::CHANNEL_ANNOUNCEMENTS),
            1,
            Duration::from_secs(10),
        )
        .await
        .expect("the event is announced");
    let message = announced.response["id"].as_str().unwrap().to_string();
    client.goto(&format!("{base}/events/1")).await.unwrap();
    client
        .find(Locator::Css("button[value=going]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(&client, "1 going").await;
    let edited = app
        .sim()
        .wait_request(
            "PATCH",
            &format!(
                "/channels/{}/messages/{message}",
                ids::CHANNEL_ANNOUNCEMENTS
            ),
            1,
            Duration::from_secs(10),
        )
        .await
        .expect("the announcement is edited");
    assert!(edited.body["embeds"][0]["fields"][0]["value"]
        .as_str()
        .unwrap()
        .contains("1 going"));
    check_and_shoot(&client, "event-en").await;

    // A member is refused the staff page.
    client.goto(&format!("{base}/staff")).await.unwrap();
    assert!(text(&client).await.contains("moderator and up"));

    // In Chinese, drawn with a CJK font.
    set_language(&client, &base, "zh-CN").await;
    client.goto(&format!("{base}/me")).await.unwrap();
    assert!(text(&client).await.contains("余额：120 积分"));
    let cjk = client
        .execute(
            "return document.fonts.check('16px \"Noto Sans CJK SC\"', '余额');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        cjk,
        serde_json::json!(true),
        "a CJK font draws the Chinese text"
    );
    check_and_shoot(&client, "me-zh-CN").await;
    client.goto(&format!("{base}/")).await.unwrap();
    check_and_shoot(&client, "home-zh-CN").await;
    client.goto(&format!("{base}/leaderboard")).await.unwrap();
    check_and_shoot(&client, "leaderboard-zh-CN").await;

    // Logout, then the owner logs in and opens the staff page, in both languages.
    client
        .find(Locator::Css("header form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(&client, "用 Discord 登录").await;
    app.sim().sign_in(ids::OWNER);
    client.goto(&format!("{base}/")).await.unwrap();
    click_login(&client).await;
    wait_for_path(&client, "/me").await;
    client.goto(&format!("{base}/staff")).await.unwrap();
    assert!(text(&client).await.contains("管理"));
    check_and_shoot(&client, "staff-zh-CN").await;
    set_language(&client, &base, "en").await;
    client.goto(&format!("{base}/staff")).await.unwrap();
    let staff = text(&client).await;
    assert!(staff.contains("Your level: owner"), "{staff}");
    assert!(staff.contains("Members with access (1)"), "{staff}");
    check_and_shoot(&client, "staff-en").await;
    client.close().await.unwrap();
}
