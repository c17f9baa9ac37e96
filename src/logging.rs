//! Logs that never carry a secret. Every log line passes through [`redact`] on its way out
//! (the writer does it, so serenity's and reqwest's own lines are covered too): interaction and
//! webhook tokens in URLs, `Bot …` authorization values, and any secret registered at start
//! (the bot token, webhook secrets) become `[redacted]`.

use std::io::Write;
use std::sync::{OnceLock, RwLock};

use tracing_subscriber::fmt::MakeWriter;

const REDACTED: &str = "[redacted]";

fn secrets() -> &'static RwLock<Vec<String>> {
    static SECRETS: OnceLock<RwLock<Vec<String>>> = OnceLock::new();
    SECRETS.get_or_init(Default::default)
}

/// Adds a value that must never appear in a log line. Short values are ignored: they would
/// redact ordinary words.
pub fn register_secret(secret: &str) {
    let secret = secret.trim();
    if secret.len() < 8 {
        return;
    }
    let mut list = secrets().write().expect("secrets lock");
    if !list.iter().any(|s| s == secret) {
        list.push(secret.to_string());
    }
}

/// Replaces the path segment after `marker` + one id segment (`/interactions/{id}/{token}`,
/// `/webhooks/{application}/{token}`) with `[redacted]`.
fn redact_token_segments(text: &str, marker: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(marker) {
        let after_marker = start + marker.len();
        out.push_str(&rest[..after_marker]);
        rest = &rest[after_marker..];
        // The id segment, kept.
        let id_end = rest
            .find('/')
            .filter(|&i| rest[..i].bytes().all(|b| b.is_ascii_digit()));
        let Some(id_end) = id_end else {
            continue;
        };
        out.push_str(&rest[..=id_end]);
        rest = &rest[id_end + 1..];
        let token_end = rest
            .find(|c: char| {
                c == '/' || c == '?' || c == '"' || c == '\'' || c.is_whitespace() || c == ')'
            })
            .unwrap_or(rest.len());
        if token_end > 0 {
            out.push_str(REDACTED);
        }
        rest = &rest[token_end..];
    }
    out.push_str(rest);
    out
}

/// `Bot <token>` and `Bearer <token>` authorization values.
fn redact_authorization(text: &str) -> String {
    let mut out = text.to_string();
    for scheme in ["Bot ", "Bearer "] {
        let mut from = 0;
        while let Some(found) = out[from..].find(scheme) {
            let start = from + found + scheme.len();
            let end = out[start..]
                .find(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ',')
                .map_or(out.len(), |e| start + e);
            // Only token-shaped values (long, no spaces): "Bot is ready" stays readable.
            if end - start >= 20 {
                out.replace_range(start..end, REDACTED);
                from = start + REDACTED.len();
            } else {
                from = start;
            }
        }
    }
    out
}

/// The text with every known kind of secret replaced by `[redacted]`.
pub fn redact(text: &str) -> String {
    let mut out = redact_token_segments(text, "/interactions/");
    out = redact_token_segments(&out, "/webhooks/");
    out = redact_authorization(&out);
    for secret in secrets().read().expect("secrets lock").iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), REDACTED);
        }
    }
    out
}

/// A `MakeWriter` whose writers redact each formatted line before passing it on.
#[derive(Clone)]
pub struct Redacting<M>(pub M);

pub struct RedactingWriter<W: Write> {
    inner: W,
    buffer: Vec<u8>,
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.buffer.is_empty() {
            let text = redact(&String::from_utf8_lossy(&self.buffer));
            self.buffer.clear();
            self.inner.write_all(text.as_bytes())?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        // The fmt layer makes one writer per event and drops it after the line.
        let _ = self.flush();
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter {
            inner: self.0.make_writer(),
            buffer: Vec::new(),
        }
    }
}

/// Installs the process's log subscriber: `RUST_LOG` or `default`, to stderr, redacted.
pub fn init(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(Redacting(std::io::stderr))
        .init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interaction_and_webhook_tokens_are_redacted_and_ids_kept() {
        let line = r#"UnsuccessfulRequest { url: "http://127.0.0.1:4/api/v10/interactions/123/aW50ZXJhY3Rpb246dG9rZW4/callback" }"#;
        let redacted = redact(line);
        assert!(!redacted.contains("aW50ZXJhY3Rpb246dG9rZW4"), "{redacted}");
        assert!(
            redacted.contains("/interactions/123/[redacted]/callback"),
            "{redacted}"
        );

        let line = "POST /api/v10/webhooks/42/secret-followup-token?wait=true failed";
        assert_eq!(
            redact(line),
            "POST /api/v10/webhooks/42/[redacted]?wait=true failed"
        );
        let line = "url: https://discord.com/api/v10/webhooks/42/tok";
        assert_eq!(
            redact(line),
            "url: https://discord.com/api/v10/webhooks/42/[redacted]"
        );
    }

    #[test]
    fn authorization_values_and_registered_secrets_are_redacted() {
        let line = "header Authorization: Bot MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs sent";
        assert_eq!(redact(line), "header Authorization: Bot [redacted] sent");
        assert_eq!(redact("Bot is ready"), "Bot is ready");
        register_secret("whsec_test_secret_value");
        assert_eq!(
            redact("secret=whsec_test_secret_value;"),
            "secret=[redacted];"
        );
        register_secret("short");
        assert_eq!(redact("a short word"), "a short word");
    }

    #[test]
    fn text_without_secrets_is_unchanged_including_chinese() {
        let line = "outbox item delivered id=5 kind=add_role 授予 /interactions/ end";
        assert_eq!(redact(line), line);
    }
}
