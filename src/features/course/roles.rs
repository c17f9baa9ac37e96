//! Lesson roles' say in a member's roles ([`crate::roles`]): a lesson role is held by members
//! who unlocked a lesson that opens with it *and* hold the course now. An unlock is never
//! taken back (a renewal never re-locks a lesson), but the access a payment bought ends with
//! it: a refunded or lapsed course takes its lesson roles along, and buying again brings the
//! unlocked ones back.

use chrono::{DateTime, Utc};
use serenity::all::{RoleId, UserId};
use sqlx::SqliteConnection;

use super::store;
use crate::config::Config;
use crate::roles::{Claim, RoleSource};

pub struct LessonRoles;

#[async_trait::async_trait]
impl RoleSource for LessonRoles {
    fn name(&self) -> &'static str {
        "course lessons"
    }

    async fn claim(
        &self,
        conn: &mut SqliteConnection,
        config: &Config,
        member: UserId,
        role: RoleId,
        now: DateTime<Utc>,
    ) -> sqlx::Result<Claim> {
        let mut mine = false;
        for product in &config.products {
            let lessons: Vec<i64> = product
                .lessons
                .iter()
                .enumerate()
                .filter(|(_, l)| l.role == Some(role))
                .map(|(i, _)| i as i64)
                .collect();
            if lessons.is_empty() {
                continue;
            }
            mine = true;
            let member = member.get() as i64;
            if store::has_any(conn, member, &product.id, &lessons).await?
                && store::holds(conn, member, &product.id, crate::clock::to_millis(now)).await?
            {
                return Ok(Claim::Wants);
            }
        }
        Ok(if mine {
            Claim::DoesNotWant
        } else {
            Claim::NotMine
        })
    }
}
