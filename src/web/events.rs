//! `/events`, `/events/{id}` and the RSVP form: events in public channels for anyone, and in
//! the channels a logged-in member can see (paid ones too); the join link only for those who
//! can see the event's channel. An RSVP here is the same operation as the button's, and edits
//! the Discord announcement's counts.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::CookieJar;
use maud::html;
use serde::Deserialize;

use super::login::{csrf_ok, viewer, CsrfForm, Viewer};
use super::page::{self, shell};
use super::pages::html_page;
use super::Web;
use crate::clock::from_millis;
use crate::features::schedule::{self, store::EventRow};
use crate::t;

/// The upcoming events this viewer may see, and which of their channels they can open.
async fn visible(web: &Web, viewer: &Viewer) -> anyhow::Result<(Vec<EventRow>, Vec<u64>)> {
    let events = schedule::store::list(&web.app.db, 100).await?;
    let public = web.app.public_channels.get();
    let channels: Vec<u64> = events.iter().map(|e| e.channel_id as u64).collect();
    let theirs = match viewer.member() {
        Some(member) => {
            let config = web.app.config.snapshot();
            web.discord
                .visible_to(
                    config.discord.guild_id,
                    serenity::all::UserId::new(member),
                    &channels,
                )
                .await
        }
        None => Default::default(),
    };
    let open = |c: u64| theirs.contains(&c) || public.as_ref().is_some_and(|p| p.contains(&c));
    let shown: Vec<EventRow> = events
        .into_iter()
        .filter(|e| open(e.channel_id as u64))
        .collect();
    Ok((shown, theirs.into_iter().collect()))
}

fn when(config: &crate::config::Config, ms: i64) -> String {
    from_millis(ms)
        .with_timezone(&config.community.timezone)
        .format("%Y-%m-%d %H:%M (UTC%:z)")
        .to_string()
}

/// `GET /events`.
pub async fn list(State(web): State<Web>, jar: CookieJar, headers: HeaderMap) -> Response {
    let config = web.app.config.snapshot();
    let viewer = viewer(&web, &jar).await;
    let l = page::locale(&config, &viewer, &jar, &headers);
    let Ok((events, _)) = visible(&web, &viewer).await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let title = t!(l, "web-events-title");
    let body = html! {
        div.card {
            h1 { (title) }
            @if events.is_empty() { p.muted { (t!(l, "web-no-events")) } }
            ul.plain {
                @for e in &events {
                    li {
                        a href={ "/events/" (e.id) } { strong { (e.title_in(l)) } }
                        " — " (when(&config, e.next_at.unwrap_or(0)))
                    }
                }
            }
        }
    };
    html_page(shell(&config, l, &viewer, &title, body))
}

/// `GET /events/{id}`.
pub async fn show(
    State(web): State<Web>,
    jar: CookieJar,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let config = web.app.config.snapshot();
    let viewer = viewer(&web, &jar).await;
    let l = page::locale(&config, &viewer, &jar, &headers);
    let Ok((events, theirs)) = visible(&web, &viewer).await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let Some(event) = events.into_iter().find(|e| e.id == id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let occurrence = event.next_at.unwrap_or(0);
    let counts = match web.app.db.read.acquire().await {
        Ok(mut conn) => schedule::store::rsvp_counts(&mut conn, id, occurrence)
            .await
            .unwrap_or_default(),
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let can_join = theirs.contains(&(event.channel_id as u64));
    let title = event.title_in(l);
    let description = event.description_in(l);
    let body = html! {
        div.card {
            h1 { (title) }
            p { (when(&config, occurrence)) }
            @if !description.is_empty() { p { (description) } }
            p.rsvp-counts { (t!(l, "event-rsvp-counts", going = counts.0, maybe = counts.1, no = counts.2)) }
            @if can_join {
                p { a.button href={ "https://discord.com/channels/" (config.discord.guild_id) "/" (event.channel_id) } { (t!(l, "web-join")) } }
            }
            @if let (Some(csrf), true) = (viewer.csrf(), viewer.member().is_some()) {
                form method="post" action={ "/events/" (id) "/rsvp" } {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="occurrence" value=(occurrence);
                    @for answer in schedule::Answer::ALL {
                        button type="submit" name="answer" value=(answer.as_str()) { (answer.label(l)) } " "
                    }
                }
            } @else {
                p { a href={ "/login?next=/events/" (id) } { (t!(l, "web-login-to-rsvp")) } }
            }
        }
    };
    html_page(shell(&config, l, &viewer, &title, body))
}

#[derive(Deserialize)]
pub struct RsvpForm {
    csrf: Option<String>,
    occurrence: i64,
    answer: String,
}

/// `POST /events/{id}/rsvp`: a member who can see the event answers; back to the event.
pub async fn rsvp(
    State(web): State<Web>,
    jar: CookieJar,
    Path(id): Path<i64>,
    Form(form): Form<RsvpForm>,
) -> Response {
    let viewer = viewer(&web, &jar).await;
    let csrf = CsrfForm {
        csrf: form.csrf.clone(),
    };
    if !csrf_ok(&viewer, &csrf) {
        return (StatusCode::FORBIDDEN, "missing or wrong CSRF token\n").into_response();
    }
    let Some(member) = viewer.member() else {
        return StatusCode::FORBIDDEN.into_response();
    };
    let Ok((events, _)) = visible(&web, &viewer).await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    if !events.iter().any(|e| e.id == id) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let config = web.app.config.snapshot();
    let member = serenity::all::UserId::new(member);
    let Some(answer) = schedule::Answer::parse(&form.answer) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let rsvp = schedule::Rsvp {
        event: id,
        occurrence: form.occurrence,
        answer,
    };
    let refresh = schedule::actions::Refresh::Outbox;
    match schedule::actions::rsvp(&web.app, &config, &rsvp, member, refresh).await {
        Ok(Some(_)) => Redirect::to(&format!("/events/{id}")).into_response(),
        Ok(None) => StatusCode::BAD_REQUEST.into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "web RSVP failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
