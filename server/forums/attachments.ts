// Image attachments: the type is decided by the file's own first bytes, never by its name or by
// what the browser claims, and only raster formats that browsers cannot run code from are
// accepted (no SVG). JPEG metadata (Exif: GPS position, camera serial) is removed before storage.
import type { ImageType } from "./forums.tables.ts";

export const MAX_IMAGE_BYTES = 4 * 1024 * 1024;

export interface UploadedImage {
  buffer: Buffer;
  size: number;
}

export interface CheckedImage {
  contentType: ImageType;
  data: Buffer;
}

export type ImageError = "image_type" | "image_size" | "image_description";

export function sniffImage(data: Buffer): ImageType | undefined {
  if (
    data.length >= 8 &&
    data.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]))
  )
    return "image/png";
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff)
    return "image/jpeg";
  const head = data.subarray(0, 6).toString("latin1");
  if (head === "GIF87a" || head === "GIF89a") return "image/gif";
  if (
    data.length >= 12 &&
    data.subarray(0, 4).toString("latin1") === "RIFF" &&
    data.subarray(8, 12).toString("latin1") === "WEBP"
  )
    return "image/webp";
  return undefined;
}

/** Drops APP1–APP15 segments (Exif, XMP, vendor data) and comments; keeps the image itself. */
export function stripJpegMetadata(data: Buffer): Buffer {
  const parts: Buffer[] = [data.subarray(0, 2)];
  let offset = 2;
  while (offset + 4 <= data.length) {
    if (data[offset] !== 0xff) return data;
    const marker = data[offset + 1]!;
    // Start of scan: the rest is image data.
    if (marker === 0xda) {
      parts.push(data.subarray(offset));
      return Buffer.concat(parts);
    }
    const length = data.readUInt16BE(offset + 2);
    const end = offset + 2 + length;
    if (length < 2 || end > data.length) return data;
    const isMetadata = (marker >= 0xe1 && marker <= 0xef) || marker === 0xfe;
    if (!isMetadata) parts.push(data.subarray(offset, end));
    offset = end;
  }
  return data;
}

export function checkImage(
  file: UploadedImage,
  description: string | undefined,
): { ok: true; value: CheckedImage } | { ok: false; error: ImageError } {
  if (file.size > MAX_IMAGE_BYTES) return { ok: false, error: "image_size" };
  const contentType = sniffImage(file.buffer);
  if (!contentType) return { ok: false, error: "image_type" };
  if (!description?.trim()) return { ok: false, error: "image_description" };
  const data = contentType === "image/jpeg" ? stripJpegMetadata(file.buffer) : file.buffer;
  return { ok: true, value: { contentType, data } };
}
