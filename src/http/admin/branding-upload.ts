import express, { type RequestHandler } from 'express';
import { LatchkeyError } from '../../core/errors';
import { MAX_BRAND_IMAGE_BYTES } from '../../core/branding-images';

/** A little over the image limit, for the form's other fields and the part headers. */
const BODY_LIMIT = MAX_BRAND_IMAGE_BYTES + 16 * 1024;

interface Multipart {
  fields: Record<string, string>;
  files: Record<string, Buffer>;
}

/** Reads a multipart/form-data body (the image upload form: a few fields and one file). */
export function parseMultipart(body: Buffer, contentType: string): Multipart {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!match) throw new LatchkeyError('invalid_input', 'The upload could not be read.');
  const boundary = Buffer.from(`--${match[1] ?? match[2]}`);
  const out: Multipart = { fields: Object.create(null), files: Object.create(null) };
  let at = body.indexOf(boundary);
  while (at !== -1) {
    const start = at + boundary.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const headersEnd = body.indexOf('\r\n\r\n', start);
    const end =
      headersEnd === -1 ? -1 : body.indexOf(Buffer.from(`\r\n${boundary.toString()}`), headersEnd);
    if (end === -1) throw new LatchkeyError('invalid_input', 'The upload could not be read.');
    const headers = body.subarray(start + 2, headersEnd).toString('utf8');
    const name = /\bname="([^"]*)"/i.exec(headers)?.[1];
    const content = body.subarray(headersEnd + 4, end);
    if (name && /\bfilename="/i.test(headers)) out.files[name] = Buffer.from(content);
    else if (name) out.fields[name] = content.toString('utf8');
    at = end + 2;
  }
  return out;
}

/**
 * Before the page machinery: reads an image upload so its CSRF token and form id sit in
 * `req.body` like any form's, and the file in `res.locals.uploadedFiles`.
 */
export function imageUploadBody(): RequestHandler[] {
  return [
    express.raw({ type: 'multipart/form-data', limit: BODY_LIMIT }),
    (req, res, next) => {
      if (!Buffer.isBuffer(req.body)) return next();
      const { fields, files } = parseMultipart(req.body, req.headers['content-type'] ?? '');
      req.body = fields;
      res.locals.uploadedFiles = files;
      next();
    },
  ];
}
