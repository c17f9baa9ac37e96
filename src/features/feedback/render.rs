//! Feedback as staff read it on Discord: the staff post with its status buttons. Pure.

use serde_json::{json, Value};

use super::store::FeedbackRow;
use super::{BUTTON_PREFIX, REPLY_PREFIX};
use crate::discord::components::{self, Field, Style};
use crate::i18n::Locale;
use crate::outbox::MessageBody;
use crate::t;

/// The staff post: the text, who sent it (or "anonymous"), the status, and the buttons.
pub fn staff_post(locale: Locale, row: &FeedbackRow) -> MessageBody {
    let author = if row.anonymous {
        t!(locale, "feedback-anonymous")
    } else {
        format!("<@{}>", row.member_id)
    };
    let embed = json!({
        "title": format!("💬 {} #{}", row.kind.label(locale), row.id),
        "description": row.text,
        "color": 0xFEE75C,
        "fields": [
            { "name": t!(locale, "feedback-field-from"), "value": author, "inline": true },
            { "name": t!(locale, "feedback-field-status"), "value": row.status.label(locale), "inline": true },
        ],
    });
    let button = |status: super::Status, style: Style| {
        let id = format!("{BUTTON_PREFIX}{}:{}", row.id, status.as_str());
        let button = components::button(id, status.label(locale), style);
        components::disabled(button, row.status == status)
    };
    let reply = components::button(
        format!("{REPLY_PREFIX}{}", row.id),
        t!(locale, "feedback-reply"),
        Style::Secondary,
    );
    MessageBody {
        content: String::new(),
        embeds: vec![embed],
        components: vec![components::row(vec![
            button(super::Status::Planned, Style::Primary),
            button(super::Status::Done, Style::Success),
            button(super::Status::Declined, Style::Danger),
            reply,
        ])],
        ..Default::default()
    }
}

/// The form a Reply press opens: the answer to the author of feedback `id`.
pub fn reply_form(id: i64, locale: Locale) -> Value {
    let title = t!(locale, "feedback-reply-title", id = id);
    let field = Field::new("reply", &t!(locale, "feedback-reply-label"), 1500)
        .paragraph()
        .min(1);
    components::form(format!("{REPLY_PREFIX}{id}"), &title, &[field])
}

/// The feedback a Reply button's or form's custom id names.
pub fn reply_target(custom_id: &str) -> Option<i64> {
    custom_id.strip_prefix(REPLY_PREFIX)?.parse().ok()
}
