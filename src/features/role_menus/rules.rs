//! What a press on a role menu changes. Pure.

use serenity::all::RoleId;

use super::BUTTON_PREFIX;
use crate::config::RoleMenu;

/// What the member did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pressed {
    /// A role's button: toggles it.
    Button(RoleId),
    /// The select menu's choice: exactly these roles from the menu.
    Select(Vec<RoleId>),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Change {
    pub added: Vec<RoleId>,
    pub removed: Vec<RoleId>,
}

impl Change {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// The menu and what was pressed, from a component's custom id and its selected values.
/// `None` for a custom id that is not a role menu's.
pub fn parse(custom_id: &str, values: &[String]) -> Option<(String, Pressed)> {
    let rest = custom_id.strip_prefix(BUTTON_PREFIX)?;
    match rest.split_once(':') {
        Some((menu, role)) => {
            let role = role.parse::<u64>().ok().filter(|r| *r > 0)?;
            Some((menu.to_string(), Pressed::Button(RoleId::new(role))))
        }
        None => {
            let roles = values
                .iter()
                .filter_map(|v| v.parse::<u64>().ok().filter(|r| *r > 0))
                .map(RoleId::new)
                .collect();
            Some((rest.to_string(), Pressed::Select(roles)))
        }
    }
}

/// From the member's current choices in `menu` to what they pressed. Roles the menu does not
/// offer (a forged or outdated press) are ignored; a single-choice menu keeps at most one.
pub fn change(menu: &RoleMenu, chosen: &[RoleId], pressed: &Pressed) -> Change {
    let offered = |r: &RoleId| menu.roles.iter().any(|m| m.role == *r);
    let chosen: Vec<RoleId> = chosen.iter().copied().filter(offered).collect();
    let target: Vec<RoleId> = match pressed {
        Pressed::Button(role) if !offered(role) => chosen.clone(),
        Pressed::Button(role) if chosen.contains(role) => {
            chosen.iter().copied().filter(|r| r != role).collect()
        }
        Pressed::Button(role) if menu.single => vec![*role],
        Pressed::Button(role) => chosen.iter().copied().chain([*role]).collect(),
        Pressed::Select(roles) => {
            let mut picked: Vec<RoleId> = Vec::new();
            for role in roles.iter().filter(|r| offered(r)) {
                if !picked.contains(role) {
                    picked.push(*role);
                }
            }
            if menu.single {
                picked.truncate(1);
            }
            picked
        }
    };
    Change {
        added: target
            .iter()
            .copied()
            .filter(|r| !chosen.contains(r))
            .collect(),
        removed: chosen
            .iter()
            .copied()
            .filter(|r| !target.contains(r))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MenuRole;
    use crate::i18n::LocalizedText;

    fn menu(single: bool) -> RoleMenu {
        RoleMenu {
            id: "topics".into(),
            title: LocalizedText::plain("Topics".into()),
            description: None,
            single,
            select: false,
            required_level: None,
            required_product: None,
            roles: [1, 2, 3]
                .into_iter()
                .map(|r| MenuRole {
                    role: RoleId::new(r),
                    label: LocalizedText::plain(format!("r{r}")),
                    emoji: None,
                })
                .collect(),
        }
    }

    fn ids(v: &[u64]) -> Vec<RoleId> {
        v.iter().map(|r| RoleId::new(*r)).collect()
    }

    #[test]
    fn a_button_toggles_its_role() {
        let m = menu(false);
        let on = change(&m, &ids(&[1]), &Pressed::Button(RoleId::new(2)));
        assert_eq!((on.added, on.removed), (ids(&[2]), vec![]));
        let off = change(&m, &ids(&[1, 2]), &Pressed::Button(RoleId::new(2)));
        assert_eq!((off.added, off.removed), (vec![], ids(&[2])));
    }

    #[test]
    fn single_choice_swaps_and_keeps_at_most_one() {
        let m = menu(true);
        let swap = change(&m, &ids(&[1]), &Pressed::Button(RoleId::new(3)));
        assert_eq!((swap.added, swap.removed), (ids(&[3]), ids(&[1])));
        let select = change(&m, &ids(&[1]), &Pressed::Select(ids(&[2, 3])));
        assert_eq!((select.added, select.removed), (ids(&[2]), ids(&[1])));
    }

    #[test]
    fn a_select_sets_exactly_the_chosen_roles_and_ignores_forged_ones() {
        let m = menu(false);
        let c = change(&m, &ids(&[1, 2]), &Pressed::Select(ids(&[2, 3, 99, 3])));
        assert_eq!((c.added, c.removed), (ids(&[3]), ids(&[1])));
        assert!(change(&m, &ids(&[1]), &Pressed::Button(RoleId::new(99))).is_empty());
        let cleared = change(&m, &ids(&[1, 3]), &Pressed::Select(vec![]));
        assert_eq!(cleared.removed, ids(&[1, 3]));
    }

    #[test]
    fn custom_ids_parse_and_strangers_do_not() {
        assert_eq!(
            parse("lyceum:rm:topics:42", &[]),
            Some(("topics".into(), Pressed::Button(RoleId::new(42))))
        );
        assert_eq!(
            parse("lyceum:rm:topics", &["7".into(), "x".into()]),
            Some(("topics".into(), Pressed::Select(ids(&[7]))))
        );
        assert_eq!(parse("lyceum:rm:topics:x", &[]), None);
        assert_eq!(parse("lyceum:fb:1:done", &[]), None);
    }
}
