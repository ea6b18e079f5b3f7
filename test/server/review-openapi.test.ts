import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type OperationObject,
  REQUEST_SCHEMAS,
  RESPONSE_SCHEMAS,
  reviewOpenApiDocument,
} from "../../src/server/review/openapi.js";
import {
  type Caller,
  type ReviewApiHarness,
  routesOver,
  startOverUnreachableStore,
  startReviewApi,
} from "./review-api-kit.js";

// No JSON Schema validator is installed: answers are validated with the zod schemas the document
// was generated from, and the document is checked to hold exactly those schemas' JSON Schema.

const doc = reviewOpenApiDocument();
const openApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, "{$1}");
const withoutDialect = (schema: object) => {
  const { $schema: _dialect, ...rest } = schema as Record<string, unknown>;
  return rest;
};

let h: ReviewApiHarness;
let down: Awaited<ReturnType<typeof startOverUnreachableStore>>;
beforeAll(async () => {
  h = await startReviewApi();
  down = await startOverUnreachableStore();
  // Something in every list and every nullable field, so their item schemas are exercised too.
  await h.post("/api/v1/cohorts/nurses/promote", { to: "canary" }, "gate");
  await h.post("/api/v1/cohorts/doctors/gate", undefined, "gate");
  await h.post("/api/v1/waivers", waiverRequest(), "approver");
});
afterAll(async () => {
  await Promise.all([h.close(), down.close()]);
});

function waiverRequest() {
  return {
    owner: "clinical-systems",
    reason: "proxy access is dropped on purpose",
    ticket: "SEC-42",
    scope: { cohort: "doctors", kind: "under_permission" },
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  };
}

function operations(): Array<{ path: string; method: string; op: OperationObject }> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op: op as OperationObject })),
  );
}

/** Checks a JSON answer against the schema its documented response names. */
async function expectDocumented(op: OperationObject, status: number, r: Response): Promise<void> {
  expect(r.status).toBe(status);
  const content = op.responses[String(status)]?.content?.["application/json"];
  const name = String(content?.schema.$ref).replace("#/components/schemas/", "");
  const schema = RESPONSE_SCHEMAS[name as keyof typeof RESPONSE_SCHEMAS];
  expect(schema, `${status} documents a known schema`).toBeDefined();
  const body: unknown = await r.json();
  // zod drops keys it does not know: equal after parsing means nothing undocumented was sent.
  expect(schema.parse(body)).toEqual(body);
}

describe("the OpenAPI document", () => {
  it("is served without a token, as built", async () => {
    const r = await h.get("/api/v1/openapi.json", "none");
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it("documents every mounted route with its roles, and nothing that is not mounted", () => {
    const routes = routesOver();
    const mounted = [...routes.map((r) => `${r.method} ${openApiPath(r.path)}`), "get /api/v1/openapi.json"];
    expect(
      operations()
        .map((o) => `${o.method} ${o.path}`)
        .sort(),
    ).toEqual(mounted.sort());
    for (const route of routes) {
      const op = doc.paths[openApiPath(route.path)]?.[route.method];
      expect(op?.["x-roles"]).toEqual(route.roles);
      expect(op?.description).toMatch(new RegExp(`^Roles: ${route.roles.join(" or ")} \\(admin`));
      expect(op?.security).toEqual([{ bearerAuth: [] }]);
    }
    expect(doc.paths["/api/v1/openapi.json"]?.get).toMatchObject({ security: [], "x-roles": [] });
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
    });
  });

  it("names each path's parameters, and holds the JSON Schema of each zod schema it was built from", () => {
    for (const { path, op } of operations()) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(op.parameters.filter((p) => p.in === "path").map((p) => p.name)).toEqual(inPath);
    }
    for (const [name, schema] of Object.entries(RESPONSE_SCHEMAS))
      expect(doc.components.schemas[name], name).toEqual(withoutDialect(z.toJSONSchema(schema)));
    for (const [name, schema] of Object.entries(REQUEST_SCHEMAS))
      expect(doc.components.schemas[name], name).toEqual(
        withoutDialect(z.toJSONSchema(schema, { io: "input" })),
      );
    const refs = [...JSON.stringify(doc.paths).matchAll(/"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]);
    for (const name of refs) expect(Object.keys(doc.components.schemas)).toContain(name);
  });

  it("describes every answer of the GET routes: real answers match the documented schemas", async () => {
    const sample: Record<string, string> = {
      "/api/v1/cohorts": "/api/v1/cohorts",
      "/api/v1/cohorts/{id}/gate": "/api/v1/cohorts/doctors/gate",
      "/api/v1/drift": "/api/v1/drift?cohort=doctors",
      "/api/v1/latent": "/api/v1/latent",
      "/api/v1/mismatches/{pairId}": `/api/v1/mismatches/${h.pairId}`,
      "/api/v1/waivers": "/api/v1/waivers",
      "/api/v1/gate-evaluations": "/api/v1/gate-evaluations",
      "/metrics": "/metrics",
    };
    const missing: Record<string, string> = {
      "/api/v1/cohorts/{id}/gate": "/api/v1/cohorts/pilots/gate",
      "/api/v1/mismatches/{pairId}": `/api/v1/mismatches/${"0".repeat(64)}`,
    };
    const gets = operations().filter((o) => o.method === "get" && o.path !== "/api/v1/openapi.json");
    expect(gets.map((o) => o.path).sort()).toEqual(Object.keys(sample).sort());
    for (const { path, op } of gets) {
      const base = sample[path] as string;
      const call = (url: string, caller: Caller = "reviewer") => h.get(url, caller);
      const answers: Record<string, () => Promise<Response>> = {
        "200": () => call(base),
        "400": () => call(`${base}${base.includes("?") ? "&" : "?"}unexpected=1`),
        "401": () => call(base, "none"),
        "403": () => call(base, "ingest"),
        "404": () => call(missing[path] as string),
        "503": () => down.get(base),
      };
      for (const status of Object.keys(op.responses)) {
        // /metrics reads no store: its 503 comes only from an unreachable key set (app-auth tests).
        if (path === "/metrics" && status === "503") continue;
        const answer = answers[status];
        expect(answer, `${path} ${status} has a sample request`).toBeDefined();
        const r = await (answer as () => Promise<Response>)();
        if (path === "/metrics" && status === "200") {
          expect(r.status).toBe(200);
          expect(r.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
          expect(Object.keys(op.responses["200"]?.content ?? {})).toEqual(["text/plain; version=0.0.4"]);
          continue;
        }
        await expectDocumented(op, Number(status), r);
      }
    }
  });

  it("describes the answers of the write routes too", async () => {
    const op = (path: string) => doc.paths[path]?.post as OperationObject;
    await expectDocumented(
      op("/api/v1/cohorts/{id}/gate"),
      201,
      await h.post("/api/v1/cohorts/nurses/gate", undefined, "gate"),
    );
    const promote = op("/api/v1/cohorts/{id}/promote");
    await expectDocumented(
      promote,
      200,
      await h.post("/api/v1/cohorts/nurses/promote", { to: "canary" }, "gate"),
    );
    await expectDocumented(
      promote,
      409,
      await h.post("/api/v1/cohorts/porters/promote", { to: "canary" }, "gate"),
    );
    await expectDocumented(
      promote,
      400,
      await h.post("/api/v1/cohorts/porters/promote", { to: "live" }, "gate"),
    );
    await expectDocumented(
      op("/api/v1/waivers"),
      201,
      await h.post("/api/v1/waivers", waiverRequest(), "approver"),
    );
  });
});
