//! Scene 11 of the demo: keeping members active and paying. A 打卡 challenge's first two days
//! (a check-in through the button and its modal, a day off, the bot's clock moved a day), a
//! homework hand-in reviewed and featured, a message added to 精华 with its index updating, a
//! new paid member's "start here" DM, a role menu, an event in Discord's Events tab, the
//! renewals due with a drafted message sent, the renewal rate, a course lesson unlocking a week
//! later, and a win-back code for a member whose Pro ran out that week.

use std::time::Duration;

use anyhow::Context as _;
use serde_json::Value;

use super::{Script, WAIT};
use crate::clock::{Clock, OffsetClock};
use crate::harness::sim::{ids, SlashCall};
use crate::state::AppState;

impl Script {
    /// Waits until the bot posted a message in `channel` that `wanted` picks; returns it.
    async fn posted(
        &self,
        channel: u64,
        what: &str,
        wanted: impl Fn(&Value) -> bool,
    ) -> anyhow::Result<Value> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if let Some(found) = self.sim.messages_in(channel).into_iter().find(&wanted) {
                return Ok(found);
            }
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "{what} was not posted"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `user` presses `custom_id` under `message`, fills the modal the bot shows with `fields`,
    /// and the answer is shown.
    async fn press_and_fill(
        &self,
        user: u64,
        channel: u64,
        message: u64,
        custom_id: &str,
        shown: &str,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<()> {
        let who = self.world.user_name(user);
        let (press, _) = self.sim.press(user, channel, message, custom_id)?;
        let modal = self
            .sim
            .wait_response(press)
            .await
            .context("no answer to the press")?;
        let title = modal["data"]["title"].as_str().unwrap_or_default();
        let typed: Vec<String> = fields
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(_, v)| format!("“{v}”"))
            .collect();
        println!(
            "  {who:>8} ▸ {shown} → the form “{title}” → {}",
            typed.join(" ")
        );
        let (submit, _) = self.sim.submit_shown_modal(user, press, fields)?;
        let reply = self
            .sim
            .wait_reply(submit)
            .await
            .context("no answer to the form")?;
        self.indent("Lyceum 👁", &reply.content);
        Ok(())
    }
}

fn id_of(message: &Value) -> anyhow::Result<u64> {
    message["id"]
        .as_str()
        .and_then(|i| i.parse().ok())
        .context("a posted message has an id")
}

fn embed_title(message: &Value) -> &str {
    message["embeds"][0]["title"].as_str().unwrap_or_default()
}

pub(super) async fn run(
    script: &Script,
    state: &AppState,
    clock: &OffsetClock,
) -> anyhow::Result<()> {
    script.say(
        "── Scene 11 · Keeping members active and paying: 打卡, homework, 精华, role menus, the Events tab, renewals, lessons, win-back",
    );
    let sim = &script.sim;
    // The challenge starts today at this minute; check-ins close a day later.
    let local = clock.now().with_timezone(&script.tz);
    let prompt = local.format("%H:%M").to_string();
    let deadline = (local - chrono::Duration::minutes(1))
        .format("%H:%M")
        .to_string();
    script
        .command(
            SlashCall::new(ids::OWNER, "challenge")
                .subcommand("create")
                .string("title", "7 天 Rust 打卡")
                .integer("days", 7)
                .string("start", "today")
                .string("prompt_time", &prompt)
                .string("prompts", "Write a function that borrows|Read chapter 4 of the book")
                .string("deadline", &deadline)
                .integer("excused_days", 1)
                .channel_option("channel", ids::CHANNEL_GENERAL),
            &format!("/challenge create title:7 天 Rust 打卡 days:7 start:today prompt_time:{prompt} deadline:{deadline} excused_days:1 channel:#general prompts:…"),
        )
        .await?;
    for member in [ids::KAI, ids::MINA] {
        script
            .command(
                SlashCall::new(member, "challenge").subcommand("join"),
                "/challenge join",
            )
            .await?;
    }
    for day in 1..=2u32 {
        if day == 2 {
            println!("  ⏩ The bot's clock moves forward one day");
            clock.skip(chrono::Duration::days(1));
            state.wakes.fire(crate::features::challenge::CHALLENGES);
        }
        let marker = format!("day {day} of 7");
        let prompt = script
            .posted(ids::CHANNEL_GENERAL, "the day's prompt", |m| {
                embed_title(m).contains(&marker)
            })
            .await?;
        script.indent(
            "#general",
            &format!(
                "{} · {}  [打卡 Check in]",
                embed_title(&prompt),
                prompt["embeds"][0]["description"]
                    .as_str()
                    .unwrap_or_default()
            ),
        );
        let text = if day == 1 {
            "写了一个借用检查器满意的函数"
        } else {
            "读完第四章：所有权"
        };
        if day == 1 {
            script
                .press_and_fill(
                    ids::MINA,
                    ids::CHANNEL_GENERAL,
                    id_of(&prompt)?,
                    "lyceum:ck:1:1",
                    "[打卡 Check in]",
                    &[
                        ("text", "fn longest<'a>(a: &'a str, b: &'a str) -> &'a str"),
                        ("link", ""),
                    ],
                )
                .await?;
        }
        script
            .press_and_fill(
                ids::KAI,
                ids::CHANNEL_GENERAL,
                id_of(&prompt)?,
                &format!("lyceum:ck:1:{day}"),
                "[打卡 Check in]",
                &[("text", text), ("link", "")],
            )
            .await?;
        if day == 2 {
            script
                .command(
                    SlashCall::new(ids::MINA, "challenge").subcommand("excuse"),
                    "/challenge excuse   (请假)",
                )
                .await?;
        }
    }
    script
        .command(
            SlashCall::new(ids::OWNER, "challenge").subcommand("stats"),
            "/challenge stats   (with a chart)",
        )
        .await?;
    println!();

    script
        .command(
            SlashCall::new(ids::OWNER, "homework")
                .subcommand("assign")
                .string("title", "读书笔记：所有权")
                .string("due", "in 3d"),
            "/homework assign title:读书笔记：所有权 due:in 3d",
        )
        .await?;
    script
        .command(
            SlashCall::new(ids::KAI, "homework")
                .subcommand("submit")
                .integer("assignment", 1)
                .string("text", "所有权三条规则，以及它们为什么让并发更安全"),
            "/homework submit assignment:1 text:所有权三条规则……",
        )
        .await?;
    let post = script
        .posted(ids::CHANNEL_MOD_LOG, "the hand-in", |m| {
            embed_title(m).starts_with("📝")
        })
        .await?;
    script.indent(
        "#mod-log",
        &format!(
            "{} — {}  [Reviewed] [Needs work] [⭐ Featured]",
            embed_title(&post),
            post["embeds"][0]["description"]
                .as_str()
                .unwrap_or_default()
        ),
    );
    script
        .press_and_fill(
            ids::OWNER,
            ids::CHANNEL_MOD_LOG,
            id_of(&post)?,
            "lyceum:hw:1:featured",
            "[⭐ Featured]",
            &[("comment", "清楚易懂，值得大家参考")],
        )
        .await?;
    script.dm(ids::KAI, "你的作业").await?;
    println!();

    let tip = sim.message_create(
        ids::CHANNEL_GENERAL,
        ids::MINA,
        "Rust 所有权三原则：每个值有且只有一个所有者",
    );
    println!(
        "  {:>8} ▸ Rust 所有权三原则：每个值有且只有一个所有者",
        "#general @mina"
    );
    let (opened, _) =
        sim.message_command(ids::OWNER, "Add to highlights", ids::CHANNEL_GENERAL, tip)?;
    sim.wait_response(opened).await.context("no topic form")?;
    println!("    olivia ▸ (on that message) Apps → Add to highlights → topic “入门”");
    let (submit, _) = sim.submit_shown_modal(ids::OWNER, opened, &[("topic", "入门")])?;
    let added = sim.wait_reply(submit).await.context("no answer")?;
    script.indent("Lyceum 👁", &added.content);
    let index = script
        .posted(ids::CHANNEL_ANNOUNCEMENTS, "the 精华 index", |m| {
            embed_title(m).starts_with("⭐")
        })
        .await?;
    script.indent(
        "#announcements 📌",
        &format!(
            "{}\n{}",
            embed_title(&index),
            index["embeds"][0]["description"]
                .as_str()
                .unwrap_or_default()
        ),
    );

    script
        .command(
            SlashCall::new(ids::OWNER, "membership")
                .subcommand("grant")
                .user_option("member", ids::KAI)
                .string("product", "pro"),
            "/membership grant member:@kai product:pro",
        )
        .await?;
    let deadline = tokio::time::Instant::now() + WAIT;
    let welcome = loop {
        let found = sim.sent_payloads().into_iter().find(|(_, v)| {
            v["embeds"][0]["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("👋"))
        });
        if let Some((_, found)) = found {
            break found;
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "no start-here DM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    script.indent(
        "DM @kai",
        &format!(
            "{}\n{}",
            embed_title(&welcome),
            welcome["embeds"][0]["description"]
                .as_str()
                .unwrap_or_default()
        ),
    );
    println!();
    role_menu(script).await?;
    events_tab(script, state).await?;
    renewals(script).await?;
    lessons(script, state, clock).await?;
    Ok(())
}

/// A role menu posted; a member takes a topic role with one press.
async fn role_menu(script: &Script) -> anyhow::Result<()> {
    script
        .command(
            SlashCall::new(ids::OWNER, "roles")
                .subcommand("post")
                .string("menu", "topics")
                .channel_option("channel", ids::CHANNEL_GENERAL),
            "/roles post menu:topics channel:#general",
        )
        .await?;
    let menu = script
        .posted(ids::CHANNEL_GENERAL, "the role menu", |m| {
            embed_title(m) == "Pick your topics"
        })
        .await?;
    script.indent("#general", "Pick your topics  [⚡ Async Rust]");
    let custom_id = format!("lyceum:rm:topics:{}", ids::ROLE_TOPIC);
    let (press, _) = script
        .sim
        .press(ids::SAM, ids::CHANNEL_GENERAL, id_of(&menu)?, &custom_id)?;
    println!("  {:>8} ▸ [⚡ Async Rust]", "sam");
    let reply = script.sim.wait_reply(press).await.context("no answer")?;
    script.indent("Lyceum 👁", &reply.content);
    script.role_added(ids::SAM, ids::ROLE_TOPIC).await?;
    println!();
    Ok(())
}

/// An event also in Discord's Events tab; a member's "Interested" reaches `/event attendees`.
async fn events_tab(script: &Script, state: &AppState) -> anyhow::Result<()> {
    let sim = &script.sim;
    println!("    olivia ▸ /event create title:Office hours when:in 3d mirror:true");
    let created = sim
        .slash(
            SlashCall::new(ids::OWNER, "event")
                .subcommand("create")
                .string("title", "Office hours")
                .string("when", "in 3d")
                .boolean("mirror", true),
        )
        .await?;
    script.indent("Lyceum 👁", &created.content);
    let id: i64 = created
        .content
        .split('#')
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .and_then(|n| n.parse().ok())
        .context("the event's number")?;
    let deadline = tokio::time::Instant::now() + WAIT;
    let mirrored = loop {
        if let Some(found) = sim
            .scheduled_events()
            .into_iter()
            .find(|e| e["name"] == "Office hours")
        {
            break found;
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the event did not reach the Events tab"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    script.indent(
        "Events tab",
        &format!(
            "Office hours · {} · {}",
            mirrored["scheduled_start_time"]
                .as_str()
                .unwrap_or_default(),
            mirrored["entity_metadata"]["location"]
                .as_str()
                .unwrap_or_default()
        ),
    );
    // The bot keeps Discord's id for the event when the create's answer arrives, a moment
    // after the simulator has it: wait for that before asking for the Interested count.
    loop {
        let mirror = {
            let mut conn = state.db.read.acquire().await?;
            crate::features::schedule::store::mirror_of(&mut conn, id).await?
        };
        if let Some(m) = mirror {
            if crate::outbox::store::message_id_of(&state.db, m.outbox_id)
                .await?
                .is_some()
            {
                break;
            }
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the bot did not record the event's id"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let discord_id = mirrored["id"].as_str().unwrap_or_default().to_string();
    sim.scheduled_event_interest(ids::KAI, &discord_id);
    println!("       kai ▸ (in the Events tab) Interested");
    script
        .command(
            SlashCall::new(ids::OWNER, "event")
                .subcommand("attendees")
                .integer("event", id),
            &format!("/event attendees event:{id}"),
        )
        .await?;
    println!();
    Ok(())
}

/// Whose paid time ends soon, and a drafted renewal message sent with one press.
async fn renewals(script: &Script) -> anyhow::Result<()> {
    let sim = &script.sim;
    let call = SlashCall::new(ids::OWNER, "renewals")
        .subcommand("upcoming")
        .integer("days", 31);
    println!("    olivia ▸ /renewals upcoming days:31");
    let (asked, _) = sim.invoke(&call)?;
    let list = sim.wait_reply(asked).await.context("no renewals list")?;
    script.indent("Lyceum 👁", &list.content);
    let Some(send) = list.raw["components"][0]["components"][0]["custom_id"].as_str() else {
        println!();
        return Ok(());
    };
    println!("    olivia ▸ [Send 1]");
    let (press, _) = sim.press_on_reply(ids::OWNER, asked, send)?;
    let sent = sim.wait_reply(press).await.context("no answer to Send")?;
    script.indent("Lyceum 👁", &sent.content);
    // The renewal rate so far (Sam's Pro ran out in scene 8 and he bought it again in scene 9).
    script
        .command(
            SlashCall::new(ids::OWNER, "stats").subcommand("renewals"),
            "/stats renewals",
        )
        .await?;
    // A paid day of Pro for Mina (she paid 29 by bank transfer; staff record it): it will have
    // run out once the week below has passed. (A free day would be a comp, and comps get no
    // win-back offer.)
    script
        .command(
            SlashCall::new(ids::OWNER, "membership")
                .subcommand("grant")
                .user_option("member", ids::MINA)
                .string("product", "pro")
                .string("duration", "1d")
                .number("paid", 29.0),
            "/membership grant member:@mina product:pro duration:1d paid:29",
        )
        .await?;
    println!();
    Ok(())
}

/// Mina's course: the first lesson open since she redeemed it, the second a week later.
async fn lessons(script: &Script, state: &AppState, clock: &OffsetClock) -> anyhow::Result<()> {
    script
        .command(
            SlashCall::new(ids::MINA, "course").subcommand("progress"),
            "/course progress",
        )
        .await?;
    println!("  ⏩ The bot's clock moves forward a week");
    clock.skip(chrono::Duration::days(7));
    state.wakes.fire(crate::state::Topic::GRANTS);
    script
        .dm(
            ids::MINA,
            "📖 A new lesson of Rust course is open: **Lifetimes**",
        )
        .await?;
    // Mina's day of Pro ran out during that week: a one-use win-back code by DM.
    script
        .command(
            SlashCall::new(ids::OWNER, "renewals")
                .subcommand("winback")
                .string("product", "pro"),
            "/renewals winback product:pro",
        )
        .await?;
    script.dm(ids::MINA, "We miss you at").await?;
    println!();
    Ok(())
}
