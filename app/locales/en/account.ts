export const account = {
  title: "Dashboard",
  welcome: "Signed in as {{email}}",
  role: "Role: {{role}}",
  roles: { developer: "Developer", support: "Support agent", staff: "Provider staff", admin: "Administrator", organization: "Organization" },
  unverified: {
    title: "Confirm your e-mail",
    body: "We sent a code to {{email}}. You need a confirmed e-mail to claim credit.",
    action: "Enter the code",
  },
  stepsTitle: "Your way to {{provider}}",
  steps: {
    verifyUsage: { title: "Prove your OpenAI usage", body: "Upload an export from the OpenAI dashboard or let Ferry read it." },
    claimCredit: { title: "Claim your free credit", body: "See your offer, computed from your real usage, and claim it." },
    apiKeys: { title: "Create an API key", body: "Keys are shown once and can be revoked or rolled at any time." },
    code: { title: "Switch your code", body: "Copy a ready-made snippet for Python, Node, curl or LangChain." },
  },
  stepStatus: { done: "Done", next: "Next", later: "Later" },
  open: "Open",
};
