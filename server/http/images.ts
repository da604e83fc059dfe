import type { Response } from "express";
// Uploaded images are recognised by their first bytes, not by the name or type the browser sent.
export type ImageType = "image/png" | "image/jpeg" | "image/webp" | "image/gif";

export function sniffImageType(data: Buffer): ImageType | undefined {
  if (
    data.length >= 8 &&
    data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  )
    return "image/png";
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff)
    return "image/jpeg";
  if (
    data.length >= 12 &&
    data.toString("latin1", 0, 4) === "RIFF" &&
    data.toString("latin1", 8, 12) === "WEBP"
  )
    return "image/webp";
  if (data.length >= 6 && /^GIF8[79]a$/.test(data.toString("latin1", 0, 6))) return "image/gif";
  return undefined;
}

/**
 * Answers with a stored picture: its recognised type, the caching its visibility allows, and
 * nosniff so that a browser never reads it as anything but an image.
 */
export function sendImage(
  res: Response,
  image: { contentType: string; data: Buffer },
  cacheControl: string,
): void {
  res
    .type(image.contentType)
    .set("Cache-Control", cacheControl)
    .set("X-Content-Type-Options", "nosniff")
    .send(image.data);
}
