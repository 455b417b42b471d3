import { z } from 'zod';
import { MAX_PAGE_SIZE } from '../../core/paging';
import { expirySeconds, metadata as metadataSchema, uuid } from '../../core/inputs';

/** Request fields shared by several endpoints, as they arrive on the wire. */

export { uuid };
export const metadata = metadataSchema;

export const expiresAtSeconds = expirySeconds;

/** Query values arrive as strings. */
export const wholeNumber = z
  .string()
  .regex(/^\d{1,9}$/, 'must be a whole number')
  .transform(Number);

export const booleanFlag = z.enum(['true', 'false'], { message: 'must be true or false' });

export const pageQuery = {
  page_size: wholeNumber
    .refine((n) => n >= 1 && n <= MAX_PAGE_SIZE, `must be from 1 to ${MAX_PAGE_SIZE}`)
    .optional(),
  page_number: wholeNumber.optional(),
};

/** `metadata` may come as an object or (as PropelAuth's update type declares it) a JSON string. */
export const metadataOrJsonString = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}, metadataSchema);
