//! Challenges' say in a member's roles ([`crate::roles`]): a completion role is held by the
//! members who finished a challenge that hands it out. It never takes the role away (staff may
//! give the same role by hand).

use chrono::{DateTime, Utc};
use serenity::all::{RoleId, UserId};
use sqlx::SqliteConnection;

use super::store;
use crate::config::Config;
use crate::roles::{Claim, RoleSource};

pub struct CompletionRoles;

#[async_trait::async_trait]
impl RoleSource for CompletionRoles {
    fn name(&self) -> &'static str {
        "challenge completion"
    }

    async fn claim(
        &self,
        conn: &mut SqliteConnection,
        _config: &Config,
        member: UserId,
        role: RoleId,
        _now: DateTime<Utc>,
    ) -> sqlx::Result<Claim> {
        let role = role.get() as i64;
        if !store::is_completion_role(conn, role).await? {
            return Ok(Claim::NotMine);
        }
        Ok(if store::finished_with_role(conn, member, role).await? {
            Claim::Wants
        } else {
            Claim::NotMine
        })
    }
}
