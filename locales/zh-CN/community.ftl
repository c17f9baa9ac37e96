# 社群：/about、欢迎、反馈、付费问答、数据。

about-value = 你将获得
about-audience = 适合谁
about-different = 我们的不同
about-rhythm = 更新节奏
about-products = 加入
about-links = 链接
about-per-week = 每周
about-per-month = 每月
about-per-quarter = 每季度
about-rhythm-item = { $per } { $count } 篇{ $kind }
about-days = { $days } 天

welcome-default = 👋 欢迎来到 **{ $community }**，{ $member }！
welcome-rules = • 阅读社群规则并点击 **我同意**，即可解锁社群。
welcome-about = • `/about` — 了解我们做什么、接下来有什么。
welcome-points = • 参与即可赚积分：聊天、每日 `/checkin`、有用的回答、参加活动。用 `/points show` 查看。
welcome-paid = • 付费会员与课程：`/membership buy`（或用 `/redeem` 兑换码）。

feedback-kind-suggestion = 建议
feedback-kind-bug = 问题反馈
feedback-kind-content = 内容需求
feedback-status-new = 新提交
feedback-status-planned = 已计划
feedback-status-done = 已完成
feedback-status-declined = 未采纳
feedback-anonymous = 匿名
feedback-field-from = 来自
feedback-field-status = 状态
feedback-sent = 🙏 谢谢！你的反馈 `#{ $id }` 已交给团队，状态变化时会私信通知你。
feedback-list-header = **反馈**（{ $count }）
feedback-status-dm = 📬 你的反馈 `#{ $id }` 状态已更新为 **{ $status }**。
feedback-adopted-points = 🎁 反馈已被采纳：**+{ $points }** 积分。
feedback-staff-only = 只有版主可以修改反馈状态。
feedback-error-unknown = 没有反馈 `#{ $id }`。

qa-posted = ❓ 问题 `#{ $id }`：{ $asker } 向 { $expert } 提问（{ $price } 积分托管中，{ $deadline }前回答）：
    > { $question }
qa-asked = ✅ 问题 `#{ $id }` 已发送给 { $expert }。**{ $price }** 积分托管至 { $deadline }；届时未回答将退还给你。也可以用 `/withdraw question_id:{ $id }` 提前撤回。
qa-answered = 💡 { $expert } 回答了 { $asker } 的问题 `#{ $id }`：
    > { $question }
    { $answer }
qa-listen-post = 💡 { $expert } 回答了 { $asker } 的问题 `#{ $id }`：
    > { $question }
    点「围观 Listen」查看回答。👂 已有 { $listeners } 人围观。
qa-listen-paid = 💡 `#{ $id }` 的回答（**{ $price }** 积分，由提问者和专家分成）：
    { $answer }
qa-listen-free = 💡 `#{ $id }` 的回答：
    { $answer }
qa-error-not-answered = 问题 `#{ $id }` 还没有回答。
qa-answer-done = ✅ 已发布对 `#{ $id }` 的回答；**{ $price }** 积分归你。
qa-answer-done-pool = ✅ 已发布对 `#{ $id }` 的回答；**{ $price }** 积分进入社群公共池。
qa-refunded-dm = ⌛ 你的问题 `#{ $id }` 未在期限内得到回答；**{ $price }** 积分已退回。
qa-withdrawn-dm = ↩️ 你撤回了问题 `#{ $id }`；**{ $price }** 积分已退回。
qa-withdrawn = ↩️ 问题 `#{ $id }` 已撤回；**{ $price }** 积分已退回。
qa-error-not-expert = { $who } 在这里不接受付费提问。
qa-error-balance = 这个问题需要 { $price } 积分；你的余额是 { $balance }。
qa-error-unknown = 没有问题 `#{ $id }`。
qa-error-not-yours = 这个问题不是由你回答或撤回的。
qa-error-closed = 问题 `#{ $id }` 已回答、已退款或已撤回。
qa-error-past-deadline = 问题 `#{ $id }` 的回答时限已过：积分将退还给提问者。
qa-error-self = 不能向自己提问。

stats-overview-header = **社群 — 最近 { $days } 天**
stats-active = 活跃成员：日活 { $dau } · 周活 { $wau } · 月活 { $mau } · 粘性（30 天平均日活 ÷ 月活）**{ $stickiness }**
stats-messages = 每日消息：{ $per_day } · 新成员：{ $new }
stats-points = 发放积分：{ $issued } · 消耗：{ $spent }
stats-top-channels = 热门频道：{ $list }
stats-plan = 内容计划：已发布 { $done } / 计划 { $planned }（{ $share }）
stats-challenge-renewal = 打卡挑战结束 30 天后：完成者仍在付费 { $finishers }（{ $finishers_share }）· 其他参与者 { $others }（{ $others_share }）
stats-retention-header = **每周新成员留存**（各加入周在之后每周仍活跃的比例）
stats-week = 周
stats-tier = 类型
stats-funnel = `{ $product }`：30 天内转化 { $converted }/{ $joined } 位新成员（{ $conversion }）· 流失 { $churned }（{ $churn }）· 当前持有 { $holders }
stats-at-risk-header = **流失风险**（{ $count }）：付费、此前活跃但已沉默 14 天、30 天内到期
stats-at-risk-line = { $member } · `{ $product }` { $until }到期 · 此前一个月 { $before } 条消息 · 最后活跃 { $last }
stats-exported = 📎 { $rows } 行数据（CSV）。
stats-error-period = 无法识别期间“{ $text }”。例如 `7d`、`30d` 或 `90d`。

chart-activity-title = 活跃度 — 最近 { $days } 天
chart-active = 活跃成员
chart-messages = 消息
chart-retention-title = 每周新成员留存
chart-weeks-after = 加入后的周数
chart-free = 免费
chart-retention-empty = 这几周还没有新成员加入：有成员加入的每一周会出现一行。
stats-chart-attached = 📈 已附上图表。

## Commands
cmd-about = 关于
    .description = 了解社群：我们做什么、提供什么、如何加入
cmd-feedback = 反馈
    .description = 建议、问题反馈和内容需求
cmd-feedback-send = 提交
    .description = 向团队提交建议、问题反馈或内容需求
    .text = 内容
    .text-description = 你想告诉我们的
    .kind = 类型
    .kind-description = 建议（默认）、问题反馈或内容需求
    .kind-suggestion = 建议
    .kind-bug = 问题反馈
    .kind-content_request = 内容需求
    .anonymous = 匿名
    .anonymous-description = 对其他成员隐藏你的名字（管理员仍可见）
cmd-feedback-list = 列表
    .description = 按状态查看反馈
    .status = 状态
    .status-description = 只看这个状态
    .status-new = 新提交
    .status-planned = 已计划
    .status-done = 已完成
    .status-declined = 未采纳
    .page = 页码
    .page-description = 要查看第几页
cmd-ask = 提问
    .description = 向专家付费提问；积分托管至对方回答
    .expert = 专家
    .expert-description = 谁来回答
    .question = 问题
    .question-description = 你的问题
cmd-answer = 回答
    .description = 回答向你提出的问题（托管的积分归你）
    .question_id = 问题编号
    .question_id-description = 问题的编号
    .text = 内容
    .text-description = 你的回答
cmd-withdraw = 撤回
    .description = 撤回你未被回答的问题（积分退回）
    .question_id = 问题编号
    .question_id-description = 问题的编号
cmd-stats = 数据
    .description = 社群数据分析
cmd-stats-overview = 概览
    .description = 活跃度、粘性、消息、新成员、热门频道、积分、内容计划
    .period = 期间
    .period-description = 7d、30d（默认）或 90d
cmd-stats-retention = 留存
    .description = 按类型的每周新成员留存，以及各产品的付费转化和流失
cmd-stats-at-risk = 流失风险
    .description = 沉默且即将到期的付费成员
cmd-stats-export = 导出
    .description = 以 CSV 导出原始数据
    .table = 表
    .table-description = activity（默认）、channels 或 members
    .table-activity = 活跃度
    .table-channels = 频道
    .table-members = 成员
    .period = 期间
    .period-description = 7d、30d（默认）或 90d
chart-revenue-title = 每月收入（{ $currency }）
chart-challenge-title = 每日打卡完成率（占参与者）
