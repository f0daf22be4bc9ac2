// Reads a PDF the way Firefox's viewer does (pdf.js) and prints, as JSON, per
// page: its size, the structure tree pdf.js exposes to assistive technology
// (page.getStructTree()), the text items with their marked-content ids, and
// where each image is painted (from the operator list).
// Usage: node tests/pdfjs_struct.mjs file.pdf   (pdfjs-dist from node_modules/)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.resolve("node_modules") + "/");
const pdfjs = await import(require.resolve("pdfjs-dist/legacy/build/pdf.mjs"));

const data = new Uint8Array(readFileSync(process.argv[2]));
const doc = await pdfjs.getDocument({ data, isEvalSupported: false, disableFontFace: true, useSystemFonts: false }).promise;
const pages = [];
for (let number = 1; number <= doc.numPages; number++) {
  const page = await doc.getPage(number);
  const [x0, y0, x1, y1] = page.view;
  const tree = await page.getStructTree();
  const content = await page.getTextContent({ includeMarkedContent: true });
  const text = [];
  let marked = [];
  for (const item of content.items) {
    if (item.type === "beginMarkedContentProps" || item.type === "beginMarkedContent") marked.push(item.id || null);
    else if (item.type === "endMarkedContent") marked.pop();
    else text.push({ str: item.str, id: marked.length ? marked[marked.length - 1] : null });
  }
  const ops = await page.getOperatorList();
  const images = [];
  // The current transformation matrix at each paintImageXObject, from save/restore/transform.
  let ctm = [1, 0, 0, 1, 0, 0];
  const stack = [];
  const multiply = (m, n) => [
    m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3],
    m[2] * n[0] + m[3] * n[2], m[2] * n[1] + m[3] * n[3],
    m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5],
  ];
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i];
    if (fn === pdfjs.OPS.save) stack.push(ctm);
    else if (fn === pdfjs.OPS.restore) ctm = stack.pop() || ctm;
    else if (fn === pdfjs.OPS.transform) ctm = multiply(ops.argsArray[i], ctm);
    else if (fn === pdfjs.OPS.paintImageXObject) {
      const xs = [ctm[4], ctm[4] + ctm[0] + ctm[2]];
      const ys = [ctm[5], ctm[5] + ctm[1] + ctm[3]];
      images.push([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]);
    }
  }
  pages.push({ number, view: [x0, y0, x1, y1], tree, text, images });
}
process.stdout.write(JSON.stringify({ pages }));
