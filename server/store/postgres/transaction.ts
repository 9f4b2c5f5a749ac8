import type pg from 'pg';

/**
 * Runs `work` in one transaction on a client of the pool: COMMIT when it resolves, ROLLBACK when it throws
 * (the error is rethrown; a failed ROLLBACK does not hide it). The client goes back to the pool either way.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
