// Prisma CLI configuration: the WebAssembly engines (no binary download on this network)
// and the same SQLite adapter the product uses.
import path from 'node:path';
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: path.join('prisma', 'schema.prisma'),
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    const { PrismaBetterSQLite3 } = await import('@prisma/adapter-better-sqlite3');
    return new PrismaBetterSQLite3({ url: process.env['PRISMA_CLI_DB'] ?? 'file:./var/prisma-cli.db' });
  },
});
