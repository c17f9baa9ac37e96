# The web pages.
web-nav-leaderboard = Leaderboard
web-nav-me = My page
web-nav-staff = Staff
web-login = Log in with Discord
web-logout = Log out
web-buy = Buy
web-renew = Renew
web-events-next = Coming up
web-no-events = Nothing is scheduled yet.
web-leaderboard-title = Leaderboard
web-period-week = Last 7 days
web-period-month = Last 30 days
web-period-all = All time
web-member = Member
web-level = Level
web-points = Points
web-someone = (a member)
web-leaderboard-empty = No points earned in this period yet.
web-members-only = The leaderboard is for members: log in with Discord to see it.
web-prev = ← Previous
web-next = Next →
web-not-member-title = Members only
web-not-member = You are logged in, but not a member of this server: only the public pages are open to you.
web-balance = Balance: **{ $balance }** points
web-level-progress = Level { $level } · { $into } / { $span } points to level { $next }
web-streak = Check-in streak: { $days ->
    [one] { $days } day
   *[other] { $days } days
}
web-memberships = Memberships
web-no-memberships = No memberships yet.
web-until = until { $when }
web-history = Points history
web-export = Download everything Lyceum holds about me (JSON)
web-forbidden = This page is for staff (moderator and up).
web-your-level = Your level: { $level }
web-outbox = Outbox: { $pending } waiting · { $failed } failed
web-paid-members = Paid members ({ $count })
web-product = Product
web-ends = Paid until
web-source = Source
web-nav-events = Events
web-events-title = Events
web-join = Open the channel in Discord
web-login-to-rsvp = Log in with Discord to answer
