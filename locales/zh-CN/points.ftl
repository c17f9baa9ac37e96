# 积分、等级、排行榜与商店。这里的每个键也必须存在于 locales/en/points.ftl。

## Errors
points-error-already-checked-in = 你今天已经打过卡了（连续 { $streak } 天）。明天再来吧——日期按社群时区的午夜切换。
points-error-bot = 机器人不参与积分。
points-error-self-award = 管理人员不能给自己加积分；请其他版主（或所有者）来操作。此次尝试已记入审计日志。
points-error-amount = 数量必须是 1 到 { $max } 之间的整数。没有做任何更改。
points-error-take-exceeds = 超出了该成员的余额：当前余额 { $balance } 积分。没有做任何更改。
shop-error-unknown-item = 商店里没有 `{ $item }` 这件商品。`/shop list` 可以查看全部商品。
shop-error-out-of-stock = **{ $item }** 已售罄。
shop-error-limit = 你已经购买过 **{ $item }** { $limit } 次，已达到每人上限。
shop-error-balance = 这件商品需要 { $price } 积分，你有 { $balance } 积分。没有扣除任何积分。
shop-error-unknown-order = 没有订单 `#{ $order }`。
shop-error-not-awaiting = 订单 `#{ $order }` 不在等待处理（已发放或已退款）。
shop-error-others-orders = 只有管理员可以查看其他成员的订单。

## Replies
points-checked-in = ✅ 打卡成功：**+{ $points }** 积分。连续打卡 **{ $streak }** 天。余额：{ $balance }。
points-streak-bonus = 🔥 连续第 { $streak } 天奖励：+{ $bonus }。
points-freeze-used = 🧊 { $count } 张补签卡补上了你错过的日子。
points-freeze-earned = 🧊 你获得了一张补签卡（共 { $freezes } 张），可以补上错过的一天。
points-show = **{ $member } 的积分**
    余额：**{ $balance }** · 累计：{ $lifetime } · 排名：第 { $rank } 名
    等级 **{ $level }** —— 距下一级 { $into }/{ $need }
    连续打卡：{ $streak } 天 · 今日聊天积分：{ $today }/{ $cap }
points-history-header = **{ $member } 的积分记录**（{ $count } 条）
points-history-chat = 💬 聊天累计 **+{ $all }**（被删除的消息单独列出）
points-given = 已给 { $member } **{ $amount }** 积分（{ $reason }）。对方余额：{ $balance }。
points-taken = 已扣除 { $member } **{ $amount }** 积分（{ $reason }）。对方余额：{ $balance }。
points-level-up = 🎉 { $member } 升到了 **{ $level } 级**！
points-kind-chat = 聊天
points-kind-chat-revoked = 消息被删除
points-kind-checkin = 打卡
points-kind-helpful = 有用回答
points-kind-give = 管理发放
points-kind-take = 管理更正
points-kind-shop = 商店
points-kind-refund = 退款
points-kind-attendance = 参加活动
points-kind-import = 导入
points-kind-challenge = 完成挑战
points-kind-homework = 作业
points-kind-highlight = 加入精华
points-kind-feedback = 反馈被采纳
points-kind-qa-escrow = 提问（托管）
points-kind-qa-payout = 回答问题
points-kind-qa-refund = 提问退款
points-kind-qa-listen = 围观回答
points-kind-qa-listen-share = 围观分成
points-kind-referral = 推荐奖励
points-kind-referral-reversal = 推荐奖励撤回（退款）
leaderboard-all = 🏆 **排行榜**（总榜）
leaderboard-month = 🏆 **排行榜**（本月）
leaderboard-week = 🏆 **排行榜**（本周）
leaderboard-empty = 还没有人获得积分。

## Mod log
modlog-points-given = ➕ { $actor } 给了 { $member } { $amount } 积分：{ $reason }
modlog-points-taken = ➖ { $actor } 扣除了 { $member } { $amount } 积分：{ $reason }

## Shop
shop-header = 🛒 **积分商店** —— `/shop buy item:<编号>`
shop-empty = 商店里还没有商品。
shop-kind-role = 身份组 { $role }
shop-kind-timed-role = 身份组 { $role }（{ $days } 天）
shop-kind-manual = 由管理人员发放
shop-bought = 🛒 已购买 **{ $item }**（订单 `#{ $order }`）。余额：{ $balance }。
shop-bought-until = 有效期至 { $until }。
shop-bought-awaiting = 管理人员会发放给你，并将订单标记为已发放。
shop-staff-order = 🛒 订单 `#{ $order }`：{ $member } 购买了 **{ $item }**。发放后请使用 `/shop fulfil order:{ $order }`（或 `/shop refund`）。
shop-orders-header = **{ $member } 的订单**（{ $count }）
shop-status-completed = ✅ 已完成
shop-status-awaiting = ⏳ 等待管理人员
shop-status-fulfilled = 🎁 已发放
shop-status-refunded = ↩️ 已退款
shop-fulfilled = { $member } 的订单 `#{ $order }` 已标记为已发放。
shop-refunded = { $member } 的订单 `#{ $order }` 已退款，积分已退回。

## Commands
cmd-checkin = 打卡
    .description = 每日打卡：每天一次积分，连续打卡有奖励
cmd-points = 积分
    .description = 积分、等级与记录
cmd-points-show = 查看
    .description = 余额、累计积分、等级、排名与连续打卡
    .member = 成员
    .member-description = 查看谁的积分（留空为自己）
cmd-points-history = 记录
    .description = 成员最近的积分变动
    .member = 成员
    .member-description = 查看谁的记录（留空为自己）
    .page = 页码
    .page-description = 要查看第几页
cmd-points-give = 发放
    .description = 给成员发放积分（需填写原因）
    .member = 成员
    .member-description = 谁获得积分
    .amount = 数量
    .amount-description = 多少积分（1–100000）
    .reason = 原因
    .reason-description = 原因（会显示在对方的记录中）
cmd-points-take = 扣除
    .description = 扣除成员的积分（更正，需填写原因）
    .member = 成员
    .member-description = 扣除谁的积分
    .amount = 数量
    .amount-description = 多少积分（1–100000）
    .reason = 原因
    .reason-description = 原因（会显示在对方的记录中）
cmd-leaderboard = 排行榜
    .description = 谁获得的积分最多
    .period = 时间范围
    .period-description = 总榜、本月或本周
    .period-all = 总榜
    .period-month = 本月
    .period-week = 本周
    .page = 页码
    .page-description = 要查看第几页
cmd-shop = 商店
    .description = 用积分兑换奖励
cmd-shop-list = 列表
    .description = 积分可以兑换什么
cmd-shop-buy = 购买
    .description = 用积分购买商品
    .item = 商品
    .item-description = 商品编号（见 /shop list）
cmd-shop-orders = 订单
    .description = 商店订单（自己的；管理员可查看任何人的）
    .member = 成员
    .member-description = 查看谁的订单（仅管理员）
cmd-shop-fulfil = 发放
    .description = 将礼品订单标记为已发放
    .order = 订单
    .order-description = 订单编号
cmd-shop-refund = 退款
    .description = 订单退款（退回积分，移除身份组）
    .order = 订单
    .order-description = 订单编号
