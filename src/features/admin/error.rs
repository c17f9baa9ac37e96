//! What can go wrong in `/admin`, as the member who ran it should read it.

use crate::access::Level;
use crate::error::UserFacing;
use crate::i18n::Locale;
use crate::t;

#[derive(Debug, Clone, PartialEq)]
pub enum AdminError {
    /// Only owners may grant, change or revoke the admin level.
    OwnerOnlyForAdmin,
    /// Moderators are managed by admins and owners.
    AdminOnlyForModerator,
    /// Owner and member are not levels anyone grants.
    NotGrantable { level: Level },
    /// Owners come from config and the guild; no command can demote them.
    OwnerIsPermanent,
    /// A staff level for @everyone would make every member staff.
    EveryoneCannotBeStaff,
    /// The target holds no staff level to revoke.
    NoGrant { target: String },
    /// `/admin reload` found problems; the old config stays.
    ConfigRejected { problems: Vec<String> },
    /// `/admin retry` named an item that is not a failed outbox item.
    NotRetryable { item: i64 },
}

impl UserFacing for AdminError {
    fn message(&self, locale: Locale) -> String {
        match self {
            AdminError::OwnerOnlyForAdmin => t!(locale, "admin-error-owner-only-admin"),
            AdminError::AdminOnlyForModerator => {
                t!(
                    locale,
                    "error-not-permitted",
                    level = Level::Admin.label(locale)
                )
            }
            AdminError::NotGrantable { level } => {
                t!(
                    locale,
                    "admin-error-not-grantable",
                    level = level.label(locale)
                )
            }
            AdminError::OwnerIsPermanent => t!(locale, "admin-error-owner-permanent"),
            AdminError::EveryoneCannotBeStaff => t!(locale, "admin-error-everyone-staff"),
            AdminError::NoGrant { target } => {
                t!(locale, "admin-error-no-grant", target = target.clone())
            }
            AdminError::ConfigRejected { problems } => {
                let list = problems
                    .iter()
                    .map(|p| format!("• `{p}`"))
                    .collect::<Vec<_>>()
                    .join("\n");
                t!(locale, "admin-error-config-rejected", problems = list)
            }
            AdminError::NotRetryable { item } => {
                t!(locale, "admin-error-not-retryable", item = *item)
            }
        }
    }
}
