//! `/refer code` and `/refer stats`.

use super::store;
use crate::access::Level;
use crate::config::Credit;
use crate::discord::invocation::invocation;
use crate::discord::reply;
use crate::discord::{Command, Context};
use crate::error::Error;
use crate::features::membership::MembershipError;
use crate::i18n::Locale;
use crate::t;

pub fn commands() -> Vec<Command> {
    vec![refer()]
}

/// Discord cannot run a command that has subcommands, so the code is `/refer code`.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("refer_code", "refer_stats"),
    subcommand_required,
    custom_data = "Level::Member"
)]
async fn refer(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Your personal referral code, and how a friend uses it
#[poise::command(slash_command, rename = "code", custom_data = "Level::Member")]
async fn refer_code(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let Some(credit) = inv.config.referrals.credit else {
        return Err(MembershipError::ReferralsOff.into());
    };
    let code = super::issue_code(ctx.data(), ctx.author().id).await?;
    let product = inv
        .config
        .products
        .iter()
        .find(|p| p.payment_link.is_some())
        .map_or("…".to_string(), |p| p.id.clone());
    let hold_days = (inv.config.referrals.hold.as_secs() / 86_400) as i64;
    let mut text = t!(
        locale,
        "refer-code",
        code = code.clone(),
        product = product,
        credit = credit_text(locale, credit),
        hold = hold_days
    );
    if let Some(site) = inv.config.web.public_url.as_deref() {
        // The community page: a friend logs in with Discord and its buy links carry the code.
        let url = format!("{}/?ref={code}", site.trim_end_matches('/'));
        text.push('\n');
        text.push_str(&t!(locale, "refer-link", url = url));
    }
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Your referrals (admins: the top referrers and all credit given)
#[poise::command(slash_command, rename = "stats", custom_data = "Level::Member")]
async fn refer_stats(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let db = &ctx.data().db;
    let mine = store::tally_of(db, ctx.author().id.get() as i64).await?;
    let mut lines = vec![t!(
        locale,
        "refer-stats-mine",
        claims = mine.claims,
        conversions = mine.conversions,
        reversed = mine.reversed,
        points = mine.points,
        days = mine.days
    )];
    if inv.level(ctx).await? >= Level::Admin {
        let all = store::totals(db).await?;
        lines.push(t!(
            locale,
            "refer-stats-all",
            claims = all.claims,
            conversions = all.conversions,
            reversed = all.reversed,
            points = all.points,
            days = all.days
        ));
        let top = store::top(db, 10).await?;
        if top.is_empty() {
            lines.push(t!(locale, "refer-stats-none"));
        }
        for (i, t) in top.iter().enumerate() {
            lines.push(t!(
                locale,
                "refer-stats-line",
                rank = i as i64 + 1,
                member = format!("<@{}>", t.referrer_id),
                claims = t.claims,
                conversions = t.conversions,
                points = t.points,
                days = t.days
            ));
        }
    }
    reply::ephemeral(ctx, lines.join("\n")).await?;
    Ok(())
}

/// "500 points" / "7 days of your membership".
pub fn credit_text(locale: Locale, credit: Credit) -> String {
    match credit {
        Credit::Points(n) => t!(locale, "refer-credit-points", amount = n),
        Credit::Days(n) => t!(locale, "refer-credit-days", days = n),
    }
}
