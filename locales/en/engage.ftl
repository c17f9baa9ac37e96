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

## Challenges (打卡)
challenge-prompt-title = { $title } — day { $day } of { $days }
challenge-day-default = Day { $day }: post what you did today and press 打卡 Check in.
challenge-deadline = Check in by
challenge-post-name = Day { $day } · { $title }
challenge-modal-title = Check in — day { $day }
challenge-modal-text = What did you do today?
challenge-modal-link = A link (optional)
challenge-ended = 🏁 **{ $title }** is over: { $finishers } of { $participants } finished. Thank you all!
challenge-created = Challenge `{ $id }` **{ $title }**: { $days } days from { $start }, a prompt at { $time } ({ $zone }) in { $channel }.
challenge-joined = You joined challenge `{ $id }` **{ $title }**. Press 打卡 Check in under each day's prompt.
challenge-joined-before = You are already in challenge `{ $id }` **{ $title }**.
challenge-checked-in = ✅ Day { $day } checked in. Streak: { $streak ->
        [one] 1 day
       *[other] { $streak } days
    }.
challenge-checked-in-points = ✅ Day { $day } checked in (+{ $points } points). Streak: { $streak ->
        [one] 1 day
       *[other] { $streak } days
    }.
challenge-excused = 🌙 Day { $day } excused (请假); { $left ->
        [one] 1 excuse
       *[other] { $left } excuses
    } left. Your streak stays at { $streak ->
        [one] 1 day
       *[other] { $streak } days
    }.
challenge-stats-header = **Challenge `{ $id }` { $title }** — { $participants } participants
challenge-stats-day = Day { $day }: { $checkins }/{ $participants } checked in ({ $percent }), { $excused } excused
challenge-stats-day-skipped = Day { $day }: not posted in time (counts for nobody)
challenge-stats-on-track = On track so far: { $count }/{ $participants } ({ $percent })
challenge-stats-finished = Finished: { $count }/{ $participants } ({ $percent })
challenge-stats-leaders = **Longest streaks**
challenge-stats-leader = { $rank }. { $member } — { $streak ->
        [one] 1 day
       *[other] { $streak } days
    } in a row, { $done ->
        [one] 1 day
       *[other] { $done } days
    } done
challenge-error-time = “{ $input }” is not a time: write it as HH:MM, e.g. 07:30 or 21:00.
challenge-error-date = “{ $input }” is not a date: write YYYY-MM-DD, “today” or “tomorrow”.
challenge-error-past = A challenge cannot start in the past ({ $date }).
challenge-error-none = No challenge is running. Staff start one with /challenge create.
challenge-error-which = Several challenges are running: name one ({ $ids }).
challenge-error-ended = Challenge `{ $id }` is over.
challenge-error-not-open = Day { $day } is not open for check-in yet.
challenge-error-closed = Day { $day } closed at { $time }: check-ins after the deadline are not accepted.
challenge-error-done = You already checked in (or were excused) for day { $day }.
challenge-error-not-joined = You are not in challenge `{ $id }`: join it with /challenge join.
challenge-error-no-excuses = No excuses left: this challenge allows { $allowed }.
challenge-error-link = The link must start with https:// (or http://).

cmd-challenge = challenge
    .description = 打卡 check-in challenges: a daily prompt, check-ins, streaks
cmd-challenge-create = create
    .description = Start a 打卡 challenge: a daily prompt at a local time for a number of days
    .title = title
    .title-description = What the challenge is called
    .days = days
    .days-description = How many days (1-100)
    .start = start
    .start-description = First day: YYYY-MM-DD, “today” or “tomorrow”
    .prompt_time = prompt_time
    .prompt_time-description = When each day's prompt is posted, HH:MM in the community's time zone
    .prompts = prompts
    .prompts-description = One prompt per day, separated by | (default: “Day N”)
    .deadline = deadline
    .deadline-description = Check-ins close at HH:MM (before the prompt time: the next morning; default midnight)
    .excused_days = excused_days
    .excused_days-description = Days off (请假) each member may take without breaking the streak
    .channel = channel
    .channel-description = Where the prompts go (default: here)
    .completion_role = completion_role
    .completion_role-description = A role for everyone who finishes
cmd-challenge-join = join
    .description = Join a challenge (the one running if you name none)
    .challenge = challenge
    .challenge-description = The challenge's number
cmd-challenge-excuse = excuse
    .description = Take a day off (请假): spends one of the challenge's excuses and keeps your streak
    .challenge = challenge
    .challenge-description = The challenge's number
cmd-challenge-stats = stats
    .description = Completion per day, finish rate and the streak leaderboard, with a chart
    .challenge = challenge
    .challenge-description = The challenge's number

## Homework (作业 / 点评)
homework-status-pending = Waiting for review
homework-status-reviewed = Reviewed
homework-status-needs-work = Needs work
homework-status-featured = ⭐ Featured
homework-post-title = 📝 Homework #{ $id }: { $title }
homework-how-to-submit = Hand it in with `/homework submit assignment:{ $id }`.
homework-due = Due
homework-staff-title = 📝 #{ $id } { $title }
homework-field-member = Member
homework-field-status = Status
homework-field-late = Late
homework-field-link = Link
homework-field-comment = Review
homework-modal-title = { $status }: a comment for the member
homework-modal-comment = Comment (optional, sent by DM)
homework-review-dm = Your homework “{ $title }” was reviewed: **{ $status }**.
homework-resubmit = Hand it in again with `/homework submit assignment:{ $id }`.
homework-featured-points = ⭐ **+{ $points }** points for a featured submission.
homework-review-saved = Saved: { $status }. { $member } is told by DM.
homework-staff-only = Only moderators can review homework.
homework-assigned = Homework `#{ $id }` **{ $title }** is set, due { $due }.
homework-submitted = ✅ Handed in for homework `#{ $id }`; staff will review it.
homework-resubmitted = ✅ Handed in again for homework `#{ $id }`; staff will review it.
homework-late-note = (after the due time: marked late)
homework-submit-points = **+{ $points }** points.
homework-status-staff = **#{ $id } { $title }** — { $count } handed in
homework-status-mine = Your homework ({ $count }):
homework-stats-header = **Homework**
homework-stats-line = `#{ $id }` { $title }: { $handed } handed in, { $pending } waiting for review, { $late } late
homework-waiting = ⏰ { $count ->
        [one] 1 submission
       *[other] { $count } submissions
    } waiting more than 48 hours:
homework-waiting-none = ✅ Nothing has waited more than 48 hours for review.
homework-waiting-line = `#{ $id }` { $member } — { $hours } h
homework-error-unknown = There is no homework `#{ $id }`.
homework-error-unknown-submission = There is no submission `#{ $id }`.
homework-error-past = The due time must be in the future.
homework-error-tag = In a forum, name the tag whose posts are hand-ins (`tag:`). The forum's tags: { $available }.
homework-error-reviewed = Your homework `#{ $id }` is already reviewed; only “needs work” can be handed in again.

cmd-homework = homework
    .description = Homework: assignments, hand-ins and reviews
cmd-homework-assign = assign
    .description = Set an assignment with a due time; members hand in with /homework submit
    .title = title
    .title-description = What the assignment is called
    .due = due
    .due-description = When it is due, e.g. 2026-12-10 20:00, friday 20:00, 明天 20:00
    .channel = channel
    .channel-description = Where to announce it (default: announcements)
    .description-name = description
    .description-description = What to do
    .tag = tag
    .tag-description = In a forum: the tag members put on their post to hand in
cmd-homework-submit = submit
    .description = Hand in your homework (again, if it came back with “needs work”)
    .assignment = assignment
    .assignment-description = The homework's number
    .text = text
    .text-description = Your work
    .link = link
    .link-description = A link (optional)
cmd-homework-status = status
    .description = Where your homework stands (staff: every member's, for one assignment)
    .assignment = assignment
    .assignment-description = The homework's number
    .page = page
    .page-description = Which page to show
cmd-homework-stats = stats
    .description = Hand-ins per assignment, and submissions waiting more than 48 hours for review

## Highlights (精华)
highlight-modal-title = Add to highlights (精华)
highlight-modal-topic = Topic: { $topics }
highlight-modal-name = Title in the index
highlight-index-title = ⭐ Highlights · { $topic }
highlight-index-empty = Nothing here yet.
highlight-added = ⭐ “{ $title }” is in the { $topic } highlights; the index is being updated.
highlight-author-points = { $member } earns **+{ $points }** points.
highlight-staff-only = Only moderators can add highlights.
highlight-error-no-topics = No highlight topics are configured: add `[[highlights.topics]]` to the config.
highlight-error-topic = “{ $input }” is not a highlight topic. Topics: { $known }.
highlight-error-message = That message is no longer known; open the menu on it again.
highlights-header = **Highlights** ({ $count })
highlights-none = No highlights match.
start-here-title = 👋 Start here
start-here-intro = Welcome to { $product }! These posts are the best place to begin:

cmd-highlight_message = Add to highlights
    .description = Add this message to the curated highlights index, under a topic
cmd-highlights = highlights
    .description = The curated highlights (精华): by topic, or search in Chinese or English
    .topic = topic
    .topic-description = Only this topic
    .search = search
    .search-description = Words to look for (中文 or English)
    .page = page
    .page-description = Which page to show

## Course lessons (drip)
lesson-unlocked-dm = 📖 A new lesson of { $course } is open: **{ $title }** — { $link }
course-lesson-open = ✅ { $n }. [{ $title }]({ $link })
course-lesson-locked = 🔒 { $n }. { $title } — unlocks { $when }
course-none = You are not in a course with lessons.

cmd-course = course
    .description = Your courses' lessons
cmd-course-progress = progress
    .description = Your course lessons: the ones open to you and when the next ones unlock
