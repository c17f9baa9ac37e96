//! The page shell: one stylesheet, the navigation, the language switch, and which language a
//! page speaks (the switch's cookie, else the member's Discord language, else the browser's
//! `Accept-Language`, else the community's default).

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::login::Viewer;
use crate::config::Config;
use crate::i18n::Locale;
use crate::t;

pub const LANG_COOKIE: &str = "lyceum_lang";

/// The one stylesheet (served at `/lyceum.css`): readable at 375 px and 1280 px, tables
/// scroll inside their box rather than widening the page, CJK text in a CJK-capable font.
pub const STYLESHEET: &str = r#"
:root { --bg: #f6f6f8; --card: #fff; --text: #1f2328; --muted: #59636e; --accent: #5865f2; --line: #d8dee4; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
header { background: #23272f; color: #fff; }
header .bar { max-width: 960px; margin: 0 auto; padding: 10px 16px; display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; }
header a { color: #fff; text-decoration: none; }
header .brand { font-weight: 700; margin-right: auto; }
header form { margin: 0; }
main { max-width: 960px; margin: 0 auto; padding: 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px; margin: 0 0 16px; overflow-wrap: break-word; }
h1 { font-size: 1.6rem; margin: 0 0 4px; } h2 { font-size: 1.15rem; margin: 0 0 8px; }
.muted { color: var(--muted); }
.button, button { display: inline-block; background: var(--accent); color: #fff; border: 0; border-radius: 6px; padding: 6px 12px; font: inherit; cursor: pointer; text-decoration: none; }
.button.quiet, button.quiet { background: transparent; border: 1px solid #fff6; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
td.wrap { white-space: normal; min-width: 9em; }
.avatar { display: inline-flex; width: 28px; height: 28px; border-radius: 50%; background: var(--accent); color: #fff; align-items: center; justify-content: center; font-size: 0.8rem; margin-right: 8px; vertical-align: middle; }
img.avatar { object-fit: cover; }
.tabs a { margin-right: 12px; } .tabs a.on { font-weight: 700; }
.bar-progress { height: 8px; background: var(--line); border-radius: 4px; overflow: hidden; }
.bar-progress span { display: block; height: 100%; background: var(--accent); }
ul.plain { list-style: none; padding: 0; margin: 0; } ul.plain li { padding: 4px 0; }
"#;

/// The language a page speaks for this request.
pub fn locale(config: &Config, viewer: &Viewer, jar: &CookieJar, headers: &HeaderMap) -> Locale {
    if let Some(chosen) = jar
        .get(LANG_COOKIE)
        .and_then(|c| Locale::from_config(c.value()))
    {
        return chosen;
    }
    if let Viewer::Member {
        locale: Some(discord),
        ..
    } = viewer
    {
        if let Some(l) = Locale::from_discord(discord) {
            return l;
        }
    }
    let accepted = headers
        .get("accept-language")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    for tag in accepted
        .split(',')
        .map(|t| t.split(';').next().unwrap_or("").trim())
    {
        let lower = tag.to_ascii_lowercase();
        if lower.starts_with("zh") {
            return Locale::ZhCn;
        }
        if lower.starts_with("en") {
            return Locale::En;
        }
    }
    config.community.default_locale
}

/// A whole page around `body`.
pub fn shell(
    config: &Config,
    locale: Locale,
    viewer: &Viewer,
    title: &str,
    body: Markup,
) -> Markup {
    shared_shell(config, locale, viewer, title, body, None)
}

/// How a page looks when its link is pasted into WeChat, Discord or X: OpenGraph and Twitter
/// card tags with a title and a description (the page's absolute URL, as crawlers need). No
/// preview image yet: the compiled-in font holds only the charts' characters, and a product's
/// Chinese name needs the whole CJK set.
pub struct Share {
    pub description: String,
    pub url: String,
}

/// [`shell`] with link-preview tags.
pub fn shared_shell(
    config: &Config,
    locale: Locale,
    viewer: &Viewer,
    title: &str,
    body: Markup,
    share: Option<&Share>,
) -> Markup {
    let other = match locale {
        Locale::En => ("zh-CN", "中文"),
        Locale::ZhCn => ("en", "English"),
    };
    let community = config.community.name.get(locale);
    html! {
        (DOCTYPE)
        html lang=(locale.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if title == community { title { (community) } } @else { title { (title) " · " (community) } }
                link rel="stylesheet" href="/lyceum.css";
                @if let Some(share) = share {
                    meta property="og:type" content="website";
                    meta property="og:site_name" content=(community);
                    meta property="og:title" content=(title);
                    meta property="og:description" content=(share.description);
                    meta property="og:url" content=(share.url);
                    meta name="twitter:card" content="summary";
                    meta name="twitter:title" content=(title);
                    meta name="twitter:description" content=(share.description);
                    meta name="description" content=(share.description);
                }
            }
            body {
                header { div.bar {
                    a.brand href="/" { (community) }
                    a href="/events" { (t!(locale, "web-nav-events")) }
                    a href="/leaderboard" { (t!(locale, "web-nav-leaderboard")) }
                    @if viewer.member().is_some() {
                        a href="/me" { (t!(locale, "web-nav-me")) }
                        a href="/staff" { (t!(locale, "web-nav-staff")) }
                    }
                    a href={ "/lang?to=" (other.0) } { (other.1) }
                    @match viewer.csrf() {
                        Some(csrf) => {
                            form method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(csrf);
                                button.quiet type="submit" { (t!(locale, "web-logout")) }
                            }
                        }
                        None => { a.button href="/login" { (t!(locale, "web-login")) } }
                    }
                } }
                main { (body) }
            }
        }
    }
}

/// Initials for an avatar circle (the first letter or CJK character).
pub fn initials(name: &str) -> String {
    name.chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_else(|| "?".into())
}

/// A short message page (403, "log in first").
pub fn notice(config: &Config, locale: Locale, viewer: &Viewer, title: &str, text: &str) -> Markup {
    shell(
        config,
        locale,
        viewer,
        title,
        html! { div.card { h1 { (title) } p { (text) } } },
    )
}

/// A rendered page as an HTML response with `status`.
pub fn html_response(status: StatusCode, markup: Markup) -> Response {
    (
        status,
        [("content-type", "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response()
}

/// A rendered page as a 200 HTML response.
pub fn html_page(markup: Markup) -> Response {
    html_response(StatusCode::OK, markup)
}

/// What an operation's error looks like on the web, as the bot's two-faced error does in
/// Discord: a user error (the reader's mistake, nothing changed) is a 4xx page saying what, in
/// the reader's language — 404 when it names something that does not exist, else 400; an
/// internal fault is logged with a short reference id and answered 503 with that id.
pub fn error_page(
    config: &Config,
    locale: Locale,
    viewer: &Viewer,
    error: crate::error::Error,
    not_found: bool,
) -> axum::response::Response {
    use axum::http::StatusCode;
    let title = t!(locale, "web-not-done");
    match error {
        crate::error::Error::User(user) => {
            let status = if not_found {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::BAD_REQUEST
            };
            let text = user.message(locale);
            html_response(status, notice(config, locale, viewer, &title, &text))
        }
        crate::error::Error::Internal(e) => {
            let reference = crate::error::reference_id();
            tracing::error!(%reference, error = ?e, "web action failed");
            let text = t!(locale, "error-internal", reference = reference);
            html_response(
                StatusCode::SERVICE_UNAVAILABLE,
                notice(config, locale, viewer, &title, &text),
            )
        }
    }
}

/// Markdown-ish bold (`**x**`) from the bot's strings, as HTML (escaped first).
pub fn bold(text: &str) -> Markup {
    let escaped = html! { (text) }.into_string();
    let mut out = String::new();
    for (i, part) in escaped.split("**").enumerate() {
        if i % 2 == 1 {
            out.push_str(&format!("<strong>{part}</strong>"));
        } else {
            out.push_str(part);
        }
    }
    PreEscaped(out)
}
