//! What can go wrong with memberships, codes and revenue, as the member or admin should read it.

use crate::error::UserFacing;
use crate::i18n::Locale;
use crate::t;

#[derive(Debug, Clone, PartialEq)]
pub enum MembershipError {
    UnknownProduct {
        product: String,
        /// The closest configured id, if any.
        suggestion: Option<String>,
    },
    /// A duration that could not be read.
    BadDuration {
        text: String,
    },
    BadDate {
        text: String,
    },
    /// Not a live code (wrong, used up, expired or revoked: the member is not told which).
    BadCode,
    /// The code's product is no longer configured.
    ProductGone,
    /// Too many wrong codes lately.
    Throttled,
    /// `redeem_when_held = "refuse"` and the member holds the product.
    AlreadyHeld {
        product: String,
    },
    /// Nothing to revoke or extend.
    NotHeld {
        product: String,
    },
    /// Only admins see other members' memberships.
    OthersMembership,
    /// Staff other than owners cannot give paid time to themselves.
    SelfGrant,
    /// The product has no `payment_link`.
    NoPaymentLink {
        product: String,
    },
    BadAmount,
    /// `/code revoke` with neither a code nor a batch, or one that matches nothing live.
    NothingToRevoke,
    BadCount {
        max: i64,
    },
    /// `[referrals] credit` is not set.
    ReferralsOff,
    /// No member has this referral code.
    UnknownReferral,
    /// A member's own code.
    SelfReferral,
    /// The code's owner was referred (directly or up the chain) by this member.
    ReferralLoop,
    /// Another member's code was recorded for this member first.
    AlreadyReferred,
    /// Referral credit is for a first payment; this member has paid before.
    AlreadyPaid,
}

impl UserFacing for MembershipError {
    fn message(&self, locale: Locale) -> String {
        match self {
            MembershipError::UnknownProduct {
                product,
                suggestion: Some(s),
            } => t!(
                locale,
                "membership-error-product-suggest",
                product = product.clone(),
                suggestion = s.clone()
            ),
            MembershipError::UnknownProduct { product, .. } => {
                t!(
                    locale,
                    "membership-error-product",
                    product = product.clone()
                )
            }
            MembershipError::BadDuration { text } => {
                t!(locale, "membership-error-duration", text = text.clone())
            }
            MembershipError::BadDate { text } => {
                t!(locale, "membership-error-date", text = text.clone())
            }
            MembershipError::BadCode | MembershipError::ProductGone => {
                t!(locale, "membership-error-code")
            }
            MembershipError::Throttled => t!(locale, "membership-error-throttled"),
            MembershipError::AlreadyHeld { product } => {
                t!(locale, "membership-error-held", product = product.clone())
            }
            MembershipError::NotHeld { product } => {
                t!(
                    locale,
                    "membership-error-not-held",
                    product = product.clone()
                )
            }
            MembershipError::OthersMembership => t!(locale, "membership-error-others"),
            MembershipError::SelfGrant => t!(locale, "membership-error-self-grant"),
            MembershipError::NoPaymentLink { product } => {
                t!(
                    locale,
                    "membership-error-no-link",
                    product = product.clone()
                )
            }
            MembershipError::BadAmount => t!(locale, "revenue-error-amount"),
            MembershipError::NothingToRevoke => t!(locale, "code-error-revoke"),
            MembershipError::BadCount { max } => t!(locale, "code-error-count", max = *max),
            MembershipError::ReferralsOff => t!(locale, "refer-error-off"),
            MembershipError::UnknownReferral => t!(locale, "refer-error-unknown"),
            MembershipError::SelfReferral => t!(locale, "refer-error-self"),
            MembershipError::ReferralLoop => t!(locale, "refer-error-loop"),
            MembershipError::AlreadyReferred => t!(locale, "refer-error-already"),
            MembershipError::AlreadyPaid => t!(locale, "refer-error-paid"),
        }
    }
}
