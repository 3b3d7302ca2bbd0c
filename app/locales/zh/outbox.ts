import type { outbox as en } from "../en/outbox";
import type { Dictionary } from "../dictionary";

export const outbox: Dictionary<typeof en> = {
  title: "开发发件箱",
  lead: "未配置 SMTP 服务器，Ferry 将外发邮件保存在这里。生产环境中不存在此页面。",
  empty: "暂无邮件。",
  to: "收件人",
  subject: "主题",
  sent: "发送时间",
};
