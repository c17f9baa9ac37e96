//! What can go wrong with warnings, timeouts and the rules, as the moderator should read it.

use crate::error::UserFacing;
use crate::i18n::Locale;
use crate::t;

#[derive(Debug, Clone, PartialEq)]
pub enum ModerationError {
    NotABot,
    NotTheOwner,
    NotYourself,
    /// The target holds a staff level at or above the actor's.
    TargetOutranks,
    /// The bot's role is not above the member's, so Discord would refuse.
    AboveTheBot,
    BadDuration {
        input: String,
    },
    TooLong {
        input: String,
    },
    UnknownWarning {
        id: i64,
    },
    AlreadyPardoned {
        id: i64,
    },
    /// Members may only see their own warnings.
    OthersWarnings,
    NoRulesChannel,
    NoRules,
}

impl UserFacing for ModerationError {
    fn message(&self, locale: Locale) -> String {
        match self {
            ModerationError::NotABot => t!(locale, "rules-error-bot"),
            ModerationError::NotTheOwner => t!(locale, "rules-error-owner"),
            ModerationError::NotYourself => t!(locale, "rules-error-self"),
            ModerationError::TargetOutranks => t!(locale, "rules-error-outranks"),
            ModerationError::AboveTheBot => t!(locale, "rules-error-above-bot"),
            ModerationError::BadDuration { input } => {
                t!(locale, "rules-error-duration", input = input.clone())
            }
            ModerationError::TooLong { input } => {
                t!(locale, "rules-error-too-long", input = input.clone())
            }
            ModerationError::UnknownWarning { id } => {
                t!(locale, "rules-error-unknown-warning", id = *id)
            }
            ModerationError::AlreadyPardoned { id } => t!(locale, "rules-error-pardoned", id = *id),
            ModerationError::OthersWarnings => t!(locale, "rules-error-others-warnings"),
            ModerationError::NoRulesChannel => t!(locale, "rules-error-no-channel"),
            ModerationError::NoRules => t!(locale, "rules-error-no-rules"),
        }
    }
}
