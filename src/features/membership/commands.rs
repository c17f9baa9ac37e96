//! `/membership …`, `/code …`, `/redeem`, `/revenue …`.

use chrono::{DateTime, Utc};
use poise::serenity_prelude as serenity;

use super::by_hand;
use super::codes;
use super::error::MembershipError;
use super::ops::Length;
use super::{render, store};
use crate::access::Level;
use crate::clock::to_millis;
use crate::config::{Config, Product};
use crate::discord::invocation::invocation;
use crate::discord::reply::{self, paginate};
use crate::discord::{Command, Context};
use crate::error::Error;
use crate::i18n::Locale;
use crate::state::AppState;
use crate::t;

pub fn commands() -> Vec<Command> {
    let mut commands = vec![
        membership(),
        code(),
        redeem(),
        revenue(),
        gate(),
        renewals(),
    ];
    commands.extend(super::referrals::commands::commands());
    commands
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands("renewals_upcoming", "renewals_winback"),
    subcommand_required,
    custom_data = "Level::Admin"
)]
async fn renewals(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Send members whose paid time ran out lately a one-use win-back code (price and expiry from config)
#[poise::command(slash_command, rename = "winback", custom_data = "Level::Admin")]
async fn renewals_winback(
    ctx: Context<'_>,
    #[max_length = 40] product: String,
    #[min = 1]
    #[max = 365]
    days: Option<i64>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let product = self::product(&inv.config, &product)?;
    let days = days.unwrap_or(30);
    let done =
        super::renewals::winback(ctx.data(), &inv.config, product, days, ctx.author().id).await?;
    let name = product.name.get(locale).to_string();
    let text = match done.batch {
        None => t!(locale, "winback-none", product = name, days = days),
        Some(batch) => t!(
            locale,
            "winback-sent",
            count = done.sent.len() as i64,
            product = name,
            batch = batch,
            price = crate::i18n::money(done.price_minor, &product.currency),
            until = format!("<t:{}:D>", done.expires_at.timestamp()),
            before = done.before as i64
        ),
    };
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Members whose paid time ends soon, by product and activity, each with a renewal message to send
#[poise::command(slash_command, rename = "upcoming", custom_data = "Level::Admin")]
async fn renewals_upcoming(
    ctx: Context<'_>,
    #[min = 1]
    #[max = 90]
    days: Option<i64>,
    #[min = 1] page: Option<i64>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let days = days.unwrap_or(14);
    let page = page.unwrap_or(1).max(1) as usize;
    let (content, rows) = renewals_message(ctx.data(), &inv.config, locale, days, page).await?;
    let reply = poise::CreateReply::default()
        .content(content)
        .components(rows)
        .ephemeral(true);
    ctx.send(reply).await?;
    Ok(())
}

/// One page of `/renewals upcoming` (1-based; past the last, the last): the members due with
/// their drafts and Send buttons, and the page buttons. Pages are cut to fit Discord's 2,000
/// characters and five button rows, never silently: the header says which page of how many.
pub async fn renewals_message(
    data: &AppState,
    config: &Config,
    locale: Locale,
    days: i64,
    page: usize,
) -> Result<(String, Vec<serenity::CreateActionRow>), Error> {
    use super::renewals;
    crate::features::stats::activity(data)
        .flush(&data.db)
        .await?;
    let due = {
        let mut conn = data.db.read.acquire().await?;
        renewals::upcoming(&mut conn, config, data.clock.now(), days).await?
    };
    if due.is_empty() {
        return Ok((t!(locale, "renewals-none", days = days), Vec::new()));
    }
    let name_of = |product: &str| {
        config
            .product(product)
            .map_or(product.to_string(), |p| p.name.get(locale).to_string())
    };
    let lines: Vec<String> = due
        .iter()
        .enumerate()
        .map(|(i, d)| renewal_line(config, locale, i, d))
        .collect();
    let header = format!(
        "{}\n{}",
        t!(
            locale,
            "renewals-header",
            count = due.len() as i64,
            days = days
        ),
        t!(locale, "renewals-activity-means")
    );
    // Each member costs their line and, at worst, their product's heading.
    let costs: Vec<usize> = due
        .iter()
        .zip(&lines)
        .map(|(d, line)| line.chars().count() + name_of(&d.product).chars().count() + 6)
        .collect();
    let budget = reply::MAX_CONTENT - header.chars().count() - 120;
    let pages = renewals::paginate(&costs, budget);
    let at = page.min(pages.len()).max(1);
    let shown = pages[at - 1].clone();
    let mut text = vec![header];
    if pages.len() > 1 {
        text.push(t!(
            locale,
            "renewals-page",
            page = at as i64,
            pages = pages.len() as i64,
            first = shown.start as i64 + 1,
            last = shown.end as i64
        ));
    }
    let mut product = "";
    let mut buttons = Vec::new();
    for i in shown {
        let d = &due[i];
        if d.product != product {
            product = &d.product;
            text.push(format!("**{}**", name_of(product)));
        }
        text.push(lines[i].clone());
        if !d.sent {
            buttons.push(
                serenity::CreateButton::new(format!(
                    "{}{}:{}:{}",
                    renewals::BUTTON_PREFIX,
                    d.member,
                    d.product,
                    d.paid_until
                ))
                .label(t!(locale, "renewals-send", n = i as i64 + 1))
                .style(serenity::ButtonStyle::Primary),
            );
        }
    }
    let mut rows: Vec<serenity::CreateActionRow> = buttons
        .chunks(5)
        .map(|row| serenity::CreateActionRow::Buttons(row.to_vec()))
        .collect();
    if pages.len() > 1 {
        rows.push(page_turns(locale, days, at, pages.len()));
    }
    Ok((reply::fit(text.join("\n")), rows))
}

/// One member's line in `/renewals upcoming`: when, how active, whether the draft went out,
/// and the draft itself.
fn renewal_line(config: &Config, locale: Locale, i: usize, d: &super::renewals::Due) -> String {
    use super::renewals::{self, Activity};
    let activity = match d.activity {
        Activity::Active => t!(locale, "renewals-active"),
        Activity::Quiet => t!(locale, "renewals-quiet"),
        Activity::Silent => t!(locale, "renewals-silent"),
    };
    let sent = if d.sent {
        format!(" · {}", t!(locale, "renewals-sent"))
    } else {
        String::new()
    };
    format!(
        "`{}` <@{}> — <t:{}:D> · {activity}{sent}\n> {}",
        i + 1,
        d.member,
        d.paid_until / 1000,
        renewals::draft(config, d, config.community.default_locale).replace('\n', " ")
    )
}

/// Previous / next under a paged `/renewals upcoming` (`at` of `pages`).
fn page_turns(locale: Locale, days: i64, at: usize, pages: usize) -> serenity::CreateActionRow {
    let turn = |to: usize, label: String, disabled: bool| {
        serenity::CreateButton::new(format!("{}{days}:{to}", super::renewals::PAGE_PREFIX))
            .label(label)
            .style(serenity::ButtonStyle::Secondary)
            .disabled(disabled)
    };
    serenity::CreateActionRow::Buttons(vec![
        turn(
            at.saturating_sub(1).max(1),
            t!(locale, "renewals-previous"),
            at == 1,
        ),
        turn(at + 1, t!(locale, "renewals-next"), at == pages),
    ])
}

/// The custom id of `/gate apply`'s confirmation button.
pub const GATE_APPLY_BUTTON: &str = "lyceum:gate:apply";

/// Each product's role and gated channels as Discord has them (from serenity's cache).
pub fn gate_views(cache: &serenity::Cache, config: &Config) -> Vec<super::gate::ProductView> {
    use super::gate::{ChannelView, ProductView};
    let Some(guild) = cache.guild(config.discord.guild_id) else {
        return Vec::new();
    };
    let bot = cache.current_user().id;
    let bot_member = guild.members.get(&bot);
    let bot_roles = bot_member.map(|m| m.roles.clone()).unwrap_or_default();
    let bot_top = bot_roles
        .iter()
        .filter_map(|r| guild.roles.get(r).map(|r| r.position))
        .max()
        .unwrap_or(0);
    let bot_manages_roles = bot_member.is_some_and(|m| {
        let perms = guild.member_permissions(m);
        perms.manage_roles() || perms.administrator()
    });
    config
        .products
        .iter()
        .map(|p| {
            let channels = p
                .channels
                .iter()
                .map(|c| match guild.channels.get(c) {
                    None => ChannelView {
                        id: *c,
                        known: false,
                        everyone: (0, 0),
                        role: (0, 0),
                        bot: (0, 0),
                        other_roles: Vec::new(),
                        trusted: Vec::new(),
                        category: None,
                    },
                    Some(channel) => {
                        let of = |kind: serenity::PermissionOverwriteType| {
                            channel
                                .permission_overwrites
                                .iter()
                                .find(|o| o.kind == kind)
                                .map_or((0, 0), |o| (o.allow.bits(), o.deny.bits()))
                        };
                        let everyone = config.discord.guild_id.get();
                        let skip = [everyone, p.role.get()];
                        let category = channel.parent_id.and_then(|id| guild.channels.get(&id));
                        ChannelView {
                            id: *c,
                            known: true,
                            everyone: of(serenity::PermissionOverwriteType::Role(
                                serenity::RoleId::new(everyone),
                            )),
                            role: of(serenity::PermissionOverwriteType::Role(p.role)),
                            bot: of(serenity::PermissionOverwriteType::Member(bot)),
                            other_roles: role_overwrites(&channel.permission_overwrites, &skip),
                            trusted: trusted_roles(config, *c),
                            category: category.map(|cat| {
                                (cat.id, role_overwrites(&cat.permission_overwrites, &skip))
                            }),
                        }
                    }
                })
                .collect();
            ProductView {
                product: p.id.clone(),
                role: p.role,
                role_position: guild.roles.get(&p.role).map(|r| r.position),
                bot_top_position: bot_top,
                bot_manages_roles,
                channels,
            }
        })
        .collect()
}

/// Role overwrites as (role id, allow, deny), without those in `skip`.
fn role_overwrites(
    overwrites: &[serenity::PermissionOverwrite],
    skip: &[u64],
) -> Vec<(u64, u64, u64)> {
    overwrites
        .iter()
        .filter_map(|o| match o.kind {
            serenity::PermissionOverwriteType::Role(r) if !skip.contains(&r.get()) => {
                Some((r.get(), o.allow.bits(), o.deny.bits()))
            }
            _ => None,
        })
        .collect()
}

/// Roles that may see a gated channel besides its product's: staff roles and the roles of
/// every product that lists the channel.
fn trusted_roles(config: &Config, channel: serenity::ChannelId) -> Vec<u64> {
    let staff = [config.staff.admin_role, config.staff.moderator_role];
    let products = config
        .products
        .iter()
        .filter(|p| p.channels.contains(&channel))
        .map(|p| Some(p.role));
    staff
        .into_iter()
        .chain(products)
        .flatten()
        .map(|r| r.get())
        .collect()
}

/// One block per product: ✅, or each problem.
fn gate_report(
    views: &[super::gate::ProductView],
    config: &Config,
    locale: crate::i18n::Locale,
) -> (String, usize) {
    let mut lines = Vec::new();
    let mut problems = 0;
    for view in views {
        let name = config
            .product(&view.product)
            .map_or(view.product.clone(), |p| p.name.get(locale).to_string());
        let found = super::gate::check(view);
        problems += found.len();
        if found.is_empty() {
            lines.push(t!(locale, "gate-product-ok", product = name));
        } else {
            lines.push(t!(locale, "gate-product-problems", product = name));
            for p in &found {
                lines.push(format!("  ⚠️ {}", p.describe(locale, view.role)));
            }
        }
    }
    (lines.join("\n"), problems)
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands("gate_check", "gate_apply"),
    subcommand_required,
    custom_data = "Level::Admin"
)]
async fn gate(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Check that each product's channels are hidden from @everyone and open to its role
#[poise::command(slash_command, rename = "check", custom_data = "Level::Admin")]
async fn gate_check(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let views = gate_views(ctx.cache(), &inv.config);
    if views.is_empty() {
        reply::ephemeral(ctx, t!(locale, "gate-no-products")).await?;
        return Ok(());
    }
    let (text, _) = gate_report(&views, &inv.config, locale);
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Fix the gated channels' permissions (asks for confirmation first)
#[poise::command(slash_command, rename = "apply", custom_data = "Level::Admin")]
async fn gate_apply(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let config = &inv.config;
    let views = gate_views(ctx.cache(), config);
    let bot = ctx.cache().current_user().id;
    let changes: usize = views
        .iter()
        .map(|v| super::gate::fixes(v, config.discord.guild_id, bot).len())
        .sum();
    if changes == 0 {
        reply::ephemeral(ctx, t!(locale, "gate-nothing-to-fix")).await?;
        return Ok(());
    }
    let (report, _) = gate_report(&views, config, locale);
    let button = serenity::CreateButton::new(GATE_APPLY_BUTTON)
        .label(t!(locale, "gate-apply-button", count = changes as i64))
        .style(serenity::ButtonStyle::Danger);
    ctx.send(
        poise::CreateReply::default()
            .content(reply::fit(format!(
                "{report}\n\n{}",
                t!(locale, "gate-apply-confirm", count = changes as i64)
            )))
            .ephemeral(true)
            .components(vec![serenity::CreateActionRow::Buttons(vec![button])]),
    )
    .await?;
    Ok(())
}

/// The configured product `text` names, or an error with the closest id.
fn product<'a>(config: &'a Config, text: &str) -> Result<&'a Product, MembershipError> {
    let text = text.trim();
    config
        .product(text)
        .ok_or_else(|| MembershipError::UnknownProduct {
            product: text.to_string(),
            suggestion: crate::config::suggest(text, config.products.iter().map(|p| p.id.as_str()))
                .map(str::to_string),
        })
}

/// `30d`, `2w`, `365d`, `lifetime`, `30天`.
fn length(text: &str) -> Result<Length, MembershipError> {
    match crate::config::products::parse_product_duration(text) {
        Some(None) => Ok(Length::Lifetime),
        Some(Some(d)) if d.as_secs() <= 100 * 365 * 86_400 => Ok(Length::Span(
            chrono::Duration::from_std(d).map_err(|_| MembershipError::BadDuration {
                text: text.to_string(),
            })?,
        )),
        _ => Err(MembershipError::BadDuration {
            text: text.to_string(),
        }),
    }
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "grant",
        "revoke",
        "extend",
        "status",
        "list",
        "export",
        "buy",
        "unmatched"
    ),
    subcommand_required,
    custom_data = "Level::Member"
)]
async fn membership(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Who acts, as the by-hand operations need them.
async fn staff(
    ctx: Context<'_>,
    inv: &crate::discord::invocation::Invocation,
) -> Result<by_hand::Staff, Error> {
    Ok(by_hand::Staff {
        id: ctx.author().id,
        is_owner: inv.level(ctx).await? == Level::Owner,
    })
}

/// "Granted" or "extended": until when the member now has the product.
async fn granted_reply(
    ctx: Context<'_>,
    inv: &crate::discord::invocation::Invocation,
    extended: bool,
    member: serenity::UserId,
    product: &Product,
    paid_until: Option<DateTime<Utc>>,
) -> Result<(), Error> {
    let locale = inv.locale(ctx);
    let (member, product) = (format!("<@{member}>"), product.name.get(locale).to_string());
    let key = match (extended, paid_until.is_some()) {
        (true, true) => "membership-extended",
        (true, false) => "membership-extended-lifetime",
        (false, true) => "membership-granted",
        (false, false) => "membership-granted-lifetime",
    };
    let until = render::when(paid_until, locale);
    let text = t!(
        locale,
        key,
        member = member,
        product = product,
        until = until
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Give a member a product (a membership tier or a course)
#[poise::command(slash_command, custom_data = "Level::Admin")]
async fn grant(
    ctx: Context<'_>,
    member: serenity::User,
    #[max_length = 40] product: String,
    #[max_length = 20] duration: Option<String>,
    #[max_length = 200] note: Option<String>,
    #[min = 0.0]
    #[max = 1000000.0]
    paid: Option<f64>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let config = &inv.config;
    let product = self::product(config, &product)?;
    let length = match duration.as_deref() {
        Some(text) => Some(by_hand::Typed {
            text,
            length: length(text)?,
        }),
        None => None,
    };
    let staff = staff(ctx, &inv).await?;
    let manual = by_hand::Manual {
        length,
        note: note.as_deref(),
        paid: paid.map(minor_units),
    };
    let granted = by_hand::grant(ctx.data(), config, staff, member.id, product, &manual).await?;
    granted_reply(ctx, &inv, false, member.id, product, granted.paid_until).await
}

/// An amount staff typed in major units (19.9) in the minor unit (1990).
fn minor_units(major: f64) -> i64 {
    (major * 100.0).round() as i64
}

/// End a member's product now (the role is removed)
#[poise::command(slash_command, custom_data = "Level::Admin")]
async fn revoke(
    ctx: Context<'_>,
    member: serenity::User,
    #[max_length = 40] product: String,
    #[max_length = 200] reason: String,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let config = &inv.config;
    let product = self::product(config, &product)?;
    let staff = staff(ctx, &inv).await?;
    by_hand::revoke(ctx.data(), config, staff, member.id, product, &reason).await?;
    let locale = inv.locale(ctx);
    let text = t!(
        locale,
        "membership-revoked",
        member = format!("<@{}>", member.id),
        product = product.name.get(locale).to_string()
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Extend a member's product from the later of now and its current end
#[poise::command(slash_command, custom_data = "Level::Admin")]
async fn extend(
    ctx: Context<'_>,
    member: serenity::User,
    #[max_length = 40] product: String,
    #[max_length = 20] duration: String,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let config = &inv.config;
    let product = self::product(config, &product)?;
    let length = match length(&duration)? {
        Length::Span(d) => Length::Span(d),
        _ => {
            return Err(MembershipError::BadDuration { text: duration }.into());
        }
    };
    let staff = staff(ctx, &inv).await?;
    let typed = by_hand::Typed {
        text: &duration,
        length,
    };
    let granted = by_hand::extend(ctx.data(), config, staff, member.id, product, typed).await?;
    granted_reply(ctx, &inv, true, member.id, product, granted.paid_until).await
}

/// Your products and when they end (admins: any member's)
#[poise::command(slash_command, custom_data = "Level::Member")]
async fn status(ctx: Context<'_>, member: Option<serenity::User>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let who = member.as_ref().map_or(ctx.author().id, |m| m.id);
    if who != ctx.author().id && inv.level(ctx).await? < Level::Admin {
        return Err(MembershipError::OthersMembership.into());
    }
    let now = ctx.data().clock.now();
    let mut conn = ctx.data().db.read.acquire().await?;
    let grants = crate::grants::store::open(&mut conn, who.get(), None, false, now).await?;
    let text = render::status(&inv.config, &grants, who, now, locale);
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Members holding products, optionally one product or those ending soon
#[poise::command(slash_command, custom_data = "Level::Admin")]
async fn list(
    ctx: Context<'_>,
    #[max_length = 40] product: Option<String>,
    #[max_length = 20] expiring_within: Option<String>,
    #[min = 1] page: Option<u32>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let config = &inv.config;
    let product = product
        .as_deref()
        .map(|p| self::product(config, p))
        .transpose()?;
    let now = ctx.data().clock.now();
    let before = match expiring_within.as_deref() {
        None => None,
        Some(text) => match length(text)? {
            Length::Span(d) => Some(to_millis(now + d)),
            _ => {
                return Err(MembershipError::BadDuration {
                    text: text.to_string(),
                }
                .into())
            }
        },
    };
    let mut conn = ctx.data().db.read.acquire().await?;
    let rows =
        crate::grants::store::list(&mut conn, product.map(|p| p.id.as_str()), before, now).await?;
    let lines = render::list_lines(&rows, locale);
    let header = t!(locale, "membership-list-header", count = lines.len() as i64);
    reply::ephemeral(
        ctx,
        paginate(&header, &lines, page.unwrap_or(1) as usize, locale),
    )
    .await?;
    Ok(())
}

/// Every open grant as a CSV file
#[poise::command(slash_command, custom_data = "Level::Admin")]
async fn export(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let now = ctx.data().clock.now();
    let mut conn = ctx.data().db.read.acquire().await?;
    let rows = crate::grants::store::list(&mut conn, None, None, now).await?;
    let csv = render::export_csv(&rows)?;
    let text = t!(locale, "membership-exported", count = rows.len() as i64);
    ctx.send(
        poise::CreateReply::default()
            .content(text)
            .ephemeral(true)
            .attachment(serenity::CreateAttachment::bytes(csv, "memberships.csv")),
    )
    .await?;
    Ok(())
}

/// Stripe payments not matched to a member, and payments kept until their checkout arrives
#[poise::command(slash_command, custom_data = "Level::Admin")]
async fn unmatched(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let text = render::unmatched(&ctx.data().db, locale).await?;
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// How to buy a product: your personal checkout link
#[poise::command(slash_command, custom_data = "Level::Member")]
async fn buy(
    ctx: Context<'_>,
    #[max_length = 40] product: String,
    #[max_length = 20] referral: Option<String>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let product = self::product(&inv.config, &product)?;
    let link = product
        .payment_link
        .as_deref()
        .ok_or_else(|| MembershipError::NoPaymentLink {
            product: product.id.clone(),
        })?;
    // Stripe hands `client_reference_id` back in `checkout.session.completed`: that is how the
    // payment finds this member.
    let mut text = String::new();
    let mut code = None;
    if let Some(typed) = referral.as_deref() {
        // Recorded now (a refusal is shown and nothing changes), and carried in the link.
        let (referrer, canonical) =
            super::referrals::claim_now(ctx.data(), &inv.config, ctx.author().id, typed).await?;
        code = Some(canonical);
        text = t!(locale, "refer-recorded", member = format!("<@{referrer}>")) + "\n";
    }
    let url = super::rules::checkout_url(link, ctx.author().id.get(), code.as_deref());
    text.push_str(&t!(
        locale,
        "membership-buy",
        product = product.name.get(locale).to_string(),
        url = url
    ));
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands("code_create", "code_list", "code_revoke"),
    subcommand_required,
    custom_data = "Level::Admin"
)]
async fn code(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// The most codes one `/code create` makes.
const MAX_CODES: i64 = 1_000;

/// Make redeem codes for a product (shown once, as a CSV file)
#[poise::command(slash_command, rename = "create", custom_data = "Level::Admin")]
async fn code_create(
    ctx: Context<'_>,
    #[max_length = 40] product: String,
    count: i64,
    #[max_length = 20] duration: Option<String>,
    #[max_length = 20] expires_at: Option<String>,
    #[min = 1]
    #[max = 10000]
    max_uses: Option<i64>,
    #[min = 0.0]
    #[max = 1000000.0]
    price: Option<f64>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let config = &inv.config;
    let product = self::product(config, &product)?;
    if !(1..=MAX_CODES).contains(&count) {
        return Err(MembershipError::BadCount { max: MAX_CODES }.into());
    }
    let duration_s = match duration.as_deref().map(length).transpose()? {
        None | Some(Length::Lifetime) | Some(Length::Product) | Some(Length::Until(_)) => None,
        Some(Length::Span(d)) => Some(d.num_seconds()),
    };
    let now = ctx.data().clock.now();
    let expires = expires_at
        .as_deref()
        .map(|text| render::parse_date(text, config.community.timezone, now))
        .transpose()?;
    let new = codes::NewBatch {
        product,
        count,
        duration_s,
        max_uses: max_uses.unwrap_or(1),
        expires_at: expires,
        price_minor: price.map(minor_units),
    };
    let (batch, codes) = codes::create(ctx.data(), config, ctx.author().id, &new).await?;
    let csv = render::codes_csv(&codes, &product.id, expires)?;
    let text = t!(
        locale,
        "code-created",
        count = count,
        product = product.name.get(locale).to_string(),
        batch = batch
    );
    ctx.send(
        poise::CreateReply::default()
            .content(text)
            .ephemeral(true)
            .attachment(serenity::CreateAttachment::bytes(
                csv,
                format!("codes-{}-batch{batch}.csv", product.id),
            )),
    )
    .await?;
    Ok(())
}

/// Redeem codes by status, per product
#[poise::command(slash_command, rename = "list", custom_data = "Level::Admin")]
async fn code_list(
    ctx: Context<'_>,
    #[max_length = 40] product: Option<String>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let product = product
        .as_deref()
        .map(|p| self::product(&inv.config, p))
        .transpose()?;
    let now = ctx.data().clock.now();
    let mut conn = ctx.data().db.read.acquire().await?;
    let rows = store::code_counts(&mut conn, product.map(|p| p.id.as_str()), now).await?;
    let lines: Vec<String> = rows
        .iter()
        .map(|(product, live, used, expired, revoked)| {
            t!(
                locale,
                "code-list-line",
                product = product.clone(),
                live = *live,
                used = *used,
                expired = *expired,
                revoked = *revoked
            )
        })
        .collect();
    let header = t!(locale, "code-list-header", count = lines.len() as i64);
    reply::ephemeral(ctx, paginate(&header, &lines, 1, locale)).await?;
    Ok(())
}

/// Revoke one code, or a whole batch
#[poise::command(slash_command, rename = "revoke", custom_data = "Level::Admin")]
async fn code_revoke(
    ctx: Context<'_>,
    #[max_length = 40] code: Option<String>,
    #[min = 1] batch: Option<i64>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let hash = code
        .as_deref()
        .and_then(super::rules::normalize)
        .map(|c| super::rules::hash(&c));
    if hash.is_none() && batch.is_none() {
        return Err(MembershipError::NothingToRevoke.into());
    }
    let author = ctx.author().id;
    let revoked = codes::revoke(ctx.data(), &inv.config, author, hash.as_deref(), batch).await?;
    let text = t!(locale, "code-revoked", count = revoked as i64);
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Redeem a code for a membership or course
#[poise::command(slash_command, guild_only, custom_data = "Level::Member")]
async fn redeem(ctx: Context<'_>, #[max_length = 40] code: String) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let redeemed = codes::redeem(ctx.data(), &inv.config, ctx.author().id, &code).await?;
    let product = inv
        .config
        .product(&redeemed.product)
        .map_or(redeemed.product.clone(), |p| p.name.get(locale).to_string());
    let text = match redeemed.paid_until {
        Some(at) => t!(
            locale,
            "code-redeemed",
            product = product,
            until = render::when(Some(at), locale)
        ),
        None => t!(locale, "code-redeemed-lifetime", product = product),
    };
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands("revenue_show", "revenue_add"),
    subcommand_required,
    custom_data = "Level::Admin"
)]
async fn revenue(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Income by product and source, and paid members: new, renewed, churned
#[poise::command(slash_command, rename = "show", custom_data = "Level::Admin")]
async fn revenue_show(
    ctx: Context<'_>,
    #[max_length = 20] period: Option<String>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let now = ctx.data().clock.now();
    let text = render::revenue(&ctx.data().db, &inv.config, period.as_deref(), now, locale).await?;
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Record income from elsewhere: ads, sponsorships, revenue share
#[poise::command(slash_command, rename = "add", custom_data = "Level::Admin")]
async fn revenue_add(
    ctx: Context<'_>,
    amount: f64,
    #[max_length = 3] currency: String,
    #[max_length = 40] source: String,
    #[max_length = 200] note: Option<String>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let currency = currency.trim().to_uppercase();
    if !amount.is_finite()
        || amount <= 0.0
        || amount > 100_000_000.0
        || currency.len() != 3
        || !currency.chars().all(|c| c.is_ascii_alphabetic())
    {
        return Err(MembershipError::BadAmount.into());
    }
    let minor = (amount * 100.0).round() as i64;
    let income = codes::Income {
        amount_minor: minor,
        currency: &currency,
        source: source.trim(),
        note: note.as_deref(),
    };
    codes::add_income(ctx.data(), &inv.config, ctx.author().id, &income).await?;
    let text = t!(
        locale,
        "revenue-added",
        amount = render::money(minor, &currency),
        source = source.trim().to_string()
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}
