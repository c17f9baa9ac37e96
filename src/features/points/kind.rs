//! Why points moved (the ledger's kinds) and where a shop order stands: stored as words,
//! shown in the reader's language.

crate::vocabulary! {
    /// A ledger entry's kind.
    pub enum Kind {
        Chat = ("chat", "points-kind-chat"),
        ChatRevoked = ("chat_revoked", "points-kind-chat-revoked"),
        Checkin = ("checkin", "points-kind-checkin"),
        Helpful = ("helpful", "points-kind-helpful"),
        Give = ("give", "points-kind-give"),
        Take = ("take", "points-kind-take"),
        Shop = ("shop", "points-kind-shop"),
        Refund = ("refund", "points-kind-refund"),
        Attendance = ("attendance", "points-kind-attendance"),
        Import = ("import", "points-kind-import"),
        Challenge = ("challenge", "points-kind-challenge"),
        Homework = ("homework", "points-kind-homework"),
        Highlight = ("highlight", "points-kind-highlight"),
        Feedback = ("feedback", "points-kind-feedback"),
        QaEscrow = ("qa_escrow", "points-kind-qa-escrow"),
        QaPayout = ("qa_payout", "points-kind-qa-payout"),
        QaRefund = ("qa_refund", "points-kind-qa-refund"),
        QaListen = ("qa_listen", "points-kind-qa-listen"),
        QaListenShare = ("qa_listen_share", "points-kind-qa-listen-share"),
        Referral = ("referral", "points-kind-referral"),
        ReferralReversal = ("referral_reversal", "points-kind-referral-reversal"),
    }
}

crate::vocabulary! {
    /// Where a shop order stands.
    pub enum OrderStatus {
        Completed = ("completed", "shop-status-completed"),
        Awaiting = ("awaiting", "shop-status-awaiting"),
        Fulfilled = ("fulfilled", "shop-status-fulfilled"),
        Refunded = ("refunded", "shop-status-refunded"),
    }
}

impl Kind {
    /// Paid-Q&A escrow moves points between members; it neither issues nor spends them.
    pub fn is_escrow(self) -> bool {
        self.as_str().starts_with("qa_")
    }

    /// The name of a stored kind in `locale` (a kind this version does not know reads as
    /// stored).
    pub fn label_of(stored: &str, locale: crate::i18n::Locale) -> String {
        Kind::parse(stored).map_or_else(|| stored.to_string(), |k| k.label(locale))
    }
}

/// A ledger line as a member reads it, on Discord and on the web alike: why (the kind, in
/// their language) and, where it adds something, what: the staff's own words for a give or
/// take, the shop item's name, the highlight's title. Ids, mentions and the English notes the
/// ledger keeps for the audit trail stay out.
pub fn describe(
    row: &super::store::LedgerRow,
    config: &crate::config::Config,
    locale: crate::i18n::Locale,
) -> String {
    let label = Kind::label_of(&row.kind, locale);
    let detail = row
        .reason
        .as_deref()
        .and_then(|reason| match Kind::parse(&row.kind)? {
            Kind::Give | Kind::Take => Some(reason.to_string()),
            Kind::Shop | Kind::Refund => Some(
                config
                    .shop
                    .item(reason)
                    .map_or_else(|| reason.to_string(), |i| i.name.get(locale).to_string()),
            ),
            Kind::Highlight => Some(reason.strip_prefix("精华: ").unwrap_or(reason).to_string()),
            _ => None,
        });
    match detail {
        Some(detail) if !detail.is_empty() => format!("{label} — {detail}"),
        _ => label,
    }
}
