//! Locales and translated strings. Every member-facing string lives in
//! `locales/{en,zh-CN}/*.ftl` (Fluent) and is compiled into the binary, so a release is one file.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};

/// The languages Lyceum speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Locale {
    En,
    ZhCn,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::ZhCn];

    /// The tag used in config files and locale folders.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }

    /// The Discord locale key used for command localizations (`en` is the default, not a key).
    /// The Discord locales whose clients show this locale's command names (English is the
    /// default, shown to everyone else). Traditional Chinese clients get the Chinese names
    /// rather than the English ones.
    pub fn discord_keys(self) -> &'static [&'static str] {
        match self {
            Locale::En => &[],
            Locale::ZhCn => &["zh-CN", "zh-TW"],
        }
    }

    pub fn from_config(tag: &str) -> Option<Locale> {
        match tag {
            "en" => Some(Locale::En),
            "zh-CN" => Some(Locale::ZhCn),
            _ => None,
        }
    }

    /// Maps an interaction's Discord locale (`en-US`, `en-GB`, `zh-CN`, …) to one we speak. A
    /// Traditional Chinese reader (`zh-TW`) reads Simplified far more easily than English.
    pub fn from_discord(code: &str) -> Option<Locale> {
        match code {
            "zh-CN" | "zh-TW" => Some(Locale::ZhCn),
            "en-US" | "en-GB" => Some(Locale::En),
            _ => None,
        }
    }

    /// The interaction's locale if we speak it, else the community default.
    pub fn resolve(interaction_locale: Option<&str>, default: Locale) -> Locale {
        interaction_locale
            .and_then(Locale::from_discord)
            .unwrap_or(default)
    }
}

/// Member-facing text from config: one string for everyone, or one per locale.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LocalizedText {
    by_locale: BTreeMap<Locale, String>,
    plain: Option<String>,
}

impl LocalizedText {
    pub fn plain(text: String) -> LocalizedText {
        LocalizedText {
            by_locale: BTreeMap::new(),
            plain: Some(text),
        }
    }

    pub fn set(&mut self, locale: Locale, text: String) {
        self.by_locale.insert(locale, text);
    }

    pub fn is_empty(&self) -> bool {
        self.plain.is_none() && self.by_locale.is_empty()
    }

    /// Every text written, plain or per locale (for length checks).
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.plain
            .as_deref()
            .into_iter()
            .chain(self.by_locale.values().map(String::as_str))
    }

    /// The text written for exactly `locale` (`None` for plain text or another locale).
    pub fn written_for(&self, locale: Locale) -> Option<&str> {
        self.by_locale.get(&locale).map(String::as_str)
    }

    /// The text in `locale`, falling back to English, then to any translation present.
    pub fn get(&self, locale: Locale) -> &str {
        self.plain
            .as_deref()
            .or_else(|| self.by_locale.get(&locale).map(String::as_str))
            .or_else(|| self.by_locale.get(&Locale::En).map(String::as_str))
            .or_else(|| self.by_locale.values().next().map(String::as_str))
            .unwrap_or_default()
    }
}

/// The `.ftl` sources per locale, compiled in.
pub const SOURCES: [(Locale, &[&str]); 2] = [
    (
        Locale::En,
        &[
            include_str!("../locales/en/main.ftl"),
            include_str!("../locales/en/commands.ftl"),
            include_str!("../locales/en/admin.ftl"),
            include_str!("../locales/en/points.ftl"),
            include_str!("../locales/en/rules.ftl"),
            include_str!("../locales/en/schedule.ftl"),
            include_str!("../locales/en/membership.ftl"),
            include_str!("../locales/en/community.ftl"),
            include_str!("../locales/en/web.ftl"),
            include_str!("../locales/en/engage.ftl"),
        ],
    ),
    (
        Locale::ZhCn,
        &[
            include_str!("../locales/zh-CN/main.ftl"),
            include_str!("../locales/zh-CN/commands.ftl"),
            include_str!("../locales/zh-CN/admin.ftl"),
            include_str!("../locales/zh-CN/points.ftl"),
            include_str!("../locales/zh-CN/rules.ftl"),
            include_str!("../locales/zh-CN/schedule.ftl"),
            include_str!("../locales/zh-CN/membership.ftl"),
            include_str!("../locales/zh-CN/community.ftl"),
            include_str!("../locales/zh-CN/web.ftl"),
            include_str!("../locales/zh-CN/engage.ftl"),
        ],
    ),
];

struct Bundles {
    en: FluentBundle<FluentResource>,
    zh_cn: FluentBundle<FluentResource>,
}

fn bundles() -> &'static Bundles {
    static BUNDLES: OnceLock<Bundles> = OnceLock::new();
    BUNDLES.get_or_init(|| Bundles {
        en: build_bundle(Locale::En),
        zh_cn: build_bundle(Locale::ZhCn),
    })
}

fn build_bundle(locale: Locale) -> FluentBundle<FluentResource> {
    let langid = locale
        .tag()
        .parse()
        .expect("locale tags are valid language ids");
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // Unicode isolation marks around arguments render as stray characters in Discord.
    bundle.set_use_isolating(false);
    let sources = SOURCES
        .iter()
        .find(|(l, _)| *l == locale)
        .map(|(_, s)| *s)
        .unwrap_or_default();
    for source in sources {
        let resource = FluentResource::try_new(source.to_string())
            .unwrap_or_else(|(_, errors)| panic!("invalid {} ftl: {errors:?}", locale.tag()));
        bundle
            .add_resource(resource)
            .unwrap_or_else(|errors| panic!("duplicate {} ftl ids: {errors:?}", locale.tag()));
    }
    bundle
}

fn bundle(locale: Locale) -> &'static FluentBundle<FluentResource> {
    match locale {
        Locale::En => &bundles().en,
        Locale::ZhCn => &bundles().zh_cn,
    }
}

/// Looks up `id` (optionally its attribute `attr`) in exactly `locale`.
pub fn lookup(
    locale: Locale,
    id: &str,
    attr: Option<&str>,
    args: Option<&FluentArgs>,
) -> Option<String> {
    let bundle = bundle(locale);
    let message = bundle.get_message(id)?;
    let pattern = match attr {
        Some(attr) => message.get_attribute(attr)?.value(),
        None => message.value()?,
    };
    let mut errors = Vec::new();
    let text = bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned();
    if !errors.is_empty() {
        tracing::warn!(id, ?errors, "fluent formatting errors");
    }
    Some(text)
}

/// Translates `id` into `locale`, falling back to English and finally to the id itself
/// (a missing key is a bug the locale-parity test catches; the member still sees something).
pub fn tr(locale: Locale, id: &str, args: Option<&FluentArgs>) -> String {
    lookup(locale, id, None, args)
        .or_else(|| lookup(Locale::En, id, None, args))
        .unwrap_or_else(|| {
            tracing::warn!(id, "missing translation");
            id.to_string()
        })
}

/// `t!(locale, "key")` or `t!(locale, "key", name = value, …)`.
#[macro_export]
macro_rules! t {
    ($locale:expr, $id:expr $(,)?) => {
        $crate::i18n::tr($locale, $id, None)
    };
    ($locale:expr, $id:expr, $($name:ident = $value:expr),+ $(,)?) => {{
        let mut args = fluent_bundle::FluentArgs::new();
        $( args.set(stringify!($name), $value); )+
        $crate::i18n::tr($locale, $id, Some(&args))
    }};
}

/// Every message id and attribute (`id.attr`) defined for a locale.
pub fn keys(locale: Locale) -> std::collections::BTreeSet<String> {
    let mut keys = std::collections::BTreeSet::new();
    for (l, sources) in SOURCES {
        if l != locale {
            continue;
        }
        for source in sources {
            let resource = FluentResource::try_new(source.to_string()).expect("valid ftl");
            for entry in resource.entries() {
                if let fluent_syntax::ast::Entry::Message(message) = entry {
                    let id = message.id.name;
                    keys.insert(id.to_string());
                    for attr in &message.attributes {
                        keys.insert(format!("{id}.{}", attr.id.name));
                    }
                }
            }
        }
    }
    keys
}

/// `1990` CNY → `19.90 CNY`.
pub fn money(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let currency = currency.to_ascii_uppercase();
    format!("{sign}{}.{:02} {currency}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_exists_in_every_locale() {
        let en = keys(Locale::En);
        let zh = keys(Locale::ZhCn);
        let only_en: Vec<_> = en.difference(&zh).collect();
        let only_zh: Vec<_> = zh.difference(&en).collect();
        assert!(only_en.is_empty(), "missing in zh-CN: {only_en:?}");
        assert!(only_zh.is_empty(), "missing in en: {only_zh:?}");
        assert!(en.len() > 20, "suspiciously few keys: {}", en.len());
    }

    #[test]
    fn interaction_locale_wins_then_default() {
        assert_eq!(Locale::resolve(Some("zh-CN"), Locale::En), Locale::ZhCn);
        assert_eq!(Locale::resolve(Some("en-US"), Locale::ZhCn), Locale::En);
        assert_eq!(Locale::resolve(Some("fr"), Locale::ZhCn), Locale::ZhCn);
        // Traditional Chinese readers get Chinese, not the English default.
        assert_eq!(Locale::resolve(Some("zh-TW"), Locale::En), Locale::ZhCn);
        assert_eq!(Locale::resolve(None, Locale::En), Locale::En);
    }

    #[test]
    fn arguments_are_substituted_without_isolation_marks() {
        let text = t!(Locale::En, "error-internal", reference = "abc123");
        assert!(text.contains("abc123"), "{text}");
        assert!(!text.contains('\u{2068}'));
        let zh = t!(Locale::ZhCn, "error-internal", reference = "abc123");
        assert_ne!(zh, text);
    }

    #[test]
    fn localized_text_falls_back_to_english() {
        let mut text = LocalizedText::default();
        text.set(Locale::En, "Hello".into());
        assert_eq!(text.get(Locale::ZhCn), "Hello");
        text.set(Locale::ZhCn, "你好".into());
        assert_eq!(text.get(Locale::ZhCn), "你好");
        assert_eq!(LocalizedText::plain("Hi".into()).get(Locale::ZhCn), "Hi");
    }
}
