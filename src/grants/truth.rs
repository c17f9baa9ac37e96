//! The grants' say in a member's roles ([`crate::roles`]): an open grant gives its role; a role
//! that a product names, or that this member ever held through a grant, is managed here.

use chrono::{DateTime, Utc};
use serenity::all::{RoleId, UserId};
use sqlx::SqliteConnection;

use super::store;
use crate::config::Config;
use crate::roles::{Claim, RoleSource};

pub struct GrantRoles;

#[async_trait::async_trait]
impl RoleSource for GrantRoles {
    fn name(&self) -> &'static str {
        "grants"
    }

    async fn claim(
        &self,
        conn: &mut SqliteConnection,
        config: &Config,
        member: UserId,
        role: RoleId,
        now: DateTime<Utc>,
    ) -> sqlx::Result<Claim> {
        let (member, role_id) = (member.get() as i64, role.get() as i64);
        if store::covered(conn, member, role_id, now).await? {
            return Ok(Claim::Wants);
        }
        let product_role = config.products.iter().any(|p| p.role == role);
        if product_role || store::ever_granted(conn, member, role_id).await? {
            return Ok(Claim::DoesNotWant);
        }
        Ok(Claim::NotMine)
    }
}
