//! The rules gate's say in a member's roles ([`crate::roles`]): `onboarding.accepted_role` is
//! held by members who pressed "I accept".

use chrono::{DateTime, Utc};
use serenity::all::{RoleId, UserId};
use sqlx::SqliteConnection;

use super::store;
use crate::config::Config;
use crate::roles::{Claim, RoleSource};

pub struct AcceptedRole;

#[async_trait::async_trait]
impl RoleSource for AcceptedRole {
    fn name(&self) -> &'static str {
        "rules gate"
    }

    async fn claim(
        &self,
        conn: &mut SqliteConnection,
        config: &Config,
        member: UserId,
        role: RoleId,
        _now: DateTime<Utc>,
    ) -> sqlx::Result<Claim> {
        if config.onboarding.accepted_role != Some(role) {
            return Ok(Claim::NotMine);
        }
        Ok(if store::accepted(conn, member).await? {
            Claim::Wants
        } else {
            Claim::DoesNotWant
        })
    }
}
