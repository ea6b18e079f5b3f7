// The store's section of the config is a public contract: it lives with the others.
export * from "../contracts/store-config.js";
