# 成员看到的回复与消息。这里的每个键也必须存在于 locales/en/main.ftl。

## Errors
error-not-permitted = 你需要「{ $level }」或更高级别才能使用此命令。
error-owner-only-admin = 只有所有者可以授予或撤销管理员级别。
error-everyone-staff = 给 @everyone 授予管理级别会让所有成员都成为管理团队。请授予具体的成员或身份组。
error-owner-permanent = 所有者由配置文件和服务器所有者决定，任何命令都不能更改其级别。
error-no-grant = { $target } 没有任何管理级别，无需撤销。
error-config-rejected = 配置文件有问题，已保留当前运行的配置：
    { $problems }
error-guild-only = 此命令只能在社群服务器内使用。
error-bad-argument = `{ $input }` 不是有效的值，请检查后重试。
error-outdated-command = 此命令刚刚更新，请稍等片刻后重新运行。
error-internal = 我们这边出了点问题，没有任何更改。如果反复出现，请把这个编号告诉管理员：`{ $reference }`。

## Levels
level-member = 成员
level-moderator = 版主
level-admin = 管理员
level-owner = 所有者

## Lists
page-footer = 第 { $page }/{ $total } 页 —— 使用 `页码` 选项查看更多。

## Mod log
modlog-granted = 🛡️ { $actor } 将 **{ $level }** 授予了 { $target }。
modlog-revoked = 🛡️ { $actor } 撤销了 { $target } 的 **{ $level }**。
modlog-reloaded = ⚙️ { $actor } 重新加载了配置。

## /admin
admin-granted = 完成：{ $target } 现在是 **{ $level }**。
admin-revoked = 完成：{ $target } 不再是 **{ $level }**。
admin-list-header = **管理团队**（共 { $count } 项授权）
admin-list-line = • { $target } — { $level }（由 { $by } 授予，自 { $since }）
admin-audit-header = **审计日志**（最近 { $count } 条）
admin-audit-empty = 审计日志为空。
admin-outbox-header = **发送队列**：{ $pending } 条待发送，{ $failed } 条失败
admin-outbox-line = `#{ $id }` { $status } · { $what } · 已尝试 { $attempts } 次 · 最近错误：{ $error }
admin-reloaded = 配置已重新加载。
admin-reload-restart = 以下更改需要重启后生效：{ $keys }

outbox-status-pending = ⏳ 待发送
outbox-status-failed = ❌ 失败
outbox-status-delivered = ✅ 已送达
outbox-status-skipped = ⏭️ 已跳过
