# /admin: replies, mod-log lines, errors and the command itself. Every key here must also exist
# in locales/zh-CN/admin.ftl.

## Errors
admin-error-owner-only-admin = Only an owner can grant or revoke the admin level.
admin-error-everyone-staff = A staff level for @everyone would make every member staff. Grant it to a member or a specific role instead.
admin-error-owner-permanent = Owners are set in the config file and by the server owner; no command can change their level.
admin-error-no-grant = { $target } holds no staff level, so there is nothing to revoke.
admin-error-config-rejected = The config file has problems, so the running config was kept:
    { $problems }
admin-error-not-grantable = The { $level } level is not granted by command.
admin-error-not-retryable = Outbox item `#{ $item }` has not failed, so there is nothing to retry. `/admin outbox` lists the failed ones.

## Mod log
modlog-granted = 🛡️ { $actor } granted **{ $level }** to { $target }.
modlog-revoked = 🛡️ { $actor } revoked **{ $level }** from { $target }.
modlog-reloaded = ⚙️ { $actor } reloaded the config.

## /admin
admin-granted = Done: { $target } is now **{ $level }**.
admin-revoked = Done: { $target } is no longer **{ $level }**.
admin-list-header = **Staff** ({ $count } listed)
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
admin-reload-schedules = Standing schedules — added: { $added } · changed: { $changed } · ended: { $removed }

outbox-status-pending = ⏳ pending
outbox-status-failed = ❌ failed
outbox-status-delivered = ✅ delivered
outbox-status-skipped = ⏭️ skipped
admin-retried = { $count ->
        [0] No failed items to retry.
        [one] Re-queued 1 failed item; it is delivered in order with the rest.
       *[other] Re-queued { $count } failed items; they are delivered in order with the rest.
    }
modlog-retried = 🔁 { $actor } re-queued { $count ->
        [one] 1 failed outbox item
       *[other] { $count } failed outbox items
    }.

## Commands
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
cmd-admin-retry = retry
    .description = Re-queue failed Discord side effects after fixing their cause
    .item = item
    .item-description = The failed item's number (from /admin outbox); all failed items if left out
