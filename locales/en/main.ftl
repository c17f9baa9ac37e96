# Replies and messages members see. Every key here must also exist in locales/zh-CN/main.ftl.

## Errors
error-not-permitted = You need the { $level } level (or higher) to use this command.
error-owner-only-admin = Only an owner can grant or revoke the admin level.
error-everyone-staff = A staff level for @everyone would make every member staff. Grant it to a member or a specific role instead.
error-owner-permanent = Owners are set in the config file and by the server owner; no command can change their level.
error-no-grant = { $target } holds no staff level, so there is nothing to revoke.
error-config-rejected = The config file has problems, so the running config was kept:
    { $problems }
error-guild-only = This command only works in the community's server.
error-bad-argument = `{ $input }` is not a valid value here. Please check it and try again.
error-outdated-command = This command was just updated. Please wait a moment and run it again.
error-internal = Something went wrong on our side. Nothing was changed. If it keeps happening, give the admins this reference: `{ $reference }`.

## Levels
level-member = member
level-moderator = moderator
level-admin = admin
level-owner = owner

## Lists
page-footer = Page { $page }/{ $total } — use the `page` option to see more.

## Mod log
modlog-granted = 🛡️ { $actor } granted **{ $level }** to { $target }.
modlog-revoked = 🛡️ { $actor } revoked **{ $level }** from { $target }.
modlog-reloaded = ⚙️ { $actor } reloaded the config.

## /admin
admin-granted = Done: { $target } is now **{ $level }**.
admin-revoked = Done: { $target } is no longer **{ $level }**.
admin-list-header = **Staff** ({ $count ->
        [one] 1 grant
       *[other] { $count } grants
    })
admin-list-line = • { $target } — { $level } (by { $by }, since { $since })
admin-audit-header = **Audit log** ({ $count ->
        [one] the latest entry
       *[other] the latest { $count } entries
    })
admin-audit-empty = The audit log is empty.
admin-outbox-header = **Outbox**: { $pending } pending, { $failed } failed
admin-outbox-line = `#{ $id }` { $status } · { $what } · { $attempts ->
        [one] 1 attempt
       *[other] { $attempts } attempts
    } · last error: { $error }
admin-reloaded = Config reloaded.
admin-reload-restart = These changes take effect after a restart: { $keys }

outbox-status-pending = ⏳ pending
outbox-status-failed = ❌ failed
outbox-status-delivered = ✅ delivered
outbox-status-skipped = ⏭️ skipped
