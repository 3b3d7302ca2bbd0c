export const alerts = {
  settings: {
    nav: "Alerts",
    title: "E-mail alerts",
    lead: "We write to {{email}} when one of these happens, once each time, in the language of your account.",
    threshold: "Tell me when my credit falls below (tokens)",
    thresholdHint: "Empty: 10% of your last grant or purchase ({{tokens}} tokens).",
    thresholdHintNone: "Empty: 10% of your last grant or purchase (you have none yet).",
    balanceAlerts: "Credit below the threshold",
    promoExpiryAlerts: "Free credit expiring within 7 days",
    keyBudgetAlerts: "An API key used up its daily or monthly budget",
    save: "Save alert settings",
    saved: "Alert settings saved.",
  },
  errors: {
    wholeNumber: "Enter a whole number of tokens, or leave it empty.",
    atLeastOne: "Use at least 1, or leave it empty.",
    tooLarge: "That number is too large.",
  },
  mail: {
    balanceLowSubject: "Your {{provider}} credit is below {{threshold}} tokens",
    balanceLowBody:
      "Your credit is now {{balance}} tokens, below the {{threshold}} tokens you asked us to watch. Requests stop when it reaches zero.\n\nTop up or check your usage: {{url}}\n\nChange or turn off these alerts: {{settingsUrl}}",
    promoExpiringSubject: "{{tokens}} free tokens expire on {{date}}",
    promoExpiringBody: "{{tokens}} tokens of your free credit expire on {{date}} (UTC) and cannot be used after that.\n\nYour credit: {{url}}\n\nChange or turn off these alerts: {{settingsUrl}}",
    keyBudgetSubject: "API key “{{name}}” used up its {{budget}} budget",
    keyBudgetBody:
      "The API key “{{name}}” ({{key}}) has used {{used}} tokens of its {{budget}} budget of {{limit}}. Requests with it are refused until {{resets}} (UTC).\n\nChange the key's limits: {{url}}\n\nChange or turn off these alerts: {{settingsUrl}}",
    budget: { daily: "daily", monthly: "monthly" },
  },
  leak: {
    subject: "Your API key “{{name}}” was found in public and has been revoked",
    revokedBody:
      "Your API key “{{name}}” ({{key}}) was found in public at {{where}} (reported by {{source}}) at {{at}}. We revoked it at once so nobody else can spend your credit: requests with it are now refused.\n\nCreate a new key, put it in your application's secret settings rather than in code, and check your usage: {{url}}",
    againBody:
      "Your API key “{{name}}” ({{key}}), already revoked, was also found in public at {{where}} (reported by {{source}}) at {{at}}. It cannot be used; remove it from that place.\n\nYour keys: {{url}}",
    unknownPlace: "an unknown place",
  },
};
