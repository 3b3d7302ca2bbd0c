// Copies a snippet to the clipboard. Falls back to selecting the text when the Clipboard API is
// unavailable (plain HTTP, old browsers), so the person can press Ctrl+C.
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

type CopyState = "idle" | "copied" | "failed";

export function CopyButton({ text, targetId, label }: { text: string; targetId: string; label?: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<CopyState>("idle");
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(timer.current), []);

  function selectTarget() {
    const target = document.getElementById(targetId);
    const selection = window.getSelection();
    if (!target || !selection) return;
    const range = document.createRange();
    range.selectNodeContents(target);
    selection.removeAllRanges();
    selection.addRange(range);
  }

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      selectTarget();
      setState("failed");
    }
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setState("idle"), 2500);
  }

  return (
    <button type="button" className="button button-secondary copy-button" onClick={copy} aria-describedby={targetId} data-copy-state={state}>
      <span aria-live="polite">{state === "copied" ? t("snippets.copied") : state === "failed" ? t("snippets.copyFailed") : label ?? t("snippets.copy")}</span>
    </button>
  );
}
