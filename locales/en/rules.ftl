# Rules, automod, warnings and timeouts. Every key here must also exist in
# locales/zh-CN/rules.ftl.

## Errors
rules-error-bot = Bots cannot be warned or timed out.
rules-error-owner = The server owner cannot be warned or timed out.
rules-error-self = You cannot do that to yourself.
rules-error-outranks = That member is staff at or above your level; ask someone above them.
rules-error-above-bot = The bot's role is not above that member's top role, so Discord would refuse. Move the bot's role up in Server Settings → Roles.
rules-error-duration = `{ $input }` is not a duration. Write e.g. `10m`, `2h`, `7d`, `2w`, or `10分钟`, `2小时`, `7天`, `两周`.
rules-error-too-long = `{ $input }` is longer than 28 days, the longest timeout Discord allows.
rules-error-unknown-warning = There is no warning `#{ $id }`.
rules-error-pardoned = Warning `#{ $id }` is already pardoned.
rules-error-others-warnings = Only moderators can see other members' warnings.
rules-error-no-channel = No rules channel is configured: set `channels.rules` in the config file and `/admin reload`.
rules-error-no-rules = No rules are configured: add `[[rules]]` to the config file and `/admin reload`.

## Rules
rules-title = Rules of { $community }
rules-accept-button = I accept
rules-accepted = ✅ Thanks for accepting the rules — welcome in!
rules-accepted-before = You have already accepted the rules.
rules-posted = The rules are posted in { $channel }.
rules-updated = The rules message in { $channel } is updated.

## Automod
automod-filter-banned-words = banned words
automod-filter-regex = blocked pattern
automod-filter-links = links and invites
automod-filter-mentions = mention spam
automod-filter-flood = flooding
automod-filter-duplicates = repeated messages
automod-filter-caps = excessive caps
automod-action-delete = message deleted
automod-action-delete-warn = message deleted and a warning given
automod-action-timeout = timed out
automod-action-log = logged
automod-title = 🛡️ Automod: { $rule }
automod-cannot-act-title = ⚠️ Automod could not act
automod-protected-owner = The member is the server owner.
automod-protected-above-bot = The member's top role is at or above the bot's, so Discord would refuse.
automod-dm = Your message in { $community } broke the rule on **{ $rule }**: { $action }. Please check the rules (`/rules show`).
automod-test-clean = ✅ No filter would fire on this text.
automod-test-header = { $count ->
        [one] 1 filter would fire:
       *[other] { $count } filters would fire:
    }
automod-test-line = • **{ $rule }** (`{ $detail }`) → { $action }
raid-alert = 🚨 Raid alert: { $count } members joined within { $seconds } seconds.

## Warnings and timeouts
warned = ⚠️ Warned { $member } (warning `#{ $id }`, { $points ->
        [one] 1 point
       *[other] { $points } points
    }). Active total: { $total }.
warn-title = ⚠️ Warning #{ $id }
warn-points-line = +{ $points } (active total { $total })
escalation-timeout = ⏫ Escalation at { $at } points: timed out for { $minutes } minutes.
escalation-kick = ⏫ Escalation at { $at } points: kicked.
escalation-ban = ⏫ Escalation at { $at } points: banned.
pardon-title = ✅ Warning #{ $id } pardoned
pardoned = Warning `#{ $id }` of { $member } is pardoned; it stays on the record and no longer counts.
warnings-header = **Warnings of { $member }** — active total { $total } ({ $count } on record)
warning-status-active = active ({ $points })
warning-status-expired = expired
warning-status-pardoned = pardoned
timeout-title = ⏳ Timeout
untimeout-title = ⏳ Timeout lifted
timed-out = { $member } is timed out until { $until }.
untimed-out = { $member }'s timeout is lifted.

## Mod-log fields
modlog-field-member = Member
modlog-field-by = By
modlog-field-rule = Rule
modlog-field-action = Action
modlog-field-detail = Matched
modlog-field-excerpt = Excerpt
modlog-field-link = Message
modlog-field-reason = Reason
modlog-field-points = Points
modlog-field-escalation = Escalation
modlog-field-why = Why
modlog-field-until = Until

## Commands
cmd-rules = rules
    .description = The community's rules
cmd-rules-show = show
    .description = Show the community's rules
cmd-rules-post = post
    .description = Post the rules in the rules channel (or update the message posted before)
cmd-automod = automod
    .description = Automod tools
cmd-automod-test = test
    .description = Which automod filters would fire on a text, and why (nothing changes)
    .text = text
    .text-description = The text to check
cmd-warn = warn
    .description = Warn a member
    .member = member
    .member-description = Who to warn
    .reason = reason
    .reason-description = Why (the member and the mod log see it)
    .points = points
    .points-description = How many warning points (1–10, default 1)
cmd-warnings = warnings
    .description = Warnings of a member (your own; moderators: anyone's)
    .member = member
    .member-description = Whose warnings (moderators only)
    .page = page
    .page-description = Which page to show
cmd-pardon = pardon
    .description = Pardon a warning (it stays on the record and stops counting)
    .warning = warning
    .warning-description = The warning's number, from /warnings
    .reason = reason
    .reason-description = Why
cmd-timeout = timeout
    .description = Time a member out (e.g. 10m, 2h, 7d, 2w; 10分钟, 2小时, 7天, 两周)
    .member = member
    .member-description = Who to time out
    .duration = duration
    .duration-description = How long, at most 28 days (10m, 2h, 7d, 2w, 10分钟, 两周)
    .reason = reason
    .reason-description = Why
cmd-untimeout = untimeout
    .description = Lift a member's timeout
    .member = member
    .member-description = Whose timeout to lift
