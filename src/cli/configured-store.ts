import { dirname, resolve } from "node:path";
import type { LoadedConfig } from "../config/load-config.js";
import { openStore, type Store } from "../store/open-store.js";

/** Opens (and migrates) the store a config names, runs `use`, and closes the store whatever happens. */
export async function withConfiguredStore<T>(
  loaded: LoadedConfig,
  use: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore(loaded.config.store, {
    baseDir: dirname(resolve(loaded.file)),
    env: process.env,
  });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}
