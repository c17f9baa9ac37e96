//! What can go wrong with paid questions, as the member should read it.

use crate::error::UserFacing;
use crate::i18n::Locale;
use crate::t;

#[derive(Debug, Clone, PartialEq)]
pub enum QaError {
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
    /// 围观 on a question that has no answer.
    NotAnswered {
        id: i64,
    },
}

impl UserFacing for QaError {
    fn message(&self, locale: Locale) -> String {
        match self {
            QaError::NotAnExpert { who } => {
                t!(locale, "qa-error-not-expert", who = who.clone())
            }
            QaError::InsufficientBalance { price, balance } => t!(
                locale,
                "qa-error-balance",
                price = *price,
                balance = *balance
            ),
            QaError::UnknownQuestion { id } => t!(locale, "qa-error-unknown", id = *id),
            QaError::NotYourQuestion => t!(locale, "qa-error-not-yours"),
            QaError::QuestionClosed { id } => t!(locale, "qa-error-closed", id = *id),
            QaError::PastDeadline { id } => t!(locale, "qa-error-past-deadline", id = *id),
            QaError::OwnQuestion => t!(locale, "qa-error-self"),
            QaError::NotAnswered { id } => t!(locale, "qa-error-not-answered", id = *id),
        }
    }
}
