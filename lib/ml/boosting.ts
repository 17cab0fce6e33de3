/**
 * A histogram-based gradient-boosted tree classifier for 0/1 labels: the
 * method of XGBoost's `hist` tree method and LightGBM (Chen & Guestrin 2016,
 * "XGBoost: A Scalable Tree Boosting System", KDD; Ke et al. 2017,
 * "LightGBM", NeurIPS), reduced to what the injury models use.
 *
 * Logistic loss; each round fits a depth-limited tree to the gradient
 * g = p − y and hessian h = p(1 − p). Features are cut into at most `maxBins`
 * quantile bins once, so a node's best split is found from per-bin sums of g
 * and h (a histogram) instead of by sorting its rows; a child's histogram is
 * its parent's minus its sibling's. Split gain and leaf weight are XGBoost's:
 * gain = G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ), weight = −G/(H+λ) × η.
 *
 * Written for this project because no maintained npm package was fast enough
 * at the runners' cohort protocol's size (see README, "Injury risk").
 */
import { seededRandom } from '../core/random.ts';

/** Boosting hyper-parameters; every field has a default. */
export interface BoostingOptions {
  /** Boosting rounds (trees) (256). */
  nEstimators?: number;
  /** Shrinkage η of each tree's weights (0.05). */
  learningRate?: number;
  /** Deepest split level of a tree (3). */
  maxDepth?: number;
  /** Fewest summed hessian in a child (XGBoost's min_child_weight, 1). */
  minChildWeight?: number;
  /** L2 penalty λ on leaf weights (1). */
  lambda?: number;
  /** Bins per feature, at most 256 (64). */
  maxBins?: number;
  /** Share of rows each tree sees, drawn without replacement (1). */
  subsample?: number;
  /** Share of features each tree may split on (1). */
  colsampleByTree?: number;
  /** Seed of the row and feature draws (42). */
  seed?: number;
}

/** BoostingOptions with the defaults filled in. */
export type ResolvedBoostingOptions = Required<BoostingOptions>;

/** The defaults of `BoostingOptions`. */
export const BOOSTING_DEFAULTS: ResolvedBoostingOptions = {
  nEstimators: 256,
  learningRate: 0.05,
  maxDepth: 3,
  minChildWeight: 1,
  lambda: 1,
  maxBins: 64,
  subsample: 1,
  colsampleByTree: 1,
  seed: 42,
};

/**
 * One tree, as parallel arrays over its nodes (node 0 is the root). An inner
 * node sends a row left when x[feature] ≤ threshold; a leaf has feature −1
 * and its weight in `value`.
 */
export interface TreeJSON {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

/** A trained model as JSON. */
export interface BoostingJSON {
  format: 'gradient-boosting/1';
  options: ResolvedBoostingOptions;
  nFeatures: number;
  /** Log-odds every prediction starts from. */
  baseScore: number;
  /** Total split gain per feature. */
  gain: number[];
  trees: TreeJSON[];
}

/** Throws naming the row and column when X is not a finite rectangular matrix or y is not 0/1 of the same length. */
function checkData(X: readonly (readonly number[])[], y?: readonly number[]): number {
  if (X.length === 0) throw new RangeError('boosting: no rows');
  const width = X[0]!.length;
  X.forEach((row, i) => {
    if (row.length !== width) throw new RangeError(`boosting: row ${i} has ${row.length} features, expected ${width}`);
    for (let j = 0; j < width; j++) {
      if (!Number.isFinite(row[j]!)) throw new RangeError(`boosting: row ${i}, feature ${j} is ${row[j]}; impute missing values first`);
    }
  });
  if (y) {
    if (y.length !== X.length) throw new RangeError(`boosting: ${X.length} rows but ${y.length} labels`);
    y.forEach((v, i) => {
      if (v !== 0 && v !== 1) throw new RangeError(`boosting: label ${i} is ${v}, expected 0 or 1`);
    });
  }
  return width;
}

/**
 * Cut points of one feature: every midpoint between distinct values when
 * there are at most `maxBins` of them, else midpoints at evenly spaced
 * quantiles. A value goes to the first bin whose cut point it does not exceed.
 */
export function binEdges(values: ArrayLike<number>, maxBins: number): number[] {
  const sorted = Float64Array.from(values).sort();
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
  const edges: number[] = [];
  if (distinct.length <= maxBins) {
    for (let k = 0; k + 1 < distinct.length; k++) edges.push((distinct[k]! + distinct[k + 1]!) / 2);
    return edges;
  }
  for (let b = 1; b < maxBins; b++) {
    const i = Math.floor((b * sorted.length) / maxBins);
    const lo = sorted[i - 1]!;
    const hi = sorted[i]!;
    const cut = lo === hi ? lo : (lo + hi) / 2;
    if (edges.length === 0 || cut > edges[edges.length - 1]!) edges.push(cut);
  }
  return edges;
}

/** The bin of `v`: the number of cut points below it. */
function binOf(edges: readonly number[], v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** A trained gradient-boosted tree classifier for 0/1 labels. */
export class GradientBoosting {
  private constructor(private readonly json: BoostingJSON) {}

  /** Train on rows X (finite numbers) and labels y (0/1, both present); deterministic for a given seed. */
  static train(X: readonly (readonly number[])[], y: readonly number[], options: BoostingOptions = {}): GradientBoosting {
    const width = checkData(X, y);
    if (!y.includes(0) || !y.includes(1)) throw new RangeError('boosting: training labels need both classes (0 and 1)');
    const o: ResolvedBoostingOptions = { ...BOOSTING_DEFAULTS, ...options };
    if (!(o.maxBins >= 2 && o.maxBins <= 256)) throw new RangeError(`boosting: maxBins must be 2..256, got ${o.maxBins}`);
    const n = X.length;
    const edges: number[][] = [];
    const bins: Uint8Array[] = [];
    for (let j = 0; j < width; j++) {
      const col = new Float64Array(n);
      for (let i = 0; i < n; i++) col[i] = X[i]![j]!;
      const e = binEdges(col, o.maxBins);
      edges.push(e);
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = binOf(e, col[i]!);
      bins.push(b);
    }
    const stride = 2 * Math.max(...edges.map((e) => e.length + 1));
    const positives = y.reduce((s, v) => s + v, 0);
    const baseScore = Math.log(positives / (n - positives));
    const score = new Float64Array(n).fill(baseScore);
    const g = new Float64Array(n);
    const h = new Float64Array(n);
    const gain = new Array<number>(width).fill(0);
    const random = seededRandom(o.seed);
    const trees: TreeJSON[] = [];
    const all = Int32Array.from({ length: n }, (_, i) => i);
    const allFeatures = Array.from({ length: width }, (_, j) => j);
    for (let t = 0; t < o.nEstimators; t++) {
      for (let i = 0; i < n; i++) {
        const p = sigmoid(score[i]!);
        g[i] = p - y[i]!;
        h[i] = Math.max(p * (1 - p), 1e-16);
      }
      const rows = o.subsample < 1 ? sample(all, Math.max(1, Math.round(o.subsample * n)), random) : all;
      const features = o.colsampleByTree < 1 ? Array.from(sample(Int32Array.from(allFeatures), Math.max(1, Math.round(o.colsampleByTree * width)), random)) : allFeatures;
      const tree = growTree({ bins, edges, g, h, rows, features, o, gain, stride });
      trees.push(tree);
      for (let i = 0; i < n; i++) score[i]! += predictTree(tree, X[i]!);
    }
    return new GradientBoosting({ format: 'gradient-boosting/1', options: o, nFeatures: width, baseScore, gain, trees });
  }

  /** Number of feature columns the model expects. */
  get nFeatures(): number {
    return this.json.nFeatures;
  }

  /** Probability of class 1 for each row. */
  predictProba(X: readonly (readonly number[])[]): number[] {
    if (X.length === 0) return [];
    const width = checkData(X);
    if (width !== this.json.nFeatures) throw new RangeError(`boosting: rows have ${width} features, the model expects ${this.json.nFeatures}`);
    return X.map((row) => {
      let z = this.json.baseScore;
      for (const tree of this.json.trees) z += predictTree(tree, row);
      return sigmoid(z);
    });
  }

  /** Total split gain per feature, normalised to sum to 1 (0s when no split was made). */
  gainImportance(): number[] {
    const total = this.json.gain.reduce((s, v) => s + v, 0);
    return this.json.gain.map((v) => (total > 0 ? v / total : 0));
  }

  /** The trained model as plain JSON. */
  toJSON(): BoostingJSON {
    return structuredClone(this.json);
  }

  /** A model from `toJSON` output. */
  static fromJSON(json: BoostingJSON): GradientBoosting {
    if (json?.format !== 'gradient-boosting/1') throw new RangeError('boosting: not a gradient-boosting JSON (format must be "gradient-boosting/1")');
    return new GradientBoosting(structuredClone(json));
  }
}

/** `count` distinct entries of `from`, in ascending order (partial Fisher–Yates). */
function sample(from: Int32Array, count: number, random: () => number): Int32Array {
  const pool = Int32Array.from(from);
  for (let i = 0; i < count; i++) {
    const k = i + Math.floor(random() * (pool.length - i));
    const tmp = pool[i]!;
    pool[i] = pool[k]!;
    pool[k] = tmp;
  }
  return pool.subarray(0, count).sort();
}

function predictTree(tree: TreeJSON, row: readonly number[]): number {
  let node = 0;
  while (tree.feature[node]! >= 0) node = row[tree.feature[node]!]! <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
  return tree.value[node]!;
}

interface GrowContext {
  bins: Uint8Array[];
  edges: number[][];
  g: Float64Array;
  h: Float64Array;
  rows: Int32Array;
  features: number[];
  o: ResolvedBoostingOptions;
  gain: number[];
  /** Histogram entries per feature: 2 × the most bins of any feature. */
  stride: number;
}

/**
 * Per-bin sums of g and h of `rows`, interleaved (g then h) so one bin's two
 * sums share a cache line: feature `features[k]`, bin b at k × stride + 2b.
 */
function histogram(c: GrowContext, rows: Int32Array): Float64Array {
  const nf = c.features.length;
  const gh = new Float64Array(nf * c.stride);
  const g = c.g;
  const h = c.h;
  const n = rows.length;
  for (let k = 0; k < nf; k++) {
    const b = c.bins[c.features[k]!]!;
    const off = k * c.stride;
    for (let r = 0; r < n; r++) {
      const i = rows[r]!;
      const at = off + 2 * b[i]!;
      gh[at] = gh[at]! + g[i]!;
      gh[at + 1] = gh[at + 1]! + h[i]!;
    }
  }
  return gh;
}

/** The parent's histogram minus a child's: the other child's. */
function subtract(parent: Float64Array, child: Float64Array): Float64Array {
  const out = new Float64Array(parent.length);
  for (let i = 0; i < out.length; i++) out[i] = parent[i]! - child[i]!;
  return out;
}

/** Grow one tree depth-first, splitting while the gain is positive and both children keep `minChildWeight`. */
function growTree(c: GrowContext): TreeJSON {
  const tree: TreeJSON = { feature: [], threshold: [], left: [], right: [], value: [] };
  const { lambda, minChildWeight, learningRate, maxDepth } = c.o;
  const addNode = (): number => {
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(0);
    return tree.feature.length - 1;
  };
  // A node at maxDepth is a leaf and needs no histogram (null).
  const grow = (rows: Int32Array, hist: Float64Array | null, depth: number): number => {
    const node = addNode();
    let Gs = 0;
    let Hs = 0;
    for (let r = 0; r < rows.length; r++) {
      Gs += c.g[rows[r]!]!;
      Hs += c.h[rows[r]!]!;
    }
    tree.value[node] = (-Gs / (Hs + lambda)) * learningRate;
    if (hist === null || depth >= maxDepth || rows.length < 2) return node;
    const parentScore = (Gs * Gs) / (Hs + lambda);
    let bestGain = 1e-12;
    let bestK = -1;
    let bestBin = -1;
    for (let k = 0; k < c.features.length; k++) {
      const nBins = c.edges[c.features[k]!]!.length + 1;
      const off = k * c.stride;
      let GL = 0;
      let HL = 0;
      for (let b = 0; b + 1 < nBins; b++) {
        GL += hist[off + 2 * b]!;
        HL += hist[off + 2 * b + 1]!;
        const HR = Hs - HL;
        if (HL < minChildWeight || HR < minChildWeight) continue;
        const GR = Gs - GL;
        const gain = (GL * GL) / (HL + lambda) + (GR * GR) / (HR + lambda) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          bestK = k;
          bestBin = b;
        }
      }
    }
    const best = { gain: bestGain, k: bestK, bin: bestBin };
    if (best.k < 0) return node;
    const j = c.features[best.k]!;
    const b = c.bins[j]!;
    let nLeft = 0;
    for (let r = 0; r < rows.length; r++) if (b[rows[r]!]! <= best.bin) nLeft++;
    const left = new Int32Array(nLeft);
    const right = new Int32Array(rows.length - nLeft);
    let li = 0;
    let ri = 0;
    for (let r = 0; r < rows.length; r++) {
      const i = rows[r]!;
      if (b[i]! <= best.bin) left[li++] = i;
      else right[ri++] = i;
    }
    c.gain[j]! += best.gain;
    tree.feature[node] = j;
    tree.threshold[node] = c.edges[j]![best.bin]!;
    // The smaller child's histogram is summed; the larger one's is the parent's minus it.
    const smallIsLeft = left.length <= right.length;
    const small = depth + 1 < maxDepth ? histogram(c, smallIsLeft ? left : right) : null;
    const large = small === null ? null : subtract(hist, small);
    const leftNode = grow(left, smallIsLeft ? small : large, depth + 1);
    const rightNode = grow(right, smallIsLeft ? large : small, depth + 1);
    tree.left[node] = leftNode;
    tree.right[node] = rightNode;
    return node;
  };
  grow(c.rows, histogram(c, c.rows), 0);
  return tree;
}
