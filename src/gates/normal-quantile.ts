// biome-ignore-all lint/correctness/noPrecisionLoss: AS241 coefficients as published (20 digits), rounded to double by the parser
/**
 * Inverse of the standard normal CDF: the z with P(Z <= z) = p.
 *
 * Wichura's Algorithm AS241 (PPND16, Applied Statistics 37(3), 1988): rational approximations
 * accurate to about 1e-16 relative, with no iteration and no dependence on an erf implementation
 * (JavaScript has none). The same algorithm backs Python's statistics.NormalDist.inv_cdf and R's qnorm.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) return q * central(0.180625 - q * q);
  const tail = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  const z = tail <= 5 ? intermediateTail(tail - 1.6) : farTail(tail - 5);
  return q < 0 ? -z : z;
}

/** Horner evaluation; coefficients from the highest power down. */
function polynomial(coefficients: readonly number[], x: number): number {
  return coefficients.reduce((acc, c) => acc * x + c, 0);
}

/** |p - 0.5| <= 0.425. */
function central(r: number): number {
  return (
    polynomial(
      [
        2.5090809287301226727e3, 3.3430575583588128105e4, 6.7265770927008700853e4, 4.5921953931549871457e4,
        1.3731693765509461125e4, 1.9715909503065514427e3, 1.3314166789178437745e2, 3.387132872796366608,
      ],
      r,
    ) /
    polynomial(
      [
        5.226495278852854561e3, 2.8729085735721942674e4, 3.930789580009271061e4, 2.1213794301586595867e4,
        5.3941960214247511077e3, 6.871870074920579083e2, 4.2313330701600911252e1, 1,
      ],
      r,
    )
  );
}

/** sqrt(-log(min(p, 1-p))) in (0.425-tail, 5]: down to p ~ 1.4e-11. */
function intermediateTail(r: number): number {
  return (
    polynomial(
      [
        7.7454501427834140764e-4, 2.27238449892691845833e-2, 2.4178072517745061177e-1, 1.27045825245236838258,
        3.64784832476320460504, 5.7694972214606914055, 4.6303378461565452959, 1.42343711074968357734,
      ],
      r,
    ) /
    polynomial(
      [
        1.05075007164441684324e-9, 5.475938084995344946e-4, 1.51986665636164571966e-2,
        1.4810397642748007459e-1, 6.8976733498510000455e-1, 1.6763848301838038494, 2.05319162663775882187, 1,
      ],
      r,
    )
  );
}

/** The far tails, p below ~1.4e-11. */
function farTail(r: number): number {
  return (
    polynomial(
      [
        2.01033439929228813265e-7, 2.71155556874348757815e-5, 1.2426609473880784386e-3,
        2.6532189526576123093e-2, 2.9656057182850489123e-1, 1.7848265399172913358, 5.4637849111641143699,
        6.6579046435011037772,
      ],
      r,
    ) /
    polynomial(
      [
        2.04426310338993978564e-15, 1.4215117583164458887e-7, 1.8463183175100546818e-5,
        7.868691311456132591e-4, 1.48753612908506148525e-2, 1.3692988092273580531e-1,
        5.9983220655588793769e-1, 1,
      ],
      r,
    )
  );
}
