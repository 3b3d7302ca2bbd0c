import type { auth as en } from "../en/auth";
import type { Dictionary } from "../dictionary";

export const auth: Dictionary<typeof en> = {
  email: "邮箱",
  password: "密码",
  newPassword: "新密码",
  confirmPassword: "再次输入新密码",
  currentPassword: "当前密码",
  passwordHint: "12 到 128 个字符，可包含空格及任意字符；容易被猜到的密码将被拒绝（几个不相关的词组合效果很好）。",
  signUp: {
    title: "创建账号",
    lead: "使用邮箱注册，我们会发送验证码确认您的邮箱。",
    submit: "创建账号",
    haveAccount: "已有账号？",
    invited: "您是受邀注册的：如果本计划提供邀请奖励，您的免费额度申请获批后，您和邀请人将各得一份奖励。",
  },
  verify: {
    title: "查收邮件",
    lead: "如果 {{email}} 可以使用，我们已向其发送 6 位验证码，请在下方输入。验证码 15 分钟内有效。",
    leadNoEmail: "请输入邮箱和我们发送给您的 6 位验证码。",
    code: "验证码",
    submit: "确认邮箱",
    resend: "重新发送验证码",
    resent: "如果该邮箱有未确认的账号，新的验证码已发出。",
    devOutbox: "未配置邮件服务器：请在开发发件箱中查看邮件。",
  },
  logIn: {
    title: "登录",
    submit: "登录",
    forgot: "忘记密码？",
    noAccount: "还没有账号？",
    passwordReset: "密码已修改，请使用新密码登录。",
    loggedOut: "您已退出登录。",
  },
  forgot: {
    title: "重置密码",
    lead: "输入账号邮箱，我们会发送设置新密码的链接。",
    submit: "发送重置链接",
    sent: "如果有账号使用该邮箱，重置链接已发出。链接仅可使用一次，60 分钟内有效。",
  },
  reset: {
    title: "设置新密码",
    submit: "保存新密码",
    invalidTitle: "该链接已失效",
    invalidBody: "重置链接仅可使用一次，60 分钟后过期。请重新申请。",
    requestNew: "重新申请链接",
    revokeKeys: "同时吊销我的所有 API 密钥",
    revokeKeysHint: "如果他人可能访问过您的账号，请勾选此项：使用现有密钥的程序将停止工作，登录后可创建新密钥。",
  },
  change: {
    title: "修改密码",
    lead: "修改密码后，您在其他设备上的登录将全部失效。",
    submit: "修改密码",
    done: "密码已修改，其他会话已结束。",
  },
};
