import { z } from 'zod';
import { email, password } from '../../../core/inputs';
import { defineEndpoint } from '../endpoint';
import { metadata } from '../fields';
import { createdUser } from '../wire-schemas';

const name = z.string().max(100, 'must be at most 100 characters');

const body = z
  .object({
    email,
    email_confirmed: z.boolean().optional(),
    password: password.optional(),
    ask_user_to_update_password_on_login: z.boolean().optional(),
    username: name.optional(),
    first_name: name.optional(),
    last_name: name.optional(),
    properties: metadata.optional(),
    // Accepted for PropelAuth compatibility: Latchkey sends no email and has no domain rules.
    send_email_to_confirm_email_address: z
      .boolean()
      .refine((v) => !v, 'is not supported: Latchkey does not send email')
      .optional(),
    ignore_domain_restrictions: z.boolean().optional(),
  })
  .strict();

export const createUser = defineEndpoint({
  method: 'post',
  path: '/user/',
  operationId: 'createUser',
  summary: 'Create an end user (emails are unique, case-insensitively)',
  tag: 'Users',
  body,
  response: createdUser,
  errors: [400],
  fieldNames: {
    metadata: 'properties',
    updatePasswordRequired: 'ask_user_to_update_password_on_login',
  },
  run: async (lk, { body: b, by }) => {
    const user = await lk.createUser(
      {
        email: b.email,
        password: b.password,
        emailConfirmed: b.email_confirmed,
        updatePasswordRequired: b.ask_user_to_update_password_on_login,
        username: b.username,
        firstName: b.first_name,
        lastName: b.last_name,
        metadata: b.properties,
      },
      by,
    );
    return { user_id: user.id };
  },
});
