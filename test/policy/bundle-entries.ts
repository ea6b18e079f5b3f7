import { readFileSync } from "node:fs";
import { readTarGz } from "../../src/policy/bundle-archive.js";

/**
 * Entry-by-entry differences between two bundles: names present in only one, and names whose
 * bytes differ. Comparing entries rather than the .tar.gz bytes keeps the check independent of
 * the gzip encoder of the Go toolchain OPA was built with.
 */
export function bundleDifferences(expectedFile: string, actualFile: string): string[] {
  const expected = readTarGz(readFileSync(expectedFile), expectedFile);
  const actual = readTarGz(readFileSync(actualFile), actualFile);
  const names = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  return names.flatMap((name) => {
    const [a, b] = [expected.get(name), actual.get(name)];
    if (!a) return [`${name}: only in ${actualFile}`];
    if (!b) return [`${name}: only in ${expectedFile}`];
    return a.equals(b) ? [] : [`${name}: contents differ (${a.length} vs ${b.length} bytes)`];
  });
}
