# Replies and messages members see. Every key here must also exist in locales/zh-CN/main.ftl.

## Errors
error-not-permitted = You need the { $level } level (or higher) to use this command.
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

## Delivery (the outbox worker's own mod-log lines)
modlog-delivery-paused-permissions = ⚠️ Discord refused { $count } deliveries in a row with **Missing Permissions**, so delivery is paused for { $seconds } seconds. Check that the bot's role is above the roles it manages and that it can post in its channels, then use `/admin retry` for the failed items.
modlog-role-removal-refused = ⚠️ Discord refused to remove { $role } from { $member }: { $reason }. They keep access they should no longer have: move the bot's role above { $role } (and give it Manage Roles). Lyceum keeps retrying (outbox item #{ $item } in `/admin outbox`).
modlog-event-cancel-refused = ⚠️ Discord refused to cancel { $event } in its Events tab: { $reason }. Members still see it there and can press Interested: cancel it by hand in Discord (outbox item #{ $item } in `/admin outbox`).
modlog-dm-closed = ✉️ Could not reach { $member } by DM (their DMs are closed): "{ $sent }". It waits on their /me page; reach them another way if it matters.
inbox-thread-name = 📬 For { $member }
inbox-intro = 📬 Your Discord does not accept direct messages from this server, so this came here, in a thread only you and the staff can see:
inbox-someone = a member
undelivered-note = 📬 Lyceum tried to send you { $count ->
    [one] a direct message
   *[other] { $count } direct messages
} but your DMs are closed (Server menu → Privacy Settings → Direct Messages). Here { $count ->
    [one] it is
   *[other] they are
}:
