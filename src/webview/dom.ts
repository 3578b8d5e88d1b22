// Tiny DOM builders. Text always goes in as text nodes: model output must never be parsed as HTML.

export type Child = Node | string | null | undefined | false;

export interface Props {
  id?: string;
  className?: string;
  /** Attribute names are constants in our code; values may be model text (attributes are inert). */
  attrs?: Record<string, string>;
  title?: string;
  hidden?: boolean;
}

function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.id) {
    node.id = props.id;
  }
  if (props.className) {
    node.className = props.className;
  }
  if (props.title) {
    node.title = props.title;
  }
  if (props.hidden) {
    node.hidden = true;
  }
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    node.setAttribute(name, value);
  }
  append(node, children);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

/** Sets text only when it changed, so live regions announce changes and nothing else. */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) {
    node.textContent = text;
  }
}

/** Sets `hidden` or `disabled` only when it changes: a per-frame render then dirties no style. */
export function setFlag(node: HTMLElement & { disabled?: boolean }, flag: 'hidden' | 'disabled', value: boolean): void {
  if (node[flag] !== value) {
    node[flag] = value;
  }
}
