//! Staff levels as plain data: owner > admin > moderator > member, granted to users or roles.
//! Below both the shell and the features: `discord/checks.rs` enforces levels on commands,
//! `store.rs` keeps the staff grants, and `features/admin` changes them through its ops.

pub mod store;

use serenity::all::{RoleId, UserId};

use crate::i18n::Locale;
use crate::t;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Member,
    Moderator,
    Admin,
    Owner,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Member => "member",
            Level::Moderator => "moderator",
            Level::Admin => "admin",
            Level::Owner => "owner",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "member" => Some(Level::Member),
            "moderator" => Some(Level::Moderator),
            "admin" => Some(Level::Admin),
            "owner" => Some(Level::Owner),
            _ => None,
        }
    }

    pub fn label(self, locale: Locale) -> String {
        match self {
            Level::Member => t!(locale, "level-member"),
            Level::Moderator => t!(locale, "level-moderator"),
            Level::Admin => t!(locale, "level-admin"),
            Level::Owner => t!(locale, "level-owner"),
        }
    }
}

/// Who a staff level is granted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    User(UserId),
    Role(RoleId),
}

impl Target {
    pub fn kind(self) -> &'static str {
        match self {
            Target::User(_) => "user",
            Target::Role(_) => "role",
        }
    }

    pub fn id(self) -> u64 {
        match self {
            Target::User(u) => u.get(),
            Target::Role(r) => r.get(),
        }
    }

    pub fn from_parts(kind: &str, id: u64) -> Option<Target> {
        match kind {
            "user" => Some(Target::User(UserId::new(id))),
            "role" => Some(Target::Role(RoleId::new(id))),
            _ => None,
        }
    }

    /// How Discord renders a mention of the target.
    pub fn mention(self) -> String {
        match self {
            Target::User(u) => format!("<@{u}>"),
            Target::Role(r) => format!("<@&{r}>"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub target: Target,
    pub level: Level,
    pub granted_by: UserId,
    pub granted_at: i64,
}

/// The staff grants kept in memory between changes, so a message or a press costs no database
/// read to learn a level (a state part; `forget_staff_grants` after any grant change).
#[derive(Default)]
pub struct StaffCache(std::sync::Mutex<Option<std::sync::Arc<Vec<Grant>>>>);

/// The server's staff grants: as kept, else read (and kept when the state has a cache).
pub async fn staff_grants(
    state: &crate::state::AppState,
    guild: serenity::all::GuildId,
) -> sqlx::Result<std::sync::Arc<Vec<Grant>>> {
    let cache = state.try_part::<StaffCache>();
    if let Some(kept) = cache.and_then(|c| c.0.lock().expect("staff cache").clone()) {
        return Ok(kept);
    }
    let grants = std::sync::Arc::new(store::grants(&state.db, guild).await?);
    if let Some(cache) = cache {
        *cache.0.lock().expect("staff cache") = Some(grants.clone());
    }
    Ok(grants)
}

/// A staff level changed: the grants are read again on the next question.
pub fn forget_staff_grants(state: &crate::state::AppState) {
    if let Some(cache) = state.try_part::<StaffCache>() {
        *cache.0.lock().expect("staff cache") = None;
    }
}

/// The community's owners: the configured `owner_ids` and the server owner. No grant changes
/// them, and no command can demote them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owners(Vec<UserId>);

impl Owners {
    pub fn new(configured: &[UserId], guild_owner: Option<UserId>) -> Owners {
        let mut owners = configured.to_vec();
        if let Some(owner) = guild_owner.filter(|o| !owners.contains(o)) {
            owners.push(owner);
        }
        Owners(owners)
    }

    pub fn contains(&self, user: UserId) -> bool {
        self.0.contains(&user)
    }

    pub fn iter(&self) -> impl Iterator<Item = UserId> + '_ {
        self.0.iter().copied()
    }
}

/// The highest level a member holds: owner, or the best of their own grant and their roles'.
pub fn effective_level(is_owner: bool, user: UserId, roles: &[RoleId], grants: &[Grant]) -> Level {
    if is_owner {
        return Level::Owner;
    }
    grants
        .iter()
        .filter(|g| match g.target {
            Target::User(u) => u == user,
            Target::Role(r) => roles.contains(&r),
        })
        .map(|g| g.level)
        .max()
        .unwrap_or(Level::Member)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(target: Target, level: Level) -> Grant {
        Grant {
            target,
            level,
            granted_by: UserId::new(1),
            granted_at: 0,
        }
    }

    #[test]
    fn levels_order_from_member_to_owner() {
        assert!(Level::Owner > Level::Admin);
        assert!(Level::Admin > Level::Moderator);
        assert!(Level::Moderator > Level::Member);
    }

    #[test]
    fn effective_level_takes_the_best_of_user_and_role_grants() {
        let user = UserId::new(10);
        let mods = RoleId::new(20);
        let grants = vec![
            grant(Target::Role(mods), Level::Moderator),
            grant(Target::User(UserId::new(11)), Level::Admin),
        ];
        assert_eq!(effective_level(false, user, &[], &grants), Level::Member);
        assert_eq!(
            effective_level(false, user, &[mods], &grants),
            Level::Moderator
        );
        assert_eq!(
            effective_level(false, UserId::new(11), &[mods], &grants),
            Level::Admin
        );
        assert_eq!(effective_level(true, user, &[], &[]), Level::Owner);
    }

    #[test]
    fn owners_are_the_configured_ones_and_the_server_owner_once() {
        let owners = Owners::new(&[UserId::new(1)], Some(UserId::new(1)));
        assert_eq!(owners.iter().count(), 1);
        let owners = Owners::new(&[UserId::new(1)], Some(UserId::new(2)));
        assert!(owners.contains(UserId::new(2)) && owners.contains(UserId::new(1)));
        assert!(!owners.contains(UserId::new(3)));
    }

    #[test]
    fn every_level_has_a_label_in_every_locale() {
        for locale in Locale::ALL {
            for level in [Level::Member, Level::Moderator, Level::Admin, Level::Owner] {
                assert_ne!(level.label(locale), format!("level-{}", level.as_str()));
            }
        }
    }
}
