//! Highlights' pure decisions: which topic a member typed, whether a highlight matches a
//! search (Chinese by substring, Latin words by word), and the index split into Discord-sized
//! parts.

use crate::config::highlights::Topic;
use crate::i18n::Locale;

/// The topic meant by `input`: its id or its name in any language, ignoring case and spaces.
pub fn topic_of<'a>(topics: &'a [Topic], input: &str) -> Option<&'a Topic> {
    let wanted = input.trim().to_lowercase();
    topics.iter().find(|t| {
        t.id.to_lowercase() == wanted
            || Locale::ALL
                .iter()
                .any(|l| t.name.get(*l).trim().to_lowercase() == wanted)
    })
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Whether `text` matches every term of `query`: a term with Chinese (or other CJK) characters
/// matches as a substring (Chinese has no spaces between words); a Latin term matches the start
/// of a word ("rust" finds "Rust" and "rustacean", not "trust").
pub fn matches(text: &str, query: &str) -> bool {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() || is_cjk(c))
        .filter(|w| !w.is_empty())
        .collect();
    query.split_whitespace().map(str::to_lowercase).all(|term| {
        if term.chars().any(is_cjk) {
            lower.contains(&term)
        } else {
            words.iter().any(|w| w.starts_with(&term))
        }
    })
}

/// Lines packed into parts of at most `limit` characters each (a line longer than the limit
/// is cut), in order; at least one part.
pub fn parts(lines: &[String], limit: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    for line in lines {
        let line: String = line.chars().take(limit).collect();
        let current = out.last_mut().expect("one part");
        let needed = line.chars().count() + usize::from(!current.is_empty());
        if current.chars().count() + needed > limit {
            out.push(line);
        } else {
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(&line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::LocalizedText;

    #[test]
    fn search_finds_chinese_substrings_and_latin_words() {
        let text = "Rust 所有权入门：借用与生命周期 (async basics)";
        assert!(matches(text, "所有权"));
        assert!(matches(text, "生命周期 rust"));
        assert!(matches(text, "ASYNC"));
        assert!(matches(text, "bas"));
        assert!(!matches(text, "trust"));
        assert!(!matches(text, "所有权 python"));
        assert!(!matches("trust me", "rust"));
    }

    #[test]
    fn topics_are_found_by_id_or_name_in_either_language() {
        let mut name = LocalizedText::default();
        name.set(Locale::En, "Getting started".into());
        name.set(Locale::ZhCn, "入门".into());
        let topics = vec![Topic {
            id: "basics".into(),
            name,
        }];
        assert!(topic_of(&topics, " Basics ").is_some());
        assert!(topic_of(&topics, "入门").is_some());
        assert!(topic_of(&topics, "getting started").is_some());
        assert!(topic_of(&topics, "advanced").is_none());
    }

    #[test]
    fn the_index_splits_into_parts_within_the_limit() {
        let lines: Vec<String> = (0..100)
            .map(|i| format!("line {i:03} {}", "x".repeat(40)))
            .collect();
        let parts = parts(&lines, 1_000);
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| p.chars().count() <= 1_000));
        assert_eq!(parts.join("\n"), lines.join("\n"));
        assert_eq!(super::parts(&[], 10), vec![String::new()]);
    }
}
