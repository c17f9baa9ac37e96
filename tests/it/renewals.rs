//! Renewal care: who is due, grouped, a drafted message sent once per period on a press.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use lyceum::clock::ManualClock;
use lyceum::harness::sim::{ids, SlashCall};

use crate::support::{eventually_sync, TestApp};

fn dms(app: &TestApp, needle: &str) -> usize {
    app.sim()
        .sent_payloads()
        .iter()
        .filter(|(_, v)| v["content"].as_str().is_some_and(|c| c.contains(needle)))
        .count()
}

#[tokio::test]
async fn upcoming_renewals_are_listed_and_a_draft_is_sent_once_per_period() {
    let start: DateTime<Utc> = "2026-12-01T04:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let mut app = TestApp::spawn_clocked(&crate::membership::products(), clock.clone()).await;
    let grant = |member: u64, duration: &str| {
        SlashCall::new(ids::OWNER, "membership")
            .subcommand("grant")
            .user_option("member", member)
            .string("product", "pro")
            .string("duration", duration)
    };
    app.slash(grant(ids::KAI, "30d")).await;
    app.slash(grant(ids::MINA, "60d")).await;
    clock.set(start + Duration::days(20));
    let list = SlashCall::new(ids::OWNER, "renewals").subcommand("upcoming");
    let (id, _) = app.sim().invoke(&list).unwrap();
    let reply = app.sim().wait_reply(id).await.unwrap();
    assert!(
        reply
            .content
            .starts_with("**Renewals due in the next 14 days** (1)"),
        "{}",
        reply.content
    );
    assert!(
        reply.content.contains("**Pro membership**"),
        "{}",
        reply.content
    );
    assert!(
        reply.content.contains(&format!("`1` <@{}>", ids::KAI))
            && reply.content.contains("silent for 14 days"),
        "{}",
        reply.content
    );
    assert!(!reply.content.contains(&format!("<@{}>", ids::MINA)));
    let button = reply.raw["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        dms(&app, "最近很想念你") + dms(&app, "we have missed you"),
        0,
        "nothing without a press"
    );

    // A member cannot send; an admin sends once; a second press (even after a restart)
    // sends nothing.
    let press = |user: u64| app.sim().press_on_reply(user, id, &button).unwrap().0;
    let refused = app.sim().wait_reply(press(ids::KAI)).await.unwrap();
    assert_eq!(refused.content, "只有管理员可以发送续费消息。");
    let sent = app.sim().wait_reply(press(ids::OWNER)).await.unwrap();
    assert_eq!(sent.content, format!("✅ Sent to <@{}>.", ids::KAI));
    // Kai's Discord speaks Chinese (his press was answered in it): the DM is his language.
    eventually_sync("the draft DM", || dms(&app, "最近很想念你") == 1).await;
    assert_eq!(dms(&app, "we have missed you"), 0);
    assert!(dms(&app, "https://buy.stripe.com/test_pro?client_reference_id=") == 1);
    app.restart().await;
    let press = |user: u64| app.sim().press_on_reply(user, id, &button).unwrap().0;
    let again = app.sim().wait_reply(press(ids::OWNER)).await.unwrap();
    assert!(
        again
            .content
            .starts_with("This renewal message already went"),
        "{}",
        again.content
    );
    let listed = app
        .slash(SlashCall::new(ids::OWNER, "renewals").subcommand("upcoming"))
        .await;
    assert!(listed.content.contains("draft sent"), "{}", listed.content);

    // Renewed: the old button finds nobody due.
    app.slash(grant(ids::KAI, "30d")).await;
    let renewed = app.sim().wait_reply(press(ids::OWNER)).await.unwrap();
    assert!(
        renewed.content.contains("is no longer due"),
        "{}",
        renewed.content
    );
    assert_eq!(dms(&app, "最近很想念你"), 1);
    app.stop().await;
}

/// "Due" is one definition: each member's latest paid end. A member who renewed early (an
/// older grant still open) is due neither in `/renewals upcoming` nor in the report.
#[tokio::test]
async fn a_member_who_renewed_early_is_not_due_in_the_list_or_the_report() {
    let start: DateTime<Utc> = "2026-12-01T04:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let mut app = TestApp::spawn_clocked(&crate::membership::products(), clock.clone()).await;
    let grant = |member: u64, duration: &str| {
        SlashCall::new(ids::OWNER, "membership")
            .subcommand("grant")
            .user_option("member", member)
            .string("product", "pro")
            .string("duration", duration)
    };
    app.slash(grant(ids::KAI, "5d")).await;
    app.slash(grant(ids::KAI, "30d")).await;
    app.slash(grant(ids::MINA, "5d")).await;
    let list = app
        .slash(SlashCall::new(ids::OWNER, "renewals").subcommand("upcoming"))
        .await;
    assert!(
        list.content
            .starts_with("**Renewals due in the next 14 days** (1)"),
        "{}",
        list.content
    );
    assert!(!list.content.contains(&format!("<@{}>", ids::KAI)));
    let report = app
        .slash(SlashCall::new(ids::OWNER, "report").subcommand("week"))
        .await;
    assert!(
        report.content.contains("Renewals due (next 7 days): **1**"),
        "{}",
        report.content
    );
    app.stop().await;
}

/// Many members due: the list is paged to fit one message and five button rows, each page
/// says which it is, the page buttons turn it, and every member is on exactly one page with
/// their own Send button.
#[tokio::test]
async fn a_long_renewal_list_is_paged_never_cut() {
    let start: DateTime<Utc> = "2026-12-01T04:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let mut app = TestApp::spawn_clocked(&crate::membership::products(), clock.clone()).await;
    let members: Vec<u64> = (0..12).map(|i| 700_000_000_000_000_000 + i).collect();
    for (i, member) in members.iter().enumerate() {
        app.sim()
            .member_add(*member, &format!("student{i}"), "en-US");
        app.slash(
            SlashCall::new(ids::OWNER, "membership")
                .subcommand("grant")
                .user_option("member", *member)
                .string("product", "pro")
                .string("duration", &format!("{}d", 3 + i)),
        )
        .await;
    }
    let call = SlashCall::new(ids::OWNER, "renewals").subcommand("upcoming");
    let (first, _) = app.sim().invoke(&call).unwrap();
    let mut page = app.sim().wait_reply(first).await.unwrap();
    let pages: usize = page
        .content
        .split("Page 1 of ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a paged list: {}", page.content));
    assert!(pages >= 2);
    let mut seen = Vec::new();
    let mut pressed = first;
    for n in 1..=pages {
        assert!(
            page.content.contains(&format!("Page {n} of {pages}")),
            "{}",
            page.content
        );
        assert!(page.content.chars().count() <= 2_000);
        assert!(!page.content.ends_with('…'), "never cut: {}", page.content);
        let rows = page.raw["components"].as_array().unwrap().clone();
        assert!(rows.len() <= 5, "Discord allows five rows");
        let ids: Vec<String> = rows
            .iter()
            .flat_map(|r| r["components"].as_array().unwrap().clone())
            .filter_map(|b| b["custom_id"].as_str().map(str::to_string))
            .collect();
        for member in &members {
            if page.content.contains(&format!("<@{member}> —")) {
                seen.push(*member);
                assert!(
                    ids.iter()
                        .any(|id| id.starts_with(&format!("lyceum:rn:{member}:"))),
                    "page {n}: {member} has a Send button"
                );
            }
        }
        if n < pages {
            let next = format!("lyceum:rnp:14:{}", n + 1);
            assert!(ids.contains(&next), "{ids:?}");
            let (turned, _) = app
                .sim()
                .press_on_reply(ids::OWNER, pressed, &next)
                .unwrap();
            pressed = turned;
            page = app.sim().wait_reply(turned).await.unwrap();
        }
    }
    seen.sort_unstable();
    assert_eq!(seen, members, "every member on exactly one page");
    // A member cannot turn the pages of an admin's list.
    let previous = format!("lyceum:rnp:14:{}", pages - 1);
    let (refused, _) = app
        .sim()
        .press_on_reply(ids::KAI, pressed, &previous)
        .unwrap();
    let refused = app.sim().wait_reply(refused).await.unwrap();
    assert_eq!(refused.content, "只有管理员可以发送续费消息。");
    app.stop().await;
}

/// Activity is what a member did, not only what they wrote: a member who checked in on three
/// days without writing a word is "active" in renewal care, and the list says what counts.
#[tokio::test]
async fn a_member_who_acted_without_writing_is_active_in_renewal_care() {
    let start: DateTime<Utc> = "2026-12-01T04:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let mut app = TestApp::spawn_clocked(&crate::membership::products(), clock.clone()).await;
    let grant = SlashCall::new(ids::OWNER, "membership")
        .subcommand("grant")
        .user_option("member", ids::MINA)
        .string("product", "pro")
        .string("duration", "30d");
    app.slash(grant).await;
    for day in [12, 14, 17] {
        clock.set(start + Duration::days(day));
        let checked = app.slash(SlashCall::new(ids::MINA, "checkin")).await;
        assert!(!checked.content.is_empty());
    }
    clock.set(start + Duration::days(20));
    let list = app
        .slash(SlashCall::new(ids::OWNER, "renewals").subcommand("upcoming"))
        .await;
    let line = list
        .content
        .lines()
        .find(|l| l.contains(&format!("<@{}>", ids::MINA)))
        .unwrap_or_default()
        .to_string();
    assert!(line.contains(" · active"), "{}", list.content);
    assert!(
        list.content
            .contains("counts messages, check-ins, homework, RSVPs"),
        "{}",
        list.content
    );
    let acted = app
        .count(&format!(
            "SELECT COUNT(*) FROM action_daily WHERE member_id = {}",
            ids::MINA as i64
        ))
        .await;
    assert_eq!(acted, 3, "one row per local day acted");
    app.stop().await;
}
