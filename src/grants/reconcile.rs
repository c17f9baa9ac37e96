//! Reconciliation's decision: who should hold each managed role (open grants) against who
//! does, leaving alone what is still settling. The membership job supplies which roles are
//! products', pages the guild's members from Discord and queues the fixes.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};

use crate::clock::to_millis;
use crate::db::Db;

/// A removal this recent may still be in the outbox: not a hand-added role.
const SETTLING: Duration = Duration::minutes(10);

/// One difference between who should hold a product role and who does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// (member, role): a grant is open but the member lacks the role.
    Add(u64, u64),
    /// (member, role): held with no open grant and no removal settling.
    Unexplained(u64, u64),
}

/// What the grants say at one instant: (member, role) pairs to hold, and pairs whose grant
/// ended so recently its removal may still be in flight.
pub struct Truth {
    pub should: HashSet<(u64, u64)>,
    pub settling: HashSet<(u64, u64)>,
}

impl Truth {
    pub async fn at(db: &Db, now: DateTime<Utc>) -> sqlx::Result<Truth> {
        let pairs = |rows: Vec<(i64, i64)>| -> HashSet<(u64, u64)> {
            rows.into_iter()
                .map(|(m, r)| (m as u64, r as u64))
                .collect()
        };
        let now_ms = to_millis(now);
        let since = to_millis(now - SETTLING);
        Ok(Truth {
            should: pairs(super::store::held_at(db, now_ms).await?),
            settling: pairs(super::store::settling(db, since, now_ms).await?),
        })
    }

    /// [`diff`] against this truth.
    pub fn diff(&self, members: &[(u64, Vec<u64>)], roles: &HashSet<u64>) -> Vec<Change> {
        diff(members, roles, &self.should, &self.settling)
    }
}

/// The differences between `members` (id, roles held) and the open grants (`should`), over
/// the managed `roles`. Pure and linear in members × product roles: 100,000 members take
/// milliseconds (`cargo bench --bench pipeline` measures it).
pub fn diff(
    members: &[(u64, Vec<u64>)],
    roles: &HashSet<u64>,
    should: &HashSet<(u64, u64)>,
    settling: &HashSet<(u64, u64)>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for (id, has) in members {
        for role in roles {
            let wanted = should.contains(&(*id, *role));
            let held = has.contains(role);
            if wanted && !held {
                changes.push(Change::Add(*id, *role));
            } else if held && !wanted && !settling.contains(&(*id, *role)) {
                changes.push(Change::Unexplained(*id, *role));
            }
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diff_adds_missing_roles_and_reports_unexplained_ones_but_not_settling_ones() {
        let roles: HashSet<u64> = [10, 20].into();
        let should: HashSet<(u64, u64)> = [(1, 10), (2, 10), (3, 20)].into();
        let settling: HashSet<(u64, u64)> = [(4, 20)].into();
        let members = vec![
            (1, vec![10]),     // has what they paid for
            (2, vec![]),       // paid, role missing
            (3, vec![10, 20]), // 10 without a grant
            (4, vec![20]),     // removal still in the outbox
            (5, vec![99]),     // no product roles at all
        ];
        let mut changes = diff(&members, &roles, &should, &settling);
        changes.sort_by_key(|c| match c {
            Change::Add(m, r) | Change::Unexplained(m, r) => (*m, *r),
        });
        assert_eq!(
            changes,
            vec![Change::Add(2, 10), Change::Unexplained(3, 10)]
        );
    }
}
