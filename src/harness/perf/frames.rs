//! What one MESSAGE_CREATE frame costs the bot before it is decided, step by step, in process:
//! serenity's decode (the whole frame into its gateway event: a JSON tree, then its event enum
//! through serde's buffered content, then the full message), serenity's cache update for it,
//! and the gateway front's two steps (the relay's envelope read; the lane's decode of the
//! fields the handlers read). Deciding is the pipeline's service time, measured beside it.

use std::time::Instant;

use poise::serenity_prelude as serenity;
use serde::Serialize;

use crate::harness::sim::{ids, World};

#[derive(Debug, Clone, Serialize)]
pub struct FrameCosts {
    pub serenity_decode_us: f64,
    pub serenity_cache_us: f64,
    pub front_envelope_us: f64,
    pub front_decode_us: f64,
}

/// A member's message as the simulated gateway sends it.
fn frame(world: &World, i: u64) -> String {
    let text = world.message_text(
        10_000 + i,
        ids::CHANNEL_GENERAL,
        ids::MINA,
        &format!("question {i}: how does 借用 relate to lifetimes here?"),
    );
    crate::harness::sim::dispatch_text("MESSAGE_CREATE", i, &text)
}

/// Microseconds per call of `step` over `frames`, the median of three passes.
fn per_frame(frames: &[String], mut step: impl FnMut(&str)) -> f64 {
    let mut passes: Vec<f64> = (0..3)
        .map(|_| {
            let began = Instant::now();
            for text in frames {
                step(text);
            }
            began.elapsed().as_secs_f64() * 1e6 / frames.len() as f64
        })
        .collect();
    passes.sort_by(f64::total_cmp);
    passes[1]
}

pub fn measure(count: usize) -> anyhow::Result<FrameCosts> {
    let world = World::default();
    let frames: Vec<String> = (0..count as u64).map(|i| frame(&world, i)).collect();
    let serenity_decode_us = per_frame(&frames, |text| {
        let event: serenity::GatewayEvent = serde_json::from_str(text).expect("serenity reads it");
        std::hint::black_box(event);
    });
    // The cache as the bot's: its settings, the guild known (from its GUILD_CREATE).
    let cache = serenity::Cache::new_with_settings(crate::app::cache_settings());
    let mut guild: serenity::GuildCreateEvent = serde_json::from_value(world.guild_create())?;
    cache.update(&mut guild);
    let mut events: Vec<serenity::MessageCreateEvent> = frames
        .iter()
        .map(|text| {
            let d = &text[text.find(r#""d":"#).expect("data") + 4..text.len() - 1];
            serde_json::from_str(d)
        })
        .collect::<Result<_, _>>()?;
    let began = Instant::now();
    for event in &mut events {
        std::hint::black_box(cache.update(event));
    }
    let serenity_cache_us = began.elapsed().as_secs_f64() * 1e6 / events.len() as f64;
    let front_envelope_us = per_frame(&frames, |text| {
        std::hint::black_box(crate::app::front::is_message_frame(text));
    });
    let front_decode_us = per_frame(&frames, |text| {
        let message = crate::app::front::decode_message(text).expect("the front reads it");
        std::hint::black_box(message);
    });
    Ok(FrameCosts {
        serenity_decode_us,
        serenity_cache_us,
        front_envelope_us,
        front_decode_us,
    })
}
