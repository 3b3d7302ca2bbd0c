import type { billing as en } from "../en/billing";
import type { Dictionary } from "../dictionary";

export const billing: Dictionary<typeof en> = {
  title: "充值",
  lead: "免费额度用完后，可以购买更多 {{provider}} Tokens。付费 Tokens 永不过期。",
  balance: {
    title: "您的余额",
    total: "可用",
    paid: "付费（永不过期）",
    promo: "免费额度",
    tokens: "{{tokens}} tokens",
  },
  owed: "一笔退款需要收回已使用的 {{tokens}} Tokens。在新的购买抵扣之前，API 请求将暂停。",
  notEnabled: "本平台尚未开通充值。您的免费额度和 API 密钥照常可用。",
  packs: {
    title: "额度包",
    tokens: "{{tokens}} tokens",
    perMillion: "每百万 Tokens {{price}}",
    buy: "购买",
    buyLabel: "以 {{price}} 购买 {{tokens}} Tokens",
    secure: "付款由 Stripe 处理，完成后会返回本页面。",
    unverified: "请先确认邮箱，再购买额度。",
  },
  purchases: {
    title: "购买记录",
    empty: "暂无购买记录。",
    date: "日期",
    tokens: "Tokens",
    amount: "金额",
    status: "状态",
    reference: "参考号",
    refunded: "已退款 {{amount}}",
    states: {
      pending: "等待付款",
      paid: "已付款",
      refunded: "已退款",
      failed: "失败",
      expired: "已过期",
    },
  },
  success: {
    title: "感谢购买",
    credited: "已向您的余额添加 {{tokens}} Tokens。",
    pending: "Stripe 尚未确认付款。部分付款方式需要几分钟；确认后 Tokens 会立即到账。",
    available: "当前可用：",
    checkAgain: "重新检查",
    refunded: "这笔购买已退款。",
    back: "返回充值页",
  },
  cancel: {
    title: "已取消付款",
    body: "您离开了付款页面，没有产生任何扣款。",
    back: "返回充值页",
  },
  errors: {
    unknownPack: "请选择页面上列出的额度包。",
    notEnabled: "本平台尚未开通充值。",
    unverified: "请先确认邮箱，再购买额度。",
    stripeUnavailable: "无法连接付款服务，未产生任何扣款。请稍后再试。",
    invalidSession: "该付款链接无效。",
  },
};
