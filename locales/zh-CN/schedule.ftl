# 活动、提醒与报名。这里的每个键也必须存在于 locales/en/schedule.ftl。

## Errors
event-error-when = 无法把 `{ $part }` 理解为时间。例如：`2026-12-01 20:00`、`tomorrow 20:00`、`friday 20:00`、`in 2h`、`明天 20:00`、`下周三 19:30`。
event-error-repeat = 无法把 `{ $part }` 理解为重复规则。例如：`daily`、`weekly`、`weekly on tue,thu`、`every 2 weeks`、`monthly on the first friday`、`monthly on day 15`、`quarterly`，或 cron `0 20 * * 2,4`。
event-error-remind = 无法把 `{ $part }` 理解为提醒时间。例如：`1d,1h,10m`。
event-error-past = 这个时间已经过去了，请选择一个未来的时间。
event-error-never = 这个日程永远不会触发（未来五年内没有任何一次）。请用 `/event preview` 检查。
event-error-reminder-long = 提醒时间不短于两次活动之间的间隔，会在上一次之前到达，请缩短。
event-error-channel = 没有指定频道，也没有配置 `channels.announcements`。
event-error-cannot-post = 机器人无法在 { $channel } 发言：缺少 **{ $missing }** 权限。请调整该频道的权限，或换一个频道。
event-error-unknown = 没有活动 `#{ $id }`。`/event list` 可以查看全部活动。
event-error-not-held = 活动 `#{ $id }` 还没有举行。
event-error-attended = 已经记录过这次参加了。
event-error-cancelled = 活动 `#{ $id }` 已取消，请新建一个活动。
event-error-from-config = 活动 `#{ $id }` 是配置文件中的固定日程（`[[schedule]] id = "{ $config_id }"`）：请在配置文件中修改，然后运行 `/admin reload`。

## Announcements
event-late = ⏱️ 延迟发布：预定时间时机器人不在线。
event-rsvp-field = 报名
event-rsvp-counts = ✅ { $going } 人参加 · 🤔 { $maybe } 人待定 · ❌ { $no } 人不参加
event-going = 参加
event-maybe = 待定
event-not-going = 不参加
event-reminder = ⏰ 提醒：**{ $title }** 将于 { $when } 开始。
event-digest = 📋 **{ $title }**：机器人离线期间错过了 { $count } 次活动：
    { $list }

## Replies
event-created = 📅 活动 `#{ $id }` **{ $title }** 已安排：首次在 { $when }，发布于 { $channel }。
event-preview-header = 接下来的 { $count } 次（没有保存任何内容）：
event-list-header = **即将到来的活动**（{ $count }）
event-paused-mark = ⏸ 已暂停
event-status-active = 进行中
event-status-paused = ⏸ 已暂停
event-status-cancelled = 已取消
event-status-finished = 已结束（没有后续日期）
event-show = **#{ $id } { $title }**
    下一次：{ $next }
    重复：{ $repeat } · 提醒：{ $remind }
    频道：{ $channel } · 状态：{ $status }
event-cancelled = 活动 `#{ $id }` **{ $title }** 已取消。
event-paused = 活动 `#{ $id }` **{ $title }** 已暂停。
event-resumed = 活动 `#{ $id }` **{ $title }** 已恢复。
event-skipped = **{ $title }** 在 { $when } 的这一次将被跳过。
event-attendees = **{ $title }**：{ $count } 人参加 { $list }
event-interested = Discord 活动页：{ $count } 人感兴趣。
event-attended = ✅ { $member } 参加了 { $when } 的活动：+{ $points } 积分（余额 { $balance }）。

event-edited = 活动 `#{ $id }` 已更新。

## Content plan
plan-header = **内容计划**（本周 · 本月 · 本季度）
plan-line = { $mark } **{ $kind }**：{ $per } { $actual }/{ $target } —— 本周 { $week } · 本月 { $month } · 本季度 { $quarter }
plan-streak = 连续 { $weeks } 周达标
plan-per-week = 本周
plan-per-month = 本月
plan-per-quarter = 本季度
plan-kind-article = 文章
plan-kind-livestream = 直播
plan-kind-video = 视频
plan-kind-discussion = 讨论
plan-kind-course = 课程
plan-kind-qa = 答疑
plan-empty = 没有配置内容计划：请在配置文件中添加 `[[content_plan]]`。
plan-done = 已计入一篇 **{ $kind }**。
plan-error-kind = `{ $kind }` 不在内容计划中。
digest-title = 📊 **每周汇总**（{ $week }）
digest-events = **本周即将到来：**
digest-no-events = 未来一周没有活动。

## Commands
cmd-event = 活动
    .description = 日程活动与公告
cmd-event-create = 创建
    .description = 安排一个活动（单次或重复），带提醒和报名
    .title = 标题
    .title-description = 活动内容
    .when = 时间
    .when-description = 2026-12-01 20:00、明天 20:00、周五 20:00、in 2h、下周三 19:30
    .repeat = 重复
    .repeat-description = daily、weekly、weekly on tue,thu、every 2 weeks、monthly on the first friday、quarterly 或 cron
    .channel = 频道
    .channel-description = 在哪里发布（默认：公告频道）
    .description-name = 描述
    .description-description = 更多说明
    .remind = 提醒
    .remind-description = 提前提醒，例如 1d,1h,10m
    .duration = 时长
    .duration-description = 持续多久（默认 1 小时）
    .catch_up = 补发方式
    .catch_up-description = 离线后：补发最近错过的一次、跳过，或发一条汇总
    .catch_up-post_late = 补发最近一次
    .catch_up-skip = 跳过
    .catch_up-digest = 汇总
    .mirror = 同步到活动页
    .mirror-description = 同时显示在 Discord 的活动页（默认：[events] mirror_to_discord）
cmd-event-preview = 预览
    .description = 查看日程接下来的几次（不保存）
    .when = 时间
    .when-description = 第一次的时间
    .repeat = 重复
    .repeat-description = 重复规则
    .count = 数量
    .count-description = 显示几次（默认 5）
cmd-event-list = 列表
    .description = 即将到来的活动
    .page = 页码
    .page-description = 要查看第几页
cmd-event-show = 详情
    .description = 查看一个活动：时间、重复、频道
    .event = 活动
    .event-description = 活动编号
cmd-event-cancel = 取消
    .description = 取消活动
    .event = 活动
    .event-description = 活动编号
cmd-event-skip = 跳过
    .description = 只跳过下一次
    .event = 活动
    .event-description = 活动编号
cmd-event-pause = 暂停
    .description = 暂停重复活动
    .event = 活动
    .event-description = 活动编号
cmd-event-resume = 恢复
    .description = 恢复已暂停的活动
    .event = 活动
    .event-description = 活动编号
cmd-event-attendees = 参加者
    .description = 谁选择了参加
    .event = 活动
    .event-description = 活动编号
cmd-event-attended = 已参加
    .description = 标记成员参加了活动（一次性获得参加积分）
    .event = 活动
    .event-description = 活动编号
    .member = 成员
    .member-description = 谁参加了
cmd-event-edit = 编辑
    .description = 修改活动（新的时间或规则会重新安排）
    .event = 活动
    .event-description = 活动编号
    .title = 标题
    .title-description = 新标题
    .when = 时间
    .when-description = 新的首次时间
    .repeat = 重复
    .repeat-description = 新的重复规则
    .channel = 频道
    .channel-description = 新频道
    .description-name = 描述
    .description-description = 新描述
    .remind = 提醒
    .remind-description = 新的提醒，例如 1d,1h
    .duration = 时长
    .duration-description = 新的时长
    .catch_up = 补发方式
    .catch_up-description = 离线后：补发最近错过的一次、跳过，或发一条汇总
    .catch_up-post_late = 补发最近一次
    .catch_up-skip = 跳过
    .catch_up-digest = 汇总
cmd-plan = 计划
    .description = 内容计划：计划与实际
cmd-plan-show = 查看
    .description = 本周、本月、本季度与目标对比
cmd-plan-done = 完成
    .description = 计入一篇不是在对应频道发布的内容
    .kind = 类型
    .kind-description = 发布了什么（article、livestream 等）
