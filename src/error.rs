//! One error type with two faces: a [`UserError`] is the member's mistake and is shown to them,
//! localized and specific, with nothing changed; anything else is internal, logged with a short
//! reference id, and the member sees only a generic message carrying that id.

use crate::discord::access::Level;
use crate::i18n::Locale;
use crate::t;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("user error: {0:?}")]
    User(UserError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A mistake by the person running a command. Each variant has its own localized message.
#[derive(Debug, Clone, PartialEq)]
pub enum UserError {
    /// The command needs a higher staff level than the invoker has.
    NotPermitted { needed: Level },
    /// Only owners may grant or revoke the admin level.
    OwnerOnlyForAdmin,
    /// Owners come from config and the guild; no command can demote them.
    OwnerIsPermanent,
    /// A staff level for @everyone would make every member staff.
    EveryoneCannotBeStaff,
    /// The target holds no staff level to revoke.
    NoGrant { target: String },
    /// `/admin reload` found problems; the old config stays.
    ConfigRejected { problems: Vec<String> },
    /// The command only works inside the community's server.
    GuildOnly,
    /// An argument was missing or malformed.
    BadArgument { input: String },
    /// Discord sent options that do not match the command as this version defines it.
    OutdatedCommand,
}

impl UserError {
    pub fn message(&self, locale: Locale) -> String {
        match self {
            UserError::NotPermitted { needed } => {
                let level = needed.label(locale);
                t!(locale, "error-not-permitted", level = level)
            }
            UserError::OwnerOnlyForAdmin => t!(locale, "error-owner-only-admin"),
            UserError::OwnerIsPermanent => t!(locale, "error-owner-permanent"),
            UserError::EveryoneCannotBeStaff => t!(locale, "error-everyone-staff"),
            UserError::NoGrant { target } => t!(locale, "error-no-grant", target = target.clone()),
            UserError::ConfigRejected { problems } => {
                let list = problems
                    .iter()
                    .map(|p| format!("• `{p}`"))
                    .collect::<Vec<_>>()
                    .join("\n");
                t!(locale, "error-config-rejected", problems = list)
            }
            UserError::GuildOnly => t!(locale, "error-guild-only"),
            UserError::BadArgument { input } => {
                t!(locale, "error-bad-argument", input = input.clone())
            }
            UserError::OutdatedCommand => t!(locale, "error-outdated-command"),
        }
    }
}

impl From<UserError> for Error {
    fn from(e: UserError) -> Self {
        Error::User(e)
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

/// A short id that ties what a member sees to a log line, without revealing anything.
pub fn reference_id() -> String {
    use rand::Rng;
    let n: u32 = rand::thread_rng().gen();
    format!("{n:08x}")
}
