# Slash command names and descriptions. English is the default registration; the key is the
# command path (`cmd-admin-grant`), attributes name and describe options and choices.
