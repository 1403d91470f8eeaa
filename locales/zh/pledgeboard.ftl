# pledgeboard 的中文消息（与英文版使用相同的标识符和变量）。

## 问题标题

problem-title-malformed-request-body = 请求正文格式错误
problem-title-unsupported-media-type = 不支持的媒体类型
problem-title-request-body-too-large = 请求正文过大
problem-title-request-timeout = 请求超时
problem-title-invalid-query-string = 查询参数无效
problem-title-invalid-path-parameter = 路径参数无效
problem-title-validation-failed = 验证失败
problem-title-unprocessable-request = 无法处理的请求
problem-title-bad-request = 错误请求
problem-title-unauthorized = 需要登录
problem-title-invalid-token = 令牌无效
problem-title-forbidden = 禁止访问
problem-title-not-found = 未找到
problem-title-method-not-allowed = 不允许的方法
problem-title-conflict = 冲突
problem-title-precondition-failed = 前提条件不满足
problem-title-precondition-required = 需要前提条件
problem-title-too-many-requests = 请求过多
problem-title-service-unavailable = 服务不可用
problem-title-internal-server-error = 服务器内部错误

## 问题详情（按代码）

problem-malformed_json = 请求正文不是此操作所需的有效 JSON。
problem-unsupported_media_type = 请求正文必须为 application/json。
problem-payload_too_large = 请求正文超过了 { $limit } 字节的上限。
problem-request_timeout = 请求正文未能按时到达。
problem-invalid_query = 无法读取查询参数：某个参数未知、重复或格式错误。
problem-invalid_path = 无法读取地址中的某个值。
problem-validation_failed = 有 { $count } 个字段无效。
problem-bad_request = 无法读取该请求。
problem-unauthorized = 需要身份验证。
problem-invalid_credentials = 电子邮件地址或密码错误。
problem-invalid_token = 此链接或令牌无效、已使用或已过期。
problem-invalid_refresh_token = 刷新令牌无效、已过期或已使用。
problem-forbidden = 您无权执行此操作。
problem-not_found = { $resource ->
    [pledge] 未找到该承诺。
    [organisation] 未找到该组织。
    [track] 未找到该专题。
    [user] 未找到该用户。
    [member] 未找到该成员。
    [invitation] 未找到该邀请。
    [report] 未找到该进展报告。
    [message] 未找到该消息。
    [amendment] 该承诺没有修订。
    [screen_link] 未找到该屏幕链接，或该链接已被撤销。
    [import] 未找到该导入任务。
   *[other] 此处未找到任何内容。
}
problem-route_not_found = 此地址没有任何资源。
problem-method_not_allowed = 此处不允许使用该方法。
problem-precondition_failed = 自您读取以来，该资源已发生变化。
problem-precondition_required = 此请求必须携带 If-Match，并注明您读取的版本。
problem-rate_limited = 请求过多；请在 { $seconds } 秒后重试。
problem-service_unavailable = 服务暂时无法响应；请稍后重试。
problem-storage_unavailable = 数据库暂时无法处理此请求；未做任何更改，请稍后重试。
problem-internal_error = 发生了意外错误；已记录在案。
problem-email_taken = 该电子邮件地址已有账户。
problem-idempotency_in_progress = 使用此 Idempotency-Key 的请求仍在处理中。
problem-idempotency_key_reused = 此 Idempotency-Key 已用于另一个请求正文。
problem-member_disabled = 已停用的账户不能拥有组织。
problem-not_dead = 只有无法投递的消息才能重新发送。
problem-not_published = 此操作仅适用于已发布的承诺（包括非活跃承诺）。
problem-own_account = 管理员不能更改自己的角色或停用自己。
problem-owner_cannot_be_removed = 所有者须先将所有权移交给另一名成员。
problem-track_exists = 已存在使用此标识的专题。
problem-no_organisation = 只有组织成员才能登记承诺。
problem-out_of_scope = 该承诺不属于您负责审核的专题。
problem-own_organisation = 您所在组织的承诺和报告由其他人审核。
problem-not_allowed = 您无权对该承诺执行此操作。
problem-invalid_transition = 该承诺在当前状态下无法执行此步骤。
problem-email_not_verified = 请先验证您的电子邮件地址，再提交承诺。
problem-organisation_not_verified = 您的组织须经核实后，其承诺才能发布。
problem-report_not_submitted = 只有已提交的进展报告才会被审核。
problem-report_accepted = 本年度报告已被接受，作为该年度的正式记录。
problem-before_history = 开始记录之日以前的数据未知。
problem-date_in_future = 数据只截至今天，不包括今后。
problem-range_reversed = 时间范围的起点晚于终点。
problem-range_too_long = 该时间范围包含的数据点过多；请缩短范围或改用按月数据。
problem-year_out_of_range = 年度报告从 2000 年起编制。
problem-empty_file = 该文件中没有可导入的行。
problem-malformed_csv = 该文件不是本服务可读取的 CSV。
problem-publish_needs_admin = 只有管理员才能将承诺作为已发布导入。
problem-reason_required = 此决定须说明理由。
problem-not_amendable = 只有已发布（或非活跃）的承诺才能修订。
problem-amendment_open = 该承诺已有一项未决修订：请先编辑或撤回该修订。
problem-amendment_not_open = 该承诺的修订已有决定或已被撤回。
problem-amendment_unchanged = 该修订不会对已发布的承诺作任何改变。

## 电子邮件：通用部分

email-greeting = 您好：
email-greeting-named = { $name }，您好：
email-paste-link = 或将此链接粘贴到浏览器中：{ $link }
email-footer = 您收到此消息，是因为 pledgeboard（{ $url }）向您发送了通知。
email-reason = 给出的理由：
email-file-report = 请在此提交报告：
email-file-report-action = 提交进展报告

## 各类电子邮件

verify-email-subject = 请确认您在 pledgeboard 的电子邮件地址
verify-email-body = 请确认您的电子邮件地址，以便开始登记承诺：
verify-email-action = 确认我的电子邮件地址
verify-email-after = 该链接仅可使用一次，将在 { $hours } 小时后失效。如果您没有注册，请忽略此消息。

password-reset-subject = 重置您的 pledgeboard 密码
password-reset-body = 有人请求重置您 pledgeboard 账户的密码。如果是您本人，请在此设置新密码：
password-reset-action = 设置新密码
password-reset-after = 该链接仅可使用一次，将在 { $minutes } 分钟后失效。如果不是您本人，请忽略此消息：您的密码保持不变。

account-exists-subject = 有人试图用您的电子邮件地址注册
account-exists-body = 有人试图用此电子邮件地址注册新的 pledgeboard 账户，而该地址已有账户。未做任何更改。
account-exists-body-2 = 如果是您本人，请直接登录；如果忘记了密码，请在此重置：
account-exists-action = 重置我的密码
account-exists-after = 如果不是您本人，可忽略此消息。

password-changed-subject = 您的 pledgeboard 密码已更改
password-changed-body = 您 pledgeboard 账户的密码刚刚被更改，所有会话均已退出。
password-changed-body-2 = 如果这不是您本人所为，请立即重置密码并告知联盟秘书处：
password-changed-action = 重置我的密码

invitation-subject = 加入 pledgeboard 上的 { $organisation }
invitation-body = { $inviter } 邀请您以{ $role ->
    [owner] 所有者
   *[member] 成员
}身份加入 pledgeboard 上的 { $organisation }，登记并跟进其承诺。
invitation-body-2 = 请在此接受邀请并设置密码：
invitation-action = 接受邀请
invitation-after = 该邀请仅可使用一次，将在 { $days } 天后失效。

pledge-entered-subject = 请在 pledgeboard 上确认 { $organisation } 的承诺
pledge-entered-body = 联盟秘书处的 { $inviter } 代表 { $organisation } 登记了一项承诺：
pledge-entered-source = （来源：{ $source }）
pledge-entered-body-2 = 该承诺目前显示为由秘书处登记、尚未经组织确认。如需确认该承诺并以所有者身份接管 pledgeboard 上的 { $organisation }，请接受此邀请并设置密码：
pledge-entered-action = 确认承诺

pledge-submitted-subject = 有新的承诺待审核：{ $title }
pledge-submitted-body = { $organisation } 提交了一项待审核的承诺：
pledge-submitted-tracks = 专题：{ $tracks }
pledge-submitted-body-2 = 请在审核队列中处理：
pledge-submitted-action = 打开审核队列

pledge-decision-subject = { $decision ->
    [approved] 您的承诺已发布：{ $title }
    [scheduled] 您的承诺已获批准，将于 { $when } 公布：{ $title }
    [revealed] 您的承诺现已公开：{ $title }
    [changes_requested] 您的承诺需要修改：{ $title }
   *[rejected] 您的承诺未被接受：{ $title }
}
pledge-decision-body = { $decision ->
    [scheduled] 您的承诺“{ $title }”已获批准。在 { $when } 之前，只有贵组织和联盟工作人员可以看到它，届时它将公开。
    [revealed] 您的承诺“{ $title }”已在宣布的时刻公开。
   *[other] 一位审核员已就您的承诺“{ $title }”作出决定：{ $decision ->
        [approved] 已批准
        [changes_requested] 需要修改
       *[rejected] 已拒绝
    }。
}
pledge-decision-body-2 = 在此查看该承诺及其历史记录：
pledge-decision-action = 查看承诺

amendment-proposed-subject = 有修订待审核：{ $title }
amendment-proposed-body = { $organisation } 对其已发布的承诺提出了修订：
amendment-proposed-fields = 修改的字段：{ $fields }
amendment-proposed-after = 在修订获批之前，已发布的承诺保持不变。请在此审核：
amendment-proposed-action = 审核修订

amendment-decision-subject = { $decision ->
    [approved] 您的承诺修订已获批准：{ $title }
   *[refused] 您的承诺修订被拒绝：{ $title }
}
amendment-decision-body = 一位审核员已就您的承诺“{ $title }”的修订作出决定：{ $decision ->
    [approved] 已批准
   *[refused] 已拒绝
}。

report-decision-subject = { $decision ->
    [accepted] 您的 { $year } 年进展报告已被接受：{ $title }
   *[returned] 您的 { $year } 年进展报告已被退回：{ $title }
}
report-decision-body = 一位审核员已审核您关于承诺“{ $title }”的 { $year } 年进展报告：{ $decision ->
    [accepted] 已接受
   *[returned] 已退回
}。
report-decision-body-2 = 在此查看该承诺的报告：
report-decision-action = 查看报告

report-due-subject = 进展报告待提交：{ $title }（{ $year }）
report-due-body = 贵组织的承诺“{ $title }”尚无 { $year } 年的进展报告。
report-due-body-2 = 每年报告能确保联盟数据真实可信：请告诉我们实施进展、{ $year } 年内已拨付的美元金额以及受益人数。请通过 API 提交：

second-reminder-subject = 第二次提醒：{ $year } 年进展报告须于 { $due } 前提交（{ $title }）
second-reminder-body = 贵组织的承诺“{ $title }”仍没有 { $year } 年以前各年度已被接受的进展报告。其 { $year } 年报告须于 { $due } 前提交：如逾期仍未提交，该承诺将显示为非活跃，直至有报告被接受。

pledge-inactive-subject = 您的承诺现已变为非活跃：{ $title }
pledge-inactive-body = 贵组织的承诺“{ $title }”已连续两个报告年度没有被接受的进展报告（最近一次缺报：{ $year }），因此现显示为非活跃。它仍然公开，审核员接受的下一份进展报告将使其恢复活跃。

digest-subject = { $day } 待审核事项
digest-body = { $day } 您负责范围内的待办事项：
digest-all-tracks = 全部专题
digest-line = { $track }：{ $pledges } 项承诺等待决定；{ $reports } 份进展报告等待审核；{ $amendments } 项修订等待决定
digest-line-oldest = { $track }：{ $pledges } 项承诺等待决定，最早的一项已等待 { $hours } 小时；{ $reports } 份进展报告等待审核；{ $amendments } 项修订等待决定
digest-body-2 = 审核队列：
digest-action = 打开审核队列

## 邮件链接对应的页面

page-verify-title = 确认您的电子邮件地址
page-verify-button = 确认我的电子邮件地址
page-verify-done = 您的电子邮件地址已确认。现在可以提交承诺了。
page-reset-title = 重置密码
page-reset-choose-title = 设置新密码
page-reset-email-label = 电子邮件地址
page-reset-request-button = 给我发送重置链接
page-reset-sent = 如果该地址已有账户，重置链接已发出，30 分钟内有效。
page-reset-password-label = 新密码
page-reset-button = 保存新密码
page-reset-done = 您的密码已更改，所有会话均已退出。请使用新密码登录。
page-password-hint = 至少 12 个字符；几个互不相关的词语效果很好。
page-accept-title = 在 pledgeboard 上加入您的组织
page-accept-name-label = 您的姓名
page-accept-password-label = 设置密码
page-accept-button = 加入组织
page-welcome-title = 欢迎使用 pledgeboard
page-welcome-done = 您现在是 { $organisation } 的{ $role ->
    [owner] 所有者
   *[member] 成员
}。请使用 { $email } 登录。
page-link-invalid = 此链接无效、已使用或已过期。

## 大屏幕（`/live/{track}`）：数字按浏览器的区域数据格式化

screen-all-pledges = 全部承诺
screen-page-title = 承诺实时动态 · { $track }
screen-staff-figures = 内部数据
screen-connecting = 正在连接…
screen-live = 实时
screen-reconnecting = 正在重新连接…
screen-commitments = 项承诺
screen-pledged = 承诺金额（美元）
screen-entities = 个承诺实体
screen-governments = 个政府
screen-countries = 个受益国家
screen-ldc = 项面向最不发达国家的承诺
screen-scan = 扫码浏览承诺
screen-latest = 最新
screen-goal = { $kind ->
    [usd_pledged] 目标：{ $deadline } 前承诺 { $target }
    [pledges] 目标：{ $deadline } 前达到 { $target } 项承诺
   *[entities] 目标：{ $deadline } 前达到 { $target } 个承诺实体
}
screen-pending = 待审核：{ $pledges } 项等待决定，{ $usd }；{ $scheduled } 项待公布
screen-goal-reached = 目标达成！
screen-milestone-usd = 承诺金额达到 { $amount }！
screen-milestone-pledges = 承诺达到 { $count } 项！
screen-updated = 更新于 { $time }

## 词汇：重点领域与支柱、组织类型、承诺类型、状态、进展信号灯

focus-area-access = 接入
focus-area-access-tagline = 让各地民众都能连通
focus-area-adoption = 采用
focus-area-adoption-tagline = 增强社区能力
focus-area-value_creation = 价值创造
focus-area-value_creation-tagline = 构建数字生态系统
focus-area-accelerate = 加速
focus-area-accelerate-tagline = 激励投资
pillar-infrastructure = 连通性与数字基础设施
pillar-affordability = 可负担性
pillar-cybersecurity = 网络安全
pillar-skills = 技能
pillar-digital_inclusion = 数字包容
pillar-relevant_local_content_and_services = 相关/本地内容和服务
pillar-digital_innovation_and_entrepreneurship = 数字创新与创业
pillar-innovative_financing = 创新融资
pillar-project_viability = 项目可行性
pillar-investor_constellation = 投资者网络
organisation-kind-government = 政府
organisation-kind-private_sector = 私营部门
organisation-kind-civil_society = 民间社会
organisation-kind-academia = 学术界
organisation-kind-international_organisation = 国际组织
organisation-kind-un_entity = 联合国实体
organisation-kind-other = 其他
pledge-type-financial = 资金
pledge-type-policy = 政策
pledge-type-programmatic = 方案
pledge-type-advocacy = 倡导
status-draft = 草稿
status-submitted = 已提交
status-changes_requested = 需要修改
status-published = 已发布
status-rejected = 已拒绝
status-withdrawn = 已撤回
status-completed = 已完成
status-inactive = 非活跃
status-scheduled = 已排期
light-on_track = 进展顺利
light-at_risk = 存在风险
light-off_track = 进度落后
light-completed = 已完成
light-no_report = 无报告
