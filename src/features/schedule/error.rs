//! What can go wrong with events, as the creator should read it.

use crate::error::UserFacing;
use crate::i18n::Locale;
use crate::t;

#[derive(Debug, Clone, PartialEq)]
pub enum ScheduleError {
    /// The part of `when` that could not be read.
    BadWhen {
        part: String,
    },
    BadRepeat {
        part: String,
    },
    BadRemind {
        part: String,
    },
    InThePast,
    /// A cron expression (or rule) with no occurrence in the next five years.
    NeverFires,
    /// A reminder offset at least as long as the gap between occurrences.
    ReminderTooLong,
    NoChannel,
    /// The bot lacks a permission to post in the channel.
    CannotPost {
        channel: String,
        missing: String,
    },
    UnknownEvent {
        id: i64,
    },
    /// `/plan done` with a kind the content plan does not list.
    UnknownKind {
        kind: String,
    },
    /// `/event attended` before the event has happened.
    NotYetHeld {
        id: i64,
    },
    /// Attendance was already recorded for this member and occurrence.
    AlreadyAttended,
    Cancelled {
        id: i64,
    },
    /// A standing schedule from config: the file is its source of truth.
    FromConfig {
        id: i64,
        config_id: String,
    },
}

impl UserFacing for ScheduleError {
    fn message(&self, locale: Locale) -> String {
        match self {
            ScheduleError::BadWhen { part } => t!(locale, "event-error-when", part = part.clone()),
            ScheduleError::BadRepeat { part } => {
                t!(locale, "event-error-repeat", part = part.clone())
            }
            ScheduleError::BadRemind { part } => {
                t!(locale, "event-error-remind", part = part.clone())
            }
            ScheduleError::InThePast => t!(locale, "event-error-past"),
            ScheduleError::NeverFires => t!(locale, "event-error-never"),
            ScheduleError::ReminderTooLong => t!(locale, "event-error-reminder-long"),
            ScheduleError::NoChannel => t!(locale, "event-error-channel"),
            ScheduleError::CannotPost { channel, missing } => t!(
                locale,
                "event-error-cannot-post",
                channel = channel.clone(),
                missing = missing.clone()
            ),
            ScheduleError::UnknownEvent { id } => t!(locale, "event-error-unknown", id = *id),
            ScheduleError::NotYetHeld { id } => t!(locale, "event-error-not-held", id = *id),
            ScheduleError::UnknownKind { kind } => {
                t!(locale, "plan-error-kind", kind = kind.clone())
            }
            ScheduleError::AlreadyAttended => t!(locale, "event-error-attended"),
            ScheduleError::Cancelled { id } => t!(locale, "event-error-cancelled", id = *id),
            ScheduleError::FromConfig { id, config_id } => t!(
                locale,
                "event-error-from-config",
                id = *id,
                config_id = config_id.clone()
            ),
        }
    }
}
