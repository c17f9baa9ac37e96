//! What every feature shares: the audit log and the one way to post a mod-log line. No poise,
//! no serenity client types: operations call these from commands, events, jobs and webhooks.

pub mod audit;
pub mod modlog;
