# Paid access: memberships, courses, redeem codes, revenue.

membership-lifetime = lifetime
membership-granted = ✅ { $member } now has **{ $product }** until { $until }.
membership-granted-lifetime = ✅ { $member } now has **{ $product }** for life.
membership-revoked = ✅ { $member } no longer has **{ $product }**; the role is being removed.
membership-extended = ✅ { $member } has **{ $product }** until { $until }.
membership-extended-lifetime = ✅ { $member } has **{ $product }** for life.
membership-status-none = { $member } holds no products.
membership-status-header = **Products of { $member }**
membership-in-grace = paid time over; access until { $until } (grace)
membership-list-header = **Active memberships** ({ $count })
membership-exported = 📎 { $count } open grants, as CSV.
membership-buy = 💳 **{ $product }**: pay with this personal link (it tells us it is you): { $url }
    Your role arrives the moment the payment goes through.
membership-source-manual = granted by staff
membership-source-code = redeem code
membership-source-import = imported
membership-source-stripe = Stripe
membership-source-discord = Discord subscription
membership-reminder-dm = ⏳ Your **{ $product }** access ends { $until }. Renew with `/membership buy product:{ $id }` to keep it.
membership-grace-dm = ⌛ Your paid time for **{ $product }** is over. You keep access until { $until } — renew with `/membership buy product:{ $id }` to stay.
membership-ended-dm = 🔒 Your **{ $product }** access has ended. You are welcome back any time: `/membership buy product:{ $id }`.
modlog-membership = 💳 { $by }: `{ $action }` — { $member }, **{ $product }**.
modlog-unpaid-held = 🔎 { $count } members hold a product role without a grant (added by hand?). Grant the product or remove the role:
modlog-unpaid-removed = 🔎 { $count } members held a product role without a grant; removed (membership.strict):

membership-error-product = There is no product `{ $product }`.
membership-error-product-suggest = There is no product `{ $product }`. Did you mean `{ $suggestion }`?
membership-error-duration = Cannot read the duration "{ $text }". Write e.g. `30d`, `12w`, `365d` or `lifetime`.
membership-error-date = Cannot read "{ $text }" as a future date. Write e.g. `2026-12-31` or `2026-12-31 18:00` (community time).
membership-error-code = That code is not valid. Check it and try again.
membership-error-throttled = Too many wrong codes. Please wait a few minutes before trying again.
membership-error-held = You already hold `{ $product }`; this community does not stack codes. Keep the code for someone else.
membership-error-not-held = That member does not hold `{ $product }`.
membership-error-others = Only admins can see another member's memberships.
membership-error-self-grant = Only an owner can give paid time to themself; ask an owner. The attempt is in the audit log.
membership-error-no-link = `{ $product }` cannot be bought online here (it has no payment link).

code-created = 🎟️ { $count } codes for **{ $product }** (batch { $batch }). This file is the only copy: only their hashes are stored.
code-list-header = **Redeem codes** ({ $count } products)
code-list-line = `{ $product }`: { $live } live · { $used } used · { $expired } expired · { $revoked } revoked
code-revoked = ✅ { $count } codes revoked.
code-redeemed = 🎉 Redeemed: **{ $product }** until { $until }. Your new channels are open.
code-redeemed-lifetime = 🎉 Redeemed: **{ $product }**, yours for life. Your new channels are open.
code-error-revoke = Give a code or a batch number that still has live codes.
code-error-count = Make between 1 and { $max } codes at a time.

revenue-header = **Revenue — { $period }**
revenue-none = No income recorded in this period.
revenue-total = **Total**: { $total }
revenue-complimentary = { $count ->
        [one] 1 complimentary grant
       *[other] { $count } complimentary grants
    } (by hand or code, no income)
revenue-members = Paid members now: **{ $active }** · this period: { $new } new, { $renewed } renewed, { $churned } churned
revenue-added = ✅ Recorded { $amount } from { $source }.
revenue-error-amount = The amount must be a positive number and the currency a 3-letter code such as `USD` or `CNY`.

gate-no-products = No products are configured (`[[products]]` in the config file).
gate-product-ok = ✅ **{ $product }**: role and channels are gated correctly.
gate-product-problems = ❌ **{ $product }**:
gate-problem-role = the role { $role } does not exist
gate-problem-position = the role { $role } is not below the bot's highest role, so the bot cannot assign it (Server Settings → Roles: drag the bot's role above it)
gate-problem-manage = the bot lacks the Manage Roles permission
gate-problem-channel = the channel { $channel } does not exist or the bot cannot see it
gate-problem-open = { $channel } is visible to @everyone
gate-problem-closed = { $role } cannot see { $channel }
gate-nothing-to-fix = Nothing for `/gate apply` to fix. (`/gate check` lists problems that need Server Settings.)
gate-apply-confirm = Apply { $count } permission changes? Gated channels will be hidden from @everyone and opened to their product role (and to the bot).
gate-apply-button = Apply { $count } changes
gate-applied = ✅ { $count } permission changes queued; they go out through the outbox (retried if Discord is down).
gate-apply-refused = Only admins can apply gate changes.

## Commands
cmd-gate = gate
    .description = Paid channels: check and fix their permissions
cmd-gate-check = check
    .description = Check that each product's channels are hidden from @everyone and open to its role
cmd-gate-apply = apply
    .description = Fix the gated channels' permissions (asks for confirmation)
cmd-membership = membership
    .description = Memberships and courses
cmd-membership-grant = grant
    .description = Give a member a product (a membership tier or a course)
    .member = member
    .member-description = Who gets it
    .product = product
    .product-description = The product id from the config
    .duration = duration
    .duration-description = How long (default: the product's), e.g. 30d or lifetime
    .note = note
    .note-description = Why (kept with the grant)
    .paid = paid
    .paid-description = What the member paid, in the product's currency (none or 0: complimentary, not income)
cmd-membership-revoke = revoke
    .description = End a member's product now (the role is removed)
    .member = member
    .member-description = Whose product
    .product = product
    .product-description = The product id
    .reason = reason
    .reason-description = Why (audited)
cmd-membership-extend = extend
    .description = Extend a member's product from the later of now and its current end
    .member = member
    .member-description = Whose product
    .product = product
    .product-description = The product id
    .duration = duration
    .duration-description = How much longer, e.g. 30d
cmd-membership-status = status
    .description = Your products and when they end (admins: any member's)
    .member = member
    .member-description = Whose products (admins only)
cmd-membership-list = list
    .description = Members holding products
    .product = product
    .product-description = Only this product
    .expiring_within = expiring_within
    .expiring_within-description = Only those whose paid time ends within, e.g. 7d
    .page = page
    .page-description = Which page to show
cmd-membership-export = export
    .description = Every open grant as a CSV file
cmd-membership-buy = buy
    .description = Your personal checkout link for a product
    .product = product
    .product-description = The product id
    .referral = referral
    .referral-description = A friend's referral code (they are credited when you first pay)
cmd-code = code
    .description = Redeem codes
cmd-code-create = create
    .description = Make redeem codes for a product (shown once, as a CSV file)
    .product = product
    .product-description = The product id
    .count = count
    .count-description = How many codes (1–1000)
    .duration = duration
    .duration-description = What each code gives (default: the product's duration)
    .expires_at = expires_at
    .expires_at-description = Last day to redeem, e.g. 2026-12-31
    .max_uses = max_uses
    .max_uses-description = Members per code (default 1)
    .price = price
    .price-description = What each code sold for, in the product's currency (none: complimentary, not income)
cmd-code-list = list
    .description = Redeem codes by status, per product
    .product = product
    .product-description = Only this product
cmd-code-revoke = revoke
    .description = Revoke one code, or a whole batch
    .code = code
    .code-description = The code to revoke
    .batch = batch
    .batch-description = A batch number from /code create
cmd-redeem = redeem
    .description = Redeem a code for a membership or course
    .code = code
    .code-description = The code, e.g. ABCD-EFGH-JKMN-PQRS
cmd-revenue = revenue
    .description = Income and paid members
cmd-revenue-show = show
    .description = Income by product and source, and paid members
    .period = period
    .period-description = month (default), last-month, year, or YYYY-MM
cmd-revenue-add = add
    .description = Record income from elsewhere: ads, sponsorships, revenue share
    .amount = amount
    .amount-description = In major units, e.g. 120.50
    .currency = currency
    .currency-description = 3-letter code, e.g. USD or CNY
    .source = source
    .source-description = Where it came from, e.g. sponsor
    .note = note
    .note-description = Anything to remember

## Stripe: disputes and payments nobody could match
modlog-dispute-opened = ⚠️ **Dispute opened** on { $member }'s payment for **{ $product }**: { $amount } (reason: { $reason }). Respond in the Stripe Dashboard before the deadline. Stripe: dispute `{ $dispute }`, charge `{ $charge }`.
modlog-dispute-access-ended = Their access from that payment has ended (`membership.end_on_dispute`); it comes back if the dispute is won.
modlog-dispute-closed = ⚖️ **Dispute closed — { $status }** on { $member }'s payment for **{ $product }**: { $amount }. Stripe: dispute `{ $dispute }`.
modlog-stripe-unmatched = ⚠️ **A Stripe payment Lyceum could not match**: { $amount } — { $reason }. Stripe: { $ids }. If it is a member's, give them access with `/membership grant member:… product:… note:{ $object }`. Listed in `/membership unmatched`.
membership-unmatched-header = **Stripe payments not matched to a member** (newest first)
membership-unmatched-none = Every Stripe payment is matched to a member and product.
membership-unmatched-line = • <t:{ $at }:f> { $amount } — { $reason } · `{ $kind }` `{ $object }`{ $extra }
membership-unmatched-waiting-header = **Kept until the payment they refer to arrives**
membership-unmatched-waiting-line = • <t:{ $at }:f> `{ $kind }` for `{ $waits_for }`{ $amount }
membership-unmatched-hint = Give access with `/membership grant member:… product:… note:<Stripe id>`.
revenue-unmatched = ⚠️ { $count } Stripe payments are not matched to a member: see `/membership unmatched`.
cmd-membership-unmatched = unmatched
    .description = Stripe payments not matched to a member, and payments waiting for their checkout
gate-problem-open-role = { $other } can see { $channel } (its permission overwrite allows View Channel)
gate-problem-category = the category { $category } lets { $other } see its channels: syncing { $channel } with it would open it (change it in the category's permissions)
stripe-unmatched-no-member = no Discord member in the checkout (the Payment Link was not opened from `/membership buy`)
stripe-unmatched-no-product = the Payment Link has no `product` in its metadata
stripe-unmatched-unknown-product = the Payment Link's `product` metadata names no configured product
stripe-unmatched-product-gone = the subscription's product is no longer in the config
stripe-unmatched-unknown-refund = a refund of a payment Lyceum never matched
stripe-unmatched-unknown-dispute = a dispute of a payment Lyceum never matched
stripe-unmatched-member-left = paid by a member who has left the server (granted; the role comes back when they rejoin)
modlog-stripe-member-left = ⚠️ { $member } paid { $amount } for **{ $product }** but has left the server: their access waits for them to rejoin. Reach out, or refund it in the Stripe Dashboard (`{ $object }`). Listed in `/membership unmatched`.

## Renewal care
renewals-none = No paid time ends in the next { $days } days (counting only what does not renew by itself).
renewals-header = **Renewals due in the next { $days } days** ({ $count }) — press Send to DM a member their drafted message (nothing is sent otherwise):
renewals-active = active
renewals-quiet = quiet
renewals-silent = silent for 14 days
renewals-sent = draft sent
renewals-send = Send { $n }
renewals-draft-active = Hi { $member }, thank you for being such an active part of the community! Your { $product } ends on { $end }. Renew to keep your access: { $how }
renewals-draft-quiet = Hi { $member }, we have missed you lately! Your { $product } ends on { $end }; there is a lot waiting for you. Renew to keep your access: { $how }
renewals-sent-now = ✅ Sent to { $member }.
renewals-sent-before = This renewal message already went to { $member } for this period.
renewals-no-longer-due = { $member } is no longer due (renewed, or the access ended): nothing sent.
renewals-admins-only = Only admins can send renewal messages.
cmd-renewals = renewals
    .description = Renewal care: whose paid time ends soon
cmd-renewals-upcoming = upcoming
    .description = Members whose paid time ends soon, by product and activity, each with a renewal message to send
    .days = days
    .days-description = How far ahead (default 14 days)

cmd-renewals-winback = winback
    .description = Send members whose paid time ran out lately a one-use win-back code (price and expiry from config)
    .product = product
    .product-description = The product they let run out
    .days = days
    .days-description = How far back (default 30 days)
winback-none = Nobody's { $product } ran out in the last { $days } days without a win-back code already (or they came back).
winback-sent = 💌 Sent { $count } win-back codes for **{ $product }** (batch #{ $batch }: { $price }, redeemable until { $until }). { $before } had one already.
winback-dm = We miss you at { $community }! Come back to **{ $product }** for { $price }: `/redeem code:{ $code }` (until { $until }; this code is yours alone).

## Referrals
refer-code = 🎟️ Your referral code: **`{ $code }`**
    A friend runs `/membership buy product:{ $product } referral:{ $code }`: their checkout link carries your code, and their first payment earns you **{ $credit }**. (A refund or lost dispute within { $hold } days takes it back.)
refer-link = Or share this link: { $url }
refer-credit-points = { $amount } points
refer-credit-days = { $days ->
    [one] 1 extra day
   *[other] { $days } extra days
} on your membership
refer-recorded = 🎟️ Referred by { $member }: they are credited when your first payment goes through.
refer-credited-points = 🎉 { $member } paid for the first time with your referral code: **+{ $amount } points**.
refer-credited-days = 🎉 { $member } paid for the first time with your referral code: **{ $days ->
    [one] 1 extra day
   *[other] { $days } extra days
}** on your membership.
refer-credited-nothing = 🎉 { $member } paid for the first time with your referral code. Your credit is days on a membership, and you hold none right now: ask staff.
refer-reversed = ↩️ The payment of { $member }, whom you referred, was refunded: the referral credit is taken back.
refer-stats-mine = **Your referrals**: { $claims } used your code · { $conversions } paid · { $reversed } reversed · credit standing: { $points } points, { $days } days
refer-stats-all = **Everyone**: { $claims } referred · { $conversions } paid · { $reversed } reversed · credit given: { $points } points, { $days } days (no cash payouts)
refer-stats-none = No referrals yet.
refer-stats-line = { $rank }. { $member }: { $conversions } paid of { $claims } · { $points } points, { $days } days
refer-error-off = Referrals are not on in this community.
refer-error-unknown = No member has that referral code. Check it and try again.
refer-error-self = That is your own referral code: it is for friends.
refer-error-loop = You referred that member (or someone who referred them): referrals cannot go in a circle.
refer-error-already = Another member's referral code is already recorded for you.
refer-error-paid = Referral codes are for a first payment, and you have paid before.
cmd-refer = refer
    .description = Referral credit: your code, and who it brought
cmd-refer-code = code
    .description = Your personal referral code, and how a friend uses it
cmd-refer-stats = stats
    .description = Your referrals (admins: the top referrers and all credit given)
