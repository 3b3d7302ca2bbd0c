// E-mail alerts: low balance, promo credit about to expire, a key's budget used up.
export { runAlerts, PROMO_EXPIRY_NOTICE_DAYS, type AlertRun } from "./run-alerts.server";
export { alertSettingsFormSchema, DEFAULT_THRESHOLD_PERCENT, getAlertSettings, setAlertSettings, type AlertSettings } from "./settings.server";
