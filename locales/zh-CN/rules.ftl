# 规则、自动审核、警告与禁言。这里的每个键也必须存在于 locales/en/rules.ftl。

## Errors
rules-error-bot = 不能警告或禁言机器人。
rules-error-owner = 不能警告或禁言服务器所有者。
rules-error-self = 不能对自己这样做。
rules-error-outranks = 该成员是与你同级或更高级别的管理人员，请联系更高级别的人处理。
rules-error-above-bot = 机器人的身份组不高于该成员的最高身份组，Discord 会拒绝。请在 服务器设置 → 身份组 中把机器人的身份组移到更高位置。
rules-error-duration = `{ $input }` 不是有效的时长。请写成 `10m`、`2h`、`7d`、`2w` 或 `10分钟`、`2小时`、`7天`、`两周`。
rules-error-too-long = `{ $input }` 超过了 28 天，这是 Discord 允许的最长禁言时间。
rules-error-unknown-warning = 没有警告 `#{ $id }`。
rules-error-pardoned = 警告 `#{ $id }` 已被撤销。
rules-error-others-warnings = 只有版主可以查看其他成员的警告。
rules-error-no-channel = 没有配置规则频道：请在配置文件中设置 `channels.rules`，然后 `/admin reload`。
rules-error-no-rules = 没有配置规则：请在配置文件中添加 `[[rules]]`，然后 `/admin reload`。

## Rules
rules-title = { $community } 社群规则
rules-accept-button = 我接受
rules-accepted = ✅ 感谢你接受社群规则，欢迎加入！
rules-accepted-before = 你已经接受过社群规则了。
rules-posted = 规则已发布在 { $channel }。
rules-updated = { $channel } 中的规则消息已更新。

## Automod
automod-filter-banned-words = 违禁词
automod-filter-regex = 屏蔽规则
automod-filter-links = 链接与邀请
automod-filter-mentions = 大量提及
automod-filter-flood = 刷屏
automod-filter-duplicates = 重复消息
automod-filter-caps = 过多大写
automod-action-delete = 消息已删除
automod-action-delete-warn = 消息已删除并给予警告
automod-action-timeout = 已被禁言
automod-action-log = 已记录
automod-title = 🛡️ 自动审核：{ $rule }
automod-cannot-act-title = ⚠️ 自动审核无法处理
automod-protected-owner = 该成员是服务器所有者。
automod-protected-above-bot = 该成员的最高身份组不低于机器人，Discord 会拒绝。
automod-dm = 你在 { $community } 的消息违反了「{ $rule }」规则：{ $action }。请查看社群规则（`/rules show`）。
automod-test-clean = ✅ 这段文字不会触发任何过滤器。
automod-test-header = 会触发 { $count } 个过滤器：
automod-test-line = • **{ $rule }**（`{ $detail }`）→ { $action }
raid-alert = 🚨 突袭警报：{ $seconds } 秒内有 { $count } 名成员加入。

## Warnings and timeouts
warned = ⚠️ 已警告 { $member }（警告 `#{ $id }`，{ $points } 分）。当前有效总分：{ $total }。
warn-title = ⚠️ 警告 #{ $id }
warn-points-line = +{ $points }（有效总分 { $total }）
escalation-timeout = ⏫ 达到 { $at } 分自动升级：禁言 { $minutes } 分钟。
escalation-kick = ⏫ 达到 { $at } 分自动升级：已踢出。
escalation-ban = ⏫ 达到 { $at } 分自动升级：已封禁。
pardon-title = ✅ 警告 #{ $id } 已撤销
pardoned = { $member } 的警告 `#{ $id }` 已撤销；记录保留，但不再计分。
warnings-header = **{ $member } 的警告** —— 有效总分 { $total }（共 { $count } 条记录）
warning-status-active = 有效（{ $points }）
warning-status-expired = 已过期
warning-status-pardoned = 已撤销
timeout-title = ⏳ 禁言
untimeout-title = ⏳ 解除禁言
timed-out = { $member } 已被禁言至 { $until }。
untimed-out = 已解除 { $member } 的禁言。

## Mod-log fields
modlog-field-member = 成员
modlog-field-by = 操作人
modlog-field-rule = 规则
modlog-field-action = 处理
modlog-field-detail = 命中
modlog-field-excerpt = 摘录
modlog-field-link = 消息
modlog-field-reason = 原因
modlog-field-points = 分数
modlog-field-escalation = 升级处理
modlog-field-why = 原因
modlog-field-until = 截止

## Commands
cmd-rules = 规则
    .description = 社群规则
cmd-rules-show = 查看
    .description = 查看社群规则
cmd-rules-post = 发布
    .description = 在规则频道发布规则（或更新之前发布的消息）
cmd-automod = 自动审核
    .description = 自动审核工具
cmd-automod-test = 测试
    .description = 检查一段文字会触发哪些过滤器及原因（不做任何更改）
    .text = 文字
    .text-description = 要检查的文字
cmd-warn = 警告
    .description = 警告成员
    .member = 成员
    .member-description = 警告谁
    .reason = 原因
    .reason-description = 原因（成员和管理日志都能看到）
    .points = 分数
    .points-description = 警告分数（1–10，默认 1）
cmd-warnings = 警告记录
    .description = 成员的警告（自己的；版主可查看任何人的）
    .member = 成员
    .member-description = 查看谁的警告（仅版主）
    .page = 页码
    .page-description = 要查看第几页
cmd-pardon = 撤销警告
    .description = 撤销一条警告（记录保留，不再计分）
    .warning = 警告
    .warning-description = 警告编号（见 /warnings）
    .reason = 原因
    .reason-description = 原因
cmd-timeout = 禁言
    .description = 禁言成员（如 10m、2h、7d、2w；10分钟、2小时、7天、两周）
    .member = 成员
    .member-description = 禁言谁
    .duration = 时长
    .duration-description = 多久，最长 28 天（10m、2h、7d、2w、10分钟、两周）
    .reason = 原因
    .reason-description = 原因
cmd-untimeout = 解除禁言
    .description = 解除成员的禁言
    .member = 成员
    .member-description = 解除谁的禁言
