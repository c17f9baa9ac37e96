//! Bringing members' points and levels from another bot: MEE6's leaderboard JSON or a
//! `user_id,points` CSV. Each member's points arrive once, as one ledger entry of kind
//! `import` with reference `import:<source>:<member>` — a second run finds every reference used
//! and changes nothing. Levels follow from lifetime points (Lyceum's level curve is MEE6's, so
//! an imported MEE6 level is the same level here); level roles are queued, level-up
//! announcements are not (an import is not an achievement).

use serde::Deserialize;
use serenity::all::UserId;

use super::ops;
use super::store::{self, Entry};
use crate::config::Config;
use crate::error::Error;
use crate::state::AppState;

/// One member's points as the other bot had them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub member: UserId,
    pub points: i64,
}

#[derive(Deserialize)]
struct Mee6Page {
    players: Vec<Mee6Player>,
}

#[derive(Deserialize)]
struct Mee6Player {
    /// MEE6 sends ids as strings.
    id: String,
    xp: i64,
}

/// MEE6's public leaderboard (`/api/plugins/levels/leaderboard/<guild>?page=N`): one page
/// (`{"players": [...]}`) or several saved in one array. XP becomes points.
pub fn parse_mee6(text: &str) -> Result<Vec<Row>, String> {
    let pages: Vec<Mee6Page> = match serde_json::from_str::<Mee6Page>(text) {
        Ok(page) => vec![page],
        Err(_) => serde_json::from_str(text).map_err(|e| {
            format!("not MEE6 leaderboard JSON (expected {{\"players\": [...]}} or a list of pages): {e}")
        })?,
    };
    let mut rows = Vec::new();
    for player in pages.into_iter().flat_map(|p| p.players) {
        let id: u64 = player
            .id
            .parse()
            .map_err(|_| format!("player id {:?} is not a Discord id", player.id))?;
        if id == 0 || player.xp < 0 {
            return Err(format!("player {id}: xp {} cannot be imported", player.xp));
        }
        rows.push(Row {
            member: UserId::new(id),
            points: player.xp,
        });
    }
    Ok(dedup(rows))
}

/// A CSV with a header naming `user_id` and `points` (other columns are ignored). Every line
/// that cannot be read is reported, with its line number.
pub fn parse_points_csv(text: &str) -> Result<Vec<Row>, Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| vec![e.to_string()])?.clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(user), Some(points)) = (column("user_id"), column("points")) else {
        return Err(vec![format!(
            "the header must name user_id and points (found: {})",
            headers.iter().collect::<Vec<_>>().join(", ")
        )]);
    };
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                problems.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let id = record
            .get(user)
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|&v| v > 0);
        let amount = record
            .get(points)
            .and_then(|v| v.parse::<i64>().ok())
            .filter(|&v| v >= 0);
        match (id, amount) {
            (Some(id), Some(amount)) => rows.push(Row {
                member: UserId::new(id),
                points: amount,
            }),
            _ => problems.push(format!(
                "line {line}: expected a Discord user id and a whole number of points, got {:?}",
                record.iter().collect::<Vec<_>>()
            )),
        }
    }
    if problems.is_empty() {
        Ok(dedup(rows))
    } else {
        Err(problems)
    }
}

/// One row per member (the last one wins, as in a spreadsheet edited twice).
fn dedup(rows: Vec<Row>) -> Vec<Row> {
    let mut by_member = std::collections::BTreeMap::new();
    for row in rows {
        by_member.insert(row.member, row);
    }
    by_member.into_values().collect()
}

fn reference(source: &str, member: UserId) -> String {
    format!("import:{source}:{member}")
}

/// What an import would do: the rows still to bring in, and how many came in before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub new: Vec<Row>,
    pub already: usize,
}

impl Plan {
    pub fn points(&self) -> i64 {
        self.new.iter().map(|r| r.points).sum()
    }
}

/// The plan for `rows` from `source` (`mee6`, `csv`), read without writing.
pub async fn plan(app: &AppState, source: &str, rows: &[Row]) -> Result<Plan, Error> {
    let mut conn = app.db.read.acquire().await?;
    let mut plan = Plan {
        new: Vec::new(),
        already: 0,
    };
    for row in rows {
        if store::reference_used(&mut conn, &reference(source, row.member)).await? {
            plan.already += 1;
        } else {
            plan.new.push(*row);
        }
    }
    Ok(plan)
}

/// Brings `rows` in, once each, in one write. Returns what it did.
pub async fn run(
    app: &AppState,
    config: &Config,
    source: &str,
    rows: &[Row],
) -> Result<Plan, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let mut done = Plan {
        new: Vec::new(),
        already: 0,
    };
    let mut entries = Vec::new();
    for row in rows {
        let reference = reference(source, row.member);
        if store::reference_used(&mut tx, &reference).await? {
            done.already += 1;
            continue;
        }
        done.new.push(*row);
        entries.push(Entry {
            member: row.member,
            delta: row.points,
            lifetime_delta: row.points,
            kind: crate::features::points::Kind::Import,
            reason: Some(format!("imported from {source}")),
            reference: Some(reference),
            actor: None,
            channel: None,
            at: now,
        });
    }
    ops::apply_quietly(&mut tx, config, &entries, now).await?;
    app.commit(tx).await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mee6_pages_read_as_one_list_of_members_and_xp() {
        let page = r#"{"players": [{"id": "111111111111111111", "username": "a", "xp": 1500, "level": 4}]}"#;
        assert_eq!(
            parse_mee6(page).unwrap(),
            vec![Row {
                member: UserId::new(111111111111111111),
                points: 1500
            }]
        );
        let pages = format!("[{page}, {{\"players\": [{{\"id\": \"222\", \"xp\": 10}}]}}]");
        assert_eq!(parse_mee6(&pages).unwrap().len(), 2);
        assert!(parse_mee6("{\"members\": []}").is_err());
    }

    #[test]
    fn a_points_csv_needs_its_columns_and_reports_every_bad_line() {
        let good = "user_id,points,name\n111,50,a\n222, 7 ,b\n";
        assert_eq!(parse_points_csv(good).unwrap().len(), 2);
        let bad = "user_id,points\n111,lots\nabc,5\n";
        let problems = parse_points_csv(bad).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("line 2"), "{problems:?}");
        assert!(parse_points_csv("id,score\n1,2\n").unwrap_err()[0].contains("user_id and points"));
    }
}
