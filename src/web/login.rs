//! Discord login (OAuth2 authorization-code flow) and sessions.
//!
//! `GET /login` writes nothing: the login in progress (a random `state`, the page to return
//! to, the time) travels in a short-lived cookie signed with a key derived from the client
//! secret, so an anonymous flood of `/login` never reaches the database. `GET /auth/callback`
//! accepts the `state` only from the browser holding that cookie, within ten minutes; exchanges
//! the code server-side with the client secret (Discord spends a code once); reads who the
//! member is and whether they are in the server; discards Discord's token (revoked at once:
//! Lyceum keeps no Discord credential of a member); and starts a session under a new random id
//! (a session id set before login is never reused: no fixation). The cookie holds the id; the
//! database only its SHA-256. A member who leaves or is banned loses their sessions at once
//! (`end_sessions_of`, from the gateway's GUILD_MEMBER_REMOVE and GUILD_BAN_ADD).

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::redirect::same_site_path;
use super::{store, Web};
use crate::clock::to_millis;

pub const SESSION_COOKIE: &str = "lyceum_session";
const LOGIN_COOKIE: &str = "lyceum_login";
/// How long a login may take at Discord's consent page.
const LOGIN_WINDOW_MS: i64 = 10 * 60 * 1000;
/// Sessions last 30 days from their last use.
pub const SESSION_DAYS: i64 = 30;
const DAY_MS: i64 = 86_400_000;
/// What the web login asks Discord for: who you are, and your membership in the server.
pub const SCOPES: &str = "identify guilds.members.read";

fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Who is looking at a page.
#[derive(Debug, Clone)]
pub enum Viewer {
    Anonymous,
    Member {
        id: u64,
        /// In the server at login; else only public pages are open.
        in_guild: bool,
        /// Discord's locale at login (`zh-CN`, `en-US`).
        locale: Option<String>,
        csrf: String,
    },
}

impl Viewer {
    pub fn member(&self) -> Option<u64> {
        match self {
            Viewer::Member {
                id, in_guild: true, ..
            } => Some(*id),
            _ => None,
        }
    }

    pub fn csrf(&self) -> Option<&str> {
        match self {
            Viewer::Member { csrf, .. } => Some(csrf),
            Viewer::Anonymous => None,
        }
    }
}

/// The viewer behind the request's session cookie; a used session slides its expiry forward
/// (at most once an hour, so browsing is not a write per page).
pub async fn viewer(web: &Web, jar: &CookieJar) -> Viewer {
    let Some(cookie) = jar.get(SESSION_COOKIE) else {
        return Viewer::Anonymous;
    };
    let id_hash = hash(cookie.value());
    let now = to_millis(web.app.clock.now());
    let Ok(Some(row)) = store::session(&web.app.db, &id_hash, now).await else {
        return Viewer::Anonymous;
    };
    if now - row.seen_at > DAY_MS / 24 {
        let _ = store::touch_session(&web.app.db, &id_hash, now, now + SESSION_DAYS * DAY_MS).await;
    }
    Viewer::Member {
        id: row.member_id as u64,
        in_guild: row.in_guild,
        locale: row.locale,
        csrf: row.csrf,
    }
}

fn cookie(web: &Web, name: &'static str, value: String, max_age_days: i64) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(web.discord.base_url.starts_with("https://"))
        .max_age(time::Duration::days(max_age_days))
        .build()
}

/// Only a path on this site (`/me`), never another site (`//evil.example`): anything else
/// returns to `/me`.
fn safe_next(next: Option<&str>) -> String {
    next.and_then(same_site_path)
        .unwrap_or_else(|| "/me".to_string())
}

/// A login in progress, as its signed cookie carries it: `state.at.hex(next).mac`.
struct PreLogin {
    state: String,
    at: i64,
    next: String,
}

type Mac = hmac::Hmac<Sha256>;

impl PreLogin {
    fn mac(key: &[u8; 32], body: &str) -> Mac {
        use hmac::Mac as _;
        let mut mac = <Mac as hmac::Mac>::new_from_slice(key).expect("any key length");
        mac.update(body.as_bytes());
        mac
    }

    fn seal(&self, key: &[u8; 32]) -> String {
        use hmac::Mac as _;
        let body = format!("{}.{}.{}", self.state, self.at, hex::encode(&self.next));
        let tag = hex::encode(Self::mac(key, &body).finalize().into_bytes());
        format!("{body}.{tag}")
    }

    /// The login a cookie carries, if its signature is ours.
    fn open(key: &[u8; 32], sealed: &str) -> Option<PreLogin> {
        use hmac::Mac as _;
        let (body, tag) = sealed.rsplit_once('.')?;
        Self::mac(key, body)
            .verify_slice(&hex::decode(tag).ok()?)
            .ok()?;
        let mut parts = body.splitn(3, '.');
        let state = parts.next()?.to_string();
        let at = parts.next()?.parse().ok()?;
        let next = String::from_utf8(hex::decode(parts.next()?).ok()?).ok()?;
        Some(PreLogin { state, at, next })
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// `GET /login`: to Discord's consent page.
pub async fn login(
    State(web): State<Web>,
    jar: CookieJar,
    Query(q): Query<LoginQuery>,
) -> Response {
    let Some(client) = web.discord.login.as_ref() else {
        return (
            StatusCode::NOT_FOUND,
            "Discord login is off: set DISCORD_CLIENT_SECRET (and [web] public_url).\n",
        )
            .into_response();
    };
    let state = random_token();
    let login = PreLogin {
        state: state.clone(),
        at: to_millis(web.app.clock.now()),
        next: safe_next(q.next.as_deref()),
    };
    let config = web.app.config.snapshot();
    let mut authorize = match url::Url::parse(&config.discord.oauth_authorize_url) {
        Ok(url) => url,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &client.client_id.to_string())
        .append_pair("scope", SCOPES)
        .append_pair("state", &state)
        .append_pair("redirect_uri", &web.discord.redirect_uri())
        .append_pair("prompt", "none");
    let jar = jar.add(cookie(
        &web,
        LOGIN_COOKIE,
        login.seal(&client.state_key()),
        1,
    ));
    (jar, Redirect::to(authorize.as_str())).into_response()
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

fn refused(status: StatusCode, why: &str) -> Response {
    (status, format!("Login refused: {why}\n")).into_response()
}

/// `GET /auth/callback?code&state`: the login's second half.
pub async fn callback(
    State(web): State<Web>,
    jar: CookieJar,
    Query(q): Query<Callback>,
) -> Response {
    let Some(client) = web.discord.login.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Some(error) = &q.error {
        return refused(StatusCode::BAD_REQUEST, &format!("Discord said {error}"));
    }
    let (Some(code), Some(state)) = (q.code.as_deref(), q.state.as_deref()) else {
        return refused(StatusCode::BAD_REQUEST, "missing code or state");
    };
    let Some(started) = jar
        .get(LOGIN_COOKIE)
        .and_then(|c| PreLogin::open(&client.state_key(), c.value()))
    else {
        return refused(
            StatusCode::BAD_REQUEST,
            "this browser did not start the login",
        );
    };
    let now = to_millis(web.app.clock.now());
    {
        use subtle::ConstantTimeEq;
        if !bool::from(started.state.as_bytes().ct_eq(state.as_bytes())) {
            return refused(
                StatusCode::BAD_REQUEST,
                "the state belongs to another login",
            );
        }
    }
    if now - started.at > LOGIN_WINDOW_MS || now < started.at {
        return refused(StatusCode::BAD_REQUEST, "the login took too long");
    }
    // Checked again: a cookie signed before the rules tightened must not carry a bad target.
    let next = safe_next(Some(&started.next));
    if !web.discord.may_exchange_code() {
        return refused(
            StatusCode::TOO_MANY_REQUESTS,
            "too many logins right now; try again in a minute",
        );
    }
    let who = match client
        .identify(&web.discord.api, code, &web.discord.redirect_uri())
        .await
    {
        Ok(who) => who,
        Err(e) => {
            tracing::warn!(error = %e, "Discord login refused");
            return refused(
                StatusCode::BAD_REQUEST,
                "Discord did not accept the code (used or expired)",
            );
        }
    };
    let config = web.app.config.snapshot();
    if who.in_guild {
        let seen = crate::members::Seen {
            member: who.id,
            name: who.name.clone(),
            avatar: who.avatar.clone(),
        };
        let _ =
            crate::members::remember(&web.app.db, &[seen], now, crate::members::SeenAs::Present)
                .await;
    }
    let language = who
        .locale
        .as_deref()
        .and_then(crate::i18n::Locale::from_discord);
    crate::member_locale::note(&web.app, serenity::all::UserId::new(who.id), language);
    let session = random_token();
    let csrf = random_token();
    let row = store::NewSession {
        id_hash: &hash(&session),
        member: who.id,
        locale: who.locale.as_deref(),
        in_guild: who.in_guild,
        csrf: &csrf,
        at: now,
        expires_at: now + SESSION_DAYS * DAY_MS,
    };
    if let Err(e) = store::insert_session(&web.app.db, &row).await {
        tracing::error!(error = %e, "cannot store a session");
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    tracing::info!(member = who.id, in_guild = who.in_guild, guild = %config.discord.guild_id, "web login");
    let jar = jar
        .remove(Cookie::build(LOGIN_COOKIE).path("/"))
        .add(cookie(&web, SESSION_COOKIE, session, SESSION_DAYS));
    (jar, Redirect::to(&next)).into_response()
}

/// Gone from the server (left, kicked or banned, as the gateway says): no web session keeps
/// them inside.
pub async fn left_the_server(
    app: &crate::state::AppState,
    user: serenity::all::UserId,
) -> Result<(), crate::error::Error> {
    let ended = store::end_sessions_of(&app.db, user.get()).await?;
    if ended > 0 {
        tracing::info!(%user, ended, "web sessions ended: no longer in the server");
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct CsrfForm {
    pub csrf: Option<String>,
}

/// Whether a POST carries the session's CSRF token (every form does).
pub fn csrf_ok(viewer: &Viewer, form: &CsrfForm) -> bool {
    match (viewer.csrf(), form.csrf.as_deref()) {
        (Some(expected), Some(given)) => {
            use subtle::ConstantTimeEq;
            expected.as_bytes().ct_eq(given.as_bytes()).into()
        }
        _ => false,
    }
}

/// `POST /logout`: ends the session (with the session's CSRF token).
pub async fn logout(
    State(web): State<Web>,
    jar: CookieJar,
    _headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let viewer = viewer(&web, &jar).await;
    if !csrf_ok(&viewer, &form) {
        return (StatusCode::FORBIDDEN, "missing or wrong CSRF token\n").into_response();
    }
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        let _ = store::delete_session(&web.app.db, &hash(cookie.value())).await;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    (jar, Redirect::to("/")).into_response()
}

/// The application's OAuth2 client: its id and secret (`DISCORD_CLIENT_SECRET`, never logged).
#[derive(Clone)]
pub struct Client {
    pub client_id: u64,
    pub client_secret: String,
    pub http: reqwest::Client,
}

/// Who logged in.
#[derive(Debug, Clone)]
pub struct Identified {
    pub id: u64,
    pub name: String,
    pub avatar: Option<String>,
    pub locale: Option<String>,
    pub in_guild: bool,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
}

#[derive(Deserialize)]
struct UserAnswer {
    id: String,
    username: String,
    global_name: Option<String>,
    avatar: Option<String>,
    locale: Option<String>,
}

impl Client {
    /// The key that signs logins in progress: derived from the client secret, so it survives a
    /// restart and is as secret as the secret itself (which never leaves the process).
    fn state_key(&self) -> [u8; 32] {
        use hmac::Mac as _;
        let mut mac = <Mac as hmac::Mac>::new_from_slice(self.client_secret.as_bytes())
            .expect("any key length");
        mac.update(b"lyceum web login state v1");
        mac.finalize().into_bytes().into()
    }

    /// Exchanges the code, reads the user and their membership, and revokes the token.
    async fn identify(
        &self,
        api: &Api,
        code: &str,
        redirect_uri: &str,
    ) -> anyhow::Result<Identified> {
        let token: TokenAnswer = self
            .http
            .post(format!("{}/oauth2/token", api.base))
            .basic_auth(self.client_id, Some(&self.client_secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
            ])
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let bearer = format!("Bearer {}", token.access_token);
        let user: UserAnswer = self
            .http
            .get(format!("{}/users/@me", api.base))
            .header("authorization", &bearer)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let member = self
            .http
            .get(format!(
                "{}/users/@me/guilds/{}/member",
                api.base, api.guild
            ))
            .header("authorization", &bearer)
            .send()
            .await?;
        let in_guild = member.status().is_success();
        // Lyceum keeps no Discord credential of a member.
        let _ = self
            .http
            .post(format!("{}/oauth2/token/revoke", api.base))
            .basic_auth(self.client_id, Some(&self.client_secret))
            .form(&[("token", token.access_token.as_str())])
            .send()
            .await;
        Ok(Identified {
            id: user.id.parse()?,
            name: user.global_name.unwrap_or(user.username),
            avatar: user.avatar,
            locale: user.locale,
            in_guild,
        })
    }
}

/// Where Discord's API is and which server counts.
#[derive(Clone)]
pub struct Api {
    /// `{api_url}/api/v10`.
    pub base: String,
    pub guild: u64,
}
