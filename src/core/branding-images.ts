import { randomUUID } from 'node:crypto';
import { audit, type Actor, type Core } from './context';
import { LatchkeyError } from './errors';
import { isUuid } from './inputs';
import { nowSeconds } from './time';
import type { BrandAsset, BrandImageType } from './types';

export type { BrandAsset, BrandImageType };

/** Logos and favicons: raster images only, so an upload can never carry script. */
export const MAX_BRAND_IMAGE_BYTES = 256 * 1024;

const startsWith = (bytes: Uint8Array, signature: number[], at = 0): boolean =>
  signature.every((b, i) => bytes[at + i] === b);

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

/** The image type the bytes themselves show (magic numbers), or null. */
export function sniffImageType(bytes: Uint8Array): BrandImageType | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  return null;
}

/**
 * The checked type of an upload: at most MAX_BRAND_IMAGE_BYTES, and a PNG, JPEG, GIF or
 * WebP by its bytes, whatever name or type the browser gave it. SVG is refused: it can
 * hold script, and a stored file served from the pages' own origin must not.
 */
export function checkBrandImage(bytes: Uint8Array): BrandImageType {
  if (bytes.length === 0) throw LatchkeyError.field('logo', 'choose an image file');
  if (bytes.length > MAX_BRAND_IMAGE_BYTES)
    throw LatchkeyError.field(
      'logo',
      `must be at most ${MAX_BRAND_IMAGE_BYTES / 1024} KB (this one is ${Math.ceil(bytes.length / 1024)} KB)`,
    );
  const type = sniffImageType(bytes);
  if (type) return type;
  const head = Buffer.from(bytes.subarray(0, 512)).toString('utf8').toLowerCase();
  if (head.includes('<svg') || head.includes('<?xml'))
    throw LatchkeyError.field(
      'logo',
      'SVG images are not accepted (they can carry script); upload a PNG, JPEG, GIF or WebP',
    );
  throw LatchkeyError.field('logo', 'must be a PNG, JPEG, GIF or WebP image');
}

/**
 * Checks and keeps an uploaded logo or favicon; the answer goes into the branding
 * settings as `{ assetId }`. Nothing is shown until the settings name it.
 */
export async function saveBrandImage(
  core: Core,
  bytes: Uint8Array,
  by?: Actor,
): Promise<{ assetId: string; contentType: BrandImageType }> {
  const contentType = checkBrandImage(bytes);
  const id = randomUUID();
  await core.store.saveBrandAsset({ id, contentType, bytes, createdAt: nowSeconds() });
  await audit(core, by, 'branding.image_uploaded', 'settings', id, {
    contentType,
    bytes: bytes.length,
  });
  return { assetId: id, contentType };
}

/** A stored brand image by id, or null (an id that is not a UUID finds nothing). */
export async function findBrandImage(core: Core, id: unknown): Promise<BrandAsset | null> {
  return isUuid(id) ? core.store.findBrandAsset(id.toLowerCase()) : null;
}
