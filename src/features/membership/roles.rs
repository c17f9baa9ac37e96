//! Membership's say in a member's roles ([`crate::roles`]): a product's `grace_role` is held
//! exactly while the member is in that product's grace (paid time over, access not yet ended).
//! The product role itself is the grants' to decide (`crate::grants::truth`).

use chrono::{DateTime, Utc};
use serenity::all::{RoleId, UserId};
use sqlx::SqliteConnection;

use super::ops::held;
use crate::config::Config;
use crate::grants::rules::Held;
use crate::roles::{Claim, RoleSource};

pub struct GraceRoles;

#[async_trait::async_trait]
impl RoleSource for GraceRoles {
    fn name(&self) -> &'static str {
        "membership grace"
    }

    async fn claim(
        &self,
        conn: &mut SqliteConnection,
        config: &Config,
        member: UserId,
        role: RoleId,
        now: DateTime<Utc>,
    ) -> sqlx::Result<Claim> {
        let mut managed = false;
        for product in config
            .products
            .iter()
            .filter(|p| p.grace_role == Some(role))
        {
            managed = true;
            if matches!(held(conn, member, &product.id, now).await?, Held::Until(end) if end <= now)
            {
                return Ok(Claim::Wants);
            }
        }
        Ok(if managed {
            Claim::DoesNotWant
        } else {
            Claim::NotMine
        })
    }
}
