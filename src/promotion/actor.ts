/**
 * Who ran a gate or a promotion, for the audit trail: an explicit name first, then what CI
 * systems and shells say about the user. Never empty.
 */
export function actorFromEnv(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const candidates = [
    explicit,
    env.ENTITLEMENT_DIFF_ACTOR,
    env.GITHUB_ACTOR && `github:${env.GITHUB_ACTOR}`,
    env.GITLAB_USER_LOGIN && `gitlab:${env.GITLAB_USER_LOGIN}`,
    env.USER,
    env.LOGNAME,
  ];
  return (
    candidates.find((c): c is string => typeof c === "string" && c.trim().length > 0)?.trim() ?? "unknown"
  );
}
