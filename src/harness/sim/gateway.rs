//! The simulated gateway: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME with replay
//! of missed events, and injected dispatches. Frames are plain-text JSON (serenity asks for
//! compression but reads text frames as JSON).

use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::{Frame, Inner, Outgoing};

/// The most frames written before one flush: a burst of dispatches leaves in few writes, as
/// from Discord's own buffered sockets.
const FRAMES_PER_FLUSH: usize = 256;

pub const HEARTBEAT_INTERVAL_MS: u64 = 41_250;

pub async fn upgrade(ws: WebSocketUpgrade, State(sim): State<Arc<Inner>>) -> Response {
    ws.on_upgrade(move |socket| connection(sim, socket))
}

async fn connection(sim: Arc<Inner>, socket: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let conn_id = sim.attach(tx.clone());
    let (mut sink, mut stream) = socket.split();
    let hello = json!({ "op": 10, "d": { "heartbeat_interval": HEARTBEAT_INTERVAL_MS }, "s": null, "t": null });
    let _ = tx.send(Outgoing::Frame(Frame::new(&hello)));
    let mut batch: Vec<Frame> = Vec::with_capacity(FRAMES_PER_FLUSH);
    loop {
        tokio::select! {
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    match serde_json::from_str::<Value>(&text) {
                        Ok(frame) => handle(&sim, &tx, frame),
                        Err(e) => tracing::warn!(error = %e, "sim gateway: undecodable frame"),
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            outgoing = rx.recv() => match outgoing {
                Some(Outgoing::Frame(frame)) => {
                    // This frame and whatever else is already queued, in one flush.
                    batch.push(frame);
                    let mut end = None;
                    while batch.len() < FRAMES_PER_FLUSH {
                        match rx.try_recv() {
                            Ok(Outgoing::Frame(frame)) => batch.push(frame),
                            Ok(other) => {
                                end = Some(other);
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    sim.record_frames(&batch);
                    let mut failed = false;
                    for frame in batch.drain(..) {
                        if sink.feed(Message::Text(frame.text.to_string())).await.is_err() {
                            failed = true;
                            break;
                        }
                    }
                    if failed || sink.flush().await.is_err() {
                        break;
                    }
                    match end {
                        Some(Outgoing::Close(code, reason)) => {
                            close(&mut sink, code, reason).await;
                            break;
                        }
                        Some(_) => break,
                        None => {}
                    }
                }
                Some(Outgoing::Close(code, reason)) => {
                    close(&mut sink, code, reason).await;
                    break;
                }
                // Vanish without a close frame, as a dropped connection would.
                Some(Outgoing::Drop) | None => break,
            },
        }
    }
    sim.detach(conn_id);
}

/// A close frame with this code and reason (the connection ends after it).
async fn close(
    sink: &mut futures::stream::SplitSink<WebSocket, Message>,
    code: u16,
    reason: &'static str,
) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = sink.send(Message::Close(Some(frame))).await;
}

fn handle(sim: &Inner, tx: &mpsc::UnboundedSender<Outgoing>, frame: Value) {
    let op = frame.get("op").and_then(Value::as_u64).unwrap_or(u64::MAX);
    let d = frame.get("d").cloned().unwrap_or(Value::Null);
    match op {
        1 => {
            let ack = json!({ "op": 11, "d": null, "s": null, "t": null });
            let _ = tx.send(Outgoing::Frame(Frame::new(&ack)));
        }
        2 => {
            let token = d.get("token").and_then(Value::as_str).unwrap_or_default();
            if token.trim_start_matches("Bot ") != sim.token {
                let _ = tx.send(Outgoing::Close(4004, "Authentication failed."));
                return;
            }
            sim.identify();
        }
        6 => {
            let session = d
                .get("session_id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let seq = d.get("seq").and_then(Value::as_u64).unwrap_or(0);
            if !sim.resume(session, seq) {
                let invalid = json!({ "op": 9, "d": false, "s": null, "t": null });
                let _ = tx.send(Outgoing::Frame(Frame::new(&invalid)));
            }
        }
        // Presence, voice and request-members frames are accepted and ignored.
        _ => {}
    }
}
