export const common = {
  appName: "Ferry",
  tagline: "for {{provider}}",
  skipToContent: "Skip to content",
  nav: {
    logIn: "Log in",
    signUp: "Sign up",
    account: "Dashboard",
    logOut: "Log out",
    language: "Language",
    mainNavigation: "Main navigation",
    changePassword: "Password",
  },
  gatewayDocs: "Gateway API for providers",
  footer: "Ferry helps developers move from the OpenAI API to {{provider}} by {{company}}.",
  actions: { submit: "Submit", cancel: "Cancel", back: "Back", continue: "Continue" },
  errorPage: {
    title: "Something went wrong",
    notFound: "We could not find that page.",
    forbidden: "You do not have access to this page.",
    generic: "An unexpected error occurred. Please try again; if it keeps happening, contact support.",
    backHome: "Back to the home page",
  },
};
