//! Lesson roles' say in a member's roles ([`crate::roles`]): a lesson role is held by members
//! who unlocked a lesson that opens with it. An unlock is never taken back (a course, once
//! reached, stays reached), so neither is the role.

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
        _now: DateTime<Utc>,
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
            if store::has_any(conn, member.get() as i64, &product.id, &lessons).await? {
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
