//! Scripted demo (filled in below).
pub async fn run() -> anyhow::Result<()> { Ok(()) }
