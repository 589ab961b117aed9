import { InputError } from '../domain/errors.js';
import type { Rng } from '../domain/rng.js';
import { checkCodonSize, DEFAULT_CODON_SIZE, encodeChoice } from './codons.js';
import type { Grammar } from './grammar-types.js';
import { mapperFor } from './mapper.js';

/**
 * Sensible initialisation (ramped half-and-half, as PonyGE2's "PI grow"/"sensible"): random
 * derivation trees that respect a depth limit, encoded as genomes whose codons pick the tree's
 * choices, plus a random tail so crossover and mutation have material beyond the used part.
 * Depths follow the mapper's convention (start symbol = depth 1).
 */

/** How a tree is grown. */
export type InitMethod = 'grow' | 'full';

/** Options of initialisePopulation. */
export interface InitOptions {
  populationSize: number;
  /** Smallest target depth of the ramp (raised to the start rule's min depth if below). */
  minDepth: number;
  /** Largest target depth of the ramp; no individual is deeper. */
  maxDepth: number;
  /** Codons are drawn in [0, codonSize). Default DEFAULT_CODON_SIZE. */
  codonSize?: number;
  /** Tail length as a fraction of the used codons (rounded). Default 0.5. */
  tailRatio?: number;
  /** Extra attempts per individual to find a phenotype not seen yet. Default 20. */
  maxRetries?: number;
}

/** One initial individual. */
export interface InitialIndividual {
  readonly genome: Int32Array;
  readonly phenotype: string;
  /** Length of the tree's codon prefix; the rest of the genome is the random tail. */
  readonly usedCodons: number;
  /** Actual depth of the derivation tree. */
  readonly depth: number;
  readonly method: InitMethod;
  /** The depth limit it was grown under. */
  readonly targetDepth: number;
}

/**
 * Build a population of valid genomes. Target depths are ramped over [minDepth, maxDepth] and
 * methods alternate grow / full, so each depth gets about as many of each. Phenotypes are
 * deduplicated: an individual whose phenotype was already produced is regrown, first with the
 * same settings, then (after half of maxRetries) with a random depth and method; if all retries
 * collide the duplicate is kept, so small grammars still fill the population.
 * Throws InputError when maxDepth is below the start rule's minimum derivation depth.
 */
export function initialisePopulation(grammar: Grammar, options: InitOptions, rng: Rng): InitialIndividual[] {
  const { populationSize, minDepth, maxDepth } = options;
  const codonSize = options.codonSize ?? DEFAULT_CODON_SIZE;
  const tailRatio = options.tailRatio ?? 0.5;
  const maxRetries = options.maxRetries ?? 20;
  checkCodonSize(codonSize);
  checkInt('populationSize', populationSize, 0);
  checkInt('minDepth', minDepth, 1);
  checkInt('maxDepth', maxDepth, 1);
  checkInt('maxRetries', maxRetries, 0);
  if (minDepth > maxDepth) throw new InputError(`init: minDepth (${minDepth}) is greater than maxDepth (${maxDepth})`);
  if (!(tailRatio >= 0 && Number.isFinite(tailRatio))) {
    throw new InputError(`init: tailRatio must be a finite number >= 0, got ${tailRatio}`);
  }
  const start = grammar.rules[grammar.startRule];
  if (start.minDepth === Infinity) {
    throw new InputError(`${grammar.fileName}: the start rule <${start.name}> can never finish deriving`);
  }
  if (maxDepth < start.minDepth) {
    throw new InputError(
      `${grammar.fileName}: init maxDepth ${maxDepth} is below the minimum derivation depth ${start.minDepth} of <${start.name}>`,
    );
  }

  const lo = Math.max(minDepth, start.minDepth);
  const nDepths = maxDepth - lo + 1;
  const mapper = mapperFor(grammar);
  const seen = new Set<string>();
  const population: InitialIndividual[] = [];

  for (let i = 0; i < populationSize; i++) {
    let targetDepth = lo + (Math.floor(i / 2) % nDepths);
    let method: InitMethod = i % 2 === 0 ? 'grow' : 'full';
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0 && attempt >= maxRetries / 2) {
        targetDepth = rng.int(lo, maxDepth);
        method = rng.chance(0.5) ? 'grow' : 'full';
      }
      const codons = growCodons(grammar, grammar.startRule, targetDepth, method, rng, codonSize);
      const m = mapper.map(codons);
      // The tree was built within the grammar, so this is a bug, not bad input.
      if (!m.valid || m.usedCodons !== codons.length) throw new Error('initialisation built an invalid genome');
      if (seen.has(m.phenotype!) && attempt < maxRetries) continue;
      seen.add(m.phenotype!);
      const tail = Math.round(tailRatio * codons.length);
      const genome = new Int32Array(codons.length + tail);
      genome.set(codons);
      for (let k = codons.length; k < genome.length; k++) genome[k] = rng.int(0, codonSize - 1);
      population.push({ genome, phenotype: m.phenotype!, usedCodons: m.usedCodons, depth: m.depth, method, targetDepth });
      break;
    }
  }
  return population;
}

/**
 * Codons (pre-order choices) of a random derivation tree from `rule` whose nodes stay within
 * `maxDepth`, the rule's own node counting as depth `rootDepth` (default 1). "grow" picks
 * uniformly among the choices that can still finish within the limit; "full" prefers the
 * recursive ones among those, so branches tend to reach the limit. Also usable to regrow a
 * subtree: pass the node's depth as rootDepth. Throws RangeError if the rule cannot finish
 * within the limit.
 */
export function growCodons(
  grammar: Grammar,
  rule: number,
  maxDepth: number,
  method: InitMethod,
  rng: Rng,
  codonSize: number = DEFAULT_CODON_SIZE,
  rootDepth = 1,
): number[] {
  const r = grammar.rules[rule];
  if (r === undefined || maxDepth - rootDepth + 1 < r.minDepth) {
    throw new RangeError(`<${r?.name ?? rule}> cannot finish within depth ${maxDepth} from depth ${rootDepth}`);
  }
  const out: number[] = [];
  growInto(grammar, rule, rootDepth, maxDepth, method === 'full', rng, codonSize, out);
  return out;
}

function growInto(
  grammar: Grammar,
  rule: number,
  depth: number,
  maxDepth: number,
  full: boolean,
  rng: Rng,
  codonSize: number,
  out: number[],
): void {
  const r = grammar.rules[rule];
  const remaining = maxDepth - depth + 1;
  let nFit = 0;
  let nRec = 0;
  for (const c of r.choices) {
    if (c.minDepth > remaining) continue;
    nFit++;
    if (c.recursive) nRec++;
  }
  // Callers only descend into choices whose minDepth fits, so nFit >= 1 here.
  const onlyRec = full && nRec > 0;
  let k = rng.int(0, (onlyRec ? nRec : nFit) - 1);
  let ci = 0;
  for (; ci < r.choices.length; ci++) {
    const c = r.choices[ci];
    if (c.minDepth > remaining || (onlyRec && !c.recursive)) continue;
    if (k-- === 0) break;
  }
  out.push(encodeChoice(ci, r.numChoices, codonSize, rng));
  for (const s of r.choices[ci].symbols) {
    if (s.kind === 'NT') growInto(grammar, s.rule, depth + 1, maxDepth, full, rng, codonSize, out);
  }
}

function checkInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new InputError(`init: ${name} must be an integer >= ${min}, got ${v}`);
}
