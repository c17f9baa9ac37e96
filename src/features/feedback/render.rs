//! Feedback as members and staff read it: kind and status names, the staff post with its
//! status buttons. Pure.

use serde_json::json;

use super::store::FeedbackRow;
use super::BUTTON_PREFIX;
use crate::i18n::Locale;
use crate::outbox::MessageBody;
use crate::t;

fn kind_name(locale: Locale, kind: &str) -> String {
    match kind {
        "bug" => t!(locale, "feedback-kind-bug"),
        "content_request" => t!(locale, "feedback-kind-content"),
        _ => t!(locale, "feedback-kind-suggestion"),
    }
}

pub fn status_name(locale: Locale, status: &str) -> String {
    match status {
        "planned" => t!(locale, "feedback-status-planned"),
        "done" => t!(locale, "feedback-status-done"),
        "declined" => t!(locale, "feedback-status-declined"),
        _ => t!(locale, "feedback-status-new"),
    }
}

/// The staff post: the text, who sent it (or "anonymous"), the status, and the buttons.
pub fn staff_post(locale: Locale, row: &FeedbackRow) -> MessageBody {
    let author = if row.anonymous {
        t!(locale, "feedback-anonymous")
    } else {
        format!("<@{}>", row.member_id)
    };
    let embed = json!({
        "title": format!("💬 {} #{}", kind_name(locale, &row.kind), row.id),
        "description": row.text,
        "color": 0xFEE75C,
        "fields": [
            { "name": t!(locale, "feedback-field-from"), "value": author, "inline": true },
            { "name": t!(locale, "feedback-field-status"), "value": status_name(locale, &row.status), "inline": true },
        ],
    });
    let button = |status: &str, style: u8| {
        json!({
            "type": 2,
            "style": style,
            "label": status_name(locale, status),
            "custom_id": format!("{BUTTON_PREFIX}{}:{status}", row.id),
            "disabled": row.status == status,
        })
    };
    MessageBody {
        content: String::new(),
        embeds: vec![embed],
        components: vec![json!({
            "type": 1,
            "components": [button("planned", 1), button("done", 3), button("declined", 4)],
        })],
        ..Default::default()
    }
}
