import type { Dictionary } from "../dictionary";
import type { sessions as en } from "../en/sessions";

export const sessions: Dictionary<typeof en> = {
  nav: "会话",
  title: "会话",
  lead: "您的账号在这些地方处于登录状态。结束任何您不认识的会话，然后修改密码。",
  device: "设备",
  deviceName: "{{os}} 上的 {{browser}}",
  unknown: "未知",
  ip: "IP 地址",
  created: "登录时间",
  lastSeen: "最近活动",
  actions: "操作",
  thisDevice: "当前浏览器",
  waiting: "等待第二步验证",
  end: "结束",
  endOthers: "结束其他所有会话",
  ended: "该会话已结束。",
  endedOthers: "已结束其他会话：{{count}} 个。",
  notFound: "该会话已结束。",
  none: "没有活动会话。",
};
