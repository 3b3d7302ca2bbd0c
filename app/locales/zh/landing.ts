import type { landing as en } from "../en/landing";
import type { Dictionary } from "../dictionary";

export const landing: Dictionary<typeof en> = {
  title: "无法再使用 OpenAI API？免费领取 Tokens，迁移到 {{provider}}。",
  lead: "{{company}} 为曾使用 OpenAI API 的开发者提供免费的 {{provider}} Tokens。证明您过去的用量，领取额度，只需修改两行代码即可完成切换。",
  ctaSignUp: "免费注册",
  ctaLogIn: "我已有账号",
  howTitle: "流程",
  steps: {
    signUp: { title: "注册", body: "用邮箱创建账号，并通过一次性验证码确认邮箱。" },
    verify: { title: "证明用量", body: "上传 OpenAI 用量或费用导出文件，或提供管理员密钥由 Ferry 代为读取：密钥只用一次，绝不保存。" },
    claim: { title: "领取额度", body: "免费额度根据您过去的真实用量计算，大多数申请即时发放。" },
    code: { title: "切换代码", body: "创建 API 密钥并复制现成的代码片段：OpenAI SDK 只需更换 base URL 即可使用。" },
  },
  compatTitle: "兼容 OpenAI",
  compatBody: "将官方 OpenAI SDK 指向 {{baseUrl}}，代码无需改动。",
  modelsTitle: "模型对照",
  modelsOpenAI: "OpenAI 模型",
  modelsProvider: "{{provider}} 模型",
};
