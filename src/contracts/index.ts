export * from "./conditions.js";
export * from "./config.js";
export * from "./event.js";
export * from "./findings.js";
export * from "./gate.js";
export * from "./report.js";
export * from "./rules.js";
export * from "./store-config.js";
