import type { errors as en } from "../en/errors";
import type { Dictionary } from "../dictionary";

export const errors: Dictionary<typeof en> = {
  emailRequired: "请输入邮箱地址。",
  emailInvalid: "请输入有效的邮箱地址，例如 name@example.com。",
  passwordRequired: "请输入密码。",
  passwordTooShort: "密码至少 12 个字符。",
  passwordTooLong: "密码最多 128 个字符。",
  passwordMismatch: "两次输入的密码不一致。",
  password_common: "该密码过于常见，请选择更难猜到的密码。",
  password_reused: "新密码不能与当前密码相同。",
  wrong_password: "当前密码不正确。",
  invalid_credentials: "邮箱或密码不正确。",
  account_disabled: "该账号已被停用，请联系客服。",
  codeRequired: "请输入邮件中的验证码。",
  codeFormat: "验证码为 6 位数字。",
  invalid_code: "验证码不正确或已被使用。",
  expired_code: "验证码已过期，请重新获取。",
  too_many_attempts: "该验证码错误次数过多，请重新获取。",
  reset_link_invalid: "重置链接无效或已过期，请重新申请。",
  resetLinkInvalid: "重置链接无效或已过期，请重新申请。",
  rateLimited: "尝试次数过多，请在 {{seconds}} 秒后重试。",
  invalidForm: "请修正下方标出的内容。",
};
