//! Replies that always fit Discord's limits: one message is at most 2,000 characters, so long
//! lists are cut into pages and anything else is shortened with an ellipsis.

use crate::discord::Context;
use crate::i18n::Locale;
use crate::t;

/// Discord's limit on message content, in characters.
pub const MAX_CONTENT: usize = 2000;
/// Room kept for a page footer.
const PAGE_BUDGET: usize = 1800;

/// Shortens `text` to Discord's content limit.
pub fn fit(text: String) -> String {
    if text.chars().count() <= MAX_CONTENT {
        return text;
    }
    let mut cut: String = text.chars().take(MAX_CONTENT - 1).collect();
    cut.push('…');
    cut
}

pub async fn ephemeral(ctx: Context<'_>, text: String) -> Result<(), serenity::Error> {
    ctx.send(
        poise::CreateReply::default()
            .content(fit(text))
            .ephemeral(true),
    )
    .await
    .map(|_| ())
}

/// Splits `lines` into pages that each fit a message; returns page `page` (1-based, clamped)
/// with a header and, when there is more than one page, a footer saying how to see the rest.
pub fn paginate(header: &str, lines: &[String], page: usize, locale: Locale) -> String {
    let mut pages: Vec<Vec<&str>> = vec![Vec::new()];
    let mut used = header.chars().count();
    for line in lines {
        let len = line.chars().count() + 1;
        let current = pages.last_mut().expect("at least one page");
        if !current.is_empty() && used + len > PAGE_BUDGET {
            pages.push(Vec::new());
            used = header.chars().count();
        }
        pages.last_mut().expect("at least one page").push(line);
        used += len;
    }
    let total = pages.len();
    let index = page.clamp(1, total);
    let mut text = String::from(header);
    for line in &pages[index - 1] {
        text.push('\n');
        text.push_str(line);
    }
    if total > 1 {
        text.push_str("\n\n");
        text.push_str(&t!(
            locale,
            "page-footer",
            page = index as i64,
            total = total as i64
        ));
    }
    fit(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_to_the_limit() {
        let text = fit("x".repeat(5000));
        assert_eq!(text.chars().count(), MAX_CONTENT);
        assert!(text.ends_with('…'));
        assert_eq!(fit("short".into()), "short");
    }

    #[test]
    fn long_lists_paginate_within_the_limit() {
        let lines: Vec<String> = (0..300)
            .map(|i| format!("line number {i:03} {}", "x".repeat(40)))
            .collect();
        let first = paginate("Header", &lines, 1, Locale::En);
        assert!(first.chars().count() <= MAX_CONTENT);
        assert!(first.contains("line number 000"));
        assert!(first.contains("Page 1/"), "{first}");
        let last = paginate("Header", &lines, 999, Locale::En);
        assert!(last.contains("line number 299"));
        assert!(!last.contains("line number 000"));
        let one = paginate("Header", &lines[..2], 1, Locale::En);
        assert!(!one.contains("Page"), "{one}");
    }
}
