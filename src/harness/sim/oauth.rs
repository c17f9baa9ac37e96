//! Discord's OAuth2 authorization-code flow, as Discord documents it (developers/docs/topics/
//! oauth2): the browser page `GET /oauth2/authorize` (here it consents at once as the member
//! "signed in to Discord" in the test's browser, [`super::Sim::sign_in`]) redirects to the
//! `redirect_uri` with a `code` and the `state`; the app exchanges the code at
//! `POST /api/v10/oauth2/token` (form-encoded, client id and secret by HTTP Basic or in the
//! form) — once: a second exchange is `invalid_grant` —; the bearer token reads `users/@me`
//! and `users/@me/guilds/{guild}/member`; `POST /api/v10/oauth2/token/revoke` ends it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::world::ids;
use super::SimState;

/// The application's client secret the simulated Discord accepts.
pub const CLIENT_SECRET: &str = "sim-client-secret";

/// Discord: an authorization code is valid for a short time (we use ten minutes).
const CODE_LIFETIME: Duration = Duration::from_secs(600);

#[derive(Default)]
pub struct OAuth {
    /// Who is signed in to Discord in the test's browser; the authorize page consents as them.
    pub signed_in: Option<u64>,
    codes: HashMap<String, Code>,
    tokens: HashMap<String, Token>,
    next: u64,
}

struct Code {
    user: u64,
    redirect_uri: String,
    scopes: Vec<String>,
    issued: Instant,
    used: bool,
}

struct Token {
    user: u64,
    scopes: Vec<String>,
    revoked: bool,
}

fn form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn query(q: &str) -> HashMap<String, String> {
    form(q.as_bytes())
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

impl OAuth {
    fn fresh(&mut self, kind: &str) -> String {
        self.next += 1;
        format!("{kind}{:016x}{:08x}", rand::random::<u64>(), self.next)
    }
}

/// `GET /oauth2/authorize`: checks the request like Discord's consent page, then redirects to
/// the app with a fresh code as the signed-in member.
pub(crate) fn authorize(state: &mut SimState, q: &str) -> Response {
    let q = query(q);
    let param = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    if param("response_type") != "code" {
        return (StatusCode::BAD_REQUEST, "unsupported response_type").into_response();
    }
    if param("client_id") != ids::APPLICATION.to_string() {
        return (StatusCode::BAD_REQUEST, "unknown client_id").into_response();
    }
    let redirect_uri = param("redirect_uri").to_string();
    if !(redirect_uri.starts_with("http://") || redirect_uri.starts_with("https://")) {
        return (StatusCode::BAD_REQUEST, "invalid redirect_uri").into_response();
    }
    let scopes: Vec<String> = param("scope").split(' ').map(str::to_string).collect();
    if !scopes.iter().any(|s| s == "identify") {
        return (StatusCode::BAD_REQUEST, "scope must include identify").into_response();
    }
    let Some(user) = state.oauth.signed_in else {
        return (StatusCode::UNAUTHORIZED, "sign in to Discord first").into_response();
    };
    let code = state.oauth.fresh("c");
    state.oauth.codes.insert(
        code.clone(),
        Code {
            user,
            redirect_uri: redirect_uri.clone(),
            scopes,
            issued: Instant::now(),
            used: false,
        },
    );
    let mut target = url::Url::parse(&redirect_uri).expect("checked above");
    target.query_pairs_mut().append_pair("code", &code);
    if let Some(s) = q.get("state") {
        target.query_pairs_mut().append_pair("state", s);
    }
    (
        StatusCode::FOUND,
        [("location", target.to_string())],
        "redirecting",
    )
        .into_response()
}

/// `GET /demo/sign-in?user=ID&next=URL` (the demo's one-click links, not Discord's): signs the
/// browser in to the simulated Discord as `user`, then goes to `next` (the bot's `/login`).
pub(crate) fn demo_sign_in(state: &mut SimState, q: &str) -> Response {
    let q = query(q);
    let user = q.get("user").and_then(|u| u.parse::<u64>().ok());
    let next = q.get("next").filter(|n| n.starts_with("http://127.0.0.1:"));
    match (user, next) {
        (Some(user), Some(next)) if state.world.users.contains_key(&user) => {
            state.oauth.signed_in = Some(user);
            (StatusCode::FOUND, [("location", next.clone())], "signed in").into_response()
        }
        _ => (
            StatusCode::BAD_REQUEST,
            "expected ?user=<a simulated user>&next=http://127.0.0.1:…",
        )
            .into_response(),
    }
}

/// The client's credentials: HTTP Basic, or `client_id`/`client_secret` in the form.
fn client_ok(headers: &HeaderMap, f: &HashMap<String, String>) -> bool {
    use base64::Engine as _;
    let expected = (ids::APPLICATION.to_string(), CLIENT_SECRET.to_string());
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        });
    let in_form = f
        .get("client_id")
        .cloned()
        .zip(f.get("client_secret").cloned());
    basic.or(in_form).is_some_and(|c| c == expected)
}

/// `POST /api/v10/oauth2/token` (authorization_code) and `…/token/revoke`.
pub(crate) fn token(
    state: &mut SimState,
    headers: &HeaderMap,
    body: &[u8],
    revoke: bool,
) -> Response {
    let is_form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        );
    }
    let f = form(body);
    if !client_ok(headers, &f) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "bad client credentials",
        );
    }
    if revoke {
        if let Some(token) = f.get("token").and_then(|t| state.oauth.tokens.get_mut(t)) {
            token.revoked = true;
        }
        return (StatusCode::OK, Json(json!({}))).into_response();
    }
    if f.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "");
    }
    let code = f.get("code").cloned().unwrap_or_default();
    let redirect_uri = f.get("redirect_uri").cloned().unwrap_or_default();
    let Some(found) = state.oauth.codes.get_mut(&code) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "Invalid \"code\" in request.",
        );
    };
    if found.used || found.issued.elapsed() > CODE_LIFETIME || found.redirect_uri != redirect_uri {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "Invalid \"code\" in request.",
        );
    }
    found.used = true;
    let (user, scopes) = (found.user, found.scopes.clone());
    let access = state.oauth.fresh("a");
    let refresh = state.oauth.fresh("r");
    state.oauth.tokens.insert(
        access.clone(),
        Token {
            user,
            scopes: scopes.clone(),
            revoked: false,
        },
    );
    (
        StatusCode::OK,
        Json(json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 604800,
            "refresh_token": refresh,
            "scope": scopes.join(" "),
        })),
    )
        .into_response()
}

/// What a bearer token may read: `users/@me` (with the member's locale, as the `identify`
/// scope gives it) and `users/@me/guilds/{guild}/member` (scope `guilds.members.read`).
pub(crate) fn bearer(state: &SimState, token: &str, method: &str, path: &str) -> (u16, Value) {
    let unauthorized = (401, json!({ "message": "401: Unauthorized", "code": 0 }));
    let Some(token) = state.oauth.tokens.get(token).filter(|t| !t.revoked) else {
        return unauthorized;
    };
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        ("GET", ["users", "@me"]) => {
            let mut user = state.world.user_json(token.user);
            let locale = state
                .world
                .users
                .get(&token.user)
                .map_or("en-US".to_string(), |u| u.locale.clone());
            user["locale"] = json!(locale);
            (200, user)
        }
        ("GET", ["users", "@me", "guilds", guild, "member"]) => {
            if !token.scopes.iter().any(|s| s == "guilds.members.read") {
                return (403, json!({ "message": "Missing Access", "code": 50001 }));
            }
            let in_guild = guild.parse::<u64>().ok() == Some(state.world.guild_id)
                && state.world.members.contains_key(&token.user);
            if in_guild {
                (200, state.world.member_json(token.user, true))
            } else {
                (404, json!({ "message": "Unknown Guild", "code": 10004 }))
            }
        }
        _ => unauthorized,
    }
}
