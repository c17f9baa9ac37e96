//! What can go wrong choosing a role, as the member should read it.

use crate::error::UserFacing;
use crate::i18n::Locale;
use crate::t;

#[derive(Debug, Clone, PartialEq)]
pub enum MenuError {
    /// A menu that is no longer in the config (an old message) or a mistyped `/roles post`.
    UnknownMenu {
        id: String,
        known: Vec<String>,
    },
    NeedsLevel {
        level: u32,
        have: u32,
    },
    NeedsProduct {
        product: String,
    },
}

impl UserFacing for MenuError {
    fn message(&self, locale: Locale) -> String {
        match self {
            MenuError::UnknownMenu { id, known } => {
                let known = if known.is_empty() {
                    "-".to_string()
                } else {
                    known.join(", ")
                };
                t!(locale, "role-menu-unknown", id = id.clone(), known = known)
            }
            MenuError::NeedsLevel { level, have } => t!(
                locale,
                "role-menu-needs-level",
                level = *level as i64,
                have = *have as i64
            ),
            MenuError::NeedsProduct { product } => {
                t!(locale, "role-menu-needs-product", product = product.clone())
            }
        }
    }
}
