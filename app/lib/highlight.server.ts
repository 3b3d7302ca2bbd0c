// Server-side syntax highlighting (highlight.js core, three grammars): the browser gets plain
// HTML with class names, no highlighter bundle and nothing that needs an inline style.
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";

hljs.registerLanguage("python", python);
hljs.registerLanguage("javascript", javascript);
hljs.registerLanguage("bash", bash);
hljs.registerLanguage("json", json);

/** Escaped, highlighted HTML for `code` (highlight.js escapes the source itself). */
export function highlightCode(code: string, language: "python" | "javascript" | "bash" | "json"): string {
  return hljs.highlight(code, { language, ignoreIllegals: true }).value;
}
