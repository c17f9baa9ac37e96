//! The HTTP side: `/healthz`, `/metrics`, `/calendar.ics`, the Stripe webhook, and the pages
//! for members and staff with their Discord login (`login.rs`, `pages.rs`, `page.rs`,
//! `store.rs` for sessions).

pub mod calendar;
pub mod events;
pub mod login;
pub mod names;
pub mod page;
pub mod pages;
pub mod products;
pub mod redirect;
pub mod staff_actions;
pub mod store;

use std::net::SocketAddr;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::watch;

use std::time::Duration;

use crate::clock::to_millis;
use crate::health::DiscordAuth;
use crate::outbox::store as outbox_store;
use crate::state::AppState;

/// What the web door holds beside the state: Discord's REST client (staff levels are read
/// from the member's roles at each request), the OAuth2 client when login is on, and the
/// address the pages are reached at.
pub struct DiscordAccess {
    pub http: std::sync::Arc<serenity::all::Http>,
    /// The gateway's view of the server (channels, roles, overwrites): who can see a channel.
    pub cache: Option<std::sync::Arc<serenity::all::Cache>>,
    pub login: Option<login::Client>,
    pub api: login::Api,
    /// `web.public_url`, else `http://` + the bound address.
    pub base_url: String,
    /// The bot's one rate limiter: a page that must ask Discord waits its turn with the
    /// outbox and the reconcile job instead of spending the global limit beside them.
    limiter: Option<std::sync::Arc<crate::discord::rate_limits::RateLimiter>>,
    /// The weekly and monthly rankings, kept a minute (see [`DiscordAccess::ranking`]).
    rankings: std::sync::Mutex<std::collections::HashMap<&'static str, Ranking>>,
    /// Income per month, kept until an income row is added (see [`DiscordAccess::income_by_month`]).
    income: std::sync::Mutex<Option<Income>>,
    /// When recent logins exchanged a code with Discord (see [`DiscordAccess::may_exchange_code`]).
    exchanges: std::sync::Mutex<std::collections::VecDeque<std::time::Instant>>,
}

/// How many login codes the web exchanges with Discord per minute, at most. Real logins are a
/// few a minute; a flood of forged callbacks would otherwise make the bot's host send Discord
/// failing requests, and Discord bans an IP that sends 10,000 invalid requests in 10 minutes.
pub const CODE_EXCHANGES_PER_MINUTE: usize = 30;

/// Income per (month, source, currency), for the months it was summed over, as of the newest
/// income row then.
struct Income {
    last_row: i64,
    months: Vec<(String, i64)>,
    rows: std::sync::Arc<Vec<(String, String, String, i64)>>,
}

/// A period's ranking (member, points) and when it was computed.
type Ranking = (std::time::Instant, std::sync::Arc<Vec<(i64, i64)>>);

/// How long a period ranking is reused. Summing a period's ledger for every member costs
/// hundreds of milliseconds on a 100,000-member community (see `cargo bench --bench web`);
/// a leaderboard a minute old is what MEE6's is.
const RANKING_FRESH: std::time::Duration = std::time::Duration::from_secs(60);

impl DiscordAccess {
    pub fn new(
        http: std::sync::Arc<serenity::all::Http>,
        login: Option<login::Client>,
        api: login::Api,
    ) -> DiscordAccess {
        DiscordAccess {
            http,
            cache: None,
            login,
            api,
            base_url: String::new(),
            limiter: None,
            rankings: Default::default(),
            income: Default::default(),
            exchanges: Default::default(),
        }
    }

    /// Whether a login may exchange its code with Discord now (at most
    /// [`CODE_EXCHANGES_PER_MINUTE`]); counts it when it may.
    pub fn may_exchange_code(&self) -> bool {
        let now = std::time::Instant::now();
        let mut recent = self.exchanges.lock().expect("exchanges lock");
        while recent
            .front()
            .is_some_and(|t| now.duration_since(*t) > std::time::Duration::from_secs(60))
        {
            recent.pop_front();
        }
        if recent.len() >= CODE_EXCHANGES_PER_MINUTE {
            return false;
        }
        recent.push_back(now);
        true
    }

    /// Everyone ranked by points earned since `since` for `period` (`week`, `month`), computed
    /// at most once a minute; pages are slices of it.
    pub async fn ranking(
        &self,
        db: &crate::db::Db,
        period: &'static str,
        since: i64,
    ) -> sqlx::Result<std::sync::Arc<Vec<(i64, i64)>>> {
        if let Some((at, ranked)) = self.rankings.lock().expect("rankings lock").get(period) {
            if at.elapsed() < RANKING_FRESH {
                return Ok(ranked.clone());
            }
        }
        let ranked = std::sync::Arc::new(
            crate::features::points::store::leaderboard_page(db, Some(since), i64::MAX, 0).await?,
        );
        self.rankings
            .lock()
            .expect("rankings lock")
            .insert(period, (std::time::Instant::now(), ranked.clone()));
        Ok(ranked)
    }

    /// Income per month, source and currency over `months` (local month starts), summed again
    /// only when an income row was added or a month began: a year of a large community's
    /// payments is tens of thousands of rows, and summing them on every staff page view cost
    /// more than the rest of the page (`cargo bench --bench web`).
    pub async fn income_by_month(
        &self,
        db: &crate::db::Db,
        months: &[(String, i64)],
        end: i64,
    ) -> sqlx::Result<std::sync::Arc<Vec<(String, String, String, i64)>>> {
        let last_row = crate::features::membership::store::last_income_id(db).await?;
        if let Some(kept) = self.income.lock().expect("income lock").as_ref() {
            if kept.last_row == last_row && kept.months == months {
                return Ok(kept.rows.clone());
            }
        }
        let rows = std::sync::Arc::new(
            crate::features::membership::store::income_by_month(db, months, end).await?,
        );
        *self.income.lock().expect("income lock") = Some(Income {
            last_row,
            months: months.to_vec(),
            rows: rows.clone(),
        });
        Ok(rows)
    }

    /// With the gateway's cache, for channel visibility.
    pub fn with_cache(mut self, cache: std::sync::Arc<serenity::all::Cache>) -> DiscordAccess {
        self.cache = Some(cache);
        self
    }

    /// With the bot's rate limiter, for the REST calls pages make.
    pub fn with_rate_limiter(
        mut self,
        limiter: std::sync::Arc<crate::discord::rate_limits::RateLimiter>,
    ) -> DiscordAccess {
        self.limiter = Some(limiter);
        self
    }

    /// A page's `GET path` to Discord, waiting its turn at the bot's rate limiter (straight
    /// through when the door has none: a test's state).
    async fn rate_limited<T>(&self, path: &str, call: impl std::future::Future<Output = T>) -> T {
        match &self.limiter {
            Some(limiter) => limiter.around(reqwest::Method::GET, path, call).await,
            None => call.await,
        }
    }

    /// `member` as a member of `guild` now: from the gateway's cache (kept current by member
    /// events), else asked of Discord through the shared limiter; `None` when Discord says they
    /// are not in the server (left, kicked, banned).
    pub async fn member_now(
        &self,
        guild: serenity::all::GuildId,
        member: serenity::all::UserId,
    ) -> anyhow::Result<Option<serenity::all::Member>> {
        if let Some(found) = self
            .cache
            .as_ref()
            .and_then(|cache| cache.guild(guild)?.members.get(&member).cloned())
        {
            return Ok(Some(found));
        }
        let path = format!("/guilds/{guild}/members/{member}");
        match self
            .rate_limited(&path, self.http.get_member(guild, member))
            .await
        {
            Ok(found) => Ok(Some(found)),
            Err(serenity::Error::Http(e)) if e.status_code().is_some_and(|s| s.as_u16() == 404) => {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A user by id, whether in the server or not (to name a former member), through the limiter.
    pub async fn user(
        &self,
        user: serenity::all::UserId,
    ) -> anyhow::Result<Option<serenity::all::User>> {
        let path = format!("/users/{user}");
        match self.rate_limited(&path, self.http.get_user(user)).await {
            Ok(found) => Ok(Some(found)),
            Err(serenity::Error::Http(e)) if e.status_code().is_some_and(|s| s.as_u16() == 404) => {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The channels among `channels` that `member` can view now, by Discord's rules (their
    /// roles against the channels' overwrites, both from the gateway's cache; the member asked
    /// of Discord through the limiter only when the cache has not seen them).
    pub async fn visible_to(
        &self,
        guild: serenity::all::GuildId,
        member: serenity::all::UserId,
        channels: &[u64],
    ) -> std::collections::HashSet<u64> {
        let Some(cache) = &self.cache else {
            return Default::default();
        };
        let Ok(Some(found)) = self.member_now(guild, member).await else {
            return Default::default();
        };
        let Some(guild) = cache.guild(guild) else {
            return Default::default();
        };
        channels
            .iter()
            .copied()
            .filter(|id| {
                guild
                    .channels
                    .get(&serenity::all::ChannelId::new(*id))
                    .is_some_and(|c| guild.user_permissions_in(c, &found).view_channel())
            })
            .collect()
    }

    /// Where Discord sends the browser back after consent.
    pub fn redirect_uri(&self) -> String {
        format!("{}/auth/callback", self.base_url)
    }

    /// The server's owner now: from the gateway's cache (GUILD_UPDATE carries an ownership
    /// transfer), else asked of Discord through the limiter.
    pub async fn guild_owner(
        &self,
        guild: serenity::all::GuildId,
    ) -> anyhow::Result<Option<serenity::all::UserId>> {
        if let Some(owner) = self
            .cache
            .as_ref()
            .and_then(|cache| cache.guild(guild).map(|g| g.owner_id))
        {
            return Ok(Some(owner));
        }
        let path = format!("/guilds/{guild}");
        let found = self.rate_limited(&path, self.http.get_guild(guild)).await?;
        Ok(Some(found.owner_id))
    }
}

/// The web's state: the app's, and the door's.
#[derive(Clone)]
pub struct Web {
    pub app: AppState,
    pub discord: std::sync::Arc<DiscordAccess>,
}

impl axum::extract::FromRef<Web> for AppState {
    fn from_ref(web: &Web) -> AppState {
        web.app.clone()
    }
}

pub fn router(state: AppState, discord: DiscordAccess) -> Router {
    let web = Web {
        app: state,
        discord: std::sync::Arc::new(discord),
    };
    let pages = Router::new()
        .route("/", get(pages::home))
        .route("/lyceum.css", get(pages::stylesheet))
        .route("/lang", get(pages::switch_language))
        .route("/leaderboard", get(pages::leaderboard))
        .route("/products/:id", get(products::show))
        .route("/me", get(pages::me))
        .route("/me/export.json", get(pages::export))
        .route("/me/calendar.ics", get(calendar::feed))
        .route("/me/calendar", axum::routing::post(calendar::manage))
        .route("/staff", get(pages::staff))
        .route("/staff/charts/:name", get(pages::staff_chart))
        .route("/staff/renewals", get(pages::staff_renewals))
        .route("/events", get(events::list))
        .route("/events/:id", get(events::show))
        .route("/events/:id/rsvp", axum::routing::post(events::rsvp))
        .route("/login", get(login::login))
        .route("/auth/callback", get(login::callback))
        .route("/logout", axum::routing::post(login::logout))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/calendar.ics", get(calendar))
        .route(
            "/webhooks/stripe",
            axum::routing::post(stripe_webhook)
                .layer(axum::extract::DefaultBodyLimit::max(WEBHOOK_MAX_BYTES)),
        );
    // Each feature's staff actions (`POST /staff/feedback/{id}`, `/staff/outbox/{id}/retry`).
    staff_actions::register(pages).with_state(web)
}

/// A delivery run longer than this means the worker is stuck (one run is one item: at most
/// a few calls of 15 s each).
const DELIVERY_STUCK_AFTER: Duration = Duration::from_secs(120);

/// 200 when the bot can do its job; 503 with the reasons when it cannot: the database is
/// unreachable, the delivery worker died or is stuck, Discord refuses the token, or chat points
/// cannot be committed. Always reports the gateway, the outbox depth, the oldest pending item's
/// age, the token's state, the chat points not yet committed and the role removals Discord
/// refused (`roles_out_of_sync`: members who keep a role they should have lost).
async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let mut problems: Vec<String> = Vec::new();
    let database = state.db.ping().await;
    let counts = if database {
        outbox_store::counts(&state.db).await.ok()
    } else {
        None
    };
    let oldest = if database {
        outbox_store::oldest_pending(&state.db).await.ok().flatten()
    } else {
        None
    };
    let out_of_sync = if database {
        outbox_store::roles_out_of_sync(&state.db).await.ok()
    } else {
        None
    };
    if !database || counts.is_none() {
        problems.push("database unreachable".into());
    }
    let delivery = state.health.job_problem("outbox", DELIVERY_STUCK_AFTER);
    problems.extend(delivery.clone());
    let auth = state.health.discord_auth();
    if auth == DiscordAuth::Unauthorized {
        problems.push("Discord refuses the bot token (401); delivery is paused".into());
    }
    let uncommitted = crate::features::points::engine(&state).uncommitted();
    if crate::features::points::engine(&state).writer_failing() {
        problems.push(format!(
            "chat points cannot be committed ({uncommitted} waiting); retrying"
        ));
    }
    let now = to_millis(state.clock.now());
    let oldest_age = oldest.map(|created| (now - created).max(0) / 1000);
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "gateway": state.gateway.get(),
        "database": if database { "ok" } else { "unreachable" },
        "delivery": if delivery.is_none() { "alive" } else { "down" },
        "discord_auth": auth.as_str(),
        "outbox_pending": counts.map(|c| c.pending),
        "outbox_failed": counts.map(|c| c.failed),
        "outbox_oldest_pending_age_s": oldest_age,
        "points_uncommitted": uncommitted,
        "roles_out_of_sync": out_of_sync,
        "problems": problems,
    });
    (status, Json(body))
}

/// The community's public events as iCalendar, for members' calendar apps.
async fn calendar(State(state): State<AppState>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let config = state.config.snapshot();
    let public = state.public_channels.get();
    let feed = crate::features::schedule::feed::calendar(
        &state.db,
        &config,
        state.clock.now(),
        public.as_deref(),
    );
    match feed.await {
        Ok(body) => (
            StatusCode::OK,
            [("content-type", "text/calendar; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "calendar feed failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// Stripe's events are a few kilobytes; anything near this is not Stripe.
const WEBHOOK_MAX_BYTES: usize = 256 * 1024;

/// `POST /webhooks/stripe`: the signature is verified before the body is parsed; a bad or
/// missing one is a 400 and changes nothing. Each event applies once (by id); unknown types
/// are answered 200 and ignored, so Stripe stops retrying them.
async fn stripe_webhook(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> (StatusCode, &'static str) {
    use crate::features::membership::stripe;
    let Some(secret) = state.part::<stripe::WebhookSecret>().0.as_deref() else {
        tracing::warn!("Stripe webhook received but STRIPE_WEBHOOK_SECRET is not set");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "webhook secret not configured\n",
        );
    };
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    if let Err(problem) = stripe::verify(signature, &body, secret, state.clock.now()) {
        tracing::warn!(?problem, "Stripe webhook refused: bad signature");
        return (StatusCode::BAD_REQUEST, "bad signature\n");
    }
    let Ok(event) = serde_json::from_slice::<stripe::Event>(&body) else {
        return (StatusCode::BAD_REQUEST, "not a Stripe event\n");
    };
    match stripe::receive(&state, &event).await {
        Ok(applied) => {
            tracing::info!(id = %event.id, kind = %event.kind, ?applied, "Stripe event");
            (StatusCode::OK, "ok\n")
        }
        Err(e) => {
            // 500: Stripe retries, and nothing was committed.
            tracing::error!(id = %event.id, error = ?e, "Stripe event failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "retry later\n")
        }
    }
}

/// Prometheus text format: outbox depth by status, whether the gateway is connected, messages
/// decided, and chat points committed and waiting.
async fn metrics(State(state): State<AppState>) -> (StatusCode, String) {
    let Ok(by_status) = outbox_store::counts_by_status(&state.db).await else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "# database unreachable\n".into(),
        );
    };
    let mut text = String::from(
        "# HELP lyceum_outbox_items Outbox items by status.\n# TYPE lyceum_outbox_items gauge\n",
    );
    for status in crate::outbox::Status::ALL.iter().copied() {
        let n = outbox_store::count_of(&by_status, status);
        text.push_str(&format!("lyceum_outbox_items{{status=\"{status}\"}} {n}\n"));
    }
    let connected = u8::from(state.gateway.get() == "connected");
    let points = crate::features::points::engine(&state);
    for (name, kind, help, value) in [
        (
            "lyceum_gateway_connected",
            "gauge",
            "1 when the Discord gateway session is up.",
            u64::from(connected),
        ),
        (
            "lyceum_gateway_messages_total",
            "counter",
            "Messages decided (automod, points) since start.",
            state.health.messages_seen(),
        ),
        (
            "lyceum_points_uncommitted",
            "gauge",
            "Chat points decided but not yet committed (a crash loses these).",
            points.uncommitted(),
        ),
        (
            "lyceum_points_committed_total",
            "counter",
            "Chat point entries committed since start.",
            points.committed_entries(),
        ),
    ] {
        text.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"
        ));
    }
    (StatusCode::OK, text)
}

/// Binds `addr` (port 0 picks a free one) and serves until `shutdown` flips.
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    mut discord: DiscordAccess,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on web.bind = {addr}: {e}"))?;
    let local = listener.local_addr()?;
    discord.base_url = state
        .config
        .snapshot()
        .web
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{local}"));
    let app = router(state, discord);
    let task = tokio::spawn(async move {
        let stop = async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        };
        // No Nagle: a page's last segment leaves at once instead of waiting for the
        // browser's delayed ACK.
        if let Err(e) = axum::serve(listener, app)
            .tcp_nodelay(true)
            .with_graceful_shutdown(stop)
            .await
        {
            tracing::error!(error = %e, "web server failed");
        }
    });
    Ok((local, task))
}
