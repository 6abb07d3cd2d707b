/**
 * An image file (dropped, pasted or chosen) → its RGBA pixels, for ink.js. The browser decodes it;
 * a large photo is scaled down on a canvas first, as images.py reduces it to MAX_SIDE.
 */
const MAX_SIDE = 1024; // images.py's MAX_SIDE: plenty for a digit that ends up 20 px tall
const MAX_PIXELS = 50_000_000; // images.py's MAX_PIXELS

/** A file the page cannot read; the message says what to do. */
export class PictureError extends Error {}

/**
 * @param {Blob} file
 * @returns {Promise<{canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, height: number, width: number}>}
 * @throws {PictureError} when it is not an image or too large
 */
export async function picturePixels(file) {
  const name = file.name || 'the pasted image';
  if (file.type && !file.type.startsWith('image/')) {
    throw new PictureError(`${name} is not an image (${file.type}): choose a photo or scan, PNG or JPEG`);
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new PictureError(`${name} could not be read as an image: save it as PNG or JPEG and try again`);
  }
  if (bitmap.width * bitmap.height > MAX_PIXELS) {
    throw new PictureError(`${name} is ${bitmap.width}×${bitmap.height} pixels, more than ${MAX_PIXELS / 1e6} million: scale it down`);
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return { canvas, rgba: context.getImageData(0, 0, canvas.width, canvas.height).data, height: canvas.height, width: canvas.width };
}

/** The first image among a drop's or a paste's items, or null. @param {DataTransfer|null} transfer */
export function imageIn(transfer) {
  return [...(transfer?.files ?? [])].find((file) => file.type.startsWith('image/')) ?? null;
}
