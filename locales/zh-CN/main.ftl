# 成员看到的回复与消息。这里的每个键也必须存在于 locales/en/main.ftl。

## Errors
error-not-permitted = 你需要「{ $level }」或更高级别才能使用此命令。
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

## Delivery (the outbox worker's own mod-log lines)
modlog-delivery-paused-permissions = ⚠️ Discord 连续以 **权限不足** 拒绝了 { $count } 次发送，发送已暂停 { $seconds } 秒。请检查机器人的身份组是否高于它管理的身份组、能否在相应频道发言，然后用 `/admin retry` 重试失败的项目。
modlog-role-removal-refused = ⚠️ Discord 拒绝从 { $member } 移除 { $role }：{ $reason }。该成员仍保留本不应有的权限：请把机器人的身份组移到 { $role } 之上（并给它"管理身份组"权限）。Lyceum 会持续重试（`/admin outbox` 中的第 { $item } 项）。
modlog-event-cancel-refused = ⚠️ Discord 拒绝在活动页取消 { $event }：{ $reason }。成员仍能看到它并点"感兴趣"：请在 Discord 中手动取消（`/admin outbox` 中的第 { $item } 项）。
modlog-dm-closed = ✉️ 无法通过私信联系 { $member }（对方关闭了私信）："{ $sent }"。消息已放在对方的 /me 页面；如有需要请换种方式联系。
inbox-thread-name = 📬 给 { $member }
inbox-intro = 📬 你的 Discord 不接收本服务器的私信，所以这条消息发到了这里——一个只有你和管理团队能看到的子区：
inbox-someone = 一位成员
undelivered-note = 📬 Lyceum 想私信你 { $count } 条消息，但你关闭了私信（服务器菜单 → 隐私设置 → 私信）。内容如下：
