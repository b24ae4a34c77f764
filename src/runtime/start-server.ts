import { mkdir } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../api/app.ts";
import { seedBuiltins } from "../catalog/seed-builtins.ts";
import type { InletConfig } from "../config.ts";
import { openMetadataStore } from "../store/create-store.ts";
import type { MetadataStore } from "../store/metadata-store.ts";

export interface RunningServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly store: MetadataStore;
  close(): Promise<void>;
}

/** The composition root of `inlet serve`: store, built-ins, HTTP app, listening socket. */
export async function startServer(config: InletConfig, options: { logging?: boolean } = {}): Promise<RunningServer> {
  await mkdir(config.dataDir, { recursive: true });
  const store = await openMetadataStore(config.database);
  try {
    await seedBuiltins(store);
    const app = await buildApp({ config, store, logging: options.logging ?? true });
    const address = await app.listen({ port: config.port, host: config.host });
    return {
      url: address,
      app,
      store,
      close: async () => {
        await app.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
