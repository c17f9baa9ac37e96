//! Points' say in a member's roles ([`crate::roles`]): `points.level_roles` follow the level
//! the batch writer last stored for the member (the level whose roles were applied).

use chrono::{DateTime, Utc};
use serenity::all::{RoleId, UserId};
use sqlx::SqliteConnection;

use super::{rules, store};
use crate::config::Config;
use crate::roles::{Claim, RoleSource};

pub struct LevelRoles;

#[async_trait::async_trait]
impl RoleSource for LevelRoles {
    fn name(&self) -> &'static str {
        "level roles"
    }

    async fn claim(
        &self,
        conn: &mut SqliteConnection,
        config: &Config,
        member: UserId,
        role: RoleId,
        _now: DateTime<Utc>,
    ) -> sqlx::Result<Claim> {
        let roles = &config.points.level_roles;
        if !roles.iter().any(|r| r.role == role) {
            return Ok(Claim::NotMine);
        }
        let level = store::member(conn, member).await?.level.max(0) as u32;
        Ok(if rules::level_roles_for(roles, level).contains(&role) {
            Claim::Wants
        } else {
            Claim::DoesNotWant
        })
    }
}
