//! Feedback as members and staff read it: kind and status names, the staff post with its
//! status buttons. Pure.

use serde_json::{json, Value};

use super::store::FeedbackRow;
use super::{BUTTON_PREFIX, REPLY_PREFIX};
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
    super::Status::parse(status)
        .unwrap_or(super::Status::New)
        .label(locale)
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
    let button = |status: super::Status, style: u8| {
        json!({
            "type": 2,
            "style": style,
            "label": status.label(locale),
            "custom_id": format!("{BUTTON_PREFIX}{}:{}", row.id, status.as_str()),
            "disabled": row.status == status.as_str(),
        })
    };
    MessageBody {
        content: String::new(),
        embeds: vec![embed],
        components: vec![json!({
            "type": 1,
            "components": [
                button(super::Status::Planned, 1),
                button(super::Status::Done, 3),
                button(super::Status::Declined, 4),
                json!({
                    "type": 2,
                    "style": 2,
                    "label": t!(locale, "feedback-reply"),
                    "custom_id": format!("{REPLY_PREFIX}{}", row.id),
                }),
            ],
        })],
        ..Default::default()
    }
}

/// The form a Reply press opens: the answer to the author of feedback `id`.
pub fn reply_form(id: i64, locale: Locale) -> Value {
    let title: String = t!(locale, "feedback-reply-title", id = id)
        .chars()
        .take(45)
        .collect();
    json!({
        "type": 9,
        "data": {
            "custom_id": format!("{REPLY_PREFIX}{id}"),
            "title": title,
            "components": [{ "type": 1, "components": [{
                "type": 4, "custom_id": "reply", "style": 2,
                "label": t!(locale, "feedback-reply-label"),
                "min_length": 1, "max_length": 1500, "required": true,
            }]}],
        },
    })
}

/// The feedback a Reply button's or form's custom id names.
pub fn reply_target(custom_id: &str) -> Option<i64> {
    custom_id.strip_prefix(REPLY_PREFIX)?.parse().ok()
}
