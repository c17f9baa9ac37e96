# Events, reminders and RSVP. Every key here must also exist in locales/zh-CN/schedule.ftl.

## Errors
event-error-when = I could not read `{ $part }` as a time. Examples: `2026-12-01 20:00`, `tomorrow 20:00`, `friday 20:00`, `in 2h`, `明天 20:00`, `下周三 19:30`.
event-error-repeat = I could not read `{ $part }` as a repeat. Examples: `daily`, `weekly`, `weekly on tue,thu`, `every 2 weeks`, `monthly on the first friday`, `monthly on day 15`, `quarterly`, or cron `0 20 * * 2,4`.
event-error-remind = I could not read `{ $part }` as a reminder offset. Example: `1d,1h,10m`.
event-error-past = That time is in the past. Pick a time still to come.
event-error-never = That schedule never fires (no occurrence in the next five years). Check it with `/event preview`.
event-error-reminder-long = A reminder is as long as the time between two occurrences; it would arrive before the previous one. Shorten it.
event-error-channel = No channel given and no `channels.announcements` configured.
event-error-cannot-post = The bot cannot post in { $channel }: it lacks **{ $missing }** there. Fix the channel's permissions, or pick another channel.
event-error-unknown = There is no event `#{ $id }`. `/event list` shows them.
event-error-not-held = Event `#{ $id }` has not been held yet.
event-error-attended = That attendance is already recorded.
event-error-cancelled = Event `#{ $id }` is cancelled; create a new one instead.
event-error-from-config = Event `#{ $id }` is a standing schedule from the config file (`[[schedule]] id = "{ $config_id }"`): change it there, then run `/admin reload`.

## Announcements
event-late = ⏱️ Posted late: the bot was offline at the scheduled time.
event-rsvp-field = RSVP
event-rsvp-counts = ✅ { $going } going · 🤔 { $maybe } maybe · ❌ { $no } not going
event-going = Going
event-maybe = Maybe
event-not-going = Not going
event-reminder = ⏰ Reminder: **{ $title }** starts { $when }.
event-digest = 📋 **{ $title }**: { $count ->
        [one] 1 occurrence was
       *[other] { $count } occurrences were
    } missed while the bot was offline:
    { $list }

## Replies
event-created = 📅 Event `#{ $id }` **{ $title }** is scheduled: first { $when } in { $channel }.
event-preview-header = Next { $count } occurrences (nothing was saved):
event-list-header = **Upcoming events** ({ $count })
event-paused-mark = ⏸ paused
event-status-active = active
event-status-paused = ⏸ paused
event-status-cancelled = cancelled
event-status-finished = finished (no more dates)
event-show = **#{ $id } { $title }**
    Next: { $next }
    Repeats: { $repeat } · Reminders: { $remind }
    Channel: { $channel } · Status: { $status }
event-cancelled = Event `#{ $id }` **{ $title }** is cancelled.
event-paused = Event `#{ $id }` **{ $title }** is paused.
event-resumed = Event `#{ $id }` **{ $title }** is resumed.
event-skipped = The occurrence of **{ $title }** on { $when } will be skipped.
event-attendees = **{ $title }**: { $count } going { $list }
event-interested = In Discord's Events tab: { $count } interested.
event-attended = ✅ { $member } attended the event of { $when }: +{ $points } points (balance { $balance }).

event-edited = Event `#{ $id }` is updated.

## Content plan
plan-header = **Content plan** (this week · month · quarter)
plan-line = { $mark } **{ $kind }**: { $actual }/{ $target } { $per } — week { $week } · month { $month } · quarter { $quarter }
plan-streak = { $weeks ->
        [one] 1 week on target
       *[other] { $weeks } weeks on target
    }
plan-per-week = this week
plan-per-month = this month
plan-per-quarter = this quarter
plan-kind-article = article
plan-kind-livestream = livestream
plan-kind-video = video
plan-kind-discussion = discussion
plan-kind-course = course lesson
plan-kind-qa = Q&A session
plan-empty = No content plan is configured: add `[[content_plan]]` to the config file.
plan-done = Counted one **{ $kind }**.
plan-error-kind = `{ $kind }` is not in the content plan.
digest-title = 📊 **Weekly digest** ({ $week })
digest-events = **Coming up this week:**
digest-no-events = No events in the coming week.

## Commands
cmd-event = event
    .description = Scheduled events and announcements
cmd-event-create = create
    .description = Schedule an event (one-off or recurring) with reminders and RSVP
    .title = title
    .title-description = What it is
    .when = when
    .when-description = 2026-12-01 20:00, tomorrow 20:00, friday 20:00, in 2h, 明天 20:00, 下周三 19:30
    .repeat = repeat
    .repeat-description = daily, weekly, weekly on tue,thu, every 2 weeks, monthly on the first friday, quarterly, or cron
    .channel = channel
    .channel-description = Where to announce it (default: the announcements channel)
    .description-name = description
    .description-description = More about it
    .remind = remind
    .remind-description = Reminders before it, e.g. 1d,1h,10m
    .duration = duration
    .duration-description = How long it lasts (default 1h)
    .catch_up = catch_up
    .catch_up-description = After downtime: post the latest missed one late, skip, or one digest
    .catch_up-post_late = post_late
    .catch_up-skip = skip
    .catch_up-digest = digest
    .mirror = mirror
    .mirror-description = Also show it in Discord's Events tab (default: [events] mirror_to_discord)
cmd-event-preview = preview
    .description = The next occurrences of a schedule (nothing is saved)
    .when = when
    .when-description = The first occurrence
    .repeat = repeat
    .repeat-description = How it repeats
    .count = count
    .count-description = How many to show (default 5)
cmd-event-list = list
    .description = Upcoming events
    .page = page
    .page-description = Which page to show
cmd-event-show = show
    .description = One event: when, how it repeats, where
    .event = event
    .event-description = The event's number
cmd-event-cancel = cancel
    .description = Cancel an event
    .event = event
    .event-description = The event's number
cmd-event-skip = skip
    .description = Skip the next occurrence only
    .event = event
    .event-description = The event's number
cmd-event-pause = pause
    .description = Pause a recurring event
    .event = event
    .event-description = The event's number
cmd-event-resume = resume
    .description = Resume a paused event
    .event = event
    .event-description = The event's number
cmd-event-attendees = attendees
    .description = Who answered Going
    .event = event
    .event-description = The event's number
cmd-event-attended = attended
    .description = Mark that a member attended (they earn attendance points once)
    .event = event
    .event-description = The event's number
    .member = member
    .member-description = Who attended
cmd-event-edit = edit
    .description = Change an event (a new time or rule re-plans it)
    .event = event
    .event-description = The event's number
    .title = title
    .title-description = A new title
    .when = when
    .when-description = A new first time
    .repeat = repeat
    .repeat-description = A new rule
    .channel = channel
    .channel-description = A new channel
    .description-name = description
    .description-description = A new description
    .remind = remind
    .remind-description = New reminders, e.g. 1d,1h
    .duration = duration
    .duration-description = A new length
    .catch_up = catch_up
    .catch_up-description = After downtime: post the latest missed one late, skip, or one digest
    .catch_up-post_late = post_late
    .catch_up-skip = skip
    .catch_up-digest = digest
cmd-plan = plan
    .description = The content plan: planned vs published
cmd-plan-show = show
    .description = This week, month and quarter against the targets
cmd-plan-done = done
    .description = Count a published piece that was not a post in its channel
    .kind = kind
    .kind-description = What was published (article, livestream, …)
