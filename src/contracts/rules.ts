import { z } from "zod";
import { conditionsSchema } from "./conditions.js";

const nameList = z.array(z.string().min(1)).min(1);

export const legacyRuleSchema = z
  .object({
    id: z.string().min(1).max(200),
    effect: z.enum(["allow", "deny"]),
    roles: nameList,
    actions: nameList,
    resources: nameList,
    when: conditionsSchema.optional(),
    description: z.string().optional(),
  })
  .strict();
export type LegacyRule = z.infer<typeof legacyRuleSchema>;

export const legacyRulesFileSchema = z
  .object({
    version: z.literal(1),
    roleClaim: z.string().min(1).default("roles"),
    rules: z.array(legacyRuleSchema),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.rules.forEach((rule, index) => {
      const first = seen.get(rule.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["rules", index, "id"],
          message: `duplicate rule id "${rule.id}" (first at rules[${first}])`,
        });
      } else seen.set(rule.id, index);
    });
  });
export type LegacyRulesFile = z.infer<typeof legacyRulesFileSchema>;

/** What the legacy model decided, and which rule decided it (null: default deny, no rule matched). */
export interface LegacyDecision {
  allow: boolean;
  ruleId: string | null;
}
