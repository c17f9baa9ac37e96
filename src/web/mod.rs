//! The HTTP side: `/healthz` and `/metrics` now; webhooks (Stripe) join this router later.

use std::net::SocketAddr;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::outbox::store as outbox_store;
use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// 200 with the gateway state, database reachability and outbox depth; 503 when the database
/// cannot be reached.
async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let database = state.db.ping().await;
    let counts = if database {
        outbox_store::counts(&state.db).await.ok()
    } else {
        None
    };
    let status = if database && counts.is_some() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "gateway": state.gateway.get(),
        "database": if database { "ok" } else { "unreachable" },
        "outbox_pending": counts.map(|c| c.pending),
        "outbox_failed": counts.map(|c| c.failed),
    });
    (status, Json(body))
}

/// Prometheus text format: outbox depth by status and whether the gateway is connected.
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
    for status in ["pending", "delivered", "skipped", "failed"] {
        let n = outbox_store::count_of(&by_status, status);
        text.push_str(&format!("lyceum_outbox_items{{status=\"{status}\"}} {n}\n"));
    }
    let connected = u8::from(state.gateway.get() == "connected");
    text.push_str("# HELP lyceum_gateway_connected 1 when the Discord gateway session is up.\n");
    text.push_str("# TYPE lyceum_gateway_connected gauge\n");
    text.push_str(&format!("lyceum_gateway_connected {connected}\n"));
    (StatusCode::OK, text)
}

/// Binds `addr` (port 0 picks a free one) and serves until `shutdown` flips.
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on web.bind = {addr}: {e}"))?;
    let local = listener.local_addr()?;
    let app = router(state);
    let task = tokio::spawn(async move {
        let stop = async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        };
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await
        {
            tracing::error!(error = %e, "web server failed");
        }
    });
    Ok((local, task))
}
