//! `[[content_plan]]` and `[plan]`: what the creator plans to publish, and when the weekly
//! digest goes to staff. Policy only; what was published is state.

use chrono::{NaiveTime, Weekday};
use serenity::all::ChannelId;

use super::reader::Section;

/// The period a target counts over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Per {
    Week,
    Month,
    Quarter,
}

impl Per {
    pub fn as_str(self) -> &'static str {
        match self {
            Per::Week => "week",
            Per::Month => "month",
            Per::Quarter => "quarter",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanItem {
    /// "article", "livestream", "discussion", "video", … (the tag `/plan done` takes).
    pub kind: String,
    /// What members read for it (`label = "articles"` or `{ en = …, "zh-CN" = … }`); without
    /// one, Lyceum's own word for a common kind, else the kind as written.
    pub label: Option<crate::i18n::LocalizedText>,
    /// A post by staff here counts (optionally only with `tag`).
    pub channel: Option<ChannelId>,
    pub tag: Option<String>,
    pub target: u32,
    pub per: Per,
}

impl PlanItem {
    /// The kind in `locale`: the configured label, Lyceum's word for a common kind
    /// (article, livestream, video, discussion, course, qa), else the kind as written.
    pub fn label(&self, locale: crate::i18n::Locale) -> String {
        if let Some(label) = &self.label {
            return label.get(locale).to_string();
        }
        match self.kind.as_str() {
            known @ ("article" | "livestream" | "video" | "discussion" | "course" | "qa") => {
                crate::t!(locale, &format!("plan-kind-{known}"))
            }
            other => other.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanConfig {
    pub items: Vec<PlanItem>,
    /// The weekly digest to `channels.staff`: weekday and local time.
    pub digest_day: Weekday,
    pub digest_time: NaiveTime,
}

impl Default for PlanConfig {
    fn default() -> Self {
        PlanConfig {
            items: Vec::new(),
            digest_day: Weekday::Mon,
            digest_time: NaiveTime::from_hms_opt(9, 0, 0).expect("valid time"),
        }
    }
}

/// `"3/week"`, `"1/month"`, `"2/quarter"`.
fn parse_target(text: &str) -> Option<(u32, Per)> {
    let (n, per) = text.trim().split_once('/')?;
    let n: u32 = n.trim().parse().ok().filter(|n| (1..=1_000).contains(n))?;
    let per = match per.trim() {
        "week" => Per::Week,
        "month" => Per::Month,
        "quarter" => Per::Quarter,
        _ => return None,
    };
    Some((n, per))
}

pub fn read_items(items: Vec<Section<'_>>) -> Vec<PlanItem> {
    let mut out: Vec<PlanItem> = Vec::new();
    for mut t in items {
        let kind = t.string("kind");
        let label = t.text("label");
        let channel = t.id("channel").map(ChannelId::new);
        let tag = t.string("tag").filter(|s| !s.trim().is_empty());
        let target = match t.raw("target") {
            None => {
                t.missing("target");
                None
            }
            Some(value) => {
                let parsed = value.as_str().and_then(parse_target);
                if parsed.is_none() {
                    t.problem(
                        "target",
                        Some(value),
                        "expected e.g. \"3/week\", \"1/month\" or \"1/quarter\"",
                    );
                }
                parsed
            }
        };
        if kind.is_none() && t.raw("kind").is_none() {
            t.missing("kind");
        }
        if let Some(kind) = &kind {
            if out.iter().any(|i| &i.kind == kind) {
                t.problem("kind", None, format!("\"{kind}\" is planned twice"));
            }
        }
        t.finish();
        if let (Some(kind), Some((target, per))) = (kind, target) {
            out.push(PlanItem {
                kind,
                label,
                channel,
                tag,
                target,
                per,
            });
        }
    }
    out
}

pub fn read_plan(s: &mut Section<'_>, items: Vec<PlanItem>) -> PlanConfig {
    let d = PlanConfig::default();
    let digest_day = match s.raw("digest_day") {
        None => d.digest_day,
        Some(value) => match value.as_str().and_then(|v| v.parse::<Weekday>().ok()) {
            Some(day) => day,
            None => {
                s.problem(
                    "digest_day",
                    Some(value),
                    "expected a weekday such as \"mon\"",
                );
                d.digest_day
            }
        },
    };
    let digest_time = match s.raw("digest_time") {
        None => d.digest_time,
        Some(value) => match value
            .as_str()
            .and_then(|v| NaiveTime::parse_from_str(v, "%H:%M").ok())
        {
            Some(time) => time,
            None => {
                s.problem(
                    "digest_time",
                    Some(value),
                    "expected a local time such as \"09:00\"",
                );
                d.digest_time
            }
        },
    };
    PlanConfig {
        items,
        digest_day,
        digest_time,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_read_count_and_period() {
        assert_eq!(parse_target("3/week"), Some((3, Per::Week)));
        assert_eq!(parse_target(" 1 / month "), Some((1, Per::Month)));
        assert_eq!(parse_target("2/quarter"), Some((2, Per::Quarter)));
        assert_eq!(parse_target("0/week"), None);
        assert_eq!(parse_target("3/fortnight"), None);
    }

    /// A kind reads as its configured label, else Lyceum's word for a common kind, else as
    /// written — in each language.
    #[test]
    fn a_kind_is_labelled_in_each_language() {
        use crate::i18n::Locale;
        let config = crate::config::Config::parse(
            "[discord]\nguild_id = 1\n\
             [[content_plan]]\nkind = \"article\"\ntarget = \"3/week\"\n\
             [[content_plan]]\nkind = \"deep-dive\"\ntarget = \"1/month\"\n\
             label = { en = \"deep dive\", \"zh-CN\" = \"深度解析\" }\n\
             [[content_plan]]\nkind = \"zine\"\ntarget = \"1/quarter\"\n",
        )
        .unwrap();
        let labels = |l| -> Vec<String> { config.plan.items.iter().map(|i| i.label(l)).collect() };
        assert_eq!(labels(Locale::En), ["article", "deep dive", "zine"]);
        assert_eq!(labels(Locale::ZhCn), ["文章", "深度解析", "zine"]);
    }
}
