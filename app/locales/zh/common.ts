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
    notFoundTitle: "页面不存在",
    notFoundDetail: "{{provider}} 的 Ferry 上没有 {{path}} 这个页面。可能是地址输错了，或页面已移动。",
    forbiddenTitle: "无权访问",
    dashboard: "前往控制台",
  },
};
