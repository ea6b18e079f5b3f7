import { z } from "zod";

/**
 * The condition language shared by legacy rules (`when`, left side = request path) and
 * cohorts (`when`, left side = claim path of the legacy token). See docs/rules.md.
 *
 * A right-hand side is a JSON literal or a reference `$token.<claim path>`.
 */
export const scalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type Scalar = z.infer<typeof scalarSchema>;

export const operandSchema = z.union([scalarSchema, z.array(scalarSchema)]);
export type Operand = z.infer<typeof operandSchema>;

export const operatorSchema = z
  .object({
    equals: operandSchema.optional(),
    notEquals: operandSchema.optional(),
    in: z.union([z.array(scalarSchema), z.string()]).optional(),
    notIn: z.union([z.array(scalarSchema), z.string()]).optional(),
    contains: scalarSchema.optional(),
    containsAny: z.union([z.array(scalarSchema), z.string()]).optional(),
    exists: z.boolean().optional(),
  })
  .strict()
  .refine((o) => Object.keys(o).length === 1, {
    message:
      "a condition has exactly one operator: equals, notEquals, in, notIn, contains, containsAny or exists",
  });
export type Operator = z.infer<typeof operatorSchema>;

/** `path: literal` is the short form of `path: { equals: literal }`. */
export const conditionSchema = z.union([scalarSchema, operatorSchema]);
export type Condition = z.infer<typeof conditionSchema>;

export const conditionsSchema = z.record(z.string().min(1), conditionSchema);
export type Conditions = z.infer<typeof conditionsSchema>;

export const TOKEN_REF_PREFIX = "$token.";
