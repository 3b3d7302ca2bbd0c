import type { mail as en } from "../en/mail";
import type { Dictionary } from "../dictionary";

export const mail: Dictionary<typeof en> = {
  verify: {
    subject: "您的 Ferry 验证码：{{code}}",
    body: "您的验证码是 {{code}}。\n\n请在 15 分钟内于 {{url}} 输入。\n\n如果您没有注册 Ferry，请忽略此邮件。",
    otherPending:
      "请注意：此邮箱还有另一次注册（{{started}}）正在等待验证码。每次注册都有各自的验证码，账号将使用输入了验证码的那次注册所设置的密码。如果您刚才没有注册，请不要输入此验证码，忽略本邮件即可。没有发到此邮箱的验证码，任何人都无法使用您的邮箱。",
  },
  alreadyRegistered: {
    subject: "有人尝试用您的邮箱注册",
    body: "有人（可能是您）尝试用此邮箱创建 Ferry 账号，但该邮箱已有账号。\n\n登录：{{loginUrl}}\n忘记密码？{{resetUrl}}\n\n如果不是您本人操作，请忽略此邮件。",
  },
  reset: {
    subject: "重置您的 Ferry 密码",
    body: "请在此设置新密码：{{url}}\n\n链接仅可使用一次，{{minutes}} 分钟后过期。如果不是您本人申请，请忽略此邮件，您的密码不会改变。",
  },
  passwordChanged: {
    subject: "您的 Ferry 密码已修改",
    body: "您的 Ferry 账号密码刚刚被修改，其他会话已全部结束。\n\n如果不是您本人操作，请立即重置密码：{{resetUrl}}\n\n有疑问？请联系客服：{{helpUrl}}",
  },
};
