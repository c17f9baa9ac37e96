//! Homework as members and staff read it: the assignment's post, a submission's staff post
//! with its review buttons, the review modal and DM. Pure.

use serde_json::{json, Value};

use super::store::{AssignmentRow, SubmissionRow};
use super::{Status, BUTTON_PREFIX, MODAL_PREFIX};
use crate::discord::components::{self, Field, Style};
use crate::i18n::Locale;
use crate::outbox::MessageBody;
use crate::t;

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
        json!({ "name": t!(locale, "homework-field-status"), "value": s.status.label(locale), "inline": true }),
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
    let button = |status: Status, style: Style| {
        let id = format!("{BUTTON_PREFIX}{}:{status}", s.id);
        let button = components::button(id, status.label(locale), style);
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
            button(Status::Reviewed, Style::Success),
            button(Status::NeedsWork, Style::Danger),
            button(Status::Featured, Style::Primary),
        ])],
        ..Default::default()
    }
}

/// The review modal: an optional comment for the member.
pub fn review_modal(submission: i64, status: Status, locale: Locale) -> Value {
    let title = t!(
        locale,
        "homework-modal-title",
        status = status.label(locale)
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
pub fn parse_ids(custom_id: &str) -> Option<(i64, Status)> {
    let rest = custom_id
        .strip_prefix(MODAL_PREFIX)
        .or_else(|| custom_id.strip_prefix(BUTTON_PREFIX))?;
    let (id, status) = rest.split_once(':')?;
    let status = Status::parse(status).filter(|s| s.is_review())?;
    Some((id.parse().ok()?, status))
}

/// The member's DM with the review.
pub fn review_dm(
    a: &AssignmentRow,
    status: Status,
    comment: Option<&str>,
    points: i64,
    locale: Locale,
) -> String {
    let mut text = t!(
        locale,
        "homework-review-dm",
        title = a.title.clone(),
        status = status.label(locale)
    );
    if let Some(comment) = comment {
        text.push_str(&format!("\n> {}", comment.replace('\n', "\n> ")));
    }
    if status == Status::NeedsWork {
        text.push('\n');
        text.push_str(&t!(locale, "homework-resubmit", id = a.id));
    }
    if points > 0 {
        text.push('\n');
        text.push_str(&t!(locale, "homework-featured-points", points = points));
    }
    text
}
