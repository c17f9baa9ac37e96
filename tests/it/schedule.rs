//! Events through the simulated Discord: create → reminder → announcement with RSVP buttons →
//! a press updates the counts in place; exactly once across a restart; catch-up after an
//! outage; bad input; the calendar feed.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use icalendar::Component;
use lyceum::clock::ManualClock;
use lyceum::harness::sim::{ids, Recorded, SlashCall};

use crate::support::{TestApp, WAIT};

/// Sunday 2026-11-29 12:00 in Asia/Shanghai.
fn now() -> DateTime<Utc> {
    "2026-11-29T04:00:00Z".parse().unwrap()
}

async fn spawn() -> (TestApp, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(now()));
    let app = TestApp::spawn_clocked("", clock.clone()).await;
    (app, clock)
}

fn create(title: &str, when: &str) -> SlashCall {
    SlashCall::new(ids::OWNER, "event")
        .subcommand("create")
        .string("title", title)
        .string("when", when)
}

fn announcements(app: &TestApp) -> Vec<Recorded> {
    app.requests(
        "POST",
        &format!("/channels/{}/messages", ids::CHANNEL_ANNOUNCEMENTS),
    )
}

/// Moves the bot's clock and lets the scheduler look.
fn advance(app: &TestApp, clock: &ManualClock, by: chrono::Duration) {
    clock.advance(by);
    app.bot()
        .app
        .state
        .wakes
        .fire(lyceum::features::schedule::EVENTS);
}

async fn wait_posts(app: &TestApp, n: usize) -> Vec<Recorded> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let posts = announcements(app);
        if posts.len() >= n {
            return posts;
        }
        if tokio::time::Instant::now() >= deadline {
            let events: Vec<(i64, Option<i64>, Option<i64>, String)> =
                sqlx::query_as("SELECT id, next_at, due_at, status FROM events")
                    .fetch_all(&app.db().read)
                    .await
                    .unwrap();
            let runs: Vec<(i64, i64, String, String)> =
                sqlx::query_as("SELECT event_id, occurrence_at, kind, outcome FROM event_runs")
                    .fetch_all(&app.db().read)
                    .await
                    .unwrap();
            panic!(
                "{} of {n} posts; now {}; events {events:?}; runs {runs:?}",
                posts.len(),
                app.bot().clock.now()
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn an_event_is_announced_with_rsvp_buttons_counts_update_in_place_and_going_members_get_the_reminder(
) {
    let (mut app, clock) = spawn().await;
    let reply = app
        .slash(create("Monthly livestream", "tomorrow 20:00").string("remind", "1h"))
        .await;
    assert!(
        reply
            .content
            .starts_with("📅 Event `#1` **Monthly livestream** is scheduled"),
        "{}",
        reply.content
    );
    // Announced at once (it is less than a week ahead), with buttons and Discord timestamps.
    let posts = wait_posts(&app, 1).await;
    let announcement = &posts[0];
    let embed = &announcement.body["embeds"][0];
    assert_eq!(embed["title"], "📅 Monthly livestream");
    let start = "2026-11-30T12:00:00Z"
        .parse::<DateTime<Utc>>()
        .unwrap()
        .timestamp();
    assert!(embed["description"]
        .as_str()
        .unwrap()
        .contains(&format!("<t:{start}:F> · <t:{start}:R>")));
    let buttons = &announcement.body["components"][0]["components"];
    assert_eq!(buttons[0]["label"], "Going");
    let message: u64 = announcement.response["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let going = buttons[0]["custom_id"].as_str().unwrap().to_string();
    // Before anyone answers, the list is empty (not an error).
    let nobody = app
        .slash(
            SlashCall::new(ids::MINA, "event")
                .subcommand("attendees")
                .integer("event", 1),
        )
        .await;
    assert!(nobody.content.contains(": 0 going"), "{}", nobody.content);

    let (press, _) = app
        .sim()
        .press(ids::MINA, ids::CHANNEL_ANNOUNCEMENTS, message, &going)
        .unwrap();
    let response = app.sim().wait_response(press).await.unwrap();
    assert_eq!(response["type"], 7, "a component update, not a new message");
    let counts = response["data"]["embeds"][0]["fields"][0]["value"]
        .as_str()
        .unwrap();
    assert_eq!(counts, "✅ 1 going · 🤔 0 maybe · ❌ 0 not going");
    let stored = app.sim().messages_in(ids::CHANNEL_ANNOUNCEMENTS);
    assert_eq!(
        stored.last().unwrap()["embeds"][0]["fields"][0]["value"],
        counts
    );
    assert_eq!(announcements(&app).len(), 1, "no new message");

    // 2026-11-30 19:00 local: the reminder, in the channel and by DM to Mina (Going).
    advance(&app, &clock, chrono::Duration::hours(31));
    let posts = wait_posts(&app, 2).await;
    let reminder = posts[1].body["content"].as_str().unwrap().to_string();
    assert!(
        reminder.starts_with("⏰ Reminder: **Monthly livestream**"),
        "{reminder}"
    );
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let dms: Vec<Recorded> = app
            .requests("POST", "/messages")
            .into_iter()
            .filter(|r| !r.path.contains(&ids::CHANNEL_ANNOUNCEMENTS.to_string()))
            .filter(|r| r.body["content"].as_str() == Some(reminder.as_str()))
            .collect();
        if dms.len() == 1 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{} DMs", dms.len());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let attendees = app
        .slash(
            SlashCall::new(ids::KAI, "event")
                .subcommand("attendees")
                .integer("event", 1),
        )
        .await;
    assert!(
        attendees.content.contains(&format!("<@{}>", ids::MINA)),
        "{}",
        attendees.content
    );
    app.stop().await;
}

#[tokio::test]
async fn a_due_announcement_is_delivered_once_across_a_restart() {
    let (mut app, clock) = spawn().await;
    app.slash(create("Study hall", "tomorrow 20:00").string("repeat", "daily"))
        .await;
    // Announced at creation; once tomorrow's has started, the day after's is announced.
    wait_posts(&app, 1).await;
    advance(&app, &clock, chrono::Duration::hours(32));
    wait_posts(&app, 2).await;
    app.restart().await;
    app.bot()
        .app
        .state
        .wakes
        .fire(lyceum::features::schedule::EVENTS);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        announcements(&app).len(),
        2,
        "not posted again after the restart"
    );
    let runs = app.count("SELECT COUNT(*) FROM event_runs").await;
    assert_eq!(runs, 2);
    app.stop().await;
}

async fn outage(policy: &str) -> Vec<String> {
    let (mut app, clock) = spawn().await;
    app.slash(
        create("Daily standup", "tomorrow 09:00")
            .string("repeat", "daily")
            .choice("catch_up", policy),
    )
    .await;
    // The first occurrence (the 30th) is announced before the outage.
    wait_posts(&app, 1).await;
    app.stop().await;
    // Three days pass while the bot is down: the 30th, the 1st and the 2nd (09:00) go by.
    clock.advance(chrono::Duration::days(3) + chrono::Duration::hours(1));
    app.restart().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    // What the restart posted: catch-up, then the announcement of the 3rd, which is ahead.
    let texts: Vec<String> = announcements(&app)
        .iter()
        .skip(1)
        .map(|r| r.body.to_string())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("lyceum:rsvp:1:1796259600000:going")),
        "the next occurrence is announced: {texts:?}"
    );
    app.stop().await;
    texts
}

#[tokio::test]
async fn a_three_day_outage_posts_one_late_announcement_under_post_late() {
    let posts = outage("post_late").await;
    assert_eq!(posts.len(), 2, "{posts:?}");
    assert!(posts[0].contains("Posted late"), "{}", posts[0]);
    assert!(
        posts[0].contains("lyceum:rsvp:1:1796173200000"),
        "only the latest missed one (the 2nd)"
    );
}

#[tokio::test]
async fn a_three_day_outage_posts_no_catch_up_under_skip() {
    let posts = outage("skip").await;
    assert_eq!(
        posts.len(),
        1,
        "only the next one's announcement: {posts:?}"
    );
}

#[tokio::test]
async fn a_three_day_outage_posts_one_digest_under_digest() {
    let posts = outage("digest").await;
    assert_eq!(posts.len(), 2, "{posts:?}");
    let digest = posts
        .iter()
        .find(|p| p.contains("were missed"))
        .expect("a digest");
    assert!(digest.contains("2 occurrences were missed"), "{digest}");
}

#[tokio::test]
async fn bad_schedules_are_refused_with_the_part_that_could_not_be_read() {
    let (mut app, _clock) = spawn().await;
    let cases = [
        (create("x", "2020-01-01 20:00"), "That time is in the past."),
        (
            create("x", "someday 20:00"),
            "I could not read `someday` as a time.",
        ),
        (
            create("x", "tomorrow 20:00").string("repeat", "every full moon"),
            "I could not read `every full moon` as a repeat.",
        ),
        (
            create("x", "tomorrow 20:00").string("repeat", "0 20 30 2 *"),
            "never fires",
        ),
        (
            create("x", "tomorrow 20:00")
                .string("repeat", "daily")
                .string("remind", "2d"),
            "as long as the time between two occurrences",
        ),
        (
            SlashCall::new(ids::OWNER, "event")
                .subcommand("show")
                .integer("event", 42),
            "There is no event `#42`.",
        ),
        (
            create("x", "tomorrow 20:00").channel_option("channel", ids::CHANNEL_READ_ONLY),
            "it lacks **Send Messages** there",
        ),
    ];
    for (call, expected) in cases {
        let reply = app.slash(call).await;
        assert!(
            reply.content.contains(expected),
            "{expected:?} in {:?}",
            reply.content
        );
    }
    let n = app.count("SELECT COUNT(*) FROM events").await;
    assert_eq!(n, 0);
    app.slash(create("y", "tomorrow 20:00")).await;
    let cancel = SlashCall::new(ids::OWNER, "event")
        .subcommand("cancel")
        .integer("event", 1);
    app.slash(cancel.clone()).await;
    let again = app.slash(cancel).await;
    assert!(
        again.content.contains("is cancelled; create a new one"),
        "{}",
        again.content
    );
    app.stop().await;
}

#[tokio::test]
async fn preview_shows_local_time_and_utc() {
    let (mut app, _clock) = spawn().await;
    let reply = app
        .slash(
            SlashCall::new(ids::OWNER, "event")
                .subcommand("preview")
                .string("when", "周二 20:00")
                .string("repeat", "weekly on tue,thu")
                .integer("count", 3),
        )
        .await;
    assert_eq!(
        reply.content,
        "Next 3 occurrences (nothing was saved):\n• 2026-12-01 Tue 20:00 (Asia/Shanghai) · 2026-12-01 12:00 UTC\n• 2026-12-03 Thu 20:00 (Asia/Shanghai) · 2026-12-03 12:00 UTC\n• 2026-12-08 Tue 20:00 (Asia/Shanghai) · 2026-12-08 12:00 UTC"
    );
    app.stop().await;
}

/// The unfolded lines of the VEVENT whose SUMMARY is `title`.
fn vevent<'t>(text: &'t str, title: &str) -> Option<Vec<&'t str>> {
    text.split("BEGIN:VEVENT")
        .skip(1)
        .map(|block| block.split("\r\n").collect::<Vec<_>>())
        .find(|lines| lines.contains(&format!("SUMMARY:{title}").as_str()))
}

async fn event_row(app: &TestApp, id: i64) -> (String, String, i64) {
    sqlx::query_as("SELECT starts_local, repeat, next_at FROM events WHERE id = ?")
        .bind(id)
        .fetch_one(&app.db().read)
        .await
        .unwrap()
}

/// Every upcoming public event is in the feed — one made with a relative time (kept to the
/// second), one four months ahead, a recurring series as one VEVENT whose RRULE and EXDATE
/// give exactly the scheduler's own occurrences — and an event in a channel @everyone cannot
/// see is not.
#[tokio::test]
async fn the_calendar_feed_lists_every_public_event_and_its_rrules_match_the_scheduler() {
    let (mut app, _clock) = spawn().await;
    app.sim()
        .set_channel_overwrite(ids::CHANNEL_COURSE, ids::GUILD, 0, 0, 0x400);
    app.sim()
        .set_channel_overwrite(ids::CHANNEL_COURSE, ids::BOT, 1, 0x400 | 0x800, 0);
    app.slash(create("Soon", "in 2h")).await;
    app.slash(create("Far away", "2027-04-15 19:30")).await;
    app.slash(create("Book club, part 1", "tomorrow 20:00").string("repeat", "weekly on tue,thu"))
        .await;
    let private =
        create("Members only", "tomorrow 21:00").channel_option("channel", ids::CHANNEL_COURSE);
    let made = app.slash(private).await.content;
    assert!(made.contains("is scheduled"), "{made}");
    let skip = SlashCall::new(ids::OWNER, "event")
        .subcommand("skip")
        .integer("event", 3);
    app.slash(skip).await;

    let url = format!("http://{}/calendar.ics", app.bot().app.web_addr);
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let raw = response.text().await.unwrap();
    let calendar = icalendar::Calendar::from_str(&raw).expect("valid iCalendar");
    let mut summaries: Vec<&str> = calendar.events().filter_map(|e| e.get_summary()).collect();
    summaries.sort();
    assert_eq!(
        summaries,
        ["Book club, part 1", "Far away", "Soon"],
        "{raw}"
    );
    let text = raw.replace("\r\n ", "");
    assert!(
        text.contains("BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai"),
        "{text}"
    );

    // The relative one at its planned instant, to the second.
    let (_, _, next_at) = event_row(&app, 1).await;
    let soon = vevent(&text, "Soon").unwrap();
    let at = DateTime::<Utc>::from_timestamp(next_at / 1000, 0).unwrap();
    assert!(
        soon.contains(&format!("DTSTART:{}", at.format("%Y%m%dT%H%M%SZ")).as_str()),
        "{soon:?}"
    );
    assert!(vevent(&text, "Far away")
        .unwrap()
        .contains(&"DTSTART:20270415T113000Z"));

    // The series: expanded by an independent RRULE implementation, against the scheduler.
    let series = vevent(&text, "Book club\\, part 1").unwrap();
    let rule: Vec<&str> = series
        .iter()
        .copied()
        .filter(|l| l.starts_with("DTSTART") || l.starts_with("RRULE") || l.starts_with("EXDATE"))
        .collect();
    assert_eq!(rule.len(), 3, "{series:?}");
    let set: rrule::RRuleSet = rule.join("\n").parse().expect("a valid RRULE set");
    let from = now().with_timezone(&rrule::Tz::UTC);
    let feed: Vec<i64> = set
        .after(from)
        .all(10)
        .dates
        .iter()
        .map(|d| d.timestamp())
        .collect();
    let (start, repeat, _) = event_row(&app, 3).await;
    let start = chrono::NaiveDateTime::parse_from_str(&start, "%Y-%m-%d %H:%M").unwrap();
    let tz = chrono_tz::Asia::Shanghai;
    let rule = lyceum::recurrence::parse_repeat(&repeat, start).unwrap();
    let scheduler: Vec<i64> = lyceum::recurrence::upcoming(&rule, start, tz, now(), 11)
        .into_iter()
        .skip(1) // skipped with /event skip
        .map(|t| t.timestamp())
        .collect();
    assert_eq!(feed, scheduler);

    let uid = calendar
        .events()
        .next()
        .unwrap()
        .get_uid()
        .unwrap()
        .to_string();
    let again = reqwest::get(&url).await.unwrap().text().await.unwrap();
    assert!(again.contains(&uid), "stable UIDs");
    app.stop().await;
}

#[tokio::test]
async fn attendance_earns_points_once_and_not_before_the_event() {
    let (mut app, clock) = spawn().await;
    app.slash(create("Workshop", "tomorrow 20:00")).await;
    let attended = SlashCall::new(ids::OWNER, "event")
        .subcommand("attended")
        .integer("event", 1)
        .user_option("member", ids::MINA);
    let early = app.slash(attended.clone()).await;
    assert_eq!(early.content, "Event `#1` has not been held yet.");
    advance(&app, &clock, chrono::Duration::hours(33));
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let reply = app.slash(attended.clone()).await;
        if reply.content.starts_with("✅") {
            assert!(
                reply.content.contains("+20 points (balance 20)"),
                "{}",
                reply.content
            );
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{}", reply.content);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let twice = app.slash(attended).await;
    assert_eq!(twice.content, "That attendance is already recorded.");
    app.stop().await;
}

#[tokio::test]
async fn an_edit_re_plans_the_event_and_a_cancelled_event_cannot_be_edited() {
    let (mut app, _clock) = spawn().await;
    app.slash(create("Office hours", "2026-12-10 20:00")).await;
    let edit = SlashCall::new(ids::OWNER, "event")
        .subcommand("edit")
        .integer("event", 1)
        .string("when", "2026-12-12 21:00")
        .string("title", "Office hours (moved)");
    let reply = app.slash(edit.clone()).await;
    assert_eq!(reply.content, "Event `#1` is updated.");
    let show = app
        .slash(
            SlashCall::new(ids::OWNER, "event")
                .subcommand("show")
                .integer("event", 1),
        )
        .await;
    let moved = "2026-12-12T13:00:00Z"
        .parse::<DateTime<Utc>>()
        .unwrap()
        .timestamp();
    assert!(
        show.content.contains("Office hours (moved)"),
        "{}",
        show.content
    );
    assert!(
        show.content.contains(&format!("<t:{moved}:F>")),
        "{}",
        show.content
    );
    app.slash(
        SlashCall::new(ids::OWNER, "event")
            .subcommand("cancel")
            .integer("event", 1),
    )
    .await;
    let refused = app.slash(edit).await;
    assert!(
        refused.content.contains("is cancelled"),
        "{}",
        refused.content
    );
    app.stop().await;
}

fn plan_config() -> String {
    format!(
        r##"
[[content_plan]]
kind = "article"
channel = {general}
tag = "#article"
target = "3/week"

[[content_plan]]
kind = "livestream"
target = "1/month"

[plan]
digest_day = "thu"
digest_time = "09:00"
"##,
        general = ids::CHANNEL_GENERAL
    )
}

/// The content plan configured, with `#welcome` as the staff channel.
async fn spawn_with_plan(clock: Arc<ManualClock>) -> TestApp {
    let extra = plan_config();
    TestApp::spawn_full_clocked(
        |text| {
            text.replace(
                "[channels]\n",
                &format!("[channels]\nstaff = {}\n", ids::CHANNEL_WELCOME),
            ) + &extra
        },
        clock,
    )
    .await
}

#[tokio::test]
async fn plan_show_counts_staff_posts_and_plan_done_and_marks_what_is_behind() {
    // Saturday 2026-12-05 12:00 in Shanghai: 2 of 3 articles were due by now.
    let clock = Arc::new(ManualClock::new("2026-12-05T04:00:00Z".parse().unwrap()));
    let mut app = spawn_with_plan(clock.clone()).await;
    app.sim().message_create(
        ids::CHANNEL_GENERAL,
        ids::OWNER,
        "#article Spaced repetition, part 2",
    );
    app.sim().message_create(
        ids::CHANNEL_GENERAL,
        ids::MINA,
        "#article not staff, not counted",
    );
    let done = app
        .slash(
            SlashCall::new(ids::OWNER, "plan")
                .subcommand("done")
                .string("kind", "livestream"),
        )
        .await;
    assert_eq!(done.content, "Counted one **livestream**.");
    let unknown = app
        .slash(
            SlashCall::new(ids::OWNER, "plan")
                .subcommand("done")
                .string("kind", "podcast"),
        )
        .await;
    assert_eq!(unknown.content, "`podcast` is not in the content plan.");
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let show = app
            .slash(SlashCall::new(ids::OWNER, "plan").subcommand("show"))
            .await;
        if show.content.contains("**article**: 1/3") {
            assert!(
                show.content.contains("⚠️ **article**: 1/3 this week — week 1 · month 1 · quarter 1 · 0 weeks on target"),
                "{}",
                show.content
            );
            assert!(
                show.content.contains("✅ **livestream**: 1/1 this month"),
                "{}",
                show.content
            );
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{}", show.content);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn the_weekly_digest_goes_to_staff_once() {
    // Thursday 09:00 in Shanghai is the digest time.
    let clock = Arc::new(ManualClock::new("2026-12-03T00:30:00Z".parse().unwrap()));
    let mut app = spawn_with_plan(clock.clone()).await;
    let staff = format!("/channels/{}/messages", ids::CHANNEL_WELCOME);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(app.requests("POST", &staff).is_empty(), "not before 09:00");
    clock.advance(chrono::Duration::minutes(31));
    app.restart().await;
    let posted = app
        .sim()
        .wait_request("POST", &staff, 1, WAIT)
        .await
        .expect("the digest");
    let text = posted.body["content"].as_str().unwrap();
    assert!(
        text.starts_with("📊 **Weekly digest** (2026-W49)"),
        "{text}"
    );
    assert!(text.contains("**article**"), "{text}");
    app.restart().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.requests("POST", &staff).len(), 1, "once per week");
    app.stop().await;
}

fn standing(id: &str, title: &str, when: &str) -> String {
    format!("\n[[schedule]]\nid = \"{id}\"\ntitle = \"{title}\"\nwhen = \"{when}\"\nrepeat = \"weekly\"\nremind = \"1h\"\n")
}

#[tokio::test]
async fn a_standing_schedule_from_config_is_announced_refused_by_commands_and_follows_reloads() {
    let clock = Arc::new(ManualClock::new(now()));
    let mut app = TestApp::spawn_clocked(
        &standing("weekly-live", "Weekly live Q&A", "2026-12-01 20:00"),
        clock.clone(),
    )
    .await;
    // Synced at start and announced like a command-made event (Tuesday is within a week).
    let posts = wait_posts(&app, 1).await;
    assert_eq!(posts[0].body["embeds"][0]["title"], "📅 Weekly live Q&A");

    // The file is its source of truth: commands that would change it are refused.
    for sub in ["edit", "cancel", "pause"] {
        let reply = app
            .slash(
                SlashCall::new(ids::OWNER, "event")
                    .subcommand(sub)
                    .integer("event", 1),
            )
            .await;
        assert!(
            reply.content.contains(
                "standing schedule from the config file (`[[schedule]] id = \"weekly-live\"`)"
            ),
            "{sub}: {}",
            reply.content
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM events WHERE status = 'active'")
            .await,
        1
    );

    // A reload applies a new time; a restart does not announce the same occurrence again.
    let path = app.bot().config_path.clone();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("2026-12-01 20:00", "2026-12-01 21:00")).unwrap();
    let reply = app
        .slash(lyceum::harness::sim::calls::admin::reload(ids::OWNER))
        .await;
    assert!(
        reply.content.contains("changed: weekly-live"),
        "{}",
        reply.content
    );
    let (starts,): (String,) = sqlx::query_as("SELECT starts_local FROM events WHERE id = 1")
        .fetch_one(&app.db().read)
        .await
        .unwrap();
    assert_eq!(starts, "2026-12-01 21:00");
    app.restart().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM events").await,
        1,
        "one row per config id"
    );

    // Removed from the file: the series ends (its history stays).
    let text = std::fs::read_to_string(&path).unwrap();
    let without = text[..text.find("[[schedule]]").unwrap()].to_string();
    std::fs::write(&path, without).unwrap();
    let reply = app
        .slash(lyceum::harness::sim::calls::admin::reload(ids::OWNER))
        .await;
    assert!(
        reply.content.contains("ended: weekly-live"),
        "{}",
        reply.content
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM events WHERE status = 'cancelled'")
            .await,
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn posting_in_the_event_channel_while_it_is_on_earns_attendance_once() {
    let (mut app, clock) = spawn().await;
    app.slash(create("Study jam", "tomorrow 20:00").string("duration", "2h"))
        .await;
    wait_posts(&app, 1).await;
    // Before the event: a post earns no attendance.
    app.sim()
        .message_create(ids::CHANNEL_ANNOUNCEMENTS, ids::MINA, "see you tomorrow");
    // 2026-11-30 20:30 local: the event is on.
    advance(&app, &clock, chrono::Duration::minutes(32 * 60 + 30));
    let attended = "SELECT COUNT(*) FROM points_ledger WHERE kind = 'attendance'";
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        app.sim()
            .message_create(ids::CHANNEL_ANNOUNCEMENTS, ids::MINA, "here!");
        tokio::time::sleep(Duration::from_millis(50)).await;
        if app.count(attended).await > 0 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no attendance");
    }
    app.sim()
        .message_create(ids::CHANNEL_ANNOUNCEMENTS, ids::MINA, "another message");
    // After it ended, a post counts for nothing either.
    advance(&app, &clock, chrono::Duration::hours(2));
    app.sim()
        .message_create(ids::CHANNEL_ANNOUNCEMENTS, ids::KAI, "missed it");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT member_id, delta FROM points_ledger WHERE kind = 'attendance'")
            .fetch_all(&app.db().read)
            .await
            .unwrap();
    assert_eq!(
        rows,
        [(ids::MINA as i64, 20)],
        "Mina once, Kai not after the end"
    );
    app.stop().await;
}

/// A standing schedule may give its title and description per language, like product names:
/// the channel announcement is in the community's language, each member's replies in theirs.
#[tokio::test]
async fn a_standing_schedule_speaks_each_members_language() {
    let clock = Arc::new(ManualClock::new(now()));
    let mut app = TestApp::spawn_clocked(
        "\n[[schedule]]\nid = \"weekly-live\"\ntitle = { en = \"Weekly live Q&A\", \"zh-CN\" = \"每周直播答疑\" }\n\
         description = { en = \"Bring your questions\", \"zh-CN\" = \"带上你的问题\" }\n\
         when = \"2026-12-01 20:00\"\nrepeat = \"每周\"\n",
        clock.clone(),
    )
    .await;
    let posts = wait_posts(&app, 1).await;
    let embed = &posts[0].body["embeds"][0];
    assert_eq!(embed["title"], "📅 Weekly live Q&A");
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .starts_with("Bring your questions"),
        "{embed}"
    );
    let list = |member| SlashCall::new(member, "event").subcommand("list");
    let kai = app.slash(list(ids::KAI)).await;
    assert!(kai.content.contains("**每周直播答疑**"), "{}", kai.content);
    let mina = app.slash(list(ids::MINA)).await;
    assert!(
        mina.content.contains("**Weekly live Q&A**"),
        "{}",
        mina.content
    );
    let show = app
        .slash(
            SlashCall::new(ids::KAI, "event")
                .subcommand("show")
                .integer("event", 1),
        )
        .await;
    assert!(show.content.contains("每周直播答疑"), "{}", show.content);
    app.stop().await;
}

/// An RSVP on the event's web page is the button's operation: the same count, and the Discord
/// announcement edited in place to show it.
#[tokio::test]
async fn an_rsvp_on_the_web_changes_the_announcements_counts() {
    use crate::web::{base, log_in, Browser};
    let clock = Arc::new(ManualClock::new(now()));
    let app = TestApp::spawn_clocked(
        &standing("weekly-live", "Weekly live Q&A", "2026-12-01 20:00"),
        clock.clone(),
    )
    .await;
    let posts = wait_posts(&app, 1).await;
    let message = posts[0].response["id"].as_str().unwrap().to_string();
    let mut browser = Browser::new();
    log_in(&app, &mut browser, ids::MINA).await;
    // The bot learns the channels and their permissions from the gateway, just after it starts.
    let events = format!("{}/events", base(&app));
    crate::support::eventually("the event's channel is known", async || {
        browser
            .get(&events)
            .await
            .body
            .contains("Weekly live Q&amp;A")
    })
    .await;
    let page = browser.get(&format!("{}/events/1", base(&app))).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Open the channel in Discord"),
        "{}",
        page.body
    );
    let field = |name: &str| {
        let at = page
            .body
            .find(&format!("name=\"{name}\" value=\""))
            .unwrap()
            + name.len()
            + 15;
        page.body[at..].split('"').next().unwrap().to_string()
    };
    let (csrf, occurrence) = (field("csrf"), field("occurrence"));
    let url = format!("{}/events/1/rsvp", base(&app));
    // Without the CSRF token: refused, nothing counted.
    let refused = browser
        .post(&url, &[("occurrence", &occurrence), ("answer", "going")])
        .await;
    assert_eq!(refused.status, 403);
    let done = browser
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("occurrence", &occurrence),
                ("answer", "going"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM rsvps WHERE answer = 'going'")
            .await,
        1
    );
    let path = format!(
        "/channels/{}/messages/{message}",
        ids::CHANNEL_ANNOUNCEMENTS
    );
    let edited = app
        .sim()
        .wait_request("PATCH", &path, 1, crate::support::WAIT)
        .await
        .expect("the announcement is edited");
    let counts = edited.body["embeds"][0]["fields"][0]["value"].to_string();
    assert!(counts.contains("1 going"), "{counts}");
    let page = browser.get(&format!("{}/events/1", base(&app))).await;
    assert!(page.body.contains("1 going"), "{}", page.body);
    // The member's own page lists it.
    let me = browser.get(&format!("{}/me", base(&app))).await;
    let mine = me.body.split("My events").nth(1).unwrap_or_default();
    assert!(mine.contains("Weekly live Q&amp;A"), "{}", me.body);

    // Only a real occurrence takes an answer: any other number is refused and stores nothing.
    let made_up = (occurrence.parse::<i64>().unwrap() + 1).to_string();
    for bogus in [made_up.as_str(), "0", "-5", "9223372036854775807"] {
        let refused = browser
            .post(
                &url,
                &[("csrf", &csrf), ("occurrence", bogus), ("answer", "maybe")],
            )
            .await;
        assert_eq!(refused.status, 400, "occurrence {bogus}: {}", refused.body);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM rsvps").await, 1);

    // Banned from the server: the web session ends with the gateway's word, so the member's
    // pages and the RSVP form are closed to them at once.
    app.sim().ban(ids::MINA);
    crate::support::eventually("the banned member's session ends", async || {
        app.count("SELECT COUNT(*) FROM web_sessions").await == 0
    })
    .await;
    assert_eq!(browser.get(&format!("{}/me", base(&app))).await.status, 303);
    let refused = browser
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("occurrence", &occurrence),
                ("answer", "no"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM rsvps WHERE answer = 'going'")
            .await,
        1
    );
}

mod events_tab {
    //! Events mirrored into Discord's Events tab: created, moved in place, the next occurrence
    //! created after one ends, cancelled, an opt-out honoured, restart-safe, and members'
    //! "Interested" read back into /event attendees.

    use std::sync::Arc;

    use chrono::{DateTime, Utc};
    use lyceum::clock::ManualClock;
    use lyceum::harness::sim::{ids, SlashCall};

    use crate::support::{eventually, eventually_sync, TestApp};

    fn at(app: &TestApp, clock: &ManualClock, to: DateTime<Utc>) {
        clock.set(to);
        app.sim().set_discord_now(Some(to));
        app.bot()
            .app
            .state
            .wakes
            .fire(lyceum::features::schedule::EVENTS);
    }

    fn event(user: u64, sub: &str, id: i64) -> SlashCall {
        SlashCall::new(user, "event")
            .subcommand(sub)
            .integer("event", id)
    }

    #[tokio::test]
    async fn mirrored_events_follow_the_calendar_in_discords_events_tab() {
        let start: DateTime<Utc> = "2026-12-01T04:00:00Z".parse().unwrap();
        let clock = Arc::new(ManualClock::new(start));
        let mut app =
            TestApp::spawn_clocked("[events]\nmirror_to_discord = true\n", clock.clone()).await;
        app.sim().set_discord_now(Some(start));
        app.slash(
            SlashCall::new(ids::OWNER, "event")
                .subcommand("create")
                .string("title", "Live Q&A")
                .string("when", "2026-12-03 20:00")
                .string("repeat", "weekly")
                .string("duration", "90m")
                .string("description", "Bring your questions"),
        )
        .await;
        eventually_sync("the event is in the Events tab", || {
            app.sim().scheduled_events().len() == 1
        })
        .await;
        let first = app.sim().scheduled_events()[0].clone();
        assert_eq!(first["name"], "Live Q&A");
        assert_eq!(first["description"], "Bring your questions");
        assert_eq!(first["entity_type"], 3);
        assert_eq!(first["scheduled_start_time"], "2026-12-03T12:00:00Z");
        assert_eq!(first["scheduled_end_time"], "2026-12-03T13:30:00Z");
        assert_eq!(
            first["entity_metadata"]["location"],
            format!(
                "https://discord.com/channels/{}/{}",
                ids::GUILD,
                ids::CHANNEL_ANNOUNCEMENTS
            )
        );
        let id = first["id"].as_str().unwrap().to_string();
        // The bot keeps Discord's id when the create's answer arrives, just after the sim has it.
        eventually("the bot recorded the event's id", async || {
            app.count(
                "SELECT COUNT(*) FROM event_mirrors m JOIN outbox o ON o.id = m.outbox_id
                 WHERE o.message_id IS NOT NULL",
            )
            .await
                == 1
        })
        .await;

        // Members' "Interested" shows in /event attendees.
        app.sim().scheduled_event_interest(ids::KAI, &id);
        app.sim().scheduled_event_interest(ids::MINA, &id);
        let attendees = app.slash(event(ids::OWNER, "attendees", 1)).await;
        assert!(
            attendees
                .content
                .ends_with("In Discord's Events tab: 2 interested."),
            "{}",
            attendees.content
        );

        // A restart sends nothing again; skipping the occurrence moves it in place.
        app.restart().await;
        app.slash(event(ids::OWNER, "skip", 1)).await;
        eventually_sync("the occurrence moves", || {
            app.sim().scheduled_events()[0]["scheduled_start_time"] == "2026-12-10T12:00:00Z"
        })
        .await;
        assert_eq!(app.sim().scheduled_events().len(), 1);
        assert_eq!(app.requests("POST", "/scheduled-events").len(), 1);

        // Once it has happened, the next occurrence gets its own event; cancelling the series
        // cancels that one in Discord.
        at(&app, &clock, "2026-12-10T14:00:00Z".parse().unwrap());
        eventually_sync("the next occurrence is created", || {
            app.sim().scheduled_events().len() == 2
        })
        .await;
        assert_eq!(
            app.sim().scheduled_events()[1]["scheduled_start_time"],
            "2026-12-17T12:00:00Z"
        );
        assert_eq!(
            app.sim().scheduled_events()[0]["status"],
            3,
            "the past one COMPLETED"
        );
        app.slash(event(ids::OWNER, "cancel", 1)).await;
        eventually_sync("the next occurrence is CANCELED", || {
            app.sim().scheduled_events()[1]["status"] == 4
        })
        .await;
        let cancel = app
            .requests("PATCH", "/scheduled-events/")
            .into_iter()
            .find(|r| r.body.get("status").is_some())
            .expect("the cancel");
        assert_eq!(cancel.status, 200, "Discord accepts the transition");

        // An event that opts out stays out of the Events tab.
        app.slash(
            SlashCall::new(ids::OWNER, "event")
                .subcommand("create")
                .string("title", "Staff sync")
                .string("when", "2026-12-20 10:00")
                .boolean("mirror", false),
        )
        .await;
        let mirrors = app.count("SELECT COUNT(*) FROM event_mirrors").await;
        assert_eq!(mirrors, 1, "only the first event was ever mirrored");
        assert_eq!(app.sim().scheduled_events().len(), 2);
        app.stop().await;
    }

    /// Pausing cancels the occurrence in Discord with its real CANCELED status; a cancel Discord
    /// refuses is not silent: the mod log names the event and what to do.
    #[tokio::test]
    async fn a_paused_event_is_canceled_in_discord_and_a_refused_cancel_is_reported() {
        let start: DateTime<Utc> = "2026-12-01T04:00:00Z".parse().unwrap();
        let clock = Arc::new(ManualClock::new(start));
        let app =
            TestApp::spawn_clocked("[events]\nmirror_to_discord = true\n", clock.clone()).await;
        app.sim().set_discord_now(Some(start));
        for (title, when) in [
            ("Live Q&A", "2026-12-03 20:00"),
            ("AMA", "2026-12-04 20:00"),
        ] {
            app.slash(
                SlashCall::new(ids::OWNER, "event")
                    .subcommand("create")
                    .string("title", title)
                    .string("when", when),
            )
            .await;
        }
        eventually("both events have Discord ids", async || {
            app.count(
                "SELECT COUNT(*) FROM event_mirrors m JOIN outbox o ON o.id = m.outbox_id
                 WHERE o.message_id IS NOT NULL",
            )
            .await
                == 2
        })
        .await;
        app.slash(event(ids::OWNER, "pause", 1)).await;
        eventually_sync("the paused event is CANCELED in Discord", || {
            app.sim().scheduled_events()[0]["status"] == 4
        })
        .await;

        // Discord refuses the second cancel (as it does for a started event).
        let second = app.sim().scheduled_events()[1]["id"]
            .as_str()
            .unwrap()
            .to_string();
        app.sim().inject_faults(
            "PATCH",
            &format!("/scheduled-events/{second}"),
            vec![lyceum::harness::sim::Fault::Answer(
                400,
                serde_json::json!({ "message": "Invalid Form Body", "code": 50035 }),
            )],
        );
        app.slash(event(ids::OWNER, "cancel", 2)).await;
        let notice = format!("/channels/{}/messages", ids::CHANNEL_MOD_LOG);
        let link = format!("https://discord.com/events/{}/{second}", ids::GUILD);
        eventually("the mod log hears of the refused cancel", async || {
            app.requests("POST", &notice).iter().any(|r| {
                let text = r.body["content"].as_str().unwrap_or_default();
                text.contains("refused to cancel") && text.contains(&link)
            })
        })
        .await;
        assert_eq!(app.sim().scheduled_events()[1]["status"], 1);
    }
}
