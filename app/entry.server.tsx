import {
  type ActionFunctionArgs,
  type AppLoadContext,
  type EntryContext,
  type HandleDataRequestFunction,
  type LoaderFunctionArgs,
} from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { NonceProvider } from "./components/nonce";
import { databaseTroubleOf } from "./lib/database-errors.server";
import { errorFields, log } from "./lib/logger.server";
import { countDatabaseTrouble } from "./lib/metrics.server";
import { wholeBodyResponse } from "./lib/page-compression.server";
import { TranslationsProvider } from "./lib/translations";
import { serverTranslations } from "./lib/translations.server";

export const streamTimeout = 5_000;

// What a form sent back with its errors answers: 400 (invalid input), 401 (wrong password), 422.
const FORM_ERROR_STATUSES = new Set([400, 401, 422]);

/**
 * A form sent back with its errors (a wrong password, an amount that is not a number) is an
 * ordinary page for the person who sent it: it answers 200, so the browser does not report a
 * failed request in its console. Refusals that are not about the form's content keep their
 * status over HTTP: 403, 404, 409 (someone else decided first) and 429 (with Retry-After).
 */
export function formAnswerStatus(request: Request, status: number): number {
  return request.method === "POST" && FORM_ERROR_STATUSES.has(status) ? 200 : status;
}

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext?.cspNonce;
  if (loadContext?.databaseTrouble && responseStatusCode >= 500) {
    responseStatusCode = 503;
    responseHeaders.set("Retry-After", String(loadContext.databaseTrouble.retryAfterSeconds));
  }
  // The action answered with the form's errors, and no error boundary is shown instead of the page.
  if (!remixContext.staticHandlerContext.errors) responseStatusCode = formAnswerStatus(request, responseStatusCode);
  // No route defers data, so the shell is the whole page: it is rendered fully and sent as one
  // buffer (one compression pass and one socket write instead of dozens of small ones; see
  // page-compression.server.ts).
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce ?? ""}>
        <TranslationsProvider source={serverTranslations}>
          <RemixServer context={remixContext} url={request.url} abortDelay={streamTimeout} nonce={nonce} />
        </TranslationsProvider>
      </NonceProvider>,
      {
        nonce,
        onAllReady() {
          shellRendered = true;
          pipe(
            pageSink(
              (page) => {
                clearTimeout(renderDeadline);
                responseHeaders.set("Content-Type", "text/html; charset=utf-8");
                resolve(wholeBodyResponse(page, { headers: responseHeaders, status: responseStatusCode }));
              },
              (error) => {
                clearTimeout(renderDeadline);
                reject(error);
              },
            ),
          );
        },
        onShellError(error: unknown) {
          clearTimeout(renderDeadline);
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (shellRendered) log.error({ ...errorFields(error) }, "render failed after the shell was sent");
        },
      },
    );
    const renderDeadline = setTimeout(abort, streamTimeout + 1000);
  });
}

/**
 * Where React writes a fully rendered page: its chunks, kept until React ends it (what React's
 * `pipe` uses of a writable stream: write, end, listeners, destroy). A stream in between cost a
 * page more than this, and an error object each time React ended it a second time.
 */
function pageSink(onEnd: (page: Buffer<ArrayBuffer>) => void, onFail: (error: unknown) => void): NodeJS.WritableStream {
  const chunks: Uint8Array[] = [];
  let ended = false;
  const sink = {
    write(chunk: Uint8Array | string) {
      if (!ended) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
      return true;
    },
    end() {
      if (ended) return sink;
      ended = true;
      onEnd(Buffer.concat(chunks));
      return sink;
    },
    on: () => sink,
    destroy(error?: unknown) {
      if (ended) return;
      ended = true;
      onFail(error ?? new Error("the page's render was abandoned"));
    },
  };
  return sink as unknown as NodeJS.WritableStream;
}

/**
 * Loader, action and render errors. A busy or unreachable database is the database's state, not a
 * bug: it is noted on the load context so the answer becomes 503 + Retry-After (a client retries).
 */
export function handleError(error: unknown, { request, context }: LoaderFunctionArgs | ActionFunctionArgs) {
  if (request.signal.aborted) return;
  const trouble = databaseTroubleOf(error);
  if (trouble) {
    const reason = trouble.name === "DatabaseBusyError" ? "busy" : "unavailable";
    if (context && !context.databaseTrouble) {
      context.databaseTrouble = { reason, retryAfterSeconds: trouble.retryAfterSeconds };
      countDatabaseTrouble(reason);
    }
    log.warn({ reason, ...errorFields(error) }, "database trouble: answering 503");
    return;
  }
  log.error({ ...errorFields(error) }, "request failed");
}

/**
 * Single-fetch data requests: the same 503 as documents when the database was the problem. A
 * form's errors answer 200 as on a document (the client reads a thrown error from the payload,
 * not from the status).
 */
export const handleDataRequest: HandleDataRequestFunction = (response, { context, request }) => {
  const status = formAnswerStatus(request, response.status);
  if (status !== response.status) return new Response(response.body, { status, headers: response.headers });
  if (!context.databaseTrouble || response.status < 500) return response;
  const headers = new Headers(response.headers);
  headers.set("Retry-After", String(context.databaseTrouble.retryAfterSeconds));
  return new Response(response.body, { status: 503, headers });
};
