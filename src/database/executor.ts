/** Runs a statement on the pool, or inside a caller's transaction (an EntityManager). */
export type Executor = { query: (sql: string, params: unknown[]) => Promise<unknown> };
