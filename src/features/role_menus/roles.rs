//! Role menus' say in a member's roles ([`crate::roles`]): a menu role is held by the members
//! who chose it. A queued add whose choice was taken back meanwhile is not sent.

use chrono::{DateTime, Utc};
use serenity::all::{RoleId, UserId};
use sqlx::SqliteConnection;

use super::store;
use crate::config::Config;
use crate::roles::{Claim, RoleSource};

pub struct MenuRoles;

#[async_trait::async_trait]
impl RoleSource for MenuRoles {
    fn name(&self) -> &'static str {
        "role menus"
    }

    async fn claim(
        &self,
        conn: &mut SqliteConnection,
        config: &Config,
        member: UserId,
        role: RoleId,
        _now: DateTime<Utc>,
    ) -> sqlx::Result<Claim> {
        if config.roles.menu_of(role).is_none() {
            return Ok(Claim::NotMine);
        }
        Ok(if store::is_chosen(conn, member, role).await? {
            Claim::Wants
        } else {
            Claim::DoesNotWant
        })
    }
}
