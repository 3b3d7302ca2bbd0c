export const landing = {
  title: "Lost the OpenAI API? Move to {{provider}} with free tokens.",
  lead: "{{company}} offers free {{provider}} tokens to developers who used the OpenAI API. Prove your past usage, claim your credit, and switch your code by changing two lines.",
  ctaSignUp: "Create a free account",
  ctaLogIn: "I already have an account",
  howTitle: "How it works",
  steps: {
    signUp: { title: "Sign up", body: "Create an account with your e-mail and confirm it with a one-time code." },
    verify: { title: "Prove your usage", body: "Upload your OpenAI usage or cost export, or let Ferry read it with an admin key that is used once and never stored." },
    claim: { title: "Claim credit", body: "Your free credit is computed from your real past usage. Most claims are granted at once." },
    code: { title: "Switch your code", body: "Create an API key and copy a ready-made snippet: the OpenAI SDK works unchanged with a new base URL." },
  },
  compatTitle: "OpenAI-compatible",
  compatBody: "Point the official OpenAI SDK at {{baseUrl}} and keep your code.",
  modelsTitle: "Model map",
  modelsOpenAI: "OpenAI model",
  modelsProvider: "{{provider}} model",
};
