// The panel's HTML: a strict CSP (no inline script or style, nothing from the network), a nonce'd
// bundled script, and styles served from the extension's media folder.

import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';

/** Nothing from the network, no inline script or style: only our media files and the nonce'd bundle. */
function contentSecurityPolicy(webview: vscode.Webview, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    `style-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

/** Each panel's page: its stylesheets and bundle in the media folder. */
export const PAGES = {
  reasoning: {
    title: 'SpecReason',
    styles: [['gen', 'katex', 'katex.min.css'], ['panel.css']],
    script: ['gen', 'webview.js'],
  },
  evaluate: {
    title: 'SpecReason: Evaluate',
    styles: [['gen', 'katex', 'katex.min.css'], ['panel.css'], ['eval.css']],
    script: ['gen', 'eval.js'],
  },
} as const;

/** A panel's page (the reasoning panel's, or the Evaluate panel's): the CSP above, its stylesheets and
 *  its nonce'd bundle. */
export function panelHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  simulated: boolean,
  uriJoin: (base: vscode.Uri, ...parts: string[]) => vscode.Uri,
  kind: keyof typeof PAGES = 'reasoning',
): string {
  const { title, styles, script } = PAGES[kind];
  const nonce = randomBytes(16).toString('base64');
  const asset = (parts: readonly string[]) => webview.asWebviewUri(uriJoin(extensionUri, 'media', ...parts)).toString();
  const csp = contentSecurityPolicy(webview, nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles.map((parts) => `<link rel="stylesheet" href="${asset(parts)}">`).join('\n')}
<title>${title}</title>
</head>
<body>
<div id="app" data-simulated="${simulated ? 'true' : 'false'}"></div>
<script nonce="${nonce}" src="${asset(script)}"></script>
</body>
</html>`;
}
