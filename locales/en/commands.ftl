# Slash command names and descriptions. English is the default registration; the key is the
# command path (`cmd-admin-grant`), attributes name and describe options and choices.

cmd-admin = admin
    .description = Staff levels, audit log and bot status
cmd-admin-grant = grant
    .description = Grant a staff level to a member or a role
    .target = target
    .target-description = The member or role to grant the level to
    .level = level
    .level-description = The staff level to grant
    .level-admin = admin
    .level-moderator = moderator
cmd-admin-revoke = revoke
    .description = Take a staff level away from a member or a role
    .target = target
    .target-description = The member or role to revoke
cmd-admin-list = list
    .description = Show owners and everyone holding a staff level
    .page = page
    .page-description = Which page of the list to show
cmd-admin-audit = audit
    .description = Show recent privileged actions
    .member = member
    .member-description = Only actions by or on this member
    .limit = limit
    .limit-description = How many entries to show (default 10)
    .page = page
    .page-description = Which page of the entries to show
cmd-admin-outbox = outbox
    .description = Show pending and failed Discord side effects
    .page = page
    .page-description = Which page of the list to show
cmd-admin-reload = reload
    .description = Re-read policy from the config file
