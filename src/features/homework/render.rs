//! Homework as members and staff read it: the assignment's post, a submission's staff post
//! with its review buttons, the review modal and DM. Pure.

use serde_json::{json, Value};

use super::store::{AssignmentRow, SubmissionRow};
use super::{BUTTON_PREFIX, MODAL_PREFIX};
use crate::discord::components::{self, Field, Style};
use crate::i18n::Locale;
use crate::outbox::MessageBody;
use crate::t;

pub fn status_name(locale: Locale, status: &str) -> String {
    match status {
        "reviewed" => t!(locale, "homework-status-reviewed"),
        "needs_work" => t!(locale, "homework-status-needs-work"),
        "featured" => t!(locale, "homework-status-featured"),
        _ => t!(locale, "homework-status-pending"),
    }
}

fn timestamp(ms: i64) -> String {
    format!("<t:{}:f>", ms / 1000)
}

/// The assignment announced to members.
pub fn assignment_post(a: &AssignmentRow, locale: Locale) -> MessageBody {
    let mut description = a.description.clone();
    if !description.is_empty() {
        description.push_str("\n\n");
    }
    description.push_str(&t!(locale, "homework-how-to-submit", id = a.id));
    MessageBody {
        content: String::new(),
        embeds: vec![json!({
            "title": t!(locale, "homework-post-title", id = a.id, title = a.title.clone()),
            "description": description,
            "color": 0x5865F2,
            "fields": [{ "name": t!(locale, "homework-due"), "value": timestamp(a.due_at), "inline": false }],
        })],
        components: Vec::new(),
        ..Default::default()
    }
}

/// A submission for staff: who, what, whether late, its review so far, and the buttons.
pub fn staff_post(s: &SubmissionRow, a: &AssignmentRow, locale: Locale) -> MessageBody {
    let mut fields = vec![
        json!({ "name": t!(locale, "homework-field-member"), "value": format!("<@{}>", s.member_id), "inline": true }),
        json!({ "name": t!(locale, "homework-field-status"), "value": status_name(locale, &s.status), "inline": true }),
    ];
    if s.late {
        fields.push(json!({ "name": t!(locale, "homework-field-late"), "value": timestamp(s.submitted_at), "inline": true }));
    }
    if let Some(link) = &s.link {
        fields.push(
            json!({ "name": t!(locale, "homework-field-link"), "value": link, "inline": false }),
        );
    }
    if let (Some(reviewer), Some(comment)) = (s.reviewer_id, &s.comment) {
        fields.push(json!({ "name": t!(locale, "homework-field-comment"), "value": format!("<@{reviewer}>: {comment}"), "inline": false }));
    }
    let button = |status: &str, style: Style| {
        let id = format!("{BUTTON_PREFIX}{}:{status}", s.id);
        let button = components::button(id, status_name(locale, status), style);
        components::disabled(button, s.status == status)
    };
    let text: String = s.text.chars().take(3_500).collect();
    MessageBody {
        content: String::new(),
        embeds: vec![json!({
            "title": t!(locale, "homework-staff-title", id = a.id, title = a.title.clone()),
            "description": text,
            "color": 0xEB459E,
            "fields": fields,
        })],
        components: vec![components::row(vec![
            button("reviewed", Style::Success),
            button("needs_work", Style::Danger),
            button("featured", Style::Primary),
        ])],
        ..Default::default()
    }
}

/// The review modal: an optional comment for the member.
pub fn review_modal(submission: i64, status: &str, locale: Locale) -> Value {
    let title = t!(
        locale,
        "homework-modal-title",
        status = status_name(locale, status)
    );
    let comment = Field::new("comment", &t!(locale, "homework-modal-comment"), 1000)
        .paragraph()
        .optional();
    components::form(
        format!("{MODAL_PREFIX}{submission}:{status}"),
        &title,
        &[comment],
    )
}

/// `(submission, status)` from a review button's or modal's custom id.
pub fn parse_ids(custom_id: &str) -> Option<(i64, String)> {
    let rest = custom_id
        .strip_prefix(MODAL_PREFIX)
        .or_else(|| custom_id.strip_prefix(BUTTON_PREFIX))?;
    let (id, status) = rest.split_once(':')?;
    super::REVIEWS
        .contains(&status)
        .then(|| Some((id.parse().ok()?, status.to_string())))?
}

/// The member's DM with the review.
pub fn review_dm(
    a: &AssignmentRow,
    status: &str,
    comment: Option<&str>,
    points: i64,
    locale: Locale,
) -> String {
    let mut text = t!(
        locale,
        "homework-review-dm",
        title = a.title.clone(),
        status = status_name(locale, status)
    );
    if let Some(comment) = comment {
        text.push_str(&format!("\n> {}", comment.replace('\n', "\n> ")));
    }
    if status == "needs_work" {
        text.push('\n');
        text.push_str(&t!(locale, "homework-resubmit", id = a.id));
    }
    if points > 0 {
        text.push('\n');
        text.push_str(&t!(locale, "homework-featured-points", points = points));
    }
    text
}
