export const mail = {
  verify: {
    subject: "Your Ferry code: {{code}}",
    body: "Your confirmation code is {{code}}.\n\nEnter it at {{url}} within 15 minutes.\n\nIf you did not sign up for Ferry, ignore this e-mail.",
    otherPending:
      "Careful: another sign-up for this address ({{started}}) is also waiting for its code. Each sign-up has its own code, and the account gets the password chosen in the sign-up whose code is entered. If you did not start a sign-up just now, do not enter this code: ignore this e-mail. Nobody can use your address without a code sent here.",
  },
  alreadyRegistered: {
    subject: "Someone tried to sign up with your e-mail",
    body: "Someone (maybe you) tried to create a Ferry account with this address, but it already has one.\n\nLog in: {{loginUrl}}\nForgot your password? {{resetUrl}}\n\nIf it was not you, you can ignore this e-mail.",
  },
  reset: {
    subject: "Reset your Ferry password",
    body: "Choose a new password here: {{url}}\n\nThe link works once and expires in {{minutes}} minutes. If you did not ask for it, ignore this e-mail: your password stays as it is.",
  },
  passwordChanged: {
    subject: "Your Ferry password was changed",
    body: "The password of your Ferry account was just changed, and your other sessions were ended.\n\nIf this was not you, reset your password now: {{resetUrl}}\n\nQuestions? Contact support: {{helpUrl}}",
  },
};
