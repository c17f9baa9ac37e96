# Keeping members active: role menus.

## Role menus
role-menu-unknown = There is no role menu “{ $id }”. Menus in the config: { $known }.
role-menu-needs-level = This menu is for members at level { $level } and up; you are level { $have }.
role-menu-needs-product = This menu is for members with { $product }.
role-menu-added = ✅ Added: { $roles }
role-menu-removed = ➖ Removed: { $roles }
role-menu-unchanged = Nothing changed.
role-menu-placeholder = Choose your roles
role-menu-how-single = Press a button to take that role (one at a time); press it again to let it go.
role-menu-how-multiple = Press a button to take that role; press it again to let it go.
role-menu-posted = Role menu “{ $menu }” is on its way to { $channel }.
role-menu-none = No role menus are configured: add `[[roles.menus]]` to the config.
role-menu-check-line = “{ $menu }”: { $roles } roles, chosen { $chosen } times
role-menu-check-ok = ✅ The bot can hand out every menu role.
role-menu-check-problems = ⚠️ { $count } menu roles cannot be handed out:
role-menu-check-no-guild = The server is not loaded yet; try again in a moment.
role-menu-check-no-permission = The bot lacks the Manage Roles permission.
role-menu-check-missing = role { $role } (menu “{ $menu }”) does not exist in this server
role-menu-check-managed = { $role } (menu “{ $menu }”) belongs to an integration; nobody can assign it
role-menu-check-above = { $role } (menu “{ $menu }”) is at or above the bot's top role: move the bot's role above it

## Commands
cmd-roles = roles
    .description = Role menus members choose their roles from
cmd-roles-post = post
    .description = Post a role menu from the config: members choose their roles with its buttons
    .menu = menu
    .menu-description = The menu's id in [[roles.menus]]
    .channel = channel
    .channel-description = Where to post it (default: here)
cmd-roles-check = check
    .description = Which menu roles the bot cannot hand out (missing, or at or above its own top role)
