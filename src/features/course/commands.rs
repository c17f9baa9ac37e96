//! `/course progress`.

use super::{rules, store};
use crate::access::Level;
use crate::clock::{from_millis, to_millis};
use crate::config::ProductKind;
use crate::discord::invocation::invocation;
use crate::discord::reply;
use crate::discord::{Command, Context};
use crate::error::Error;
use crate::t;

pub fn commands() -> Vec<Command> {
    vec![course()]
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands("course_progress"),
    subcommand_required,
    custom_data = "Level::Member"
)]
async fn course(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Your course lessons: the ones open to you and when the next ones unlock
#[poise::command(slash_command, rename = "progress", custom_data = "Level::Member")]
async fn course_progress(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let member = ctx.author().id.get() as i64;
    let now = ctx.data().clock.now();
    let mut conn = ctx.data().db.read.acquire().await?;
    let mut lines = Vec::new();
    for product in inv
        .config
        .products
        .iter()
        .filter(|p| p.kind == ProductKind::Course && !p.lessons.is_empty())
    {
        let Some(start) = store::first_start(&mut conn, member, &product.id).await? else {
            continue;
        };
        let unlocked = store::unlocked_by(&mut conn, member, &product.id).await?;
        lines.push(format!("**{}**", product.name.get(locale)));
        for (i, lesson) in product.lessons.iter().enumerate() {
            let title = lesson.title.get(locale);
            let line = match unlocked.iter().find(|(l, _)| *l == i as i64) {
                Some(_) => t!(
                    locale,
                    "course-lesson-open",
                    n = i as i64 + 1,
                    title = title.to_string(),
                    link = lesson.link.clone()
                ),
                None => {
                    let at = rules::unlocks_at(from_millis(start), lesson);
                    // Due but not yet handled by the unlocker: it will be within the minute.
                    let at = at.max(from_millis(to_millis(now)));
                    t!(
                        locale,
                        "course-lesson-locked",
                        n = i as i64 + 1,
                        title = title.to_string(),
                        when = format!("<t:{}:R>", at.timestamp())
                    )
                }
            };
            lines.push(line);
        }
    }
    let text = if lines.is_empty() {
        t!(locale, "course-none")
    } else {
        lines.join("\n")
    };
    reply::ephemeral(ctx, text).await?;
    Ok(())
}
