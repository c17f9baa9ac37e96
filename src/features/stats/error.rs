//! What can go wrong with the analytics commands, as the admin should read it.

use crate::error::UserFacing;
use crate::i18n::Locale;
use crate::t;

#[derive(Debug, Clone, PartialEq)]
pub enum StatsError {
    /// `/stats overview period:` that is not `7d`, `30d`…
    BadPeriod { text: String },
}

impl UserFacing for StatsError {
    fn message(&self, locale: Locale) -> String {
        match self {
            StatsError::BadPeriod { text } => {
                t!(locale, "stats-error-period", text = text.clone())
            }
        }
    }
}
