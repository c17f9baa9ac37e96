//! The web pages over HTTP (no browser): the Discord login against the simulated Discord's
//! OAuth2 endpoints, sessions, CSRF, the privacy switch, who may see what.

use std::collections::HashMap;

use lyceum::harness::sim::{ids, SlashCall};

use crate::support::TestApp;

/// A browser without JavaScript: keeps cookies per name, follows nothing by itself.
pub struct Browser {
    client: reqwest::Client,
    pub cookies: HashMap<String, String>,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Browser {
    pub fn new() -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn take(&mut self, response: reqwest::Response) -> Page {
        for set in response.headers().get_all("set-cookie") {
            let text = set.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        Page {
            status: response.status().as_u16(),
            location: response
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_string()),
            body: response.text().await.unwrap(),
        }
    }

    pub async fn get(&mut self, url: &str) -> Page {
        let response = self
            .client
            .get(url)
            .header("cookie", self.cookie_header())
            .header("accept-language", "en-US,en;q=0.8")
            .send()
            .await
            .unwrap();
        self.take(response).await
    }

    pub async fn post(&mut self, url: &str, form: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(url)
            .header("cookie", self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.take(response).await
    }
}

pub fn base(app: &TestApp) -> String {
    format!("http://{}", app.bot().app.web_addr)
}

/// The login as a browser does it: /login → Discord's consent page (the simulator consents as
/// the signed-in member) → /auth/callback. Returns the callback's answer.
pub async fn log_in(app: &TestApp, browser: &mut Browser, member: u64) -> Page {
    app.sim().sign_in(member);
    let start = browser.get(&format!("{}/login?next=/me", base(app))).await;
    assert_eq!(start.status, 303, "{}", start.body);
    let consent = browser.get(start.location.as_deref().unwrap()).await;
    assert_eq!(consent.status, 302, "{}", consent.body);
    browser.get(consent.location.as_deref().unwrap()).await
}

fn csrf_of(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    page[at..at + 64].to_string()
}

#[tokio::test]
async fn a_member_logs_in_with_discord_sees_their_page_and_logs_out() {
    let app = TestApp::spawn().await;
    let give = SlashCall::new(ids::OWNER, "points")
        .subcommand("give")
        .user_option("member", ids::MINA)
        .integer("amount", 120)
        .string("reason", "great summary");
    app.slash(give).await;
    let mut browser = Browser::new();
    let done = log_in(&app, &mut browser, ids::MINA).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/me"));
    assert!(browser.cookies.contains_key("lyceum_session"));
    assert!(
        !browser.cookies.contains_key("lyceum_login"),
        "the pre-login cookie is spent"
    );
    // Discord's token was revoked at once: Lyceum keeps no credential of the member.
    assert_eq!(app.requests("POST", "/oauth2/token/revoke").len(), 1);

    let me = browser.get(&format!("{}/me", base(&app))).await;
    assert_eq!(me.status, 200);
    let shown = app
        .slash(SlashCall::new(ids::MINA, "points").subcommand("show"))
        .await;
    assert!(shown.content.contains("120"), "{}", shown.content);
    assert!(
        me.body.contains("Balance: <strong>120</strong> points"),
        "{}",
        me.body
    );
    assert!(me.body.contains("great summary"), "{}", me.body);

    // Logging out needs the session's CSRF token; without it nothing happens.
    let refused = browser.post(&format!("{}/logout", base(&app)), &[]).await;
    assert_eq!(refused.status, 403);
    assert_eq!(browser.get(&format!("{}/me", base(&app))).await.status, 200);
    let csrf = csrf_of(&me.body);
    let out = browser
        .post(&format!("{}/logout", base(&app)), &[("csrf", &csrf)])
        .await;
    assert_eq!(out.status, 303);
    let after = browser.get(&format!("{}/me", base(&app))).await;
    assert_eq!(after.status, 303, "logged out: /me sends to the login");
    assert_eq!(app.count("SELECT COUNT(*) FROM web_sessions").await, 0);
}

#[tokio::test]
async fn a_bad_state_a_replayed_code_and_a_planted_session_are_refused() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new();
    app.sim().sign_in(ids::MINA);
    let start = browser.get(&format!("{}/login", base(&app))).await;
    let consent = browser.get(start.location.as_deref().unwrap()).await;
    let callback = consent.location.unwrap();

    // A tampered or missing state: 400, no session.
    let tampered = callback.replace("state=", "state=x");
    assert_eq!(browser.get(&tampered).await.status, 400);
    let no_state = callback.split("&state=").next().unwrap().to_string();
    assert_eq!(browser.get(&no_state).await.status, 400);
    // The state belongs to the browser that started the login.
    let mut other = Browser::new();
    other.cookies.insert("lyceum_login".into(), "0".repeat(64));
    assert_eq!(other.get(&callback).await.status, 400);
    assert_eq!(app.count("SELECT COUNT(*) FROM web_sessions").await, 0);

    // A session id planted before login is not the one given after it.
    browser
        .cookies
        .insert("lyceum_session".into(), "a".repeat(64));
    // (The tampered tries above spent the state: start again.)
    let start = browser.get(&format!("{}/login", base(&app))).await;
    let consent = browser.get(start.location.as_deref().unwrap()).await;
    let callback = consent.location.unwrap();
    let done = browser.get(&callback).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_ne!(browser.cookies["lyceum_session"], "a".repeat(64));

    // The same code again, with a fresh state: Discord refuses it, so does Lyceum.
    let code = callback
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    let start = browser.get(&format!("{}/login", base(&app))).await;
    let consent = browser.get(start.location.as_deref().unwrap()).await;
    let fresh = consent.location.unwrap();
    let fresh_code = fresh
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let replayed = fresh.replace(fresh_code, &code);
    let page = browser.get(&replayed).await;
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.body.contains("used or expired"), "{}", page.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM web_sessions").await, 1);
}

#[tokio::test]
async fn someone_outside_the_server_sees_only_public_pages() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new();
    let done = log_in(&app, &mut browser, 999_000_000_000_000_001).await;
    assert_eq!(done.status, 303);
    assert_eq!(browser.get(&format!("{}/", base(&app))).await.status, 200);
    assert_eq!(browser.get(&format!("{}/me", base(&app))).await.status, 403);
    assert_eq!(
        browser
            .get(&format!("{}/leaderboard", base(&app)))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn staff_pages_are_for_moderators_and_up_by_the_bots_own_levels() {
    let app = TestApp::spawn().await;
    let mut member = Browser::new();
    log_in(&app, &mut member, ids::MINA).await;
    let page = member.get(&format!("{}/staff", base(&app))).await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("moderator and up"), "{}", page.body);

    // Made a moderator with the bot's command: the same page opens, on the next request.
    let grant = SlashCall::new(ids::OWNER, "admin")
        .subcommand("grant")
        .user_option("target", ids::MINA)
        .choice("level", "moderator");
    app.slash(grant).await;
    let page = member.get(&format!("{}/staff", base(&app))).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Your level: moderator"), "{}", page.body);

    let mut owner = Browser::new();
    log_in(&app, &mut owner, ids::OWNER).await;
    let page = owner.get(&format!("{}/staff", base(&app))).await;
    assert_eq!(page.status, 200, "{}", page.body);
}

#[tokio::test]
async fn the_export_holds_the_members_own_data_and_nobody_elses() {
    let app = TestApp::spawn().await;
    for member in [ids::MINA, ids::KAI] {
        let give = SlashCall::new(ids::OWNER, "points")
            .subcommand("give")
            .user_option("member", member)
            .integer("amount", 10)
            .string("reason", "welcome");
        app.slash(give).await;
    }
    let mut browser = Browser::new();
    log_in(&app, &mut browser, ids::MINA).await;
    let export = browser.get(&format!("{}/me/export.json", base(&app))).await;
    assert_eq!(export.status, 200);
    let json: serde_json::Value = serde_json::from_str(&export.body).unwrap();
    assert_eq!(json["member_id"], ids::MINA.to_string());
    let ledger = json["tables"]["points_ledger"].as_array().unwrap();
    assert_eq!(ledger.len(), 1, "{ledger:?}");
    assert_eq!(ledger[0]["member_id"], ids::MINA as i64);
    assert!(
        !export.body.contains(&ids::KAI.to_string()),
        "another member's id is in the export"
    );
    assert!(!export.body.contains("csrf") && !export.body.contains("id_hash"));
    // Logged out: nothing.
    let mut stranger = Browser::new();
    assert_eq!(
        stranger
            .get(&format!("{}/me/export.json", base(&app)))
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn the_leaderboard_follows_its_privacy_switch() {
    for (setting, anonymous, member) in [
        ("public", 200, 200),
        ("members", 403, 200),
        ("off", 404, 404),
    ] {
        let app = TestApp::spawn_edited(|text| {
            text.replace("[web]\n", &format!("[web]\nleaderboard = \"{setting}\"\n"))
        })
        .await;
        let give = SlashCall::new(ids::OWNER, "points")
            .subcommand("give")
            .user_option("member", ids::KAI)
            .integer("amount", 30)
            .string("reason", "seed");
        app.slash(give).await;
        let url = format!("{}/leaderboard", base(&app));
        let mut stranger = Browser::new();
        assert_eq!(stranger.get(&url).await.status, anonymous, "{setting}");
        let mut browser = Browser::new();
        log_in(&app, &mut browser, ids::MINA).await;
        let page = browser.get(&url).await;
        assert_eq!(page.status, member, "{setting}");
        if member == 200 {
            assert!(page.body.contains("<td>30</td>"), "{}", page.body);
        }
    }
}

/// Every table that names a member (by `member_id`, `author_id`, `asker_id`, `expert_id`) is in
/// the export: a new table cannot be forgotten. (Sessions and the calendar link are exported by
/// date only: their hashes are secrets.)
#[tokio::test]
async fn the_export_reads_every_table_about_members() {
    let dir = tempfile::tempdir().unwrap();
    let db = lyceum::db::Db::open(&dir.path().join("x.db"))
        .await
        .unwrap();
    let tables: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'")
            .fetch_all(&db.read)
            .await
            .unwrap();
    let exported: Vec<&str> = lyceum::web::store::MEMBER_ROWS
        .iter()
        .map(|(_, sql)| *sql)
        .collect();
    for (table,) in tables {
        let columns: Vec<(String,)> =
            sqlx::query_as(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .fetch_all(&db.read)
                .await
                .unwrap();
        for (column,) in columns {
            if !["member_id", "author_id", "asker_id", "expert_id"].contains(&column.as_str())
                || table == "web_sessions"
                || table == "web_calendar_tokens"
            {
                continue;
            }
            let statement = format!("SELECT * FROM {table} WHERE {column} = ?");
            assert!(
                exported.contains(&statement.as_str()),
                "{table}.{column} is not in the export"
            );
        }
    }
}

#[tokio::test]
async fn staff_filter_members_by_product_and_end() {
    let products = format!(
        "\n[[products]]\nid = \"pro\"\nname = \"Pro\"\nrole = {}\nduration = \"30d\"\n\n[[products]]\nid = \"course\"\nkind = \"course\"\nname = \"Course\"\nrole = {}\nduration = \"lifetime\"\n",
        ids::ROLE_PRO,
        ids::ROLE_COURSE
    );
    let app = TestApp::spawn_with(&products).await;
    for (member, product) in [(ids::MINA, "pro"), (ids::KAI, "course"), (ids::SAM, "pro")] {
        let grant = SlashCall::new(ids::OWNER, "membership")
            .subcommand("grant")
            .user_option("member", member)
            .string("product", product);
        app.slash(grant).await;
    }
    let mut owner = Browser::new();
    log_in(&app, &mut owner, ids::OWNER).await;
    let all = owner.get(&format!("{}/staff", base(&app))).await;
    assert!(all.body.contains("Members with access (3)"), "{}", all.body);
    // Staff-granted comps are access, not paid members: the money figure says so apart.
    assert!(
        all.body.contains(
            "Paid members now: <strong>0</strong> · with free access (comps): <strong>3</strong>"
        ),
        "{}",
        all.body
    );
    // The overview says how fresh its message counts are (written every 30 s, not per view).
    assert!(
        all.body
            .contains("Message counts are written every 30 seconds"),
        "{}",
        all.body
    );
    let pro = owner
        .get(&format!("{}/staff?product=pro", base(&app)))
        .await;
    assert!(pro.body.contains("Members with access (2)"), "{}", pro.body);
    let soon = owner
        .get(&format!("{}/staff?product=pro&expiring=7", base(&app)))
        .await;
    assert!(
        soon.body.contains("Members with access (0)"),
        "{}",
        soon.body
    );
    let month = owner
        .get(&format!("{}/staff?expiring=30", base(&app)))
        .await;
    assert!(
        month.body.contains("Members with access (2)"),
        "{}",
        month.body
    );

    // Quiet for 14 days: everyone but the member who just posted.
    app.sim().message_create(
        ids::CHANNEL_GENERAL,
        ids::MINA,
        "Chapter 3 was great, thanks!",
    );
    let quiet = format!("{}/staff?quiet=14", base(&app));
    crate::support::eventually("mina's message counts as activity", async || {
        owner
            .get(&quiet)
            .await
            .body
            .contains("Members with access (2)")
    })
    .await;

    // Revenue by month and source: only what was paid (the grants above were complimentary).
    assert!(all.body.contains("No income recorded"), "{}", all.body);
    let paid = SlashCall::new(ids::OWNER, "membership")
        .subcommand("grant")
        .user_option("member", ids::MINA)
        .string("product", "pro")
        .number("paid", 29.0);
    app.slash(paid).await;
    let page = owner.get(&format!("{}/staff", base(&app))).await;
    assert!(
        page.body.contains("granted by staff</td><td>29.00 USD"),
        "{}",
        page.body
    );
    // /stats' charts, as PNG, for staff only.
    for chart in ["activity.png", "retention.png", "revenue.png"] {
        let png = owner
            .get(&format!("{}/staff/charts/{chart}", base(&app)))
            .await;
        assert_eq!(png.status, 200, "{chart}");
    }
    assert!(page.body.contains("/staff/charts/revenue.png"));
    assert!(page.body.contains("Active members: DAU"), "{}", page.body);
    let mut member = Browser::new();
    log_in(&app, &mut member, ids::KAI).await;
    let refused = member
        .get(&format!("{}/staff/charts/retention.png", base(&app)))
        .await;
    assert_eq!(refused.status, 403);
}

/// The personal calendar: a link shown once, the events the member can see in it; a new link
/// or turning it off makes the old one answer 404.
#[tokio::test]
async fn the_personal_calendar_link_works_until_replaced_or_revoked() {
    let schedule = "\n[[schedule]]\nid = \"weekly-live\"\ntitle = \"Weekly live Q&A\"\nwhen = \"2026-12-01 20:00\"\nrepeat = \"weekly\"\n";
    let app = TestApp::spawn_with(schedule).await;
    let mut browser = Browser::new();
    log_in(&app, &mut browser, ids::MINA).await;
    let me = browser.get(&format!("{}/me", base(&app))).await;
    let csrf = csrf_of(&me.body);
    let url = format!("{}/me/calendar", base(&app));
    assert_eq!(
        browser.post(&url, &[("action", "new")]).await.status,
        403,
        "no CSRF token, no link"
    );
    // The bot learns which channels are public from the gateway, just after it starts.
    let public = format!("{}/calendar.ics", base(&app));
    crate::support::eventually("the public feed lists the event", async || {
        Browser::new().get(&public).await.body.contains("SUMMARY:")
    })
    .await;
    let first = new_calendar_link(&mut browser, &url, &csrf).await;
    let mut calendar_app = Browser::new();
    let feed = calendar_app.get(&first).await;
    assert_eq!(feed.status, 200);
    assert!(feed.body.contains("BEGIN:VCALENDAR"), "{}", feed.body);
    assert!(
        feed.body.contains("SUMMARY:Weekly live Q&A"),
        "{}",
        feed.body
    );

    let second = new_calendar_link(&mut browser, &url, &csrf).await;
    assert_eq!(calendar_app.get(&first).await.status, 404, "replaced");
    assert_eq!(calendar_app.get(&second).await.status, 200);
    let off = browser
        .post(&url, &[("csrf", csrf.as_str()), ("action", "revoke")])
        .await;
    assert_eq!(off.status, 200);
    assert_eq!(calendar_app.get(&second).await.status, 404, "revoked");
}

async fn new_calendar_link(browser: &mut Browser, url: &str, csrf: &str) -> String {
    let page = browser
        .post(url, &[("csrf", csrf), ("action", "new")])
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let at = page
        .body
        .find("calendar-url\">")
        .expect("the link is shown")
        + 14;
    let end = page.body[at..].find("</code>").unwrap();
    page.body[at..at + end].replace("&amp;", "&")
}

/// The staff page shows a failed delivery; an admin retries it there with `/admin retry`'s own
/// operation (audited alike), a moderator sees no button and is refused the POST.
#[tokio::test]
async fn an_admin_retries_a_failed_delivery_from_the_staff_page() {
    // The configured moderator role sits above the bot's: Discord refuses the role with 403.
    let app = TestApp::spawn_edited(|text| {
        text.replace(
            &format!("moderator_role = {}", ids::ROLE_MODERATOR),
            &format!("moderator_role = {}", ids::ROLE_ABOVE_BOT),
        )
    })
    .await;
    let grant = SlashCall::new(ids::OWNER, "admin")
        .subcommand("grant")
        .user_option("target", ids::MINA)
        .choice("level", "moderator");
    app.slash(grant).await;
    crate::support::eventually("the role change fails", async || {
        app.count("SELECT COUNT(*) FROM outbox WHERE status = 'failed'")
            .await
            == 1
    })
    .await;
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM outbox WHERE status = 'failed'")
        .fetch_one(&app.db().read)
        .await
        .unwrap();
    let retry = format!("{}/staff/outbox/{id}/retry", base(&app));

    let mut moderator = Browser::new();
    log_in(&app, &mut moderator, ids::MINA).await;
    let page = moderator.get(&format!("{}/staff", base(&app))).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("403: Missing Permissions"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(&format!("/staff/outbox/{id}/retry")));
    let csrf = csrf_of(&page.body);
    let refused = moderator.post(&retry, &[("csrf", csrf.as_str())]).await;
    assert_eq!(refused.status, 403);

    let mut owner = Browser::new();
    log_in(&app, &mut owner, ids::OWNER).await;
    let page = owner.get(&format!("{}/staff", base(&app))).await;
    assert!(
        page.body.contains(&format!("/staff/outbox/{id}/retry")),
        "{}",
        page.body
    );
    let csrf = csrf_of(&page.body);
    assert_eq!(owner.post(&retry, &[]).await.status, 403, "no CSRF token");
    let done = owner.post(&retry, &[("csrf", csrf.as_str())]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|a| a.contains("retry")),
        "{:?}",
        app.audit_actions().await
    );
    crate::support::eventually("the retried item is tried again", async || {
        app.requests("PUT", "/roles/").len() >= 2
    })
    .await;
}

/// Staff mark feedback done on the web: the buttons' operation (the author is told), audited.
#[tokio::test]
async fn staff_set_a_feedback_status_on_the_web() {
    let app = TestApp::spawn_edited(|text| {
        text.replace(
            "[channels]\n",
            &format!("[channels]\nstaff = {}\n", ids::CHANNEL_MOD_LOG),
        )
    })
    .await;
    let sent = app
        .slash(
            SlashCall::new(ids::MINA, "feedback")
                .subcommand("send")
                .string("text", "More async Rust, please")
                .choice("kind", "content_request"),
        )
        .await;
    assert!(sent.content.contains("#1"), "{}", sent.content);
    let mut owner = Browser::new();
    log_in(&app, &mut owner, ids::OWNER).await;
    let page = owner.get(&format!("{}/staff", base(&app))).await;
    assert!(
        page.body.contains("More async Rust, please"),
        "{}",
        page.body
    );
    let csrf = csrf_of(&page.body);
    let url = format!("{}/staff/feedback/1", base(&app));
    assert_eq!(owner.post(&url, &[("status", "done")]).await.status, 403);
    let done = owner
        .post(&url, &[("csrf", csrf.as_str()), ("status", "done")])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM feedback WHERE status = 'done'")
            .await,
        1
    );
    assert!(app
        .audit_actions()
        .await
        .contains(&"feedback.status".to_string()));
    // The staff post in Discord shows the change, as after a press of its button.
    let posts = format!("/channels/{}/messages/", ids::CHANNEL_MOD_LOG);
    let edited = app
        .sim()
        .wait_request("PATCH", &posts, 1, crate::support::WAIT)
        .await
        .expect("the staff post is edited");
    let fields = edited.body["embeds"][0]["fields"].to_string();
    assert!(fields.contains("Done"), "{fields}");
    // A status staff cannot set, or feedback that does not exist: the reader's 4xx page.
    let bad = owner
        .post(&url, &[("csrf", csrf.as_str()), ("status", "new")])
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(
        bad.body.contains("not a status staff can set"),
        "{}",
        bad.body
    );
    let missing = owner
        .post(
            &format!("{}/staff/feedback/99", base(&app)),
            &[("csrf", csrf.as_str()), ("status", "done")],
        )
        .await;
    assert_eq!(missing.status, 404, "{}", missing.body);
    assert!(
        missing.body.contains("There is no feedback `#99`"),
        "{}",
        missing.body
    );
    let mut member = Browser::new();
    log_in(&app, &mut member, ids::KAI).await;
    let page = member.get(&format!("{}/staff", base(&app))).await;
    let csrf = csrf_of(&page.body);
    let refused = member
        .post(&url, &[("csrf", csrf.as_str()), ("status", "declined")])
        .await;
    assert_eq!(refused.status, 403, "a member may not");
}

/// A banned moderator's session ends with the gateway's GUILD_BAN_ADD: `/staff` and its actions
/// are closed to them at once, though the staff level was granted to them by name.
#[tokio::test]
async fn a_banned_moderator_loses_the_staff_pages_at_once() {
    let app = TestApp::spawn().await;
    let grant = SlashCall::new(ids::OWNER, "admin")
        .subcommand("grant")
        .user_option("target", ids::KAI)
        .choice("level", "moderator");
    app.slash(grant).await;
    app.slash(
        SlashCall::new(ids::MINA, "feedback")
            .subcommand("send")
            .string("text", "More async Rust, please")
            .choice("kind", "content_request"),
    )
    .await;
    let mut moderator = Browser::new();
    log_in(&app, &mut moderator, ids::KAI).await;
    let page = moderator.get(&format!("{}/staff", base(&app))).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = csrf_of(&page.body);

    // Banned from Discord's own client: Discord removes the member and says so.
    app.sim().ban(ids::KAI);
    crate::support::eventually("the banned moderator's session ends", async || {
        app.count(&format!(
            "SELECT COUNT(*) FROM web_sessions WHERE member_id = {}",
            ids::KAI
        ))
        .await
            == 0
    })
    .await;
    let page = moderator.get(&format!("{}/staff", base(&app))).await;
    assert_eq!(page.status, 303, "to the login: {}", page.body);
    let url = format!("{}/staff/feedback/1", base(&app));
    let refused = moderator
        .post(&url, &[("csrf", csrf.as_str()), ("status", "done")])
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM feedback WHERE status = 'done'")
            .await,
        0
    );

    // Logging in again finds them outside the server: public pages only.
    log_in(&app, &mut moderator, ids::KAI).await;
    let page = moderator.get(&format!("{}/staff", base(&app))).await;
    assert_eq!(page.status, 403, "{}", page.body);
    // A member who simply leaves loses their session too.
    let mut member = Browser::new();
    log_in(&app, &mut member, ids::MINA).await;
    assert_eq!(member.get(&format!("{}/me", base(&app))).await.status, 200);
    app.sim().member_remove(ids::MINA);
    crate::support::eventually("the departed member's session ends", async || {
        member.get(&format!("{}/me", base(&app))).await.status == 303
    })
    .await;
}

/// `next` names a page on this site or nothing: tabs, backslashes, encoded slashes and line
/// breaks all end at `/me`, and the login completes (the code is not wasted on a crash).
#[tokio::test]
async fn login_redirects_stay_on_this_site() {
    let app = TestApp::spawn().await;
    for (next, want) in [
        ("/leaderboard", "/leaderboard"),
        ("/%09/evil.example", "/me"),
        ("/%5Cevil.example", "/me"),
        ("/%2F/evil.example", "/me"),
        ("//evil.example", "/me"),
        ("https://evil.example/", "/me"),
        ("/me%0D%0ASet-Cookie:%20x=1", "/me"),
        ("/%0A", "/me"),
    ] {
        let mut browser = Browser::new();
        app.sim().sign_in(ids::MINA);
        let start = browser
            .get(&format!("{}/login?next={next}", base(&app)))
            .await;
        assert_eq!(start.status, 303, "{next}: {}", start.body);
        let consent = browser.get(start.location.as_deref().unwrap()).await;
        let done = browser.get(consent.location.as_deref().unwrap()).await;
        assert_eq!(done.status, 303, "{next}: {}", done.body);
        assert_eq!(done.location.as_deref(), Some(want), "{next}");
    }
    // The language switch returns to the page it came from, and only on this site.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (referer, want) in [
        ("http://127.0.0.1/leaderboard", "/leaderboard"),
        ("http://127.0.0.1//evil.example", "/"),
        ("http://127.0.0.1/%09/evil.example", "/"),
    ] {
        let answer = client
            .get(format!("{}/lang?to=zh-CN", base(&app)))
            .header("referer", referer)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 303, "{referer}");
        assert_eq!(answer.headers()["location"], want, "{referer}");
    }
}

/// Every query parameter of every page, with control characters and over-long values, as a
/// visitor and as the owner: always a full answer below 500, never a dropped connection.
#[tokio::test]
async fn no_query_value_makes_a_page_fail() {
    let app = TestApp::spawn().await;
    let mut owner = Browser::new();
    log_in(&app, &mut owner, ids::OWNER).await;
    let mut visitor = Browser::new();
    let pages = [
        "/",
        "/leaderboard",
        "/me",
        "/me/export.json",
        "/me/calendar.ics",
        "/staff",
        "/staff/renewals",
        "/staff/charts/activity",
        "/events",
        "/events/1",
        "/login",
        "/auth/callback",
        "/lang",
        "/calendar.ics",
        "/healthz",
    ];
    let params = [
        "next", "ref", "period", "page", "product", "expiring", "quiet", "token", "code", "state",
        "error", "to", "days", "month",
    ];
    let long = "x".repeat(8_000);
    let values = [
        "%0D%0A",
        "%0A",
        "%09",
        "%00",
        "%5C%5Cevil",
        "-1",
        "0",
        "4294967295",
        "18446744073709551616",
        "%E5%AD%A6",
        "%FF%FE",
        long.as_str(),
    ];
    for page in pages {
        for param in params {
            for value in values {
                let url = format!("{}{page}?{param}={value}", base(&app));
                for browser in [&mut owner, &mut visitor] {
                    let answer = browser.get(&url).await;
                    assert!(
                        answer.status < 500,
                        "{page}?{param}={} answered {}: {}",
                        &value[..value.len().min(40)],
                        answer.status,
                        &answer.body[..answer.body.len().min(300)]
                    );
                }
            }
        }
    }
    // Sixty kilobytes of `next` are not kept anywhere: the login answers without it.
    let huge = format!("/{}", "a".repeat(60_000));
    let start = visitor
        .get(&format!("{}/login?next={huge}", base(&app)))
        .await;
    assert!(start.status < 500, "{}", start.status);
    assert!(visitor
        .cookies
        .get("lyceum_login")
        .is_none_or(|c| c.len() < 1_024));
}

/// A flood of anonymous `/login` requests writes nothing (the login in progress is a signed
/// cookie) and members' commands are answered within Discord's 3 s throughout.
#[tokio::test]
async fn an_anonymous_login_flood_neither_writes_nor_delays_members() {
    let app = TestApp::spawn().await;
    let pages_before = app.count("PRAGMA page_count").await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut flood = Vec::new();
    let next = format!("/{}", "n".repeat(4_000));
    for _ in 0..8 {
        let (url, stop, sent) = (
            format!("{}/login?next={next}", base(&app)),
            stop.clone(),
            sent.clone(),
        );
        flood.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            // Bounded: at most 400 requests per client, and it stops when told.
            for _ in 0..400 {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let answer = client.get(&url).send().await.unwrap();
                assert_eq!(answer.status().as_u16(), 303);
                sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }));
    }
    // Members check in while the flood runs; the simulator refuses an answer after 3 s.
    for member in [ids::MINA, ids::KAI, ids::SAM, ids::OWNER] {
        let reply = app
            .sim()
            .slash(SlashCall::new(member, "checkin"))
            .await
            .expect("a check-in answered within Discord's 3 s during the flood");
        assert!(!reply.content.is_empty());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for task in flood {
        task.await.unwrap();
    }
    assert!(sent.load(std::sync::atomic::Ordering::Relaxed) > 0);
    // The check-ins wrote a few pages; the flood none (it used to be a row per request).
    let pages_after = app.count("PRAGMA page_count").await;
    assert!(
        pages_after - pages_before < 16,
        "{pages_before} → {pages_after} pages"
    );
    let tables = app
        .count("SELECT COUNT(*) FROM sqlite_master WHERE name = 'web_logins'")
        .await;
    assert_eq!(tables, 0);
}

/// An ownership transfer counts on the web at once (the gateway's GUILD_UPDATE), not after a
/// restart: the new owner opens the staff pages as owner.
#[tokio::test]
async fn a_new_server_owner_is_the_owner_on_the_web_at_once() {
    let app = TestApp::spawn().await;
    let mut kai = Browser::new();
    log_in(&app, &mut kai, ids::KAI).await;
    assert_eq!(kai.get(&format!("{}/staff", base(&app))).await.status, 403);
    app.sim().transfer_ownership(ids::KAI);
    crate::support::eventually("the new owner opens /staff", async || {
        let page = kai.get(&format!("{}/staff", base(&app))).await;
        page.status == 200
    })
    .await;
    // The bot's own levels read the same owner: the new owner may grant staff levels.
    let grant = SlashCall::new(ids::KAI, "admin")
        .subcommand("grant")
        .user_option("target", ids::SAM)
        .choice("level", "moderator");
    app.slash(grant).await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM staff_grants WHERE target_id = {}",
            ids::SAM
        ))
        .await,
        1
    );
}

/// Forged callbacks (a real pre-login cookie, made-up codes) reach Discord's token endpoint at
/// most `CODE_EXCHANGES_PER_MINUTE` times a minute: the rest are answered 429 without a call,
/// so nobody can make the bot's host send Discord a stream of failing requests.
#[tokio::test]
async fn forged_login_callbacks_cannot_make_the_bot_spam_discord() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new();
    let start = browser.get(&format!("{}/login", base(&app))).await;
    let state = start
        .location
        .as_deref()
        .unwrap()
        .split("state=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    let limit = lyceum::web::CODE_EXCHANGES_PER_MINUTE;
    let mut too_many = 0;
    for i in 0..limit + 10 {
        let url = format!("{}/auth/callback?code=forged{i}&state={state}", base(&app));
        let page = browser.get(&url).await;
        assert!(page.status == 400 || page.status == 429, "{}", page.status);
        too_many += usize::from(page.status == 429);
    }
    assert_eq!(too_many, 10);
    assert_eq!(app.requests("POST", "/oauth2/token").len(), limit);
    assert_eq!(app.count("SELECT COUNT(*) FROM web_sessions").await, 0);
}

/// Pages read members from the gateway's cache: viewing the events list, an event and the
/// personal calendar feed again and again makes no REST call to Discord (each used to ask for
/// the member outside the bot's rate-limit gate).
#[tokio::test]
async fn event_pages_and_the_calendar_feed_do_not_call_discord_per_view() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new();
    log_in(&app, &mut browser, ids::MINA).await;
    let me = browser.get(&format!("{}/me", base(&app))).await;
    let url = format!("{}/me/calendar", base(&app));
    let feed = new_calendar_link(&mut browser, &url, &csrf_of(&me.body)).await;
    let member = format!("/members/{}", ids::MINA);
    let before = app.requests("GET", &member).len();
    for _ in 0..5 {
        assert_eq!(
            browser.get(&format!("{}/events", base(&app))).await.status,
            200
        );
        assert_eq!(Browser::new().get(&feed).await.status, 200);
    }
    assert_eq!(
        app.requests("GET", &member).len(),
        before,
        "no REST call per view"
    );
}

/// Sam (whose DMs are closed in the simulated Discord) sends feedback and the owner marks it
/// done on the staff page, so the bot DMs Sam. Returns the owner's logged-in browser.
async fn sams_feedback_done(app: &TestApp) -> Browser {
    app.slash(
        SlashCall::new(ids::SAM, "feedback")
            .subcommand("send")
            .string("text", "Please record the livestreams")
            .choice("kind", "suggestion"),
    )
    .await;
    let mut owner = Browser::new();
    log_in(app, &mut owner, ids::OWNER).await;
    let page = owner.get(&format!("{}/staff", base(app))).await;
    let csrf = csrf_of(&page.body);
    let done = owner
        .post(
            &format!("{}/staff/feedback/1", base(app)),
            &[("csrf", csrf.as_str()), ("status", "done")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    owner
}

/// A member with closed DMs (Discord answers 50007) still gets what the bot meant for them:
/// it waits on their `/me` page, and staff read in the mod log that the DM did not arrive.
#[tokio::test]
async fn a_member_with_closed_dms_finds_the_message_on_their_page() {
    let app = TestApp::spawn().await;
    let mut owner = sams_feedback_done(&app).await;
    let notice = format!("/channels/{}/messages", ids::CHANNEL_MOD_LOG);
    crate::support::eventually("staff hear the DM did not arrive", async || {
        app.requests("POST", &notice).iter().any(|r| {
            let text = r.body["content"].as_str().unwrap_or_default();
            text.contains("Could not reach") && text.contains(&format!("<@{}>", ids::SAM))
        })
    })
    .await;
    let mut sam = Browser::new();
    log_in(&app, &mut sam, ids::SAM).await;
    let me = sam.get(&format!("{}/me", base(&app))).await;
    assert!(
        me.body.contains("Messages that could not reach you"),
        "{}",
        me.body
    );
    assert!(
        me.body.contains("is now <strong>Done</strong>"),
        "{}",
        me.body
    );
    // Nobody else's page shows it.
    let mut mina = Browser::new();
    log_in(&app, &mut mina, ids::MINA).await;
    let theirs = mina.get(&format!("{}/me", base(&app))).await;
    assert!(!theirs.body.contains("Messages that could not reach you"));
    // The staff page's list of deliveries names Sam, never a raw mention.
    let staff = owner.get(&format!("{}/staff", base(&app))).await;
    assert!(staff.body.contains("DM to @sam"), "{}", staff.body);
    assert!(!staff.body.contains("&lt;@"), "{}", staff.body);

    // At Sam's next command, after its own answer, a note only Sam sees carries the message —
    // once.
    let notes = |app: &TestApp| {
        app.requests("POST", "/webhooks/")
            .into_iter()
            .filter(|r| {
                r.body["content"]
                    .as_str()
                    .is_some_and(|c| c.contains("your DMs are closed"))
            })
            .collect::<Vec<_>>()
    };
    let show = SlashCall::new(ids::SAM, "points").subcommand("show");
    let answered = app.slash(show.clone()).await;
    assert!(
        !answered.content.contains("DMs are closed"),
        "{}",
        answered.content
    );
    crate::support::eventually("Sam's next command brings the note", async || {
        notes(&app).len() == 1
    })
    .await;
    let note = &notes(&app)[0];
    assert_eq!(note.body["flags"], 64, "ephemeral: {}", note.body);
    assert!(
        note.body["content"]
            .as_str()
            .is_some_and(|c| c.contains("is now **Done**") || c.contains("is now Done")),
        "{}",
        note.body
    );
    app.slash(show).await;
    assert_eq!(notes(&app).len(), 1, "shown once");
    // Mina, whose DMs arrive, gets no note.
    app.slash(SlashCall::new(ids::MINA, "points").subcommand("show"))
        .await;
    assert_eq!(notes(&app).len(), 1);
}

/// Every member a page shows has a name: the directory learns members from the gateway (the
/// server's members at connect, joins, leaves, interactions) and asks Discord, through the
/// gate, for one it never saw (an imported or quiet member) — once. A member who left reads
/// "former member"; the public leaderboard then shows no name for them at all.
#[tokio::test]
async fn every_member_on_a_page_has_a_name_and_one_who_left_reads_former_member() {
    let app =
        TestApp::spawn_edited(|text| text.replace("[web]\n", "[web]\nleaderboard = \"public\"\n"))
            .await;
    // Two members who were in the server before the bot (no event names them; they never
    // spoke): the directory has never seen them.
    let quiet = app.sim().add_quiet_members(700_000_000_000_000_001, 2);
    for (who, amount) in [
        (ids::KAI, 50),
        (quiet[0], 40),
        (quiet[1], 30),
        (ids::MINA, 20),
    ] {
        let give = SlashCall::new(ids::OWNER, "points")
            .subcommand("give")
            .user_option("member", who)
            .integer("amount", amount)
            .string("reason", "seed");
        app.slash(give).await;
    }
    app.sim().member_remove(ids::KAI);
    // The other quiet member left while the bot was away: no event names them either.
    app.sim().member_left_unseen(quiet[1]);
    let gone = format!(
        "SELECT COUNT(*) FROM member_names WHERE member_id = {} AND left_at IS NOT NULL",
        ids::KAI as i64
    );
    crate::support::eventually("the directory hears Kai left", async || {
        app.count(&gone).await == 1
    })
    .await;

    // Mina never spoke, logged in or ran a command: the server's member list at connect
    // (GUILD_CREATE) named her. She holds Pro, for the staff list.
    app.slash(
        SlashCall::new(ids::OWNER, "membership")
            .subcommand("grant")
            .user_option("member", ids::MINA)
            .string("product", "pro")
            .string("duration", "30d"),
    )
    .await;
    let url = format!("{}/leaderboard", base(&app));
    let board = Browser::new().get(&url).await;
    assert_eq!(board.status, 200);
    assert!(
        board.body.contains("member1"),
        "asked of Discord: {}",
        board.body
    );
    assert!(board.body.contains(">mina<"), "{}", board.body);
    let mina_path = format!("/guilds/{}/members/{}", ids::GUILD, ids::MINA);
    assert!(
        app.requests("GET", &mina_path).is_empty(),
        "known without asking"
    );
    assert_eq!(
        board.body.matches("former member").count(),
        2,
        "{}",
        board.body
    );
    for hidden in [
        "(a member)",
        ">kai<",
        "700000000000000001",
        "200000000000000003",
    ] {
        assert!(!board.body.contains(hidden), "{hidden}: {}", board.body);
    }
    let asked = |path: String| {
        app.sim()
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path == path)
            .count()
    };
    let member_path = format!("/guilds/{}/members/{}", ids::GUILD, quiet[0]);
    let user_path = format!("/users/{}", quiet[1]);
    assert_eq!(
        (asked(member_path.clone()), asked(user_path.clone())),
        (1, 1)
    );
    // Remembered: the next view asks Discord nothing.
    let again = Browser::new().get(&url).await;
    assert!(again.body.contains("member1"), "{}", again.body);
    assert_eq!((asked(member_path), asked(user_path)), (1, 1));

    // Staff see who it was: the audit names the member beside "former member".
    let mut owner = Browser::new();
    log_in(&app, &mut owner, ids::OWNER).await;
    let staff = owner.get(&format!("{}/staff", base(&app))).await;
    assert!(staff.body.contains("kai (former member)"), "{}", staff.body);
    assert!(
        staff.body.contains(">mina</td>"),
        "the staff list: {}",
        staff.body
    );
    assert!(!staff.body.contains("200000000000000003"), "{}", staff.body);
}

/// Where the community has an inbox channel, a DM Discord refuses goes to a private thread
/// under it instead: the member is added (so it shows in their channel list) and the message
/// is there, in their language, with a word on why it came that way.
#[tokio::test]
async fn a_closed_dm_lands_in_a_private_inbox_thread() {
    let app = TestApp::spawn_edited(|text| {
        text.replace(
            "[channels]\n",
            &format!("[channels]\ninbox = {}\n", ids::CHANNEL_GENERAL),
        )
    })
    .await;
    sams_feedback_done(&app).await;
    crate::support::eventually("the inbox thread", async || {
        app.sim()
            .private_threads(ids::CHANNEL_GENERAL)
            .first()
            .is_some_and(|(id, _, _)| !app.sim().messages_in(*id).is_empty())
    })
    .await;
    let threads = app.sim().private_threads(ids::CHANNEL_GENERAL);
    assert_eq!(threads.len(), 1, "one thread: {threads:?}");
    let (thread, name, members) = &threads[0];
    assert_eq!(name, "📬 For sam");
    assert!(members.contains(&ids::SAM), "{members:?}");
    let posted = app.sim().messages_in(*thread);
    assert_eq!(posted.len(), 1);
    let text = posted[0]["content"].as_str().unwrap_or_default();
    assert!(text.contains("does not accept direct messages"), "{text}");
    assert!(text.contains("Done"), "{text}");
}

/// A product's shareable page: name, price and length, the creator's description and
/// questions in the reader's language, the channels it opens by name, how many hold it when
/// the creator allows; Buy after login, and for a holder until when with a renew link. A
/// product without a Payment Link says to ask the team, never a slash command.
#[tokio::test]
async fn a_product_page_says_what_it_is_opens_and_how_to_get_it() {
    let products = crate::membership::products().replacen(
        "renew_reminders = \"7d,1d\"\n",
        "renew_reminders = \"7d,1d\"\n\
         description = { en = \"Weekly deep dives.\", \"zh-CN\" = \"每周深度解析。\" }\n\
         show_member_count = true\n\
         [[products.faq]]\n\
         q = { en = \"Can I cancel?\", \"zh-CN\" = \"可以取消吗？\" }\n\
         a = { en = \"Any time.\", \"zh-CN\" = \"随时可以。\" }\n",
        1,
    );
    let app = TestApp::spawn_with(&products).await;
    app.slash(
        SlashCall::new(ids::OWNER, "membership")
            .subcommand("grant")
            .user_option("member", ids::KAI)
            .string("product", "pro")
            .string("duration", "30d"),
    )
    .await;
    let url = |id: &str| format!("{}/products/{id}", base(&app));
    let visitor = Browser::new().get(&url("pro")).await;
    assert_eq!(visitor.status, 200);
    for expected in [
        "Pro membership",
        "29.00 USD",
        "Weekly deep dives.",
        "Can I cancel?",
        "Any time.",
        "1 member has it",
        "/login?next=%2Fproducts%2Fpro",
    ] {
        assert!(
            visitor.body.contains(expected),
            "{expected}: {}",
            visitor.body
        );
    }
    // A member who holds it: until when, and a renew link naming them.
    let mut kai = Browser::new();
    log_in(&app, &mut kai, ids::KAI).await;
    let held = kai.get(&url("pro")).await;
    assert!(held.body.contains("你已拥有，有效期至"), "{}", held.body);
    assert!(held.body.contains("每周深度解析。"), "{}", held.body);
    assert!(
        held.body
            .contains(&format!("client_reference_id={}", ids::KAI)),
        "{}",
        held.body
    );
    // A member who does not: Buy.
    let mut mina = Browser::new();
    log_in(&app, &mut mina, ids::MINA).await;
    let buy = mina.get(&url("pro")).await;
    assert!(buy.body.contains(">Buy<"), "{}", buy.body);
    // The course has no Payment Link: a sentence; it opens its channel, named.
    let course = Browser::new().get(&url("rust-course")).await;
    assert!(course.body.contains("Ask the team"), "{}", course.body);
    assert!(course.body.contains("Opens: #"), "{}", course.body);
    assert!(!course.body.contains("/membership"), "{}", course.body);
    assert!(
        !course.body.contains("members have it"),
        "not shown unless allowed"
    );
    // A pasted link shows a card: OpenGraph and Twitter tags with the name and description.
    for tag in [
        "property=\"og:title\" content=\"Pro membership\"",
        "property=\"og:description\" content=\"29.00 USD / 30 days — Weekly deep dives.\"",
        "name=\"twitter:card\" content=\"summary\"",
    ] {
        assert!(visitor.body.contains(tag), "{tag}: {}", visitor.body);
    }
    // The community page links each product's page; an unknown product is a 404 page.
    let home = Browser::new().get(&base(&app)).await;
    assert!(
        home.body.contains("href=\"/products/pro\""),
        "{}",
        home.body
    );
    assert!(!home.body.contains("/membership buy"), "{}", home.body);
    assert!(home.body.contains("property=\"og:title\""), "{}", home.body);
    assert_eq!(Browser::new().get(&url("nope")).await.status, 404);
}
