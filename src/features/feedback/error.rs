//! What can go wrong with feedback, as the member should read it.

use crate::error::UserFacing;
use crate::i18n::Locale;
use crate::t;

#[derive(Debug, Clone, PartialEq)]
pub enum FeedbackError {
    UnknownFeedback {
        id: i64,
    },
    /// A status staff cannot set (a forged form or button).
    UnknownStatus {
        status: String,
    },
}

impl UserFacing for FeedbackError {
    fn message(&self, locale: Locale) -> String {
        match self {
            FeedbackError::UnknownFeedback { id } => {
                t!(locale, "feedback-error-unknown", id = *id)
            }
            FeedbackError::UnknownStatus { status } => {
                t!(locale, "feedback-error-status", status = status.clone())
            }
        }
    }
}
