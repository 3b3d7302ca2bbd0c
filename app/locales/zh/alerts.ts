export const alerts = {
  settings: {
    nav: "提醒",
    title: "邮件提醒",
    lead: "发生以下情况时，我们会向 {{email}} 发送邮件，每次只发一封，使用您账户的语言。",
    threshold: "额度低于此值时提醒我（Tokens）",
    thresholdHint: "留空：您最近一次发放或购买额度的 10%（{{tokens}} Tokens）。",
    thresholdHintNone: "留空：您最近一次发放或购买额度的 10%（您尚无额度记录）。",
    balanceAlerts: "额度低于提醒值",
    promoExpiryAlerts: "免费额度将在 7 天内过期",
    keyBudgetAlerts: "某个 API 密钥用完了每日或每月预算",
    save: "保存提醒设置",
    saved: "提醒设置已保存。",
  },
  errors: {
    wholeNumber: "请输入 Tokens 的整数，或留空。",
    atLeastOne: "至少为 1，或留空。",
    tooLarge: "数值过大。",
  },
  mail: {
    balanceLowSubject: "您的 {{provider}} 额度已低于 {{threshold}} Tokens",
    balanceLowBody:
      "您的额度现为 {{balance}} Tokens，低于您设置的提醒值 {{threshold}} Tokens。额度用完后请求将被拒绝。\n\n充值或查看用量：{{url}}\n\n修改或关闭这些提醒：{{settingsUrl}}",
    promoExpiringSubject: "{{tokens}} 免费 Tokens 将于 {{date}} 过期",
    promoExpiringBody: "您的免费额度中有 {{tokens}} Tokens 将于 {{date}}（UTC）过期，过期后无法使用。\n\n您的额度：{{url}}\n\n修改或关闭这些提醒：{{settingsUrl}}",
    keyBudgetSubject: "API 密钥“{{name}}”已用完{{budget}}预算",
    keyBudgetBody:
      "API 密钥“{{name}}”（{{key}}）已使用 {{used}} Tokens，达到{{budget}}预算 {{limit}} Tokens。在 {{resets}}（UTC）之前，使用该密钥的请求将被拒绝。\n\n修改该密钥的限制：{{url}}\n\n修改或关闭这些提醒：{{settingsUrl}}",
    budget: { daily: "每日", monthly: "每月" },
  },
  leak: {
    subject: "您的 API 密钥“{{name}}”在公开位置被发现，已被吊销",
    revokedBody:
      "您的 API 密钥“{{name}}”（{{key}}）于 {{at}} 在公开位置 {{where}} 被发现（报告方：{{source}}）。为防止他人消耗您的额度，我们已立即吊销该密钥，使用它的请求现在会被拒绝。\n\n请创建新密钥，并将其放在应用的密钥配置中，而不是写在代码里；同时请检查您的用量：{{url}}",
    againBody:
      "您已被吊销的 API 密钥“{{name}}”（{{key}}）于 {{at}} 又在公开位置 {{where}} 被发现（报告方：{{source}}）。该密钥已无法使用，请从该位置删除它。\n\n您的密钥：{{url}}",
    unknownPlace: "未知位置",
  },
};
