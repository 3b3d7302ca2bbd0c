// Remix sends a form on an index route to `<path>?index` (so the index route's action, not its
// layout's, answers), and the address bar keeps that `?index` after the action. People copy and
// share that address: once a navigation is done, the bare `index` parameter leaves the address bar.
// The router's own location keeps it, so a later revalidation still reaches the index route.

/** `href` without a bare `index` search parameter, or null when it has none. */
export function withoutIndexParam(href: string): string | null {
  const url = new URL(href);
  const kept = url.search
    .slice(1)
    .split("&")
    .filter((part) => part.length > 0);
  const others = kept.filter((part) => part !== "index" && part !== "index=");
  if (others.length === kept.length) return null;
  return `${url.pathname}${others.length ? `?${others.join("&")}` : ""}${url.hash}`;
}

interface RouterLike {
  state: { navigation: { state: string } };
  subscribe(listener: (state: { navigation: { state: string } }) => void): () => void;
}

function cleanAddressBar() {
  const clean = withoutIndexParam(window.location.href);
  if (clean !== null) window.history.replaceState(window.history.state, "", clean);
}

/** Keeps `?index` out of the address bar from now on (the page's first address included). */
export function keepIndexParamOutOfAddressBar(router: RouterLike): () => void {
  cleanAddressBar();
  return router.subscribe((state) => {
    if (state.navigation.state === "idle") cleanAddressBar();
  });
}
