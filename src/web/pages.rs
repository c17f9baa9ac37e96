//! The pages: the community page, the leaderboard, the member's own page and export, and the
//! staff dashboard. Each reads through the features' stores and renders with maud; none
//! writes (RSVP and staff actions go through the features' operations).

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use maud::html;
use serde::Deserialize;

use super::login::{viewer, Viewer};
use super::names::Names;
use super::page::{self, bold, shell};
use super::{store, Web};
use crate::access::Level;
use crate::clock::{from_millis, to_millis};
use crate::config::{Config, LeaderboardVisibility};
use crate::features::{points, schedule, stats};
use crate::i18n::{money, Locale};
use crate::t;

/// What every page handler starts from.
pub(super) struct Seen {
    pub(super) config: std::sync::Arc<Config>,
    pub(super) viewer: Viewer,
    pub(super) locale: Locale,
}

pub(super) async fn seen(web: &Web, jar: &CookieJar, headers: &HeaderMap) -> Seen {
    let config = web.app.config.snapshot();
    let viewer = viewer(web, jar).await;
    let locale = page::locale(&config, &viewer, jar, headers);
    Seen {
        config,
        viewer,
        locale,
    }
}

pub(super) use super::page::{html_page, html_response};

fn local(config: &Config, ms: i64) -> String {
    from_millis(ms)
        .with_timezone(&config.community.timezone)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub(super) fn unavailable(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "web page failed");
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}

/// `GET /lyceum.css`.
pub async fn stylesheet() -> Response {
    (
        [
            ("content-type", "text/css; charset=utf-8"),
            ("cache-control", "max-age=3600"),
        ],
        page::STYLESHEET,
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct LangQuery {
    to: String,
}

/// `GET /lang?to=zh-CN`: the language switch (a cookie, a year).
pub async fn switch_language(
    State(web): State<Web>,
    jar: CookieJar,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let Some(locale) = Locale::from_config(&q.to) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    // A logged-in member chose a language: their messages from the bot follow it too.
    if let Some(member) = viewer(&web, &jar).await.member() {
        crate::member_locale::note(&web.app, serenity::all::UserId::new(member), Some(locale));
    }
    let back = headers
        .get("referer")
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .and_then(|u| super::redirect::same_site_path(u.path()))
        .unwrap_or_else(|| "/".into());
    let cookie = Cookie::build((page::LANG_COOKIE, locale.tag().to_string()))
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(time::Duration::days(365))
        .build();
    (jar.add(cookie), Redirect::to(&back)).into_response()
}

/// `GET /`: what `/about` says, the products with their prices and buy links, what is coming.
#[derive(Deserialize)]
pub struct HomeQuery {
    /// A referral code (`/?ref=<code>`, the link `/refer code` gives): the buy links carry it.
    #[serde(rename = "ref")]
    pub(super) referral: Option<String>,
}

pub async fn home(
    State(web): State<Web>,
    jar: CookieJar,
    headers: HeaderMap,
    Query(q): Query<HomeQuery>,
) -> Response {
    let s = seen(&web, &jar, &headers).await;
    let (config, l) = (&s.config, s.locale);
    let referral = q
        .referral
        .as_deref()
        .and_then(crate::features::membership::rules::normalize_referral);
    // A buy link names the buyer (else Stripe's payment finds nobody): members get their own,
    // visitors log in first and come back here (with the referral).
    let login_to_buy = match &referral {
        Some(code) => format!("/login?next=/%3Fref%3D{code}"),
        None => "/login?next=/".to_string(),
    };
    let buyer = s.viewer.member();
    let p = &config.community.positioning;
    let events = match schedule::store::list(&web.app.db, 20).await {
        Ok(events) => events,
        Err(e) => return unavailable(e),
    };
    let public = web.app.public_channels.get();
    let visible: Vec<_> = events
        .iter()
        .filter(|e| {
            public
                .as_ref()
                .is_some_and(|p| p.contains(&(e.channel_id as u64)))
        })
        .take(5)
        .collect();
    let body = html! {
        div.card {
            h1 { (config.community.name.get(l)) }
            @if let Some(tagline) = &p.tagline { p.muted { (tagline.get(l)) } }
            @if let Some(value) = &p.value { h2 { (t!(l, "about-value")) } p { (value.get(l)) } }
            @if let Some(audience) = &p.audience { h2 { (t!(l, "about-audience")) } p { (audience.get(l)) } }
            @if !p.differentiators.is_empty() {
                h2 { (t!(l, "about-different")) }
                ul { @for d in &p.differentiators { li { (d.get(l)) } } }
            }
            @if let Some(rhythm) = crate::features::community::render::rhythm(config, l) {
                h2 { (t!(l, "about-rhythm")) } p { (rhythm) }
            }
            @if !p.links.is_empty() {
                p { @for (label, url) in &p.links { a href=(url) { (label.get(l)) } " " } }
            }
        }
        (products_card(config, l, buyer, referral.as_deref(), &login_to_buy))
        div.card {
            h2 { (t!(l, "web-events-next")) }
            @if visible.is_empty() { p.muted { (t!(l, "web-no-events")) } }
            ul.plain {
                @for e in &visible {
                    li { strong { (e.title_in(l)) } " — " (local(config, e.next_at.unwrap_or(0))) }
                }
            }
        }
    };
    let title = config.community.name.get(l).to_string();
    let base = &web.discord.base_url;
    let share = page::Share {
        description: p
            .tagline
            .as_ref()
            .map_or_else(|| title.clone(), |t| t.get(l).to_string()),
        url: format!("{base}/"),
    };
    html_page(page::shared_shell(
        config,
        l,
        &s.viewer,
        &title,
        body,
        Some(&share),
    ))
}

/// The community page's products: each links its own page, with the price and a Buy (or log
/// in to buy) where it has a Payment Link.
fn products_card(
    config: &Config,
    l: Locale,
    buyer: Option<u64>,
    referral: Option<&str>,
    login_to_buy: &str,
) -> maud::Markup {
    html! {
    @if !config.products.is_empty() {
        div.card {
            h2 { (t!(l, "about-products")) }
            ul.plain {
                @for product in &config.products {
                    li {
                        a href={ "/products/" (product.id) } { strong { (product.name.get(l)) } } " — " (money(product.price_minor, &product.currency))
                        " / "
                        @match product.duration {
                            None => { (t!(l, "membership-lifetime")) }
                            Some(d) => { (t!(l, "about-days", days = (d.as_secs() / 86_400) as i64)) }
                        }
                        " "
                        @if let (Some(link), Some(member)) = (&product.payment_link, buyer) {
                            a.button href=(crate::features::membership::rules::checkout_url(link, member, referral)) { (t!(l, "web-buy")) }
                        } @else if product.payment_link.is_some() {
                            a.button href=(login_to_buy) { (t!(l, "web-login-to-buy")) }
                        } @else {
                            a href={ "/products/" (product.id) } { (t!(l, "web-product-how")) }
                        }
                    }
                }
            }
        }
    }
    }
}

#[derive(Deserialize)]
pub struct BoardQuery {
    period: Option<String>,
    page: Option<u32>,
}

/// Rows per leaderboard page.
pub const BOARD_PAGE: i64 = 50;

/// `GET /leaderboard?period=week|month|all&page=N`, as `[web] leaderboard` allows.
pub async fn leaderboard(
    State(web): State<Web>,
    jar: CookieJar,
    headers: HeaderMap,
    Query(q): Query<BoardQuery>,
) -> Response {
    let s = seen(&web, &jar, &headers).await;
    let (config, l) = (&s.config, s.locale);
    let title = t!(l, "web-leaderboard-title");
    match config.web.leaderboard {
        LeaderboardVisibility::Off => return StatusCode::NOT_FOUND.into_response(),
        LeaderboardVisibility::Members if s.viewer.member().is_none() => {
            let text = t!(l, "web-members-only");
            return html_response(
                StatusCode::FORBIDDEN,
                page::notice(config, l, &s.viewer, &title, &text),
            );
        }
        _ => {}
    }
    let period = match q.period.as_deref() {
        Some("week") => "week",
        Some("month") => "month",
        _ => "all",
    };
    let page_no = q.page.unwrap_or(1).max(1);
    let now = web.app.clock.now();
    let since = match period {
        "week" => Some(to_millis(now - chrono::Duration::days(7))),
        "month" => Some(to_millis(now - chrono::Duration::days(30))),
        _ => None,
    };
    let offset = i64::from(page_no - 1) * BOARD_PAGE;
    let rows = match since {
        // All time reads the lifetime index: a page costs what it shows.
        None => points::store::leaderboard_page(&web.app.db, None, BOARD_PAGE + 1, offset).await,
        Some(since) => web
            .discord
            .ranking(&web.app.db, period, since)
            .await
            .map(|ranked| {
                ranked
                    .iter()
                    .skip(offset as usize)
                    .take(BOARD_PAGE as usize + 1)
                    .copied()
                    .collect()
            }),
    };
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => return unavailable(e),
    };
    let more = rows.len() as i64 > BOARD_PAGE;
    let rows: Vec<(i64, i64)> = rows.into_iter().take(BOARD_PAGE as usize).collect();
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let names = Names::of(&web, &ids).await;
    let lifetimes = points::store::lifetimes(&web.app.db, &ids)
        .await
        .unwrap_or_default();
    let tab = |p: &str, label: String| {
        html! { a class=@if p == period { "on" } href={ "/leaderboard?period=" (p) } { (label) } }
    };
    let body = html! {
        div.card {
            h1 { (title) }
            p.tabs {
                (tab("week", t!(l, "web-period-week")))
                (tab("month", t!(l, "web-period-month")))
                (tab("all", t!(l, "web-period-all")))
            }
            @if rows.is_empty() { p.muted { (t!(l, "web-leaderboard-empty")) } }
            @else {
                div.table { table {
                    thead { tr { th { "#" } th { (t!(l, "web-member")) } th { (t!(l, "web-level")) } th { (t!(l, "web-points")) } } }
                    tbody {
                        @for (i, (member, points)) in rows.iter().enumerate() {
                            @let level = points::rules::level_of(lifetimes.get(member).copied().unwrap_or(0)).0;
                            tr {
                                td { (offset + i as i64 + 1) }
                                td.wrap { (names.cell(*member, l, true)) }
                                td { (level) }
                                td { (points) }
                            }
                        }
                    }
                } }
            }
            p {
                @if page_no > 1 { a href={ "/leaderboard?period=" (period) "&page=" (page_no - 1) } { (t!(l, "web-prev")) } " " }
                @if more { a href={ "/leaderboard?period=" (period) "&page=" (page_no + 1) } { (t!(l, "web-next")) } }
            }
        }
    };
    html_page(shell(config, l, &s.viewer, &title, body))
}

/// A page for logged-in members: the member's id, or the response to send instead.
fn member_or_login(s: &Seen, next: &str) -> Result<u64, Box<Response>> {
    match &s.viewer {
        Viewer::Anonymous => Err(Box::new(
            Redirect::to(&format!("/login?next={next}")).into_response(),
        )),
        Viewer::Member {
            in_guild: false, ..
        } => {
            let title = t!(s.locale, "web-not-member-title");
            let text = t!(s.locale, "web-not-member");
            Err(Box::new(html_response(
                StatusCode::FORBIDDEN,
                page::notice(&s.config, s.locale, &s.viewer, &title, &text),
            )))
        }
        Viewer::Member { id, .. } => Ok(*id),
    }
}

/// `GET /me`: balance, level and progress, streak, history, memberships with their ends.
pub async fn me(State(web): State<Web>, jar: CookieJar, headers: HeaderMap) -> Response {
    let s = seen(&web, &jar, &headers).await;
    let member = match member_or_login(&s, "/me") {
        Ok(member) => member,
        Err(response) => return *response,
    };
    let (config, l) = (&s.config, s.locale);
    let now = web.app.clock.now();
    let user = serenity::all::UserId::new(member);
    points::engine(&web.app).flush().await;
    let row = match points::store::member_read(&web.app.db, user).await {
        Ok(row) => row,
        Err(e) => return unavailable(e),
    };
    let history = points::store::history(&web.app.db, user, 20)
        .await
        .unwrap_or_default();
    let grants = {
        let Ok(mut conn) = web.app.db.read.acquire().await else {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        };
        crate::grants::store::open(&mut conn, member, None, false, now)
            .await
            .unwrap_or_default()
    };
    let calendar_made = store::calendar_made(&web.app.db, member)
        .await
        .unwrap_or(None);
    let rsvps = schedule::store::rsvps_of(&web.app.db, member, to_millis(now), 10)
        .await
        .unwrap_or_default();
    let mut answered = Vec::new();
    if let Ok(mut conn) = web.app.db.read.acquire().await {
        for (event, occurrence, answer) in rsvps {
            if let Ok(Some(row)) = schedule::store::get(&mut conn, event).await {
                answered.push((row, occurrence, answer));
            }
        }
    }
    let undelivered = crate::outbox::store::undelivered_dms(&web.app.db, member, 10)
        .await
        .unwrap_or_default();
    let questions = crate::features::qa::store::of_member(&web.app.db, member, 10)
        .await
        .unwrap_or_default();
    let (level, into, span) = points::rules::level_of(row.lifetime);
    let percent = if span > 0 { into * 100 / span } else { 0 };
    let mut ids = vec![member as i64];
    let texts: Vec<String> = undelivered.iter().map(|(_, b)| b.plain_text()).collect();
    ids.extend(Names::mentioned(texts.iter().map(String::as_str)));
    let names = Names::of(&web, &ids).await;
    let undelivered: Vec<(i64, String)> = undelivered
        .iter()
        .zip(&texts)
        .map(|((at, _), text)| (*at, names.words(&web, text, l)))
        .collect();
    let body = html! {
        div.card {
            h1 { (names.cell(member as i64, l, false)) }
            p { (bold(&t!(l, "web-balance", balance = row.balance))) }
            p { (t!(l, "web-level-progress", level = level as i64, into = into, span = span, next = level as i64 + 1)) }
            div.bar-progress { span style={ "width:" (percent) "%" } {} }
            p { (t!(l, "web-streak", days = row.streak)) }
        }
        (memberships_card(config, l, member, &grants))
        @if !undelivered.is_empty() { (undelivered_card(config, l, &undelivered)) }
        (rsvps_card(config, l, &answered))
        (questions_card(l, &questions))
        (history_card(config, l, &history))
        (calendar_card(l, s.viewer.csrf(), calendar_made.is_some()))
    };
    let title = t!(l, "web-nav-me");
    html_page(shell(config, l, &s.viewer, &title, body))
}

/// What the member holds, until when, from where, with a renew link for paid time.
fn memberships_card(
    config: &Config,
    l: Locale,
    member: u64,
    grants: &[crate::grants::store::ProductGrant],
) -> maud::Markup {
    html! {
            div.card {
                h2 { (t!(l, "web-memberships")) }
                @if grants.is_empty() { p.muted { (t!(l, "web-no-memberships")) } }
                ul.plain {
                    @for g in grants {
                        @let product = config.product(&g.product);
                        li {
                            strong { (product.map_or(g.product.clone(), |p| p.name.get(l).to_string())) }
                            " — "
                            @match g.paid_until {
                                Some(until) => { (t!(l, "web-until", when = local(config, until))) }
                                None => { (t!(l, "membership-lifetime")) }
                            }
                            " · " (crate::features::membership::render::source_label(l, &g.source))
                            @if let Some(link) = product.and_then(|p| p.payment_link.as_ref()).filter(|_| g.paid_until.is_some()) {
                                " " a.button href=(crate::features::membership::rules::checkout_url(link, member, None)) { (t!(l, "web-renew")) }
                            }
                        }
                    }
                }
            }
    }
}

/// DMs Discord would not deliver (the member's DMs are closed), so nothing is lost.
fn undelivered_card(config: &Config, l: Locale, undelivered: &[(i64, String)]) -> maud::Markup {
    html! {
            div.card {
                h2 { (t!(l, "web-undelivered-title")) }
                p.muted { (t!(l, "web-undelivered-intro")) }
                ul.plain {
                    @for (at, text) in undelivered {
                        li {
                            span.muted { (local(config, *at)) } br;
                            @for line in text.lines() { (bold(line)) br; }
                        }
                    }
                }
            }

    }
}

/// The member's answers to coming events.
fn rsvps_card(
    config: &Config,
    l: Locale,
    answered: &[(schedule::store::EventRow, i64, schedule::Answer)],
) -> maud::Markup {
    html! {
            div.card {
                h2 { (t!(l, "web-my-rsvps")) }
                @if answered.is_empty() { p.muted { (t!(l, "web-no-rsvps")) } }
                ul.plain {
                    @for (row, occurrence, answer) in answered {
                        li {
                            a href={ "/events/" (row.id) } { (row.title_in(l)) } " — " (local(config, *occurrence)) " · "
                            (answer.label(l))
                        }
                    }
                }
            }
    }
}

/// The member's paid questions and where each stands.
fn questions_card(l: Locale, questions: &[crate::features::qa::store::Question]) -> maud::Markup {
    html! {
            div.card {
                h2 { (t!(l, "web-my-questions")) }
                @if questions.is_empty() { p.muted { (t!(l, "web-no-questions")) } }
                ul.plain {
                    @for q in questions {
                        li {
                            "#" (q.id) " " (q.question) " · " (q.price) " · "
                            strong { (q.status.label(l)) }
                            @if let Some(answer) = &q.answer { div.muted { (answer) } }
                        }
                    }
                }
            }
    }
}

/// The newest points changes, as words.
fn history_card(config: &Config, l: Locale, history: &[points::store::LedgerRow]) -> maud::Markup {
    html! {
            div.card {
                h2 { (t!(l, "web-history")) }
                div.table { table {
                    @for h in history {
                        tr {
                            td { (local(config, h.created_at)) }
                            td { @if h.delta > 0 { "+" } (h.delta) }
                            td.wrap { (points::kind::describe(h, config, l)) }
                        }
                    }
                } }
                p { a href="/me/export.json" { (t!(l, "web-export")) } }
            }
    }
}

/// The personal calendar link: make one, replace it, or turn it off.
fn calendar_card(l: Locale, csrf: Option<&str>, calendar_made: bool) -> maud::Markup {
    html! {
            div.card {
                h2 { (t!(l, "web-calendar")) }
                p { (t!(l, "web-calendar-about")) }
                @if let Some(csrf) = csrf {
                    form method="post" action="/me/calendar" {
                        input type="hidden" name="csrf" value=(csrf);
                        button type="submit" name="action" value="new" { (t!(l, "web-calendar-new")) }
                        @if calendar_made {
                            " " button type="submit" name="action" value="revoke" { (t!(l, "web-calendar-revoke")) }
                        }
                    }
                }
            }
    }
}

/// `GET /me/export.json`: everything Lyceum holds about the logged-in member, and nobody else.
pub async fn export(State(web): State<Web>, jar: CookieJar, headers: HeaderMap) -> Response {
    let s = seen(&web, &jar, &headers).await;
    let member = match &s.viewer {
        Viewer::Member { id, .. } => *id,
        Viewer::Anonymous => return StatusCode::UNAUTHORIZED.into_response(),
    };
    points::engine(&web.app).flush().await;
    let _ = stats::activity(&web.app).flush(&web.app.db).await;
    let mut tables = serde_json::Map::new();
    for (key, statement) in store::MEMBER_ROWS {
        match store::rows_about(&web.app.db, statement, member).await {
            Ok(rows) => {
                tables.insert(key.to_string(), rows.into());
            }
            Err(e) => return unavailable(e),
        }
    }
    let sessions = store::sessions_of(&web.app.db, member)
        .await
        .unwrap_or_default();
    let staff = store::staff_grants_of(&web.app.db, member)
        .await
        .unwrap_or_default();
    let calendar = store::calendar_made(&web.app.db, member)
        .await
        .unwrap_or(None);
    let body = serde_json::json!({
        "member_id": member.to_string(),
        "exported_at": web.app.clock.now().to_rfc3339(),
        "tables": tables,
        "web_sessions": sessions.iter().map(|(c, e)| serde_json::json!({"created_at": c, "expires_at": e})).collect::<Vec<_>>(),
        "calendar_link_made_at": calendar,
        "staff_levels": staff.iter().map(|(level, at)| serde_json::json!({"level": level, "granted_at": at})).collect::<Vec<_>>(),
    });
    (
        [(
            "content-disposition",
            "attachment; filename=\"lyceum-export.json\"",
        )],
        Json(body),
    )
        .into_response()
}

/// The viewer's staff level now, from the same sources as the bot's commands: the configured
/// and server owners, staff grants to them or their roles (roles read from Discord at each
/// request, so a removed role takes effect at once).
pub(super) async fn level_now(web: &Web, member: u64) -> anyhow::Result<Level> {
    let config = web.app.config.snapshot();
    let guild = config.discord.guild_id;
    let user = serenity::all::UserId::new(member);
    let owner = config.discord.owner_ids.contains(&user)
        || web.discord.guild_owner(guild).await? == Some(user);
    // The gateway keeps the member's roles current in the cache; Discord is asked (through the
    // shared rate limiter) only for a member the cache has not seen. Someone no longer in the server
    // (left, kicked, banned) has no staff level, whatever was granted to them.
    let roles = match web.discord.member_now(guild, user).await? {
        Some(found) => found.roles,
        None if owner => Vec::new(),
        None => return Ok(Level::Member),
    };
    let grants = crate::access::store::grants(&web.app.db, guild).await?;
    Ok(crate::access::effective_level(owner, user, &roles, &grants))
}

#[derive(Deserialize, Default)]
pub struct StaffQuery {
    /// Only this product.
    product: Option<String>,
    /// Only paid time ending within this many days.
    expiring: Option<u32>,
    /// Only members with no message for this many days.
    quiet: Option<u32>,
    page: Option<u32>,
}

/// The longest "ending within" or "quiet for" filter the staff page takes, in days.
const MAX_FILTER_DAYS: u32 = 3_650;

/// Rows per page of the staff member list.
pub const STAFF_PAGE: i64 = 100;

/// The viewer's staff level when it is moderator or up (checked on every request), else the
/// page to answer with: the login for a visitor, "forbidden" for a member.
async fn staff_or_refuse(web: &Web, s: &Seen, next: &str) -> Result<Level, Response> {
    let member = member_or_login(s, next).map_err(|response| *response)?;
    let (config, l) = (&s.config, s.locale);
    match level_now(web, member).await {
        Ok(level) if level >= Level::Moderator => Ok(level),
        Ok(_) => {
            let title = t!(l, "web-nav-staff");
            let text = t!(l, "web-forbidden");
            Err(html_response(
                StatusCode::FORBIDDEN,
                page::notice(config, l, &s.viewer, &title, &text),
            ))
        }
        Err(e) => Err(unavailable(e)),
    }
}

/// The staff page's member list: one page of members with access, by the query's filters.
struct MemberList {
    grants: Vec<crate::grants::store::ProductGrant>,
    /// Members matching the filters, on every page.
    total: i64,
    /// Paid members now, and comps apart (one definition: `stats::store::PAID_GRANT`).
    paid: i64,
    comps: i64,
    page_no: u32,
    more: bool,
}

impl MemberList {
    async fn read(web: &Web, config: &Config, q: &StaffQuery) -> anyhow::Result<MemberList> {
        let now = web.app.clock.now();
        let product = q.product.as_deref().filter(|p| config.product(p).is_some());
        let ending_by = q
            .expiring
            .map(|days| to_millis(now + chrono::Duration::days(i64::from(days))));
        let page_no = q.page.unwrap_or(1).max(1);
        let offset = i64::from(page_no - 1) * STAFF_PAGE;
        if q.quiet.is_some() {
            // Today's messages count as activity.
            let _ = stats::activity(&web.app).flush(&web.app.db).await;
        }
        let quiet_since = q.quiet.map(|days| {
            (now - chrono::Duration::days(i64::from(days)))
                .with_timezone(&config.community.timezone)
                .format("%Y-%m-%d")
                .to_string()
        });
        let mut conn = web.app.db.read.acquire().await?;
        let filter = crate::grants::store::Filter {
            product,
            ending_by,
            quiet_since: quiet_since.as_deref(),
        };
        let (grants, total) =
            crate::grants::store::list_page(&mut conn, filter, now, STAFF_PAGE, offset).await?;
        let (paid, comps) =
            stats::store::paid_and_comp_members_at(&mut conn, to_millis(now)).await?;
        let more = offset + (grants.len() as i64) < total;
        Ok(MemberList {
            grants,
            total,
            paid,
            comps,
            page_no,
            more,
        })
    }
}

/// The staff page's link to page `page` under the same filters.
fn staff_filters(q: &StaffQuery, config: &Config, page: u32) -> String {
    let mut query = format!("/staff?page={page}");
    if let Some(p) = q.product.as_deref().filter(|p| config.product(p).is_some()) {
        query.push_str(&format!("&product={p}"));
    }
    if let Some(days) = q.expiring {
        query.push_str(&format!("&expiring={days}"));
    }
    if let Some(days) = q.quiet {
        query.push_str(&format!("&quiet={days}"));
    }
    query
}

/// `GET /staff?product=&expiring=&quiet=&page=`: moderator and up, checked on every request.
pub async fn staff(
    State(web): State<Web>,
    jar: CookieJar,
    headers: HeaderMap,
    Query(mut q): Query<StaffQuery>,
) -> Response {
    // Ten years is every filter anyone means; more would overflow the calendar.
    q.expiring = q.expiring.map(|days| days.min(MAX_FILTER_DAYS));
    q.quiet = q.quiet.map(|days| days.min(MAX_FILTER_DAYS));
    let s = seen(&web, &jar, &headers).await;
    let level = match staff_or_refuse(&web, &s, "/staff").await {
        Ok(level) => level,
        Err(response) => return response,
    };
    let (config, l) = (&s.config, s.locale);
    let now = web.app.clock.now();
    let members = match MemberList::read(&web, config, &q).await {
        Ok(members) => members,
        Err(e) => return unavailable(e),
    };
    let problems = crate::outbox::store::problems(&web.app.db, 20, 0)
        .await
        .unwrap_or_default();
    let audit = crate::audit::list(&web.app.db, config.discord.guild_id, None, 20, 0)
        .await
        .unwrap_or_default();
    let described: Vec<String> = problems
        .iter()
        .map(|item| item.effect().map_or(item.kind.clone(), |e| e.describe()))
        .collect();
    let mut ids: Vec<i64> = members.grants.iter().map(|g| g.member_id).collect();
    ids.extend(audit.iter().map(|a| a.actor_id));
    ids.extend(audit.iter().filter_map(|a| a.target_id));
    ids.extend(Names::mentioned(described.iter().map(String::as_str)));
    let names = Names::of(&web, &ids).await;
    let counts = crate::outbox::store::counts(&web.app.db).await.ok();
    let revenue = revenue_by_month(&web, config, now).await;
    // The overview reads activity as last written (every 30 s), not flushed for each view: under
    // a flood that flush queued behind the points writer and tripled the page's p95 (bench).
    // The quiet filter above still flushes: a member who just spoke is not quiet.
    let overview = match web.app.db.read.acquire().await {
        Ok(mut conn) => stats::store::overview(&mut conn, config, now, 30)
            .await
            .ok(),
        Err(_) => None,
    };
    let feedback = match web.app.db.read.acquire().await {
        Ok(mut conn) => crate::features::feedback::store::list(&mut conn, None)
            .await
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let csrf = s.viewer.csrf().unwrap_or_default().to_string();
    let is_admin = level >= Level::Admin;
    let body = html! {
        div.card {
            h1 { (t!(l, "web-nav-staff")) }
            p.muted { (t!(l, "web-your-level", level = level.label(l))) }
            @if let Some(c) = counts {
                p { (t!(l, "web-outbox", pending = c.pending, failed = c.failed)) }
            }
        }
        (members_card(config, l, &q, &members, &names))
        (revenue_card(l, &revenue))
        div.card {
            h2 { (t!(l, "web-renewals-title")) }
            p { a href="/staff/renewals" { (t!(l, "web-renewals-open")) } }
        }
        (activity_card(l, overview.as_ref()))
        (feedback_card(l, &feedback, &csrf))
        (outbox_card(l, &problems, &described, is_admin, &csrf, |text| names.words(&web, text, l)))
        (audit_card(config, l, &audit, &names))
    };
    let title = t!(l, "web-nav-staff");
    html_page(shell(config, l, &s.viewer, &title, body))
}

/// Members with access: the paid count beside comps, the filters, one page of the list.
fn members_card(
    config: &Config,
    l: Locale,
    q: &StaffQuery,
    members: &MemberList,
    names: &Names,
) -> maud::Markup {
    let product = q.product.as_deref();
    html! {
        div.card {
            h2 { (t!(l, "web-members-with-access", count = members.total)) }
            p { (bold(&t!(l, "web-paid-and-comps", paid = members.paid, comps = members.comps))) }
            form method="get" action="/staff" {
                select name="product" {
                    option value="" { (t!(l, "web-all-products")) }
                    @for p in &config.products {
                        option value=(p.id) selected[product == Some(p.id.as_str())] { (p.name.get(l)) }
                    }
                }
                " "
                select name="expiring" {
                    option value="" { (t!(l, "web-any-end")) }
                    @for days in [7u32, 30] {
                        option value=(days) selected[q.expiring == Some(days)] { (t!(l, "web-ending-within", days = i64::from(days))) }
                    }
                }
                " "
                select name="quiet" {
                    option value="" { (t!(l, "web-any-activity")) }
                    @for days in [14u32, 30] {
                        option value=(days) selected[q.quiet == Some(days)] { (t!(l, "web-quiet-for", days = i64::from(days))) }
                    }
                }
                " " button type="submit" { (t!(l, "web-filter")) }
            }
            div.table { table {
                thead { tr { th { (t!(l, "web-member")) } th { (t!(l, "web-product")) } th { (t!(l, "web-ends")) } th { (t!(l, "web-source")) } } }
                tbody {
                    @for g in &members.grants {
                        tr {
                            td.wrap { (names.cell(g.member_id, l, false)) }
                            td { (config.product(&g.product).map_or(g.product.clone(), |p| p.name.get(l).to_string())) }
                            td { (g.paid_until.map_or_else(|| t!(l, "membership-lifetime"), |u| local(config, u))) }
                            td { (crate::features::membership::render::source_label(l, &g.source)) }
                        }
                    }
                }
            } }
            p {
                @if members.page_no > 1 { a href=(staff_filters(q, config, members.page_no - 1)) { (t!(l, "web-prev")) } " " }
                @if members.more { a href=(staff_filters(q, config, members.page_no + 1)) { (t!(l, "web-next")) } }
            }
        }
    }
}

/// Income by month and source, with its chart.
fn revenue_card(l: Locale, revenue: &[(String, String, String)]) -> maud::Markup {
    html! {
        div.card {
            h2 { (t!(l, "web-revenue-title")) }
            @if revenue.is_empty() { p.muted { (t!(l, "web-revenue-none")) } }
            @else {
                img src="/staff/charts/revenue.png" alt=(t!(l, "web-revenue-title")) style="max-width:100%";
                div.table { table {
                    thead { tr { th { (t!(l, "web-month")) } th { (t!(l, "web-source")) } th { (t!(l, "web-amount")) } } }
                    tbody {
                        @for (month, source, amount) in revenue {
                            tr { td { (month) } td { (crate::features::membership::render::source_label(l, source)) } td { (amount) } }
                        }
                    }
                } }
            }
        }
    }
}

/// Daily, weekly and monthly active members, with the activity and retention charts.
fn activity_card(l: Locale, overview: Option<&stats::store::Overview>) -> maud::Markup {
    html! {
        div.card {
            h2 { (t!(l, "web-stats-title")) }
            @if let Some(o) = overview {
                p { (bold(&t!(l, "stats-active", dau = format!("{:.1}", o.dau), wau = o.wau, mau = o.mau, stickiness = format!("{:.0}%", o.stickiness * 100.0)))) }
            }
            p.muted { (t!(l, "web-stats-lag", seconds = stats::activity::FLUSH_EVERY.num_seconds())) }
            img src="/staff/charts/activity.png" alt=(t!(l, "chart-activity-title", days = 30)) style="max-width:100%";
            img src="/staff/charts/retention.png" alt=(t!(l, "chart-retention-title")) style="max-width:100%";
        }
    }
}

/// The newest feedback, each with the statuses staff can move it to (the feature's own list).
fn feedback_card(
    l: Locale,
    feedback: &[crate::features::feedback::store::FeedbackRow],
    csrf: &str,
) -> maud::Markup {
    use crate::features::feedback::Status;
    html! {
        div.card {
            h2 { (t!(l, "web-feedback-title")) }
            @if feedback.is_empty() { p.muted { (t!(l, "web-feedback-none")) } }
            div.table { table {
                @for f in feedback.iter().take(50) {
                    tr {
                        td { "#" (f.id) }
                        td.wrap { (f.text) }
                        td { strong { (f.status.label(l)) } }
                        td {
                            form method="post" action={ "/staff/feedback/" (f.id) } {
                                input type="hidden" name="csrf" value=(csrf);
                                @for status in Status::ALL.iter().filter(|s| s.settable() && **s != f.status) {
                                    button type="submit" name="status" value=(status.as_str()) { (status.label(l)) } " "
                                }
                            }
                        }
                    }
                }
            } }
        }
    }
}

/// Discord deliveries waiting or failed; an admin can re-queue a failed one.
fn outbox_card(
    l: Locale,
    problems: &[crate::outbox::store::OutboxRow],
    described: &[String],
    is_admin: bool,
    csrf: &str,
    words: impl Fn(&str) -> String,
) -> maud::Markup {
    html! {
        div.card {
            h2 { (t!(l, "web-outbox-title")) }
            @if problems.is_empty() { p.muted { (t!(l, "web-outbox-clear")) } }
            @else {
                div.table { table {
                    @for (item, what) in problems.iter().zip(described) {
                        tr {
                            td { "#" (item.id) }
                            td.wrap { (words(what)) }
                            td { (item.status.label(l)) " · " (item.attempts) }
                            td.wrap { (item.last_error.clone().unwrap_or_default()) }
                            td {
                                @if is_admin && item.status == crate::outbox::Status::Failed {
                                    form method="post" action={ "/staff/outbox/" (item.id) "/retry" } {
                                        input type="hidden" name="csrf" value=(csrf);
                                        button type="submit" { (t!(l, "web-retry")) }
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }
    }
}

/// The newest audit rows: when, who, what, to whom, with what.
fn audit_card(
    config: &Config,
    l: Locale,
    audit: &[crate::audit::AuditRow],
    names: &Names,
) -> maud::Markup {
    html! {
        div.card {
            h2 { (t!(l, "web-audit-title")) }
            div.table { table {
                @for row in audit {
                    tr {
                        td { (local(config, row.created_at)) }
                        td { (names.name(row.actor_id, l)) }
                        td { strong { (row.action) } }
                        td { (row.target_id.map(|t| names.name(t, l)).unwrap_or_default()) }
                        td.wrap { (crate::features::admin::commands::arguments_as_words(&row.arguments)) }
                    }
                }
            } }
        }
    }
}

/// The last `count` local months up to `now`'s: (label `YYYY-MM`, first instant), oldest first.
fn local_months(
    now: chrono::DateTime<chrono::Utc>,
    tz: chrono_tz::Tz,
    count: i32,
) -> Vec<(String, i64)> {
    use chrono::Datelike;
    let today = now.with_timezone(&tz).date_naive();
    (0..count)
        .rev()
        .map(|back| {
            let index = today.year() * 12 + today.month0() as i32 - back;
            let (year, month) = (index / 12, index % 12 + 1);
            let first = chrono::NaiveDate::from_ymd_opt(year, month as u32, 1).expect("a month");
            let start = crate::recurrence::resolve(tz, first.and_time(chrono::NaiveTime::MIN));
            (format!("{year}-{month:02}"), to_millis(start))
        })
        .collect()
}

/// Income per month and source over the last 13 months, newest first.
async fn revenue_by_month(
    web: &Web,
    config: &Config,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<(String, String, String)> {
    let months = local_months(now, config.community.timezone, 13);
    let mut rows: Vec<_> = match web
        .discord
        .income_by_month(&web.app.db, &months, i64::MAX)
        .await
    {
        Ok(rows) => rows.as_ref().clone(),
        Err(_) => Vec::new(),
    };
    rows.sort();
    rows.into_iter()
        .rev()
        .map(|(month, source, currency, amount)| (month, source, money(amount, &currency)))
        .collect()
}

/// `GET /staff/renewals`: the renewal rate per product and per cohort, with its chart (the
/// same numbers as `/stats renewals`; a page of its own so the members page stays fast — it
/// reads every paid term).
pub async fn staff_renewals(
    State(web): State<Web>,
    jar: CookieJar,
    headers: HeaderMap,
) -> Response {
    let s = seen(&web, &jar, &headers).await;
    if let Err(response) = staff_or_refuse(&web, &s, "/staff/renewals").await {
        return response;
    }
    let (config, l) = (&s.config, s.locale);
    let now = web.app.clock.now();
    let renewals = match web.app.db.read.acquire().await {
        Ok(mut conn) => match stats::store::renewal_rates(&mut conn, config, now, 6).await {
            Ok(report) => Some(report),
            Err(e) => return unavailable(e),
        },
        Err(e) => return unavailable(e),
    };
    let body = html! {
        div.card {
            p { a href="/staff" { (t!(l, "web-nav-staff")) } }
            h2 { (t!(l, "web-renewals-title")) }
            @if let Some(r) = &renewals {
                @if r.products.is_empty() { p.muted { (t!(l, "stats-renewals-none")) } }
                @else {
                    @for p in &r.products {
                        p { (bold(&t!(l, "stats-renewals-product",
                            product = config.product(&p.key).map_or(p.key.clone(), |x| x.name.get(l).to_string()),
                            renewed = p.renewed, due = p.due,
                            rate = stats::percent(p.share())))) }
                    }
                    img src="/staff/charts/renewals.png" alt=(t!(l, "chart-renewals-title")) style="max-width:100%";
                    div.table { table {
                        thead { tr { th { (t!(l, "web-cohort")) } th { (t!(l, "web-renewed")) } th { (t!(l, "web-due")) } th { "%" } } }
                        tbody {
                            @for c in &r.cohorts {
                                tr { td { (c.key) } td { (c.renewed) } td { (c.due) } td { (stats::percent(c.share())) } }
                            }
                        }
                    } }
                }
            }
        }
    };
    let title = t!(l, "web-renewals-title");
    html_page(shell(config, l, &s.viewer, &title, body))
}

/// `GET /staff/charts/{activity,retention}.png`: `/stats`'s own charts, for moderators and up.
pub async fn staff_chart(
    State(web): State<Web>,
    jar: CookieJar,
    headers: HeaderMap,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Response {
    let s = seen(&web, &jar, &headers).await;
    let Some(member) = s.viewer.member() else {
        return StatusCode::FORBIDDEN.into_response();
    };
    match level_now(&web, member).await {
        Ok(level) if level >= Level::Moderator => {}
        Ok(_) => return StatusCode::FORBIDDEN.into_response(),
        Err(e) => return unavailable(e),
    }
    let now = web.app.clock.now();
    let _ = stats::activity(&web.app).flush(&web.app.db).await;
    let Ok(mut conn) = web.app.db.read.acquire().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let png = match name.as_str() {
        "activity.png" => match stats::store::overview(&mut conn, &s.config, now, 30).await {
            Ok(overview) => stats::charts::activity(&overview.series, s.locale),
            Err(e) => return unavailable(e),
        },
        "retention.png" => match stats::store::retention(&mut conn, &s.config, now, 8).await {
            Ok((cohorts, _)) => stats::charts::retention(&cohorts, s.locale),
            Err(e) => return unavailable(e),
        },
        "renewals.png" => match stats::store::renewal_rates(&mut conn, &s.config, now, 6).await {
            Ok(report) => stats::charts::renewals(&report.months, s.locale),
            Err(e) => return unavailable(e),
        },
        "revenue.png" => {
            let (months, currency) = income_months(&web, &s.config, now).await;
            stats::charts::revenue(&months, &currency, s.locale)
        }
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match png {
        Ok(png) => ([("content-type", "image/png")], png).into_response(),
        Err(e) => unavailable(format!("{e:?}")),
    }
}

/// The last twelve community-local months with their income in the main currency (the first
/// product's, else USD), empty months included so the chart's axis is time.
async fn income_months(
    web: &Web,
    config: &Config,
    now: chrono::DateTime<chrono::Utc>,
) -> (Vec<(String, i64)>, String) {
    let currency = config
        .products
        .first()
        .map_or_else(|| "USD".to_string(), |p| p.currency.clone());
    // The same 13 months the staff page sums (one cache), the oldest left out.
    let bounds = local_months(now, config.community.timezone, 13);
    let rows = web
        .discord
        .income_by_month(&web.app.db, &bounds, i64::MAX)
        .await
        .unwrap_or_default();
    let mut months: Vec<(String, i64)> = bounds.into_iter().skip(1).map(|(m, _)| (m, 0)).collect();
    for (month, _, row_currency, amount) in rows.iter().cloned() {
        if row_currency != currency {
            continue;
        }
        if let Some(slot) = months.iter_mut().find(|(m, _)| *m == month) {
            slot.1 += amount;
        }
    }
    (months, currency)
}
