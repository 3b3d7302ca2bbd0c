import type { offer as en } from "../en/offer";
import type { Dictionary } from "../dictionary";

export const offer: Dictionary<typeof en> = {
  title: "{{provider}} 为您提供什么",
  formula: "免费额度 = 您在 {{start}} 至 {{end}} 期间最近 {{months}} 个月 OpenAI API 月均 Tokens 用量的 {{percent}}%。",
  bounds: "最少 {{floor}} Tokens，最多 {{cap}} Tokens。",
  validity: "额度自发放之日起 {{days}} 天内有效。付费充值的额度永不过期。",
  review: "不超过 {{limit}} Tokens 且无异常的申请即时发放；超过的申请先由服务商审核人员审核。",
  modelsTitle: "可用于所有 {{provider}} 模型",
  modelReplaces: "替代 {{models}}",
  exampleTitle: "计算示例",
  exampleLead: "某位开发者最近 {{months}} 个月的 OpenAI API 用量如下：",
  exampleMonth: "月份",
  exampleTokens: "已用 Tokens",
  exampleAverage: "月均 {{average}} Tokens × {{percent}}% = {{raw}} Tokens。",
  exampleFloor: "低于最低额度，因此提高到 {{floor}} Tokens。",
  exampleCap: "高于最高额度，因此降低到 {{cap}} Tokens。",
  exampleResult: "额度：{{tokens}} Tokens，{{days}} 天内有效。",
  exampleAtOnce: "即时发放。",
  exampleReviewed: "经审核人员审核后发放。",
};
