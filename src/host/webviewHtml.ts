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

export function panelHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  simulated: boolean,
  uriJoin: (base: vscode.Uri, ...parts: string[]) => vscode.Uri,
): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (...parts: string[]) => webview.asWebviewUri(uriJoin(extensionUri, 'media', ...parts)).toString();
  const csp = contentSecurityPolicy(webview, nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('gen', 'katex', 'katex.min.css')}">
<link rel="stylesheet" href="${asset('panel.css')}">
<title>SpecReason</title>
</head>
<body>
<div id="app" data-simulated="${simulated ? 'true' : 'false'}"></div>
<script nonce="${nonce}" src="${asset('gen', 'webview.js')}"></script>
</body>
</html>`;
}

/** The Evaluate panel's HTML: the same CSP and base styles as the reasoning panel, its own bundle. */
export function evalPanelHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  simulated: boolean,
  uriJoin: (base: vscode.Uri, ...parts: string[]) => vscode.Uri,
): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (...parts: string[]) => webview.asWebviewUri(uriJoin(extensionUri, 'media', ...parts)).toString();
  const csp = contentSecurityPolicy(webview, nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('panel.css')}">
<link rel="stylesheet" href="${asset('eval.css')}">
<title>SpecReason: Evaluate</title>
</head>
<body>
<div id="app" data-simulated="${simulated ? 'true' : 'false'}"></div>
<script nonce="${nonce}" src="${asset('gen', 'eval.js')}"></script>
</body>
</html>`;
}
