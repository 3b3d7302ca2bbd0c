import type { Dictionary } from "../dictionary";
import type { gatewayDocs as en } from "../en/gatewayDocs";

export const gatewayDocs: Dictionary<typeof en> = {
  title: "网关集成",
  lead: "{{provider}} API 网关如何向 Ferry 询问密钥是否有效，并上报每个请求使用的 token。这些接口供服务器调用，而非浏览器。",
  authTitle: "认证",
  authBody: "每次调用都携带 Ferry 的 GATEWAY_TOKENS 设置中的一个服务令牌（可设置多个，以便无停机轮换）：",
  authorizeTitle: "1. 授权每个请求",
  authorizeBody: "转发 LLM 请求之前，发送开发者的密钥。只做一次带索引的数据库读取，不写入任何内容。",
  usageTitle: "2. 上报使用的 token",
  usageBody: "响应完成后上报 token 数。上报按 request_id 幂等：可放心重试。如果账户在请求中途耗尽额度，Ferry 扣除剩余部分并报告差额；余额永远不会低于零。",
  errorsTitle: "错误码",
  errorsLead: "错误以 {\"error\": {\"code\", \"message\"}} 返回；请依据 code 处理。",
  errorColumns: { status: "HTTP", code: "错误码", meaning: "含义" },
  errors: {
    unauthorized: "缺少服务令牌或令牌错误。",
    malformed_key: "密钥不符合密钥格式。",
    foreign_key: "该密钥不属于本服务商。",
    bad_checksum: "密钥校验和错误（输错或伪造的密钥）。",
    unknown_key: "密钥不存在。",
    key_revoked: "密钥已被吊销。",
    key_expired: "密钥已过期（或轮换保留期已结束）。",
    insufficient_credit: "账户已没有剩余额度。",
    account_disabled: "账户已被停用。",
    request_conflict: "该 request_id 已用不同的数值上报过。",
    invalid_request: "JSON 请求体缺少字段或字段有误。",
  },
  keyFormatTitle: "密钥格式与泄露扫描",
  keyFormatBody: "密钥由前缀 {{prefix}}、下划线、32 个随机 base62 字符，以及对前面全部内容计算的 6 位 base62 CRC32 校验和组成。有了校验和，网关和泄露扫描工具无需查询数据库即可拒绝错误的密钥。用以下正则表达式搜索泄露的代码：",
  openapi: "机器可读的接口描述：{{url}}",
};
