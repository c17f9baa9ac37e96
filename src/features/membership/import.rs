//! Bringing paid members from another platform: a CSV export from LaunchPass, Whop,
//! Upgrade.Chat, Patreon or 知识星球 becomes one grant per member with source `import`.
//!
//! Columns are found by their header name (see [`COLUMNS`]), not by position, because each
//! platform names and orders them its own way and changes them between versions. A row names
//! its member by Discord id, or by username (looked up among the server's members). Each
//! member's grant carries the reference `import:<product>:<member>`, so a second run of the
//! same file — or of another platform's file for the same product — changes nothing.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serenity::all::UserId;

use super::ops::{self, GrantRequest, Length};
use crate::config::{Config, Product};
use crate::error::Error;
use crate::grants;
use crate::state::{AppState, Topic};

/// What a column means, and the header names (compared case-insensitively) that say so, in
/// order of preference: Patreon has both `Access Expiration` (set when a patron has cancelled)
/// and `Next Charge Date` (set while they pay); a row uses the first one it has a value in.
pub const COLUMNS: &[(Field, &[&str])] = &[
    (
        Field::DiscordId,
        &[
            "discord id",
            "discord_id",
            "discord user id",
            "discord 用户 id",
            "discord id（数字）",
        ],
    ),
    (
        Field::Username,
        &[
            "discord username",
            "discord_username",
            "discord",
            "discord tag",
            "discord 用户名",
        ],
    ),
    (
        Field::Ends,
        &[
            "access expiration",
            "expiration date",
            "expires at",
            "expires_at",
            "expires",
            "expiration",
            "valid until",
            "end date",
            "next charge date",
            "next billing date",
            "next payment",
            "renewal date",
            "到期时间",
            "过期时间",
            "有效期至",
        ],
    ),
    (
        Field::Status,
        &["patron status", "membership status", "status", "状态"],
    ),
    (
        Field::Amount,
        &[
            "pledge amount",
            "amount",
            "price",
            "plan price",
            "金额",
            "价格",
        ],
    ),
    (
        Field::Plan,
        &["tier", "plan", "product", "membership", "套餐", "星球名称"],
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    DiscordId,
    Username,
    Ends,
    Status,
    Amount,
    Plan,
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::DiscordId => "Discord id",
            Field::Username => "Discord username",
            Field::Ends => "end date",
            Field::Status => "status",
            Field::Amount => "amount",
            Field::Plan => "plan",
        }
    }
}

/// Who a row names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Id(UserId),
    /// A username as the export wrote it (`ada`, `@ada`, `ada#0`, `Ada#1234`).
    Name(String),
}

/// One member the export says is paying.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The line in the file (the header is line 1).
    pub line: usize,
    pub who: Who,
    /// `None`: the export gives no end (the product's own length applies).
    pub ends: Option<DateTime<Utc>>,
    /// As written (`$5.00`, `¥199`), for the grant's note.
    pub amount: Option<String>,
}

/// A row that will not become a grant, and why (in words for the report).
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub line: usize,
    pub who: String,
    pub why: String,
}

/// What a file holds: the columns it was read by, the rows to grant and the rows left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub columns: Vec<(Field, String)>,
    pub rows: Vec<Row>,
    pub skipped: Vec<Skipped>,
}

/// What the rows are read against: the community's zone (a date without a time ends at the
/// end of that day there), the time now (an end in the past is not imported), and optionally
/// one plan or tier to take from an export that holds several.
pub struct Reading<'a> {
    pub zone: Tz,
    pub now: DateTime<Utc>,
    pub plan: Option<&'a str>,
}

/// Reads an export. Fails (importing nothing) only when the file is not a CSV or names no
/// member column; a row that cannot be read is skipped and reported.
pub fn parse(text: &str, reading: &Reading<'_>) -> Result<Parsed, String> {
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    let lowered: Vec<String> = headers.iter().map(|h| h.to_lowercase()).collect();
    let mut found: HashMap<Field, Vec<usize>> = HashMap::new();
    let mut columns = Vec::new();
    for (field, names) in COLUMNS {
        for name in *names {
            if let Some(i) = lowered.iter().position(|h| h == name) {
                found.entry(*field).or_default().push(i);
                columns.push((*field, headers[i].to_string()));
            }
        }
    }
    if !found.contains_key(&Field::DiscordId) && !found.contains_key(&Field::Username) {
        return Err(format!(
            "no column names the member: add one headed \"Discord ID\" or \"Discord Username\" (found: {})",
            headers.iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if reading.plan.is_some() && !found.contains_key(&Field::Plan) {
        return Err("--plan was given but the file has no Tier, Plan or Product column".into());
    }
    let mut parsed = Parsed {
        columns,
        rows: Vec::new(),
        skipped: Vec::new(),
    };
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| format!("line {line}: {e}"))?;
        let value = |field: Field| {
            found.get(&field).and_then(|columns| {
                columns
                    .iter()
                    .filter_map(|&c| record.get(c))
                    .find(|v| !v.is_empty())
            })
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        match read_row(line, &value, reading) {
            Ok(row) => parsed.rows.push(row),
            Err(skipped) => parsed.skipped.push(skipped),
        }
    }
    Ok(parsed)
}

fn read_row<'r>(
    line: usize,
    value: &dyn Fn(Field) -> Option<&'r str>,
    reading: &Reading<'_>,
) -> Result<Row, Skipped> {
    let id = value(Field::DiscordId);
    let name = value(Field::Username);
    let who_text = id.or(name).unwrap_or("").to_string();
    let skip = |why: String| Skipped {
        line,
        who: who_text.clone(),
        why,
    };
    let who = match (id.map(|v| v.parse::<u64>()), name) {
        (Some(Ok(id)), _) if id > 0 => Who::Id(UserId::new(id)),
        (_, Some(name)) => Who::Name(name.to_string()),
        (Some(_), None) => return Err(skip("the Discord id is not a number".into())),
        (None, None) => return Err(skip("no Discord id or username".into())),
    };
    if let (Some(wanted), Some(plan)) = (reading.plan, value(Field::Plan)) {
        if !plan.eq_ignore_ascii_case(wanted) {
            return Err(skip(format!("plan \"{plan}\", not \"{wanted}\"")));
        }
    }
    let ends = match value(Field::Ends) {
        None => None,
        Some(text) => Some(
            read_date(text, reading.zone)
                .ok_or_else(|| skip(format!("cannot read the end date \"{text}\"")))?,
        ),
    };
    let still_paid = ends.is_some_and(|end| end > reading.now);
    if let Some(status) = value(Field::Status) {
        match status_says(status) {
            Status::Ended => return Err(skip(format!("status \"{status}\""))),
            // Cancelled at the period's end: paid until then, so access runs to it.
            Status::Cancelled if !still_paid => {
                return Err(skip(format!("status \"{status}\" and no end date to come")))
            }
            _ => {}
        }
    }
    if let Some(end) = ends.filter(|end| *end <= reading.now) {
        return Err(skip(format!("ended {}", end.format("%Y-%m-%d"))));
    }
    Ok(Row {
        line,
        who,
        ends,
        amount: value(Field::Amount).map(str::to_string),
    })
}

#[derive(Debug, PartialEq, Eq)]
enum Status {
    Active,
    Cancelled,
    Ended,
}

/// What a platform's status column means for access. Unknown words count as active: the
/// export is of members, and the end date still decides.
fn status_says(status: &str) -> Status {
    let s = status.to_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| s.contains(w));
    if any(&[
        "former",
        "declined",
        "expired",
        "inactive",
        "ended",
        "refunded",
        "fraud",
        "past_due",
        "已过期",
        "已退出",
        "已退款",
        "过期",
    ]) {
        Status::Ended
    } else if any(&["cancel", "已取消"]) {
        Status::Cancelled
    } else {
        Status::Active
    }
}

/// A date as exports write it: RFC 3339, `2026-12-31 10:00[:00]`, `2026-12-31`, `2026/12/31`,
/// `12/31/2026` (US, as the English platforms export), `Dec 31, 2026`, `2026年12月31日`. A date
/// without a time means "through that day" in the community's zone.
pub fn read_date(text: &str, zone: Tz) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return zone.from_local_datetime(&at).earliest().map(|t| t.to_utc());
        }
    }
    for format in [
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%m/%d/%Y",
        "%b %d, %Y",
        "%Y年%m月%d日",
    ] {
        if let Ok(day) = NaiveDate::parse_from_str(text, format) {
            let next = day.succ_opt()?.and_hms_opt(0, 0, 0)?;
            return zone
                .from_local_datetime(&next)
                .earliest()
                .map(|t| t.to_utc());
        }
    }
    None
}

/// The server's members by username, for exports that name members only by it.
#[derive(Debug, Default)]
pub struct Directory {
    by_name: HashMap<String, UserId>,
}

impl Directory {
    pub fn new(members: impl IntoIterator<Item = (String, UserId)>) -> Directory {
        Directory {
            by_name: members
                .into_iter()
                .map(|(name, id)| (name.to_lowercase(), id))
                .collect(),
        }
    }

    /// `@Ada`, `ada#0` and `Ada#1234` (the old tag) all find `ada`.
    pub fn find(&self, written: &str) -> Option<UserId> {
        let name = written.trim().trim_start_matches('@');
        let name = match name.rsplit_once('#') {
            Some((name, tag)) if tag.chars().all(|c| c.is_ascii_digit()) => name,
            _ => name,
        };
        self.by_name.get(&name.to_lowercase()).copied()
    }
}

/// A member the import will grant.
#[derive(Debug, Clone, PartialEq)]
pub struct Ready {
    pub line: usize,
    pub member: UserId,
    pub ends: Option<DateTime<Utc>>,
    pub amount: Option<String>,
}

/// Turns rows into members: ids as they are, usernames through `directory` (`None`: usernames
/// cannot be looked up, and are reported). One row per member: a later row wins.
pub fn resolve(
    rows: Vec<Row>,
    directory: Option<&Directory>,
    skipped: &mut Vec<Skipped>,
) -> Vec<Ready> {
    let mut by_member: std::collections::BTreeMap<UserId, Ready> = Default::default();
    for row in rows {
        let member = match &row.who {
            Who::Id(id) => Some(*id),
            Who::Name(name) => match directory {
                Some(directory) => directory.find(name).or_else(|| {
                    skipped.push(Skipped {
                        line: row.line,
                        who: name.clone(),
                        why: "no member of the server has this username".into(),
                    });
                    None
                }),
                None => {
                    skipped.push(Skipped {
                        line: row.line,
                        who: name.clone(),
                        why: "a username needs DISCORD_TOKEN set to be looked up".into(),
                    });
                    None
                }
            },
        };
        if let Some(member) = member {
            by_member.insert(
                member,
                Ready {
                    line: row.line,
                    member,
                    ends: row.ends,
                    amount: row.amount,
                },
            );
        }
    }
    skipped.sort_by_key(|s| s.line);
    by_member.into_values().collect()
}

fn reference(product: &Product, member: UserId) -> String {
    format!("import:{}:{member}", product.id)
}

/// What an import would do (or did): the members to grant and how many came in before.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub new: Vec<Ready>,
    pub already: usize,
}

/// The plan for `members`, read without writing.
pub async fn plan(app: &AppState, product: &Product, members: &[Ready]) -> Result<Plan, Error> {
    let mut conn = app.db.read.acquire().await?;
    let mut plan = Plan {
        new: Vec::new(),
        already: 0,
    };
    for ready in members {
        let reference = reference(product, ready.member);
        if grants::store::reference_ever_used(&mut conn, &reference).await? {
            plan.already += 1;
        } else {
            plan.new.push(ready.clone());
        }
    }
    Ok(plan)
}

/// Grants `members` the product, once each, in one write with one audit row; their roles go
/// out through the outbox when the bot runs. `from` names the file in the grants' notes.
pub async fn run(
    app: &AppState,
    config: &Config,
    product: &Product,
    members: &[Ready],
    from: &str,
) -> Result<Plan, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let mut done = Plan {
        new: Vec::new(),
        already: 0,
    };
    for ready in members {
        let reference = reference(product, ready.member);
        if grants::store::reference_ever_used(&mut tx, &reference).await? {
            done.already += 1;
            continue;
        }
        let note = match &ready.amount {
            Some(amount) => format!("imported from {from} (paid {amount} there)"),
            None => format!("imported from {from}"),
        };
        let request = GrantRequest {
            member: ready.member,
            product,
            source: "import",
            length: ready.ends.map_or(Length::Product, Length::Until),
            reference: Some(&reference),
            note: Some(&note),
            actor: None,
        };
        ops::grant(&mut tx, config, &request, now).await?;
        done.new.push(ready.clone());
    }
    if !done.new.is_empty() {
        let entry = crate::audit::Action {
            guild_id: config.discord.guild_id,
            actor: ops::SYSTEM_ACTOR,
            action: "membership.import",
            target_kind: Some("product"),
            target_id: None,
            arguments: serde_json::json!({
                "product": product.id,
                "file": from,
                "members": done.new.len(),
            }),
        };
        crate::audit::record(&mut tx, &entry, now).await?;
    }
    app.commit_with(tx, &[Topic::GRANTS]).await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading() -> Reading<'static> {
        Reading {
            zone: chrono_tz::Asia::Shanghai,
            now: Utc.with_ymd_and_hms(2026, 12, 3, 0, 0, 0).unwrap(),
            plan: None,
        }
    }

    #[test]
    fn a_date_without_a_time_lasts_through_that_day_in_the_community_zone() {
        let through = Utc.with_ymd_and_hms(2027, 1, 14, 16, 0, 0).unwrap();
        for written in [
            "2027-01-14",
            "2027/01/14",
            "01/14/2027",
            "Jan 14, 2027",
            "2027年1月14日",
        ] {
            assert_eq!(
                read_date(written, chrono_tz::Asia::Shanghai),
                Some(through),
                "{written}"
            );
        }
        assert_eq!(
            read_date("2027-01-14T08:00:00Z", chrono_tz::Asia::Shanghai),
            Some(Utc.with_ymd_and_hms(2027, 1, 14, 8, 0, 0).unwrap())
        );
        assert_eq!(read_date("next month", chrono_tz::Asia::Shanghai), None);
    }

    #[test]
    fn rows_are_read_by_header_name_and_ended_ones_are_reported() {
        let text = "Email,Status,Discord Username,Expiration Date,Discord ID\n\
                    a@x,active,ada,2027-01-14,300000000000000001\n\
                    b@x,expired,bo,2026-11-01,300000000000000002\n\
                    c@x,canceled,cy,2027-02-01,\n\
                    d@x,canceled,di,2026-12-01,\n\
                    e@x,active,,,\n";
        let parsed = parse(text, &reading()).unwrap();
        assert_eq!(parsed.rows.len(), 2, "{parsed:?}");
        assert_eq!(parsed.rows[0].who, Who::Id(UserId::new(300000000000000001)));
        assert_eq!(parsed.rows[1].who, Who::Name("cy".into()));
        let why: Vec<_> = parsed.skipped.iter().map(|s| s.line).collect();
        assert_eq!(why, vec![3, 5, 6]);
        assert!(parse("Email,Name\na,b\n", &reading())
            .unwrap_err()
            .contains("Discord ID"));
    }

    #[test]
    fn a_plan_filter_takes_one_tier_from_an_export_of_several() {
        let text = "Discord,Tier,Next Charge Date\nada,Gold,2027-01-01\nbo,Silver,2027-01-01\n";
        let reading = Reading {
            plan: Some("gold"),
            ..reading()
        };
        let parsed = parse(text, &reading).unwrap();
        assert_eq!(parsed.rows.len(), 1);
        assert!(parsed.skipped[0].why.contains("Silver"));
    }

    #[test]
    fn usernames_are_found_with_or_without_the_old_tag() {
        let directory = Directory::new([("ada".to_string(), UserId::new(7))]);
        for written in ["ada", "@Ada", "ada#0", "Ada#1234"] {
            assert_eq!(directory.find(written), Some(UserId::new(7)), "{written}");
        }
        assert_eq!(directory.find("bo"), None);
        let mut skipped = Vec::new();
        let rows = vec![
            Row {
                line: 2,
                who: Who::Name("ada".into()),
                ends: None,
                amount: None,
            },
            Row {
                line: 3,
                who: Who::Name("ghost".into()),
                ends: None,
                amount: None,
            },
        ];
        let ready = resolve(rows.clone(), Some(&directory), &mut skipped);
        assert_eq!(ready.len(), 1);
        assert_eq!(skipped[0].line, 3);
        let mut skipped = Vec::new();
        assert!(resolve(rows, None, &mut skipped).is_empty());
        assert!(skipped[0].why.contains("DISCORD_TOKEN"));
    }
}
