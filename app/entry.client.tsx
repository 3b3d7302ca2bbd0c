import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode, useEffect } from "react";
import { hydrateRoot } from "react-dom/client";
import { browserTranslations } from "./lib/browser-translations";
import { keepIndexParamOutOfAddressBar } from "./lib/index-url.client";
import { PAYLOAD_GLOBAL, TranslationsProvider, type TranslationPayload } from "./lib/translations";

const translations = browserTranslations((window as unknown as Record<string, TranslationPayload | undefined>)[PAYLOAD_GLOBAL]);

/** Renders nothing: once the page is hydrated, keeps Remix's `?index` out of the address bar. */
function IndexParamCleaner() {
  useEffect(() => {
    const router = (window as unknown as { __remixRouter?: Parameters<typeof keepIndexParamOutOfAddressBar>[0] }).__remixRouter;
    return router ? keepIndexParamOutOfAddressBar(router) : undefined;
  }, []);
  return null;
}

startTransition(() => {
  hydrateRoot(
    document,
    <StrictMode>
      <TranslationsProvider source={translations}>
        <RemixBrowser />
        <IndexParamCleaner />
      </TranslationsProvider>
    </StrictMode>,
  );
});
