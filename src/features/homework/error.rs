//! What can go wrong with homework, as the member should read it.

use crate::error::UserFacing;
use crate::i18n::Locale;
use crate::t;

#[derive(Debug, Clone, PartialEq)]
pub enum HomeworkError {
    UnknownAssignment {
        id: i64,
    },
    UnknownSubmission {
        id: i64,
    },
    /// A due time that does not read as one (`2026-12-10 20:00`, `friday 20:00`, `明天 20:00`).
    BadDue {
        input: String,
    },
    DueInThePast,
    /// Handed in before and already reviewed (only "needs work" can be handed in again).
    AlreadyReviewed {
        id: i64,
    },
    BadLink,
    StaffOnly,
    /// An assignment in a forum needs one of the forum's tags (posts with it are hand-ins).
    NeedsTag {
        available: String,
    },
}

impl UserFacing for HomeworkError {
    fn message(&self, locale: Locale) -> String {
        match self {
            HomeworkError::UnknownAssignment { id } => {
                t!(locale, "homework-error-unknown", id = *id)
            }
            HomeworkError::UnknownSubmission { id } => {
                t!(locale, "homework-error-unknown-submission", id = *id)
            }
            HomeworkError::BadDue { input } => {
                t!(locale, "event-error-when", part = input.clone())
            }
            HomeworkError::DueInThePast => t!(locale, "homework-error-past"),
            HomeworkError::AlreadyReviewed { id } => {
                t!(locale, "homework-error-reviewed", id = *id)
            }
            HomeworkError::BadLink => t!(locale, "challenge-error-link"),
            HomeworkError::StaffOnly => t!(locale, "homework-staff-only"),
            HomeworkError::NeedsTag { available } => {
                t!(locale, "homework-error-tag", available = available.clone())
            }
        }
    }
}
