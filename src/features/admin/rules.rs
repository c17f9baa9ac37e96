//! The staff rules, pure: who may hand out which level, and which `staff.*_role` must be removed
//! or added when a member's level changes.

use serenity::all::GuildId;

use super::error::AdminError;
use crate::access::{Level, Target};
use crate::config::StaffConfig;
use crate::outbox::Effect;

/// May someone at `actor` level grant or revoke `level`? Admins manage moderators; only owners
/// manage admins; nobody hands out ownership (it comes from config and the guild).
pub fn may_manage(actor: Level, level: Level) -> Result<(), AdminError> {
    match level {
        Level::Owner | Level::Member => Err(AdminError::NotGrantable { level }),
        Level::Admin if actor < Level::Owner => Err(AdminError::OwnerOnlyForAdmin),
        Level::Moderator if actor < Level::Admin => Err(AdminError::AdminOnlyForModerator),
        _ => Ok(()),
    }
}

/// The Discord role that mirrors a staff level, if configured.
pub fn role_for(staff: &StaffConfig, level: Level) -> Option<serenity::all::RoleId> {
    match level {
        Level::Admin => staff.admin_role,
        Level::Moderator => staff.moderator_role,
        Level::Owner | Level::Member => None,
    }
}

/// Role changes for `target` going from level `from` to level `to` (`None`: no level). Grants
/// to a role change nobody's roles: its members already share that role.
pub fn role_changes(
    staff: &StaffConfig,
    guild_id: GuildId,
    target: Target,
    from: Option<Level>,
    to: Option<Level>,
    reason: &str,
) -> Vec<Effect> {
    let Target::User(user_id) = target else {
        return Vec::new();
    };
    let old_role = from.and_then(|l| role_for(staff, l));
    let new_role = to.and_then(|l| role_for(staff, l));
    let mut effects = Vec::new();
    if let Some(role_id) = old_role.filter(|r| Some(*r) != new_role) {
        effects.push(Effect::RemoveRole {
            guild_id,
            user_id,
            role_id,
            reason: reason.to_string(),
        });
    }
    if let Some(role_id) = new_role {
        effects.push(Effect::AddRole {
            guild_id,
            user_id,
            role_id,
            reason: reason.to_string(),
        });
    }
    effects
}

#[cfg(test)]
mod tests {
    use super::*;
    use serenity::all::{RoleId, UserId};

    const ADMIN: u64 = 11;
    const MODERATOR: u64 = 12;

    fn staff() -> StaffConfig {
        StaffConfig {
            admin_role: Some(RoleId::new(ADMIN)),
            moderator_role: Some(RoleId::new(MODERATOR)),
        }
    }

    /// Each effect as (+ or -, role id).
    fn changes(target: Target, from: Option<Level>, to: Option<Level>) -> Vec<(char, u64)> {
        role_changes(&staff(), GuildId::new(1), target, from, to, "r")
            .into_iter()
            .map(|e| match e {
                Effect::AddRole { role_id, .. } => ('+', role_id.get()),
                Effect::RemoveRole { role_id, .. } => ('-', role_id.get()),
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }

    #[test]
    fn only_owners_manage_admins_and_admins_manage_moderators() {
        use Level::*;
        let cases = [
            (Owner, Admin, true),
            (Owner, Moderator, true),
            (Admin, Moderator, true),
            (Admin, Admin, false),
            (Moderator, Moderator, false),
            (Member, Moderator, false),
            (Owner, Owner, false),
        ];
        for (actor, level, allowed) in cases {
            assert_eq!(
                may_manage(actor, level).is_ok(),
                allowed,
                "{actor:?} -> {level:?}"
            );
        }
        assert_eq!(may_manage(Admin, Admin), Err(AdminError::OwnerOnlyForAdmin));
        assert_eq!(
            may_manage(Moderator, Moderator),
            Err(AdminError::AdminOnlyForModerator)
        );
    }

    #[test]
    fn level_changes_map_to_role_changes() {
        use Level::*;
        let user = Target::User(UserId::new(5));
        let cases = [
            (None, Some(Moderator), vec![('+', MODERATOR)]),
            (
                Some(Moderator),
                Some(Admin),
                vec![('-', MODERATOR), ('+', ADMIN)],
            ),
            (
                Some(Admin),
                Some(Moderator),
                vec![('-', ADMIN), ('+', MODERATOR)],
            ),
            // Re-granting the same level re-asserts the role (a role PUT is idempotent on Discord).
            (Some(Moderator), Some(Moderator), vec![('+', MODERATOR)]),
            (Some(Admin), None, vec![('-', ADMIN)]),
        ];
        for (from, to, expected) in cases {
            assert_eq!(changes(user, from, to), expected, "{from:?} -> {to:?}");
        }
        assert!(changes(Target::Role(RoleId::new(9)), None, Some(Admin)).is_empty());
        let unconfigured = role_changes(
            &StaffConfig::default(),
            GuildId::new(1),
            user,
            None,
            Some(Admin),
            "r",
        );
        assert!(unconfigured.is_empty());
    }
}
