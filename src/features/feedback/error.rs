//! What can go wrong with feedback, as the member should read it.

use crate::error::UserFacing;
use crate::i18n::Locale;
use crate::t;

#[derive(Debug, Clone, PartialEq)]
pub enum FeedbackError {
    UnknownFeedback { id: i64 },
}

impl UserFacing for FeedbackError {
    fn message(&self, locale: Locale) -> String {
        match self {
            FeedbackError::UnknownFeedback { id } => {
                t!(locale, "feedback-error-unknown", id = *id)
            }
        }
    }
}
