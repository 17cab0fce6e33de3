/**
 * Platt scaling: turning a model's scores into probabilities with a logistic
 * fit on rows the model was not trained on.
 */

/** A fitted Platt sigmoid: p = 1 / (1 + e^−(a·score + b)). */
export interface Platt {
  a: number;
  b: number;
}

const softplus = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * Platt scaling (Platt 1999, "Probabilistic outputs for support vector
 * machines"): a logistic fit of labels on scores, with his smoothed targets
 * (N₊+1)/(N₊+2) and 1/(N₋+2), by Newton's method with step halving.
 */
export function fitPlatt(scores: number[], labels: number[]): Platt {
  const nPos = labels.filter((v) => v === 1).length;
  const nNeg = labels.length - nPos;
  const tPos = (nPos + 1) / (nPos + 2);
  const tNeg = 1 / (nNeg + 2);
  const t = labels.map((v) => (v === 1 ? tPos : tNeg));
  const loss = (a: number, b: number): number =>
    scores.reduce((s, x, i) => {
      const z = a * x + b;
      return s + t[i]! * softplus(-z) + (1 - t[i]!) * softplus(z);
    }, 0);
  let a = 0;
  let b = Math.log((nPos + 1) / (nNeg + 1));
  let f = loss(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-12;
    let hab = 0;
    let hbb = 1e-12;
    scores.forEach((x, i) => {
      const p = sigmoid(a * x + b);
      const d = p - t[i]!;
      const w = p * (1 - p);
      ga += d * x;
      gb += d;
      haa += w * x * x;
      hab += w * x;
      hbb += w;
    });
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 1e-300)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    let step = 1;
    let improved = false;
    while (step > 1e-10) {
      const fa = loss(a - step * da, b - step * db);
      if (fa < f) {
        a -= step * da;
        b -= step * db;
        improved = Math.abs(f - fa) > 1e-12 * Math.max(1, Math.abs(f));
        f = fa;
        break;
      }
      step /= 2;
    }
    if (!improved) break;
  }
  return { a, b };
}

/** Apply a Platt fit to a score. */
export function applyPlatt(platt: Platt, score: number): number {
  return sigmoid(platt.a * score + platt.b);
}
