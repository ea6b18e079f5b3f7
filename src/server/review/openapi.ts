import { z } from "zod";
import {
  type ApiRole,
  driftPageSchema,
  gateEvaluationSchema,
  latentReportSchema,
  mismatchDetailSchema,
  waiverSchema,
} from "../../contracts/index.js";
import type { RouteMethod } from "../auth/guarded-route.js";
import {
  cohortGateInput,
  cohortsInput,
  createWaiverInput,
  driftInput,
  gateEvaluationsInput,
  latentInput,
  metricsInput,
  mismatchInput,
  promoteInput,
  waiversInput,
} from "./request-schemas.js";
import {
  cohortListSchema,
  errorSchema,
  gateEvaluationPageSchema,
  promoteOutcomeSchema,
  promotionRefusedSchema,
  validationErrorSchema,
  waiverListSchema,
} from "./response-schemas.js";

// The OpenAPI 3.1 document of the review API. Paths and words are written here; every body
// schema and every parameter comes from the zod schemas the routes validate and answer with, so
// the two cannot drift apart silently (openapi tests check routes and document against each other).

type JsonSchema = { [key: string]: unknown };

/** Answers, in components.schemas, as the routes produce them. */
export const RESPONSE_SCHEMAS = {
  CohortList: cohortListSchema,
  GateEvaluation: gateEvaluationSchema,
  PromoteOutcome: promoteOutcomeSchema,
  DriftPage: driftPageSchema,
  LatentReport: latentReportSchema,
  MismatchDetail: mismatchDetailSchema,
  WaiverList: waiverListSchema,
  Waiver: waiverSchema,
  GateEvaluationPage: gateEvaluationPageSchema,
  ValidationError: validationErrorSchema,
  PromotionRefused: promotionRefusedSchema,
  Error: errorSchema,
} as const satisfies Record<string, z.ZodType>;

/** Request bodies, in components.schemas, as a caller may send them (defaults optional). */
export const REQUEST_SCHEMAS = {
  WaiverRequest: createWaiverInput.shape.body,
  PromoteRequest: promoteInput.shape.body,
} as const satisfies Record<string, z.ZodType>;

type ResponseName = keyof typeof RESPONSE_SCHEMAS;
type RequestName = keyof typeof REQUEST_SCHEMAS;

interface ParameterObject {
  name: string;
  in: "path" | "query";
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

interface ResponseObject {
  description: string;
  content?: Record<string, { schema: JsonSchema }>;
}

export interface OperationObject {
  summary: string;
  description: string;
  /** Roles that may call it (admin always may); empty for the open document route. */
  "x-roles": ApiRole[];
  security: Array<Record<string, string[]>>;
  parameters: ParameterObject[];
  requestBody?: { required: true; content: { "application/json": { schema: JsonSchema } } };
  responses: Record<string, ResponseObject>;
}

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  paths: Record<string, Partial<Record<RouteMethod, OperationObject>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, JsonSchema>;
  };
}

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), without the per-document `$schema`. */
export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output" = "output"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io });
  return rest;
}

/** The zod objects of one route's request: `{ params?, query?, body? }`. */
interface RouteInput {
  shape: { params?: z.ZodType; query?: z.ZodType; body?: z.ZodType };
}

interface OperationSpec {
  method: RouteMethod;
  roles: ApiRole[];
  summary: string;
  description: string;
  input: RouteInput;
  body?: RequestName;
  ok: { status: "200" | "201"; answer: ResponseObject };
  /** Refusals particular to this route, with what they mean here. */
  refusals?: Partial<Record<"404" | "409", ResponseObject>>;
  /** What a 503 means here; by default the store or the token's key set is unreachable. */
  unavailable?: string;
}

const ref = (name: ResponseName | RequestName): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const json = (name: ResponseName, description: string): ResponseObject => ({
  description,
  content: { "application/json": { schema: ref(name) } },
});

function operation(spec: OperationSpec): OperationObject {
  return {
    summary: spec.summary,
    description: `Roles: ${spec.roles.join(" or ")} (admin passes every role check). ${spec.description}`,
    "x-roles": spec.roles,
    security: [{ bearerAuth: [] }],
    parameters: parametersOf(spec.input),
    ...(spec.body
      ? { requestBody: { required: true, content: { "application/json": { schema: ref(spec.body) } } } }
      : {}),
    responses: responsesOf(spec),
  };
}

/** The route's own answers, then what the guards, the body parser and the store may answer. */
function responsesOf(spec: OperationSpec): Record<string, ResponseObject> {
  const responses: Record<string, ResponseObject> = {
    [spec.ok.status]: spec.ok.answer,
    "400": json("ValidationError", "invalid input; details lists each issue with where it is"),
    "401": json("Error", "no token, or the token was refused (details say why)"),
    "403": json("Error", `the token lacks the role: needs ${spec.roles.join(" or ")} or admin`),
  };
  Object.assign(responses, spec.refusals);
  if (spec.body) {
    responses["413"] = json("Error", "the body is larger than 16 KiB");
    responses["415"] = json("Error", "the body is not application/json");
  }
  if (spec.method !== "get")
    responses["429"] = json("Error", "over the write rate limit (writeRateLimitPerMinute); see Retry-After");
  responses["503"] = json(
    "Error",
    `${spec.unavailable ?? "the store or the token's key set cannot be reached now"}; see Retry-After`,
  );
  return responses;
}

function parametersOf(input: RouteInput): ParameterObject[] {
  return [...fieldsOf(input.shape.params, "path"), ...fieldsOf(input.shape.query, "query")];
}

/** Each property of a params or query object as an OpenAPI parameter, its description lifted out. */
function fieldsOf(schema: z.ZodType | undefined, where: "path" | "query"): ParameterObject[] {
  if (!schema) return [];
  const object = jsonSchemaOf(schema, "input") as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      // Path parameters are always required in OpenAPI; query ones as the schema says.
      required: where === "path" || (object.required ?? []).includes(name),
      ...(typeof description === "string" ? { description } : {}),
      schema: rest,
    };
  });
}

const unknownCohort = json("Error", "no such cohort in the config");

function paths(): OpenApiDocument["paths"] {
  return {
    "/api/v1/cohorts": {
      get: operation({
        method: "get",
        roles: ["reviewer"],
        summary: "Every cohort: stage, gate now, counts, statistics, trend",
        description:
          "Configured cohorts in config order, then unassigned. Each gate is decided now on the configured window and not recorded.",
        input: cohortsInput,
        ok: { status: "200", answer: json("CohortList", "the cohorts") },
      }),
    },
    "/api/v1/cohorts/{id}/gate": {
      get: operation({
        method: "get",
        roles: ["reviewer"],
        summary: "A cohort's gate, decided now, not recorded",
        description: "The window is the configured one ending now unless since or until are given.",
        input: cohortGateInput,
        ok: { status: "200", answer: json("GateEvaluation", "the gate evaluation (not recorded)") },
        refusals: { "404": unknownCohort },
      }),
      post: operation({
        method: "post",
        roles: ["gate"],
        summary: "Decide a cohort's gate and record it",
        description:
          "Appended to gate_evaluations as audit evidence, evaluatedBy the token's subject. Same window rules as the GET.",
        input: cohortGateInput,
        ok: { status: "201", answer: json("GateEvaluation", "the recorded gate evaluation") },
        refusals: { "404": unknownCohort },
      }),
    },
    "/api/v1/cohorts/{id}/promote": {
      post: operation({
        method: "post",
        roles: ["gate"],
        summary: "Move a cohort one stage (shadow, canary, live)",
        description:
          "A promotion evaluates and records the gate first and moves only on pass; a rollback always moves. The transition is recorded, then published to the stages topic. Skipping a stage is a 400.",
        input: promoteInput,
        body: "PromoteRequest",
        ok: {
          status: "200",
          answer: json(
            "PromoteOutcome",
            "moved, or unchanged (already there; the latest transition published again)",
          ),
        },
        refusals: {
          "404": unknownCohort,
          "409": json("PromotionRefused", "the gate did not pass: its evaluation, recorded"),
        },
        unavailable:
          "the store, the stages topic or the token's key set cannot be reached now (a transition recorded but not published says so: promote again)",
      }),
    },
    "/api/v1/drift": {
      get: operation({
        method: "get",
        roles: ["reviewer"],
        summary: "Mismatches grouped for triage, most severe and most frequent first",
        description:
          "Groups share cohort, kind, request path, legacy rule and policy reasons; unpaired findings are left out. Pages through the same findings: the first page fixes the end of the window.",
        input: driftInput,
        ok: { status: "200", answer: json("DriftPage", "one page of drift groups") },
      }),
    },
    "/api/v1/latent": {
      get: operation({
        method: "get",
        roles: ["reviewer"],
        summary:
          "Latent entitlement drift: modelled differences per cohort, and whether traffic exercised them",
        description:
          "Every principal seen is evaluated under both models over the configured action x resource type x scenario matrix (docs/latent.md), under the deployed policy bundle and legacy rules. Latent over-permissions first. 404 when the config has no latent section.",
        input: latentInput,
        ok: {
          status: "200",
          answer: json("LatentReport", "the cohort's (or every cohort's) modelled differences"),
        },
      }),
    },
    "/api/v1/mismatches/{pairId}": {
      get: operation({
        method: "get",
        roles: ["reviewer"],
        summary: "One stored pair: both decisions side by side, its findings",
        description: "Identifiers are pseudonymized.",
        input: mismatchInput,
        ok: { status: "200", answer: json("MismatchDetail", "the pair") },
        refusals: { "404": json("Error", "no such stored pair (or past retention)") },
      }),
    },
    "/api/v1/waivers": {
      get: operation({
        method: "get",
        roles: ["reviewer"],
        summary: "Waivers, expired ones included",
        description: "Append-only: a waiver is never changed.",
        input: waiversInput,
        ok: { status: "200", answer: json("WaiverList", "the waivers") },
      }),
      post: operation({
        method: "post",
        roles: ["approver"],
        summary: "File a waiver: an accepted difference, until it expires",
        description:
          "createdBy is the token's subject (the body cannot set it). Refused with 400: expiresAt not in the future or more than a year ahead, an unknown cohort, over_permission without allowOverPermission.",
        input: createWaiverInput,
        body: "WaiverRequest",
        ok: { status: "201", answer: json("Waiver", "the stored waiver") },
      }),
    },
    "/api/v1/gate-evaluations": {
      get: operation({
        method: "get",
        roles: ["reviewer"],
        summary: "Recorded gate evaluations, newest first",
        description: "The audit trail of gate decisions (POST .../gate, promotions, the gate command).",
        input: gateEvaluationsInput,
        ok: { status: "200", answer: json("GateEvaluationPage", "one page of evaluations") },
      }),
    },
    "/metrics": {
      get: operation({
        method: "get",
        roles: ["reviewer"],
        summary: "Prometheus metrics",
        description: "Text exposition format; process and Node.js metrics for now.",
        input: metricsInput,
        ok: {
          status: "200",
          answer: {
            description: "the metrics",
            content: { "text/plain; version=0.0.4": { schema: { type: "string" } } },
          },
        },
        unavailable: "the token's key set cannot be fetched now",
      }),
    },
    "/api/v1/openapi.json": {
      get: {
        summary: "This document",
        description: "Open: no token needed. It describes the API and holds no data.",
        "x-roles": [],
        security: [],
        parameters: [],
        responses: {
          "200": {
            description: "the OpenAPI 3.1 document",
            content: { "application/json": { schema: { type: "object" } } },
          },
        },
      },
    },
  };
}

/** The document served at GET /api/v1/openapi.json. */
export function reviewOpenApiDocument(): OpenApiDocument {
  const schemas: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(RESPONSE_SCHEMAS)) schemas[name] = jsonSchemaOf(schema);
  for (const [name, schema] of Object.entries(REQUEST_SCHEMAS)) schemas[name] = jsonSchemaOf(schema, "input");
  return {
    openapi: "3.1.0",
    info: {
      title: "entitlement-diff review API",
      version: "1",
      description:
        "Cohorts, gates, promotions, drift, mismatches and waivers of a CIAM migration. Errors are JSON { error, details }. See docs/api.md.",
    },
    paths: paths(),
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "A JWT of the configured issuer and audience with the roles at rolesClaim; server-rendered pages send the same token in the ed_token cookie.",
        },
      },
    },
  };
}
