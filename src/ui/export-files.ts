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

/** Stack sigma's layer canvases (edges, nodes, labels…) onto one white canvas. Call right after a synchronous render. */
export function layersToPng(layers: HTMLCanvasElement[], width: number, height: number): Promise<Blob> {
  const ratio = window.devicePixelRatio || 1;
  const { canvas, ctx } = whiteCanvas(width * ratio, height * ratio);
  for (const layer of layers) ctx.drawImage(layer, 0, 0, canvas.width, canvas.height);
  return canvasToBlob(canvas);
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
