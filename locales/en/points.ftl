# Points, levels, the leaderboard and the shop. Every key here must also exist in
# locales/zh-CN/points.ftl.

## Errors
points-error-already-checked-in = You already checked in today (streak: { $streak } days). Come back tomorrow — the day turns at midnight in the community's time zone.
points-error-bot = Bots do not collect points.
points-error-self-award = Staff cannot give points to themselves; ask another moderator (or an owner). The attempt is in the audit log.
points-error-amount = The amount must be a whole number from 1 to { $max }. Nothing was changed.
points-error-take-exceeds = That is more than the member has: their balance is { $balance } points. Nothing was changed.
shop-error-unknown-item = There is no item `{ $item }` in the shop. `/shop list` shows what there is.
shop-error-out-of-stock = **{ $item }** is sold out.
shop-error-limit = You already bought **{ $item }** { $limit ->
        [one] once, the most anyone may
       *[other] { $limit } times, the most anyone may
    }.
shop-error-balance = This costs { $price } points and you have { $balance }. Nothing was charged.
shop-error-unknown-order = There is no order `#{ $order }`.
shop-error-not-awaiting = Order `#{ $order }` is not waiting for staff (it was already fulfilled or refunded).
shop-error-others-orders = Only admins can see other members' orders.

## Replies
points-checked-in = ✅ Checked in: **+{ $points }** points. Streak: **{ $streak }** { $streak ->
        [one] day
       *[other] days
    }. Balance: { $balance }.
points-streak-bonus = 🔥 Streak bonus for day { $streak }: +{ $bonus }.
points-freeze-used = 🧊 { $count ->
        [one] A streak freeze covered the day you missed.
       *[other] { $count } streak freezes covered the days you missed.
    }
points-freeze-earned = 🧊 You earned a streak freeze (you have { $freezes }): it covers a missed day.
points-show = **Points of { $member }**
    Balance: **{ $balance }** · Lifetime: { $lifetime } · Rank: #{ $rank }
    Level **{ $level }** — { $into }/{ $need } to the next
    Check-in streak: { $streak } · Chat today: { $today }/{ $cap }
points-history-header = **History of { $member }** ({ $count ->
        [one] 1 entry
       *[other] { $count } entries
    })
points-history-chat = 💬 Chat: **+{ $all }** in all (deleted messages are listed)
points-given = Gave **{ $amount }** points to { $member } ({ $reason }). Their balance: { $balance }.
points-taken = Took **{ $amount }** points from { $member } ({ $reason }). Their balance: { $balance }.
points-level-up = 🎉 { $member } reached **level { $level }**!
points-kind-chat = chat
points-kind-chat-revoked = deleted message
points-kind-checkin = check-in
points-kind-helpful = helpful answer
points-kind-give = from staff
points-kind-take = staff correction
points-kind-shop = shop
points-kind-refund = refund
points-kind-attendance = attended an event
points-kind-import = imported
points-kind-challenge = challenge completed
points-kind-homework = homework
points-kind-highlight = added to highlights
points-kind-feedback = feedback taken up
points-kind-qa-escrow = question asked (held)
points-kind-qa-payout = question answered
points-kind-qa-refund = question refunded
points-kind-qa-listen = listened to an answer
points-kind-qa-listen-share = share of a listen
points-kind-referral = referral credit
points-kind-referral-reversal = referral credit reversed (refund)
leaderboard-all = 🏆 **Leaderboard** (all time)
leaderboard-month = 🏆 **Leaderboard** (this month)
leaderboard-week = 🏆 **Leaderboard** (this week)
leaderboard-empty = Nobody has earned points yet.

## Mod log
modlog-points-given = ➕ { $actor } gave { $amount } points to { $member }: { $reason }
modlog-points-taken = ➖ { $actor } took { $amount } points from { $member }: { $reason }

## Shop
shop-header = 🛒 **Shop** — `/shop buy item:<id>`
shop-empty = The shop is empty.
shop-kind-role = the role { $role }
shop-kind-timed-role = the role { $role } for { $days } days
shop-kind-manual = handed over by staff
shop-bought = 🛒 Bought **{ $item }** (order `#{ $order }`). Balance: { $balance }.
shop-bought-until = Yours until { $until }.
shop-bought-awaiting = Staff will hand it over and mark the order fulfilled.
shop-staff-order = 🛒 Order `#{ $order }`: { $member } bought **{ $item }**. Hand it over, then `/shop fulfil order:{ $order }` (or `/shop refund`).
shop-orders-header = **Orders of { $member }** ({ $count })
shop-status-completed = ✅ completed
shop-status-awaiting = ⏳ waiting for staff
shop-status-fulfilled = 🎁 fulfilled
shop-status-refunded = ↩️ refunded
shop-fulfilled = Order `#{ $order }` for { $member } is marked fulfilled.
shop-refunded = Order `#{ $order }` for { $member } is refunded; the points are back.

## Commands
cmd-checkin = checkin
    .description = Daily check-in: points once per day, with streak bonuses
cmd-points = points
    .description = Points, levels and history
cmd-points-show = show
    .description = Balance, lifetime points, level, rank and streak
    .member = member
    .member-description = Whose points (yours if left out)
cmd-points-history = history
    .description = The latest changes to a member's points
    .member = member
    .member-description = Whose history (yours if left out)
    .page = page
    .page-description = Which page to show
cmd-points-give = give
    .description = Give points to a member (with a reason)
    .member = member
    .member-description = Who gets the points
    .amount = amount
    .amount-description = How many points (1–100000)
    .reason = reason
    .reason-description = Why (shown in their history)
cmd-points-take = take
    .description = Take points from a member (a correction, with a reason)
    .member = member
    .member-description = Whose points
    .amount = amount
    .amount-description = How many points (1–100000)
    .reason = reason
    .reason-description = Why (shown in their history)
cmd-leaderboard = leaderboard
    .description = Who earned the most points
    .period = period
    .period-description = All time, this month or this week
    .period-all = all
    .period-month = month
    .period-week = week
    .page = page
    .page-description = Which page to show
cmd-shop = shop
    .description = Spend points on rewards
cmd-shop-list = list
    .description = What points can buy
cmd-shop-buy = buy
    .description = Buy an item with points
    .item = item
    .item-description = The item's id, from /shop list
cmd-shop-orders = orders
    .description = Shop orders (yours; admins: anyone's)
    .member = member
    .member-description = Whose orders (admins only)
cmd-shop-fulfil = fulfil
    .description = Mark a gift order as handed over
    .order = order
    .order-description = The order number
cmd-shop-refund = refund
    .description = Refund an order (points back, role removed)
    .order = order
    .order-description = The order number
