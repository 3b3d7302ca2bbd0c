// Extracts the positioned text of a PDF with pdfjs-dist (server only: it is large and Node-specific).
import type { TextCell } from "./invoice-text";

/** An invoice is one to a few pages; a long document is not one, and is not read further. */
export const MAX_PDF_PAGES = 20;

export type PdfText =
  | { ok: true; cells: TextCell[]; pages: number }
  | { ok: false; code: "pdf_encrypted" | "pdf_unreadable" | "pdf_too_many_pages"; params?: Record<string, number> };

/** Reads every page's strings with their positions; a bad or locked file is a value, never a throw. */
export async function readPdfText(bytes: Uint8Array): Promise<PdfText> {
  // Loaded on the first PDF only: pdf.js is large, and CSV and JSON uploads never need it.
  const { getDocument, VerbosityLevel } = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const task = getDocument({
    // pdfjs transfers (detaches) the buffer it is given: hand it a copy.
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    verbosity: VerbosityLevel.ERRORS,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
  });
  try {
    const pdf = await task.promise;
    if (pdf.numPages > MAX_PDF_PAGES) return { ok: false, code: "pdf_too_many_pages", params: { pages: pdf.numPages, limit: MAX_PDF_PAGES } };
    const cells: TextCell[] = [];
    for (let number = 1; number <= pdf.numPages; number += 1) {
      const page = await pdf.getPage(number);
      const content = await page.getTextContent();
      for (const item of content.items) {
        if (!("str" in item) || item.str.trim() === "") continue;
        cells.push({ page: number, x: item.transform[4] as number, y: item.transform[5] as number, text: item.str });
      }
      page.cleanup();
    }
    return { ok: true, cells, pages: pdf.numPages };
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (name === "PasswordException") return { ok: false, code: "pdf_encrypted" };
    // InvalidPDFException, FormatError, UnknownErrorException…: all say the file cannot be read.
    return { ok: false, code: "pdf_unreadable" };
  } finally {
    await task.destroy();
  }
}
