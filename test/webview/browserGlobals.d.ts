// What the test harness pages (harness.html, eval-harness.html) put on `window`, for the type-checked
// browser tests (tsconfig.tests-js.json).

interface Window {
  /** Every message the panel posted to the "host", in order. */
  __posted: Array<{ type: string; [field: string]: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Content-Security-Policy violations seen by the page. */
  __cspViolations: Array<{ directive: string; blocked: string; sample?: string }>;
  /** Set only if hostile model output ran as script. */
  __pwned?: number;
}
