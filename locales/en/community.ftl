# Community: /about, the welcome, feedback, paid Q&A, stats.

about-value = What you get
about-audience = Who it is for
about-different = What sets us apart
about-rhythm = Our rhythm
about-products = Join
about-links = Links
about-per-week = a week
about-per-month = a month
about-per-quarter = a quarter
about-rhythm-item = { $kind }: { $count } { $per }
about-days = { $days ->
    [one] 1 day
   *[other] { $days } days
}

welcome-default = 👋 Welcome to **{ $community }**, { $member }!
welcome-rules = • Read the rules and press **I accept** to unlock the community.
welcome-about = • `/about` — what we do here and what is coming up.
welcome-points = • Earn points by taking part: chat, `/checkin` daily, helpful answers, events. `/points show` tracks them.
welcome-paid = • Paid tiers and courses: `/membership buy` (or `/redeem` a code).

feedback-kind-suggestion = Suggestion
feedback-kind-bug = Bug
feedback-kind-content = Content request
feedback-status-new = New
feedback-status-planned = Planned
feedback-status-done = Done
feedback-status-declined = Declined
feedback-anonymous = anonymous
feedback-field-from = From
feedback-field-status = Status
feedback-sent = 🙏 Thanks! Your feedback `#{ $id }` is with the team; you will get a DM when its status changes.
feedback-list-header = **Feedback** ({ $count })
feedback-status-dm = 📬 Your feedback `#{ $id }` is now **{ $status }**.
feedback-adopted-points = 🎁 It was adopted: **+{ $points }** points.
feedback-staff-only = Only moderators can change feedback status.
feedback-error-unknown = There is no feedback `#{ $id }`.
feedback-error-status = `{ $status }` is not a status staff can set (planned, done or declined).
feedback-reply = Reply
feedback-reply-title = Reply to feedback #{ $id }
feedback-reply-label = Your reply (sent to the author by DM)
feedback-reply-dm = 💬 The team replied to your feedback `#{ $id }`:
    > { $reply }
feedback-replied = ✉️ Your reply to `#{ $id }` is on its way to the author.

qa-posted = ❓ Question `#{ $id }` from { $asker } for { $expert } ({ $price } points in escrow, answer due { $deadline }):
    > { $question }
qa-asked = ✅ Question `#{ $id }` sent to { $expert }. **{ $price }** points are held in escrow until { $deadline }; unanswered by then, they come back to you. `/withdraw question_id:{ $id }` takes it back earlier.
qa-answered = 💡 { $expert } answered { $asker }'s question `#{ $id }`:
    > { $question }
    { $answer }
qa-listen-post = 💡 { $expert } answered { $asker }'s question `#{ $id }`:
    > { $question }
    Press 围观 Listen to read the answer. 👂 { $listeners } listened.
qa-listen-paid = 💡 Answer to `#{ $id }` (**{ $price }** points, shared by the asker and the expert):
    { $answer }
qa-listen-free = 💡 Answer to `#{ $id }`:
    { $answer }
qa-error-not-answered = Question `#{ $id }` has no answer yet.
qa-answer-done = ✅ Answer to `#{ $id }` posted; **{ $price }** points are yours.
qa-answer-done-pool = ✅ Answer to `#{ $id }` posted; **{ $price }** points went to the community pool.
qa-refunded-dm = ⌛ Your question `#{ $id }` was not answered in time; **{ $price }** points are back in your balance.
qa-withdrawn-dm = ↩️ You withdrew question `#{ $id }`; **{ $price }** points are back in your balance.
qa-withdrawn = ↩️ Question `#{ $id }` withdrawn; **{ $price }** points are back.
qa-error-not-expert = { $who } does not take paid questions here.
qa-error-balance = That question costs { $price } points; your balance is { $balance }.
qa-error-unknown = There is no question `#{ $id }`.
qa-error-not-yours = That question is not yours to answer or withdraw.
qa-error-closed = Question `#{ $id }` is already answered, refunded or withdrawn.
qa-error-past-deadline = The time to answer question `#{ $id }` is over: its points go back to the asker.
qa-error-self = You cannot ask yourself.

stats-overview-header = **Community — last { $days } days**
stats-active = Active members: DAU { $dau } · WAU { $wau } · MAU { $mau } · stickiness (average daily actives over 30 days ÷ MAU) **{ $stickiness }**
stats-messages = Messages per day: { $per_day } · new members: { $new }
stats-points = Points issued: { $issued } · spent: { $spent }
stats-top-channels = Top channels: { $list }
stats-plan = Content plan: { $done } published of { $planned } planned ({ $share })
stats-challenge-renewal = 打卡 challenges, 30 days after they ended: finishers still paying { $finishers } ({ $finishers_share }) · other participants { $others } ({ $others_share })
report-line = { $label }: **{ $value }** ({ $previous } the week before)
stats-renewals-header = **Renewal rate** — the last { $months } months. Due: paid time ended (a renewal, or access that ran out); renewed: paid again before access ended.
stats-renewals-none = No one was due to renew in these months.
stats-renewals-product = **{ $product }**: { $renewed } of { $due } due renewed — **{ $rate }**
stats-renewals-by-month = By month due (renewed/due):
stats-renewals-by-cohort = By cohort (month first joined the product):
stats-retention-header = **Weekly cohort retention** (share of each join week active in the weeks after)
stats-week = week
stats-tier = tier
stats-funnel = `{ $product }`: conversion { $converted }/{ $joined } new members ({ $conversion }) within 30 days · churn { $churned } ({ $churn }) · holders now { $holders }
stats-at-risk-header = **At risk** ({ $count }): paying, quiet for 14 days after being active, paid time ending within 30 days
stats-at-risk-line = { $member } · `{ $product }` ends { $until } · { $before } messages the month before · last active { $last }
stats-exported = 📎 { $rows } rows, as CSV.
stats-error-period = Cannot read the period "{ $text }". Write e.g. `7d`, `30d` or `90d`.

chart-activity-title = Activity — last { $days } days
chart-active = active members
chart-messages = messages
chart-retention-title = Weekly cohort retention
chart-weeks-after = weeks after joining
chart-free = free
chart-retention-empty = No one joined in these weeks yet: a row appears for each week members join.
stats-chart-attached = 📈 Chart attached.

## Commands
cmd-about = about
    .description = What this community is about, what it offers, and how to join
cmd-feedback = feedback
    .description = Suggestions, bug reports and content requests
cmd-feedback-send = send
    .description = Send the team a suggestion, a bug report or a content request
    .text = text
    .text-description = What you would like to tell us
    .kind = kind
    .kind-description = suggestion (default), bug or content request
    .kind-suggestion = suggestion
    .kind-bug = bug
    .kind-content_request = content request
    .anonymous = anonymous
    .anonymous-description = Hide your name from other members (admins still see it)
cmd-feedback-list = list
    .description = Feedback by status
    .status = status
    .status-description = Only this status
    .status-new = new
    .status-planned = planned
    .status-done = done
    .status-declined = declined
    .page = page
    .page-description = Which page to show
cmd-ask = ask
    .description = Ask an expert a question; the price is held in escrow until they answer
    .expert = expert
    .expert-description = Who should answer
    .question = question
    .question-description = Your question
cmd-answer = answer
    .description = Answer a question you were asked (the escrowed points are yours)
    .question_id = question_id
    .question_id-description = The question's number
    .text = text
    .text-description = Your answer
cmd-withdraw = withdraw
    .description = Withdraw your unanswered question (its points come back)
    .question_id = question_id
    .question_id-description = The question's number
cmd-stats = stats
    .description = Community analytics
cmd-stats-overview = overview
    .description = Activity, stickiness, messages, new members, top channels, points, content plan
    .period = period
    .period-description = 7d, 30d (default) or 90d
cmd-stats-retention = retention
    .description = Weekly cohort retention by tier, paid conversion and churn per product
cmd-report = report
    .description = The weekly report for staff
cmd-report-week = week
    .description = The weekly report now: the last 7 days beside the 7 before, with its image
cmd-stats-renewals = renewals
    .description = Renewal rate (renewed ÷ due) per product, per month due and per monthly cohort
    .months = months
    .months-description = How many months back (default 6)
cmd-stats-at-risk = at-risk
    .description = Paying members who went quiet and whose paid time ends soon
cmd-stats-export = export
    .description = Raw numbers as a CSV file
    .table = table
    .table-description = activity (default), channels or members
    .table-activity = activity
    .table-channels = channels
    .table-members = members
    .period = period
    .period-description = 7d, 30d (default) or 90d
chart-revenue-title = Income per month ({ $currency })
chart-challenge-title = Check-ins per day (share of participants)
chart-renewals-title = Renewal rate per month (renewed ÷ due)
chart-report-title = Weekly report · { $from } – { $to }
chart-report-new = New members
chart-report-active = Active members
chart-report-challenge = Challenge completion
chart-report-highlights = Highlights added
chart-report-answered = Questions answered
chart-report-revenue = Revenue
chart-report-due = Renewals due (next 7 days)
chart-report-rate = Renewal rate (this week)
chart-report-previous = last week
