//! What can go wrong with warnings, timeouts and the rules, as the moderator should read it.

use crate::error::UserFacing;
use crate::i18n::Locale;
use crate::t;

#[derive(Debug, Clone, PartialEq)]
pub enum RulesError {
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

impl UserFacing for RulesError {
    fn message(&self, locale: Locale) -> String {
        match self {
            RulesError::NotABot => t!(locale, "rules-error-bot"),
            RulesError::NotTheOwner => t!(locale, "rules-error-owner"),
            RulesError::NotYourself => t!(locale, "rules-error-self"),
            RulesError::TargetOutranks => t!(locale, "rules-error-outranks"),
            RulesError::AboveTheBot => t!(locale, "rules-error-above-bot"),
            RulesError::BadDuration { input } => {
                t!(locale, "rules-error-duration", input = input.clone())
            }
            RulesError::TooLong { input } => {
                t!(locale, "rules-error-too-long", input = input.clone())
            }
            RulesError::UnknownWarning { id } => {
                t!(locale, "rules-error-unknown-warning", id = *id)
            }
            RulesError::AlreadyPardoned { id } => t!(locale, "rules-error-pardoned", id = *id),
            RulesError::OthersWarnings => t!(locale, "rules-error-others-warnings"),
            RulesError::NoRulesChannel => t!(locale, "rules-error-no-channel"),
            RulesError::NoRules => t!(locale, "rules-error-no-rules"),
        }
    }
}
