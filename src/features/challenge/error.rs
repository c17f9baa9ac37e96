//! What can go wrong in a challenge, as the member should read it.

use crate::error::UserFacing;
use crate::i18n::Locale;
use crate::t;

#[derive(Debug, Clone, PartialEq)]
pub enum ChallengeError {
    BadTime {
        input: String,
    },
    BadDate {
        input: String,
    },
    StartsInThePast {
        date: String,
    },
    /// No challenge with this id, or none running when none was named.
    NoChallenge,
    /// Several run at once: the member must name one.
    WhichChallenge {
        ids: String,
    },
    Ended {
        id: i64,
    },
    DayNotOpen {
        day: i64,
    },
    DayClosed {
        day: i64,
        closed_at: String,
    },
    AlreadyDone {
        day: i64,
    },
    NotJoined {
        id: i64,
    },
    NoExcusesLeft {
        allowed: i64,
    },
    BadLink,
}

impl UserFacing for ChallengeError {
    fn message(&self, locale: Locale) -> String {
        use ChallengeError::*;
        match self {
            BadTime { input } => t!(locale, "challenge-error-time", input = input.clone()),
            BadDate { input } => t!(locale, "challenge-error-date", input = input.clone()),
            StartsInThePast { date } => t!(locale, "challenge-error-past", date = date.clone()),
            NoChallenge => t!(locale, "challenge-error-none"),
            WhichChallenge { ids } => t!(locale, "challenge-error-which", ids = ids.clone()),
            Ended { id } => t!(locale, "challenge-error-ended", id = *id),
            DayNotOpen { day } => t!(locale, "challenge-error-not-open", day = *day),
            DayClosed { day, closed_at } => t!(
                locale,
                "challenge-error-closed",
                day = *day,
                time = closed_at.clone()
            ),
            AlreadyDone { day } => t!(locale, "challenge-error-done", day = *day),
            NotJoined { id } => t!(locale, "challenge-error-not-joined", id = *id),
            NoExcusesLeft { allowed } => {
                t!(locale, "challenge-error-no-excuses", allowed = *allowed)
            }
            BadLink => t!(locale, "challenge-error-link"),
        }
    }
}
