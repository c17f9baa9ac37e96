//! `[[products]]` and `[membership]`: what members pay for (a membership tier or a course),
//! the role it unlocks, how long it lasts, and how renewal, grace and reconciliation behave.
//! Policy only; who holds what is state (the `grants` table).

use std::time::Duration;

use serenity::all::{ChannelId, RoleId};
use toml::Value;

use super::reader::Section;
use crate::i18n::LocalizedText;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductKind {
    Membership,
    Course,
}

impl ProductKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProductKind::Membership => "membership",
            ProductKind::Course => "course",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub id: String,
    pub kind: ProductKind,
    pub name: LocalizedText,
    /// The role the product unlocks.
    pub role: RoleId,
    /// The gated channels (`/gate check` verifies them, `/gate apply` fixes them).
    pub channels: Vec<ChannelId>,
    /// How long one purchase lasts; `None` is lifetime.
    pub duration: Option<Duration>,
    /// In the currency's minor unit (cents, fen), for reports.
    pub price_minor: i64,
    /// ISO 4217, upper case.
    pub currency: String,
    /// Access continues this long after the paid time ends, then the role goes.
    pub grace: Duration,
    /// Held during grace instead of nothing (optional).
    pub grace_role: Option<RoleId>,
    pub stripe_price_ids: Vec<String>,
    pub discord_sku_ids: Vec<u64>,
    /// Reminder DMs this long before the paid time ends, longest first.
    pub renew_reminders: Vec<Duration>,
    /// The Stripe Payment Link `/membership buy` sends members to.
    pub payment_link: Option<String>,
    /// `[[products.lessons]]` of a course, in order: drip-released from each member's own
    /// start.
    pub lessons: Vec<Lesson>,
    /// What its shareable page (`/products/{id}`) says beyond the name and price.
    pub page: ProductPage,
}

/// A product page's own words: a description and questions with answers (each a plain string
/// or one per language), and whether it shows how many members hold the product.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProductPage {
    pub description: Option<LocalizedText>,
    pub faq: Vec<(LocalizedText, LocalizedText)>,
    pub show_member_count: bool,
}

/// A course lesson that unlocks `unlock_after` the member's first grant of the course.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    pub title: LocalizedText,
    /// Where it is: a channel, thread or message link (`https://discord.com/channels/…`).
    pub link: String,
    pub unlock_after: Duration,
    /// A role that opens the lesson's channel (one role per stage, not per member).
    pub role: Option<RoleId>,
}

impl Product {
    /// `grace` as a span to add to instants.
    pub fn grace_span(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.grace).unwrap_or_default()
    }

    /// `duration` in whole seconds, `None` for lifetime.
    pub fn duration_secs(&self) -> Option<i64> {
        self.duration.map(|d| d.as_secs() as i64)
    }
}

/// What `/redeem` does for a member who already holds the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenHeld {
    /// Extend from the current expiry (the default).
    Extend,
    /// Refuse, so the code stays unused for someone else.
    Refuse,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MembershipConfig {
    /// How often the product roles are compared with who holds them.
    pub reconcile_every: Duration,
    /// Remove a product role that someone holds without a grant (else only report it).
    pub strict: bool,
    pub redeem_when_held: WhenHeld,
    /// Wrong codes allowed per member in `redeem_window` before `/redeem` refuses.
    pub redeem_failures: u32,
    pub redeem_window: Duration,
    /// What a partial Stripe refund does to the access it paid for (full refunds always end it).
    pub partial_refund: PartialRefund,
    /// End the access a charge bought as soon as it is disputed (else only when the dispute is lost).
    pub end_on_dispute: bool,
}

/// `membership.partial_refund`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartialRefund {
    /// Recorded in revenue; access stays.
    Keep,
    /// Recorded in revenue; the access that payment bought ends.
    End,
}

impl Default for MembershipConfig {
    fn default() -> Self {
        MembershipConfig {
            reconcile_every: Duration::from_secs(600),
            strict: false,
            redeem_when_held: WhenHeld::Extend,
            redeem_failures: 5,
            redeem_window: Duration::from_secs(600),
            partial_refund: PartialRefund::Keep,
            end_on_dispute: false,
        }
    }
}

/// Days, `"lifetime"`, or any span `span::parse` reads (`"30d"`, `"365d"`, `"12w"`).
pub fn parse_product_duration(text: &str) -> Option<Option<Duration>> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("lifetime") || text == "永久" {
        return Some(None);
    }
    crate::span::parse(text).map(Some)
}

fn reminders(t: &mut Section<'_>) -> Vec<Duration> {
    let Some(value) = t.raw("renew_reminders") else {
        return vec![Duration::from_secs(7 * 86_400), Duration::from_secs(86_400)];
    };
    let parsed: Option<Vec<Duration>> = value.as_str().and_then(|text| {
        text.split([',', '，'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(crate::span::parse)
            .collect()
    });
    match parsed {
        Some(mut list) => {
            list.sort();
            list.dedup();
            list.reverse();
            list
        }
        None => {
            t.problem(
                "renew_reminders",
                Some(value),
                "expected offsets such as \"7d,1d\"",
            );
            Vec::new()
        }
    }
}

fn strings(t: &mut Section<'_>, key: &str) -> Vec<String> {
    match t.raw(key) {
        None => Vec::new(),
        Some(Value::Array(items)) if items.iter().all(Value::is_str) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(other) => {
            t.problem(key, Some(other), "expected an array of strings");
            Vec::new()
        }
    }
}

pub fn read_products(items: Vec<Section<'_>>) -> Vec<Product> {
    let mut out: Vec<Product> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for mut t in items {
        let id = t.stable_id("id", "pro", &mut seen);
        let kind = match t.string("kind").as_deref() {
            None | Some("membership") => Some(ProductKind::Membership),
            Some("course") => Some(ProductKind::Course),
            Some(other) => {
                t.problem(
                    "kind",
                    Some(&Value::String(other.into())),
                    "expected \"membership\" or \"course\"",
                );
                None
            }
        };
        let name = t.text("name");
        if name.is_none() && t.raw("name").is_none() {
            t.missing("name");
        }
        let role = t.id("role").map(RoleId::new);
        if role.is_none() && t.raw("role").is_none() {
            t.missing("role");
        }
        let channels = t.ids("channels").into_iter().map(ChannelId::new).collect();
        let duration = read_duration(&mut t);
        let price = t.float("price", 0.0..=1_000_000.0).unwrap_or(0.0);
        let currency = t
            .string("currency")
            .unwrap_or_else(|| "USD".into())
            .trim()
            .to_uppercase();
        if let Some(problem) = super::mistakes::currency_problem(&currency) {
            t.problem("currency", Some(&Value::String(currency.clone())), problem);
        }
        let grace = t
            .duration("grace")
            .unwrap_or(Duration::from_secs(3 * 86_400));
        let grace_role = t.id("grace_role").map(RoleId::new);
        let stripe_price_ids = strings(&mut t, "stripe_price_ids");
        let discord_sku_ids = t.ids("discord_sku_ids");
        let renew_reminders = reminders(&mut t);
        let payment_link = read_payment_link(&mut t);
        let lessons = read_lessons(&mut t, kind);
        let page = read_page(&mut t);
        t.finish();
        if let (Some(id), Some(kind), Some(name), Some(role), Some(duration)) =
            (id, kind, name, role, duration)
        {
            out.push(Product {
                id,
                kind,
                name,
                role,
                channels,
                duration,
                price_minor: (price * 100.0).round() as i64,
                currency,
                grace,
                grace_role,
                stripe_price_ids,
                discord_sku_ids,
                renew_reminders,
                payment_link,
                lessons,
                page,
            });
        }
    }
    out
}

/// `duration`: a length such as "30d", or "lifetime" (`Some(None)`).
fn read_duration(t: &mut Section<'_>) -> Option<Option<Duration>> {
    let Some(value) = t.raw("duration") else {
        t.missing("duration");
        return None;
    };
    let parsed = value.as_str().and_then(parse_product_duration);
    if parsed.is_none() {
        t.problem(
            "duration",
            Some(value),
            "expected a length such as \"30d\" or \"365d\", or \"lifetime\"",
        );
    }
    parsed
}

/// `payment_link`: an https:// Stripe Payment Link.
fn read_payment_link(t: &mut Section<'_>) -> Option<String> {
    let link = t.string("payment_link")?;
    if !link.starts_with("https://") {
        t.problem(
            "payment_link",
            Some(&Value::String(link.clone())),
            "expected an https:// Stripe Payment Link",
        );
    }
    Some(link)
}

/// `description`, `[[products.faq]]` (`q` and `a`) and `show_member_count` for the product's
/// page.
fn read_page(t: &mut Section<'_>) -> ProductPage {
    let description = t.text("description");
    let mut faq = Vec::new();
    for mut item in t.tables("faq") {
        let (q, a) = (item.text("q"), item.text("a"));
        if q.is_none() {
            item.missing("q");
        }
        if a.is_none() {
            item.missing("a");
        }
        item.finish();
        if let (Some(q), Some(a)) = (q, a) {
            faq.push((q, a));
        }
    }
    ProductPage {
        description,
        faq,
        show_member_count: t.boolean("show_member_count").unwrap_or(false),
    }
}

/// `[[products.lessons]]`: only a course has lessons; each needs a title, a Discord link and
/// `unlock_after` (`"0d"` for at once).
fn read_lessons(t: &mut Section<'_>, kind: Option<ProductKind>) -> Vec<Lesson> {
    let tables = t.tables("lessons");
    if !tables.is_empty() && kind == Some(ProductKind::Membership) {
        t.problem(
            "lessons",
            None,
            "only a kind = \"course\" product has lessons",
        );
    }
    let mut lessons = Vec::new();
    for mut l in tables {
        let title = l.text("title");
        if title.is_none() && l.raw("title").is_none() {
            l.missing("title");
        }
        let link = l.string("link");
        match &link {
            None if l.raw("link").is_none() => l.missing("link"),
            Some(link) if !link.starts_with("https://discord.com/channels/") => l.problem(
                "link",
                Some(&Value::String(link.clone())),
                "expected a channel, thread or message link (https://discord.com/channels/…)",
            ),
            _ => {}
        }
        let unlock_after = l.duration("unlock_after");
        if unlock_after.is_none() && l.raw("unlock_after").is_none() {
            l.missing("unlock_after");
        }
        let role = l.id("role").map(RoleId::new);
        l.finish();
        if let (Some(title), Some(link), Some(unlock_after)) = (title, link, unlock_after) {
            lessons.push(Lesson {
                title,
                link,
                unlock_after,
                role,
            });
        }
    }
    lessons
}

pub fn read_membership(s: &mut Section<'_>) -> MembershipConfig {
    let d = MembershipConfig::default();
    let reconcile_every = s.duration("reconcile_every").unwrap_or(d.reconcile_every);
    if reconcile_every < Duration::from_secs(60) {
        s.problem("reconcile_every", None, "must be at least 1m");
    }
    let redeem_when_held = match s.string("redeem_when_held").as_deref() {
        None | Some("extend") => WhenHeld::Extend,
        Some("refuse") => WhenHeld::Refuse,
        Some(other) => {
            s.problem(
                "redeem_when_held",
                Some(&Value::String(other.into())),
                "expected \"extend\" or \"refuse\"",
            );
            d.redeem_when_held
        }
    };
    let partial_refund = match s.string("partial_refund").as_deref() {
        None | Some("keep") => PartialRefund::Keep,
        Some("end") => PartialRefund::End,
        Some(other) => {
            s.problem(
                "partial_refund",
                Some(&Value::String(other.into())),
                "expected \"keep\" or \"end\"",
            );
            d.partial_refund
        }
    };
    MembershipConfig {
        reconcile_every,
        partial_refund,
        end_on_dispute: s.boolean("end_on_dispute").unwrap_or(d.end_on_dispute),
        strict: s.boolean("strict").unwrap_or(d.strict),
        redeem_when_held,
        redeem_failures: s
            .int("redeem_failures", 1..=100)
            .map_or(d.redeem_failures, |n| n as u32),
        redeem_window: s.duration("redeem_window").unwrap_or(d.redeem_window),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    const BASE: &str = "[discord]\nguild_id = 1\n";

    #[test]
    fn a_product_reads_with_its_defaults() {
        let config = Config::parse(&format!(
            "{BASE}[[products]]\nid = \"pro\"\nname = {{ en = \"Pro\", \"zh-CN\" = \"专业版\" }}\nrole = 5\nduration = \"30d\"\nprice = 19.9\ncurrency = \"cny\"\n"
        ))
        .unwrap();
        let p = &config.products[0];
        assert_eq!(p.kind, ProductKind::Membership);
        assert_eq!(p.duration, Some(Duration::from_secs(30 * 86_400)));
        assert_eq!((p.price_minor, p.currency.as_str()), (1990, "CNY"));
        assert_eq!(p.grace, Duration::from_secs(3 * 86_400));
        assert_eq!(
            p.renew_reminders,
            [Duration::from_secs(7 * 86_400), Duration::from_secs(86_400)]
        );
        assert_eq!(config.membership, MembershipConfig::default());
    }

    #[test]
    fn lifetime_has_no_end_and_bad_products_name_their_keys() {
        assert_eq!(parse_product_duration("lifetime"), Some(None));
        let problems: Vec<String> = Config::parse(&format!(
            "{BASE}[[products]]\nid = \"a b\"\nkind = \"ebook\"\nname = \"x\"\nduration = \"forever\"\ncurrency = \"dollars\"\n[membership]\nredeem_when_held = \"maybe\"\n"
        ))
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
        let joined = problems.join("\n");
        for key in [
            "products[0].id",
            "products[0].kind",
            "products[0].role",
            "products[0].duration",
            "products[0].currency",
            "membership.redeem_when_held",
        ] {
            assert!(joined.contains(key), "{key} in {joined}");
        }
    }
}
