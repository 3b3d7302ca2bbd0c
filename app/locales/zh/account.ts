import type { account as en } from "../en/account";
import type { Dictionary } from "../dictionary";

export const account: Dictionary<typeof en> = {
  title: "控制台",
  welcome: "当前登录：{{email}}",
  role: "角色：{{role}}",
  roles: { developer: "开发者", support: "客服", staff: "服务商审核人员", admin: "管理员", organization: "组织" },
  unverified: {
    title: "确认您的邮箱",
    body: "我们已向 {{email}} 发送验证码。确认邮箱后才能领取额度。",
    action: "输入验证码",
  },
  stepsTitle: "迁移到 {{provider}} 的步骤",
  steps: {
    verifyUsage: { title: "证明 OpenAI 用量", body: "上传 OpenAI 控制台的导出文件，或由 Ferry 代为读取。" },
    claimCredit: { title: "领取免费额度", body: "查看根据您的真实用量计算出的额度并领取。" },
    apiKeys: { title: "创建 API 密钥", body: "密钥只显示一次，可随时吊销或轮换。" },
    code: { title: "切换代码", body: "复制 Python、Node、curl 或 LangChain 的现成代码片段。" },
  },
  stepStatus: { done: "已完成", next: "下一步", later: "稍后" },
  open: "打开",
};
