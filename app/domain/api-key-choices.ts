// The expiry and grace-period choices a key form offers (the page's options and the server's check).
export const EXPIRY_DAY_CHOICES = [7, 30, 90, 365] as const;
export const ROLL_GRACE_HOUR_CHOICES = [0, 1, 24, 72, 168] as const;
