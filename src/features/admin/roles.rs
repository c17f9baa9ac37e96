//! Staff's say in a member's roles ([`crate::roles`]): `staff.admin_role` and
//! `staff.moderator_role` mirror the level granted to the member themself (a level granted to a
//! role changes nobody's roles).

use chrono::{DateTime, Utc};
use serenity::all::{RoleId, UserId};
use sqlx::SqliteConnection;

use super::rules;
use crate::access::store;
use crate::access::{Level, Target};
use crate::config::Config;
use crate::roles::{Claim, RoleSource};

pub struct StaffRoles;

#[async_trait::async_trait]
impl RoleSource for StaffRoles {
    fn name(&self) -> &'static str {
        "staff levels"
    }

    async fn claim(
        &self,
        conn: &mut SqliteConnection,
        config: &Config,
        member: UserId,
        role: RoleId,
        _now: DateTime<Utc>,
    ) -> sqlx::Result<Claim> {
        let staff = &config.staff;
        if ![staff.admin_role, staff.moderator_role].contains(&Some(role)) {
            return Ok(Claim::NotMine);
        }
        let level = store::grant_of(conn, config.discord.guild_id, Target::User(member)).await?;
        let mirrored = level.and_then(|l: Level| rules::role_for(staff, l));
        Ok(if mirrored == Some(role) {
            Claim::Wants
        } else {
            Claim::DoesNotWant
        })
    }
}
