/** Items by key, each group in input order, groups in order of first appearance (Map.groupBy is Node 21+). */
export function groupBy<T, K = string>(items: Iterable<T>, key: (t: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = m.get(k);
    if (list) list.push(item);
    else m.set(k, [item]);
  }
  return m;
}
