import type { credit as en } from "../en/credit";
import type { Dictionary } from "../dictionary";

export const credit: Dictionary<typeof en> = {
  nav: "额度",
  title: "额度",
  lead: "您的 Tokens 额度：先使用免费赠送额度（最早到期的先用），再使用付费额度。",
  balance: {
    title: "余额",
    total: "当前可用",
    promo: "免费额度",
    paid: "付费额度",
    tokens: "{{count}} Tokens",
    empty: "您还没有额度。OpenAI 用量验证通过后，可在控制台领取免费额度。",
  },
  grants: {
    title: "免费额度到期时间",
    lead: "未使用的免费额度将在所示时间到期；付费额度不会过期。",
    remaining: "剩余",
    expires: "到期时间",
    none: "没有剩余的免费额度。",
  },
  history: {
    title: "明细",
    when: "日期",
    what: "项目",
    bucket: "额度类型",
    amount: "Tokens 数",
    reference: "关联",
    empty: "暂无明细。",
    older: "更早的记录",
    newest: "返回最新记录",
    pageLabel: "明细分页",
  },
  kinds: {
    grant: "发放免费额度",
    purchase: "充值",
    usage: "API 调用",
    expiry: "免费额度到期",
    adjustment: "审核人员调整",
  },
  kindsByReference: { redemption_code: "兑换码额度", referral: "邀请奖励" },
  buckets: { promo: "免费", paid: "付费" },
  references: {
    claim: "申请",
    purchase: "购买",
    gateway_request: "请求",
    promo_grant: "赠送额度",
    support_adjustment: "调整",
    redemption_code: "兑换码",
    referral: "邀请奖励",
  },
};
