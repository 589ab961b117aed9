/**
 * The standard normal distribution to (near) double precision: Φ by W. J. Cody's rational Chebyshev
 * approximations (ACM TOMS Algorithm 715, the method behind R's `pnorm`) and Φ⁻¹ by M. J. Wichura's
 * AS 241 PPND16 (Applied Statistics 37(3), 1988, the method behind R's `qnorm`).
 *
 * Why not simple-statistics: its `cumulativeStdNormalProbability` is a table lookup with ~1e-4
 * resolution, and its `probit` uses a low-order inverse-erf approximation. The Deflated Sharpe Ratio
 * feeds Φ⁻¹(1 − 1/N) into a benchmark and then Φ of a z-score into a probability near 0 or 1, so
 * both directions need full precision in the tails.
 */

/** 1 / √(2π). */
const INV_SQRT_2PI = 0.398942280401432677939946059934;
/** √32: Cody's boundary between the middle and the asymptotic (tail) approximation. */
const SQRT_32 = 5.656854249492380195206754896838;
/** Below this Φ(x) underflows the smallest subnormal double; above −this, 1 − Φ(x) rounds to 0. */
const LOWER_CUTOFF = -38.5;
const UPPER_CUTOFF = 8.3;

// Cody (1993), |x| ≤ 0.67448975: Φ(x) = 1/2 + x·A(x²)/B(x²).
const A = [2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249, 0.065682337918207449113];
const B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956];
// Cody, 0.67448975 < |x| ≤ √32: Φ(−|x|) = exp(−x²/2)·C(|x|)/D(|x|).
const C = [
  0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226,
  2494.5375852903726711, 6848.1904505362823326, 11602.651437647350124, 9842.7148383839780218,
  1.0765576773720192317e-8,
];
const D = [
  22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755,
  18615.571640885098091, 34900.952721145977266, 38912.003286093271411, 19685.429676859990727,
];
// Cody, |x| > √32: Φ(−|x|) = exp(−x²/2)/|x| · (1/√(2π) − P(1/x²)/(x²·Q(1/x²))).
const P = [0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303];
const Q = [1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5];

/**
 * exp(−y²/2) without the cancellation error of squaring a large y: split y = ys + (y − ys) with ys
 * a multiple of 1/16 (exactly squarable), as Cody and R do. Relative error stays ~1 ulp even for
 * y ≈ 38 where y² has lost its last bits.
 */
function halfGaussianExp(y: number): number {
  const ys = Math.trunc(y * 16) / 16;
  const del = (y - ys) * (y + ys);
  return Math.exp(-ys * ys * 0.5) * Math.exp(-del * 0.5);
}

/**
 * The standard normal cumulative distribution function Φ(x) = P(Z ≤ x), Z ~ N(0, 1).
 *
 * Relative error about 1e-15 over the whole range, including the lower tail down to the smallest
 * subnormal (x ≈ −38.4); returns exactly 0 below −38.5 and exactly 1 above 8.3 (where 1 − Φ is
 * below half an ulp of 1). NaN in → NaN out; ±Infinity → 1 or 0.
 *
 * @param x a z-score (dimensionless).
 * @returns a probability in [0, 1].
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const y = Math.abs(x);
  if (y <= 0.67448975) {
    // Near the centre Φ is close to 1/2, so the additive form keeps full absolute precision.
    const xsq = x * x;
    let num = A[4] * xsq;
    let den = xsq;
    for (let i = 0; i < 3; i++) {
      num = (num + A[i]) * xsq;
      den = (den + B[i]) * xsq;
    }
    return 0.5 + (x * (num + A[3])) / (den + B[3]);
  }
  if (x < LOWER_CUTOFF) return 0;
  if (x > UPPER_CUTOFF) return 1;
  let tail: number; // Φ(−|x|), computed directly so the small side never suffers cancellation
  if (y <= SQRT_32) {
    let num = C[8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]) * y;
      den = (den + D[i]) * y;
    }
    tail = halfGaussianExp(y) * ((num + C[7]) / (den + D[7]));
  } else {
    const xsq = 1 / (x * x);
    let num = P[5] * xsq;
    let den = xsq;
    for (let i = 0; i < 4; i++) {
      num = (num + P[i]) * xsq;
      den = (den + Q[i]) * xsq;
    }
    const r = (xsq * (num + P[4])) / (den + Q[4]);
    tail = (halfGaussianExp(y) * (INV_SQRT_2PI - r)) / y;
  }
  return x > 0 ? 1 - tail : tail;
}

// Wichura AS 241 (PPND16) coefficients, ascending powers.
const AS241_A = [3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125, 45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727];
const AS241_B = [1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867, 39307.89580009271061, 28729.085735721942674, 5226.495278852854561];
const AS241_C = [1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504, 1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4];
const AS241_D = [1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9];
const AS241_E = [6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123, 0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7];
const AS241_F = [1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15];

/** Ratio of two degree-7 polynomials with ascending coefficients, by Horner. */
function rational7(num: readonly number[], den: readonly number[], r: number): number {
  let n = num[7];
  let d = den[7];
  for (let i = 6; i >= 0; i--) {
    n = n * r + num[i];
    d = d * r + den[i];
  }
  return n / d;
}

/**
 * The standard normal quantile function Φ⁻¹(p): the z with Φ(z) = p.
 *
 * Relative error about 1e-16 for p in (0, 1), including p down to the smallest subnormal.
 * Φ⁻¹(0) = −Infinity and Φ⁻¹(1) = +Infinity (the mathematical limits).
 *
 * @param p a probability in [0, 1].
 * @returns a z-score (dimensionless).
 * @throws RangeError when p is NaN or outside [0, 1] — a probability out of range is a caller bug.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`normalQuantile: p must be in [0, 1], got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) return q * rational7(AS241_A, AS241_B, 0.180625 - q * q);
  // Work with the smaller tail probability so 1 − p never loses the digits that matter.
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let z: number;
  if (r <= 5) {
    r -= 1.6;
    z = rational7(AS241_C, AS241_D, r);
  } else {
    r -= 5;
    z = rational7(AS241_E, AS241_F, r);
  }
  return q < 0 ? -z : z;
}

/**
 * The standard normal density φ(x) = exp(−x²/2)/√(2π).
 *
 * @param x a z-score (dimensionless).
 * @returns the density (per unit of x), ≥ 0.
 */
export function normalPdf(x: number): number {
  return INV_SQRT_2PI * halfGaussianExp(Math.abs(x));
}
