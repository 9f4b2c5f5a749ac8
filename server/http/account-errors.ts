import type { Response } from 'express';
import { AccountError } from '../auth/accounts';

/**
 * Runs a route's account operation: an AccountError (a refusal the user can act on: a wrong password, a
 * name taken, a code expired) is answered with its status and message; any other error goes on to the
 * error handler.
 */
export async function answeringAccountErrors(res: Response, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (e) {
    if (e instanceof AccountError) return void res.status(e.status).json({ error: e.message });
    throw e;
  }
}
