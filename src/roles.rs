//! What Lyceum wants a member's managed roles to be, derived from the current state.
//!
//! A role change in the outbox is a request to make (member, role) match the truth, not an
//! order to replay: when the delivery worker picks it up (first try, retry, `/admin retry`) it
//! asks [`RoleTruth::wanted`] and sends only what is still true. A revoke followed by a retry of
//! the old add can then never restore access, and a renewal is never undone by a stale removal.
//!
//! The truth has several owners (open grants, staff levels, level roles, the rules gate), each a
//! [`RoleSource`] registered where the app is wired. Core never names a feature: the features
//! plug their sources in.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serenity::all::{RoleId, UserId};
use sqlx::SqliteConnection;

use crate::config::Config;
use crate::db::Db;

/// One source's view of (member, role).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This source gives the member the role.
    Wants,
    /// This source manages the role and does not give it to this member.
    DoesNotWant,
    /// This source has nothing to say about the role.
    NotMine,
}

#[async_trait::async_trait]
pub trait RoleSource: Send + Sync {
    /// For logs and tests.
    fn name(&self) -> &'static str;

    async fn claim(
        &self,
        conn: &mut SqliteConnection,
        config: &Config,
        member: UserId,
        role: RoleId,
        now: DateTime<Utc>,
    ) -> sqlx::Result<Claim>;
}

/// Every registered source, asked together.
#[derive(Clone, Default)]
pub struct RoleTruth {
    sources: Arc<Vec<Arc<dyn RoleSource>>>,
}

impl RoleTruth {
    pub fn new(sources: Vec<Arc<dyn RoleSource>>) -> RoleTruth {
        RoleTruth {
            sources: Arc::new(sources),
        }
    }

    /// Whether `member` should hold `role` at `now`: `Some(true)` when any source gives it,
    /// `Some(false)` when a source manages it and none gives it, `None` when no source knows
    /// the role (a change Lyceum was asked to make once, sent as queued).
    pub async fn wanted_in(
        &self,
        conn: &mut SqliteConnection,
        config: &Config,
        member: UserId,
        role: RoleId,
        now: DateTime<Utc>,
    ) -> sqlx::Result<Option<bool>> {
        let mut managed = false;
        for source in self.sources.iter() {
            match source.claim(conn, config, member, role, now).await? {
                Claim::Wants => return Ok(Some(true)),
                Claim::DoesNotWant => managed = true,
                Claim::NotMine => {}
            }
        }
        Ok(managed.then_some(false))
    }

    /// [`RoleTruth::wanted_in`] on a reader connection (what is committed now).
    pub async fn wanted(
        &self,
        db: &Db,
        config: &Config,
        member: UserId,
        role: RoleId,
        now: DateTime<Utc>,
    ) -> sqlx::Result<Option<bool>> {
        let mut conn = db.read.acquire().await?;
        self.wanted_in(&mut conn, config, member, role, now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Claim);

    #[async_trait::async_trait]
    impl RoleSource for Fixed {
        fn name(&self) -> &'static str {
            "fixed"
        }

        async fn claim(
            &self,
            _: &mut SqliteConnection,
            _: &Config,
            _: UserId,
            _: RoleId,
            _: DateTime<Utc>,
        ) -> sqlx::Result<Claim> {
            Ok(self.0)
        }
    }

    #[tokio::test]
    async fn any_source_that_gives_the_role_wins_and_unknown_roles_are_nobodys() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("r.db")).await.unwrap();
        let config = Config::parse("[discord]\nguild_id = 1\n").unwrap();
        let now = crate::clock::from_millis(0);
        let ask = |claims: Vec<Claim>| {
            let truth = RoleTruth::new(
                claims
                    .into_iter()
                    .map(|c| Arc::new(Fixed(c)) as Arc<dyn RoleSource>)
                    .collect(),
            );
            let (db, config) = (db.clone(), config.clone());
            async move {
                truth
                    .wanted(&db, &config, UserId::new(2), RoleId::new(3), now)
                    .await
                    .unwrap()
            }
        };
        use Claim::*;
        assert_eq!(ask(vec![]).await, None);
        assert_eq!(ask(vec![NotMine, NotMine]).await, None);
        assert_eq!(ask(vec![DoesNotWant, NotMine]).await, Some(false));
        assert_eq!(ask(vec![DoesNotWant, Wants]).await, Some(true));
        assert_eq!(ask(vec![Wants, DoesNotWant]).await, Some(true));
    }
}
