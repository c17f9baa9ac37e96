//! A member's personal calendar feed: `/me/calendar.ics?token=…` lists the events of every
//! channel the member can see (paid ones too), for a calendar app that cannot log in. The token
//! is random, stored as its hash, shown once when made; making a new one or revoking it makes
//! the old link answer 404.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use axum_extra::extract::cookie::CookieJar;
use maud::html;
use serde::Deserialize;

use super::login::{csrf_ok, hash, viewer, CsrfForm};
use super::page::{self, shell};
use super::{store, Web};
use crate::clock::to_millis;
use crate::t;

#[derive(Deserialize)]
pub struct FeedQuery {
    token: Option<String>,
}

/// `GET /me/calendar.ics?token=…`.
pub async fn feed(State(web): State<Web>, Query(q): Query<FeedQuery>) -> Response {
    let Some(token) = q.token.filter(|t| t.len() == 64) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let member = match store::calendar_owner(&web.app.db, &hash(&token)).await {
        Ok(Some(member)) => member as u64,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let config = web.app.config.snapshot();
    let events = match crate::features::schedule::store::list(&web.app.db, 500).await {
        Ok(events) => events,
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let channels: Vec<u64> = events.iter().map(|e| e.channel_id as u64).collect();
    let mut visible = web
        .discord
        .visible_to(
            config.discord.guild_id,
            serenity::all::UserId::new(member),
            &channels,
        )
        .await;
    if let Some(public) = web.app.public_channels.get() {
        visible.extend(public.iter().copied());
    }
    let now = web.app.clock.now();
    match crate::features::schedule::feed::calendar(&web.app.db, &config, now, Some(&visible)).await
    {
        Ok(body) => (
            StatusCode::OK,
            [("content-type", "text/calendar; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    csrf: Option<String>,
    /// `new` or `revoke`.
    action: String,
}

/// `POST /me/calendar`: a new link (shown once) or none.
pub async fn manage(
    State(web): State<Web>,
    jar: CookieJar,
    headers: axum::http::HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    let viewer = viewer(&web, &jar).await;
    if !csrf_ok(&viewer, &CsrfForm { csrf: form.csrf }) {
        return (StatusCode::FORBIDDEN, "missing or wrong CSRF token\n").into_response();
    }
    let Some(member) = viewer.member() else {
        return StatusCode::FORBIDDEN.into_response();
    };
    let config = web.app.config.snapshot();
    let l = page::locale(&config, &viewer, &jar, &headers);
    let now = to_millis(web.app.clock.now());
    let body = if form.action == "revoke" {
        if store::delete_calendar_token(&web.app.db, member)
            .await
            .is_err()
        {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        html! { div.card { p { (t!(l, "web-calendar-revoked")) } p { a href="/me" { (t!(l, "web-back")) } } } }
    } else {
        let token = hex::encode(rand::random::<[u8; 32]>());
        if store::set_calendar_token(&web.app.db, member, &hash(&token), now)
            .await
            .is_err()
        {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        let url = format!("{}/me/calendar.ics?token={token}", web.discord.base_url);
        html! { div.card {
            h2 { (t!(l, "web-calendar")) }
            p { (t!(l, "web-calendar-once")) }
            p { code.calendar-url { (url) } }
            p { a href="/me" { (t!(l, "web-back")) } }
        } }
    };
    let title = t!(l, "web-calendar");
    super::pages::html_page(shell(&config, l, &viewer, &title, body))
}
