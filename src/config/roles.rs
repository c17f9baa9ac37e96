//! `[roles]`: roles members choose themselves. Each `[[roles.menus]]` is a titled set of roles
//! posted as buttons or a select menu (`/roles post`), like Carl-bot's button roles, with an
//! optional level or product a member needs to choose from it.

use serenity::all::RoleId;
use toml::Value;

use super::reader::Section;
use crate::i18n::LocalizedText;

/// Discord's limit: 5 rows of 5 buttons, or 25 options in one select menu.
pub const MAX_ROLES_PER_MENU: usize = 25;
/// Discord's limit for a button label (a select option allows 100).
pub const MAX_LABEL: usize = 80;
/// A menu's id is carried in every button's custom id (at most 100 characters in all).
pub const MAX_MENU_ID: usize = 40;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RolesConfig {
    pub menus: Vec<RoleMenu>,
}

impl RolesConfig {
    pub fn menu(&self, id: &str) -> Option<&RoleMenu> {
        self.menus.iter().find(|m| m.id == id)
    }

    /// The menu that offers `role`, if any (a role is in at most one menu).
    pub fn menu_of(&self, role: RoleId) -> Option<&RoleMenu> {
        self.menus
            .iter()
            .find(|m| m.roles.iter().any(|r| r.role == role))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RoleMenu {
    /// Stable: posted buttons carry it.
    pub id: String,
    pub title: LocalizedText,
    pub description: Option<LocalizedText>,
    /// `choice = "single"`: choosing one role lets go of the menu's others.
    pub single: bool,
    /// `style = "select"`: a select menu instead of buttons.
    pub select: bool,
    /// The points level a member needs to choose from this menu.
    pub required_level: Option<u32>,
    /// The product (`[[products]]` id) a member must hold to choose from this menu.
    pub required_product: Option<String>,
    pub roles: Vec<MenuRole>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MenuRole {
    pub role: RoleId,
    pub label: LocalizedText,
    /// A Unicode emoji (`"🦀"`) or a custom one (`"<:ferris:123>"`).
    pub emoji: Option<String>,
}

pub fn read_roles(s: &mut Section<'_>) -> RolesConfig {
    let mut ids = Vec::new();
    let mut menus: Vec<RoleMenu> = Vec::new();
    for mut m in s.tables("menus") {
        let id = m.stable_id("id", "topics", &mut ids);
        if id.as_ref().is_some_and(|id| id.len() > MAX_MENU_ID) {
            m.problem("id", None, format!("at most {MAX_MENU_ID} characters"));
        }
        let title = m.text("title");
        if title.is_none() && m.raw("title").is_none() {
            m.missing("title");
        }
        let description = m.text("description");
        let single = match m.string("choice").as_deref() {
            None | Some("multiple") => false,
            Some("single") => true,
            Some(other) => {
                m.problem(
                    "choice",
                    Some(&Value::String(other.into())),
                    "expected \"multiple\" or \"single\"",
                );
                false
            }
        };
        let select = match m.string("style").as_deref() {
            None | Some("buttons") => false,
            Some("select") => true,
            Some(other) => {
                m.problem(
                    "style",
                    Some(&Value::String(other.into())),
                    "expected \"buttons\" or \"select\"",
                );
                false
            }
        };
        let required_level = m.int("required_level", 1..=1_000).map(|l| l as u32);
        let required_product = m.string("required_product");
        let mut roles = Vec::new();
        for mut r in m.tables("roles") {
            let role = r.id("role").map(RoleId::new);
            if role.is_none() && r.raw("role").is_none() {
                r.missing("role");
            }
            let label = r.text("label");
            match &label {
                None if r.raw("label").is_none() => r.missing("label"),
                Some(label) if label.all().any(|l| l.chars().count() > MAX_LABEL) => {
                    r.problem("label", None, format!("at most {MAX_LABEL} characters"))
                }
                _ => {}
            }
            let emoji = r.string("emoji").filter(|e| !e.trim().is_empty());
            if role.is_some_and(|role| {
                roles.iter().any(|x: &MenuRole| x.role == role)
                    || menus.iter().any(|x| x.roles.iter().any(|y| y.role == role))
            }) {
                r.problem(
                    "role",
                    None,
                    "this role is offered twice; a role belongs to one menu",
                );
            }
            r.finish();
            if let (Some(role), Some(label)) = (role, label) {
                roles.push(MenuRole { role, label, emoji });
            }
        }
        if roles.is_empty() && m.raw("roles").is_none() {
            m.missing("roles");
        }
        if roles.len() > MAX_ROLES_PER_MENU {
            m.problem(
                "roles",
                None,
                format!("at most {MAX_ROLES_PER_MENU} roles in one menu (Discord's limit)"),
            );
        }
        m.finish();
        if let (Some(id), Some(title)) = (id, title) {
            menus.push(RoleMenu {
                id,
                title,
                description,
                single,
                select,
                required_level,
                required_product,
                roles,
            });
        }
    }
    RolesConfig { menus }
}
