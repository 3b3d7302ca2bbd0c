import type { common as en } from "../en/common";
import type { Dictionary } from "../dictionary";

export const common: Dictionary<typeof en> = {
  appName: "Ferry",
  tagline: "· {{provider}} 迁移计划",
  skipToContent: "跳到正文",
  nav: {
    logIn: "登录",
    signUp: "注册",
    account: "控制台",
    logOut: "退出登录",
    language: "语言",
    mainNavigation: "主导航",
    evidence: "用量证明",
    changePassword: "密码",
    support: "客服",
    staff: "审核人员",
    admin: "管理",
  },
  accountNav: {
    claim: "免费额度",
    credit: "额度",
    billing: "充值",
    keys: "API 密钥",
    snippets: "代码示例",
    security: "安全",
    sessions: "会话",
    reviewQueue: "待审核申请",
    adjustments: "待批准的额度调整",
  },
  gatewayDocs: "服务商网关 API",
  footer: "Ferry 帮助开发者从 OpenAI API 迁移到 {{company}} 的 {{provider}}。",
  actions: { submit: "提交", cancel: "取消", back: "返回", continue: "继续" },
  errorPage: {
    title: "出错了",
    notFound: "找不到该页面。",
    forbidden: "你无权访问此页面。",
    generic: "发生了意外错误。请重试；如果问题持续，请联系客服。",
    backHome: "返回首页",
  },
};
