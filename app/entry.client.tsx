import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { browserTranslations } from "./lib/browser-translations";
import { PAYLOAD_GLOBAL, TranslationsProvider, type TranslationPayload } from "./lib/translations";

const translations = browserTranslations((window as unknown as Record<string, TranslationPayload | undefined>)[PAYLOAD_GLOBAL]);

startTransition(() => {
  hydrateRoot(
    document,
    <StrictMode>
      <TranslationsProvider source={translations}>
        <RemixBrowser />
      </TranslationsProvider>
    </StrictMode>,
  );
});
