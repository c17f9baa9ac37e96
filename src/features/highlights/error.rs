//! What can go wrong adding a highlight, as staff should read it.

use crate::error::UserFacing;
use crate::i18n::Locale;
use crate::t;

#[derive(Debug, Clone, PartialEq)]
pub enum HighlightError {
    NoTopics,
    UnknownTopic { input: String, known: String },
    UnknownMessage,
    StaffOnly,
}

impl UserFacing for HighlightError {
    fn message(&self, locale: Locale) -> String {
        match self {
            HighlightError::NoTopics => t!(locale, "highlight-error-no-topics"),
            HighlightError::UnknownTopic { input, known } => t!(
                locale,
                "highlight-error-topic",
                input = input.clone(),
                known = known.clone()
            ),
            HighlightError::UnknownMessage => t!(locale, "highlight-error-message"),
            HighlightError::StaffOnly => t!(locale, "highlight-staff-only"),
        }
    }
}
