//! `GET /products/{id}`: one product's page, the link a creator shares — its name, price and
//! length, what it opens (its channels, by the names Discord shows), the creator's description
//! and questions with answers in the reader's language, how many members hold it (when the
//! creator allows), and the way to get it: Buy, or for a member who holds it already, until
//! when and a link to renew. Never a slash command to a visitor.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use maud::html;

use super::page::{self, shared_shell, Share};
use super::pages::{html_page, seen, unavailable, HomeQuery};
use super::Web;
use crate::config::{Config, Product};
use crate::features::membership::{rules, MembershipError};
use crate::i18n::{money, Locale};
use crate::t;

pub async fn show(
    State(web): State<Web>,
    jar: CookieJar,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HomeQuery>,
) -> Response {
    let s = seen(&web, &jar, &headers).await;
    let (config, l) = (&s.config, s.locale);
    let Some(product) = config.product(&id) else {
        let error = MembershipError::UnknownProduct {
            product: id.chars().take(64).collect(),
            suggestion: None,
        };
        return page::error_page(config, l, &s.viewer, error.into(), true);
    };
    let now = web.app.clock.now();
    let mut conn = match web.app.db.read.acquire().await {
        Ok(conn) => conn,
        Err(e) => return unavailable(e),
    };
    let held_until = match s.viewer.member() {
        Some(member) => crate::grants::store::open(&mut conn, member, Some(&id), false, now)
            .await
            .ok()
            .and_then(|grants| grants.into_iter().map(|g| g.paid_until).max()),
        None => None,
    };
    let holders = match product.page.show_member_count {
        true => crate::grants::store::holders_of(&mut conn, &id, now)
            .await
            .ok(),
        false => None,
    };
    let referral = q.referral.as_deref().and_then(rules::normalize_referral);
    let get_it = get_it(config, l, product, s.viewer.member(), held_until, referral);
    let channels = channel_names(&web, config, product);
    let body = html! {
        div.card {
            h1 { (product.name.get(l)) }
            p { strong { (money(product.price_minor, &product.currency)) } " / " (length(l, product)) }
            @if let Some(text) = &product.page.description { p { (text.get(l)) } }
            @if !channels.is_empty() {
                p { (t!(l, "web-product-opens")) " " (channels.join(" · ")) }
            }
            @if let Some(n) = holders { p.muted { (t!(l, "web-product-holders", count = n)) } }
            (get_it)
        }
        @if !product.page.faq.is_empty() {
            div.card {
                h2 { (t!(l, "web-product-faq")) }
                @for (q, a) in &product.page.faq {
                    p { strong { (q.get(l)) } br; (a.get(l)) }
                }
            }
        }
    };
    let price = format!(
        "{} / {}",
        money(product.price_minor, &product.currency),
        length(l, product)
    );
    let share = Share {
        description: product
            .page
            .description
            .as_ref()
            .map_or_else(|| price.clone(), |d| format!("{price} — {}", d.get(l))),
        url: format!("{}/products/{}", web.discord.base_url, product.id),
    };
    let title = product.name.get(l);
    html_page(shared_shell(
        config,
        l,
        &s.viewer,
        title,
        body,
        Some(&share),
    ))
}

/// "30 days" or "lifetime".
fn length(l: Locale, product: &Product) -> String {
    match product.duration {
        None => t!(l, "membership-lifetime"),
        Some(d) => t!(l, "about-days", days = (d.as_secs() / 86_400) as i64),
    }
}

/// The product's channels by the names Discord shows (from the gateway's cache).
fn channel_names(web: &Web, config: &Config, product: &Product) -> Vec<String> {
    let Some(guild) = web
        .discord
        .cache
        .as_ref()
        .and_then(|c| c.guild(config.discord.guild_id))
    else {
        return Vec::new();
    };
    product
        .channels
        .iter()
        .filter_map(|id| guild.channels.get(id).map(|c| format!("#{}", c.name)))
        .collect()
}

/// How to get it: a member holding it sees until when (and renews); anyone else Buys (after
/// logging in); without a Payment Link, a sentence, never a command.
fn get_it(
    config: &Config,
    l: Locale,
    product: &Product,
    member: Option<u64>,
    held_until: Option<Option<i64>>,
    referral: Option<String>,
) -> maud::Markup {
    let link = product.payment_link.as_ref();
    let next = format!("/products/{}", product.id);
    html! {
        @match (held_until, member, link) {
            (Some(None), _, _) => { p { strong { (t!(l, "web-product-yours-for-life")) } } }
            (Some(Some(until)), Some(member), link) => {
                p { strong { (t!(l, "web-product-yours-until", when = local(config, until))) } }
                @if let Some(link) = link {
                    a.button href=(rules::checkout_url(link, member, None)) { (t!(l, "web-renew")) }
                }
            }
            (_, Some(member), Some(link)) => {
                a.button href=(rules::checkout_url(link, member, referral.as_deref())) { (t!(l, "web-buy")) }
            }
            (_, None, Some(_)) => {
                a.button href={ "/login?next=" (urlencoding(&next)) } { (t!(l, "web-login-to-buy")) }
            }
            (_, _, None) => { p.muted { (t!(l, "web-product-ask")) } }
        }
    }
}

fn local(config: &Config, ms: i64) -> String {
    crate::clock::from_millis(ms)
        .with_timezone(&config.community.timezone)
        .format("%Y-%m-%d")
        .to_string()
}

fn urlencoding(path: &str) -> String {
    url::form_urlencoded::byte_serialize(path.as_bytes()).collect()
}
