//! `cargo bench --bench pipeline` (`-- --quick` for small counts): lyceum's message pipeline
//! against a naive design in the same run. See `lyceum::harness::perf` and the README's performance
//! section. Exits non-zero when the designs decide differently.

use lyceum::harness::perf::{self, Options};

fn main() -> anyhow::Result<()> {
    let quick = std::env::args().any(|a| a == "--quick");
    let opts = if quick {
        Options::quick()
    } else {
        Options::full()
    }
    .with_process(env!("CARGO_BIN_EXE_lyceum").into(), quick);
    // Two workers, as the bot runs on a 2-core VPS: the hot path and the batch writer in
    // parallel.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    // `-- --process-only`: the whole-process section alone (replies, ingest, cold start), for
    // working on the front door without the six-minute run.
    if std::env::args().any(|a| a == "--process-only") {
        let process = opts.process.clone().expect("process options");
        let report = runtime.block_on(lyceum::harness::perf::process::run(&process, |line| {
            println!("  {line}")
        }))?;
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!(
        "lyceum pipeline bench: {} messages from {} members in {} channels; naive design on the first {}; {} rounds",
        opts.messages, opts.members, opts.channels, opts.naive_messages, opts.rounds
    );
    let report = runtime.block_on(perf::run(&opts, |line| println!("  {line}")))?;
    println!();
    println!("median                       lyceum        naive      ratio");
    println!(
        "messages/s              {:>11.0}  {:>11.0}  {:>8.1}×",
        report.msgs_per_s, report.naive_msgs_per_s, report.pipeline_ratio
    );
    println!(
        "automod ns/message      {:>11.0}  {:>11.0}  {:>8.1}×",
        report.automod_ns_per_msg, report.naive_automod_ns_per_msg, report.automod_ratio
    );
    println!(
        "service time            p50 {:.2} µs · p99 {:.2} µs",
        report.service_p50_us, report.service_p99_us
    );
    println!(
        "durability lag          p50 {:.1} ms · p99 {:.1} ms back to back (flush every 100 ms)",
        report.durability_lag_p50_ms, report.durability_lag_p99_ms
    );
    println!(
        "durability lag, paced   p50 {:.1} ms · p99 {:.1} ms at {:.0} msg/s",
        report.durability_lag_p50_ms_paced,
        report.durability_lag_p99_ms_paced,
        report.paced_msgs_per_s
    );
    println!(
        "points writer           {:.0} rows/s into a {}-row ledger · second half ÷ first {:.2}×",
        report.writer_rows_per_s, report.ledger_rows, report.writer_growth_ratio
    );
    println!(
        "hot-path state          {:.0} bytes per member",
        report.bytes_per_member
    );
    println!(
        "outbox role storm       {:.1} items/s · {:.2}× the limits' floor · {:.1}× one-at-a-time · {} 429s",
        report.outbox_items_per_s,
        report.outbox_limit_ratio,
        report.outbox_speedup,
        report.outbox_429s
    );
    println!(
        "scheduler idle          {:.2}% of a core with {} active schedules",
        report.scheduler_idle_cpu_percent, report.schedules
    );
    println!(
        "reconcile diff          {:.1} ms over {} members",
        report.reconcile_diff_ms, report.reconcile_members
    );
    if let (Some(members), Some(rss)) = (report.process_members, report.rss_mb_100k_members) {
        println!("whole process           {rss:.0} MB resident at idle with {members} members");
    }
    if let (Some(idle), Some(flood), Some(rate)) = (
        report.reply_p99_ms_idle,
        report.reply_p99_ms_flood,
        report.flood_msgs_per_s,
    ) {
        println!("slash reply p99         idle {idle:.1} ms · under {rate:.0} msg/s {flood:.1} ms");
    }
    if let (Some(heavy), Some(rate)) = (report.reply_p99_ms_flood_20k, report.flood_20k_msgs_per_s)
    {
        println!("                        under {rate:.0} msg/s {heavy:.1} ms");
    }
    if let (Some(idle), Some(heavy)) = (report.answer_p99_ms_idle, report.answer_p99_ms_flood_20k) {
        println!("  the bot's share       idle {idle:.2} ms · under the heavier flood {heavy:.2} ms (to its answer reaching the simulator)");
    }
    if let (Some(rate), Some(before), Some(ratio)) = (
        report.ingest_msgs_per_s,
        report.ingest_msgs_per_s_before,
        report.ingest_ratio_vs_before,
    ) {
        println!(
            "gateway ingest          {rate:.0} msg/s end to end · serenity's decode path {before:.0} msg/s · {ratio:.1}× ({:.1}% of the in-process rate)",
            100.0 * rate / report.msgs_per_s
        );
    }
    println!(
        "one frame, before deciding  serenity: decode {:.2} µs + cache {:.2} µs · the front: envelope {:.2} µs + message {:.2} µs · deciding p50 {:.2} µs",
        report.frame_serenity_decode_us,
        report.frame_serenity_cache_us,
        report.frame_front_envelope_us,
        report.frame_front_decode_us,
        report.service_p50_us
    );
    if let (Some(ms), Some(max), Some(members), Some(rss)) = (
        report.cold_start_ms,
        report.cold_start_max_ms,
        report.cold_start_members,
        report.idle_rss_mb_after_start,
    ) {
        println!(
            "cold start              {ms:.0} ms median · {max:.0} ms slowest to commands registered, {members} members in the database · {rss:.0} MB resident after start"
        );
    }
    println!(
        "decisions               {}",
        if report.decisions_match {
            "match"
        } else {
            "DIFFER"
        }
    );
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("pipeline.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    println!("written to {}", path.display());
    if !report.decisions_match {
        std::process::exit(1);
    }
    // Small counts say nothing about speed: only a full run is held to the targets.
    let wrong = if quick {
        Vec::new()
    } else {
        perf::shortfalls(&report)
    };
    for line in &wrong {
        println!("FAILED: {line}");
    }
    if !wrong.is_empty() {
        std::process::exit(1);
    }
    Ok(())
}
