//! What can go wrong with feedback, questions and stats, as the member should read it.

use crate::error::UserFacing;
use crate::i18n::Locale;
use crate::t;

#[derive(Debug, Clone, PartialEq)]
pub enum CommunityError {
    /// `/ask` someone who takes no questions.
    NotAnExpert {
        who: String,
    },
    InsufficientBalance {
        price: i64,
        balance: i64,
    },
    UnknownQuestion {
        id: i64,
    },
    /// `/answer` by someone other than the question's expert.
    NotYourQuestion,
    /// The question is already answered, refunded or withdrawn.
    QuestionClosed {
        id: i64,
    },
    /// `/answer` after the question's deadline (its points go back to the asker).
    PastDeadline {
        id: i64,
    },
    /// Asking yourself.
    OwnQuestion,
    BadPeriod {
        text: String,
    },
    UnknownFeedback {
        id: i64,
    },
}

impl UserFacing for CommunityError {
    fn message(&self, locale: Locale) -> String {
        match self {
            CommunityError::NotAnExpert { who } => {
                t!(locale, "qa-error-not-expert", who = who.clone())
            }
            CommunityError::InsufficientBalance { price, balance } => t!(
                locale,
                "qa-error-balance",
                price = *price,
                balance = *balance
            ),
            CommunityError::UnknownQuestion { id } => t!(locale, "qa-error-unknown", id = *id),
            CommunityError::NotYourQuestion => t!(locale, "qa-error-not-yours"),
            CommunityError::QuestionClosed { id } => t!(locale, "qa-error-closed", id = *id),
            CommunityError::PastDeadline { id } => t!(locale, "qa-error-past-deadline", id = *id),
            CommunityError::OwnQuestion => t!(locale, "qa-error-self"),
            CommunityError::BadPeriod { text } => {
                t!(locale, "stats-error-period", text = text.clone())
            }
            CommunityError::UnknownFeedback { id } => {
                t!(locale, "feedback-error-unknown", id = *id)
            }
        }
    }
}
