//! What can go wrong with points and the shop, as the member should read it.

use crate::error::UserFacing;
use crate::i18n::Locale;
use crate::t;

#[derive(Debug, Clone, PartialEq)]
pub enum PointsError {
    /// Already checked in on this local day.
    AlreadyCheckedIn {
        streak: i64,
    },
    /// Points cannot be given to or taken from a bot.
    Bot,
    /// Staff other than owners cannot give points to themselves.
    SelfAward,
    /// An amount outside 1..=MAX_ADJUST (Discord's client checks it too; the bot never trusts it).
    BadAmount {
        max: i64,
    },
    /// A take larger than the member's balance.
    TakeExceedsBalance {
        balance: i64,
    },
    UnknownItem {
        item: String,
    },
    OutOfStock {
        item: String,
    },
    LimitReached {
        item: String,
        limit: i64,
    },
    InsufficientBalance {
        price: i64,
        balance: i64,
    },
    UnknownOrder {
        order: i64,
    },
    /// The order is not waiting for staff (already fulfilled or refunded).
    OrderNotAwaiting {
        order: i64,
    },
    /// Only admins see other members' orders.
    OthersOrders,
}

impl UserFacing for PointsError {
    fn message(&self, locale: Locale) -> String {
        match self {
            PointsError::AlreadyCheckedIn { streak } => {
                t!(locale, "points-error-already-checked-in", streak = *streak)
            }
            PointsError::Bot => t!(locale, "points-error-bot"),
            PointsError::SelfAward => t!(locale, "points-error-self-award"),
            PointsError::BadAmount { max } => t!(locale, "points-error-amount", max = *max),
            PointsError::TakeExceedsBalance { balance } => {
                t!(locale, "points-error-take-exceeds", balance = *balance)
            }
            PointsError::UnknownItem { item } => {
                t!(locale, "shop-error-unknown-item", item = item.clone())
            }
            PointsError::OutOfStock { item } => {
                t!(locale, "shop-error-out-of-stock", item = item.clone())
            }
            PointsError::LimitReached { item, limit } => {
                t!(
                    locale,
                    "shop-error-limit",
                    item = item.clone(),
                    limit = *limit
                )
            }
            PointsError::InsufficientBalance { price, balance } => {
                t!(
                    locale,
                    "shop-error-balance",
                    price = *price,
                    balance = *balance
                )
            }
            PointsError::UnknownOrder { order } => {
                t!(locale, "shop-error-unknown-order", order = *order)
            }
            PointsError::OrderNotAwaiting { order } => {
                t!(locale, "shop-error-not-awaiting", order = *order)
            }
            PointsError::OthersOrders => t!(locale, "shop-error-others-orders"),
        }
    }
}
