# /admin：回复、管理日志、错误与命令本身。这里的每个键也必须存在于 locales/en/admin.ftl。

## Errors
admin-error-owner-only-admin = 只有所有者可以授予或撤销管理员级别。
admin-error-everyone-staff = 给 @everyone 授予管理级别会让所有成员都成为管理团队。请授予具体的成员或身份组。
admin-error-owner-permanent = 所有者由配置文件和服务器所有者决定，任何命令都不能更改其级别。
admin-error-no-grant = { $target } 没有任何管理级别，无需撤销。
admin-error-config-rejected = 配置文件有问题，已保留当前运行的配置：
    { $problems }
admin-error-not-grantable = 「{ $level }」级别不能通过命令授予。
admin-error-not-retryable = 发送队列第 `#{ $item }` 项没有失败，无需重试。`/admin outbox` 会列出失败的项目。

## Mod log
modlog-granted = 🛡️ { $actor } 将 **{ $level }** 授予了 { $target }。
modlog-revoked = 🛡️ { $actor } 撤销了 { $target } 的 **{ $level }**。
modlog-reloaded = ⚙️ { $actor } 重新加载了配置。

## /admin
admin-granted = 完成：{ $target } 现在是 **{ $level }**。
admin-revoked = 完成：{ $target } 不再是 **{ $level }**。
admin-list-header = **管理团队**（共 { $count } 项）
admin-list-line = • { $target } — { $level }（由 { $by } 授予，自 { $since }）
admin-audit-header = **审计日志**（最近 { $count } 条）
admin-audit-empty = 审计日志为空。
admin-outbox-header = **发送队列**：{ $pending } 条待发送，{ $failed } 条失败
admin-outbox-line = `#{ $id }` { $status } · { $what } · 已尝试 { $attempts } 次 · 最近错误：{ $error }
admin-reloaded = 配置已重新加载。
admin-reload-restart = 以下更改需要重启后生效：{ $keys }
admin-reload-schedules = 配置中的固定日程 — 新增：{ $added } · 修改：{ $changed } · 结束：{ $removed }

outbox-status-pending = ⏳ 待发送
outbox-status-failed = ❌ 失败
outbox-status-delivered = ✅ 已送达
outbox-status-skipped = ⏭️ 已跳过
admin-retried = { $count ->
        [0] 没有需要重试的失败项目。
       *[other] 已重新排队 { $count } 个失败项目，它们会和其他项目一起按顺序发送。
    }
modlog-retried = 🔁 { $actor } 重新排队了 { $count } 个失败的发送项目。

## Commands
cmd-admin = 管理
    .description = 管理级别、审计日志与机器人状态
cmd-admin-grant = 授予
    .description = 为成员或身份组授予管理级别
    .target = 对象
    .target-description = 要授予级别的成员或身份组
    .level = 级别
    .level-description = 要授予的管理级别
    .level-admin = 管理员
    .level-moderator = 版主
cmd-admin-revoke = 撤销
    .description = 撤销成员或身份组的管理级别
    .target = 对象
    .target-description = 要撤销级别的成员或身份组
cmd-admin-list = 列表
    .description = 查看所有者及所有持有管理级别的人
    .page = 页码
    .page-description = 要查看列表的第几页
cmd-admin-audit = 审计
    .description = 查看最近的特权操作
    .member = 成员
    .member-description = 只看该成员执行或涉及该成员的操作
    .limit = 数量
    .limit-description = 显示多少条（默认 10 条）
    .page = 页码
    .page-description = 要查看第几页
cmd-admin-outbox = 发送队列
    .description = 查看待发送和发送失败的 Discord 操作
    .page = 页码
    .page-description = 要查看列表的第几页
cmd-admin-reload = 重载
    .description = 从配置文件重新读取策略
cmd-admin-retry = 重试
    .description = 修复原因后，重新发送失败的 Discord 操作
    .item = 项目
    .item-description = 失败项目的编号（见 /admin outbox）；留空则重试全部失败项目
