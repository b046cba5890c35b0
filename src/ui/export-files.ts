// Browser-side file helpers for exports: download a blob, turn an SVG chart or sigma's canvases into a PNG.

export function download(data: Blob | Uint8Array | string, filename: string, type = 'application/octet-stream'): void {
  const blob = data instanceof Blob ? data : new Blob([data as BlobPart], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function canvasToBlob(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG export: the browser could not encode the image; try a smaller window'))), 'image/png'),
  );
}

/** Rasterise an SVG element at 2× for a crisp PNG. */
export async function svgToPng(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const vb = svg.viewBox.baseVal;
  const w = vb && vb.width ? vb.width : svg.clientWidth;
  const h = vb && vb.height ? vb.height : svg.clientHeight;
  const text = new XMLSerializer().serializeToString(svg);
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const img = new Image();
    img.decoding = 'sync';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('PNG export: the chart could not be drawn as an image'));
      img.src = url;
    });
    const { canvas, ctx } = whiteCanvas(w * scale, h * scale);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await canvasToBlob(canvas);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** A canvas of the given size (rounded) filled white, so exported PNGs have no transparent background. */
function whiteCanvas(width: number, height: number): { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D } {
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width);
  canvas.height = Math.round(height);
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  return { canvas, ctx };
}

export interface PngFrame {
  title: string;
  /** Lines under the title (condition, colouring, round, run name). */
  lines: string[];
  legend: Array<{ color: string; label: string }>;
}

/**
 * The graph's layers on white with a header (title and lines) above and a legend below, so the PNG says what it
 * shows: condition, colouring, round, run and what each colour means.
 */
export function framedLayersToPng(layers: HTMLCanvasElement[], width: number, height: number, frame: PngFrame): Promise<Blob> {
  const ratio = window.devicePixelRatio || 1;
  const pad = 14;
  const header = 26 + frame.lines.length * 18 + 8;
  const legendH = frame.legend.length * 18 + 12;
  const { canvas, ctx } = whiteCanvas((width + 2 * pad) * ratio, (height + header + legendH) * ratio);
  ctx.scale(ratio, ratio);
  ctx.fillStyle = '#111827';
  ctx.font = '600 17px system-ui, sans-serif';
  ctx.fillText(frame.title, pad, 24);
  ctx.font = '13px system-ui, sans-serif';
  ctx.fillStyle = '#374151';
  frame.lines.forEach((l, i) => ctx.fillText(l, pad, 44 + i * 18));
  for (const layer of layers) ctx.drawImage(layer, pad, header, width, height);
  ctx.strokeStyle = '#e5e7eb';
  ctx.strokeRect(pad, header, width, height);
  frame.legend.forEach((item, i) => {
    const y = header + height + 18 + i * 18;
    ctx.fillStyle = item.color;
    ctx.beginPath();
    ctx.arc(pad + 6, y - 4, 5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = '#374151';
    ctx.fillText(item.label, pad + 18, y);
  });
  return canvasToBlob(canvas);
}
