//! The mistakes creators really make in a config file, and what to write instead: a Chinese
//! city as a time zone, `RMB` for the yuan, an emoji's `:shortcode:`. Pure.

/// ISO 4217 currency codes in use (what Stripe and the reports accept).
const CURRENCIES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD \
BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP \
ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK \
JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK \
MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG \
QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT \
TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL";

/// Names people use for a currency that are not its code.
const CURRENCY_NICKNAMES: &[(&str, &str)] = &[
    ("RMB", "CNY"),
    ("YUAN", "CNY"),
    ("CNH", "CNY"),
    ("NTD", "TWD"),
    ("NT$", "TWD"),
    ("YEN", "JPY"),
    ("HKD$", "HKD"),
    ("US$", "USD"),
    ("EURO", "EUR"),
    ("POUND", "GBP"),
];

/// What is wrong with `code` as a currency, with what to write instead; `None` when it is an
/// ISO 4217 code.
pub fn currency_problem(code: &str) -> Option<String> {
    let code = code.trim().to_uppercase();
    if CURRENCIES.split_whitespace().any(|c| c == code) {
        return None;
    }
    let nickname = CURRENCY_NICKNAMES.iter().find(|(n, _)| *n == code);
    let hint = match nickname {
        Some((_, iso)) => format!(", did you mean \"{iso}\"?"),
        None => match super::suggest(&code, CURRENCIES.split_whitespace()) {
            Some(close) => format!(", did you mean \"{close}\"?"),
            None => " such as \"USD\" or \"CNY\"".into(),
        },
    };
    Some(format!("expected an ISO 4217 currency code{hint}"))
}

/// Time zones people write that are not IANA names, and the IANA name they mean. China has one
/// time zone, `Asia/Shanghai`; abbreviations like `CST` mean different zones to different
/// readers, so they are never guessed.
const ZONE_NICKNAMES: &[(&str, &str)] = &[
    ("asia/beijing", "Asia/Shanghai"),
    ("beijing", "Asia/Shanghai"),
    ("china", "Asia/Shanghai"),
    ("prc", "Asia/Shanghai"),
    ("asia/guangzhou", "Asia/Shanghai"),
    ("asia/shenzhen", "Asia/Shanghai"),
    ("asia/hangzhou", "Asia/Shanghai"),
    ("asia/chengdu", "Asia/Shanghai"),
    ("asia/wuhan", "Asia/Shanghai"),
    ("asia/nanjing", "Asia/Shanghai"),
    ("北京", "Asia/Shanghai"),
    ("上海", "Asia/Shanghai"),
    ("asia/hongkong", "Asia/Hong_Kong"),
    ("hong kong", "Asia/Hong_Kong"),
    ("taipei", "Asia/Taipei"),
    ("asia/beijing_time", "Asia/Shanghai"),
    ("tokyo", "Asia/Tokyo"),
    ("singapore", "Asia/Singapore"),
    ("new york", "America/New_York"),
    ("london", "Europe/London"),
];

/// The IANA name a non-IANA time zone most likely means.
pub fn zone_meant(name: &str) -> Option<&'static str> {
    let lowered = name.trim().to_lowercase();
    ZONE_NICKNAMES
        .iter()
        .find(|(nickname, _)| *nickname == lowered)
        .map(|(_, iana)| *iana)
}

/// Emoji shortcodes as Discord's picker shows them, and the emoji itself (what a reaction
/// event carries).
const SHORTCODES: &[(&str, &str)] = &[
    ("white_check_mark", "✅"),
    ("heavy_check_mark", "✔️"),
    ("+1", "👍"),
    ("thumbsup", "👍"),
    ("heart", "❤️"),
    ("star", "⭐"),
    ("bulb", "💡"),
    ("100", "💯"),
    ("fire", "🔥"),
    ("clap", "👏"),
    ("pray", "🙏"),
];

/// What is wrong with `emoji` as a reaction to match, with what to write instead; `None` when
/// it is not a `:shortcode:`.
pub fn emoji_problem(emoji: &str) -> Option<String> {
    let name = emoji.trim().strip_prefix(':')?.strip_suffix(':')?;
    let hint = match SHORTCODES.iter().find(|(code, _)| *code == name) {
        Some((_, unicode)) => format!("write \"{unicode}\""),
        None => "paste the emoji itself (e.g. \"✅\")".into(),
    };
    Some(format!(
        "a :shortcode: is what Discord's picker shows, but reactions carry the emoji itself: {hint}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_are_iso_codes_and_nicknames_get_the_code() {
        assert_eq!(currency_problem("cny"), None);
        assert_eq!(currency_problem("USD"), None);
        let rmb = currency_problem("RMB").unwrap();
        assert!(rmb.contains("did you mean \"CNY\""), "{rmb}");
        let typo = currency_problem("USDD").unwrap();
        assert!(typo.contains("did you mean \"USD\""), "{typo}");
    }

    #[test]
    fn chinese_cities_mean_shanghai_time_and_abbreviations_are_not_guessed() {
        assert_eq!(zone_meant("Asia/Beijing"), Some("Asia/Shanghai"));
        assert_eq!(zone_meant("北京"), Some("Asia/Shanghai"));
        assert_eq!(zone_meant("CST"), None);
    }

    #[test]
    fn shortcodes_are_refused_with_the_emoji_to_write() {
        let problem = emoji_problem(":white_check_mark:").unwrap();
        assert!(problem.contains("\"✅\""), "{problem}");
        assert!(emoji_problem(":party_parrot:")
            .unwrap()
            .contains("paste the emoji"));
        assert_eq!(emoji_problem("✅"), None);
    }
}
