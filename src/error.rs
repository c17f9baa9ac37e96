//! One error type with two faces: a user error is the member's mistake and is shown to them,
//! localized and specific, with nothing changed; anything else is internal, logged with a short
//! reference id, and the member sees only a generic message carrying that id.
//!
//! Each feature owns its user errors (`features/<name>/error.rs`, an enum implementing
//! [`UserFacing`]); this module keeps only the ones every command can meet ([`UserError`]).

use std::any::Any;
use std::fmt::Debug;

use crate::access::Level;
use crate::i18n::Locale;
use crate::t;

/// A mistake a member can fix: it knows its own localized message.
pub trait UserFacing: Any + Debug + Send + Sync {
    fn message(&self, locale: Locale) -> String;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("user error: {0:?}")]
    User(Box<dyn UserFacing>),
    #[error(transparent)]
    Internal(anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The user error of type `T` this is, if it is one (tests and callers that branch on it).
    pub fn user<T: UserFacing>(&self) -> Option<&T> {
        match self {
            Error::User(user) => (user.as_ref() as &dyn Any).downcast_ref::<T>(),
            Error::Internal(_) => None,
        }
    }
}

impl<E: UserFacing> From<E> for Error {
    fn from(e: E) -> Self {
        Error::User(Box::new(e))
    }
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        Error::Internal(e)
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Internal(e.into())
    }
}

impl From<serenity::Error> for Error {
    fn from(e: serenity::Error) -> Self {
        Error::Internal(e.into())
    }
}

/// The user errors any command can meet, whatever its feature.
#[derive(Debug, Clone, PartialEq)]
pub enum UserError {
    /// The command needs a higher staff level than the invoker has.
    NotPermitted { needed: Level },
    /// The command only works inside the community's server.
    GuildOnly,
    /// An argument was missing or malformed.
    BadArgument { input: String },
    /// Discord sent options that do not match the command as this version defines it.
    OutdatedCommand,
}

impl UserFacing for UserError {
    fn message(&self, locale: Locale) -> String {
        match self {
            UserError::NotPermitted { needed } => {
                let level = needed.label(locale);
                t!(locale, "error-not-permitted", level = level)
            }
            UserError::GuildOnly => t!(locale, "error-guild-only"),
            UserError::BadArgument { input } => {
                t!(locale, "error-bad-argument", input = input.clone())
            }
            UserError::OutdatedCommand => t!(locale, "error-outdated-command"),
        }
    }
}

/// A short id that ties what a member sees to a log line, without revealing anything.
pub fn reference_id() -> String {
    use rand::Rng;
    let n: u32 = rand::thread_rng().gen();
    format!("{n:08x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_error_keeps_its_type_through_the_box() {
        let error: Error = UserError::GuildOnly.into();
        assert_eq!(error.user::<UserError>(), Some(&UserError::GuildOnly));
        let internal: Error = anyhow::anyhow!("disk full").into();
        assert!(internal.user::<UserError>().is_none());
    }
}
