# 保持活跃：身份组菜单。

## Role menus
role-menu-unknown = 没有名为“{ $id }”的身份组菜单。配置中的菜单：{ $known }。
role-menu-needs-level = 这个菜单需要 { $level } 级及以上，你目前是 { $have } 级。
role-menu-needs-product = 这个菜单仅对持有「{ $product }」的成员开放。
role-menu-added = ✅ 已添加：{ $roles }
role-menu-removed = ➖ 已移除：{ $roles }
role-menu-unchanged = 没有变化。
role-menu-placeholder = 选择你的身份组
role-menu-how-single = 点按钮领取对应身份组（一次只能选一个）；再点一次即可取消。
role-menu-how-multiple = 点按钮领取对应身份组；再点一次即可取消。
role-menu-posted = 身份组菜单“{ $menu }”正在发送到 { $channel }。
role-menu-none = 还没有配置身份组菜单：请在配置中添加 `[[roles.menus]]`。
role-menu-check-line = “{ $menu }”：{ $roles } 个身份组，共被选择 { $chosen } 次
role-menu-check-ok = ✅ 机器人可以发放所有菜单身份组。
role-menu-check-problems = ⚠️ 有 { $count } 个菜单身份组无法发放：
role-menu-check-no-guild = 服务器信息尚未加载，请稍后再试。
role-menu-check-no-permission = 机器人缺少“管理身份组”权限。
role-menu-check-missing = 身份组 { $role }（菜单“{ $menu }”）在本服务器中不存在
role-menu-check-managed = { $role }（菜单“{ $menu }”）由集成管理，任何人都无法分配
role-menu-check-above = { $role }（菜单“{ $menu }”）不低于机器人的最高身份组：请把机器人的身份组移到它上面

## Commands
cmd-roles = 身份组
    .description = 成员自选身份组的菜单
cmd-roles-post = 发布
    .description = 发布配置中的身份组菜单：成员点按钮自选身份组
    .menu = 菜单
    .menu-description = 菜单在 [[roles.menus]] 中的 id
    .channel = 频道
    .channel-description = 发布到哪里（默认：当前频道）
cmd-roles-check = 检查
    .description = 哪些菜单身份组机器人无法发放（不存在，或不低于机器人的最高身份组）
