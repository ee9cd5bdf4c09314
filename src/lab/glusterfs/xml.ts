/**
 * XML as the gluster CLI writes it (libxml2's text writer with indentation): the standalone
 * declaration, two spaces per level, `<tag/>` for an empty element, text escaped, one
 * element per line — except where gluster writes mixed content on one line (a brick of
 * `volume info`), which a node carries preformatted in `inline`.
 */

/** One element. */
export interface XmlNode {
  tag: string;
  attrs?: Record<string, string>;
  /** Text content; '' renders as `<tag/>`. */
  text?: string | number;
  children?: XmlNode[];
  /** Content already written as XML, kept on the element's line. */
  inline?: string;
}

/** An element with text content. */
export function el(tag: string, text: string | number, attrs?: Record<string, string>): XmlNode {
  return attrs ? { tag, text, attrs } : { tag, text };
}

/** An element with child elements (none renders as `<tag/>`). */
export function parent(tag: string, children: XmlNode[], attrs?: Record<string, string>): XmlNode {
  return attrs ? { tag, children, attrs } : { tag, children };
}

/** Escapes text for element content or attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/** The whole document, ending with a newline. */
export function xmlDocument(root: XmlNode): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${render(root, 0)}`;
}

function render(node: XmlNode, depth: number): string {
  const pad = '  '.repeat(depth);
  const attrs = Object.entries(node.attrs ?? {}).map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
  const open = `<${node.tag}${attrs}`;
  if (node.inline !== undefined) return `${pad}${open}>${node.inline}</${node.tag}>\n`;
  if (node.text !== undefined) {
    const text = String(node.text);
    return text === '' ? `${pad}${open}/>\n` : `${pad}${open}>${escapeXml(text)}</${node.tag}>\n`;
  }
  const children = node.children ?? [];
  if (children.length === 0) return `${pad}${open}/>\n`;
  return `${pad}${open}>\n${children.map((c) => render(c, depth + 1)).join('')}${pad}</${node.tag}>\n`;
}
